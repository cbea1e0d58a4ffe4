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
        // `::first-letter`, or `:first-letter` as minified CSS writes it.
        let rules: Vec<_> = css.match_indices(":first-letter").collect();
        if theme == "broadsheet" {
            assert!(!rules.is_empty(), "broadsheet has a drop cap");
        }
        for rule in rules {
            let selector_start = css[..rule.0].rfind('}').map_or(0, |i| i + 1);
            let selector = &css[selector_start..rule.0];
            assert!(
                selector.contains(".drop-cap"),
                "{theme}: {selector}:first-letter"
            );
        }
    }
}

/// Every stylesheet part the build wrote, concatenated (their names are
/// content-hashed).
fn stylesheet(site: &Site) -> String {
    let dir = site.root.join("public/assets");
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "css"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no stylesheet in {}", dir.display());
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}")))
        .collect()
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

/// The stylesheets a page links, as their logical names: `/assets/code.1a2b3c4d5e.css`
/// gives `code.css`. Each one's SRI hash must match the published file.
fn stylesheet_parts(site: &Site, page: &str) -> Vec<String> {
    let html = site.output(page);
    let tag = "<link rel=\"stylesheet\" href=\"";
    html.match_indices(tag)
        .map(|(at, _)| {
            let rest = &html[at + tag.len()..];
            let url = &rest[..rest.find('"').unwrap_or(0)];
            let integrity = rest
                .split_once("integrity=\"")
                .and_then(|(_, r)| r.split_once('"'))
                .map(|(i, _)| i)
                .unwrap_or_default();
            let bytes = std::fs::read(site.root.join("public").join(url.trim_start_matches('/')))
                .unwrap_or_else(|e| panic!("{page} links {url}: {e}"));
            assert_eq!(
                integrity,
                nutgraf::assets::integrity(&bytes),
                "{page}: {url}"
            );
            // assets/components/embed.0123456789.css -> components/embed.css
            let name = url.trim_start_matches("/assets/");
            let (stem, _) = name.rsplit_once('.').unwrap_or((name, ""));
            let (stem, hash) = stem.rsplit_once('.').unwrap_or((stem, ""));
            assert_eq!(hash.len(), 10, "{url} is not hashed");
            format!("{stem}.css")
        })
        .collect()
}

/// Each page loads style.css and only the parts for what it shows: the
/// article part on articles (and on a listing whose intro has a table), a
/// component's part where the page calls it, code.css where there is code.
#[test]
fn pages_load_only_the_stylesheet_parts_they_use() {
    let code = "+++\ntitle = \"Code\"\ndate = 2024-01-03\ntags = [\"T\"]\n+++\n\nText.[^n]\n\n{% key_facts() %}\n- One.\n{% end %}\n\n```rust\nfn main() {}\n```\n\n> [!NOTE]\n> Heads up.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^n]: A note.\n";
    let plain = "+++\ntitle = \"Plain\"\ndate = 2024-01-02\n+++\n\nJust *words* and `code`.\n";
    for theme in ["broadsheet", "newsroom"] {
        let site = Site::empty()
            .file(
                "nutgraf.toml",
                format!(
                    "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"{theme}\"\n"
                ),
            )
            .file(
                "content/_index.md",
                "+++\ntitle = \"Home\"\n+++\n\nA *plain* intro.\n",
            )
            .file("content/code.md", code)
            .file("content/plain.md", plain)
            .file(
                "content/guides/_index.md",
                "+++\ntitle = \"Guides\"\n+++\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            )
            .file("content/guides/one.md", plain.replace("Plain", "One"));
        site.build(&[]).success();
        let parts = |page: &str| stylesheet_parts(&site, page);
        assert_eq!(
            parts("code/index.html"),
            [
                "style.css",
                "article.css",
                "blocks/quotes.css",
                "blocks/alerts.css",
                "blocks/tables.css",
                "blocks/footnotes.css",
                "components/key_facts.css",
                "code.css"
            ],
            "{theme}"
        );
        assert_eq!(
            parts("plain/index.html"),
            ["style.css", "article.css"],
            "{theme}"
        );
        assert_eq!(parts("index.html"), ["style.css", "listing.css"], "{theme}");
        assert_eq!(
            parts("guides/index.html"),
            [
                "style.css",
                "listing.css",
                "article.css",
                "blocks/tables.css"
            ],
            "{theme}"
        );
        assert_eq!(
            parts("tags/t/index.html"),
            ["style.css", "listing.css"],
            "{theme}"
        );
        assert_eq!(
            parts("tags/index.html"),
            ["style.css", "listing.css"],
            "{theme}"
        );
        assert_eq!(parts("404.html"), ["style.css"], "{theme}");
        // The highlighting CSS rides with code.css, not with style.css.
        let code_css = std::fs::read_to_string(
            site.root.join("public").join(
                site.output("code/index.html")
                    .split("href=\"/")
                    .find(|s| s.starts_with("assets/code."))
                    .and_then(|s| s.split('"').next())
                    .unwrap_or_default(),
            ),
        )
        .unwrap_or_default();
        assert!(
            code_css.contains(".hl-"),
            "{theme}: code.css has the token colours"
        );
        assert!(
            !stylesheet_of(&site, "plain/index.html").contains(".hl-"),
            "{theme}"
        );
    }
}

/// Published stylesheets are minified like pages (comments and
/// whitespace only, by a real CSS parser), and published as the theme
/// wrote them with `minify = false`.
#[test]
fn published_stylesheets_are_minified_unless_minify_is_off() {
    let article = "+++\ntitle = \"A\"\ndate = 2024-01-03\n+++\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom/static/style.css"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for minify in [true, false] {
        let site = Site::empty()
            .file(
                "nutgraf.toml",
                format!("title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"newsroom\"\nminify = {minify}\n"),
            )
            .file("content/a.md", article);
        site.build(&[]).success();
        let css = stylesheet_of(&site, "a/index.html");
        let base = site
            .output("a/index.html")
            .split("href=\"/")
            .find(|s| s.starts_with("assets/style."))
            .and_then(|s| s.split('"').next())
            .map(|url| std::fs::read_to_string(site.root.join("public").join(url)))
            .unwrap_or_else(|| panic!("no style.css link"))
            .unwrap_or_else(|e| panic!("{e}"));
        if nutgraf::minify::AVAILABLE && minify {
            assert!(!css.contains("/*"), "comments are gone");
            assert!(!css.contains("\n  "), "indentation is gone");
            assert!(
                base.len() < source.len() * 4 / 5,
                "{} of {}",
                base.len(),
                source.len()
            );
            // Math keeps the spaces CSS requires, media queries their form.
            assert!(base.contains("clamp("), "{base}");
            assert!(!base.contains("rem+") && !base.contains("vw+"), "{base}");
            assert!(css.contains("@media (max-width:40rem)"), "{css}");
        } else {
            assert_eq!(base, source);
        }
    }
}

/// The CSS a page loads, concatenated.
fn stylesheet_of(site: &Site, page: &str) -> String {
    let html = site.output(page);
    html.split("<link rel=\"stylesheet\" href=\"/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|url| std::fs::read_to_string(site.root.join("public").join(url)).unwrap_or_default())
        .collect()
}

/// A site's `static/` file named like a theme part replaces it under the
/// hashed name and is not also published at its plain path; a theme of
/// one `style.css` still works, its pages linking what exists.
#[test]
fn a_site_part_replaces_the_themes_and_a_one_file_theme_still_works() {
    let site = Site::empty()
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n")
        .file("static/article.css", ".article { color: rebeccapurple; }\n")
        .file("static/style.css", "body { color: teal; }\n");
    site.build(&[]).success();
    assert_eq!(
        stylesheet_parts(&site, "a/index.html"),
        ["style.css", "article.css"]
    );
    let css = stylesheet_of(&site, "a/index.html");
    assert!(css.starts_with("body { color: teal; }"), "{css}");
    assert!(css.contains("rebeccapurple"), "{css}");
    assert!(!site.root.join("public/article.css").exists());
    assert!(!site.root.join("public/style.css").exists());

    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"plain\"\n",
        )
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\n+++\n\n```rust\nlet x = 1;\n```\n",
        )
        .file("themes/plain/theme.toml", "name = \"plain\"\n")
        .file("themes/plain/static/style.css", "body { margin: 0 }\n");
    site.build(&[]).success();
    // No code.css in this theme: the page links what there is, and its
    // code still gets its colours.
    assert_eq!(stylesheet_parts(&site, "a/index.html"), ["style.css"]);
    assert!(site.output("a/index.html").contains("<style>@media"));
    assert_eq!(stylesheet_parts(&site, "index.html"), ["style.css"]);
}

/// A rebuild after only a stylesheet part changed relinks every page to
/// the part's new hashed name: pages read the asset names, so a build
/// must not keep a page that still names the old one.
#[test]
fn a_changed_part_is_relinked_on_an_incremental_build() {
    let site = Site::empty()
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n")
        .file("static/article.css", ".article { color: teal; }\n");
    site.build(&[]).success();
    assert!(stylesheet_of(&site, "a/index.html").contains("teal"));
    let site = site.file("static/article.css", ".article { color: navy; }\n");
    site.build(&[]).success();
    let css = stylesheet_of(&site, "a/index.html");
    assert!(css.contains("navy"), "{css}");
    assert_eq!(
        stylesheet_parts(&site, "a/index.html"),
        ["style.css", "article.css"]
    );
}

/// Regression: a site's `static/style.css` replaced the theme's stylesheet
/// as documented, but was also published unhashed at `/style.css`. It is
/// published once, as the hashed stylesheet every page links.
#[test]
fn a_site_stylesheet_is_published_once() {
    let site = Site::empty()
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\n\nText.\n",
        )
        .file("static/style.css", "body { color: #123456; }\n");
    site.build(&[]).success();
    let public = site.root.join("public");
    assert!(!public.join("style.css").exists());
    let holding: Vec<_> = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            std::fs::read(e.path()).is_ok_and(|b| String::from_utf8_lossy(&b).contains("#123456"))
        })
        .map(|e| e.path().strip_prefix(&public).map(|p| p.to_path_buf()))
        .collect();
    assert_eq!(holding.len(), 1, "{holding:?}");
    let index = site.output("index.html");
    let Ok(css) = &holding[0] else {
        panic!("{holding:?}")
    };
    let href = format!("href=\"/{}\"", css.display());
    assert!(
        css.starts_with("assets") && index.contains(&href),
        "{href} in {index}"
    );
}
