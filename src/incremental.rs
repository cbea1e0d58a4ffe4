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
//! every key through [`Memo::globals`].

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::content::PageCache;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::listing::Summary;
use crate::output::{MemoryFiles, Output, Served};

/// What the previous pass rendered.
#[derive(Debug, Default, Clone)]
pub struct Memo {
    /// Hash of the site-wide inputs the previous pass used.
    pub(crate) globals: u64,
    /// Article page file → key, what listings show of it, its diagnostics.
    pub(crate) articles: FxHashMap<String, std::sync::Arc<ArticleMemo>>,
    /// Any other output file → key.
    pub(crate) files: FxHashMap<String, u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct ArticleMemo {
    pub(crate) key: u64,
    pub(crate) summary: std::sync::Arc<Summary>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// A key for `data`: blake3 over its JSON form. The JSON goes into a
/// per-thread buffer first: streaming serde_json's many small writes into
/// the hasher cost more than the hashing.
pub fn key(data: &impl Serialize) -> u64 {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let bytes = BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        // A serializer error would only come from a map with non-string
        // keys, which none of ours has; hash what was written either way.
        let _partial = serde_json::to_writer(&mut *buffer, data);
        blake3::hash(buffer)
    });
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// One pass's view: the previous memo (if any) and the new one it builds.
#[derive(Debug)]
pub(crate) struct Pass<'a> {
    old: Option<&'a Memo>,
    globals: u64,
    new: Mutex<Memo>,
    /// Output files rendered (not kept) in this pass, for tests and logs.
    rendered: Mutex<Vec<String>>,
}

impl<'a> Pass<'a> {
    pub(crate) fn new(old: Option<&'a Memo>, globals: u64) -> Pass<'a> {
        Pass {
            // A change to the site-wide inputs invalidates everything.
            old: old.filter(|m| m.globals == globals),
            globals,
            new: Mutex::new(Memo {
                globals,
                // Sized like the previous pass: no rehashing as it fills.
                articles: FxHashMap::with_capacity_and_hasher(
                    old.map_or(0, |m| m.articles.len()),
                    Default::default(),
                ),
                files: FxHashMap::with_capacity_and_hasher(
                    old.map_or(0, |m| m.files.len()),
                    Default::default(),
                ),
            }),
            rendered: Mutex::default(),
        }
    }

    pub(crate) fn globals(&self) -> u64 {
        self.globals
    }

    fn new_memo(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.new.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The previous article memo for `file` when its key is unchanged.
    pub(crate) fn article_unchanged(
        &self,
        file: &str,
        key: u64,
    ) -> Option<std::sync::Arc<ArticleMemo>> {
        Some(
            self.old?
                .articles
                .get(file)
                .filter(|m| m.key == key)?
                .clone(),
        )
    }

    /// Records each article's memo for the next pass; `kept` ones were
    /// not rendered in this pass.
    pub(crate) fn record_articles(
        &self,
        memos: impl IntoIterator<Item = (String, std::sync::Arc<ArticleMemo>, bool)>,
    ) {
        let mut rendered = Vec::new();
        {
            let mut new = self.new_memo();
            for (file, memo, kept) in memos {
                if !kept {
                    rendered.push(file.clone());
                }
                new.articles.insert(file, memo);
            }
        }
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(rendered);
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

    fn note_rendered(&self, file: &str) {
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(file.to_string());
    }

    /// The new memo and the files rendered, sorted.
    pub(crate) fn finish(self) -> (Memo, Vec<String>) {
        let memo = self.new.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut rendered = self
            .rendered
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        rendered.sort();
        (memo, rendered)
    }
}

/// A site kept in memory and brought up to date pass by pass (`serve`).
#[derive(Debug)]
pub struct Session {
    root: PathBuf,
    drafts: bool,
    cache: PageCache,
    memo: Memo,
    generation: u64,
    /// Shared with the server, which reads it between passes.
    files: SiteFiles,
}

/// The served site, by output path (`a/index.html`).
pub type SiteFiles = std::sync::Arc<std::sync::RwLock<FxHashMap<String, Served>>>;

/// What one successful pass did.
#[derive(Debug)]
pub struct PassReport {
    /// Output files rendered (not kept) in this pass.
    pub rendered: Vec<String>,
    /// Output files whose content changed or that went away.
    pub changed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    pub elapsed: std::time::Duration,
}

impl Session {
    pub fn new(root: &Path, drafts: bool) -> Session {
        Session {
            root: root.to_path_buf(),
            drafts,
            cache: PageCache::default(),
            memo: Memo::default(),
            generation: 0,
            files: SiteFiles::default(),
        }
    }

    /// The site as of the last good pass, by output path (`a/index.html`).
    pub fn files(&self) -> std::sync::RwLockReadGuard<'_, FxHashMap<String, Served>> {
        self.files.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A handle on the served site that follows every pass.
    pub fn shared_files(&self) -> SiteFiles {
        self.files.clone()
    }

    /// Brings the site up to date. `dirty` names files known to have
    /// changed (read again whatever their stamp says); `everything` makes
    /// every output render again (an image replaced in place, a rescan).
    /// On error the site stays as the last good pass left it.
    pub fn rebuild(&mut self, dirty: &[PathBuf], everything: bool) -> Result<PassReport, Error> {
        let started = std::time::Instant::now();
        // Edits of articles the cache knows (the common save) need no walk
        // of content/ and no stat of every article; anything else does.
        let only_known_edits = !everything
            && !dirty.is_empty()
            && dirty.iter().all(|p| {
                p.extension().is_some_and(|e| e == "md") && self.cache.knows(p) && p.is_file()
            });
        self.cache.trust_next_load(only_known_edits);
        for path in dirty {
            self.cache.invalidate(path);
        }
        if everything {
            self.generation += 1;
        }
        let memory = MemoryFiles::default();
        let rendered = crate::site::render_site(
            &self.root,
            &crate::site::RenderOptions {
                drafts: self.drafts,
                out: Output::Memory(&memory),
                preview: true,
                collect_links: false,
                progress: false,
                page_cache: Some(&self.cache),
                memo: Some(&self.memo),
                generation: self.generation,
            },
        )?;
        if rendered.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Error::Site(rendered.diagnostics));
        }
        let (memo, rendered_files) = rendered.memo.unwrap_or_default();
        self.memo = memo;
        // The server sees the old site or the new one, never a mix.
        let changed = memory.apply(&mut self.files.write().unwrap_or_else(|e| e.into_inner()));
        Ok(PassReport {
            rendered: rendered_files,
            changed,
            warnings: rendered.diagnostics,
            pages: rendered.pages,
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests;
