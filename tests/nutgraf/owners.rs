//! One owner per output path (issue 14): two sources of one output file
//! fail the build and `check`, naming both; aliases and slugs are plain
//! paths, so no front matter can add a rule to `_redirects`.

use crate::{EMPTY_CONFIG, Site};

fn article(title: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2024-03-01\n{extra}+++\n\nA short body about {title}.\n"
    )
}

/// Build and `check` both fail with `text` on stderr.
#[track_caller]
fn both_fail_with(site: &Site, text: &str) {
    site.build(&[]).failure(1).says(text);
    site.nutgraf(&["check"]).failure(1).says(text);
}

/// Regression: `aliases = ["/index.html"]` replaced the home page with a
/// redirect stub, with exit 0 and a silent `check`.
#[test]
fn an_alias_on_the_home_page_is_an_error() {
    let site = Site::empty()
        .file("content/_index.md", "+++\ntitle = \"Front\"\n+++\n")
        .file(
            "content/moved.md",
            article("Moved", "aliases = [\"/index.html\"]\n"),
        );
    both_fail_with(
        &site,
        "error: `/index.html` is claimed twice: by the alias in content/moved.md:4:12 and by the home page (content/_index.md)\n --> content/moved.md:4:12",
    );
    assert!(
        !site.root.join("public").exists(),
        "a failed build wrote output"
    );
}

/// Regression: an alias on `/404.html` replaced the 404 page.
#[test]
fn an_alias_on_the_404_page_is_an_error() {
    let site = Site::empty().file(
        "content/gone.md",
        article("Gone", "aliases = [\"404.html\"]\n"),
    );
    both_fail_with(
        &site,
        "error: `/404.html` is claimed twice: by the alias in content/gone.md:4:12 and by the 404 page\n --> content/gone.md:4:12",
    );
}

/// Regression: an alias on another article's `…/index.html` replaced that
/// article with a redirect stub.
#[test]
fn an_alias_on_an_articles_index_html_is_an_error() {
    let site = Site::empty()
        .file("content/tides.md", article("Tides", ""))
        .file(
            "content/moon.md",
            article("Moon", "aliases = [\"/tides/index.html\"]\n"),
        );
    both_fail_with(
        &site,
        "error: `/tides/index.html` is claimed twice: by the alias in content/moon.md:4:12 and by the article content/tides.md\n --> content/moon.md:4:12",
    );
}

/// Regression: an alias on a tag page's second page replaced it.
#[test]
fn an_alias_on_a_tag_pagination_page_is_an_error() {
    let site = Site::empty()
        .file("nutgraf.toml", format!("{EMPTY_CONFIG}paginate_by = 1\n"))
        .file("content/one.md", article("One", "tags = [\"Rivers\"]\n"))
        .file(
            "content/two.md",
            article(
                "Two",
                "tags = [\"Rivers\"]\naliases = [\"/tags/rivers/page/2/\"]\n",
            ),
        );
    both_fail_with(
        &site,
        "error: `/tags/rivers/page/2/index.html` is claimed twice: by the alias in content/two.md:5:12 and by page 2 of the tag page `Rivers`\n --> content/two.md:5:12",
    );
}

/// Regression: with `paginate_by = 1`, an article at `content/page/2.md`
/// was replaced by the home page's second page.
#[test]
fn an_article_where_the_home_pages_second_page_goes_is_an_error() {
    let site = Site::empty()
        .file("nutgraf.toml", format!("{EMPTY_CONFIG}paginate_by = 1\n"))
        .file("content/first.md", article("First", ""))
        .file("content/page/2.md", article("Second", ""));
    both_fail_with(
        &site,
        "error: `/page/2/index.html` is claimed twice: by the article content/page/2.md and by page 2 of the home page\n --> content/page/2.md:1:1",
    );
}

/// Regression: `aliases = ["/sitemap.xml"]` failed with an I/O error that
/// named the temporary build folder instead of the article.
#[test]
fn an_alias_on_the_sitemap_names_the_article() {
    let site = Site::empty().file(
        "content/map.md",
        article("Map", "aliases = [\"/sitemap.xml\"]\n"),
    );
    let run = site.build(&[]).failure(1).says(
        "error: `/sitemap.xml` is claimed twice: by the alias in content/map.md:4:12 (as the folder of `/sitemap.xml/index.html`) and by the sitemap\n --> content/map.md:4:12",
    );
    assert!(!run.stderr.contains("nutgraf-new"), "{}", run.stderr);
    site.nutgraf(&["check"])
        .failure(1)
        .says("`/sitemap.xml` is claimed twice");
}

/// Static files used to be silently overwritten by a page of the same
/// path; now a static file in a page's way is an error naming the file.
#[test]
fn a_static_file_where_a_page_goes_is_an_error() {
    let site = Site::empty()
        .file("content/a.md", article("A", ""))
        .file("static/404.html", "<p>Our own not-found page</p>\n")
        .file("static/robots.txt", "User-agent: *\n");
    both_fail_with(
        &site,
        "error: `/404.html` is claimed twice: by the 404 page and by the static file static/404.html\n --> static/404.html:1:1",
    );
    site.build(&[])
        .failure(1)
        .says("error: `/robots.txt` is claimed twice: by robots.txt and by the static file static/robots.txt\n --> static/robots.txt:1:1");
}

/// A file beside the articles and a static file of the same output path.
#[test]
fn a_content_file_where_a_static_file_goes_is_an_error() {
    let site = Site::empty()
        .file("content/a.md", article("A", ""))
        .file(
            "content/img/chart.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file(
            "static/img/chart.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        );
    both_fail_with(
        &site,
        "error: `/img/chart.svg` is claimed twice: by the file content/img/chart.svg and by the static file static/img/chart.svg\n --> content/img/chart.svg:1:1",
    );
}

/// By design a site's static file replaces its theme's file of the same
/// name: that is how a site overrides a theme, so it is not an error.
#[test]
fn a_site_static_file_overrides_the_themes() {
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"mine\"\nminify = false\n",
        )
        .file("content/a.md", article("A", ""))
        .file("themes/mine/static/style.css", "body { margin: 0; }\n")
        .file("themes/mine/static/img/mark.svg", "<svg id=\"theme\"/>")
        .file("static/img/mark.svg", "<svg id=\"site\"/>");
    site.build(&[]).success();
    assert_eq!(site.output("img/mark.svg"), "<svg id=\"site\"/>");
    site.nutgraf(&["check"]).success();
}

/// Regression: an alias holding a TAB or a line break wrote extra fields
/// and rules into `_redirects` (`/ /a/ 301!`).
#[test]
fn control_characters_in_aliases_are_errors() {
    let site = Site::empty().file(
        "content/a.md",
        article("A", "aliases = [\"/x\\t/a/ 301!\", \"/y\\n/ /a/ 301!\"]\n"),
    );
    let run = site.build(&[]).failure(1);
    let run = run
        .says("error: alias `/x\\t/a/ 301!` holds the control character U+0009\n --> content/a.md:4:1\n")
        .says("error: alias `/y\\n/ /a/ 301!` holds the control character U+000A\n --> content/a.md:4:1\n")
        .says("help: an alias is a plain site path");
    // Written with TOML escapes, the aliases cannot be found literally:
    // the errors point at the `aliases` key.
    assert!(
        !site.root.join("public/_redirects").exists(),
        "{}",
        run.stderr
    );
    site.nutgraf(&["check"])
        .failure(1)
        .says("holds the control character U+0009");
}

#[test]
fn spaces_at_the_ends_and_backslashes_in_aliases_are_errors() {
    let site = Site::empty().file(
        "content/a.md",
        article("A", "aliases = [\" /old/\", \"/old\\\\path/\"]\n"),
    );
    site.build(&[])
        .failure(1)
        .says("error: alias ` /old/` has spaces at its start or end\n --> content/a.md:4:12\n")
        .says(
            "error: alias `/old\\\\path/` holds a `\\` (site paths use `/`)\n --> content/a.md:4:1\n",
        );
}

#[test]
fn slugs_must_be_plain_too() {
    let site = Site::empty()
        .file("content/a.md", article("A", "slug = \"tab\\there\"\n"))
        .file("content/b.md", article("B", "slug = \"trailing \"\n"))
        .file("content/c.md", article("C", "slug = \"back\\\\slash\"\n"));
    let run = site.build(&[]).failure(1);
    run.says(
        "error: slug `tab\\there` holds the control character U+0009\n --> content/a.md:4:1\n",
    )
    .says("error: slug `trailing ` has spaces at its start or end\n --> content/b.md:4:1")
    .says("error: slug `back\\\\slash` holds a `\\` (site paths use `/`)\n --> content/c.md:4:1")
    .says("help: a slug is a plain URL segment");
    site.nutgraf(&["check"])
        .failure(1)
        .says("slug `trailing ` has spaces");
}

/// Plain aliases still build, one rule a line.
#[test]
fn plain_aliases_still_write_one_rule_a_line() {
    let site = Site::empty().file(
        "content/a.md",
        article("A", "aliases = [\"/2019/a/\", \"old-a.html\"]\n"),
    );
    site.build(&[]).success();
    assert_eq!(
        site.output("_redirects"),
        "# Written by nutgraf from the articles' `aliases`.\n/2019/a/ /a/ 301\n/old-a.html /a/ 301\n"
    );
    site.nutgraf(&["check"]).success();
}
