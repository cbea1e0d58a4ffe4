//! Bad input: every problem names `file:line:col`, says what is wrong and
//! how to fix it; the exit code says what kind of failure it was; a failed
//! build never touches the previous output.

use crate::Site;

const ARTICLE: &str = "+++\ntitle = \"Fine\"\ndate = 2024-01-02\n+++\n\nBody.\n";

#[test]
fn unknown_front_matter_key() {
    let site = Site::empty().file(
        "content/why-now.md",
        "+++\ntitle = \"Why now?\"\ntitel = \"typo\"\n+++\nBody\n",
    );
    let run = site.build(&[]).failure(1);
    insta::assert_snapshot!(run.diagnostics(), @r"
    error: unknown key `titel`
     --> content/why-now.md:3:1
      = help: did you mean `title`?

    error: build failed: 1 error, 0 warnings
    ");
}

#[test]
fn broken_toml_points_at_the_line() {
    let site = Site::empty().file(
        "content/a.md",
        "+++\ntitle = \"A\"\ndate = 2024-01-02\ntags = [\"x\",\n+++\nBody\n",
    );
    let run = site.build(&[]).failure(1);
    let text = run.diagnostics();
    assert!(text.starts_with("error: invalid TOML: "), "{text}");
    assert!(text.contains(" --> content/a.md:4:"), "{text}");
    assert!(text.contains("= help: check quoting"), "{text}");
}

#[test]
fn missing_title() {
    let site = Site::empty().file("content/a.md", "+++\ndate = 2024-01-02\n+++\nBody\n");
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr
            .contains("error: missing required key `title`\n --> content/a.md:2:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_front_matter() {
    let site = Site::empty().file("content/a.md", "# Just Markdown\n");
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr
            .contains("error: missing front matter\n --> content/a.md:1:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_image_warns_and_fails_strict() {
    let md = "+++\ntitle = \"A\"\ndate = 2026-01-01\n+++\n\nIntro.\n\n![A harbour](harbour.jpg)\nA caption.\n(Someone/Agency)\n";
    let site = Site::empty().file("content/a/index.md", md);
    let run = site.build(&[]).success();
    insta::assert_snapshot!(run.diagnostics(), @r"
    warning: image file not found: `harbour.jpg`
     --> content/a/index.md:8:1
      = help: looked for `content/a/harbour.jpg`; check the file name, or reference files in static/ as `/img/name.jpg`
    ");
    let run = site.build(&["--strict"]).failure(1);
    assert!(
        run.stderr
            .contains("error: image file not found: `harbour.jpg`\n --> content/a/index.md:8:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn image_paths_cannot_leave_the_site() {
    let md = "+++\ntitle = \"A\"\n+++\n\n![Secrets](../../../etc/passwd)\nCaption.\n(X/Y)\n";
    let site = Site::empty().file("content/a/index.md", md);
    let run = site.build(&[]).failure(1);
    assert!(run.stderr.contains("error: image path `../../../etc/passwd` points outside the site\n --> content/a/index.md:5:1"), "{}", run.stderr);
}

#[test]
fn template_error_names_template_and_line() {
    let site = Site::empty().file("content/a.md", ARTICLE).file(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>\n<p>{{ page.no_such_field }}</p>\n",
    );
    let run = site.build(&[]).failure(1);
    // The list of fields grows with the product; the snapshot pins the rest.
    insta::with_settings!({ filters => vec![(r"Available fields: [a-z_, ]+", "Available fields: [...]")] }, {
        insta::assert_snapshot!(run.diagnostics());
    });
    assert!(
        run.stderr
            .contains("Available fields: authors, blocks, code_css, components, content, date,"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_syntax_error_names_template_and_line() {
    let site = Site::empty().file("content/a.md", ARTICLE).file(
        "templates/page.html",
        "<h1>{{ page.title }}</h1>\n{% if page.title %}\n<p>unclosed</p>\n",
    );
    let run = site.build(&[]).failure(1);
    let text = run.diagnostics();
    assert!(text.contains(" --> templates/page.html:"), "{text}");
    assert!(text.contains("template error in `page.html`"), "{text}");
}

#[test]
fn failed_build_leaves_old_output_intact() {
    let site = Site::empty().file("content/a.md", ARTICLE);
    site.build(&[]).success();
    let before = site.output("a/index.html");
    let site = site
        .file("content/a.md", ARTICLE.replace("Body.", "Changed body."))
        .file("content/b.md", "+++\ntitle = \"B\"\nbogus = 1\n+++\n");
    site.build(&[]).failure(1);
    assert_eq!(site.output("a/index.html"), before);
    let leftovers: Vec<String> = std::fs::read_dir(&site.root)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !leftovers.iter().any(|n| n.contains("nutgraf-new")),
        "temporary folder left: {leftovers:?}"
    );
    // and a render-time failure (template) keeps it too
    let site = site
        .file("content/b.md", ARTICLE)
        .file("templates/page.html", "{{ nope }}");
    site.build(&[]).failure(1);
    assert_eq!(site.output("a/index.html"), before);
}

#[test]
fn config_errors_exit_with_2() {
    let site = Site::empty().file(
        "nutgraf.toml",
        "title = \"T\"\nbase_url = \"https://e.org\"\nlanguag = \"en\"\n",
    );
    let run = site.build(&[]).failure(2);
    assert!(run.stderr.contains("error: unknown key `languag`\n --> nutgraf.toml:3:1\n  = help: did you mean `language`?"), "{}", run.stderr);
    let run = Site::empty().file("nutgraf.toml", "").build(&[]).failure(2);
    assert!(
        run.stderr.contains("missing required key `title`"),
        "{}",
        run.stderr
    );
}

/// A Zola `config.toml` renamed: one build names every Zola key, each at
/// its line and in file order, not one key a build.
#[test]
fn a_zola_config_gets_every_zola_key_at_once() {
    let site = Site::empty().file(
        "nutgraf.toml",
        "base_url = \"https://e.org\"\ncompile_sass = false\nbuild_search_index = true\n\
         default_language = \"en\"\n[languages.fr]\ngenerate_feeds = true\n",
    );
    let run = site.build(&[]).failure(2);
    let at: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix(" --> nutgraf.toml:"))
        .collect();
    assert_eq!(at, ["2:1", "3:1", "4:1", "6:1"], "{}", run.stderr);
    assert!(
        run.stderr.contains("write `language = \"en\"`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("write `search = true`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("build failed: 4 errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_config_is_a_usage_error() {
    let site = Site::empty();
    std::fs::remove_file(site.root.join("nutgraf.toml")).unwrap_or_else(|e| panic!("{e}"));
    let run = site.build(&[]).failure(2);
    assert!(
        run.stderr.contains("error: no `nutgraf.toml` in"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_theme_is_a_config_error() {
    let site = Site::empty().file(
        "nutgraf.toml",
        "title = \"T\"\nbase_url = \"https://e.org\"\ntheme = \"nope\"\n",
    );
    let run = site.build(&[]).failure(2);
    assert!(
        run.stderr
            .contains("error: unknown theme `nope`\n --> nutgraf.toml:3:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_utf8_is_reported_with_position() {
    let mut bytes = b"+++\ntitle = \"A\"\n+++\nGood line\nbad \xff byte\n".to_vec();
    bytes.extend_from_slice(b"more\n");
    let site = Site::empty().file("content/a.md", bytes);
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr.contains(
            "error: file is not valid UTF-8 (invalid byte at offset 34)\n --> content/a.md:5:5"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn refuses_to_build_over_the_site() {
    let site = Site::empty().file("content/a.md", ARTICLE);
    let root = site.root.to_string_lossy().into_owned();
    let run = site.build(&["--output", &root]).failure(2);
    assert!(
        run.stderr.contains("refusing to build into `"),
        "{}",
        run.stderr
    );
    let content = format!("{root}/content");
    site.build(&["--output", &content]).failure(2);
    assert!(site.root.join("content/a.md").is_file());
}

#[test]
fn duplicate_urls_are_errors() {
    let site = Site::empty()
        .file("content/a.md", ARTICLE)
        .file("content/b.md", "+++\ntitle = \"B\"\nslug = \"a\"\n+++\n");
    let run = site.build(&[]).failure(1);
    assert!(
        run.stderr.contains("URL `/a/` is also used by"),
        "{}",
        run.stderr
    );
}

/// Hostile input must produce output or diagnostics, never a panic.
#[test]
fn hostile_markdown_does_not_panic() {
    let deep = format!(
        "+++\ntitle = \"Deep\"\n+++\n{}x\n\n{}\n",
        "> ".repeat(5000),
        "[".repeat(20000)
    );
    let fences = "+++\ntitle = \"F\"\n+++\n".to_string()
        + &"```\n".repeat(3001)
        + &"![](".repeat(5000)
        + "\n[^a]: [^a]\n\n[^a]\n";
    let site = Site::empty()
        .file("content/deep.md", deep)
        .file("content/fences.md", fences);
    let run = site.build(&[]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn drafts_and_scheduled_articles_need_drafts_flag() {
    let site = Site::empty()
        .file("content/a.md", ARTICLE)
        .file(
            "content/draft.md",
            "+++\ntitle = \"Draft\"\ndraft = true\n+++\n",
        )
        .file(
            "content/later.md",
            "+++\ntitle = \"Later\"\ndate = 2999-01-01T00:00:00Z\n+++\n",
        );
    site.build(&[]).success();
    assert!(!site.root.join("public/draft").exists());
    assert!(!site.root.join("public/later").exists());
    assert!(!site.output("index.html").contains("Later"));
    site.build(&["--drafts"]).success();
    assert!(site.root.join("public/draft/index.html").is_file());
    assert!(site.root.join("public/later/index.html").is_file());
}

#[test]
fn a_section_template_that_does_not_exist_is_an_error_at_its_key() {
    // Zola sections name templates of their own; the error points at the
    // `template` line of the `_index.md`, not at a made-up template file.
    let site = Site::empty()
        .file(
            "content/docs/_index.md",
            "+++\ntitle = \"Docs\"\ntemplate = \"documentation.html\"\n+++\n",
        )
        .file("content/docs/a.md", ARTICLE);
    let run = site.build(&[]).failure(1);
    insta::assert_snapshot!(run.diagnostics(), @r"
    error: template `documentation.html` does not exist
     --> content/docs/_index.md:3:1
      = help: create templates/documentation.html, or remove `template` to use section.html

    error: build failed: 1 error, 0 warnings
    ");
}

/// Regression: `""` and `"???"` were accepted as tags and linked to
/// `/tags//`, where nothing is published.
#[test]
fn tags_with_nothing_to_slug_are_errors_at_their_place() {
    let site = Site::empty().file(
        "content/c.md",
        "+++\ntitle = \"C\"\ndate = 2026-01-03\ntags = [\"\", \"???\", \"fine\"]\n+++\n\nText.\n",
    );
    let run = site.build(&[]).failure(1);
    insta::assert_snapshot!(run.diagnostics(), @r"
    error: empty tag
     --> content/c.md:4:9
      = help: a tag is listed at `/tags/<slug>/`, made from its letters and digits: write a word, or remove the tag

    error: tag `???` has no letters or digits for its URL
     --> content/c.md:4:13
      = help: a tag is listed at `/tags/<slug>/`, made from its letters and digits: write a word, or remove the tag

    error: build failed: 2 errors, 0 warnings
    ");
    assert!(!site.root.join("public").exists());
}

/// Two tag names that differ in more than case, spaces or dashes but share
/// a URL are an error naming both places (they would merge silently).
#[test]
fn tags_that_would_share_a_url_are_an_error_naming_both() {
    let site = Site::empty()
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-01-01\ntags = [\"Climate change\", \"Café\"]\n+++\n\nText.\n",
        )
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\ndate = 2026-01-02\ntags = [\"climate-change\", \"Cafe\"]\n+++\n\nText.\n",
        );
    let run = site.build(&[]).failure(1);
    insta::assert_snapshot!(run.diagnostics(), @r"
    error: tag `Café` and tag `Cafe` (content/b.md:4:27) would both be published at `/tags/cafe/`
     --> content/a.md:4:27
      = help: tags that differ only in case, spaces or dashes are one tag; these differ in other characters: write both as `Cafe`, or make them differ in letters or digits

    error: build failed: 1 error, 0 warnings
    ");
    site.nutgraf(&["check"])
        .failure(1)
        .says("tag `Café` and tag `Cafe`");
}

/// Regression: valid TOML with a wrong value read "invalid TOML: invalid
/// value: integer `-1`, expected usize" or "invalid TOML: unknown variant
/// `bogus`", with the help "check quoting, `=` signs and brackets". Each
/// now names the key, what it takes and the value given, with a "did you
/// mean" for a choice of words.
#[test]
fn wrong_values_in_valid_toml_name_the_key_and_what_it_takes() {
    let config = |extra: &str| format!("{}{extra}", crate::EMPTY_CONFIG);
    let site = Site::empty()
        .file("nutgraf.toml", config("paginate_by = -1\n"))
        .file("content/a.md", ARTICLE);
    insta::assert_snapshot!(site.build(&[]).failure(2).diagnostics(), @r"
    error: `paginate_by` must be a whole number, 0 or more, found `-1`
     --> nutgraf.toml:4:15
      = help: the TOML is valid, but this key takes another kind of value: see the README's list of keys

    error: build failed: 1 error, 0 warnings
    ");
    site.write("nutgraf.toml", &config("[images]\ncredits = \"optinal\"\n"));
    insta::assert_snapshot!(site.build(&[]).failure(2).diagnostics(), @r#"
    error: `images.credits` must be one of `"required"`, `"optional"`, found `"optinal"`
     --> nutgraf.toml:5:11
      = help: did you mean `"optional"`?

    error: build failed: 1 error, 0 warnings
    "#);
    site.write("nutgraf.toml", &config("[images]\nquality = 300\n"));
    insta::assert_snapshot!(site.build(&[]).failure(2).diagnostics(), @r"
    error: `images.quality` must be between 1 and 100, found 300
     --> nutgraf.toml:5:1
      = help: 82 is a good default for photos

    error: build failed: 1 error, 0 warnings
    ");
    site.write("nutgraf.toml", crate::EMPTY_CONFIG);
    site.write(
        "content/s/_index.md",
        "+++\ntitle = \"S\"\nsort_by = \"dat\"\n+++\n",
    );
    insta::assert_snapshot!(site.build(&[]).failure(1).diagnostics(), @r#"
    error: `sort_by` must be one of `"date"`, `"title"`, `"weight"`, found `"dat"`
     --> content/s/_index.md:3:11
      = help: did you mean `"date"`?

    error: build failed: 1 error, 0 warnings
    "#);
    site.write(
        "content/s/_index.md",
        "+++\ntitle = \"S\"\npaginate_by = \"ten\"\n+++\n",
    );
    insta::assert_snapshot!(site.build(&[]).failure(1).diagnostics(), @r#"
    error: `paginate_by` must be a whole number, 0 or more, found `"ten"`
     --> content/s/_index.md:3:15
      = help: the TOML is valid, but this key takes another kind of value: see the README's list of keys

    error: build failed: 1 error, 0 warnings
    "#);
}
