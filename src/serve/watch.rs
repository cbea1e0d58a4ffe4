//! Watching the site's sources: notify events, debounced, become a small
//! [`ChangeKind`] set with the paths that changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, FileIdCache};

use crate::config::CONFIG_FILE;
use crate::paths::{CONTENT_DIR, I18N_DIR, STATIC_DIR, TEMPLATES_DIR, THEMES_DIR, is_ignored_path};

/// The folders watched recursively; the output and cache folders are not.
pub const WATCHED_DIRS: [&str; 5] = [CONTENT_DIR, TEMPLATES_DIR, THEMES_DIR, STATIC_DIR, I18N_DIR];

/// What kind of source changed; each has one way of being rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// An article or `_index.md`: re-read it, re-render what shows it.
    Content,
    /// A file beside the articles (a bundle image): sizes may change.
    ContentAsset,
    /// A template: re-render the pages whose template uses it.
    Templates,
    /// A file in `static/`: served from disk; a stylesheet is swapped in.
    Static,
    /// `themes/`: templates and stylesheet of the theme.
    Theme,
    /// `nutgraf.toml`: everything.
    Config,
}

/// One debounced batch of changes.
#[derive(Debug, Default)]
pub struct Batch {
    pub kinds: BTreeSet<ChangeKind>,
    pub paths: Vec<PathBuf>,
    /// The watcher may have missed events (overflow): rescan everything.
    pub rescan: bool,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && !self.rescan
    }

    fn merge(&mut self, other: Batch) {
        self.kinds.extend(other.kinds);
        self.paths.extend(other.paths);
        self.rescan |= other.rescan;
    }
}

/// The kind of change at `path`, or `None` for files nobody reads.
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    // Relative: the site itself may sit in a hidden folder.
    let rel = path.strip_prefix(root).ok()?;
    if is_ignored_path(rel) {
        return None;
    }
    let first = rel.components().next()?.as_os_str().to_str()?;
    let is_md = rel.extension().is_some_and(|e| e == "md");
    match first {
        CONFIG_FILE => Some(ChangeKind::Config),
        CONTENT_DIR if is_md || rel == Path::new(CONTENT_DIR) => Some(ChangeKind::Content),
        CONTENT_DIR => Some(ChangeKind::ContentAsset),
        TEMPLATES_DIR | I18N_DIR => Some(ChangeKind::Templates),
        THEMES_DIR => Some(ChangeKind::Theme),
        STATIC_DIR => Some(ChangeKind::Static),
        _ => None,
    }
}

/// Watches `root` and sends one [`Batch`] per debounced group of events.
pub struct SourceWatcher {
    debouncer: Box<dyn WatchDirs>,
    pub batches: mpsc::Receiver<Batch>,
}

/// The part of a debouncer the loop needs, whatever watcher backs it.
trait WatchDirs {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()>;
}

impl<T: Watcher, C: FileIdCache> WatchDirs for Debouncer<T, C> {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        Debouncer::watch(self, path, mode)
    }
}

impl SourceWatcher {
    /// Native events (inotify and friends), or polling with `poll`.
    pub fn new(root: &Path, debounce: Duration, poll: bool) -> anyhow::Result<SourceWatcher> {
        let (tx, batches) = mpsc::channel();
        let root_owned = root.to_path_buf();
        let handler = move |result: DebounceEventResult| {
            let batch = to_batch(&root_owned, result);
            if !batch.is_empty() {
                // The receiver only goes away when serve stops.
                let _ignored = tx.send(batch);
            }
        };
        let debouncer: Box<dyn WatchDirs> = if poll {
            let config = notify::Config::default()
                .with_poll_interval(Duration::from_millis(250))
                .with_compare_contents(false);
            Box::new(notify_debouncer_full::new_debouncer_opt::<
                _,
                notify::PollWatcher,
                _,
            >(
                debounce,
                None,
                handler,
                notify_debouncer_full::NoCache,
                config,
            )?)
        } else {
            // No file-id cache: it stats whole folders on events (10,000
            // files in one folder on the bench corpus) and only helps match
            // renames on platforms without rename cookies.
            Box::new(notify_debouncer_full::new_debouncer_opt::<
                _,
                notify::RecommendedWatcher,
                _,
            >(
                debounce,
                None,
                handler,
                notify_debouncer_full::NoCache,
                notify::Config::default(),
            )?)
        };
        let mut watcher = SourceWatcher { debouncer, batches };
        // The root itself, not recursively: nutgraf.toml and the creation
        // of a watched folder. Never the output or cache folders.
        watcher.debouncer.watch(root, RecursiveMode::NonRecursive)?;
        watcher.watch_dirs(root);
        Ok(watcher)
    }

    /// (Re)watches every source folder that exists; called again after a
    /// batch, so a folder deleted and created again is watched again.
    pub fn watch_dirs(&mut self, root: &Path) {
        for dir in WATCHED_DIRS {
            let path = root.join(dir);
            if path.is_dir() {
                if let Err(e) = self.debouncer.watch(&path, RecursiveMode::Recursive) {
                    eprintln!("warning: cannot watch `{}`: {e}", path.display());
                }
            }
        }
    }

    /// The next batch, with any batches already waiting merged into it.
    pub fn next(&self) -> Option<Batch> {
        let mut batch = self.batches.recv().ok()?;
        while let Ok(more) = self.batches.try_recv() {
            batch.merge(more);
        }
        Some(batch)
    }
}

fn to_batch(root: &Path, result: DebounceEventResult) -> Batch {
    let mut batch = Batch::default();
    match result {
        Ok(events) => {
            for event in events {
                if event.need_rescan() {
                    batch.rescan = true;
                }
                if matches!(event.kind, EventKind::Access(_)) {
                    continue;
                }
                for path in &event.paths {
                    if let Some(kind) = classify(root, path) {
                        batch.kinds.insert(kind);
                        batch.paths.push(path.clone());
                    }
                }
            }
        }
        // On doubt, rescan.
        Err(_) => batch.rescan = true,
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_kinds() {
        let root = Path::new("/site");
        let kind = |p: &str| classify(root, &root.join(p));
        assert_eq!(kind("nutgraf.toml"), Some(ChangeKind::Config));
        assert_eq!(kind("content/a.md"), Some(ChangeKind::Content));
        assert_eq!(kind("content/a/index.md"), Some(ChangeKind::Content));
        assert_eq!(kind("content"), Some(ChangeKind::Content));
        assert_eq!(kind("content/a/photo.jpg"), Some(ChangeKind::ContentAsset));
        assert_eq!(kind("templates/page.html"), Some(ChangeKind::Templates));
        assert_eq!(kind("i18n/en.toml"), Some(ChangeKind::Templates));
        assert_eq!(kind("themes/x/static/style.css"), Some(ChangeKind::Theme));
        assert_eq!(kind("static/style.css"), Some(ChangeKind::Static));
        assert_eq!(kind("public/index.html"), None);
        assert_eq!(kind(".nutgraf-cache/images/x.jpg"), None);
        assert_eq!(kind("content/.a.md.swp"), None);
        assert_eq!(kind("content/a.md~"), None);
        assert_eq!(kind("content/4913"), None);
        assert_eq!(kind("static/notes.swo"), None);
        assert_eq!(kind("themes/x/templates/#page.html#"), None);
        assert_eq!(kind("content/.git/a.md"), None);
        assert_eq!(kind("README.md"), None);
    }
}
