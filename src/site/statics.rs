//! Static files: the theme's and the site's, the files beside the articles,
//! and the stylesheet with the highlighting CSS, hashed for caching.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::assets::{self, Asset, Manifest};
use crate::content::Content;
use crate::error::Error;
use crate::output::Output;
use crate::paths::STATIC_DIR;
use crate::theme::{StaticSource, Theme};

/// Copies the theme's static files; CSS and JavaScript get content-hashed
/// names under `/assets/` and go into the manifest.
pub(super) fn copy_theme_static(
    theme: &Theme,
    out: Output,
    manifest: &mut Manifest,
    stable: bool,
) -> Result<usize, Error> {
    for (rel, source) in &theme.static_files {
        let name = crate::paths::slash(rel);
        if assets::is_hashed(rel) {
            let bytes = match source {
                StaticSource::Embedded(bytes) => bytes.to_vec(),
                StaticSource::Disk(from) => crate::fs::read(from)?,
            };
            let (path, integrity) = if stable {
                (format!("assets/{name}"), String::new())
            } else {
                let hashed = assets::hashed_path(rel, &bytes);
                (hashed, assets::integrity(&bytes))
            };
            out.write(&path, bytes)?;
            manifest.insert(
                name,
                Asset {
                    url: format!("/{path}"),
                    integrity,
                },
            );
            continue;
        }
        match source {
            StaticSource::Embedded(bytes) => out.write(&name, bytes.to_vec())?,
            StaticSource::Disk(from) => out.copy(&name, from)?,
        }
    }
    Ok(theme.static_files.len())
}

/// Copies `files` (each path in the output and the file, as
/// [`crate::paths::walk_files`] lists a folder) into `out`, in parallel.
pub(super) fn copy_files(files: &[(PathBuf, PathBuf)], out: Output) -> Result<usize, Error> {
    files
        .par_iter()
        .try_for_each(|(rel, path)| out.copy(&crate::paths::slash(rel), path))?;
    Ok(files.len())
}

/// Non-Markdown files under `content/` go where the content loader placed
/// them: a bundle's beside its page, at the page's URL.
pub(super) fn copy_content_assets(
    root: &Path,
    content: &Content,
    out: Output,
) -> Result<usize, Error> {
    let content_dir = root.join(crate::paths::CONTENT_DIR);
    content
        .assets
        .par_iter()
        .try_for_each(|file| out.copy(&file.dest, &content_dir.join(&file.source)))?;
    Ok(content.assets.len())
}

/// Writes the theme stylesheet (or the site's `static/style.css`) with the
/// highlighting CSS appended, under a content-hashed name. Returns its URL.
pub(super) fn write_stylesheet(
    root: &Path,
    theme: &Theme,
    out: Output,
    stable: bool,
) -> Result<Asset, Error> {
    let site_css = root.join(STATIC_DIR).join("style.css");
    let mut css = if site_css.is_file() {
        crate::fs::read_to_string(&site_css)?
    } else {
        theme.stylesheet.clone()
    };
    css.push('\n');
    css.push_str(&crate::markdown::highlight::stylesheet()?);
    let (rel, integrity) = if stable {
        ("assets/style.css".to_string(), String::new())
    } else {
        let hashed = assets::hashed_path(Path::new("style.css"), css.as_bytes());
        (hashed, assets::integrity(css.as_bytes()))
    };
    out.write(&rel, css)?;
    Ok(Asset {
        url: format!("/{rel}"),
        integrity,
    })
}
