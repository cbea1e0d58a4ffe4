//! The readers' search (issue 16): the index `build` writes, what it
//! leaves out, and a real search in headless Chromium.

use std::path::Path;

use crate::{EMPTY_CONFIG, Site};

/// An explainer whose word `zephyrine` appears only in one question's
/// answer, a second article, a draft and a scheduled one.
fn site() -> Site {
    let filler: String = (0..40)
        .map(|i| format!("Paragraph {i} of background on harbours and their tides.\n\n"))
        .collect();
    Site::empty()
        .file(
            "content/tides.md",
            format!(
                "+++\ntitle = \"Why harbours see different tides\"\ndate = 2024-03-01\n+++\n\nThe lede about tides.\n\n## What sets the height of a tide?\n\n{filler}## Why do some harbours have two high tides?\n\nA zephyrine basin rings twice a day.\n\n## Background\n\nCharts and more charts.\n"
            ),
        )
        .file(
            "content/bridges.md",
            "+++\ntitle = \"How bridges move\"\ndate = 2024-02-01\n+++\n\nBridges stretch in the heat.\n\n## Why do joints have teeth?\n\nSo that the deck can slide.\n",
        )
        .file(
            "content/draft.md",
            "+++\ntitle = \"Draft\"\ndraft = true\n+++\n\nA draftonlyword.\n",
        )
}

fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_build_writes_the_search_page_and_the_index_and_search_false_does_not() {
    let site = site();
    site.build(&["--drafts"]).success();
    let files = names(&site.root.join("public"));
    for f in [
        "search/index.html",
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
        "pagefind/wasm.en.pagefind",
    ] {
        assert!(files.contains(&f.to_string()), "{f} not in {files:?}");
    }
    assert!(
        files.iter().any(|f| f.starts_with("pagefind/fragment/")),
        "{files:?}"
    );
    // Pagefind's own UI bundles are not published: the theme's page uses
    // its API.
    assert!(
        !files.iter().any(|f| f.contains("pagefind-ui")),
        "{files:?}"
    );
    let entry = site.output("pagefind/pagefind-entry.json");
    // Two published articles: the draft, built with --drafts, is left out.
    assert!(entry.contains("\"page_count\":2"), "{entry}");
    let headers = site.output("_headers");
    assert!(headers.contains("/pagefind/fragment/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"), "{headers}");
    let article = site.output("tides/index.html");
    assert!(article.contains("action=\"/search/\""), "{article}");
    // The header field is a plain form: no script on the article page.
    assert!(!article.contains("<script type=\"module\""), "{article}");

    let off = site.file("nutgraf.toml", format!("{EMPTY_CONFIG}search = false\n"));
    off.build(&[]).success();
    let files = names(&off.root.join("public"));
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("pagefind/") || f.starts_with("search/")),
        "{files:?}"
    );
    assert!(
        !off.output("tides/index.html")
            .contains("action=\"/search/\"")
    );
}

#[test]
fn a_site_file_cannot_take_the_index_s_place() {
    let site = site().file("static/pagefind/pagefind.js", "// mine\n");
    site.build(&[])
        .failure(1)
        .says("`/pagefind/pagefind.js` is claimed twice: by the search index (Pagefind) and by the static file static/pagefind/pagefind.js");
}

/// Serves `dir` on 127.0.0.1 from this process (tower-http's ServeDir).
#[cfg(feature = "serve")]
async fn serve_dir(dir: &Path) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

/// Issue 16, item 3: a word that only one question's answer holds finds
/// that question first, and its link scrolls to the heading.
#[cfg(feature = "serve")]
#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn a_search_finds_the_question_that_answers_it_and_its_link_scrolls_there() {
    use crate::serve::{browser, eval, start_chromedriver, wait_for};
    let site = site();
    site.build(&[]).success();
    let (_driver, driver_port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let port = serve_dir(&site.root.join("public")).await;
        let c = browser(driver_port, profile.path()).await;
        c.goto(&format!("http://127.0.0.1:{port}/search/"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Typed into the field, as a reader would.
        let field = c
            .find(fantoccini::Locator::Id("search-field"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        field.send_keys("zephyrine").await.unwrap_or_else(|e| panic!("{e}"));
        wait_for(&c, "return !!document.querySelector('#search-results a')", "a result").await;
        let first = eval(&c, "return document.querySelector('#search-results a').getAttribute('href')").await;
        assert_eq!(first, "/tides/#why-do-some-harbours-have-two-high-tides");
        let title = eval(&c, "return document.querySelector('#search-results a').textContent").await;
        assert_eq!(title, "Why do some harbours have two high tides?");
        let status = eval(&c, "return document.getElementById('search-status').textContent").await;
        assert_eq!(status, "1 explainer matches “zephyrine”");
        let excerpt = eval(&c, "return document.querySelector('#search-results .search-result-excerpt').innerHTML").await;
        assert!(excerpt.as_str().is_some_and(|e| e.contains("<mark>zephyrine</mark>")), "{excerpt}");
        eval(&c, "document.querySelector('#search-results a').click(); return true").await;
        wait_for(&c, "return location.pathname === '/tides/' && document.readyState === 'complete'", "the article").await;
        // The heading is at the top of the window, far down the page.
        wait_for(
            &c,
            "const h = document.getElementById('why-do-some-harbours-have-two-high-tides'); const top = h.getBoundingClientRect().top; return window.scrollY > 500 && top >= -2 && top < 200",
            "the question's heading scrolled into view",
        )
        .await;
        let _ = c.close().await;
    });
}

/// Issue 16, item 4: `serve` indexes its pages when a reader first
/// searches, and again after an edit, in a real browser.
#[cfg(feature = "serve")]
#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn serve_searches_the_pages_it_previews_and_follows_an_edit() {
    use crate::serve::{browser, eval, start_chromedriver, wait_for};
    let site = site();
    let serve = crate::start_serve(&site.root);
    let (_driver, driver_port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let first_result = "const a = document.querySelector('#search-results a'); return a ? a.getAttribute('href') : null";
    runtime.block_on(async {
        let c = browser(driver_port, profile.path()).await;
        let search = |q: &str| format!("http://127.0.0.1:{}/search/?q={q}", serve.port);
        c.goto(&search("zephyrine"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_for(
            &c,
            "return !!document.querySelector('#search-results a')",
            "a result",
        )
        .await;
        assert_eq!(
            eval(&c, first_result).await,
            "/tides/#why-do-some-harbours-have-two-high-tides"
        );
        // The writer renames the word; once the pass is served, a search
        // finds the new one and not the old.
        let text = std::fs::read_to_string(site.root.join("content/tides.md"))
            .unwrap_or_else(|e| panic!("{e}"));
        site.write("content/tides.md", &text.replace("zephyrine", "quillwort"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !crate::raw_get(serve.port, "/tides/").contains("quillwort") {
            assert!(
                std::time::Instant::now() < deadline,
                "the edit was never served"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        c.goto(&search("quillwort"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_for(
            &c,
            "return !!document.querySelector('#search-results a')",
            "a result for the new word",
        )
        .await;
        assert_eq!(
            eval(&c, first_result).await,
            "/tides/#why-do-some-harbours-have-two-high-tides"
        );
        c.goto(&search("zephyrine"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_for(
            &c,
            "return document.getElementById('search-status').textContent.startsWith('No results')",
            "no result for the old word",
        )
        .await;
        let _ = c.close().await;
    });
}
