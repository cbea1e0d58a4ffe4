//! Figures: caption, credit, credit link, parentheses, no caption, sizes
//! and loading attributes.

use crate::{Site, assert_valid_schema, jsonld, nodes};

#[test]
fn figures_render_with_captions_and_credits() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    insta::assert_snapshot!(html);
}

#[test]
fn parentheses_inside_a_caption_stay_in_the_caption() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert!(html.contains(
        "<span class=\"caption\">Harbour master Ines Vaz (right) and an operator (left) in the cabin.</span>"
    ));
    // A trailing "(right)" that does not follow sentence punctuation is caption.
    assert!(html.contains("<span class=\"caption\">Vladimir Putin (right)</span></figcaption>"));
}

#[test]
fn credit_link_is_in_the_credit_element() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert!(html.contains(
        "<span class=\"credit\"><a href=\"https://photos.example.org/ana\">Ana Ruiz</a>/Harbour Authority</span>"
    ));
}

#[test]
fn only_the_first_image_is_eager() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert_eq!(html.matches("fetchpriority=\"high\"").count(), 1);
    let first_img = &html[html.find("<img").unwrap_or(0)..];
    assert!(first_img.starts_with("<img src=\"/harbour/dawn.png\""));
    assert!(first_img[..first_img.find('>').unwrap_or(0)].contains("fetchpriority=\"high\""));
    assert_eq!(
        html.matches("loading=\"lazy\" decoding=\"async\"").count(),
        4
    );
}

#[test]
fn images_get_intrinsic_sizes_from_their_files() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    assert!(
        html.contains("alt=\"Cranes stand over stacked containers\" width=\"1200\" height=\"800\"")
    );
    assert!(html.contains("alt=\"An aerial map of the harbour\" width=\"800\" height=\"450\""));
    // bundle images and static images are published
    assert!(site.root.join("public/harbour/dawn.png").is_file());
    assert!(site.root.join("public/img/map.png").is_file());
}

#[test]
fn figures_become_image_objects() {
    let site = Site::fixture("figures");
    site.build(&[]).success();
    let html = site.output("harbour/index.html");
    let graph = jsonld(&html);
    let images = nodes(&graph, "ImageObject");
    assert_eq!(images.len(), 4);
    assert_eq!(
        images[0]["contentUrl"],
        "https://fixture.example.org/harbour/dawn.png"
    );
    assert_eq!(
        images[0]["caption"],
        "Cranes at the container terminal on Oct. 31, 2024."
    );
    assert_eq!(images[0]["creditText"], "Lee Jin-man/Associated Press");
    assert_eq!(images[0]["width"], 1200);
    assert_eq!(images[0]["height"], 800);
    let article = &nodes(&graph, "NewsArticle")[0];
    assert_eq!(article["datePublished"], "2024-10-31T09:00:00+09:00");
    assert_eq!(article["image"].as_array().map(Vec::len), Some(4));
    assert_valid_schema("harbour", &html);
}

#[test]
fn figure_lint_warns_about_missing_credit() {
    let site = Site::fixture("figures");
    let run = site.build(&[]).success();
    // The image-only figure and the "Vladimir Putin (right)" figure have no credit.
    assert_eq!(
        run.stderr.matches("warning: photo has no credit").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(" --> content/harbour/index.md:18:1"),
        "{}",
        run.stderr
    );
}
