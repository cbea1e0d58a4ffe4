//! Code highlighting with syntect: HTML with CSS classes, and the light and
//! dark stylesheets for those classes.
//!
//! A fence's language is looked up in syntect's own default syntaxes first
//! and then in two-face's (bat's curated set, compiled into the binary),
//! which adds TOML, TypeScript and others. Defaults first because they are
//! faster where both sets have the language: on the bench corpus's 3,114
//! code blocks (JavaScript, Rust, Python) syntect's set took 1.69 s of CPU
//! and two-face's 2.65 s, bat's JavaScript (Babel), Rust and Python
//! grammars being larger.

use std::sync::OnceLock;

use pulldown_cmark_escape::escape_html;
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Classes are `hl-` prefixed so they never clash with a theme's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// syntect's default syntaxes, loaded on first use.
fn defaults() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// two-face's larger set, loaded only when a language is not a default.
fn extras() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// The syntax for a fence's language token, with the set it belongs to.
fn syntax_for(lang: &str) -> Option<(&'static SyntaxReference, &'static SyntaxSet)> {
    let lower = lang.to_ascii_lowercase();
    [defaults(), extras()].into_iter().find_map(|set| {
        set.find_syntax_by_token(lang)
            .or_else(|| set.find_syntax_by_token(&lower))
            .map(|syntax| (syntax, set))
    })
}

/// The first word of a fence's info string: "rust,ignore" → "rust".
pub fn language_of(info: &str) -> Option<&str> {
    let lang = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
        .trim();
    (!lang.is_empty()).then_some(lang)
}

/// `<pre>` block for `code`: highlighted when `lang` is known, escaped
/// plain text otherwise.
pub fn code_block(lang: Option<&str>, code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 3 + 64);
    let syntax = lang.and_then(syntax_for);
    // tabindex: a block that scrolls sideways must be reachable by keyboard.
    out.push_str("<pre class=\"code\" tabindex=\"0\"");
    if let Some(l) = lang {
        out.push_str(" data-lang=\"");
        // escape_html writes into a String and cannot fail
        let _ = escape_html(&mut out, l);
        out.push('"');
    }
    out.push_str("><code>");
    match syntax.and_then(|(syntax, set)| highlighted(syntax, set, code)) {
        Some(html) => out.push_str(&html),
        None => {
            let _ = escape_html(&mut out, code);
        }
    }
    out.push_str("</code></pre>\n");
    out
}

fn highlighted(syntax: &SyntaxReference, set: &SyntaxSet, code: &str) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        // A syntax whose regexes fail on this input falls back to plain text.
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// CSS for the highlight classes: light by default, dark under
/// `prefers-color-scheme: dark`. Both sets sit in media queries because
/// their selectors differ in specificity: an unwrapped light rule could
/// beat a dark one.
pub fn stylesheet() -> anyhow::Result<String> {
    // Made once per process: loading syntect's theme dump costs a few
    // milliseconds, which `serve` would pay on every pass.
    static CSS: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    CSS.get_or_init(|| make_stylesheet().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn make_stylesheet() -> anyhow::Result<String> {
    let themes = ThemeSet::load_defaults();
    let theme = |name: &str| {
        themes
            .themes
            .get(name)
            .ok_or_else(|| anyhow::anyhow!("syntect theme `{name}` is missing"))
    };
    let light = css_for_theme_with_class_style(theme(LIGHT_THEME)?, CLASS_STYLE)?;
    let dark = css_for_theme_with_class_style(theme(DARK_THEME)?, CLASS_STYLE)?;
    Ok(format!(
        "/* code highlighting: {LIGHT_THEME} (light), {DARK_THEME} (dark) */\n@media not all and (prefers-color-scheme: dark) {{\n{light}\n}}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_languages_are_known() {
        for lang in [
            "rust",
            "python",
            "javascript",
            "js",
            "typescript",
            "ts",
            "bash",
            "sh",
            "json",
            "toml",
            "yaml",
            "html",
            "css",
            "sql",
        ] {
            assert!(syntax_for(lang).is_some(), "no syntax for {lang}");
        }
    }

    #[test]
    fn defaults_come_first_and_two_face_fills_the_gaps() {
        let set_of = |lang: &str| syntax_for(lang).map(|(_, set)| set as *const SyntaxSet);
        for lang in ["js", "rust", "python", "Rust"] {
            assert_eq!(set_of(lang), Some(defaults() as *const _), "{lang}");
        }
        for lang in ["toml", "ts", "typescript"] {
            assert_eq!(set_of(lang), Some(extras() as *const _), "{lang}");
        }
    }

    #[test]
    fn highlights_with_prefixed_classes() {
        let html = code_block(Some("rust"), "fn main() {}\n");
        assert!(
            html.starts_with(
                "<pre class=\"code\" tabindex=\"0\" data-lang=\"rust\"><code><span class=\"hl-"
            ),
            "{html}"
        );
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = code_block(Some("klingon"), "<b>&</b>\n");
        assert_eq!(
            html,
            "<pre class=\"code\" tabindex=\"0\" data-lang=\"klingon\"><code>&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn stylesheet_has_light_and_dark() {
        let css = stylesheet().unwrap_or_else(|e| panic!("{e}"));
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
