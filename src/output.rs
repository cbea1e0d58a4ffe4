//! The output folder: a build writes into a fresh sibling folder and swaps
//! it in only when everything succeeded, so a failed build leaves the
//! previous site untouched.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::fs;

/// A temporary output folder that becomes the real one on [`commit`].
///
/// [`commit`]: Staging::commit
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the temporary folder next to `target` (same file system, so
    /// the final swap is a rename).
    pub fn new(target: &Path) -> Result<Staging> {
        let (parent, name) = split(target)?;
        fs::create_dir_all(&parent)?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = parent.join(format!(
            ".{name}.nutgraf-new-{}-{stamp}",
            std::process::id()
        ));
        fs::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where the build writes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces `target` with the staged folder.
    pub fn commit(mut self) -> Result<()> {
        let (parent, name) = split(&self.target)?;
        let old = parent.join(format!(".{name}.nutgraf-old-{}", std::process::id()));
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                fs::remove_dir_all(&old)?;
            }
            fs::rename(&self.target, &old)?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the previous site back before reporting.
                fs::rename(&old, &self.target)?;
            }
            return Err(e);
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && self.dir.exists() {
            if let Err(e) = std::fs::remove_dir_all(&self.dir) {
                eprintln!(
                    "warning: could not remove temporary folder `{}`: {e}",
                    self.dir.display()
                );
            }
        }
    }
}

fn split(target: &Path) -> Result<(PathBuf, String)> {
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        bail!("output path `{}` has no folder name", target.display());
    };
    let parent = target
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let parent = if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent
    };
    Ok((parent, name))
}

/// Where a render pass puts what it makes: a folder (`build`), memory
/// (`serve`), or nowhere (`check`). Paths are relative to the site's
/// output root, with `/` separators.
#[derive(Clone, Copy)]
pub enum Output<'a> {
    Discard,
    Dir(&'a Path),
    Memory(&'a MemoryFiles),
}

impl Output<'_> {
    pub fn writes(&self) -> bool {
        !matches!(self, Output::Discard)
    }

    pub fn write(&self, rel: &str, bytes: impl Into<Vec<u8>>) -> Result<()> {
        match self {
            Output::Discard => Ok(()),
            Output::Dir(dir) => fs::write_creating_dirs(&dir.join(rel), bytes.into()),
            Output::Memory(m) => {
                m.put(rel, Served::Bytes(bytes.into().into()));
                Ok(())
            }
        }
    }

    /// A file whose content is `from` (a static file, a bundle image).
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        match self {
            Output::Discard => Ok(()),
            Output::Dir(dir) => fs::copy_creating_dirs(from, &dir.join(rel)),
            Output::Memory(m) => {
                m.put(rel, Served::File(from.to_path_buf()));
                Ok(())
            }
        }
    }

    /// A processed image from the cache. In memory these outlive the pass
    /// that made them: a page skipped as unchanged still shows them.
    pub fn cached_image(&self, rel: &str, from: &Path) -> Result<()> {
        match self {
            Output::Memory(m) => {
                m.put(rel, Served::Image(from.to_path_buf()));
                Ok(())
            }
            other => other.copy(rel, from),
        }
    }

    /// An output this pass did not remake because its inputs did not
    /// change; it stays as the previous pass left it.
    pub fn keep(&self, rel: &str) {
        if let Output::Memory(m) = self {
            m.keep(rel);
        }
    }
}

/// How the server finds a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    Bytes(std::sync::Arc<[u8]>),
    File(PathBuf),
    Image(PathBuf),
}

/// What one in-memory render pass wrote or kept.
#[derive(Debug, Default)]
pub struct MemoryFiles {
    state: std::sync::Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    written: rustc_hash::FxHashMap<String, Served>,
    kept: rustc_hash::FxHashSet<String>,
}

impl MemoryFiles {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn put(&self, rel: &str, served: Served) {
        self.lock()
            .written
            .insert(rel.trim_start_matches('/').to_string(), served);
    }

    fn keep(&self, rel: &str) {
        self.lock()
            .kept
            .insert(rel.trim_start_matches('/').to_string());
    }

    /// Applies the pass to `site`: written files replace old ones, kept
    /// ones stay, and everything else the pass no longer makes goes (a
    /// deleted article's page, say), except processed images. `kept_too`
    /// names more kept files: the article pages the pass kept, which
    /// `serve`'s memo already lists, so a pass need not copy 10,000 names
    /// into the kept set. Returns the paths whose content changed or
    /// vanished.
    pub fn apply(
        self,
        site: &mut rustc_hash::FxHashMap<String, Served>,
        kept_too: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut changed = Vec::new();
        site.retain(|path, served| {
            let stays = matches!(served, Served::Image(_))
                || state.kept.contains(path)
                || state.written.contains_key(path)
                || kept_too(path);
            if !stays {
                changed.push(path.clone());
            }
            stays
        });
        for (path, served) in state.written {
            if site.get(&path) != Some(&served) {
                changed.push(path.clone());
                site.insert(path, served);
            }
        }
        changed.sort();
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join("old.txt"), "old").unwrap_or_else(|e| panic!("{e}"));

        // A build that fails: dropped without commit.
        let s = Staging::new(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(s.dir().join("new.txt"), "new").unwrap_or_else(|e| panic!("{e}"));
        drop(s);
        assert!(out.join("old.txt").exists());
        assert_eq!(
            std::fs::read_dir(tmp.path())
                .map(|d| d.count())
                .unwrap_or(0),
            1,
            "temporary folder left behind"
        );

        let s = Staging::new(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(s.dir().join("new.txt"), "new").unwrap_or_else(|e| panic!("{e}"));
        s.commit().unwrap_or_else(|e| panic!("{e}"));
        assert!(out.join("new.txt").exists());
        assert!(!out.join("old.txt").exists());
        assert_eq!(
            std::fs::read_dir(tmp.path())
                .map(|d| d.count())
                .unwrap_or(0),
            1
        );
    }
}
