//! Image references: resolving `src` to a file and a site URL, and reading
//! intrinsic sizes from file headers or an SVG's root element (once per
//! file per build), with a finding that says what is wrong when that fails.

pub mod icon;
pub mod responsive;
pub mod sizes;
pub mod svg;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::config::Credits;
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
    sizes: Mutex<HashMap<PathBuf, Measured>>,
}

/// An image's intrinsic size, or why it is unknown.
pub type Measured = Result<(u32, u32), Unmeasured>;

/// Why an image's intrinsic size could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmeasured {
    /// No such file.
    Missing,
    /// The file has no bytes.
    Empty,
    /// The bytes are in no format nutgraf reads; what they look like
    /// instead, when that is recognisable ("an HTML page").
    NotAnImage(Option<&'static str>),
    /// The header ends, or breaks off, before the size.
    Truncated,
    /// An SVG whose size cannot be read from its root element.
    Svg(svg::Problem),
    /// The file could not be read (permissions, a folder…).
    Unreadable(String),
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
    /// A file reached through a symbolic link that leads out of the site
    /// is refused, as the walks of `content/` and `static/` refuse it.
    pub fn resolve(&self, page_dir: &Path, page_url: &str, src: &str) -> Result<ImageRef, Finding> {
        let found = self.locate(page_dir, page_url, src)?;
        if let ImageRef::Local { file, .. } = &found {
            if let Some(target) = crate::paths::escapes(&self.root, file) {
                return Err(Finding::new(format!(
                    "image `{}` is a symbolic link to `{}`, outside the site",
                    src.trim(),
                    target.display()
                ))
                .with_hint("nutgraf follows links only within the site: copy the image in, or point the link inside the site"));
            }
        }
        Ok(found)
    }

    fn locate(&self, page_dir: &Path, page_url: &str, src: &str) -> Result<ImageRef, Finding> {
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
            return Ok(self.site_path(&rel));
        }
        let page_rel = page_dir
            .strip_prefix(&self.content_dir)
            .unwrap_or(Path::new(""));
        let beside = normalize(&page_rel.join(&decoded)).map(|rel| ImageRef::Local {
            file: self.content_dir.join(&rel),
            url: self.content_url(&rel),
        });
        if matches!(&beside, Some(ImageRef::Local { file, .. }) if file.is_file()) {
            return beside.ok_or_else(|| escape_message(src));
        }
        // Not beside the article: read it as a browser would, against the
        // page's URL. Zola and Hugo posts written as `content/post.md` say
        // `../diagram.png` for the site's `/diagram.png`.
        let from_url = normalize(&Path::new(page_url.trim_start_matches('/')).join(&decoded))
            .map(|rel| self.site_path(&rel));
        match (beside, from_url) {
            (_, Some(ImageRef::Local { file, url })) if file.is_file() => {
                Ok(ImageRef::Local { file, url })
            }
            (Some(beside), _) => Ok(beside),
            (None, Some(r)) => Ok(r),
            (None, None) => Err(escape_message(src)),
        }
    }

    /// The image at a site path (relative, already normalised): a file in
    /// `static/`, else one published from `content/`; `static/` when
    /// neither exists, for the "not found" message.
    fn site_path(&self, rel: &Path) -> ImageRef {
        let in_static = self.static_dir.join(rel);
        if in_static.is_file() || !self.content_dir.join(rel).is_file() {
            ImageRef::Local {
                file: in_static,
                url: url_of(rel),
            }
        } else {
            ImageRef::Local {
                file: self.content_dir.join(rel),
                url: self.content_url(rel),
            }
        }
    }

    /// A file's path as shown to the user (relative to the site root).
    pub fn display(&self, file: &Path) -> PathBuf {
        crate::diagnostic::display_path(&self.root, file)
    }

    /// Width and height from the file's header (an SVG's from its root
    /// element), or why they are unknown. Each file is read once per build.
    pub fn size(&self, file: &Path) -> Measured {
        if let Some(known) = self.lock().get(file) {
            return known.clone();
        }
        // Read outside the lock; two workers may race to read the same
        // header, which is cheaper than serialising every read.
        let size = measure(file);
        self.lock().insert(file.to_path_buf(), size.clone());
        size
    }

    /// What to tell the user about an image whose size is unknown: `src`
    /// as written in the content, `file` where it was looked for.
    pub fn size_finding(&self, src: &str, file: &Path, why: &Unmeasured) -> Finding {
        let read_size = |what: &str| format!("cannot read the size of image `{src}`: {what}");
        let format = claimed_format(file);
        match why {
            Unmeasured::Missing => Finding::new(format!("image file not found: `{src}`"))
                .with_hint(format!(
                    "looked for `{}`; check the file name, or reference files in static/ as `/img/name.jpg`",
                    self.display(file).display()
                )),
            Unmeasured::Empty => Finding::new(format!("image `{src}` is an empty file"))
                .with_hint("the copy in the site has no bytes: save, export or download the image again"),
            Unmeasured::NotAnImage(looks_like) => {
                let what = match format {
                    Some(f) => format!("the file is not a {f} image, although its name says so"),
                    None => format!("`{}` files are not an image format nutgraf reads", extension(file)),
                };
                let hint = match (*looks_like, format) {
                    (Some(HTML), _) => "it holds an HTML page, often an error page saved in place of the image: download the image again".to_string(),
                    (Some(SVG), _) => "it holds an SVG drawing: give it the `.svg` extension".to_string(),
                    (Some(other), _) => format!("it holds {other}, not image data: export or download the image again"),
                    (None, Some(f)) => format!("its first bytes are not those of a {f} file: export or download it again as JPEG, PNG, GIF, WebP or AVIF"),
                    (None, None) => "export it as JPEG, PNG, GIF, WebP, AVIF or SVG".to_string(),
                };
                Finding::new(read_size(&what)).with_hint(hint)
            }
            Unmeasured::Truncated => Finding::new(read_size(&format!(
                "the {} file ends or breaks off before its size (it is truncated or damaged)",
                format.unwrap_or("image")
            )))
            .with_hint("the copy in the site is incomplete: export or download the image again"),
            Unmeasured::Unreadable(e) => Finding::new(format!("cannot read image `{src}`: {e}"))
                .with_hint("check that it is a file nutgraf may read (permissions), not a folder"),
            Unmeasured::Svg(problem) => svg_finding(src, problem),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Measured>> {
        self.sizes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a figure shows, which decides whether it needs a credit: a photo
/// does (unless the site says credits are optional), a diagram or a
/// screenshot never does. Written `{.diagram}` at the end of a body
/// figure, `kind = "diagram"` under `[lead]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Photo,
    Diagram,
    Screenshot,
}

impl Kind {
    /// Every kind's name, as written in content.
    pub const NAMES: &[&str] = &["photo", "diagram", "screenshot"];

    pub fn from_name(name: &str) -> Option<Kind> {
        match name {
            "photo" => Some(Kind::Photo),
            "diagram" => Some(Kind::Diagram),
            "screenshot" => Some(Kind::Screenshot),
            _ => None,
        }
    }

    /// The kind a figure says it is, else a diagram for an SVG (drawings
    /// are almost never news photos), else a photo.
    pub fn of(said: Option<Kind>, src: &str) -> Kind {
        said.unwrap_or(if is_vector(src) {
            Kind::Diagram
        } else {
            Kind::Photo
        })
    }

    pub fn needs_credit(self, credits: Credits) -> bool {
        self == Kind::Photo && credits == Credits::Required
    }

    /// The class its `<figure>` gets beside `figure`, for themes.
    pub fn class(self) -> Option<&'static str> {
        match self {
            Kind::Photo => None,
            Kind::Diagram => Some("diagram"),
            Kind::Screenshot => Some("screenshot"),
        }
    }
}

/// Whether an image is a vector drawing (SVG), by the extension of its file
/// or URL: vector images are never resized, never stand for the article in
/// sharing and search, and are diagrams unless their figure says otherwise.
pub fn is_vector(src: &str) -> bool {
    let path = src.split(['?', '#']).next().unwrap_or(src);
    Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

/// Reads the intrinsic size of `file`.
fn measure(file: &Path) -> Measured {
    if !file.is_file() {
        return Err(Unmeasured::Missing);
    }
    if is_vector(&file.to_string_lossy()) {
        let reader = std::fs::File::open(file)
            .map(std::io::BufReader::new)
            .map_err(|e| Unmeasured::Unreadable(e.to_string()))?;
        return svg::size(reader).map_err(|p| match p {
            svg::Problem::Io(e) => Unmeasured::Unreadable(e),
            svg::Problem::NoRoot if file.metadata().is_ok_and(|m| m.len() == 0) => {
                Unmeasured::Empty
            }
            p => Unmeasured::Svg(p),
        });
    }
    match imagesize::size(file) {
        Ok(s) => match (u32::try_from(s.width), u32::try_from(s.height)) {
            (Ok(w), Ok(h)) => Ok((w, h)),
            _ => Err(Unmeasured::Truncated),
        },
        Err(imagesize::ImageError::NotSupported) => Err(not_an_image(file)),
        Err(imagesize::ImageError::CorruptedImage) => Err(Unmeasured::Truncated),
        Err(imagesize::ImageError::IoError(e)) => match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                Err(if file.metadata().is_ok_and(|m| m.len() == 0) {
                    Unmeasured::Empty
                } else {
                    Unmeasured::Truncated
                })
            }
            _ => Err(Unmeasured::Unreadable(e.to_string())),
        },
    }
}

const HTML: &str = "an HTML page";
const SVG: &str = "an SVG drawing";

/// A file in no format nutgraf reads: empty, or what its first bytes look
/// like, when they look like something people save by mistake.
fn not_an_image(file: &Path) -> Unmeasured {
    use std::io::Read;
    let mut head = Vec::with_capacity(512);
    let read = std::fs::File::open(file).and_then(|f| f.take(512).read_to_end(&mut head));
    if read.is_ok() && head.is_empty() {
        return Unmeasured::Empty;
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let looks_like = if text.starts_with("<!doctype html") || text.contains("<html") {
        Some(HTML)
    } else if text.contains("<svg") {
        Some(SVG)
    } else if std::str::from_utf8(&head).is_ok() && !head.contains(&0) {
        Some("text")
    } else {
        None
    };
    Unmeasured::NotAnImage(looks_like)
}

/// The format a file's extension claims, in the words people use.
fn claimed_format(file: &Path) -> Option<&'static str> {
    let ext = file.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jpe" | "jfif" => "JPEG",
        "png" => "PNG",
        "gif" => "GIF",
        "webp" => "WebP",
        "avif" => "AVIF",
        "heic" | "heif" => "HEIF",
        "jxl" => "JPEG XL",
        "bmp" => "BMP",
        "tif" | "tiff" => "TIFF",
        _ => return None,
    })
}

/// `.ext` of a file, or the file name when it has none.
fn extension(file: &Path) -> String {
    match file.extension() {
        Some(e) => format!(".{}", e.to_string_lossy()),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// What to tell the user about an SVG whose size cannot be read.
fn svg_finding(src: &str, problem: &svg::Problem) -> Finding {
    match problem {
        svg::Problem::NoSize(why) => Finding::new(format!("SVG `{src}` has no size: {why}"))
            .with_hint("give its `<svg>` element `width` and `height` in px (`width=\"800\" height=\"450\"`) or a `viewBox` (`viewBox=\"0 0 800 450\"`), so the page can reserve its space"),
        svg::Problem::NotXml(e) => Finding::new(format!(
            "cannot read the size of SVG `{src}`: it is not well-formed XML ({e})"
        ))
        .with_hint("open it in a text editor to repair it, or export it again from the drawing tool"),
        svg::Problem::NotSvg(root) => Finding::new(format!(
            "`{src}` is not an SVG drawing: its root element is `<{root}>`, not `<svg>`"
        ))
        .with_hint(if root == "html" {
            "it holds an HTML page, often an error page saved in place of the drawing: download the drawing again"
        } else {
            "export the drawing as SVG again"
        }),
        svg::Problem::NoRoot => Finding::new(format!("SVG `{src}` has no `<svg>` element"))
            .with_hint("export the drawing as SVG again"),
        svg::Problem::Io(e) => Finding::new(format!("cannot read image `{src}`: {e}"))
            .with_hint("check that it is a file nutgraf may read (permissions)"),
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
        let r = images().resolve(
            Path::new("/site/content/why-now"),
            "/page/",
            "launch photo.jpg",
        );
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
            images.resolve(
                Path::new("/site/content/Release-2.60.0"),
                "/page/",
                "shot 1.png"
            ),
            Ok(ImageRef::Local {
                file: PathBuf::from("/site/content/Release-2.60.0/shot 1.png"),
                url: "/release-2-60-0/shot%201.png".into()
            })
        );
    }

    #[test]
    fn absolute_sources_resolve_in_static() {
        let r = images().resolve(Path::new("/site/content/a"), "/page/", "/img/x.jpg");
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
                .resolve(Path::new("/site/content/a"), "/page/", "../../etc/passwd")
                .is_err()
        );
        assert!(
            images()
                .resolve(Path::new("/site/content/a"), "/page/", "/../secret.jpg")
                .is_err()
        );
        assert!(
            images()
                .resolve(Path::new("/site/content/a"), "/page/", "../b/x.jpg")
                .is_ok()
        );
    }

    /// Regression: a symlinked image that led outside the site was read
    /// and published.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_image_outside_the_site_is_refused() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let site = tmp.path().join("site");
        let content = site.join("content");
        std::fs::create_dir_all(&content).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(tmp.path().join("private.png"), PNG_HEAD).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(site.join("inside.png"), PNG_HEAD).unwrap_or_else(|e| panic!("{e}"));
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, content.join(name)).unwrap_or_else(|e| panic!("{e}"))
        };
        link(&tmp.path().join("private.png"), "out.png");
        link(&site.join("inside.png"), "in.png");
        let images = Images::new(&site);
        let err = images
            .resolve(&content, "/", "out.png")
            .err()
            .map(|f| f.message)
            .unwrap_or_default();
        assert!(
            err.starts_with("image `out.png` is a symbolic link to `"),
            "{err}"
        );
        assert!(err.ends_with("private.png`, outside the site"), "{err}");
        assert!(matches!(
            images.resolve(&content, "/", "in.png"),
            Ok(ImageRef::Local { .. })
        ));
    }

    #[test]
    fn a_relative_image_not_beside_the_article_resolves_against_its_url() {
        // Found on a Zola blog: `content/2018-10-28-newsletter-14.md`
        // (at `/2018-10-28-newsletter-14/`) shows `../screenshot.png`,
        // the site's `/screenshot.png` in static/, and was refused as
        // pointing outside the site.
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |rel: &str| {
            let path = tmp.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(tmp.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, PNG_HEAD).unwrap_or_else(|e| panic!("{e}"));
        };
        write("static/screenshot.png");
        write("content/beside.png");
        let images = Images::new(tmp.path());
        let content = tmp.path().join("content");
        let url_of_ref = |src: &str| match images.resolve(&content, "/newsletter-14/", src) {
            Ok(ImageRef::Local { file, url }) => (url, file.is_file()),
            other => panic!("{src}: {other:?}"),
        };
        assert_eq!(
            url_of_ref("../screenshot.png"),
            ("/screenshot.png".to_string(), true)
        );
        // A file beside the article still wins.
        assert_eq!(url_of_ref("beside.png"), ("/beside.png".to_string(), true));
        // Missing either way: reported where it was looked for beside the
        // article, as before.
        assert_eq!(url_of_ref("gone.png"), ("/gone.png".to_string(), false));
        // Above the site root from both places: refused.
        assert!(
            images
                .resolve(&content, "/newsletter-14/", "../../x.png")
                .is_err()
        );
    }

    /// A temporary site with `files` in its content folder.
    fn site_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Images) {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (name, bytes) in files {
            let path = tmp.path().join("content").join(name);
            std::fs::create_dir_all(path.parent().unwrap_or(tmp.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        let images = Images::new(tmp.path());
        (tmp, images)
    }

    /// The size of content file `name`, and the finding when it is unknown.
    fn measured(images: &Images, name: &str) -> Result<(u32, u32), Finding> {
        let file = images.content_dir.join(name);
        images
            .size(&file)
            .map_err(|why| images.size_finding(name, &file, &why))
    }

    /// The first 33 bytes of a 4 × 3 PNG: signature and header chunk.
    const PNG_HEAD: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x04\0\0\0\x03\x08\x02\0\0\0\x12\x34\x56\x78";

    #[test]
    fn svg_sizes_come_from_the_root_element() {
        let (_tmp, images) = site_with(&[
            (
                "flow.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 360\"/>",
            ),
            ("map.SVG", b"<svg width=\"300px\" height=\"200\"/>"),
        ]);
        assert_eq!(measured(&images, "flow.svg"), Ok((640, 360)));
        assert_eq!(measured(&images, "map.SVG"), Ok((300, 200)));
    }

    /// Regression: an SVG was "not a supported image file", and the hint
    /// said to check its name.
    #[test]
    fn an_svg_without_a_size_says_so_and_how_to_fix_it() {
        let (_tmp, images) =
            site_with(&[("flow.svg", b"<svg width=\"100%\"><path d=\"M0 0\"/></svg>")]);
        let Err(f) = measured(&images, "flow.svg") else {
            panic!("measured an SVG without a size");
        };
        assert_eq!(
            f.message,
            "SVG `flow.svg` has no size: `width=\"100%\"` is relative, `height` is missing and `viewBox` is missing"
        );
        let hint = f.hint.unwrap_or_default();
        assert!(
            hint.contains("`width` and `height` in px") && hint.contains("`viewBox`"),
            "{hint}"
        );
        assert!(!hint.contains("file name"), "{hint}");
    }

    #[test]
    fn svg_that_is_not_one_says_what_it_is() {
        let (_tmp, images) = site_with(&[
            (
                "page.svg",
                b"<!DOCTYPE html>\n<html><body>404</body></html>",
            ),
            ("broken.svg", b"<svg width=\"1\" height=2/>"),
        ]);
        let f = measured(&images, "page.svg")
            .err()
            .unwrap_or_else(|| panic!("measured"));
        assert_eq!(
            f.message,
            "`page.svg` is not an SVG drawing: its root element is `<html>`, not `<svg>`"
        );
        assert!(f.hint.unwrap_or_default().contains("HTML page"));
        let f = measured(&images, "broken.svg")
            .err()
            .unwrap_or_else(|| panic!("measured"));
        assert!(
            f.message.starts_with(
                "cannot read the size of SVG `broken.svg`: it is not well-formed XML ("
            ),
            "{}",
            f.message
        );
    }

    #[test]
    fn raster_files_that_cannot_be_measured_say_why() {
        let (_tmp, images) = site_with(&[
            ("cut.png", &PNG_HEAD[..20]),
            (
                "page.jpg",
                b"<!doctype html><html><head><title>Error</title>",
            ),
            ("notes.png", b"photo to come"),
            ("blob.webp", b"\0\x01\x02\x03 binary junk \xff\xfe"),
            ("empty.gif", b""),
            ("scan.raw", b"\0\x10\x20 raw sensor data"),
            ("drawing.png", b"<svg width=\"1\" height=\"1\"/>"),
        ]);
        let finding = |name| {
            measured(&images, name)
                .err()
                .unwrap_or_else(|| panic!("measured {name}"))
        };
        let cut = finding("cut.png");
        assert_eq!(
            cut.message,
            "cannot read the size of image `cut.png`: the PNG file ends or breaks off before its size (it is truncated or damaged)"
        );
        let page = finding("page.jpg");
        assert_eq!(
            page.message,
            "cannot read the size of image `page.jpg`: the file is not a JPEG image, although its name says so"
        );
        assert!(
            page.hint
                .unwrap_or_default()
                .starts_with("it holds an HTML page")
        );
        assert!(
            finding("notes.png")
                .hint
                .unwrap_or_default()
                .starts_with("it holds text")
        );
        let blob = finding("blob.webp");
        assert!(
            blob.message
                .ends_with("the file is not a WebP image, although its name says so")
        );
        assert!(
            blob.hint
                .unwrap_or_default()
                .starts_with("its first bytes are not those of a WebP file")
        );
        assert_eq!(
            finding("empty.gif").message,
            "image `empty.gif` is an empty file"
        );
        assert_eq!(
            finding("scan.raw").message,
            "cannot read the size of image `scan.raw`: `.raw` files are not an image format nutgraf reads"
        );
        assert!(
            finding("drawing.png")
                .hint
                .unwrap_or_default()
                .contains("give it the `.svg` extension")
        );
        let missing = finding("gone.jpg");
        assert_eq!(missing.message, "image file not found: `gone.jpg`");
        assert!(
            missing
                .hint
                .unwrap_or_default()
                .contains("check the file name")
        );
    }

    #[test]
    fn a_png_header_is_enough() {
        let (_tmp, images) = site_with(&[("ok.png", PNG_HEAD)]);
        assert_eq!(measured(&images, "ok.png"), Ok((4, 3)));
    }

    #[test]
    fn only_photos_need_credits_and_only_when_the_site_requires_them() {
        let photo = Kind::of(None, "quay.jpg");
        assert_eq!(photo, Kind::Photo);
        assert!(photo.needs_credit(Credits::Required));
        assert!(!photo.needs_credit(Credits::Optional));
        for kind in [Kind::Diagram, Kind::Screenshot] {
            assert!(!kind.needs_credit(Credits::Required), "{kind:?}");
        }
    }

    #[test]
    fn an_svg_is_a_diagram_unless_its_figure_says_otherwise() {
        assert_eq!(Kind::of(None, "/a/flow.svg"), Kind::Diagram);
        assert_eq!(Kind::of(Some(Kind::Photo), "/a/flow.svg"), Kind::Photo);
        assert_eq!(
            Kind::of(Some(Kind::Screenshot), "app.png"),
            Kind::Screenshot
        );
        for name in Kind::NAMES {
            assert!(Kind::from_name(name).is_some(), "{name}");
        }
        assert_eq!(Kind::from_name("Diagram"), None);
    }

    #[test]
    fn vector_images_are_known_by_their_extension() {
        assert!(is_vector("/a/flow.svg"));
        assert!(is_vector("https://e.org/Flow.SVG?v=2#x"));
        assert!(!is_vector("/a/photo.jpg"));
        assert!(!is_vector("/a/svg"));
    }

    #[test]
    fn slots_and_external() {
        assert_eq!(
            images().resolve(Path::new("/"), "/page/", "slot:aerial"),
            Ok(ImageRef::Slot("aerial".into()))
        );
        assert!(matches!(
            images().resolve(Path::new("/"), "/page/", "https://e.org/x.jpg"),
            Ok(ImageRef::External(_))
        ));
    }
}
