//! Small helpers for writing HTML by hand where pulldown-cmark's writer is
//! not enough (figures, headings, footnotes). Escaping is pulldown-cmark's.

use pulldown_cmark::Event;
use pulldown_cmark_escape::{escape_href, escape_html};

/// Where `fragment` (a rendered body, a JSON-LD block) first occurs in
/// `page`. `str::find` with a 13 KB needle spends more time building its
/// Two-Way searcher than the rest of the search: in a cold build at 10k
/// articles, finding each body in its page that way was 15 % of all CPU
/// time. So search for a short prefix with memchr's SIMD `memmem` and
/// compare the rest.
pub fn find_fragment(page: &str, fragment: &str) -> Option<usize> {
    let (page, fragment) = (page.as_bytes(), fragment.as_bytes());
    let prefix = &fragment[..fragment.len().min(48)];
    // A match of the whole fragment, which is UTF-8 itself, starts and
    // ends on character boundaries of the page.
    memchr::memmem::find_iter(page, prefix)
        .find(|&at| page.get(at..at + fragment.len()) == Some(fragment))
}

/// Appends `text` HTML-escaped (safe in text and in quoted attributes).
pub fn escape_into(out: &mut String, text: &str) {
    // Writing into a String cannot fail; the Result type is fmt's.
    escape_html(out, text).unwrap_or(());
}

/// Appends a URL escaped for an `href`/`src` attribute.
pub fn escape_url_into(out: &mut String, url: &str) {
    escape_href(&mut *out, url).unwrap_or(());
}

/// U+0000 becomes U+FFFD: CommonMark asks it "for security reasons"
/// (spec 0.31, section 2.3), pulldown-cmark passes it through, Tera does
/// not escape it, and a NUL in a page is an HTML parse error (found by the
/// fuzzing harness). One character for one keeps line and column numbers
/// right.
pub fn replace_nul(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_checks_the_whole_fragment_after_the_prefix() {
        let prefix = "x".repeat(60);
        let page_html = format!("{prefix}A {prefix}B");
        assert_eq!(find_fragment(&page_html, &format!("{prefix}B")), Some(62));
        assert_eq!(find_fragment(&page_html, &format!("{prefix}C")), None);
        assert_eq!(find_fragment("ééé", "é"), Some(0));
    }

    /// Regression: a NUL in an article reached the page as is, an HTML
    /// parse error (found by the fuzzing harness, issue 14).
    #[test]
    fn a_nul_becomes_the_replacement_character() {
        assert_eq!(replace_nul("a\0b\0".to_string()), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(replace_nul("plain".to_string()), "plain");
    }
}
