//! CDN invalidation: which URLs a deploy changed in place.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::plan::Plan;

/// What to purge on the CDN after a deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    /// Nothing cached changed.
    None,
    /// These URL paths, each page as `/a/` and `/a/index.html`.
    Paths(Vec<String>),
    /// More than `invalidate_max` paths: `/*`.
    All,
}

impl Invalidation {
    /// The paths to pass to a CDN (`["/*"]` for everything).
    pub fn paths(&self) -> Vec<String> {
        match self {
            Invalidation::None => Vec::new(),
            Invalidation::Paths(p) => p.clone(),
            Invalidation::All => vec!["/*".to_string()],
        }
    }
}

/// Characters percent-encoded in an invalidation path (CloudFront wants
/// non-ASCII and RFC 1738 unsafe characters encoded).
const UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'\'');

/// The URLs a CDN may hold stale copies of: replaced and deleted objects
/// outside `assets/` (hashed files never change in place). New objects are
/// left out: no CDN can have cached them.
pub fn invalidation(plan: &Plan, max: usize) -> Invalidation {
    let changed = plan
        .uploads
        .iter()
        .filter(|u| !u.is_new())
        .map(|u| u.file.path.as_str())
        .chain(plan.deletes.iter().map(|d| d.path.as_str()))
        .filter(|p| !crate::site::cdn::is_hashed(p));
    let mut paths = Vec::new();
    for path in changed {
        let encoded = format!("/{}", utf8_percent_encode(path, UNSAFE));
        if let Some(dir) = encoded.strip_suffix("index.html") {
            paths.push(dir.to_string());
        }
        paths.push(encoded);
    }
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        Invalidation::None
    } else if paths.len() > max {
        Invalidation::All
    } else {
        Invalidation::Paths(paths)
    }
}

/// Fastly's surrogate key for the object at output path `path`: its page's
/// URL path as invalidated (`/a/` for `a/index.html`, so both forms of a
/// page share one key), or a hash of it beyond 256 bytes. Keys are
/// printable ASCII without spaces, as Fastly requires.
pub fn surrogate_key(path: &str) -> String {
    key_of(&format!("/{}", utf8_percent_encode(path, UNSAFE)))
}

/// The surrogate key of an invalidation path (already encoded).
pub fn key_of(encoded: &str) -> String {
    let page = encoded.strip_suffix("index.html").unwrap_or(encoded);
    if page.len() <= 256 {
        page.to_string()
    } else {
        format!("h-{}", &blake3::hash(page.as_bytes()).to_hex()[..32])
    }
}

/// `changed` and the paths an earlier purge left undone, as one set:
/// everything when either says so or there are more than `max`.
pub fn with_owed(
    changed: Invalidation,
    owed: &std::collections::BTreeSet<String>,
    max: usize,
) -> Invalidation {
    if owed.is_empty() {
        return changed;
    }
    let mut paths: std::collections::BTreeSet<String> = match changed {
        Invalidation::All => return Invalidation::All,
        Invalidation::None => Default::default(),
        Invalidation::Paths(p) => p.into_iter().collect(),
    };
    if owed.contains("/*") {
        return Invalidation::All;
    }
    paths.extend(owed.iter().cloned());
    if paths.len() > max {
        Invalidation::All
    } else {
        Invalidation::Paths(paths.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::local::{LocalFile, Meta};
    use crate::deploy::manifest::Manifest;
    use crate::deploy::plan::{Delete, Phase, Reason, Upload};

    fn upload(path: &str, reason: Reason) -> Upload {
        Upload {
            file: LocalFile {
                path: path.into(),
                hash: String::new(),
                size: 1,
                meta: Meta {
                    content_type: String::new(),
                    cache_control: String::new(),
                    content_encoding: None,
                    surrogate_key: None,
                },
                source: path.into(),
            },
            phase: Phase::Pages,
            reason,
        }
    }

    fn plan(uploads: Vec<Upload>, deletes: &[&str]) -> Plan {
        Plan {
            uploads,
            deletes: deletes
                .iter()
                .map(|p| Delete {
                    path: p.to_string(),
                    size: 1,
                })
                .collect(),
            unchanged: 0,
            interim_manifest: None,
            manifest: Manifest::default(),
            write_manifest: true,
        }
    }

    #[test]
    fn changed_pages_in_both_forms() {
        let p = plan(
            vec![
                upload("index.html", Reason::Content),
                upload("café/naïve file.html", Reason::Headers),
                upload("leap/index.html", Reason::Content),
                upload("assets/style.1.css", Reason::Content),
                upload("brand-new/index.html", Reason::New),
                upload("atom.xml", Reason::Size),
            ],
            &["old/index.html"],
        );
        assert_eq!(
            invalidation(&p, 100),
            Invalidation::Paths(
                [
                    "/",
                    "/atom.xml",
                    "/caf%C3%A9/na%C3%AFve%20file.html",
                    "/index.html",
                    "/leap/",
                    "/leap/index.html",
                    "/old/",
                    "/old/index.html",
                ]
                .map(String::from)
                .to_vec()
            )
        );
        assert_eq!(invalidation(&p, 7), Invalidation::All);
        assert_eq!(invalidation(&p, 7).paths(), ["/*"]);
        assert_eq!(
            invalidation(&plan(vec![upload("a/index.html", Reason::New)], &[]), 100),
            Invalidation::None
        );
    }

    #[test]
    fn owed_paths_join_the_next_purge() {
        let owed: std::collections::BTreeSet<String> = ["/b/".to_string()].into();
        assert_eq!(
            with_owed(Invalidation::Paths(vec!["/a/".into()]), &owed, 10),
            Invalidation::Paths(vec!["/a/".into(), "/b/".into()])
        );
        assert_eq!(
            with_owed(Invalidation::None, &owed, 10),
            Invalidation::Paths(vec!["/b/".into()])
        );
        assert_eq!(
            with_owed(Invalidation::Paths(vec!["/a/".into()]), &owed, 1),
            Invalidation::All
        );
        let everything: std::collections::BTreeSet<String> = ["/*".to_string()].into();
        assert_eq!(
            with_owed(Invalidation::None, &everything, 10),
            Invalidation::All
        );
        assert_eq!(
            with_owed(Invalidation::None, &Default::default(), 10),
            Invalidation::None
        );
    }

    #[test]
    fn both_forms_of_a_page_share_one_surrogate_key() {
        assert_eq!(surrogate_key("a/index.html"), "/a/");
        assert_eq!(key_of("/a/index.html"), "/a/");
        assert_eq!(key_of("/a/"), "/a/");
        assert_eq!(surrogate_key("index.html"), "/");
        assert_eq!(surrogate_key("feed.xml"), "/feed.xml");
        // what the object carries is what a purge of its paths sends
        assert_eq!(
            surrogate_key("café/naïve file.html"),
            "/caf%C3%A9/na%C3%AFve%20file.html"
        );
        let long = format!("{}/index.html", "x".repeat(300));
        let key = surrogate_key(&long);
        assert!(key.starts_with("h-") && key.len() == 34, "{key}");
        assert_eq!(key, key_of(&format!("/{}/", "x".repeat(300))));
        assert!(!key.contains(' '));
    }
}
