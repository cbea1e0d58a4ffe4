//! Components called from Markdown (issue 16): the built-ins as written in
//! an article, a site's own, and the errors a writer meets.

use crate::{EMPTY_CONFIG, Site, jsonld, nodes};

fn png(name: &str) -> Vec<u8> {
    std::fs::read(crate::fixtures().join("figures/content/harbour").join(name))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// An article calling every built-in once.
const ARTICLE: &str = r#"+++
title = "Harbour works"
date = 2024-03-01
+++

The lede, with `{{ embed(url="x") }}` shown as code.

{% key_facts(title="In brief") %}
- Two cranes
- One *new* quay
{% end %}

## What changes?

{% pull_quote(cite="Mara Ilves", role="Harbour master") %}
We load at dawn now.
{% end %}

{% timeline() %}
- 2023-05-02: Work starts.
- 2024-02: The quay opens.
- 2025: Cranes arrive.
{% end %}

## Where can I see it?

{{ embed(url="https://youtu.be/abcDEF12345", title="The quay from the air") }}

{% gallery() %}

![A crane over the quay at dawn](dawn.png)
The first crane in place.
(Staff/Fixture)

![A crane seen from the water](crane.png)
The second crane, from the ferry.
(Staff/Fixture)

{% end %}
"#;

fn site() -> Site {
    Site::empty()
        .file("content/works/index.md", ARTICLE)
        .file("content/works/dawn.png", png("dawn.png"))
        .file("content/works/crane.png", png("crane.png"))
}

#[test]
fn the_built_in_components_render_where_they_are_called() {
    let site = site();
    site.build(&[]).success();
    let html = site.output("works/index.html");
    assert!(
        html.contains("<code>{{ embed(url=\"x\") }}</code>"),
        "{html}"
    );
    // Each gallery photo takes one of two columns, or the whole width
    // where the gallery stacks: its `sizes` says so.
    let gallery = &html[html
        .find("class=\"gallery")
        .unwrap_or_else(|| panic!("{html}"))..];
    let gallery = &gallery[..gallery.find("</div>").unwrap_or(gallery.len())];
    assert_eq!(
        gallery.matches("sizes=\"(max-width: 40rem) 100vw, (max-width: 74rem) calc(calc(100vw - 2.5rem) / 2), calc(71.5rem / 2)\"").count(),
        gallery.matches("sizes=").count(),
        "{gallery}"
    );
    if cfg!(feature = "images") {
        assert!(
            gallery.contains("sizes="),
            "no srcset in the gallery: {gallery}"
        );
    }
    assert!(
        html.contains("<aside class=\"key-facts\">\n<h2 class=\"key-facts-title\">In brief</h2>\n<ul>\n<li>Two cranes</li>\n<li>One <em>new</em> quay</li>"),
        "{html}"
    );
    assert!(
        html.contains("<blockquote><p>We load at dawn now.</p>"),
        "{html}"
    );
    assert!(
        html.contains("<cite>Mara Ilves</cite>, <span class=\"role\">Harbour master</span>"),
        "{html}"
    );
    assert!(
        html.contains("<li><time datetime=\"2023-05-02\">May 2, 2023</time> Work starts.</li>"),
        "{html}"
    );
    assert!(
        html.contains("<li><time datetime=\"2024-02\">February 2024</time> The quay opens.</li>"),
        "{html}"
    );
    assert!(html.contains("<div class=\"timeline\"><ol>"), "{html}");
    // The embed is a link until the reader asks: no frame, nothing from
    // YouTube in the page but the link and the frame's address.
    assert!(!html.contains("<iframe"), "{html}");
    assert!(
        html.contains("href=\"https://youtu.be/abcDEF12345\""),
        "{html}"
    );
    assert!(
        html.contains(
            "data-embed-src=\"https://www.youtube-nocookie.com/embed/abcDEF12345?autoplay=1\""
        ),
        "{html}"
    );
    // The gallery's figures are body figures: captions, credits, srcset.
    let gallery = &html[html
        .find("<div class=\"gallery gallery-2\">")
        .unwrap_or_else(|| panic!("{html}"))..];
    assert_eq!(gallery.matches("<figure").count(), 2, "{gallery}");
    assert!(gallery.contains("<span class=\"credit\">"), "{gallery}");
    // ... and ImageObjects in the JSON-LD, while the question answers
    // carry the text of the components and none of their markup.
    let graph = jsonld(&html);
    let captions: Vec<&str> = nodes(&graph, "ImageObject")
        .iter()
        .filter_map(|n| n["caption"].as_str())
        .collect();
    assert!(
        captions.contains(&"The second crane, from the ferry."),
        "{captions:?}"
    );
    let answers: Vec<&str> = nodes(&graph, "FAQPage")
        .iter()
        .filter_map(|f| f["mainEntity"].as_array())
        .flatten()
        .filter_map(|q| q["acceptedAnswer"]["text"].as_str())
        .collect();
    assert!(answers[0].contains("We load at dawn now."), "{answers:?}");
    assert!(
        answers[0].contains("May 2, 2023 Work starts."),
        "{answers:?}"
    );
    assert!(
        !answers
            .iter()
            .any(|a| a.contains("blockquote") || a.contains("<time")),
        "{answers:?}"
    );
}

#[test]
fn a_site_component_is_called_and_a_built_in_replaced() {
    let site = site()
        .file(
            "templates/components/note.html",
            "{% component note(kind: string = \"info\", n: integer) %}<div class=\"note {{ kind }}\">{{ n }}: {{ body }}</div>{% endcomponent note %}",
        )
        .file(
            "templates/components/key_facts.html",
            "{% component key_facts(title: string = \"Facts\") %}<section class=\"mine\">{{ title }}{{ body }}</section>{% endcomponent key_facts %}",
        )
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\n+++\n\n{% note(n=2) %}\nSee *this*.\n{% end %}\n\n{% key_facts() %}\n- x\n{% end %}\n",
        );
    site.build(&[]).success();
    let html = site.output("b/index.html");
    assert!(
        html.contains("<div class=\"note info\">2: <p>See <em>this</em>.</p>"),
        "{html}"
    );
    assert!(html.contains("<section class=\"mine\">Facts<ul>"), "{html}");
}

#[test]
fn calls_that_cannot_work_are_errors_at_their_place() {
    let site = Site::empty().file(
        "content/bad.md",
        "+++\ntitle = \"Bad\"\n+++\n\n{{ keyfacts(title=\"x\") }}\n\n{{ embed(url=\"https://example.com/v\", title=\"x\") }}\n\n{% key_facts(titel=\"x\") %}\n- a\n{% end %}\n\n{% pull_quote() %}\nq\n{% end %}\n\n{% timeline() %}\n- 2024-02-30: No such day.\n{% end %}\n\n{% gallery() %}\nJust text.\n{% end %}\n\n{% key_facts() %}\nnever closed\n",
    );
    let run = site.build(&[]).failure(1);
    for (place, message) in [
        ("content/bad.md:5:1", "unknown component `keyfacts`"),
        (
            "content/bad.md:7:10",
            "`https://example.com/v` is not an embed nutgraf knows",
        ),
        (
            "content/bad.md:9:14",
            "unknown argument `titel` for component `key_facts`",
        ),
        (
            "content/bad.md:13:1",
            "component `pull_quote` needs argument `cite`",
        ),
        ("content/bad.md:18:3", "`2024-02-30` is not a date"),
        ("content/bad.md:22:1", "a gallery holds only figures"),
        (
            "content/bad.md:25:1",
            "block component `key_facts` is never closed",
        ),
    ] {
        let at = run
            .stderr
            .find(message)
            .unwrap_or_else(|| panic!("no {message:?} in\n{}", run.stderr));
        assert!(
            run.stderr[at..]
                .lines()
                .nth(1)
                .is_some_and(|l| l.contains(place)),
            "{message} not at {place}:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("did you mean `key_facts`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `title`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("YouTube (youtube.com, youtu.be), Vimeo"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_error_in_a_component_template_names_the_template_and_the_call() {
    let site = Site::empty()
        .file(
            "templates/components/boom.html",
            "{# a comment line #}\n{% component boom() %}{{ missing.field }}{% endcomponent boom %}",
        )
        .file("content/a.md", "+++\ntitle = \"A\"\n+++\n\nText.\n\n{{ boom() }}\n");
    let run = site.build(&[]).failure(1);
    run.says("content/a.md:7:1")
        .says("component `boom` failed to render")
        .says("templates/components/boom.html:2:");
    // No half-written output.
    assert!(!site.root.join("public/a/index.html").exists());
}

/// The config does not matter to components; minify on or off, the
/// facade's script survives.
#[test]
fn the_embed_script_survives_minification() {
    let site = site().file(
        "nutgraf.toml",
        EMPTY_CONFIG.replace("minify = false", "minify = true"),
    );
    site.build(&[]).success();
    let html = site.output("works/index.html");
    assert!(html.contains("data-embed-ready"), "{html}");
    assert!(
        html.contains("replaceChild(frame, link)") || html.contains("replaceChild(frame,link)"),
        "{html}"
    );
}

#[test]
fn zolas_escaped_calls_print_as_calls_in_prose_and_in_code() {
    // Zola's docs write `{{/* name() */}}` to show a call without making
    // it; Zola prints it without the `/* */`, in code as in prose.
    let site = Site::empty().file(
        "content/d.md",
        "+++\ntitle = \"D\"\n+++\n\nCall it as {{/* note(kind=\"x\") */}} in a page.\n\n\
         {%/* quote(author=\"A\") */%}\n\n\
         `{{/* embed(url=\"u\") */}}` and\n\n```\n{%/* gallery() */%}\n{%/* end */%}\n```\n\n\
         Left *as is*: {{/* never closed\n",
    );
    site.build(&[]).success();
    let html = site.output("d/index.html");
    assert!(
        html.contains("<p>Call it as {{ note(kind=\"x\") }} in a page.</p>")
            || html.contains("<p>Call it as {{ note(kind=&quot;x&quot;) }} in a page.</p>"),
        "{html}"
    );
    assert!(
        html.contains("<p>{% quote(author=&quot;A&quot;) %}</p>")
            || html.contains("<p>{% quote(author=\"A\") %}</p>"),
        "{html}"
    );
    assert!(
        html.contains("<code>{{ embed(url=&quot;u&quot;) }}</code>")
            || html.contains("<code>{{ embed(url=\"u\") }}</code>"),
        "{html}"
    );
    assert!(
        html.contains("{% gallery() %}") && html.contains("{% end %}"),
        "{html}"
    );
    // Only the escape that never closes is left as written, and the
    // emphasis before it still renders.
    assert_eq!(html.matches("/*").count(), 1, "{html}");
    assert!(html.contains("<em>as is</em>: {{/* never closed"), "{html}");
    // An escaped call is text of the page: the description keeps it.
    assert!(
        html.contains("<meta name=\"description\" content=\"Call it as {{ note(kind=&quot;x&quot;) }} in a page.\">"),
        "{html}"
    );
}

#[test]
fn a_site_template_for_a_built_in_keeps_its_shape_and_the_error_says_so() {
    // Zola's docs call a gallery shortcode of their own inline; here the
    // name is the built-in block's, whose shape a site cannot change.
    let site = Site::empty()
        .file(
            "templates/components/gallery.html",
            "{% component gallery() %}<div>{{ body }}</div>{% endcomponent gallery %}",
        )
        .file(
            "content/g.md",
            "+++\ntitle = \"G\"\n+++\n\nText.\n\n{{ gallery() }}\n",
        );
    let run = site.build(&[]).failure(1);
    let at = run
        .stderr
        .find("`gallery` is a block component and needs a body")
        .unwrap_or_else(|| panic!("{}", run.stderr));
    let rest = &run.stderr[at..];
    assert!(
        rest.lines()
            .nth(1)
            .is_some_and(|l| l.contains("content/g.md:7:1")),
        "{rest}"
    );
    assert!(
        rest.contains("replaces the built-in's template, not its shape"),
        "{rest}"
    );
}
