//! Where the files beside the articles are published: a bundle's files at
//! its page's URL and a section's at the section's, so that relative links
//! and raw HTML in a body find them (as in Zola and Hugo). Files in other
//! folders keep their path.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Position, display_path};
use crate::paths::slash;

/// A file under `content/` that is not Markdown, and where it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFile {
    /// Relative to `content/`.
    pub source: PathBuf,
    /// Relative to the output root, `/`-separated: `news/some-post/photo.jpg`.
    pub dest: String,
}

/// The folders of `content/` whose files are published somewhere other
/// than their own path: bundles and sections.
#[derive(Debug, Default)]
pub struct Folders {
    /// Folder relative to `content/`, `/`-separated → where it goes.
    places: FxHashMap<String, Place>,
}

#[derive(Debug)]
struct Place {
    /// Output folder without leading or trailing slash: `news/some-post`.
    dir: String,
    /// False for a draft's bundle: its photos stay unpublished with it.
    published: bool,
    /// The published translations in the same folder (`index.ko.md`)
    /// are pages of their own: the files are published beside each of
    /// them too, so their relative links find them.
    also: Vec<String>,
}

impl Folders {
    /// Files in `folder` (relative to `content/`) are published under the
    /// site path `url` (`/news/some-post/`), or not at all.
    pub fn insert(&mut self, folder: &Path, url: &str, published: bool) {
        self.places.insert(
            slash(folder),
            Place {
                dir: url.trim_matches('/').to_string(),
                published,
                also: Vec::new(),
            },
        );
    }

    /// A translation's bundle in `folder`, which the original's
    /// [`Folders::insert`] placed: its files are published at `url` too.
    /// A translation without its original takes the folder itself.
    pub fn insert_translation(&mut self, folder: &Path, url: &str, published: bool) {
        match self.places.get_mut(&slash(folder)) {
            Some(place) => {
                if published {
                    place.also.push(url.trim_matches('/').to_string());
                }
            }
            None => self.insert(folder, url, published),
        }
    }

    /// Where else `rel` is published: beside its bundle's translations.
    pub fn also(&self, rel: &Path) -> Vec<String> {
        let rel = slash(rel);
        match self.place_of(&rel) {
            Some((place, rest)) => place
                .also
                .iter()
                .map(|dir| format!("{dir}/{rest}"))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Where the file `rel` (relative to `content/`) is published, relative
    /// to the output root and `/`-separated. The nearest folder above it
    /// that is a bundle or a section decides; below it, names are kept, so
    /// `Some.Post/img/a.png` goes to `some-post/img/a.png` and the page's
    /// relative `img/a.png` still finds it.
    pub fn dest(&self, rel: &Path) -> String {
        let rel = slash(rel);
        match self.place_of(&rel) {
            Some((place, rest)) if place.dir.is_empty() => rest.to_string(),
            Some((place, rest)) => format!("{}/{rest}", place.dir),
            None => rel,
        }
    }

    /// Whether the file `rel` is published (it is not in a draft's bundle).
    pub fn is_published(&self, rel: &Path) -> bool {
        self.place_of(&slash(rel)).is_none_or(|(p, _)| p.published)
    }

    /// The nearest folder above `rel` with a place, and the rest of the
    /// path below that folder.
    fn place_of<'r>(&self, rel: &'r str) -> Option<(&Place, &'r str)> {
        let mut end = rel.len();
        while let Some(i) = rel[..end].rfind('/') {
            end = i;
            if let Some(place) = self.places.get(&rel[..end]) {
                return Some((place, &rel[end + 1..]));
            }
        }
        None
    }
}

/// What writes a page's `index.html`, for reporting a file in its way.
pub(super) struct Claim<'a> {
    /// The output file: `news/index.html`.
    pub file: String,
    /// The `index.md` or `_index.md` as shown to the user, or `None` for
    /// the home page without one.
    pub source: Option<&'a Path>,
}

/// Every output path has one owner: a file published where a page or
/// listing is written, or where another file is, is an error naming both
/// (instead of one silently overwriting the other).
pub(super) fn check_claims(
    root: &Path,
    content_dir: &Path,
    pages: &[Claim],
    files: &[ContentFile],
    diags: &Diagnostics,
) {
    let mut claimed: FxHashMap<&str, Result<Option<&Path>, &Path>> = FxHashMap::default();
    claimed.reserve(pages.len() + files.len());
    for page in pages {
        claimed.insert(&page.file, Ok(page.source));
    }
    for file in files {
        let other = match claimed.get(file.dest.as_str()) {
            None => {
                claimed.insert(&file.dest, Err(&file.source));
                continue;
            }
            Some(other) => *other,
        };
        let display = display_path(root, &content_dir.join(&file.source));
        let at = format!(
            "`{}` would be published at `/{}`",
            display.display(),
            file.dest
        );
        let (message, hint) = match other {
            Ok(Some(page)) => (
                format!("{at}, where the page of `{}` is written", page.display()),
                "rename or move the file: a bundle's files are published beside its page, at the page's URL",
            ),
            Ok(None) => (
                format!("{at}, where the home page is written"),
                "rename or move the file",
            ),
            Err(first) => (
                format!(
                    "{at}, like `{}`",
                    display_path(root, &content_dir.join(first)).display()
                ),
                "rename one of them, or give the bundle a different `slug`",
            ),
        };
        diags.push(Diagnostic::error(&display, Position::START, message).with_hint(hint));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders() -> Folders {
        let mut f = Folders::default();
        f.insert(Path::new("Some.Folder-1.2"), "/some-folder-1-2/", true);
        f.insert(Path::new("News.Items"), "/news-items/", true);
        f.insert(
            Path::new("News.Items/Some.Post"),
            "/news-items/some-post/",
            true,
        );
        f.insert(Path::new("Renamed"), "/moved-here/", true);
        f.insert(Path::new("Draft.Story"), "/draft-story/", false);
        f
    }

    #[test]
    fn bundle_files_go_to_the_page_url() {
        let f = folders();
        assert_eq!(
            f.dest(Path::new("Some.Folder-1.2/notes.html")),
            "some-folder-1-2/notes.html"
        );
        // A slug moves the files with the page.
        assert_eq!(f.dest(Path::new("Renamed/map.png")), "moved-here/map.png");
        // Nested: the bundle's own URL, not its folders' names.
        assert_eq!(
            f.dest(Path::new("News.Items/Some.Post/photo.png")),
            "news-items/some-post/photo.png"
        );
        // A section's files go to the section's URL.
        assert_eq!(
            f.dest(Path::new("News.Items/chart.png")),
            "news-items/chart.png"
        );
    }

    #[test]
    fn names_below_a_bundle_are_kept() {
        // The page links `Data Files/t.csv`: only the bundle's folder moves.
        assert_eq!(
            folders().dest(Path::new("Some.Folder-1.2/Data Files/t.csv")),
            "some-folder-1-2/Data Files/t.csv"
        );
    }

    #[test]
    fn other_folders_keep_their_path() {
        let f = folders();
        assert_eq!(f.dest(Path::new("img/Logo.Big.png")), "img/Logo.Big.png");
        assert_eq!(f.dest(Path::new("favicon.ico")), "favicon.ico");
        // A folder whose name only starts like a bundle's is not in it.
        assert_eq!(
            f.dest(Path::new("Some.Folder-1.2-old/a.png")),
            "Some.Folder-1.2-old/a.png"
        );
    }

    #[test]
    fn a_drafts_files_are_not_published() {
        let f = folders();
        assert!(!f.is_published(Path::new("Draft.Story/photo.jpg")));
        assert!(!f.is_published(Path::new("Draft.Story/sub/photo.jpg")));
        assert!(f.is_published(Path::new("Renamed/map.png")));
        assert!(f.is_published(Path::new("img/x.png")));
        // Its URL is known all the same, for `--drafts`.
        assert_eq!(
            f.dest(Path::new("Draft.Story/photo.jpg")),
            "draft-story/photo.jpg"
        );
    }

    #[test]
    fn files_in_the_way_of_a_page_or_each_other_are_errors() {
        let root = Path::new("/site");
        let content = root.join("content");
        let index = PathBuf::from("content/A.B/index.md");
        let pages = [
            Claim {
                file: "a-b/index.html".into(),
                source: Some(&index),
            },
            Claim {
                file: "index.html".into(),
                source: None,
            },
        ];
        let file = |source: &str, dest: &str| ContentFile {
            source: source.into(),
            dest: dest.into(),
        };
        let files = [
            file("A.B/index.html", "a-b/index.html"),
            file("A.B/x.png", "a-b/x.png"),
            file("a-b/x.png", "a-b/x.png"),
            file("index.html", "index.html"),
            file("A.B/y.png", "a-b/y.png"),
        ];
        let diags = Diagnostics::default();
        check_claims(root, &content, &pages, &files, &diags);
        let messages: Vec<String> = diags.into_sorted().into_iter().map(|d| d.message).collect();
        assert_eq!(
            messages,
            [
                "`content/A.B/index.html` would be published at `/a-b/index.html`, where the page of `content/A.B/index.md` is written",
                "`content/a-b/x.png` would be published at `/a-b/x.png`, like `content/A.B/x.png`",
                "`content/index.html` would be published at `/index.html`, where the home page is written",
            ]
        );
    }
}
