//! Listings: home pagination, sections, tags, previous/next, feeds,
//! sitemap and robots.txt.

use crate::Site;

/// A site with `n` dated articles `a0`… (a0 oldest) tagged by parity.
fn site_with(n: usize, paginate_by: usize) -> Site {
    let mut site = Site::empty().file(
        "nutgraf.toml",
        format!("title = \"Listings\"\nbase_url = \"https://l.example.org\"\nminify = false\npaginate_by = {paginate_by}\n"),
    );
    for i in 0..n {
        let tag = if i % 2 == 0 { "Even Things" } else { "odd" };
        site = site.file(
            &format!("content/a{i}.md"),
            format!("+++\ntitle = \"Article {i}\"\ndate = 2024-01-{:02}T09:00:00+01:00\ntags = [\"{tag}\", \"all\"]\ndescription = \"About {i}.\"\n+++\n\nBody {i}.\n", i + 1),
        );
    }
    site
}

fn titles_in(html: &str) -> Vec<String> {
    html.match_indices("class=\"story-title\"><a href=\"")
        .map(|(i, _)| {
            let rest = &html[i..];
            let start = rest.find("\">").unwrap_or(0) + 2;
            let rest = &rest[start..];
            let rest = &rest[rest.find('>').unwrap_or(0) + 1..];
            rest[..rest.find('<').unwrap_or(0)].to_string()
        })
        .collect()
}

#[test]
fn home_pagination_boundaries() {
    // exactly one full page: no second page, no pagination links
    let site = site_with(4, 4);
    site.build(&[]).success();
    assert_eq!(
        titles_in(&site.output("index.html")),
        ["Article 3", "Article 2", "Article 1", "Article 0"]
    );
    assert!(!site.root.join("public/page/2").exists());
    assert!(!site.output("index.html").contains("class=\"pagination\""));

    // one more article spills onto page 2
    let site = site_with(5, 4);
    site.build(&[]).success();
    assert_eq!(titles_in(&site.output("index.html")).len(), 4);
    assert_eq!(titles_in(&site.output("page/2/index.html")), ["Article 0"]);
    assert!(!site.root.join("public/page/3").exists());
    let page2 = site.output("page/2/index.html");
    assert!(page2.contains("href=\"/\" rel=\"prev\""), "{page2}");
    assert!(page2.contains("<link rel=\"canonical\" href=\"https://l.example.org/page/2/\">"));
    assert!(
        site.output("index.html")
            .contains("href=\"/page/2/\" rel=\"next\"")
    );

    // paginate_by = 0 lists everything on one page
    let site = site_with(5, 0);
    site.build(&[]).success();
    assert_eq!(titles_in(&site.output("index.html")).len(), 5);
}

#[test]
fn tag_pages_and_index() {
    let site = site_with(5, 2);
    site.build(&[]).success();
    // "Even Things" → /tags/even-things/, newest first, paginated by 2
    assert_eq!(
        titles_in(&site.output("tags/even-things/index.html")),
        ["Article 4", "Article 2"]
    );
    assert_eq!(
        titles_in(&site.output("tags/even-things/page/2/index.html")),
        ["Article 0"]
    );
    assert_eq!(
        titles_in(&site.output("tags/odd/index.html")),
        ["Article 3", "Article 1"]
    );
    let index = site.output("tags/index.html");
    assert!(index.contains("<a class=\"tag\" href=\"/tags/even-things/\">Even Things</a> <span class=\"tag-count\">3</span>"), "{index}");
    assert!(index.contains("href=\"/tags/all/\""));
}

/// Regression: `C`, `C#` and `C++` all slugged to `c`, so they merged into
/// one `/tags/c/` page named "C++" with a count of 3. `+`, `&` and a `#`
/// after a letter are now spelled out; names differing only in case,
/// spaces or dashes are still one tag.
#[test]
fn symbols_in_tag_names_get_their_own_pages() {
    let article = |name: &str, day: u32, tags: &str| {
        format!("+++\ntitle = \"{name}\"\ndate = 2026-01-{day:02}\ntags = [{tags}]\n+++\n\nText.\n")
    };
    let site = Site::empty()
        .file("content/a.md", article("A", 1, "\"C\", \"Climate change\""))
        .file(
            "content/b.md",
            article("B", 2, "\"C#\", \"climate-change\""),
        )
        .file(
            "content/c.md",
            article("C", 3, "\"C++\", \"R&D\", \"#MeToo\""),
        );
    site.build(&[]).success();
    for (url, title) in [
        ("tags/c/index.html", "A"),
        ("tags/c-sharp/index.html", "B"),
        ("tags/c-plus-plus/index.html", "C"),
        ("tags/r-and-d/index.html", "C"),
        ("tags/metoo/index.html", "C"),
    ] {
        assert_eq!(titles_in(&site.output(url)), [title], "{url}");
    }
    assert_eq!(
        titles_in(&site.output("tags/climate-change/index.html")),
        ["B", "A"]
    );
    let index = site.output("tags/index.html");
    for (url, name) in [("c", "C"), ("c-sharp", "C#"), ("c-plus-plus", "C++")] {
        let link = format!(
            "<a class=\"tag\" href=\"/tags/{url}/\">{name}</a> <span class=\"tag-count\">1</span>"
        );
        assert!(index.contains(&link), "{link} in {index}");
    }
    // The article's own tag links lead to the same pages.
    let b = site.output("b/index.html");
    assert!(
        b.contains("<a class=\"tag\" href=\"/tags/c-sharp/\">C#</a>"),
        "{b}"
    );
}

#[test]
fn sections_list_their_articles_in_their_order() {
    let site = Site::empty()
        .file("content/guides/_index.md", "+++\ntitle = \"Guides\"\nsort_by = \"weight\"\npaginate_by = 0\n+++\nAll our guides.\n")
        .file("content/guides/b.md", "+++\ntitle = \"Beta\"\nweight = 1\ndate = 2024-01-01\n+++\n")
        .file("content/guides/a.md", "+++\ntitle = \"Alpha\"\nweight = 2\ndate = 2024-02-01\n+++\n")
        .file("content/guides/c/index.md", "+++\ntitle = \"Gamma\"\nweight = 0\n+++\n")
        .file("content/other.md", "+++\ntitle = \"Elsewhere\"\n+++\n");
    site.build(&[]).success();
    let html = site.output("guides/index.html");
    assert_eq!(titles_in(&html), ["Gamma", "Beta", "Alpha"]);
    assert!(html.contains("<p>All our guides.</p>"));
    assert!(html.contains("<h1 class=\"home-title\">Guides</h1>"));
    // the home page lists every article
    assert_eq!(titles_in(&site.output("index.html")).len(), 4);
}

#[test]
fn unknown_section_key_is_an_error() {
    let site = Site::empty().file(
        "content/g/_index.md",
        "+++\ntitle = \"G\"\nsort = \"date\"\n+++\n",
    );
    let run = site.build(&[]).failure(1);
    assert!(run.stderr.contains("error: unknown key `sort`\n --> content/g/_index.md:3:1\n  = help: did you mean `sort_by`?"), "{}", run.stderr);
}

#[test]
fn previous_and_next_follow_the_date_order() {
    let site = site_with(3, 10);
    site.build(&[]).success();
    let middle = site.output("a1/index.html");
    assert!(middle.contains("href=\"/a0/\" rel=\"prev\""), "{middle}");
    assert!(middle.contains("href=\"/a2/\" rel=\"next\""), "{middle}");
    let newest = site.output("a2/index.html");
    assert!(!newest.contains("rel=\"next\""));
}

#[test]
fn feeds_carry_every_published_article_and_nothing_else() {
    let site = site_with(3, 1)
        .file("content/draft.md", "+++\ntitle = \"Secret draft\"\ndraft = true\ntags = [\"odd\"]\n+++\n")
        .file("content/later.md", "+++\ntitle = \"Scheduled piece\"\ndate = 2999-01-01T00:00:00Z\ntags = [\"odd\"]\n+++\n");
    site.build(&[]).success();
    let atom = site.output("atom.xml");
    for i in 0..3 {
        assert!(
            atom.contains(&format!("<title>Article {i}</title>")),
            "{atom}"
        );
    }
    assert_eq!(atom.matches("<entry>").count(), 3);
    assert!(!atom.contains("Secret draft") && !atom.contains("Scheduled piece"));
    assert!(atom.contains("<updated>2024-01-03T09:00:00+01:00</updated>"));
    let odd = site.output("tags/odd/atom.xml");
    assert_eq!(odd.matches("<entry>").count(), 1);
    assert!(!odd.contains("Secret draft") && !odd.contains("Scheduled piece"));
    let sitemap = site.output("sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://l.example.org/a1/</loc>\n    <lastmod>2024-01-02T09:00:00+01:00</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(!sitemap.contains("draft") && !sitemap.contains("later"));
    assert!(!site.root.join("public/draft").exists() && !site.root.join("public/later").exists());
    assert_eq!(
        site.output("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://l.example.org/sitemap.xml\n"
    );
}

#[test]
fn article_urls_cannot_shadow_listings() {
    let site = Site::empty()
        .file("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n")
        .file(
            "content/x.md",
            "+++\ntitle = \"X\"\nslug = \"guides\"\n+++\n",
        );
    // Since issue 14 every output path is checked by one registry, which
    // names both owners and points at the `slug` that made the clash.
    site.build(&[]).failure(1).says(
        "error: `/guides/index.html` is claimed twice: by the article content/x.md and by the section content/guides/_index.md\n --> content/x.md:3:1",
    );
}

#[test]
fn feeds_and_sitemap_parse_as_xml() {
    let site = site_with(3, 2).file("content/amp.md", "+++\ntitle = \"Fish & chips <cheap>\"\ndate = 2026-01-01\ndescription = \"Salt & \\\"vinegar\\\"\"\ntags = [\"R&D\"]\n+++\n");
    site.build(&[]).success();
    for file in ["atom.xml", "sitemap.xml", "tags/r-and-d/atom.xml"] {
        let xml = site.output(file);
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut elements = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(_)) => elements += 1,
                Ok(_) => {}
                Err(e) => panic!("{file} is not well-formed XML: {e}\n{xml}"),
            }
        }
        assert!(elements > 3, "{file}: {xml}");
    }
    let atom = site.output("atom.xml");
    assert!(
        atom.contains("<title>Fish &amp; chips &lt;cheap&gt;</title>"),
        "{atom}"
    );
}

#[test]
fn updates_log_sets_date_modified_and_reading_time_counts_words() {
    let words = "word ".repeat(690);
    let site = Site::empty().file(
        "content/a.md",
        format!("+++\ntitle = \"A\"\ndate = 2024-01-02T09:00:00+01:00\nupdated = 2024-01-03T09:00:00+01:00\n\n[[updates]]\ndate = 2024-02-01T10:00:00+01:00\nnote = \"Corrected the *figure* for 2023.\"\n\n[[updates]]\ndate = 2024-01-20T10:00:00+01:00\nnote = \"Added a chart.\"\n+++\n\n{words}\n"),
    );
    site.build(&[]).success();
    let html = site.output("a/index.html");
    let graph = crate::jsonld(&html);
    let article = &crate::nodes(&graph, "NewsArticle")[0];
    assert_eq!(article["dateModified"], "2024-02-01T10:00:00+01:00");
    assert_eq!(article["wordCount"], 690);
    assert!(
        html.contains("Corrected the <em>figure</em> for 2023."),
        "{html}"
    );
    assert!(
        html.contains("<time datetime=\"2024-02-01T10:00:00+01:00\">February 1, 2024</time>"),
        "{html}"
    );
    // 690 words at 230 a minute
    assert!(html.contains("3 min read"), "{html}");
    assert!(site.output("404.html").contains("<html lang=\"en\">"));
}

#[test]
fn newsroom_theme_builds_with_its_own_stylesheet() {
    let site = site_with(2, 10);
    let newsroom_css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom/static/style.css"),
    )
    .unwrap_or_default();
    let site = site.file("nutgraf.toml", "title = \"L\"\nbase_url = \"https://l.example.org\"\ntheme = \"newsroom\"\nminify = false\n");
    site.build(&[]).success();
    let html = site.output("a0/index.html");
    let href = html
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("");
    let css = site.output(href.trim_start_matches('/'));
    assert!(
        css.starts_with(&newsroom_css[..200.min(newsroom_css.len())]),
        "the newsroom stylesheet is not the one published"
    );
}

/// The links of the site navigation (`<nav class="site-nav">`).
fn nav_links(html: &str) -> Vec<String> {
    let start = html
        .find("class=\"site-nav\"")
        .unwrap_or_else(|| panic!("no nav: {html}"));
    let nav = &html[start..start + html[start..].find("</nav>").unwrap_or(0)];
    nav.match_indices("href=\"")
        .map(|(i, m)| {
            let rest = &nav[i + m.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
        .collect()
}

/// Regression: the theme linked "Topics" to `/tags/` on every page, but
/// `/tags/` is only written when an article has tags (810 broken links on
/// a blog without tags).
#[test]
fn navigation_links_only_to_pages_that_exist() {
    let site = Site::empty().file(
        "content/plain.md",
        "+++\ntitle = \"No tags here\"\n+++\n\nText.\n",
    );
    site.build(&[]).success();
    for page in ["index.html", "plain/index.html", "404.html"] {
        assert_eq!(nav_links(&site.output(page)), ["/atom.xml"], "{page}");
    }
    assert!(!site.root.join("public/tags").exists());

    // A tag and a section later, both are written and both are linked.
    let site = site
        .file(
            "content/plain.md",
            "+++\ntitle = \"Tagged now\"\ntags = [\"Rivers\"]\n+++\n\nText.\n",
        )
        .file(
            "content/notes/_index.md",
            "+++\ntitle = \"Field notes\"\n+++\n",
        )
        .file(
            "content/notes/one.md",
            "+++\ntitle = \"One\"\n+++\n\nText.\n",
        );
    site.build(&[]).success();
    let html = site.output("plain/index.html");
    assert_eq!(nav_links(&html), ["/notes/", "/tags/", "/atom.xml"]);
    assert!(
        html.contains("<a href=\"/notes/\">Field notes</a>"),
        "{html}"
    );
    for link in nav_links(&html) {
        let rel = format!("public{link}");
        let path = site.root.join(rel.trim_end_matches('/'));
        assert!(path.exists(), "nav links to {link}, which was not written");
    }
}

/// Regression: an article with no `date` built silently, and its Atom
/// `<updated>` was another article's date. It now gets a warning at its
/// `title` (an error under `--strict` and in `check`), is left out of the
/// feeds, and has no date in its JSON-LD. Pages of a section ordered by
/// weight are reference pages: undated without a warning.
#[test]
fn an_undated_article_warns_and_borrows_no_date() {
    let site = Site::empty()
        .file(
            "content/dated.md",
            "+++\ntitle = \"Dated\"\ndate = 2026-03-04T05:06:07Z\ntags = [\"x\"]\n+++\n\nText.\n",
        )
        .file(
            "content/undated.md",
            "+++\ntitle = \"Undated\"\ntags = [\"x\"]\n+++\n\nText.\n",
        )
        .file(
            "content/docs/_index.md",
            "+++\ntitle = \"Docs\"\nsort_by = \"weight\"\n+++\n",
        )
        .file(
            "content/docs/setup.md",
            "+++\ntitle = \"Setup\"\nweight = 1\n+++\n\nText.\n",
        );
    let run = site.build(&[]).success();
    insta::assert_snapshot!(run.diagnostics(), @r"
    warning: the article has no `date`
     --> content/undated.md:2:1
      = help: add the day it was published below `title`, e.g. `date = 2026-05-01`: an undated article is listed after the dated ones and left out of the feeds, which need a date for every entry
    ");
    for feed in ["atom.xml", "tags/x/atom.xml"] {
        let xml = site.output(feed);
        assert!(xml.contains("<title>Dated</title>"), "{feed}: {xml}");
        assert!(!xml.contains("<title>Undated</title>"), "{feed}: {xml}");
        assert!(!xml.contains("<title>Setup</title>"), "{feed}: {xml}");
        assert_eq!(
            xml.matches("<updated>2026-03-04T05:06:07+00:00</updated>")
                .count(),
            2,
            "{feed}: {xml}"
        );
    }
    let graph = crate::jsonld(&site.output("undated/index.html"));
    let article = crate::nodes(&graph, "NewsArticle");
    assert_eq!(article.len(), 1, "{graph}");
    assert!(article[0].get("datePublished").is_none(), "{graph}");
    assert!(article[0].get("dateModified").is_none(), "{graph}");
    let sitemap = site.output("sitemap.xml");
    let entry = sitemap
        .split("<url>")
        .find(|u| u.contains("/undated/"))
        .unwrap_or_else(|| panic!("{sitemap}"));
    assert!(!entry.contains("<lastmod>"), "{entry}");

    site.build(&["--strict"])
        .failure(1)
        .says("error: the article has no `date`\n --> content/undated.md:2:1");
    site.nutgraf(&["check"])
        .failure(1)
        .says("error: the article has no `date`\n --> content/undated.md:2:1");
}
