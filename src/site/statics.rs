//! Static files: the theme's and the site's, the files beside the articles,
//! and the stylesheet with the highlighting CSS, hashed for caching.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::assets::{self, Asset, Manifest};
use crate::content::Content;
use crate::error::Error;
use crate::output::Output;
use crate::paths::STATIC_DIR;
use crate::theme::{CODE_STYLESHEET, STYLESHEET, StaticSource, Theme};

/// Copies the theme's static files; CSS and JavaScript get content-hashed
/// names under `/assets/` and go into the manifest.
///
/// A site's `static/` file of the same name replaces a hashed one: it is
/// published hashed in its place (see [`replaces_theme_asset`]).
pub(super) fn copy_theme_static(
    theme: &Theme,
    site_static: &[(PathBuf, PathBuf)],
    out: Output,
    manifest: &mut Manifest,
    stable: bool,
    minify: bool,
) -> Result<usize, Error> {
    for (rel, source) in &theme.static_files {
        let name = crate::paths::slash(rel);
        if assets::is_hashed(rel) {
            let site = site_static.iter().find(|(r, _)| r == rel);
            let bytes = match (site, source) {
                (Some((_, path)), _) => crate::fs::read(path)?,
                (None, StaticSource::Embedded(bytes)) => bytes.to_vec(),
                (None, StaticSource::Disk(from)) => crate::fs::read(from)?,
            };
            let bytes = if minify && rel.extension().is_some_and(|e| e == "css") {
                match String::from_utf8(bytes) {
                    Ok(css) => crate::minify::css(css).into_bytes(),
                    Err(not_utf8) => not_utf8.into_bytes(),
                }
            } else {
                bytes
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

/// Whether the site's static file `rel` stands in for one of the theme's
/// hashed stylesheets or scripts, so it is not also copied as it is.
pub(super) fn replaces_theme_asset(theme: &Theme, rel: &Path) -> bool {
    assets::is_hashed(rel)
        && (rel == Path::new(STYLESHEET)
            || rel == Path::new(CODE_STYLESHEET)
            || theme.static_files.iter().any(|(r, _)| r == rel))
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

/// The stylesheets the theme's static files do not publish by themselves:
/// `style.css`, which every page loads, and `code.css`, the code block
/// styles pages with code load (their token colours are in the page).
pub(super) struct Stylesheets {
    pub(super) base: Asset,
    pub(super) code: Option<Asset>,
}

/// Writes the theme's `style.css` and `code.css` (or the site's
/// `static/` files of those names) under content-hashed names, minified
/// when `minify` is set.
pub(super) fn write_stylesheets(
    root: &Path,
    theme: &Theme,
    out: Output,
    stable: bool,
    minify: bool,
) -> Result<Stylesheets, Error> {
    let site_file = |name: &str| -> Result<Option<String>, Error> {
        let path = root.join(STATIC_DIR).join(name);
        Ok(if path.is_file() {
            Some(crate::fs::read_to_string(&path)?)
        } else {
            None
        })
    };
    let finish = |css: String| if minify { crate::minify::css(css) } else { css };
    let base = finish(site_file(STYLESHEET)?.unwrap_or_else(|| theme.stylesheet.clone()));
    let code = site_file(CODE_STYLESHEET)?
        .or_else(|| theme.code_stylesheet.clone())
        .map(finish);
    Ok(Stylesheets {
        base: write_css(STYLESHEET, base, out, stable)?,
        code: code
            .map(|css| write_css(CODE_STYLESHEET, css, out, stable))
            .transpose()?,
    })
}

fn write_css(name: &str, css: String, out: Output, stable: bool) -> Result<Asset, Error> {
    let (rel, integrity) = if stable {
        (format!("assets/{name}"), String::new())
    } else {
        let hashed = assets::hashed_path(Path::new(name), css.as_bytes());
        (hashed, assets::integrity(css.as_bytes()))
    };
    out.write(&rel, css)?;
    Ok(Asset {
        url: format!("/{rel}"),
        integrity,
    })
}
