//! The deploy manifest, `.nutgraf-manifest.json` at the root of a target:
//! what nutgraf last uploaded, so the next deploy can skip unchanged files
//! without downloading them, and without listing the target.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::local::{LocalFile, Meta};

/// The manifest's object name, relative to the target's prefix.
pub const MANIFEST_PATH: &str = ".nutgraf-manifest.json";

/// Version 2 added each object's ETag and the `unverified` paths; it is
/// trusted without listing the target. Version 1 is still read.
const VERSION: u32 = 2;

/// The oldest version this nutgraf reads.
const OLDEST_VERSION: u32 = 1;

/// Path → what was uploaded there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub files: BTreeMap<String, Entry>,
    /// Paths that may hold an object this manifest cannot vouch for: the
    /// uploads and deletes of a deploy that had not finished when it wrote
    /// this manifest. The next deploy uploads them again, or deletes them
    /// when the site no longer has them. Never also in `files`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub unverified: BTreeSet<String>,
    /// Site paths a CDN purge has not reached yet (`/*` for everything):
    /// a purge that failed after its deploy. The next deploy, or
    /// `deploy --purge-only`, purges them with its own.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub unpurged: BTreeSet<String>,
}

/// One uploaded object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// blake3 of the local file, hex.
    pub hash: String,
    /// Size of the stored body.
    pub size: u64,
    #[serde(flatten)]
    pub meta: Meta,
    /// The ETag the target answered the upload with (quotes removed), so
    /// that `--verify` can tell an object changed outside nutgraf even at
    /// the same size. `None` for folder targets, for stores that send none,
    /// and for entries of version-1 manifests until a listing supplies it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
}

impl Entry {
    /// The entry for `file` before it is uploaded: its ETag is not known yet.
    pub fn of(file: &LocalFile) -> Entry {
        Entry {
            hash: file.hash.clone(),
            size: file.size,
            meta: file.meta.clone(),
            e_tag: None,
        }
    }
}

impl Manifest {
    pub fn new(files: BTreeMap<String, Entry>) -> Manifest {
        Manifest {
            version: VERSION,
            files,
            unverified: BTreeSet::new(),
            unpurged: BTreeSet::new(),
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes)
            .with_context(|| format!("`{MANIFEST_PATH}` on the target is not valid"))?;
        if !(OLDEST_VERSION..=VERSION).contains(&m.version) {
            bail!(
                "`{MANIFEST_PATH}` on the target has version {}, this nutgraf reads versions \
                 {OLDEST_VERSION} to {VERSION}",
                m.version
            );
        }
        Ok(m)
    }

    /// Written by an older nutgraf, which always listed the target: its
    /// entries carry no ETags, so it is not trusted without a listing.
    pub fn is_outdated(&self) -> bool {
        self.version < VERSION
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Serializing strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// An ETag as compared: S3 sends it quoted (`"9b2c…"`) in headers and
/// listings, some services without quotes, a few proxies mark it weak
/// (`W/`); the value inside is what identifies the content.
pub fn normalize_e_tag(e_tag: &str) -> String {
    let e_tag = e_tag.trim();
    e_tag
        .strip_prefix("W/")
        .unwrap_or(e_tag)
        .trim_matches('"')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(e_tag: Option<&str>) -> Entry {
        Entry {
            hash: "ab".into(),
            size: 3,
            meta: Meta {
                content_type: "text/html; charset=utf-8".into(),
                cache_control: "no-cache".into(),
                content_encoding: Some("gzip".into()),
                surrogate_key: None,
            },
            e_tag: e_tag.map(str::to_string),
        }
    }

    #[test]
    fn round_trips() {
        let mut files = BTreeMap::new();
        files.insert("café/naïve file.html".to_string(), entry(Some("d41d8")));
        files.insert("no-etag.html".to_string(), entry(None));
        let mut m = Manifest::new(files);
        m.unverified.insert("half/uploaded.html".into());
        assert_eq!(
            Manifest::parse(&m.to_json()).unwrap_or_else(|e| panic!("{e}")),
            m
        );
        assert!(!m.is_outdated());
        assert!(Manifest::parse(b"{\"version\": 3, \"files\": {}}").is_err());
        assert!(Manifest::parse(b"{\"version\": 0, \"files\": {}}").is_err());
        assert!(Manifest::parse(b"<html>").is_err());
        // Truncated in transit or by hand.
        let json = m.to_json();
        assert!(Manifest::parse(&json[..json.len() / 2]).is_err());
    }

    /// A manifest written by nutgraf before ETags: still read, with no
    /// ETag known and nothing unverified, and marked outdated.
    #[test]
    fn reads_version_1() {
        let v1 = br#"{"version":1,"files":{"index.html":{"hash":"ab","size":3,"content_type":"text/html; charset=utf-8","cache_control":"no-cache"}}}"#;
        let m = Manifest::parse(v1).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.is_outdated());
        assert_eq!(m.files["index.html"].e_tag, None);
        assert_eq!(m.files["index.html"].size, 3);
        assert!(m.unverified.is_empty());
    }

    #[test]
    fn e_tags_compare_without_quotes() {
        assert_eq!(normalize_e_tag("\"9b2c\""), "9b2c");
        assert_eq!(normalize_e_tag("9b2c"), "9b2c");
        assert_eq!(normalize_e_tag("W/\"9b2c\""), "9b2c");
    }
}
