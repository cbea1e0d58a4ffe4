//! Image references: resolving `src` to a file and a site URL, and reading
//! intrinsic sizes from file headers (once per file per build).

pub mod responsive;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::diagnostic::Finding;

/// Characters escaped in URL path segments we write.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// What an image `src` in the content points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// `slot:NAME`: a reserved figure whose photo is not chosen yet.
    Slot(String),
    /// An absolute `http(s)://` or protocol-relative URL, used as is.
    External(String),
    /// A file of the site and the site URL it is published at.
    Local { file: PathBuf, url: String },
}

/// Resolves image sources against the site and caches their sizes.
#[derive(Debug)]
pub struct Images {
    root: PathBuf,
    content_dir: PathBuf,
    static_dir: PathBuf,
    /// Where files under `content/` are published (a bundle's at its
    /// page's URL), for the URLs images get.
    folders: std::sync::Arc<crate::content::bundle::Folders>,
    sizes: Mutex<HashMap<PathBuf, Option<(u32, u32)>>>,
}

impl Images {
    pub fn new(root: &Path) -> Images {
        Images {
            root: root.to_path_buf(),
            content_dir: root.join(crate::paths::CONTENT_DIR),
            static_dir: root.join(crate::paths::STATIC_DIR),
            folders: Default::default(),
            sizes: Mutex::new(HashMap::new()),
        }
    }

    /// Gives files under `content/` the URLs they are published at.
    pub fn with_folders(self, folders: std::sync::Arc<crate::content::bundle::Folders>) -> Images {
        Images { folders, ..self }
    }

    /// The site URL of `rel`, a file under `content/`.
    fn content_url(&self, rel: &Path) -> String {
        url_of(Path::new(&self.folders.dest(rel)))
    }

    /// Resolves `src` as written in a page whose file sits in `page_dir`.
    /// `/x.jpg` is looked up in `static/` (then `content/`), anything else
    /// relative to the page. Errors when the path would leave the site.
    pub fn resolve(&self, page_dir: &Path, src: &str) -> Result<ImageRef, Finding> {
        let src = src.trim();
        if let Some(name) = src.strip_prefix("slot:") {
            return Ok(ImageRef::Slot(name.trim().to_string()));
        }
        if src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//") {
            return Ok(ImageRef::External(src.to_string()));
        }
        if src.contains(':')
            && !src.starts_with('/')
            && src.split('/').next().is_some_and(|s| s.contains(':'))
        {
            return Err(
                Finding::new(format!("unsupported image URL `{src}`")).with_hint(PATHS_HINT)
            );
        }
        let path_part = src.split(['?', '#']).next().unwrap_or(src);
        let decoded = percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        if let Some(abs) = decoded.strip_prefix('/') {
            let rel = normalize(Path::new(abs)).ok_or_else(|| escape_message(src))?;
            let in_static = self.static_dir.join(&rel);
            let (file, url) = if in_static.is_file() || !self.content_dir.join(&rel).is_file() {
                (in_static, url_of(&rel))
            } else {
                (self.content_dir.join(&rel), self.content_url(&rel))
            };
            return Ok(ImageRef::Local { file, url });
        }
        let page_rel = page_dir
            .strip_prefix(&self.content_dir)
            .unwrap_or(Path::new(""));
        let rel = normalize(&page_rel.join(&decoded)).ok_or_else(|| escape_message(src))?;
        Ok(ImageRef::Local {
            file: self.content_dir.join(&rel),
            url: self.content_url(&rel),
        })
    }

    /// A file's path as shown to the user (relative to the site root).
    pub fn display(&self, file: &Path) -> PathBuf {
        crate::diagnostic::display_path(&self.root, file)
    }

    /// Width and height from the file's header, or `None` when the file is
    /// missing or not an image. Each file is read once per build.
    pub fn size(&self, file: &Path) -> Option<(u32, u32)> {
        if let Some(known) = self.lock().get(file) {
            return *known;
        }
        // Read outside the lock; two workers may race to read the same
        // header, which is cheaper than serialising every read.
        let size = imagesize::size(file)
            .ok()
            .and_then(|s| Some((u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?)));
        self.lock().insert(file.to_path_buf(), size);
        size
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<(u32, u32)>>> {
        self.sizes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How image paths are written, for every finding about one.
const PATHS_HINT: &str =
    "image paths are relative to the article's folder, or start with / for files in static/";

fn escape_message(src: &str) -> Finding {
    Finding::new(format!("image path `{src}` points outside the site")).with_hint(PATHS_HINT)
}

/// Resolves `.` and `..` lexically; `None` if the path climbs above its start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The site URL of a path relative to the output root.
pub fn url_of(rel: &Path) -> String {
    let mut url = String::new();
    for part in rel.iter() {
        url.push('/');
        url.extend(utf8_percent_encode(&part.to_string_lossy(), PATH_SEGMENT));
    }
    if url.is_empty() {
        url.push('/');
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images() -> Images {
        Images::new(Path::new("/site"))
    }

    #[test]
    fn relative_sources_resolve_beside_the_page() {
        let r = images().resolve(Path::new("/site/content/why-now"), "launch photo.jpg");
        assert_eq!(
            r,
            Ok(ImageRef::Local {
                file: PathBuf::from("/site/content/why-now/launch photo.jpg"),
                url: "/why-now/launch%20photo.jpg".into()
            })
        );
    }

    #[test]
    fn sources_in_a_bundle_get_the_url_its_files_are_published_at() {
        let mut folders = crate::content::bundle::Folders::default();
        folders.insert(Path::new("Release-2.60.0"), "/release-2-60-0/", true);
        let images = images().with_folders(std::sync::Arc::new(folders));
        assert_eq!(
            images.resolve(Path::new("/site/content/Release-2.60.0"), "shot 1.png"),
            Ok(ImageRef::Local {
                file: PathBuf::from("/site/content/Release-2.60.0/shot 1.png"),
                url: "/release-2-60-0/shot%201.png".into()
            })
        );
    }

    #[test]
    fn absolute_sources_resolve_in_static() {
        let r = images().resolve(Path::new("/site/content/a"), "/img/x.jpg");
        assert_eq!(
            r,
            Ok(ImageRef::Local {
                file: PathBuf::from("/site/static/img/x.jpg"),
                url: "/img/x.jpg".into()
            })
        );
    }

    #[test]
    fn paths_cannot_escape_the_site() {
        assert!(
            images()
                .resolve(Path::new("/site/content/a"), "../../etc/passwd")
                .is_err()
        );
        assert!(
            images()
                .resolve(Path::new("/site/content/a"), "/../secret.jpg")
                .is_err()
        );
        assert!(
            images()
                .resolve(Path::new("/site/content/a"), "../b/x.jpg")
                .is_ok()
        );
    }

    #[test]
    fn slots_and_external() {
        assert_eq!(
            images().resolve(Path::new("/"), "slot:aerial"),
            Ok(ImageRef::Slot("aerial".into()))
        );
        assert!(matches!(
            images().resolve(Path::new("/"), "https://e.org/x.jpg"),
            Ok(ImageRef::External(_))
        ));
    }
}
