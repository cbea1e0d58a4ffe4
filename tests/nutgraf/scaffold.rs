//! `nutgraf init` and `nutgraf new`.

use crate::{Run, Site};

/// `nutgraf init DIR` (DIR absolute; no `--root`).
fn init(dir: &str) -> Run {
    crate::nutgraf_in(std::path::Path::new("."), &["init", dir])
}

#[test]
fn init_output_builds() {
    let site = Site::empty();
    let dir = site.root.join("fresh");
    let dir_arg = dir.to_string_lossy().into_owned();
    init(&dir_arg).success();
    for f in [
        "nutgraf.toml",
        ".gitignore",
        "content/_index.md",
        "content/how-a-starter-site-works/index.md",
        "content/how-a-starter-site-works/hills.jpg",
        "content/reserving-a-photo/index.md",
    ] {
        assert!(dir.join(f).is_file(), "init did not write {f}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .args(["--root", &dir_arg, "build", "--drafts"])
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("0 errors, 0 warnings"),
        "a drafts build of the starter site is clean:\n{stderr}"
    );
    // Rebuild without minification to read the markup as rendered.
    let config = std::fs::read_to_string(dir.join("nutgraf.toml")).unwrap_or_default();
    std::fs::write(
        dir.join("nutgraf.toml"),
        format!("{config}minify = false\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .args(["--root", &dir_arg, "build", "--drafts"])
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("public/how-a-starter-site-works/index.html"))
        .unwrap_or_default();
    assert!(html.contains("<h2 id=\"what-is-a-question-section\" class=\"question\">"));
    assert!(html.contains("<img src=\"/how-a-starter-site-works/hills.jpg\" srcset=\""));
    // The image slot is in the sample draft, which a drafts build shows.
    let draft = std::fs::read_to_string(dir.join("public/reserving-a-photo/index.html"))
        .unwrap_or_default();
    assert!(draft.contains("<figure class=\"figure slot\">"), "{draft}");
}

/// Regression: the starter site failed its own `check` and `build --strict`
/// (exit 1), because its sample article showed an empty image slot. The
/// slot now sits in a draft, which neither command includes.
#[test]
fn init_output_passes_check_and_a_strict_build() {
    let site = Site::empty();
    let dir = site.root.join("fresh");
    let dir_arg = dir.to_string_lossy().into_owned();
    init(&dir_arg).success();
    let fresh = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
            .arg("--root")
            .arg(&dir)
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stderr)
    };
    let (code, stderr) = fresh(&["check"]);
    assert_eq!(code, Some(0), "check of the starter site:\n{stderr}");
    assert!(
        stderr.contains("check: 0 problems in 1 article;"),
        "only the published sample is checked:\n{stderr}"
    );
    let (code, stderr) = fresh(&["build", "--strict"]);
    assert_eq!(code, Some(0), "strict build of the starter site:\n{stderr}");
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
    assert!(
        dir.join("public/how-a-starter-site-works/index.html")
            .is_file()
    );
    assert!(
        !dir.join("public/reserving-a-photo").exists(),
        "the draft with the slot is left out of a production build"
    );
    // With drafts, the slot is a placeholder, not a problem.
    let (code, stderr) = fresh(&["check", "--drafts"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("check: 0 problems in 2 articles;"),
        "{stderr}"
    );
}

#[test]
fn init_refuses_to_overwrite() {
    let site = Site::empty();
    let root = site.root.to_string_lossy().into_owned();
    let run = init(&root).failure(2);
    assert!(
        run.stderr
            .contains("is not empty; nutgraf init never overwrites files"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("= help: pass a new folder name, e.g. `nutgraf init my-site`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(site.root.join("nutgraf.toml")).unwrap_or_default(),
        crate::EMPTY_CONFIG
    );
}

#[test]
fn new_creates_a_draft_with_front_matter() {
    let site = Site::empty();
    site.nutgraf(&["new", "Why is the sky \"blue\"?"]).success();
    let path = site.root.join("content/why-is-the-sky-blue/index.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.starts_with("+++\ntitle = 'Why is the sky \"blue\"?'\n"),
        "{text}"
    );
    assert!(text.contains("\ndraft = true\n"));
    // today's date with its UTC offset
    let date_line = text
        .lines()
        .find(|l| l.starts_with("date = "))
        .unwrap_or("");
    assert!(
        date_line.len() == "date = 2026-11-27T11:53:49+00:00".len(),
        "{date_line}"
    );
    // a draft: left out of a normal build, built with --drafts
    site.build(&[]).success();
    assert!(!site.root.join("public/why-is-the-sky-blue").exists());
    site.build(&["--drafts"]).success();
    assert!(
        site.output("why-is-the-sky-blue/index.html")
            .contains("<h1 class=\"headline\">Why is the sky &quot;blue&quot;?</h1>")
    );
    // a second `new` with the same title refuses
    let run = site
        .nutgraf(&["new", "Why is the sky \"blue\"?"])
        .failure(2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
}

/// Regression: with `content/foo.md` in place, `new "Foo"` wrote
/// `content/foo/index.md`, and the next build failed with "URL `/foo/` is
/// also used by…". Any top-level source published at `/foo/` now means
/// refusal, with exit 2 and the existing path, and nothing is written.
#[test]
fn new_never_creates_a_second_source_for_a_url() {
    let article = |extra: &str| format!("+++\ntitle = \"X\"\n{extra}+++\n\nText.\n");
    for (existing, body) in [
        ("content/foo.md", article("")),
        ("content/Foo.md", article("")),
        ("content/2024-05-01-foo.md", article("")),
        ("content/other.md", article("slug = \"foo\"\n")),
        ("content/elsewhere/index.md", article("slug = \"foo\"\n")),
        ("content/foo/index.md", article("")),
        ("content/foo/_index.md", article("")),
    ] {
        let site = Site::empty().file(existing, &body);
        let run = site.nutgraf(&["new", "Foo"]).failure(2);
        let shown = existing
            .trim_end_matches("/index.md")
            .trim_end_matches("/_index.md");
        assert!(
            run.stderr.contains(&format!("`{shown}")),
            "{existing}: {}",
            run.stderr
        );
        let written: Vec<_> = walkdir::WalkDir::new(site.root.join("content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .collect();
        assert_eq!(written.len(), 1, "{existing}: {written:?}");
        site.build(&["--drafts"]).success();
    }
}
