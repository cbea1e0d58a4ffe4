//! The site's layout on disk: the folders nutgraf reads and writes, which
//! files in them are ignored, and walking them.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Articles, sections and the files beside them.
pub const CONTENT_DIR: &str = "content";
/// Files copied to the output as they are.
pub const STATIC_DIR: &str = "static";
/// The site's own templates.
pub const TEMPLATES_DIR: &str = "templates";
/// Themes on disk, one folder each.
pub const THEMES_DIR: &str = "themes";
/// Where `build` writes by default.
pub const DEFAULT_OUTPUT: &str = "public";
/// The folder under the site root that holds caches.
pub const CACHE_DIR: &str = ".nutgraf-cache";
/// Every hashed file lives under this folder, so one rule can make them
/// immutable.
pub const ASSETS_DIR: &str = "assets";

/// Hidden files, editor swap and backup files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with("#")
}

/// Files under `dir` (relative path, full path), skipping hidden and
/// editor files; empty when `dir` does not exist.
pub fn walk_files(dir: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
        });
    for entry in walker {
        let entry =
            entry.map_err(|e| anyhow::anyhow!("failed to read `{}`: {e}", dir.display()))?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_path_buf();
            files.push((rel, entry.into_path()));
        }
    }
    Ok(files)
}
