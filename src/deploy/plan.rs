//! The deploy plan: a pure function from the local files and what the
//! target holds to the uploads and deletes, in a safe order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::paths::ASSETS_DIR;

use super::local::LocalFile;
use super::manifest::{Entry, MANIFEST_PATH, Manifest};

/// What the target holds.
#[derive(Debug, Clone, Default)]
pub struct RemoteState {
    /// Every object under the target's prefix (relative path → size), the
    /// manifest included.
    pub objects: BTreeMap<String, u64>,
    /// The manifest of the last deploy; `None` when absent or unreadable.
    pub manifest: Option<Manifest>,
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
/// phase, `manifest`, the deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Sorted by phase, then path.
    pub uploads: Vec<Upload>,
    /// Sorted by path.
    pub deletes: Vec<Delete>,
    pub unchanged: usize,
    /// Written before any upload when the old manifest vouches for files
    /// about to be replaced: the old manifest without them. A deploy that
    /// stops halfway then leaves no entry that could make the next run
    /// trust a half-replaced object.
    pub interim_manifest: Option<Manifest>,
    /// The manifest after this deploy: every local file.
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
/// manifest records the same hash and headers *and* the target holds an
/// object of the recorded size; anything else is uploaded. Remote objects
/// without a local file are deleted.
pub fn plan(local: &[LocalFile], remote: &RemoteState, opts: PlanOptions) -> Plan {
    let empty = BTreeMap::new();
    let old = remote.manifest.as_ref().map_or(&empty, |m| &m.files);
    let mut uploads = Vec::new();
    let mut unchanged = 0;
    let mut files = BTreeMap::new();
    for file in local {
        files.insert(file.path.clone(), Entry::of(file));
        let remote_size = remote.objects.get(&file.path).copied();
        let reason = match (remote_size, old.get(&file.path)) {
            (None, _) => Some(Reason::New),
            (Some(_), _) if opts.force => Some(Reason::Forced),
            (Some(_), None) => Some(Reason::Unknown),
            (Some(size), Some(entry)) => {
                if entry.hash != file.hash {
                    Some(Reason::Content)
                } else if entry.meta != file.meta {
                    Some(Reason::Headers)
                } else if entry.size != file.size || size != file.size {
                    Some(Reason::Size)
                } else {
                    None
                }
            }
        };
        match reason {
            Some(reason) => uploads.push(Upload {
                phase: phase_of(&file.path, reason == Reason::New),
                file: file.clone(),
                reason,
            }),
            None => unchanged += 1,
        }
    }
    uploads.sort_by(|a, b| (a.phase, &a.file.path).cmp(&(b.phase, &b.file.path)));

    let deletes: Vec<Delete> = remote
        .objects
        .iter()
        .filter(|(path, _)| path.as_str() != MANIFEST_PATH && !files.contains_key(path.as_str()))
        .map(|(path, &size)| Delete {
            path: path.clone(),
            size,
        })
        .collect();

    let replaced: BTreeSet<&str> = uploads
        .iter()
        .map(|u| u.file.path.as_str())
        .filter(|p| old.contains_key(*p))
        .collect();
    let interim_manifest = (!replaced.is_empty()).then(|| {
        Manifest::new(
            old.iter()
                .filter(|(p, _)| !replaced.contains(p.as_str()))
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect(),
        )
    });
    let manifest = Manifest::new(files);
    let write_manifest = !uploads.is_empty()
        || !deletes.is_empty()
        || remote.manifest.as_ref() != Some(&manifest)
        || !remote.objects.contains_key(MANIFEST_PATH);
    Plan {
        uploads,
        deletes,
        unchanged,
        interim_manifest,
        manifest,
        write_manifest,
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
    if path.starts_with(&format!("{ASSETS_DIR}/")) || MEDIA.contains(&ext.as_str()) {
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
            },
            source: path.into(),
        }
    }

    /// The target after a complete deploy of `files`.
    fn deployed(files: &[LocalFile]) -> RemoteState {
        let mut objects: BTreeMap<String, u64> =
            files.iter().map(|f| (f.path.clone(), f.size)).collect();
        objects.insert(MANIFEST_PATH.into(), 100);
        RemoteState {
            objects,
            manifest: Some(Manifest::new(
                files
                    .iter()
                    .map(|f| (f.path.clone(), Entry::of(f)))
                    .collect(),
            )),
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
        assert_eq!(p.interim_manifest, None, "nothing to distrust");
        assert!(p.write_manifest);
        assert_eq!(p.manifest.files.len(), 10);
        assert_eq!(p.new_count(), 10);
        let phases: Vec<Phase> = p.phases().map(|(ph, _)| ph).collect();
        assert_eq!(phases, [Assets, Files, NewPages, Indexes]);
    }

    #[test]
    fn unchanged_site_does_nothing() {
        let local = site();
        let p = plan(&local, &deployed(&local), PlanOptions::default());
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
        let p = plan(&local, &remote, PlanOptions::default());
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
        let p = plan(&local, &remote, PlanOptions::default());
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
        let p = plan(&local, &remote, PlanOptions { force: true });
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
        remote.objects.insert("old/index.html".into(), 5);
        remote.objects.insert("café/ancien fichier.html".into(), 7);
        let mut local = local;
        local.retain(|f| f.path != "leap/photo.jpg");
        let p = plan(&local, &remote, PlanOptions::default());
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
        let p = plan(&local[..2], &remote, PlanOptions::default());
        assert_eq!(p.deletes.len(), 8);
        assert_eq!(check_deletes(&p, 7), Err(8));
        assert_eq!(check_deletes(&p, 8), Ok(()));
        assert_eq!(
            check_deletes(&plan(&local, &remote, PlanOptions::default()), 0),
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
        let p = plan(&local, &remote, PlanOptions::default());
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
        assert_eq!(p.interim_manifest, None);
        assert!(p.write_manifest);
    }

    #[test]
    fn object_missing_although_in_manifest_is_uploaded() {
        let local = site();
        let mut remote = deployed(&local);
        remote.objects.remove("leap/index.html");
        remote.objects.remove("assets/style.1234.css");
        let p = plan(&local, &remote, PlanOptions::default());
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
        remote.objects.insert("café/naïve file.html".into(), 1);
        let p = plan(&local, &remote, PlanOptions::default());
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
        let p = plan(&v2, &remote, PlanOptions::default());
        assert_eq!(
            paths(&p),
            [("leap/index.html", Phase::Pages, Reason::Content)]
        );
        // Applied up to the upload, then stopped before the final manifest.
        remote.manifest = p.interim_manifest.clone();
        remote.objects.insert("leap/index.html".into(), 4);
        let rerun = plan(&v1, &remote, PlanOptions::default());
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
        let p = plan(&local, &remote, PlanOptions::default());
        assert!(p.uploads.is_empty() && p.deletes.is_empty());
        assert!(p.write_manifest);
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
