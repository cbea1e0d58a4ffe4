//! Right-to-left pages in a real headless Chromium: an Arabic article laid
//! out with `dir="rtl"` is the mirror image of the same article laid out
//! left to right, in both built-in themes, and its code stays left to right.
//! Ignored like the other browser tests; `.ci/run` runs them.

use fantoccini::Client;
use serde_json::{Value, json};

use crate::Site;
use crate::serve::{eval, in_browser, wait_for};

/// The Arabic fixture (an explainer with every kind of block the themes
/// style) in `theme`, right to left as Arabic is, or with `rtl = false`:
/// the same text and words laid out left to right.
fn site(theme: &str, rtl: bool) -> Site {
    Site::fixture("arabic").file(
        "nutgraf.toml",
        format!(
            "title = \"شروحات الساحل\"\nbase_url = \"https://arabic.example.org\"\nlanguage = \"ar\"\nrtl = {rtl}\ntheme = \"{theme}\"\nminify = false\n"
        ),
    )
}

/// Every block-level box of the page outside code blocks, as its left and
/// right edges measured from the body's left and right edges, with the
/// computed direction of the boxes that must keep theirs.
const MEASURE: &str = r#"
const body = document.body.getBoundingClientRect();
const boxes = [];
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('pre') && el.tagName !== 'PRE') continue;
  const style = getComputedStyle(el);
  if (!/^(block|list-item|flex|grid|table|flow-root)$/.test(style.display)) continue;
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  boxes.push({
    what: el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).replace(/ /g, '.') : ''),
    fromLeft: Math.round(r.left - body.left),
    fromRight: Math.round(body.right - r.right),
  });
}
const dir = sel => { const el = document.querySelector(sel); return el ? getComputedStyle(el).direction : null; };
return {
  boxes,
  html: document.documentElement.getAttribute('dir'),
  page: dir('body'),
  menu: dir('nav.questions'),
  caption: dir('figcaption'),
  pre: dir('pre'),
  inlineCode: dir('p code'),
  dropCaps: document.querySelectorAll('.drop-cap').length,
};
"#;

async fn measure(c: &Client, port: u16) -> Value {
    c.goto(&format!("http://127.0.0.1:{port}/tide/"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for(
        c,
        "return document.readyState === 'complete' && !!document.querySelector('nav.questions')",
        "the article and its question menu",
    )
    .await;
    eval(c, MEASURE).await
}

fn mirrored(theme: &str) {
    let mut ltr = Value::Null;
    in_browser(&site(theme, false), async |c, port| {
        ltr = measure(c, port).await
    });
    let mut rtl = Value::Null;
    in_browser(&site(theme, true), async |c, port| {
        rtl = measure(c, port).await
    });

    assert_eq!(rtl["html"], json!("rtl"), "{theme}: <html dir>");
    assert_eq!(ltr["html"], Value::Null, "{theme}: no dir on an LTR page");
    for (part, want) in [
        ("page", "rtl"),
        ("menu", "rtl"),
        ("caption", "rtl"),
        ("pre", "ltr"),
        ("inlineCode", "ltr"),
    ] {
        assert_eq!(rtl[part], json!(want), "{theme}: direction of the {part}");
    }
    assert_eq!(
        rtl["dropCaps"],
        json!(0),
        "{theme}: Arabic gets no drop cap"
    );

    let (Some(l), Some(r)) = (ltr["boxes"].as_array(), rtl["boxes"].as_array()) else {
        panic!("{theme}: no boxes measured")
    };
    assert!(l.len() > 30, "{theme}: only {} boxes", l.len());
    assert_eq!(
        l.len(),
        r.len(),
        "{theme}: the same boxes in both directions"
    );
    let mut wrong = Vec::new();
    for (a, b) in l.iter().zip(r) {
        assert_eq!(a["what"], b["what"], "{theme}: boxes in the same order");
        let close =
            |x: &Value, y: &Value| (x.as_i64().unwrap_or(0) - y.as_i64().unwrap_or(0)).abs() <= 1;
        if !close(&a["fromLeft"], &b["fromRight"]) || !close(&a["fromRight"], &b["fromLeft"]) {
            wrong.push(format!(
                "{}: LTR {}|{} RTL {}|{}",
                a["what"], a["fromLeft"], a["fromRight"], b["fromLeft"], b["fromRight"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{theme}: these boxes are not mirrored (left|right gaps to the body):\n{}",
        wrong.join("\n")
    );
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn an_rtl_page_mirrors_the_ltr_page_in_broadsheet() {
    mirrored("broadsheet");
}

#[test]
#[ignore = "needs chromium and chromedriver: apt-get install chromium chromium-driver, then cargo test -- --include-ignored"]
fn an_rtl_page_mirrors_the_ltr_page_in_newsroom() {
    mirrored("newsroom");
}
