//! Live authoring in a real headless Chromium: the morph keeps what an edit
//! did not change (images, an open `<details>`, a playing video, focus),
//! nothing above the viewport moves, and the preview follows the writer to
//! the article saved and to a change below the fold. Ignored like the other
//! browser tests; `.ci/run` runs them.

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::{Value, json};

use crate::Site;
use crate::serve::{eval, in_browser, in_browser_with, wait_for};

fn para(n: usize, word: &str) -> String {
    format!(
        "Paragraph {n} about {word}, long enough to take a line or two on a narrow screen and push the page down.\n"
    )
}

fn figure(name: &str) -> String {
    format!(
        "![A harbour at dawn, photo {name}]({name}.png)\nThe harbour, photo {name}.\n(Test Photographer/Test Agency)\n"
    )
}

/// The blocks of the article at `/a/`, in order, named so that steps can
/// move and drop them.
fn blocks() -> Vec<(&'static str, String)> {
    let mut blocks = vec![("lede", "The lede of the harbour explainer.\n".to_string())];
    for i in 0..4 {
        blocks.push(("before", para(i, "tides")));
    }
    blocks.push(("one", figure("one")));
    blocks.push(("between", para(10, "cranes")));
    blocks.push((
        "details",
        "<details class=\"more\"><summary>More on the cranes</summary>\n\nHidden text about the cranes.\n\n</details>\n".to_string(),
    ));
    blocks.push(("two", figure("two")));
    blocks.push((
        "link",
        "A paragraph with [a link to the other explainer](/b/) in it.\n".to_string(),
    ));
    blocks.push((
        "video",
        "<video class=\"clip\" muted playsinline width=\"320\" height=\"180\"></video>\n"
            .to_string(),
    ));
    blocks.push(("three", figure("three")));
    for i in 20..50 {
        blocks.push(("after", para(i, "ships")));
    }
    blocks.push(("question", "## Why does it matter?\n".to_string()));
    for i in 50..80 {
        blocks.push(("stakes", para(i, "stakes")));
    }
    blocks
}

fn article(blocks: &[(&str, String)]) -> String {
    let body: Vec<&str> = blocks.iter().map(|(_, b)| b.as_str()).collect();
    format!(
        "+++\ntitle = \"Why is the harbour busy?\"\ndate = 2024-03-01\n+++\n\n{}",
        body.join("\n")
    )
}

fn harbour_site() -> Site {
    let png = std::fs::read(crate::fixtures().join("figures/content/harbour/dawn.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    Site::empty()
        .file("content/a/one.png", &png)
        .file("content/a/two.png", &png)
        .file("content/a/three.png", &png)
        .file("content/a/index.md", article(&blocks()))
        .file(
            "content/b.md",
            "+++\ntitle = \"What about the bridge?\"\ndate = 2024-02-01\n+++\n\nThe bridge lede.\n",
        )
}

/// Remembers the page's images, opens the `<details>`, focuses the link
/// and plays the video (a canvas stream: no media file needed).
const SETUP: &str = r#"
    window.__imgs = Array.from(document.querySelectorAll('figure img'));
    window.__details = document.querySelector('details.more');
    window.__details.open = true;
    window.__link = document.querySelector('a[href="/b/"]');
    window.__link.focus();
    const canvas = document.createElement('canvas');
    canvas.width = 32; canvas.height = 18;
    const ctx = canvas.getContext('2d');
    let n = 0;
    setInterval(() => { ctx.fillStyle = n++ % 2 ? '#123456' : '#654321'; ctx.fillRect(0, 0, 32, 18); }, 40);
    window.__video = document.querySelector('video.clip');
    window.__video.srcObject = canvas.captureStream(25);
    window.__video.muted = true;
    window.__marker = 42;
    return window.__video.play().then(() => window.__imgs.length);
"#;

/// What survived an update: images kept (and their order, as indexes into
/// the images first seen), the details, focus, the video.
const SURVIVED: &str = r#"
    const imgs = Array.from(document.querySelectorAll('figure img'));
    return {
        kept: window.__imgs.filter((img) => img.isConnected && imgs.includes(img)).length,
        order: imgs.map((img) => window.__imgs.indexOf(img)),
        details: window.__details.isConnected && window.__details.open,
        focus: document.activeElement === window.__link,
        playing: document.querySelector('video.clip') === window.__video
            && !window.__video.paused && window.__video.srcObject !== null,
        marker: window.__marker,
    };
"#;

/// Records layout shifts (start time, score) in `window.__shifts`, and
/// defines `window.__sentinel()`: a known shift, made and seen, then undone
/// and seen, so every shift before it has been reported (entries arrive
/// late, later still on a loaded machine). It resolves to the time it was
/// made and the time it was undone; it fails if the browser reports no
/// shift in 10 s.
const SENTINEL: &str = r#"
    window.__shifts = [];
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__shifts.push([e.startTime, e.value]);
    }).observe({ type: 'layout-shift' });
    const seen = (after) => new Promise((done, fail) => {
        const start = performance.now();
        const poll = () => {
            if (window.__shifts.some(([t]) => t >= after)) done();
            else if (performance.now() - start > 10000) fail(new Error('no layout shift reported'));
            else setTimeout(poll, 20);
        };
        poll();
    });
    window.__sentinel = async () => {
        const inView = Array.from(document.querySelectorAll('.prose > *')).find((e) => {
            const top = e.getBoundingClientRect().top;
            return top > 50 && top < window.innerHeight - 50;
        });
        const push = document.createElement('div');
        push.style.height = '200px';
        const mark = performance.now();
        inView.before(push);
        await seen(mark);
        const undo = performance.now();
        push.remove();
        await seen(undo);
        return [mark, performance.now()];
    };
    return true;
"#;

async fn survived(c: &Client) -> Value {
    eval(c, SURVIVED).await
}

/// Whether the morphed page is the page as served now, element for
/// element (the `open` of a `<details>` is the reader's, so left out).
const SAME_AS_SERVED: &str = r#"
    return fetch(location.pathname, { cache: 'no-store' }).then((r) => r.text()).then((html) => {
        const fresh = new DOMParser().parseFromString(html, 'text/html').body;
        const live = document.body.cloneNode(true);
        for (const body of [fresh, live]) {
            for (const d of body.querySelectorAll('details')) d.removeAttribute('open');
        }
        return live.innerHTML === fresh.innerHTML || [live.innerHTML, fresh.innerHTML];
    });
"#;

async fn expect_same_as_served(c: &Client, step: &str) {
    assert_eq!(
        eval(c, SAME_AS_SERVED).await,
        json!(true),
        "{step}: the morphed page differs from the page served"
    );
}

fn expect_all_kept(got: &Value, order: [i64; 3], step: &str) {
    assert_eq!(
        got,
        &json!({
            "kept": 3, "order": order, "details": true, "focus": true,
            "playing": true, "marker": 42,
        }),
        "{step}: images kept, order, details open, focus, video playing, no reload"
    );
}

/// Opens the harbour article and waits for it.
async fn open_harbour(c: &Client, port: u16) {
    open(
        c,
        &format!("http://127.0.0.1:{port}/a/"),
        "The lede of the harbour",
    )
    .await;
}

async fn open(c: &Client, url: &str, text: &str) {
    c.goto(url).await.unwrap_or_else(|e| panic!("{e}"));
    wait_for(
        c,
        &format!("return document.body.innerText.includes({text:?})"),
        url,
    )
    .await;
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn edits_keep_images_details_video_and_focus() {
    let site = harbour_site();
    in_browser(&site, async |c, port| {
        open_harbour(c, port).await;
        assert_eq!(eval(c, SETUP).await, json!(3), "three photos on the page");
        expect_all_kept(&survived(c).await, [0, 1, 2], "before any edit");

        // 1. A paragraph inserted above the photos, the most common edit.
        let mut now = blocks();
        now.insert(
            1,
            ("new", "A paragraph the writer just added.\n".to_string()),
        );
        site.write("content/a/index.md", &article(&now));
        wait_for(
            c,
            "return document.body.innerText.includes('A paragraph the writer just added.')",
            "the inserted paragraph",
        )
        .await;
        expect_all_kept(&survived(c).await, [0, 1, 2], "a paragraph inserted above");
        expect_same_as_served(c, "a paragraph inserted above").await;

        // 2. Blocks deleted: that paragraph, and the one between two photos.
        now.retain(|(name, _)| *name != "new" && *name != "between");
        site.write("content/a/index.md", &article(&now));
        wait_for(
            c,
            "return !document.body.innerText.includes('A paragraph the writer just added.') \
             && !document.body.innerText.includes('Paragraph 10 about cranes')",
            "the deleted paragraphs to go",
        )
        .await;
        expect_all_kept(&survived(c).await, [0, 1, 2], "blocks deleted");
        expect_same_as_served(c, "blocks deleted").await;

        // 3. Two photos swapped: both move, neither is made again.
        let one = now.iter().position(|(name, _)| *name == "one");
        let two = now.iter().position(|(name, _)| *name == "two");
        let (Some(one), Some(two)) = (one, two) else {
            panic!("the figures are in the article")
        };
        now.swap(one, two);
        site.write("content/a/index.md", &article(&now));
        wait_for(
            c,
            "const c = document.querySelectorAll('figure figcaption'); \
             return c.length === 3 && c[0].innerText.includes('photo two')",
            "the swapped photos",
        )
        .await;
        expect_all_kept(&survived(c).await, [1, 0, 2], "two photos swapped");
        expect_same_as_served(c, "two photos swapped").await;
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn nothing_moves_when_the_edit_is_below_the_viewport() {
    let site = harbour_site();
    in_browser(&site, async |c, port| {
        open_harbour(c, port).await;
        // Scrolled just past the photos: the edit comes far below.
        eval(
            c,
            "document.querySelectorAll('figure')[2].scrollIntoView({ block: 'end', behavior: 'instant' }); \
             window.scrollBy({ top: 300, behavior: 'instant' }); \
             window.__imgs = Array.from(document.querySelectorAll('figure img')); \
             return true",
        )
        .await;
        // The observer sees a shift when there is one: a block pushed in
        // above a paragraph in view (not above the first thing in view:
        // scroll anchoring would hide that shift), then taken out.
        eval(c, SENTINEL).await;
        let since = eval(c, "return window.__sentinel().then(([, after]) => after)").await;
        let mut now = blocks();
        let stakes = now
            .iter()
            .rposition(|(name, _)| *name == "stakes")
            .unwrap_or_else(|| panic!("the article has a last paragraph"));
        now.insert(
            stakes,
            ("new", "A late paragraph near the end.\n".to_string()),
        );
        site.write("content/a/index.md", &article(&now));
        wait_for(
            c,
            "return document.body.innerText.includes('A late paragraph near the end.')",
            "the paragraph added near the end",
        )
        .await;
        // Once the page is still, a second sentinel: every shift the update
        // made was reported before it.
        let shifts = c
            .execute(
                "const since = arguments[0]; \
                 return new Promise((done) => { let last = -1; const still = () => { \
                   if (window.scrollY === last) done(); \
                   else { last = window.scrollY; setTimeout(still, 150); } }; still(); }) \
                 .then(() => window.__sentinel()) \
                 .then(([mark]) => window.__shifts \
                   .filter(([t]) => t >= since && t < mark).map(([, value]) => value))",
                vec![since],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shifts, json!([]), "layout shifts during the update");
        assert_eq!(
            eval(
                c,
                "const imgs = Array.from(document.querySelectorAll('figure img')); \
                 return window.__imgs.every((img) => imgs.includes(img))"
            )
            .await,
            json!(true),
            "the photos above were made again"
        );
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn a_change_below_the_fold_is_scrolled_to_and_outlined() {
    let site = harbour_site();
    in_browser(&site, async |c, port| {
        open_harbour(c, port).await;
        eval(
            c,
            "window.scrollTo({ top: 0, behavior: 'instant' }); return true",
        )
        .await;
        let mut now = blocks();
        let last = now.len() - 1;
        now[last].1 = "Paragraph 79, rewritten by the writer far below the fold.\n".to_string();
        site.write("content/a/index.md", &article(&now));
        wait_for(
            c,
            "const p = Array.from(document.querySelectorAll('p')) \
               .find((p) => p.innerText.includes('rewritten by the writer')); \
             if (!p) return false; \
             const box = p.getBoundingClientRect(); \
             return box.top >= 0 && box.bottom <= window.innerHeight",
            "the changed paragraph scrolled into view",
        )
        .await;
        assert_eq!(
            eval(
                c,
                "const p = Array.from(document.querySelectorAll('p')) \
                   .find((p) => p.innerText.includes('rewritten by the writer')); \
                 return p.getAnimations().some((a) => a.id === 'nutgraf-changed')"
            )
            .await,
            json!(true),
            "the changed paragraph is outlined"
        );

        // A change the writer can see moves nothing (once the glide ends).
        let y = eval(
            c,
            "return new Promise((done) => { let last = -1; const still = () => { \
               if (window.scrollY === last) done(last); \
               else { last = window.scrollY; setTimeout(still, 150); } }; still(); })",
        )
        .await;
        now[last].1 = "Paragraph 79, rewritten again where the writer can see it.\n".to_string();
        site.write("content/a/index.md", &article(&now));
        wait_for(
            c,
            "return document.body.innerText.includes('rewritten again where')",
            "the second edit",
        )
        .await;
        assert_eq!(
            eval(c, "return window.scrollY").await,
            y,
            "scrolled for a change in view"
        );
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn the_last_focused_tab_follows_the_article_saved() {
    let site = harbour_site();
    in_browser(&site, async |c, port| {
        let base = format!("http://127.0.0.1:{port}");
        open(c, &format!("{base}/"), "What about the bridge?").await;
        let home = c.window().await.unwrap_or_else(|e| panic!("{e}"));
        // A second tab, focused after the first: it is the one to follow.
        let second = c.new_window(true).await.unwrap_or_else(|e| panic!("{e}"));
        c.switch_to_window(second.handle)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        open(c, &format!("{base}/"), "What about the bridge?").await;
        // The writer presses a key in it (headless tabs never get window
        // focus; a real key press is what a writer's click or key is).
        let press = KeyActions::new("keyboard".to_string())
            .then(KeyAction::Down { value: '\u{E008}' })
            .then(KeyAction::Up { value: '\u{E008}' });
        c.perform_actions(press)
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        site.write(
            "content/b.md",
            "+++\ntitle = \"What about the bridge?\"\ndate = 2024-02-01\n+++\n\nThe bridge lede, edited.\n",
        );
        wait_for(
            c,
            "return location.pathname === '/b/' \
             && document.body.innerText.includes('The bridge lede, edited.')",
            "the focused tab to go to the saved article",
        )
        .await;

        // The other tab stayed on the home page.
        c.switch_to_window(home)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            eval(c, "return location.pathname").await,
            json!("/"),
            "a tab not focused last followed the save"
        );
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn with_no_follow_the_open_page_updates_in_place() {
    let site = harbour_site();
    in_browser_with(&site, &["--no-follow"], &[], async |c, port| {
        open(
            c,
            &format!("http://127.0.0.1:{port}/"),
            "What about the bridge?",
        )
        .await;
        eval(c, "window.__marker = 7; return true").await;
        site.write(
            "content/c.md",
            "+++\ntitle = \"A brand new explainer\"\ndate = 2024-04-01\n+++\n\nNew.\n",
        );
        wait_for(
            c,
            "return document.body.innerText.includes('A brand new explainer')",
            "the new article on the home page",
        )
        .await;
        assert_eq!(
            eval(
                c,
                "return [location.pathname, window.__marker, window.__nutgrafFailed]"
            )
            .await,
            json!(["/", 7, null]),
            "the page navigated or reloaded (or the update failed)"
        );
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn with_reduced_motion_the_page_jumps_and_the_outline_holds() {
    let site = harbour_site();
    in_browser_with(
        &site,
        &[],
        &["--force-prefers-reduced-motion"],
        async |c, port| {
            open_harbour(c, port).await;
            assert_eq!(
                eval(
                    c,
                    "return matchMedia('(prefers-reduced-motion: reduce)').matches"
                )
                .await,
                json!(true),
                "Chromium does not report reduced motion"
            );
            eval(
                c,
                "window.scrollTo({ top: 0, behavior: 'instant' }); return true",
            )
            .await;
            let mut now = blocks();
            let last = now.len() - 1;
            now[last].1 = "Paragraph 79, rewritten with motion reduced.\n".to_string();
            site.write("content/a/index.md", &article(&now));
            // The first sight of the new text finds the page already there:
            // no glide.
            wait_for(
                c,
                "return document.body.innerText.includes('rewritten with motion reduced')",
                "the edit",
            )
            .await;
            assert_eq!(
                eval(
                    c,
                    "const p = Array.from(document.querySelectorAll('p')) \
                       .find((p) => p.innerText.includes('rewritten with motion reduced')); \
                     const box = p.getBoundingClientRect(); \
                     const ring = p.getAnimations().find((a) => a.id === 'nutgraf-changed'); \
                     const frames = ring ? ring.effect.getKeyframes().map((k) => k.outlineColor) : []; \
                     return [box.top >= 0 && box.bottom <= window.innerHeight, \
                       frames.length === 2 && frames[0] === frames[1]]"
                )
                .await,
                json!([true, true]),
                "in view at once, outlined without a fade"
            );
        },
    );
}

/// A small deterministic generator (no seed file, no crate): the same
/// edit sequence on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn titled(blocks: &[(&str, String)], step: usize) -> String {
    article(blocks).replace(
        "title = \"Why is the harbour busy?\"",
        &format!("title = \"Why is the harbour busy? Step {step}\""),
    )
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn random_edits_morph_into_the_page_served() {
    let site = harbour_site();
    in_browser(&site, async |c, port| {
        open_harbour(c, port).await;
        eval(
            c,
            "window.__imgs = Array.from(document.querySelectorAll('figure img')); return true",
        )
        .await;
        let mut now = blocks();
        let mut rng = Lcg(19);
        for step in 1..=16 {
            let i = rng.below(now.len());
            let j = rng.below(now.len());
            let photo = |b: &(&str, String)| matches!(b.0, "one" | "two" | "three");
            let what = match rng.below(5) {
                0 => {
                    now.insert(i, ("new", format!("A paragraph added at step {step}.\n")));
                    "insert"
                }
                1 if !photo(&now[i]) => {
                    now.remove(i);
                    "delete"
                }
                2 => {
                    let block = now.remove(i);
                    now.insert(j.min(now.len()), block);
                    "move"
                }
                3 => {
                    now.swap(i, j);
                    "swap"
                }
                _ if !photo(&now[i]) => {
                    now[i].1 = format!("Rewritten at step {step}: {}", now[i].1);
                    "rewrite"
                }
                _ => "title only",
            };
            site.write("content/a/index.md", &titled(&now, step));
            wait_for(
                c,
                &format!("return document.querySelector('h1').innerText.includes('Step {step}')"),
                &format!("step {step} ({what})"),
            )
            .await;
            expect_same_as_served(c, &format!("step {step} ({what})")).await;
            assert_eq!(
                eval(
                    c,
                    "const imgs = Array.from(document.querySelectorAll('figure img')); \
                     return window.__imgs.filter((img) => imgs.includes(img)).length"
                )
                .await,
                json!(3),
                "step {step} ({what}): a photo was made again"
            );
        }
    });
}
