//! `nutgraf deploy` end to end: the demo site deployed to a real
//! S3-compatible server and to a local folder. Expectations come from the
//! local builds, never from hard-coded file lists.
//!
//! The server is s3s-fs, used as a library ([`crate::s3`]): each test starts
//! it inside the test process on 127.0.0.1, and it counts the requests it
//! answers. The `nutgraf` binary under test runs as a subprocess and talks
//! to it over HTTP, as it would to AWS S3. Nothing needs installing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::s3::{ACCESS_KEY, BUCKET, Requests, S3, SECRET_KEY};
use crate::{Run, Site, copy_tree};
use nutgraf::config::{Config, DeployTarget};
use nutgraf::deploy::inspect;
use nutgraf::deploy::local::LocalFile;
use serde_json::Value;

pub(crate) const MANIFEST: &str = ".nutgraf-manifest.json";

/// The `[[deploy.targets]]` entry for `s3` (under a prefix, with
/// matchers for headers and gzip).
pub(crate) fn config(s3: &S3) -> String {
    format!(
        "\n[[deploy.targets]]\nname = \"test\"\nurl = \"s3://{BUCKET}/www\"\n\
         endpoint = \"http://127.0.0.1:{}\"\nregion = \"us-east-1\"\ninvalidate_max = 40\n\n\
         [[deploy.matchers]]\npattern = \"**/*.xml\"\ncache_control = \"public, max-age=300\"\n\n\
         [[deploy.matchers]]\npattern = \"robots.txt\"\ngzip = true\n",
        s3.port
    )
}

pub(crate) fn env(secret: &str) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_REGION", "us-east-1"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .to_vec()
}

/// The demo site at the repository root, with a static file whose name
/// needs encoding, and `extra_config` appended to its nutgraf.toml.
pub(crate) fn demo(extra_config: &str) -> Site {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut site = Site::empty();
    for dir in ["content", "static", "templates", "themes"] {
        if root.join(dir).is_dir() {
            copy_tree(&root.join(dir), &site.root.join(dir));
        }
    }
    let config =
        std::fs::read_to_string(root.join("nutgraf.toml")).unwrap_or_else(|e| panic!("{e}"));
    site = site
        .file("nutgraf.toml", format!("{config}{extra_config}"))
        .file("static/café/naïve file.html", "<p>Crème brûlée</p>\n");
    site
}

/// One `nutgraf deploy` run and its `--json` report.
pub(crate) struct Deployed {
    pub run: Run,
    pub report: Value,
}

impl Deployed {
    pub fn list(&self, key: &str) -> BTreeSet<String> {
        self.report[key]
            .as_array()
            .unwrap_or_else(|| panic!("no `{key}` in report {}", self.report))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Paths uploaded, new or replaced.
    pub fn uploaded(&self) -> BTreeSet<String> {
        let mut all = self.list("new");
        all.extend(self.list("updated"));
        all
    }
}

pub(crate) fn deploy_with(
    site: &Site,
    args: &[&str],
    env: &[(String, String)],
    extra_env: &[(&str, &str)],
) -> Deployed {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nutgraf"));
    cmd.arg("--root")
        .arg(&site.root)
        .args(["deploy", "--json"])
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    // Nothing from this machine's AWS setup: no profile files, no instance
    // metadata (a test that wants a profile file sets these again).
    let no_aws = site.root.join(".no-aws");
    cmd.env("AWS_CONFIG_FILE", no_aws.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", no_aws.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("run nutgraf deploy: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "nutgraf panicked:\n{}",
        run.stderr
    );
    let report = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or(Value::Null);
    Deployed { run, report }
}

fn deploy(site: &Site, args: &[&str]) -> Deployed {
    let d = deploy_with(site, args, &env(SECRET_KEY), &[]);
    assert_eq!(d.run.code, 0, "deploy failed:\n{}", d.run.stderr);
    d
}

pub(crate) fn target(site: &Site) -> DeployTarget {
    let config = Config::load(&site.root).unwrap_or_else(|e| panic!("{e}"));
    config.deploy.targets[0].clone()
}

/// The built site as deploy sees it: path → file.
pub(crate) fn local(site: &Site) -> BTreeMap<String, LocalFile> {
    let config = Config::load(&site.root).unwrap_or_else(|e| panic!("{e}"));
    inspect::local_files(&site.root.join("public"), &config)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .into_iter()
        .map(|f| (f.path.clone(), f))
        .collect()
}

/// Paths whose content is new or different in `after`.
fn changed(
    before: &BTreeMap<String, LocalFile>,
    after: &BTreeMap<String, LocalFile>,
) -> BTreeSet<String> {
    after
        .iter()
        .filter(|(p, f)| before.get(*p).is_none_or(|b| b.hash != f.hash))
        .map(|(p, _)| p.clone())
        .collect()
}

/// Asserts the bucket holds exactly the local build (plus the manifest):
/// same paths, same bytes, the headers deploy promises.
#[track_caller]
pub(crate) fn assert_bucket_equals_local(site: &Site) {
    let t = target(site);
    let remote = inspect::objects(&t, &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    let local = local(site);
    let mut expected: BTreeSet<&str> = local.keys().map(String::as_str).collect();
    expected.insert(MANIFEST);
    assert_eq!(
        remote.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected
    );
    for (path, file) in &local {
        let object = &remote[path];
        assert_eq!(object.size, file.size, "{path}: size");
        assert_eq!(object.meta.as_ref(), Some(&file.meta), "{path}: headers");
        let bytes = std::fs::read(&file.source).unwrap_or_else(|e| panic!("{e}"));
        let mut stored = inspect::get(&t, &env(SECRET_KEY), path)
            .unwrap_or_else(|e| panic!("{e:#}"))
            .unwrap_or_else(|| panic!("{path} missing"));
        if file.meta.content_encoding.is_some() {
            use std::io::Read;
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&stored[..])
                .read_to_end(&mut plain)
                .unwrap_or_else(|e| panic!("{path}: not gzip: {e}"));
            stored = plain;
        }
        assert!(stored == bytes, "{path}: content differs");
    }
}

pub(crate) fn edit_article(site: &Site, slug: &str) {
    let path = format!("content/{slug}/index.md");
    let text = std::fs::read_to_string(site.root.join(&path)).unwrap_or_else(|e| panic!("{e}"));
    site.write(
        &path,
        &format!("{text}\n\nA paragraph added for the deploy test.\n"),
    );
}

fn remove_article(site: &Site, slug: &str) {
    std::fs::remove_dir_all(site.root.join("content").join(slug)).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn deploys_the_demo_site_incrementally() {
    let s3 = S3::start();
    let site = demo(&config(&s3));

    // 1. First deploy: every file, with its headers. The target has no
    // manifest, so it is listed, without a warning since it is empty.
    let first = deploy(&site, &[]);
    let v1 = local(&site);
    assert_eq!(first.report["listed"], true);
    assert_eq!(warnings(&first.run.stderr), 0, "{}", first.run.stderr);
    assert_eq!(
        first.list("new"),
        v1.keys().cloned().collect::<BTreeSet<_>>(),
        "{}",
        first.run.stderr
    );
    assert!(first.list("updated").is_empty() && first.list("deleted").is_empty());
    assert_bucket_equals_local(&site);
    let remote =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    let meta = |p: &str| {
        remote[p]
            .meta
            .clone()
            .unwrap_or_else(|| panic!("{p}: no headers"))
    };
    assert_eq!(meta("index.html").content_type, "text/html; charset=utf-8");
    assert_eq!(
        meta("index.html").cache_control,
        "public, max-age=0, must-revalidate"
    );
    assert_eq!(
        meta("café/naïve file.html").content_type,
        "text/html; charset=utf-8"
    );
    let asset = v1
        .keys()
        .find(|p| p.starts_with("assets/") && p.ends_with(".css"));
    let asset = asset.unwrap_or_else(|| panic!("no hashed stylesheet in {v1:?}"));
    assert_eq!(meta(asset).content_type, "text/css; charset=utf-8");
    assert_eq!(
        meta(asset).cache_control,
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        meta("sitemap.xml").cache_control,
        "public, max-age=300",
        "matcher"
    );
    assert_eq!(
        meta("robots.txt").content_encoding.as_deref(),
        Some("gzip"),
        "matcher"
    );
    assert_eq!(meta("robots.txt").content_type, "text/plain; charset=utf-8");
    let image = v1
        .keys()
        .find(|p| p.ends_with(".jpg"))
        .unwrap_or_else(|| panic!("no image"));
    assert_eq!(meta(image).content_type, "image/jpeg");
    assert!(
        first.run.stderr.contains("Deployed to test"),
        "{}",
        first.run.stderr
    );

    // 2. Nothing changed: nothing uploaded, only the manifest read (no
    // listing), as the server counted it.
    let before = s3.requests();
    let second = deploy(&site, &[]);
    assert_eq!(
        s3.requests() - before,
        Requests {
            get: 1,
            ..Requests::default()
        },
        "{}",
        second.run.stderr
    );
    assert!(second.uploaded().is_empty(), "{}", second.run.stderr);
    assert!(second.list("deleted").is_empty());
    assert_eq!(second.report["unchanged"], v1.len());
    assert_eq!(second.report["listed"], false);
    assert_eq!(second.report["requests"]["put"], 0);
    assert_eq!(second.report["requests"]["list"], 0);
    assert_eq!(second.report["requests"]["get"], 1);
    assert_eq!(warnings(&second.run.stderr), 0, "{}", second.run.stderr);
    assert!(
        second.report["invalidate"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    // 3. One article edited: exactly the outputs whose bytes changed.
    edit_article(&site, "leap-seconds");
    let third = deploy(&site, &[]);
    let v2 = local(&site);
    let expected = changed(&v1, &v2);
    assert!(expected.contains("leap-seconds/index.html"), "{expected:?}");
    assert!(
        expected.len() < v1.len() / 2,
        "a one-article edit changed {expected:?}"
    );
    assert_eq!(third.uploaded(), expected, "{}", third.run.stderr);
    // The search index's chunks are named by their content: the edited
    // article's old ones go, and nothing else does.
    let deleted = third.list("deleted");
    assert!(
        deleted.iter().all(|d| d.starts_with("pagefind/")),
        "{deleted:?}"
    );
    let invalidate = third.list("invalidate");
    assert!(
        invalidate.contains("/leap-seconds/") && invalidate.contains("/leap-seconds/index.html"),
        "{invalidate:?}"
    );
    // The target names no CDN: the paths are reported, nothing is purged.
    assert_eq!(third.report["purge"], Value::Null);
    assert_bucket_equals_local(&site);

    // 4. One article deleted: its outputs go from the bucket.
    remove_article(&site, "bridge-expansion-joints");
    let fourth = deploy(&site, &[]);
    let v3 = local(&site);
    let gone: BTreeSet<String> = v2
        .keys()
        .filter(|p| !v3.contains_key(*p))
        .cloned()
        .collect();
    assert!(
        gone.contains("bridge-expansion-joints/index.html"),
        "{gone:?}"
    );
    assert_eq!(fourth.list("deleted"), gone, "{}", fourth.run.stderr);
    assert_eq!(fourth.uploaded(), changed(&v2, &v3));
    assert_bucket_equals_local(&site);
}

#[test]
fn an_interrupted_deploy_finishes_on_rerun() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    edit_article(&site, "leap-seconds");
    edit_article(&site, "heat-pumps-in-the-cold");
    remove_article(&site, "bridge-expansion-joints");
    site.write("static/new file.txt", "new\n");

    let stopped = deploy_with(
        &site,
        &[],
        &env(SECRET_KEY),
        &[("NUTGRAF_DEPLOY_FAIL_AFTER", "3")],
    );
    assert_eq!(stopped.run.code, 1, "{}", stopped.run.stderr);
    assert!(
        stopped.run.stderr.contains("stopped after 3 uploads"),
        "{}",
        stopped.run.stderr
    );
    // Deletes come last: nothing was deleted yet.
    let remote =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(remote.contains_key("bridge-expansion-joints/index.html"));

    let rerun = deploy(&site, &[]);
    assert!(!rerun.uploaded().is_empty() && !rerun.list("deleted").is_empty());
    assert_bucket_equals_local(&site);
    let again = deploy(&site, &[]);
    assert!(
        again.uploaded().is_empty() && again.list("deleted").is_empty(),
        "{}",
        again.run.stderr
    );
}

/// Replaces `path` on the target behind nutgraf's back with different
/// bytes of the same size and the same headers.
fn replace_outside_nutgraf(site: &Site, path: &str) {
    let t = target(site);
    let file = &local(site)[path];
    let stored = inspect::get(&t, &env(SECRET_KEY), path)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .unwrap_or_else(|| panic!("{path} missing"));
    let mut other = stored.clone();
    let last = other.len() - 1;
    other[last] = if other[last] == b'x' { b'y' } else { b'x' };
    assert_eq!(other.len(), stored.len());
    inspect::put(&t, &env(SECRET_KEY), path, other, &file.meta).unwrap_or_else(|e| panic!("{e:#}"));
}

/// What `--verify` is for: a no-change deploy trusts the manifest and
/// cannot see objects changed, deleted or added by someone else; a
/// `--verify` deploy lists the target, finds them (a same-size change by
/// its ETag) and repairs them.
#[test]
fn verify_finds_objects_changed_outside_nutgraf() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    let files = local(&site);
    let t = target(&site);
    replace_outside_nutgraf(&site, "index.html");
    inspect::delete(
        &t,
        &env(SECRET_KEY),
        &["leap-seconds/index.html".to_string()],
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let meta = files["index.html"].meta.clone();
    inspect::put(&t, &env(SECRET_KEY), "stray.html", b"x".to_vec(), &meta)
        .unwrap_or_else(|e| panic!("{e:#}"));

    // Without --verify: one GET, and none of it is seen (the documented cost).
    let before = s3.requests();
    let blind = deploy(&site, &[]);
    assert_eq!((s3.requests() - before).list, 0);
    assert!(
        blind.uploaded().is_empty() && blind.list("deleted").is_empty(),
        "{}",
        blind.run.stderr
    );

    let dry = deploy(&site, &["--verify", "--dry-run"]);
    assert!(
        dry.run
            .stderr
            .contains("index.html  (changed on the target (ETag)"),
        "{}",
        dry.run.stderr
    );
    let before = s3.requests();
    let verified = deploy(&site, &["--verify"]);
    let requests = s3.requests() - before;
    assert_eq!(verified.report["listed"], true);
    assert!(requests.list >= 1, "{requests}");
    // s3s-fs leaves ETags out of its listings: --verify asks for each
    // recorded one with a HEAD (AWS S3, R2 and MinIO list them: no HEADs).
    assert_eq!(requests.head as usize, files.len() - 1, "{requests}");
    assert_eq!(
        verified.list("updated"),
        BTreeSet::from(["index.html".to_string()]),
        "{}",
        verified.run.stderr
    );
    assert_eq!(
        verified.list("new"),
        BTreeSet::from(["leap-seconds/index.html".to_string()])
    );
    assert_eq!(
        verified.list("deleted"),
        BTreeSet::from(["stray.html".to_string()])
    );
    assert!(verified.list("invalidate").contains("/index.html"));
    assert_bucket_equals_local(&site);

    // Repaired: the next deploy is a no-op again, and reads only the manifest.
    let before = s3.requests();
    let again = deploy(&site, &[]);
    assert_eq!(
        s3.requests() - before,
        Requests {
            get: 1,
            ..Requests::default()
        }
    );
    assert!(again.uploaded().is_empty() && again.list("deleted").is_empty());
}

/// How many warnings in `stderr` are about the target's manifest (any
/// other warning belongs to another test).
fn warnings(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:") && l.contains(MANIFEST))
        .count()
}

#[test]
fn a_missing_or_corrupt_manifest_falls_back_to_listing_with_one_warning() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    let files = local(&site);
    let t = target(&site);

    inspect::delete(&t, &env(SECRET_KEY), &[MANIFEST.to_string()])
        .unwrap_or_else(|e| panic!("{e:#}"));
    let before = s3.requests();
    let missing = deploy(&site, &[]);
    let requests = s3.requests() - before;
    assert_eq!((requests.list, requests.get), (1, 1), "{requests}");
    assert_eq!(warnings(&missing.run.stderr), 1, "{}", missing.run.stderr);
    assert!(
        missing
            .run
            .stderr
            .contains("has no `.nutgraf-manifest.json`; listed it instead"),
        "{}",
        missing.run.stderr
    );
    // Nothing vouches for what the objects hold: all uploaded again.
    assert_eq!(missing.list("updated").len(), files.len());
    assert_bucket_equals_local(&site);

    let meta = files["index.html"].meta.clone();
    inspect::put(
        &t,
        &env(SECRET_KEY),
        MANIFEST,
        b"{\"version\": 2, \"fil".to_vec(),
        &meta,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let before = s3.requests();
    let corrupt = deploy(&site, &[]);
    let requests = s3.requests() - before;
    assert_eq!((requests.list, requests.get), (1, 1), "{requests}");
    assert_eq!(warnings(&corrupt.run.stderr), 1, "{}", corrupt.run.stderr);
    assert!(
        corrupt.run.stderr.contains("is not valid"),
        "{}",
        corrupt.run.stderr
    );
    assert_eq!(corrupt.list("updated").len(), files.len());

    // The manifest is whole again: back to one GET.
    let before = s3.requests();
    deploy(&site, &[]);
    assert_eq!((s3.requests() - before).list, 0);
}

/// Upgrading from a nutgraf whose manifest had no ETags: the first deploy
/// lists once (as every deploy did then), uploads nothing, records the
/// ETags; the next one reads only the manifest.
#[test]
fn a_version_1_manifest_is_listed_once_and_upgraded() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    let t = target(&site);
    let stored = inspect::get(&t, &env(SECRET_KEY), MANIFEST)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .unwrap_or_else(|| panic!("no manifest"));
    let mut v1: Value = serde_json::from_slice(&stored).unwrap_or_else(|e| panic!("{e}"));
    v1["version"] = 1.into();
    for entry in v1["files"]
        .as_object_mut()
        .into_iter()
        .flat_map(|f| f.values_mut())
    {
        entry.as_object_mut().map(|e| e.remove("e_tag"));
    }
    let meta = local(&site)["index.html"].meta.clone();
    inspect::put(
        &t,
        &env(SECRET_KEY),
        MANIFEST,
        v1.to_string().into_bytes(),
        &meta,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));

    let upgrade = deploy(&site, &[]);
    assert_eq!(upgrade.report["listed"], true);
    assert!(upgrade.uploaded().is_empty(), "{}", upgrade.run.stderr);
    assert_eq!(warnings(&upgrade.run.stderr), 0, "{}", upgrade.run.stderr);
    assert!(
        upgrade.run.stderr.contains("has version 1"),
        "{}",
        upgrade.run.stderr
    );
    let written = inspect::get(&t, &env(SECRET_KEY), MANIFEST)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .unwrap_or_else(|| panic!("no manifest"));
    let written: Value = serde_json::from_slice(&written).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written["version"], 2);

    let before = s3.requests();
    let next = deploy(&site, &[]);
    assert_eq!((s3.requests() - before).list, 0);
    assert!(next.uploaded().is_empty());
}

/// What the bucket holds, read from s3s-fs's folder (it keeps each object
/// as a file at its key): path → bytes. Read while a deploy runs, so files
/// that vanish between listing and reading (temporary uploads) are skipped.
fn bucket_files(s3: &S3) -> BTreeMap<String, Vec<u8>> {
    let dir = s3.data.path().join(BUCKET).join("www");
    walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(&dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, std::fs::read(e.path()).ok()?))
        })
        .collect()
}

/// Every `/assets/…` URL that the HTML pages in `files` reference and that
/// `files` does not hold (what a visitor would get a 404 for), and how many
/// references were checked.
fn missing_assets(files: &BTreeMap<String, Vec<u8>>) -> (Vec<String>, usize) {
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        // Minified pages leave attribute values unquoted (`href=/assets/…`);
        // srcset lists URLs after commas.
        for (at, _) in html.match_indices("/assets/") {
            if !html[..at].ends_with(['=', '"', '\'', ' ', ',', '(']) {
                continue; // an absolute URL (og:image) or text
            }
            let url = &html[at + 1..];
            let url = &url[..url
                .find(['"', '\'', ' ', '>', ',', ')', '?', '#'])
                .unwrap_or(url.len())];
            checked += 1;
            if !files.contains_key(url) {
                missing.push(format!("{path} -> /{url}"));
            }
        }
    }
    (missing, checked)
}

#[test]
fn a_deploy_killed_mid_upload_keeps_every_page_whole_and_a_rerun_finishes() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    assert!(
        bucket_files(&s3).contains_key("index.html"),
        "s3s-fs no longer keeps objects as files at their keys; this test reads them there"
    );
    // A new stylesheet: a new hashed asset, and every page changes to
    // point at it. Many small files make the upload long enough to kill.
    let css = std::fs::read_to_string(site.root.join("themes/broadsheet/static/style.css"))
        .unwrap_or_else(|e| panic!("{e}"));
    site.write(
        "static/style.css",
        &format!("{css}\nbody {{ outline: 0 }}\n"),
    );
    for i in 0..400 {
        site.write(&format!("static/bulk/{i}.txt"), &format!("file {i}\n"));
    }
    edit_article(&site, "leap-seconds");
    let before = bucket_files(&s3);

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nutgraf"));
    cmd.arg("--root")
        .arg(&site.root)
        .arg("deploy")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env(SECRET_KEY) {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("run nutgraf deploy: {e}"));
    // SIGKILL once 50 objects are new or rewritten: no cleanup can run.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let now = bucket_files(&s3);
        let touched = now
            .iter()
            .filter(|(p, b)| before.get(*p) != Some(*b))
            .count();
        if touched >= 50 {
            break;
        }
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "the deploy ended before it could be killed ({touched} objects touched)"
        );
        assert!(Instant::now() < deadline, "the deploy never got going");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        child.try_wait().ok().flatten().is_none(),
        "the deploy ended before it could be killed"
    );
    child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
    let _ = child.wait();

    // Killed halfway: no page in the bucket points at a missing asset, and
    // some work is still left to do.
    let halfway = bucket_files(&s3);
    let (missing, checked) = missing_assets(&halfway);
    assert_eq!(missing, Vec::<String>::new());
    assert!(checked >= 10, "only {checked} asset references found");
    let rerun = deploy(&site, &[]);
    assert!(!rerun.uploaded().is_empty(), "{}", rerun.run.stderr);
    assert_bucket_equals_local(&site);
    assert_eq!(missing_assets(&bucket_files(&s3)).0, Vec::<String>::new());
    let again = deploy(&site, &[]);
    assert!(again.uploaded().is_empty(), "{}", again.run.stderr);
}

#[test]
fn wrong_credentials_fail_clearly_and_change_nothing() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    let before =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    edit_article(&site, "leap-seconds");

    let refused = deploy_with(&site, &[], &env("not-the-secret"), &[]);
    assert_eq!(refused.run.code, 1, "{}", refused.run.stderr);
    let err = refused
        .run
        .stderr
        .lines()
        .filter(|l| l.contains("error") || l.contains("help"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        err.contains("credentials") && err.contains("403"),
        "unclear error:\n{}",
        refused.run.stderr
    );
    let after =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(before, after, "a refused deploy changed the bucket");

    // No credentials at all: a clear message, not a hang on instance metadata.
    let none = deploy_with(&site, &[], &[], &[]);
    // Missing credentials are a configuration problem: exit code 2.
    assert_eq!(none.run.code, 2, "{}", none.run.stderr);
    assert!(
        none.run.stderr.contains("AWS_ACCESS_KEY_ID"),
        "{}",
        none.run.stderr
    );
}

#[test]
fn max_deletes_stops_a_mass_deletion() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    deploy(&site, &[]);
    let before =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    let v1 = local(&site);
    remove_article(&site, "bridge-expansion-joints");
    remove_article(&site, "heat-pumps-in-the-cold");

    // --dry-run lists each action and changes nothing.
    let dry = deploy(&site, &["--dry-run"]);
    let deletes = dry.list("deleted");
    assert!(deletes.len() > 2, "{deletes:?}");
    for d in &deletes {
        assert!(
            dry.run.stderr.contains(&format!("delete  last      {d}")),
            "{d} not listed:\n{}",
            dry.run.stderr
        );
    }
    assert_eq!(dry.report["requests"]["put"], 0);

    let refused = deploy_with(&site, &["--max-deletes", "2"], &env(SECRET_KEY), &[]);
    assert_eq!(refused.run.code, 1, "{}", refused.run.stderr);
    assert!(
        refused
            .run
            .stderr
            .contains(&format!("refusing to delete {} objects", deletes.len())),
        "{}",
        refused.run.stderr
    );
    assert!(
        refused.run.stderr.contains("--max-deletes"),
        "{}",
        refused.run.stderr
    );
    let after =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(before, after, "a refused deploy changed the bucket");

    let allowed = deploy(&site, &["--max-deletes", &deletes.len().to_string()]);
    assert_eq!(allowed.list("deleted"), deletes);
    let v2 = local(&site);
    assert_eq!(
        deletes,
        v1.keys()
            .filter(|p| !v2.contains_key(*p))
            .cloned()
            .collect::<BTreeSet<_>>()
    );
    assert_bucket_equals_local(&site);
}

#[test]
fn deploys_to_a_local_folder() {
    let dest = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let folder = dest.path().join("www root");
    let url = format!("file://{}", folder.display()).replace(' ', "%20");
    let site = demo(&format!(
        "\n[[deploy.targets]]\nname = \"folder\"\nurl = \"{url}\"\n\n\
         [[deploy.matchers]]\npattern = \"robots.txt\"\ngzip = true\n"
    ));
    let first = deploy_with(&site, &[], &[], &[]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    let same = |site: &Site| {
        let public = site.root.join("public");
        let mut expected = tree(&public);
        // The build's ownership marker is not part of the site: never deployed.
        assert!(expected.remove(nutgraf::output::MARKER).is_some());
        expected.insert(MANIFEST.to_string(), Vec::new());
        let mut actual = tree(&folder);
        actual.insert(MANIFEST.to_string(), Vec::new());
        assert_eq!(actual, expected, "the folder differs from the build");
    };
    same(&site);
    assert_eq!(first.list("new").len(), local(&site).len());

    let second = deploy_with(&site, &[], &[], &[]);
    assert!(second.uploaded().is_empty(), "{}", second.run.stderr);
    // A folder is read like a bucket: its manifest, no walk of the folder.
    assert_eq!(second.report["listed"], false);
    assert_eq!(second.report["requests"]["list"], 0);
    assert_eq!(second.report["requests"]["get"], 1);
    let verified = deploy_with(&site, &["--verify"], &[], &[]);
    assert_eq!(verified.report["requests"]["list"], 1);
    assert!(verified.uploaded().is_empty(), "{}", verified.run.stderr);

    remove_article(&site, "bridge-expansion-joints");
    let third = deploy_with(&site, &[], &[], &[]);
    assert_eq!(third.run.code, 0, "{}", third.run.stderr);
    assert!(
        third
            .list("deleted")
            .contains("bridge-expansion-joints/index.html")
    );
    same(&site);
    assert!(
        !folder.join("bridge-expansion-joints").exists(),
        "empty folders stay behind"
    );
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap_or_else(|err| panic!("{err}")),
            )
        })
        .collect()
}

#[test]
fn deploy_config_errors_point_at_the_line() {
    let site = Site::empty().file(
        "nutgraf.toml",
        format!(
            "{}[[deploy.targets]]\nname = \"p\"\nurl = \"s3://b\"\nbukcet = \"x\"\n",
            crate::EMPTY_CONFIG
        ),
    );
    let run = site.nutgraf(&["deploy", "--output", "public"]).failure(2);
    assert!(
        run.stderr.contains("unknown key `bukcet`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nutgraf.toml:7:1"), "{}", run.stderr);

    let site = Site::empty().file(
        "nutgraf.toml",
        format!(
            "{}[[deploy.targets]]\nname = \"production\"\nurl = \"s3://b\"\n",
            crate::EMPTY_CONFIG
        ),
    );
    let run = site
        .nutgraf(&["deploy", "--target", "prodution", "--output", "public"])
        .failure(2);
    assert!(
        run.stderr.contains("did you mean `production`?"),
        "{}",
        run.stderr
    );
}

/// The deploy manifest of the folder target at `dir`.
pub(crate) fn folder_manifest(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// The paths a manifest records as still to purge.
pub(crate) fn unpurged(manifest: &Value) -> BTreeSet<String> {
    manifest["unpurged"]
        .as_array()
        .unwrap_or_else(|| panic!("no unpurged paths recorded: {manifest}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// A folder target that purges `cdn` through the recorder.
pub(crate) fn purging_site(
    recorder: &crate::recorder::Recorder,
    purge: &str,
) -> (Site, tempfile::TempDir) {
    let dest = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("file://{}", dest.path().join("www").display());
    let site = demo(&format!(
        "\n[[deploy.targets]]\nname = \"cdn\"\nurl = \"{url}\"\n\
         purge = {{ {purge}, endpoint = \"http://127.0.0.1:{}\" }}\n",
        recorder.port
    ));
    (site, dest)
}

const TOKEN: (&str, &str) = ("CLOUDFLARE_API_TOKEN", "cf-test-token");

/// Cloudflare is purged after the upload, by URL, in batches of at most
/// 30, with the token; a rate limit is waited out; new files are never
/// purged (no CDN has them).
#[test]
fn a_deploy_purges_cloudflare_by_url_after_uploading() {
    let recorder = crate::recorder::Recorder::start();
    let (site, _dest) = purging_site(&recorder, "cdn = \"cloudflare\", zone_id = \"zone1\"");
    let first = deploy_with(&site, &[], &[], &[TOKEN]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    assert!(
        recorder.take().is_empty(),
        "a first deploy has nothing cached to purge"
    );
    assert_eq!(first.report["purge"], Value::Null);

    edit_article(&site, "leap-seconds");
    // The first purge request is rate-limited once.
    recorder.script(vec![(
        429,
        vec![("retry-after", "0".to_string())],
        r#"{"success":false,"errors":[{"code":971,"message":"Please wait"}]}"#.to_string(),
    )]);
    let second = deploy_with(&site, &[], &[], &[TOKEN]);
    assert_eq!(second.run.code, 0, "{}", second.run.stderr);
    let paths = second.list("invalidate");
    assert!(paths.contains("/leap-seconds/"), "{paths:?}");
    assert_eq!(second.report["purge"]["cdn"], "Cloudflare");
    let requests = recorder.take();
    // The rate-limited request and its retry carry the same URLs.
    assert_eq!(requests[0].body, requests[1].body);
    let mut purged = BTreeSet::new();
    for r in &requests[1..] {
        assert_eq!(
            (r.method.as_str(), r.uri.as_str()),
            ("POST", "/zones/zone1/purge_cache")
        );
        assert_eq!(r.header("authorization"), Some("Bearer cf-test-token"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let body: Value =
            serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
        let files = body["files"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.body));
        assert!(!files.is_empty() && files.len() <= 30, "{}", r.body);
        for f in files {
            let url = f.as_str().unwrap_or_default();
            let path = url
                .strip_prefix("https://explainers.example.org")
                .unwrap_or_else(|| panic!("not the site's URL: {url}"));
            purged.insert(path.to_string());
        }
    }
    assert_eq!(purged, paths, "exactly the changed paths are purged");
    assert_eq!(
        second.report["purge"]["requests"].as_u64(),
        Some(paths.len().div_ceil(30) as u64)
    );
}

/// A purge that fails for good fails the deploy (exit 1) after the
/// upload, naming the CDN, the status, the fix and the paths still to
/// purge; a missing token stops the deploy before anything is uploaded;
/// a dry run shows the purge and sends nothing.
#[test]
fn a_failed_purge_is_loud_and_a_missing_token_uploads_nothing() {
    let recorder = crate::recorder::Recorder::start();
    let (site, dest) = purging_site(&recorder, "cdn = \"cloudflare\", zone_id = \"zone1\"");
    assert_eq!(deploy_with(&site, &[], &[], &[TOKEN]).run.code, 0);
    edit_article(&site, "leap-seconds");

    let dry = deploy_with(&site, &["--dry-run"], &[], &[]);
    assert_eq!(dry.run.code, 0, "{}", dry.run.stderr);
    assert!(
        dry.run.stderr.contains("Would purge "),
        "{}",
        dry.run.stderr
    );
    assert!(
        dry.run.stderr.contains("on Cloudflare in 1 request"),
        "{}",
        dry.run.stderr
    );
    assert!(recorder.take().is_empty(), "a dry run sends nothing");

    let page = dest.path().join("www/leap-seconds/index.html");
    let before = std::fs::read(&page).unwrap_or_else(|e| panic!("{e}"));
    let untokened = deploy_with(&site, &[], &[], &[]);
    assert_eq!(untokened.run.code, 2, "{}", untokened.run.stderr);
    assert!(
        untokened
            .run
            .stderr
            .contains("$CLOUDFLARE_API_TOKEN is not set; nothing was uploaded"),
        "{}",
        untokened.run.stderr
    );
    assert_eq!(
        std::fs::read(&page).unwrap_or_default(),
        before,
        "nothing was uploaded"
    );
    assert!(recorder.take().is_empty());

    recorder.script(vec![(
        403,
        Vec::new(),
        r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#
            .to_string(),
    )]);
    let failed = deploy_with(&site, &[], &[], &[TOKEN]);
    assert_eq!(failed.run.code, 1, "{}", failed.run.stderr);
    let err = &failed.run.stderr;
    assert!(
        err.contains("but the Cloudflare purge failed: HTTP 403: Authentication error"),
        "{err}"
    );
    assert!(
        err.contains("Cache Purge permission for zone `zone1`"),
        "{err}"
    );
    assert!(
        err.contains("still to purge: ") && err.contains("/leap-seconds/"),
        "{err}"
    );
    assert_ne!(
        std::fs::read(&page).unwrap_or_default(),
        before,
        "the upload happened first"
    );
    assert_eq!(recorder.take().len(), 1, "a 403 is not retried");

    // What is left is recorded on the target, and `--purge-only` sends it
    // (and uploads nothing), then clears it.
    let manifest = || folder_manifest(&dest.path().join("www"));
    let owed = unpurged(&manifest());
    assert!(owed.contains("/leap-seconds/"), "{owed:?}");
    assert!(
        err.contains("`nutgraf deploy --purge-only` retries them"),
        "{err}"
    );
    let retried = deploy_with(&site, &["--purge-only"], &[], &[TOKEN]);
    assert_eq!(retried.run.code, 0, "{}", retried.run.stderr);
    assert!(retried.uploaded().is_empty());
    let sent: BTreeSet<String> = recorder
        .take()
        .iter()
        .flat_map(|r| {
            let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            body["files"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|f| {
                    f.as_str()
                        .unwrap_or_default()
                        .replace("https://explainers.example.org", "")
                })
        })
        .collect();
    assert_eq!(sent, owed, "--purge-only sends what was left");
    assert_eq!(manifest()["unpurged"], Value::Null, "and clears it");
    let again = deploy_with(&site, &["--purge-only"], &[], &[TOKEN]);
    assert_eq!(again.run.code, 0, "{}", again.run.stderr);
    assert!(
        again.run.stderr.contains("Nothing to purge"),
        "{}",
        again.run.stderr
    );
    assert!(recorder.take().is_empty());
}

/// Fastly gets one request a URL, with its key header; bunny.net one
/// `purge?url=` a URL.
#[test]
fn fastly_and_bunny_are_purged_one_url_a_request() {
    for (purge, token) in [
        (
            "cdn = \"fastly\", service_id = \"svc\"",
            ("FASTLY_API_TOKEN", "fk"),
        ),
        ("cdn = \"bunny\"", ("BUNNY_API_KEY", "bk")),
    ] {
        let recorder = crate::recorder::Recorder::start();
        let (site, _dest) = purging_site(&recorder, purge);
        assert_eq!(deploy_with(&site, &[], &[], &[token]).run.code, 0);
        edit_article(&site, "leap-seconds");
        let d = deploy_with(&site, &[], &[], &[token]);
        assert_eq!(d.run.code, 0, "{}", d.run.stderr);
        let paths = d.list("invalidate");
        let requests = recorder.take();
        assert_eq!(requests.len(), paths.len(), "{purge}");
        for r in &requests {
            assert_eq!(r.method, "POST");
            if token.0 == "FASTLY_API_TOKEN" {
                assert_eq!(r.header("fastly-key"), Some("fk"));
                assert!(
                    r.uri.starts_with("/purge/explainers.example.org/"),
                    "{}",
                    r.uri
                );
            } else {
                assert_eq!(r.header("accesskey"), Some("bk"));
                assert!(
                    r.uri
                        .starts_with("/purge?url=https%3A%2F%2Fexplainers.example.org%2F"),
                    "{}",
                    r.uri
                );
            }
        }
        let uris: BTreeSet<&str> = requests.iter().map(|r| r.uri.as_str()).collect();
        assert!(uris.iter().any(|u| u.contains("leap-seconds")), "{uris:?}");
    }
}

/// A target's `purge` table is checked where it is written: an unknown
/// CDN gets a did-you-mean, a CDN without the id it needs says which key.
#[test]
fn purge_config_errors_point_at_the_cdn() {
    for (purge, message, hint) in [
        (
            "cdn = \"cloudflair\", zone_id = \"z\"",
            "unknown CDN `cloudflair`",
            "did you mean `cloudflare`?",
        ),
        (
            "cdn = \"fastly\"",
            "purging fastly needs `service_id`",
            "add `service_id = \"…\"`",
        ),
    ] {
        let site = Site::empty().file(
            "nutgraf.toml",
            format!(
                "{}[[deploy.targets]]\nname = \"p\"\nurl = \"s3://b\"\npurge = {{ {purge} }}\n",
                crate::EMPTY_CONFIG
            ),
        );
        let run = site.nutgraf(&["deploy", "--output", "public"]).failure(2);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert!(run.stderr.contains(hint), "{}", run.stderr);
        assert!(run.stderr.contains("nutgraf.toml:7:"), "{}", run.stderr);
    }
}

/// An AWS config file in a folder of its own, and the variables that
/// point the AWS SDK (and so nutgraf) at it.
struct AwsFiles {
    dir: tempfile::TempDir,
}

impl AwsFiles {
    fn new(config: &str) -> AwsFiles {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("config"), config).unwrap_or_else(|e| panic!("{e}"));
        AwsFiles { dir }
    }

    fn env(&self, profile: Option<&str>) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "AWS_CONFIG_FILE".to_string(),
                self.dir.path().join("config").display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE".to_string(),
                self.dir.path().join("credentials").display().to_string(),
            ),
        ];
        if let Some(p) = profile {
            env.push(("AWS_PROFILE".to_string(), p.to_string()));
        }
        env
    }
}

/// A `credential_process` script printing `secret`'s keys as the AWS CLI
/// expects, counting its runs in `runs`.
fn credential_process(dir: &Path, secret: &str) -> String {
    let script = dir.join("creds.sh");
    let runs = dir.join("runs");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\nprintf '%s' '{{\"Version\": 1, \"AccessKeyId\": \"{ACCESS_KEY}\", \"SecretAccessKey\": \"{secret}\"}}'\n",
            runs.display()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    script.display().to_string()
}

/// Keys from a profile file (`AWS_PROFILE`), and from a
/// `credential_process` named by the target's `profile`, sign real
/// requests to the S3 server; wrong keys there are refused like wrong keys
/// anywhere; a missing profile or a failing process is a clear
/// configuration error.
#[test]
fn credentials_come_from_profiles_and_credential_process() {
    let s3 = S3::start();
    let site = demo(&config(&s3));
    let process_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let process = credential_process(process_dir.path(), SECRET_KEY);
    let files = AwsFiles::new(&format!(
        "[default]\nregion = us-east-1\n\n\
         [profile static]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n\n\
         [profile wrong]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = not-the-secret\n\n\
         [profile process]\ncredential_process = {process}\n\n\
         [profile broken]\ncredential_process = /bin/sh -c 'echo token expired >&2; exit 3'\n"
    ));

    // AWS_PROFILE, static keys.
    let first = deploy_with(&site, &[], &files.env(Some("static")), &[]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    assert!(!first.uploaded().is_empty());
    assert_bucket_equals_local(&site);

    // The profile's keys are the ones used: a wrong secret is refused.
    edit_article(&site, "leap-seconds");
    let refused = deploy_with(&site, &[], &files.env(Some("wrong")), &[]);
    assert_eq!(refused.run.code, 1, "{}", refused.run.stderr);
    assert!(refused.run.stderr.contains("403"), "{}", refused.run.stderr);

    // The target's `profile` (over AWS_PROFILE), from credential_process,
    // which runs once however many requests the deploy signs.
    let original =
        std::fs::read_to_string(site.root.join("nutgraf.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(original.matches("region = \"us-east-1\"\n").count(), 1);
    let with_profile = |profile: &str| {
        site.write(
            "nutgraf.toml",
            &original.replace(
                "region = \"us-east-1\"\n",
                &format!("region = \"us-east-1\"\nprofile = \"{profile}\"\n"),
            ),
        );
    };
    with_profile("process");
    let second = deploy_with(&site, &[], &files.env(Some("wrong")), &[]);
    assert_eq!(second.run.code, 0, "{}", second.run.stderr);
    assert!(
        second.uploaded().contains("leap-seconds/index.html"),
        "{:?}",
        second.uploaded()
    );
    assert_bucket_equals_local(&site);
    let runs = std::fs::read_to_string(process_dir.path().join("runs")).unwrap_or_default();
    assert_eq!(runs.lines().count(), 1, "credential_process ran {runs:?}");
    let requests = second.report["requests"]["put"].as_u64().unwrap_or(0);
    assert!(requests > 1, "{}", second.report["requests"]);

    // A profile that does not exist, and a process that fails: exit 2,
    // nothing uploaded, and what to fix.
    edit_article(&site, "leap-seconds");
    let bucket =
        || inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    let before = bucket();
    with_profile("missing");
    let missing = deploy_with(&site, &[], &files.env(None), &[]);
    assert_eq!(missing.run.code, 2, "{}", missing.run.stderr);
    assert!(
        missing
            .run
            .stderr
            .contains("error: no AWS profile `missing` for `s3://site` (looked in "),
        "{}",
        missing.run.stderr
    );
    assert!(
        missing.run.stderr.contains(
            "help: add `[profile missing]` to the config file (or `[missing]` to the credentials file)"
        ),
        "{}",
        missing.run.stderr
    );
    with_profile("broken");
    let broken = deploy_with(&site, &[], &files.env(None), &[]);
    assert_eq!(broken.run.code, 2, "{}", broken.run.stderr);
    assert!(
        broken.run.stderr.contains("token expired"),
        "{}",
        broken.run.stderr
    );
    assert_eq!(bucket(), before, "nothing was uploaded");
}

/// Fastly by surrogate key: every page in the bucket carries its key as
/// `x-amz-meta-surrogate-key` (hashed assets none), and a deploy purges
/// the changed pages' keys, both URL forms of a page by one key, in one
/// request instead of one a URL. A folder target cannot carry keys.
#[test]
fn fastly_surrogate_keys_are_stored_with_the_objects_and_purged() {
    let s3 = S3::start();
    let recorder = crate::recorder::Recorder::start();
    let site = demo(&format!(
        "\n[[deploy.targets]]\nname = \"test\"\nurl = \"s3://{BUCKET}/www\"\n\
         endpoint = \"http://127.0.0.1:{}\"\nregion = \"us-east-1\"\n\
         purge = {{ cdn = \"fastly\", service_id = \"svc\", surrogate_keys = true, endpoint = \"http://127.0.0.1:{}\" }}\n",
        s3.port, recorder.port
    ));
    let token = ("FASTLY_API_TOKEN", "fk");
    let first = deploy_with(&site, &[], &env(SECRET_KEY), &[token]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    assert!(recorder.take().is_empty());

    let objects =
        inspect::objects(&target(&site), &env(SECRET_KEY)).unwrap_or_else(|e| panic!("{e:#}"));
    let key = |path: &str| {
        objects[path]
            .meta
            .as_ref()
            .and_then(|m| m.surrogate_key.clone())
    };
    assert_eq!(
        key("leap-seconds/index.html").as_deref(),
        Some("/leap-seconds/")
    );
    assert_eq!(key("index.html").as_deref(), Some("/"));
    assert_eq!(key("atom.xml").as_deref(), Some("/atom.xml"));
    let assets: Vec<&String> = objects
        .keys()
        .filter(|p| p.starts_with("assets/"))
        .collect();
    assert!(!assets.is_empty());
    assert!(
        assets.iter().all(|p| key(p).is_none()),
        "hashed assets carry no key"
    );

    edit_article(&site, "leap-seconds");
    let second = deploy_with(&site, &[], &env(SECRET_KEY), &[token]);
    assert_eq!(second.run.code, 0, "{}", second.run.stderr);
    let paths = second.list("invalidate");
    assert!(
        paths.contains("/leap-seconds/") && paths.contains("/leap-seconds/index.html"),
        "{paths:?}"
    );
    let requests = recorder.take();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.uri.as_str()),
        ("POST", "/service/svc/purge")
    );
    assert_eq!(r.header("fastly-key"), Some("fk"));
    let body: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
    let sent: BTreeSet<String> = body["surrogate_keys"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.body))
        .iter()
        .map(|k| k.as_str().unwrap_or_default().to_string())
        .collect();
    let expected: BTreeSet<String> = paths
        .iter()
        .map(|p| p.strip_suffix("index.html").unwrap_or(p).to_string())
        .collect();
    assert_eq!(
        sent, expected,
        "one key a page, for exactly the changed paths"
    );
    assert!(sent.len() < paths.len(), "{sent:?}");

    let folder = Site::empty().file(
        "nutgraf.toml",
        format!(
            "{}[[deploy.targets]]\nname = \"p\"\nurl = \"file:///srv/www\"\n\
             purge = {{ cdn = \"fastly\", service_id = \"s\", surrogate_keys = true }}\n",
            crate::EMPTY_CONFIG
        ),
    );
    let run = folder.nutgraf(&["deploy", "--output", "public"]).failure(2);
    assert!(
        run.stderr
            .contains("target `p` is a folder, which cannot carry Fastly surrogate keys"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nutgraf.toml:7:9"), "{}", run.stderr);
}

const DATED: &str = "+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\n\nText.\n";

/// Regression: a bad `[[deploy.targets]]` entry made `build` and `serve`
/// fail with exit 2. Only `deploy` reads `[deploy]`: `build` warns and
/// builds, `deploy` refuses with exit 2 before building anything.
#[test]
fn a_bad_deploy_target_stops_only_deploy() {
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            format!(
                "{}[[deploy.targets]]\nname = \"p\"\nurl = \"https://bucket.example.org\"\n",
                crate::EMPTY_CONFIG
            ),
        )
        .file("content/a.md", DATED);
    let run = site.nutgraf(&["deploy", "--dry-run"]).failure(2);
    insta::assert_snapshot!(run.diagnostics(), @r#"
    error: `url` must be `s3://bucket/prefix` or `file:///absolute/folder`, found `https://bucket.example.org`
     --> nutgraf.toml:6:7
      = help: for Cloudflare R2, MinIO and other S3-compatible stores, write `url = "s3://bucket"` and set `endpoint`

    error: deploy failed: 1 error, 0 warnings
    "#);
    assert!(
        !site.root.join("public").exists(),
        "deploy built a site it could not deploy"
    );
    let run = site.build(&[]).success();
    insta::assert_snapshot!(run.diagnostics(), @r#"
    warning: `url` must be `s3://bucket/prefix` or `file:///absolute/folder`, found `https://bucket.example.org` (in `[deploy]`, which only `nutgraf deploy` reads)
     --> nutgraf.toml:6:7
      = help: for Cloudflare R2, MinIO and other S3-compatible stores, write `url = "s3://bucket"` and set `endpoint`
    "#);
    site.build(&["--strict"]).failure(1);
}

/// `deploy` checks its target and the folder it would upload before it
/// builds: an unknown `--target` is named as the flag's value, and
/// `--output` gets `build --output`'s guard (before, `deploy --output .`
/// planned to upload `nutgraf.toml` and `content/`).
#[test]
fn deploy_checks_its_target_and_folder_before_building() {
    let dest = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = Site::empty()
        .file(
            "nutgraf.toml",
            format!(
                "{}[[deploy.targets]]\nname = \"folder\"\nurl = \"file://{}\"\n",
                crate::EMPTY_CONFIG,
                dest.path().join("www").display()
            ),
        )
        .file("content/a.md", DATED);
    let run = site.nutgraf(&["deploy", "--target", "foldr"]).failure(2);
    insta::assert_snapshot!(run.diagnostics(), @r"
    error: no deploy target named `foldr`
      = help: did you mean `folder`?
    ");
    assert!(!site.root.join("public").exists());
    let root = site.root.display().to_string();
    let content = site.root.join("content").display().to_string();
    for output in [root.as_str(), content.as_str()] {
        let run = site
            .nutgraf(&["deploy", "--output", output, "--dry-run"])
            .failure(2);
        assert!(
            run.stderr.contains(&format!(
                "error: refusing to deploy `{output}`: it holds the site's sources"
            )),
            "{}",
            run.stderr
        );
    }
    assert!(!dest.path().join("www").exists());
}
