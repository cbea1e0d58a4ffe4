//! The demo site at the repository root builds cleanly and its structured
//! data is valid.

use std::path::Path;

use crate::{assert_valid_schema, jsonld, nodes};

#[test]
fn demo_site_builds_and_its_schema_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = out.path().join("public");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .arg("--root")
        .arg(root)
        .args(["build", "--output"])
        .arg(&output)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.success(), "demo build failed:\n{stderr}");
    // The demo's image slot is in a draft: a production build has no
    // warnings at all.
    assert!(
        stderr.contains("0 errors, 0 warnings") && !stderr.contains("warning:"),
        "demo build has warnings:\n{stderr}"
    );

    let mut articles = 0;
    let mut faqs = 0;
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        if entry.path().extension().is_none_or(|e| e != "html") || entry.file_name() == "404.html" {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap_or_else(|e| panic!("{e}"));
        if html.contains("<meta http-equiv=\"refresh\"") {
            continue; // an alias's redirect page
        }
        let name = entry
            .path()
            .strip_prefix(&output)
            .unwrap_or(entry.path())
            .display()
            .to_string();
        assert_valid_schema(&name, &html);
        let graph = jsonld(&html);
        if !nodes(&graph, "NewsArticle").is_empty() {
            articles += 1;
            faqs += usize::from(!nodes(&graph, "FAQPage").is_empty());
        }
    }
    assert!(
        articles >= 3,
        "expected at least three demo articles, found {articles}"
    );
    assert!(
        faqs >= 3,
        "every demo article asks questions; found {faqs} FAQ pages"
    );
}

/// Regression: the demo failed `nutgraf check` and `build --strict` (exit 1)
/// on its image slot, so the first `check` a new user ran was red. The slot
/// is now in a draft article, which `serve` and `--drafts` show.
#[test]
fn demo_site_passes_check_and_a_strict_build() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
            .arg("--root")
            .arg(root)
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["check"]);
    assert_eq!(code, Some(0), "check of the demo:\n{stderr}");
    assert!(stderr.contains("check: 0 problems in "), "{stderr}");
    let output = out.path().join("public").to_string_lossy().into_owned();
    let (code, stderr) = run(&["build", "--strict", "--output", &output]);
    assert_eq!(code, Some(0), "strict build of the demo:\n{stderr}");
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
    // With drafts, the slot is a placeholder, not a problem.
    let (code, stderr) = run(&["check", "--drafts"]);
    assert_eq!(
        code,
        Some(0),
        "drafts show slots as placeholders:\n{stderr}"
    );
}

#[test]
fn demo_site_uses_every_feature() {
    // A copy of the demo with minification off, so the markup reads as
    // the renderer writes it.
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = out.path().join("site");
    for dir in ["content", "static", "templates", "themes"] {
        crate::copy_tree(&repo.join(dir), &root.join(dir));
    }
    let config = std::fs::read_to_string(repo.join("nutgraf.toml")).unwrap_or_default();
    std::fs::write(
        root.join("nutgraf.toml"),
        format!("minify = false\n{config}"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = out.path().join("public");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .arg("--root")
        .arg(&root)
        .args(["build", "--drafts", "--output"])
        .arg(&output)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut all = String::new();
    let mut articles = 0;
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        if entry.file_name() == "index.html" && entry.depth() == 2 {
            articles += 1;
            all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    assert!(
        articles >= 3,
        "expected at least three demo articles, found {articles}"
    );
    for (what, needle) in [
        ("a question heading", "class=\"question\""),
        ("an opted-out question", "class=\"question not-faq\""),
        ("a figure with a credit", "<span class=\"credit\">"),
        ("a credit link", "<span class=\"credit\"><a href="),
        (
            "an image slot placeholder",
            "<figure class=\"figure slot\">",
        ),
        ("a site-absolute image", "<img src=\"/img/"),
        (
            "a highlighted code block",
            "<pre class=\"code\" tabindex=\"0\" data-lang=",
        ),
        ("a table", "<table>"),
        ("footnotes", "<section class=\"footnotes\""),
        ("a blockquote", "<blockquote>"),
        ("a lead image", "fetchpriority=\"high\""),
    ] {
        assert!(
            all.contains(needle),
            "the demo articles have no {what} ({needle})"
        );
    }
}
