//! One article: its Markdown body, lead image, JSON-LD and template, and the
//! summary listings show of it.

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::frontmatter::rfc3339;
use crate::content::{Content, Page};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::error::Error;
use crate::images::{ImageRef, Kind};
use crate::markdown::figure::{self, FigureInfo, Written};
use crate::markdown::questions::Question;
use crate::markdown::words::Words;
use crate::markdown::{self, RenderContext};
use crate::schema;

use super::links::PageLinks;
use super::listings::{self, LeadSummary, Neighbour, Summary};
use super::memo::{ImageUse, Reusable, Share, Span};
use super::{Mode, SiteRef, Version, page_file, progress_bar};

/// One article's part of a render pass.
struct ArticleResult {
    summary: Arc<Summary>,
    /// Serve: the page's file, its memo, and whether it was kept as the
    /// previous pass left it.
    memo: Option<crate::site::memo::ArticleEntry>,
}

/// The lead image as templates get it: the whole figure in `html`, and its
/// parts for themes that write their own markup.
#[derive(Serialize)]
struct LeadContext {
    /// `<figure class="figure lead">`, written as body figures are.
    html: String,
    src: String,
    alt: String,
    caption_html: Option<String>,
    credit_html: Option<String>,
    credit_url: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    /// `srcset` of the resized versions plus the original (or null).
    srcset: Option<String>,
    /// `srcset` of the WebP versions (or null).
    webp_srcset: Option<String>,
    sizes: String,
    /// 16:9, 4:3 and 1:1 crops for sharing and search (or null).
    #[serde(skip)]
    crops: Option<crate::images::responsive::Crops>,
    /// Its JSON-LD `ImageObject`: caption and credit as plain text.
    #[serde(skip)]
    figure: FigureInfo,
    /// The file handed to the image processor, if any.
    #[serde(skip)]
    processed: Option<std::path::PathBuf>,
}

#[derive(Serialize)]
struct UpdateContext {
    date: Option<String>,
    note: String,
    note_html: String,
}

#[derive(Serialize)]
struct PageContext<'a> {
    title: &'a str,
    /// The front matter's `description` (the dek), as written.
    description: Option<&'a str>,
    /// Plain text for the meta description: `description`, else the
    /// summary of the body (see [`markdown::summary`]).
    summary: Option<&'a str>,
    date: Option<String>,
    updated: Option<String>,
    authors: &'a [String],
    tags: &'a [String],
    url: &'a str,
    permalink: String,
    content: String,
    questions: Vec<Question>,
    lead: Option<LeadContext>,
    /// The sharing image (og:image), chosen by
    /// [`schema::Representative::choose`]: absolute URL, size and alt text.
    image: Option<String>,
    image_width: Option<u32>,
    image_height: Option<u32>,
    image_alt: Option<String>,
    reading_time: usize,
    word_count: usize,
    draft: bool,
    updates: Vec<UpdateContext>,
    /// The older and the newer article in its language, in the site's
    /// date order.
    previous: Option<Neighbour>,
    next: Option<Neighbour>,
    /// Its language's code (`ko`).
    lang: &'a str,
    /// Every version of the article (itself among them, `current`), in
    /// the site's language order; empty without translations.
    translations: Vec<Version>,
    /// The default language's version, for `hreflang="x-default"`.
    x_default: Option<String>,
    extra: &'a toml::Table,
    /// The components the body calls, sorted, each once: the page loads
    /// their stylesheets (`stylesheets()`).
    components: Vec<String>,
    /// The kinds of block in the body that have their own stylesheet part
    /// (`blocks/<name>.css`): quotes, alerts, tables, footnotes, slots.
    blocks: Vec<&'static str>,
    /// Whether the body has a code block (`<pre>`): the page loads the
    /// theme's `code.css`.
    has_code: bool,
    /// The token colours of the body's highlighted code, light and dark:
    /// only the rules its classes need ([`markdown::highlight::token_css`]).
    code_css: String,
}

/// An article rendered: what listings show of it, the images it had
/// processed, and (in a build) what a later build may reuse of it.
struct ArticleOut {
    summary: Summary,
    processed: Vec<ImageUse>,
    reuse: Option<Reusable>,
    /// The components its Markdown calls.
    components: Vec<String>,
    /// Its internal links' files and the URLs they led to.
    links: Vec<(String, Option<String>)>,
}

/// Everything an article page shows besides its front matter, computed
/// from its Markdown ([`SiteRef::render_article`]) or taken from the
/// previous build ([`SiteRef::retemplate`]).
struct Parts {
    lead: Option<LeadContext>,
    content: String,
    jsonld: String,
    questions: Vec<Question>,
    words: Words,
    summary: Option<String>,
    share: Share,
    dates: Dates,
    permalink: String,
    processed: Vec<ImageUse>,
    /// The components the body calls.
    components: Vec<String>,
}

/// `datePublished` and `dateModified`, as RFC 3339.
struct Dates {
    published: Option<String>,
    modified: Option<String>,
}

impl Dates {
    fn of(page: &Page) -> Dates {
        // The latest of `updated` and the corrections log sets dateModified.
        let mut modified = page.updated.clone();
        for u in &page.matter.updates {
            if let Ok(w) = crate::content::frontmatter::to_zoned(&u.date) {
                if modified.as_ref().is_none_or(|m| &w > m) {
                    modified = Some(w);
                }
            }
        }
        Dates {
            published: page.date.as_ref().map(rfc3339),
            modified: modified.as_ref().map(rfc3339),
        }
    }
}

/// The images an article had processed: the lead's, then the figures'.
fn image_uses(lead: Option<&LeadContext>, figures: Vec<std::path::PathBuf>) -> Vec<ImageUse> {
    lead.and_then(|l| l.processed.clone())
        .map(|file| ImageUse { file, lead: true })
        .into_iter()
        .chain(
            figures
                .into_iter()
                .map(|file| ImageUse { file, lead: false }),
        )
        .collect()
}

/// A lock that survives a worker's panic: the records are still sound.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SiteRef<'_> {
    /// Renders every article in parallel; returns their summaries in the
    /// site's order.
    pub(super) fn render_articles(&self, content: &Content) -> Result<Vec<Arc<Summary>>, Error> {
        let bar = progress_bar(
            matches!(self.mode, Mode::Build { progress: true, .. }),
            content.pages.len(),
        );
        let results: Vec<ArticleResult> = content
            .pages
            .par_iter()
            .enumerate()
            .map(|(i, page)| {
                let result = self.for_lang(page.lang).render_page(&content.pages, i);
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                result
            })
            .collect::<Result<_, Error>>()?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let mut summaries = Vec::with_capacity(results.len());
        let mut memos = Vec::new();
        for r in results {
            summaries.push(r.summary);
            memos.extend(r.memo);
        }
        // Recorded after the parallel loop: one lock instead of one per
        // page. Kept article pages need no `out.keep`: the memo lists every
        // article page of the pass, and `serve` keeps what it lists.
        if let Some(pass) = &self.pass {
            pass.record_articles(&content.pages, memos);
        }
        Ok(summaries)
    }

    /// Article `i`: kept as the last serve pass left it when nothing it
    /// shows changed, else rendered and written.
    fn render_page(&self, pages: &[Arc<Page>], i: usize) -> Result<ArticleResult, Error> {
        let page = &pages[i];
        let Some(pass) = self.pass else {
            let done = self.render_article(pages, i)?;
            return Ok(ArticleResult {
                summary: std::sync::Arc::new(done.summary),
                memo: None,
            });
        };
        let siblings = self.translations.of_page(i);
        if let Some((file, hit)) = pass
            .same_article(pages, i, siblings)
            .filter(|(_, hit)| self.links_hold(&hit.links))
        {
            return Ok(self.kept(file, hit));
        }
        let file: std::sync::Arc<str> = page_file(&page.url).into();
        let template = page.matter.template.as_deref().unwrap_or("page.html");
        // The neighbours' titles and URLs are all the page shows of them.
        let adjacent = |j: Option<usize>| {
            j.and_then(|j| pages.get(j))
                .filter(|p| p.lang == page.lang)
                .map(|p| (p.matter.title.as_str(), p.url.as_str()))
        };
        // Its translations' languages, URLs and titles: the switcher, the
        // `hreflang` links and the JSON-LD show them.
        let versions: Vec<(usize, &str, &str)> =
            siblings.iter().map(|&j| version(&pages[j])).collect();
        // The components the page called last time: with the same text it
        // calls the same ones, and with another text the key differs anyway.
        let before = pass.previous_article(&file);
        let called = before.as_ref().map_or(&[][..], |m| m.components.as_slice());
        // Likewise the files its internal links named, with where they
        // lead now: a page whose link target moved is rendered again.
        let linked = before.as_ref().map_or(&[][..], |m| m.links.as_slice());
        let page_key = |components: u64, links: u64| {
            crate::hash::hash_key(&(
                pass.globals(),
                self.theme.fingerprint(template),
                &page.url,
                page.display.as_os_str().as_encoded_bytes(),
                page.text_hash,
                adjacent(i.checked_sub(1)),
                adjacent(Some(i + 1)),
                &versions,
                components,
                links,
            ))
        };
        let key = page_key(self.components_key(called), self.links_key(linked));
        if let Some(hit) = pass.article_unchanged(&file, key) {
            return Ok(self.kept(file, hit));
        }
        // Collect this article's diagnostics apart, so a later pass that
        // keeps the page can report them again.
        let local = Diagnostics::default();
        let site = SiteRef {
            diags: &local,
            ..*self
        };
        // What the page shows of its Markdown depends on the site-wide
        // inputs (the pass's old memo is only there when they match) and
        // on the article's own file: when only a template or a neighbour
        // changed, a build takes the body from the page it wrote before.
        let body_key_of = |components: u64, links: u64| {
            crate::hash::hash_key(&(
                &page.url,
                page.display.as_os_str().as_encoded_bytes(),
                page.text_hash,
                &versions,
                components,
                links,
            ))
        };
        let body_key = body_key_of(self.components_key(called), self.links_key(linked));
        let previous = match self.mode {
            Mode::Build { previous, .. } => previous,
            Mode::Check { .. } | Mode::Serve(_) => None,
        };
        let reused = previous
            .zip(pass.previous_article(&file))
            .and_then(|(dir, old)| {
                let reuse = old.reuse.as_ref().filter(|_| old.body_key == body_key)?;
                Some((
                    site.retemplate(pages, i, dir, &file, reuse, &old.components)?,
                    old,
                ))
            });
        let (done, diagnostics, retemplated) = match reused {
            Some((done, old)) => {
                // The Markdown's and the lead's findings are the old ones;
                // a template's, if any, are new.
                let mut diagnostics = old.diagnostics.clone();
                diagnostics.extend(local.into_sorted());
                let mut done = done?;
                done.links = old.links.clone();
                (done, diagnostics, true)
            }
            None => {
                let done = site.render_article(pages, i)?;
                (done, local.into_sorted(), false)
            }
        };
        self.diags.extend(diagnostics.clone());
        let summary = std::sync::Arc::new(done.summary);
        // Keyed by the components the page calls now, and the files it
        // links to now.
        let components = self.components_key(&done.components);
        let links = self.links_key(&done.links);
        let memo = std::sync::Arc::new(crate::site::memo::ArticleMemo {
            key: page_key(components, links),
            body_key: body_key_of(components, links),
            components: done.components,
            links: done.links,
            summary: summary.clone(),
            diagnostics,
            images: done.processed,
            reuse: done.reuse,
            retemplated,
        });
        Ok(ArticleResult {
            summary,
            memo: Some((file, memo, false)),
        })
    }

    /// Whether a page's internal links all lead where they led when it
    /// was rendered.
    fn links_hold(&self, links: &[(String, Option<String>)]) -> bool {
        links
            .iter()
            .all(|(path, url)| self.sources.url(path) == url.as_deref())
    }

    /// A hash of where the files a page's internal links name lead now.
    fn links_key(&self, links: &[(String, Option<String>)]) -> u64 {
        if links.is_empty() {
            return 0;
        }
        let now: Vec<(&str, Option<&str>)> = links
            .iter()
            .map(|(path, _)| (path.as_str(), self.sources.url(path)))
            .collect();
        crate::hash::hash_key(&now)
    }

    /// A hash of the templates of the components a page calls.
    fn components_key(&self, names: &[String]) -> u64 {
        if names.is_empty() {
            return 0;
        }
        let prints: Vec<u64> = names
            .iter()
            .map(|n| self.theme.component_fingerprint(n))
            .collect();
        crate::hash::hash_key(&(names, prints))
    }

    /// An article page the pass keeps: its summary and diagnostics are the
    /// last pass's. A build's output starts empty, so the images the page
    /// shows are asked for again (from the image cache); `serve` keeps
    /// them from pass to pass.
    fn kept(&self, file: Arc<str>, hit: Arc<crate::site::memo::ArticleMemo>) -> ArticleResult {
        // Most pages have none: no lock for them (100,000 kept pages a
        // pass at that size).
        if !hit.diagnostics.is_empty() {
            self.diags.extend(hit.diagnostics.iter().cloned());
        }
        if let Mode::Build { previous, .. } = self.mode {
            self.republish(hit.images.iter());
            // The kept page's body is where its memo says, in the page the
            // previous build wrote (the one this build links).
            if let (Some(sink), Some(previous), Some(reuse)) = (self.search, previous, &hit.reuse) {
                let body = std::fs::read(previous.join(&*file))
                    .ok()
                    .and_then(|old| reuse.body.cut(&old));
                if let Some(body) = body {
                    let summary = &hit.summary;
                    let record = crate::search::records(
                        &summary.url,
                        &self.config.language,
                        &summary.title,
                        summary.description.as_deref(),
                        &body,
                        &reuse.questions,
                    );
                    lock(sink).push(record);
                }
            }
        }
        ArticleResult {
            summary: hit.summary.clone(),
            memo: Some((file, hit, true)),
        }
    }

    /// Asks the image processor again for images a page had processed, so
    /// their files are published in this build's output (from the cache).
    fn republish<'i>(&self, images: impl Iterator<Item = &'i ImageUse>) {
        for image in images {
            if image.lead {
                self.processor.lead(&image.file);
            } else {
                self.processor.responsive(&image.file);
            }
        }
    }

    /// Renders article `i` and writes it; returns what listings show of it,
    /// the images it had processed, and what a later build may reuse.
    fn render_article(&self, pages: &[Arc<Page>], i: usize) -> Result<ArticleOut, Error> {
        let page = &pages[i];
        // The only time a build holds an article's body: read, rendered,
        // dropped.
        let text = page.text().map_err(|d| Error::Site(vec![d]))?;
        let permalink = self.config.permalink(&page.url);
        let lead = self.lead(page);
        let ctx = RenderContext {
            config: self.config,
            images: self.images,
            page_dir: &page.dir,
            page_url: &page.url,
            display: &page.display,
            file_text: &text,
            body_offset: page.body_offset,
            show_slots: self.drafts,
            faq: page.matter.faq,
            has_lead: lead.is_some(),
            processor: self.processor,
            lint_small_images: matches!(self.mode, Mode::Check { .. }),
            components: Some(self.theme),
            sources: Some(self.sources),
            anchor_label: self.strings().get("link_to_section").unwrap_or_default(),
        };
        let mut rendered = markdown::render_page(&text[page.body_offset..], &ctx);
        self.diags.extend(std::mem::take(&mut rendered.diagnostics));
        if let Mode::Check { links } = self.mode {
            links.article(
                i,
                PageLinks::article(page, &text, &rendered, &self.config.markdown),
            );
        }
        let processed = image_uses(lead.as_ref(), std::mem::take(&mut rendered.processed));

        // A blank `description` (what `nutgraf new` writes) is no dek: the
        // body's summary stands in for it all the same.
        let summary = page
            .matter
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .or_else(|| rendered.summary.take());
        let dates = Dates::of(page);

        let mut images: Vec<FigureInfo> = Vec::with_capacity(rendered.figures.len() + 1);
        if let Some(l) = &lead {
            images.push(l.figure.clone());
        }
        images.extend(rendered.figures.iter().cloned());
        let representative = schema::Representative::choose(
            &images,
            lead.is_some(),
            lead.as_ref().and_then(|l| l.crops.as_ref()),
        );
        let (translation_of, translations) = self.work_links(pages, i);
        let jsonld = schema::article(&schema::ArticleGraph {
            translation_of: translation_of.as_deref(),
            translations: &translations,
            config: self.config,
            permalink: &permalink,
            title: &page.matter.title,
            description: summary.as_deref(),
            date_published: dates.published.as_deref(),
            date_modified: dates.modified.as_deref(),
            authors: &page.matter.authors,
            tags: &page.matter.tags,
            images: &images,
            faq: &rendered.faq,
            word_count: rendered.words.total(),
            image: representative.as_ref(),
        });
        let share = representative.as_ref().map(|r| r.og_image());
        let share = Share {
            image: share.map(|s| self.config.permalink(s.0)),
            width: share.and_then(|s| s.1),
            height: share.and_then(|s| s.2),
            alt: representative
                .map(|r| r.figure.alt.clone())
                .filter(|a| !a.is_empty()),
        };
        let mut done = self.finish_article(
            pages,
            i,
            Parts {
                lead,
                content: rendered.html,
                jsonld,
                questions: rendered.questions,
                words: rendered.words,
                summary,
                share,
                dates,
                permalink,
                processed,
                components: std::mem::take(&mut rendered.components),
            },
        )?;
        done.links = std::mem::take(&mut rendered.internal);
        Ok(done)
    }

    /// Article `i` again after a template edit, without its Markdown: the
    /// body and JSON-LD are cut from the page the previous build wrote
    /// (checked against their hashes), the rest comes from the memo.
    /// `None` when the previous page no longer holds them.
    fn retemplate(
        &self,
        pages: &[Arc<Page>],
        i: usize,
        previous: &std::path::Path,
        file: &str,
        reuse: &Reusable,
        components: &[String],
    ) -> Option<Result<ArticleOut, Error>> {
        let page = &pages[i];
        let old = std::fs::read(previous.join(file)).ok()?;
        let content = reuse.body.cut(&old)?;
        let jsonld = reuse.jsonld.cut(&old)?;
        // The lead's figure is cheap to redo (its images come from the
        // cache), and its diagnostics are already in the memo.
        let quiet = Diagnostics::default();
        let lead = SiteRef {
            diags: &quiet,
            ..*self
        }
        .lead(page);
        let processed = image_uses(lead.as_ref(), reuse.figures.clone());
        // The lead's were published by `lead` just now; the figures' too.
        self.republish(processed.iter().filter(|u| !u.lead));
        Some(self.finish_article(
            pages,
            i,
            Parts {
                lead,
                content,
                jsonld,
                questions: reuse.questions.clone(),
                words: reuse.words,
                summary: reuse.summary.clone(),
                share: reuse.share.clone(),
                dates: Dates::of(page),
                permalink: self.config.permalink(&page.url),
                processed,
                components: components.to_vec(),
            },
        ))
    }

    /// The page of article `i` from its parts: template, write, summary.
    fn finish_article(
        &self,
        pages: &[Arc<Page>],
        i: usize,
        parts: Parts,
    ) -> Result<ArticleOut, Error> {
        let page = &pages[i];
        let (previous, next) = listings::neighbours(pages, i);
        let (previous, next) = (
            previous.filter(|_| pages[i + 1].lang == page.lang),
            next.filter(|_| pages[i - 1].lang == page.lang),
        );
        let (translations, x_default) = self.versions(pages, i);
        let mut updates = Vec::new();
        for u in &page.matter.updates {
            let when = crate::content::frontmatter::to_zoned(&u.date).ok();
            updates.push(UpdateContext {
                date: when.as_ref().map(rfc3339),
                note: u.note.clone(),
                note_html: markdown::render_inline(&u.note, &self.config.markdown),
            });
        }
        let Parts {
            lead,
            content,
            jsonld,
            questions,
            words,
            summary,
            share,
            dates,
            permalink,
            processed,
            components,
        } = parts;
        let figures: Vec<std::path::PathBuf> = processed
            .iter()
            .filter(|u| !u.lead)
            .map(|u| u.file.clone())
            .collect();
        let has_code = markdown::highlight::has_code(&content);
        let blocks = markdown::styled_blocks(&content);
        let code_css = markdown::highlight::token_css(&content)?;
        let context = PageContext {
            title: &page.matter.title,
            description: page.matter.description.as_deref(),
            summary: summary.as_deref(),
            date: dates.published,
            updated: dates.modified,
            authors: &page.matter.authors,
            tags: &page.matter.tags,
            url: &page.url,
            permalink,
            image: share.image.clone(),
            image_width: share.width,
            image_height: share.height,
            image_alt: share.alt.clone(),
            content,
            questions,
            lead,
            reading_time: words.reading_minutes(),
            word_count: words.total(),
            draft: page.matter.draft,
            updates,
            previous,
            next,
            lang: &self.config.language,
            translations,
            x_default,
            extra: &page.matter.extra,
            has_code,
            code_css,
            blocks,
            components,
        };
        let mut summary = Summary {
            key: 0,
            title: page.matter.title.clone(),
            url: page.url.clone(),
            permalink: context.permalink.clone(),
            date: context.date.clone(),
            updated: context.updated.clone(),
            description: page.matter.description.clone(),
            summary: summary.clone(),
            authors: page.matter.authors.clone(),
            tags: page.matter.tags.clone(),
            reading_time: context.reading_time,
            word_count: context.word_count,
            lead: context.lead.as_ref().map(|l| LeadSummary {
                src: l.src.clone(),
                alt: l.alt.clone(),
                width: l.width,
                height: l.height,
                srcset: l.srcset.clone(),
                webp_srcset: l.webp_srcset.clone(),
            }),
        };
        if self.pass.is_some() {
            summary.key = crate::hash::key(&summary);
        }
        let mut done = ArticleOut {
            summary,
            processed,
            reuse: None,
            components: context.components.clone(),
            links: Vec::new(),
        };
        let template = page.matter.template.as_deref().unwrap_or("page.html");
        if !self.theme.has_template(template) {
            let pos = page.key_position("template");
            self.diags.push(
                Diagnostic::error(
                    &page.display,
                    pos,
                    format!("template `{template}` does not exist"),
                )
                .with_hint("create it in templates/, or remove `template` to use page.html"),
            );
            return Ok(done);
        }
        // Drafts and scheduled articles (built with `--drafts`) stay out.
        let published = !page.matter.draft
            && page
                .date
                .as_ref()
                .is_none_or(|d| d.timestamp() <= jiff::Timestamp::now());
        if let Some(sink) = self.search.filter(|_| published) {
            let record = crate::search::records(
                &page.url,
                &self.config.language,
                &page.matter.title,
                page.matter.description.as_deref(),
                &context.content,
                &context.questions,
            );
            lock(sink).push(record);
        }
        let mut tctx = self.context();
        tctx.insert("page", &context);
        tctx.insert("jsonld", &jsonld);
        match self.theme.render(template, &tctx) {
            Ok(html) => {
                let reuse = &mut done.reuse;
                self.out.write_with(&page_file(&page.url), || {
                    // The body and JSON-LD are nutgraf's own compact
                    // output: keep them out of the minifier (see
                    // minify.rs), and note where they land, so a build
                    // after a template edit can take them from the page.
                    let html = self.finish_html(html, &[&context.content, &jsonld]);
                    if matches!(self.mode, Mode::Build { .. }) {
                        *reuse = Span::find(&html, &context.content)
                            .zip(Span::find(&html, &jsonld))
                            .map(|(body, jsonld)| Reusable {
                                body,
                                jsonld,
                                questions: context.questions.clone(),
                                words,
                                summary: context.summary.map(str::to_string),
                                share,
                                figures,
                            });
                    }
                    html
                })?;
            }
            Err(d) => self.diags.push(d),
        }
        Ok(done)
    }

    /// The versions of article `i` for its page: each language's, and
    /// the default language's (or the first) as `x-default`.
    fn versions(&self, pages: &[Arc<Page>], i: usize) -> (Vec<Version>, Option<String>) {
        self.version_links(
            self.translations
                .of_page(i)
                .iter()
                .map(|&j| version(&pages[j])),
            Some(pages[i].lang),
        )
    }

    /// The JSON-LD links between versions: a translation's original (the
    /// first version in language order, normally the default language's),
    /// or an original's translations.
    fn work_links(&self, pages: &[Arc<Page>], i: usize) -> (Option<String>, Vec<String>) {
        match self.translations.of_page(i) {
            [] => (None, Vec::new()),
            [first, rest @ ..] if *first == i => (
                None,
                rest.iter()
                    .map(|&j| self.config.permalink(&pages[j].url))
                    .collect(),
            ),
            [first, ..] => (Some(self.config.permalink(&pages[*first].url)), Vec::new()),
        }
    }

    /// The `[lead]` image, resolved, measured and written as a figure: the
    /// same caption parser and figure writer as the body's figures.
    fn lead(&self, page: &Page) -> Option<LeadContext> {
        let lead = page.matter.lead.as_ref()?;
        // Only computed when there is something to report.
        let pos = || page.key_position("src");
        let (src, size, processed) = match self.images.resolve(&page.dir, &page.url, &lead.src) {
            Ok(ImageRef::Local { file, url }) => {
                let size = self.images.size(&file);
                if let Err(why) = &size {
                    let finding = self.images.size_finding(&lead.src, &file, why);
                    self.diags
                        .push(finding.at(Severity::Warning, &page.display, pos()));
                }
                let size = size.ok();
                if matches!(self.mode, Mode::Check { .. }) {
                    if let Some(f) =
                        size.and_then(|(w, _)| figure::too_narrow(&lead.src, w, self.config))
                    {
                        self.diags
                            .push(f.at(Severity::Warning, &page.display, pos()));
                    }
                }
                let processed = size.map(|_| (self.processor.lead(&file), file));
                (url, size, processed)
            }
            Ok(ImageRef::External(url)) => (url, None, None),
            Ok(ImageRef::Slot(name)) => {
                self.diags.push(
                    Diagnostic::warning(
                        &page.display,
                        pos(),
                        format!("the lead image cannot be a slot (`slot:{name}`)"),
                    )
                    .with_hint("choose the lead photo, or remove [lead] until it is chosen"),
                );
                return None;
            }
            Err(finding) => {
                self.diags
                    .push(finding.at(Severity::Error, &page.display, pos()));
                return None;
            }
        };
        if lead.alt.trim().is_empty() {
            self.diags.push(
                Diagnostic::warning(&page.display, pos(), "lead image has no alt text")
                    .with_hint("add `alt = \"…\"` under [lead]"),
            );
        }
        let (cap, credit_url_unused) = figure::caption_apart(
            lead.caption.as_deref(),
            lead.credit.as_deref(),
            lead.credit_url.as_deref(),
            &self.config.markdown,
        );
        let kind = Kind::of(lead.kind, &src);
        let credits = self.config.images.credits;
        let has_credit = cap.credit_html.is_some();
        if let Some(f) = figure::missing_credit(kind, credits, has_credit, Written::Lead) {
            self.diags
                .push(f.at(Severity::Warning, &page.display, pos()));
        }
        if credit_url_unused {
            self.diags.push(
                Diagnostic::warning(
                    &page.display,
                    page.key_position("credit_url"),
                    "the lead credit has a link of its own, so `credit_url` is not used",
                )
                .with_hint("remove `credit_url`, or the link inside `credit`"),
            );
        }
        let (processed, processed_file) = processed.unzip();
        let (responsive, crops) = processed.flatten().unzip();
        let img = figure::FigureImage {
            class: "lead",
            url: &src,
            alt: &lead.alt,
            title: "",
            link: None,
            kind,
            size,
            // The lead is the page's first image.
            loading: figure::Loading::Eager,
            responsive: responsive.as_ref(),
            sizes: &self.processor.sizes().lead,
        };
        Some(LeadContext {
            html: figure::figure_html(&img, &cap),
            alt: lead.alt.clone(),
            credit_url: lead.credit_url.clone(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            srcset: img.srcset(),
            webp_srcset: img.webp_srcset(),
            sizes: img.sizes.to_string(),
            crops: crops.flatten(),
            figure: FigureInfo::new(&src, &lead.alt, &cap, size),
            caption_html: (!cap.caption_html.is_empty()).then_some(cap.caption_html),
            credit_html: cap.credit_html,
            src,
            processed: processed_file,
        })
    }
}

/// What a page's versions show of it: its language, URL and title.
fn version(page: &Page) -> (usize, &str, &str) {
    (page.lang, page.url.as_str(), page.matter.title.as_str())
}
