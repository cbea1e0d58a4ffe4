//! Markdown to HTML: pulldown-cmark configured in one place, and the event
//! transforms that make explainers (figures, slots, question headings,
//! highlighted code, footnotes at the end), and the plain-text summary.

pub mod components;
pub mod figure;
pub mod highlight;
pub mod links;
mod positions;
pub mod questions;
pub mod summary;
pub mod words;

use std::collections::HashMap;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use self::figure::{FigureInfo, Loading, Written};
use self::questions::{FaqEntry, Ids, Question};
use self::words::Words;
use crate::config::{Config, MarkdownConfig};
use crate::diagnostic::{Diagnostic, Position, Severity, did_you_mean};
use crate::html::{escape_into, plain_text, render};
use crate::images::{ImageRef, Images, Kind};

/// The one place pulldown-cmark is configured; every Markdown parse of the
/// crate goes through here, with the site's `[markdown]` options.
pub fn new_cmark_parser<'t>(text: &'t str, markdown: &MarkdownConfig) -> Parser<'t> {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    // pulldown-cmark never applies it inside code spans and code blocks.
    options.set(
        Options::ENABLE_SMART_PUNCTUATION,
        markdown.smart_punctuation,
    );
    Parser::new_ext(text, options)
}

/// Inline Markdown written on its own (a corrections note) as HTML, read
/// the way a figure's caption is ([`figure::inline`]): no `<p>`, and block
/// syntax read as lines of one text.
pub fn render_inline(text: &str, markdown: &MarkdownConfig) -> String {
    render(figure::inline(text, markdown)).trim().to_string()
}

/// The shortest opening paragraph, in characters, that gets a drop cap:
/// more than two full lines at the widest measure (about 80 characters a
/// line), so the text always wraps past the cap.
pub const DROP_CAP_MIN_CHARS: usize = 200;

/// Whether an opening paragraph with this text gets a drop cap: long
/// enough, and starting with a digit or a letter of a script with capital
/// letters (a drop-capped quotation mark reads as a stray glyph; Arabic,
/// Hebrew, Chinese, Japanese, Korean and the Indic scripts have no capitals
/// and no drop-cap tradition, and an Arabic letter cut from its word loses
/// its joined form).
fn earns_drop_cap(text: &str) -> bool {
    let first = text
        .trim_start()
        .chars()
        .find(|c| !c.is_ascii_punctuation());
    first.is_some_and(|c| c.is_numeric() || c.is_uppercase() || c.is_lowercase())
        && text.chars().count() >= DROP_CAP_MIN_CHARS
}

/// What a page's Markdown renders with.
pub struct RenderContext<'a> {
    pub config: &'a Config,
    pub images: &'a Images,
    /// Folder of the Markdown file, for relative image paths.
    pub page_dir: &'a Path,
    pub page_url: &'a str,
    /// The file as shown in diagnostics, and its whole text, for positions.
    pub display: &'a Path,
    pub file_text: &'a str,
    /// Where the body starts in `file_text`.
    pub body_offset: usize,
    /// Show image slots as placeholders (drafts, serve) instead of warning.
    pub show_slots: bool,
    /// The page's `faq` front matter key: `Some(true)` forces the
    /// question menu and FAQPage, `Some(false)` turns FAQPage off.
    pub faq: Option<bool>,
    /// A lead image is rendered above the body, so no body image is first.
    pub has_lead: bool,
    /// Makes the resized versions of figures.
    pub processor: &'a crate::images::responsive::Processor<'a>,
    /// Report images narrower than the largest srcset width (`check`).
    pub lint_small_images: bool,
    /// The components the Markdown may call (the theme's); `None` where
    /// there are none, and a call is then an unknown component.
    pub components: Option<&'a dyn components::Library>,
    /// Where Zola's internal links (`[a](@/posts/a.md)`) lead; `None`
    /// where there is no site to look in.
    pub sources: Option<&'a dyn Sources>,
    /// The accessible name of the `#` link beside each heading, in the
    /// page's language (`link_to_section` in the strings).
    pub anchor_label: &'a str,
}

/// The content files of the site, by their path under `content/` with `/`
/// between folders (`posts/a.md`, `posts/_index.md`, `_index.md`), for
/// Zola's internal links.
pub trait Sources: Sync {
    /// The URL of the page or listing made from the file at `path`, when
    /// this build publishes it.
    fn url(&self, path: &str) -> Option<&str>;
    /// The published file whose path is nearest to `path`, for a hint.
    fn near(&self, path: &str) -> Option<String>;
}

/// Zola's internal link prefix: the rest is a path under `content/`.
pub const INTERNAL_PREFIX: &str = "@/";

/// The file path and the `#fragment` (with its `#`) of an internal link.
pub fn split_internal(dest: &str) -> Option<(&str, &str)> {
    let rest = dest.strip_prefix(INTERNAL_PREFIX)?;
    Some(match rest.find('#') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    })
}

/// A page's rendered body and what was learned while rendering it.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub questions: Vec<Question>,
    pub faq: Vec<FaqEntry>,
    pub figures: Vec<FigureInfo>,
    pub words: Words,
    pub diagnostics: Vec<Diagnostic>,
    /// Every id given to an element of the body (headings, footnotes).
    /// `check` finds links, and ids written in raw HTML, with
    /// [`links::gather`].
    pub anchors: Vec<String>,
    /// The body's plain-text summary ([`summary::summarize`]).
    pub summary: Option<String>,
    /// The image files handed to the processor for resized versions, in
    /// order: a build that reuses the page asks for them again, so their
    /// files are published as when the page was rendered.
    pub processed: Vec<std::path::PathBuf>,
    /// The components the body calls, sorted, each once: a page is
    /// rendered again when one of their templates changes.
    pub components: Vec<String>,
    /// The internal links' files (`@/…`), each once, sorted, with the URL
    /// each led to (`None`: no such published file): a page is rendered
    /// again when one of them moves.
    pub internal: Vec<(String, Option<String>)>,
}

struct State<'c, 'a> {
    ctx: &'c RenderContext<'c>,
    out: Vec<Event<'a>>,
    ids: Ids,
    lines: positions::Lines<'c>,
    /// (index in `out` of each `##` heading, the question it opens if any)
    sections: Vec<(usize, Option<usize>)>,
    questions: Vec<Question>,
    figures: Vec<FigureInfo>,
    processed: Vec<std::path::PathBuf>,
    diagnostics: Vec<Diagnostic>,
    words: Words,
    images_seen: usize,
    /// The level of the heading before, 1 for the page's title.
    heading_level: usize,
    /// label → (number, how many references so far)
    footnote_refs: HashMap<String, (usize, usize)>,
    footnote_order: Vec<String>,
    footnotes: HashMap<String, Vec<Event<'a>>>,
    /// label → id of its definition, and of each reference to it, taken
    /// from `ids` before any heading (see [`State::reserve_footnote_ids`]).
    footnote_ids: HashMap<String, String>,
    reference_ids: HashMap<String, Vec<String>>,
    /// The body's component calls, and whether each passed its checks (a
    /// call that did not stays as the text it was written as).
    calls: Vec<components::Call>,
    call_ok: Vec<bool>,
    /// Each gallery that passed its checks, by call, with its columns.
    galleries: Vec<(usize, usize)>,
    /// The columns of the gallery whose figures are being rendered.
    gallery: Option<usize>,
    /// The Markdown as parsed, for the text of a failed inline call.
    source: &'c str,
}

/// Zola's escaped calls in code spans and blocks (those in prose are
/// found as calls and printed as text): shown without the `/* */`.
fn unescape_zola_in_code(events: &mut [(Event<'_>, std::ops::Range<usize>)]) {
    let mut in_code = false;
    for (event, _) in events.iter_mut() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Code(t) => {
                if let std::borrow::Cow::Owned(u) = components::unescape_zola(t) {
                    *t = u.into();
                }
            }
            Event::Text(t) if in_code => {
                if let std::borrow::Cow::Owned(u) = components::unescape_zola(t) {
                    *t = u.into();
                }
            }
            _ => {}
        }
    }
}

/// Renders a page's Markdown body.
pub fn render_page(body: &str, ctx: &RenderContext) -> Rendered {
    let (calls, problems) = components::find(body, &ctx.config.markdown);
    // Calls are parsed out of a copy of the same length, so every offset
    // (and so every position) is the body's own.
    let (source, calls, copy_problem) = match components::parse_copy(body, &calls) {
        Ok(copy) if !calls.is_empty() => (std::borrow::Cow::Owned(copy), calls, None),
        Ok(_) => (std::borrow::Cow::Borrowed(body), calls, None),
        Err(p) => (std::borrow::Cow::Borrowed(body), Vec::new(), Some(p)),
    };
    let source: &str = &source;
    let mut events: Vec<(Event, std::ops::Range<usize>)> =
        new_cmark_parser(source, &ctx.config.markdown)
            .into_offset_iter()
            .collect();
    unnest_links(&mut events, source);
    let mut internal = Vec::new();
    let mut link_problems = Vec::new();
    if memchr::memmem::find(source.as_bytes(), INTERNAL_PREFIX.as_bytes()).is_some() {
        resolve_internal_links(&mut events, ctx.sources, &mut internal, &mut link_problems);
    }
    // memmem, not `str::contains`: this runs over every page's whole text.
    if memchr::memmem::find(source.as_bytes(), b"{{/*").is_some()
        || memchr::memmem::find(source.as_bytes(), b"{%/*").is_some()
    {
        unescape_zola_in_code(&mut events);
    }
    let mut st = State {
        ctx,
        out: Vec::with_capacity(events.len()),
        ids: Ids::default(),
        lines: positions::Lines::new(ctx.file_text),
        sections: Vec::new(),
        questions: Vec::new(),
        figures: Vec::new(),
        processed: Vec::new(),
        diagnostics: Vec::new(),
        words: Words::default(),
        images_seen: usize::from(ctx.has_lead),
        heading_level: 1,
        footnote_refs: HashMap::new(),
        footnote_order: Vec::new(),
        footnotes: HashMap::new(),
        footnote_ids: HashMap::new(),
        reference_ids: HashMap::new(),
        call_ok: vec![true; calls.len()],
        galleries: Vec::new(),
        gallery: None,
        calls,
        source: body,
    };
    for p in problems.into_iter().chain(copy_problem) {
        st.component_error(p);
    }
    for (at, message, hint) in link_problems {
        let d = Diagnostic::error(ctx.display, st.position(at), message).with_hint(hint);
        st.diagnostics.push(d);
    }
    if !st.calls.is_empty() {
        events = st.weave(events);
    }
    let summary = summary::summarize_events(events.iter().map(|(e, _)| e), source);
    // Before the headings: a heading above a definition must not take its id.
    st.reserve_footnote_ids(&events);

    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Start(Tag::Paragraph) if figure::image_end(&events, i + 1).is_some() => {
                let end = find_end(&events, i);
                st.figures(&events[i + 1..end]);
                i = end + 1;
            }
            Event::Start(Tag::Heading { .. }) => {
                let end = find_end(&events, i);
                st.heading(&events[i..=end]);
                i = end + 1;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let end = find_end(&events, i);
                let code: String = events[i + 1..end]
                    .iter()
                    .filter_map(|(e, _)| match e {
                        Event::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => crate::markdown::highlight::language_of(info),
                    CodeBlockKind::Indented => None,
                };
                st.out.push(Event::Html(
                    crate::markdown::highlight::code_block(lang, &code).into(),
                ));
                i = end + 1;
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let end = find_end(&events, i);
                let inner = events[i + 1..end].iter().map(|(e, _)| e.clone()).collect();
                st.footnotes.insert(label.to_string(), inner);
                i = end + 1;
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                // An image inside a paragraph of text: kept inline, resolved.
                let end = find_end(&events, i);
                let alt = plain_text(events[i + 1..end].iter().map(|(e, _)| e));
                st.inline_image(dest_url, title, &alt, range.start);
                i = end + 1;
            }
            Event::FootnoteReference(label) => {
                st.footnote_reference(label);
                i += 1;
            }
            Event::Text(t) => {
                st.words += Words::of(t);
                st.out.push(event.clone());
                i += 1;
            }
            Event::Html(h) if !st.galleries.is_empty() => {
                // A gallery's figures are a column each: their `sizes`
                // says so.
                if let Some((open, k)) = components::read_block_marker(h) {
                    st.gallery = match st.galleries.iter().find(|(g, _)| *g == k) {
                        Some(&(_, columns)) if open => Some(columns),
                        Some(_) => None,
                        None => st.gallery,
                    };
                }
                st.out.push(event.clone());
                i += 1;
            }
            _ => {
                st.out.push(event.clone());
                i += 1;
            }
        }
    }
    Rendered {
        summary,
        internal,
        ..st.finish()
    }
}

/// The kinds of block not every article has, each with the markup that
/// shows it in rendered HTML, in the order their stylesheet parts load
/// (`blocks/<name>.css`, see [`crate::theme::BLOCKS_DIR`]). Alerts are
/// block quotes too, so a page with one loads both parts.
const STYLED_BLOCKS: &[(&str, &[&str])] = &[
    ("quotes", &["<blockquote"]),
    ("alerts", &["markdown-alert"]),
    ("tables", &["<table"]),
    ("footnotes", &["class=\"footnote"]),
    ("slots", &["class=\"figure slot"]),
];

/// The kinds of block in rendered `html` that have their own stylesheet
/// part, by name, in cascade order: a page loads only the styles of the
/// blocks it has. Writers' raw HTML counts too (a hand-written `<table>`
/// gets the table styles); code shown in a page is escaped, so a
/// `<table>` in a code block does not.
pub fn styled_blocks(html: &str) -> Vec<&'static str> {
    STYLED_BLOCKS
        .iter()
        .filter(|(_, marks)| {
            marks
                .iter()
                .any(|mark| memchr::memmem::find(html.as_bytes(), mark.as_bytes()).is_some())
        })
        .map(|(name, _)| *name)
        .collect()
}

/// The largest width a gallery breaks into one column at, in both
/// built-in themes: below it each photo is as wide as a body figure.
pub const GALLERY_STACKS_BELOW: &str = "40rem";

/// The `sizes` of a photo in a gallery of `columns`: one column of what a
/// body figure takes (`sizes`, as configured), and the whole width where
/// the gallery stacks. `(min-width: 72rem) 72rem, 100vw` in two columns is
/// `(max-width: 40rem) 100vw, (min-width: 72rem) calc(72rem / 2),
/// calc(100vw / 2)`: the gaps between columns are left in, so a browser
/// may pick a file a few pixels larger than needed, never a smaller one.
pub fn gallery_sizes(sizes: &str, columns: usize) -> String {
    let stacked = format!("(max-width: {GALLERY_STACKS_BELOW})");
    let mut out = format!("{stacked} 100vw");
    for entry in split_top_level_commas(sizes) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        // A media condition, if any, is in parentheses before the length.
        let (media, length) = match entry.starts_with('(') {
            true => match top_level(entry, char::is_whitespace).last().copied() {
                Some(at) => (Some(entry[..at].trim()), entry[at..].trim()),
                None => (None, entry),
            },
            false => (None, entry),
        };
        // The figure's own entry for where the gallery stacks is shadowed
        // by the one written first.
        if media == Some(stacked.as_str()) {
            continue;
        }
        out.push_str(", ");
        if let Some(media) = media {
            out.push_str(media);
            out.push(' ');
        }
        out.push_str(&format!("calc({length} / {columns})"));
    }
    out
}

/// The byte offsets in `text` of the characters outside parentheses that
/// `pick` accepts.
fn top_level(text: &str, pick: impl Fn(char) -> bool) -> Vec<usize> {
    let mut depth = 0usize;
    let mut found = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && pick(c) => found.push(i),
            _ => {}
        }
    }
    found
}

/// `text` cut at commas outside parentheses.
fn split_top_level_commas(text: &str) -> Vec<&str> {
    let mut start = 0;
    let mut out = Vec::new();
    for at in top_level(text, |c| c == ',') {
        out.push(&text[start..at]);
        start = at + 1;
    }
    out.push(&text[start..]);
    out
}

/// Points Zola's internal links (`@/posts/a.md#why`) at the URL of the
/// file they name, records which files they named, and reports those that
/// lead nowhere as (offset, message, hint). Without `sources` they are
/// left as written.
fn resolve_internal_links(
    events: &mut [(Event<'_>, std::ops::Range<usize>)],
    sources: Option<&dyn Sources>,
    internal: &mut Vec<(String, Option<String>)>,
    problems: &mut Vec<(usize, String, String)>,
) {
    let Some(sources) = sources else {
        return;
    };
    for (event, range) in events.iter_mut() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let Some((path, fragment)) = split_internal(dest_url) else {
            continue;
        };
        let url = sources.url(path).map(str::to_string);
        internal.push((path.to_string(), url.clone()));
        match url {
            Some(url) => *dest_url = format!("{url}{fragment}").into(),
            None => {
                let hint = match sources.near(path) {
                    Some(near) => format!("did you mean `@/{near}`?"),
                    None => "an internal link names a Markdown file by its path under content/, as in Zola: `@/posts/a.md`, `@/posts/_index.md` for a section".to_string(),
                };
                problems.push((
                    range.start,
                    format!("internal link `{dest_url}` leads to no published page: there is no content/{path}, or it is a draft"),
                    hint,
                ));
            }
        }
    }
    internal.sort();
    internal.dedup();
}

/// Links may not contain other links (CommonMark 0.31, 6.3): a link
/// around an autolink (`[a <https://x.org> b](https://y.org)`), which
/// pulldown-cmark emits, would nest `<a>` in `<a>`, which HTML forbids. The
/// outer one becomes the text it was written as, as the spec renders it.
/// (Found by the fuzzing harness, seed 1883353030605531.)
fn unnest_links<'a>(events: &mut [(Event<'a>, std::ops::Range<usize>)], body: &'a str) {
    // Open links: (index of the start, whether a link opened inside it).
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut outer: Vec<(usize, usize)> = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Link { .. }) => {
                for o in &mut open {
                    o.1 = true;
                }
                open.push((i, false));
            }
            Event::End(TagEnd::Link) => {
                if let Some((start, holds_link)) = open.pop() {
                    if holds_link {
                        outer.push((start, i));
                    }
                }
            }
            _ => {}
        }
    }
    for (start, end) in outer {
        let whole = events[start].1.clone();
        let text_from = events.get(start + 1).map_or(whole.end, |e| e.1.start);
        let text_to = events[end - 1].1.end.max(text_from);
        let slice = |r: std::ops::Range<usize>| body.get(r).unwrap_or_default();
        events[start].0 = Event::Text(slice(whole.start..text_from).into());
        events[end].0 = Event::Text(slice(text_to..whole.end).into());
    }
}

/// Index of the event that closes the one opened at `start`.
fn find_end(events: &[(Event, std::ops::Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

impl<'c, 'a> State<'c, 'a> {
    fn position(&self, body_pos: usize) -> Position {
        self.lines.position(self.ctx.body_offset + body_pos)
    }

    fn warn(&mut self, body_pos: usize, message: String, hint: &str) {
        let d =
            Diagnostic::warning(self.ctx.display, self.position(body_pos), message).with_hint(hint);
        self.diagnostics.push(d);
    }

    fn next_loading(&mut self) -> Loading {
        self.images_seen += 1;
        if self.images_seen == 1 {
            Loading::Eager
        } else {
            Loading::Lazy
        }
    }

    /// Resolves an image, reporting bad paths and missing files.
    fn resolve(&mut self, src: &str, body_pos: usize) -> Option<(ImageRef, Option<(u32, u32)>)> {
        match self
            .ctx
            .images
            .resolve(self.ctx.page_dir, self.ctx.page_url, src)
        {
            Err(finding) => {
                let d = finding.at(Severity::Error, self.ctx.display, self.position(body_pos));
                self.diagnostics.push(d);
                None
            }
            Ok(ImageRef::Local { file, url }) => {
                let size = self.ctx.images.size(&file);
                if let Err(why) = &size {
                    let finding = self.ctx.images.size_finding(src, &file, why);
                    let d =
                        finding.at(Severity::Warning, self.ctx.display, self.position(body_pos));
                    self.diagnostics.push(d);
                }
                Some((ImageRef::Local { file, url }, size.ok()))
            }
            Ok(other) => Some((other, None)),
        }
    }

    /// A paragraph that starts with an image: one figure per image.
    fn figures(&mut self, inner: &[(Event<'a>, std::ops::Range<usize>)]) {
        for (e, _) in inner {
            if let Event::Text(t) = e {
                self.words += Words::of(t);
            }
        }
        for parts in figure::split(inner) {
            self.figure(parts);
        }
    }

    fn figure(&mut self, parts: figure::Parts<'a>) {
        let body_pos = parts.offset;
        let Some((target, size)) = self.resolve(&parts.src, body_pos) else {
            return;
        };
        let has_credit = parts.credit.is_some();
        let kind = Kind::of(self.figure_kind(&parts.classes, body_pos), &parts.src);
        let cap = figure::caption(parts.caption, parts.credit);
        let html = match &target {
            ImageRef::Slot(name) => {
                if self.ctx.show_slots {
                    figure::slot_html(name, &parts.alt, &cap)
                } else {
                    self.warn(
                        body_pos,
                        format!("empty image slot `{name}`: {}", parts.alt),
                        "choose the photo and replace `slot:…` with its file name; drafts (`--drafts`) show slots as placeholders",
                    );
                    String::new()
                }
            }
            ImageRef::Local { url, .. } | ImageRef::External(url) => {
                self.lint(body_pos, &parts.alt, &cap);
                let credits = self.ctx.config.images.credits;
                if let Some(f) = figure::missing_credit(kind, credits, has_credit, Written::Body) {
                    let d = f.at(Severity::Warning, self.ctx.display, self.position(body_pos));
                    self.diagnostics.push(d);
                }
                // Only files of the site are resized (and can be too small).
                let responsive = match &target {
                    ImageRef::Local { file, .. } => {
                        self.lint_width(body_pos, &parts.src, size);
                        size.and_then(|_| {
                            self.processed.push(file.clone());
                            self.ctx.processor.responsive(file)
                        })
                    }
                    _ => None,
                };
                let loading = self.next_loading();
                self.figures
                    .push(FigureInfo::new(url, &parts.alt, &cap, size));
                figure::figure_html(
                    &figure::FigureImage {
                        class: "",
                        url,
                        alt: &parts.alt,
                        title: &parts.title,
                        link: parts.link.as_ref().map(|(d, t)| (d.as_ref(), t.as_ref())),
                        kind,
                        size,
                        loading,
                        responsive: responsive.as_ref(),
                        sizes: &match self.gallery {
                            Some(columns) => {
                                gallery_sizes(&self.ctx.processor.sizes().figure, columns)
                            }
                            None => self.ctx.processor.sizes().figure.clone(),
                        },
                    },
                    &cap,
                )
            }
        };
        if !html.is_empty() {
            self.out.push(Event::Html(html.into()));
        }
    }

    /// The kind a figure's class block names, if any; other names are
    /// reported, since a misspelt `{.diagram}` would leave a credit warning
    /// unexplained.
    fn figure_kind(&mut self, classes: &[String], body_pos: usize) -> Option<Kind> {
        let mut kind = None;
        for name in classes {
            match Kind::from_name(name) {
                Some(k) => kind = Some(k),
                None => {
                    let hint = match did_you_mean(name, Kind::NAMES) {
                        Some(k) => format!("did you mean `{{.{k}}}`?"),
                        None => "a figure can say it is a `{.photo}`, a `{.diagram}` or a `{.screenshot}`".to_string(),
                    };
                    self.warn(body_pos, format!("unknown figure class `.{name}`"), &hint);
                }
            }
        }
        kind
    }

    fn lint(&mut self, body_pos: usize, alt: &str, cap: &figure::Caption) {
        if alt.is_empty() {
            self.warn(
                body_pos,
                "figure has no alt text".into(),
                "describe what the photo shows inside `![…]`",
            );
        } else if normalize(alt) == normalize(&cap.caption_text) {
            self.warn(
                body_pos,
                "alt text repeats the caption".into(),
                "alt text describes what the photo shows; the caption says what it means",
            );
        }
    }

    /// `check`: an image narrower than the largest srcset width. A vector
    /// drawing is sharp at any width.
    fn lint_width(&mut self, body_pos: usize, src: &str, size: Option<(u32, u32)>) {
        if !self.ctx.lint_small_images {
            return;
        }
        if let Some(finding) = size.and_then(|(w, _)| figure::too_narrow(src, w, self.ctx.config)) {
            let hint = finding.hint.unwrap_or_default();
            self.warn(body_pos, finding.message, &hint);
        }
    }

    fn inline_image(&mut self, src: &str, title: &str, alt: &str, body_pos: usize) {
        let Some((target, size)) = self.resolve(src, body_pos) else {
            return;
        };
        let mut html = String::new();
        match target {
            ImageRef::Slot(name) => {
                self.warn(
                    body_pos,
                    format!("image slot `{name}` must start its own paragraph"),
                    "put the slot on its own line, followed by its caption",
                );
            }
            ImageRef::Local { url, .. } | ImageRef::External(url) => {
                let loading = self.next_loading();
                figure::img_tag(&mut html, &url, alt, title, size, loading, None);
            }
        }
        self.out.push(Event::InlineHtml(html.into()));
    }

    fn heading(&mut self, events: &[(Event<'a>, std::ops::Range<usize>)]) {
        let Some((
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }),
            _,
        )) = events.first()
        else {
            return;
        };
        let inner: Vec<Event<'a>> = events[1..events.len() - 1]
            .iter()
            .map(|(e, _)| e.clone())
            .collect();
        let text = plain_text(&inner).trim().to_string();
        self.words += Words::of(&text);
        // Screen readers list a page's headings by level, and validators
        // reject a skipped one (`####` under the title's `<h1>`).
        let (n, before) = (*level as usize, self.heading_level);
        if n > before + 1 {
            let hashes = |k: usize| "#".repeat(k);
            let under = if before == 1 {
                "the title".to_string()
            } else {
                format!("a `{}` heading", hashes(before))
            };
            self.warn(
                events[0].1.start,
                format!(
                    "a `{}` heading right after {under} skips a level",
                    hashes(n)
                ),
                &format!(
                    "write it as `{}`: screen readers list headings by level, and HTML validators reject a skipped one",
                    hashes(before + 1)
                ),
            );
        }
        self.heading_level = n;
        let id = match id {
            Some(explicit) => self.ids.explicit(explicit),
            None => self.ids.unique(&text),
        };
        let is_question = questions::is_question(*level, &text);
        let opted_out = classes.iter().any(|c| c.as_ref() == "not-faq");

        let mut html = format!("<{level} id=\"");
        escape_into(&mut html, &id);
        html.push('"');
        let mut class_list: Vec<&str> = Vec::new();
        if is_question {
            class_list.push("question");
        }
        class_list.extend(classes.iter().map(|c| c.as_ref()));
        if !class_list.is_empty() {
            html.push_str(" class=\"");
            escape_into(&mut html, &class_list.join(" "));
            html.push('"');
        }
        for (key, value) in attrs {
            html.push(' ');
            escape_into(&mut html, key);
            if let Some(v) = value {
                html.push_str("=\"");
                escape_into(&mut html, v);
                html.push('"');
            }
        }
        html.push('>');
        html.push_str(render(inner).trim());
        html.push_str(" <a class=\"anchor\" href=\"#");
        escape_into(&mut html, &id);
        html.push_str("\" aria-label=\"");
        escape_into(&mut html, self.ctx.anchor_label);
        html.push_str("\">#</a></");
        html.push_str(&level.to_string());
        html.push_str(">\n");

        if *level == pulldown_cmark::HeadingLevel::H2 {
            let question = is_question.then_some(self.questions.len());
            self.sections.push((self.out.len(), question));
        }
        if is_question {
            self.questions.push(Question {
                id,
                text,
                faq: !opted_out,
                offset: events[0].1.start,
            });
        }
        self.out.push(Event::Html(html.into()));
    }

    /// Gives every footnote definition and reference its id before the
    /// headings get theirs. Reserving a definition's id only when it was
    /// reached let a heading above it (`# fn-1`) take the same id, and two
    /// labels with one slug (`a b`, `a-b`) shared one (found by the fuzzing
    /// harness).
    fn reserve_footnote_ids(&mut self, events: &[(Event, std::ops::Range<usize>)]) {
        let mut references: Vec<(String, usize)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (event, _) in events {
            match event {
                Event::Start(Tag::FootnoteDefinition(label))
                    if !self.footnote_ids.contains_key(label.as_ref()) =>
                {
                    let id = self
                        .ids
                        .explicit(&format!("fn-{}", slug::slugify(label.as_ref())));
                    self.footnote_ids.insert(label.to_string(), id);
                }
                Event::FootnoteReference(label) => {
                    let i = *index.entry(label.to_string()).or_insert_with(|| {
                        references.push((label.to_string(), 0));
                        references.len() - 1
                    });
                    references[i].1 += 1;
                }
                _ => {}
            }
        }
        for (label, count) in references {
            let ids = (1..=count)
                .map(|n| self.ids.explicit(&reference_id(&label, n)))
                .collect();
            self.reference_ids.insert(label, ids);
        }
    }

    /// The id of a footnote's definition.
    fn footnote_id(&self, label: &str) -> String {
        self.footnote_ids
            .get(label)
            .cloned()
            .unwrap_or_else(|| format!("fn-{}", slug::slugify(label)))
    }

    /// The id of the `n`th reference to a footnote.
    fn reference_id(&self, label: &str, n: usize) -> String {
        self.reference_ids
            .get(label)
            .and_then(|ids| ids.get(n.wrapping_sub(1)))
            .cloned()
            .unwrap_or_else(|| reference_id(label, n))
    }

    fn footnote_reference(&mut self, label: &CowStr<'a>) {
        let next_number = self.footnote_refs.len() + 1;
        let entry = self
            .footnote_refs
            .entry(label.to_string())
            .or_insert((next_number, 0));
        entry.1 += 1;
        let (number, count) = *entry;
        if count == 1 {
            self.footnote_order.push(label.to_string());
        }
        let target = self.footnote_id(label);
        let back = self.reference_id(label, count);
        let html = format!(
            "<sup class=\"footnote-ref\"><a href=\"#{}\" id=\"{}\">{number}</a></sup>",
            crate::html::escape(&target),
            crate::html::escape(&back),
        );
        self.out.push(Event::InlineHtml(html.into()));
    }

    fn finish(mut self) -> Rendered {
        if !questions::is_qa_shaped(self.questions.len(), self.sections.len(), self.ctx.faq) {
            self.drop_questions();
        }
        self.mark_drop_cap();
        let faq = if self.ctx.faq.unwrap_or(self.ctx.config.faq) {
            self.faq_entries()
        } else {
            Vec::new()
        };
        let out = std::mem::take(&mut self.out);
        let mut html = if self.calls.is_empty() {
            render(out)
        } else {
            self.render_blocks(out)
        };
        self.footnotes_section(&mut html);
        let mut used: Vec<String> = self
            .calls
            .iter()
            .zip(&self.call_ok)
            .filter(|(_, ok)| **ok)
            .map(|(c, _)| c.name.clone())
            .collect();
        used.sort_unstable();
        used.dedup();
        Rendered {
            html,
            questions: self.questions,
            faq,
            figures: self.figures,
            words: self.words,
            diagnostics: self.diagnostics,
            anchors: self.ids.into_vec(),
            summary: None,
            processed: self.processed,
            components: used,
            internal: Vec::new(),
        }
    }

    /// Gives the opening paragraph the `drop-cap` class when it is long
    /// enough to run past a three-line drop cap at the widest measure, so
    /// a theme's drop cap never leaves a gap beside a one-line opening
    /// ("Hello, readers!"). Only a paragraph that opens the body counts.
    fn mark_drop_cap(&mut self) {
        if !matches!(self.out.first(), Some(Event::Start(Tag::Paragraph))) {
            return;
        }
        let end = self
            .out
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            .unwrap_or(self.out.len());
        if earns_drop_cap(&plain_text(&self.out[1..end])) {
            self.out[0] = Event::Html("<p class=\"drop-cap\">".into());
        }
    }

    /// An article that is not Q&A-shaped has no questions: no menu, no
    /// FAQPage, and its headings lose the `question` class (themes mark
    /// question headings). Their ids stay, so deep links keep working.
    fn drop_questions(&mut self) {
        for &(at, question) in &self.sections {
            if question.is_none() {
                continue;
            }
            if let Some(Event::Html(html)) = self.out.get_mut(at) {
                let plain = html.replacen(" class=\"question\"", "", 1).replacen(
                    "class=\"question ",
                    "class=\"",
                    1,
                );
                *html = plain.into();
            }
        }
        for s in &mut self.sections {
            s.1 = None;
        }
        self.questions.clear();
    }

    /// Each FAQ question's answer: everything up to the next `##`.
    fn faq_entries(&self) -> Vec<FaqEntry> {
        let mut entries = Vec::new();
        for (k, &(start, question)) in self.sections.iter().enumerate() {
            let Some(q) = question.map(|q| &self.questions[q]) else {
                continue;
            };
            if !q.faq {
                continue;
            }
            let end = self.sections.get(k + 1).map_or(self.out.len(), |s| s.0);
            let answer_html = questions::answer_html(
                &self.out[start + 1..end],
                &self.ctx.config.base_url,
                self.ctx.page_url,
            );
            if answer_html.is_empty() {
                continue;
            }
            entries.push(FaqEntry {
                question: q.text.clone(),
                answer_html,
            });
        }
        entries
    }

    /// Footnote definitions gathered at the end, in order of first
    /// reference, each with links back to its references. Footnote ids are
    /// derived from labels so links stay stable when text moves.
    fn footnotes_section(&mut self, html: &mut String) {
        if self.footnote_order.is_empty() {
            return;
        }
        html.push_str("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n");
        for label in std::mem::take(&mut self.footnote_order) {
            let (number, count) = self.footnote_refs[&label];
            let target = self.footnote_id(&label);
            let mut events = self.footnotes.remove(&label).unwrap_or_default();
            let mut backrefs = String::new();
            for n in 1..=count {
                backrefs.push_str(&format!(
                    " <a href=\"#{}\" class=\"footnote-backref\" aria-label=\"Back to reference {number}{}\">\u{21a9}\u{fe0e}</a>",
                    crate::html::escape(&self.reference_id(&label, n)),
                    if count > 1 { format!(" ({n})") } else { String::new() },
                ));
            }
            // Put the back links inside the last paragraph, as readers expect.
            match events
                .iter()
                .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            {
                Some(p) => events.insert(p, Event::InlineHtml(backrefs.into())),
                None => events.push(Event::Html(backrefs.into())),
            }
            html.push_str(&format!("<li id=\"{}\">", crate::html::escape(&target)));
            pulldown_cmark::html::push_html(html, events.into_iter());
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n</section>\n");
    }
}

/// Id of the `n`th reference to a footnote.
fn reference_id(label: &str, n: usize) -> String {
    let base = format!("fnref-{}", slug::slugify(label));
    if n == 1 { base } else { format!("{base}-{n}") }
}

/// Case- and punctuation-insensitive form for comparing alt and caption.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn styled_blocks_names_what_a_page_has_in_cascade_order() {
        let html = render_body(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n> [!NOTE]\n> Read this.\n\nText.[^1]\n\n[^1]: A note.\n",
        )
        .html;
        assert_eq!(
            styled_blocks(&html),
            ["quotes", "alerts", "tables", "footnotes"]
        );
        let html = render_body("> Said someone.\n\n```html\n<table>\n```\n").html;
        assert_eq!(styled_blocks(&html), ["quotes"]);
        let html = render_body("Just a paragraph, and `<blockquote>` in code.\n").html;
        assert!(styled_blocks(&html).is_empty(), "{html}");
    }

    /// A heading one level below the one before is fine; one that skips a
    /// level (`###` under the title, `####` under `##`) is a warning at its
    /// line that names the level to write. Going back up never is.
    #[test]
    fn a_heading_that_skips_a_level_is_a_warning() {
        let warnings = |body: &str| -> Vec<(usize, String, String)> {
            render_body(body)
                .diagnostics
                .into_iter()
                .map(|d| (d.line, d.message, d.hint.unwrap_or_default()))
                .collect()
        };
        assert!(warnings("## A?\n\n### a\n\n## B?\n\n### b\n\n#### c\n").is_empty());
        let found = warnings("Lede.\n\n#### Shuku\n\n## Why?\n\n#### Where\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 3);
        assert_eq!(
            found[0].1,
            "a `####` heading right after the title skips a level"
        );
        assert!(found[0].2.starts_with("write it as `##`"), "{}", found[0].2);
        assert_eq!(found[1].0, 7);
        assert_eq!(
            found[1].1,
            "a `####` heading right after a `##` heading skips a level"
        );
        assert!(
            found[1].2.starts_with("write it as `###`"),
            "{}",
            found[1].2
        );
    }

    use super::*;

    /// Renders `body` as an article of a site with no files.
    fn render_body(body: &str) -> Rendered {
        let root = Path::new("/no-such-site");
        let config = Config::parse("title = \"T\"\nbase_url = \"https://example.org\"\n")
            .unwrap_or_else(|d| panic!("{d:?}"));
        let images = Images::new(root);
        let processor = crate::images::responsive::Processor::new(
            root,
            &config.images,
            &crate::images::sizes::Sizes::default(),
            crate::output::Output::Discard,
        );
        let page_dir = root.join("content");
        render_page(
            body,
            &RenderContext {
                config: &config,
                images: &images,
                page_dir: &page_dir,
                page_url: "/t/",
                display: Path::new("content/t.md"),
                file_text: body,
                body_offset: 0,
                show_slots: false,
                faq: None,
                has_lead: false,
                processor: &processor,
                lint_small_images: false,
                components: None,
                sources: None,
                anchor_label: "Link to this section",
            },
        )
    }

    #[test]
    fn gallery_sizes_divide_each_width_by_the_columns() {
        assert_eq!(
            gallery_sizes("(min-width: 72rem) 72rem, 100vw", 3),
            "(max-width: 40rem) 100vw, (min-width: 72rem) calc(72rem / 3), calc(100vw / 3)"
        );
        assert_eq!(
            gallery_sizes(
                "(min-width: 40rem) and (max-width: 60rem) calc(100vw - 2rem), 50rem",
                2
            ),
            "(max-width: 40rem) 100vw, (min-width: 40rem) and (max-width: 60rem) calc(calc(100vw - 2rem) / 2), calc(50rem / 2)"
        );
        // A theme's figure `sizes` that stacks at the same width.
        assert_eq!(
            gallery_sizes(
                "(max-width: 40rem) 100vw, (max-width: 74rem) calc(100vw - 2.5rem), 71.5rem",
                2
            ),
            "(max-width: 40rem) 100vw, (max-width: 74rem) calc(calc(100vw - 2.5rem) / 2), calc(71.5rem / 2)"
        );
    }

    /// Regression (fuzz seed 1883353030605531): a link around an autolink
    /// nested `<a>` in `<a>`; the outer one is text, as CommonMark says.
    #[test]
    fn a_link_never_holds_a_link() {
        let html = render_body("[a <https://x.org> b](https://y.org)\n").html;
        assert_eq!(
            html.trim(),
            "<p>[a <a href=\"https://x.org\">https://x.org</a> b](https://y.org)</p>"
        );
        // An email autolink inside a reference link: no `<a>` opens before
        // the previous one closed.
        let html = render_body("[*a* <me@x.org> c][ref]\n\n[ref]: https://y.org\n").html;
        let mut depth = 0i32;
        for piece in html.split('<').skip(1) {
            depth += i32::from(piece.starts_with("a "));
            depth -= i32::from(piece.starts_with("/a>"));
            assert!(depth <= 1, "nested links in {html}");
        }
        // Images may sit in links, and plain links stay links.
        let html = render_body("[![a](x.png) b](https://y.org)\n").html;
        assert!(html.contains("<a href=\"https://y.org\">"), "{html}");
    }

    /// The `id` attributes of `html`, in order.
    fn ids_of(html: &str) -> Vec<&str> {
        html.split(" id=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect()
    }

    #[test]
    fn a_heading_above_a_footnote_does_not_take_its_id() {
        // Regression (found by the fuzzing harness): the definition's id was
        // reserved only when reached, so `# fn-1` above it took `fn-1` too.
        let r = render_body("# fn-1\n\n## fnref-1\n\nText[^1].\n\n[^1]: The note.\n");
        let ids = ids_of(&r.html);
        assert!(ids.contains(&"fn-1") && ids.contains(&"fnref-1"), "{ids:?}");
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(r.html.contains("href=\"#fn-1\""), "{}", r.html);
    }

    #[test]
    fn labels_with_one_slug_get_two_ids() {
        // Regression (found by the fuzzing harness): `a b` and `a-b` both
        // became `fn-a-b`, and the second reference linked to the first note.
        let r = render_body("One[^a b] two[^a-b].\n\n[^a b]: First.\n\n[^a-b]: Second.\n");
        let ids = ids_of(&r.html);
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert_eq!(
            ids.iter().filter(|i| i.starts_with("fn-")).count(),
            2,
            "{ids:?}"
        );
        for id in ids.iter().filter(|i| i.starts_with("fn-")) {
            assert!(r.html.contains(&format!("href=\"#{id}\"")), "{}", r.html);
        }
    }

    #[test]
    fn only_a_long_opening_earns_a_drop_cap() {
        // Regression: a one-line opening ("Hello, readers!") left a gap
        // beside the theme's three-line drop cap.
        assert!(!earns_drop_cap("Hello, readers!"));
        let long = "The river rose two metres overnight. ".repeat(6);
        assert!(earns_drop_cap(&long));
        assert!(
            !earns_drop_cap(&format!("\u{201c}{long}")),
            "quotation mark first"
        );
        assert!(
            earns_drop_cap(&format!("(1) {long}")),
            "ASCII punctuation is skipped"
        );
        // Characters, not bytes: 199 two-byte letters are still short.
        assert!(!earns_drop_cap(&"é".repeat(DROP_CAP_MIN_CHARS - 1)));
        assert!(earns_drop_cap(&"é".repeat(DROP_CAP_MIN_CHARS)));
        // Scripts without capitals get none; Greek and Cyrillic do.
        for word in ["لماذا ", "למה ", "为什么", "북한은 ", "क्यों "] {
            assert!(!earns_drop_cap(&word.repeat(60)), "{word}");
        }
        for word in ["Γιατί ", "Почему "] {
            assert!(earns_drop_cap(&word.repeat(60)), "{word}");
        }
    }

    #[test]
    fn a_note_renders_inline_without_a_paragraph() {
        assert_eq!(
            render_inline(
                "An *earlier* version misstated [the date](/x/).\n",
                &MarkdownConfig::default()
            ),
            "An <em>earlier</em> version misstated <a href=\"/x/\">the date</a>."
        );
        // Two paragraphs used to come out as `a</p>\n<p>b`.
        assert_eq!(
            render_inline("First.\n\nSecond.", &MarkdownConfig::default()),
            "First.\nSecond."
        );
    }

    const ON: MarkdownConfig = MarkdownConfig {
        smart_punctuation: true,
    };
    const OFF: MarkdownConfig = MarkdownConfig {
        smart_punctuation: false,
    };

    const PROSE: &str = "Run \"nutgraf\" with --dry-run... it's safe.\n\n\
        Or `nutgraf deploy --dry-run \"x\"`.\n\n\
        ```\nnutgraf deploy --dry-run 'x' ...\n```\n";

    #[test]
    fn smart_punctuation_on_curls_quotes_and_dashes_in_prose() {
        let html = render(new_cmark_parser(PROSE, &ON));
        assert!(
            html.contains(
                "<p>Run \u{201c}nutgraf\u{201d} with \u{2013}dry-run\u{2026} it\u{2019}s safe.</p>"
            ),
            "{html}"
        );
    }

    /// Regression: smart punctuation could not be turned off, so a flag
    /// written in prose, `--dry-run`, became "–dry-run".
    #[test]
    fn smart_punctuation_off_leaves_dashes_in_prose_alone() {
        let html = render(new_cmark_parser(PROSE, &OFF));
        assert!(
            html.contains("<p>Run \"nutgraf\" with --dry-run... it's safe.</p>"),
            "{html}"
        );
    }

    #[test]
    fn code_spans_and_blocks_are_never_touched() {
        for options in [ON, OFF] {
            let html = render(new_cmark_parser(PROSE, &options));
            assert!(
                html.contains("<code>nutgraf deploy --dry-run \"x\"</code>"),
                "{options:?}: {html}"
            );
            assert!(
                html.contains("<pre><code>nutgraf deploy --dry-run 'x' ...\n</code></pre>"),
                "{options:?}: {html}"
            );
        }
    }

    #[test]
    fn inline_markdown_follows_the_option_too() {
        assert_eq!(
            render_inline("An \"earlier\" version -- now fixed.", &ON),
            "An \u{201c}earlier\u{201d} version \u{2013} now fixed."
        );
        assert_eq!(
            render_inline("An \"earlier\" version -- now fixed.", &OFF),
            "An \"earlier\" version -- now fixed."
        );
    }
}
