//! The links and anchors an article body carries, for `check`: Markdown
//! links, e-mail autolinks, and the `href`/`src`/`srcset` and `id`/`<a name>`
//! attributes of raw HTML, each with where it starts in the body.
//!
//! Only `check` needs these, so they are read in a parse of their own,
//! apart from the transforms that render the page: builds pay nothing, and
//! a link inside a heading, a caption or a footnote is found like any other.

use std::ops::Range;

use html5gum::{DefaultEmitter, Token, Tokenizer};
use pulldown_cmark::{Event, LinkType, Tag};

use super::new_cmark_parser;
use crate::config::MarkdownConfig;

/// One link of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyLink {
    /// The URL as written, with `mailto:` put before an e-mail autolink
    /// (as the rendered `href` has it).
    pub dest: String,
    /// Byte offset in the body: the link's `[`, or the raw HTML attribute's
    /// name.
    pub offset: usize,
    pub kind: LinkKind,
}

/// Where a link was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](url)`, `<url>` or a reference link.
    Markdown,
    /// An attribute of raw HTML, e.g. `<img src>`.
    Html { tag: String, attr: &'static str },
    /// A front matter value that is published as a link, or holds inline
    /// Markdown with links: `[lead] credit_url`, `[[updates]] note`.
    Matter {
        table: &'static str,
        key: &'static str,
    },
}

impl std::fmt::Display for LinkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkKind::Markdown => f.write_str("Markdown link"),
            LinkKind::Html { tag, attr } => write!(f, "<{tag} {attr}>"),
            LinkKind::Matter { table, key } => write!(f, "{table} {key}"),
        }
    }
}

/// What [`gather`] found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gathered {
    pub links: Vec<BodyLink>,
    /// Ids defined by raw HTML: any element's `id`, and `<a name>`.
    pub anchors: Vec<String>,
}

/// Gathers the links and raw-HTML anchors of a Markdown body.
pub fn gather(body: &str, markdown: &MarkdownConfig) -> Gathered {
    let mut found = Gathered::default();
    let mut run = HtmlRun::default();
    for (event, range) in new_cmark_parser(body, markdown).into_offset_iter() {
        match event {
            // An HTML block comes one line per event, and a tag may span
            // lines: the run's text is tokenized whole once it ends.
            Event::Html(text) | Event::InlineHtml(text) => {
                run.push(&text, range);
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                // `<desk@example.org>` is rendered as a `mailto:` link.
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                found.links.push(BodyLink {
                    dest,
                    offset: range.start,
                    kind: LinkKind::Markdown,
                });
            }
            _ => {}
        }
        run.flush(body, &mut found);
    }
    run.flush(body, &mut found);
    found
}

/// Consecutive raw HTML fragments, joined, and where each came from.
#[derive(Debug, Default)]
struct HtmlRun {
    text: String,
    pieces: Vec<Piece>,
}

/// One fragment of a run: its place in the run's text and in the body.
#[derive(Debug)]
struct Piece {
    start: usize,
    source: Range<usize>,
}

impl HtmlRun {
    fn push(&mut self, text: &str, source: Range<usize>) {
        self.pieces.push(Piece {
            start: self.text.len(),
            source,
        });
        self.text.push_str(text);
    }

    /// Tokenizes the run and records what its start tags link to and
    /// define.
    fn flush(&mut self, body: &str, found: &mut Gathered) {
        if self.pieces.is_empty() {
            return;
        }
        let mut emitter = DefaultEmitter::<usize>::new_with_span();
        // Without a tree builder the tokenizer must be told that `<script>`
        // and `<style>` hold text, not tags.
        emitter.naively_switch_states(true);
        for token in Tokenizer::new_with_emitter(self.text.as_str(), emitter).flatten() {
            let Token::StartTag(tag) = token else {
                continue;
            };
            let name = String::from_utf8_lossy(&tag.name);
            for (attr, value) in &tag.attributes {
                let text = String::from_utf8_lossy(&value.value);
                // URLs and ids lose the whitespace around them, as in a browser.
                let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
                let link = |attr: &'static str, dest: &str| BodyLink {
                    dest: dest.to_string(),
                    offset: self.body_offset(body, value.span.start),
                    kind: LinkKind::Html {
                        tag: name.to_string(),
                        attr,
                    },
                };
                match attr.as_slice() {
                    b"id" => found.anchors.push(text.to_string()),
                    b"name" if name == "a" => found.anchors.push(text.to_string()),
                    b"href" => found.links.push(link("href", text)),
                    b"src" => found.links.push(link("src", text)),
                    b"srcset" => found
                        .links
                        .extend(srcset_urls(text).map(|url| link("srcset", url))),
                    _ => {}
                }
            }
        }
        self.text.clear();
        self.pieces.clear();
    }

    /// The body offset of byte `at` of the run's text.
    fn body_offset(&self, body: &str, at: usize) -> usize {
        let k = self.pieces.partition_point(|p| p.start <= at).max(1) - 1;
        let Some(piece) = self.pieces.get(k) else {
            return 0;
        };
        let end = self.pieces.get(k + 1).map_or(self.text.len(), |p| p.start);
        let text = self.text.get(piece.start..end).unwrap_or("");
        let source = body.get(piece.source.clone()).unwrap_or("");
        piece.source.start + source_offset(text, source, at - piece.start)
    }
}

/// Where byte `at` of an event's text is in its source. They are the same
/// text, except that pulldown-cmark strips container prefixes (a list
/// item's indent, a quote's `> `) from the lines of a multi-line inline tag:
/// then find the same line in the source and count from its end.
fn source_offset(text: &str, source: &str, at: usize) -> usize {
    if text == source {
        return at;
    }
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let text_line = text[line_start..].split('\n').next().unwrap_or("");
    let source_line_start = if line == 0 {
        0
    } else {
        source
            .match_indices('\n')
            .nth(line - 1)
            .map_or(0, |(i, _)| i + 1)
    };
    let source_line = source[source_line_start..].split('\n').next().unwrap_or("");
    match source_line.strip_suffix(text_line) {
        Some(prefix) => source_line_start + prefix.len() + (at - line_start),
        // Not a plain prefix (a tab expanded to spaces): the line will do.
        None => source_line_start,
    }
}

/// The URLs of a `srcset` value, after the WHATWG "parse a srcset
/// attribute" steps: candidates are separated by commas, a URL runs to the
/// next whitespace (losing trailing commas), and descriptors run to the
/// next comma outside parentheses.
fn srcset_urls(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = value;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
            if rest.is_empty() {
                return None;
            }
            let end = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            let (url, after) = rest.split_at(end);
            let trimmed = url.trim_end_matches(',');
            rest = if trimmed.len() < url.len() {
                // `a.png,b.png 2x`: a URL ending in a comma has no descriptors.
                after
            } else {
                skip_descriptors(after)
            };
            if !trimmed.is_empty() {
                return Some(trimmed);
            }
        }
    })
}

/// What follows a candidate's descriptors (`2x`, `480w`, `(…)`).
fn skip_descriptors(s: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => return &s[i + 1..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each link as (dest, the body text at its offset, how it was written).
    fn links(body: &str) -> Vec<(String, String, String)> {
        gather(body, &MarkdownConfig::default())
            .links
            .into_iter()
            .map(|l| {
                let at: String = body[l.offset..].chars().take(8).collect();
                (l.dest, at, l.kind.to_string())
            })
            .collect()
    }

    fn triple(dest: &str, at: &str, kind: &str) -> (String, String, String) {
        (dest.to_string(), at.to_string(), kind.to_string())
    }

    #[test]
    fn markdown_links_are_found_everywhere() {
        let body = "## Why [now](/a/)?\n\nText[^1] and [b](/b/).\n\n[^1]: See [c](/c/).\n";
        let dests: Vec<String> = gather(body, &MarkdownConfig::default())
            .links
            .into_iter()
            .map(|l| l.dest)
            .collect();
        assert_eq!(dests, ["/a/", "/b/", "/c/"]);
    }

    #[test]
    fn email_autolinks_become_mailto_links() {
        // Regression: `<security@example.org>` was checked as a relative
        // link to a page named `security@example.org`.
        assert_eq!(
            links("Write to <security@example.org>.\n"),
            [triple(
                "mailto:security@example.org",
                "<securit",
                "Markdown link"
            )]
        );
    }

    #[test]
    fn raw_html_block_links_point_at_their_attribute() {
        let body =
            "<div>\n<img alt=\"Chart\" src=\"chart.png\">\n<a href=\"data.csv\">data</a>\n</div>\n";
        assert_eq!(
            links(body),
            [
                triple("chart.png", "src=\"cha", "<img src>"),
                triple("data.csv", "href=\"da", "<a href>"),
            ]
        );
    }

    #[test]
    fn inline_html_links_are_found() {
        let body = "See <a href=\"report.html\">the report</a> and <img src=\"x.png\" alt=\"\">.\n";
        assert_eq!(
            links(body),
            [
                triple("report.html", "href=\"re", "<a href>"),
                triple("x.png", "src=\"x.p", "<img src>"),
            ]
        );
    }

    #[test]
    fn a_tag_split_across_lines_of_a_block_is_read_whole() {
        // An HTML block comes one line per event: the attribute is on the
        // second.
        let body = "<div\n  id=\"box\"><img\n  src=\"split.png\"></div>\n";
        let found = gather(body, &MarkdownConfig::default());
        assert_eq!(found.anchors, ["box"]);
        assert_eq!(links(body), [triple("split.png", "src=\"spl", "<img src>")]);
    }

    #[test]
    fn a_multi_line_inline_tag_in_a_list_maps_back_to_its_line() {
        // pulldown-cmark strips the item's indent from the event's text.
        let body = "- item\n  <img\n    src=\"split.png\"> text\n";
        let found = gather(body, &MarkdownConfig::default());
        assert_eq!(found.links.len(), 1);
        assert_eq!(&body[found.links[0].offset..][..4], "src=");
    }

    #[test]
    fn html_inside_a_quote_maps_back_past_the_marker() {
        let body = "> <p>\n> <a href=\"q.html\">q</a></p>\n";
        assert_eq!(links(body), [triple("q.html", "href=\"q.", "<a href>")]);
    }

    #[test]
    fn ids_and_a_names_are_anchors() {
        let body = "<section id=\"tool\">\n<a name=\"old-anchor\"></a>\n<span name=\"not-an-anchor\"></span>\n</section>\n\nInline <span id=\"inline\">x</span>.\n";
        assert_eq!(
            gather(body, &MarkdownConfig::default()).anchors,
            ["tool", "old-anchor", "inline"]
        );
    }

    #[test]
    fn every_srcset_candidate_is_a_link() {
        let body = "<img src=\"a.png\" srcset=\"a.png 1x, b.png 2x,c.png 3x\">\n";
        let dests: Vec<String> = gather(body, &MarkdownConfig::default())
            .links
            .into_iter()
            .map(|l| l.dest)
            .collect();
        assert_eq!(dests, ["a.png", "a.png", "b.png", "c.png"]);
    }

    #[test]
    fn srcset_follows_the_html_parsing_rules() {
        let urls = |v| srcset_urls(v).collect::<Vec<_>>();
        assert_eq!(urls("a.png 480w, b.png 960w"), ["a.png", "b.png"]);
        // A URL may hold commas; one that ends in a comma has no descriptor.
        assert_eq!(
            urls("a.png?w=1,2 1x, b.png, c.png 2x"),
            ["a.png?w=1,2", "b.png", "c.png"]
        );
        assert_eq!(urls("b.png,c.png 2x"), ["b.png,c.png"]);
        // Commas inside parenthesised descriptors do not end a candidate.
        assert_eq!(urls("a.png (x, y) 1x, b.png"), ["a.png", "b.png"]);
        assert_eq!(urls("  , ,"), Vec::<&str>::new());
        assert_eq!(urls("solo.png"), ["solo.png"]);
    }

    #[test]
    fn code_comments_and_scripts_are_not_html_links() {
        let body = "Inline `<a href=\"code.html\">` and <!-- <a href=\"c.html\"> -->.\n\n```html\n<a href=\"fenced.html\">\n```\n\n<script>\nvar s = '<a href=\"no.html\">';\n</script>\n";
        assert_eq!(
            gather(body, &MarkdownConfig::default()),
            Gathered::default()
        );
    }

    #[test]
    fn entities_in_attributes_are_decoded() {
        let body = "<a href=\"/search/?a=1&amp;b=2\">s</a>\n";
        assert_eq!(
            gather(body, &MarkdownConfig::default()).links[0].dest,
            "/search/?a=1&b=2"
        );
    }

    #[test]
    fn source_offsets_survive_stripped_prefixes() {
        assert_eq!(source_offset("<a\nb>", "<a\nb>", 3), 3);
        assert_eq!(source_offset("<a\nb>", "<a\n   b>", 3), 6);
        // A line that is not a suffix of its source line falls back to the
        // start of that line.
        assert_eq!(source_offset("<a\nxb>", "<a\n\tb>", 4), 3);
    }
}
