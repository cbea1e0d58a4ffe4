//! Incremental rendering for `serve`: every output of a render pass has a
//! key, a hash of everything its rendering reads (the article's text, its
//! neighbours, the templates it uses, the summaries a listing shows…). A
//! pass with the previous pass's [`Memo`] renders only the outputs whose key
//! changed and keeps the rest, so one edited article re-renders that page
//! and the listings, feeds and neighbours that show it, not the whole site.
//!
//! Keys are computed from the same data the templates receive, so an edit
//! can only be missed if a template reads something outside its context;
//! the site-wide inputs (config, theme, stylesheet, image files) go into
//! every key through `Memo::globals`.

use rustc_hash::FxHashMap;
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
    /// Hash of everything listings, tag pages, feeds and the sitemap read
    /// (each article's summary key in order, the sections), when the pass
    /// could vouch that nothing else moved (see [`Pass::listings_unchanged`]).
    pub(crate) listings: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct ArticleMemo {
    pub(crate) key: u64,
    pub(crate) summary: Arc<Summary>,
    pub(crate) diagnostics: Vec<Diagnostic>,
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
    pub(crate) fn same_article(
        &self,
        pages: &[Arc<Page>],
        i: usize,
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
        if !(same(Some(i)) && same(i.checked_sub(1)) && same(Some(i + 1))) {
            return None;
        }
        let (_, file, memo) = old.order.get(i)?;
        Some((file.clone(), memo.clone()))
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
