//! The deploy manifest, `.nutgraf-manifest.json` at the root of a target:
//! what nutgraf last uploaded, so the next deploy can skip unchanged files
//! without downloading them.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::local::{LocalFile, Meta};

/// The manifest's object name, relative to the target's prefix.
pub const MANIFEST_PATH: &str = ".nutgraf-manifest.json";

const VERSION: u32 = 1;

/// Path → what was uploaded there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub files: BTreeMap<String, Entry>,
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
}

impl Entry {
    pub fn of(file: &LocalFile) -> Entry {
        Entry {
            hash: file.hash.clone(),
            size: file.size,
            meta: file.meta.clone(),
        }
    }
}

impl Manifest {
    pub fn new(files: BTreeMap<String, Entry>) -> Manifest {
        Manifest {
            version: VERSION,
            files,
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes)
            .with_context(|| format!("`{MANIFEST_PATH}` on the target is not valid"))?;
        if m.version != VERSION {
            bail!(
                "`{MANIFEST_PATH}` on the target has version {}, this nutgraf reads version {VERSION}",
                m.version
            );
        }
        Ok(m)
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Serializing strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut files = BTreeMap::new();
        files.insert(
            "café/naïve file.html".to_string(),
            Entry {
                hash: "ab".into(),
                size: 3,
                meta: Meta {
                    content_type: "text/html; charset=utf-8".into(),
                    cache_control: "no-cache".into(),
                    content_encoding: Some("gzip".into()),
                },
            },
        );
        let m = Manifest::new(files);
        assert_eq!(
            Manifest::parse(&m.to_json()).unwrap_or_else(|e| panic!("{e}")),
            m
        );
        assert!(Manifest::parse(b"{\"version\": 2, \"files\": {}}").is_err());
        assert!(Manifest::parse(b"<html>").is_err());
    }
}
