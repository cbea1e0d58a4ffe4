//! A plain blog, as a new user brings one from Zola or Hugo: posts in a
//! section, a few Q&A posts among them, diagrams and screenshots without
//! credits, an SVG, a bundle with a capitalised dotted folder name, aliases
//! without the leading `/`, e-mail links and raw-HTML anchors. It builds
//! cleanly, and `check` finds exactly the three problems planted in it:
//! a news photo without a credit, a missing anchor and a raw-HTML link to a
//! file that is not there.

use crate::{Site, jsonld, nodes};

fn built() -> (Site, crate::Run) {
    let site = Site::fixture("blog");
    let run = site.build(&[]).success();
    (site, run)
}

#[test]
fn the_blog_builds_with_only_the_planted_warning() {
    let (_site, run) = built();
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: photo has no credit\n --> content/posts/why-the-river-floods.md:14:1"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("0 errors, 1 warning"), "{}", run.stderr);
}

#[test]
fn check_finds_only_the_planted_problems() {
    let site = Site::fixture("blog");
    let run = site.nutgraf(&["check"]).failure(1);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        errors,
        [
            "error: photo has no credit",
            "error: anchor `#past-floods` does not exist on this page",
            "error: broken link `flood-map.pdf` in `<a href>`: no file or page at `/posts/why-the-river-floods/flood-map.pdf`",
        ],
        "{}",
        run.stderr
    );
    for place in [
        "content/posts/why-the-river-floods.md:14:1",
        "content/posts/why-the-river-floods.md:20:5",
        "content/posts/why-the-river-floods.md:21:9",
    ] {
        assert!(run.stderr.contains(place), "{place}: {}", run.stderr);
    }
    assert!(
        run.stderr.contains("check: 3 problems in 6 articles"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_crawl_of_the_blog_finds_only_the_planted_broken_file() {
    let (site, _) = built();
    let crawl = crate::bundles::crawl(&site.root.join("public"), "https://blog.example.org/");
    assert_eq!(
        crawl.broken,
        [
            "/posts/why-the-river-floods/: `flood-map.pdf` → /posts/why-the-river-floods/flood-map.pdf"
        ]
    );
    for path in [
        "/posts/release-2-1-0/report.html",
        "/posts/release-2-1-0/readings.csv",
        "/posts/release-2-1-0/chart.png",
        "/posts/release-2-1-0/chart@2x.png",
        "/img/flow.svg",
    ] {
        assert!(crawl.found.contains(path), "{path} not reached: {crawl:?}");
    }
}

#[test]
fn aliases_without_a_slash_redirect() {
    let (site, _) = built();
    let redirects = site.output("_redirects");
    assert!(redirects.contains("/2024/03/02/first-light.html /posts/first-light/ 301"));
    assert!(redirects.contains("/2024/05/20/firmware-2-1-0.html /posts/release-2-1-0/ 301"));
    let page = site.output("2024/03/02/first-light.html");
    assert!(
        page.contains("https://blog.example.org/posts/first-light/"),
        "{page}"
    );
}

/// Zola's dated file names: `2024-02-10-winter-readings.md` is dated that
/// day and published as `winter-readings`, so a Zola site keeps its URLs.
#[test]
fn a_dated_file_name_gives_the_date_and_the_slug() {
    let (site, _) = built();
    let html = site.output("posts/winter-readings/index.html");
    assert!(
        html.contains("datetime=\"2024-02-10T00:00:00+00:00\">February 10, 2024</time>"),
        "{html}"
    );
}

#[test]
fn only_the_qa_posts_are_faq_pages() {
    let (site, _) = built();
    let faq_questions = |rel: &str| {
        let html = site.output(rel);
        let graph = jsonld(&html);
        let menu = html.contains("class=\"questions\"");
        let questions = nodes(&graph, "FAQPage")
            .first()
            .and_then(|f| f["mainEntity"].as_array().map(Vec::len));
        (questions, menu)
    };
    assert_eq!(
        faq_questions("posts/river-levels-explained/index.html"),
        (Some(4), true)
    );
    assert_eq!(
        faq_questions("posts/why-the-river-floods/index.html"),
        (Some(2), true)
    );
    // "What's next?" closing a post does not make it an FAQ.
    assert_eq!(faq_questions("posts/first-light/index.html"), (None, false));
    assert_eq!(
        faq_questions("posts/release-2-1-0/index.html"),
        (None, false)
    );
    assert_eq!(
        faq_questions("posts/how-the-relay-works/index.html"),
        (None, false)
    );
}

#[test]
fn posts_without_a_description_get_a_summary() {
    let (site, _) = built();
    let html = site.output("posts/first-light/index.html");
    // The text before `<!-- more -->`: two paragraphs, as plain text.
    let summary = "The first gauge is bolted to the footbridge at Millbrook. It has sent a week of readings, and this post says what it measures.";
    assert!(
        html.contains(&format!(
            "<meta name=\"description\" content=\"{summary}\">"
        )),
        "{html}"
    );
    assert!(site.output("posts/index.html").contains(summary));
    assert!(site.output("atom.xml").contains(summary));
}

#[test]
fn the_sharing_image_is_never_the_svg() {
    let (site, _) = built();
    let html = site.output("posts/how-the-relay-works/index.html");
    assert!(html.contains("<meta property=\"og:image\" content=\"https://blog.example.org/img/settings-screen.png\">"), "{html}");
    // The SVG is measured from its viewBox and never resized.
    assert!(html.contains("<img src=\"/img/flow.svg\" alt=\"Boxes for the gauge, the radio relay and the website, joined by arrows\" width=\"640\" height=\"200\""), "{html}");
}

#[test]
fn smart_punctuation_off_keeps_flags_as_written() {
    let (site, _) = built();
    let html = site.output("posts/first-light/index.html");
    assert!(html.contains("Pass --dry-run to the"), "{html}");
}

#[test]
fn the_navigation_has_no_topics_link_without_tags() {
    let (site, _) = built();
    let html = site.output("index.html");
    assert!(
        html.contains("<a href=\"/posts/\">Posts</a> <a href=\"/atom.xml\">Feed</a></nav>"),
        "{html}"
    );
    assert!(!site.root.join("public/tags").exists());
}

/// The parts of a page a reader and a crawler see: the meta tags and the
/// main content (the stylesheet's hashed name is left out).
fn key_parts(html: &str) -> String {
    let meta: Vec<&str> = html
        .lines()
        .filter(|l| {
            l.starts_with("<meta name=\"description\"")
                || l.starts_with("<meta property=\"og:")
                || l.starts_with("<link rel=\"canonical\"")
        })
        .collect();
    let main = html
        .find("<main")
        .and_then(|s| html[s..].find("</main>").map(|e| &html[s..s + e + 7]))
        .unwrap_or_else(|| panic!("no <main>: {html}"));
    format!("{}\n\n{main}", meta.join("\n"))
}

#[test]
fn key_pages_snapshot() {
    let (site, _) = built();
    for (name, rel) in [
        (
            "blog_post_with_closing_question",
            "posts/first-light/index.html",
        ),
        ("blog_qa_post", "posts/river-levels-explained/index.html"),
        (
            "blog_diagrams_and_anchors",
            "posts/how-the-relay-works/index.html",
        ),
        ("blog_bundle", "posts/release-2-1-0/index.html"),
        ("blog_section", "posts/index.html"),
    ] {
        insta::assert_snapshot!(name, key_parts(&site.output(rel)));
    }
}
