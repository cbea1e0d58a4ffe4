//! HTML minification of built pages (feature `minify`, on by default;
//! `minify = false` in nutgraf.toml turns it off).
//!
//! html-minifier collapses each run of whitespace to one space or line feed
//! and removes comments; tags, attributes and text are kept as written, and
//! `<pre>`, `<textarea>`, `<code>`, scripts and styles pass through as they
//! are (its JavaScript and CSS minifiers are off). It is a one-pass state
//! machine, 4.3 times faster per byte than minify-html, which this module
//! used before: on the bench corpus minify-html took 22 % of a clean build's
//! CPU for pages 3.5 % smaller than unminified (1.4 % once gzipped), where
//! html-minifier gets 2.4 % (1.1 % gzipped) and, with the splicing below,
//! 8 % of the CPU. minify-html-onepass, the fast variant of minify-html,
//! drops the space between attributes, which the Nu HTML checker rejects.
//!
//! The article body (already compact pulldown-cmark output) and the JSON-LD
//! (compact serde_json) are nutgraf's own output, so [`page`] takes those
//! fragments out, minifies the template's markup around them, and puts them
//! back byte for byte. When a fragment cannot be found verbatim (a template
//! that filters `page.content`, say) the whole page is minified.

/// Stand-in element for a fragment taken out before minifying. An unknown
/// element is kept as is by the minifier, and its name cannot occur in the
/// page once the fragments are out (checked below).
#[cfg(feature = "minify")]
const PLACEHOLDER: &str = "nutgraf-verbatim-";

/// Minifies a whole HTML document, leaving each of `verbatim` (fragments
/// that occur in `page`) untouched. Only whitespace and comments go, so
/// nothing the validators reject is produced; inline scripts (JSON-LD) and
/// `<pre>` blocks are left as they are.
#[cfg(feature = "minify")]
pub fn page(page: String, verbatim: &[&str]) -> String {
    match minify_around(&page, verbatim) {
        Some(out) => out,
        None => whole(page),
    }
}

/// Minifies `html`, or `None` when the minifier reports the input as
/// incomplete (a page that ends inside a tag).
#[cfg(feature = "minify")]
fn minify(html: &str) -> Option<String> {
    let mut minifier = html_minifier::HTMLMinifier::new();
    minifier.set_minify_code(false);
    minifier.set_minify_js(false);
    minifier.set_minify_css(false);
    minifier.digest(html).ok()?;
    // It only removes ASCII whitespace and whole comments from UTF-8 input.
    String::from_utf8(minifier.into_html().ok()?).ok()
}

/// Minifies `page` as one document; a page the minifier cannot take is
/// written as rendered.
#[cfg(feature = "minify")]
fn whole(page: String) -> String {
    minify(&page).unwrap_or(page)
}

/// The fast path: `None` when a fragment is missing or a placeholder does
/// not come back exactly once, and the caller minifies the whole page.
#[cfg(feature = "minify")]
fn minify_around(page: &str, verbatim: &[&str]) -> Option<String> {
    if holds(page, PLACEHOLDER) {
        return None;
    }
    // Cut the fragments out, in the order they occur in the page.
    let mut found: Vec<(usize, &str)> = Vec::with_capacity(verbatim.len());
    for fragment in verbatim.iter().filter(|f| !f.is_empty()) {
        found.push((crate::html::find_fragment(page, fragment)?, fragment));
    }
    found.sort_by_key(|(at, _)| *at);
    let mut shell = String::with_capacity(page.len() / 4);
    let mut pos = 0;
    for (i, (at, fragment)) in found.iter().enumerate() {
        if *at < pos {
            return None; // overlapping fragments
        }
        shell.push_str(&page[pos..*at]);
        shell.push_str(&format!("<{PLACEHOLDER}{i}></{PLACEHOLDER}{i}>"));
        pos = at + fragment.len();
    }
    shell.push_str(&page[pos..]);

    let minified = minify(&shell)?;
    let mut out = String::with_capacity(page.len());
    let mut rest = minified.as_str();
    for (i, (_, fragment)) in found.iter().enumerate() {
        let tag = format!("<{PLACEHOLDER}{i}></{PLACEHOLDER}{i}>");
        let at = rest.find(&tag)?;
        out.push_str(&rest[..at]);
        out.push_str(fragment);
        rest = &rest[at + tag.len()..];
    }
    if holds(rest, PLACEHOLDER) {
        return None;
    }
    out.push_str(rest);
    Some(out)
}

/// Whether `haystack` holds `needle`: memchr's SIMD search.
#[cfg(feature = "minify")]
fn holds(haystack: &str, needle: &str) -> bool {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes()).is_some()
}

/// Without the `minify` feature pages are written as rendered.
#[cfg(not(feature = "minify"))]
pub fn page(page: String, _verbatim: &[&str]) -> String {
    page
}

/// Whether this build of nutgraf can minify.
pub const AVAILABLE: bool = cfg!(feature = "minify");

/// Minifies a stylesheet the build publishes: comments and whitespace go,
/// and nothing else changes. Lightning CSS parses the sheet and prints it
/// back compactly. Rules are not merged or reordered (no
/// `StyleSheet::minify`), and no browser targets are set, so nothing is
/// prefixed or lowered. The one exception: media queries keep the
/// `max-width:` form as written, where the printer would otherwise turn
/// them into range syntax (`width<=40rem`), which Safari before 16.4
/// ignores. A sheet it cannot parse is published as written, since the
/// browser's own error recovery reads it the same either way.
#[cfg(feature = "minify")]
pub fn css(text: String) -> String {
    use lightningcss::stylesheet::{ParserOptions, PrinterOptions, StyleSheet};
    use lightningcss::targets::{Features, Targets};
    let printed = StyleSheet::parse(&text, ParserOptions::default())
        .ok()
        .and_then(|sheet| {
            sheet
                .to_css(PrinterOptions {
                    minify: true,
                    targets: Targets {
                        browsers: None,
                        include: Features::MediaRangeSyntax,
                        exclude: Features::empty(),
                    },
                    ..PrinterOptions::default()
                })
                .ok()
        });
    match printed {
        Some(out) => out.code,
        None => text,
    }
}

/// Without the `minify` feature stylesheets are published as written.
#[cfg(not(feature = "minify"))]
pub fn css(text: String) -> String {
    text
}

#[cfg(all(test, feature = "minify"))]
mod tests {
    use super::*;

    const DOC: &str = "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <title>T</title>\n  \
        </head>\n  <body>\n    <main class=\"x\">\n      BODY\n    </main>\n    \
        <script type=\"application/ld+json\">JSON</script>\n  </body>\n</html>\n";

    #[test]
    fn fragments_come_back_verbatim_and_the_shell_is_minified() {
        let body = "<p>One  two</p>\n<pre><code>  keep\n    this</code></pre>\n";
        let json = r#"{"@context":"https://schema.org","a":"\u003c"}"#;
        let page_html = DOC.replace("BODY", body).replace("JSON", json);
        let out = page(page_html.clone(), &[body, json]);
        assert!(out.contains(body), "{out}");
        assert!(out.contains(json), "{out}");
        assert!(!out.contains("\n  <body>"), "shell not minified: {out}");
        assert!(!out.contains(PLACEHOLDER));
        assert!(out.len() < page_html.len());
    }

    #[test]
    fn only_whitespace_and_comments_go() {
        let html = "<!doctype html>\n<html lang=\"en\">\n  <body>\n    \
            <p><a href=\"/a\">A</a>\n      <a href=\"/b\">B</a></p>\n    \
            <pre>  keep\n    this</pre>\n    <textarea>  x\n  y</textarea>\n    \
            <p><code>a   b</code></p>\n    <!-- note -->\n  </body>\n</html>\n";
        let out = whole(html.to_string());
        // A space between two links is part of the text: it stays.
        assert!(
            out.contains("<a href=\"/a\">A</a>\n<a href=\"/b\">B</a>"),
            "{out}"
        );
        for kept in [
            "<html lang=\"en\">",
            "<pre>  keep\n    this</pre>",
            "<textarea>  x\n  y</textarea>",
            "<code>a   b</code>",
        ] {
            assert!(out.contains(kept), "{kept} lost in {out}");
        }
        assert!(!out.contains("note"), "{out}");
        assert!(out.contains("<html lang=\"en\">\n<body>\n<p>"), "{out}");
    }

    #[test]
    fn a_missing_fragment_minifies_the_whole_page() {
        let page_html = DOC.replace("BODY", "<p>a</p>").replace("JSON", "{}");
        let out = page(page_html.clone(), &["<p>not there</p>"]);
        assert_eq!(out, whole(page_html));
    }

    // Regression: a page that already holds the placeholder name must not
    // have text spliced into it.
    #[test]
    fn a_page_naming_the_placeholder_takes_the_slow_path() {
        let page_html = DOC
            .replace("BODY", "<p>nutgraf-verbatim-0</p>")
            .replace("JSON", "{}");
        let out = page(page_html.clone(), &["{}"]);
        assert_eq!(out, whole(page_html));
    }

    #[test]
    fn css_loses_comments_and_whitespace_not_meaning() {
        let css = "/* a comment */\n.prose > p ,\n.a:hover {\n  margin : calc(1rem + 2 * var(--gutter)) 0;\n  font-size: clamp(1rem, 0.9rem + 0.3vw, 1.2rem);\n  content: \"  two  spaces \";\n}\n@media (max-width: 40rem) {\n  .a { color: red; }\n}\n";
        let out = super::css(css.to_string());
        assert!(!out.contains("comment"), "{out}");
        assert!(!out.contains('\n') && out.len() < css.len(), "{out}");
        // What the browser reads is the same: the spaces math needs around
        // `+` in calc() and clamp(), the string's own spaces, the media
        // query in the form older browsers read.
        assert!(out.contains("calc(1rem + 2 * var(--gutter))"), "{out}");
        assert!(out.contains("clamp(1rem,.9rem + .3vw,1.2rem)"), "{out}");
        assert!(out.contains("\"  two  spaces \""), "{out}");
        assert!(out.contains("@media (max-width:40rem)"), "{out}");
    }
}
