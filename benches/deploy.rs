//! `cargo bench --bench deploy`: a built site deployed to s3s-fs (served
//! in this process by the deploy tests' server, which counts the requests
//! it answers), then deployed again unchanged, timed and counted.
//!
//! NUTGRAF_BENCH_SITE names a site that `nutgraf build` has built (its
//! `public/` is deployed as it is; its `nutgraf.toml` is copied and given a
//! deploy target, the site itself is not touched), for example the team
//! corpus:
//!
//! ```sh
//! python3 ../shared/bench/gen_corpus.py 10000 /tmp/c10k --tools nutgraf
//! cargo build --release && target/release/nutgraf --root /tmp/c10k/nutgraf build
//! NUTGRAF_BENCH_SITE=/tmp/c10k/nutgraf NUTGRAF_BIN=target/release/nutgraf \
//!     cargo bench --bench deploy --profile dev
//! ```
//!
//! NUTGRAF_BIN picks the `nutgraf` to measure (default: the one cargo built
//! for this bench), so one run can compare two builds; `--profile dev`
//! reuses the test build of s3s-fs instead of compiling every
//! dev-dependency again in release. It runs a first deploy, then
//! NUTGRAF_BENCH_RUNS (default 5) no-change deploys, then one `--verify`.
//! Each line shows nutgraf's own summary, the wall time of the process and
//! the requests the server counted.

#[path = "../tests/nutgraf/s3.rs"]
#[allow(dead_code)]
mod s3;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use s3::{ACCESS_KEY, BUCKET, Requests, S3, SECRET_KEY};

fn main() {
    let Some(site) = std::env::var_os("NUTGRAF_BENCH_SITE").map(PathBuf::from) else {
        eprintln!("set NUTGRAF_BENCH_SITE to a built site (see the top of benches/deploy.rs)");
        std::process::exit(2);
    };
    let output = site.join("public");
    assert!(
        output.is_dir(),
        "{} has no public/: run `nutgraf build` on it first",
        site.display()
    );
    let bin = std::env::var_os("NUTGRAF_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_nutgraf")));
    let runs: usize = std::env::var("NUTGRAF_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);

    let s3 = S3::start();
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = std::fs::read_to_string(site.join("nutgraf.toml"))
        .unwrap_or_else(|e| panic!("{}: {e}", site.display()));
    std::fs::write(
        root.path().join("nutgraf.toml"),
        format!(
            "{config}\n[[deploy.targets]]\nname = \"bench\"\nurl = \"s3://{BUCKET}/www\"\n\
             endpoint = \"http://127.0.0.1:{}\"\nregion = \"us-east-1\"\n",
            s3.port
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "deploying {} with {} to s3s-fs",
        output.display(),
        bin.display()
    );

    let deploy = |label: &str, args: &[&str]| -> f64 {
        let before = s3.requests();
        let started = Instant::now();
        let summary = run(&bin, root.path(), &output, args);
        let wall = started.elapsed().as_secs_f64();
        let served: Requests = s3.requests() - before;
        println!("{label}: {wall:.2} s wall; server counted {served}\n  {summary}");
        wall
    };
    deploy("first deploy", &[]);
    let mut walls: Vec<f64> = (1..=runs)
        .map(|i| deploy(&format!("no-change deploy {i}/{runs}"), &[]))
        .collect();
    walls.sort_by(f64::total_cmp);
    if let Some(median) = walls.get(walls.len() / 2) {
        println!("no-change deploy: median {median:.2} s wall over {runs} runs");
    }
    // Builds from before `--verify` (to compare against) skip it.
    let help = Command::new(&bin)
        .args(["deploy", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()));
    if String::from_utf8_lossy(&help.stdout).contains("--verify") {
        deploy("no-change deploy --verify", &["--verify"]);
    } else {
        println!("(this nutgraf has no --verify)");
    }
}

/// Runs one `nutgraf deploy` and returns its summary line.
fn run(bin: &Path, root: &Path, output: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .arg("--root")
        .arg(root)
        .arg("deploy")
        .arg("--output")
        .arg(output)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "deploy failed:\n{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            l.starts_with("Deployed") || l.starts_with("note:") || l.starts_with("warning:")
        })
        .collect();
    lines.join("\n  ")
}
