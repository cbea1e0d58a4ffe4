//! Listings: the lightweight article summaries listing pages see, sections,
//! tags, pagination and previous/next neighbours.
//!
//! Listing templates never see rendered article HTML: a 10,000-article
//! site holds one small [`Summary`] per article, and each listing page gets
//! only the summaries of its own slice.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::frontmatter::SortBy;
use crate::content::{self, Page, Section};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::markdown::{self, RenderContext};
use crate::schema;
use crate::site::links::PageLinks;

use super::{Mode, SiteRef, page_file};

/// What a listing shows of one article.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Summary {
    pub title: String,
    pub url: String,
    pub permalink: String,
    pub date: Option<String>,
    /// `updated`, or the latest `[[updates]]` entry.
    pub updated: Option<String>,
    /// The front matter's `description` (the dek), as written.
    pub description: Option<String>,
    /// Plain text for listings and feeds: `description`, else the summary
    /// of the body (the text before `<!-- more -->`, else the first
    /// paragraph, cut near 160 characters).
    pub summary: Option<String>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub reading_time: usize,
    pub word_count: usize,
    pub lead: Option<LeadSummary>,
    /// A hash of all of the above, so listing and feed keys hash one
    /// number per article instead of its whole summary (0 in `check`).
    #[serde(skip)]
    pub key: u64,
}

/// The lead image as a card shows it: the same files as the article's
/// lead figure, with the `sizes` of a card (`story_sizes`).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct LeadSummary {
    pub src: String,
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The resized versions plus the original (or null).
    pub srcset: Option<String>,
    /// The WebP versions (or null).
    pub webp_srcset: Option<String>,
}

/// The `sizes` of a listing page's cards: the first, and the others for
/// as many as the page shows.
#[derive(Debug, Serialize)]
struct StorySizes<'a> {
    top: &'a str,
    rest: &'a str,
}

/// The summaries with each one's template value, converted once: an
/// article shows on its section's, its tags' and the home page's listings
/// and in several feeds, and Tera would otherwise convert it for each.
pub(crate) struct Listed<'a> {
    pub summaries: &'a [std::sync::Arc<Summary>],
    values: Vec<tera::Value>,
}

impl<'a> Listed<'a> {
    pub fn new(summaries: &'a [std::sync::Arc<Summary>]) -> Listed<'a> {
        Listed {
            summaries,
            values: summaries
                .par_iter()
                .map(|s| tera::Value::from_serializable(&**s))
                .collect(),
        }
    }

    /// The template value of the summaries at `items`, in that order;
    /// cloning a value shares its fields.
    pub fn values(&self, items: &[usize]) -> tera::Value {
        tera::Value::from(
            items
                .iter()
                .map(|&i| self.values[i].clone())
                .collect::<Vec<_>>(),
        )
    }
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
    /// The URL of this page of the listing.
    pub url: String,
    pub total_pages: usize,
    pub total_items: usize,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The page links worth showing (see [`PAGE_LINKS_AROUND`]), not all
    /// of them: a listing of 10,000 pages would otherwise put 10,000 links
    /// in each of its 10,000 contexts, quadratic in the article count.
    pub pages: Vec<PageLink>,
}

#[derive(Debug, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    /// Pages are left out between this link and the one before it.
    pub gap_before: bool,
}

/// How many page links either side of the current page a paginator
/// offers, besides the first and the last page.
pub const PAGE_LINKS_AROUND: usize = 2;

impl PaginatorContext {
    pub fn new(pagers: &[Pager], index: usize, total_items: usize) -> PaginatorContext {
        let last = pagers.len() - 1;
        let around =
            index.saturating_sub(PAGE_LINKS_AROUND)..=(index + PAGE_LINKS_AROUND).min(last);
        let mut shown: Vec<usize> = std::iter::once(0)
            .chain(around)
            .chain(std::iter::once(last))
            .collect();
        shown.dedup();
        let mut before = None;
        let pages = shown
            .into_iter()
            .map(|i| {
                let gap_before = before.is_some_and(|b: usize| i > b + 1);
                before = Some(i);
                PageLink {
                    number: pagers[i].number,
                    url: pagers[i].url.clone(),
                    gap_before,
                }
            })
            .collect();
        PaginatorContext {
            current: index + 1,
            url: pagers[index].url.clone(),
            total_pages: pagers.len(),
            total_items,
            first: pagers[0].url.clone(),
            last: pagers[last].url.clone(),
            previous: index.checked_sub(1).map(|i| pagers[i].url.clone()),
            next: pagers.get(index + 1).map(|p| p.url.clone()),
            pages,
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
    /// Its page under a language's base path: `/tags/climate/`,
    /// `/ko/tags/climate/`.
    pub fn url(&self, base: &str) -> String {
        format!("{base}tags/{}/", self.slug)
    }
}

/// Groups articles by tag slug ([`content::tag_slug`]): names that differ
/// only in case, spaces, `-` or `_` ("Climate change", "climate-change")
/// are one tag, named as first seen. Two names that differ otherwise but
/// share a slug ("Café" and "Cafe") are an error naming both places.
/// `pages` are newest first, so each tag's list is too.
/// `base` is the language's base path, for the messages.
/// `unicode`: `unicode_slugs = true`.
pub fn tags(
    pages: &[Arc<Page>],
    base: &str,
    unicode: bool,
    diags: &crate::diagnostic::Diagnostics,
) -> Vec<Tag> {
    // Tag names repeat across thousands of pages: each distinct name is
    // slugified and looked up once, then maps straight to its tag (serve
    // runs this on every pass, and per-use allocations showed in profiles).
    let mut by_name: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut by_slug: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    let mut tags: Vec<Tag> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for name in &page.matter.tags {
            let t = match by_name.get(name.as_str()) {
                Some(&t) => t,
                None => {
                    let slug = content::tag_slug_in(name, unicode);
                    if slug.is_empty() {
                        // Refused when the page was read.
                        continue;
                    }
                    let t = *by_slug.entry(slug.clone()).or_insert_with(|| {
                        tags.push(Tag {
                            name: name.clone(),
                            slug,
                            pages: Vec::new(),
                        });
                        tags.len() - 1
                    });
                    let first = &tags[t];
                    if same_tag(&first.name, name) {
                        by_name.insert(name, t);
                    } else if let Some(&first_page) = first.pages.first() {
                        diags.push(tag_clash(
                            &pages[first_page],
                            &first.name,
                            page,
                            name,
                            &first.url(base),
                        ));
                        // Reported once per name; later uses join the tag.
                        by_name.insert(name, t);
                    }
                    t
                }
            };
            let tag = &mut tags[t];
            // A page listing the same tag twice is listed once.
            if tag.pages.last() != Some(&i) {
                tag.pages.push(i);
            }
        }
    }
    tags.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    tags
}

/// Whether two tag names are one tag written two ways: the same words,
/// ignoring case and whether `-`, `_` or spaces separate them.
fn same_tag(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    a == b || words(a) == words(b)
}

/// Two different tag names that would share `/tags/<slug>/`.
fn tag_clash(first: &Page, first_name: &str, page: &Page, name: &str, url: &str) -> Diagnostic {
    let index = |p: &Page, n: &str| p.matter.tags.iter().position(|t| t == n).unwrap_or(0);
    let first_pos = first.tag_position(index(first, first_name));
    Diagnostic::error(
        &page.display,
        page.tag_position(index(page, name)),
        format!(
            "tag `{name}` and tag `{first_name}` ({}:{}:{}) would both be published at `{url}`",
            first.display.display(),
            first_pos.line,
            first_pos.col
        ),
    )
    .with_hint(format!(
        "tags that differ only in case, spaces or dashes are one tag; these differ in other characters: write both as `{first_name}`, or make them differ in letters or digits"
    ))
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

#[derive(Serialize)]
struct SectionContext<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: String,
    url: &'a str,
    permalink: String,
    /// The components the intro calls, for `stylesheets()`.
    components: Vec<String>,
    /// The kinds of block in the intro with their own stylesheet part.
    blocks: Vec<&'static str>,
    /// Whether the intro has a code block.
    has_code: bool,
    /// The token colours of its highlighted code.
    code_css: String,
    /// Whether the intro holds more than paragraphs and inline text (a
    /// list, heading, figure, table, quote…), which the article
    /// stylesheet styles.
    has_prose: bool,
    /// Its versions in the site's languages (itself among them), for the
    /// switcher and `hreflang`; empty when it has none.
    translations: Vec<super::Version>,
    /// The permalink for `hreflang="x-default"`.
    x_default: Option<String>,
}

/// A listing page's intro, rendered from its `_index.md`.
#[derive(Default)]
struct Intro {
    html: String,
    components: Vec<String>,
}

impl<'a> SectionContext<'a> {
    fn new(
        title: &'a str,
        description: Option<&'a str>,
        intro: Intro,
        url: &'a str,
        permalink: String,
        (translations, x_default): (Vec<super::Version>, Option<String>),
    ) -> SectionContext<'a> {
        SectionContext {
            translations,
            x_default,
            title,
            description,
            has_code: markdown::highlight::has_code(&intro.html),
            // A failure to load syntect's themes would have failed the
            // article pages already.
            code_css: markdown::highlight::token_css(&intro.html).unwrap_or_default(),
            has_prose: has_block_markup(&intro.html),
            blocks: markdown::styled_blocks(&intro.html),
            content: intro.html,
            url,
            permalink,
            components: intro.components,
        }
    }
}

/// Whether `html` has an element beyond paragraphs and inline text: the
/// tags `style.css` styles in any `.prose` are these.
fn has_block_markup(html: &str) -> bool {
    const PLAIN: &[&str] = &[
        "p", "a", "em", "strong", "b", "i", "br", "span", "abbr", "small", "s", "del", "ins",
        "mark", "sub", "sup", "time",
    ];
    html.split('<').skip(1).any(|tag| {
        let name = tag.trim_start_matches('/');
        let end = name
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(name.len());
        let name = &name[..end];
        !name.is_empty() && !PLAIN.iter().any(|p| p.eq_ignore_ascii_case(name))
    })
}

#[derive(Serialize)]
struct TagContext<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    permalink: String,
    feed: String,
    count: usize,
}

impl SiteRef<'_> {
    /// The Markdown body of an `_index.md`.
    fn section_intro(&self, section: &content::Section) -> Intro {
        let rendered = markdown::render_page(
            &section.text[section.body_offset..],
            &RenderContext {
                config: self.config,
                images: self.images,
                page_dir: &section.dir,
                page_url: &section.url,
                display: &section.display,
                file_text: &section.text,
                body_offset: section.body_offset,
                show_slots: self.drafts,
                faq: Some(false),
                has_lead: false,
                processor: self.processor,
                lint_small_images: matches!(self.mode, Mode::Check { .. }),
                components: Some(self.theme),
                sources: Some(self.sources),
                anchor_label: self.strings().get("link_to_section").unwrap_or_default(),
            },
        );
        if let Mode::Check { links } = self.mode {
            links.intro(PageLinks::intro(section, &rendered, &self.config.markdown));
        }
        self.diags.extend(rendered.diagnostics);
        Intro {
            html: rendered.html,
            components: rendered.components,
        }
    }

    /// The home page, section pages, the tag index and tag pages, each
    /// paginated.
    pub(super) fn render_listings(
        &self,
        content: &content::Edition,
        listed: &Listed,
        tags: &[Tag],
    ) -> Result<(), Error> {
        let base = self.base();
        // The home page lists every article, newest first.
        let home = content.home;
        let all: Vec<usize> = (0..listed.summaries.len()).collect();
        let title = home
            .and_then(|h| h.matter.title.as_deref())
            .unwrap_or(&self.config.title);
        let description = home
            .and_then(|h| h.matter.description.as_deref())
            .or(self.config.description.as_deref());
        let section = SectionContext::new(
            title,
            description,
            home.map(|h| self.section_intro(h)).unwrap_or_default(),
            base,
            self.config.permalink(base),
            self.listing_links(self.listing_versions.homes()),
        );
        let per_page = home
            .and_then(|h| h.matter.paginate_by)
            .unwrap_or(self.config.paginate_by);
        let template = home
            .and_then(|h| h.matter.template.as_deref())
            .unwrap_or("index.html");
        let jsonld = schema::website(self.config, description);
        if self.template_exists(home, template, "index.html") {
            self.render_section(template, &all, per_page, listed, &section, &jsonld)?;
        }

        for s in &content.sections {
            let mut items: Vec<usize> = content
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.section_dir == s.dir)
                .map(|(i, _)| i)
                .collect();
            sort(&mut items, content.pages, s.matter.sort_by);
            let fallback = s
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let title = s.matter.title.as_deref().unwrap_or(&fallback);
            let section = SectionContext::new(
                title,
                s.matter.description.as_deref(),
                self.section_intro(s),
                &s.url,
                self.config.permalink(&s.url),
                self.listing_links(self.listing_versions.of_dir(&s.dir)),
            );
            let jsonld = schema::collection(
                self.config,
                title,
                &section.permalink,
                s.matter.description.as_deref(),
            );
            let per_page = s.matter.paginate_by.unwrap_or(self.config.paginate_by);
            let template = s.matter.template.as_deref().unwrap_or("section.html");
            if self.template_exists(Some(s), template, "section.html") {
                self.render_section(template, &items, per_page, listed, &section, &jsonld)?;
            }
        }

        if !tags.is_empty() {
            let contexts: Vec<TagContext> = tags.iter().map(|t| self.tag_context(t)).collect();
            let mut sorted: Vec<&TagContext> = contexts.iter().collect();
            sorted.sort_by_key(|t| t.name.to_lowercase());
            let index = format!("{base}tags/");
            let name = self.strings().get("tags").unwrap_or("Tags");
            let jsonld =
                schema::collection(self.config, name, &self.config.permalink(&index), None);
            let index_key = self.fill_key(&(&sorted, &jsonld));
            if !self.unchanged(&page_file(&index), "tags.html", &index_key) {
                let mut ctx = self.context();
                ctx.insert("tags", &sorted);
                ctx.insert("jsonld", &jsonld);
                self.render_to("tags.html", &index, &ctx)?;
            }
            tags.par_iter()
                .zip(contexts.par_iter())
                .try_for_each(|(tag, tc)| {
                    let jsonld =
                        schema::collection(self.config, tag.name.as_str(), &tc.permalink, None);
                    self.render_paginated(
                        "tag.html",
                        &tc.url,
                        &tag.pages,
                        self.config.paginate_by,
                        listed,
                        (self.fill_key(&(tc, &jsonld)), |ctx: &mut tera::Context| {
                            ctx.insert("tag", tc);
                            ctx.insert("jsonld", &jsonld);
                        }),
                    )
                })?;
        }
        Ok(())
    }

    /// Whether the template a section's front matter names exists; if not,
    /// an error at its `template` key (as for an article), and the
    /// section's listing is not rendered.
    fn template_exists(&self, section: Option<&Section>, template: &str, default: &str) -> bool {
        let Some(section) = section.filter(|_| !self.theme.has_template(template)) else {
            return true;
        };
        self.diags.push(
            Diagnostic::error(
                &section.display,
                section.key_position("template"),
                format!("template `{template}` does not exist"),
            )
            .with_hint(format!(
                "create templates/{template}, or remove `template` to use {default}"
            )),
        );
        false
    }

    /// The home page or a section: `section` and its JSON-LD on every
    /// page of its paginated listing.
    fn render_section(
        &self,
        template: &str,
        items: &[usize],
        per_page: usize,
        listed: &Listed,
        section: &SectionContext,
        jsonld: &str,
    ) -> Result<(), Error> {
        let fill_key = self.fill_key(&(section, jsonld));
        self.render_paginated(
            template,
            section.url,
            items,
            per_page,
            listed,
            (fill_key, |ctx: &mut tera::Context| {
                ctx.insert("section", section);
                ctx.insert("jsonld", jsonld);
            }),
        )
    }

    /// Links to a listing's versions (see [`super::ListingVersions`]).
    fn listing_links(
        &self,
        versions: &[(usize, String, String)],
    ) -> (Vec<super::Version>, Option<String>) {
        self.version_links(
            versions
                .iter()
                .map(|(lang, url, title)| (*lang, url.as_str(), title.as_str())),
            Some(self.lang),
        )
    }

    fn tag_context<'t>(&self, tag: &'t Tag) -> TagContext<'t> {
        let url = tag.url(self.base());
        TagContext {
            name: &tag.name,
            slug: &tag.slug,
            permalink: self.config.permalink(&url),
            feed: format!("{url}atom.xml"),
            url,
            count: tag.pages.len(),
        }
    }

    /// Renders `template` once per page of `items`, each with `pages` (its
    /// slice of summaries) and `paginator`, plus what `fill` adds.
    fn render_paginated(
        &self,
        template: &str,
        base: &str,
        items: &[usize],
        per_page: usize,
        listed: &Listed,
        (fill_key, fill): (u64, impl Fn(&mut tera::Context) + Sync),
    ) -> Result<(), Error> {
        let pagers = paginate(base, items.len(), per_page);
        pagers.par_iter().enumerate().try_for_each(|(n, pager)| {
            let shown = &items[pager.items.clone()];
            let summary_keys: Vec<u64> = shown.iter().map(|&i| listed.summaries[i].key).collect();
            let key = (fill_key, base, n, pagers.len(), items.len(), summary_keys);
            if self.unchanged(&page_file(&pager.url), template, &key) {
                return Ok(());
            }
            let mut ctx = self.context();
            fill(&mut ctx);
            ctx.insert_value("pages", listed.values(shown));
            ctx.insert("paginator", &PaginatorContext::new(&pagers, n, items.len()));
            let sizes = self.processor.sizes();
            ctx.insert(
                "story_sizes",
                &StorySizes {
                    top: &sizes.top_story,
                    rest: sizes.stories(shown.len().saturating_sub(1)),
                },
            );
            self.render_to(template, &pager.url, &ctx)
        })
    }

    /// A key for what a listing's `fill` adds to its context.
    fn fill_key(&self, data: &impl Serialize) -> u64 {
        if self.pass.is_some() {
            crate::hash::key(data)
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_paragraphs_and_inline_text_are_not_prose() {
        for plain in [
            "",
            "<p>A <em>plain</em> <a href=\"/a/\">intro</a>.</p>\n<!-- c -->",
        ] {
            assert!(!has_block_markup(plain), "{plain}");
        }
        for rich in [
            "<ul><li>x</li></ul>",
            "<p>x</p><h2>Why?</h2>",
            "<figure class=\"figure\">",
            "<TABLE>",
        ] {
            assert!(has_block_markup(rich), "{rich}");
        }
    }

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

    /// The links a page of a long listing offers: first, last, two either
    /// side of the current page, and where pages are left out.
    #[test]
    fn paginator_offers_a_window_of_page_links() {
        let pagers = paginate("/", 1000, 10);
        let shown = |index| {
            PaginatorContext::new(&pagers, index, 1000)
                .pages
                .iter()
                .map(|p| (p.number, p.gap_before))
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(0), [(1, false), (2, false), (3, false), (100, true)]);
        assert_eq!(
            shown(49),
            [
                (1, false),
                (48, true),
                (49, false),
                (50, false),
                (51, false),
                (52, false),
                (100, true)
            ]
        );
        assert_eq!(
            shown(3),
            [
                (1, false),
                (2, false),
                (3, false),
                (4, false),
                (5, false),
                (6, false),
                (100, true)
            ]
        );
        assert_eq!(
            shown(99),
            [(1, false), (98, true), (99, false), (100, false)]
        );
        let one = paginate("/", 3, 10);
        assert_eq!(PaginatorContext::new(&one, 0, 3).pages.len(), 1);
        let c = PaginatorContext::new(&pagers, 49, 1000);
        assert_eq!(c.url, "/page/50/");
    }

    /// Regression: every page of a listing listed every page link, so a
    /// listing's contexts grew with the square of its articles: 35x the
    /// time for 10x the articles at 100,000. The page links all pages of a
    /// listing carry, together, must grow like the listing.
    #[test]
    fn page_links_grow_linearly_with_the_articles() {
        let links = |articles: usize| -> usize {
            let pagers = paginate("/", articles, 10);
            (0..pagers.len())
                .map(|i| PaginatorContext::new(&pagers, i, articles).pages.len())
                .sum()
        };
        let (small, big) = (links(10_000), links(100_000));
        assert!(
            big <= small * 11,
            "10x the articles gave {}x the page links ({small} -> {big})",
            big / small.max(1)
        );
    }
}
