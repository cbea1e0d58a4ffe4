//! `nutgraf deploy` end to end: the demo site deployed to a real
//! S3-compatible server and to a local folder. Expectations come from the
//! local builds, never from hard-coded file lists.
//!
//! The server is s3s-fs, used as a library: each test starts it inside the
//! test process on 127.0.0.1 (a port the OS picks), on a thread of its own,
//! and stops it when the test ends. The `nutgraf` binary under test runs as
//! a subprocess and talks to it over HTTP, as it would to AWS S3. Nothing
//! needs installing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nutgraf::config::{Config, DeployTarget};
use nutgraf::deploy::inspect;
use nutgraf::deploy::local::LocalFile;
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

use crate::{Run, Site, copy_tree};

const ACCESS_KEY: &str = "nutgraf-test";
const SECRET_KEY: &str = "nutgraf-test-secret";
const BUCKET: &str = "site";
const MANIFEST: &str = ".nutgraf-manifest.json";

/// An s3s-fs server with one empty bucket, served in-process until dropped.
struct S3 {
    port: u16,
    data: TempDir,
    stop: Option<oneshot::Sender<()>>,
    server: Option<std::thread::JoinHandle<()>>,
}

impl S3 {
    fn start() -> S3 {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // s3s-fs serves each folder of its root as a bucket.
        std::fs::create_dir(data.path().join(BUCKET)).unwrap_or_else(|e| panic!("{e}"));
        let fs = s3s_fs::FileSystem::new(data.path()).unwrap_or_else(|e| panic!("s3s-fs: {e:?}"));
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
        // Bound here, before the test goes on: the port is known and
        // already accepting, with no window for another process to take it.
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
            .unwrap_or_else(|e| panic!("bind 127.0.0.1:0: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let (stop, mut stopped) = oneshot::channel::<()>();
        let server = std::thread::Builder::new()
            .name(format!("s3s-fs:{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    loop {
                        let socket = tokio::select! {
                            _ = &mut stopped => break,
                            accepted = listener.accept() => match accepted {
                                Ok((socket, _)) => socket,
                                Err(e) => {
                                    eprintln!("s3s-fs: accept: {e}");
                                    tokio::time::sleep(Duration::from_millis(10)).await;
                                    continue;
                                }
                            },
                        };
                        let connection = hyper::server::conn::http1::Builder::new()
                            .serve_connection(
                                hyper_util::rt::TokioIo::new(socket),
                                service.clone(),
                            );
                        tokio::spawn(async move {
                            let _ = connection.await;
                        });
                    }
                });
                // Open connections and file writes still under way end here.
                runtime.shutdown_timeout(Duration::from_secs(5));
            })
            .unwrap_or_else(|e| panic!("start the s3s-fs thread: {e}"));
        S3 {
            port,
            data,
            stop: Some(stop),
            server: Some(server),
        }
    }

    fn config(&self) -> String {
        format!(
            "\n[[deploy.targets]]\nname = \"test\"\nurl = \"s3://{BUCKET}/www\"\n\
             endpoint = \"http://127.0.0.1:{}\"\nregion = \"us-east-1\"\ninvalidate_max = 40\n\
             cloudfront_distribution_id = \"E2TEST\"\n\n\
             [[deploy.matchers]]\npattern = \"**/*.xml\"\ncache_control = \"public, max-age=300\"\n\n\
             [[deploy.matchers]]\npattern = \"robots.txt\"\ngzip = true\n",
            self.port
        )
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

fn env(secret: &str) -> Vec<(String, String)> {
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
fn demo(extra_config: &str) -> Site {
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
struct Deployed {
    run: Run,
    report: Value,
}

impl Deployed {
    fn list(&self, key: &str) -> BTreeSet<String> {
        self.report[key]
            .as_array()
            .unwrap_or_else(|| panic!("no `{key}` in report {}", self.report))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Paths uploaded, new or replaced.
    fn uploaded(&self) -> BTreeSet<String> {
        let mut all = self.list("new");
        all.extend(self.list("updated"));
        all
    }
}

fn deploy_with(
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

fn target(site: &Site) -> DeployTarget {
    let config = Config::load(&site.root).unwrap_or_else(|e| panic!("{e}"));
    config.deploy.targets[0].clone()
}

/// The built site as deploy sees it: path → file.
fn local(site: &Site) -> BTreeMap<String, LocalFile> {
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
fn assert_bucket_equals_local(site: &Site) {
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

fn edit_article(site: &Site, slug: &str) {
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
    let site = demo(&s3.config());

    // 1. First deploy: every file, with its headers.
    let first = deploy(&site, &[]);
    let v1 = local(&site);
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

    // 2. Nothing changed: nothing uploaded, only a listing and the manifest read.
    let second = deploy(&site, &[]);
    assert!(second.uploaded().is_empty(), "{}", second.run.stderr);
    assert!(second.list("deleted").is_empty());
    assert_eq!(second.report["unchanged"], v1.len());
    assert_eq!(second.report["requests"]["put"], 0);
    assert_eq!(second.report["requests"]["list"], 1);
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
    assert!(third.list("deleted").is_empty());
    let invalidate = third.list("invalidate");
    assert!(
        invalidate.contains("/leap-seconds/") && invalidate.contains("/leap-seconds/index.html"),
        "{invalidate:?}"
    );
    let command = third.report["cloudfront_command"]
        .as_str()
        .unwrap_or_default();
    assert!(
        command.starts_with("aws cloudfront create-invalidation --distribution-id E2TEST --paths "),
        "{command}"
    );
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
    let site = demo(&s3.config());
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
    let site = demo(&s3.config());
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
    let site = demo(&s3.config());
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
    let site = demo(&s3.config());
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
