//! Responsive images: srcset widths (never upscaled), WebP where smaller
//! (lossy for photos, lossless for PNG art) in `<picture>` on figures,
//! leads and cards, the theme's `sizes`, lead crops, and the cache between
//! builds.

use crate::{Site, fixtures, jsonld, nodes};

fn png(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("figures/content/harbour").join(name))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn site() -> Site {
    Site::empty()
        .file("content/a/dawn.png", png("dawn.png")) // 1200 × 800
        .file("content/a/crane.png", png("crane.png")) // 640 × 960
        .file(
            "content/a/index.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-02\n\n[lead]\nsrc = \"dawn.png\"\nalt = \"Cranes at dawn\"\ncredit = \"Staff/Fixture\"\n+++\n\nIntro.\n\n![A crane operator](crane.png)\nAn operator.\n(Staff/Fixture)\n",
        )
}

/// The `srcset` attribute of the first `<img>` whose src is `src`.
fn srcset_of(html: &str, src: &str) -> String {
    let start = html
        .find(&format!("<img src=\"{src}\""))
        .unwrap_or_else(|| panic!("no img {src} in\n{html}"));
    let tag = &html[start..start + html[start..].find('>').unwrap_or(0)];
    let attr = tag
        .split(" srcset=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no srcset in {tag}"));
    attr[..attr.find('"').unwrap_or(0)].to_string()
}

fn widths(srcset: &str) -> Vec<u32> {
    srcset
        .split(", ")
        .filter_map(|c| c.rsplit(' ').next()?.strip_suffix('w')?.parse().ok())
        .collect()
}

#[test]
fn figures_get_srcset_without_upscaling() {
    let site = site();
    site.build(&[]).success();
    let html = site.output("a/index.html");
    // 1200 px original: the default widths below it, then the original;
    // no 1200 or 1600 made.
    assert_eq!(
        widths(&srcset_of(&html, "/a/dawn.png")),
        [480, 600, 680, 760, 900, 1200]
    );
    // 640 px original: only 480 and 600 are smaller.
    let crane = srcset_of(&html, "/a/crane.png");
    assert_eq!(widths(&crane), [480, 600, 640]);
    // The built-in theme's figure slot (broadsheet: its wide column).
    assert!(
        html.contains(&format!("sizes=\"{BROADSHEET_FIGURE}\"")),
        "{html}"
    );
    // every srcset file exists
    for url in crane.split(", ").map(|c| c.split(' ').next().unwrap_or("")) {
        assert!(
            site.root
                .join("public")
                .join(url.trim_start_matches('/'))
                .is_file(),
            "{url} missing"
        );
    }
}

#[test]
fn webp_is_offered_when_smaller() {
    // Flat-colour PNGs compress far better as lossless WebP.
    let site = site();
    site.build(&[]).success();
    let html = site.output("a/index.html");
    assert!(
        html.contains("<picture><source type=\"image/webp\" srcset=\"/assets/img/"),
        "{html}"
    );
}

#[test]
fn lead_image_gets_crops_for_sharing_and_search() {
    let site = site();
    site.build(&[]).success();
    let html = site.output("a/index.html");
    let graph = jsonld(&html);
    let article = &nodes(&graph, "NewsArticle")[0];
    let images: Vec<&str> = article["image"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(images.len(), 3, "{article}");
    for (url, suffix) in images.iter().zip(["-16x9.png", "-4x3.png", "-1x1.png"]) {
        assert!(
            url.starts_with("https://test.example.org/assets/img/") && url.ends_with(suffix),
            "{url}"
        );
        let file = site
            .root
            .join("public")
            .join(url.trim_start_matches("https://test.example.org/"));
        assert!(file.is_file(), "{} missing", file.display());
    }
    // 1200 × 800 source: the crops are 1200 wide at their ratios
    let size = |suffix: &str| {
        let url = images
            .iter()
            .find(|u| u.ends_with(suffix))
            .copied()
            .unwrap_or("");
        let file = site
            .root
            .join("public")
            .join(url.trim_start_matches("https://test.example.org/"));
        imagesize::size(file)
            .map(|s| (s.width, s.height))
            .unwrap_or((0, 0))
    };
    assert_eq!(size("-16x9.png"), (1200, 675));
    assert_eq!(size("-4x3.png"), (1067, 800));
    assert_eq!(size("-1x1.png"), (800, 800));
    assert!(
        html.contains(&format!(
            "<meta property=\"og:image\" content=\"{}\">",
            images[0]
        )),
        "{html}"
    );
}

#[test]
fn second_build_takes_every_image_from_the_cache() {
    let site = site();
    let first = site.build(&[]).success();
    assert!(
        first.stderr.contains("images: 2 processed, 0 from cache"),
        "{}",
        first.stderr
    );
    let cached: Vec<_> = std::fs::read_dir(site.root.join(".nutgraf-cache/images"))
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert!(cached[0] > 0, "nothing cached");
    let second = site.build(&[]).success();
    assert!(
        second.stderr.contains("images: 0 processed, 2 from cache"),
        "{}",
        second.stderr
    );
    // the cache is never required: without it the same files come back
    let before = srcset_of(&site.output("a/index.html"), "/a/crane.png");
    std::fs::remove_dir_all(site.root.join(".nutgraf-cache")).unwrap_or_else(|e| panic!("{e}"));
    let third = site.build(&[]).success();
    assert!(
        third.stderr.contains("images: 2 processed, 0 from cache"),
        "{}",
        third.stderr
    );
    assert_eq!(
        srcset_of(&site.output("a/index.html"), "/a/crane.png"),
        before
    );
}

#[test]
fn a_changed_image_is_processed_again() {
    let site = site();
    site.build(&[]).success();
    let before = srcset_of(&site.output("a/index.html"), "/a/crane.png");
    // Not dawn.png's own bytes: those are the lead's, whose widths are
    // cached already and would be reused, as they should.
    let mut other = png("dawn.png");
    other.push(0);
    let site = site.file("content/a/crane.png", other);
    let run = site.build(&[]).success();
    assert!(
        run.stderr.contains("images: 1 processed, 1 from cache"),
        "{}",
        run.stderr
    );
    assert_ne!(
        srcset_of(&site.output("a/index.html"), "/a/crane.png"),
        before
    );
}

/// The `<img …>` tag whose src is `src`.
fn img_tag<'a>(html: &'a str, src: &str) -> &'a str {
    let start = html
        .find(&format!("<img src=\"{src}\""))
        .unwrap_or_else(|| panic!("no img {src} in\n{html}"));
    &html[start..=start + html[start..].find('>').unwrap_or(0)]
}

/// The `content` of the `<meta>` whose `property` or `name` is `key`.
fn meta<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    ["property", "name"].iter().find_map(|attr| {
        let tag = format!("<meta {attr}=\"{key}\" content=\"");
        let start = html.find(&tag)? + tag.len();
        Some(&html[start..start + html[start..].find('"')?])
    })
}

#[test]
fn svg_figures_get_their_size_from_the_root_element_and_are_never_resized() {
    let site = Site::fixture("diagrams");
    let run = site.build(&[]).success();
    let html = site.output("terminal/index.html");
    // viewBox only
    assert_eq!(
        img_tag(&html, "/terminal/route.svg"),
        "<img src=\"/terminal/route.svg\" alt=\"The route a straddle carrier drives\" width=\"400\" height=\"300\" loading=\"lazy\" decoding=\"async\">"
    );
    // the lead: viewBox after an XML declaration and a comment
    assert!(
        img_tag(&html, "/terminal/flow.svg")
            .contains(" width=\"640\" height=\"360\" fetchpriority=\"high\">"),
        "{html}"
    );
    assert_eq!(
        html.matches("<picture>").count(),
        1,
        "only the photo is resized"
    );
    // Only the photo was processed; the drawings are published as they are.
    assert!(run.stderr.contains("images: 1 processed"), "{}", run.stderr);
    assert!(site.root.join("public/terminal/flow.svg").is_file());
    assert!(
        !run.stderr.contains("cannot read the size"),
        "{}",
        run.stderr
    );
}

/// Regression: the first image of a page became its og:image even when it
/// was an SVG, which social networks and search engines do not show.
#[test]
fn an_svg_lead_was_the_sharing_image() {
    let site = Site::fixture("diagrams");
    site.build(&[]).success();
    let html = site.output("terminal/index.html");
    let photo = "https://diagrams.example.org/terminal/quay.png";
    assert_eq!(meta(&html, "og:image"), Some(photo), "{html}");
    assert_eq!(meta(&html, "og:image:width"), Some("1200"));
    assert_eq!(meta(&html, "og:image:height"), Some("800"));
    assert_eq!(
        meta(&html, "og:image:alt"),
        Some("A straddle carrier lifts a box at the quay")
    );
    assert_eq!(meta(&html, "twitter:image"), Some(photo));
    let graph = jsonld(&html);
    let article = &nodes(&graph, "NewsArticle")[0];
    let images = nodes(&graph, "ImageObject");
    assert_eq!(images.len(), 4, "the lead and three figures");
    let chosen: Vec<&serde_json::Value> = images
        .iter()
        .filter(|i| i["contentUrl"] == photo)
        .copied()
        .collect();
    assert_eq!(
        article["image"],
        serde_json::json!([{ "@id": chosen[0]["@id"] }])
    );
    crate::assert_valid_schema("terminal", &html);
}

#[test]
fn a_page_of_drawings_only_has_no_sharing_image() {
    let site = Site::fixture("diagrams");
    site.build(&[]).success();
    let html = site.output("sketches/index.html");
    assert_eq!(meta(&html, "og:image"), None, "{html}");
    assert_eq!(meta(&html, "twitter:card"), Some("summary"));
    let graph = jsonld(&html);
    assert!(nodes(&graph, "NewsArticle")[0].get("image").is_none());
    assert_eq!(nodes(&graph, "ImageObject").len(), 1);
}

/// Regression: an SVG was "not a supported image file", with a hint to
/// check its file name.
#[test]
fn an_svg_was_not_a_supported_image_file() {
    let site = Site::empty()
        .file(
            "content/a/index.md",
            "+++\ntitle = \"A\"\n+++\n\n![A flow chart](flow.svg)\nHow it flows.\n",
        )
        .file(
            "content/a/flow.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"50%\"><circle r=\"4\"/></svg>\n",
        );
    let run = site.build(&[]).success();
    assert!(
        run.stderr.contains(
            "warning: SVG `flow.svg` has no size: `width=\"50%\"` is relative, `height` is missing and `viewBox` is missing\n --> content/a/index.md:5:1\n  = help: give its `<svg>` element `width` and `height` in px"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("not a supported image"),
        "{}",
        run.stderr
    );
    // The figure is still written, without a size.
    let html = site.output("a/index.html");
    assert!(
        html.contains("<img src=\"/a/flow.svg\" alt=\"A flow chart\" fetchpriority=\"high\">"),
        "{html}"
    );
}

#[test]
fn a_truncated_photo_says_it_is_truncated() {
    let mut half = png("dawn.png");
    half.truncate(20);
    let site = Site::empty()
        .file(
            "content/a/index.md",
            "+++\ntitle = \"A\"\n+++\n\n![Cranes](dawn.png)\n(Staff)\n",
        )
        .file("content/a/dawn.png", half)
        .file(
            "content/a/page.jpg",
            "<!DOCTYPE html><html><body>Not found</body></html>",
        );
    let run = site.build(&[]).success();
    assert!(
        run.stderr.contains(
            "warning: cannot read the size of image `dawn.png`: the PNG file ends or breaks off before its size (it is truncated or damaged)\n --> content/a/index.md:5:1\n  = help: the copy in the site is incomplete"
        ),
        "{}",
        run.stderr
    );
    site.write(
        "content/a/index.md",
        "+++\ntitle = \"A\"\n+++\n\n![Cranes](page.jpg)\n(Staff)\n",
    );
    let run = site.build(&[]).success();
    assert!(
        run.stderr.contains(
            "warning: cannot read the size of image `page.jpg`: the file is not a JPEG image, although its name says so\n --> content/a/index.md:5:1\n  = help: it holds an HTML page"
        ),
        "{}",
        run.stderr
    );
}

/// The `sizes` of broadsheet's body figures and lead (its `theme.toml`).
const BROADSHEET_FIGURE: &str =
    "(max-width: 40rem) 100vw, (max-width: 74rem) calc(100vw - 2.5rem), 71.5rem";

/// A real photo, 1600 × 1067: the demo site's.
fn photo() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("content/heat-pumps-in-the-cold/outdoor-unit-in-snow.jpg");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An article whose lead is a photo also shown in its body, and another
/// with a second photo in its body only, so the home page has a card.
fn photo_site() -> Site {
    Site::empty()
        .file("content/clock/earth.jpg", photo())
        .file("content/clock/again.jpg", {
            // The same picture, other bytes: a second source.
            let mut p = photo();
            p.extend_from_slice(b"\0");
            p
        })
        .file(
            "content/clock/index.md",
            "+++\ntitle = \"Clock\"\ndate = 2024-01-02\n\n[lead]\nsrc = \"earth.jpg\"\nalt = \"A clock face over the Earth\"\ncredit = \"Staff/Fixture\"\n+++\n\nIntro.\n\n![The clock again](earth.jpg)\nThe same photo in the body.\n(Staff/Fixture)\n\n![Another clock](again.jpg)\nA second photo.\n(Staff/Fixture)\n",
        )
}

/// The `<picture>…</picture>` that holds the `<img>` whose src is `src`,
/// starting at the `<picture>` just before it.
fn picture_of<'a>(html: &'a str, src: &str) -> &'a str {
    let img = html
        .find(&format!("src=\"{src}\""))
        .unwrap_or_else(|| panic!("no img {src} in\n{html}"));
    let start = html[..img]
        .rfind("<picture>")
        .unwrap_or_else(|| panic!("no <picture> before {src} in\n{html}"));
    let end = img + html[img..].find("</picture>").unwrap_or(0) + "</picture>".len();
    &html[start..end]
}

/// The value of `attr` on the first tag of `html` that has it.
fn attr<'a>(html: &'a str, attr: &str) -> &'a str {
    let key = format!(" {attr}=\"");
    let start = html
        .find(&key)
        .map(|i| i + key.len())
        .unwrap_or_else(|| panic!("no {attr} in {html}"));
    &html[start..start + html[start..].find('"').unwrap_or(0)]
}

/// Each candidate of a `srcset`: URL and width.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|c| {
            let (url, w) = c.rsplit_once(' ').unwrap_or_else(|| panic!("{srcset}"));
            let w = w.strip_suffix('w').and_then(|w| w.parse().ok());
            (url.to_string(), w.unwrap_or_else(|| panic!("{srcset}")))
        })
        .collect()
}

#[test]
fn photos_get_a_webp_source_in_a_picture_on_figures_leads_and_cards() {
    let site = photo_site();
    site.build(&[]).success();
    let html = site.output("clock/index.html");

    // The lead: <picture> inside the <figure>, the WebP source first, the
    // JPEG <img> as the fallback with everything it had before.
    let lead = &html[html
        .find("<figure class=\"figure lead\">")
        .unwrap_or_else(|| panic!("{html}"))..];
    let lead = &lead[..lead.find("</figure>").unwrap_or(0)];
    assert!(
        lead.starts_with("<figure class=\"figure lead\"><picture><source type=\"image/webp\" srcset=\"/assets/img/"),
        "{lead}"
    );
    let img = &lead[lead.find("<img ").unwrap_or(0)..];
    assert!(
        img.starts_with("<img src=\"/clock/earth.jpg\" srcset=\"/assets/img/"),
        "{img}"
    );
    assert!(
        img.contains(" alt=\"A clock face over the Earth\" width=\"1600\" height=\"1067\" fetchpriority=\"high\"></picture><figcaption>"),
        "{img}"
    );
    assert_eq!(attr(lead, "sizes"), BROADSHEET_FIGURE, "the source's");
    assert_eq!(attr(img, "sizes"), BROADSHEET_FIGURE, "the img's");
    // The WebP set has each width the JPEG set has, the original's too.
    let webp = candidates(attr(lead, "srcset"));
    let jpeg = candidates(attr(img, "srcset"));
    assert_eq!(
        webp.iter().map(|c| c.1).collect::<Vec<_>>(),
        jpeg.iter().map(|c| c.1).collect::<Vec<_>>()
    );
    assert_eq!(
        jpeg.iter().map(|c| c.1).collect::<Vec<_>>(),
        [480, 600, 680, 760, 900, 1200, 1600]
    );

    // Body figures: the same markup, lazy.
    let again = picture_of(&html, "/clock/again.jpg");
    assert!(
        again.starts_with("<picture><source type=\"image/webp\" srcset=\"/assets/img/"),
        "{again}"
    );
    assert!(
        again.ends_with(" alt=\"Another clock\" width=\"1600\" height=\"1067\" loading=\"lazy\" decoding=\"async\"></picture>"),
        "{again}"
    );
    assert!(
        html.contains("<figcaption><span class=\"caption\">A second photo.</span> <span class=\"credit\">Staff/Fixture</span></figcaption></figure>"),
        "{html}"
    );

    // The home page's card: the lead's files with a card's `sizes`.
    let home = site.output("index.html");
    let card = picture_of(&home, "/clock/earth.jpg");
    assert_eq!(attr(card, "srcset"), attr(lead, "srcset"), "{card}");
    let card_img = &card[card.find("<img ").unwrap_or(0)..];
    assert!(
        card_img.starts_with(&format!(
            "<img class=\"story-image\" src=\"/clock/earth.jpg\" srcset=\"{}\"",
            attr(img, "srcset")
        )),
        "{card_img}"
    );
    let top_story = "(max-width: 47.99rem) calc(100vw - 2.5rem), (max-width: 72rem) calc((100vw - 4.5rem) * 3 / 5), 40.5rem";
    assert_eq!(attr(card, "sizes"), top_story);
    assert_eq!(attr(card_img, "sizes"), top_story);
    assert!(card_img.contains(" fetchpriority=\"high\">"), "{card_img}");
}

// Decodes with the `image` crate, which only the `images` feature brings.
#[cfg(feature = "images")]
#[test]
fn the_webp_files_decode_at_their_widths_and_are_smaller_than_the_jpegs() {
    let site = photo_site();
    site.build(&[]).success();
    let html = site.output("clock/index.html");
    let picture = picture_of(&html, "/clock/again.jpg");
    let img = &picture[picture.find("<img ").unwrap_or(0)..];
    let public = site.root.join("public");
    let read = |url: &str| {
        let path = public.join(url.trim_start_matches('/'));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let jpegs = candidates(attr(img, "srcset"));
    for ((url, width), (jpeg_url, _)) in candidates(attr(picture, "srcset")).iter().zip(&jpegs) {
        let bytes = read(url);
        assert!(
            bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP",
            "{url} is not a WebP file"
        );
        // Lossy ("VP8 "), not lossless ("VP8L"): it is a photo.
        assert_eq!(&bytes[12..16], b"VP8 ", "{url}");
        let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP)
            .unwrap_or_else(|e| panic!("{url} does not decode: {e}"));
        assert_eq!(decoded.width(), *width, "{url}");
        let jpeg = read(jpeg_url);
        assert!(
            bytes.len() < jpeg.len(),
            "{url}: {} bytes, the JPEG {jpeg_url} {} bytes",
            bytes.len(),
            jpeg.len()
        );
    }
}

#[test]
fn a_second_build_decodes_and_encodes_nothing_and_a_shared_photo_is_encoded_once() {
    let site = photo_site();
    let first = site.build(&[]).success();
    // Two sources: earth.jpg (the lead's widths and crops, and a figure)
    // and again.jpg, each counted once.
    assert!(
        first.stderr.contains("images: 2 processed, 0 from cache"),
        "{}",
        first.stderr
    );
    // earth.jpg's widths are one cache entry, lead and figure alike.
    let cache = site.root.join(".nutgraf-cache/images");
    let names: Vec<String> = std::fs::read_dir(&cache)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with("-480.webp")).count(),
        2,
        "one WebP set per source: {names:?}"
    );
    let before = site.output("clock/index.html");
    // `--clean` renders every page again, so every image is asked for.
    let second = site.build(&["--clean"]).success();
    assert!(
        second.stderr.contains("images: 0 processed, 2 from cache"),
        "{}",
        second.stderr
    );
    assert_eq!(site.output("clock/index.html"), before);
}

#[test]
fn format_none_and_the_old_webp_false_offer_no_webp() {
    for setting in ["format = \"none\"", "webp = false"] {
        let site = photo_site().file(
            "nutgraf.toml",
            format!("{}[images]\n{setting}\n", crate::EMPTY_CONFIG),
        );
        site.build(&[]).success();
        let html = site.output("clock/index.html");
        assert!(!html.contains("<picture>"), "{setting}: {html}");
        assert!(!html.contains(".webp"), "{setting}: {html}");
        assert!(
            html.contains("<img src=\"/clock/earth.jpg\" srcset=\""),
            "{setting}"
        );
    }
    // `webp = true`, as old configs say, is the default.
    let site = photo_site().file(
        "nutgraf.toml",
        format!("{}[images]\nwebp = true\n", crate::EMPTY_CONFIG),
    );
    site.build(&[]).success();
    assert!(
        site.output("clock/index.html")
            .contains("<picture><source type=\"image/webp\"")
    );
}

#[test]
fn a_wrong_format_names_the_line_and_the_fix() {
    let config = |images: &str| format!("{}[images]\n{images}", crate::EMPTY_CONFIG);
    let site = photo_site().file("nutgraf.toml", config("quality = 80\nformat = \"avif\"\n"));
    site.build(&[])
        .failure(2)
        .says("error: `images.format` must be `webp` or `none`, found `avif`\n --> nutgraf.toml:6:1\n  = help: nutgraf offers WebP beside photos");
    site.write("nutgraf.toml", &config("format = \"wepb\"\n"));
    site.build(&[])
        .failure(2)
        .says(" --> nutgraf.toml:5:1\n  = help: did you mean `format = \"webp\"`?");
    site.write("nutgraf.toml", &config("format = \"webp\"\nwebp = false\n"));
    site.build(&[])
        .failure(2)
        .says("error: `images.webp` and `images.format` are both set\n --> nutgraf.toml:6:1\n  = help: remove `webp`: `format` replaced it");
}

#[test]
fn a_theme_states_its_sizes_and_a_mistake_there_names_the_line() {
    let site = photo_site()
        .file("themes/plain/static/style.css", "body { margin: 0 }\n")
        .file(
            "themes/plain/theme.toml",
            "name = \"plain\"\n\n[sizes]\nfigure = \"(max-width: 30rem) 100vw, 30rem\"\nlead = \"50vw\"\n",
        )
        .file(
            "nutgraf.toml",
            format!("{}theme = \"plain\"\n", crate::EMPTY_CONFIG),
        );
    site.build(&[]).success();
    let html = site.output("clock/index.html");
    let lead = &html[html
        .find("<figure class=\"figure lead\">")
        .unwrap_or_else(|| panic!("{html}"))..];
    assert_eq!(attr(lead, "sizes"), "50vw");
    assert_eq!(
        attr(picture_of(&html, "/clock/again.jpg"), "sizes"),
        "(max-width: 30rem) 100vw, 30rem"
    );
    // The site's `[images] sizes` replaces the figures' and the lead's.
    site.write(
        "nutgraf.toml",
        &format!(
            "{}theme = \"plain\"\n[images]\nsizes = \"40vw\"\n",
            crate::EMPTY_CONFIG
        ),
    );
    site.build(&[]).success();
    let html = site.output("clock/index.html");
    assert_eq!(attr(picture_of(&html, "/clock/again.jpg"), "sizes"), "40vw");
    // A misspelt key in `[sizes]`.
    site.write(
        "themes/plain/theme.toml",
        "name = \"plain\"\n\n[sizes]\ntop_stories = \"50vw\"\n",
    );
    site.build(&[])
        .failure(2)
        .says("error: unknown key `top_stories`\n --> themes/plain/theme.toml:4:1\n  = help: did you mean `top_story`?");
}

/// Regression: `widths = []` was rejected, so no setting turned resizing
/// off. It now publishes each image as it is: no srcset, no WebP, no lead
/// crops; `<img>` keeps its intrinsic size, and `check` has no srcset
/// width to hold a small image to.
#[test]
fn empty_widths_turn_resizing_off() {
    let site = site().file(
        "nutgraf.toml",
        format!("{}[images]\nwidths = []\n", crate::EMPTY_CONFIG),
    );
    site.build(&[]).success();
    let html = site.output("a/index.html");
    assert!(!html.contains("srcset"), "{html}");
    assert!(!html.contains("image/webp"), "{html}");
    assert!(
        html.contains("<img src=\"/a/crane.png\"") && html.contains("width=\"640\" height=\"960\""),
        "{html}"
    );
    assert!(!site.root.join("public/assets/img").exists());
    assert!(site.root.join("public/a/dawn.png").is_file());
    // JSON-LD shows the original, not a crop.
    let graph = jsonld(&html);
    let images = nodes(&graph, "ImageObject");
    assert!(
        images.iter().all(|i| i["contentUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/a/dawn.png") || u.ends_with("/a/crane.png"))),
        "{graph}"
    );
    site.nutgraf(&["check"]).success();
}
