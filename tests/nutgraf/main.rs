//! Integration tests: fixture sites built by the real `nutgraf` binary.
//!
//! Each test starts from a fixture in `tests/fixtures/<case>/` (or an empty
//! site), copied into a temporary folder, and adds or edits files with the
//! fluent [`Site`] helper before building.

#[cfg(feature = "serve")]
mod authoring;
mod blog;
mod bundles;
mod cdn;
mod check;
#[cfg(feature = "deploy")]
mod cloudfront;
mod components;
mod demo;
#[cfg(feature = "deploy")]
mod deploy;
mod descriptions;
mod errors;
mod exit_codes;
mod figures;
mod fuzz;
mod holes;
mod ignored;
mod images;
mod incremental;
mod languages;
mod listings;
mod markdown;
mod output;
mod owners;
mod questions;
#[cfg(feature = "deploy")]
mod recorder;
#[cfg(feature = "serve")]
mod rtl;
#[cfg(feature = "deploy")]
mod s3;
mod scaffold;
#[cfg(feature = "search")]
mod search;
#[cfg(feature = "serve")]
mod serve;
mod slots;
mod strings;
mod summaries;
mod themes;

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The config of [`Site::empty`]: minification off, so tests can match
/// the HTML they expect (the `minify` test covers it on).
pub const EMPTY_CONFIG: &str =
    "title = \"Test site\"\nbase_url = \"https://test.example.org\"\nminify = false\n";

/// Kills a server the test started when the test ends, passing or not.
#[cfg(feature = "serve")]
pub struct Guard(pub std::process::Child);

#[cfg(feature = "serve")]
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on, for a server the test starts.
#[cfg(feature = "serve")]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// The whole raw response (head and body) to a plain HTTP/1.0 GET of
/// `path` from a server on 127.0.0.1.
#[cfg(feature = "serve")]
pub fn raw_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to serve: {e}"));
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap_or_else(|e| panic!("{e}"));
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

/// A running `nutgraf serve`, stopped when dropped.
#[cfg(feature = "serve")]
pub struct Serving {
    pub process: Guard,
    pub port: u16,
    /// What serve printed before it listened: the first pass.
    pub startup: Vec<String>,
    /// What serve prints on stderr after it started listening, a line at a
    /// time (each pass says `Rebuilt in …` or prints its error).
    pub stderr: std::sync::mpsc::Receiver<String>,
}

/// Starts `nutgraf serve` on a free port; returns once it listens.
#[cfg(feature = "serve")]
pub fn start_serve(root: &Path) -> Serving {
    start_serve_with(root, &[])
}

/// Starts `nutgraf serve` with `args` after `serve` on a free port;
/// returns once it listens.
#[cfg(feature = "serve")]
pub fn start_serve_with(root: &Path, args: &[&str]) -> Serving {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .args(["--root"])
        .arg(root)
        .args(["serve", "--port", &port.to_string()])
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start nutgraf serve: {e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Keeps reading when nobody listens, so serve never blocks on a
        // full pipe.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("serve: {line}");
            let _ = tx.send(line);
        }
    });
    let process = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut startup = Vec::new();
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("nutgraf serve did not start"));
        if line.starts_with("Serving") {
            break;
        }
        startup.push(line);
    }
    Serving {
        process,
        port,
        startup,
        stderr: rx,
    }
}

/// A site in a temporary folder.
pub struct Site {
    _tmp: TempDir,
    pub root: PathBuf,
}

/// The outcome of one `nutgraf` invocation.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(self.code, 0, "expected success, stderr:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn failure(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that stderr contains `text`.
    #[track_caller]
    pub fn says(self, text: &str) -> Run {
        assert!(
            self.stderr.contains(text),
            "expected stderr to contain {text:?}, stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Stderr without the timing summary line, for snapshots.
    pub fn diagnostics(&self) -> String {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("Built "))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Runs `nutgraf <args>` in the folder `cwd`, as a user would type it.
pub fn nutgraf_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .current_dir(cwd)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("run nutgraf: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let site = Site::bare();
        copy_tree(&fixtures().join(name), &site.root);
        site
    }

    /// A site with only a `nutgraf.toml`.
    pub fn empty() -> Site {
        Site::bare().file("nutgraf.toml", EMPTY_CONFIG)
    }

    fn bare() -> Site {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let root = tmp.path().join("site");
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
        Site { _tmp: tmp, root }
    }

    /// Writes `rel` (creating folders) in place, as an editor saving.
    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Writes `rel` (creating folders).
    pub fn file(self, rel: &str, contents: impl AsRef<[u8]>) -> Site {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Runs `nutgraf --root <site> <args>`.
    pub fn nutgraf(&self, args: &[&str]) -> Run {
        let root = self.root.to_string_lossy();
        let mut all = vec!["--root", root.as_ref()];
        all.extend_from_slice(args);
        nutgraf_in(Path::new("."), &all)
    }

    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        self.nutgraf(&args)
    }

    /// A file of the built site (`public/`).
    pub fn output(&self, rel: &str) -> String {
        let path = self.root.join("public").join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let rel = entry
            .path()
            .strip_prefix(from)
            .unwrap_or_else(|e| panic!("{e}"));
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap_or_else(|e| panic!("{e}"));
        } else {
            std::fs::copy(entry.path(), &dest).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The JSON-LD of a page, parsed.
pub fn jsonld(html: &str) -> serde_json::Value {
    // The type attribute quoted, as the themes write it, or unquoted.
    let tag = html
        .find("application/ld+json")
        .unwrap_or_else(|| panic!("no JSON-LD in page"));
    let start = tag
        + html[tag..]
            .find('>')
            .unwrap_or_else(|| panic!("unterminated script tag"))
        + 1;
    let end = start
        + html[start..]
            .find("</script>")
            .unwrap_or_else(|| panic!("unterminated JSON-LD"));
    serde_json::from_str(&html[start..end])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}"))
}

/// The nodes of a JSON-LD graph with the given `@type`.
pub fn nodes<'a>(graph: &'a serde_json::Value, ty: &str) -> Vec<&'a serde_json::Value> {
    graph["@graph"]
        .as_array()
        .map(|a| a.iter().filter(|n| n["@type"] == ty).collect())
        .unwrap_or_default()
}

/// Validates a page's structured data against the schema.org vocabulary
/// and Google's rich-result profiles; panics with every problem found.
#[track_caller]
pub fn assert_valid_schema(name: &str, html: &str) {
    let graph = schemaorg_rs::extract_all(html)
        .unwrap_or_else(|e| panic!("{name}: extraction failed: {e}"));
    assert!(!graph.nodes.is_empty(), "{name}: no structured data found");
    let vocab = schemaorg_rs::validation::validate(&graph);
    let mut problems: Vec<String> = vocab
        .errors()
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect();
    let google = schemaorg_rs::ProfileRegistry::with_google()
        .evaluate("google", &graph, &vocab.diagnostics)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    problems.extend(
        google
            .diagnostics
            .iter()
            .filter(|d| d.severity == schemaorg_rs::Severity::Error)
            .map(|d| format!("google {}: {}", d.path, d.message)),
    );
    assert!(
        problems.is_empty(),
        "{name}: structured data problems:\n{}",
        problems.join("\n")
    );
}
