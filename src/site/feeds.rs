//! Feeds and crawl files: the Atom feed of the site and of each tag,
//! `sitemap.xml` (an index of several sitemaps above 50,000 URLs) and
//! `robots.txt`. All are templates, so a theme or site can override them.

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Content;
use crate::error::Error;
use crate::site::SiteRef;
use crate::site::listings::{Listed, Summary, Tag};

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

/// Writes `/atom.xml`, `/tags/<slug>/atom.xml`, the sitemap and robots.txt.
pub(crate) fn render(
    site: &SiteRef,
    content: &Content,
    listed: &Listed,
    tags: &[Tag],
) -> Result<(), Error> {
    let config = site.config;
    let summaries = listed.summaries;
    let now = crate::content::frontmatter::rfc3339(
        &jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::UTC),
    );
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
        // Only the entries decide `updated` (or the clock, for an empty
        // feed, which is then not worth re-rendering).
        if site.unchanged(&feed_rel, "atom.xml", &(title, html_url, keys)) {
            return Ok(());
        }
        let updated = entries
            .iter()
            .filter_map(|e| e.updated.as_ref().or(e.date.as_ref()))
            .max_by_key(|d| parse_instant(d))
            .cloned()
            .unwrap_or_else(|| now.clone());
        let mut ctx = tera::Context::new();
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

    // The site feed (every article) and the sitemap are each one long
    // render: run them beside the tag feeds rather than before them.
    let all: Vec<usize> = (0..summaries.len()).collect();
    let site_feed = || feed(&config.title, "/", &all);
    let tag_feeds = || {
        tags.par_iter().try_for_each(|tag| {
            let title = format!("{} \u{2014} {}", tag.name, config.title);
            feed(&title, &tag.url(), &tag.pages)
        })
    };
    let crawl_files = || crawl_files(site, content, listed, tags);
    let (site_feed, (tag_feeds, crawl_files)) =
        rayon::join(site_feed, || rayon::join(tag_feeds, crawl_files));
    site_feed?;
    tag_feeds?;
    crawl_files
}

/// Writes the sitemap (or sitemap index and its parts) and robots.txt.
fn crawl_files(
    site: &SiteRef,
    content: &Content,
    listed: &Listed,
    tags: &[Tag],
) -> Result<(), Error> {
    let config = site.config;
    let summaries = listed.summaries;
    let mut urls: Vec<SitemapUrl> = Vec::with_capacity(summaries.len() + tags.len() + 2);
    urls.push(SitemapUrl::new(config.permalink("/"), None));
    for s in &content.sections {
        urls.push(SitemapUrl::new(config.permalink(&s.url), None));
    }
    if !tags.is_empty() {
        urls.push(SitemapUrl::new(config.permalink("/tags/"), None));
        for t in tags {
            urls.push(SitemapUrl::new(config.permalink(&t.url()), None));
        }
    }
    let files = sitemap_files(urls.len() + summaries.len(), SITEMAP_LIMIT);
    if files.len() == 1 {
        // Keyed by the listing pages' URLs and the summaries (permalink,
        // dates) before the articles' URLs are added: an unchanged sitemap,
        // most serve passes, costs no copy of 10,000 permalinks.
        let keys: Vec<u64> = summaries.iter().map(|s| s.key).collect();
        if !site.unchanged("sitemap.xml", "sitemap.xml", &(&urls, keys)) {
            add_articles(&mut urls, summaries);
            let mut ctx = tera::Context::new();
            ctx.insert("urls", &urls);
            site.render_file("sitemap.xml", "sitemap.xml", &ctx)?;
        }
    } else {
        add_articles(&mut urls, summaries);
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

/// The sitemap files for `count` URLs: one `sitemap.xml` up to `limit`,
/// else `sitemap-1.xml`… of at most `limit` each (the index is written as
/// `sitemap.xml` by the caller).
fn add_articles(urls: &mut Vec<SitemapUrl>, summaries: &[std::sync::Arc<Summary>]) {
    urls.extend(summaries.iter().map(|s| {
        SitemapUrl::new(
            s.permalink.clone(),
            s.updated.clone().or_else(|| s.date.clone()),
        )
    }));
}

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
}

impl SitemapUrl {
    fn new(loc: String, lastmod: Option<String>) -> SitemapUrl {
        SitemapUrl { loc, lastmod }
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
