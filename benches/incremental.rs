//! `cargo bench --bench incremental`: a cold build against the builds that
//! follow it, in one run: nothing changed, one article's body edited, and
//! `page.html` edited (every article page uses it).
//!
//! The site is `NUTGRAF_BENCH_SITE` (for the team corpus:
//! `../shared/bench/gen_corpus.py 10000 DIR`, then `DIR/nutgraf`), else a
//! generated one of `NUTGRAF_BENCH_PAGES` articles (default 2,000). The
//! output goes to `NUTGRAF_BENCH_OUT`, by default a folder in `/dev/shm`
//! (a RAM disk) where there is one, so the disk's noise decides nothing.
//! Each kind of build runs `NUTGRAF_BENCH_RUNS` times (default 5); the
//! medians and their ratio to the cold build are printed. The site's files
//! are restored afterwards.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

fn main() {
    let runs: usize = env_number("NUTGRAF_BENCH_RUNS").unwrap_or(5);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = match std::env::var_os("NUTGRAF_BENCH_SITE") {
        Some(site) => PathBuf::from(site),
        None => {
            let root = tmp.path().join("site");
            common::generate(&root, env_number("NUTGRAF_BENCH_PAGES").unwrap_or(2_000));
            root
        }
    };
    let out = match std::env::var_os("NUTGRAF_BENCH_OUT") {
        Some(out) => PathBuf::from(out),
        None if Path::new("/dev/shm").is_dir() => PathBuf::from(format!(
            "/dev/shm/nutgraf-bench-incremental-{}",
            std::process::id()
        )),
        None => tmp.path().join("public"),
    };
    let opts = nutgraf::BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        drafts: false,
        strict: false,
        progress: false,
        force: false,
        clean: false,
    };
    let article = first_article(&root.join("content"));
    let original = read(&article);
    let template = root.join("templates/page.html");
    let had_template = template.is_file().then(|| read(&template));
    let built_in = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/page.html"));

    let mut cold = Vec::new();
    let mut unchanged = Vec::new();
    let mut body = Vec::new();
    let mut templ = Vec::new();
    let mut pages = 0;
    for run in 0..runs {
        // Cold: no output, no cache (as ../shared/bench/compare.sh does).
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(root.join(".nutgraf-cache"));
        let (t, report) = time(&opts);
        pages = report.pages;
        cold.push(t);

        let (t, report) = time(&opts);
        assert_eq!(
            report.reused, report.pages,
            "a no-change build rendered pages"
        );
        unchanged.push(t);

        write(
            &article,
            &format!("{original}\nA paragraph added by run {run} of the bench.\n"),
        );
        let (t, report) = time(&opts);
        assert_eq!(
            report.pages - report.reused,
            1,
            "a body edit rendered other pages"
        );
        body.push(t);

        let base = had_template.as_deref().unwrap_or(&built_in);
        write(&template, &format!("{base}{{# bench run {run} #}}\n"));
        let (t, report) = time(&opts);
        assert_eq!(report.reused, 0, "a page.html edit reused article pages");
        templ.push(t);

        write(&article, &original);
        match &had_template {
            Some(text) => write(&template, text),
            None => {
                let _ = std::fs::remove_file(&template);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);

    let cold = median(cold);
    println!(
        "{pages} articles, {runs} runs each, output in {}",
        out.display()
    );
    println!(
        "cold build (no output, no cache): {:.3} s",
        cold.as_secs_f64()
    );
    for (what, times) in [
        ("no change", unchanged),
        ("one article's body edited", body),
        ("page.html edited (every article)", templ),
    ] {
        let m = median(times);
        println!(
            "{what}: {:.3} s = 1/{:.1} of the cold build",
            m.as_secs_f64(),
            cold.as_secs_f64() / m.as_secs_f64()
        );
    }
}

fn time(opts: &nutgraf::BuildOptions) -> (Duration, nutgraf::BuildReport) {
    let start = Instant::now();
    let report = nutgraf::build(opts).unwrap_or_else(|e| panic!("bench build failed:\n{e}"));
    (start.elapsed(), report)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|n| n.parse().ok())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The first article (by path) under `content`, bundles included.
fn first_article(content: &Path) -> PathBuf {
    let mut all: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "_index.md"))
        .collect();
    all.sort();
    all.into_iter()
        .next()
        .unwrap_or_else(|| panic!("no article under {}", content.display()))
}
