//! Small helpers for writing HTML by hand where pulldown-cmark's writer is
//! not enough (figures, headings, footnotes). Escaping is pulldown-cmark's.

use pulldown_cmark::Event;
use pulldown_cmark_escape::{escape_href, escape_html};

/// Appends `text` HTML-escaped (safe in text and in quoted attributes).
pub fn escape_into(out: &mut String, text: &str) {
    // Writing into a String cannot fail; the Result type is fmt's.
    escape_html(out, text).unwrap_or(());
}

/// Appends a URL escaped for an `href`/`src` attribute.
pub fn escape_url_into(out: &mut String, url: &str) {
    escape_href(&mut *out, url).unwrap_or(());
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Renders events with pulldown-cmark's HTML writer.
pub fn render<'a>(events: impl IntoIterator<Item = Event<'a>>) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out
}

/// The plain text of inline events (text and code spans).
pub fn plain_text<'a, 'b>(events: impl IntoIterator<Item = &'b Event<'a>>) -> String
where
    'a: 'b,
{
    let mut out = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                out.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}
