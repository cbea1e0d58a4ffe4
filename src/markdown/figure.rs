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
//!
//! A figure that needs no credit says what it is with a class block at the
//! end of its image line or of its last line, as `{.not-faq}` ends a
//! heading: `{.diagram}` or `{.screenshot}` (`{.photo}` makes an SVG, a
//! diagram by default, need a credit again).
//!
//! The lead image (`[lead]` in front matter) is the same figure: its caption
//! and credit are parsed with [`inline`] and written by the same functions.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use crate::config::{Credits, MarkdownConfig};
use crate::diagnostic::Finding;
use crate::html::{escape_into, escape_url_into, plain_text, render};
use crate::images::Kind;
use crate::images::responsive::{Responsive, srcset};

/// What the rest of the build needs to know about a rendered figure.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureInfo {
    /// Site URL of the image (`/why-now/launch.jpg`) or an external URL.
    pub url: String,
    pub alt: String,
    /// Plain text, as JSON-LD wants it.
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl FigureInfo {
    /// A figure's facts, its caption and credit as plain text.
    pub fn new(url: &str, alt: &str, c: &Caption, size: Option<(u32, u32)>) -> FigureInfo {
        FigureInfo {
            url: url.to_string(),
            alt: alt.to_string(),
            caption: (!c.caption_text.is_empty()).then(|| c.caption_text.clone()),
            credit: c.credit_text.clone(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
        }
    }

    /// A photo or other raster image, not a vector drawing (SVG).
    pub fn is_raster(&self) -> bool {
        !crate::images::is_vector(&self.url)
    }
}

/// A figure split into its parts, before it is written as HTML.
#[derive(Debug)]
pub struct Parts<'a> {
    pub src: CowStr<'a>,
    pub title: CowStr<'a>,
    pub alt: String,
    /// `[![alt](a.jpg)](a-large.jpg)`: where the image links to, and the
    /// link's title.
    pub link: Option<(CowStr<'a>, CowStr<'a>)>,
    pub caption: Vec<Event<'a>>,
    pub credit: Option<Vec<Event<'a>>>,
    /// The names in a `{.diagram}` block that ends the image's line or the
    /// figure, without their dots.
    pub classes: Vec<String>,
    /// Where the figure's image starts in the parsed text.
    pub offset: usize,
}

/// The events of a paragraph with where each starts, as
/// `Parser::into_offset_iter` gives them.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// The figures of a paragraph that starts with an image (its events
/// without the paragraph's own start and end); none when text comes first.
///
/// Every image that starts a line, or follows another figure's image with
/// nothing but spaces between, starts a figure of its own: two images on
/// consecutive lines are two figures, and an image is never a caption. The
/// text after an image, up to the next such image, is that image's
/// caption. A linked image (`[![alt](a.jpg)](a-large.jpg)`) counts as an
/// image; an image in the middle of a caption line stays in the caption.
pub fn split<'a>(events: &[Spanned<'a>]) -> Vec<Parts<'a>> {
    let mut figures = Vec::new();
    let mut i = 0;
    while let Some(end) = image_end(events, i) {
        let mut j = end + 1;
        // Only a line break outside emphasis, links and the like can end
        // a caption: splitting inside one would leave its tags unclosed.
        let mut depth = 0usize;
        // Nothing but spaces and line breaks since the image.
        let mut blank = true;
        while j < events.len() {
            let starts_line = blank || is_break(&events[j - 1].0);
            if depth == 0 && starts_line && image_end(events, j).is_some() {
                break;
            }
            let e = &events[j].0;
            match e {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            blank &= is_break(e) || matches!(e, Event::Text(t) if t.trim().is_empty());
            j += 1;
        }
        figures.push(parts(&events[i..=end], &events[end + 1..j]));
        i = j;
    }
    figures
}

/// The index of the event that ends the image (or the link around an
/// image and nothing else) starting at `i`; `None` when no image starts
/// there.
pub fn image_end(events: &[Spanned], i: usize) -> Option<usize> {
    match events.get(i)?.0 {
        Event::Start(Tag::Image { .. }) => Some(super::find_end(events, i)),
        Event::Start(Tag::Link { .. }) => {
            if !matches!(events.get(i + 1)?.0, Event::Start(Tag::Image { .. })) {
                return None;
            }
            let end = super::find_end(events, i + 1) + 1;
            matches!(events.get(end)?.0, Event::End(TagEnd::Link)).then_some(end)
        }
        _ => None,
    }
}

/// One figure: its image (a linked image included) and its caption events.
fn parts<'a>(image: &[Spanned<'a>], caption: &[Spanned<'a>]) -> Parts<'a> {
    let offset = image.first().map_or(0, |(_, r)| r.start);
    let (link, image) = match image.first() {
        Some((
            Event::Start(Tag::Link {
                dest_url, title, ..
            }),
            _,
        )) => (
            Some((dest_url.clone(), title.clone())),
            &image[1..image.len().saturating_sub(1)],
        ),
        _ => (None, image),
    };
    let (src, title) = match image.first() {
        Some((
            Event::Start(Tag::Image {
                dest_url, title, ..
            }),
            _,
        )) => (dest_url.clone(), title.clone()),
        _ => (CowStr::Borrowed(""), CowStr::Borrowed("")),
    };
    let alt_events = image[1..image.len().saturating_sub(1)]
        .iter()
        .map(|(e, _)| e);
    let alt = plain_text(alt_events).trim().to_string();
    let mut caption = trim(merge_text(caption.iter().map(|(e, _)| e.clone())));
    let classes = take_classes(&mut caption);
    let (caption, credit) = split_credit(caption);
    Parts {
        src,
        title,
        alt,
        link,
        caption,
        credit,
        classes,
        offset,
    }
}

/// Takes the class blocks off a figure's caption: one that is all the rest
/// of the image's line (`![alt](flow.svg) {.diagram}`) and one that ends
/// its last line (`…the terminal. {.diagram}`, also after a credit).
fn take_classes(caption: &mut Vec<Event<'_>>) -> Vec<String> {
    let mut classes = Vec::new();
    let image_line_is_a_block = match caption.first() {
        Some(Event::Text(t)) if caption.get(1).is_none_or(is_break) => {
            class_block(t).is_some_and(|(start, _)| start == 0)
        }
        _ => false,
    };
    if image_line_is_a_block {
        if let Event::Text(t) = caption.remove(0) {
            classes.extend(class_block(&t).map(|(_, names)| names).unwrap_or_default());
        }
        *caption = trim(std::mem::take(caption));
    }
    if let Some(Event::Text(t)) = caption.last() {
        if let Some((start, names)) = class_block(t) {
            let before = t[..start].trim_end().to_string();
            caption.pop();
            if !before.is_empty() {
                caption.push(Event::Text(before.into()));
            }
            *caption = trim(std::mem::take(caption));
            classes.extend(names);
        }
    }
    classes
}

/// A `{.name …}` block that ends `text`: where it starts and its names.
/// Only classes are read (`.name`): braces holding anything else are text.
fn class_block(text: &str) -> Option<(usize, Vec<String>)> {
    let inner = text.trim_end().strip_suffix('}')?;
    let open = inner.rfind('{')?;
    let names: Vec<String> = inner[open + 1..]
        .split_whitespace()
        .map(|token| {
            token
                .strip_prefix('.')
                .filter(|n| {
                    !n.is_empty()
                        && n.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
                .map(str::to_string)
        })
        .collect::<Option<_>>()?;
    (!names.is_empty()).then_some((open, names))
}

/// How a figure is written, for hints that say what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A paragraph of the body that starts with an image.
    Body,
    /// `[lead]` in front matter.
    Lead,
}

/// The warning for a figure that needs a credit and has none, or `None`
/// when it has one or needs none: the one rule for body figures and the
/// lead alike.
pub fn missing_credit(
    kind: Kind,
    credits: Credits,
    has_credit: bool,
    written: Written,
) -> Option<Finding> {
    if has_credit || !kind.needs_credit(credits) {
        return None;
    }
    let (message, add, mark) = match written {
        Written::Body => (
            "photo has no credit",
            "end the caption with the credit in parentheses, e.g. `(Name/Agency)`",
            "end the figure with `{.diagram}` or `{.screenshot}`",
        ),
        Written::Lead => (
            "lead image has no credit",
            "add `credit = \"Name/Agency\"` under [lead]",
            "add `kind = \"diagram\"` or `kind = \"screenshot\"` under [lead]",
        ),
    };
    Some(Finding::new(message).with_hint(format!(
        "{add}; a diagram or screenshot needs none: {mark}; or make credits optional for the whole site with `credits = \"optional\"` under [images] in nutgraf.toml"
    )))
}

/// Joins neighbouring text events into one: smart punctuation and escapes
/// split a line of text into several, and a caption is read a line at a
/// time.
fn merge_text<'a>(events: impl IntoIterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::new();
    // Appended to in place: a caption of many quotes stays linear.
    let mut text: Option<String> = None;
    for e in events {
        match e {
            Event::Text(t) => text.get_or_insert_with(String::new).push_str(&t),
            e => {
                out.extend(text.take().map(|t| Event::Text(t.into())));
                out.push(e);
            }
        }
    }
    out.extend(text.map(|t| Event::Text(t.into())));
    out
}

/// The inline events of a caption or credit written on its own, as the lead
/// image's are in front matter: what a body figure's paragraph holds after
/// its image. Parsed by the crate's one parser; block syntax is dropped
/// (`"- AP"` is `AP`) and blocks read on as lines of one caption.
pub fn inline<'t>(text: &'t str, markdown: &MarkdownConfig) -> Vec<Event<'t>> {
    let mut events = Vec::new();
    for e in super::new_cmark_parser(text, markdown) {
        let block = match &e {
            Event::Start(tag) => !is_inline(&tag.to_end()),
            Event::End(end) => !is_inline(end),
            Event::Rule => true,
            _ => false,
        };
        if !block {
            events.push(e);
        } else if !matches!(events.last(), None | Some(Event::SoftBreak)) {
            events.push(Event::SoftBreak);
        }
    }
    trim(events)
}

/// Tags that live inside a paragraph.
fn is_inline(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Makes the whole credit a link to `url` (the lead's `credit_url`), as
/// `([Name/Agency](url))` does in a body figure. A credit that already has
/// a link keeps it and is left as it is: returns `false` then.
fn link_credit<'a>(credit: &mut Vec<Event<'a>>, url: &'a str) -> bool {
    if credit
        .iter()
        .any(|e| matches!(e, Event::Start(Tag::Link { .. })))
    {
        return false;
    }
    credit.insert(
        0,
        Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: url.into(),
            title: "".into(),
            id: "".into(),
        }),
    );
    credit.push(Event::End(TagEnd::Link));
    true
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
    // text events outside any tag (code spans and parentheses inside a link
    // or emphasis don't count), so the split never cuts an element in two.
    let mut depth = 0i32;
    let mut nesting = 0i32;
    let mut open = None;
    'outer: for (i, e) in caption.iter().enumerate().rev() {
        match e {
            Event::End(_) => nesting += 1,
            Event::Start(_) => nesting -= 1,
            _ => {}
        }
        if let (Event::Text(t), 0) = (e, nesting) {
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

/// The caption of a figure whose caption and credit are given apart, as the
/// lead image's are in front matter: each is parsed with [`inline`] and
/// rendered by [`caption`], like a body figure's. `credit_url` makes the
/// credit a link unless it has a link of its own, which wins; the `bool`
/// says that `credit_url` was set and left unused that way.
pub fn caption_apart(
    caption_md: Option<&str>,
    credit_md: Option<&str>,
    credit_url: Option<&str>,
    markdown: &MarkdownConfig,
) -> (Caption, bool) {
    let mut credit = credit_md
        .map(|c| inline(c, markdown))
        .filter(|c| !c.is_empty());
    let mut unused = false;
    if let (Some(credit), Some(url)) = (credit.as_mut(), credit_url) {
        unused = !link_credit(credit, url);
    }
    let caption_events = caption_md.map(|c| inline(c, markdown)).unwrap_or_default();
    (caption(caption_events, credit), unused)
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
    /// Classes the `<figure>` gets after `figure` (`"lead"`), or empty.
    pub class: &'a str,
    pub url: &'a str,
    pub alt: &'a str,
    pub title: &'a str,
    /// `[![alt](a.jpg)](a-large.jpg)`: the link around the image and its title.
    pub link: Option<(&'a str, &'a str)>,
    /// A diagram or screenshot gets its kind as a class of the `<figure>`.
    pub kind: Kind,
    pub size: Option<(u32, u32)>,
    pub loading: Loading,
    pub responsive: Option<&'a Responsive>,
    pub sizes: &'a str,
}

impl FigureImage<'_> {
    /// The `srcset` of the `<img>`: the resized versions, then the original
    /// at its own width; `None` without resized versions.
    pub fn srcset(&self) -> Option<String> {
        let original = self.size.map(|(w, _)| (self.url, w));
        self.responsive
            .filter(|r| !r.resized.is_empty())
            .map(|r| srcset(&r.resized, original))
    }

    /// The `srcset` of the WebP `<source>`; `None` when WebP is not smaller.
    pub fn webp_srcset(&self) -> Option<String> {
        self.responsive
            .filter(|r| !r.webp.is_empty())
            .map(|r| srcset(&r.webp, None))
    }
}

/// A whole figure for a resolved image: `<picture>` with a WebP source when
/// there is one, an `<img>` with `srcset` when there are resized versions.
pub fn figure_html(img: &FigureImage, c: &Caption) -> String {
    let mut out = String::from("<figure class=\"figure");
    for class in [Some(img.class), img.kind.class()].into_iter().flatten() {
        if !class.is_empty() {
            out.push(' ');
            escape_into(&mut out, class);
        }
    }
    out.push_str("\">");
    if let Some((href, title)) = img.link {
        out.push_str("<a href=\"");
        escape_url_into(&mut out, href);
        out.push('"');
        if !title.is_empty() {
            out.push_str(" title=\"");
            escape_into(&mut out, title);
            out.push('"');
        }
        out.push('>');
    }
    let webp = img.webp_srcset();
    if let Some(set) = &webp {
        out.push_str("<picture><source type=\"image/webp\" srcset=\"");
        escape_into(&mut out, set);
        out.push_str("\" sizes=\"");
        escape_into(&mut out, img.sizes);
        out.push_str("\">");
    }
    let set = img.srcset();
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
    if img.link.is_some() {
        out.push_str("</a>");
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

/// An image `width` px wide that is narrower than the largest srcset width,
/// so wide screens would get a blurry photo; `None` when it is wide enough,
/// resizing is off, or it is a vector drawing (sharp at any width).
pub fn too_narrow(src: &str, width: u32, config: &crate::config::Config) -> Option<Finding> {
    if crate::images::is_vector(src) {
        return None;
    }
    let largest = config.images.widths.last().copied()?;
    (width < largest).then(|| {
        Finding::new(format!(
            "image `{src}` is {width} px wide, narrower than the largest srcset width ({largest} px)"
        ))
        .with_hint("use a larger original so wide screens get a sharp photo")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::TagEnd;

    /// The default `[markdown]` options: smart punctuation on.
    const ON: MarkdownConfig = MarkdownConfig {
        smart_punctuation: true,
    };

    /// The figures of the first paragraph of `md`.
    fn figures(md: &str) -> Vec<Parts<'_>> {
        let events: Vec<Spanned> = super::super::new_cmark_parser(md, &ON)
            .into_offset_iter()
            .skip(1)
            .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Paragraph)))
            .collect();
        split(&events)
    }

    /// Each figure of the first paragraph of `md` as (src, caption HTML,
    /// credit HTML).
    fn rendered(md: &str) -> Vec<(String, String, Option<String>)> {
        figures(md)
            .into_iter()
            .map(|p| {
                let src = p.src.to_string();
                let c = caption(p.caption, p.credit);
                (src, c.caption_html, c.credit_html)
            })
            .collect()
    }

    /// The parts of the only figure of `md`.
    fn only(md: &str) -> (String, String, Option<String>) {
        let mut all = figures(md);
        assert_eq!(all.len(), 1, "expected one figure in {md:?}");
        let p = all.remove(0);
        let c = caption(p.caption, p.credit);
        (p.alt, c.caption_html, c.credit_html)
    }

    /// (src, caption, credit) of a figure, for comparing with [`rendered`].
    fn fig(src: &str, cap: &str, credit: Option<&str>) -> (String, String, Option<String>) {
        (src.into(), cap.into(), credit.map(Into::into))
    }

    #[test]
    fn caption_and_credit_on_their_own_lines() {
        let (alt, cap, credit) = only(
            "![A screen](tv.jpg)\nA screen shows the *launch*.\n(Lee Jin-man/Associated Press)\n",
        );
        assert_eq!(alt, "A screen");
        assert_eq!(cap, "A screen shows the <em>launch</em>.");
        assert_eq!(credit.as_deref(), Some("Lee Jin-man/Associated Press"));
    }

    #[test]
    fn parentheses_inside_the_caption_stay_caption() {
        let (_, cap, credit) = only(
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
        let (_, cap, credit) = only("![x](a.jpg)\nVladimir Putin (right)\n");
        assert_eq!(cap, "Vladimir Putin (right)");
        assert_eq!(credit, None);
    }

    #[test]
    fn credit_after_sentence_on_same_line() {
        let (_, cap, credit) = only("![x](a.jpg) The harbour at dawn. (Ana Ruiz/EPA)\n");
        assert_eq!(cap, "The harbour at dawn.");
        assert_eq!(credit.as_deref(), Some("Ana Ruiz/EPA"));
    }

    #[test]
    fn credit_link_is_kept() {
        let (_, _, credit) = only("![x](a.jpg)\nA caption.\n([Ana Ruiz](https://e.org/ana)/EPA)\n");
        assert_eq!(
            credit.as_deref(),
            Some("<a href=\"https://e.org/ana\">Ana Ruiz</a>/EPA")
        );
    }

    #[test]
    fn credit_with_nested_parentheses() {
        let (_, cap, credit) = only("![x](a.jpg)\nA caption.\n(Ana Ruiz (pool)/EPA)\n");
        assert_eq!(cap, "A caption.");
        assert_eq!(credit.as_deref(), Some("Ana Ruiz (pool)/EPA"));
    }

    /// Regression (fuzz seed 1883343859785469): a link whose text holds the
    /// "(" matching the caption's final ")" made the split cut the `<a>` in
    /// two, leaving unbalanced tags in the figcaption.
    #[test]
    fn a_paren_inside_a_link_never_starts_the_credit() {
        let (_, cap, credit) = only("![x](a.jpg)\nSee [the map (right)\n(b](https://e.org/))\n");
        assert_eq!(credit, None);
        assert_eq!(
            cap,
            "See <a href=\"https://e.org/\">the map (right)\n(b</a>)"
        );
    }

    #[test]
    fn image_only() {
        let (alt, cap, credit) = only("![Just a photo](a.jpg)\n");
        assert_eq!(
            (alt.as_str(), cap.as_str(), credit),
            ("Just a photo", "", None)
        );
    }

    #[test]
    fn credit_only() {
        let (_, cap, credit) = only("![x](a.jpg)\n(AP)\n");
        assert_eq!((cap.as_str(), credit.as_deref()), ("", Some("AP")));
    }

    /// A caption and credit given apart, as the lead's front matter does.
    fn lead_caption(caption_md: &str, credit_md: &str, credit_url: Option<&str>) -> Caption {
        caption_apart(Some(caption_md), Some(credit_md), credit_url, &ON).0
    }

    #[test]
    fn inline_keeps_inline_markdown() {
        let c = lead_caption("A *big* [ship](https://e.org/ship) at `berth 4`.", "", None);
        assert_eq!(
            c.caption_html,
            "A <em>big</em> <a href=\"https://e.org/ship\">ship</a> at <code>berth 4</code>."
        );
        assert_eq!(c.caption_text, "A big ship at berth 4.");
        assert!(c.credit_html.is_none());
    }

    #[test]
    fn inline_drops_block_syntax_and_joins_blocks_as_lines() {
        assert_eq!(lead_caption("- AP", "", None).caption_html, "AP");
        assert_eq!(lead_caption("# Pool", "", None).caption_html, "Pool");
        let c = lead_caption("One.\n\nTwo.\n", "", None);
        assert_eq!(c.caption_html, "One.\nTwo.");
        assert_eq!(c.caption_text, "One. Two.");
    }

    #[test]
    fn inline_of_blank_text_is_empty() {
        assert!(inline("", &ON).is_empty());
        assert!(inline("  \n ", &ON).is_empty());
    }

    #[test]
    fn lead_credit_renders_as_a_body_figure_credit_does() {
        let (_, _, body) =
            only("![x](a.jpg)\nA caption.\n([Ana P\u{e9}rez](https://e.org/ana)/EPA)\n");
        let lead = lead_caption(
            "A caption.",
            "[Ana P\u{e9}rez](https://e.org/ana)/EPA",
            None,
        );
        assert_eq!(lead.credit_html, body);
        assert_eq!(lead.credit_text.as_deref(), Some("Ana P\u{e9}rez/EPA"));
    }

    #[test]
    fn credit_url_makes_a_plain_credit_a_link() {
        let (c, unused) = caption_apart(
            None,
            Some("Staff/EPA"),
            Some("https://e.org/c?a=1&b=2"),
            &ON,
        );
        assert!(!unused);
        assert_eq!(c.caption_html, "");
        assert_eq!(
            c.credit_html.as_deref(),
            Some("<a href=\"https://e.org/c?a=1&amp;b=2\">Staff/EPA</a>")
        );
        assert_eq!(c.credit_text.as_deref(), Some("Staff/EPA"));
    }

    #[test]
    fn the_credits_own_link_wins_over_credit_url() {
        let (c, unused) = caption_apart(
            None,
            Some("[Ana](https://e.org/ana)/EPA"),
            Some("https://e.org/other"),
            &ON,
        );
        assert!(unused);
        assert_eq!(
            c.credit_html.as_deref(),
            Some("<a href=\"https://e.org/ana\">Ana</a>/EPA")
        );
    }

    #[test]
    fn blank_credit_is_no_credit_even_with_credit_url() {
        let (c, unused) = caption_apart(Some("Cap."), Some(" "), Some("https://e.org/c"), &ON);
        assert!(!unused);
        assert_eq!(c.credit_html, None);
        assert_eq!(c.credit_text, None);
    }

    #[test]
    fn figure_info_carries_plain_text() {
        let c = lead_caption("", "[Ana](https://e.org/ana)/*EPA*", None);
        let info = FigureInfo::new("/a.jpg", "Alt", &c, Some((4, 3)));
        assert_eq!(info.caption, None);
        assert_eq!(info.credit.as_deref(), Some("Ana/EPA"));
        assert_eq!((info.width, info.height), (Some(4), Some(3)));
    }

    #[test]
    fn figure_html_adds_extra_classes() {
        let c = lead_caption("Cap.", "AP", None);
        let img = |class| FigureImage {
            class,
            url: "/a.jpg",
            alt: "Alt",
            title: "",
            link: None,
            kind: Kind::Photo,
            size: Some((4, 3)),
            loading: Loading::Eager,
            responsive: None,
            sizes: "100vw",
        };
        assert_eq!(
            figure_html(&img("lead"), &c),
            "<figure class=\"figure lead\"><img src=\"/a.jpg\" alt=\"Alt\" width=\"4\" height=\"3\" fetchpriority=\"high\"><figcaption><span class=\"caption\">Cap.</span> <span class=\"credit\">AP</span></figcaption></figure>\n"
        );
        assert!(figure_html(&img(""), &c).starts_with("<figure class=\"figure\"><img "));
    }

    #[test]
    fn not_a_figure_when_text_comes_first() {
        assert!(figures("Text ![x](a.jpg)").is_empty());
        assert!(figures("Text\n![x](a.jpg)\nCaption.").is_empty());
    }

    /// Regression: two images on consecutive lines became one figure, with
    /// the second `<img>` inside the first one's `<figcaption>`.
    #[test]
    fn second_image_on_the_next_line_was_put_in_the_first_figures_caption() {
        assert_eq!(
            rendered("![A](a.jpg)\n![B](b.jpg)\n"),
            [fig("a.jpg", "", None), fig("b.jpg", "", None)]
        );
    }

    #[test]
    fn three_images_in_a_row_are_three_figures() {
        assert_eq!(
            rendered("![A](a.jpg)\n![B](b.jpg)\n![C](c.jpg)\n"),
            [
                fig("a.jpg", "", None),
                fig("b.jpg", "", None),
                fig("c.jpg", "", None)
            ]
        );
    }

    #[test]
    fn a_caption_belongs_to_the_image_before_it() {
        assert_eq!(
            rendered("![A](a.jpg)\nThe quay.\n(AP)\n![B](b.jpg)\n"),
            [
                fig("a.jpg", "The quay.", Some("AP")),
                fig("b.jpg", "", None)
            ]
        );
        assert_eq!(
            rendered("![A](a.jpg)\n![B](b.jpg)\nThe quay at *night*.\n(Pool/Reuters)\n"),
            [
                fig("a.jpg", "", None),
                fig("b.jpg", "The quay at <em>night</em>.", Some("Pool/Reuters"))
            ]
        );
        assert_eq!(
            rendered("![A](a.jpg)\nOne.\n(AP)\n![B](b.jpg)\nTwo.\n(EPA)\n"),
            [
                fig("a.jpg", "One.", Some("AP")),
                fig("b.jpg", "Two.", Some("EPA"))
            ]
        );
    }

    #[test]
    fn soft_and_hard_breaks_both_separate_figures() {
        let soft = rendered("![A](a.jpg)\n![B](b.jpg)\n");
        let hard_spaces = rendered("![A](a.jpg)  \n![B](b.jpg)\n");
        let hard_backslash = rendered("![A](a.jpg)\\\n![B](b.jpg)\n");
        assert_eq!(soft.len(), 2);
        assert_eq!(hard_spaces, soft);
        assert_eq!(hard_backslash, soft);
        // A hard break inside a caption stays a line break of that caption.
        assert_eq!(
            rendered("![A](a.jpg)\nLine one\\\nline two.\n"),
            [fig("a.jpg", "Line one<br />\nline two.", None)]
        );
    }

    #[test]
    fn an_image_right_after_an_image_is_never_a_caption() {
        assert_eq!(
            rendered("![A](a.jpg) ![B](b.jpg)![C](c.jpg)\n"),
            [
                fig("a.jpg", "", None),
                fig("b.jpg", "", None),
                fig("c.jpg", "", None)
            ]
        );
    }

    #[test]
    fn an_image_inside_a_caption_line_stays_in_the_caption() {
        let figs = rendered("![A](a.jpg)\nThe route ![arrow](arrow.png) runs north.\n");
        assert_eq!(figs.len(), 1);
        assert!(figs[0].1.contains("<img src=\"arrow.png\""), "{figs:?}");
    }

    #[test]
    fn a_line_break_inside_emphasis_does_not_end_the_caption() {
        // Splitting there would leave the `<em>` unclosed.
        let figs = rendered("![A](a.jpg)\n*The quay\n![B](b.jpg) at night.*\n");
        assert_eq!(figs.len(), 1, "{figs:?}");
        assert!(figs[0].1.starts_with("<em>") && figs[0].1.ends_with("</em>"));
    }

    #[test]
    fn a_linked_image_is_a_figure_with_its_link() {
        let all = figures(
            "[![A](a.jpg \"Small\")](a-large.jpg \"Full size\")\nThe quay.\n(AP)\n[![B](b.jpg)](b-large.jpg)\n",
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].src.as_ref(), "a.jpg");
        assert_eq!(all[0].title.as_ref(), "Small");
        assert_eq!(all[0].alt, "A");
        let link = all[0].link.as_ref().map(|(d, t)| (d.as_ref(), t.as_ref()));
        assert_eq!(link, Some(("a-large.jpg", "Full size")));
        assert_eq!(
            all[1].link.as_ref().map(|(d, _)| d.as_ref()),
            Some("b-large.jpg")
        );
        assert!(all[1].caption.is_empty());
        // A link with more than the image in it is text, not a figure.
        assert!(figures("[![A](a.jpg) and more](x.html)\n").is_empty());
    }

    #[test]
    fn many_quotes_and_breaks_stay_fast() {
        // Quadratic work here takes minutes; linear takes milliseconds.
        let breaks = "\\\n".repeat(50_000);
        let quotes = "\"a\" ".repeat(150_000);
        for caption in [breaks, quotes] {
            let start = std::time::Instant::now();
            let figs = rendered(&format!("![A](a.jpg)\n{caption}end\n![B](b.jpg)\n"));
            assert_eq!(figs.len(), 2);
            let took = start.elapsed();
            assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        }
    }

    #[test]
    fn each_figure_knows_where_its_image_starts() {
        let md = "![A](a.jpg)\nThe quay.\n[![B](b.jpg)](big.jpg)\n";
        let offsets: Vec<usize> = figures(md).iter().map(|p| p.offset).collect();
        assert_eq!(offsets, [0, md.find("[![B]").unwrap_or(0)]);
    }

    /// (classes, caption HTML, credit HTML) of each figure of `md`.
    fn marked(md: &str) -> Vec<(Vec<String>, String, Option<String>)> {
        figures(md)
            .into_iter()
            .map(|p| {
                let c = caption(p.caption, p.credit);
                (p.classes, c.caption_html, c.credit_html)
            })
            .collect()
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_class_block_ends_the_figure_or_its_image_line() {
        assert_eq!(
            marked("![Flow](flow.png)\nHow a box moves. {.diagram}\n"),
            [(names(&["diagram"]), "How a box moves.".into(), None)]
        );
        assert_eq!(
            marked("![Flow](flow.png) {.diagram}\nHow a box moves.\n"),
            [(names(&["diagram"]), "How a box moves.".into(), None)]
        );
        assert_eq!(
            marked("![App](app.png)\nThe app.\n(Courtesy of the port) {.screenshot}\n"),
            [(
                names(&["screenshot"]),
                "The app.".into(),
                Some("Courtesy of the port".into())
            )]
        );
        assert_eq!(
            marked("![Flow](flow.png){.diagram .wide}\n"),
            [(names(&["diagram", "wide"]), String::new(), None)]
        );
    }

    #[test]
    fn each_figure_has_its_own_class_block() {
        let figs = marked(
            "![A](a.png) {.diagram}\n![B](b.jpg)\nThe quay.\n(AP)\n![C](c.png)\nThe app. {.screenshot}\n",
        );
        let classes: Vec<Vec<String>> = figs.into_iter().map(|f| f.0).collect();
        assert_eq!(
            classes,
            [names(&["diagram"]), vec![], names(&["screenshot"])]
        );
    }

    #[test]
    fn braces_that_are_not_a_class_block_stay_caption() {
        for text in [
            "The set {1, 2}.",
            "Keys {.a b}",
            "Empty {}",
            "Dot only {.}",
            "Open {.diagram",
        ] {
            let figs = marked(&format!("![x](a.png)\n{text}\n"));
            assert_eq!(figs[0].0, Vec::<String>::new(), "{text}");
            assert_eq!(figs[0].1, text, "{text}");
        }
        // In the middle of a caption a block is text too.
        let figs = marked("![x](a.png)\nSee {.diagram}\nbelow.\n");
        assert!(figs[0].0.is_empty() && figs[0].1.contains("{.diagram}"));
    }

    #[test]
    fn only_a_photo_without_a_credit_warns_by_default() {
        let warns =
            |kind, credits, has| missing_credit(kind, credits, has, Written::Body).is_some();
        assert!(warns(Kind::Photo, Credits::Required, false));
        assert!(!warns(Kind::Photo, Credits::Required, true));
        assert!(!warns(Kind::Photo, Credits::Optional, false));
        assert!(!warns(Kind::Diagram, Credits::Required, false));
        assert!(!warns(Kind::Screenshot, Credits::Required, false));
    }

    #[test]
    fn the_credit_hint_names_the_figure_marker_and_the_site_setting() {
        let body = missing_credit(Kind::Photo, Credits::Required, false, Written::Body)
            .unwrap_or_else(|| panic!("no warning"));
        assert_eq!(body.message, "photo has no credit");
        let hint = body.hint.unwrap_or_default();
        assert!(
            hint.starts_with("end the caption with the credit in parentheses"),
            "{hint}"
        );
        assert!(hint.contains("`{.diagram}` or `{.screenshot}`"), "{hint}");
        assert!(
            hint.contains("`credits = \"optional\"` under [images]"),
            "{hint}"
        );
        let lead = missing_credit(Kind::Photo, Credits::Required, false, Written::Lead)
            .unwrap_or_else(|| panic!("no warning"));
        assert_eq!(lead.message, "lead image has no credit");
        let hint = lead.hint.unwrap_or_default();
        assert!(hint.contains("`kind = \"diagram\"`"), "{hint}");
        assert!(
            hint.contains("`credits = \"optional\"` under [images]"),
            "{hint}"
        );
    }

    #[test]
    fn diagrams_and_screenshots_say_so_in_their_class() {
        let c = lead_caption("Cap.", "", None);
        let html = |kind| {
            figure_html(
                &FigureImage {
                    class: "lead",
                    url: "/a.svg",
                    alt: "Alt",
                    title: "",
                    link: None,
                    kind,
                    size: None,
                    loading: Loading::Lazy,
                    responsive: None,
                    sizes: "100vw",
                },
                &c,
            )
        };
        assert!(html(Kind::Diagram).starts_with("<figure class=\"figure lead diagram\">"));
        assert!(html(Kind::Screenshot).starts_with("<figure class=\"figure lead screenshot\">"));
        assert!(html(Kind::Photo).starts_with("<figure class=\"figure lead\">"));
    }

    #[test]
    fn a_linked_figure_wraps_its_image_in_the_link() {
        let c = lead_caption("Cap.", "AP", None);
        let html = figure_html(
            &FigureImage {
                class: "",
                url: "/a.jpg",
                alt: "Alt",
                title: "",
                link: Some(("a-large.jpg", "Full \"size\"")),
                kind: Kind::Photo,
                size: None,
                loading: Loading::Lazy,
                responsive: None,
                sizes: "100vw",
            },
            &c,
        );
        assert!(
            html.starts_with("<figure class=\"figure\"><a href=\"a-large.jpg\" title=\"Full &quot;size&quot;\"><img src=\"/a.jpg\" alt=\"Alt\" loading=\"lazy\" decoding=\"async\"></a><figcaption>"),
            "{html}"
        );
    }
}
