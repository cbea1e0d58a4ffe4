//! Listings: the lightweight article summaries listing pages see, sections,
//! tags, pagination and previous/next neighbours.
//!
//! Listing templates never see rendered article HTML: a 10,000-article
//! site holds one small [`Summary`] per article, and each listing page gets
//! only the summaries of its own slice.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::content::Page;
use crate::frontmatter::SortBy;

/// What a listing shows of one article.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub title: String,
    pub url: String,
    pub permalink: String,
    pub date: Option<String>,
    /// `updated`, or the latest `[[updates]]` entry.
    pub updated: Option<String>,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub reading_time: usize,
    pub word_count: usize,
    pub lead: Option<LeadSummary>,
    /// Serve: a hash of all of the above, so listing and feed keys hash
    /// one number per article instead of its whole summary (0 in builds).
    #[serde(skip)]
    pub key: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadSummary {
    pub src: String,
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A link to another article (previous/next).
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    pub title: String,
    pub url: String,
}

/// One page of a paginated listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based.
    pub number: usize,
    pub url: String,
    /// Which of the listing's items this page shows.
    pub items: Range<usize>,
}

/// Splits `total` items listed at `base` (`/tags/energy/`) into pages of
/// `per_page` (0: one page). Page 1 is `base`, page n is `base/page/n/`.
/// An empty listing still has one (empty) page.
pub fn paginate(base: &str, total: usize, per_page: usize) -> Vec<Pager> {
    let per_page = if per_page == 0 {
        total.max(1)
    } else {
        per_page
    };
    let count = total.div_ceil(per_page).max(1);
    (0..count)
        .map(|i| Pager {
            number: i + 1,
            url: page_url(base, i + 1),
            items: (i * per_page).min(total)..((i + 1) * per_page).min(total),
        })
        .collect()
}

pub fn page_url(base: &str, number: usize) -> String {
    if number == 1 {
        base.to_string()
    } else {
        format!("{base}page/{number}/")
    }
}

/// What a listing template gets to draw its page links.
#[derive(Debug, Serialize)]
pub struct PaginatorContext {
    pub current: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

#[derive(Debug, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
}

impl PaginatorContext {
    pub fn new(pagers: &[Pager], index: usize, total_items: usize) -> PaginatorContext {
        PaginatorContext {
            current: index + 1,
            total_pages: pagers.len(),
            total_items,
            first: pagers[0].url.clone(),
            last: pagers[pagers.len() - 1].url.clone(),
            previous: index.checked_sub(1).map(|i| pagers[i].url.clone()),
            next: pagers.get(index + 1).map(|p| p.url.clone()),
            pages: pagers
                .iter()
                .map(|p| PageLink {
                    number: p.number,
                    url: p.url.clone(),
                })
                .collect(),
        }
    }
}

/// A tag and the articles that carry it, newest first.
#[derive(Debug)]
pub struct Tag {
    /// As first written.
    pub name: String,
    pub slug: String,
    /// Indices into the site's article list.
    pub pages: Vec<usize>,
}

impl Tag {
    pub fn url(&self) -> String {
        format!("/tags/{}/", self.slug)
    }
}

/// Groups articles by tag slug ("Climate change" and "climate-change" are
/// one tag, named as first seen). `pages` are newest first, so each tag's
/// list is too.
pub fn tags(pages: &[Arc<Page>]) -> Vec<Tag> {
    // Tag names repeat across thousands of pages: each distinct name is
    // slugified and looked up once, then maps straight to its tag (serve
    // runs this on every pass, and per-use allocations showed in profiles).
    const NO_TAG: usize = usize::MAX;
    let mut by_name: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut by_slug: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    let mut tags: Vec<Tag> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for name in &page.matter.tags {
            let t = match by_name.get(name.as_str()) {
                Some(&t) => t,
                None => {
                    let slug = slug::slugify(name);
                    let t = if slug.is_empty() {
                        NO_TAG
                    } else {
                        *by_slug.entry(slug.clone()).or_insert_with(|| {
                            tags.push(Tag {
                                name: name.clone(),
                                slug,
                                pages: Vec::new(),
                            });
                            tags.len() - 1
                        })
                    };
                    by_name.insert(name, t);
                    t
                }
            };
            let Some(tag) = tags.get_mut(t) else {
                continue;
            };
            // A page listing the same tag twice is listed once.
            if tag.pages.last() != Some(&i) {
                tag.pages.push(i);
            }
        }
    }
    tags.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    tags
}

/// Orders a section's article indices (given newest first).
pub fn sort(indices: &mut [usize], pages: &[Arc<Page>], by: SortBy) {
    match by {
        SortBy::Date => {}
        SortBy::Title => indices.sort_by(|&a, &b| {
            pages[a]
                .matter
                .title
                .to_lowercase()
                .cmp(&pages[b].matter.title.to_lowercase())
        }),
        SortBy::Weight => indices.sort_by(|&a, &b| {
            (
                pages[a].matter.weight.unwrap_or(0),
                pages[a].matter.title.to_lowercase(),
            )
                .cmp(&(
                    pages[b].matter.weight.unwrap_or(0),
                    pages[b].matter.title.to_lowercase(),
                ))
        }),
    }
}

/// The older and newer neighbours of article `i` in the site's date order
/// (`pages` newest first): (previous = older, next = newer).
pub fn neighbours(pages: &[Arc<Page>], i: usize) -> (Option<Neighbour>, Option<Neighbour>) {
    let link = |p: &Arc<Page>| Neighbour {
        title: p.matter.title.clone(),
        url: p.url.clone(),
    };
    (
        pages.get(i + 1).map(link),
        i.checked_sub(1).map(|j| link(&pages[j])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_boundaries() {
        let p = paginate("/tags/x/", 0, 10);
        assert_eq!(
            p,
            vec![Pager {
                number: 1,
                url: "/tags/x/".into(),
                items: 0..0
            }]
        );
        let p = paginate("/tags/x/", 10, 10);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].items, 0..10);
        let p = paginate("/tags/x/", 11, 10);
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[1],
            Pager {
                number: 2,
                url: "/tags/x/page/2/".into(),
                items: 10..11
            }
        );
        let p = paginate("/", 25, 0);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].items, 0..25);
    }

    #[test]
    fn paginator_links() {
        let pagers = paginate("/", 25, 10);
        let c = PaginatorContext::new(&pagers, 1, 25);
        assert_eq!((c.current, c.total_pages), (2, 3));
        assert_eq!(c.previous.as_deref(), Some("/"));
        assert_eq!(c.next.as_deref(), Some("/page/3/"));
        let c = PaginatorContext::new(&pagers, 2, 25);
        assert_eq!(c.next, None);
    }
}
