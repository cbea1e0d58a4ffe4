//! `cargo bench --bench serve_latency`: save-to-updated-DOM latency of
//! `nutgraf serve` in a real headless Chromium, and serve's peak memory.
//!
//! NUTGRAF_BENCH_SITE names the site to serve (it is copied first, never
//! edited in place), for example the team corpus:
//!
//! ```sh
//! python3 ../shared/bench/gen_corpus.py 10000 /tmp/corpus --tools nutgraf
//! NUTGRAF_BENCH_SITE=/tmp/corpus/nutgraf cargo bench --bench serve_latency
//! ```
//!
//! It opens one article (NUTGRAF_BENCH_ARTICLE, a path under content/, or
//! the first), then NUTGRAF_BENCH_EDITS times (default 25) saves
//! the article's Markdown with a new paragraph after the front matter. A
//! MutationObserver in the page stamps the moment the new text is in the
//! DOM (`performance.timeOrigin + performance.now()`, the same wall clock as
//! the save's timestamp on this machine). Needs Debian's chromium and
//! chromium-driver.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let rel = entry
            .path()
            .strip_prefix(from)
            .unwrap_or_else(|e| panic!("{e}"));
        if rel.starts_with(".nutgraf-cache") || rel.starts_with("public") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap_or_else(|e| panic!("{e}"));
        } else {
            std::fs::copy(entry.path(), &dest).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let Some(source) = std::env::var_os("NUTGRAF_BENCH_SITE").map(PathBuf::from) else {
        eprintln!(
            "serve_latency: set NUTGRAF_BENCH_SITE to a site folder (see the bench's doc comment); skipped"
        );
        return;
    };
    let edits: usize = std::env::var("NUTGRAF_BENCH_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(25);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = tmp.path().join("site");
    copy_tree(&source, &root);

    // The article to edit: NUTGRAF_BENCH_ARTICLE (a path under content/),
    // else the first Markdown file under content/.
    let article = match std::env::var_os("NUTGRAF_BENCH_ARTICLE") {
        Some(rel) => root.join("content").join(rel),
        None => walkdir::WalkDir::new(root.join("content"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(walkdir::DirEntry::into_path)
            .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
            .unwrap_or_else(|| panic!("no article in {}", source.display())),
    };
    let original = std::fs::read_to_string(&article).unwrap_or_else(|e| panic!("{e}"));
    let body_at = original[3..]
        .find("+++")
        .map(|i| i + 6)
        .unwrap_or_else(|| panic!("no front matter in {}", article.display()));

    let port = free_port();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .arg("--root")
        .arg(&root)
        .args(["serve", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start serve: {e}"));
    let pid = child.id();
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let serve = Guard(child);
    let passes: Arc<Mutex<Vec<String>>> = Arc::default();
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let passes = passes.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("Serving") {
                    let _ = tx.send(());
                } else if line.starts_with("Rebuilt") {
                    passes.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                } else if !line.is_empty() {
                    eprintln!("serve: {line}");
                }
            }
        });
    }
    rx.recv_timeout(Duration::from_secs(600))
        .unwrap_or_else(|_| panic!("serve did not start"));
    let startup = started.elapsed();

    let driver_port = free_port();
    let _driver = Guard(
        Command::new("chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("chromedriver: {e} (install chromium-driver)")),
    );
    while std::net::TcpStream::connect(("127.0.0.1", driver_port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let rel = article
        .strip_prefix(root.join("content"))
        .unwrap_or_else(|e| panic!("{e}"));
    let url_path = if rel.ends_with("index.md") {
        rel.parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        rel.with_extension("").to_string_lossy().into_owned()
    };

    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let (latencies, to_message, morphs) = runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let c: Client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let page = format!("http://127.0.0.1:{port}/{}/", slug(&url_path));
        c.goto(&page).await.unwrap_or_else(|e| panic!("{page}: {e}"));
        let mut latencies = Vec::with_capacity(edits);
        let mut to_message = Vec::with_capacity(edits);
        let mut morphs = Vec::with_capacity(edits);
        for i in 0..edits {
            let token = format!("nutgraf-bench-edit-{i}-{}", std::process::id());
            c.execute(
                "const token = arguments[0]; window.__seen = null; window.__nutgrafMorphMs = null;
                 const stamp = () => {
                   if (window.__seen === null && document.body.textContent.includes(token)) {
                     window.__seen = performance.timeOrigin + performance.now();
                   }
                 };
                 new MutationObserver(stamp).observe(document.body, {childList: true, subtree: true, characterData: true});
                 return true;",
                vec![json!(token)],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let text = format!("{}\nA sentence saved by the benchmark: {token}.\n\n{}", &original[..body_at], &original[body_at..]);
            let saved = now_ms();
            std::fs::write(&article, text).unwrap_or_else(|e| panic!("{e}"));
            let deadline = Instant::now() + Duration::from_secs(30);
            let seen = loop {
                let v = c.execute("return window.__seen", vec![]).await.unwrap_or(Value::Null);
                if let Some(t) = v.as_f64() {
                    break t;
                }
                assert!(Instant::now() < deadline, "edit {i} never reached the page");
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            let message = c
                .execute("return window.__nutgrafMessageAt", vec![])
                .await
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(f64::NAN);
            // The morph's own time, as the client measured it.
            let morph = c
                .execute("return window.__nutgrafMorphMs", vec![])
                .await
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(f64::NAN);
            latencies.push(seen - saved);
            morphs.push(morph);
            to_message.push(message - saved);
            // Let the server settle before the next save.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let _ = c.close().await;
        (latencies, to_message, morphs)
    });
    let peak = peak_rss_mib(pid);
    drop(serve);

    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let articles = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();
    println!(
        "serve_latency: {articles} Markdown files, {edits} edits of {}",
        rel.display()
    );
    println!(
        "startup (first full pass, listening): {:.1} s",
        startup.as_secs_f64()
    );
    println!(
        "save-to-DOM latency: median {:.0} ms, p95 {:.0} ms, min {:.0} ms, max {:.0} ms",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.95),
        sorted[0],
        sorted[sorted.len() - 1]
    );
    let mut to_message = to_message;
    to_message.sort_by(f64::total_cmp);
    let passes = passes.lock().unwrap_or_else(|e| e.into_inner());
    // "Rebuilt in N ms: ..." lines of the edits (the first is startup).
    let mut pass_ms: Vec<f64> = passes
        .iter()
        .skip(1)
        .filter_map(|l| {
            l.strip_prefix("Rebuilt in ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    pass_ms.sort_by(f64::total_cmp);
    if !pass_ms.is_empty() {
        println!(
            "  of which: serve's pass median {:.0} ms; save to live-reload message median {:.0} ms",
            percentile(&pass_ms, 0.5),
            percentile(&to_message, 0.5)
        );
    }
    let mut morphs = morphs;
    morphs.sort_by(f64::total_cmp);
    println!(
        "  the morph in the page: median {:.1} ms, max {:.1} ms",
        percentile(&morphs, 0.5),
        morphs[morphs.len() - 1]
    );
    println!("serve peak RSS: {peak:.0} MiB");
    if let Some(last) = passes.last() {
        println!("last pass as serve reported it: {last}");
    }
}

/// The URL slug of a content path, the way nutgraf makes it.
fn slug(path: &str) -> String {
    path.split('/')
        .map(slug::slugify)
        .collect::<Vec<_>>()
        .join("/")
}
