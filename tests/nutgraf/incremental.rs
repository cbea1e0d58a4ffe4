//! Incremental builds: a build reuses what did not change, rewrites no
//! file whose bytes are the same, and its output always equals a clean
//! build's, byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Site;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Every file of an output folder (but the marker, which names the build)
/// with its inode, to tell a kept file from a rewritten one.
#[cfg(unix)]
fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    files(dir)
        .into_iter()
        .map(|(rel, path)| (rel, ok(std::fs::metadata(path)).ino()))
        .collect()
}

/// Every file of an output folder but the marker, by its path in it.
fn files(dir: &Path) -> BTreeMap<String, PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = ok(e.path().strip_prefix(dir))
                .to_string_lossy()
                .into_owned();
            (rel, e.path().to_path_buf())
        })
        .filter(|(rel, _)| rel != ".nutgraf-output")
        .collect()
}

/// The paths whose inode differs (or that exist in only one of the maps).
fn changed(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> Vec<String> {
    let mut out: Vec<String> = a
        .iter()
        .filter(|(rel, ino)| b.get(*rel) != Some(ino))
        .map(|(rel, _)| rel.clone())
        .collect();
    out.extend(b.keys().filter(|rel| !a.contains_key(*rel)).cloned());
    out.sort();
    out.dedup();
    out
}

/// Asserts the site's `public/` equals a clean build of the same sources.
#[track_caller]
fn assert_same_as_clean(site: &Site, what: &str) {
    let clean = site.root.parent().unwrap_or(&site.root).join("clean");
    site.build(&["--clean", "--output", &clean.to_string_lossy()])
        .success();
    let (inc, full) = (files(&site.root.join("public")), files(&clean));
    let (a, b): (Vec<&String>, Vec<&String>) = (inc.keys().collect(), full.keys().collect());
    assert_eq!(a, b, "after {what}: the incremental build has other files");
    for (rel, path) in &inc {
        let (x, y) = (ok(std::fs::read(path)), ok(std::fs::read(&full[rel])));
        assert!(
            x == y,
            "after {what}: `{rel}` differs from a clean build's:\n--- incremental\n{}\n--- clean\n{}",
            String::from_utf8_lossy(&x),
            String::from_utf8_lossy(&y)
        );
    }
}

/// A built-in template with `marker` written into its output.
fn template_with(name: &str, marker: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(name);
    let text = ok(std::fs::read_to_string(path));
    match text.rfind("{% endblock") {
        // Inside the last block, so an extending template shows it.
        Some(at) => format!("{}<!-- {marker} -->\n{}", &text[..at], &text[at..]),
        None => format!("{text}<!-- {marker} -->\n"),
    }
}

fn blog() -> Site {
    Site::fixture("blog")
}

#[cfg(unix)]
#[test]
fn a_rebuild_with_nothing_changed_rewrites_no_file() {
    let site = blog();
    site.build(&[]).success();
    let before = inodes(&site.root.join("public"));
    touch_config(&site, 1);
    site.build(&[]).success().says("(6 unchanged, reused)");
    let after = inodes(&site.root.join("public"));
    assert_eq!(changed(&before, &after), Vec::<String>::new());
    assert_same_as_clean(&site, "a rebuild");
}

#[cfg(unix)]
#[test]
fn an_edited_body_rewrites_only_its_page() {
    let site = blog();
    site.build(&[]).success();
    let before = inodes(&site.root.join("public"));
    let path = "content/posts/first-light.md";
    let text = ok(std::fs::read_to_string(site.root.join(path)));
    // Below the summary: listings and feeds show nothing of it.
    site.write(
        path,
        &format!("{text}\nThe gauge also logs air temperature.\n"),
    );
    site.build(&[]).success().says("(5 unchanged, reused)");
    let after = inodes(&site.root.join("public"));
    // The page, and the search index, whose words changed with it.
    let (index, pages): (Vec<String>, Vec<String>) = changed(&before, &after)
        .into_iter()
        .partition(|f| f.starts_with("pagefind/"));
    assert_eq!(
        pages,
        ["posts/first-light/index.html"],
        "only the edited page may be rewritten"
    );
    assert!(
        index.contains(&"pagefind/pagefind-entry.json".to_string()),
        "{index:?}"
    );
    assert!(
        site.output("posts/first-light/index.html")
            .contains("air temperature")
    );
    assert_same_as_clean(&site, "a body edit");
}

#[cfg(unix)]
#[test]
fn a_clean_build_rewrites_everything() {
    let site = blog();
    site.build(&[]).success();
    let before = inodes(&site.root.join("public"));
    let run = site.build(&["--clean"]).success();
    assert!(!run.stderr.contains("reused"), "{}", run.stderr);
    let after = inodes(&site.root.join("public"));
    assert!(
        before.iter().all(|(rel, ino)| after.get(rel) != Some(ino)),
        "--clean kept files: {:?}",
        before
            .keys()
            .filter(|rel| after.get(*rel) == before.get(*rel))
            .collect::<Vec<_>>()
    );
}

/// Sets every file of the site's sources an hour back, as files are when a
/// writer builds again later: nutgraf vouches for nothing modified in the
/// last two seconds (a file system that keeps whole seconds could hide an
/// edit).
fn age_sources(site: &Site) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(&site.root).into_iter().flatten() {
        let rel = entry
            .path()
            .strip_prefix(&site.root)
            .unwrap_or(entry.path());
        if entry.file_type().is_file()
            && !rel.starts_with("public")
            && !rel.starts_with(".nutgraf-cache")
        {
            let file = ok(std::fs::File::options().write(true).open(entry.path()));
            ok(file.set_modified(past));
        }
    }
}

/// Gives `nutgraf.toml` a new (old) modification time and the same bytes:
/// the next build cannot take the "nothing changed" shortcut and goes
/// through its memo, which finds nothing to render.
fn touch_config(site: &Site, minutes_ago: u64) {
    let file = ok(std::fs::File::options()
        .write(true)
        .open(site.root.join("nutgraf.toml")));
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(60 * minutes_ago);
    ok(file.set_modified(when));
}

#[cfg(unix)]
#[test]
fn a_build_with_no_source_changed_reads_nothing_and_keeps_the_output() {
    let site = blog();
    age_sources(&site);
    site.build(&[]).success();
    let before = inodes(&site.root.join("public"));
    let marker = ok(std::fs::read_to_string(
        site.root.join("public/.nutgraf-output"),
    ));
    // The warning of the first build is reported again.
    site.build(&[])
        .success()
        .says("Nothing changed since the last build (6 articles)")
        .says("photo has no credit");
    assert_eq!(
        changed(&before, &inodes(&site.root.join("public"))),
        Vec::<String>::new()
    );
    assert_eq!(
        ok(std::fs::read_to_string(
            site.root.join("public/.nutgraf-output")
        )),
        marker,
        "the output folder was replaced"
    );
    site.build(&["--strict"])
        .failure(1)
        .says("photo has no credit");
    // A file touched, even with the same bytes, is a change to look at.
    touch_config(&site, 1);
    site.build(&[]).success().says("(6 unchanged, reused)");
    // So is a file missing from the output, even one no page renders.
    let csv = site.root.join("public/posts/release-2-1-0/readings.csv");
    assert!(csv.is_file(), "the bundle's file is published");
    ok(std::fs::remove_file(&csv));
    let run = site.build(&[]).success();
    assert!(!run.stderr.contains("Nothing changed"), "{}", run.stderr);
    assert_same_as_clean(&site, "an up-to-date build");
}

/// A scheduled article publishes itself once its time comes, although no
/// file changed.
#[test]
fn a_scheduled_article_is_published_when_due_with_no_file_changed() {
    // Late enough for two debug builds on a loaded machine.
    let due = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(20);
    let site = blog().file(
        "content/posts/soon.md",
        format!("+++\ntitle = \"What happens at the spring tide?\"\ndate = {due}\n+++\n\nThe river backs up.\n"),
    );
    age_sources(&site);
    site.build(&[]).success();
    assert!(!site.root.join("public/posts/soon/index.html").exists());
    site.build(&[])
        .success()
        .says("Nothing changed since the last build");
    while jiff::Timestamp::now() <= due {
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    site.build(&[]).success();
    assert!(site.output("posts/soon/index.html").contains("spring tide"));
}

/// A template edit renders every page that uses it again, but not their
/// Markdown: the body and JSON-LD come from the pages the last build wrote.
#[test]
fn a_template_edit_renders_pages_from_their_previous_body() {
    let site = blog();
    site.build(&[]).success();
    site.write("templates/page.html", &template_with("page.html", "edited"));
    site.build(&[])
        .success()
        .says("(6 from their previous body)");
    assert!(
        site.output("posts/first-light/index.html")
            .contains("<!-- edited -->")
    );
    assert_same_as_clean(&site, "a template edit");
}

/// A page of the output edited by hand no longer holds the body the cache
/// points at: its Markdown is rendered again.
#[test]
fn a_page_edited_in_the_output_is_not_a_source_of_its_body() {
    let site = blog();
    site.build(&[]).success();
    let page = site.root.join("public/posts/first-light/index.html");
    let text = ok(std::fs::read_to_string(&page));
    ok(std::fs::write(
        &page,
        text.replace("Millbrook", "Millbr00k"),
    ));
    site.write("templates/page.html", &template_with("page.html", "edited"));
    site.build(&[])
        .success()
        .says("(5 from their previous body)");
    assert!(
        !site
            .output("posts/first-light/index.html")
            .contains("Millbr00k")
    );
    assert_same_as_clean(&site, "a page edited in the output");
}

/// A damaged cache is reported once, never trusted, and replaced.
#[test]
fn a_damaged_build_cache_is_one_warning_and_a_full_build() {
    let site = blog();
    site.build(&[]).success();
    let dir = site.root.join(".nutgraf-cache/build");
    let memo = ok(std::fs::read_dir(&dir))
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "memo"))
        .unwrap_or_else(|| panic!("no memo in {}", dir.display()));
    let bytes = ok(std::fs::read(&memo));
    for (step, damaged) in [bytes[..bytes.len() / 2].to_vec(), {
        let mut b = bytes.clone();
        let last = b.len() - 1;
        b[last] ^= 1;
        b
    }]
    .into_iter()
    .enumerate()
    {
        ok(std::fs::write(&memo, &damaged));
        // A source touched: the build must read its memo (the stamp of an
        // unchanged site would let it stop before).
        touch_config(&site, 10 + 2 * step as u64);
        let run = site.build(&[]).success();
        assert_eq!(
            run.stderr.matches("the build cache is damaged").count(),
            1,
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("reused"), "{}", run.stderr);
        // The build wrote a good one: the next build reuses everything.
        touch_config(&site, 11 + 2 * step as u64);
        site.build(&[]).success().says("(6 unchanged, reused)");
    }
    assert_same_as_clean(&site, "a damaged cache");
}

/// Regression guard: the build cache lists a page the output lost (deleted
/// by hand); the build must not publish a site without it.
#[test]
fn a_page_deleted_from_the_output_is_rendered_again() {
    let site = blog();
    site.build(&[]).success();
    ok(std::fs::remove_file(
        site.root.join("public/posts/first-light/index.html"),
    ));
    site.build(&[])
        .success()
        .says("missing a file the build cache lists");
    assert!(
        site.output("posts/first-light/index.html")
            .contains("Millbrook")
    );
    assert_same_as_clean(&site, "a page deleted from the output");
}

/// A build killed after it saved its cache but before its output went
/// live leaves a cache that names another build: it is not used.
#[test]
fn a_cache_of_a_build_that_never_went_live_is_not_used() {
    let site = blog();
    site.build(&[]).success();
    let marker = site.root.join("public/.nutgraf-output");
    let text = ok(std::fs::read_to_string(&marker));
    ok(std::fs::write(&marker, text.replace("build ", "build 0")));
    let run = site.build(&[]).success();
    assert!(!run.stderr.contains("reused"), "{}", run.stderr);
    assert!(!run.stderr.contains("damaged"), "{}", run.stderr);
}

// ---------------------------------------------------------------------
// Random edit sequences: after every step, the incremental output equals
// a clean build's. Replay a failing case with NUTGRAF_INCREMENTAL_SEED.
#[cfg(feature = "images")]
mod edits {
    use super::*;

    /// One edit a writer (or a site's maintainer) makes between two builds.
    #[derive(Debug, Clone, Copy)]
    enum Edit {
        AddArticle,
        DeleteArticle,
        RenameArticle,
        Body,
        Summary,
        Title,
        Date,
        Template,
        Partial,
        Config,
        StaticFile,
        Photo,
        /// A Korean translation beside an article (`a.ko.md`).
        Translate,
        Nothing,
    }

    const EDITS: &[Edit] = &[
        Edit::AddArticle,
        Edit::DeleteArticle,
        Edit::RenameArticle,
        Edit::Body,
        Edit::Summary,
        Edit::Title,
        Edit::Date,
        Edit::Template,
        Edit::Partial,
        Edit::Config,
        Edit::StaticFile,
        Edit::Photo,
        Edit::Translate,
        Edit::Nothing,
    ];

    const WORDS: &[&str] = &[
        "gauge",
        "river",
        "flood",
        "sensor",
        "bridge",
        "reading",
        "volunteer",
        "rain",
        "level",
        "weir",
        "stage",
        "Millbrook",
        "culvert",
        "winter",
    ];

    fn words(rng: &mut fastrand::Rng, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[rng.usize(..WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The Markdown articles of the site, relative to its root.
    fn articles(site: &Site) -> Vec<String> {
        let content = site.root.join("content");
        let mut all: Vec<String> = walkdir::WalkDir::new(&content)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().to_path_buf())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .filter(|p| p.file_name().is_some_and(|n| n != "_index.md"))
            .map(|p| {
                ok(p.strip_prefix(&site.root))
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        all.sort();
        all
    }

    fn article_text(rng: &mut fastrand::Rng, title: &str) -> String {
        let tags = ["Rivers", "Gauges", "Weather", "Bridges"];
        let tag = tags[rng.usize(..tags.len())];
        format!(
            "+++\ntitle = \"{title}\"\ndate = 2024-{:02}-{:02}\ntags = [\"{tag}\"]\n+++\n\n{}.\n\n## Why does the {} matter?\n\n{}.\n",
            rng.u8(1..=12),
            rng.u8(1..=28),
            words(rng, 12),
            words(rng, 1),
            words(rng, 20),
        )
    }

    /// Replaces the first line starting with `key =` in `path`'s front matter.
    fn set_key(site: &Site, rel: &str, key: &str, value: &str) {
        let text = ok(std::fs::read_to_string(site.root.join(rel)));
        let mut done = false;
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                if !done && l.starts_with(&format!("{key} =")) {
                    done = true;
                    format!("{key} = {value}")
                } else {
                    l.to_string()
                }
            })
            .collect();
        let mut text = lines.join("\n") + "\n";
        if !done {
            text = text.replacen("+++\n", &format!("+++\n{key} = {value}\n"), 1);
        }
        site.write(rel, &text);
    }

    fn apply(site: &Site, rng: &mut fastrand::Rng, edit: Edit, step: usize) {
        let all = articles(site);
        let pick = |rng: &mut fastrand::Rng| all[rng.usize(..all.len())].clone();
        match edit {
            Edit::AddArticle => {
                let rel = format!("content/posts/new-{step}.md");
                let title = format!("New {} {step}", words(rng, 2));
                site.write(&rel, &article_text(rng, &title));
            }
            Edit::DeleteArticle if all.len() > 2 => {
                let rel = pick(rng);
                ok(std::fs::remove_file(site.root.join(&rel)));
            }
            Edit::RenameArticle => {
                let rel = pick(rng);
                if rel.ends_with("/index.md") {
                    return; // a bundle: its files go with its folder
                }
                let to = format!("content/posts/renamed-{step}.md");
                ok(std::fs::rename(site.root.join(&rel), site.root.join(&to)));
            }
            Edit::Body => {
                let rel = pick(rng);
                let text = ok(std::fs::read_to_string(site.root.join(&rel)));
                site.write(&rel, &format!("{text}\n{}.\n", words(rng, 9)));
            }
            Edit::Summary => {
                let rel = pick(rng);
                set_key(site, &rel, "description", &format!("\"{}\"", words(rng, 6)));
            }
            Edit::Title => {
                let rel = pick(rng);
                set_key(
                    site,
                    &rel,
                    "title",
                    &format!("\"{} {step}\"", words(rng, 3)),
                );
            }
            Edit::Date => {
                let rel = pick(rng);
                let date = format!("2023-{:02}-{:02}", rng.u8(1..=12), rng.u8(1..=28));
                set_key(site, &rel, "date", &date);
            }
            Edit::Template => {
                site.write(
                    "templates/page.html",
                    &template_with("page.html", &words(rng, 2)),
                );
            }
            Edit::Partial => site.write(
                "templates/partials/stories.html",
                &template_with("partials/stories.html", &words(rng, 2)),
            ),
            Edit::Config => {
                let config = ok(std::fs::read_to_string(site.root.join("nutgraf.toml")));
                let mut lines: Vec<String> = config.lines().map(String::from).collect();
                if let Some(l) = lines.iter_mut().find(|l| l.starts_with("title =")) {
                    *l = format!("title = \"Gauge Notes {}\"", words(rng, 1));
                }
                let per_page = format!("paginate_by = {}", rng.usize(2..=5));
                match lines.iter_mut().find(|l| l.starts_with("paginate_by =")) {
                    Some(l) => *l = per_page,
                    None => lines.insert(1, per_page),
                }
                site.write("nutgraf.toml", &(lines.join("\n") + "\n"));
            }
            Edit::StaticFile => {
                site.write("static/notes.txt", &words(rng, 5));
            }
            Edit::Photo => {
                let (w, h) = (rng.u32(40..=900), rng.u32(40..=400));
                write_photo(site, w, h, rng.u8(..));
            }
            Edit::Translate => {
                let rel = pick(rng);
                if rel.ends_with(".ko.md") {
                    return;
                }
                let to = format!("{}.ko.md", rel.trim_end_matches(".md"));
                let title = format!("번역 {} {step}", words(rng, 1));
                site.write(&to, &article_text(rng, &title));
            }
            Edit::DeleteArticle | Edit::Nothing => {}
        }
    }

    /// The photo of [`photo_site`]'s figure, `width` by `height`.
    fn write_photo(site: &Site, width: u32, height: u32, shade: u8) {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([shade, 90, 160]));
        let path = site.root.join("content/posts/weir-photo/weir.png");
        ok(img.save(path));
    }

    /// The blog fixture plus an article whose Markdown figure shows a photo of
    /// the bundle: the page carries the photo's size and resized versions.
    fn photo_site() -> Site {
        let site = blog();
        // A second language, for translations.
        let config = ok(std::fs::read_to_string(site.root.join("nutgraf.toml")));
        site.write(
            "nutgraf.toml",
            &format!("{config}\n[languages.ko]\ntitle = \"게이지 노트\"\n"),
        );
        site.write(
            "content/posts/weir-photo/index.md",
            "+++\ntitle = \"What does the weir look like?\"\ndate = 2024-04-01\n+++\n\nThe weir after the spring rain.\n\n![The weir with water spilling over it](weir.png)\nThe weir in April.\n(Gauge Notes)\n",
        );
        write_photo(&site, 640, 360, 10);
        site
    }

    #[test]
    fn random_edit_sequences_build_what_a_clean_build_does() {
        let seeds: Vec<u64> = match std::env::var("NUTGRAF_INCREMENTAL_SEED") {
            Ok(s) => vec![ok(s.parse())],
            Err(_) => (0..2).map(|i| 0x5eed_0000 + i).collect(),
        };
        let steps: usize = std::env::var("NUTGRAF_INCREMENTAL_STEPS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8);
        for seed in seeds {
            let mut rng = fastrand::Rng::with_seed(seed);
            let site = photo_site();
            site.build(&[]).success();
            let mut history = Vec::new();
            for step in 0..steps {
                let edit = EDITS[rng.usize(..EDITS.len())];
                history.push(edit);
                apply(&site, &mut rng, edit, step);
                let run = site.build(&[]);
                assert_eq!(
                    run.code, 0,
                    "seed {seed}, edits {history:?}: the build failed:\n{}",
                    run.stderr
                );
                assert_same_as_clean(&site, &format!("seed {seed}, edits {history:?}"));
            }
            eprintln!("seed {seed}: {history:?} built as a clean build does");
        }
    }
}

/// Zola's internal links (`@/posts/b.md`) lead to the URL of the file
/// they name; when that URL changes (a new `slug`), a rebuild renders the
/// linking page again though its own file did not change.
#[test]
fn internal_links_follow_their_target_when_it_moves() {
    let article = |title: &str, extra: &str, body: &str| {
        format!("+++\ntitle = \"{title}\"\ndate = 2024-01-02\n{extra}+++\n\n{body}\n")
    };
    let site = Site::empty()
        .file("content/posts/_index.md", "+++\ntitle = \"Posts\"\n+++\n")
        .file(
            "content/posts/a.md",
            article(
                "A",
                "",
                "See [the tides](@/posts/b.md#why-now) and [all posts](@/posts/_index.md).",
            ),
        )
        .file(
            "content/posts/b.md",
            article("B", "", "## Why now?\n\nBecause."),
        );
    site.build(&[]).success();
    let a = site.output("posts/a/index.html");
    assert!(a.contains("href=\"/posts/b/#why-now\""), "{a}");
    assert!(a.contains("href=\"/posts/\""), "{a}");

    // Only b's file changes; a must follow it.
    site.write(
        "content/posts/b.md",
        &article("B", "slug = \"tides\"\n", "## Why now?\n\nBecause."),
    );
    site.build(&[]).success();
    let a = site.output("posts/a/index.html");
    assert!(a.contains("href=\"/posts/tides/#why-now\""), "{a}");
    assert_same_as_clean(&site, "a moved link target");

    // `check` judges the anchor on the page the link leads to.
    site.write(
        "content/posts/a.md",
        &article("A", "", "See [the tides](@/posts/b.md#why-later)."),
    );
    let run = site.nutgraf(&["check"]).failure(1);
    assert!(
        run.stderr
            .contains("anchor `#why-later` does not exist on `/posts/tides/`"),
        "{}",
        run.stderr
    );
}

/// An internal link to no published file is an error at the link, with
/// the nearest file as a hint; the output is left as it was.
#[test]
fn an_internal_link_to_nothing_is_an_error_at_the_link() {
    let site = Site::empty()
        .file(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-02\n+++\n\nFirst line.\nSee [b](@/posts/bb.md).\n",
        )
        .file(
            "content/posts/b.md",
            "+++\ntitle = \"B\"\ndate = 2024-01-02\n+++\n\nB.\n",
        );
    let run = site.build(&[]).failure(1);
    insta::assert_snapshot!(run.diagnostics(), @r"
    error: internal link `@/posts/bb.md` leads to no published page: there is no content/posts/bb.md, or it is a draft
     --> content/posts/a.md:7:5
      = help: did you mean `@/posts/b.md`?

    error: build failed: 1 error, 0 warnings
    ");
}
