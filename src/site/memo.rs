//! Incremental rendering for `serve` and `build`: every output of a render
//! pass has a key, a hash of everything its rendering reads (the article's
//! text, its neighbours, the templates it uses, the summaries a listing
//! shows…). A pass with the previous pass's [`Memo`] renders only the
//! outputs whose key changed and keeps the rest, so one edited article
//! re-renders that page and the listings, feeds and neighbours that show
//! it, not the whole site.
//!
//! Keys are computed from the same data the templates receive, so an edit
//! can only be missed if a template reads something outside its context;
//! the site-wide inputs (config, theme, stylesheet, image files, and for a
//! build nutgraf itself) go into every key through `Memo::globals`.
//!
//! `serve` keeps its memo in memory; `build` stores it in
//! `.nutgraf-cache/build/` ([`store`], [`load`]), tied to the output folder
//! it describes by the build id in the folder's marker.

use anyhow::Context;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::content::Page;
use crate::diagnostic::Diagnostic;
use crate::site::listings::Summary;

/// What the previous pass rendered.
#[derive(Debug, Default, Clone)]
pub struct Memo {
    /// Hash of the site-wide inputs the previous pass used.
    pub(crate) globals: u64,
    /// Article page file → key, what listings show of it, its diagnostics.
    pub(crate) articles: FxHashMap<Arc<str>, Arc<ArticleMemo>>,
    /// Any other output file → key.
    pub(crate) files: FxHashMap<String, u64>,
    /// The pass's articles in site order, each with its page file and
    /// memo. An article whose page and neighbours are the very same loaded
    /// pages as last time (the page cache hands out the same `Arc` for an
    /// unchanged file) is kept without hashing anything: on a 10,000-article
    /// site that check is what a one-article save costs.
    pub(crate) order: Vec<(Arc<Page>, Arc<str>, Arc<ArticleMemo>)>,
    /// Hash of every template fingerprint the pass used.
    pub(crate) templates: u64,
    /// A build's: what it read and reported, so that the next build can
    /// tell that nothing at all changed without reading anything.
    pub(crate) last: Option<LastBuild>,
    /// Hash of everything listings, tag pages, feeds and the sitemap read
    /// (each article's summary key in order, the sections), when the pass
    /// could vouch that nothing else moved (see [`Pass::listings_unchanged`]).
    pub(crate) listings: Option<u64>,
    /// The site's shape as the pass found it (see [`Shape`]).
    pub(crate) shape: Option<Arc<Shape>>,
}

/// Who owns which URL: the aliases and tags a pass found, once its claims
/// on the output paths were checked. `serve` reuses it while only
/// articles' bodies change: at 100,000 articles, working it out again
/// took 200 ms of each save's pass.
#[derive(Debug)]
pub(crate) struct Shape {
    /// Articles published.
    pub pages: usize,
    pub aliases: Vec<crate::site::cdn::Alias>,
    /// Each language's tags.
    pub tags: Vec<Vec<crate::site::listings::Tag>>,
}

/// What a build read (every source file's name, size and modification
/// time, nutgraf itself, `--drafts`) and what it reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LastBuild {
    pub(crate) inputs: u64,
    /// Every file it wrote (but the marker).
    pub(crate) files: Vec<String>,
    /// The first scheduled article's date (Unix seconds): from then on
    /// the same sources build a different site.
    pub(crate) due: Option<i64>,
    pub(crate) pages: usize,
    pub(crate) skipped: usize,
    pub(crate) files_copied: usize,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub(crate) struct ArticleMemo {
    pub(crate) key: u64,
    pub(crate) summary: Arc<Summary>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The images the page had resized, asked for again when a build
    /// reuses it (a build's output starts empty; `serve` keeps images).
    pub(crate) images: Vec<ImageUse>,
    /// Hash of what the page's Markdown rendering read (its file, path
    /// and URL; the site-wide inputs are checked apart).
    pub(crate) body_key: u64,
    /// A build's: where the body and JSON-LD sit in the page it wrote,
    /// and the rest of what the page shows of its Markdown.
    pub(crate) reuse: Option<Reusable>,
    /// Rendered from the previous page's body, not from Markdown (this
    /// pass's count; not stored).
    pub(crate) retemplated: bool,
    /// The components its Markdown calls: their templates' fingerprints
    /// are part of `key` and `body_key`, so editing one renders exactly
    /// the pages that call it.
    pub(crate) components: Vec<String>,
    /// The files its internal links (`@/…`) named, with the URL each led
    /// to: a page is kept only while they lead there still.
    pub(crate) links: Vec<(String, Option<String>)>,
}

/// What a build needs to render an article page again after a template
/// edit without rendering its Markdown: the body and JSON-LD are cut from
/// the page it wrote ([`Span`]), the rest is here.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Reusable {
    pub(crate) body: Span,
    pub(crate) jsonld: Span,
    pub(crate) questions: Vec<crate::markdown::questions::Question>,
    pub(crate) words: crate::markdown::words::Words,
    pub(crate) summary: Option<String>,
    pub(crate) share: Share,
    /// Body figures' image files, asked for again.
    pub(crate) figures: Vec<PathBuf>,
}

/// The sharing image of a page (og:image): absolute URL, size, alt text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Share {
    pub(crate) image: Option<String>,
    pub(crate) width: Option<u32>,
    pub(crate) height: Option<u32>,
    pub(crate) alt: Option<String>,
}

/// Where a fragment sits in a written page, and its hash: a page edited
/// by hand, or any other surprise, fails the check and the Markdown is
/// rendered again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Span {
    start: usize,
    len: usize,
    hash: [u8; 16],
}

impl Span {
    /// The first place `fragment` appears in `page`.
    pub(crate) fn find(page: &str, fragment: &str) -> Option<Span> {
        let start = crate::html::find_fragment(page, fragment)?;
        Some(Span {
            start,
            len: fragment.len(),
            hash: Span::hash(fragment.as_bytes()),
        })
    }

    /// The fragment, from the page bytes, when it is still the same.
    pub(crate) fn cut(&self, page: &[u8]) -> Option<String> {
        let bytes = page.get(self.start..self.start.checked_add(self.len)?)?;
        if Span::hash(bytes) != self.hash {
            return None;
        }
        String::from_utf8(bytes.to_vec()).ok()
    }

    fn hash(bytes: &[u8]) -> [u8; 16] {
        let mut out = [0; 16];
        out.copy_from_slice(&blake3::hash(bytes).as_bytes()[..16]);
        out
    }
}

/// An image file an article had processed: for a body figure, or as the
/// lead (which also gets sharing crops).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImageUse {
    pub(crate) file: PathBuf,
    pub(crate) lead: bool,
}

/// One article's entry for [`Pass::record_articles`]: its page file, its
/// memo, and whether the pass kept it (did not render it).
pub(crate) type ArticleEntry = (Arc<str>, Arc<ArticleMemo>, bool);

/// One incremental pass: the previous pass's memo, and the memo this pass
/// builds for the next one. `serve` makes one per pass, hands it to the
/// render in [`Mode::Serve`](super::Mode), and takes the new memo back
/// with [`Pass::finish`].
#[derive(Debug)]
pub struct Pass<'a> {
    old: &'a Memo,
    new: Mutex<Memo>,
    /// Output files rendered (not kept) in this pass, for tests and logs.
    rendered: Mutex<Vec<String>>,
}

impl<'a> Pass<'a> {
    pub fn new(old: &'a Memo) -> Pass<'a> {
        Pass {
            old,
            new: Mutex::new(Memo {
                // Sized like the previous pass: no rehashing as it fills.
                articles: FxHashMap::with_capacity_and_hasher(
                    old.articles.len(),
                    Default::default(),
                ),
                files: FxHashMap::with_capacity_and_hasher(old.files.len(), Default::default()),
                ..Memo::default()
            }),
            rendered: Mutex::default(),
        }
    }

    /// Starts the pass once the render knows its site-wide inputs
    /// (`globals`) and the hash of every template (`templates`).
    pub(crate) fn begin(&self, globals: u64, templates: u64) -> Started<'_> {
        {
            let mut new = self.new_memo();
            new.globals = globals;
            new.templates = templates;
        }
        Started {
            // A change to the site-wide inputs invalidates everything.
            old: Some(self.old).filter(|m| m.globals == globals),
            globals,
            templates,
            new: &self.new,
            rendered: &self.rendered,
        }
    }

    fn new_memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        lock(&self.new)
    }

    /// The new memo and the files rendered, sorted.
    pub fn finish(self) -> (Memo, Vec<String>) {
        let memo = self.new.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut rendered = self
            .rendered
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        rendered.sort();
        (memo, rendered)
    }
}

/// A lock that survives a worker's panic: the data is still sound.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A [`Pass`] under way: what the render asks while it decides what to
/// keep, and where it records the new keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Started<'p> {
    /// The previous memo, when its site-wide inputs match this pass's.
    old: Option<&'p Memo>,
    globals: u64,
    templates: u64,
    new: &'p Mutex<Memo>,
    rendered: &'p Mutex<Vec<String>>,
}

impl Started<'_> {
    pub(crate) fn globals(&self) -> u64 {
        self.globals
    }

    fn new_memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        lock(self.new)
    }

    /// The previous file name and memo of article `i` of `pages` when it
    /// and its neighbours are the same loaded pages, in the same places, as
    /// in the previous pass, and no template changed: then nothing its
    /// page shows can have changed.
    /// `also`: its translations, which it shows too.
    pub(crate) fn same_article(
        &self,
        pages: &[Arc<Page>],
        i: usize,
        also: &[usize],
    ) -> Option<(Arc<str>, Arc<ArticleMemo>)> {
        let old = self.old.filter(|m| m.templates == self.templates)?;
        let same = |j: Option<usize>| match (
            j.and_then(|j| pages.get(j)),
            j.and_then(|j| old.order.get(j)),
        ) {
            (Some(new), Some((was, _, _))) => Arc::ptr_eq(new, was),
            (None, None) => true,
            _ => false,
        };
        if !(same(Some(i))
            && same(i.checked_sub(1))
            && same(Some(i + 1))
            && also.iter().all(|&j| same(Some(j))))
        {
            return None;
        }
        let (_, file, memo) = old.order.get(i)?;
        Some((file.clone(), memo.clone()))
    }

    /// The previous article memo for `file`, whatever its key, when the
    /// site-wide inputs are the same.
    pub(crate) fn previous_article(&self, file: &str) -> Option<Arc<ArticleMemo>> {
        self.old?.articles.get(file).cloned()
    }

    /// The previous article memo for `file` when its key is unchanged.
    pub(crate) fn article_unchanged(&self, file: &str, key: u64) -> Option<Arc<ArticleMemo>> {
        Some(
            self.old?
                .articles
                .get(file)
                .filter(|m| m.key == key)?
                .clone(),
        )
    }

    /// Records each article's memo for the next pass, in site order
    /// (`pages`); `kept` ones were not rendered in this pass.
    pub(crate) fn record_articles(&self, pages: &[Arc<Page>], memos: Vec<ArticleEntry>) {
        let mut rendered = Vec::new();
        {
            let mut new = self.new_memo();
            new.order.reserve(memos.len());
            for (page, (file, memo, kept)) in pages.iter().zip(memos) {
                if !kept {
                    rendered.push(file.to_string());
                }
                new.articles.insert(file.clone(), memo.clone());
                new.order.push((page.clone(), file, memo));
            }
        }
        lock(self.rendered).extend(rendered);
    }

    /// Whether `file` can be kept as the previous pass left it; either way
    /// the key is recorded for the next pass.
    pub(crate) fn file_unchanged(&self, file: &str, key: u64) -> bool {
        let hit = self
            .old
            .and_then(|m| m.files.get(file))
            .is_some_and(|&k| k == key);
        self.new_memo().files.insert(file.to_string(), key);
        if !hit {
            self.note_rendered(file);
        }
        hit
    }

    /// The previous pass's shape, when the content loaded vouches that
    /// only bodies changed (`vouched`) and as many articles are published
    /// (none fell due). The previous pass had no conflicting claims: a
    /// pass with errors leaves no memo.
    pub(crate) fn same_shape(&self, vouched: bool, pages: usize) -> Option<Arc<Shape>> {
        self.old
            .filter(|_| vouched)?
            .shape
            .clone()
            .filter(|s| s.pages == pages)
    }

    pub(crate) fn record_shape(&self, shape: Arc<Shape>) {
        self.new_memo().shape = Some(shape);
    }

    /// Whether every listing, tag page, feed and the sitemap can be kept:
    /// `key` hashes what they read and matches the previous pass's, and
    /// `trusted` vouches that nothing else they read moved (no file was
    /// added, removed or moved, so every article is in the section it was
    /// in). When unchanged, the previous pass's file keys carry over.
    pub(crate) fn listings_unchanged(&self, key: u64, trusted: bool) -> bool {
        let old = self
            .old
            .filter(|m| trusted && m.templates == self.templates && m.listings == Some(key));
        let mut new = self.new_memo();
        new.listings = Some(key);
        if let Some(old) = old {
            new.files
                .extend(old.files.iter().map(|(f, k)| (f.clone(), *k)));
        }
        old.is_some()
    }

    fn note_rendered(&self, file: &str) {
        lock(self.rendered).push(file.to_string());
    }
}

impl Memo {
    /// Every output file the memo accounts for: article pages and the
    /// other keyed outputs (listings, feeds, the 404 page…).
    pub(crate) fn outputs(&self) -> impl Iterator<Item = &str> {
        self.articles
            .keys()
            .map(|f| &**f)
            .chain(self.files.keys().map(String::as_str))
    }
}

/// Where a build of the site at `root` into the output folder `target`
/// keeps its memo: one file per output folder, since each describes one.
pub fn cache_file(root: &Path, target: &Path) -> PathBuf {
    let id = blake3::hash(
        crate::paths::absolute(target)
            .as_os_str()
            .as_encoded_bytes(),
    );
    root.join(crate::paths::CACHE_DIR)
        .join("build")
        .join(format!("{}.memo", &id.to_hex()[..16]))
}

/// The first bytes of a stored memo, then the format and nutgraf's version
/// on one line: a memo from another version is never read.
const MAGIC: &[u8] = b"nutgraf build memo\n";
/// 5: a card's lead carries its `srcset` and `webp_srcset`.
/// 6: a reusable page keeps its words by script, for reading time.
const FORMAT: u32 = 6;

fn version_line() -> String {
    format!("format {FORMAT} nutgraf {}\n", env!("CARGO_PKG_VERSION"))
}

/// A memo as stored: the build id of the output folder it describes, then
/// the memo itself.
#[derive(Serialize, Deserialize)]
struct Stored {
    build: String,
    globals: u64,
    templates: u64,
    listings: Option<u64>,
    files: Vec<(String, u64)>,
    articles: Vec<StoredArticle>,
}

#[derive(Serialize, Deserialize)]
struct StoredArticle {
    file: String,
    key: u64,
    body_key: u64,
    summary_key: u64,
    summary: Summary,
    diagnostics: Vec<Diagnostic>,
    images: Vec<ImageUse>,
    reuse: Option<Reusable>,
    components: Vec<String>,
    links: Vec<(String, Option<String>)>,
}

/// Writes `memo`, describing the output folder of build `build`, to `path`:
/// magic, version line, blake3 of the payload, payload (postcard). Written
/// under a temporary name and renamed, so a reader never sees half of it.
pub fn store(path: &Path, build: &str, memo: &Memo) -> anyhow::Result<()> {
    // Serialized from borrows, in the field order of `Stored`, which
    // postcard reads back: at 100,000 articles a copy of every summary
    // would cost hundreds of megabytes at the build's end.
    #[derive(Serialize)]
    struct StoredRef<'a> {
        build: &'a str,
        globals: u64,
        templates: u64,
        listings: Option<u64>,
        files: Vec<(&'a str, u64)>,
        articles: Vec<ArticleRef<'a>>,
    }
    #[derive(Serialize)]
    struct ArticleRef<'a> {
        file: &'a str,
        key: u64,
        body_key: u64,
        summary_key: u64,
        summary: &'a Summary,
        diagnostics: &'a [Diagnostic],
        images: &'a [ImageUse],
        reuse: &'a Option<Reusable>,
        components: &'a [String],
        links: &'a [(String, Option<String>)],
    }
    let mut articles: Vec<ArticleRef> = memo
        .articles
        .iter()
        .map(|(file, m)| ArticleRef {
            file,
            key: m.key,
            body_key: m.body_key,
            summary_key: m.summary.key,
            summary: &m.summary,
            diagnostics: &m.diagnostics,
            images: &m.images,
            reuse: &m.reuse,
            components: &m.components,
            links: &m.links,
        })
        .collect();
    articles.sort_by(|a, b| a.file.cmp(b.file));
    let mut files: Vec<(&str, u64)> = memo.files.iter().map(|(f, k)| (f.as_str(), *k)).collect();
    files.sort();
    let payload = postcard::to_stdvec(&StoredRef {
        build,
        globals: memo.globals,
        templates: memo.templates,
        listings: memo.listings,
        files,
        articles,
    })?;
    write_checked(path, &payload)?;
    // The last build's stamp apart: the next build reads it alone to tell
    // that nothing changed, without decoding the whole memo.
    if let Some(last) = &memo.last {
        write_checked(&stamp_file(path), &postcard::to_stdvec(&(build, last))?)?;
    } else {
        let _absent = std::fs::remove_file(stamp_file(path));
    }
    Ok(())
}

/// Where the last build's stamp is kept, beside its memo.
fn stamp_file(memo: &Path) -> PathBuf {
    memo.with_extension("stamp")
}

/// Writes `payload` to `path` after the magic, version line and its
/// blake3 hash; under a temporary name renamed into place, so a reader
/// never sees half of it.
fn write_checked(path: &Path, payload: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        crate::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        file.write_all(MAGIC)?;
        file.write_all(version_line().as_bytes())?;
        file.write_all(blake3::hash(payload).as_bytes())?;
        file.write_all(payload)?;
        // No fsync: after a crash a torn file fails its checksum, and one
        // that names another build is ignored.
        file.flush()
    };
    write().with_context(|| format!("failed to write `{}`", tmp.display()))?;
    crate::fs::rename(&tmp, path)
}

/// The payload of a file [`write_checked`] wrote, once its header and
/// checksum are right.
fn read_checked(path: &Path) -> Result<Vec<u8>, Unusable> {
    let mut bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unusable::Missing),
        Err(e) => return Err(Unusable::Damaged(format!("cannot read it: {e}"))),
    };
    let damaged = |why: &str| Unusable::Damaged(why.to_string());
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| damaged("it does not start like a nutgraf build memo"))?;
    let line_end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| damaged("its version line is cut off"))?;
    let (line, rest) = rest.split_at(line_end + 1);
    if line != version_line().as_bytes() {
        return Err(Unusable::OtherVersion);
    }
    if rest.len() < blake3::OUT_LEN {
        return Err(damaged("it is cut off before its checksum"));
    }
    let (sum, payload) = rest.split_at(blake3::OUT_LEN);
    if blake3::hash(payload).as_bytes() != sum {
        return Err(damaged(
            "its checksum does not match (truncated or corrupt)",
        ));
    }
    let start = bytes.len() - payload.len();
    Ok(bytes.split_off(start))
}

/// The last build's stamp, when it describes the output folder of build
/// `output_build`. Any problem is silence: [`load`] reports a damaged memo.
pub(crate) fn load_stamp(memo: &Path, output_build: Option<&str>) -> Option<LastBuild> {
    let payload = read_checked(&stamp_file(memo)).ok()?;
    let (build, last): (String, LastBuild) = postcard::from_bytes(&payload).ok()?;
    (output_build == Some(build.as_str())).then_some(last)
}

/// Why a stored memo was not used.
#[derive(Debug, PartialEq, Eq)]
pub enum Unusable {
    /// There is none (first build, or the cache was deleted).
    Missing,
    /// It describes another state of the output folder (a build that was
    /// killed after writing it, or a folder replaced since): not an error,
    /// but nothing in it can be trusted.
    OtherOutput,
    /// Written by another version of nutgraf.
    OtherVersion,
    /// Truncated, corrupt or unreadable: worth one warning.
    Damaged(String),
}

/// Reads the memo at `path` if it describes the output folder whose marker
/// holds build id `output_build`.
pub fn load(path: &Path, output_build: Option<&str>) -> Result<Memo, Unusable> {
    let payload = read_checked(path)?;
    let damaged = |why: &str| Unusable::Damaged(why.to_string());
    let payload = payload.as_slice();
    let stored: Stored =
        postcard::from_bytes(payload).map_err(|e| damaged(&format!("it does not decode: {e}")))?;
    if output_build != Some(stored.build.as_str()) {
        return Err(Unusable::OtherOutput);
    }
    let articles = stored
        .articles
        .into_iter()
        .map(|a| {
            let mut summary = a.summary;
            summary.key = a.summary_key;
            let memo = ArticleMemo {
                key: a.key,
                body_key: a.body_key,
                summary: Arc::new(summary),
                diagnostics: a.diagnostics,
                images: a.images,
                reuse: a.reuse,
                retemplated: false,
                components: a.components,
                links: a.links,
            };
            (Arc::<str>::from(a.file), Arc::new(memo))
        })
        .collect();
    Ok(Memo {
        last: None,
        globals: stored.globals,
        articles,
        files: stored.files.into_iter().collect(),
        order: Vec::new(),
        templates: stored.templates,
        listings: stored.listings,
        // Only serve's page cache can vouch for a shape.
        shape: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
        r.unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn sample() -> Memo {
        let summary = Summary {
            title: "Why do tides differ?".into(),
            url: "/tides/".into(),
            permalink: "https://e.org/tides/".into(),
            date: Some("2026-01-02T00:00:00Z".into()),
            updated: None,
            description: None,
            summary: Some("Harbours differ.".into()),
            authors: vec!["Ana".into()],
            tags: vec!["Sea".into()],
            reading_time: 1,
            word_count: 3,
            lead: None,
            key: 42,
        };
        let article = ArticleMemo {
            key: 7,
            summary: Arc::new(summary),
            diagnostics: vec![Diagnostic::warning(
                "content/tides.md",
                crate::diagnostic::Position { line: 3, col: 1 },
                "lead image has no alt text",
            )],
            images: vec![ImageUse {
                file: "content/tides/harbour.jpg".into(),
                lead: true,
            }],
            body_key: 8,
            reuse: Some(Reusable {
                body: Span::find("<p>x</p><main><p>Harbours differ.</p></main>", "<main>")
                    .unwrap_or_else(|| panic!("no span")),
                jsonld: Span::find("{}", "{}").unwrap_or_else(|| panic!("no span")),
                questions: Vec::new(),
                words: crate::markdown::words::Words {
                    spaced: 3,
                    han: 0,
                    kana: 0,
                },
                summary: Some("Harbours differ.".into()),
                share: Share::default(),
                figures: vec!["content/tides/map.png".into()],
            }),
            retemplated: false,
            components: vec!["key_facts".into()],
            links: vec![
                ("posts/a.md".into(), Some("/a/".into())),
                ("gone.md".into(), None),
            ],
        };
        let mut memo = Memo {
            globals: 1,
            templates: 2,
            listings: Some(3),
            ..Memo::default()
        };
        memo.articles
            .insert("tides/index.html".into(), Arc::new(article));
        memo.files.insert("index.html".into(), 9);
        memo
    }

    #[test]
    fn a_stored_memo_reads_back_whole() {
        let tmp = ok(tempfile::tempdir());
        let path = tmp.path().join("build/x.memo");
        ok(store(&path, "b1", &sample()));
        let back = ok(load(&path, Some("b1")));
        assert_eq!(
            (back.globals, back.templates, back.listings),
            (1, 2, Some(3))
        );
        assert_eq!(back.files.get("index.html"), Some(&9));
        let a = &back.articles["tides/index.html"];
        assert_eq!((a.key, a.summary.key), (7, 42));
        assert_eq!(a.links, sample().articles["tides/index.html"].links);
        assert_eq!(a.summary.summary.as_deref(), Some("Harbours differ."));
        assert_eq!(
            a.diagnostics,
            sample().articles["tides/index.html"].diagnostics
        );
        assert_eq!(a.images, sample().articles["tides/index.html"].images);
    }

    #[test]
    fn a_memo_of_another_output_or_version_is_not_used() {
        let tmp = ok(tempfile::tempdir());
        let path = tmp.path().join("x.memo");
        assert_eq!(load(&path, Some("b1")).err(), Some(Unusable::Missing));
        ok(store(&path, "b1", &sample()));
        assert_eq!(load(&path, Some("b2")).err(), Some(Unusable::OtherOutput));
        assert_eq!(load(&path, None).err(), Some(Unusable::OtherOutput));
        let mut bytes = ok(std::fs::read(&path));
        let at = MAGIC.len() + "format ".len();
        bytes[at] = b'9';
        ok(std::fs::write(&path, &bytes));
        assert_eq!(load(&path, Some("b1")).err(), Some(Unusable::OtherVersion));
    }

    /// Every way a memo file can be cut short or flipped is detected: never
    /// trusted, never a panic.
    #[test]
    fn a_truncated_or_corrupt_memo_is_damaged() {
        let tmp = ok(tempfile::tempdir());
        let path = tmp.path().join("x.memo");
        ok(store(&path, "b1", &sample()));
        let whole = ok(std::fs::read(&path));
        let header = MAGIC.len() + version_line().len();
        for len in 0..whole.len() {
            ok(std::fs::write(&path, &whole[..len]));
            assert!(
                matches!(load(&path, Some("b1")), Err(Unusable::Damaged(_))),
                "truncated to {len} bytes was not detected"
            );
        }
        for at in header..whole.len() {
            let mut bytes = whole.clone();
            bytes[at] ^= 0x20;
            ok(std::fs::write(&path, &bytes));
            assert!(
                matches!(load(&path, Some("b1")), Err(Unusable::Damaged(_))),
                "a flipped byte at {at} was not detected"
            );
        }
    }
}
