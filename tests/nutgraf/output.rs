//! The output folder is nutgraf's alone, and a build swaps it in whole:
//! refused folders and files, symlinked outputs, and builds killed at
//! random moments.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{EMPTY_CONFIG, Site};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// A path beside the site (in its temporary folder), as a string.
fn beside(site: &Site, name: &str) -> PathBuf {
    site.root
        .parent()
        .unwrap_or_else(|| panic!("site has no parent"))
        .join(name)
}

fn arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn small_site() -> Site {
    Site::empty().file(
        "content/tide-tables.md",
        "+++\ntitle = \"Why do tide tables disagree?\"\n+++\n\nBecause harbours differ.\n",
    )
}

// Regression: `build --output u` deleted `u/photos/w.txt`, a folder
// nutgraf never wrote, and exited 0.
#[test]
fn a_folder_nutgraf_did_not_write_is_refused_unless_forced() {
    let site = small_site();
    let u = beside(&site, "u");
    ok(std::fs::create_dir_all(u.join("photos")));
    ok(std::fs::write(u.join("photos/w.txt"), "precious"));

    site.build(&["--output", &arg(&u)])
        .failure(2)
        .says("nutgraf did not write it")
        .says("--force");
    assert_eq!(
        ok(std::fs::read_to_string(u.join("photos/w.txt"))),
        "precious"
    );

    site.build(&["--output", &arg(&u), "--force"]).success();
    assert!(!u.join("photos").exists());
    assert!(u.join("tide-tables/index.html").is_file());
    // Now it is ours: the next build needs no --force.
    site.build(&["--output", &arg(&u)]).success();
}

// Regression: a plain file given as `--output` was moved aside to a hidden
// name.
#[test]
fn a_plain_file_as_output_is_refused() {
    let site = small_site();
    let f = beside(&site, "notes.txt");
    ok(std::fs::write(&f, "my notes"));
    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec!["--output".to_string(), arg(&f)];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        site.build(&args).failure(2).says("it is a file");
    }
    assert_eq!(ok(std::fs::read_to_string(&f)), "my notes");
    let hidden: Vec<String> = ok(std::fs::read_dir(site.root.parent().unwrap_or(&site.root)))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left beside the file: {hidden:?}");
}

// Regression: a symlinked output folder was replaced by a real folder,
// and the link's target never got the new site.
#[cfg(unix)]
#[test]
fn a_symlinked_output_stays_a_link_and_its_target_gets_the_site() {
    let site = small_site();
    let real = beside(&site, "www");
    ok(std::fs::create_dir_all(&real));
    let link = site.root.join("public");
    ok(std::os::unix::fs::symlink(&real, &link));

    site.build(&[]).success();
    site.write(
        "content/tide-tables.md",
        "+++\ntitle = \"Why do tide tables disagree?\"\n+++\n\nBecause coastlines differ.\n",
    );
    site.build(&[]).success();
    assert!(
        ok(std::fs::symlink_metadata(&link))
            .file_type()
            .is_symlink()
    );
    let page = ok(std::fs::read_to_string(real.join("tide-tables/index.html")));
    assert!(page.contains("coastlines"), "the target has the old site");
}

// A symlinked output that leads, through a symlinked path to the site, into
// its own `content/` must be refused like the folder itself: the build would
// replace the sources. Both paths are compared after resolving links.
#[cfg(unix)]
#[test]
fn an_output_link_into_the_sources_through_a_linked_root_is_refused() {
    let site = small_site();
    let linked_root = beside(&site, "site-link");
    ok(std::os::unix::fs::symlink(&site.root, &linked_root));
    let out = beside(&site, "out");
    ok(std::os::unix::fs::symlink(
        linked_root.join("content"),
        &out,
    ));

    site.build(&["--output", &arg(&out)])
        .failure(2)
        .says("would delete your site's sources");
    assert!(site.root.join("content/tide-tables.md").is_file());
}

// The new site is live once the swap is done: a previous site that cannot be
// deleted (here an immutable file, since root ignores read-only modes) is a
// warning, exit 0, and the next build tries again.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs root and chattr (e2fsprogs) on ext4: .ci/run runs it"]
fn a_previous_site_that_cannot_be_removed_is_a_warning_not_a_failure() {
    let site = small_site();
    site.build(&[]).success();
    let stuck = site.root.join("public/stuck.txt");
    ok(std::fs::write(&stuck, "cannot be deleted"));
    let chattr = |flag: &str, path: &Path| {
        let status = ok(Command::new("chattr").arg(flag).arg(path).status());
        assert!(status.success(), "chattr {flag} failed");
    };
    chattr("+i", &stuck);
    let run = site.build(&[]);
    let leftovers: Vec<PathBuf> = ok(std::fs::read_dir(&site.root))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(".public.nutgraf-"))
        })
        .collect();
    for old in &leftovers {
        chattr("-i", &old.join("stuck.txt"));
    }
    run.success()
        .says("could not remove a previous build's folder")
        .says("the new site is live");
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert!(site.root.join("public/tide-tables/index.html").is_file());
    assert!(!site.root.join("public/stuck.txt").exists());
    // Now removable: the next build sweeps it.
    site.build(&[]).success();
    assert!(
        !leftovers[0].exists(),
        "the next build left {:?}",
        leftovers[0]
    );
}

// Sites built before the marker existed keep building into `public/`: its
// `_headers` says nutgraf wrote it.
#[test]
fn a_public_folder_from_an_older_nutgraf_is_still_ours() {
    let site = small_site();
    site.build(&[]).success();
    ok(std::fs::remove_file(
        site.root.join("public/.nutgraf-output"),
    ));
    site.build(&[]).success();
    assert!(site.root.join("public/.nutgraf-output").is_file());
}

/// A site whose build takes a noticeable time; every page names the
/// generation in the site title.
fn big_site() -> Site {
    let mut site = Site::empty();
    let body = "The ferry timetable changes with the seasons, and the tide decides \
                the rest. Readers ask why the crossing takes longer in winter.\n\n"
        .repeat(6);
    for i in 0..300 {
        site = site.file(
            &format!("content/crossing-{i}.md"),
            format!(
                "+++\ntitle = \"Why is crossing {i} slow?\"\n+++\n\n{body}## What changes in winter?\n\n{body}"
            ),
        );
    }
    site
}

fn set_generation(site: &Site, generation: u32) {
    site.write(
        "nutgraf.toml",
        &EMPTY_CONFIG.replace("Test site", &format!("Ferries gen-{generation}-end")),
    );
}

/// The generation every HTML page of `dir` names; panics on a mix, a page
/// without one, or a missing folder.
fn generation_of(dir: &Path) -> u32 {
    assert!(dir.is_dir(), "the output path is missing");
    let mut seen = std::collections::BTreeMap::<u32, usize>::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = ok(entry);
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = ok(std::fs::read_to_string(entry.path()));
        let generation = html
            .split("gen-")
            .skip(1)
            .find_map(|rest| rest.split_once("-end").and_then(|(n, _)| n.parse().ok()))
            .unwrap_or_else(|| panic!("{} names no generation", entry.path().display()));
        *seen.entry(generation).or_default() += 1;
    }
    assert_eq!(seen.len(), 1, "a mix of builds in the output: {seen:?}");
    assert!(
        seen.values().sum::<usize>() > 300,
        "pages missing: {seen:?}"
    );
    *seen.keys().next().unwrap_or(&0)
}

fn temp_folders(parent: &Path) -> Vec<String> {
    ok(std::fs::read_dir(parent))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public.nutgraf-") && !n.ends_with("-lock"))
        .collect()
}

/// xorshift64: a fixed-seed generator, so a failure reproduces.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

// Regression: a build killed between its two renames left no `public/`,
// and killed builds left `.public.nutgraf-new-*`/`-old-*` folders forever.
#[test]
fn a_build_killed_at_random_moments_leaves_a_whole_site() {
    let site = big_site();
    set_generation(&site, 0);
    site.build(&[]).success();
    // A warm build (the cache filled), as the killed ones are.
    set_generation(&site, 1);
    let started = Instant::now();
    site.build(&[]).success();
    let duration = started.elapsed();
    let public = site.root.join("public");
    assert_eq!(generation_of(&public), 1);

    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut live = 1;
    let mut finished = 0;
    for generation in 2..22 {
        set_generation(&site, generation);
        // Anywhere in the build, and a little after it.
        let delay = duration.mul_f64((next(&mut rng) % 1200) as f64 / 1000.0);
        let mut child = ok(Command::new(env!("CARGO_BIN_EXE_nutgraf"))
            .arg("--root")
            .arg(&site.root)
            .arg("build")
            .stderr(std::process::Stdio::null())
            .spawn());
        std::thread::sleep(delay);
        ok(child.kill().or_else(|e| match child.try_wait() {
            Ok(Some(_)) => Ok(()),
            _ => Err(e),
        }));
        let status = ok(child.wait());
        let now = generation_of(&public);
        assert!(
            now == live || now == generation,
            "kill {generation} after {delay:?}: output is generation {now}, expected {live} or {generation}"
        );
        if now == generation {
            finished += 1;
        }
        live = now;
        let temps = temp_folders(&site.root);
        assert!(
            temps.len() <= 1,
            "kill {generation} after {delay:?} ({status}): temporary folders {temps:?}"
        );
    }
    eprintln!("build takes {duration:?}; {finished} of 20 killed builds had finished");
    // The next build sweeps what the killed ones left.
    set_generation(&site, 99);
    site.build(&[]).success();
    assert_eq!(generation_of(&public), 99);
    assert_eq!(temp_folders(&site.root), Vec::<String>::new());
}
