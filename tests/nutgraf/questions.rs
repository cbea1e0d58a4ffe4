//! Question headings, ids, the FAQ schema and its escaping.

use crate::{Site, assert_valid_schema, jsonld, nodes};

fn built() -> (Site, String) {
    let site = Site::fixture("questions");
    site.build(&[]).success();
    let html = site.output("faq/index.html");
    (site, html)
}

#[test]
fn question_page_snapshot() {
    let (_site, html) = built();
    insta::assert_snapshot!(html);
}

#[test]
fn question_ids_are_deduplicated() {
    let (_site, html) = built();
    assert!(html.contains("<h2 id=\"why-now\" class=\"question\">"));
    assert!(html.contains("<h2 id=\"why-now-1\" class=\"question\">"));
    assert!(html.contains(
        "<!-- questions: why-now=Why now?; why-now-1=Why now?; is-this-one-for-the-faq=Is this one for the FAQ?; what-about-code-in-a-question=What about code in a question?; -->"
    ));
}

#[test]
fn not_faq_questions_are_left_out_of_the_faq() {
    let (_site, html) = built();
    let graph = jsonld(&html);
    let faq = &nodes(&graph, "FAQPage")[0];
    let names: Vec<&str> = faq["mainEntity"]
        .as_array()
        .map(|qs| qs.iter().filter_map(|q| q["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["Why now?", "Why now?", "What about code in a question?"]
    );
    // Still a question in the menu, with the opt-out class kept.
    assert!(html.contains("<h2 id=\"is-this-one-for-the-faq\" class=\"question not-faq\">"));
}

#[test]
fn faq_answers_exclude_figures_code_and_tables() {
    let (_site, html) = built();
    let graph = jsonld(&html);
    let faq = &nodes(&graph, "FAQPage")[0];
    let first = faq["mainEntity"][0]["acceptedAnswer"]["text"]
        .as_str()
        .unwrap_or("");
    assert_eq!(
        first,
        "<p>Because the <em>tide</em> turned. See <a href=\"https://fixture.example.org/maps/\">the map</a> and <a href=\"https://fixture.example.org/faq/#why-now-1\">below</a>.</p>"
    );
    for answer in faq["mainEntity"].as_array().into_iter().flatten() {
        let text = answer["acceptedAnswer"]["text"].as_str().unwrap_or("");
        for banned in [
            "<figure",
            "<img",
            "figcaption",
            "<pre",
            "<table",
            "<sup",
            "<code",
            "<blockquote",
        ] {
            assert!(!text.contains(banned), "answer contains {banned}: {text}");
        }
    }
    // The blockquote's text survives without the tag.
    assert_eq!(
        faq["mainEntity"][2]["acceptedAnswer"]["text"],
        "<p>Quoted answer with a <a href=\"https://example.org\">link</a>.</p>"
    );
}

#[test]
fn jsonld_escapes_script_end_tags() {
    let (_site, html) = built();
    let start = html
        .find("<script type=\"application/ld+json\">")
        .unwrap_or(0);
    let script = &html[start..];
    let body = &script[..script.find("</script>").unwrap_or(0)];
    assert!(
        body.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"),
        "{body}"
    );
    let graph = jsonld(&html);
    let image = &nodes(&graph, "ImageObject")[0];
    assert_eq!(
        image["caption"],
        "A caption that says </script><script>alert(1)</script> and more."
    );
}

#[test]
fn faq_can_be_turned_off_per_article() {
    let site = Site::fixture("questions");
    let md = std::fs::read_to_string(site.root.join("content/faq/index.md")).unwrap_or_default();
    let site = site.file(
        "content/faq/index.md",
        md.replacen("date = 2024-01-02", "date = 2024-01-02\nfaq = false", 1),
    );
    site.build(&[]).success();
    let graph = jsonld(&site.output("faq/index.html"));
    assert!(nodes(&graph, "FAQPage").is_empty());
}

#[test]
fn question_page_schema_is_valid() {
    let (_site, html) = built();
    assert_valid_schema("faq", &html);
}

/// A blog post with sections and one closing question.
const ANNOUNCEMENT: &str = "+++\ntitle = \"Version 3 is out\"\n+++\n\nThe third release of the river gauge firmware is ready.\n\n## What changed\n\nThe sampling loop now sleeps between readings.\n\n## Upgrading\n\nFlash the new image over the old one.\n\n## What's next?\n\nA battery monitor, if the spring floods allow.\n";

/// Regression: any `##` heading ending in `?` made a question, so blog
/// posts whose only question was a closing "What's next?" got FAQPage
/// markup and a one-item "In this explainer" box.
#[test]
fn a_post_with_one_closing_question_is_not_an_faq() {
    let site = Site::empty().file("content/release.md", ANNOUNCEMENT);
    site.build(&[]).success();
    let html = site.output("release/index.html");
    let graph = jsonld(&html);
    assert!(nodes(&graph, "FAQPage").is_empty(), "{html}");
    assert!(
        !html.contains("class=\"questions\""),
        "no question menu: {html}"
    );
    // The heading keeps its id for deep links but is not marked a question.
    assert!(html.contains("<h2 id=\"what-s-next\">"), "{html}");
}

#[test]
fn faq_true_forces_the_menu_and_faqpage() {
    let forced = ANNOUNCEMENT.replace("+++\n\n", "faq = true\n+++\n\n");
    let site = Site::empty().file("content/release.md", forced);
    site.build(&[]).success();
    let html = site.output("release/index.html");
    let graph = jsonld(&html);
    let faq = nodes(&graph, "FAQPage");
    assert_eq!(faq.len(), 1, "{html}");
    assert_eq!(faq[0]["mainEntity"][0]["name"], "What\u{2019}s next?");
    assert!(html.contains("class=\"questions\""), "{html}");
    assert!(html.contains("<h2 id=\"what-s-next\" class=\"question\">"));
}

#[test]
fn mostly_question_sections_make_an_faq_without_front_matter() {
    let qa = "+++\ntitle = \"The dam, explained\"\n+++\n\nA short lede.\n\n## Why was it built?\n\nFor power.\n\n## Who pays for it?\n\nThe province.\n\n## Background\n\nIt opened in 1971.\n";
    let site = Site::empty().file("content/dam.md", qa);
    site.build(&[]).success();
    let html = site.output("dam/index.html");
    let graph = jsonld(&html);
    let faq = nodes(&graph, "FAQPage");
    assert_eq!(faq.len(), 1, "two of three sections are questions: {html}");
    assert_eq!(faq[0]["mainEntity"].as_array().map(Vec::len), Some(2));

    // Half is not most: one more plain section and it is a post again.
    let site = Site::empty().file(
        "content/dam.md",
        qa.replace("## Background", "## Background\n\nText.\n\n## Timeline"),
    );
    site.build(&[]).success();
    let html = site.output("dam/index.html");
    assert!(nodes(&jsonld(&html), "FAQPage").is_empty(), "{html}");
    assert!(!html.contains("class=\"questions\""));
}

/// Question marks of other scripts make questions, the menu and the FAQ;
/// Chinese and Japanese are counted in characters for `wordCount` and the
/// reading time.
#[test]
fn questions_and_reading_time_in_other_scripts() {
    // 498 hanzi in all: 2 minutes at 255 a minute (it would be 3 at 230
    // words a minute).
    let hanzi = "北京上海广州深圳".repeat(60);
    let chinese = format!(
        "+++\ntitle = \"为什么是现在\"\ndate = 2026-01-05\n+++\n\n导语。\n\n## 为什么是现在？\n\n{hanzi}\n\n## 接下来会怎样？\n\n还不知道。\n"
    );
    let arabic = "+++\ntitle = \"لماذا الآن\"\ndate = 2026-01-06\n+++\n\nمقدمة قصيرة.\n\n## لماذا الآن؟\n\nلأن الوقت حان.\n\n## ماذا بعد؟\n\nلا نعرف بعد.\n";
    let greek = "+++\ntitle = \"Γιατί\"\ndate = 2026-01-07\n+++\n\nΕισαγωγή.\n\n## Γιατί τώρα;\n\nΕπειδή.\n\n## Τι ακολουθεί;\n\nΔεν ξέρουμε.\n";
    let site = crate::Site::empty()
        .file("content/zh.md", chinese)
        .file("content/ar.md", arabic)
        .file("content/el.md", greek);
    site.build(&[]).success();
    for (page, questions) in [
        ("zh", ["为什么是现在？", "接下来会怎样？"]),
        ("ar", ["لماذا الآن؟", "ماذا بعد؟"]),
        ("el", ["Γιατί τώρα;", "Τι ακολουθεί;"]),
    ] {
        let html = site.output(&format!("{page}/index.html"));
        assert_eq!(html.matches("class=\"question\"").count(), 2, "{page}");
        let graph = jsonld(&html);
        let faq = nodes(&graph, "FAQPage");
        assert_eq!(faq.len(), 1, "{page} is Q&A-shaped");
        let names: Vec<&str> = faq[0]["mainEntity"]
            .as_array()
            .map(|qs| qs.iter().filter_map(|q| q["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(names, questions, "{page}");
        for q in questions {
            assert!(
                html.contains(&format!(">{q}</a>")),
                "{page}: {q} in the menu"
            );
        }
    }
    let html = site.output("zh/index.html");
    let graph = jsonld(&html);
    let article = nodes(&graph, "NewsArticle")[0];
    // 导语 2 + 为什么是现在 6 + 480 + 接下来会怎样 6 + 还不知道 4 = 498
    assert_eq!(article["wordCount"], 498);
    assert!(html.contains(">2 min read<"), "498 hanzi at 255 a minute");
}
