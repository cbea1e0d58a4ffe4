//! Exit codes, command by command, as the README's table says: 0 success,
//! 1 the build, check or deploy failed, 2 usage or configuration error.
//! The code comes from the kind of the error a command ends with, so each
//! command is driven into each kind it can end with, and each failure must
//! print its report (what went wrong and how to fix it).

use crate::{Run, Site, nutgraf_in};

const ARTICLE: &str = "+++\ntitle = \"Why now?\"\ndate = 2024-01-02\n+++\n\nA lede.\n";
/// `languag` is a typo: a configuration error.
const BAD_CONFIG: &str = "title = \"T\"\nbase_url = \"https://e.org\"\nlanguag = \"en\"\n";

/// `nutgraf --root <root> <args>` for a root that is not a site.
fn nutgraf_at(root: &str, args: &[&str]) -> Run {
    let mut all = vec!["--root", root];
    all.extend_from_slice(args);
    nutgraf_in(std::path::Path::new("."), &all)
}

fn site() -> Site {
    Site::empty().file("content/why-now.md", ARTICLE)
}

#[test]
fn build_exits_0_1_or_2() {
    site().build(&[]).success();

    site()
        .file("content/broken.md", "+++\ntitle = \n+++\n")
        .build(&[])
        .failure(1)
        .says(" --> content/broken.md:2:")
        .says("error: build failed: 1 error");

    site()
        .file("nutgraf.toml", BAD_CONFIG)
        .build(&[])
        .failure(2)
        .says(" --> nutgraf.toml:3:1");

    let s = site();
    let root = s.root.to_string_lossy().into_owned();
    s.build(&["--output", &root])
        .failure(2)
        .says("= help: pick an output folder");
}

#[test]
fn check_exits_0_1_or_2() {
    site()
        .nutgraf(&["check"])
        .success()
        .says("check: 0 problems in 1 article;");

    let run = site()
        .file(
            "content/why-now.md",
            format!("{ARTICLE}\nSee [the other one](/nowhere/).\n"),
        )
        .nutgraf(&["check"])
        .failure(1)
        .says("broken link `/nowhere/`");
    // The summary closes the report, once.
    assert!(
        run.stderr
            .trim_end()
            .ends_with("check: 1 problem in 1 article; 1 internal link checked, 0 external links not checked (--external checks them)"),
        "{}",
        run.stderr
    );

    site()
        .file("nutgraf.toml", BAD_CONFIG)
        .nutgraf(&["check"])
        .failure(2);
}

#[cfg(feature = "serve")]
#[test]
fn serve_exits_2_when_it_cannot_start() {
    use std::time::{Duration, Instant};

    // Another program holds the port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = taken
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port()
        .to_string();
    let s = site();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nutgraf"))
        .arg("--root")
        .arg(&s.root)
        .args(["serve", "--port", &port])
        .env_remove("RUST_BACKTRACE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start nutgraf serve: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve kept running on a port that is taken");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot listen on 127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("= help: pick another port"), "{stderr}");
    assert!(!stderr.contains(" --> "), "a flag is not a file: {stderr}");
    drop(taken);

    nutgraf_at("/nonexistent/nutgraf-site", &["serve"])
        .failure(2)
        .says("cannot open the site folder");
}

#[cfg(feature = "deploy")]
#[test]
fn deploy_exits_0_1_or_2() {
    let target = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = format!(
        "{}\n[[deploy.targets]]\nname = \"local\"\nurl = \"file://{}\"\n",
        crate::EMPTY_CONFIG,
        target.path().join("www").display()
    );
    let s = site()
        .file("nutgraf.toml", &config)
        .file("content/old.md", ARTICLE.replace("Why now?", "Old"));
    s.nutgraf(&["deploy"]).success();

    // Deleting the old article's files is more than --max-deletes allows.
    std::fs::remove_file(s.root.join("content/old.md")).unwrap_or_else(|e| panic!("{e}"));
    s.nutgraf(&["deploy", "--max-deletes", "0"])
        .failure(1)
        .says("refusing to delete")
        .says("= help: check `url` and the output folder");

    s.nutgraf(&["deploy", "--target", "locl"])
        .failure(2)
        .says("did you mean `local`?");
}

#[test]
fn init_and_new_exit_0_or_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path();
    nutgraf_in(dir, &["init", "fresh"])
        .success()
        .says("  created fresh/nutgraf.toml\n")
        .says("Created a nutgraf site in fresh. Next: cd fresh && nutgraf build --drafts");
    nutgraf_in(dir, &["init", "fresh"])
        .failure(2)
        .says("error: `fresh` is not empty; nutgraf init never overwrites files");
    // A file where the folder would go (before: exit 1, "cannot read").
    std::fs::write(dir.join("a-file"), "x").unwrap_or_else(|e| panic!("{e}"));
    nutgraf_in(dir, &["init", "a-file"])
        .failure(2)
        .says("error: `a-file` is a file; nutgraf init makes a site in a folder");
    // `--root` is the folder when DIR is not given; both is a usage error
    // (before, `--root` was ignored).
    nutgraf_in(dir, &["--root", "other", "init", "fresh2"])
        .failure(2)
        .says("error: `init` was given two folders: `fresh2` and `--root other`");
    assert!(!dir.join("other").exists() && !dir.join("fresh2").exists());
    nutgraf_in(dir, &["--root", "other", "init"])
        .success()
        .says("Created a nutgraf site in other.");
    // No DIR: here (before: "Created a nutgraf site in .. Next: cd . && …").
    let here = dir.join("here");
    std::fs::create_dir(&here).unwrap_or_else(|e| panic!("{e}"));
    nutgraf_in(&here, &["init"])
        .success()
        .says("  created nutgraf.toml\n")
        .says("Created a nutgraf site here. Next: nutgraf build --drafts");
    nutgraf_in(&here, &["build"])
        .success()
        .says("wrote public in");

    let s = site();
    s.nutgraf(&["new", "What about bridges?"]).success();
    s.nutgraf(&["new", "What about bridges?"])
        .failure(2)
        .says("already exists");
    // Not a site folder.
    nutgraf_at("/nonexistent/nutgraf-site", &["new", "X"])
        .failure(2)
        .says("no `nutgraf.toml`");
}

/// The wording of usage errors, which name the flag or the path as typed
/// (never `--> something:1:1`), so that it cannot drift silently.
#[test]
fn usage_errors_name_the_flag_or_the_path_as_typed() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path();
    std::fs::write(dir.join("a-file"), "x").unwrap_or_else(|e| panic!("{e}"));
    let mut report = String::new();
    let mut run = |cwd: &std::path::Path, args: &[&str]| {
        let run = nutgraf_in(cwd, args).failure(2);
        report.push_str(&format!("$ nutgraf {}\n{}\n", args.join(" "), run.stderr));
    };
    run(dir, &["init", "a-file"]);
    run(dir, &["--root", "other", "init", "fresh"]);
    run(dir, &["--root", "nonexistent", "build"]);
    nutgraf_in(dir, &["init", "site"]).success();
    let site = dir.join("site");
    std::fs::write(
        site.join("content/foo.md"),
        "+++\ntitle = \"Foo\"\ndate = 2026-01-01\n+++\n\nText.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    run(&site, &["new", "???"]);
    run(&site, &["new", "Foo"]);
    #[cfg(feature = "deploy")]
    {
        run(&site, &["deploy", "--dry-run"]);
        let mut config =
            std::fs::read_to_string(site.join("nutgraf.toml")).unwrap_or_else(|e| panic!("{e}"));
        config.push_str("\n[[deploy.targets]]\nname = \"folder\"\nurl = \"file:///tmp/nutgraf-never-written\"\n");
        std::fs::write(site.join("nutgraf.toml"), config).unwrap_or_else(|e| panic!("{e}"));
        run(&site, &["deploy", "--target", "foldr"]);
        run(&site, &["deploy", "--output", ".", "--dry-run"]);
        assert!(!std::path::Path::new("/tmp/nutgraf-never-written").exists());
    }
    assert!(!report.contains(" --> "), "{report}");
    let (general, deploy) =
        report.split_at(report.find("$ nutgraf deploy").unwrap_or(report.len()));
    insta::assert_snapshot!(general, @r"
    $ nutgraf init a-file
    error: `a-file` is a file; nutgraf init makes a site in a folder
      = help: pass a new folder name, e.g. `nutgraf init my-site`

    $ nutgraf --root other init fresh
    error: `init` was given two folders: `fresh` and `--root other`
      = help: give the new site's folder once: `nutgraf init DIR`

    $ nutgraf --root nonexistent build
    error: no `nutgraf.toml` in `nonexistent`
      = help: run nutgraf in a site folder, pass `--root DIR`, or create nutgraf.toml with `title` and `base_url`

    $ nutgraf new ???
    error: cannot make a file name from the title `???`
      = help: use a title with letters or digits

    $ nutgraf new Foo
    error: `content/foo.md` is already published at `/foo/`, where the new article would go
      = help: pick another title, or edit the existing article
    ");
    if cfg!(feature = "deploy") {
        insta::assert_snapshot!(deploy, @r#"
        $ nutgraf deploy --dry-run
        error: no deploy target: `nutgraf.toml` has no `[[deploy.targets]]`
          = help: add one, e.g.
        [[deploy.targets]]
        name = "production"
        url = "s3://my-bucket"

        $ nutgraf deploy --target foldr
        error: no deploy target named `foldr`
          = help: did you mean `folder`?

        $ nutgraf deploy --output . --dry-run
        error: refusing to deploy `.`: it holds the site's sources (`nutgraf.toml`, `content/`, …), which would be uploaded
          = help: pass the folder a build wrote, such as `--output public`
        "#);
    }
}
