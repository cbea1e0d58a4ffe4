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
