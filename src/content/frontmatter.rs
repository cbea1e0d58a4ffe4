//! Front matter: the TOML between `+++` lines at the top of a content file,
//! parsed into typed structs. Unknown keys are errors with a hint, every
//! one of them: the TOML is read as a spanned table and checked key by key
//! before serde (whose `deny_unknown_fields` stops at the first) sees it.

use std::path::Path;

use jiff::Zoned;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use serde::Deserialize;

use crate::config::toml_diagnostic;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Finding, Position, did_you_mean};

/// An article's front matter, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleMatter {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<toml::value::Datetime>,
    pub updated: Option<toml::value::Datetime>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    pub slug: Option<String>,
    /// Links translations that do not sit beside each other: every
    /// language's version of an explainer carries the same key.
    pub translation_key: Option<String>,
    pub template: Option<String>,
    pub weight: Option<i64>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub faq: Option<bool>,
    pub lead: Option<LeadMatter>,
    #[serde(default)]
    pub updates: Vec<UpdateMatter>,
    #[serde(default)]
    pub extra: toml::Table,
}

/// The keys of an article's top level, of `[lead]` and of `[[updates]]`.
const TOP_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "authors",
    "tags",
    "draft",
    "slug",
    "translation_key",
    "template",
    "weight",
    "aliases",
    "faq",
    "lead",
    "updates",
    "extra",
];
const LEAD_KEYS: &[&str] = &["src", "alt", "caption", "credit", "credit_url", "kind"];
const UPDATE_KEYS: &[&str] = &["date", "note"];

/// `[lead]`: the lead image.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadMatter {
    pub src: String,
    #[serde(default)]
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub credit_url: Option<String>,
    /// `photo` (the default, or `diagram` for an SVG), `diagram` or
    /// `screenshot`: whether the lead needs a credit.
    pub kind: Option<crate::images::Kind>,
}

/// `[[updates]]`: one entry of the corrections log.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMatter {
    pub date: toml::value::Datetime,
    pub note: String,
}

/// The front matter of an `_index.md`: the home page (`content/_index.md`)
/// or a section's listing page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub sort_by: SortBy,
    /// Articles per listing page; 0 lists them all on one page.
    pub paginate_by: Option<usize>,
    pub template: Option<String>,
    #[serde(default)]
    pub extra: toml::Table,
}

/// The order of a section's articles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first; undated last.
    #[default]
    Date,
    /// Alphabetical by title.
    Title,
    /// Ascending `weight`, then title.
    Weight,
}

const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "sort_by",
    "paginate_by",
    "template",
    "extra",
];

/// A content file split into its front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    pub matter: &'a str,
    /// Byte offset of the front matter TOML in the file.
    pub matter_offset: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

impl Split<'_> {
    /// Where the front matter's TOML is in the file.
    pub fn matter_range(&self) -> std::ops::Range<usize> {
        self.matter_offset..self.matter_offset + self.matter.len()
    }
}

/// Splits `text` at its `+++` fences.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // Blank lines before the opening fence are allowed, as Zola allows
    // them (its theme pages start with one).
    let rest = text[bom..].trim_start();
    let start = text.len() - rest.len();
    let Some(after_open) = rest.strip_prefix("+++") else {
        if rest.starts_with("---") {
            return Err(Diagnostic::error(
                path,
                Position::START,
                "YAML front matter (`---`) is not supported",
            )
            .with_hint("nutgraf reads TOML between `+++` lines: write `title = \"...\"` where YAML has `title: ...`, and put the block between `+++` lines"));
        }
        return Err(Diagnostic::error(path, Position::START, "missing front matter")
            .with_hint("start the file with a `+++` line, then `title = \"...\"`, then a closing `+++` line"));
    };
    let Some(first_nl) = after_open.find('\n') else {
        return Err(
            Diagnostic::error(path, Position::START, "front matter is never closed")
                .with_hint("add a line with only `+++` after the front matter"),
        );
    };
    if !after_open[..first_nl].trim().is_empty() {
        return Err(Diagnostic::error(
            path,
            Position::START,
            "the opening `+++` must be alone on its line",
        )
        .with_hint("put the first key on the next line"));
    }
    let matter_offset = start + 3 + first_nl + 1;
    let mut offset = matter_offset;
    for line in text[matter_offset..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok(Split {
                matter: &text[matter_offset..offset],
                matter_offset,
                body: &text[offset + line.len()..],
                body_offset: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error(path, Position::START, "front matter is never closed")
            .with_hint("add a line with only `+++` after the front matter"),
    )
}

/// Every problem found in one file. A single [`Diagnostic`] converts into
/// one, so `?` keeps working in code that finds one problem at a time.
#[derive(Debug)]
pub struct Problems(pub Vec<Diagnostic>);

impl From<Diagnostic> for Problems {
    fn from(d: Diagnostic) -> Self {
        Problems(vec![d])
    }
}

impl IntoIterator for Problems {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Which front matter a file has, for the keys it may use.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Article,
    Section,
}

pub fn parse_article(path: &Path, text: &str, split: &Split) -> Result<ArticleMatter, Problems> {
    // Every key an article may have, for suggestions wherever it is.
    let keys: Vec<&str> = [TOP_KEYS, LEAD_KEYS, UPDATE_KEYS].concat();
    parse_matter(path, text, split, Kind::Article, &keys)
}

pub fn parse_section(path: &Path, text: &str, split: &Split) -> Result<SectionMatter, Problems> {
    parse_matter(path, text, split, Kind::Section, SECTION_KEYS)
}

/// Parses the front matter once: the spanned table is checked for every
/// unknown key and unsafe link, then deserialized into `T`.
fn parse_matter<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    split: &Split,
    kind: Kind,
    keys: &[&str],
) -> Result<T, Problems> {
    let diagnostic = |e: toml::de::Error| -> Problems {
        toml_diagnostic(path, text, split.matter_offset, &e, keys).into()
    };
    let table = DeTable::parse(split.matter).map_err(diagnostic)?;
    check_table(path, text, split, &table, kind)?;
    T::deserialize(toml::de::Deserializer::from(table)).map_err(diagnostic)
}

/// The keys whose value becomes an `href`, as (table, key).
const URL_KEYS: &[(&str, &str)] = &[("lead", "credit_url")];
/// The keys whose value is inline Markdown, whose links become `href`s.
const MARKDOWN_KEYS: &[(&str, &str)] =
    &[("lead", "caption"), ("lead", "credit"), ("updates", "note")];

/// The links a front matter value becomes, each with its byte offset in
/// the value: the value itself for a [`URL_KEYS`] key, the links and
/// images of its inline Markdown for a [`MARKDOWN_KEYS`] key (`[x]()`
/// links nowhere, harmlessly, and is left out); `None` for other keys.
fn value_links(table: &str, key: &str, text: &str) -> Option<Vec<(String, usize)>> {
    if URL_KEYS.contains(&(table, key)) {
        return Some(vec![(text.to_string(), 0)]);
    }
    if !MARKDOWN_KEYS.contains(&(table, key)) {
        return None;
    }
    Some(
        crate::markdown::new_cmark_parser(text, &Default::default())
            .into_offset_iter()
            .filter_map(|(event, range)| match event {
                pulldown_cmark::Event::Start(
                    pulldown_cmark::Tag::Link { dest_url, .. }
                    | pulldown_cmark::Tag::Image { dest_url, .. },
                ) if !dest_url.is_empty() => Some((dest_url.to_string(), range.start)),
                _ => None,
            })
            .collect(),
    )
}

/// The first link of a URL-valued or Markdown-valued key (`table.name`)
/// that [`check_url`] refuses: (offset of the value, message, hint).
fn unsafe_link(
    table: &str,
    name: &str,
    value: &toml::Spanned<DeValue>,
) -> Option<(usize, String, String)> {
    let DeValue::String(text) = value.get_ref() else {
        return None;
    };
    let urls = value_links(table, name, text)?;
    urls.iter().find_map(|(url, _)| {
        let why = check_url(url).err()?;
        let what = if URL_KEYS.contains(&(table, name)) {
            format!("`{name}` {why}: `{}`", url.escape_debug())
        } else {
            format!("a link in `{name}` {why}: `{}`", url.escape_debug())
        };
        Some((
            value.span().start,
            what,
            "a link must start with `https://`, `http://` or `mailto:`, or be a path of this site such as `/about/`".to_string(),
        ))
    })
}

/// Where the `index`th value of `tags = [...]` is written in `text` (the
/// file, or its head), or the `tags` key if it cannot be told.
pub fn tag_position(text: &str, index: usize) -> Position {
    match tag_offsets(text).get(index) {
        Some(&at) => Position::of_offset(text, at),
        None => split(Path::new(""), text).map_or(Position::START, |s| {
            crate::diagnostic::key_position(text, s.matter_range(), "tags")
        }),
    }
}

/// Where each of `tags = [...]`'s values starts in the file, in order;
/// empty when the front matter has no such array (or does not parse).
fn tag_offsets(text: &str) -> Vec<usize> {
    let Ok(split) = split(Path::new(""), text) else {
        return Vec::new();
    };
    let Ok(table) = DeTable::parse(split.matter) else {
        return Vec::new();
    };
    match table.get_ref().get("tags").map(|v| v.get_ref()) {
        Some(DeValue::Array(tags)) => tags
            .iter()
            .map(|tag| split.matter_offset + tag.span().start)
            .collect(),
        _ => Vec::new(),
    }
}

/// A link a front matter value publishes: a `credit_url`, or a link in
/// the inline Markdown of a caption, credit or note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterLink {
    pub dest: String,
    /// Byte offset in the file: the link's `[` when the value is written
    /// without escapes, else the value's opening quote.
    pub offset: usize,
    pub table: &'static str,
    pub key: &'static str,
}

/// Every link an article's front matter publishes ([`URL_KEYS`] and
/// [`MARKDOWN_KEYS`]), in the order written, for `check`. `head` is the
/// file's start, up to and including the front matter; front matter that
/// does not parse has none (the render reported it).
pub fn matter_links(head: &str) -> Vec<MatterLink> {
    let Ok(split) = split(Path::new(""), head) else {
        return Vec::new();
    };
    let Ok(table) = DeTable::parse(split.matter) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut push = |table: &'static str, key: &str, value: &toml::Spanned<DeValue>| {
        let DeValue::String(text) = value.get_ref() else {
            return;
        };
        let Some(links) = value_links(table, key, text) else {
            return;
        };
        let Some(&(_, key)) = URL_KEYS
            .iter()
            .chain(MARKDOWN_KEYS)
            .find(|k| **k == (table, key))
        else {
            return;
        };
        let span = value.span();
        let raw = &split.matter[span.clone()];
        // Where the value's text starts in the file, if the TOML holds it
        // as written (no escapes), so that offsets inside it carry over.
        let quotes = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let inner = raw
            .get(quotes..raw.len().saturating_sub(quotes))
            .unwrap_or("");
        let inner_start = match inner.strip_prefix('\n') {
            Some(rest) if rest == text.as_ref() => Some(quotes + 1),
            _ if inner == text.as_ref() => Some(quotes),
            _ => None,
        };
        for (dest, offset) in links {
            if dest.trim().is_empty() {
                continue;
            }
            found.push(MatterLink {
                dest,
                offset: split.matter_offset
                    + span.start
                    + inner_start.map_or(0, |start| start + offset),
                table,
                key,
            });
        }
    };
    for (key, value) in table.get_ref() {
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("lead", DeValue::Table(lead)) => {
                for (key, value) in lead {
                    push("lead", key.get_ref().as_ref(), value);
                }
            }
            ("updates", DeValue::Array(updates)) => {
                for update in updates {
                    if let DeValue::Table(update) = update.get_ref() {
                        for (key, value) in update {
                            push("updates", key.get_ref().as_ref(), value);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|link| link.offset);
    found
}

/// Reports every unknown key, in the order written, each with its own
/// hint, and every URL-valued key ([`URL_KEYS`]) whose value is not a
/// link a reader can safely follow. TOML that does not parse is left to
/// serde, which reports it as before.
fn check_table(
    path: &Path,
    text: &str,
    split: &Split,
    table: &toml::Spanned<DeTable<'_>>,
    kind: Kind,
) -> Result<(), Problems> {
    // (offset in the matter, message, hint)
    let mut unknown: Vec<(usize, String, String)> = Vec::new();
    let mut report = |key: &toml::Spanned<toml::de::DeString>, hint: String| {
        let message = format!("unknown key `{}`", key.get_ref());
        unknown.push((key.span().start, message, hint));
    };
    let mut bad_urls: Vec<(usize, String, String)> = Vec::new();
    let top_keys = match kind {
        Kind::Article => TOP_KEYS,
        Kind::Section => SECTION_KEYS,
    };
    for (key, value) in table.get_ref() {
        let name = key.get_ref().as_ref();
        if !top_keys.contains(&name) {
            report(key, top_level_hint(name, kind));
            continue;
        }
        match (kind, name, value.get_ref()) {
            (Kind::Article, "lead", DeValue::Table(lead)) => {
                for (key, value) in lead {
                    let name = key.get_ref().as_ref();
                    if !LEAD_KEYS.contains(&name) {
                        report(key, table_hint(name, "[lead]", LEAD_KEYS));
                    }
                    bad_urls.extend(unsafe_link("lead", name, value));
                }
            }
            (Kind::Article, "updates", DeValue::Array(updates)) => {
                for update in updates {
                    let DeValue::Table(update) = update.get_ref() else {
                        continue;
                    };
                    for (key, value) in update {
                        let name = key.get_ref().as_ref();
                        if !UPDATE_KEYS.contains(&name) {
                            report(key, table_hint(name, "[[updates]]", UPDATE_KEYS));
                        }
                        bad_urls.extend(unsafe_link("updates", name, value));
                    }
                }
            }
            _ => {}
        }
    }
    unknown.extend(bad_urls);
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort_by_key(|(at, _, _)| *at);
    Err(Problems(
        unknown
            .into_iter()
            .map(|(at, message, hint)| {
                let pos = Position::of_offset(text, split.matter_offset + at);
                Diagnostic::error(path, pos, message).with_hint(hint)
            })
            .collect(),
    ))
}

/// Whether a URL from front matter may become an `href`: `http(s)` and
/// `mailto` links, and paths of the site (`/about/`, `notes/`, `#x`).
/// Anything else (`javascript:`, `data:`, `//other.host`) is refused.
/// Whitespace and control characters are refused outright: browsers drop
/// tabs and newlines inside a URL, so `java\tscript:` is `javascript:`.
fn check_url(url: &str) -> Result<(), &'static str> {
    if url.trim().is_empty() {
        return Err("is empty");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    if ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
    {
        return Ok(());
    }
    // Browsers read `\` as `/` in web URLs, so `/\host` is `//host`.
    if lower.starts_with("//") || lower.starts_with("/\\") || lower.starts_with('\\') {
        return Err("points to another host without saying how");
    }
    // A scheme is what comes before the first `:` if no `/`, `?` or `#`
    // comes first (WHATWG URL); a path of the site has none.
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    if head.contains(':') {
        return Err("uses a scheme other than https, http or mailto");
    }
    Ok(())
}

/// The hint for an unknown key at the top level: a key of `[lead]` or
/// `[[updates]]` written above them goes there; a typo gets the closest
/// key; anything else the list of keys and `[extra]`.
fn top_level_hint(name: &str, kind: Kind) -> String {
    if matches!(kind, Kind::Article) {
        if LEAD_KEYS.contains(&name) {
            return format!(
                "`{name}` is a key of the lead image: put it under `[lead]` (a `[lead]` line, then `{name} = …` below it)"
            );
        }
        if name == "note" {
            return "`note` belongs to a corrections entry: put it under `[[updates]]` with its `date`".to_string();
        }
    }
    if let Some(hint) = zola_hint(name, kind) {
        return hint.to_string();
    }
    let keys = match kind {
        Kind::Article => TOP_KEYS,
        Kind::Section => SECTION_KEYS,
    };
    match did_you_mean(name, keys) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "known keys are {}; put your own values under [extra]",
            crate::diagnostic::code_list(keys)
        ),
    }
}

/// What to write instead of a key of Zola's front matter that nutgraf does
/// not have: the one users moving over are most likely to bring.
fn zola_hint(name: &str, kind: Kind) -> Option<&'static str> {
    Some(match (name, kind) {
        ("taxonomies", _) => {
            "nutgraf has one taxonomy, tags: write `tags = [\"…\"]` at the top of the front matter instead of `[taxonomies]`"
        }
        ("path", Kind::Article) => {
            "set the last part of the URL with `slug`; the folder gives the rest"
        }
        ("path", Kind::Section) => "a section's URL is its folder's: rename the folder",
        ("redirect_to", _) => {
            "a section always lists its articles: remove `redirect_to`, and to send readers of an old URL elsewhere add it to that page's `aliases`"
        }
        ("insert_anchor_links", _) => {
            "every heading gets a `#` link already: remove `insert_anchor_links`"
        }
        ("weight", Kind::Section) => {
            "sections are listed by folder name: remove `weight`, or keep it under [extra] for a template"
        }
        ("page_template", _) => "set `template` in each article's front matter instead",
        ("in_search_index", _) => {
            "every published article is indexed, drafts never: remove it, or set `search = false` in nutgraf.toml"
        }
        ("render" | "transparent" | "generate_feeds" | "generate_feed", _) => {
            "nutgraf renders every section with its listing and feed: remove it"
        }
        _ => return None,
    })
}

/// The hint for an unknown key inside `[lead]` or `[[updates]]`. A
/// top-level key there was most likely written below the table's line,
/// which TOML reads as part of the table.
fn table_hint(name: &str, table: &str, keys: &[&str]) -> String {
    if let Some(s) = did_you_mean(name, keys) {
        return format!("did you mean `{s}`?");
    }
    if TOP_KEYS.contains(&name) {
        return format!(
            "every key below a `{table}` line belongs to it: move `{name}` above the `{table}` line"
        );
    }
    format!(
        "the keys of `{table}` are {}",
        crate::diagnostic::code_list(keys)
    )
}

/// A front-matter date with the UTC offset it was written with.
/// Dates without an offset are taken as UTC; a bare date as midnight.
pub fn to_zoned(dt: &toml::value::Datetime) -> Result<Zoned, Finding> {
    let invalid = |why: String| {
        Finding::new(why).with_hint("write dates like `2024-10-31T09:00:00+09:00` or `2024-10-31`")
    };
    let Some(date) = dt.date else {
        return Err(invalid(format!("`{dt}` is a time without a date")));
    };
    let time = dt.time.unwrap_or(toml::value::Time {
        hour: 0,
        minute: 0,
        second: Some(0),
        nanosecond: Some(0),
    });
    let civil = DateTime::new(
        i16::try_from(date.year)
            .map_err(|_| invalid(format!("year {} is out of range", date.year)))?,
        date.month as i8,
        date.day as i8,
        time.hour as i8,
        time.minute as i8,
        time.second.unwrap_or(0) as i8,
        time.nanosecond.unwrap_or(0) as i32,
    )
    .map_err(|e| invalid(format!("`{dt}` is not a valid date: {e}")))?;
    let tz = match dt.offset {
        None | Some(toml::value::Offset::Z) => TimeZone::UTC,
        Some(toml::value::Offset::Custom { minutes }) => {
            let offset = Offset::from_seconds(i32::from(minutes) * 60)
                .map_err(|e| invalid(format!("offset of `{dt}` is out of range: {e}")))?;
            TimeZone::fixed(offset)
        }
    };
    civil
        .to_zoned(tz)
        .map_err(|e| invalid(format!("`{dt}` is not a valid date: {e}")))
}

/// RFC 3339 with the original offset, e.g. `2024-10-31T09:00:00+09:00`.
pub fn rfc3339(z: &Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("content/a.md")
    }

    #[test]
    fn splits_fences() {
        let text = "+++\ntitle = \"A\"\n+++\nBody\n";
        let s = split(p(), text).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s.matter, "title = \"A\"\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(&text[s.body_offset..], "Body\n");
    }

    /// Regression: Zola's theme pages start with a blank line, and every
    /// one failed with "missing front matter".
    #[test]
    fn blank_lines_before_the_fence_are_allowed() {
        let text = "\n\n+++\ntitle = \"A\"\n+++\nBody\n";
        let s = split(p(), text).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s.matter, "title = \"A\"\n");
        assert_eq!(&text[s.matter_offset..s.matter_offset + 1], "t");
        assert_eq!(s.body, "Body\n");
    }

    #[test]
    fn unclosed_front_matter() {
        let err = split(p(), "+++\ntitle = \"A\"\nBody\n").err();
        assert_eq!(
            err.map(|d| d.message),
            Some("front matter is never closed".into())
        );
    }

    #[test]
    fn unknown_key_points_at_its_line() {
        let text = "+++\ntitle = \"A\"\ntitel = \"B\"\n+++\n";
        let s = split(p(), text).unwrap_or_else(|d| panic!("{d}"));
        let mut ds = parse_article(p(), text, &s)
            .err()
            .unwrap_or_else(|| panic!("accepted"))
            .0;
        assert_eq!(ds.len(), 1);
        let d = ds.remove(0);
        assert_eq!((d.line, d.col), (3, 1));
        assert_eq!(d.message, "unknown key `titel`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
    }

    /// Keys of Zola's front matter get a hint saying what nutgraf has
    /// instead (found by building Zola's own docs).
    #[test]
    fn zolas_keys_say_what_to_write_instead() {
        let text = "+++\ntitle = \"A\"\nweight = 2\nredirect_to = \"x\"\n[taxonomies]\ntags = [\"a\"]\n+++\n";
        let s = split(p(), text).unwrap_or_else(|d| panic!("{d}"));
        let article = parse_article(p(), text, &s)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        let hints: Vec<(usize, &str, &str)> = article
            .iter()
            .map(|d| (d.line, d.message.as_str(), d.hint.as_deref().unwrap_or("")))
            .collect();
        // An article may have a weight; a section's is Zola's.
        assert_eq!(hints.len(), 2, "{hints:?}");
        assert_eq!(hints[0].0, 4);
        assert!(
            hints[0].2.contains("add it to that page's `aliases`"),
            "{hints:?}"
        );
        assert_eq!(hints[1].0, 5);
        assert!(hints[1].2.contains("write `tags = [\"…\"]`"), "{hints:?}");
        let section = parse_section(p(), text, &s)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(
            section[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("sections are listed by folder name")),
            "{section:?}"
        );
    }

    #[test]
    fn yaml_front_matter_is_named() {
        let d = split(p(), "---\ntitle: A\n---\nBody\n")
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(d.message, "YAML front matter (`---`) is not supported");
        assert!(
            d.hint.as_deref().is_some_and(|h| h.contains("`+++` lines")),
            "{d:?}"
        );
    }

    /// The unknown keys of `matter` as (line, col, message, hint).
    fn unknown(matter: &str) -> Vec<(usize, usize, String, String)> {
        let text = format!("+++\n{matter}+++\n");
        let s = split(p(), &text).unwrap_or_else(|d| panic!("{d}"));
        match parse_article(p(), &text, &s) {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .into_iter()
                .map(|d| (d.line, d.col, d.message, d.hint.unwrap_or_default()))
                .collect(),
        }
    }

    /// Regression: serde stopped at the alphabetically first unknown key,
    /// so fixing one file took a build per typo.
    #[test]
    fn every_unknown_key_is_reported_in_order_with_its_own_hint() {
        let found = unknown("zzz = 1\ntitle = \"A\"\ntitel = \"B\"\ndesciption = \"C\"\n");
        let messages: Vec<(usize, &str, &str)> = found
            .iter()
            .map(|(l, _, m, h)| (*l, m.as_str(), h.as_str()))
            .collect();
        assert_eq!(
            messages[1..],
            [
                (4, "unknown key `titel`", "did you mean `title`?"),
                (5, "unknown key `desciption`", "did you mean `description`?"),
            ]
        );
        assert_eq!(messages[0].1, "unknown key `zzz`");
        assert!(messages[0].2.contains("put your own values under [extra]"));
    }

    /// Regression: a top-level `src` got "did you mean `src`?".
    #[test]
    fn a_lead_key_at_top_level_is_sent_under_lead() {
        let found = unknown("title = \"A\"\nsrc = \"a.jpg\"\ncredit = \"X\"\nnote = \"n\"\n");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].3.contains("put it under `[lead]`"), "{found:?}");
        assert!(
            found[1].3.contains("`credit` is a key of the lead image"),
            "{found:?}"
        );
        assert!(
            found[2].3.contains("put it under `[[updates]]`"),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|f| f.3.contains("did you mean")),
            "{found:?}"
        );
    }

    #[test]
    fn keys_inside_lead_and_updates_are_checked_too() {
        let found = unknown(
            "title = \"A\"\n[lead]\nsrc = \"a.jpg\"\ncaptoin = \"c\"\ntags = [\"x\"]\n\
             [[updates]]\ndate = 2024-01-01\nnote = \"n\"\n[[updates]]\ndate = 2024-01-02\nnotes = \"m\"\n",
        );
        let got: Vec<(usize, usize, &str)> = found
            .iter()
            .map(|(l, c, _, h)| (*l, *c, h.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (5, 1, "did you mean `caption`?"),
                (
                    6,
                    1,
                    "every key below a `[lead]` line belongs to it: move `tags` above the `[lead]` line"
                ),
                (12, 1, "did you mean `note`?"),
            ]
        );
    }

    #[test]
    fn extra_is_free_form_and_known_keys_pass() {
        assert_eq!(
            unknown(
                "title = \"A\"\n[lead]\nsrc = \"a.jpg\"\ncredit_url = \"https://e.org/\"\n[extra]\nanything = 1\n"
            ),
            []
        );
    }

    #[test]
    fn urls_allow_web_mail_and_site_paths_only() {
        for ok in [
            "https://example.org/photos",
            "HTTP://example.org",
            "mailto:desk@example.org",
            "/about/",
            "credits/",
            "#credits",
            "?q=1",
            "/a:b/",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "vbscript:x",
            "//evil.example/",
            "/\\evil.example/",
            "\\\\evil.example/",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} was accepted");
        }
    }

    /// Links in front matter are found where they are written; a value
    /// with escapes points at its opening quote instead.
    #[test]
    fn matter_links_are_found_at_their_place() {
        let head = "+++\ntitle = \"A\"\n[lead]\nsrc = \"a.jpg\"\ncaption = \"A [map](/m/) and [b](/b/).\"\n\
                    credit = \"\\\"Ana\\\" [x](/x/)\"\ncredit_url = 'https://e.org/'\n\
                    [[updates]]\ndate = 2024-01-01\nnote = \"\"\"\nSee [y](/y/).\"\"\"\n+++\n";
        let found: Vec<(String, usize)> = matter_links(head)
            .into_iter()
            .map(|l| (l.dest, l.offset))
            .collect();
        let at = |needle: &str| head.find(needle).unwrap_or(usize::MAX);
        assert_eq!(
            found,
            [
                ("/m/".to_string(), at("[map]")),
                ("/b/".to_string(), at("[b]")),
                ("/x/".to_string(), at("\"\\\"Ana")),
                ("https://e.org/".to_string(), at("https://e.org/")),
                ("/y/".to_string(), at("[y]")),
            ]
        );
    }

    /// Regression: `credit_url = "javascript:…"` became the `href` of the
    /// lead's credit.
    #[test]
    fn a_javascript_credit_url_is_an_error_at_its_value() {
        let found = unknown(
            "title = \"A\"\n[lead]\nsrc = \"a.jpg\"\ncredit = \"Ana\"\ncredit_url = \"javascript:alert(1)\"\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let (line, col, message, hint) = &found[0];
        assert_eq!((*line, *col), (6, 14));
        assert_eq!(
            message,
            "`credit_url` uses a scheme other than https, http or mailto: `javascript:alert(1)`"
        );
        assert!(hint.contains("`https://`"), "{hint}");
    }

    #[test]
    fn links_in_front_matter_markdown_are_checked_too() {
        let found = unknown(
            "title = \"A\"\n[lead]\nsrc = \"a.jpg\"\ncaption = \"A [map](/maps/) of the bay.\"\n\
             credit = \"[Ana](javascript:alert(1))\"\n[[updates]]\ndate = 2024-01-01\n\
             note = \"See <data:text/html,x>.\"\n",
        );
        let got: Vec<(usize, &str)> = found.iter().map(|(l, _, m, _)| (*l, m.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    6,
                    "a link in `credit` uses a scheme other than https, http or mailto: `javascript:alert(1)`"
                ),
                (
                    9,
                    "a link in `note` uses a scheme other than https, http or mailto: `data:text/html,x`"
                ),
            ]
        );
    }

    #[test]
    fn dates_keep_their_offset() {
        let text = "+++\ntitle = \"A\"\ndate = 2024-10-31T09:00:00+09:00\n+++\n";
        let s = split(p(), text).unwrap_or_else(|d| panic!("{d}"));
        let m = parse_article(p(), text, &s).unwrap_or_else(|d| panic!("{d:?}"));
        let z = to_zoned(m.date.as_ref().unwrap_or_else(|| panic!("no date")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rfc3339(&z), "2024-10-31T09:00:00+09:00");
        let d: toml::value::Datetime = "2024-10-31".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rfc3339(&to_zoned(&d).unwrap_or_else(|e| panic!("{e}"))),
            "2024-10-31T00:00:00+00:00"
        );
    }
}
