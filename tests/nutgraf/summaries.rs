//! Summaries: an article without `description` gets one, the same plain
//! text in its meta description, JSON-LD, listings and feeds.

use scraper::{Html, Selector};

use crate::{Site, assert_valid_schema, fixtures, jsonld, nodes};

/// A bundle whose body opens with a figure, then a lede longer than a
/// summary, with markup, a footnote and an ampersand.
const TIDES: &str = "+++
title = \"How do tides make power?\"
date = 2024-03-02
+++

![A tidal barrage at low water](photo.png)
The barrage at low water on Oct. 3, 2023.
(Staff/Fixture)

Tidal **power** stations turn the rise & fall of the sea into electricity.[^1] A barrage holds back the water at high tide, then lets it run through [turbines](https://example.org/turbines) as the tide falls.

## Why is it predictable?

Because the moon keeps time.

[^1]: A footnote the summary leaves out.
";

/// The first paragraph of [`TIDES`] as plain text, cut at the last word
/// that fits in 160 characters with the ellipsis.
const TIDES_SUMMARY: &str = "Tidal power stations turn the rise & fall of the sea into electricity. A barrage holds back the water at high tide, then lets it run through turbines as the\u{2026}";

fn site() -> Site {
    let photo = std::fs::read(fixtures().join("check/content/b/photo.png"))
        .unwrap_or_else(|e| panic!("fixture photo: {e}"));
    Site::empty()
        .file("content/tides/index.md", TIDES)
        .file("content/tides/photo.png", photo)
        .file(
            "content/marker.md",
            "+++\ntitle = \"Marker\"\ndate = 2024-03-01\n+++\n\nThe first point.\n\nThe second point, with a [link](https://example.org).\n\n<!-- more -->\n\nEverything after the marker.\n",
        )
        .file(
            "content/dek.md",
            "+++\ntitle = \"Dek\"\ndate = 2024-02-29\ndescription = \"The dek, as written.\"\n+++\n\nA lede the dek stands in front of.\n",
        )
        .file(
            "content/blank.md",
            "+++\ntitle = \"Blank\"\ndate = 2024-02-28\ndescription = \"\"\n+++\n\nWhat `nutgraf new` leaves: an empty description.\n",
        )
}

/// The `content` of the `<meta>` elements matching `selector`.
fn meta(html: &str, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
    Html::parse_document(html)
        .select(&selector)
        .filter_map(|m| m.value().attr("content").map(String::from))
        .collect()
}

/// The text of every element matching `selector`.
fn texts(html: &str, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
    Html::parse_document(html)
        .select(&selector)
        .map(|e| e.text().collect())
        .collect()
}

#[test]
fn an_article_without_description_gets_its_first_paragraph_everywhere() {
    let site = site();
    site.build(&[]).success();
    let page = site.output("tides/index.html");
    for name in [
        "meta[name=description]",
        "meta[property=\"og:description\"]",
        "meta[name=\"twitter:description\"]",
    ] {
        assert_eq!(meta(&page, name), [TIDES_SUMMARY], "{name}");
    }
    let graph = jsonld(&page);
    assert_eq!(
        nodes(&graph, "NewsArticle")[0]["description"],
        TIDES_SUMMARY
    );
    assert_valid_schema("tides", &page);
    // The summary is not shown as a dek: the lede would be printed twice.
    assert_eq!(texts(&page, "p.dek"), Vec::<String>::new());

    let home = site.output("index.html");
    assert_eq!(
        texts(&home, ".story-dek"),
        [
            TIDES_SUMMARY,
            "The first point. The second point, with a link.",
            "The dek, as written.",
            "What nutgraf new leaves: an empty description.",
        ]
    );
    let feed = site.output("atom.xml");
    assert!(
        feed.contains(&format!(
            "<summary>{}</summary>",
            TIDES_SUMMARY.replace('&', "&amp;")
        )),
        "{feed}"
    );
}

#[test]
fn the_text_before_the_more_marker_is_the_summary() {
    let site = site();
    site.build(&[]).success();
    let page = site.output("marker/index.html");
    let summary = "The first point. The second point, with a link.";
    assert_eq!(meta(&page, "meta[name=description]"), [summary]);
    assert_eq!(
        nodes(&jsonld(&page), "NewsArticle")[0]["description"],
        summary
    );
    assert!(
        site.output("atom.xml")
            .contains(&format!("<summary>{summary}</summary>"))
    );
}

#[test]
fn an_explicit_description_wins_and_stays_the_dek() {
    let site = site();
    site.build(&[]).success();
    let page = site.output("dek/index.html");
    assert_eq!(
        meta(&page, "meta[name=description]"),
        ["The dek, as written."]
    );
    assert_eq!(texts(&page, "p.dek"), ["The dek, as written."]);
    assert_eq!(
        nodes(&jsonld(&page), "NewsArticle")[0]["description"],
        "The dek, as written."
    );
    assert!(
        site.output("atom.xml")
            .contains("<summary>The dek, as written.</summary>")
    );
    // A blank description is no description.
    let blank = site.output("blank/index.html");
    assert_eq!(
        meta(&blank, "meta[name=description]"),
        ["What nutgraf new leaves: an empty description."]
    );
}
