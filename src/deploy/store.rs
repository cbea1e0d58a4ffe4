//! The narrow seam between a deploy plan and the place it is applied to:
//! the [`Store`] trait, request counters, and the local-folder store
//! (`file://` targets).

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::config::{DeployLocation, DeployTarget};

use super::aws::AwsCredentials;
use super::local::Meta;
use super::s3::S3Store;

/// An object as a HEAD reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteObject {
    pub size: u64,
    /// The stored headers; `None` for folder targets, which keep none.
    pub meta: Option<Meta>,
    /// Quotes removed; `None` for folder targets.
    pub e_tag: Option<String>,
}

/// An object as a listing reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub size: u64,
    /// Quotes removed; `None` for folder targets and for services whose
    /// listings leave it out (s3s-fs).
    pub e_tag: Option<String>,
}

/// What a deploy needs from a target. Paths are relative to the target's
/// root (an S3 prefix or a folder) and `/`-separated.
pub trait Store: Send + Sync {
    /// Every object with its size and ETag (one paginated listing).
    fn list(&self) -> impl Future<Output = Result<BTreeMap<String, Listed>>> + Send;
    /// An object's bytes, `None` when it does not exist.
    fn get(&self, path: &str) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;
    /// An object's size and headers, `None` when it does not exist.
    fn head(&self, path: &str) -> impl Future<Output = Result<Option<RemoteObject>>> + Send;
    /// Creates or replaces an object; returns the ETag the target answered
    /// with (quotes removed), if it sent one.
    fn put(
        &self,
        path: &str,
        body: Vec<u8>,
        meta: &Meta,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Deletes objects (missing ones are not an error).
    fn delete(&self, paths: &[String]) -> impl Future<Output = Result<()>> + Send;
    /// Requests issued so far.
    fn requests(&self) -> RequestCounts;
}

/// A target opened for deploying.
pub enum AnyStore {
    S3(S3Store),
    Dir(DirStore),
}

/// Opens `target` with `credentials` (for S3) and the process
/// environment's `AWS_*` settings.
pub fn open(
    target: &DeployTarget,
    credentials: Option<Arc<AwsCredentials>>,
    region: Option<&str>,
) -> Result<AnyStore> {
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    open_store(target, &env, credentials, region)
}

/// Opens `target` with the `AWS_*` variables of `env` (keys included)
/// instead of the process environment and profiles.
pub fn open_with_env(target: &DeployTarget, env: &[(String, String)]) -> Result<AnyStore> {
    open_store(target, env, None, None)
}

fn open_store(
    target: &DeployTarget,
    env: &[(String, String)],
    credentials: Option<Arc<AwsCredentials>>,
    region: Option<&str>,
) -> Result<AnyStore> {
    Ok(match &target.location {
        DeployLocation::S3 { bucket, prefix } => AnyStore::S3(S3Store::open(
            target,
            bucket,
            prefix,
            env,
            credentials,
            region,
        )?),
        DeployLocation::Dir(dir) => AnyStore::Dir(DirStore::new(dir.clone())),
    })
}

impl Store for AnyStore {
    async fn list(&self) -> Result<BTreeMap<String, Listed>> {
        match self {
            AnyStore::S3(s) => s.list().await,
            AnyStore::Dir(s) => s.list().await,
        }
    }
    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self {
            AnyStore::S3(s) => s.get(path).await,
            AnyStore::Dir(s) => s.get(path).await,
        }
    }
    async fn head(&self, path: &str) -> Result<Option<RemoteObject>> {
        match self {
            AnyStore::S3(s) => s.head(path).await,
            AnyStore::Dir(s) => s.head(path).await,
        }
    }
    async fn put(&self, path: &str, body: Vec<u8>, meta: &Meta) -> Result<Option<String>> {
        match self {
            AnyStore::S3(s) => s.put(path, body, meta).await,
            AnyStore::Dir(s) => s.put(path, body, meta).await,
        }
    }
    async fn delete(&self, paths: &[String]) -> Result<()> {
        match self {
            AnyStore::S3(s) => s.delete(paths).await,
            AnyStore::Dir(s) => s.delete(paths).await,
        }
    }
    fn requests(&self) -> RequestCounts {
        match self {
            AnyStore::S3(s) => s.requests(),
            AnyStore::Dir(s) => s.requests(),
        }
    }
}

/// Requests by kind, counted as they are sent (S3 retries included).
#[derive(Debug, Default)]
pub struct Requests {
    list: AtomicU64,
    get: AtomicU64,
    head: AtomicU64,
    put: AtomicU64,
    delete: AtomicU64,
    other: AtomicU64,
}

/// A snapshot of [`Requests`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RequestCounts {
    pub list: u64,
    pub get: u64,
    pub head: u64,
    pub put: u64,
    /// DELETE requests; a bulk delete of up to 1,000 S3 objects is one.
    pub delete: u64,
    pub other: u64,
}

/// The kinds of request a store sends.
#[derive(Debug, Clone, Copy)]
pub enum RequestKind {
    List,
    Get,
    Head,
    Put,
    Delete,
    Other,
}

impl Requests {
    pub fn count(&self, kind: RequestKind) {
        let counter = match kind {
            RequestKind::List => &self.list,
            RequestKind::Get => &self.get,
            RequestKind::Head => &self.head,
            RequestKind::Put => &self.put,
            RequestKind::Delete => &self.delete,
            RequestKind::Other => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> RequestCounts {
        RequestCounts {
            list: self.list.load(Ordering::Relaxed),
            get: self.get.load(Ordering::Relaxed),
            head: self.head.load(Ordering::Relaxed),
            put: self.put.load(Ordering::Relaxed),
            delete: self.delete.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
        }
    }
}

impl std::fmt::Display for RequestCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} LIST, {} GET, {} HEAD, {} PUT, {} DELETE",
            self.list, self.get, self.head, self.put, self.delete
        )?;
        if self.other > 0 {
            write!(f, ", {} other", self.other)?;
        }
        Ok(())
    }
}

/// A `file://` target: objects are plain files under a folder. Headers are
/// not stored next to them (no sidecar files): they are recorded in the
/// manifest, and whatever serves the folder decides what it sends.
/// Each file is written to a temporary name and renamed into place, so a
/// reader never sees half a file.
pub struct DirStore {
    root: PathBuf,
    requests: Requests,
}

/// Suffix of the temporary file a [`DirStore`] writes before renaming.
const PART_SUFFIX: &str = ".nutgraf-part";

impl DirStore {
    pub fn new(root: PathBuf) -> DirStore {
        DirStore {
            root,
            requests: Requests::default(),
        }
    }

    /// The file behind `path`; refuses paths that could leave the folder.
    fn file(&self, path: &str) -> Result<PathBuf> {
        let bad = path.is_empty()
            || path
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\'));
        if bad {
            bail!("refusing object path `{path}`: not a plain relative path");
        }
        Ok(self.root.join(path))
    }
}

impl Store for DirStore {
    async fn list(&self) -> Result<BTreeMap<String, Listed>> {
        self.requests.count(RequestKind::List);
        let mut out = BTreeMap::new();
        if !self.root.exists() {
            return Ok(out);
        }
        for entry in walkdir::WalkDir::new(&self.root) {
            let entry =
                entry.with_context(|| format!("failed to list `{}`", self.root.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&self.root)
                .unwrap_or(entry.path());
            let Some(path) = rel
                .components()
                .map(|c| c.as_os_str().to_str())
                .collect::<Option<Vec<_>>>()
            else {
                bail!("`{}`: file names must be UTF-8", entry.path().display());
            };
            let size = entry
                .metadata()
                .with_context(|| format!("failed to read `{}`", entry.path().display()))?
                .len();
            out.insert(path.join("/"), Listed { size, e_tag: None });
        }
        Ok(out)
    }

    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        self.requests.count(RequestKind::Get);
        let file = self.file(path)?;
        if !file.is_file() {
            return Ok(None);
        }
        crate::fs::read(&file).map(Some)
    }

    async fn head(&self, path: &str) -> Result<Option<RemoteObject>> {
        self.requests.count(RequestKind::Head);
        let file = self.file(path)?;
        Ok(std::fs::metadata(&file)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| RemoteObject {
                size: m.len(),
                meta: None,
                e_tag: None,
            }))
    }

    async fn put(&self, path: &str, body: Vec<u8>, _meta: &Meta) -> Result<Option<String>> {
        self.requests.count(RequestKind::Put);
        let file = self.file(path)?;
        let mut part = file.clone().into_os_string();
        part.push(PART_SUFFIX);
        let part = PathBuf::from(part);
        crate::fs::write_creating_dirs(&part, body)?;
        crate::fs::rename(&part, &file)?;
        // A folder keeps no ETags: `--verify` compares sizes there.
        Ok(None)
    }

    async fn delete(&self, paths: &[String]) -> Result<()> {
        for path in paths {
            self.requests.count(RequestKind::Delete);
            let file = self.file(path)?;
            match std::fs::remove_file(&file) {
                Ok(()) => remove_empty_parents(&self.root, &file),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("failed to delete `{}`", file.display()));
                }
            }
        }
        Ok(())
    }

    fn requests(&self) -> RequestCounts {
        self.requests.snapshot()
    }
}

/// Removes the folders `file` leaves empty, up to (not including) `root`,
/// so the folder mirrors the output exactly.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) {
            break;
        }
        // Fails when the folder is not empty: then its parents are not either.
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            content_type: "text/html; charset=utf-8".into(),
            cache_control: "no-cache".into(),
            content_encoding: None,
            surrogate_key: None,
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
            .block_on(f)
    }

    #[test]
    fn dir_store_round_trips_odd_names() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = tmp.path().join("site");
        let store = DirStore::new(root.clone());
        block_on(async {
            assert!(
                store
                    .list()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
                    .is_empty()
            );
            for p in ["café/naïve file.html", "a/b/c.txt", "index.html"] {
                store
                    .put(p, p.as_bytes().to_vec(), &meta())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let listed = store.list().await.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                listed.keys().map(String::as_str).collect::<Vec<_>>(),
                ["a/b/c.txt", "café/naïve file.html", "index.html"]
            );
            assert_eq!(
                store
                    .get("café/naïve file.html")
                    .await
                    .unwrap_or_else(|e| panic!("{e}")),
                Some("café/naïve file.html".as_bytes().to_vec())
            );
            store
                .delete(&["a/b/c.txt".into(), "missing.txt".into()])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!root.join("a").exists(), "empty folders are removed");
            assert!(store.put("../escape", Vec::new(), &meta()).await.is_err());
            let r = store.requests();
            assert_eq!((r.list, r.put, r.get, r.delete), (2, 4, 1, 2));
        });
    }
}
