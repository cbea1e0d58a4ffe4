//! Which outputs a pass re-renders after each kind of edit, on a small
//! site in a temporary folder.

use super::*;

const CONFIG: &str =
    "title = \"T\"\nbase_url = \"https://t.example.org\"\nminify = false\npaginate_by = 2\n";

/// An article whose lede (its summary) is fixed by its title; `body` is
/// the answer under its one question.
fn article(title: &str, date: &str, tags: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{tags}]\n+++\n\nAbout {title}.\n\n## Why?\n\n{body}\n"
    )
}

/// What shows article C's summary in the fixture: its own page, the
/// listing page and tag page that list it, the feeds that carry it and the
/// sitemap (keyed by the summaries). An edit that changes the summary
/// renders exactly these.
const SHOWS_C_SUMMARY: [&str; 6] = [
    "atom.xml",
    "c/index.html",
    "page/2/index.html",
    "sitemap.xml",
    "tags/y/atom.xml",
    "tags/y/index.html",
];

struct Fixture {
    dir: tempfile::TempDir,
    session: Session,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = Fixture {
            session: Session::new(dir.path(), true),
            dir,
        };
        f.write("nutgraf.toml", CONFIG);
        f.write(
            "content/a.md",
            &article("A", "2024-01-05", "\"x\"", "Alpha."),
        );
        f.write(
            "content/b.md",
            &article("B", "2024-01-04", "\"x\", \"y\"", "Bravo."),
        );
        f.write(
            "content/c.md",
            &article("C", "2024-01-03", "\"y\"", "Charlie."),
        );
        f.write("content/d.md", &article("D", "2024-01-02", "", "Delta."));
        f.write("content/e.md", &article("E", "2024-01-01", "", "Echo."));
        f
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// A pass after editing `rel` (`None` deletes it); the files rendered.
    fn pass(&mut self, rel: &str, text: Option<&str>) -> Vec<String> {
        match text {
            Some(t) => self.write(rel, t),
            None => std::fs::remove_file(self.path(rel)).expect("remove"),
        }
        let dirty = [self.path(rel)];
        let report = self.session.rebuild(&dirty, false).expect("pass");
        report.rendered
    }

    fn first(&mut self) -> PassReport {
        self.session.rebuild(&[], false).expect("first pass")
    }
}

fn html(files: &[String]) -> Vec<&str> {
    files.iter().map(String::as_str).collect()
}

#[test]
fn first_pass_renders_everything_and_a_second_nothing() {
    let mut f = Fixture::new();
    let first = f.first();
    assert!(first.rendered.contains(&"a/index.html".to_string()));
    assert!(first.rendered.contains(&"atom.xml".to_string()));
    assert!(f.session.files().contains_key("e/index.html"));
    let again = f.session.rebuild(&[], false).expect("pass");
    assert_eq!(again.rendered, Vec::<String>::new());
    assert_eq!(again.changed, Vec::<String>::new());
}

#[test]
fn a_body_edit_renders_the_page_and_what_shows_its_summary() {
    let mut f = Fixture::new();
    f.first();
    // C is on home page 2 (two per page: A B | C D | E), tagged y.
    let rendered = f.pass(
        "content/c.md",
        Some(&article(
            "C",
            "2024-01-03",
            "\"y\"",
            "Charlie, now much longer than before.",
        )),
    );
    // The word count is part of the summary, so the listings that show C
    // and the feeds that carry it are rendered again, and the sitemap (its
    // key is built from the summaries' keys, which is cheaper than hashing
    // 10,000 URLs and errs on the side of rendering); nothing else.
    assert_eq!(html(&rendered), SHOWS_C_SUMMARY);
    let page = &f.session.files()["c/index.html"];
    let Served::Bytes(bytes) = page else {
        panic!("not rendered: {page:?}")
    };
    let bytes = bytes.unpack().unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&bytes).contains("now much longer"));
}

#[test]
fn a_lede_edit_renders_what_shows_the_summary() {
    let mut f = Fixture::new();
    f.first();
    // The same word count, but the first paragraph is C's summary (it has
    // no `description`): the listings and feeds that print it change.
    let text = article("C", "2024-01-03", "\"y\"", "Because.").replace("About C.", "Above C.");
    let rendered = f.pass("content/c.md", Some(&text));
    assert_eq!(html(&rendered), SHOWS_C_SUMMARY);
    let Served::Bytes(feed) = &f.session.files()["atom.xml"] else {
        panic!("feed not rendered")
    };
    let feed = feed.unpack().unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&feed).contains("<summary>Above C.</summary>"));
}

#[test]
fn an_edit_that_keeps_the_summary_renders_only_the_page() {
    let mut f = Fixture::new();
    f.first();
    // Same word count, same lede, same front matter: no summary changes, so
    // the listings, feeds and sitemap are kept wholesale without being keyed.
    let rendered = f.pass(
        "content/c.md",
        Some(&article("C", "2024-01-03", "\"y\"", "Charles.")),
    );
    assert_eq!(html(&rendered), ["c/index.html"]);
    // Kept files are still served.
    for kept in [
        "index.html",
        "page/2/index.html",
        "tags/y/index.html",
        "atom.xml",
        "sitemap.xml",
    ] {
        assert!(f.session.files().contains_key(kept), "{kept} dropped");
    }
    // The pass after still knows the kept files' keys: an edit that does
    // change C's summary renders exactly its listings again.
    let rendered = f.pass(
        "content/c.md",
        Some(&article(
            "C",
            "2024-01-03",
            "\"y\"",
            "Charles, at length now.",
        )),
    );
    assert_eq!(html(&rendered), SHOWS_C_SUMMARY);
}

#[test]
fn a_title_edit_also_renders_the_neighbours() {
    let mut f = Fixture::new();
    f.first();
    let rendered = f.pass(
        "content/c.md",
        Some(&article("C2", "2024-01-03", "\"y\"", "Charlie.")),
    );
    for file in ["b/index.html", "c/index.html", "d/index.html"] {
        assert!(
            rendered.contains(&file.to_string()),
            "{file} not in {rendered:?}"
        );
    }
    for file in [
        "a/index.html",
        "e/index.html",
        "index.html",
        "page/3/index.html",
        "tags/x/index.html",
    ] {
        assert!(
            !rendered.contains(&file.to_string()),
            "{file} in {rendered:?}"
        );
    }
}

#[test]
fn a_tag_change_renders_old_and_new_tag_pages() {
    let mut f = Fixture::new();
    f.first();
    let rendered = f.pass(
        "content/c.md",
        Some(&article("C", "2024-01-03", "\"z\"", "Charlie.")),
    );
    for file in [
        "tags/y/index.html",
        "tags/y/atom.xml",
        "tags/z/index.html",
        "tags/z/atom.xml",
        "tags/index.html",
    ] {
        assert!(
            rendered.contains(&file.to_string()),
            "{file} not in {rendered:?}"
        );
    }
    assert!(
        !rendered.contains(&"tags/x/index.html".to_string()),
        "{rendered:?}"
    );
    assert!(f.session.files().contains_key("tags/z/index.html"));
}

#[test]
fn a_deletion_removes_the_page_and_renders_its_neighbours_and_listings() {
    let mut f = Fixture::new();
    f.first();
    let before = f.session.files().len();
    let rendered = f.pass("content/e.md", None);
    assert!(!f.session.files().contains_key("e/index.html"));
    assert!(f.session.files().len() < before);
    // D lost its older neighbour; page 3 of the home listing is gone.
    assert!(
        rendered.contains(&"d/index.html".to_string()),
        "{rendered:?}"
    );
    assert!(!f.session.files().contains_key("page/3/index.html"));
    assert!(
        !rendered.contains(&"a/index.html".to_string()),
        "{rendered:?}"
    );
}

#[test]
fn a_template_edit_renders_only_the_pages_that_use_it() {
    let mut f = Fixture::new();
    f.first();
    let page_html = crate::theme::builtin_template("page.html").expect("built-in page.html");
    let rendered = f.pass(
        "templates/page.html",
        Some(&page_html.replace("</article>", "<p>edited</p></article>")),
    );
    let articles: Vec<&str> = html(&rendered)
        .into_iter()
        .filter(|f| f.len() == "a/index.html".len() && f.ends_with("/index.html"))
        .collect();
    assert_eq!(
        articles,
        [
            "a/index.html",
            "b/index.html",
            "c/index.html",
            "d/index.html",
            "e/index.html"
        ]
    );
    assert!(
        !rendered
            .iter()
            .any(|f| f.starts_with("tags/") || f == "index.html"),
        "{rendered:?}"
    );
    // base.html is used by every page: all HTML renders again.
    let base = crate::theme::builtin_template("base.html").expect("built-in base.html");
    let rendered = f.pass(
        "templates/base.html",
        Some(&base.replace("<body", "<body data-x=\"1\"")),
    );
    assert!(rendered.contains(&"index.html".to_string()), "{rendered:?}");
    assert!(
        rendered.contains(&"tags/x/index.html".to_string()),
        "{rendered:?}"
    );
    assert!(!rendered.contains(&"atom.xml".to_string()), "{rendered:?}");
}

#[test]
fn an_error_keeps_the_last_good_site() {
    let mut f = Fixture::new();
    f.first();
    f.write("content/c.md", "+++\ntitle = \n+++\n");
    let Err(err) = f.session.rebuild(&[f.path("content/c.md")], false) else {
        panic!("a broken article must fail the pass");
    };
    assert!(err.to_string().contains("content/c.md"), "{err}");
    assert!(f.session.files().contains_key("c/index.html"));
    // Fixing it renders again.
    let rendered = f.pass(
        "content/c.md",
        Some(&article("C", "2024-01-03", "\"y\"", "Fixed.")),
    );
    assert!(rendered.contains(&"c/index.html".to_string()));
}

/// Body edits reuse the last pass's shape (URLs, tags, aliases, claims);
/// a front matter edit right after must still be judged afresh: here an
/// alias onto another article's URL, which no body edit could add.
#[test]
fn after_body_edits_a_front_matter_edit_is_checked_again() {
    let mut f = Fixture::new();
    f.first();
    f.pass(
        "content/c.md",
        Some(&article("C", "2024-01-03", "\"y\"", "Body one.")),
    );
    f.pass(
        "content/c.md",
        Some(&article("C", "2024-01-03", "\"y\"", "Body two.")),
    );
    let clash = article("C", "2024-01-03", "\"y\"", "Body two.")
        .replace("tags = [", "aliases = [\"/a/\"]\ntags = [");
    f.write("content/c.md", &clash);
    let Err(err) = f.session.rebuild(&[f.path("content/c.md")], false) else {
        panic!("an alias onto another article's URL must fail the pass");
    };
    assert!(err.to_string().contains("alias `/a/`"), "{err}");
    // A tag added by the next edit gets its page, and the body edit
    // before it counted too.
    let tagged = article("C", "2024-01-03", "\"y\", \"z\"", "Body three.");
    let rendered = f.pass("content/c.md", Some(&tagged));
    assert!(
        rendered.contains(&"tags/z/index.html".to_string()),
        "{rendered:?}"
    );
    let Served::Bytes(page) = &f.session.files()["c/index.html"] else {
        panic!("not rendered")
    };
    let page = page.unpack().unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&page).contains("Body three."));
}

/// Issue 16: editing a component's template renders again exactly the
/// pages whose Markdown calls it, through their dependency keys.
#[test]
fn a_component_edit_renders_only_the_pages_that_call_it() {
    let mut f = Fixture::new();
    let note = |word: &str| {
        format!(
            "{{% component note(kind: string = \"info\") %}}<aside class=\"{{{{ kind }}}}\">{word} {{{{ body }}}}</aside>{{% endcomponent note %}}"
        )
    };
    f.write("templates/components/note.html", &note("First"));
    f.write(
        "content/c.md",
        &article(
            "C",
            "2024-01-03",
            "\"y\"",
            "{% note() %}\nCharlie.\n{% end %}",
        ),
    );
    f.first();
    let page = |f: &Fixture| match f.session.files().get("c/index.html") {
        Some(crate::output::Served::Bytes(packed)) => {
            String::from_utf8_lossy(&packed.unpack().expect("unpack")).into_owned()
        }
        _ => panic!("c/index.html is not served"),
    };
    assert!(
        page(&f).contains("<aside class=\"info\">First <p>Charlie.</p>"),
        "{}",
        page(&f)
    );
    let rendered = f.pass("templates/components/note.html", Some(&note("Second")));
    assert_eq!(html(&rendered), ["c/index.html"]);
    assert!(
        page(&f).contains("<aside class=\"info\">Second <p>Charlie.</p>"),
        "{}",
        page(&f)
    );
    // An edit elsewhere in the templates leaves the page alone.
    let rendered = f.pass(
        "templates/components/other.html",
        Some("{% component other() %}x{% endcomponent other %}"),
    );
    assert_eq!(html(&rendered), Vec::<&str>::new());
}

#[test]
fn a_page_with_an_internal_link_follows_its_target_when_it_moves() {
    let mut f = Fixture::new();
    // A links to E, which is not its neighbour (A B C D E by date).
    f.write(
        "content/a.md",
        &article("A", "2024-01-05", "\"x\"", "Ask [Echo](@/e.md#why)."),
    );
    f.first();
    let page = |f: &Fixture| match f.session.files().get("a/index.html") {
        Some(crate::output::Served::Bytes(packed)) => {
            String::from_utf8_lossy(&packed.unpack().expect("unpack")).into_owned()
        }
        _ => panic!("a/index.html is not served"),
    };
    assert!(page(&f).contains("href=\"/e/#why\""), "{}", page(&f));
    let moved = "+++\ntitle = \"E\"\ndate = 2024-01-01\nslug = \"echo\"\n+++\n\nAbout E.\n\n## Why?\n\nEcho.\n";
    let rendered = f.pass("content/e.md", Some(moved));
    assert!(
        rendered.contains(&"a/index.html".to_string()),
        "{rendered:?}"
    );
    assert!(page(&f).contains("href=\"/echo/#why\""), "{}", page(&f));
    // An edit of E that leaves its URL alone leaves A alone.
    let rendered = f.pass(
        "content/e.md",
        Some(&moved.replace("Echo.", "Echo, again.")),
    );
    assert!(
        !rendered.contains(&"a/index.html".to_string()),
        "{rendered:?}"
    );
}

/// The text of an index's fragments (Pagefind gzips each page's words
/// and excerpt into one).
#[cfg(feature = "search")]
fn indexed_text(files: &crate::search::Files) -> String {
    use std::io::Read;
    let mut text = String::new();
    for (name, bytes) in files.iter() {
        if name.starts_with("fragment/") {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            text.push_str(&String::from_utf8_lossy(&plain));
        }
    }
    text
}

#[cfg(feature = "search")]
#[test]
fn serve_indexes_when_searched_and_the_index_follows_edits_drafts_and_deletions() {
    let mut f = Fixture::new();
    f.first();
    let search = f.session.shared_search();
    let index = || {
        search
            .files()
            .unwrap_or_else(|e| panic!("{e:#}"))
            .expect("search is on")
    };
    let first = index();
    assert!(first.contains_key("pagefind.js"));
    let text = indexed_text(&first);
    for word in ["Alpha", "Charlie", "Delta", "Echo"] {
        assert!(text.contains(word), "{word} not indexed");
    }
    // Nothing changed: the same index, not built again.
    assert!(std::sync::Arc::ptr_eq(&first, &index()));
    // A pass that renders nothing leaves it too.
    f.session.rebuild(&[], false).expect("pass");
    assert!(std::sync::Arc::ptr_eq(&first, &index()));

    f.pass(
        "content/c.md",
        Some(&article("C", "2024-01-03", "\"y\"", "Zanzibar.")),
    );
    let text = indexed_text(&index());
    assert!(text.contains("Zanzibar") && !text.contains("Charlie"));
    // A draft is previewed but not indexed; a deleted article is gone.
    f.pass(
        "content/d.md",
        Some("+++\ntitle = \"D\"\ndate = 2024-01-02\ndraft = true\n+++\n\nAbout D.\n\n## Why?\n\nDelta.\n"),
    );
    f.pass("content/e.md", None);
    let text = indexed_text(&index());
    assert!(!text.contains("Delta") && !text.contains("Echo"), "{text}");
    assert!(text.contains("Alpha"));
    // `search = false`: no index at all.
    f.write("nutgraf.toml", &format!("{CONFIG}search = false\n"));
    f.session
        .rebuild(&[f.path("nutgraf.toml")], true)
        .expect("pass");
    assert!(!search.enabled());
    assert!(search.files().unwrap_or_else(|e| panic!("{e:#}")).is_none());
}

/// The site paths of a report's changed pages, as serve sends them.
fn changed_pages(report: &PassReport) -> Vec<String> {
    report
        .changed
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| crate::serve::site_path(f))
        .collect()
}

#[test]
fn the_article_saved_is_the_one_to_follow() {
    let mut f = Fixture::new();
    f.first();
    // The lede is C's summary: the listing that shows it changes too.
    f.write(
        "content/c.md",
        &article("C", "2024-01-03", "\"y\"", "Charlie.").replace("About C.", "Above C."),
    );
    let saved = [f.path("content/c.md")];
    let report = f.session.rebuild(&saved, false).expect("pass");
    let pages = changed_pages(&report);
    // Page 2 of the home page lists C and changed too: C is the one saved.
    assert!(pages.contains(&"/page/2/".to_string()), "{pages:?}");
    assert_eq!(
        f.session.saved_article(&saved, &pages),
        Some("/c/".to_string())
    );

    // Saved again unchanged: nothing to follow.
    let report = f.session.rebuild(&saved, false).expect("pass");
    assert_eq!(
        f.session.saved_article(&saved, &changed_pages(&report)),
        None
    );

    // A template or a stylesheet saved is no article.
    f.write("templates/page.html", "{{ page.title }}");
    let template = [f.path("templates/page.html")];
    let report = f.session.rebuild(&template, false).expect("pass");
    let pages = changed_pages(&report);
    assert!(pages.contains(&"/c/".to_string()), "{pages:?}");
    assert_eq!(f.session.saved_article(&template, &pages), None);
}

/// A site in English and Korean: A and its translation A.ko, English B,
/// Korean C.
fn bilingual() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = Fixture {
        session: Session::new(dir.path(), true),
        dir,
    };
    f.write(
        "nutgraf.toml",
        &format!("{CONFIG}[languages.ko]\ntitle = \"K\"\n"),
    );
    f.write(
        "content/a.md",
        &article("A", "2024-01-05", "\"x\"", "Alpha."),
    );
    f.write(
        "content/a.ko.md",
        &article("가", "2024-01-05", "\"x\"", "알파."),
    );
    f.write(
        "content/b.md",
        &article("B", "2024-01-04", "\"x\"", "Bravo."),
    );
    f.write("content/c.ko.md", &article("다", "2024-01-03", "", "찰리."));
    f
}

/// Editing a translation renders that page and what its language lists
/// of it, and its siblings only when what they show of it (its title, its
/// URL) changed: never the other language's listings.
#[test]
fn a_translation_edit_renders_its_page_its_languages_listings_and_no_other() {
    let mut f = bilingual();
    let first = f.first();
    for file in [
        "a/index.html",
        "ko/a/index.html",
        "ko/index.html",
        "ko/atom.xml",
    ] {
        assert!(first.rendered.contains(&file.to_string()), "{file}");
    }
    // A longer body: its word count is in its summary.
    let rendered = f.pass(
        "content/a.ko.md",
        Some(&article(
            "가",
            "2024-01-05",
            "\"x\"",
            "알파, 이제 훨씬 더 길어졌습니다.",
        )),
    );
    assert_eq!(
        html(&rendered),
        [
            "ko/a/index.html",
            "ko/atom.xml",
            "ko/index.html",
            "ko/tags/x/atom.xml",
            "ko/tags/x/index.html",
            "sitemap.xml",
        ]
    );
    // A new title: the English original's switcher and `hreflang` links
    // show it as a version, and C's page shows it as its neighbour.
    let rendered = f.pass(
        "content/a.ko.md",
        Some(&article(
            "가나",
            "2024-01-05",
            "\"x\"",
            "알파, 이제 훨씬 더 길어졌습니다.",
        )),
    );
    assert_eq!(
        html(&rendered),
        [
            "a/index.html",
            "ko/a/index.html",
            "ko/atom.xml",
            "ko/c/index.html",
            "ko/index.html",
            "ko/tags/x/atom.xml",
            "ko/tags/x/index.html",
            "sitemap.xml",
        ]
    );
    let Served::Bytes(bytes) = &f.session.files()["ko/index.html"] else {
        panic!("not rendered")
    };
    let home =
        String::from_utf8_lossy(&bytes.unpack().unwrap_or_else(|e| panic!("{e}"))).into_owned();
    assert!(home.contains("가나"));
    assert!(
        !home.contains(">B<"),
        "the Korean home lists no English article"
    );
}
