//! An article's summary: the plain text that stands in for a missing
//! `description` in its meta description, JSON-LD, listings and feeds.

use std::borrow::Borrow;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::new_cmark_parser;
use crate::config::MarkdownConfig;

/// Longest summary in characters, ellipsis included: about what search
/// results show of a meta description.
pub const SUMMARY_LENGTH: usize = 160;

/// Characters a cut summary does not end on before its ellipsis: "word,…"
/// and "the (…" read badly.
const DANGLING: &[char] = &[
    ',', ';', ':', '.', '-', '\u{2013}', '\u{2014}', '(', '[', '{', '"', '\'', '\u{201c}',
    '\u{2018}', '/',
];

/// The summary of a Markdown body: the text before `<!-- more -->` when the
/// body has that marker (Zola's and Hugo's convention), else its first
/// paragraph; as plain text (no markup, no footnote marks) cut at a word
/// boundary to at most [`SUMMARY_LENGTH`] characters. `None` when there is
/// no such text.
pub fn summarize(body: &str, options: &MarkdownConfig) -> Option<String> {
    summarize_events(new_cmark_parser(body, options), body)
}

/// [`summarize`] from the events of `body` already parsed (a page render
/// has them, and a second parse would cost as much as the first).
pub fn summarize_events<'a, E: Borrow<Event<'a>>>(
    events: impl IntoIterator<Item = E>,
    body: &str,
) -> Option<String> {
    // The marker is an HTML comment: without one anywhere, the first
    // paragraph decides and the rest of the events need not be read.
    let text = source_text(events, body.contains("<!--"));
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| cut(&text, SUMMARY_LENGTH))
}

/// The raw text of the summary's source, whitespace not yet collapsed.
///
/// Figures (a paragraph that begins with an image) are not text to
/// summarise, nor are headings, code, tables, raw HTML, images inside text
/// or footnotes; the text of paragraphs, list items and quotes is.
fn source_text<'a, E: Borrow<Event<'a>>>(
    events: impl IntoIterator<Item = E>,
    may_have_marker: bool,
) -> String {
    let mut events = events.into_iter().peekable();
    let mut text = String::new();
    // The first top-level paragraph's range in `text`.
    let mut first: Option<std::ops::Range<usize>> = None;
    let mut paragraph_start: Option<usize> = None;
    // Open list items and quotes: a paragraph inside one is not the lede.
    let mut containers = 0usize;
    // Depth inside an element whose text is left out.
    let mut skipping = 0usize;
    while let Some(event) = events.next() {
        let event = event.borrow();
        if skipping > 0 {
            match event {
                Event::Start(_) => skipping += 1,
                Event::End(_) => skipping -= 1,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Html(html) | Event::InlineHtml(html) if is_marker(html) => return text,
            Event::Start(Tag::Paragraph)
                if events
                    .peek()
                    .is_some_and(|e| matches!(e.borrow(), Event::Start(Tag::Image { .. }))) =>
            {
                skipping = 1;
            }
            Event::Start(
                Tag::Heading { .. }
                | Tag::CodeBlock(_)
                | Tag::Table(_)
                | Tag::Image { .. }
                | Tag::FootnoteDefinition(_)
                | Tag::MetadataBlock(_),
            ) => skipping = 1,
            Event::Start(Tag::Paragraph) => {
                paragraph_start = (containers == 0).then_some(text.len());
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(start) = paragraph_start.take() {
                    if first.is_none() && !text[start..].trim().is_empty() {
                        first = Some(start..text.len());
                        if !may_have_marker {
                            break;
                        }
                    }
                }
                text.push(' ');
            }
            Event::Start(Tag::BlockQuote(_) | Tag::Item) => containers += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item) => {
                containers = containers.saturating_sub(1);
                text.push(' ');
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    first.map(|r| text[r].to_string()).unwrap_or_default()
}

/// `<!-- more -->`, spaced or not, in any case (Hugo writes `<!--more-->`).
fn is_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|s| s.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case("more"))
}

/// `text` when it has at most `max` characters; else cut at the last word
/// boundary that leaves room for an ellipsis, and the ellipsis added.
/// Counts characters, so non-ASCII text is cut on a character boundary.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    // `max - 1` characters, leaving room for the ellipsis.
    let end = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let on_boundary = text[end..].starts_with(char::is_whitespace);
    let at_word = if on_boundary {
        head
    } else {
        // A word longer than half the summary is cut inside, rather than
        // leaving a summary of a few words.
        match head.rfind(char::is_whitespace) {
            Some(i) if i >= end / 2 => &head[..i],
            _ => head,
        }
    };
    let trimmed = at_word.trim_end_matches(|c: char| c.is_whitespace() || DANGLING.contains(&c));
    let kept = if trimmed.is_empty() { head } else { trimmed };
    format!("{kept}\u{2026}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(body: &str) -> String {
        summarize(body, &MarkdownConfig::default()).unwrap_or_default()
    }

    #[test]
    fn text_before_the_more_marker() {
        let body = "The first point.\n\nThe *second* point.\n\n<!-- more -->\n\nThe rest.\n";
        assert_eq!(summary(body), "The first point. The second point.");
        // Hugo's spelling, and a marker inside a paragraph.
        assert_eq!(summary("One.\n\n<!--more-->\n\nTwo.\n"), "One.");
        assert_eq!(summary("One <!-- MORE --> two.\n"), "One");
        // Lists and quotes before the marker count; headings do not.
        assert_eq!(
            summary("## Heading\n\n- a point\n- another\n\n> quoted\n\n<!-- more -->\nafter\n"),
            "a point another quoted"
        );
    }

    #[test]
    fn a_marker_in_code_is_not_a_marker() {
        let body = "The lede.\n\n```html\n<!-- more -->\n```\n\nLater.\n";
        assert_eq!(summary(body), "The lede.");
    }

    #[test]
    fn otherwise_the_first_paragraph() {
        assert_eq!(
            summary("# Title\n\nThe lede.\nSecond line.\n\nNot this.\n"),
            "The lede. Second line."
        );
        // A comment that is not the marker changes nothing.
        assert_eq!(
            summary("<!-- note -->\n\nThe lede.\n\nMore.\n"),
            "The lede."
        );
    }

    #[test]
    fn headings_figures_and_quotes_are_not_the_first_paragraph() {
        let body = "## Why now?\n\n![A crane](crane.jpg)\nCranes at dawn.\n(Staff/Agency)\n\n> An epigraph.\n\nThe lede.\n";
        assert_eq!(summary(body), "The lede.");
    }

    #[test]
    fn markup_is_stripped() {
        let body = "A **bold** claim with `code`, [a link](https://e.org), <b>raw</b> HTML, ~~gone~~ and an ![inline](x.png) image.\n";
        assert_eq!(
            summary(body),
            "A bold claim with code, a link, raw HTML, gone and an image."
        );
    }

    #[test]
    fn footnote_marks_are_dropped() {
        let body = "The claim.[^src] It holds.[^2]\n\n[^src]: A source.\n[^2]: Another.\n";
        assert_eq!(summary(body), "The claim. It holds.");
    }

    #[test]
    fn events_parsed_once_give_the_same_summary() {
        // The page render hands over its own events (borrowed) instead of
        // a second parse.
        for body in [
            "The lede.\n\nMore.\n",
            "![A photo](p.jpg)\nCaption.\n\nLede after a figure.\n",
            "One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n",
        ] {
            let events: Vec<Event> = new_cmark_parser(body, &MarkdownConfig::default()).collect();
            assert_eq!(
                summarize_events(events.iter(), body),
                summarize(body, &MarkdownConfig::default()),
                "{body}"
            );
            assert!(summarize(body, &MarkdownConfig::default()).is_some());
        }
    }

    #[test]
    fn nothing_to_summarise() {
        assert_eq!(summarize("", &MarkdownConfig::default()), None);
        assert_eq!(
            summarize(
                "## Only a heading\n\n```\ncode\n```\n",
                &MarkdownConfig::default()
            ),
            None
        );
        assert_eq!(
            summarize(
                "![A photo](p.jpg)\nA caption.\n",
                &MarkdownConfig::default()
            ),
            None
        );
    }

    #[test]
    fn long_text_is_cut_at_a_word_boundary_with_an_ellipsis() {
        let words = "Tidal power stations turn the rise and fall of the sea into electricity, ";
        let text = words.repeat(4);
        let cut = summary(&text);
        assert!(cut.ends_with('\u{2026}'), "{cut}");
        assert!(cut.chars().count() <= SUMMARY_LENGTH, "{cut}");
        assert!(cut.chars().count() > SUMMARY_LENGTH - 20, "{cut}");
        let head = cut.trim_end_matches('\u{2026}');
        // Whole words of the original, ending on a word, no dangling comma.
        assert!(text.starts_with(head), "{cut}");
        assert!(text[head.len()..].starts_with([' ', ',']), "{cut}");
        assert!(!head.ends_with(','), "{cut}");
    }

    #[test]
    fn short_text_is_not_cut() {
        let text = "a".repeat(SUMMARY_LENGTH);
        assert_eq!(cut(&text, SUMMARY_LENGTH), text);
        assert_eq!(summary("A short lede."), "A short lede.");
    }

    #[test]
    fn a_cut_on_a_space_keeps_the_whole_word() {
        // Exactly 159 characters of words, then a space: nothing is lost.
        let text = format!("{} tail", "abcdefgh ".repeat(17) + "abcdef");
        assert_eq!(text.chars().nth(159), Some(' '));
        let cut = cut(&text, SUMMARY_LENGTH);
        assert_eq!(cut, format!("{}\u{2026}", &text[..159]));
    }

    #[test]
    fn non_ascii_text_is_cut_on_a_char_boundary() {
        let text = "Ça évolue très vite à Séoul et à Zürich ".repeat(10);
        let cut = cut(text.trim(), SUMMARY_LENGTH);
        assert!(cut.chars().count() <= SUMMARY_LENGTH, "{cut}");
        assert!(cut.ends_with('\u{2026}'));
        // One long word of multi-byte characters is cut inside the word.
        let word = "é".repeat(300);
        let cut = super::cut(&word, SUMMARY_LENGTH);
        assert_eq!(cut, format!("{}\u{2026}", "é".repeat(SUMMARY_LENGTH - 1)));
        // CJK text without spaces likewise.
        let cjk = "東京の潮力発電所".repeat(40);
        assert_eq!(super::cut(&cjk, 10).chars().count(), 10);
    }
}
