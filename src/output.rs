//! The output folder: a build writes into a fresh sibling folder and swaps
//! it in only when everything succeeded, so a failed build leaves the
//! previous site untouched, and a killed one leaves it whole.
//!
//! The folder is nutgraf's alone: a build replaces only a folder that is
//! missing, empty, or marked as a nutgraf build ([`MARKER`]), unless asked
//! to with `--force`. The swap is one atomic exchange where the OS has one
//! (Linux's `renameat2(RENAME_EXCHANGE)`, macOS's `RENAME_SWAP`), so the
//! output path never goes missing. A lock file beside the output keeps two
//! builds from sharing temporary folders, and the next build sweeps up the
//! ones a killed build left.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::diagnostic::{Diagnostic, Position};
use crate::error::Error;
use crate::fs;

/// The file every build writes at the top of its output: it marks the
/// folder as nutgraf's to replace. A dotfile, so `deploy` never uploads it
/// and a static file can never claim its name (hidden files are skipped).
pub const MARKER: &str = ".nutgraf-output";

const MARKER_TEXT: &str = "nutgraf wrote this folder; every `nutgraf build` replaces it whole.\n\
     Do not keep files of your own here.\n";

/// The marker's last line names the build that wrote the folder: the build
/// cache (`.nutgraf-cache/build/`) describes the folder only when it names
/// the same build.
const BUILD_LINE: &str = "build ";

/// How `_headers` begins in every build nutgraf made before [`MARKER`]
/// existed: such a folder is ours too, so existing sites keep building.
const LEGACY_SIGNATURE: &[u8] = b"# Written by nutgraf.";

/// A temporary output folder that becomes the real one on [`commit`].
///
/// [`commit`]: Staging::commit
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
    /// Held until the staging folder is committed or removed.
    _lock: Lock,
    /// Leftovers of killed builds that could not be removed.
    warnings: Vec<Diagnostic>,
    /// This build's id, in the staged folder's marker.
    build: String,
}

impl Staging {
    /// Claims `target` (already resolved, see [`resolve`]) and creates the
    /// temporary folder next to it (same file system, so the final swap is
    /// a rename). Refuses a plain file, and a folder nutgraf did not write
    /// unless `force`.
    pub fn new(target: &Path, force: bool) -> Result<Staging, Error> {
        let (parent, name) = split(target)?;
        // Checked before anything is written beside a refused output, and
        // again under the lock: another build may have been swapping.
        claim(target, force)?;
        fs::create_dir_all(&parent)?;
        let lock = Lock::acquire(&parent.join(format!(".{name}.nutgraf-lock")))?;
        claim(target, force)?;
        let warnings = sweep(&parent, &name);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = parent.join(format!(
            "{}{}-{stamp}",
            temp_prefix(&name),
            std::process::id()
        ));
        fs::create_dir_all(&dir)?;
        // Unique among the builds of this output: the time, the process,
        // and the staging folder's name hashed together.
        let build =
            blake3::hash(format!("{stamp} {} {}", std::process::id(), dir.display()).as_bytes())
                .to_hex()[..16]
                .to_string();
        let staging = Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
            _lock: lock,
            warnings,
            build,
        };
        fs::write(
            &staging.dir.join(MARKER),
            format!("{MARKER_TEXT}{BUILD_LINE}{}\n", staging.build),
        )?;
        Ok(staging)
    }

    /// This build's id (see [`build_of`]).
    pub fn build(&self) -> &str {
        &self.build
    }

    /// The folder being replaced, when there is one: a build may reuse
    /// its files ([`Output::Dir`]'s `previous`).
    pub fn previous(&self) -> Option<&Path> {
        self.target.is_dir().then_some(self.target.as_path())
    }

    /// Where the build writes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces `target` with the staged folder. The new site is live when
    /// this returns `Ok`; failing to remove the previous one, or a killed
    /// build's leftovers, is only a warning (returned).
    pub fn commit(mut self) -> Result<Vec<Diagnostic>> {
        let mut warnings = std::mem::take(&mut self.warnings);
        let exists = std::fs::symlink_metadata(&self.target).is_ok();
        let old = if !exists {
            fs::rename(&self.dir, &self.target)?;
            None
        } else if exchange(&self.dir, &self.target)? {
            // The staging name now holds the previous site.
            Some(self.dir.clone())
        } else {
            Some(swap_by_renames(&self.dir, &self.target)?)
        };
        self.committed = true;
        if let Some(old) = old {
            if let Err(e) = fs::remove_dir_all(&old) {
                warnings.push(leftover_warning(&old, &e));
            }
        }
        Ok(warnings)
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

/// The id of the build that wrote the output folder `dir`, from its marker.
pub fn build_of(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    let id = text.lines().last()?.strip_prefix(BUILD_LINE)?;
    Some(id.to_string())
}

/// The folder a build replaces when asked to write to `output`: `output`
/// itself, or where it points when it is a symbolic link, so the link stays
/// a link and its target gets the new site.
pub fn resolve(output: &Path) -> Result<PathBuf, Error> {
    let is_link = std::fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(output.to_path_buf());
    }
    std::fs::canonicalize(output).map_err(|e| {
        Error::usage(
            format!(
                "the output `{}` is a symbolic link that leads nowhere: {e}",
                output.display()
            ),
            "create the folder it points to, or point the link (or --output) at an existing folder",
        )
    })
}

/// Whether a build may replace `target`: it must be missing, an empty
/// folder, or a folder a nutgraf build wrote; `force` allows any folder.
fn claim(target: &Path, force: bool) -> Result<(), Error> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("failed to read `{}`", target.display()))
                .into());
        }
    };
    if !meta.is_dir() {
        return Err(Error::usage(
            format!(
                "refusing to build into `{}`: it is a file, not a folder",
                target.display()
            ),
            "pass a folder to --output (a new or empty one, or one nutgraf built)",
        ));
    }
    if force || is_ours(target)? {
        return Ok(());
    }
    Err(Error::usage(
        format!(
            "refusing to replace `{}`: it holds files and nutgraf did not write it (it has no `{MARKER}`)",
            target.display()
        ),
        "a build replaces the whole output folder: pass a new or empty folder to --output, \
         or add --force to delete what is there",
    ))
}

/// A folder is ours when it is empty, holds [`MARKER`], or holds the
/// `_headers` file of a build from before the marker.
fn is_ours(dir: &Path) -> Result<bool> {
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("failed to list `{}`", dir.display()))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    let mut head = Vec::new();
    if let Ok(file) = std::fs::File::open(dir.join("_headers")) {
        // Only the first line matters; a huge file is not read whole.
        let _read = file
            .take(LEGACY_SIGNATURE.len() as u64)
            .read_to_end(&mut head);
    }
    Ok(head == LEGACY_SIGNATURE)
}

/// `.public.nutgraf-new-`: the start of every temporary folder of the
/// output `public`. Nothing but nutgraf names folders this way.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.nutgraf-new-")
}

/// Removes the temporary folders that killed builds left beside the output
/// `name` in `parent` (the caller holds the lock, so no build is using
/// them). `-old-` folders come from builds before the atomic exchange.
fn sweep(parent: &Path, name: &str) -> Vec<Diagnostic> {
    let prefixes = [temp_prefix(name), format!(".{name}.nutgraf-old-")];
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let path = entry.path();
            if let Err(e) = fs::remove_dir_all(&path) {
                warnings.push(leftover_warning(&path, &e));
            }
        }
    }
    warnings
}

fn leftover_warning(path: &Path, e: &anyhow::Error) -> Diagnostic {
    Diagnostic::warning(
        path,
        Position::START,
        format!("could not remove a previous build's folder: {e:#}"),
    )
    .with_hint("the new site is live; delete this folder by hand (check its permissions)")
}

/// Swaps `staged` and `target` in one step. Returns `false` when this OS or
/// file system has no atomic exchange, so the caller falls back.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(staged: &Path, target: &Path) -> Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // Old kernels and some file systems (NFS, FUSE) lack the flag.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => Ok(false),
        #[cfg(target_vendor = "apple")]
        Err(e) if e == rustix::io::Errno::NOTSUP => Ok(false),
        Err(e) => Err(std::io::Error::from(e)).with_context(|| {
            format!(
                "failed to swap `{}` and `{}`",
                staged.display(),
                target.display()
            )
        }),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_staged: &Path, _target: &Path) -> Result<bool> {
    Ok(false)
}

/// The fallback swap: `target` moves aside under a temporary name, then
/// `staged` takes its place. Between the two renames the output path is
/// missing for an instant. Returns where the previous site went.
fn swap_by_renames(staged: &Path, target: &Path) -> Result<PathBuf> {
    let (parent, name) = split(target)?;
    let old = parent.join(format!(".{name}.nutgraf-old-{}", std::process::id()));
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    fs::rename(target, &old)?;
    if let Err(e) = fs::rename(staged, target) {
        // Put the previous site back before reporting.
        fs::rename(&old, target)?;
        return Err(e);
    }
    Ok(old)
}

/// The lock beside an output folder, held for a whole build.
#[derive(Debug)]
struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// Takes the lock at `path`, waiting for another build that holds it.
    fn acquire(path: &Path) -> Result<Lock> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("failed to open the lock file `{}`", path.display()))?;
        #[cfg(unix)]
        {
            use rustix::fs::{FlockOperation, flock};
            if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
                eprintln!(
                    "Waiting for another nutgraf build that is writing the same output (`{}`)…",
                    path.display()
                );
                flock(&file, FlockOperation::LockExclusive)
                    .map_err(std::io::Error::from)
                    .with_context(|| format!("failed to lock `{}`", path.display()))?;
            }
        }
        Ok(Lock { _file: file })
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
/// (`serve`), only a list of its paths (`check`), or nowhere. Paths are
/// relative to the site's output root, with `/` separators.
#[derive(Clone, Copy)]
pub enum Output<'a> {
    Discard,
    /// `check`: nothing is written, but every path the pass would write is
    /// noted, so the links `check` judges are compared with what the same
    /// render publishes rather than with a list made again by hand.
    Record(&'a Published),
    /// A build's staging folder, `dir`. A file identical to the one at the
    /// same path in `previous` (the folder the build replaces) is linked to
    /// it rather than written: unchanged files keep their inode and
    /// modification time, so rsync, `deploy` and CDNs see nothing new.
    Dir {
        dir: &'a Path,
        previous: Option<&'a Path>,
    },
    Memory(&'a MemoryFiles),
}

impl Output<'_> {
    /// Whether the bytes are kept; when they are not, work that only
    /// makes bytes (minifying a page, resizing an image) can be skipped.
    pub fn writes(&self) -> bool {
        matches!(self, Output::Dir { .. } | Output::Memory(_))
    }

    /// Writes `rel` with the bytes `make` returns, calling it only when
    /// the bytes are kept ([`writes`](Output::writes)): `check` still
    /// learns the path.
    pub fn write_with<B: Into<Vec<u8>>>(&self, rel: &str, make: impl FnOnce() -> B) -> Result<()> {
        match self {
            Output::Discard => Ok(()),
            Output::Record(published) => {
                published.add(rel);
                Ok(())
            }
            _ => self.write(rel, make()),
        }
    }

    pub fn write(&self, rel: &str, bytes: impl Into<Vec<u8>>) -> Result<()> {
        match self {
            Output::Discard => Ok(()),
            Output::Record(published) => {
                published.add(rel);
                Ok(())
            }
            Output::Dir { dir, previous } => {
                let bytes = bytes.into();
                let to = dir.join(rel);
                let Some(old) = previous.map(|p| p.join(rel)) else {
                    return fs::write_creating_dirs(&to, bytes);
                };
                if same_bytes(&old, &bytes) && link(&old, &to) {
                    return Ok(());
                }
                replace(&to, |tmp| fs::write(tmp, &bytes))
            }
            Output::Memory(m) => {
                m.put(rel, Served::Bytes(Packed::new(&bytes.into())));
                Ok(())
            }
        }
    }

    /// A file whose content is `from` (a static file, a bundle image).
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        match self {
            Output::Discard => Ok(()),
            Output::Record(published) => {
                published.add(rel);
                Ok(())
            }
            Output::Dir { dir, previous } => {
                let to = dir.join(rel);
                let Some(old) = previous.map(|p| p.join(rel)) else {
                    return fs::copy_creating_dirs(from, &to);
                };
                if same_files(&old, from) && link(&old, &to) {
                    return Ok(());
                }
                replace(&to, |tmp| fs::copy_creating_dirs(from, tmp))
            }
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
    /// change; it stays as the previous pass left it. (A build links what
    /// its memo kept once rendering is done: [`link_kept`].)
    pub fn keep(&self, rel: &str) {
        if let Output::Memory(m) = self {
            m.keep(rel);
        }
    }
}

/// The paths a [`Output::Record`] pass would have written.
#[derive(Debug, Default)]
pub struct Published {
    paths: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Published {
    fn add(&self, rel: &str) {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.trim_start_matches('/').to_string());
    }

    /// The URLs the recorded paths are served at: a page's
    /// `a/b/index.html` as `/a/b/` (and the home page as `/`), any other
    /// file as `/` and its path.
    pub fn into_urls(self) -> std::collections::HashSet<String> {
        let paths = self.paths.into_inner().unwrap_or_else(|e| e.into_inner());
        paths
            .into_iter()
            .map(|rel| match rel.strip_suffix("index.html") {
                Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
                _ => format!("/{rel}"),
            })
            .collect()
    }
}

/// Whether the file at `path` holds exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes)
}

/// Whether the files at `a` and `b` hold the same bytes.
fn same_files(a: &Path, b: &Path) -> bool {
    let len = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    };
    match (len(a), len(b)) {
        (Some(x), Some(y)) if x == y => {
            matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// Writes `to` through a temporary sibling and a rename. Once a staged
/// folder holds hard links into the live one, nothing may write into an
/// existing staged file: it could be the live site's file. A rename only
/// replaces the name.
fn replace(to: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = to.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".nutgraf-tmp-{n}"));
    let tmp = to.with_file_name(name);
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    write(&tmp)?;
    fs::rename(&tmp, to)
}

/// Hard-links `to` to the existing file `from`, creating `to`'s folders.
/// False when that fails (another file system, no hard links): the caller
/// writes the file instead.
fn link(from: &Path, to: &Path) -> bool {
    if let Some(parent) = to.parent() {
        if std::fs::create_dir_all(parent).is_err() {
            return false;
        }
    }
    std::fs::hard_link(from, to).is_ok()
}

/// Links every output a build's memo kept (not rendered again) from the
/// folder being replaced into the staged one. Fails, naming the file, when
/// one is missing there: the caller then renders everything.
pub fn link_kept<'f>(
    staged: &Path,
    previous: &Path,
    files: impl Iterator<Item = &'f str>,
) -> Result<()> {
    for rel in files {
        let to = staged.join(rel);
        if std::fs::symlink_metadata(&to).is_ok() {
            continue;
        }
        let from = previous.join(rel);
        if !link(&from, &to) {
            // Not a hard link (another file system): a copy keeps the
            // content, which is what matters.
            replace(&to, |tmp| fs::copy_creating_dirs(&from, tmp))?;
        }
    }
    Ok(())
}

/// How the server finds a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    Bytes(Packed),
    File(PathBuf),
    Image(PathBuf),
}

/// A file `serve` holds in memory, compressed with LZ4 (block format, its
/// size first). At 100,000 articles the preview's pages come to 4.4 GB as
/// rendered; packed they take a fraction of that, and a page unpacks in
/// microseconds when the browser asks for it. Packing is deterministic, so
/// equal files pack to equal bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Packed(std::sync::Arc<[u8]>);

impl Packed {
    pub fn new(bytes: &[u8]) -> Packed {
        Packed(lz4_flex::block::compress_prepend_size(bytes).into())
    }

    /// The file as it was written.
    pub fn unpack(&self) -> Result<Vec<u8>> {
        lz4_flex::block::decompress_size_prepended(&self.0)
            .context("an in-memory page could not be unpacked")
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({} bytes)", self.0.len())
    }
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
    ///
    /// `kept_too` is `None` when the pass vouches that it made or kept
    /// every file the site has (the site's shape did not change, see
    /// `site::memo::Shape`): then nothing can have gone, and the 120,000
    /// files of a large site need not be checked one by one.
    pub fn apply(
        self,
        site: &mut rustc_hash::FxHashMap<String, Served>,
        kept_too: Option<impl Fn(&str) -> bool>,
    ) -> Vec<String> {
        let state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut changed = Vec::new();
        if let Some(kept_too) = kept_too {
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
        }
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
    fn recorded_paths_are_served_at_their_urls() {
        let published = Published::default();
        let out = Output::Record(&published);
        for rel in [
            "index.html",
            "page/2/index.html",
            "atom.xml",
            "old-index.html",
        ] {
            out.write_with(rel, || -> Vec<u8> {
                panic!("check made the bytes of {rel}")
            })
            .unwrap_or_else(|e| panic!("{e}"));
        }
        out.copy("a/data.csv", Path::new("/nonexistent"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut urls: Vec<String> = published.into_urls().into_iter().collect();
        urls.sort();
        assert_eq!(
            urls,
            [
                "/",
                "/a/data.csv",
                "/atom.xml",
                "/old-index.html",
                "/page/2/"
            ]
        );
    }

    fn ok<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    /// The names in `dir` other than the build lock, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = ok(std::fs::read_dir(dir))
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".nutgraf-lock"))
            .collect();
        names.sort();
        names
    }

    fn usage_text(r: Result<Staging, Error>) -> String {
        match r {
            Err(e @ Error::Usage(_)) => format!("{e}"),
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn packed_files_unpack_to_what_was_written_and_compare_by_content() {
        let page = "<p>Why now?</p>".repeat(1000);
        let packed = Packed::new(page.as_bytes());
        assert!(packed.0.len() < page.len() / 10, "{packed:?}");
        assert_eq!(ok(packed.unpack()), page.as_bytes());
        assert_eq!(packed, Packed::new(page.as_bytes()));
        assert_ne!(packed, Packed::new(b"<p>Why not?</p>"));
        assert_eq!(ok(Packed::new(b"").unpack()), b"");
    }

    #[test]
    fn commit_replaces_and_drop_discards() {
        let tmp = ok(tempfile::tempdir());
        let out = tmp.path().join("public");
        ok(std::fs::create_dir_all(&out));
        ok(std::fs::write(out.join(MARKER), "old build"));
        ok(std::fs::write(out.join("old.txt"), "old"));

        // A build that fails: dropped without commit.
        let s = ok(Staging::new(&out, false));
        ok(std::fs::write(s.dir().join("new.txt"), "new"));
        drop(s);
        assert!(out.join("old.txt").exists());
        assert_eq!(
            names(tmp.path()),
            ["public"],
            "temporary folder left behind"
        );

        let s = ok(Staging::new(&out, false));
        ok(std::fs::write(s.dir().join("new.txt"), "new"));
        let warnings = ok(s.commit());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(out.join("new.txt").exists());
        assert!(!out.join("old.txt").exists());
        assert!(
            out.join(MARKER).is_file(),
            "the new site carries the marker"
        );
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn a_missing_output_is_created() {
        let tmp = ok(tempfile::tempdir());
        let out = tmp.path().join("deep/public");
        let s = ok(Staging::new(&out, false));
        ok(std::fs::write(s.dir().join("index.html"), "hi"));
        ok(s.commit());
        assert!(out.join("index.html").is_file());
        assert!(out.join(MARKER).is_file());
    }

    // Regression: `build --output u` deleted the user's `u/photos/w.txt`
    // with exit 0.
    #[test]
    fn refuses_a_folder_nutgraf_did_not_write_unless_forced() {
        let tmp = ok(tempfile::tempdir());
        let out = tmp.path().join("u");
        ok(std::fs::create_dir_all(out.join("photos")));
        ok(std::fs::write(out.join("photos/w.txt"), "precious"));
        let text = usage_text(Staging::new(&out, false));
        assert!(text.contains("nutgraf did not write it"), "{text}");
        assert!(text.contains("--force"), "{text}");
        assert!(out.join("photos/w.txt").is_file());
        assert_eq!(names(tmp.path()), ["u"], "a refused build writes nothing");

        let s = ok(Staging::new(&out, true));
        ok(s.commit());
        assert!(!out.join("photos/w.txt").exists());
        assert!(out.join(MARKER).is_file());
    }

    // Regression: a plain file given as the output was moved aside to a
    // hidden name.
    #[test]
    fn refuses_a_file_even_when_forced() {
        let tmp = ok(tempfile::tempdir());
        let out = tmp.path().join("notes.txt");
        ok(std::fs::write(&out, "mine"));
        for force in [false, true] {
            let text = usage_text(Staging::new(&out, force));
            assert!(text.contains("it is a file"), "{text}");
        }
        assert_eq!(ok(std::fs::read_to_string(&out)), "mine");
        assert_eq!(names(tmp.path()), ["notes.txt"]);
    }

    #[test]
    fn empty_marked_and_older_builds_are_ours() {
        let tmp = ok(tempfile::tempdir());
        let empty = tmp.path().join("empty");
        ok(std::fs::create_dir_all(&empty));
        assert!(ok(is_ours(&empty)));

        let marked = tmp.path().join("marked");
        ok(std::fs::create_dir_all(&marked));
        ok(std::fs::write(marked.join(MARKER), MARKER_TEXT));
        ok(std::fs::write(marked.join("index.html"), "x"));
        assert!(ok(is_ours(&marked)));

        // A build from before the marker: its `_headers` says who wrote it.
        let legacy = tmp.path().join("legacy");
        ok(std::fs::create_dir_all(&legacy));
        // (the first line every build wrote before, kept here as written
        // then, not taken from today's `cdn::headers`).
        ok(std::fs::write(
            legacy.join("_headers"),
            "# Written by nutgraf. Pages, feeds and the sitemap change in place: revalidate them.\n/*\n",
        ));
        assert!(ok(is_ours(&legacy)));

        // Someone else's `_headers` does not make a folder ours.
        let other = tmp.path().join("other");
        ok(std::fs::create_dir_all(&other));
        ok(std::fs::write(
            other.join("_headers"),
            "/*\n  X-Frame-Options: DENY\n",
        ));
        assert!(!ok(is_ours(&other)));
    }

    // Regression: killed builds left `.public.nutgraf-new-*` and `-old-*`
    // folders that nothing removed.
    #[test]
    fn the_next_build_sweeps_only_its_own_leftovers() {
        let tmp = ok(tempfile::tempdir());
        let out = tmp.path().join("public");
        for leftover in [
            ".public.nutgraf-new-123-456",
            ".public.nutgraf-old-789",
            // Another output's temporary folder and a look-alike stay.
            ".site.nutgraf-new-1-2",
            "public.nutgraf-new-1-2",
        ] {
            ok(std::fs::create_dir_all(tmp.path().join(leftover).join("a")));
        }
        let s = ok(Staging::new(&out, false));
        let staged = s
            .dir()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut expected = vec![
            ".site.nutgraf-new-1-2".to_string(),
            staged,
            "public.nutgraf-new-1-2".to_string(),
        ];
        expected.sort();
        assert_eq!(names(tmp.path()), expected);
        ok(s.commit());
        assert_eq!(
            names(tmp.path()),
            [".site.nutgraf-new-1-2", "public", "public.nutgraf-new-1-2"]
        );
    }

    // Regression: a symlinked output was replaced by a real folder and its
    // target never updated.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_stays_a_link_and_its_target_gets_the_site() {
        let tmp = ok(tempfile::tempdir());
        let real = tmp.path().join("real");
        ok(std::fs::create_dir_all(&real));
        let link = tmp.path().join("link");
        ok(std::os::unix::fs::symlink(&real, &link));
        for round in ["one", "two"] {
            let target = ok(resolve(&link));
            let s = ok(Staging::new(&target, false));
            ok(std::fs::write(s.dir().join("round.txt"), round));
            ok(s.commit());
            assert!(
                ok(std::fs::symlink_metadata(&link))
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(ok(std::fs::read_to_string(real.join("round.txt"))), round);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlinked_output_is_a_usage_error() {
        let tmp = ok(tempfile::tempdir());
        let link = tmp.path().join("link");
        ok(std::os::unix::fs::symlink(tmp.path().join("gone"), &link));
        match resolve(&link) {
            Err(e @ Error::Usage(_)) => assert!(format!("{e}").contains("leads nowhere")),
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    // The output path is never missing: on Linux the swap is one
    // `renameat2(RENAME_EXCHANGE)`, which swaps two existing folders.
    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders_in_one_step() {
        let tmp = ok(tempfile::tempdir());
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        ok(std::fs::create_dir_all(&a));
        ok(std::fs::create_dir_all(&b));
        ok(std::fs::write(a.join("was-a"), ""));
        ok(std::fs::write(b.join("was-b"), ""));
        assert!(ok(exchange(&a, &b)), "this file system has no exchange");
        assert!(a.join("was-b").is_file());
        assert!(b.join("was-a").is_file());
    }

    #[test]
    fn the_fallback_swap_moves_the_old_site_aside() {
        let tmp = ok(tempfile::tempdir());
        let staged = tmp.path().join(".public.nutgraf-new-1-1");
        let out = tmp.path().join("public");
        ok(std::fs::create_dir_all(&staged));
        ok(std::fs::create_dir_all(&out));
        ok(std::fs::write(staged.join("new"), ""));
        ok(std::fs::write(out.join("old"), ""));
        let old = ok(swap_by_renames(&staged, &out));
        assert!(out.join("new").is_file());
        assert!(old.join("old").is_file());
        assert!(!staged.exists());
    }

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let tmp = ok(tempfile::tempdir());
        let path = tmp.path().join(".public.nutgraf-lock");
        let first = ok(Lock::acquire(&path));
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let second = Lock::acquire(&path).map(|_| ());
            let _sent = tx.send(second.is_ok());
        });
        #[cfg(unix)]
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(300))
                .is_err(),
            "the second build did not wait"
        );
        drop(first);
        assert_eq!(
            rx.recv_timeout(std::time::Duration::from_secs(10)),
            Ok(true)
        );
        ok(waiter.join().map_err(|_| "waiter panicked"));
    }
}
