//! CDN-ready extras: `_redirects` and HTML redirect pages for `aliases`,
//! and the `_headers` file with caching rules (Netlify and Cloudflare Pages
//! read both files; S3-style hosts use the redirect pages).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::content::{Content, Page};
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::error::Error;
use crate::html::escape;
use crate::paths::ASSETS_DIR;

/// Cache-Control of content-hashed files (everything under [`ASSETS_DIR`]).
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Cache-Control of everything else: pages, feeds, the sitemap change in
/// place.
pub const CACHE_REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// The output folders whose files are named by their content: nutgraf's
/// assets, and the search index's chunks (Pagefind hashes those names;
/// its `pagefind.js`, entry file and wasm keep theirs and are revalidated;
/// its `.pf_meta` file sits beside them with its hash in its name).
pub const HASHED_DIRS: &[&str] = &[
    ASSETS_DIR,
    "pagefind/fragment",
    "pagefind/index",
    "pagefind/filter",
];

/// Whether the output file `path` is content-hashed (cached for a year,
/// never purged).
pub fn is_hashed(path: &str) -> bool {
    HASHED_DIRS.iter().any(|dir| {
        path.strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
    }) || (path.starts_with("pagefind/") && path.ends_with(".pf_meta"))
}

/// The `_headers` file: hashed assets are cached for a year, everything
/// else (pages, feeds, sitemap, unhashed images) is revalidated on every
/// request. The `! Cache-Control` line is Cloudflare Pages' syntax for
/// dropping the header inherited from `/*`, which it would otherwise merge.
/// Each rule's path goes through [`field`], like `_redirects`' paths.
pub fn headers() -> String {
    let mut out = String::from(
        "# Written by nutgraf. Pages, feeds and the sitemap change in place: revalidate them.\n",
    );
    push_rule(
        &mut out,
        "/*",
        &[
            format!("Cache-Control: {CACHE_REVALIDATE}"),
            "X-Content-Type-Options: nosniff".into(),
        ],
    );
    out.push_str("\n# Content-hashed files never change: a new version gets a new name.\n");
    for dir in HASHED_DIRS {
        push_rule(
            &mut out,
            &format!("/{dir}/*"),
            &[
                "! Cache-Control".into(),
                format!("Cache-Control: {CACHE_IMMUTABLE}"),
            ],
        );
    }
    push_rule(
        &mut out,
        "/pagefind/*.pf_meta",
        &[
            "! Cache-Control".into(),
            format!("Cache-Control: {CACHE_IMMUTABLE}"),
        ],
    );
    out
}

/// One `_headers` rule: the path on its own line, then each header
/// indented on its own.
fn push_rule(out: &mut String, path: &str, headers: &[String]) {
    out.push_str(&field(path));
    out.push('\n');
    for h in headers {
        out.push_str("  ");
        out.push_str(&h.replace(|c: char| c.is_control(), " "));
        out.push('\n');
    }
}

/// A validated alias: an old URL that redirects to an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub from: String,
    pub to: String,
    /// Output file that holds the redirect page.
    pub file: PathBuf,
    /// The article that declares it, as shown to the user, and where.
    pub source: PathBuf,
    pub pos: Position,
}

/// Checks every article's `aliases`: site paths (with or without the
/// leading `/`), inside the site, not taken by a page or a file beside the
/// articles, not claimed twice.
pub fn aliases(content: &Content, taken: &[&str], diags: &Diagnostics) -> Vec<Alias> {
    let mut out = Vec::new();
    let mut claimed: HashMap<String, &Page> = HashMap::new();
    // A set, not the slice: 10,000 aliases against 10,000 page URLs made
    // this quadratic.
    let taken: rustc_hash::FxHashSet<&str> = taken.iter().copied().collect();
    let files: HashMap<&str, &Path> = content
        .assets
        .iter()
        .map(|f| (f.dest.as_str(), f.source.as_path()))
        .collect();
    // Finding the `aliases` key re-reads the front matter: only for the
    // pages that have aliases (serve runs this on every pass).
    for page in content
        .pages
        .iter()
        .filter(|p| !p.matter.aliases.is_empty())
    {
        let key = page.key_position("aliases");
        for raw in &page.matter.aliases {
            let pos = value_position(page.head(), key, raw);
            let error = |msg: String| {
                Diagnostic::error(&page.display, pos, msg).with_hint(
                    "aliases are old site paths like \"/2019/why-now/\" or \"2019/why-now.html\"",
                )
            };
            if let Some(problem) = crate::content::unplain(raw) {
                let raw = raw.escape_debug();
                diags.push(
                    Diagnostic::error(&page.display, pos, format!("alias `{raw}` {problem}"))
                        .with_hint("an alias is a plain site path such as \"/2019/why-now/\": no control characters, no spaces at its ends, `/` not `\\`"),
                );
                continue;
            }
            let Some((from, file)) = normalize(raw) else {
                diags.push(error(format!("alias `{raw}` is not a site path")));
                continue;
            };
            if taken.contains(&from.as_str()) {
                diags.push(error(format!("alias `{raw}` is the URL of a page")));
                continue;
            }
            if let Some(source) = files.get(crate::paths::slash(&file).as_str()) {
                let source = Path::new(crate::paths::CONTENT_DIR).join(source);
                diags.push(error(format!(
                    "alias `{raw}` is the URL of the file `{}`",
                    source.display()
                )));
                continue;
            }
            if let Some(other) = claimed.insert(from.clone(), page) {
                diags.push(error(format!(
                    "alias `{raw}` is also claimed by `{}`",
                    other.display.display()
                )));
                continue;
            }
            out.push(Alias {
                from,
                to: page.url.clone(),
                file,
                source: page.display.clone(),
                pos,
            });
        }
    }
    out.sort_by(|a, b| a.from.cmp(&b.from));
    out
}

/// Where the alias `raw` is written in `matter` (the front matter's text):
/// its first quoted occurrence at or after the `aliases` key at `key`, or
/// the key itself when it is not written literally (a TOML escape such as
/// `\t` inside it).
fn value_position(matter: &str, key: Position, raw: &str) -> Position {
    let key_offset: usize = matter
        .split_inclusive('\n')
        .take(key.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = matter.get(key_offset..).unwrap_or("");
    ['"', '\'']
        .iter()
        .filter_map(|q| rest.find(&format!("{q}{raw}{q}")))
        .min()
        .map_or(key, |i| Position::of_offset(matter, key_offset + i))
}

/// `/old/` → (`/old/`, `old/index.html`); `/old.html` → (`/old.html`,
/// `old.html`). The leading `/` is optional: Zola and Hugo write aliases
/// as `2015/02/20/x.html`, which are site paths all the same. `None` for
/// URLs (`https://…`, `//host/…`, `mailto:…`), queries, fragments and `..`.
fn normalize(raw: &str) -> Option<(String, PathBuf)> {
    let path = raw;
    if path.starts_with("//")
        || path.contains(['?', '#', '\\'])
        || path.contains(char::is_whitespace)
        || path.contains(char::is_control)
    {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // A scheme (`https:`, `mailto:`) makes it a URL, not a path.
    let is_url = !path.starts_with('/') && segments.first().is_some_and(|s| s.contains(':'));
    if is_url || segments.is_empty() || segments.iter().any(|s| *s == "." || *s == "..") {
        return None;
    }
    let joined = segments.join("/");
    if joined.ends_with(".html") {
        Some((format!("/{joined}"), PathBuf::from(joined)))
    } else {
        Some((
            format!("/{joined}/"),
            PathBuf::from(joined).join("index.html"),
        ))
    }
}

/// `_redirects`: one permanent redirect per alias, one rule a line of
/// whitespace-separated fields. Aliases are validated plain paths and page
/// URLs are slugs, so neither holds a separator; [`field`] makes sure of it
/// all the same, so that no input can ever add a field or a rule.
///
/// Then, for each of a multilingual site's other languages, its own 404
/// page for the paths under its base path (`/ko/* /ko/404.html 404`):
/// Netlify reads the rule; Cloudflare Pages finds the nearest `404.html`
/// by itself.
pub fn redirects(aliases: &[Alias], bases: &[&str]) -> String {
    let mut out = String::from("# Written by nutgraf from the articles' `aliases`.\n");
    for a in aliases {
        out.push_str(&format!("{} {} 301\n", field(&a.from), field(&a.to)));
    }
    for base in bases.iter().filter(|b| **b != "/") {
        out.push_str(&format!("{}* {}404.html 404\n", field(base), field(base)));
    }
    out
}

/// A path as one field of a `_redirects` or `_headers` line: whitespace
/// and control characters (the separators of fields and lines) are
/// percent-encoded, which hosts decode back when matching the path.
fn field(path: &str) -> std::borrow::Cow<'_, str> {
    let separator = |c: char| c.is_whitespace() || c.is_control();
    if !path.contains(separator) {
        return path.into();
    }
    let mut out = String::with_capacity(path.len() + 8);
    for c in path.chars() {
        if separator(c) {
            let mut buf = [0; 4];
            out.extend(percent_encoding::percent_encode(
                c.encode_utf8(&mut buf).as_bytes(),
                percent_encoding::NON_ALPHANUMERIC,
            ));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A redirect page for hosts that ignore `_redirects` (S3 and the like).
/// The refresh and the link are site-relative, so the page also works in a
/// local preview; the canonical URL is absolute.
pub fn redirect_page(to: &str, to_permalink: &str) -> String {
    let url = escape(to);
    let canonical = escape(to_permalink);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n\
         <meta name=\"description\" content=\"This page has moved to {canonical}.\">\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n\
         <body>\n<p>This page has moved to <a href=\"{url}\">{canonical}</a>.</p>\n</body>\n</html>\n"
    )
}

/// Writes `_headers`, `_redirects` and the alias pages into `out`.
/// `bases`: each language's base path, for its 404 page.
pub fn write(
    out: crate::output::Output,
    aliases: &[Alias],
    bases: &[&str],
    permalink: impl Fn(&str) -> String,
) -> Result<(), Error> {
    out.write("_headers", headers())?;
    out.write("_redirects", redirects(aliases, bases))?;
    for a in aliases {
        out.write(
            &crate::paths::slash(&a.file),
            redirect_page(&a.to, &permalink(&a.to)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths() {
        assert_eq!(
            normalize("/old/"),
            Some(("/old/".into(), PathBuf::from("old/index.html")))
        );
        assert_eq!(
            normalize("/a/b"),
            Some(("/a/b/".into(), PathBuf::from("a/b/index.html")))
        );
        assert_eq!(
            normalize("/x.html"),
            Some(("/x.html".into(), PathBuf::from("x.html")))
        );
        assert_eq!(normalize("/../etc/"), None);
        assert_eq!(normalize("https://e.org/x"), None);
        assert_eq!(normalize("/"), None);
        assert_eq!(normalize("mailto:a@e.org"), None);
        assert_eq!(normalize("//e.org/x/"), None);
        assert_eq!(normalize("old/?page=2"), None);
    }

    #[test]
    fn aliases_without_a_leading_slash_are_site_paths() {
        // Zola and Hugo write aliases this way; they used to be rejected
        // as "not a site path".
        assert_eq!(
            normalize("2015/02/20/x.html"),
            Some((
                "/2015/02/20/x.html".into(),
                PathBuf::from("2015/02/20/x.html")
            ))
        );
        assert_eq!(
            normalize("old/"),
            Some(("/old/".into(), PathBuf::from("old/index.html")))
        );
        assert_eq!(normalize("old"), normalize("/old/"));
        // The same validation as with the slash.
        assert_eq!(normalize("../etc/"), None);
        assert_eq!(normalize("a/./b/"), None);
        assert_eq!(normalize("https://e.org/x"), None);
    }

    fn alias(from: &str, to: &str) -> Alias {
        Alias {
            from: from.into(),
            to: to.into(),
            file: PathBuf::from("x/index.html"),
            source: PathBuf::from("content/a.md"),
            pos: Position::START,
        }
    }

    #[test]
    fn redirect_fields_never_hold_a_separator() {
        // Regression: an alias holding TAB/LF wrote extra rules
        // (`/ /a/ 301!`). Validation rejects such aliases; `field` makes
        // sure of it even if one got through.
        let out = redirects(&[alias("/x\t/a/ 301!\n/ /a/", "/a/")], &["/"]);
        assert_eq!(
            out,
            "# Written by nutgraf from the articles' `aliases`.\n/x%09/a/%20301!%0A/%20/a/ /a/ 301\n"
        );
        for line in out.lines().skip(1) {
            assert_eq!(line.split_whitespace().count(), 3, "{line:?}");
        }
        // Each other language's missing pages get its own 404 page.
        assert_eq!(
            redirects(&[], &["/", "/ko/", "/ar/"]),
            "# Written by nutgraf from the articles' `aliases`.\n/ko/* /ko/404.html 404\n/ar/* /ar/404.html 404\n"
        );
        // Unicode spaces too; other non-ASCII stays as written.
        assert_eq!(field("/caf\u{e9}\u{a0}/"), "/caf\u{e9}%C2%A0/");
        assert_eq!(field("/plain/"), "/plain/");
    }

    #[test]
    fn headers_are_one_path_line_then_indented_headers() {
        let text = headers();
        let rules: Vec<&str> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("  "))
            .collect();
        assert_eq!(
            rules,
            [
                "/*",
                "/assets/*",
                "/pagefind/fragment/*",
                "/pagefind/index/*",
                "/pagefind/filter/*",
                "/pagefind/*.pf_meta"
            ]
        );
        assert!(text.contains(&format!(
            "/assets/*\n  ! Cache-Control\n  Cache-Control: {CACHE_IMMUTABLE}\n"
        )));
    }

    /// What `_headers` caches for a year is what deploy uploads first and
    /// never purges: one rule, [`is_hashed`].
    #[test]
    fn hashed_files_are_the_assets_and_pagefind_s_chunks() {
        for hashed in [
            "assets/style.0a1b2c3d.css",
            "pagefind/fragment/en_1a2b3c4.pf_fragment",
            "pagefind/index/en_9fb4fa5.pf_index",
            "pagefind/pagefind.en_7fd9629b27.pf_meta",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for not in [
            "index.html",
            "pagefind/pagefind.js",
            "pagefind/pagefind-entry.json",
            "pagefind/wasm.en.pagefind",
            "assetsx/a.css",
            "pagefind/fragmentx/a",
        ] {
            assert!(!is_hashed(not), "{not}");
        }
    }

    #[test]
    fn aliases_with_control_characters_spaces_or_backslashes_are_not_site_paths() {
        assert_eq!(normalize("/a\tb/"), None);
        assert_eq!(normalize("/a\nb/"), None);
        assert_eq!(normalize("/a b/"), None);
        assert_eq!(normalize(" /a/"), None);
        assert_eq!(normalize("/a\\b/"), None);
        assert_eq!(normalize("/a\u{2028}b/"), None);
    }

    #[test]
    fn an_alias_is_pointed_at_where_it_is_written() {
        let matter = "+++\ntitle = \"b\"\naliases = [\"/a/\",\n  'b', \"/c\\td/\"]\n+++\n";
        let key = Position { line: 3, col: 1 };
        assert_eq!(
            value_position(matter, key, "/a/"),
            Position { line: 3, col: 12 }
        );
        // Not the title's "b", which comes before the key.
        assert_eq!(
            value_position(matter, key, "b"),
            Position { line: 4, col: 3 }
        );
        // Written with an escape: the key.
        assert_eq!(value_position(matter, key, "/c\td/"), key);
    }
}
