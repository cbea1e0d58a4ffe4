//! The site's layout on disk: the folders nutgraf reads and writes, which
//! files in them are ignored, and walking them.

use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

/// Articles, sections and the files beside them.
pub const CONTENT_DIR: &str = "content";
/// Files copied to the output as they are.
pub const STATIC_DIR: &str = "static";
/// The site's own templates.
pub const TEMPLATES_DIR: &str = "templates";
/// Themes on disk, one folder each.
pub const THEMES_DIR: &str = "themes";
/// Strings files (`i18n/<language>.toml`), in the site and in a theme.
pub const I18N_DIR: &str = "i18n";
/// Where `build` writes by default.
pub const DEFAULT_OUTPUT: &str = "public";
/// The folder under the site root that holds caches.
pub const CACHE_DIR: &str = ".nutgraf-cache";
/// Every hashed file lives under this folder, so one rule can make them
/// immutable.
pub const ASSETS_DIR: &str = "assets";

/// `path` made absolute (against the current folder) with `..` and
/// symlinks resolved as far as the path exists, so two paths can be
/// compared for overlap before either folder is created.
pub fn absolute(path: &Path) -> PathBuf {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // Canonicalize the longest existing prefix; keep the rest as written.
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut full = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    full.extend(rest.iter().rev());
    full
}

/// A relative path with `/` between its parts on every platform, as
/// output paths and URLs want it: `img\\a.jpg` → `img/a.jpg`.
pub fn slash(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}

/// Whether a file or folder named `name` is left alone: never read,
/// published or watched, in `content/`, `static/`, `templates/`, themes and
/// by the `serve` watcher alike. They are what editors and file managers
/// leave beside the files you edit:
///
/// - hidden files and folders, `.x`: `.git/`, macOS's `.DS_Store`, vim's
///   swap files (`.x.md.swp`) and Emacs's lock links (`.#x.md`);
/// - backups, `x~` (Emacs, vim's `backup`, gedit);
/// - swap files, `x.swp`, `x.swo`, `x.swx`, also when not hidden (vim's
///   `directory` option can put them beside other files);
/// - Emacs's autosaves, `#x#`, and anything else starting with `#`;
/// - temporary files, `x.tmp`, that editors write and rename on save;
/// - `4913`, the file vim creates to test that it may write in a folder.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || [".swp", ".swo", ".swx", ".tmp"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || name == "4913"
}

/// Whether any folder or file on `rel`, a path relative to the site root
/// or a folder nutgraf reads, [`is_ignored`]: a file in a hidden folder is.
pub fn is_ignored_path(rel: &Path) -> bool {
    rel.components().any(|c| match c {
        Component::Normal(name) => is_ignored(&name.to_string_lossy()),
        // `.` and `..` are not hidden files.
        _ => false,
    })
}

/// Files under `dir` (relative path, full path), in file-name order,
/// skipping [`is_ignored`] files and folders; empty when `dir` does not
/// exist.
pub fn walk_files(dir: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        // `dir` itself may be in a hidden folder: only what is below counts.
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_editor_and_system_file_is_ignored() {
        for name in [
            ".hidden.md",
            ".git",
            ".DS_Store",
            ".notes.md.swp",
            ".#notes.md",
            "notes.md~",
            "notes.swp",
            "notes.swo",
            "notes.swx",
            "#notes.md#",
            "#anything",
            "x.tmp",
            "4913",
        ] {
            assert!(is_ignored(name), "`{name}` should be ignored");
        }
    }

    #[test]
    fn ordinary_names_are_not_ignored() {
        // A name is judged by how it starts and ends, never by what it
        // contains: `notes.swp.md` is Markdown.
        for name in [
            "photo.jpg",
            "a.md",
            "_index.md",
            "style.css",
            "swp.md",
            "notes.swp.md",
            "tmp",
            "4913.jpg",
            "14913",
            "x#y.md",
            "x~y.md",
        ] {
            assert!(!is_ignored(name), "`{name}` should not be ignored");
        }
    }

    #[test]
    fn a_path_is_ignored_when_any_part_is() {
        assert!(is_ignored_path(Path::new("content/.git/a.md")));
        assert!(is_ignored_path(Path::new(".nutgraf-cache/images/x.jpg")));
        assert!(is_ignored_path(Path::new("static/#notes.md#")));
        assert!(!is_ignored_path(Path::new("content/posts/why-now.md")));
        // `.` and `..` are not hidden folders.
        assert!(!is_ignored_path(Path::new("./static/style.css")));
        assert!(!is_ignored_path(Path::new("../site/static/style.css")));
    }

    #[test]
    fn walk_files_skips_ignored_files_and_folders() -> anyhow::Result<()> {
        // The folder walked sits in a hidden folder itself: only what is
        // below it is judged.
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join(".site/static");
        for rel in [
            "style.css",
            "img/photo.jpg",
            "notes.swp",
            "#notes.md#",
            "img/.DS_Store",
            "img/photo.jpg~",
            ".git/config.md",
        ] {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(&dir))?;
            std::fs::write(&path, "x")?;
        }
        let found: Vec<PathBuf> = walk_files(&dir)?.into_iter().map(|(rel, _)| rel).collect();
        assert_eq!(found, [Path::new("img/photo.jpg"), Path::new("style.css")]);
        assert!(walk_files(&tmp.path().join("missing"))?.is_empty());
        Ok(())
    }
}
