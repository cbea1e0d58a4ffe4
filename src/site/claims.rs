//! One owner per output path: every file a render pass writes is claimed
//! before the pages are rendered, and a second claim on a path is an error
//! naming both owners, instead of one silently overwriting the other.

use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::content::Content;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::site::cdn::Alias;
use crate::site::listings::{Tag, paginate};
use crate::site::page_file;

/// What writes an output file, as the user knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Owner {
    /// "the home page (content/_index.md)", "the static file static/a.txt".
    what: String,
    /// Where an error about it points: a content file's `line:col`, or a
    /// file's path. `None` for what the build makes on its own (sitemap).
    at: Option<(PathBuf, Position)>,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A file of the theme's `static/`: the site's own file of the same
    /// name replaces it (that is how a site overrides its theme).
    ThemeStatic,
    SiteStatic,
    Other,
}

impl Owner {
    /// Something the build makes from no one file: the sitemap, the feed.
    pub(super) fn generated(what: impl Into<String>) -> Owner {
        Owner {
            what: what.into(),
            at: None,
            kind: Kind::Other,
        }
    }

    /// Something made from (or copied from) the file `path`; an error
    /// points at `pos` in it.
    pub(super) fn from_file(what: impl Into<String>, path: &Path, pos: Position) -> Owner {
        Owner {
            what: what.into(),
            at: Some((path.to_path_buf(), pos)),
            kind: Kind::Other,
        }
    }

    fn static_file(path: &Path, kind: Kind) -> Owner {
        let what = match kind {
            Kind::ThemeStatic => "the theme's static file",
            Kind::SiteStatic | Kind::Other => "the static file",
        };
        Owner {
            kind,
            ..Owner::from_file(format!("{what} {}", path.display()), path, Position::START)
        }
    }
}

/// The output paths claimed so far (relative to the output root,
/// `/`-separated) and their owners.
#[derive(Debug, Default)]
pub(super) struct Claims {
    owners: FxHashMap<String, Owner>,
    conflicts: usize,
}

impl Claims {
    /// Claims `file` for `owner`. A path already claimed is an error naming
    /// both, pointed at the later claim when it has a place in a file
    /// (claims are made so that content comes last), else at the earlier.
    pub(super) fn claim(&mut self, file: String, owner: Owner, diags: &Diagnostics) {
        match self.owners.entry(file) {
            Entry::Vacant(slot) => {
                slot.insert(owner);
            }
            Entry::Occupied(mut slot) => {
                if slot.get().kind == Kind::ThemeStatic && owner.kind == Kind::SiteStatic {
                    slot.insert(owner);
                    return;
                }
                diags.push(conflict(slot.key(), slot.get(), &owner));
                self.conflicts += 1;
            }
        }
    }

    /// Reports paths claimed as a file where another claim needs a folder
    /// (an alias `/sitemap.xml` is written as `sitemap.xml/index.html`),
    /// which no file system can hold; returns how many conflicts were
    /// found in all.
    pub(super) fn finish(&mut self, diags: &Diagnostics) -> usize {
        for (file, owner) in &self.owners {
            let mut end = file.len();
            while let Some(slash) = file[..end].rfind('/') {
                end = slash;
                if let Some(first) = self.owners.get(&file[..end]) {
                    let second = Owner {
                        what: format!("{} (as the folder of `/{file}`)", owner.what),
                        ..owner.clone()
                    };
                    diags.push(conflict(&file[..end], first, &second));
                    self.conflicts += 1;
                }
            }
        }
        self.conflicts
    }
}

fn conflict(file: &str, first: &Owner, second: &Owner) -> Diagnostic {
    let (path, pos) = second
        .at
        .clone()
        .or_else(|| first.at.clone())
        .unwrap_or_else(|| (PathBuf::from(crate::config::CONFIG_FILE), Position::START));
    Diagnostic::error(
        path,
        pos,
        format!(
            "`/{file}` is claimed twice: by {} and by {}",
            second.what, first.what
        ),
    )
    .with_hint(
        "every output path has one owner: change the alias, the `slug`, the folder or the file name so that they differ",
    )
}

/// Everything a site-wide render pass writes besides the theme's and the
/// site's static files (see [`claim_static`]), in the order that makes
/// content claims come after what the build makes on its own: listings and
/// their pagination pages, articles, tag pages and feeds, feeds, crawl
/// files, the 404 page, the CDN files, the stylesheet, the files beside the
/// articles, then aliases.
pub(super) struct Everything<'a> {
    pub content: &'a Content,
    /// Each language's articles, home page and sections.
    pub editions: &'a [crate::content::Edition<'a>],
    /// Each language's base path: `/`, `/ko/`.
    pub bases: Vec<&'a str>,
    /// Each language's tags.
    pub tags: &'a [Vec<Tag>],
    pub aliases: &'a [Alias],
    pub paginate_by: usize,
    /// The URLs of the stylesheets nutgraf writes (`/assets/style.<hash>.css`
    /// and `/assets/code.<hash>.css`).
    pub stylesheets: Vec<&'a str>,
    /// Where `content/` is shown to the user (`content`).
    pub content_dir: &'a Path,
    /// Whether the search page and Pagefind's files are written.
    pub search: bool,
}

pub(super) fn claim_site(claims: &mut Claims, site: &Everything, diags: &Diagnostics) {
    let content = site.content;
    for ((edition, base), tags) in site.editions.iter().zip(&site.bases).zip(site.tags) {
        claim_edition(claims, site, edition, base, tags, diags);
    }
    // Articles: a `slug` decides the URL, so an error points at it.
    for page in &content.pages {
        let pos = if page.matter.slug.is_some() {
            page.key_position("slug")
        } else {
            Position::START
        };
        claims.claim(
            page_file(&page.url),
            Owner::from_file(
                format!("the article {}", page.display.display()),
                &page.display,
                pos,
            ),
            diags,
        );
    }
    // Crawl files and the CDN files.
    let urls: usize = site
        .editions
        .iter()
        .zip(site.tags)
        .map(|(e, tags)| 1 + e.sections.len() + if tags.is_empty() { 0 } else { 1 + tags.len() })
        .sum();
    let sitemaps =
        super::feeds::sitemap_files(urls + content.pages.len(), super::feeds::SITEMAP_LIMIT);
    if sitemaps.len() > 1 {
        claims.claim(
            "sitemap.xml".into(),
            Owner::generated("the sitemap index"),
            diags,
        );
    }
    for (file, _) in sitemaps {
        claims.claim(file, Owner::generated("the sitemap"), diags);
    }
    for (file, what) in [
        ("robots.txt", "robots.txt"),
        ("_headers", "the CDN's `_headers` file"),
        ("_redirects", "the CDN's `_redirects` file"),
    ] {
        claims.claim(file.into(), Owner::generated(what), diags);
    }
    for url in &site.stylesheets {
        claims.claim(
            url.trim_start_matches('/').to_string(),
            Owner::generated("the stylesheet"),
            diags,
        );
    }
    if site.search {
        // Pagefind names most of its files by their hash; these two are
        // fixed, and where a site's own file would break search.
        for base in &site.bases {
            claims.claim(
                page_file(&format!("{base}search/")),
                Owner::generated("the search page"),
                diags,
            );
        }
        for (file, what) in [
            ("pagefind/pagefind.js", "the search index (Pagefind)"),
            (
                "pagefind/pagefind-entry.json",
                "the search index (Pagefind)",
            ),
        ] {
            claims.claim(file.into(), Owner::generated(what), diags);
        }
    }
    // The files beside the articles.
    for file in &content.assets {
        let path = site.content_dir.join(&file.source);
        claims.claim(
            file.dest.clone(),
            Owner::from_file(
                format!("the file {}", path.display()),
                &path,
                Position::START,
            ),
            diags,
        );
    }
    // Aliases last: their errors point at the alias.
    for alias in site.aliases {
        claims.claim(
            crate::paths::slash(&alias.file),
            Owner::from_file(
                format!(
                    "the alias in {}:{}:{}",
                    alias.source.display(),
                    alias.pos.line,
                    alias.pos.col
                ),
                &alias.source,
                alias.pos,
            ),
            diags,
        );
    }
}

/// One language's home page, sections, tag pages, feeds and 404 page,
/// under its base path.
fn claim_edition(
    claims: &mut Claims,
    site: &Everything,
    edition: &crate::content::Edition,
    base: &str,
    tags: &[Tag],
    diags: &Diagnostics,
) {
    // The home page and the sections, each with its pagination pages.
    let home_source = edition.home.map(|h| h.display.clone());
    let home = match &home_source {
        Some(p) => format!("the home page ({})", p.display()),
        None if base == "/" => "the home page".to_string(),
        None => format!("the home page of `{base}`"),
    };
    let home_per_page = edition
        .home
        .and_then(|h| h.matter.paginate_by)
        .unwrap_or(site.paginate_by);
    claim_listing(
        claims,
        base,
        edition.pages.len(),
        home_per_page,
        &home,
        home_source.as_deref(),
        diags,
    );
    for s in &edition.sections {
        let items = edition
            .pages
            .iter()
            .filter(|p| p.section_dir == s.dir)
            .count();
        claim_listing(
            claims,
            &s.url,
            items,
            s.matter.paginate_by.unwrap_or(site.paginate_by),
            &format!("the section {}", s.display.display()),
            Some(&s.display),
            diags,
        );
    }
    // Tag pages and their feeds.
    if !tags.is_empty() {
        claims.claim(
            page_file(&format!("{base}tags/")),
            Owner::generated("the tag index"),
            diags,
        );
    }
    for tag in tags {
        let url = tag.url(base);
        let what = format!("the tag page `{}`", tag.name);
        claim_listing(
            claims,
            &url,
            tag.pages.len(),
            site.paginate_by,
            &what,
            None,
            diags,
        );
        claims.claim(
            format!("{}atom.xml", url.trim_start_matches('/')),
            Owner::generated(format!("the feed of the tag `{}`", tag.name)),
            diags,
        );
    }
    let base = base.trim_start_matches('/');
    claims.claim(
        format!("{base}atom.xml"),
        Owner::generated("the site's Atom feed"),
        diags,
    );
    claims.claim(
        format!("{base}404.html"),
        Owner::generated("the 404 page"),
        diags,
    );
}

/// A listing at `base` and its pagination pages (`base/page/2/`, …).
fn claim_listing(
    claims: &mut Claims,
    base: &str,
    items: usize,
    per_page: usize,
    what: &str,
    source: Option<&Path>,
    diags: &Diagnostics,
) {
    for pager in paginate(base, items, per_page) {
        let what = if pager.number == 1 {
            what.to_string()
        } else {
            format!("page {} of {what}", pager.number)
        };
        let owner = match source {
            Some(path) => Owner::from_file(what, path, Position::START),
            None => Owner::generated(what),
        };
        claims.claim(page_file(&pager.url), owner, diags);
    }
}

/// The theme's static files (`theme`, with the output path of each) and
/// the site's (`site`): a site file replaces the theme's of the same name.
/// Both are claimed first, so that an error about a page or a content file
/// in their way points at the page or the file.
pub(super) fn claim_static(
    claims: &mut Claims,
    theme: &[(String, PathBuf)],
    site: &[(String, PathBuf)],
    diags: &Diagnostics,
) {
    for (file, path) in theme {
        claims.claim(
            file.clone(),
            Owner::static_file(path, Kind::ThemeStatic),
            diags,
        );
    }
    for (file, path) in site {
        claims.claim(
            file.clone(),
            Owner::static_file(path, Kind::SiteStatic),
            diags,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(diags: Diagnostics) -> Vec<String> {
        diags
            .into_sorted()
            .into_iter()
            .map(|d| format!("{}: {}", d.location(), d.message))
            .collect()
    }

    #[test]
    fn a_second_claim_is_an_error_naming_both_at_the_later_file() {
        let diags = Diagnostics::default();
        let mut claims = Claims::default();
        claims.claim(
            "index.html".into(),
            Owner::from_file(
                "the home page (content/_index.md)",
                Path::new("content/_index.md"),
                Position::START,
            ),
            &diags,
        );
        claims.claim(
            "index.html".into(),
            Owner::from_file(
                "the alias in content/a.md:4:11",
                Path::new("content/a.md"),
                Position { line: 4, col: 11 },
            ),
            &diags,
        );
        claims.claim(
            "sitemap.xml".into(),
            Owner::generated("the sitemap"),
            &diags,
        );
        claims.claim(
            "sitemap.xml".into(),
            Owner::generated("the sitemap index"),
            &diags,
        );
        assert_eq!(
            messages(diags),
            [
                "content/a.md:4:11: `/index.html` is claimed twice: by the alias in content/a.md:4:11 and by the home page (content/_index.md)",
                // Neither has a file: the config that shaped the build.
                "nutgraf.toml:1:1: `/sitemap.xml` is claimed twice: by the sitemap index and by the sitemap",
            ]
        );
    }

    #[test]
    fn a_site_static_file_overrides_the_themes_but_not_a_page() {
        let diags = Diagnostics::default();
        let mut claims = Claims::default();
        claim_static(
            &mut claims,
            &[("logo.svg".into(), "themes/t/static/logo.svg".into())],
            &[
                ("logo.svg".into(), "static/logo.svg".into()),
                ("404.html".into(), "static/404.html".into()),
            ],
            &diags,
        );
        claims.claim("404.html".into(), Owner::generated("the 404 page"), &diags);
        assert_eq!(
            messages(diags),
            [
                "static/404.html:1:1: `/404.html` is claimed twice: by the 404 page and by the static file static/404.html"
            ]
        );
        assert_eq!(
            claims.owners.get("logo.svg").map(|o| o.kind),
            Some(Kind::SiteStatic)
        );
    }

    #[test]
    fn a_file_where_another_claim_needs_a_folder_is_an_error() {
        // Regression: the alias `/sitemap.xml` (written as
        // `sitemap.xml/index.html`) failed with an I/O error naming the
        // temporary build folder.
        let diags = Diagnostics::default();
        let mut claims = Claims::default();
        claims.claim(
            "sitemap.xml".into(),
            Owner::generated("the sitemap"),
            &diags,
        );
        claims.claim(
            "sitemap.xml/index.html".into(),
            Owner::from_file(
                "the alias in content/a.md:3:1",
                Path::new("content/a.md"),
                Position { line: 3, col: 1 },
            ),
            &diags,
        );
        claims.claim("a/b/c.png".into(), Owner::generated("a file"), &diags);
        assert_eq!(claims.finish(&diags), 1);
        assert_eq!(
            messages(diags),
            [
                "content/a.md:3:1: `/sitemap.xml` is claimed twice: by the alias in content/a.md:3:1 (as the folder of `/sitemap.xml/index.html`) and by the sitemap"
            ]
        );
    }

    #[test]
    fn listings_claim_each_pagination_page() {
        let diags = Diagnostics::default();
        let mut claims = Claims::default();
        claim_listing(&mut claims, "/", 3, 1, "the home page", None, &diags);
        let mut files: Vec<&str> = claims.owners.keys().map(String::as_str).collect();
        files.sort_unstable();
        assert_eq!(
            files,
            ["index.html", "page/2/index.html", "page/3/index.html"]
        );
        assert_eq!(
            claims
                .owners
                .get("page/3/index.html")
                .map(|o| o.what.as_str()),
            Some("page 3 of the home page")
        );
        assert!(messages(diags).is_empty());
    }
}
