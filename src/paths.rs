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
/// A path as the user would write it in a message: `./public` is
/// `public`, and `.` stays `.`.
pub fn shown(path: &Path) -> &Path {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest,
        _ => path,
    }
}

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

/// Where `path` really is when that is outside `inside` (both resolved
/// through every symlink on the way), so a link that leads out of the site
/// can be refused by name; `None` when it stays inside, or when `path`
/// cannot be resolved (a missing file is reported where it is used).
pub fn escapes(inside: &Path, path: &Path) -> Option<PathBuf> {
    let target = path.canonicalize().ok()?;
    let inside = inside
        .canonicalize()
        .unwrap_or_else(|_| inside.to_path_buf());
    (!target.starts_with(&inside)).then_some(target)
}

/// The error for a symlink at `link` that leads to `target`, outside
/// `inside`.
pub fn escape_error(link: &Path, target: &Path, inside: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "`{}` is a symbolic link to `{}`, outside `{}`; nutgraf follows links only within the site: copy the file in, or point the link inside",
        link.display(),
        target.display(),
        inside.display()
    )
}

/// Files under `dir` (relative path, full path), in file-name order,
/// skipping [`is_ignored`] files and folders; empty when `dir` does not
/// exist.
///
/// Symbolic links are followed when they lead inside the folder that holds
/// `dir` (the site root for `content/`, `static/` and `templates/`, the
/// theme for a theme's folders); one that leads anywhere else is an error
/// naming it, so a link can never publish a file from outside the site. A
/// name that is not valid UTF-8 is an error naming its folder: it cannot
/// become a URL, and two such names would collapse into one.
pub fn walk_files(dir: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let site = dir.parent().unwrap_or(dir);
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // `dir` itself may be in a hidden folder: only what is below counts.
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        // Emacs's lock files (`.#x.md`) are links to nothing: ignored
        // names are skipped even when they cannot be followed.
        if let Err(e) = &entry {
            let name = e.path().and_then(Path::file_name);
            if name.is_some_and(|n| is_ignored(&n.to_string_lossy())) {
                continue;
            }
        }
        let entry = entry.map_err(|e| match e.path() {
            Some(path) => anyhow::anyhow!(
                "failed to read `{}`: {e}; a symbolic link there may point to nothing, or to a folder above it",
                path.display()
            ),
            None => anyhow::anyhow!("failed to read `{}`: {e}", dir.display()),
        })?;
        if entry.depth() > 0 && entry.file_name().to_str().is_none() {
            let folder = entry.path().parent().unwrap_or(dir);
            anyhow::bail!(
                "`{}` holds a name that is not valid UTF-8 (`{}`); rename it: file names become URLs",
                folder.display(),
                entry.file_name().to_string_lossy()
            );
        }
        if entry.depth() > 0 && entry.path_is_symlink() {
            // The folder walked may itself be a link elsewhere (content
            // kept in another repository): inside it counts as inside.
            if let Some(target) = escapes(site, entry.path()) {
                if escapes(dir, entry.path()).is_some() {
                    return Err(escape_error(entry.path(), &target, site));
                }
            }
        }
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

    #[cfg(unix)]
    #[test]
    fn links_inside_the_site_are_followed() -> anyhow::Result<()> {
        let tmp = tempfile::tempdir()?;
        let site = tmp.path().join("site");
        std::fs::create_dir_all(site.join("shared"))?;
        std::fs::create_dir_all(site.join("static/img"))?;
        std::fs::write(site.join("shared/logo.svg"), "<svg/>")?;
        std::os::unix::fs::symlink(site.join("shared/logo.svg"), site.join("static/logo.svg"))?;
        std::os::unix::fs::symlink("../../shared", site.join("static/img/shared"))?;
        let found: Vec<PathBuf> = walk_files(&site.join("static"))?
            .into_iter()
            .map(|(rel, _)| rel)
            .collect();
        assert_eq!(
            found,
            [Path::new("img/shared/logo.svg"), Path::new("logo.svg")]
        );
        Ok(())
    }

    /// Regression: following links made Emacs's lock file, a link to
    /// nothing named `.#x.md`, fail the walk.
    #[cfg(unix)]
    #[test]
    fn an_ignored_broken_link_is_still_ignored() -> anyhow::Result<()> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("site/content");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("notes.md"), "x")?;
        std::os::unix::fs::symlink("user@host.1234:1700000000", dir.join(".#notes.md"))?;
        let found: Vec<PathBuf> = walk_files(&dir)?.into_iter().map(|(rel, _)| rel).collect();
        assert_eq!(found, [Path::new("notes.md")]);
        // A broken link with an ordinary name is an error naming it.
        std::os::unix::fs::symlink("gone.md", dir.join("later.md"))?;
        let err = walk_files(&dir)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("content/later.md"), "{err}");
        Ok(())
    }

    /// Regression: a symlink in the site that led outside it was read and
    /// published.
    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_site_is_an_error_naming_it() -> anyhow::Result<()> {
        let tmp = tempfile::tempdir()?;
        let site = tmp.path().join("site");
        std::fs::create_dir_all(site.join("static"))?;
        std::fs::write(tmp.path().join("secret.txt"), "private")?;
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), site.join("static/notes.txt"))?;
        let err = walk_files(&site.join("static"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("static/notes.txt` is a symbolic link to"),
            "{err}"
        );
        assert!(err.contains("secret.txt"), "{err}");
        // A folder linked from outside is refused the same way.
        std::fs::remove_file(site.join("static/notes.txt"))?;
        std::os::unix::fs::symlink(tmp.path(), site.join("static/up"))?;
        assert!(walk_files(&site.join("static")).is_err());
        Ok(())
    }

    /// Regression: two names with invalid UTF-8 became the same name, and
    /// one file was dropped without a word.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_name_that_is_not_utf8_is_an_error_naming_its_folder() -> anyhow::Result<()> {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("static/img");
        std::fs::create_dir_all(&dir)?;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.jpg");
        std::fs::write(dir.join(name), "x")?;
        let err = walk_files(&tmp.path().join("static"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("static/img` holds a name that is not valid UTF-8"),
            "{err}"
        );
        Ok(())
    }
}
