//! What the built-in themes do with the markup nutgraf gives them.

use crate::Site;

/// Regression: broadsheet's drop cap floated beside a one-line opening
/// ("Hello, readers!") and left a gap under it.
#[test]
fn only_a_long_opening_paragraph_gets_the_drop_cap() {
    let long = "The ferry to the outer islands stopped running in March, and the \
                council has spent the summer arguing about who should pay for a \
                new one. Here is what the two plans would cost, who would ride, \
                and why the vote keeps slipping.";
    let site = Site::empty()
        .file("content/short.md", "+++\ntitle = \"Short\"\n+++\n\nHello, readers!\n\n## Why?\n\nBecause.\n")
        .file("content/long.md", format!("+++\ntitle = \"Long\"\n+++\n\n{long}\n\nMore.\n"))
        .file("content/photo-first.md", format!("+++\ntitle = \"Photo first\"\n+++\n\n![A quay](/q.png)\nThe quay. (Desk)\n\n{long}\n"));
    site.build(&[]).success();
    assert!(
        site.output("short/index.html")
            .contains("<p>Hello, readers!</p>")
    );
    assert!(
        site.output("long/index.html")
            .contains("<p class=\"drop-cap\">The ferry")
    );
    assert!(!site.output("photo-first/index.html").contains("drop-cap"));

    for theme in ["broadsheet", "newsroom"] {
        let site = Site::empty().file(
            "nutgraf.toml",
            format!("title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"{theme}\"\n"),
        );
        site.build(&[]).success();
        let css = stylesheet(&site);
        // A theme may have no drop cap; one it has must need the class.
        let rules: Vec<_> = css.match_indices("::first-letter").collect();
        if theme == "broadsheet" {
            assert!(!rules.is_empty(), "broadsheet has a drop cap");
        }
        for rule in rules {
            let selector_start = css[..rule.0].rfind('}').map_or(0, |i| i + 1);
            let selector = &css[selector_start..rule.0];
            assert!(
                selector.contains(".drop-cap"),
                "{theme}: {selector}::first-letter"
            );
        }
    }
}

/// The built stylesheet (its name is content-hashed).
fn stylesheet(site: &Site) -> String {
    let dir = site.root.join("public/assets");
    let entry = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".css"))
        .unwrap_or_else(|| panic!("no stylesheet in {}", dir.display()));
    std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{e}"))
}

/// The `href`s of the page's `<link rel="…">` tags for `rel`.
fn links(html: &str, rel: &str) -> Vec<String> {
    let tag = format!("<link rel=\"{rel}\" href=\"");
    html.match_indices(&tag)
        .filter_map(|(at, _)| {
            let rest = &html[at + tag.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

/// Width and height from a PNG's IHDR.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (be(16), be(20))
}

/// Both built-in themes ship an icon: an SVG, a 32-px PNG, a 180-px
/// apple-touch-icon, and `/favicon.ico` (16 and 32 px), so the browser's
/// implicit request never 404s; every page links what exists.
#[test]
fn both_themes_ship_icons_and_every_page_links_them() {
    for theme in ["broadsheet", "newsroom"] {
        let site = Site::empty()
            .file(
                "nutgraf.toml",
                format!(
                    "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"{theme}\"\n"
                ),
            )
            .file(
                "content/a.md",
                "+++\ntitle = \"A\"\ntags = [\"x\"]\n+++\n\nBody.\n",
            );
        site.build(&[]).success();
        let read = |p: &str| {
            std::fs::read(site.root.join("public").join(p))
                .unwrap_or_else(|e| panic!("{theme}: {p}: {e}"))
        };
        assert_eq!(png_size(&read("icon-32.png")), (32, 32), "{theme}");
        assert_eq!(
            png_size(&read("apple-touch-icon.png")),
            (180, 180),
            "{theme}"
        );
        assert!(
            String::from_utf8_lossy(&read("icon.svg"))
                .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")
        );
        let ico = read("favicon.ico");
        assert_eq!(
            &ico[..6],
            &[0, 0, 1, 0, 2, 0],
            "{theme}: an ICO of two images"
        );
        assert_eq!((ico[6], ico[22]), (16, 32), "{theme}: 16 and 32 px");
        for page in [
            "index.html",
            "a/index.html",
            "tags/x/index.html",
            "404.html",
            "search/index.html",
        ] {
            let html = site.output(page);
            let mut icons = links(&html, "icon");
            icons.extend(links(&html, "apple-touch-icon"));
            assert_eq!(
                icons,
                ["/icon-32.png", "/icon.svg", "/apple-touch-icon.png"],
                "{theme}: {page}"
            );
            for href in icons {
                assert!(
                    site.root.join("public").join(&href[1..]).is_file(),
                    "{theme}: {href}"
                );
            }
        }
    }
}

/// A site's `static/` files replace the theme's icons; a theme on disk
/// without icons gets no links to files that are not there, and an icon
/// added later is linked by the next (incremental) build.
#[test]
fn site_icons_replace_the_themes_and_missing_ones_are_not_linked() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\"/></svg>\n";
    let site = Site::empty()
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nBody.\n")
        .file("static/icon.svg", svg);
    site.build(&[]).success();
    assert_eq!(site.output("icon.svg"), svg);
    assert_eq!(
        links(&site.output("a/index.html"), "icon"),
        ["/icon-32.png", "/icon.svg"]
    );

    let bare = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"plain\"\n",
        )
        .file("themes/plain/static/style.css", "body { margin: 0 }\n")
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nBody.\n");
    bare.build(&[]).success();
    let page = bare.output("a/index.html");
    assert!(
        links(&page, "icon").is_empty() && links(&page, "apple-touch-icon").is_empty(),
        "{page}"
    );
    assert!(!bare.root.join("public/favicon.ico").exists());

    bare.write("static/icon.svg", svg);
    bare.build(&[]).success();
    assert_eq!(links(&bare.output("a/index.html"), "icon"), ["/icon.svg"]);
}

/// `icon = "…"`: the icon files are made from one image (cut to its centre
/// square), the theme's go, including its SVG; the apple-touch-icon is
/// opaque; a bad source is an error at the key.
#[cfg(feature = "images")]
#[test]
fn icon_in_the_config_makes_the_icon_files() {
    let logo = image::RgbaImage::from_fn(256, 200, |x, _| {
        if x < 128 {
            image::Rgba([200, 30, 30, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org\"\nicon = \"art/logo.png\"\n",
        )
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nBody.\n");
    std::fs::create_dir_all(site.root.join("art")).unwrap_or_else(|e| panic!("{e}"));
    logo.save(site.root.join("art/logo.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    site.build(&[]).success();
    let public = site.root.join("public");
    let read = |p: &str| std::fs::read(public.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    assert_eq!(png_size(&read("icon-32.png")), (32, 32));
    let touch = image::load_from_memory(&read("apple-touch-icon.png"))
        .unwrap_or_else(|e| panic!("{e}"))
        .to_rgba8();
    assert_eq!(touch.dimensions(), (180, 180));
    assert!(touch.pixels().all(|p| p[3] == 255), "opaque");
    // Left half red, right half transparent, flattened on white.
    assert!(touch.get_pixel(10, 90)[0] > 150 && touch.get_pixel(10, 90)[1] < 80);
    assert_eq!(touch.get_pixel(170, 90).0, [255, 255, 255, 255]);
    let ico = read("favicon.ico");
    assert_eq!(&ico[..6], &[0, 0, 1, 0, 2, 0]);
    assert_eq!((ico[6], ico[22]), (16, 32));
    assert!(
        !public.join("icon.svg").exists(),
        "the theme's SVG is another picture"
    );
    let page = site.output("a/index.html");
    assert_eq!(links(&page, "icon"), ["/icon-32.png"]);
    assert_eq!(links(&page, "apple-touch-icon"), ["/apple-touch-icon.png"]);
    assert!(site.root.join(".nutgraf-cache/icons").is_dir());
    let first = read("favicon.ico");
    site.build(&[]).success();
    assert_eq!(read("favicon.ico"), first, "the cached icons are the same");

    for (icon, message, hint) in [
        (
            "static/logo.svg",
            "`icon` must be a PNG, JPEG or WebP, found the SVG `static/logo.svg`",
            "put the SVG at static/icon.svg",
        ),
        (
            "art/nope.png",
            "cannot read the icon `art/nope.png`",
            "relative to the site's folder",
        ),
    ] {
        site.write(
            "nutgraf.toml",
            &format!("title = \"T\"\nbase_url = \"https://t.example.org\"\nicon = \"{icon}\"\n"),
        );
        let run = site.build(&[]).failure(2);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert!(run.stderr.contains(hint), "{}", run.stderr);
        assert!(run.stderr.contains("nutgraf.toml:3:1"), "{}", run.stderr);
    }
    image::RgbaImage::new(64, 64)
        .save(site.root.join("art/small.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    site.write(
        "nutgraf.toml",
        "title = \"T\"\nbase_url = \"https://t.example.org\"\nicon = \"art/small.png\"\n",
    );
    site.build(&[])
        .failure(2)
        .says("cannot make icons from `art/small.png`: it is 64 x 64; the apple-touch-icon alone needs 180 x 180");
}
