//! Ignored files: hidden files and folders and editor junk are never
//! read, published or watched, in any folder nutgraf reads.

use std::path::Path;

use crate::{EMPTY_CONFIG, Site};

/// Every folder nutgraf reads files from: content (beside an article and
/// inside a bundle), static, the site's templates and a theme's.
const FOLDERS: [&str; 7] = [
    "content",
    "content/a",
    "static",
    "static/img",
    "templates",
    "themes/mytheme/static",
    "themes/mytheme/templates",
];

/// One file of each kind nutgraf ignores, named after `stem`.
fn ignored_names(stem: &str) -> Vec<String> {
    vec![
        format!(".{stem}.md"),     // hidden
        format!(".{stem}.md.swp"), // vim's swap file
        format!(".#{stem}.md"),    // Emacs's lock
        format!("{stem}.md~"),     // backup
        format!("{stem}.swp"),     // swap files, not hidden
        format!("{stem}.swo"),
        format!("{stem}.swx"),
        format!("#{stem}.md#"), // Emacs's autosave
        format!("{stem}.tmp"),  // an editor's atomic save
        format!(".git/{stem}.md"),
        ".DS_Store".to_string(),
        "4913".to_string(), // vim's test that it may write in the folder
    ]
}

/// Bad front matter and a template that does not compile: any of these
/// read as an article or a template fails the build.
const BROKEN: &str = "+++\ntitle = \n+++\n{% if %}\n";

/// A site on a theme on disk, with real files in every folder and the
/// ignored kinds (named `junk`) beside them.
fn site_with_junk() -> Site {
    let mut site = Site::empty()
        .file(
            "nutgraf.toml",
            format!("{EMPTY_CONFIG}theme = \"mytheme\"\n"),
        )
        .file(
            "content/a/index.md",
            "+++\ntitle = \"A bundle\"\ndate = 2024-01-02\n+++\n\nBody.\n",
        )
        .file("content/a/keep.txt", "beside the bundle\n")
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\ndate = 2024-01-01\n+++\n\nBody.\n",
        )
        .file("static/keep.txt", "static\n")
        .file("static/img/keep.txt", "static image folder\n")
        .file(
            "templates/404.html",
            "{% extends \"base.html\" %}{% block content %}<p>the site's 404 template</p>{% endblock content %}",
        )
        .file("themes/mytheme/theme.toml", "name = \"mytheme\"\n")
        .file("themes/mytheme/static/style.css", "body { color: navy; }\n")
        .file("themes/mytheme/static/theme-keep.txt", "theme static\n")
        .file(
            "themes/mytheme/templates/robots.txt",
            "User-agent: *\n# the theme's robots template\n",
        );
    for folder in FOLDERS {
        for name in ignored_names("junk") {
            site = site.file(&format!("{folder}/{name}"), BROKEN);
        }
    }
    site
}

/// Every file under `dir`, relative, with `/` between components.
fn files_under(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap_or_else(|e| panic!("{e}"))
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Regression: `nutgraf build` published `static/notes.swp` and the Emacs
/// autosave `static/#notes.md#`; `static/`, `templates/` and themes had a
/// looser rule than `content/`.
#[test]
fn swap_and_autosave_files_in_static_are_not_published() {
    let site = site_with_junk();
    site.build(&[]).success();

    let published = files_under(&site.root.join("public"));
    let leaked: Vec<&String> = published
        .iter()
        .filter(|f| {
            f.split('/')
                .any(|c| c.contains("junk") || c == ".DS_Store" || c == "4913" || c == ".git")
        })
        .collect();
    assert!(leaked.is_empty(), "ignored files published: {leaked:?}");

    // The files beside them are read and published.
    for kept in [
        "a/index.html",
        "a/keep.txt",
        "b/index.html",
        "keep.txt",
        "img/keep.txt",
        "theme-keep.txt",
    ] {
        assert!(
            published.iter().any(|f| f == kept),
            "`{kept}` not published: {published:?}"
        );
    }
    assert!(
        site.output("robots.txt")
            .contains("the theme's robots template")
    );
    assert!(site.output("404.html").contains("the site's 404 template"));
}

/// Regression: serve's watcher had its own list, without `.swo`, so vim's
/// second swap file started a pass (which then read `templates/#x#`).
#[cfg(feature = "serve")]
#[test]
fn vim_swo_and_other_editor_files_never_trigger_a_rebuild() {
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::Duration;

    let site = site_with_junk();
    let serve = crate::start_serve(&site.root);

    // Edit the ignored files already there and create new ones.
    for folder in FOLDERS {
        for name in ignored_names("junk")
            .into_iter()
            .chain(ignored_names("fresh"))
        {
            site.write(&format!("{folder}/{name}"), "edited\n");
        }
    }
    // Any pass prints a line: `Rebuilt in …` or its error.
    match serve.stderr.recv_timeout(Duration::from_millis(1500)) {
        Err(RecvTimeoutError::Timeout) => {}
        Ok(line) => panic!("an ignored file started a pass: {line}"),
        Err(RecvTimeoutError::Disconnected) => panic!("serve exited"),
    }

    // A real save does.
    site.write(
        "content/b.md",
        "+++\ntitle = \"B\"\ndate = 2024-01-01\n+++\n\nEdited.\n",
    );
    let line = serve
        .stderr
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("no pass after saving an article: {e}"));
    assert!(line.starts_with("Rebuilt"), "unexpected: {line}");
}
