//! Code highlighting with syntect: HTML with CSS classes, and for each page
//! the light and dark rules of the classes it uses.
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

/// One rule of the generated highlighting CSS, light or dark.
struct TokenRule {
    dark: bool,
    /// The rule as syntect wrote it.
    text: String,
    /// Each selector of its list, as the `hl-` classes it needs.
    selectors: Vec<Vec<String>>,
}

/// The CSS for the token classes in `html` (a page's rendered body): the
/// rules of the light theme under `not all and (prefers-color-scheme:
/// dark)` and of the dark theme under `(prefers-color-scheme: dark)`, kept
/// only where every class of one of their selectors occurs in the page.
/// Both sets sit in media queries because their selectors differ in
/// specificity: an unwrapped light rule could beat a dark one. The rules
/// keep their order, so the cascade is the full stylesheet's. Empty when
/// the page has no highlighted code.
///
/// A page carries these few rules inline rather than linking both themes'
/// 200-odd: a short code block uses a dozen token kinds, and Lighthouse
/// counted the rest, 19 KiB, as unused CSS.
pub fn token_css(html: &str) -> anyhow::Result<String> {
    if !has_code(html) {
        return Ok(String::new());
    }
    let used = token_classes(html);
    if used.is_empty() {
        return Ok(String::new());
    }
    let mut light = String::new();
    let mut dark = String::new();
    for rule in token_rules()? {
        let applies = rule
            .selectors
            .iter()
            .any(|classes| classes.iter().all(|c| used.contains(c.as_str())));
        if applies {
            let out = if rule.dark { &mut dark } else { &mut light };
            out.push_str(&rule.text);
        }
    }
    let mut css = String::new();
    if !light.is_empty() {
        css.push_str("@media not all and (prefers-color-scheme: dark){");
        css.push_str(&light);
        css.push('}');
    }
    if !dark.is_empty() {
        css.push_str("@media (prefers-color-scheme: dark){");
        css.push_str(&dark);
        css.push('}');
    }
    Ok(css)
}

/// Whether `html` has a code block, so its page loads `code.css`.
pub fn has_code(html: &str) -> bool {
    memchr::memmem::find(html.as_bytes(), b"<pre").is_some()
}

/// The `hl-` classes on elements of `html`.
fn token_classes(html: &str) -> std::collections::HashSet<&str> {
    const ATTR: &str = "class=\"";
    let mut used = std::collections::HashSet::new();
    for (at, _) in html.match_indices(ATTR) {
        let value = &html[at + ATTR.len()..];
        let value = &value[..value.find('"').unwrap_or(value.len())];
        used.extend(
            value
                .split_ascii_whitespace()
                .filter(|c| c.starts_with("hl-")),
        );
    }
    used
}

/// syntect's CSS for both themes, cut into rules once per process
/// (loading syntect's theme dump costs a few milliseconds, which `serve`
/// would pay on every pass).
fn token_rules() -> anyhow::Result<&'static [TokenRule]> {
    static RULES: OnceLock<Result<Vec<TokenRule>, String>> = OnceLock::new();
    RULES
        .get_or_init(|| make_rules().map_err(|e| format!("{e:#}")))
        .as_deref()
        .map_err(|e| anyhow::Error::msg(e.clone()))
}

fn make_rules() -> anyhow::Result<Vec<TokenRule>> {
    let themes = ThemeSet::load_defaults();
    let mut rules = Vec::new();
    for (name, dark) in [(LIGHT_THEME, false), (DARK_THEME, true)] {
        let theme = themes
            .themes
            .get(name)
            .ok_or_else(|| anyhow::anyhow!("syntect theme `{name}` is missing"))?;
        let css = css_for_theme_with_class_style(theme, CLASS_STYLE)?;
        rules.extend(split_rules(&css).map(|(selector, body)| {
            TokenRule {
                dark,
                text: format!("{}{{{}}}", selector.trim(), compact(body)),
                selectors: selector
                    .split(',')
                    .map(|one| {
                        one.split(|c: char| c.is_whitespace() || c == '.')
                            .filter(|c| c.starts_with("hl-"))
                            .map(str::to_string)
                            .collect()
                    })
                    .collect(),
            }
        }));
    }
    Ok(rules)
}

/// The `selector { body }` rules of syntect's generated CSS, which has
/// comments but no nesting, strings or at-rules.
fn split_rules(css: &str) -> impl Iterator<Item = (&str, &str)> {
    css.split('}').filter_map(|chunk| {
        let (selector, body) = chunk.split_once('{')?;
        // A comment before the selector ("theme … generated by syntect").
        let selector = selector.rsplit_once("*/").map_or(selector, |(_, s)| s);
        (!selector.trim().is_empty()).then_some((selector, body))
    })
}

/// `\n color: #323232;\nfont-style: italic;\n` → `color: #323232;font-style: italic;`
fn compact(body: &str) -> String {
    body.lines().map(str::trim).collect()
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
    fn token_css_has_the_pages_classes_light_and_dark_and_no_others() {
        let rust = code_block(Some("rust"), "// hi\nfn main() { let s = \"x\"; }\n");
        let css = token_css(&rust).unwrap_or_else(|e| panic!("{e}"));
        let (light, dark) = css
            .split_once("@media (prefers-color-scheme: dark){")
            .unwrap_or_else(|| panic!("no dark rules: {css}"));
        assert!(light.starts_with("@media not all and (prefers-color-scheme: dark){"));
        for half in [light, dark] {
            assert!(half.contains(".hl-comment"), "{half}");
            assert!(half.contains(".hl-string"), "{half}");
        }
        // Classes the page does not have bring no rules: no diff lines or
        // regular expressions here, though both themes colour them.
        let full: String = token_rules()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        for absent in [
            ".hl-markup.hl-inserted",
            ".hl-regexp",
            ".hl-markup.hl-deleted",
        ] {
            assert!(full.contains(absent), "{absent} is not in the themes");
            assert!(!css.contains(absent), "{absent} in {css}");
        }
        // Far less than both themes whole.
        let all: usize = token_rules()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|r| r.text.len())
            .sum();
        assert!(css.len() * 4 < all, "{} of {all} bytes", css.len());
        // Every rule of the page is a rule of the full set, in its order.
        let rules: Vec<&str> = token_rules()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        let (mut from, mut kept) = (0, 0);
        for rule in rules {
            if let Some(i) = css[from..].find(rule) {
                from += i + rule.len();
                kept += 1;
            }
        }
        // Every '}' closes a rule but the two media blocks'.
        assert_eq!(kept, css.matches('}').count() - 2, "{css}");
        assert_eq!(token_css("<p>no code</p>").ok().as_deref(), Some(""));
    }
}
