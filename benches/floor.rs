//! `cargo bench --bench floor`: what the crates nutgraf must use cost on
//! their own, on a site's Markdown, with every core: pulldown-cmark
//! parsing and writing HTML, and syntect (onig) highlighting every fenced
//! code block. Their sum, per core, is a floor under any cold build of
//! that site, whatever nutgraf does around them; it tells how far a
//! speed target is reachable at all (issue 15's 5× Hugo).
//!
//! usage: NUTGRAF_BENCH_SITE=<site with content/> cargo bench --bench floor
//! (default: a generated 2,000-article site, as `benches/build.rs` makes).

use std::time::{Duration, Instant};

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
use rayon::prelude::*;

mod common;

const RUNS: usize = 5;

fn main() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = match std::env::var_os("NUTGRAF_BENCH_SITE") {
        Some(site) => std::path::PathBuf::from(site),
        None => {
            let root = tmp.path().join("site");
            common::generate(&root, 2_000);
            root
        }
    };
    let bodies: Vec<String> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_else(|err| panic!("{err}")))
        .collect();
    let config = nutgraf::config::MarkdownConfig::default();
    // The code blocks, found once (not timed): (language, code).
    let blocks: Vec<(String, String)> = bodies
        .par_iter()
        .flat_map_iter(|body| {
            let mut out = Vec::new();
            let mut open: Option<(String, String)> = None;
            for event in nutgraf::markdown::new_cmark_parser(body, &config) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        let lang = nutgraf::markdown::highlight::language_of(&info)
                            .unwrap_or("")
                            .to_string();
                        open = Some((lang, String::new()));
                    }
                    Event::Text(t) => {
                        if let Some((_, code)) = open.as_mut() {
                            code.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => out.extend(open.take()),
                    _ => {}
                }
            }
            out
        })
        .collect();
    let lines: usize = blocks.iter().map(|(_, c)| c.lines().count()).sum();
    println!(
        "{} Markdown files ({} MB), {} fenced code blocks ({lines} lines); {} threads",
        bodies.len(),
        bodies.iter().map(String::len).sum::<usize>() / 1_000_000,
        blocks.len(),
        rayon::current_num_threads()
    );
    // Warm syntect's lazily compiled syntaxes, as a build's first pages do.
    for (lang, code) in blocks.iter().take(50) {
        nutgraf::markdown::highlight::code_block(Some(lang), code);
    }

    let markdown = median(|| {
        let bytes: usize = bodies
            .par_iter()
            .map(|body| {
                let mut html = String::with_capacity(body.len() * 3 / 2);
                pulldown_cmark::html::push_html(
                    &mut html,
                    nutgraf::markdown::new_cmark_parser(body, &config),
                );
                html.len()
            })
            .sum();
        std::hint::black_box(bytes);
    });
    let syntect = median(|| {
        let bytes: usize = blocks
            .par_iter()
            .map(|(lang, code)| nutgraf::markdown::highlight::code_block(Some(lang), code).len())
            .sum();
        std::hint::black_box(bytes);
    });
    println!(
        "pulldown-cmark, parse and write HTML: {:.3} s",
        markdown.as_secs_f64()
    );
    println!(
        "syntect, highlight every block:      {:.3} s ({:.1} µs a line per thread)",
        syntect.as_secs_f64(),
        syntect.as_secs_f64() * 1e6 * rayon::current_num_threads() as f64 / lines.max(1) as f64
    );
    println!(
        "floor (their sum):                   {:.3} s",
        (markdown + syntect).as_secs_f64()
    );
}

/// The median wall time of `RUNS` runs of `f`.
fn median(f: impl Fn()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}
