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
