//! The built site as deploy sees it: every output file with its content
//! hash and the headers it is served with.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::DeployMatcher;
use crate::site::cdn::{CACHE_IMMUTABLE, CACHE_REVALIDATE};

use super::manifest::MANIFEST_PATH;

/// The headers an object is stored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub content_type: String,
    pub cache_control: String,
    /// `gzip` when a matcher asked for compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// Fastly's surrogate key (`x-amz-meta-surrogate-key`), when the
    /// target purges Fastly by key: see [`super::invalidation::surrogate_key`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surrogate_key: Option<String>,
}

/// One file of the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Relative to the output folder, `/`-separated, never starting with `/`.
    pub path: String,
    /// blake3 of the file's bytes (before any compression), hex.
    pub hash: String,
    /// Size of the body as uploaded (compressed when `meta` says gzip).
    pub size: u64,
    pub meta: Meta,
    /// The file on disk.
    pub source: PathBuf,
}

/// Lists and hashes every file under `dir` (in parallel), sorted by path.
/// The deploy manifest's own name is refused: it would be overwritten.
pub fn scan(dir: &Path, matchers: &[DeployMatcher]) -> Result<Vec<LocalFile>> {
    if !dir.is_dir() {
        bail!(
            "`{}` is not a folder: build the site first or pass the folder `nutgraf build` wrote",
            dir.display()
        );
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(true) {
        let entry = entry.with_context(|| format!("failed to list `{}`", dir.display()))?;
        // A link is followed only while it stays inside the folder being
        // deployed: anything else would upload files from elsewhere.
        if entry.depth() > 0 && entry.path_is_symlink() {
            if let Some(target) = crate::paths::escapes(dir, entry.path()) {
                return Err(crate::paths::escape_error(entry.path(), &target, dir));
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let mut parts = Vec::new();
        for c in rel.components() {
            let Some(s) = c.as_os_str().to_str() else {
                bail!(
                    "`{}`: file names must be UTF-8 to become URLs",
                    entry.path().display()
                );
            };
            parts.push(s);
        }
        let path = parts.join("/");
        // The build's ownership mark is not part of the site.
        if path == crate::output::MARKER {
            continue;
        }
        if path == MANIFEST_PATH {
            bail!(
                "`{}`: `{MANIFEST_PATH}` is the name of nutgraf's deploy manifest; rename the file",
                entry.path().display()
            );
        }
        paths.push((path, entry.into_path()));
    }
    let mut files = paths
        .into_par_iter()
        .map(|(path, source)| {
            let meta = meta_for(&path, matchers);
            let bytes = crate::fs::read(&source)?;
            let hash = blake3::hash(&bytes).to_hex().to_string();
            let size = if meta.content_encoding.is_some() {
                gzip(&bytes).len() as u64
            } else {
                bytes.len() as u64
            };
            Ok(LocalFile {
                path,
                hash,
                size,
                meta,
                source,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The bytes to upload for `file`: read again (the scan keeps no bodies, so
/// 10,000 pages do not sit in memory) and compressed when asked. A file
/// changed since the scan is an error: the plan would be wrong.
pub fn body(file: &LocalFile) -> Result<Vec<u8>> {
    let bytes = crate::fs::read(&file.source)?;
    if blake3::hash(&bytes).to_hex().as_str() != file.hash {
        bail!(
            "`{}` changed while deploying; run the deploy again",
            file.source.display()
        );
    }
    Ok(if file.meta.content_encoding.is_some() {
        gzip(&bytes)
    } else {
        bytes
    })
}

/// Gzip with a fixed header (no file name, mtime 0), so the same input
/// always gives the same bytes and size.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    // Writing into a Vec cannot fail.
    if enc.write_all(bytes).is_err() {
        return Vec::new();
    }
    enc.finish().unwrap_or_default()
}

/// Content-Type, Cache-Control and encoding of `path`: the `_headers`
/// rules (hashed `assets/` immutable, the rest revalidated), then the
/// first matcher whose pattern matches overrides what it sets.
pub fn meta_for(path: &str, matchers: &[DeployMatcher]) -> Meta {
    let mut meta = Meta {
        content_type: content_type(path),
        cache_control: if crate::site::cdn::is_hashed(path) {
            CACHE_IMMUTABLE
        } else {
            CACHE_REVALIDATE
        }
        .to_string(),
        content_encoding: None,
        surrogate_key: None,
    };
    if let Some(m) = matchers.iter().find(|m| m.glob.is_match(path)) {
        if let Some(ct) = &m.content_type {
            meta.content_type.clone_from(ct);
        }
        if let Some(cc) = &m.cache_control {
            meta.cache_control.clone_from(cc);
        }
        if m.gzip {
            meta.content_encoding = Some("gzip".to_string());
        }
    }
    meta
}

/// The MIME type from the file name, with `charset=utf-8` for text (the
/// build writes UTF-8 only). `_headers` and `_redirects` are text.
fn content_type(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "_headers" || name == "_redirects" {
        return "text/plain; charset=utf-8".to_string();
    }
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let essence = mime.essence_str();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            essence,
            "application/javascript" | "application/json" | "application/xml"
        )
        || essence.ends_with("+xml")
        || essence.ends_with("+json");
    if text {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(pattern: &str, cc: Option<&str>, ct: Option<&str>, gzip: bool) -> DeployMatcher {
        DeployMatcher {
            pattern: pattern.to_string(),
            glob: globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
                .compile_matcher(),
            cache_control: cc.map(str::to_string),
            content_type: ct.map(str::to_string),
            gzip,
        }
    }

    /// Regression: `deploy --output DIR` followed symlinks out of DIR and
    /// uploaded what they pointed to.
    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_refused_and_links_inside_followed() -> Result<()> {
        let tmp = tempfile::tempdir()?;
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("a"))?;
        std::fs::write(out.join("a/index.html"), "<p>a</p>")?;
        std::os::unix::fs::symlink(out.join("a"), out.join("b"))?;
        let found: Vec<String> = scan(&out, &[])?.into_iter().map(|f| f.path).collect();
        assert_eq!(found, ["a/index.html", "b/index.html"]);

        std::fs::write(tmp.path().join("id_rsa"), "private")?;
        std::os::unix::fs::symlink(tmp.path().join("id_rsa"), out.join("key.txt"))?;
        let err = scan(&out, &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("public/key.txt` is a symbolic link to"),
            "{err}"
        );
        assert!(err.contains("id_rsa"), "{err}");
        Ok(())
    }

    // The build's ownership marker is a file of the output folder, not of
    // the site: deploy must never upload it.
    #[test]
    fn the_output_marker_is_not_uploaded() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(tmp.path().join(crate::output::MARKER), "mark")
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(tmp.path().join("index.html"), "<p>hi</p>")
            .unwrap_or_else(|e| panic!("{e}"));
        let files = scan(tmp.path(), &[]).unwrap_or_else(|e| panic!("{e}"));
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["index.html"]);
    }

    #[test]
    fn headers_follow_the_headers_file() {
        let m = meta_for("assets/style.3f2a.css", &[]);
        assert_eq!(m.content_type, "text/css; charset=utf-8");
        assert_eq!(m.cache_control, CACHE_IMMUTABLE);
        let m = meta_for("why-now/index.html", &[]);
        assert_eq!(m.content_type, "text/html; charset=utf-8");
        assert_eq!(m.cache_control, CACHE_REVALIDATE);
        assert_eq!(meta_for("img/a.jpg", &[]).content_type, "image/jpeg");
        assert_eq!(meta_for("img/a.jpg", &[]).cache_control, CACHE_REVALIDATE);
        assert_eq!(
            meta_for("atom.xml", &[]).content_type,
            "text/xml; charset=utf-8"
        );
        assert_eq!(
            meta_for("_headers", &[]).content_type,
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            meta_for("assets/app.js", &[]).content_type,
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            meta_for("café/naïve file.html", &[]).content_type,
            "text/html; charset=utf-8"
        );
    }

    #[test]
    fn first_matching_matcher_wins() {
        let matchers = [
            matcher("**/*.html", None, None, true),
            matcher(
                "*.xml",
                Some("public, max-age=600"),
                Some("application/atom+xml"),
                false,
            ),
            matcher("**", Some("never"), None, false),
        ];
        let m = meta_for("a/index.html", &matchers);
        assert_eq!(m.content_encoding.as_deref(), Some("gzip"));
        assert_eq!(
            m.cache_control, CACHE_REVALIDATE,
            "unset fields keep the default"
        );
        let m = meta_for("atom.xml", &matchers);
        assert_eq!(m.content_type, "application/atom+xml");
        assert_eq!(m.cache_control, "public, max-age=600");
        // `*` does not cross folders.
        assert_eq!(
            meta_for("tags/a/atom.xml", &matchers).cache_control,
            "never"
        );
    }

    #[test]
    fn gzip_is_deterministic() {
        let text = b"<p>hello</p>".repeat(100);
        assert_eq!(gzip(&text), gzip(&text));
        assert!(gzip(&text).len() < text.len());
    }
}
