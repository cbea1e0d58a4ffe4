//! The words templates print come from `i18n/<language>.toml`: built-in
//! English, or the built-in translation of the site's language, overridden
//! by the site.

use crate::Site;

const EXPLAINER: &str = "+++\ntitle = \"The weir\"\ntags = [\"Rivers\"]\n+++\n\nLede.\n\n## Why a weir?\n\nTo hold water.\n\n## Who built it?\n\nThe town.\n";

#[test]
fn todays_words_are_the_default() {
    let site = Site::empty().file("content/weir.md", EXPLAINER);
    site.build(&[]).success();
    let html = site.output("weir/index.html");
    assert!(
        html.contains("<p class=\"questions-title\">In this explainer</p>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"reading-time\">1 min read</span>"),
        "{html}"
    );
    assert!(
        site.output("index.html")
            .contains(">Latest explainers</h2>")
    );
    assert!(
        site.output("tags/rivers/index.html")
            .contains("1 explainer tagged “Rivers”.")
    );
}

#[test]
fn a_site_strings_file_changes_the_wording() {
    let site = Site::empty()
        .file("content/weir.md", EXPLAINER)
        .file(
            "i18n/en.toml",
            "in_this_explainer = \"In this guide\"\nlatest_explainers = \"Latest guides\"\nmin_read = \"{minutes}-minute read\"\ntag_count_one = \"One guide about {tag}.\"\n",
        );
    site.build(&[]).success();
    let html = site.output("weir/index.html");
    assert!(
        html.contains("<nav class=\"questions\" aria-label=\"In this guide\">"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"questions-title\">In this guide</p>"),
        "{html}"
    );
    assert!(html.contains("1-minute read"), "{html}");
    assert!(!html.contains("In this explainer"));
    assert!(site.output("index.html").contains(">Latest guides</h2>"));
    assert!(
        site.output("tags/rivers/index.html")
            .contains("One guide about Rivers.")
    );
}

#[test]
fn the_strings_file_follows_the_site_language() {
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org\"\nlanguage = \"fr\"\nminify = false\n",
        )
        .file("content/weir.md", EXPLAINER)
        .file("i18n/fr.toml", "in_this_explainer = \"Dans cet article\"\n");
    site.build(&[]).success();
    let html = site.output("weir/index.html");
    assert!(html.contains(">Dans cet article</p>"), "{html}");
    // Keys the file leaves out keep the built-in French words.
    assert!(html.contains("1 min de lecture"), "{html}");
}

#[test]
fn an_unknown_string_is_a_config_error_with_a_suggestion() {
    let site = Site::empty().file("content/weir.md", EXPLAINER).file(
        "i18n/en.toml",
        "# wording\nin_this_explaner = \"In this guide\"\n",
    );
    site.build(&[])
        .failure(2)
        .says("error: unknown string `in_this_explaner`")
        .says("i18n/en.toml:2:1")
        .says("did you mean `in_this_explainer`?");
    assert!(!site.root.join("public").exists());
}

/// nutgraf has the theme's words in Korean, Arabic, Spanish, French and
/// German: a site in one of them needs no strings file, `es-MX` takes
/// Spanish's, and the site's own file still wins key by key.
#[test]
fn built_in_translations_follow_the_language() {
    let site = |language: &str| {
        Site::empty()
            .file(
                "nutgraf.toml",
                format!("title = \"T\"\nbase_url = \"https://test.example.org\"\nlanguage = \"{language}\"\nminify = false\n"),
            )
            .file("content/weir.md", EXPLAINER)
            .file("content/dated.md", "+++\ntitle = \"D\"\ndate = 2026-11-20\n+++\n\nText.\n")
    };
    for (language, menu, read, dir, date) in [
        ("ko", "이 해설의 질문", "1분 분량", "", "2026년 11월 20일"),
        (
            "ar",
            "في هذا الشرح",
            "وقت القراءة: 1 د",
            " dir=\"rtl\"",
            "20 نوفمبر 2026",
        ),
        (
            "es-MX",
            "En esta explicación",
            "1 min de lectura",
            "",
            "20 de noviembre de 2026",
        ),
        (
            "fr",
            "Dans ce décryptage",
            "1 min de lecture",
            "",
            "20 novembre 2026",
        ),
        (
            "de",
            "In diesem Erklärstück",
            "1 Min. Lesezeit",
            "",
            "20. November 2026",
        ),
        (
            "pt-BR",
            "In this explainer",
            "1 min read",
            "",
            "20 de novembro de 2026",
        ),
    ] {
        let s = site(language);
        s.build(&[]).success();
        let html = s.output("weir/index.html");
        assert!(
            html.contains(&format!("<html lang=\"{language}\"{dir}>")),
            "{language}: {}",
            &html[..200]
        );
        assert!(
            html.contains(&format!("<p class=\"questions-title\">{menu}</p>")),
            "{language}"
        );
        assert!(
            html.contains(&format!("<span class=\"reading-time\">{read}</span>")),
            "{language}"
        );
        // Dates in the language's own format, on the page and the home page.
        let dated = format!(">{date}</time>");
        assert!(
            s.output("dated/index.html").contains(&dated),
            "{language}: {date}"
        );
        assert!(
            s.output("index.html").contains(&dated),
            "{language}: {date} listed"
        );
    }
    let s = site("ko").file("i18n/ko.toml", "in_this_explainer = \"질문 목록\"\n");
    s.build(&[]).success();
    let html = s.output("weir/index.html");
    assert!(html.contains("<p class=\"questions-title\">질문 목록</p>"));
    assert!(
        html.contains("<span class=\"reading-time\">1분 분량</span>"),
        "other keys stay Korean"
    );
}
