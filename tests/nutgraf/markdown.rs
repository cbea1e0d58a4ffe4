//! `[markdown]` options: smart punctuation on by default, off on request,
//! and never inside code, wherever Markdown is read.

use crate::{EMPTY_CONFIG, Site, jsonld, nodes};

/// An article with `--dry-run` and quotes in prose, a code span, a code
/// block, a figure caption, the lead's caption and a corrections note.
fn site(config: &str) -> Site {
    let dawn = std::fs::read(crate::fixtures().join("figures/content/harbour/dawn.png"))
        .unwrap_or_else(|e| panic!("{e}"));
    Site::empty()
        .file("nutgraf.toml", format!("{EMPTY_CONFIG}{config}"))
        .file("content/a/dawn.png", dawn)
        .file(
            "content/a/index.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-02\n\n[lead]\nsrc = \"dawn.png\"\nalt = \"Cranes\"\ncaption = \"The \\\"early\\\" shift -- at dawn.\"\ncredit = \"Staff/Fixture\"\n\n[[updates]]\ndate = 2024-01-03\nnote = \"Added the --force flag.\"\n+++\n\nTry \"nutgraf deploy\" with --dry-run first.\n\nOr `nutgraf deploy --dry-run \"x\"`.\n\n```\nnutgraf deploy --dry-run 'x'\n```\n\n![Cranes](dawn.png)\nThe \"late\" shift -- at dusk.\n(Staff/Fixture)\n",
        )
}

/// The article's code block as written out: quotes and dashes as typed.
const CODE_BLOCK: &str =
    "<pre class=\"code\" tabindex=\"0\"><code>nutgraf deploy --dry-run &#39;x&#39;\n</code></pre>";

#[test]
fn smart_punctuation_is_on_by_default_but_not_in_code() {
    let site = site("");
    site.build(&[]).success();
    let html = site.output("a/index.html");
    assert!(
        html.contains("<p>Try \u{201c}nutgraf deploy\u{201d} with \u{2013}dry-run first.</p>"),
        "{html}"
    );
    assert!(html.contains("The \u{201c}early\u{201d} shift \u{2013} at dawn."));
    assert!(html.contains("The \u{201c}late\u{201d} shift \u{2013} at dusk."));
    assert!(html.contains("Added the \u{2013}force flag."));
    assert!(
        html.contains("<code>nutgraf deploy --dry-run \"x\"</code>"),
        "{html}"
    );
    assert!(html.contains(CODE_BLOCK), "{html}");
}

/// Regression: smart punctuation could not be turned off, so a flag written
/// in prose, `--dry-run`, became "–dry-run".
#[test]
fn a_flag_in_prose_became_an_en_dash() {
    let site = site("\n[markdown]\nsmart_punctuation = false\n");
    site.build(&[]).success();
    let html = site.output("a/index.html");
    assert!(
        html.contains("<p>Try \"nutgraf deploy\" with --dry-run first.</p>"),
        "{html}"
    );
    assert!(html.contains("The \"early\" shift -- at dawn."), "{html}");
    assert!(html.contains("The \"late\" shift -- at dusk."), "{html}");
    assert!(html.contains("Added the --force flag."), "{html}");
    assert!(
        !html.contains('\u{2013}') && !html.contains('\u{201c}'),
        "{html}"
    );
    assert!(html.contains(CODE_BLOCK), "{html}");
    let graph = jsonld(&html);
    assert_eq!(
        nodes(&graph, "ImageObject")[1]["caption"],
        "The \"late\" shift -- at dusk."
    );
}

#[test]
fn an_unknown_markdown_key_is_a_config_error() {
    Site::empty()
        .file(
            "nutgraf.toml",
            format!("{EMPTY_CONFIG}[markdown]\nsmart_punctution = false\n"),
        )
        .build(&[])
        .failure(2)
        .says("unknown key `smart_punctution`")
        .says("nutgraf.toml:5:1")
        .says("did you mean `smart_punctuation`?");
}
