//! Feeds and crawl files: the Atom feed of the site and of each tag,
//! `sitemap.xml` (an index of several sitemaps above 50,000 URLs) and
//! `robots.txt`. All are templates, so a theme or site can override them.

use rayon::prelude::*;
use serde::Serialize;

use crate::content::{Content, Translations};
use crate::error::Error;
use crate::site::SiteRef;
use crate::site::listings::{Listed, Summary, Tag};

/// `<updated>` of a feed with no entries.
const EMPTY_FEED_UPDATED: &str = "1970-01-01T00:00:00+00:00";

/// The sitemap protocol's limit of URLs per file.
pub const SITEMAP_LIMIT: usize = 50_000;

#[derive(Serialize)]
struct FeedContext<'a> {
    title: &'a str,
    /// Absolute URL of the feed itself.
    url: String,
    /// Absolute URL of the HTML page the feed mirrors.
    alternate: String,
    /// Newest date among the entries (the feed's `<updated>`).
    updated: String,
}

/// Writes a language's `/atom.xml` and `/tags/<slug>/atom.xml` (under its
/// base path).
pub(crate) fn render(site: &SiteRef, listed: &Listed, tags: &[Tag]) -> Result<(), Error> {
    let config = site.config;
    let base = site.base();
    let summaries = listed.summaries;
    let feed = |title: &str, html_url: &str, items: &[usize]| -> Result<(), Error> {
        let feed_rel = format!("{}atom.xml", html_url.trim_start_matches('/'));
        // Atom needs a date for every entry: an undated article is left
        // out rather than given another's (or the build's) date.
        let items: Vec<usize> = items
            .iter()
            .copied()
            .filter(|&i| summaries[i].date.is_some() || summaries[i].updated.is_some())
            .collect();
        let items = items.as_slice();
        let entries: Vec<&Summary> = items.iter().map(|&i| &*summaries[i]).collect();
        let keys: Vec<u64> = entries.iter().map(|e| e.key).collect();
        // Only the entries decide `updated`. An empty feed (a language
        // with no article yet) is dated 1970, not by the clock: the same
        // sources always build the same bytes.
        if site.unchanged(&feed_rel, "atom.xml", &(title, html_url, keys)) {
            return Ok(());
        }
        let updated = entries
            .iter()
            .filter_map(|e| e.updated.as_ref().or(e.date.as_ref()))
            .max_by_key(|d| parse_instant(d))
            .cloned()
            .unwrap_or_else(|| EMPTY_FEED_UPDATED.to_string());
        let mut ctx = site.context();
        ctx.insert(
            "feed",
            &FeedContext {
                title,
                url: config.permalink(&format!("/{feed_rel}")),
                alternate: config.permalink(html_url),
                updated,
            },
        );
        ctx.insert_value("entries", listed.values(items));
        site.render_file("atom.xml", &feed_rel, &ctx)
    };

    // The site feed (every article) is one long render: run it beside the
    // tag feeds rather than before them.
    let all: Vec<usize> = (0..summaries.len()).collect();
    let site_feed = || feed(&config.title, base, &all);
    let tag_feeds = || {
        tags.par_iter().try_for_each(|tag| {
            let title = format!("{} \u{2014} {}", tag.name, config.title);
            feed(&title, &tag.url(base), &tag.pages)
        })
    };
    let (site_feed, tag_feeds) = rayon::join(site_feed, tag_feeds);
    site_feed?;
    tag_feeds
}

/// Writes the sitemap (or sitemap index and its parts) of every language,
/// each article with its translations as alternates, and robots.txt.
pub(crate) fn crawl_files(
    site: &SiteRef,
    content: &Content,
    editions: &[crate::content::Edition],
    summaries: &[std::sync::Arc<Summary>],
    tags: &[Vec<Tag>],
) -> Result<(), Error> {
    let config = site.config;
    let translations = site.translations;
    let mut urls: Vec<SitemapUrl> = Vec::with_capacity(summaries.len() + 2);
    // A home page or section with versions in other languages lists them.
    let listing = |url: &str, versions: &[(usize, String, String)]| {
        let mut u = SitemapUrl::new(config.permalink(url), None);
        u.alternates = alternates(
            config,
            versions
                .iter()
                .map(|(lang, url, _)| (*lang, config.permalink(url))),
        );
        u
    };
    for (edition, tags) in editions.iter().zip(tags) {
        let base = &config.languages[edition.lang].base_path;
        urls.push(listing(base, site.listing_versions.homes()));
        for s in &edition.sections {
            urls.push(listing(&s.url, site.listing_versions.of_dir(&s.dir)));
        }
        if !tags.is_empty() {
            urls.push(SitemapUrl::new(
                config.permalink(&format!("{base}tags/")),
                None,
            ));
            for t in tags {
                urls.push(SitemapUrl::new(config.permalink(&t.url(base)), None));
            }
        }
    }
    let add_articles = |urls: &mut Vec<SitemapUrl>| {
        add_articles(urls, summaries, &content.pages, translations, config);
    };
    let files = sitemap_files(urls.len() + summaries.len(), SITEMAP_LIMIT);
    if files.len() == 1 {
        // Keyed by the listing pages' URLs and the summaries (permalink,
        // dates) before the articles' URLs are added: an unchanged sitemap,
        // most serve passes, costs no copy of 10,000 permalinks. (Which
        // articles are translations is in the pass's listings key.)
        let keys: Vec<u64> = summaries.iter().map(|s| s.key).collect();
        if !site.unchanged("sitemap.xml", "sitemap.xml", &(&urls, keys)) {
            add_articles(&mut urls);
            let mut ctx = tera::Context::new();
            ctx.insert("urls", &urls);
            site.render_file("sitemap.xml", "sitemap.xml", &ctx)?;
        }
    } else {
        add_articles(&mut urls);
        let mut sitemaps = Vec::with_capacity(files.len());
        for (rel, range) in files {
            let mut ctx = tera::Context::new();
            ctx.insert("urls", &urls[range]);
            site.render_file("sitemap.xml", &rel, &ctx)?;
            sitemaps.push(config.permalink(&format!("/{rel}")));
        }
        let mut ctx = tera::Context::new();
        ctx.insert("sitemaps", &sitemaps);
        site.render_file("sitemap_index.xml", "sitemap.xml", &ctx)?;
    }
    if site.unchanged("robots.txt", "robots.txt", &()) {
        return Ok(());
    }
    site.render_file("robots.txt", "robots.txt", &tera::Context::new())
}

/// Every article's URL, with its translations' (itself among them) and
/// the default language's as `x-default`, as Google asks: each version
/// lists every version.
fn add_articles(
    urls: &mut Vec<SitemapUrl>,
    summaries: &[std::sync::Arc<Summary>],
    pages: &[std::sync::Arc<crate::content::Page>],
    translations: &Translations,
    config: &crate::config::Config,
) {
    urls.extend(summaries.iter().enumerate().map(|(i, s)| {
        let mut url = SitemapUrl::new(
            s.permalink.clone(),
            s.updated.clone().or_else(|| s.date.clone()),
        );
        url.alternates = alternates(
            config,
            translations
                .of_page(i)
                .iter()
                .map(|&j| (pages[j].lang, summaries[j].permalink.clone())),
        );
        url
    }));
}

/// A page's versions, each (language, permalink), as `hreflang`
/// alternates, plus `x-default` (the first: the default language's
/// version when it has one); empty without versions.
fn alternates(
    config: &crate::config::Config,
    versions: impl Iterator<Item = (usize, String)>,
) -> Vec<Alternate> {
    let mut alternates: Vec<Alternate> = versions
        .map(|(lang, permalink)| Alternate {
            hreflang: config.languages[lang].code.clone(),
            href: escaped(permalink),
        })
        .collect();
    if let Some(first) = alternates.first() {
        let href = first.href.clone();
        alternates.push(Alternate {
            hreflang: "x-default".to_string(),
            href,
        });
    }
    alternates
}

/// A URL as the sitemap protocol asks for it: ASCII, with a Unicode path
/// (`/ko/다리의-틈/`, with `unicode_slugs`) percent-encoded.
fn escaped(url: String) -> String {
    if url.is_ascii() {
        return url;
    }
    url::Url::parse(&url).map_or(url, String::from)
}

/// One `<xhtml:link rel="alternate">` of a sitemap URL.
#[derive(Debug, Serialize, Hash)]
struct Alternate {
    hreflang: String,
    href: String,
}

/// The sitemap files for `count` URLs: one `sitemap.xml` up to `limit`,
/// else `sitemap-1.xml`… of at most `limit` each (the index is written as
/// `sitemap.xml` by the caller).
pub(super) fn sitemap_files(count: usize, limit: usize) -> Vec<(String, std::ops::Range<usize>)> {
    if count <= limit {
        return vec![("sitemap.xml".to_string(), 0..count)];
    }
    (0..count.div_ceil(limit))
        .map(|n| {
            (
                format!("sitemap-{}.xml", n + 1),
                n * limit..((n + 1) * limit).min(count),
            )
        })
        .collect()
}

#[derive(Serialize, Hash)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
    /// The page's versions in each language, when it has translations.
    alternates: Vec<Alternate>,
}

impl SitemapUrl {
    fn new(loc: String, lastmod: Option<String>) -> SitemapUrl {
        SitemapUrl {
            loc: escaped(loc),
            lastmod,
            alternates: Vec::new(),
        }
    }
}

/// Orders RFC 3339 strings by instant (their offsets may differ).
fn parse_instant(s: &str) -> Option<jiff::Timestamp> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemaps_split_above_the_limit() {
        assert_eq!(
            sitemap_files(50_000, SITEMAP_LIMIT),
            vec![("sitemap.xml".to_string(), 0..50_000)]
        );
        assert_eq!(
            sitemap_files(50_001, SITEMAP_LIMIT),
            vec![
                ("sitemap-1.xml".to_string(), 0..50_000),
                ("sitemap-2.xml".to_string(), 50_000..50_001)
            ]
        );
        assert_eq!(
            sitemap_files(0, SITEMAP_LIMIT),
            vec![("sitemap.xml".to_string(), 0..0)]
        );
    }
}
