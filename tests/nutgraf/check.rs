//! `nutgraf check`: every finding on a fixture with a known number of
//! problems, nothing written, and external links against a local server.

use std::net::TcpListener;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::Site;

#[test]
fn check_reports_every_problem_and_writes_nothing() {
    let site = Site::fixture("check");
    let run = site.nutgraf(&["check"]).failure(1);
    // The fixture holds exactly eleven problems: four broken links or
    // anchors, one question on two pages, five image lint findings (no alt,
    // alt = caption, no credit, missing file, narrower than the largest
    // srcset width) and one empty slot.
    let errors =
        run.stderr.matches("\nerror: ").count() + usize::from(run.stderr.starts_with("error: "));
    assert_eq!(errors, 11, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("check: 11 problems in 2 articles; 10 internal links checked"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error: image `/img/small.png` is 300 px wide, narrower than the largest srcset width (480 px)"),
        "{}",
        run.stderr
    );
    insta::assert_snapshot!(run.stderr);
    assert!(
        !site.root.join("public").exists(),
        "check must not write output"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(leftovers.len(), 3, "check left files behind: {leftovers:?}");
}

#[test]
fn a_clean_site_passes() {
    let site = Site::empty()
        .file("content/a.md", "+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\n\nSee [B](/b/#what-next) and [the top](#a-heading).\n\n## A heading\n")
        .file("content/b.md", "+++\ntitle = \"B\"\ndate = 2026-01-02\n+++\n\nBack to [A](../a/).\n\n## What next?\n\nMore.\n");
    let run = site.nutgraf(&["check"]).success();
    assert!(
        run.stderr
            .contains("check: 0 problems in 2 articles; 3 internal links checked"),
        "{}",
        run.stderr
    );
}

#[test]
fn anchors_suggest_the_closest_id() {
    let site = Site::empty().file(
        "content/a.md",
        "+++\ntitle = \"A\"\n+++\n\nSee [below](#why-nwo).\n\n## Why now?\n\nBecause.\n",
    );
    let run = site.nutgraf(&["check"]).failure(1);
    assert!(run.stderr.contains("error: anchor `#why-nwo` does not exist on this page\n --> content/a.md:5:5\n  = help: did you mean `#why-now`?"), "{}", run.stderr);
}

/// A static file server on 127.0.0.1 for the external link check.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 http.server: {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "test server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("could not stop the test server: {e}");
        }
        if let Err(e) = self.child.wait() {
            eprintln!("could not reap the test server: {e}");
        }
    }
}

#[test]
fn external_links_are_checked_only_when_asked() {
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(files.path().join("ok.html"), "<p>ok</p>").unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(files.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let site = Site::empty().file(
        "content/a.md",
        format!("+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\n\nA [good link]({base}/ok.html), a [dead one]({base}/gone.html)\nand the [good one again]({base}/ok.html).\n"),
    );
    let run = site.nutgraf(&["check"]).success();
    assert!(
        run.stderr
            .contains("2 external links not checked (--external checks them)"),
        "{}",
        run.stderr
    );

    let run = site.nutgraf(&["check", "--external"]).failure(1);
    assert_eq!(
        run.stderr.matches("error: external link").count(),
        1,
        "{}",
        run.stderr
    );
    let col = format!("A [good link]({base}/ok.html), a ").chars().count() + 1;
    assert!(
        run.stderr.contains(&format!(
            "error: external link `{base}/gone.html` failed: HTTP 404\n --> content/a.md:6:{col}"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "check: 1 problem in 1 article; 0 internal links checked, 2 external links checked"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn check_reads_links_and_anchors_in_raw_html() {
    // The fixture plants exactly five problems in raw HTML, among valid
    // raw-HTML links, ids, `<a name>`s, e-mail autolinks and `mailto:`/
    // `tel:`/`data:` URLs that must all pass.
    let site = Site::fixture("check-html");
    let run = site.nutgraf(&["check"]).failure(1);
    let errors =
        run.stderr.matches("\nerror: ").count() + usize::from(run.stderr.starts_with("error: "));
    assert_eq!(errors, 5, "{}", run.stderr);
    for (message, at) in [
        (
            "error: broken link `missing-chart.png` in `<img src>`: no file or page at `/bundle/missing-chart.png`",
            "content/bundle/index.md:12:6",
        ),
        // The tag spans two lines of an HTML block; the attribute is on the
        // second.
        (
            "error: broken link `chart-2x.png` in `<img srcset>`: no file or page at `/bundle/chart-2x.png`",
            "content/bundle/index.md:14:22",
        ),
        (
            "error: broken link `data.cvs` in `<a href>`: no file or page at `/bundle/data.cvs`",
            "content/bundle/index.md:17:46",
        ),
        (
            "error: anchor `#drift` does not exist on `/method/`",
            "content/bundle/index.md:19:4",
        ),
        (
            "error: anchor `#top-of-page` does not exist on this page",
            "content/bundle/index.md:23:4",
        ),
    ] {
        assert!(
            run.stderr.contains(&format!("{message}\n --> {at}\n")),
            "expected {message} at {at}:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains(
            "check: 5 problems in 2 articles; 17 internal links checked, 2 external links not checked"
        ),
        "{}",
        run.stderr
    );
    insta::assert_snapshot!(run.stderr);
}

/// A site large enough for every kind of URL: `paginate_by = 1` gives the
/// home page, the `guides` section and the tag `C` second pages; `b` has an
/// alias; a static file and a bundle file. `content/links.md` links to
/// nothing yet.
fn site_of_every_kind() -> Site {
    let article = |title: &str, day: u32, extra: &str| {
        format!(
            "+++\ntitle = \"{title}\"\ndate = 2026-01-{day:02}\ntags = [\"C\"]\n{extra}+++\n\nText.\n"
        )
    };
    Site::empty()
        .file(
            "nutgraf.toml",
            format!("{}paginate_by = 1\n", crate::EMPTY_CONFIG),
        )
        .file("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n")
        .file("content/guides/one.md", article("One", 1, ""))
        .file("content/guides/two.md", article("Two", 2, ""))
        .file("content/b.md", article("B", 3, "aliases = [\"/old-b/\"]\n"))
        .file("content/bundle/index.md", article("Bundle", 4, ""))
        .file("content/bundle/data.csv", "year,value\n2026,1\n")
        .file("static/img/x.png", "not really a PNG: copied as it is\n")
        .file("content/links.md", article("Links", 5, ""))
}

/// `content/links.md` with `body` after its front matter.
fn set_links(site: &Site, body: &str) {
    site.write(
        "content/links.md",
        &format!("+++\ntitle = \"Links\"\ndate = 2026-01-05\ntags = [\"C\"]\n+++\n\n{body}"),
    );
}

/// Regression: `check` judged links against a list of URLs made by hand,
/// which left out the second and later pages of every listing
/// (`/page/2/`, `/guides/page/2/`, `/tags/c/page/2/`) and the search page,
/// so links to them were "broken" (with "did you mean `/a/`?"). The list
/// now comes from the same render a build does: a link to each of these
/// passes, and a link to a page that is not published still fails.
#[test]
fn links_to_listing_pages_feeds_aliases_and_files_pass() {
    let site = site_of_every_kind();
    set_links(
        &site,
        "[1](/page/2/) [2](/guides/page/2/) [3](/tags/c/page/2/) [4](/tags/c/)\n\
         [5](/tags/) [6](/guides/) [7](/atom.xml) [8](/tags/c/atom.xml)\n\
         [9](/sitemap.xml) [10](/robots.txt) [11](/404.html) [12](/search/)\n\
         [13](/old-b/) [14](/img/x.png) [15](/bundle/data.csv) [16](../page/3)\n\
         [17](/page/2/index.html) [18](/)\n\n\
         Not published: [a](/page/9/) and [b](/guides/page/3/).\n",
    );
    let run = site.nutgraf(&["check"]).failure(1);
    let errors =
        run.stderr.matches("\nerror: ").count() + usize::from(run.stderr.starts_with("error: "));
    assert_eq!(errors, 2, "{}", run.stderr);
    for (url, at) in [
        ("/page/9/", "content/links.md:13:16"),
        ("/guides/page/3/", "content/links.md:13:34"),
    ] {
        let message =
            format!("error: broken link `{url}`: no file or page at `{url}`\n --> {at}\n");
        assert!(
            run.stderr.contains(&message),
            "expected {message}:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("check: 2 problems in 5 articles; 20 internal links checked"),
        "{}",
        run.stderr
    );
}

/// What `check` knows is what a build writes: a link to every file of the
/// built site passes (Pagefind's index aside: `check` makes no index).
#[test]
fn a_link_to_every_file_a_build_writes_passes() {
    let site = site_of_every_kind();
    site.build(&[]).success();
    let public = site.root.join("public");
    let mut urls = Vec::new();
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&public)
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string_lossy()
            .replace('\\', "/");
        if rel == ".nutgraf-output" || rel.starts_with("pagefind/") {
            continue;
        }
        urls.push(match rel.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{rel}"),
        });
    }
    urls.sort();
    for expected in [
        "/page/2/",
        "/guides/page/2/",
        "/tags/c/page/2/",
        "/old-b/",
        "/bundle/data.csv",
        "/img/x.png",
        "/tags/c/atom.xml",
    ] {
        assert!(
            urls.iter().any(|u| u == expected),
            "the build wrote no {expected}: {urls:?}"
        );
    }
    assert!(
        urls.iter()
            .any(|u| u.starts_with("/assets/style.") && u.ends_with(".css")),
        "the build wrote no hashed stylesheet: {urls:?}"
    );
    let body: String = urls.iter().map(|u| format!("- [{u}]({u})\n")).collect();
    set_links(&site, &body);
    let run = site.nutgraf(&["check"]).success();
    assert!(
        run.stderr.contains(&format!(
            "check: 0 problems in 5 articles; {} internal links checked",
            urls.len()
        )),
        "{}",
        run.stderr
    );
}

/// Regression: `[x](b.md)` was told "did you mean `/links/`?", the closest
/// spelling among article URLs, where the author meant `content/b.md`,
/// published at `/b/`. A link to a `.md` file is read against the linking
/// file's folder, as a Markdown viewer reads it.
#[test]
fn a_link_to_a_markdown_file_suggests_its_page() {
    let site = site_of_every_kind().file(
        "content/guides/three.md",
        "+++\ntitle = \"Three\"\ndate = 2026-01-06\n+++\n\nSee [B](../b.md#top) and [one](one.md).\n",
    );
    set_links(&site, "See [x](b.md) and [gone](linkz.md).\n");
    let run = site.nutgraf(&["check"]).failure(1);
    for (message, at, hint) in [
        (
            "broken link `b.md`: no file or page at `/links/b.md`",
            "content/links.md:7:5",
            "did you mean `/b/`? `content/b.md` is published there: link to the page's URL, not its Markdown file (or write `@/b.md`)",
        ),
        (
            "broken link `linkz.md`: no file or page at `/links/linkz.md`",
            "content/links.md:7:19",
            "there is no `content/linkz.md`: did you mean `content/links.md`, published at `/links/`?",
        ),
        (
            "broken link `../b.md#top`: no file or page at `/guides/b.md`",
            "content/guides/three.md:6:5",
            "did you mean `/b/#top`? `content/b.md` is published there: link to the page's URL, not its Markdown file (or write `@/b.md#top`)",
        ),
        (
            "broken link `one.md`: no file or page at `/guides/three/one.md`",
            "content/guides/three.md:6:26",
            "did you mean `/guides/one/`? `content/guides/one.md` is published there: link to the page's URL, not its Markdown file (or write `@/guides/one.md`)",
        ),
    ] {
        let expected = format!("error: {message}\n --> {at}\n  = help: {hint}\n");
        assert!(
            run.stderr.contains(&expected),
            "expected:\n{expected}\nin:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("check: 4 problems in 6 articles;"),
        "{}",
        run.stderr
    );
}

/// Regression: `check` read only article bodies, so a broken link in the
/// lead's caption, credit or `credit_url`, in an `[[updates]] note` or in a
/// home or section intro passed with exit 0; `--external` never requested
/// the lead's `credit_url`; and a lead photo narrower than the largest
/// srcset width was not flagged (a body figure was). One problem is planted
/// in each place, and each is found at its own `file:line:col`.
#[test]
fn every_place_that_publishes_a_link_is_checked() {
    let files = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(files.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let small = std::fs::read(crate::fixtures().join("check/static/img/small.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    let site = Site::empty()
        .file(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\nStart with the [lost page](/lost/).\n",
        )
        .file(
            "content/guides/_index.md",
            "+++\ntitle = \"Guides\"\n+++\n\nSee the [missing guide](nope/) first.\n",
        )
        .file("content/guides/small.png", small)
        .file(
            "content/guides/lead/index.md",
            format!(
                "+++\ntitle = \"Lead\"\ndate = 2026-01-01\n[lead]\nsrc = \"../small.png\"\nalt = \"A grey square\"\n\
                 caption = \"A [map](/no-map/) of the bay.\"\ncredit = \"Ana Ruiz\"\ncredit_url = \"{base}/gone-credit\"\n\
                 [[updates]]\ndate = 2026-01-02\nnote = \"See the [fix](/no-fix/).\"\n+++\n\n\
                 Text.\n\n![Grey](../small.png)\nThe square.\n([Ana](/no-figure-credit/))\n\n\
                 ![Grey again](../small.png)\nThe square again.\n([Ana]({base}/gone-figure))\n"
            ),
        )
        .file(
            "content/credit.md",
            "+++\ntitle = \"Credit\"\ndate = 2026-01-03\n[lead]\nsrc = \"/img/none.png\"\nalt = \"x\"\n\
             credit = \"[Ana](/no-credit/)\"\n+++\n\nText.\n",
        )
        .file(
            "content/url.md",
            "+++\ntitle = \"Url\"\ndate = 2026-01-04\n[lead]\nsrc = \"/img/none.png\"\nalt = \"x\"\n\
             credit = \"Ana\"\ncredit_url = \"/no-credit-url/\"\n+++\n\nText.\n",
        );
    let run = site.nutgraf(&["check", "--external"]).failure(1);
    let found = run.stderr.clone();
    let expect = [
        ("broken link `/lost/`", "content/_index.md:5:16"),
        ("broken link `nope/`", "content/guides/_index.md:5:9"),
        (
            "broken link `/no-map/` in `caption`",
            "content/guides/lead/index.md:7:14",
        ),
        (
            &format!("external link `{base}/gone-credit` failed: HTTP 404") as &str,
            "content/guides/lead/index.md:9:15",
        ),
        (
            "broken link `/no-fix/` in `note`",
            "content/guides/lead/index.md:12:17",
        ),
        (
            "broken link `/no-figure-credit/`",
            "content/guides/lead/index.md:19:2",
        ),
        (
            &format!("external link `{base}/gone-figure` failed: HTTP 404"),
            "content/guides/lead/index.md:23:2",
        ),
        (
            "image `../small.png` is 300 px wide, narrower than the largest srcset width",
            "content/guides/lead/index.md:5:1",
        ),
        (
            "broken link `/no-credit/` in `credit`",
            "content/credit.md:7:11",
        ),
        (
            "broken `credit_url` `/no-credit-url/`",
            "content/url.md:8:15",
        ),
    ];
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT")]}, {
        insta::assert_snapshot!(found);
    });
    for (message, place) in expect {
        let at = found
            .find(&format!("error: {message}"))
            .unwrap_or_else(|| panic!("`{message}` not reported:\n{found}"));
        let next = &found[at..];
        let line = next.lines().nth(1).unwrap_or("");
        assert_eq!(line, format!(" --> {place}"), "{message}:\n{found}");
    }
}
