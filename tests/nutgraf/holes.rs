//! Issue 14's smaller holes: linear time on hostile Markdown, symlinks,
//! file names, front matter keys and URLs, and serve's redirects.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::Site;

/// The `id`s of the `<h2>` elements of a page, in order.
fn h2_ids(html: &str) -> Vec<&str> {
    html.split("<h2 id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// Regression: heading ids retried `-1`, `-2`, … from 1 on every
/// collision, so 60,000 `a`/`a-1`/`a-2` headings took more than a minute.
#[test]
fn sixty_thousand_colliding_headings_build_with_unique_ids() {
    let mut body = String::from("+++\ntitle = \"Many\"\n+++\n\n");
    // Explicit ids that generated ones must step around.
    body.push_str("## First {#a-1}\n\n## Second {#a-3}\n\n");
    for k in 0..60_000 {
        body.push_str(["## a\n", "## a-1\n", "## a-2\n"][k % 3]);
    }
    let site = Site::empty().file("content/many.md", &body);
    let start = Instant::now();
    site.build(&[]).success();
    let took = start.elapsed();
    let html = site.output("many/index.html");
    let ids = h2_ids(&html);
    assert_eq!(ids.len(), 60_002, "every heading is present");
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "every id is unique");
    assert_eq!(&ids[..4], ["a-1", "a-3", "a", "a-1-1"]);
    eprintln!("60,002 headings built in {took:?}");
    // Minutes before; a debug build on a busy two-core machine takes a
    // few seconds.
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// Regression: each diagnostic counted the newlines from the start of
/// the file, so a page with tens of thousands of missing images was
/// quadratic in its size.
#[test]
fn twenty_thousand_missing_images_are_reported_in_linear_time() {
    let mut body = String::from("+++\ntitle = \"Gone\"\n+++\n\n");
    for k in 0..20_000 {
        body.push_str(&format!(
            "![photo {k}](gone-{k}.jpg)\nCaption. (Credit)\n\n"
        ));
    }
    let site = Site::empty().file("content/gone.md", &body);
    let start = Instant::now();
    let run = site.build(&[]).success();
    let took = start.elapsed();
    // The last figure starts on line 5 + 3 × 19,999.
    let run = run.says("content/gone.md:60002:1");
    assert!(
        run.stderr.contains("gone-19999.jpg"),
        "{}",
        run.stderr.len()
    );
    eprintln!("20,000 missing images reported in {took:?}");
    assert!(took < Duration::from_secs(60), "{took:?}");
}

/// The `Location` header of a raw HTTP/1.0 GET to a running server.
#[cfg(feature = "serve")]
fn location_of(port: u16, path: &str) -> Option<String> {
    crate::raw_get(port, path)
        .lines()
        .find_map(|l| l.strip_prefix("location: ").map(str::to_string))
}

/// Regression: `serve` answered `//page` with a redirect to `//page/`,
/// which a browser reads as the host `page`.
#[cfg(feature = "serve")]
#[test]
fn serve_never_redirects_to_another_host() {
    let site = Site::empty().file("content/page.md", "+++\ntitle = \"Page\"\n+++\n\nText.\n");
    let serve = crate::start_serve(&site.root);
    assert_eq!(location_of(serve.port, "/page").as_deref(), Some("/page/"));
    assert_eq!(location_of(serve.port, "//page").as_deref(), Some("/page/"));
    assert_eq!(
        location_of(serve.port, "///page").as_deref(),
        Some("/page/")
    );
}

/// Regression: only the alphabetically first unknown key was reported,
/// and a top-level `src` got "did you mean `src`?".
#[test]
fn every_unknown_front_matter_key_is_reported() {
    let site = Site::empty().file(
        "content/keys.md",
        "+++\ntitle = \"Keys\"\nsrc = \"harbour.jpg\"\nautor = \"Ana\"\n[lead]\nalt = \"A harbour at dawn\"\ncreditt = \"Ana\"\n+++\n\nText.\n",
    );
    let run = site.build(&[]).failure(1);
    let run = run
        .says("unknown key `src`\n --> content/keys.md:3:1\n  = help: `src` is a key of the lead image: put it under `[lead]`")
        .says("unknown key `autor`\n --> content/keys.md:4:1\n  = help: did you mean `authors`?")
        .says("unknown key `creditt`\n --> content/keys.md:7:1\n  = help: did you mean `credit`?");
    assert!(!run.stderr.contains("did you mean `src`"), "{}", run.stderr);
}

/// Regression: `credit_url = "javascript:…"` became the `href` of the
/// lead image's credit.
#[test]
fn a_javascript_credit_url_never_becomes_a_link() {
    let site = Site::empty()
        .file(
            "content/lead/index.md",
            "+++\ntitle = \"Lead\"\n[lead]\nsrc = \"https://images.example.org/quay.jpg\"\nalt = \"A quay in fog\"\ncredit = \"Ana Ruiz\"\ncredit_url = \"javascript:alert(document.cookie)\"\n+++\n\nText.\n",
        );
    site.build(&[])
        .failure(1)
        .says("error: `credit_url` uses a scheme other than https, http or mailto")
        .says(" --> content/lead/index.md:7:14");
    let site = Site::empty().file(
        "content/lead/index.md",
        "+++\ntitle = \"Lead\"\n[lead]\nsrc = \"https://images.example.org/quay.jpg\"\nalt = \"A quay in fog\"\ncredit = \"Ana Ruiz\"\ncredit_url = \"/photographers/ana-ruiz/\"\n+++\n\nText.\n",
    );
    site.build(&[]).success();
    let markdown_link = Site::empty().file(
        "content/lead/index.md",
        "+++\ntitle = \"Lead\"\n[lead]\nsrc = \"https://images.example.org/quay.jpg\"\nalt = \"A quay in fog\"\ncredit = \"[Ana Ruiz](javascript:alert(1))\"\n+++\n\nText.\n",
    );
    markdown_link
        .build(&[])
        .failure(1)
        .says("error: a link in `credit` uses a scheme other than https, http or mailto")
        .says(" --> content/lead/index.md:6:10");
    assert!(
        site.output("lead/index.html")
            .contains("href=\"/photographers/ana-ruiz/\""),
        "a site path is kept"
    );
}

/// A site whose `content/page.md` shows `photo.png`, and a private file
/// beside the site (in the same temporary folder).
#[cfg(unix)]
fn site_with_private_neighbour() -> (Site, std::path::PathBuf) {
    let site = Site::empty().file(
        "content/page/index.md",
        "+++\ntitle = \"Page\"\n+++\n\n![A gull on a post](photo.png)\nA gull waits out the rain. (Ana Ruiz)\n",
    );
    let private = site
        .root
        .parent()
        .unwrap_or_else(|| panic!("no parent"))
        .join("private.png");
    std::fs::write(&private, PNG).unwrap_or_else(|e| panic!("{e}"));
    (site, private)
}

/// A 1×1 PNG's signature and header, enough to be measured.
#[cfg(unix)]
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
];

/// Regression: a symlinked image that led outside the site was read and
/// published.
#[cfg(unix)]
#[test]
fn a_symlinked_image_outside_the_site_fails_the_build_naming_the_link() {
    let (site, private) = site_with_private_neighbour();
    std::os::unix::fs::symlink(&private, site.root.join("content/page/photo.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr
            .contains("content/page/photo.png` is a symbolic link to")
            && run.stderr.contains("private.png"),
        "{}",
        run.stderr
    );
    assert!(
        !site.root.join("public/page/photo.png").exists(),
        "nothing from outside is published"
    );

    // The same link inside the site is followed.
    let (site, _) = site_with_private_neighbour();
    std::fs::write(site.root.join("photo.png"), PNG).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("../../photo.png", site.root.join("content/page/photo.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    site.build(&[]).success();
    assert!(site.root.join("public/page/photo.png").is_file());
}

/// Regression: two file names with invalid UTF-8 collapsed into one and
/// a file was dropped silently.
#[cfg(target_os = "linux")]
#[test]
fn names_that_are_not_utf8_fail_the_build_naming_the_folder() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::empty().file("content/page.md", "+++\ntitle = \"Page\"\n+++\n\nText.\n");
    let dir = site.root.join("static/docs");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    for name in [&b"r\xe9sum\xe9.txt"[..], &b"r\xe8sum\xe8.txt"[..]] {
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), name)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    site.build(&[])
        .failure(1)
        .says("static/docs` holds a name that is not valid UTF-8");
}

/// Regression: `deploy --output DIR` followed symlinks out of DIR and
/// uploaded what they pointed to.
#[cfg(all(unix, feature = "deploy"))]
#[test]
fn deploy_refuses_a_link_out_of_the_folder() {
    let dest = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bucket = dest.path().join("bucket");
    let site = Site::empty().file(
        "nutgraf.toml",
        format!(
            "{}\n[[deploy.targets]]\nname = \"folder\"\nurl = \"file://{}\"\n",
            crate::EMPTY_CONFIG,
            bucket.display()
        ),
    );
    let out = site.root.join("out");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("index.html"), "<p>home</p>").unwrap_or_else(|e| panic!("{e}"));
    let secret = dest.path().join("secret.txt");
    std::fs::write(&secret, "private").unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&secret, out.join("notes.txt")).unwrap_or_else(|e| panic!("{e}"));
    let out_arg = out.display().to_string();
    let run = site.nutgraf(&["deploy", "--output", &out_arg]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("out/notes.txt` is a symbolic link to"),
        "{}",
        run.stderr
    );
    assert!(!bucket.join("notes.txt").exists(), "nothing was uploaded");
}
