//! Image slots: placeholders in drafts, warnings in production builds,
//! errors under `--strict`.

use crate::Site;

#[test]
fn slot_is_a_placeholder_in_drafts() {
    let site = Site::fixture("slots");
    site.build(&["--drafts"]).success();
    let html = site.output("aerial/index.html");
    insta::assert_snapshot!(html);
}

#[test]
fn slot_warns_with_file_and_line_in_a_production_build() {
    let site = Site::fixture("slots");
    let run = site.build(&[]).success();
    insta::assert_snapshot!(run.diagnostics());
    let html = site.output("aerial/index.html");
    assert!(
        !html.contains("slot"),
        "production pages must not show slot placeholders:\n{html}"
    );
}

#[test]
fn slot_fails_a_strict_build() {
    let site = Site::fixture("slots");
    let run = site.build(&["--strict"]).failure(1);
    insta::assert_snapshot!(run.diagnostics());
    assert!(
        !site.root.join("public").exists(),
        "a failed build must not write output"
    );
}
