//! Content-hashed assets: the stylesheet and a theme's CSS and JavaScript
//! are published under `/assets/` with a hash in their names, and templates
//! reach them through `asset(path="…")`, which also gives the SRI hash.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha384};

use crate::paths::ASSETS_DIR;

/// A published asset: its hashed URL and its Subresource Integrity value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Asset {
    pub url: String,
    pub integrity: String,
}

/// Logical path (as in the theme's `static/`) → published asset.
pub type Manifest = BTreeMap<String, Asset>;

/// Whether a theme file gets a hashed name (the rest is copied as is).
pub fn is_hashed(rel: &Path) -> bool {
    rel.extension()
        .is_some_and(|e| e == "css" || e == "js" || e == "mjs")
}

/// `css/print.css` with these bytes → `assets/css/print.<hash>.css`.
pub fn hashed_path(rel: &Path, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match rel.extension() {
        Some(ext) => format!("{stem}.{}.{}", &hash[..10], ext.to_string_lossy()),
        None => format!("{stem}.{}", &hash[..10]),
    };
    let parent = rel.parent().map(crate::paths::slash).unwrap_or_default();
    if parent.is_empty() {
        format!("{ASSETS_DIR}/{name}")
    } else {
        format!("{ASSETS_DIR}/{parent}/{name}")
    }
}

/// The `integrity` attribute value for these bytes.
pub fn integrity(bytes: &[u8]) -> String {
    let digest = Sha384::digest(bytes);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_change_with_content_only() {
        let a = hashed_path(Path::new("css/print.css"), b"a{}");
        let b = hashed_path(Path::new("css/print.css"), b"a{}");
        let c = hashed_path(Path::new("css/print.css"), b"b{}");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(
            a.starts_with("assets/css/print.") && a.ends_with(".css"),
            "{a}"
        );
    }

    #[test]
    fn integrity_is_sha384_base64() {
        // echo -n "" | openssl dgst -sha384 -binary | base64
        assert_eq!(
            integrity(b""),
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        );
    }
}
