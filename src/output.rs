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
