//! A site kept in memory and brought up to date pass by pass: `serve`'s
//! incremental session over the build's render (see [`crate::site::memo`]).

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::content::PageCache;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::output::{MemoryFiles, Served};
use crate::site::memo::{Memo, Pass};
use crate::site::{self, Incremental, Mode};

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
    /// The search records, indexed when a reader searches.
    search: std::sync::Arc<crate::search::Live>,
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
            search: Default::default(),
        }
    }

    /// A handle on the site's search, which follows every pass.
    pub fn shared_search(&self) -> std::sync::Arc<crate::search::Live> {
        self.search.clone()
    }

    /// The site as of the last good pass, by output path (`a/index.html`).
    pub fn files(&self) -> std::sync::RwLockReadGuard<'_, FxHashMap<String, Served>> {
        self.files.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A handle on the served site that follows every pass.
    pub fn shared_files(&self) -> SiteFiles {
        self.files.clone()
    }

    /// The article the writer just saved, for the preview to follow: of
    /// the articles among `saved` (source files) whose page is among
    /// `changed` (site paths), the URL of the one written last. A save
    /// that changed nothing on the page, or of anything but an article,
    /// names none.
    pub fn saved_article(&self, saved: &[PathBuf], changed: &[String]) -> Option<String> {
        let saved: Vec<&Path> = saved
            .iter()
            .map(PathBuf::as_path)
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        if saved.is_empty() {
            return None;
        }
        self.memo
            .order
            .iter()
            .filter(|(page, _, _)| saved.contains(&page.path.as_path()))
            .map(|(page, file, _)| (page, super::site_path(file)))
            .filter(|(_, url)| changed.contains(url))
            .max_by_key(|(page, _)| {
                std::fs::metadata(&page.path)
                    .and_then(|m| m.modified())
                    .ok()
            })
            .map(|(_, url)| url)
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
        let pass = Pass::new(&self.memo);
        let rendered = site::render(
            &self.root,
            self.drafts,
            Mode::Serve(Incremental {
                files: &memory,
                cache: &self.cache,
                pass: &pass,
                generation: self.generation,
            }),
        )?;
        if rendered.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Error::Site(rendered.diagnostics));
        }
        let (memo, rendered_files) = pass.finish();
        self.memo = memo;
        // Records only: the index is built when a reader searches.
        let rendered_articles: Vec<&str> = rendered_files
            .iter()
            .filter_map(|file| self.memo.articles.get(file.as_str()))
            .map(|article| article.summary.url.as_str())
            .collect();
        let present: rustc_hash::FxHashSet<&str> = self
            .memo
            .articles
            .values()
            .map(|article| article.summary.url.as_str())
            .collect();
        self.search
            .update(rendered.search, &rendered_articles, |url| {
                present.contains(url)
            });
        // The server sees the old site or the new one, never a mix.
        // Files the memo lists were made or kept by this pass.
        let changed = memory.apply(
            &mut self.files.write().unwrap_or_else(|e| e.into_inner()),
            (!rendered.same_shape).then_some(|path: &str| {
                self.memo.articles.contains_key(path) || self.memo.files.contains_key(path)
            }),
        );
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
