//! The readers' search: a static Pagefind index (the `pagefind` crate as a
//! library) in which each question section of an article is a result of
//! its own, titled with the question and linking to its anchor, and the
//! rest of the article one more.
//!
//! Records are cut from an article's rendered body, not from its
//! Markdown, so that a build which reuses a page (an incremental build)
//! indexes it from the page it kept, exactly as a clean build would.

use crate::markdown::questions::Question;

/// Where Pagefind's files go in the output.
pub const DIR: &str = "pagefind";

/// What the index holds of one article: its URL, title and dek, then its
/// text in order, each question section apart (Pagefind makes it a
/// result of its own, titled with the question and linking to its
/// anchor), the rest as the article's own text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub url: String,
    /// The article's language (BCP 47): Pagefind keeps an index per
    /// language, and a search page searches its own.
    pub language: String,
    pub title: String,
    pub dek: Option<String>,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The question's id and text; `None` for text outside questions.
    pub question: Option<(String, String)>,
    pub text: String,
}

/// The record of one article, cut from its rendered body.
pub fn records(
    url: &str,
    language: &str,
    title: &str,
    dek: Option<&str>,
    body_html: &str,
    questions: &[Question],
) -> Record {
    let mut parts: Vec<Part> = Vec::new();
    for section in sections(body_html) {
        let question = section
            .id
            .and_then(|id| questions.iter().find(|q| q.id == id));
        let part = match question {
            Some(q) => Part {
                question: Some((q.id.clone(), q.text.clone())),
                text: plain_text(section.after_heading),
            },
            None => Part {
                question: None,
                text: plain_text(section.html),
            },
        };
        // Text outside questions runs together.
        match parts.last_mut() {
            Some(last) if last.question.is_none() && part.question.is_none() => {
                last.text.push(' ');
                last.text.push_str(&part.text);
            }
            _ => parts.push(part),
        }
    }
    Record {
        url: url.to_string(),
        language: language.to_string(),
        title: title.to_string(),
        dek: dek.map(str::to_string),
        parts,
    }
}

impl Record {
    /// The article as the small HTML page Pagefind reads: the title as the
    /// page's `<h1>` and its `title` meta, each question an `<h2>` with its
    /// id (Pagefind's sub-results), the rest in paragraphs of the page.
    /// Only text: nothing of the theme, so a template edit leaves the
    /// index alone.
    pub fn html(&self) -> String {
        use crate::html::escape_into;
        let mut out = String::from("<html lang=\"");
        escape_into(&mut out, &self.language);
        out.push_str("\"><body><h1 data-pagefind-meta=\"title\">");
        escape_into(&mut out, &self.title);
        out.push_str("</h1>");
        if let Some(dek) = &self.dek {
            out.push_str("<p>");
            escape_into(&mut out, dek);
            out.push_str("</p>");
        }
        for part in &self.parts {
            if let Some((id, question)) = &part.question {
                out.push_str("<h2 id=\"");
                escape_into(&mut out, id);
                out.push_str("\">");
                escape_into(&mut out, question);
                out.push_str("</h2>");
            }
            out.push_str("<p>");
            escape_into(&mut out, &part.text);
            out.push_str("</p>");
        }
        out.push_str("</body></html>");
        out
    }
}

/// A stretch of the body from one `<h2>` to the next (the first one from
/// the start), with the heading's id.
struct Section<'h> {
    id: Option<&'h str>,
    html: &'h str,
    /// The section without its heading.
    after_heading: &'h str,
}

fn sections(body: &str) -> Vec<Section<'_>> {
    let mut starts: Vec<usize> = body.match_indices("<h2").map(|(i, _)| i).collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let mut out = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(body.len());
        let html = &body[start..end];
        let (id, after_heading) = if html.starts_with("<h2") {
            let open_end = html.find('>').map_or(html.len(), |i| i + 1);
            let id = html[..open_end]
                .split_once(" id=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(id, _)| id);
            let after = html
                .find("</h2>")
                .map_or("", |i| &html[i + "</h2>".len()..]);
            (id, after)
        } else {
            (None, html)
        };
        out.push(Section {
            id,
            html,
            after_heading,
        });
    }
    out
}

/// The text of nutgraf's own body HTML: tags dropped (a block tag leaves a
/// space), entities decoded, scripts and the headings' `#` links left out.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let close = tag.find('>').map_or(tag.len(), |i| i + 1);
        let name: String = tag[1..close.min(tag.len())]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = |end: &str| tag.find(end).map_or(tag.len(), |i| i + end.len());
        let consumed = if name == "script" || name == "style" {
            skip_to(if name == "script" {
                "</script>"
            } else {
                "</style>"
            })
        } else if tag[..close].contains("class=\"anchor\"") {
            skip_to("</a>")
        } else {
            if !matches!(
                name.as_str(),
                "a" | "em"
                    | "strong"
                    | "b"
                    | "i"
                    | "code"
                    | "mark"
                    | "sup"
                    | "sub"
                    | "span"
                    | "time"
                    | "cite"
                    | "abbr"
                    | "del"
                    | "s"
            ) {
                out.push(' ');
            }
            close
        };
        rest = &tag[consumed.min(tag.len())..];
    }
    out.push_str(rest);
    let decoded = html_escape_decode(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(feature = "search")]
fn html_escape_decode(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

#[cfg(not(feature = "search"))]
fn html_escape_decode(text: &str) -> String {
    text.to_string()
}

/// Whether this build of nutgraf can write a search index.
pub const AVAILABLE: bool = cfg!(feature = "search");

/// Pagefind's files for `records`, as (path under [`DIR`], contents). The
/// records are indexed in URL order, so the same site gives the same
/// files whatever order the pages were rendered in. Pagefind's own UI
/// bundles are left out: the theme's search page uses its JS API.
#[cfg(feature = "search")]
pub fn index(mut records: Vec<Record>) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use anyhow::Context;
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    records.sort_by(|a, b| a.url.cmp(&b.url));
    // Pagefind wants an ISO 639-1 code; `en-GB` is indexed as English.
    // Each record's page says its language (`<html lang>`), so Pagefind
    // writes one index per language; a single-language site's is forced,
    // as a record's tag may be one Pagefind does not know.
    let primary = |tag: &str| {
        tag.split(['-', '_'])
            .next()
            .unwrap_or("en")
            .to_ascii_lowercase()
    };
    let mut languages: Vec<String> = records.iter().map(|r| primary(&r.language)).collect();
    languages.sort_unstable();
    languages.dedup();
    let forced = match languages.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the search indexer")?;
    runtime.block_on(async {
        let options = match forced {
            Some(language) => PagefindServiceConfig::builder()
                .force_language(language)
                .build(),
            None => PagefindServiceConfig::builder().build(),
        };
        let mut index = PagefindIndex::new(Some(options)).context("failed to set up Pagefind")?;
        for r in records {
            index
                .add_html_file(None, Some(r.url.clone()), r.html())
                .await
                .with_context(|| format!("Pagefind could not index {}", r.url))?;
        }
        let files = index
            .get_files()
            .await
            .context("Pagefind could not build the index")?;
        Ok(files
            .into_iter()
            .map(|f| (f.filename.to_string_lossy().replace('\\', "/"), f.contents))
            .filter(|(name, _)| !is_ui_bundle(name))
            .collect())
    })
}

/// The search records a render pass made (each says its language).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub records: Vec<Record>,
}

/// The files of one index, by path under [`DIR`].
pub type Files = std::sync::Arc<std::collections::HashMap<String, Vec<u8>>>;

/// `serve`'s search: the records of the published articles, brought up to
/// date after every pass, and the index made of them when a reader
/// searches. Indexing a whole site takes seconds (about 1.5 ms an
/// article), so it stays off the save-to-browser path: a pass only
/// swaps records, and the first request for `/pagefind/…` after a change
/// builds the index again.
#[derive(Debug, Default)]
pub struct Live {
    state: std::sync::Mutex<LiveRecords>,
    /// The last index built and the generation of records it holds. Held
    /// while building, so that the requests a search page makes at once
    /// wait for one build.
    #[cfg_attr(not(feature = "search"), allow(dead_code))]
    built: std::sync::Mutex<Option<(u64, Files)>>,
}

#[derive(Debug, Default)]
struct LiveRecords {
    /// `None` while the site has search off.
    by_url: Option<std::collections::BTreeMap<String, Record>>,
    /// Bumped whenever a record changes.
    generation: u64,
}

impl Live {
    /// Takes a pass's records. `rendered` are the URLs of the articles the
    /// pass rendered (a record of one of them that is missing from `batch`
    /// is unpublished now: a draft, or scheduled); `present` says whether
    /// an article URL still exists; `batch` is `None` when search is off.
    pub fn update(&self, batch: Option<Batch>, rendered: &[&str], present: impl Fn(&str) -> bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(batch) = batch else {
            if state.by_url.take().is_some() {
                state.generation += 1;
            }
            return;
        };
        let mut changed = state.by_url.is_none();
        let by_url = state.by_url.get_or_insert_with(Default::default);
        for url in rendered {
            changed |= by_url.remove(*url).is_some();
        }
        let before = by_url.len();
        by_url.retain(|url, _| present(url));
        changed |= by_url.len() != before;
        for record in batch.records {
            changed = true;
            by_url.insert(record.url.clone(), record);
        }
        if changed {
            state.generation += 1;
        }
    }

    /// Whether the site has search on.
    pub fn enabled(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_url
            .is_some()
    }

    /// The index of the current records, built now if they changed since
    /// the last one (blocking: call it off the async runtime). `None`
    /// while search is off.
    #[cfg(feature = "search")]
    pub fn files(&self) -> anyhow::Result<Option<Files>> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        let (generation, records) = {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let Some(by_url) = &state.by_url else {
                return Ok(None);
            };
            if let Some((_, files)) = built.as_ref().filter(|(g, _)| *g == state.generation) {
                return Ok(Some(files.clone()));
            }
            (
                state.generation,
                by_url.values().cloned().collect::<Vec<_>>(),
            )
        };
        let files: Files = std::sync::Arc::new(index(records)?.into_iter().collect());
        *built = Some((generation, files.clone()));
        Ok(Some(files))
    }
}

/// Pagefind's ready-made UIs and playground, which nutgraf does not use.
#[cfg(feature = "search")]
fn is_ui_bundle(name: &str) -> bool {
    [
        "pagefind-ui",
        "pagefind-modular-ui",
        "pagefind-component-ui",
        "pagefind-highlight",
        "playground",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

// Records without the `search` feature keep entities undecoded (nothing
// reads them): these tests are about the index.
#[cfg(all(test, feature = "search"))]
mod tests {
    use super::*;

    fn question(id: &str, text: &str) -> Question {
        Question {
            id: id.into(),
            text: text.into(),
            faq: true,
            offset: 0,
        }
    }

    const BODY: &str = "<p class=\"drop-cap\">The lede &amp; more.</p>\n\
        <h2 id=\"why-now\" class=\"question\">Why now? <a class=\"anchor\" href=\"#why-now\" aria-label=\"Link\">#</a></h2>\n\
        <p>Because <em>tides</em> turned.</p><figure class=\"embed\"><script>var x = 1;</script></figure>\n\
        <h2 id=\"background\">Background <a class=\"anchor\" href=\"#background\">#</a></h2>\n<ul><li>One</li><li>Two</li></ul>\n\
        <h2 id=\"what-next\" class=\"question\">What next?</h2>\n<p>Wait.</p>";

    #[test]
    fn each_question_is_a_part_and_the_rest_is_the_articles() {
        let qs = [
            question("why-now", "Why now?"),
            question("what-next", "What next?"),
        ];
        let record = records("/tides/", "en", "Tides", Some("The dek."), BODY, &qs);
        let got: Vec<(Option<&str>, &str)> = record
            .parts
            .iter()
            .map(|p| (p.question.as_ref().map(|q| q.1.as_str()), p.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (None, "The lede & more."),
                (Some("Why now?"), "Because tides turned."),
                (None, "Background One Two"),
                (Some("What next?"), "Wait."),
            ]
        );
        assert_eq!(
            record.html(),
            "<html lang=\"en\"><body><h1 data-pagefind-meta=\"title\">Tides</h1><p>The dek.</p><p>The lede &amp; more.</p>\
             <h2 id=\"why-now\">Why now?</h2><p>Because tides turned.</p><p>Background One Two</p>\
             <h2 id=\"what-next\">What next?</h2><p>Wait.</p></body></html>"
        );
    }

    #[test]
    fn the_index_is_the_same_whatever_order_the_records_come_in() {
        let qs = [question("why-now", "Why now?")];
        let mut all = vec![
            records("/a/", "en-GB", "A", None, BODY, &qs),
            records(
                "/b/",
                "en-GB",
                "B",
                None,
                "<p>Other words entirely.</p>",
                &[],
            ),
        ];
        let forward = index(all.clone()).unwrap_or_else(|e| panic!("{e:#}"));
        all.reverse();
        let backward = index(all).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(forward, backward);
        let names: Vec<&str> = forward.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"pagefind.js"), "{names:?}");
        assert!(names.contains(&"pagefind-entry.json"), "{names:?}");
        assert!(
            names.iter().any(|n| n.starts_with("fragment/")),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|n| n.starts_with("pagefind-ui")),
            "{names:?}"
        );
    }
}
