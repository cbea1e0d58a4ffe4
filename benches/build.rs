//! `cargo bench`: clean builds of a generated explainer site.
//!
//! Generates `NUTGRAF_BENCH_PAGES` articles (default 2,000) shaped like the
//! explainers nutgraf is for — a lede, question sections, credited figures,
//! a code block, a table, footnotes — then times full clean builds through
//! the library and prints the median, pages per second and the spread.
//! For the side-by-side comparison with Hugo on the team corpus, see
//! `../shared/bench/compare.sh` (documented in the README).

use std::time::{Duration, Instant};

mod common;

const RUNS: usize = 5;

fn main() {
    let pages: usize = std::env::var("NUTGRAF_BENCH_PAGES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = tmp.path().join("site");
    common::generate(&root, pages);

    let opts = nutgraf::BuildOptions {
        root: root.clone(),
        output: Some(tmp.path().join("public")),
        drafts: false,
        strict: false,
        progress: false,
        force: false,
        clean: true,
    };
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    // one warm-up run fills the page cache
    for run in 0..=RUNS {
        let start = Instant::now();
        let report = nutgraf::build(&opts).unwrap_or_else(|e| panic!("bench build failed:\n{e}"));
        let elapsed = start.elapsed();
        assert_eq!(report.pages, pages, "every generated article must be built");
        if run > 0 {
            times.push(elapsed);
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "clean build of {pages} articles: median {:.3} s ({:.0} pages/s), min {:.3} s, max {:.3} s over {RUNS} runs",
        median.as_secs_f64(),
        pages as f64 / median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
    );
}
