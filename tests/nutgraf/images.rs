//! Responsive images: srcset widths (never upscaled), WebP where smaller,
//! lead crops, and the cache between builds.

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
    // 1200 px original: 480 and 960 resized, then the original; no 1600.
    assert_eq!(widths(&srcset_of(&html, "/a/dawn.png")), [480, 960, 1200]);
    // 640 px original: only 480 is smaller.
    let crane = srcset_of(&html, "/a/crane.png");
    assert_eq!(widths(&crane), [480, 640]);
    assert!(html.contains("sizes=\"(min-width: 72rem) 72rem, 100vw\""));
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
    let site = site.file("content/a/crane.png", png("dawn.png"));
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
