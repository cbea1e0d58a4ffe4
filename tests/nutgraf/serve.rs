//! `nutgraf serve` end to end. The live-reload test runs in a real headless
//! Chromium (Debian's `chromium` and `chromium-driver`, installed by
//! `.ci/run`), driven over WebDriver with fantoccini; it is marked ignored,
//! so plain `cargo test` lists it as such, and
//! `cargo test -- --include-ignored` runs it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::{Guard, Site, free_port, start_serve};

fn paragraphs(n: usize, word: &str) -> String {
    (0..n)
        .map(|i| format!("Paragraph {i} about {word}, long enough to take a line or two on a narrow screen and push the page down.\n\n"))
        .collect()
}

fn article(title: &str, date: &str, lede: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\n+++\n\n{lede}\n\n{}## Why does it matter?\n\n{}",
        paragraphs(30, "context"),
        paragraphs(30, "stakes")
    )
}

/// The site both serve tests start from: two dated articles.
fn two_articles() -> Site {
    Site::empty()
        .file(
            "content/a.md",
            article("Why now?", "2024-03-01", "The original lede."),
        )
        .file(
            "content/b.md",
            article("What about bridges?", "2024-02-01", "Another lede."),
        )
}

pub(crate) fn start_chromedriver() -> (Guard, u16) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("chromedriver not found ({e}): install Debian's chromium and chromium-driver (.ci/run does)")
        });
    let guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (guard, port)
}

pub(crate) async fn browser(driver_port: u16, profile: &Path) -> Client {
    browser_with(driver_port, profile, &[]).await
}

/// [`browser`], with more Chromium switches.
pub(crate) async fn browser_with(driver_port: u16, profile: &Path, extra: &[&str]) -> Client {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,700",
    ]
    .iter()
    .chain(extra)
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .unwrap_or_else(|e| panic!("connect to chromedriver: {e}"))
}

pub(crate) async fn eval(c: &Client, js: &str) -> Value {
    c.execute(js, vec![])
        .await
        .unwrap_or_else(|e| panic!("execute `{js}`: {e}"))
}

/// Polls `js` until it returns true; panics with `what` after 10 s.
pub(crate) async fn wait_for(c: &Client, js: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if eval(c, js).await == Value::Bool(true) {
            return;
        }
        if Instant::now() > deadline {
            let body = eval(c, "return document.body.innerText.slice(0, 2000)").await;
            panic!("timed out waiting for {what}; page text: {body}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Serves `site`, opens a fresh headless Chromium and runs `test` with it
/// and the server's port; the browser and the server stop afterwards.
pub(crate) fn in_browser(site: &Site, test: impl AsyncFnOnce(&Client, u16)) {
    in_browser_with(site, &[], &[], test)
}

/// [`in_browser`], with `serve_args` for `nutgraf serve` and
/// `browser_args` for Chromium.
pub(crate) fn in_browser_with(
    site: &Site,
    serve_args: &[&str],
    browser_args: &[&str],
    test: impl AsyncFnOnce(&Client, u16),
) {
    let serve = crate::start_serve_with(&site.root, serve_args);
    let (_driver, driver_port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let c = browser_with(driver_port, profile.path(), browser_args).await;
        test(&c, serve.port).await;
        let _ = c.close().await;
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn live_reload_in_a_real_browser() {
    let site = two_articles();
    in_browser(&site, async |c, port| {
        let base = format!("http://127.0.0.1:{port}");
        c.goto(&format!("{base}/a/"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_for(
            c,
            "return document.body.innerText.includes('The original lede.')",
            "the article",
        )
        .await;
        // A marker that a navigation or reload would wipe out.
        eval(
            c,
            "window.__marker = 42; window.scrollTo({ top: 900, behavior: 'instant' }); return true",
        )
        .await;
        let scrolled = eval(c, "return window.scrollY").await;
        assert!(
            scrolled.as_f64().unwrap_or(0.0) > 500.0,
            "page too short to scroll: {scrolled}"
        );

        // 1. Edit a paragraph in view: the new text appears in place, the
        // scroll position is kept.
        let visible = eval(
            c,
            "return Array.from(document.querySelectorAll('.prose p')).findIndex((p) => { \
               const box = p.getBoundingClientRect(); \
               return box.top > 0 && box.bottom < window.innerHeight; })",
        )
        .await;
        let visible = visible
            .as_u64()
            .unwrap_or_else(|| panic!("no paragraph in view"));
        // The lede is the first paragraph, then those about context.
        let in_view = |lede: &str| {
            article("Why now?", "2024-03-01", lede).replace(
                &format!("Paragraph {} about context", visible - 1),
                "A paragraph in view, edited just now",
            )
        };
        site.write("content/a.md", &in_view("The original lede."));
        wait_for(
            c,
            "return document.body.innerText.includes('A paragraph in view, edited just now')",
            "the edited paragraph",
        )
        .await;
        assert_eq!(
            eval(c, "return window.__marker").await,
            json!(42),
            "the page was reloaded"
        );
        assert_eq!(
            eval(c, "return window.scrollY").await,
            scrolled,
            "scroll position lost"
        );

        // 1b. Edit the lede, above the viewport: the page goes to it.
        site.write("content/a.md", &in_view("The edited lede, saved just now."));
        wait_for(
            c,
            "const p = document.querySelector('.prose p'); \
             return p.innerText.includes('The edited lede, saved just now.') \
             && p.getBoundingClientRect().bottom > 0",
            "the edited lede, scrolled into view",
        )
        .await;
        assert_eq!(
            eval(c, "return window.__marker").await,
            json!(42),
            "the page was reloaded"
        );

        // 2. Edit the CSS: the style changes without a reload.
        site.write(
            "static/style.css",
            "body { background-color: rgb(1, 2, 3); }\n",
        );
        wait_for(
            c,
            "return getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'",
            "the new stylesheet",
        )
        .await;
        assert_eq!(
            eval(c, "return window.__marker").await,
            json!(42),
            "the page was reloaded"
        );

        // 3. Break the front matter: an overlay names the file and line.
        site.write(
            "content/a.md",
            "+++\ntitle = \"Why now?\"\ndate = 2024-13-45\n+++\n\nBroken.\n",
        );
        wait_for(
            c,
            "const o = document.getElementById('nutgraf-overlay'); \
             return !!o && o.innerText.includes('content/a.md:3')",
            "the error overlay naming content/a.md:3",
        )
        .await;
        // The last good page is still what the page shows.
        assert_eq!(
            eval(
                c,
                "return document.body.innerText.includes('The edited lede')"
            )
            .await,
            json!(true)
        );

        // 4. Fix it: the overlay goes.
        site.write(
            "content/a.md",
            &article("Why now?", "2024-03-01", "The fixed lede."),
        );
        wait_for(
            c,
            "return !document.getElementById('nutgraf-overlay') && document.body.innerText.includes('The fixed lede.')",
            "the overlay to go",
        )
        .await;
        assert_eq!(
            eval(c, "return window.__marker").await,
            json!(42),
            "the page was reloaded"
        );

        // 4b. Add the article's first table: the page links the table
        // styles (blocks/tables.css) without a reload, and drops them
        // when the table goes.
        let with_table = article("Why now?", "2024-03-01", "The fixed lede.")
            + "\n| Year | Cost |\n|---|---|\n| 2024 | 3 |\n";
        site.write("content/a.md", &with_table);
        wait_for(
            c,
            "const t = document.querySelector('.prose table'); \
             return !!t && getComputedStyle(t).borderCollapse === 'collapse' \
             && !!document.querySelector('link[href*=\"blocks/tables\"]')",
            "the table, styled by blocks/tables.css",
        )
        .await;
        site.write(
            "content/a.md",
            &article("Why now?", "2024-03-01", "The lede without a table."),
        );
        wait_for(
            c,
            "return document.body.innerText.includes('without a table') \
             && !document.querySelector('link[href*=\"blocks/tables\"]')",
            "the table styles to go",
        )
        .await;
        assert_eq!(
            eval(c, "return window.__marker").await,
            json!(42),
            "the page was reloaded"
        );

        // 5. Add an article with the home page open: the tab follows the
        // writer to it (with `--no-follow`, the home page lists it in
        // place: authoring.rs).
        c.goto(&format!("{base}/"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_for(
            c,
            "return document.body.innerText.includes('Why now?')",
            "the home page",
        )
        .await;
        site.write(
            "content/c.md",
            &article("A brand new explainer", "2024-04-01", "New."),
        );
        wait_for(
            c,
            "return location.pathname === '/c/' \
             && document.body.innerText.includes('A brand new explainer')",
            "the tab to go to the new article",
        )
        .await;
    });
}

/// GETs `path` from the server with a plain HTTP/1.0 request; the status
/// code and body.
fn get(port: u16, path: &str) -> (u16, String) {
    let response = crate::raw_get(port, path);
    let code = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

/// Polls until the served page at `path` satisfies `ok`, for up to two
/// minutes: a debug build renders the 50 MB page slowly when the browser
/// tests run beside it on two cores.
fn wait_until(port: u16, path: &str, what: &str, ok: impl Fn(u16, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (code, body) = get(port, path);
        if ok(code, &body) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {code} {body:.300}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn bad_input_while_serving_never_stops_the_server() {
    let site = two_articles();
    let mut serve = start_serve(&site.root);
    let port = serve.port;
    wait_until(port, "/a/", "the article", |c, b| {
        c == 200 && b.contains("The original lede.")
    });

    // Invalid UTF-8: the last good page stays served.
    site.write("content/c.md", "+++\ntitle = \"C\"\n+++\n\nok\n");
    wait_until(port, "/c/", "the new article", |c, _| c == 200);
    std::fs::write(
        site.root.join("content/c.md"),
        b"+++\ntitle = \"C\"\n+++\n\n\xff\xfe broken\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(500));
    wait_until(port, "/c/", "the last good page", |c, b| {
        c == 200 && b.contains("<p>ok</p>")
    });

    // A 50 MB Markdown file renders (slowly) without taking the server down.
    let huge = format!(
        "+++\ntitle = \"Huge\"\n+++\n\n{}",
        "A paragraph of filler text, again and again and again.\n\n".repeat(50_000_000 / 56)
    );
    site.write("content/c.md", &huge);
    wait_until(port, "/c/", "the huge page", |c, b| {
        c == 200 && b.contains("Huge")
    });
    assert_eq!(get(port, "/a/").0, 200);

    // Deleting the content folder leaves an empty site, still served.
    std::fs::remove_dir_all(site.root.join("content")).unwrap_or_else(|e| panic!("{e}"));
    wait_until(port, "/a/", "the deleted article to go", |c, _| c == 404);
    assert_eq!(get(port, "/").0, 200);

    // …and bringing it back is picked up again.
    site.write(
        "content/a.md",
        &article("Back again", "2024-03-01", "Restored."),
    );
    wait_until(port, "/a/", "the restored article", |c, b| {
        c == 200 && b.contains("Restored.")
    });
    assert!(
        serve.process.0.try_wait().ok().flatten().is_none(),
        "serve exited"
    );
}

/// An article whose one figure points at a photo that is not there (one
/// warning, at the figure's line), after `before` paragraphs.
fn article_missing_photo(title: &str, photo: &str, before: usize, after: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2024-03-01\n+++\n\n{}\
         ![A quiet harbour before the boats go out]({photo})\n\
         Fishing boats moored in the early light. (Ines Marr/Staff)\n\n{after}\n",
        "A paragraph before the photo.\n\n".repeat(before)
    )
}

/// The lines serve prints up to and including the `Rebuilt` line that
/// contains `summary`, across any passes before it (a save can take two).
fn passes_until(serve: &crate::Serving, summary: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    loop {
        let line = serve
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|e| {
                panic!(
                    "no pass ending with {summary:?} ({e}); serve printed:\n{}",
                    lines.join("\n")
                )
            });
        let done = line.starts_with("Rebuilt") && line.contains(summary);
        lines.push(line);
        if done {
            return lines;
        }
    }
}

fn printed(lines: &[String], text: &str) -> usize {
    lines.iter().filter(|l| l.contains(text)).count()
}

/// Regression: on a blog with 286 warnings, every save reprinted all of
/// them (~860 lines) before `Rebuilt in 30 ms`. A pass now prints only the
/// warnings that are new or changed, and counts the rest.
#[test]
fn serve_prints_only_new_or_changed_warnings() {
    let site = Site::empty()
        .file(
            "content/harbour.md",
            article_missing_photo("Why the harbour?", "harbour.jpg", 1, "End."),
        )
        .file(
            "content/bridge.md",
            article_missing_photo("Why the bridge?", "bridge.jpg", 1, "End."),
        );
    let serve = start_serve(&site.root);
    let first = &serve.startup;
    // The first pass prints every warning.
    assert_eq!(
        printed(first, "image file not found: `harbour.jpg`"),
        1,
        "{first:#?}"
    );
    assert_eq!(
        printed(first, "image file not found: `bridge.jpg`"),
        1,
        "{first:#?}"
    );
    assert_eq!(
        printed(first, " --> content/harbour.md:8:1"),
        1,
        "{first:#?}"
    );
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("Rebuilt") && l.ends_with("; 2 warnings")),
        "{first:#?}"
    );

    // An edit that leaves both warnings where they were: none reprinted.
    site.write(
        "content/bridge.md",
        &article_missing_photo("Why the bridge?", "bridge.jpg", 1, "A new ending."),
    );
    let lines = passes_until(
        &serve,
        "2 warnings (0 new shown; 2 unchanged, not repeated)",
    );
    assert_eq!(printed(&lines, "warning:"), 0, "{lines:#?}");

    // Two paragraphs more above the harbour photo move its warning two
    // lines down: a changed warning, printed; the bridge's is not.
    site.write(
        "content/harbour.md",
        &article_missing_photo("Why the harbour?", "harbour.jpg", 3, "End."),
    );
    let lines = passes_until(
        &serve,
        "2 warnings (1 new shown; 1 unchanged, not repeated)",
    );
    assert_eq!(
        printed(&lines, " --> content/harbour.md:12:1"),
        1,
        "{lines:#?}"
    );
    assert_eq!(printed(&lines, "not found: `harbour.jpg`"), 1, "{lines:#?}");
    assert_eq!(printed(&lines, "bridge.jpg"), 0, "{lines:#?}");

    // Fixing one says so.
    site.write(
        "content/bridge.md",
        &article("Why the bridge?", "2024-03-01", "No photo now."),
    );
    let lines = passes_until(
        &serve,
        "1 warning (0 new shown; 1 unchanged, not repeated; 1 fixed)",
    );
    assert_eq!(printed(&lines, "warning:"), 0, "{lines:#?}");
}

/// A site whose only article has a month 13 in its front matter.
fn broken_only_article() -> Site {
    Site::empty().file(
        "content/a.md",
        "+++\ntitle = \"Why now?\"\ndate = 2024-13-01\n+++\n\nNot yet.\n",
    )
}

/// Regression: when the very first build failed, every URL answered a
/// plain `not found` and the terminal said the last good version was still
/// served, though there was none. Pages now carry the error overlay.
#[test]
fn a_failing_first_build_serves_the_error_overlay_until_fixed() {
    let site = broken_only_article();
    let serve = start_serve(&site.root);
    let port = serve.port;
    let startup = serve.startup.join("\n");
    assert!(startup.contains(" --> content/a.md:3:8"), "{startup}");
    assert!(startup.contains("Nothing has built yet"), "{startup}");
    assert!(!startup.contains("last good version"), "{startup}");

    for page in ["/", "/a/", "/a", "/somewhere/else.html"] {
        let (code, body) = get(port, page);
        assert_eq!(code, 503, "{page}: {body}");
        assert!(body.starts_with("<!DOCTYPE html>"), "{page}: {body}");
        assert!(body.contains("<html lang=\"en\""), "{page}: {body}");
        assert!(body.contains("id=\"nutgraf-overlay\""), "{page}: {body}");
        assert!(body.contains("content/a.md:3:8"), "{page}: {body}");
        assert!(body.contains("invalid"), "{page}: {body}");
        assert!(body.contains("= help: "), "{page}: {body}");
        assert!(body.contains("/__nutgraf/live.js"), "{page}: {body}");
    }
    let (code, body) = get(port, "/style.css");
    assert_eq!(code, 503, "{body}");
    assert!(!body.contains("<html"), "{body}");

    site.write(
        "content/a.md",
        &article("Why now?", "2024-03-01", "Fixed at last."),
    );
    wait_until(port, "/a/", "the real article", |c, b| {
        c == 200 && b.contains("Fixed at last.") && !b.contains("nutgraf-overlay")
    });
}

/// Regression: a failing first build showed `not found` in the browser,
/// with no overlay and no live reload. Now the page shows the error and
/// turns into the real article once the writer fixes the file.
#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn a_failing_first_build_shows_the_overlay_in_a_real_browser() {
    let site = broken_only_article();
    in_browser(&site, async |c, port| {
        c.goto(&format!("http://127.0.0.1:{port}/a/"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        wait_for(
            c,
            "const o = document.getElementById('nutgraf-overlay'); \
             return !!o && o.innerText.includes('content/a.md:3:8') \
               && o.innerText.includes('invalid') && o.innerText.includes('= help: ') \
               && o.getBoundingClientRect().height > 50",
            "the overlay naming content/a.md:3:8, the message and the hint",
        )
        .await;
        // The client took over the page: it has had the server's first
        // message (the error, sent to every page that connects).
        wait_for(
            c,
            "return typeof window.__nutgrafMessageAt === 'number'",
            "the live-reload client's first message",
        )
        .await;

        // A second mistake replaces the error shown.
        site.write(
            "content/a.md",
            "+++\ntitle = \"Why now?\"\ndate = 2024-03-01\ntitel = \"x\"\n+++\n\nNot yet.\n",
        );
        wait_for(
            c,
            "const o = document.getElementById('nutgraf-overlay'); \
             return !!o && o.innerText.includes('content/a.md:4:') && !o.innerText.includes('content/a.md:3:8')",
            "the overlay naming the new mistake",
        )
        .await;

        site.write(
            "content/a.md",
            &article("Why now?", "2024-03-01", "The article, built at last."),
        );
        wait_for(
            c,
            "return !document.getElementById('nutgraf-overlay') \
               && document.body.innerText.includes('The article, built at last.') \
               && !!document.querySelector('link[rel=stylesheet]')",
            "the real article, with its stylesheet, without a manual reload",
        )
        .await;
        assert_eq!(
            eval(
                c,
                "return document.title.startsWith('Why now?') \
                   && !document.documentElement.hasAttribute('data-nutgraf-placeholder')"
            )
            .await,
            json!(true),
            "still the placeholder page"
        );
    });
}

/// A strings file is a source like a template: creating or editing
/// `i18n/en.toml` while serving re-renders every page with the new words.
#[test]
fn editing_the_strings_file_rewords_served_pages() {
    let site = Site::empty().file(
        "content/a.md",
        "+++\ntitle = \"A\"\n+++\n\nLede.\n\n## Why?\n\nOne.\n\n## How?\n\nTwo.\n",
    );
    let serve = start_serve(&site.root);
    let port = serve.port;
    wait_until(port, "/a/", "the default words", |c, b| {
        c == 200 && b.contains(">In this explainer</p>")
    });
    // The folder does not exist yet: serve notices it being created.
    site.write("i18n/en.toml", "in_this_explainer = \"In this guide\"\n");
    wait_until(port, "/a/", "the site's words", |c, b| {
        c == 200 && b.contains(">In this guide</p>")
    });
    site.write("i18n/en.toml", "in_this_explainer = \"Questions here\"\n");
    wait_until(port, "/a/", "the edited words", |c, b| {
        c == 200 && b.contains(">Questions here</p>")
    });
}
