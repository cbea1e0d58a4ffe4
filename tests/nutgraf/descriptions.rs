//! Every HTML page has a meta description: its own, else the site's, else
//! a sentence made from the site's title and the page's kind.

use crate::{EMPTY_CONFIG, Site};

/// The `content` of the page's `<meta name="description">`, if any.
fn description(html: &str) -> Option<String> {
    let start = html.find("<meta name=\"description\" content=\"")?;
    let rest = &html[start + "<meta name=\"description\" content=\"".len()..];
    rest.find('"').map(|end| rest[..end].to_string())
}

fn site(config: &str) -> Site {
    Site::empty()
        .file("nutgraf.toml", config)
        .file(
            "content/why-now.md",
            "+++\ntitle = \"Why now?\"\ndate = 2026-01-01\ntags = [\"North Korea\"]\naliases = [\"/old/\"]\n+++\n",
        )
        .file("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n")
        .file(
            "content/guides/how.md",
            "+++\ntitle = \"How?\"\ndate = 2026-01-02\n+++\n\nIt works like this.\n",
        )
        .file(
            "content/notes/_index.md",
            "+++\ntitle = \"Notes\"\ndescription = \"Short notes on the news.\"\n+++\n",
        )
        .file(
            "content/notes/one.md",
            "+++\ntitle = \"One\"\ndate = 2026-01-03\n+++\n\nA note.\n",
        )
}

#[test]
fn pages_without_a_description_get_one_from_the_site_title_and_their_kind() {
    let site = site(EMPTY_CONFIG);
    site.build(&[]).success();
    let root = site.root.join("public");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        if entry.path().extension().is_some_and(|e| e == "html") {
            pages += 1;
            let html = std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{e}"));
            let text = description(&html);
            assert!(
                text.as_deref().is_some_and(|t| !t.trim().is_empty()),
                "{}: {text:?}",
                entry.path().display()
            );
        }
    }
    assert!(pages >= 9, "{pages} pages");
    let of = |path: &str| {
        let html =
            std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        description(&html).unwrap_or_default()
    };
    assert_eq!(
        of("index.html"),
        "Explainers from Test site: the questions behind the news, answered one at a time."
    );
    assert_eq!(
        of("guides/index.html"),
        "Guides: explainers from Test site."
    );
    assert_eq!(
        of("notes/index.html"),
        "Short notes on the news.",
        "its own first"
    );
    assert_eq!(
        of("tags/north-korea/index.html"),
        "Explainers tagged “North Korea” from Test site."
    );
    assert_eq!(
        of("why-now/index.html"),
        "Why now?: an explainer from Test site."
    );
    assert_eq!(
        of("guides/how/index.html"),
        "It works like this.",
        "the summary first"
    );
    assert_eq!(
        of("search/index.html"),
        "Search the explainers of Test site."
    );
    assert_eq!(
        of("404.html"),
        "This page is not on Test site; its front page lists every explainer."
    );
    assert_eq!(
        of("old/index.html"),
        "This page has moved to https://test.example.org/why-now/."
    );

    // A site description comes before the sentences.
    site.write(
        "nutgraf.toml",
        &format!("{EMPTY_CONFIG}description = \"Plain answers to the news.\"\n"),
    );
    site.build(&[]).success();
    assert_eq!(of("index.html"), "Plain answers to the news.");
    assert_eq!(of("guides/index.html"), "Plain answers to the news.");
    assert_eq!(of("why-now/index.html"), "Plain answers to the news.");
    assert_eq!(of("notes/index.html"), "Short notes on the news.");
}

/// `check` warns, without failing, when the site has no description.
#[test]
fn check_warns_when_the_site_has_no_description() {
    let site = site(EMPTY_CONFIG);
    let run = site.nutgraf(&["check"]).success();
    assert!(
        run.stderr.contains(
            "warning: the site has no `description`\n --> nutgraf.toml:1:1\n  = help: add `description = \"…\"`"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("check: 0 problems"), "{}", run.stderr);
    let site = site.file(
        "nutgraf.toml",
        format!("{EMPTY_CONFIG}description = \"Plain answers to the news.\"\n"),
    );
    let run = site.nutgraf(&["check"]).success();
    assert!(!run.stderr.contains("description"), "{}", run.stderr);
}

/// The 404 page carries no `noindex` (hosts send it with status 404, and
/// Lighthouse fails a noindexed page's SEO), and the sitemap leaves it out.
#[test]
fn the_404_page_is_not_noindexed_nor_in_the_sitemap() {
    let site = site(EMPTY_CONFIG);
    site.build(&[]).success();
    let page = site.output("404.html");
    assert!(page.contains("<title>"), "{page}");
    assert!(!page.contains("noindex"), "{page}");
    assert!(!site.output("sitemap.xml").contains("404"));
    // Search results pages stay out of search engines.
    assert!(
        site.output("search/index.html")
            .contains("<meta name=\"robots\" content=\"noindex\">")
    );
}
