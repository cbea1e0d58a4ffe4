//! The deploy plan: a pure function from the local files and what the
//! target holds to the uploads and deletes, in a safe order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::local::LocalFile;
use super::manifest::{Entry, MANIFEST_PATH, Manifest};
use super::store::Listed;

/// What the target holds, as far as a deploy looked.
#[derive(Debug, Clone)]
pub enum RemoteState {
    /// The manifest alone, trusted without listing the target: it names
    /// every object nutgraf put there and is written before anything it
    /// does not vouch for can exist (see [`Manifest::unverified`]).
    Trusted(Manifest),
    /// A listing of the target (`--verify`, or no readable up-to-date
    /// manifest) and the manifest when there is a readable one.
    Listed {
        /// Every object under the target's prefix, the manifest included.
        objects: BTreeMap<String, Listed>,
        manifest: Option<Manifest>,
    },
}

impl Default for RemoteState {
    /// An empty target.
    fn default() -> RemoteState {
        RemoteState::Listed {
            objects: BTreeMap::new(),
            manifest: None,
        }
    }
}

impl RemoteState {
    pub fn manifest(&self) -> Option<&Manifest> {
        match self {
            RemoteState::Trusted(m) => Some(m),
            RemoteState::Listed { manifest, .. } => manifest.as_ref(),
        }
    }

    /// Whether the target was listed.
    pub fn listed(&self) -> bool {
        matches!(self, RemoteState::Listed { .. })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Upload every file, changed or not.
    pub force: bool,
}

/// Upload phases, in the order they run. A phase finishes before the next
/// starts, so a page never goes live before the files it references, and a
/// listing never before a new page it links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Hashed `assets/`, images, fonts, media: what pages reference.
    Assets,
    /// Everything that is not a page or an index (CSS, scripts, text,
    /// `_headers`, `_redirects`).
    Files,
    /// Pages the target does not have yet: listings may link to them.
    NewPages,
    /// Changed pages, the 404 page included.
    Pages,
    /// Feeds, sitemaps and robots.txt: they point at pages.
    Indexes,
}

/// Why a file is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The target does not have it.
    New,
    /// `--force`.
    Forced,
    /// The target has it but the manifest does not say what it is.
    Unknown,
    /// The content changed.
    Content,
    /// Only the headers (type, caching, encoding) changed.
    Headers,
    /// The target's object has another size than the manifest says (an
    /// interrupted or outside upload).
    Size,
    /// The target's object has another ETag than the upload recorded in the
    /// manifest: it was replaced outside nutgraf (`--verify` only).
    ETag,
}

impl Reason {
    pub fn describe(self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::Forced => "forced",
            Reason::Unknown => "not in the manifest",
            Reason::Content => "content changed",
            Reason::Headers => "headers changed",
            Reason::Size => "size differs on the target",
            Reason::ETag => "changed on the target (ETag)",
        }
    }
}

/// One file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub file: LocalFile,
    pub phase: Phase,
    pub reason: Reason,
}

impl Upload {
    /// An object the target did not have (not a replacement).
    pub fn is_new(&self) -> bool {
        self.reason == Reason::New
    }
}

/// One object to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    pub path: String,
    pub size: u64,
}

/// What a deploy does, in order: `interim_manifest`, the uploads phase by
/// phase, `manifest`, the deletes, then `manifest` again without its
/// `unverified` paths when there were deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Sorted by phase, then path.
    pub uploads: Vec<Upload>,
    /// Sorted by path.
    pub deletes: Vec<Delete>,
    pub unchanged: usize,
    /// Written before any upload: the old manifest without the files about
    /// to be uploaded or deleted, which it lists as `unverified` instead.
    /// A deploy that stops halfway then leaves no entry that could make the
    /// next run trust a half-replaced object, and every object it may have
    /// created is named, so the next run (which does not list) uploads it
    /// again or deletes it.
    pub interim_manifest: Option<Manifest>,
    /// The manifest after this deploy: every local file (ETags of unchanged
    /// files carried over; uploads get theirs as they finish), with the
    /// deletes still to come as `unverified`.
    pub manifest: Manifest,
    /// False when the target's manifest is already `manifest` and nothing
    /// changes: a no-op deploy writes nothing.
    pub write_manifest: bool,
}

impl Plan {
    pub fn new_count(&self) -> usize {
        self.uploads.iter().filter(|u| u.is_new()).count()
    }

    pub fn update_count(&self) -> usize {
        self.uploads.len() - self.new_count()
    }

    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file.size).sum()
    }

    pub fn is_noop(&self) -> bool {
        self.uploads.is_empty() && self.deletes.is_empty() && !self.write_manifest
    }

    /// The uploads of each phase, in order.
    pub fn phases(&self) -> impl Iterator<Item = (Phase, &[Upload])> {
        self.uploads
            .chunk_by(|a, b| a.phase == b.phase)
            .map(|chunk| (chunk[0].phase, chunk))
    }
}

/// Compares `local` with `remote`. A file is unchanged only when the
/// manifest records the same hash and headers, and, when the target was
/// listed, the target holds an object of the recorded size and (where both
/// are known) the recorded ETag; anything else is uploaded. Objects
/// without a local file are deleted: those the listing shows, or without a
/// listing those the manifest names.
pub fn plan(local: &[LocalFile], remote: &RemoteState, opts: PlanOptions) -> Plan {
    let empty = Manifest::default();
    let old = remote.manifest().unwrap_or(&empty);
    let mut uploads = Vec::new();
    let mut unchanged = 0;
    let mut files = BTreeMap::new();
    for file in local {
        let mut entry = Entry::of(file);
        let recorded = old.files.get(&file.path);
        let reason = match remote {
            RemoteState::Trusted(m) if m.unverified.contains(&file.path) => Some(if opts.force {
                Reason::Forced
            } else {
                Reason::Unknown
            }),
            RemoteState::Trusted(_) => match recorded {
                None => Some(Reason::New),
                Some(_) if opts.force => Some(Reason::Forced),
                Some(recorded) => compare(file, recorded, None),
            },
            RemoteState::Listed { objects, .. } => match (objects.get(&file.path), recorded) {
                (None, _) => Some(Reason::New),
                (Some(_), _) if opts.force => Some(Reason::Forced),
                (Some(_), None) => Some(Reason::Unknown),
                (Some(listed), Some(recorded)) => compare(file, recorded, Some(listed)),
            },
        };
        match reason {
            Some(reason) => uploads.push(Upload {
                phase: phase_of(&file.path, reason == Reason::New),
                file: file.clone(),
                reason,
            }),
            None => {
                unchanged += 1;
                // Carried over; a listing fills in what a version-1
                // manifest never recorded.
                let listed = match remote {
                    RemoteState::Listed { objects, .. } => objects.get(&file.path),
                    RemoteState::Trusted(_) => None,
                };
                entry.e_tag = listed
                    .and_then(|l| l.e_tag.clone())
                    .or_else(|| recorded.and_then(|r| r.e_tag.clone()));
            }
        }
        files.insert(file.path.clone(), entry);
    }
    uploads.sort_by(|a, b| (a.phase, &a.file.path).cmp(&(b.phase, &b.file.path)));

    let deletes: Vec<Delete> = match remote {
        RemoteState::Listed { objects, .. } => objects
            .iter()
            .map(|(path, listed)| (path, listed.size))
            .filter(|(path, _)| path.as_str() != MANIFEST_PATH && !files.contains_key(*path))
            .map(|(path, size)| Delete {
                path: path.clone(),
                size,
            })
            .collect(),
        // What nutgraf put there: objects others uploaded stay (see the
        // README: only `--verify` finds them).
        RemoteState::Trusted(m) => {
            let recorded = m.files.iter().map(|(path, e)| (path, e.size));
            let unverified = m.unverified.iter().map(|path| (path, 0));
            let stale: BTreeMap<&String, u64> = recorded
                .chain(unverified)
                .filter(|(path, _)| !files.contains_key(*path))
                .collect();
            stale
                .into_iter()
                .map(|(path, size)| Delete {
                    path: path.clone(),
                    size,
                })
                .collect()
        }
    };

    let doomed: BTreeSet<&str> = uploads
        .iter()
        .map(|u| u.file.path.as_str())
        .chain(deletes.iter().map(|d| d.path.as_str()))
        .collect();
    let interim_manifest = (!uploads.is_empty()).then(|| Manifest {
        files: old
            .files
            .iter()
            .filter(|(p, _)| !doomed.contains(p.as_str()))
            .map(|(p, e)| (p.clone(), e.clone()))
            .collect(),
        unverified: doomed.iter().map(|p| p.to_string()).collect(),
        unpurged: old.unpurged.clone(),
        ..Manifest::new(BTreeMap::new())
    });
    let manifest = Manifest {
        unverified: deletes.iter().map(|d| d.path.clone()).collect(),
        // Still owed to the CDN until this deploy's purge succeeds.
        unpurged: remote
            .manifest()
            .map(|m| m.unpurged.clone())
            .unwrap_or_default(),
        ..Manifest::new(files)
    };
    let manifest_listed = match remote {
        RemoteState::Listed { objects, .. } => objects.contains_key(MANIFEST_PATH),
        RemoteState::Trusted(_) => true,
    };
    let write_manifest = !uploads.is_empty()
        || !deletes.is_empty()
        || remote.manifest() != Some(&manifest)
        || !manifest_listed;
    Plan {
        uploads,
        deletes,
        unchanged,
        interim_manifest,
        manifest,
        write_manifest,
    }
}

/// Why a file the manifest records must be uploaded again, if it must:
/// `listed` is the target's object when the target was listed.
fn compare(file: &LocalFile, recorded: &Entry, listed: Option<&Listed>) -> Option<Reason> {
    if recorded.hash != file.hash {
        Some(Reason::Content)
    } else if recorded.meta != file.meta {
        Some(Reason::Headers)
    } else if recorded.size != file.size || listed.is_some_and(|l| l.size != file.size) {
        Some(Reason::Size)
    } else if let (
        Some(Listed {
            e_tag: Some(now), ..
        }),
        Some(then),
    ) = (listed, &recorded.e_tag)
        && now != then
    {
        Some(Reason::ETag)
    } else {
        None
    }
}

/// The phase a file is uploaded in.
pub fn phase_of(path: &str, new: bool) -> Phase {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    const MEDIA: &[&str] = &[
        "jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff", "jxl",
        "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "pdf",
    ];
    // Hashed files first: the search index's chunks before the entry file
    // that names them, as the stylesheet before the pages.
    if crate::site::cdn::is_hashed(path) || MEDIA.contains(&ext.as_str()) {
        Phase::Assets
    } else if ext == "html" || ext == "htm" {
        if new { Phase::NewPages } else { Phase::Pages }
    } else if ext == "xml" || path == "robots.txt" {
        Phase::Indexes
    } else {
        Phase::Files
    }
}

/// The `--max-deletes` guard: `Err` with the count when the plan deletes
/// more objects than allowed.
pub fn check_deletes(plan: &Plan, max_deletes: usize) -> Result<(), usize> {
    if plan.deletes.len() > max_deletes {
        Err(plan.deletes.len())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::local::Meta;
    use crate::site::cdn::{CACHE_IMMUTABLE, CACHE_REVALIDATE};

    fn file(path: &str, content: &str) -> LocalFile {
        let cache = if path.starts_with("assets/") {
            CACHE_IMMUTABLE
        } else {
            CACHE_REVALIDATE
        };
        LocalFile {
            path: path.to_string(),
            hash: blake3::hash(content.as_bytes()).to_hex().to_string(),
            size: content.len() as u64,
            meta: Meta {
                content_type: "text/html; charset=utf-8".into(),
                cache_control: cache.into(),
                content_encoding: None,
                surrogate_key: None,
            },
            source: path.into(),
        }
    }

    /// What a target holds, to be seen through a listing or through its
    /// manifest alone.
    #[derive(Clone)]
    struct Target {
        objects: BTreeMap<String, Listed>,
        manifest: Option<Manifest>,
    }

    impl Target {
        fn listed(&self) -> RemoteState {
            RemoteState::Listed {
                objects: self.objects.clone(),
                manifest: self.manifest.clone(),
            }
        }

        fn trusted(&self) -> RemoteState {
            RemoteState::Trusted(
                self.manifest
                    .clone()
                    .unwrap_or_else(|| panic!("no manifest")),
            )
        }
    }

    /// An object of `size` bytes whose listing carries no ETag.
    fn sized(size: u64) -> Listed {
        Listed { size, e_tag: None }
    }

    /// A fake ETag for `file`'s upload.
    fn e_tag(file: &LocalFile) -> String {
        format!("etag-{}", &file.hash[..8])
    }

    /// The target after a complete deploy of `files`: every upload's ETag
    /// recorded, listings that show them.
    fn deployed(files: &[LocalFile]) -> Target {
        let mut objects: BTreeMap<String, Listed> = files
            .iter()
            .map(|f| {
                let listed = Listed {
                    size: f.size,
                    e_tag: Some(e_tag(f)),
                };
                (f.path.clone(), listed)
            })
            .collect();
        objects.insert(MANIFEST_PATH.into(), sized(100));
        let entries = files.iter().map(|f| {
            let entry = Entry {
                e_tag: Some(e_tag(f)),
                ..Entry::of(f)
            };
            (f.path.clone(), entry)
        });
        Target {
            objects,
            manifest: Some(Manifest::new(entries.collect())),
        }
    }

    fn site() -> Vec<LocalFile> {
        vec![
            file("404.html", "not found"),
            file("_headers", "rules"),
            file("assets/style.1234.css", "body{}"),
            file("atom.xml", "<feed/>"),
            file("café/naïve file.html", "<p>ü</p>"),
            file("index.html", "home"),
            file("leap/index.html", "leap"),
            file("leap/photo.jpg", "jpeg"),
            file("robots.txt", "allow"),
            file("sitemap.xml", "<urlset/>"),
        ]
    }

    fn paths(p: &Plan) -> Vec<(&str, Phase, Reason)> {
        p.uploads
            .iter()
            .map(|u| (u.file.path.as_str(), u.phase, u.reason))
            .collect()
    }

    #[test]
    fn first_deploy_uploads_everything_in_phases() {
        let p = plan(&site(), &RemoteState::default(), PlanOptions::default());
        use Phase::*;
        use Reason::New;
        assert_eq!(
            paths(&p),
            [
                ("assets/style.1234.css", Assets, New),
                ("leap/photo.jpg", Assets, New),
                ("_headers", Files, New),
                ("404.html", NewPages, New),
                ("café/naïve file.html", NewPages, New),
                ("index.html", NewPages, New),
                ("leap/index.html", NewPages, New),
                ("atom.xml", Indexes, New),
                ("robots.txt", Indexes, New),
                ("sitemap.xml", Indexes, New),
            ]
        );
        assert_eq!(p.unchanged, 0);
        assert!(p.deletes.is_empty());
        // Nothing to distrust, but every upload is named before it starts:
        // a deploy killed halfway leaves no object the next one (which
        // does not list) cannot find.
        let interim = p.interim_manifest.as_ref();
        assert!(interim.is_some_and(|m| m.files.is_empty() && m.unverified.len() == 10));
        assert!(p.write_manifest);
        assert_eq!(p.manifest.files.len(), 10);
        assert_eq!(p.new_count(), 10);
        let phases: Vec<Phase> = p.phases().map(|(ph, _)| ph).collect();
        assert_eq!(phases, [Assets, Files, NewPages, Indexes]);
    }

    #[test]
    fn unchanged_site_does_nothing() {
        let local = site();
        let p = plan(&local, &deployed(&local).listed(), PlanOptions::default());
        assert!(p.uploads.is_empty());
        assert!(p.deletes.is_empty());
        assert_eq!(p.unchanged, local.len());
        assert!(!p.write_manifest);
        assert!(p.is_noop());
    }

    #[test]
    fn changed_page_is_an_update_in_the_pages_phase() {
        let mut local = site();
        let remote = deployed(&local);
        local[6] = file("leap/index.html", "leap, edited");
        local[3] = file("atom.xml", "<feed>edited</feed>");
        local[9] = file("sitemap.xml", "<urlset>more</urlset>");
        local.push(file("new/index.html", "new"));
        local.sort_by(|a, b| a.path.cmp(&b.path));
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert_eq!(
            paths(&p),
            [
                ("new/index.html", Phase::NewPages, Reason::New),
                ("leap/index.html", Phase::Pages, Reason::Content),
                ("atom.xml", Phase::Indexes, Reason::Content),
                ("sitemap.xml", Phase::Indexes, Reason::Content),
            ]
        );
        assert_eq!(p.unchanged, 7);
        assert_eq!((p.new_count(), p.update_count()), (1, 3));
        // The old manifest vouched for the replaced files: drop them first.
        let interim = p
            .interim_manifest
            .as_ref()
            .unwrap_or_else(|| panic!("no interim"));
        assert!(!interim.files.contains_key("leap/index.html"));
        assert!(!interim.files.contains_key("atom.xml"));
        assert!(interim.files.contains_key("index.html"));
        assert_eq!(interim.files.len(), 7);
        assert_eq!(
            p.manifest.files["leap/index.html"].hash,
            file("x", "leap, edited").hash
        );
    }

    #[test]
    fn changed_headers_trigger_an_update() {
        let mut local = site();
        let remote = deployed(&local);
        local[5].meta.cache_control = "public, max-age=60".into();
        local[0].meta.content_encoding = Some("gzip".into());
        local[8].meta.content_type = "text/plain".into();
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert_eq!(
            paths(&p),
            [
                ("404.html", Phase::Pages, Reason::Headers),
                ("index.html", Phase::Pages, Reason::Headers),
                ("robots.txt", Phase::Indexes, Reason::Headers),
            ]
        );
    }

    #[test]
    fn force_uploads_everything_but_keeps_new_apart() {
        let mut local = site();
        let remote = deployed(&local);
        local.push(file("zz.txt", "new"));
        let p = plan(&local, &remote.listed(), PlanOptions { force: true });
        assert_eq!(p.uploads.len(), local.len());
        assert_eq!(p.unchanged, 0);
        assert!(p.uploads.iter().all(|u| u.reason
            == if u.file.path == "zz.txt" {
                Reason::New
            } else {
                Reason::Forced
            }));
    }

    #[test]
    fn stale_objects_are_deleted_last_but_never_the_manifest() {
        let local = site();
        let mut remote = deployed(&local);
        remote.objects.insert("old/index.html".into(), sized(5));
        remote
            .objects
            .insert("café/ancien fichier.html".into(), sized(7));
        let mut local = local;
        local.retain(|f| f.path != "leap/photo.jpg");
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert!(p.uploads.is_empty());
        let deleted: Vec<&str> = p.deletes.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            deleted,
            [
                "café/ancien fichier.html",
                "leap/photo.jpg",
                "old/index.html"
            ]
        );
        assert!(p.write_manifest, "the manifest must forget deleted files");
        assert!(!p.manifest.files.contains_key("leap/photo.jpg"));
    }

    #[test]
    fn deletes_guard() {
        let local = site();
        let remote = deployed(&local);
        let p = plan(&local[..2], &remote.listed(), PlanOptions::default());
        assert_eq!(p.deletes.len(), 8);
        assert_eq!(check_deletes(&p, 7), Err(8));
        assert_eq!(check_deletes(&p, 8), Ok(()));
        assert_eq!(
            check_deletes(&plan(&local, &remote.listed(), PlanOptions::default()), 0),
            Ok(())
        );
    }

    #[test]
    fn missing_manifest_reuploads_what_the_target_has() {
        let local = site();
        let mut remote = deployed(&local);
        remote.manifest = None;
        remote.objects.remove(MANIFEST_PATH);
        remote.objects.remove("index.html");
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert_eq!(p.uploads.len(), local.len());
        assert!(p.uploads.iter().all(|u| u.reason
            == if u.file.path == "index.html" {
                Reason::New
            } else {
                Reason::Unknown
            }));
        // Existing pages are replacements, not new pages.
        assert_eq!(phase_of("leap/index.html", false), Phase::Pages);
        assert!(
            p.uploads
                .iter()
                .any(|u| u.file.path == "leap/index.html" && u.phase == Phase::Pages)
        );
        let interim = p.interim_manifest.as_ref();
        assert!(interim.is_some_and(|m| m.files.is_empty() && m.unverified.len() == 10));
        assert!(p.write_manifest);
    }

    #[test]
    fn object_missing_although_in_manifest_is_uploaded() {
        let local = site();
        let mut remote = deployed(&local);
        remote.objects.remove("leap/index.html");
        remote.objects.remove("assets/style.1234.css");
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert_eq!(
            paths(&p),
            [
                ("assets/style.1234.css", Phase::Assets, Reason::New),
                ("leap/index.html", Phase::NewPages, Reason::New),
            ]
        );
        let interim = p.interim_manifest.unwrap_or_else(|| panic!("no interim"));
        assert!(!interim.files.contains_key("leap/index.html"));
    }

    #[test]
    fn remote_size_mismatch_is_uploaded() {
        // An upload that stopped halfway, or someone else's write.
        let local = site();
        let mut remote = deployed(&local);
        remote
            .objects
            .insert("café/naïve file.html".into(), sized(1));
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert_eq!(
            paths(&p),
            [("café/naïve file.html", Phase::Pages, Reason::Size)]
        );
    }

    /// The case the interim manifest exists for: a deploy replaces a page
    /// with same-size content and stops; the writer then reverts the page.
    /// Size and the old manifest entry would both match the reverted file,
    /// yet the target holds the other version.
    #[test]
    fn an_interrupted_deploy_is_not_trusted_on_rerun() {
        let v1 = site();
        let mut remote = deployed(&v1);
        let mut v2 = v1.clone();
        v2[6] = file("leap/index.html", "LEAP");
        let p = plan(&v2, &remote.listed(), PlanOptions::default());
        assert_eq!(
            paths(&p),
            [("leap/index.html", Phase::Pages, Reason::Content)]
        );
        // Applied up to the upload, then stopped before the final manifest.
        remote.manifest = p.interim_manifest.clone();
        remote.objects.insert("leap/index.html".into(), sized(4));
        let rerun = plan(&v1, &remote.listed(), PlanOptions::default());
        assert_eq!(
            paths(&rerun),
            [("leap/index.html", Phase::Pages, Reason::Unknown)]
        );
        assert_eq!(rerun.unchanged, v1.len() - 1);
    }

    #[test]
    fn rewrites_a_manifest_that_differs() {
        let local = site();
        let mut remote = deployed(&local);
        if let Some(m) = remote.manifest.as_mut() {
            m.files
                .insert("gone.html".into(), Entry::of(&file("gone.html", "x")));
        }
        let p = plan(&local, &remote.listed(), PlanOptions::default());
        assert!(p.uploads.is_empty() && p.deletes.is_empty());
        assert!(p.write_manifest);
    }

    #[test]
    fn a_trusted_manifest_of_an_unchanged_site_does_nothing() {
        let local = site();
        let remote = deployed(&local).trusted();
        let p = plan(&local, &remote, PlanOptions::default());
        assert!(p.is_noop(), "{p:?}");
        assert_eq!(p.unchanged, local.len());
        // ETags are carried over, so the manifest compares equal.
        assert_eq!(Some(&p.manifest), remote.manifest());
    }

    #[test]
    fn without_a_listing_the_manifest_decides_new_changed_and_stale() {
        let v1 = site();
        let target = deployed(&v1);
        let mut v2 = v1.clone();
        v2[6] = file("leap/index.html", "leap, edited");
        v2.retain(|f| f.path != "leap/photo.jpg");
        v2.push(file("zz/index.html", "new"));
        let p = plan(&v2, &target.trusted(), PlanOptions::default());
        assert_eq!(
            paths(&p),
            [
                ("zz/index.html", Phase::NewPages, Reason::New),
                ("leap/index.html", Phase::Pages, Reason::Content),
            ]
        );
        let deleted: Vec<&str> = p.deletes.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(deleted, ["leap/photo.jpg"]);
        assert_eq!(p.deletes[0].size, v1[7].size);
        assert_eq!(p.manifest.files["index.html"].e_tag, Some(e_tag(&v1[5])));
        assert_eq!(
            p.manifest.files["leap/index.html"].e_tag, None,
            "not uploaded yet"
        );
    }

    /// The documented cost of not listing: an object someone else put on
    /// the target, or changed there at the same size, is not seen; a
    /// listing (`--verify`) sees both.
    #[test]
    fn objects_changed_outside_nutgraf_are_found_only_by_a_listing() {
        let local = site();
        let mut target = deployed(&local);
        target.objects.insert("stray.html".into(), sized(3));
        if let Some(o) = target.objects.get_mut("index.html") {
            o.e_tag = Some("someone-else".into());
        }
        let trusted = plan(&local, &target.trusted(), PlanOptions::default());
        assert!(trusted.is_noop(), "{trusted:?}");

        let listed = plan(&local, &target.listed(), PlanOptions::default());
        assert_eq!(paths(&listed), [("index.html", Phase::Pages, Reason::ETag)]);
        assert_eq!(Reason::ETag.describe(), "changed on the target (ETag)");
        let deleted: Vec<&str> = listed.deletes.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(deleted, ["stray.html"]);
    }

    #[test]
    fn a_listing_without_e_tags_compares_sizes_and_keeps_the_recorded_ones() {
        let local = site();
        let mut target = deployed(&local);
        for o in target.objects.values_mut() {
            o.e_tag = None;
        }
        let p = plan(&local, &target.listed(), PlanOptions::default());
        assert!(p.is_noop(), "{p:?}");
        assert_eq!(p.manifest.files["atom.xml"].e_tag, Some(e_tag(&local[3])));
    }

    /// A version-1 manifest has no ETags: the listing that it causes fills
    /// them in, and the manifest is rewritten once as version 2.
    #[test]
    fn a_version_1_manifest_takes_its_e_tags_from_the_listing() {
        let local = site();
        let mut target = deployed(&local);
        if let Some(m) = target.manifest.as_mut() {
            m.version = 1;
            for e in m.files.values_mut() {
                e.e_tag = None;
            }
        }
        let p = plan(&local, &target.listed(), PlanOptions::default());
        assert!(p.uploads.is_empty() && p.deletes.is_empty());
        assert!(p.write_manifest, "upgraded to version 2");
        assert!(!p.manifest.is_outdated());
        assert_eq!(p.manifest, deployed(&local).manifest.unwrap_or_default());
    }

    /// Deletes come after the manifest is written: the manifest names them
    /// as unverified until they are done, so a deploy that stops among its
    /// deletes has the next one (which does not list) finish them.
    #[test]
    fn pending_deletes_are_named_in_the_manifest() {
        let local = site();
        let target = deployed(&local);
        let p = plan(&local[1..], &target.trusted(), PlanOptions::default());
        assert_eq!(p.deletes.len(), 1);
        assert_eq!(
            p.manifest.unverified.iter().collect::<Vec<_>>(),
            ["404.html"]
        );
        assert_eq!(p.interim_manifest, None, "nothing uploaded");
        let mut stopped = target.clone();
        stopped.manifest = Some(p.manifest.clone());
        let rerun = plan(&local[1..], &stopped.trusted(), PlanOptions::default());
        assert!(rerun.uploads.is_empty());
        let deleted: Vec<&str> = rerun.deletes.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(deleted, ["404.html"]);
        assert!(rerun.write_manifest);
    }

    /// A deploy stopped after its interim manifest and some uploads; the
    /// writer then drops the new page before running again. Without a
    /// listing, the rerun must still replace the half-replaced page (as an
    /// update, so the CDN is told) and delete the orphaned new page.
    #[test]
    fn an_interrupted_deploy_is_finished_without_listing() {
        let v1 = site();
        let mut target = deployed(&v1);
        let mut v2 = v1.clone();
        v2[6] = file("leap/index.html", "LEAP");
        v2.push(file("zz/index.html", "new"));
        v2.retain(|f| f.path != "robots.txt");
        let p = plan(&v2, &target.trusted(), PlanOptions::default());
        let interim = p
            .interim_manifest
            .clone()
            .unwrap_or_else(|| panic!("no interim"));
        assert_eq!(
            interim.unverified.iter().collect::<Vec<_>>(),
            ["leap/index.html", "robots.txt", "zz/index.html"]
        );
        assert!(!interim.files.contains_key("leap/index.html"));
        assert!(!interim.files.contains_key("robots.txt"));
        target.manifest = Some(interim);

        let mut v3 = v2.clone();
        v3.retain(|f| f.path != "zz/index.html");
        let rerun = plan(&v3, &target.trusted(), PlanOptions::default());
        assert_eq!(
            paths(&rerun),
            [("leap/index.html", Phase::Pages, Reason::Unknown)]
        );
        let deleted: Vec<&str> = rerun.deletes.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(deleted, ["robots.txt", "zz/index.html"]);
        assert!(rerun.manifest.unverified.len() == 2 && rerun.write_manifest);
    }

    #[test]
    fn phases() {
        assert_eq!(phase_of("assets/app.js", false), Phase::Assets);
        assert_eq!(phase_of("a/b/photo.JPG", true), Phase::Assets);
        assert_eq!(phase_of("style.css", true), Phase::Files);
        assert_eq!(phase_of("_redirects", true), Phase::Files);
        assert_eq!(phase_of("404.html", true), Phase::NewPages);
        assert_eq!(phase_of("tags/rust/atom.xml", false), Phase::Indexes);
        assert_eq!(phase_of("sitemap-1.xml", false), Phase::Indexes);
        assert_eq!(phase_of("robots.txt", false), Phase::Indexes);
        assert_eq!(phase_of("notes.txt", false), Phase::Files);
    }
}
