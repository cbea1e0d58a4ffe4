//! Figures: caption, credit, credit link, parentheses, no caption, sizes
//! and loading attributes.

use crate::{Run, Site, assert_valid_schema, jsonld, nodes};

#[test]
fn figures_render_with_captions_and_credits() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    insta::assert_snapshot!(html);
}

#[test]
fn parentheses_inside_a_caption_stay_in_the_caption() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert!(html.contains(
        "<span class=\"caption\">Harbour master Ines Vaz (right) and an operator (left) in the cabin.</span>"
    ));
    // A trailing "(right)" that does not follow sentence punctuation is caption.
    assert!(html.contains("<span class=\"caption\">Vladimir Putin (right)</span></figcaption>"));
}

#[test]
fn credit_link_is_in_the_credit_element() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert!(html.contains(
        "<span class=\"credit\"><a href=\"https://photos.example.org/ana\">Ana Ruiz</a>/Harbour Authority</span>"
    ));
}

#[test]
fn only_the_first_image_is_eager() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert_eq!(html.matches("fetchpriority=\"high\"").count(), 1);
    let first_img = &html[html.find("<img").unwrap_or(0)..];
    assert!(first_img.starts_with("<img src=\"/harbour/dawn.png\""));
    assert!(first_img[..first_img.find('>').unwrap_or(0)].contains("fetchpriority=\"high\""));
    assert_eq!(
        html.matches("loading=\"lazy\" decoding=\"async\"").count(),
        4
    );
}

#[test]
fn images_get_intrinsic_sizes_from_their_files() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert!(
        html.contains("alt=\"Cranes stand over stacked containers\" width=\"1200\" height=\"800\"")
    );
    assert!(html.contains("alt=\"An aerial map of the harbour\" width=\"800\" height=\"450\""));
    // bundle images and static images are published
    assert!(site.root.join("public/harbour/dawn.png").is_file());
    assert!(site.root.join("public/img/map.png").is_file());
}

#[test]
fn figures_become_image_objects() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    let graph = jsonld(&html);
    let images = nodes(&graph, "ImageObject");
    assert_eq!(images.len(), 4);
    assert_eq!(
        images[0]["contentUrl"],
        "https://fixture.example.org/harbour/dawn.png"
    );
    assert_eq!(
        images[0]["caption"],
        "Cranes at the container terminal on Oct. 31, 2024."
    );
    assert_eq!(images[0]["creditText"], "Lee Jin-man/Associated Press");
    assert_eq!(images[0]["width"], 1200);
    assert_eq!(images[0]["height"], 800);
    let article = &nodes(&graph, "NewsArticle")[0];
    assert_eq!(article["datePublished"], "2024-10-31T09:00:00+09:00");
    // The article's `image` is the one that stands for it: the first photo.
    assert_eq!(
        article["image"],
        serde_json::json!([{ "@id": images[0]["@id"] }])
    );
    assert_valid_schema("harbour", &html);
}

#[test]
fn figure_lint_warns_about_missing_credit() {
    let site = Site::fixture("figures");
    let run = site.build(&[]).success();
    // The image-only figure and the "Vladimir Putin (right)" figure have no credit.
    assert_eq!(
        run.stderr.matches("warning: photo has no credit").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(" --> content/harbour/index.md:18:1"),
        "{}",
        run.stderr
    );
}

/// A site whose article `a` has `[lead]` with the given lines (after `src`
/// and `alt`) and `body` as its Markdown.
fn lead_site(lead: &str, body: &str) -> Site {
    let dawn = std::fs::read(crate::fixtures().join("figures/content/harbour/dawn.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    Site::empty().file("content/a/dawn.png", dawn).file(
        "content/a/index.md",
        format!(
            "+++\ntitle = \"A\"\ndate = 2024-01-02\n\n[lead]\nsrc = \"dawn.png\"\nalt = \"Cranes stand over stacked containers\"\n{lead}+++\n\n{body}"
        ),
    )
}

/// Builds [`lead_site`]; returns the build and the page's HTML.
fn build_lead(lead: &str, body: &str) -> (Run, String) {
    let site = lead_site(lead, body);
    let run = site.build(&[]).success();
    (run, site.output("a/index.html"))
}

/// The lead `<figure>` of a page, whole.
fn lead_figure(html: &str) -> &str {
    let start = html
        .find("<figure class=\"figure lead\">")
        .unwrap_or_else(|| panic!("no lead figure in\n{html}"));
    let end = start + html[start..].find("</figure>").unwrap_or(0) + "</figure>".len();
    &html[start..end]
}

/// `html` with the content hashes of resized files (`/assets/img/<hash>-480.png`)
/// taken out.
fn without_hashes(html: &str) -> String {
    let mut parts = html.split("/assets/img/");
    let mut out = parts.next().unwrap_or("").to_string();
    for part in parts {
        out.push_str("/assets/img/");
        out.push_str(part.trim_start_matches(|c: char| c.is_ascii_hexdigit()));
    }
    out
}

/// Regression: the lead image had a second route to the page (its own
/// caption code and hand-written template markup), and its JSON-LD got the
/// raw front-matter strings: `"creditText":"[Ana Pérez](https://example.org/ana)/EPA"`.
/// The lead now goes through the body figures' parser and writer.
#[test]
fn lead_credit_reached_json_ld_as_raw_markdown() {
    let (_, html) = build_lead(
        "caption = \"Cranes at the *container* terminal on [Oct. 31](https://example.org/log).\"\ncredit = \"[Ana Pérez](https://example.org/ana)/EPA\"\n",
        "Intro.\n",
    );
    let graph = jsonld(&html);
    let images = nodes(&graph, "ImageObject");
    assert_eq!(
        images[0]["contentUrl"],
        "https://test.example.org/a/dawn.png"
    );
    assert_eq!(images[0]["creditText"], "Ana Pérez/EPA");
    assert_eq!(
        images[0]["caption"],
        "Cranes at the container terminal on Oct. 31."
    );
    let figure = lead_figure(&html);
    assert!(
        figure.contains(
            "<figcaption><span class=\"caption\">Cranes at the <em>container</em> terminal on <a href=\"https://example.org/log\">Oct. 31</a>.</span> <span class=\"credit\"><a href=\"https://example.org/ana\">Ana Pérez</a>/EPA</span></figcaption>"
        ),
        "{figure}"
    );
    assert_valid_schema("lead", &html);
}

#[test]
fn lead_credit_url_makes_a_plain_credit_a_link() {
    let (run, html) = build_lead(
        "credit = \"Illustration/The Nut Graf\"\ncredit_url = \"https://example.org/desk\"\n",
        "Intro.\n",
    );
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    assert!(
        lead_figure(&html).contains(
            "<figcaption><span class=\"credit\"><a href=\"https://example.org/desk\">Illustration/The Nut Graf</a></span></figcaption>"
        ),
        "{html}"
    );
    let graph = jsonld(&html);
    assert_eq!(
        nodes(&graph, "ImageObject")[0]["creditText"],
        "Illustration/The Nut Graf"
    );
}

#[test]
fn lead_credit_keeps_its_own_link_over_credit_url_and_warns() {
    let site = lead_site(
        "credit = \"[Ana Pérez](https://example.org/ana)/EPA\"\ncredit_url = \"https://example.org/desk\"\n",
        "Intro.\n",
    );
    let run = site.build(&[]).success();
    assert!(
        run.stderr.contains(
            "warning: the lead credit has a link of its own, so `credit_url` is not used"
        ),
        "{}",
        run.stderr
    );
    // `credit_url` is line 9 of the file.
    assert!(
        run.stderr.contains(" --> content/a/index.md:9:1"),
        "{}",
        run.stderr
    );
    let html = site.output("a/index.html");
    let figure = lead_figure(&html);
    assert!(
        figure.contains(
            "<span class=\"credit\"><a href=\"https://example.org/ana\">Ana Pérez</a>/EPA</span>"
        ),
        "{figure}"
    );
    assert!(!figure.contains("example.org/desk"), "{figure}");
    site.build(&["--strict"]).failure(1);
}

#[test]
fn lead_figure_has_the_shape_of_a_body_figure() {
    // The same photo, caption and credit as the lead and in the body.
    let site = lead_site(
        "caption = \"Cranes at the *container* terminal.\"\ncredit = \"[Ana Pérez](https://example.org/ana)/EPA\"\n",
        "Intro.\n\n![Cranes stand over stacked containers](dawn.png)\nCranes at the *container* terminal.\n([Ana Pérez](https://example.org/ana)/EPA)\n",
    );
    site.build(&[]).success();
    let html = site.output("a/index.html");
    let lead = lead_figure(&html);
    assert!(lead.starts_with("<figure class=\"figure lead\"><picture><source type=\"image/webp\""));
    assert!(
        lead.ends_with(
            "<figcaption><span class=\"caption\">Cranes at the <em>container</em> terminal.</span> <span class=\"credit\"><a href=\"https://example.org/ana\">Ana Pérez</a>/EPA</span></figcaption></figure>"
        ),
        "{lead}"
    );
    let body = &html[html
        .find("<figure class=\"figure\">")
        .unwrap_or_else(|| panic!("no body figure in\n{html}"))..];
    let body = &body[..body.find("</figure>").unwrap_or(0) + "</figure>".len()];
    // Only the class and the loading differ (the lead is the first image),
    // and the names of the resized files: the lead's are made with its
    // sharing crops, under another cache key.
    let as_body = lead.replace("figure lead", "figure").replace(
        "fetchpriority=\"high\"",
        "loading=\"lazy\" decoding=\"async\"",
    );
    assert_eq!(without_hashes(&as_body), without_hashes(body));
    assert_eq!(html.matches("fetchpriority=\"high\"").count(), 1);
}

/// A site whose article `a` has `body` as its Markdown, with the fixture's
/// `dawn.png` (1200 × 800) and `crane.png` (640 × 960) beside it.
fn body_site(body: &str) -> Site {
    let png = |name: &str| {
        std::fs::read(crate::fixtures().join("figures/content/harbour").join(name))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    Site::empty()
        .file("content/a/dawn.png", png("dawn.png"))
        .file("content/a/crane.png", png("crane.png"))
        .file(
            "content/a/index.md",
            format!("+++\ntitle = \"A\"\ndate = 2024-01-02\n+++\n\n{body}"),
        )
}

/// Every `<figure>…</figure>` of a page.
fn figures_of(html: &str) -> Vec<&str> {
    html.match_indices("<figure")
        .map(|(start, _)| {
            let end = start + html[start..].find("</figure>").unwrap_or(0) + "</figure>".len();
            &html[start..end]
        })
        .collect()
}

/// Regression: two images on consecutive lines became one figure, with the
/// second `<img>` inside the first one's `<figcaption>`.
#[test]
fn second_image_on_the_next_line_was_put_in_the_first_figures_caption() {
    let site = body_site(
        "![Cranes over containers](dawn.png)\n![An operator in a cabin](crane.png)\nThe operator starts at six.\n(Staff/Fixture)\n",
    );
    let run = site.build(&[]).success();
    let html = site.output("a/index.html");
    let figures = figures_of(&html);
    assert_eq!(figures.len(), 2, "{html}");
    assert!(figures[0].contains("alt=\"Cranes over containers\""));
    assert!(!figures[0].contains("<figcaption>"), "{}", figures[0]);
    assert!(figures[1].contains("alt=\"An operator in a cabin\" width=\"640\" height=\"960\""));
    assert!(figures[1].contains(
        "<figcaption><span class=\"caption\">The operator starts at six.</span> <span class=\"credit\">Staff/Fixture</span></figcaption>"
    ));
    // Each figure's warnings point at its own line: only the first lacks a credit.
    assert_eq!(
        run.stderr.matches("photo has no credit").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(" --> content/a/index.md:6:1"),
        "{}",
        run.stderr
    );
    let graph = jsonld(&html);
    assert_eq!(nodes(&graph, "ImageObject").len(), 2);
}

#[test]
fn a_linked_image_is_a_figure_inside_its_link() {
    let site = body_site(
        "[![Cranes over containers](dawn.png)](dawn.png \"Full size\")\nCranes at dawn.\n(Staff/Fixture)\n",
    );
    site.build(&[]).success();
    let html = site.output("a/index.html");
    let figures = figures_of(&html);
    assert_eq!(figures.len(), 1, "{html}");
    assert!(
        figures[0].starts_with(
            "<figure class=\"figure\"><a href=\"dawn.png\" title=\"Full size\"><picture>"
        ),
        "{}",
        figures[0]
    );
    assert!(
        figures[0]
            .contains("</picture></a><figcaption><span class=\"caption\">Cranes at dawn.</span>")
    );
}

#[test]
fn a_news_photo_without_a_credit_still_warns_by_default() {
    let site = body_site("![Cranes over containers](dawn.png)\nCranes at dawn.\n");
    let run = site.build(&[]).success();
    assert!(
        run.stderr.contains("warning: photo has no credit\n --> content/a/index.md:6:1\n  = help: end the caption with the credit in parentheses, e.g. `(Name/Agency)`; a diagram or screenshot needs none: end the figure with `{.diagram}` or `{.screenshot}`; or make credits optional for the whole site with `credits = \"optional\"` under [images] in nutgraf.toml"),
        "{}",
        run.stderr
    );
    site.build(&["--strict"]).failure(1);
}

#[test]
fn a_site_can_make_credits_optional() {
    let site = body_site("![Cranes over containers](dawn.png)\nCranes at dawn.\n").file(
        "nutgraf.toml",
        format!("{}[images]\ncredits = \"optional\"\n", crate::EMPTY_CONFIG),
    );
    let run = site.build(&["--strict"]).success();
    assert!(!run.stderr.contains("credit"), "{}", run.stderr);
    // The lead too.
    let site = lead_site("", "Intro.\n").file(
        "nutgraf.toml",
        format!("{}[images]\ncredits = \"optional\"\n", crate::EMPTY_CONFIG),
    );
    site.build(&["--strict"]).success();
}

#[test]
fn an_invalid_credits_setting_is_a_config_error() {
    Site::empty()
        .file(
            "nutgraf.toml",
            format!("{}[images]\ncredits = \"never\"\n", crate::EMPTY_CONFIG),
        )
        .build(&[])
        .failure(2)
        .says("error: `images.credits` must be one of `\"required\"`, `\"optional\"`, found `\"never\"`")
        .says(" --> nutgraf.toml:5:11")
        .says("= help: write one of `\"required\"`, `\"optional\"`");
}

#[test]
fn a_diagram_or_screenshot_needs_no_credit() {
    let site = body_site(
        "![Boxes joined by arrows](dawn.png)\nHow a box moves through the terminal. {.diagram}\n\n![The booking page of the terminal's app](crane.png) {.screenshot}\nBooking a slot.\n",
    );
    let run = site.build(&["--strict"]).success();
    assert!(!run.stderr.contains("credit"), "{}", run.stderr);
    let html = site.output("a/index.html");
    let figures = figures_of(&html);
    assert!(
        figures[0].starts_with("<figure class=\"figure diagram\">"),
        "{}",
        figures[0]
    );
    assert!(figures[0].contains(
        "<span class=\"caption\">How a box moves through the terminal.</span></figcaption>"
    ));
    assert!(
        figures[1].starts_with("<figure class=\"figure screenshot\">"),
        "{}",
        figures[1]
    );
    assert!(!html.contains("{."), "the class blocks are not shown");
}

#[test]
fn an_svg_is_a_diagram_unless_its_figure_says_photo() {
    // The diagrams fixture: an SVG lead and SVG figures without credits.
    let site = Site::fixture("diagrams");
    let run = site.build(&["--strict"]).success();
    assert!(!run.stderr.contains("credit"), "{}", run.stderr);
    let html = site.output("terminal/index.html");
    assert!(
        html.contains("<figure class=\"figure lead diagram\">"),
        "{html}"
    );
    // An SVG that is an artist's illustration says so, and needs a credit.
    site.write(
        "content/sketches/index.md",
        "+++\ntitle = \"S\"\n+++\n\n![A painted view of the yard](route.svg)\nThe yard as a painter saw it. {.photo}\n",
    );
    site.build(&[])
        .success()
        .says("warning: photo has no credit\n --> content/sketches/index.md:5:1");
}

#[test]
fn a_lead_diagram_needs_no_credit() {
    let (run, html) = build_lead("kind = \"diagram\"\n", "Intro.\n");
    assert!(!run.stderr.contains("credit"), "{}", run.stderr);
    assert!(
        html.contains("<figure class=\"figure lead diagram\"><picture>"),
        "{html}"
    );
    // Without it, the photo lead warns, naming both ways out.
    let (run, _) = build_lead("", "Intro.\n");
    assert!(
        run.stderr.contains("warning: lead image has no credit\n --> content/a/index.md:6:1\n  = help: add `credit = \"Name/Agency\"` under [lead]; a diagram or screenshot needs none: add `kind = \"diagram\"` or `kind = \"screenshot\"` under [lead]; or make credits optional"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_lead_kind_is_an_error_at_its_line() {
    lead_site("kind = \"chart\"\n", "Intro.\n")
        .build(&[])
        .failure(1)
        .says("error: `lead.kind` must be one of `\"photo\"`, `\"diagram\"`, `\"screenshot\"`, found `\"chart\"`")
        .says(" --> content/a/index.md:8:8");
}

#[test]
fn a_misspelt_figure_class_is_reported() {
    let site = body_site("![Boxes joined by arrows](dawn.png)\nHow a box moves. {.diagarm}\n");
    site.build(&[])
        .success()
        .says("warning: unknown figure class `.diagarm`\n --> content/a/index.md:6:1\n  = help: did you mean `{.diagram}`?")
        .says("warning: photo has no credit");
}
