//! Sites in several languages: `[languages.<code>]`, translations beside
//! their originals (`index.ko.md`) or joined by `translation_key`, each
//! language's own listings, feeds and 404 page, `hreflang` links and
//! sitemap alternates, the switcher and the JSON-LD between versions.

use crate::{Site, assert_valid_schema, jsonld, nodes};

fn built() -> Site {
    let site = Site::fixture("multilingual");
    site.build(&[]).success();
    site
}

/// The `hreflang` alternates a page's head links, as (code, URL).
fn head_alternates(html: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let sel =
        scraper::Selector::parse("link[rel=alternate][hreflang]").unwrap_or_else(|e| panic!("{e}"));
    doc.select(&sel)
        .map(|l| {
            let attr = |name| l.value().attr(name).unwrap_or_default().to_string();
            (attr("hreflang"), attr("href"))
        })
        .collect()
}

#[test]
fn each_language_has_its_own_pages_under_its_base_path() {
    let site = built();
    for file in [
        "index.html",
        "ko/index.html",
        "ar/index.html",
        "atom.xml",
        "ko/atom.xml",
        "ar/atom.xml",
        "404.html",
        "ko/404.html",
        "ar/404.html",
        "tags/sea/index.html",
        "ko/tags/바다/index.html",
        "ar/tags/البحر/index.html",
        "tides/index.html",
        "ko/tides/index.html",
        "ar/tides/index.html",
        // `slug = "다리의 틈"` with `unicode_slugs = true`.
        "ko/다리의-틈/index.html",
        // `node.js.md`: `js` is no language, so no translation.
        "node-js/index.html",
    ] {
        assert!(site.root.join("public").join(file).is_file(), "{file}");
    }
    // A translation in a bundle gets the bundle's files beside it too, so
    // its relative links work.
    assert!(site.root.join("public/ko/tides/dawn.png").is_file());

    // `<html lang dir>` and the language's own words and dates.
    let ko = site.output("ko/tides/index.html");
    assert!(ko.contains("<html lang=\"ko\">"), "{}", &ko[..200]);
    assert!(ko.contains("2026년 11월 20일"));
    assert!(ko.contains("| 항구 해설</title>"));
    let ar = site.output("ar/tides/index.html");
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(ar.contains("20 نوفمبر 2026"));
    let en = site.output("tides/index.html");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("November 20, 2026"));
    // The header links the language's home, tag index and feed.
    assert!(ko.contains("<a class=\"site-title\" href=\"/ko/\">항구 해설</a>"));
    assert!(ko.contains("href=\"/ko/tags/\""));
    assert!(ko.contains("href=\"/ko/atom.xml\""));
    assert!(ko.contains("href=\"/ko/tags/바다/\""));
    assert!(site.output("ko/404.html").contains("<html lang=\"ko\">"));
    // One Pagefind index with a part per language, each with its pages.
    if !cfg!(feature = "search") {
        return;
    }
    let entry: serde_json::Value =
        serde_json::from_str(&site.output("pagefind/pagefind-entry.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    for (lang, pages) in [("en", 4), ("ko", 2), ("ar", 1)] {
        assert_eq!(entry["languages"][lang]["page_count"], pages, "{entry}");
    }
}

#[test]
fn listings_and_feeds_show_only_their_languages_articles() {
    let site = built();
    let home = site.output("index.html");
    for title in [
        "Why does the harbour fill",
        "Why do bridges have gaps?",
        "How do ferries",
    ] {
        assert!(home.contains(title), "{title}");
    }
    assert!(!home.contains("항구의 물은"));
    assert!(!home.contains("لماذا يمتلئ"));
    let ko_home = site.output("ko/index.html");
    assert!(ko_home.contains("항구의 물은 왜 매일 아침 차오를까?"));
    assert!(ko_home.contains("다리에는 왜 틈이 있을까?"));
    assert!(
        ko_home.contains("바다와 항구에 관한 질문에 답합니다."),
        "the intro of _index.ko.md"
    );
    assert!(!ko_home.contains("How do ferries"));

    let entries = |feed: &str| site.output(feed).matches("<entry>").count();
    assert_eq!(entries("atom.xml"), 4);
    assert_eq!(entries("ko/atom.xml"), 2);
    assert_eq!(entries("ar/atom.xml"), 1);
    assert!(!site.output("atom.xml").contains("항구"));

    // Previous and next stay within the language.
    let ko = site.output("ko/tides/index.html");
    assert!(ko.contains("href=\"/ko/다리의-틈/\" rel=\"prev\""));
    assert!(!ko.contains("rel=\"next\""));
    let ar = site.output("ar/tides/index.html");
    assert!(!ar.contains("rel=\"prev\"") && !ar.contains("rel=\"next\""));
}

/// The `#` link beside each heading is named in the page's language, not
/// in English on every page.
#[test]
fn heading_links_are_named_in_the_pages_language() {
    let site = built();
    for (page, label) in [
        ("tides/index.html", "Link to this section"),
        ("ko/tides/index.html", "이 부분으로 가는 링크"),
        ("ar/tides/index.html", "رابط إلى هذا القسم"),
    ] {
        let html = site.output(page);
        let anchors = html.matches("class=\"anchor\"").count();
        assert!(anchors >= 2, "{page}");
        assert_eq!(
            html.matches(&format!("aria-label=\"{label}\">#</a>"))
                .count(),
            anchors,
            "{page}"
        );
    }
}

#[test]
fn translations_link_each_other_both_ways() {
    let site = built();
    let base = "https://harbour.example.org";
    let tides = [
        ("en".to_string(), format!("{base}/tides/")),
        ("ar".to_string(), format!("{base}/ar/tides/")),
        ("ko".to_string(), format!("{base}/ko/tides/")),
        ("x-default".to_string(), format!("{base}/tides/")),
    ];
    for page in [
        "tides/index.html",
        "ko/tides/index.html",
        "ar/tides/index.html",
    ] {
        assert_eq!(head_alternates(&site.output(page)), tides, "{page}");
    }
    // Joined by `translation_key`, in different folders and slugs.
    let bridges = [
        ("en".to_string(), format!("{base}/notes/bridges/")),
        ("ko".to_string(), format!("{base}/ko/다리의-틈/")),
        ("x-default".to_string(), format!("{base}/notes/bridges/")),
    ];
    for page in ["notes/bridges/index.html", "ko/다리의-틈/index.html"] {
        assert_eq!(head_alternates(&site.output(page)), bridges, "{page}");
    }
    // An article without translations has none.
    let ferries = site.output("ferries/index.html");
    assert!(head_alternates(&ferries).is_empty());
    assert!(!ferries.contains("class=\"translations\""));

    // The switcher names each language in itself and marks the page's.
    let ko = site.output("ko/tides/index.html");
    assert!(ko.contains("<nav class=\"translations\" aria-label=\"다른 언어로 읽기\">"));
    assert!(ko.contains("<a href=\"/tides/\" hreflang=\"en\" lang=\"en\">English</a>"));
    assert!(ko.contains("<a href=\"/ar/tides/\" hreflang=\"ar\" lang=\"ar\">العربية</a>"));
    assert!(ko.contains("aria-current=\"page\" lang=\"ko\">한국어</span>"));
}

/// The languages' home pages are versions of one another, and so are a
/// section's `_index.md` and `_index.<code>.md`.
#[test]
fn home_pages_and_sections_link_their_versions() {
    let site = built();
    let base = "https://harbour.example.org";
    let homes = [
        ("en".to_string(), format!("{base}/")),
        ("ar".to_string(), format!("{base}/ar/")),
        ("ko".to_string(), format!("{base}/ko/")),
        ("x-default".to_string(), format!("{base}/")),
    ];
    for page in ["index.html", "ko/index.html", "ar/index.html"] {
        assert_eq!(head_alternates(&site.output(page)), homes, "{page}");
    }
    let ko_home = site.output("ko/index.html");
    assert!(ko_home.contains("<nav class=\"translations\""));
    assert!(ko_home.contains("aria-current=\"page\" lang=\"ko\">한국어</span>"));
    let notes = [
        ("en".to_string(), format!("{base}/notes/")),
        ("ko".to_string(), format!("{base}/ko/notes/")),
        ("x-default".to_string(), format!("{base}/notes/")),
    ];
    for page in ["notes/index.html", "ko/notes/index.html"] {
        assert_eq!(head_alternates(&site.output(page)), notes, "{page}");
    }
    assert!(
        site.output("ko/notes/index.html")
            .contains("<h1 class=\"home-title\">노트</h1>")
    );
    // Arabic has no notes section.
    assert!(!site.root.join("public/ar/notes").exists());
    // The sitemap lists the same alternates.
    let urls = sitemap_urls(&site.output("sitemap.xml"));
    let (_, ko) = urls
        .iter()
        .find(|(loc, _)| loc == &format!("{base}/ko/notes/"))
        .unwrap_or_else(|| panic!("no /ko/notes/ in the sitemap"));
    assert_eq!(ko.len(), 3);
}

#[test]
fn json_ld_joins_an_original_and_its_translations() {
    let site = built();
    let en = site.output("tides/index.html");
    let ko = site.output("ko/tides/index.html");
    assert_valid_schema("tides (en)", &en);
    assert_valid_schema("tides (ko)", &ko);
    let article = |html: &str| nodes(&jsonld(html), "NewsArticle")[0].clone();
    let original = article(&en);
    assert_eq!(original["inLanguage"], "en");
    let ids: Vec<&str> = original["workTranslation"]
        .as_array()
        .map(|a| a.iter().filter_map(|w| w["@id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        ids,
        [
            "https://harbour.example.org/ar/tides/#article",
            "https://harbour.example.org/ko/tides/#article"
        ]
    );
    let translation = article(&ko);
    assert_eq!(translation["inLanguage"], "ko");
    assert_eq!(
        translation["translationOfWork"]["@id"],
        "https://harbour.example.org/tides/#article"
    );
    assert!(translation.get("workTranslation").is_none());
}

#[test]
fn the_sitemap_lists_reciprocal_alternates() {
    let site = built();
    let sitemap = site.output("sitemap.xml");
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    let doc = sitemap_urls(&sitemap);
    let tides: Vec<&(String, Vec<(String, String)>)> = doc
        .iter()
        .filter(|(loc, _)| loc.ends_with("/tides/"))
        .collect();
    assert_eq!(tides.len(), 3);
    for (loc, alternates) in &tides {
        let hreflangs: Vec<&str> = alternates.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(hreflangs, ["en", "ar", "ko", "x-default"], "{loc}");
        // Each version lists itself among them.
        assert!(alternates.iter().any(|(_, href)| href == loc), "{loc}");
    }
    // Unicode paths are percent-encoded, as the protocol asks.
    assert!(
        sitemap.contains("https://harbour.example.org/ko/%EB%8B%A4%EB%A6%AC%EC%9D%98-%ED%8B%88/")
    );
    assert!(sitemap.is_ascii());
    // The languages' home pages are listed.
    assert!(
        doc.iter()
            .any(|(loc, _)| loc == "https://harbour.example.org/ko/")
    );
}

/// Each `<url>` of a sitemap: its `loc` and `(hreflang, href)` alternates.
fn sitemap_urls(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut urls = Vec::new();
    for block in xml.split("<url>").skip(1) {
        let block = block.split("</url>").next().unwrap_or_default();
        let loc = block
            .split("<loc>")
            .nth(1)
            .and_then(|s| s.split("</loc>").next())
            .unwrap_or_default()
            .to_string();
        let attr = |link: &str, name: &str| {
            link.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        let alternates = block
            .split("<xhtml:link ")
            .skip(1)
            .map(|link| (attr(link, "hreflang"), attr(link, "href")))
            .collect();
        urls.push((loc, alternates));
    }
    urls
}

#[test]
fn an_unknown_language_code_in_a_file_name_is_an_error_naming_the_file() {
    let site = Site::fixture("multilingual").file(
        "content/tides/index.pt.md",
        "+++\ntitle = \"Por que a maré sobe?\"\ndate = 2026-11-20\n+++\n\nTexto.\n",
    );
    site.build(&[])
        .failure(1)
        .says("content/tides/index.pt.md:1:1")
        .says("`pt` in this file's name is a language the site does not publish in")
        .says("add `[languages.pt]`");
    assert!(
        !site.root.join("public").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn two_versions_in_one_language_are_an_error() {
    let site = Site::fixture("multilingual").file(
        "content/more-bridges.md",
        "+++\ntitle = \"Bridges again\"\ndate = 2026-11-01\ntranslation_key = \"bridges\"\n+++\n\nText.\n",
    );
    site.build(&[])
        .failure(1)
        .says("is a translation of the same article in the same language");
}

#[test]
fn languages_are_checked_in_the_config() {
    let config = "title = \"T\"\nbase_url = \"https://e.org\"\n";
    let site = Site::empty().file(
        "nutgraf.toml",
        format!("{config}[languages.ko_KR]\ntitle = \"K\"\n"),
    );
    site.build(&[])
        .failure(2)
        .says("nutgraf.toml:3:12")
        .says("the language code of `[languages.ko_KR]` must be a BCP 47 tag")
        .says("write `[languages.ko-KR]`");
    let site = Site::empty().file(
        "nutgraf.toml",
        format!("{config}[languages.ko]\nbase_path = \"/ko\"\n"),
    );
    site.build(&[])
        .failure(2)
        .says("`base_path` of `[languages.ko]` must be a folder path like `/ko/`");
    let site = Site::empty().file(
        "nutgraf.toml",
        format!("{config}[languages.en]\ntitle = \"E\"\n"),
    );
    site.build(&[])
        .failure(2)
        .says("repeats a language the site already has");
}

/// A language nutgraf has no built-in words for: each string its own file
/// lacks is the default language's, with one warning per string.
#[test]
fn missing_strings_fall_back_to_the_default_language_with_one_warning_each() {
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://e.org\"\nlanguage = \"fr\"\n[languages.ja]\ntitle = \"J\"\n",
        )
        .file("i18n/ja.toml", "in_this_explainer = \"この解説の内容\"\n")
        .file(
            "content/a.ja.md",
            "+++\ntitle = \"なぜ？\"\ndate = 2026-11-20\n+++\n\n## なぜ今？\n\n答え。\n\n## どこで？\n\n答え。\n",
        )
        .file(
            "content/a.md",
            "+++\ntitle = \"Pourquoi ?\"\ndate = 2026-11-20\n+++\n\nRéponse.\n",
        );
    let run = site.build(&[]).success();
    let warnings = run.stderr.matches("no `ja` text for the string").count();
    let keys = include_str!("../../i18n/en.toml")
        .lines()
        .filter(|l| l.contains(" = ") && !l.starts_with('#'))
        .count();
    // Every key but the one the file gives, once each.
    assert_eq!(warnings, keys - 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("string `by`").count(), 1);
    let page = site.output("ja/a/index.html");
    assert!(page.contains("この解説の内容"));
    // The default language (French) stands in for the rest.
    assert!(page.contains("Aller au contenu"), "{page}");
    // But not for the language's own name: the switcher would call
    // Japanese "Français". Its code stands in.
    assert!(
        page.contains(r#"aria-current="page" lang="ja">ja</span>"#),
        "{page}"
    );
    assert!(page.contains(r#"lang="fr">Français</a>"#), "{page}");
    assert!(run.stderr.contains("the language switcher shows `ja`"));
}

/// `new --lang ko --of <article>` starts a draft translation where the
/// build looks for it, with the original's lead photo and body to
/// translate; the build publishes it only with `--drafts`, and then the
/// two versions link each other.
#[test]
fn new_starts_a_draft_translation_beside_its_original() {
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://e.org\"\n[languages.ko]\ntitle = \"K\"\n",
        )
        .file(
            "content/tides/index.md",
            "+++\ntitle = \"Why tides?\"\ndate = 2026-11-20\n\n[lead]\nsrc = \"dawn.png\"\nalt = \"A harbour at dawn.\"\ncaption = \"Low tide.\"\ncredit = \"Illustration/T\"\n\n[[updates]]\ndate = 2026-11-21\nnote = \"Fixed a date.\"\n+++\n\n## Why now?\n\nThe Moon.\n",
        )
        .file(
            "content/tides/dawn.png",
            include_bytes!("../fixtures/multilingual/content/tides/dawn.png"),
        );
    site.nutgraf(&["new", "--lang", "ko", "--of", "content/tides", "조수는 왜?"])
        .success();
    let text = std::fs::read_to_string(site.root.join("content/tides/index.ko.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(text.starts_with("+++\ntitle = \"조수는 왜?\"\n"), "{text}");
    assert!(text.contains("\ndraft = true\n"), "{text}");
    assert!(text.contains("\n[lead]\nsrc = \"dawn.png\"\n"), "{text}");
    assert!(!text.contains("updates"), "{text}");
    assert!(
        text.ends_with("+++\n\n## Why now?\n\nThe Moon.\n"),
        "{text}"
    );

    site.build(&[]).success();
    assert!(!site.root.join("public/ko/tides").exists());
    site.build(&["--drafts"]).success();
    let ko = site.output("ko/tides/index.html");
    assert!(ko.contains("조수는 왜?"));
    assert!(ko.contains("dawn"), "the lead photo came along");
    assert!(
        site.output("tides/index.html")
            .contains(r#"hreflang="ko" href="https://e.org/ko/tides/""#)
    );

    site.nutgraf(&["new", "--lang", "ko", "--of", "content/tides/index.md", "x"])
        .failure(2)
        .says("`content/tides/index.ko.md` already exists");
    site.nutgraf(&["new", "--lang", "ja", "--of", "content/tides", "x"])
        .failure(2)
        .says("the site has no language `ja`")
        .says("`en`, `ko`");
    site.nutgraf(&["new", "--lang", "ko", "--of", "content/nowhere", "x"])
        .failure(2)
        .says("no article at `content/nowhere`");
}
