//! HTML minification of built pages (feature `minify`, on by default;
//! `minify = false` in nutgraf.toml turns it off).

/// Minifies a whole HTML document. Closing tags and the `<html>`/`<head>`
/// tags are kept, and nothing the validators reject is produced; inline
/// scripts (JSON-LD) and `<pre>` blocks are left as they are.
#[cfg(feature = "minify")]
pub fn html(page: String) -> String {
    let cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        ..minify_html::Cfg::default()
    };
    let out = minify_html::minify(page.as_bytes(), &cfg);
    // minify-html only ever removes bytes from valid UTF-8 at tag and
    // whitespace boundaries; should that ever fail, keep the page as is.
    String::from_utf8(out).unwrap_or(page)
}

/// Without the `minify` feature pages are written as rendered.
#[cfg(not(feature = "minify"))]
pub fn html(page: String) -> String {
    page
}

/// Whether this build of nutgraf can minify.
pub const AVAILABLE: bool = cfg!(feature = "minify");
