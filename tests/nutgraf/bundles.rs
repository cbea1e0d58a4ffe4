//! Bundles: a bundle's files are published at its page's URL, so relative
//! Markdown links and raw HTML in the body keep working. The fixture
//! `bundles` is content laid out the way Zola and Hugo sites are.

use std::collections::BTreeSet;
use std::path::Path;

use scraper::{Html, Selector};
use url::Url;

use crate::Site;

/// What a crawl of a built site found.
#[derive(Debug, Default)]
pub(crate) struct Crawl {
    /// Local targets that resolved to a file, as site paths.
    pub(crate) found: BTreeSet<String>,
    /// `page: reference → site path` for every local target missing.
    pub(crate) broken: Vec<String>,
}

/// Parses every HTML file under `public` with a real HTML parser and
/// resolves each `src`, `href` and `srcset` candidate against the page's
/// own URL, as a browser would; references to other hosts are skipped.
pub(crate) fn crawl(public: &Path, base: &str) -> Crawl {
    let base = Url::parse(base).unwrap_or_else(|e| panic!("{base}: {e}"));
    let selector = Selector::parse("[src], [href], [srcset]").unwrap_or_else(|e| panic!("{e}"));
    let mut crawl = Crawl::default();
    for entry in walkdir::WalkDir::new(public) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(public)
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string_lossy()
            .replace('\\', "/");
        // `a/index.html` is served at `/a/`, other files at their path.
        let page_path = match rel.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{rel}"),
        };
        let page = base
            .join(&page_path)
            .unwrap_or_else(|e| panic!("{page_path}: {e}"));
        let html = std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{e}"));
        let doc = Html::parse_document(&html);
        for element in doc.select(&selector) {
            let el = element.value();
            let mut refs: Vec<&str> = ["src", "href"].iter().filter_map(|a| el.attr(a)).collect();
            if let Some(srcset) = el.attr("srcset") {
                // Each candidate is a URL, then an optional descriptor.
                refs.extend(
                    srcset
                        .split(',')
                        .filter_map(|c| c.split_whitespace().next()),
                );
            }
            for reference in refs {
                let Ok(target) = page.join(reference) else {
                    crawl
                        .broken
                        .push(format!("{page_path}: `{reference}` does not parse"));
                    continue;
                };
                if target.scheme() != base.scheme() || target.host() != base.host() {
                    continue;
                }
                let path = percent_encoding::percent_decode_str(target.path())
                    .decode_utf8_lossy()
                    .into_owned();
                let file = public.join(path.trim_start_matches('/'));
                let exists = if path.ends_with('/') {
                    file.join("index.html").is_file()
                } else {
                    file.is_file() || file.join("index.html").is_file()
                };
                if exists {
                    crawl.found.insert(path);
                } else {
                    crawl
                        .broken
                        .push(format!("{page_path}: `{reference}` → {path}"));
                }
            }
        }
    }
    crawl
}

fn built() -> Site {
    let site = Site::fixture("bundles");
    let run = site.build(&[]).success();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    site
}

/// Regression: `content/Release-2.60.0/index.md` was published at
/// `/release-2-60-0/` but its files were copied to `/Release-2.60.0/`, so
/// relative links and raw HTML in the body pointed at nothing.
#[test]
fn a_crawl_of_the_built_site_finds_no_broken_reference() {
    let site = built();
    let public = site.root.join("public");
    let crawl = crawl(&public, "https://bundles.example.org/");
    assert_eq!(crawl.broken, Vec::<String>::new(), "broken references");
    // The crawl did reach the bundles' files, through each kind of
    // reference: a Markdown link, a figure, raw `src`, `href` and
    // `srcset`, a link inside a bundle's own HTML file.
    for path in [
        "/some-folder-1-2/notes.html",
        "/some-folder-1-2/data/timings.csv",
        "/some-folder-1-2/chart.png",
        "/some-folder-1-2/diagram.png",
        "/some-folder-1-2/diagram-2x.png",
        "/news/some-post/photo.png",
        "/news/some-post/files/brief.txt",
        "/moved-here/map.png",
    ] {
        assert!(crawl.found.contains(path), "{path} not reached: {crawl:?}");
    }
    // Nothing is left at the folders' own names.
    assert!(!public.join("Some.Folder-1.2").exists());
    assert!(!public.join("news/Some.Post").exists());
    assert!(!public.join("Renamed.Bundle").exists());
    assert!(!public.join("renamed-bundle").exists());
}

#[test]
fn raw_html_in_a_bundle_keeps_its_markdown_inside() {
    let site = built();
    let html = Html::parse_document(&site.output("some-folder-1-2/index.html"));
    let select = |s: &str| Selector::parse(s).unwrap_or_else(|e| panic!("{e}"));
    // The fenced block inside `<details>` is highlighted code.
    assert_eq!(html.select(&select("details > pre.code")).count(), 1);
    // The figure's image is the bundle's file at the page's URL.
    let img = html
        .select(&select("figure img"))
        .next()
        .and_then(|i| i.value().attr("src"));
    assert_eq!(img, Some("/some-folder-1-2/chart.png"));
}

#[test]
fn check_finds_bundle_files_at_their_new_urls() {
    let site = Site::fixture("bundles");
    site.nutgraf(&["check"]).success();
    // And still reports a link to a file the bundle does not have.
    let site = site.file(
        "content/Some.Folder-1.2/index.md",
        "+++\ntitle = \"T\"\ndescription = \"D.\"\n+++\n\nThe [old notes](notes-old.html).\n",
    );
    site.nutgraf(&["check"])
        .failure(1)
        .says("broken link `notes-old.html`: no file or page at `/some-folder-1-2/notes-old.html`");
}

#[test]
fn a_bundle_file_where_the_page_is_written_is_an_error_naming_both() {
    let site = Site::empty()
        .file(
            "content/Old.Export/index.md",
            "+++\ntitle = \"Old export\"\n+++\n\nBody.\n",
        )
        .file("content/Old.Export/index.html", "<p>exported</p>\n");
    site.build(&[])
        .failure(1)
        .says("error: `content/Old.Export/index.html` would be published at `/old-export/index.html`, where the page of `content/Old.Export/index.md` is written\n --> content/Old.Export/index.html:1:1");
}

#[test]
fn two_files_published_at_one_path_are_an_error_naming_both() {
    // A plain folder keeps its name; a bundle with that slug takes it too.
    let site = Site::empty()
        .file(
            "content/Photos.2024/index.md",
            "+++\ntitle = \"Photos\"\nslug = \"img\"\n+++\n",
        )
        .file("content/Photos.2024/a.png", "one")
        .file("content/img/a.png", "two");
    site.build(&[]).failure(1).says(
        "`content/img/a.png` would be published at `/img/a.png`, like `content/Photos.2024/a.png`",
    );
}

#[test]
fn a_draft_bundle_publishes_its_files_only_with_drafts() {
    let site = Site::empty()
        .file(
            "content/Embargoed.Story/index.md",
            "+++\ntitle = \"Embargoed\"\ndraft = true\n+++\n\nThe [notes](notes.txt) are not public yet.\n",
        )
        .file("content/Embargoed.Story/notes.txt", "not yet public\n");
    site.build(&[]).success();
    let public = site.root.join("public");
    assert!(!public.join("embargoed-story").exists());
    assert!(!public.join("Embargoed.Story").exists());
    site.build(&["--drafts"]).success();
    assert_eq!(site.output("embargoed-story/notes.txt"), "not yet public\n");
}

#[cfg(feature = "serve")]
#[test]
fn serve_answers_bundle_files_at_the_page_url() {
    let site = Site::fixture("bundles");
    let serving = crate::start_serve(&site.root);
    let get = |path: &str| -> (u16, String) {
        let url = format!("http://127.0.0.1:{}{path}", serving.port);
        match ureq::get(&url).call() {
            Ok(mut r) => (
                r.status().as_u16(),
                r.body_mut().read_to_string().unwrap_or_default(),
            ),
            Err(ureq::Error::StatusCode(code)) => (code, String::new()),
            Err(e) => panic!("GET {url}: {e}"),
        }
    };
    let (code, body) = get("/some-folder-1-2/notes.html");
    assert_eq!(code, 200);
    assert!(body.contains("Release 1.2 notes"), "{body}");
    assert_eq!(get("/moved-here/map.png").0, 200);
    assert_eq!(get("/news/some-post/files/brief.txt").0, 200);
    assert_eq!(get("/Some.Folder-1.2/notes.html").0, 404);
}
