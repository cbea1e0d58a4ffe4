//! CDN-ready output: hashed asset names, SRI, `_headers`, `_redirects` and
//! alias pages.

use crate::Site;

const ARTICLE: &str = "+++\ntitle = \"Why now?\"\ndate = 2024-01-02\naliases = [\"/2019/why-now/\", \"/old.html\"]\n+++\n\nBody.\n";

fn theme_site(css: &str) -> Site {
    Site::empty()
        .file("nutgraf.toml", "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"mine\"\nminify = false\n")
        .file("content/why-now.md", ARTICLE)
        .file("themes/mine/static/style.css", css)
        .file("themes/mine/static/js/menu.js", "console.log(1);\n")
        .file("themes/mine/static/img/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .file(
            "themes/mine/templates/base.html",
            "{% set css = asset(path=\"style.css\") %}{% set js = asset(path=\"js/menu.js\") %}<link rel=\"stylesheet\" href=\"{{ css.url }}\" integrity=\"{{ css.integrity }}\"><script src=\"{{ js.url }}\" integrity=\"{{ js.integrity }}\"></script>{% block title %}{% endblock title %}{% block meta %}{% endblock meta %}{% block head %}{% endblock head %}{% block body_class %}{% endblock body_class %}{% block content %}{% endblock content %}",
        )
}

/// The hashed file names under public/assets/, sorted.
fn asset_names(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(site.root.join("public/assets"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(site.root.join("public"))
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn hashed_names_change_with_content_and_only_then() {
    let site = theme_site("body { color: black; }\n");
    site.build(&[]).success();
    let first = asset_names(&site);
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(
        first[0].starts_with("assets/js/menu.") && first[0].ends_with(".js"),
        "{first:?}"
    );
    assert!(
        first[1].starts_with("assets/style.") && first[1].ends_with(".css"),
        "{first:?}"
    );
    // unhashed theme files are copied as they are
    assert!(site.root.join("public/img/logo.svg").is_file());

    site.build(&[]).success();
    assert_eq!(
        asset_names(&site),
        first,
        "an unchanged rebuild must keep the names"
    );

    let site = site.file("themes/mine/static/style.css", "body { color: navy; }\n");
    site.build(&[]).success();
    let second = asset_names(&site);
    assert_eq!(second[0], first[0], "menu.js did not change");
    assert_ne!(second[1], first[1], "style.css changed, so must its name");

    // the page links the current names, with SRI hashes of their bytes
    let html = site.output("why-now/index.html");
    let css = std::fs::read(site.root.join("public").join(&second[1])).unwrap_or_default();
    let expected = format!(
        "href=\"/{}\" integrity=\"{}\"",
        second[1],
        nutgraf::assets::integrity(&css)
    );
    assert!(html.contains(&expected), "{html}");
}

#[test]
fn unknown_asset_is_a_template_error() {
    let site = theme_site("a{}").file(
        "themes/mine/templates/page.html",
        "{% set a = asset(path=\"nope.css\") %}{{ a.url }}",
    );
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr
            .contains("no hashed asset `nope.css`; known: js/menu.js, style.css"),
        "{}",
        run.stderr
    );
}

#[test]
fn aliases_become_redirects_and_pages() {
    let site = Site::empty().file("content/why-now.md", ARTICLE);
    site.build(&[]).success();
    assert_eq!(
        site.output("_redirects"),
        "# Written by nutgraf from the articles' `aliases`.\n/2019/why-now/ /why-now/ 301\n/old.html /why-now/ 301\n"
    );
    let page = site.output("2019/why-now/index.html");
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"0; url=/why-now/\">"));
    assert!(page.contains("<link rel=\"canonical\" href=\"https://test.example.org/why-now/\">"));
    assert!(site.output("old.html").contains("url=/why-now/"));
}

/// Regression: aliases written the Zola/Hugo way, without the leading `/`,
/// were all rejected with "alias `…` is not a site path".
#[test]
fn aliases_without_a_leading_slash_redirect_like_the_others() {
    let site = Site::empty().file(
        "content/why-now.md",
        "+++\ntitle = \"Why now?\"\naliases = [\"2015/02/20/why-now.html\", \"old-name\"]\n+++\n\nBody.\n",
    );
    site.build(&[]).success();
    assert_eq!(
        site.output("_redirects"),
        "# Written by nutgraf from the articles' `aliases`.\n/2015/02/20/why-now.html /why-now/ 301\n/old-name/ /why-now/ 301\n"
    );
    assert!(
        site.output("2015/02/20/why-now.html")
            .contains("url=/why-now/")
    );
    assert!(site.output("old-name/index.html").contains("url=/why-now/"));
}

/// Without the slash an alias gets the same checks: one of a page's URL,
/// or one already claimed with the slash, is an error.
#[test]
fn aliases_without_a_leading_slash_are_validated_as_site_paths() {
    let site = Site::empty()
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\naliases = [\"b\", \"../up/\"]\n+++\n",
        )
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\naliases = [\"/shared/\"]\n+++\n",
        )
        .file(
            "content/c.md",
            "+++\ntitle = \"C\"\naliases = [\"shared/\"]\n+++\n",
        );
    site.build(&[])
        .failure(1)
        .says("error: alias `b` is the URL of a page\n --> content/a.md:3:12")
        .says("error: alias `../up/` is not a site path\n --> content/a.md:3:17")
        .says("error: alias `shared/` is also claimed by `content/b.md`\n --> content/c.md:3:12");
}

/// An alias's redirect page would overwrite a bundle's file published at
/// that path.
#[test]
fn an_alias_on_a_bundle_file_is_an_error() {
    let site = Site::empty()
        .file(
            "content/Report.2024/index.md",
            "+++\ntitle = \"Report\"\n+++\n\nThe [full text](full.html).\n",
        )
        .file("content/Report.2024/full.html", "<p>The full text.</p>\n")
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\naliases = [\"report-2024/full.html\"]\n+++\n",
        );
    site.build(&[]).failure(1).says(
        "error: alias `report-2024/full.html` is the URL of the file `content/Report.2024/full.html`\n --> content/b.md:3:12",
    );
}

#[test]
fn bad_aliases_are_errors() {
    let site = Site::empty()
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\naliases = [\"https://old.example.org/a/\"]\n+++\n",
        )
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\naliases = [\"/a/\"]\n+++\n",
        );
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr.contains(
            "error: alias `https://old.example.org/a/` is not a site path\n --> content/a.md:3:12"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: alias `/a/` is the URL of a page\n --> content/b.md:3:12"),
        "{}",
        run.stderr
    );
}

#[test]
fn headers_make_hashed_assets_immutable_and_pages_revalidate() {
    let site = Site::empty().file("content/why-now.md", ARTICLE);
    site.build(&[]).success();
    let headers = site.output("_headers");
    assert!(
        headers.contains("/*\n  Cache-Control: public, max-age=0, must-revalidate\n"),
        "{headers}"
    );
    assert!(
        headers.contains(
            "/assets/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable\n"
        ),
        "{headers}"
    );
    // the built-in stylesheet lives under /assets/ with a hashed name
    let html = site.output("why-now/index.html");
    assert!(
        html.contains("<link rel=\"stylesheet\" href=\"/assets/style."),
        "{html}"
    );
}

#[test]
fn pages_are_minified_by_default_and_the_option_turns_it_off() {
    let article =
        "+++\ntitle = \"Why now?\"\nfaq = true\n+++\n\nSome   text.\n\n## Why now?\n\nBecause.\n";
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org\"\n",
        )
        .file("content/a.md", article);
    site.build(&[]).success();
    let minified = site.output("a/index.html");
    let site = site.file(
        "nutgraf.toml",
        "title = \"T\"\nbase_url = \"https://t.example.org\"\nminify = false\n",
    );
    site.build(&[]).success();
    let plain = site.output("a/index.html");
    assert!(
        minified.len() < plain.len(),
        "{} >= {}",
        minified.len(),
        plain.len()
    );
    // The theme's markup is minified: its indentation is gone, tags and
    // attributes stay as written.
    assert!(!minified.contains("\n  "), "{minified}");
    assert!(
        plain.contains("<header class=\"site-header\">\n  <div class=\"site-header-inner\">"),
        "{plain}"
    );
    assert!(
        minified.contains("<header class=\"site-header\">\n<div class=\"site-header-inner\">"),
        "{minified}"
    );
    // The article body is nutgraf's own compact output and is kept byte
    // for byte (see src/minify.rs), exactly as without minification.
    let body = |html: &str| {
        let start = html.find("<p>Some").expect("body start");
        let len = html[start..].find("</div>").expect("body end");
        html[start..start + len].trim_end().to_string()
    };
    assert!(
        minified.contains("<p>Some   text.</p>\n<h2 id=\"why-now\" class=\"question\">"),
        "{minified}"
    );
    assert!(plain.contains(&body(&minified)), "{plain}");
    // structured data survives minification unchanged
    assert_eq!(crate::jsonld(&minified), crate::jsonld(&plain));
}
