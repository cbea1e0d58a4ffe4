//! Figures: a paragraph that starts with an image becomes a `<figure>` with
//! the image, a caption and a credit; `slot:NAME` images become reserved
//! placeholders.
//!
//! ```markdown
//! ![Alt text](launch.jpg)
//! Caption with *inline* Markdown.
//! (Photographer/Agency)
//! ```
//!
//! The credit is the parenthesised group that ends the paragraph, when it
//! starts a line or follows the caption's closing punctuation. That keeps
//! "Vladimir Putin (right)" in the caption.

use pulldown_cmark::{CowStr, Event, Tag};

use crate::html::{escape_into, escape_url_into, plain_text, render};
use crate::images::ImageRef;
use crate::images::responsive::{Responsive, srcset};

/// What the rest of the build needs to know about a rendered figure.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureInfo {
    /// Site URL of the image (`/why-now/launch.jpg`) or an external URL.
    pub url: String,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A figure split into its parts, before it is written as HTML.
#[derive(Debug)]
pub struct Parts<'a> {
    pub src: CowStr<'a>,
    pub title: CowStr<'a>,
    pub alt: String,
    pub caption: Vec<Event<'a>>,
    pub credit: Option<Vec<Event<'a>>>,
}

/// Splits the events of a figure paragraph (without the paragraph's own
/// start and end) into image, caption and credit. `None` if the paragraph
/// does not start with an image.
pub fn parts<'a>(events: Vec<Event<'a>>) -> Option<Parts<'a>> {
    let mut iter = events.into_iter();
    let Some(Event::Start(Tag::Image {
        dest_url, title, ..
    })) = iter.next()
    else {
        return None;
    };
    let mut alt_events = Vec::new();
    let mut depth = 1;
    for e in iter.by_ref() {
        match &e {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(pulldown_cmark::TagEnd::Image) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        alt_events.push(e);
    }
    let alt = plain_text(&alt_events).trim().to_string();
    let caption = trim(iter.collect());
    let (caption, credit) = split_credit(caption);
    Some(Parts {
        src: dest_url,
        title,
        alt,
        caption,
        credit,
    })
}

fn is_break(e: &Event) -> bool {
    matches!(e, Event::SoftBreak | Event::HardBreak)
}

/// Drops line breaks and whitespace at both ends.
fn trim(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    loop {
        match events.last() {
            Some(e) if is_break(e) => {
                events.pop();
            }
            Some(Event::Text(t)) if t.trim().is_empty() => {
                events.pop();
            }
            Some(Event::Text(t)) if t.ends_with(char::is_whitespace) => {
                let trimmed = t.trim_end().to_string();
                events.pop();
                events.push(Event::Text(trimmed.into()));
                break;
            }
            _ => break,
        }
    }
    let mut start = 0;
    while start < events.len() {
        match &events[start] {
            e if is_break(e) => start += 1,
            Event::Text(t) if t.trim().is_empty() => start += 1,
            _ => break,
        }
    }
    events.drain(..start);
    if let Some(Event::Text(t)) = events.first_mut() {
        if t.starts_with(char::is_whitespace) {
            *t = t.trim_start().to_string().into();
        }
    }
    events
}

/// Punctuation after which a trailing "(…)" is a credit rather than part of
/// the caption's last sentence.
const SENTENCE_END: &[char] = &['.', '!', '?', '"', '\u{201d}', '\u{2019}', '\u{2026}'];

/// Splits the trailing credit group off a caption.
fn split_credit<'a>(mut caption: Vec<Event<'a>>) -> (Vec<Event<'a>>, Option<Vec<Event<'a>>>) {
    let ends_with_paren = matches!(caption.last(), Some(Event::Text(t)) if t.ends_with(')'));
    if !ends_with_paren {
        return (caption, None);
    }
    // Find the "(" that matches the final ")", walking backwards through the
    // text events (code spans and tags don't count).
    let mut depth = 0i32;
    let mut open = None;
    'outer: for (i, e) in caption.iter().enumerate().rev() {
        if let Event::Text(t) = e {
            for (pos, c) in t.char_indices().rev() {
                match c {
                    ')' => depth += 1,
                    '(' => {
                        depth -= 1;
                        if depth == 0 {
                            open = Some((i, pos));
                            break 'outer;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let Some((i, pos)) = open else {
        return (caption, None);
    };
    let Event::Text(text) = &caption[i] else {
        return (caption, None);
    };
    let before = text[..pos].trim_end().to_string();
    let after = text[pos + 1..].to_string();
    let starts_line = before.is_empty() && (i == 0 || is_break(&caption[i - 1]));
    let after_sentence = before.ends_with(SENTENCE_END);
    if !(starts_line || after_sentence) {
        return (caption, None);
    }
    let mut credit: Vec<Event<'a>> = caption.split_off(i + 1);
    caption.pop(); // the event holding "("
    if !after.is_empty() {
        credit.insert(0, Event::Text(after.into()));
    }
    // Drop the closing ")".
    if let Some(Event::Text(t)) = credit.last_mut() {
        let inner = t.strip_suffix(')').unwrap_or(t).trim_end().to_string();
        *t = inner.into();
    }
    if !before.is_empty() {
        caption.push(Event::Text(before.into()));
    }
    let caption = trim(caption);
    let credit = trim(credit);
    let credit = (!credit.is_empty()).then_some(credit);
    (caption, credit)
}

/// How the `<img>` loads: the first image of a page is fetched eagerly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    Eager,
    Lazy,
}

/// Writes `<img …>`; `srcset` is `(srcset, sizes)`.
pub fn img_tag(
    out: &mut String,
    url: &str,
    alt: &str,
    title: &str,
    size: Option<(u32, u32)>,
    loading: Loading,
    srcset: Option<(&str, &str)>,
) {
    out.push_str("<img src=\"");
    escape_url_into(out, url);
    out.push('"');
    if let Some((set, sizes)) = srcset {
        out.push_str(" srcset=\"");
        escape_into(out, set);
        out.push_str("\" sizes=\"");
        escape_into(out, sizes);
        out.push('"');
    }
    out.push_str(" alt=\"");
    escape_into(out, alt);
    out.push('"');
    if !title.is_empty() {
        out.push_str(" title=\"");
        escape_into(out, title);
        out.push('"');
    }
    if let Some((w, h)) = size {
        out.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
    }
    match loading {
        Loading::Eager => out.push_str(" fetchpriority=\"high\">"),
        Loading::Lazy => out.push_str(" loading=\"lazy\" decoding=\"async\">"),
    }
}

/// The rendered caption and credit of a figure.
pub struct Caption {
    pub caption_html: String,
    pub caption_text: String,
    pub credit_html: Option<String>,
    pub credit_text: Option<String>,
}

pub fn caption<'a>(caption: Vec<Event<'a>>, credit: Option<Vec<Event<'a>>>) -> Caption {
    let caption_text = plain_text(&caption).trim().to_string();
    let credit_text = credit.as_ref().map(|c| plain_text(c).trim().to_string());
    Caption {
        caption_html: render(caption).trim().to_string(),
        caption_text,
        credit_html: credit.map(|c| render(c).trim().to_string()),
        credit_text,
    }
}

/// Writes the `<figcaption>`, or nothing when there is neither caption nor credit.
pub fn figcaption(out: &mut String, c: &Caption) {
    if c.caption_html.is_empty() && c.credit_html.is_none() {
        return;
    }
    out.push_str("<figcaption>");
    if !c.caption_html.is_empty() {
        out.push_str("<span class=\"caption\">");
        out.push_str(&c.caption_html);
        out.push_str("</span>");
    }
    if let Some(credit) = &c.credit_html {
        if !c.caption_html.is_empty() {
            out.push(' ');
        }
        out.push_str("<span class=\"credit\">");
        out.push_str(credit);
        out.push_str("</span>");
    }
    out.push_str("</figcaption>");
}

/// The image of a figure: its URL, intrinsic size and resized versions.
pub struct FigureImage<'a> {
    pub url: &'a str,
    pub alt: &'a str,
    pub title: &'a str,
    pub size: Option<(u32, u32)>,
    pub loading: Loading,
    pub responsive: Option<&'a Responsive>,
    pub sizes: &'a str,
}

/// A whole figure for a resolved image: `<picture>` with a WebP source when
/// there is one, an `<img>` with `srcset` when there are resized versions.
pub fn figure_html(img: &FigureImage, c: &Caption) -> String {
    let mut out = String::from("<figure class=\"figure\">");
    let original = img.size.map(|(w, _)| (img.url, w));
    let resized = img.responsive.filter(|r| !r.resized.is_empty());
    let webp = img.responsive.filter(|r| !r.webp.is_empty());
    if let Some(r) = webp {
        out.push_str("<picture><source type=\"image/webp\" srcset=\"");
        escape_into(&mut out, &srcset(&r.webp, None));
        out.push_str("\" sizes=\"");
        escape_into(&mut out, img.sizes);
        out.push_str("\">");
    }
    let set = resized.map(|r| srcset(&r.resized, original));
    img_tag(
        &mut out,
        img.url,
        img.alt,
        img.title,
        img.size,
        img.loading,
        set.as_deref().map(|s| (s, img.sizes)),
    );
    if webp.is_some() {
        out.push_str("</picture>");
    }
    figcaption(&mut out, c);
    out.push_str("</figure>\n");
    out
}

/// The placeholder shown for an image slot in drafts and `serve`.
pub fn slot_html(name: &str, brief: &str, c: &Caption) -> String {
    let mut out = String::from(
        "<figure class=\"figure slot\"><div class=\"slot-box\" role=\"img\" aria-label=\"Image slot: ",
    );
    escape_into(&mut out, if brief.is_empty() { name } else { brief });
    out.push_str("\"><span class=\"slot-label\">Image slot \u{b7} ");
    escape_into(&mut out, name);
    out.push_str("</span><span class=\"slot-brief\">");
    escape_into(&mut out, brief);
    out.push_str("</span></div>");
    figcaption(&mut out, c);
    out.push_str("</figure>\n");
    out
}

/// Whether a reference is a photo that needs a credit.
pub fn needs_credit(r: &ImageRef) -> bool {
    !matches!(r, ImageRef::Slot(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Parser, TagEnd};

    /// The figure parts of the first paragraph of `md`.
    fn split(md: &str) -> (String, String, Option<String>) {
        let events: Vec<Event> = Parser::new(md)
            .skip(1)
            .take_while(|e| !matches!(e, Event::End(TagEnd::Paragraph)))
            .collect();
        let p = parts(events).unwrap_or_else(|| panic!("not a figure"));
        let c = caption(p.caption, p.credit);
        (p.alt, c.caption_html, c.credit_html)
    }

    #[test]
    fn caption_and_credit_on_their_own_lines() {
        let (alt, cap, credit) = split(
            "![A screen](tv.jpg)\nA screen shows the *launch*.\n(Lee Jin-man/Associated Press)\n",
        );
        assert_eq!(alt, "A screen");
        assert_eq!(cap, "A screen shows the <em>launch</em>.");
        assert_eq!(credit.as_deref(), Some("Lee Jin-man/Associated Press"));
    }

    #[test]
    fn parentheses_inside_the_caption_stay_caption() {
        let (_, cap, credit) = split(
            "![x](a.jpg)\nVladimir Putin (right) meets Kim Jong Un (left) in 2024.\n(Pool/Reuters)\n",
        );
        assert_eq!(
            cap,
            "Vladimir Putin (right) meets Kim Jong Un (left) in 2024."
        );
        assert_eq!(credit.as_deref(), Some("Pool/Reuters"));
    }

    #[test]
    fn trailing_parenthetical_without_punctuation_is_caption() {
        let (_, cap, credit) = split("![x](a.jpg)\nVladimir Putin (right)\n");
        assert_eq!(cap, "Vladimir Putin (right)");
        assert_eq!(credit, None);
    }

    #[test]
    fn credit_after_sentence_on_same_line() {
        let (_, cap, credit) = split("![x](a.jpg) The harbour at dawn. (Ana Ruiz/EPA)\n");
        assert_eq!(cap, "The harbour at dawn.");
        assert_eq!(credit.as_deref(), Some("Ana Ruiz/EPA"));
    }

    #[test]
    fn credit_link_is_kept() {
        let (_, _, credit) =
            split("![x](a.jpg)\nA caption.\n([Ana Ruiz](https://e.org/ana)/EPA)\n");
        assert_eq!(
            credit.as_deref(),
            Some("<a href=\"https://e.org/ana\">Ana Ruiz</a>/EPA")
        );
    }

    #[test]
    fn credit_with_nested_parentheses() {
        let (_, cap, credit) = split("![x](a.jpg)\nA caption.\n(Ana Ruiz (pool)/EPA)\n");
        assert_eq!(cap, "A caption.");
        assert_eq!(credit.as_deref(), Some("Ana Ruiz (pool)/EPA"));
    }

    #[test]
    fn image_only() {
        let (alt, cap, credit) = split("![Just a photo](a.jpg)\n");
        assert_eq!(
            (alt.as_str(), cap.as_str(), credit),
            ("Just a photo", "", None)
        );
    }

    #[test]
    fn credit_only() {
        let (_, cap, credit) = split("![x](a.jpg)\n(AP)\n");
        assert_eq!((cap.as_str(), credit.as_deref()), ("", Some("AP")));
    }

    #[test]
    fn not_a_figure_when_text_comes_first() {
        let events: Vec<Event> = Parser::new("Text ![x](a.jpg)").skip(1).collect();
        assert!(parts(events).is_none());
    }
}
