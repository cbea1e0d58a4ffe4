//! The build: a flat checklist from `nutgraf.toml` to a finished output
//! folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::assets::{self, Asset, Manifest};
use crate::cdn;
use crate::config::Config;
use crate::content::{self, Content, Page};
use crate::diagnostic::{Diagnostic, Diagnostics, Position, Severity};
use crate::error::Error;
use crate::feeds;
use crate::figure::FigureInfo;
use crate::frontmatter::rfc3339;
use crate::images::{ImageRef, Images};
use crate::listing::{self, LeadSummary, Neighbour, PaginatorContext, Summary, Tag};
use crate::markdown::{self, RenderContext};
use crate::output::{Output, Staging};
use crate::questions::Question;
use crate::schema;
use crate::theme::{StaticSource, Theme, walk_files};

pub const STATIC_DIR: &str = "static";
pub const DEFAULT_OUTPUT: &str = "public";
/// Average adult reading speed for non-fiction, words per minute.
const WORDS_PER_MINUTE: usize = 230;

/// What `nutgraf build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (holds `nutgraf.toml`).
    pub root: PathBuf,
    /// Where the site is written; `root/public` by default.
    pub output: Option<PathBuf>,
    /// Include drafts and scheduled articles; show image slots.
    pub drafts: bool,
    /// Treat warnings as errors.
    pub strict: bool,
    /// Draw a progress bar on stderr (the CLI asks for it on a terminal).
    pub progress: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    /// Drafts and scheduled articles left out.
    pub skipped: usize,
    pub files_copied: usize,
    /// Images resized in this build and images taken from the cache.
    pub images: crate::responsive::ImageStats,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Builds the site described by `opts`.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| opts.root.join(DEFAULT_OUTPUT));
    check_output_path(&opts.root, &output)?;
    let staging = Staging::new(&output)?;
    let rendered = render_site(
        &opts.root,
        &RenderOptions {
            drafts: opts.drafts,
            out: Output::Dir(staging.dir()),
            preview: false,
            collect_links: false,
            progress: opts.progress,
            page_cache: None,
            memo: None,
            generation: 0,
        },
    )?;

    let mut diagnostics = rendered.diagnostics;
    if opts.strict {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        // `staging` is dropped here: the temporary folder goes, the old
        // output stays.
        return Err(Error::Site(diagnostics));
    }
    staging.commit()?;
    Ok(BuildReport {
        output,
        pages: rendered.pages,
        skipped: rendered.skipped,
        files_copied: rendered.files_copied,
        images: rendered.images,
        warnings: diagnostics,
        elapsed: started.elapsed(),
    })
}

/// What rendering the whole site produced.
pub(crate) struct RenderedSite {
    pub(crate) images: crate::responsive::ImageStats,
    pub(crate) pages: usize,
    pub(crate) skipped: usize,
    pub(crate) files_copied: usize,
    /// Everything found, sorted; the caller decides what fails.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Links, anchors and questions of every article (only when asked).
    pub(crate) links: Option<crate::check::SiteLinks>,
    /// With [`RenderOptions::memo`]: the memo for the next pass and the
    /// output files this pass rendered.
    pub(crate) memo: Option<(crate::incremental::Memo, Vec<String>)>,
}

/// How [`render_site`] runs for `build` and for `check`.
pub(crate) struct RenderOptions<'a> {
    pub(crate) drafts: bool,
    /// Where files go.
    pub(crate) out: Output<'a>,
    /// Serve: the stylesheet keeps one URL (`/assets/style.css`, no SRI)
    /// so a CSS edit swaps it in place instead of re-rendering every page,
    /// and pages are not minified (a preview wants speed).
    pub(crate) preview: bool,
    /// Gather what `check` needs to verify links.
    pub(crate) collect_links: bool,
    pub(crate) progress: bool,
    /// Serve: articles read by earlier passes.
    pub(crate) page_cache: Option<&'a content::PageCache>,
    /// Serve: what the previous pass rendered, so unchanged outputs are
    /// kept instead of rendered again.
    pub(crate) memo: Option<&'a crate::incremental::Memo>,
    /// Serve: bumped when files outside the templates' view change (an
    /// image replaced in place), so every output is rendered again.
    pub(crate) generation: u64,
}

/// The build's checklist.
pub(crate) fn render_site(root: &Path, opts: &RenderOptions) -> Result<RenderedSite, Error> {
    let (drafts, out, collect_links) = (opts.drafts, opts.out, opts.collect_links);
    let mut lap = Laps::new();
    let mut config = Config::load(root)?;
    if opts.preview {
        config.minify = false;
    }
    let mut theme = Theme::load(root, &config)?;
    lap.mark("config and templates");
    let diags = Diagnostics::default();
    let load = content::LoadOptions {
        drafts,
        now: jiff::Timestamp::now(),
        cache: opts.page_cache,
    };
    let content = content::load(root, &load, &diags)?;
    lap.mark("content loaded");
    // Stop before rendering when the content itself could not be read.
    if diags.has_errors() {
        return Err(Error::Site(diags.into_sorted()));
    }

    // Static files first, so rendered pages win over a static file of the
    // same name.
    let mut manifest = Manifest::new();
    let mut files_copied = 0;
    if out.writes() {
        files_copied += copy_theme_static(&theme, out, &mut manifest, opts.preview)?;
        files_copied += copy_dir(&root.join(STATIC_DIR), out)?;
        files_copied += copy_content_assets(root, &content, out)?;
    }
    let stylesheet = write_stylesheet(root, &theme, out, opts.preview)?;
    set_globals(&mut theme, &config, &stylesheet);
    let stylesheet_key = (stylesheet.url.clone(), stylesheet.integrity.clone());
    manifest.insert("style.css".into(), stylesheet);
    theme.set_assets(manifest);

    lap.mark("static files and stylesheet");
    let images = Images::new(root);
    let processor = crate::responsive::Processor::new(root, &config.images, out);
    // Everything site-wide a page's rendering reads, for serve's memo.
    let pass = opts.memo.map(|memo| {
        let config_text = std::fs::read(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
        let globals = crate::incremental::key(&(
            &config_text,
            &config.theme,
            &stylesheet_key,
            drafts,
            opts.preview,
            opts.generation,
            &theme
                .static_files
                .iter()
                .map(|(p, _)| p)
                .collect::<Vec<_>>(),
        ));
        crate::incremental::Pass::new(Some(memo), globals, theme.templates_key())
    });
    let site = SiteRef {
        pass: pass.as_ref(),
        config: &config,
        theme: &theme,
        images: &images,
        out,
        drafts,
        diags: &diags,
        collect_links,
        processor: &processor,
    };
    check_listing_urls(&content, &diags);
    let aliases = {
        let mut taken: Vec<&str> = content.pages.iter().map(|p| p.url.as_str()).collect();
        taken.extend(content.sections.iter().map(|s| s.url.as_str()));
        taken.extend(["/", "/tags/"]);
        cdn::aliases(&content, &taken, &diags)
    };
    lap.mark("aliases");
    let bar = progress_bar(opts.progress, content.pages.len());
    let results: Vec<ArticleResult> = content
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| {
            let result = site.render_page(&content.pages, i, page);
            bar.inc(1);
            result
        })
        .collect::<Result<_, Error>>()?;
    bar.finish_and_clear();
    let mut summaries = Vec::with_capacity(results.len());
    let mut page_links = Vec::new();
    let mut memos = Vec::new();
    for r in results {
        summaries.push(r.summary);
        page_links.extend(r.links);
        memos.extend(r.memo);
    }
    // Recorded after the parallel loop: one lock instead of one per page.
    // Kept article pages need no `out.keep`: the memo lists every article
    // page of the pass, and `serve` keeps what it lists.
    if let Some(pass) = &pass {
        pass.record_articles(&content.pages, memos);
    }
    lap.mark("articles");
    // Serve, after edits of known articles only: when no summary changed
    // (a body edit, say), no listing, tag page, feed or sitemap can have.
    let listings_kept = pass.as_ref().is_some_and(|pass| {
        pass.listings_unchanged(listings_key(&content, &summaries), content.reused_walk)
    });
    let tags = if listings_kept {
        Vec::new()
    } else {
        listing::tags(&content.pages)
    };
    if !listings_kept {
        // Listings and feeds read the same summaries and write different
        // files: side by side, neither waits on the other's long tail.
        let (listings, feeds) = rayon::join(
            || site.render_listings(&content, &summaries, &tags),
            || feeds::render(&site, &content, &summaries, &tags),
        );
        listings?;
        feeds?;
        lap.mark("listings and feeds");
    }
    site.render_404()?;
    cdn::write(out, &aliases, |url| config.permalink(url))?;
    lap.mark("404 and CDN files");
    let memo = pass.map(crate::incremental::Pass::finish);
    let links = collect_links
        .then(|| crate::check::SiteLinks::new(root, &content, &tags, &aliases, page_links));

    Ok(RenderedSite {
        images: processor.stats(),
        pages: content.pages.len(),
        skipped: content.skipped,
        files_copied,
        diagnostics: diags.into_sorted(),
        links,
        memo,
    })
}

/// What listings, tag pages, feeds and the sitemap read besides templates
/// and site-wide inputs: every article's summary in site order (tags
/// included) and the home page and sections.
fn listings_key(content: &Content, summaries: &[std::sync::Arc<Summary>]) -> u64 {
    let keys: Vec<u64> = summaries.iter().map(|s| s.key).collect();
    let sections: Vec<(&str, &str)> = content
        .home
        .iter()
        .chain(&content.sections)
        .map(|s| (s.url.as_str(), s.text.as_str()))
        .collect();
    crate::incremental::hash_key(&(keys, sections))
}

/// One article's part of a render pass.
struct ArticleResult {
    summary: std::sync::Arc<Summary>,
    links: Option<crate::check::PageLinks>,
    /// Serve: the page's file, its memo, and whether it was kept as the
    /// previous pass left it.
    memo: Option<crate::incremental::ArticleEntry>,
}

/// Step timings on stderr when `NUTGRAF_TIMINGS` is set (for profiling
/// builds and serve's passes).
struct Laps {
    last: Option<Instant>,
}

impl Laps {
    fn new() -> Laps {
        Laps {
            last: std::env::var_os("NUTGRAF_TIMINGS").map(|_| Instant::now()),
        }
    }

    fn mark(&mut self, step: &str) {
        if let Some(last) = self.last {
            eprintln!(
                "  {:>7.1} ms  {step}",
                last.elapsed().as_secs_f64() * 1000.0
            );
            self.last = Some(Instant::now());
        }
    }
}

/// A bar over the articles on a terminal; a hidden no-op otherwise.
fn progress_bar(show: bool, len: usize) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} rendering {pos}/{len} articles {wide_bar} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Refuses output folders whose replacement would destroy the site: the
/// site root itself, a folder above it, or one of its source folders.
fn check_output_path(root: &Path, output: &Path) -> Result<(), Error> {
    let abs = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        // Canonicalize the longest existing prefix so `..` and symlinks resolve.
        let mut existing = p.as_path();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut full = existing
            .canonicalize()
            .unwrap_or_else(|_| existing.to_path_buf());
        full.extend(rest.iter().rev());
        full
    };
    let root = abs(root);
    let output = abs(output);
    let protected = [
        content::CONTENT_DIR,
        STATIC_DIR,
        crate::theme::TEMPLATES_DIR,
        crate::theme::THEMES_DIR,
    ];
    let bad =
        root.starts_with(&output) || protected.iter().any(|d| output.starts_with(root.join(d)));
    if bad {
        return Err(Error::Config(vec![
            Diagnostic::error(output.clone(), Position::START, "refusing to build into this folder: the build replaces the output folder, which would delete your site's sources")
                .with_hint("pick an output folder of its own, such as `public`"),
        ]));
    }
    Ok(())
}

/// Articles may not take URLs that listings use: a section's, or anything
/// under `/tags/`.
fn check_listing_urls(content: &Content, diags: &Diagnostics) {
    for page in &content.pages {
        let clash = if page.url.starts_with("/tags/") {
            Some("the tag pages".to_string())
        } else {
            content
                .sections
                .iter()
                .find(|s| s.url == page.url)
                .map(|s| format!("the section `{}`", s.display.display()))
        };
        if let Some(other) = clash {
            diags.push(
                Diagnostic::error(
                    &page.display,
                    Position::START,
                    format!("URL `{}` is already used by {other}", page.url),
                )
                .with_hint("give the article a different `slug` in its front matter"),
            );
        }
    }
}

/// Copies the theme's static files; CSS and JavaScript get content-hashed
/// names under `/assets/` and go into the manifest.
fn copy_theme_static(
    theme: &Theme,
    out: Output,
    manifest: &mut Manifest,
    stable: bool,
) -> Result<usize, Error> {
    for (rel, source) in &theme.static_files {
        let name = rel.to_string_lossy().replace('\\', "/");
        if assets::is_hashed(rel) {
            let bytes = match source {
                StaticSource::Embedded(bytes) => bytes.to_vec(),
                StaticSource::Disk(from) => crate::fs::read(from)?,
            };
            let (path, integrity) = if stable {
                (format!("assets/{name}"), String::new())
            } else {
                let hashed = assets::hashed_path(rel, &bytes);
                (hashed, assets::integrity(&bytes))
            };
            out.write(&path, bytes)?;
            manifest.insert(
                name,
                Asset {
                    url: format!("/{path}"),
                    integrity,
                },
            );
            continue;
        }
        match source {
            StaticSource::Embedded(bytes) => out.write(&name, bytes.to_vec())?,
            StaticSource::Disk(from) => out.copy(&name, from)?,
        }
    }
    Ok(theme.static_files.len())
}

/// Copies every file under `dir` into `out`, in parallel.
fn copy_dir(dir: &Path, out: Output) -> Result<usize, Error> {
    let files = walk_files(dir)?;
    files
        .par_iter()
        .try_for_each(|(rel, path)| out.copy(&rel.to_string_lossy().replace('\\', "/"), path))?;
    Ok(files.len())
}

/// Non-Markdown files under `content/` (bundle images) go to the same path.
fn copy_content_assets(root: &Path, content: &Content, out: Output) -> Result<usize, Error> {
    let content_dir = root.join(content::CONTENT_DIR);
    content.assets.par_iter().try_for_each(|rel| {
        out.copy(
            &rel.to_string_lossy().replace('\\', "/"),
            &content_dir.join(rel),
        )
    })?;
    Ok(content.assets.len())
}

/// Writes the theme stylesheet (or the site's `static/style.css`) with the
/// highlighting CSS appended, under a content-hashed name. Returns its URL.
fn write_stylesheet(root: &Path, theme: &Theme, out: Output, stable: bool) -> Result<Asset, Error> {
    let site_css = root.join(STATIC_DIR).join("style.css");
    let mut css = if site_css.is_file() {
        crate::fs::read_to_string(&site_css)?
    } else {
        theme.stylesheet.clone()
    };
    css.push('\n');
    css.push_str(&crate::highlight::stylesheet()?);
    let (rel, integrity) = if stable {
        ("assets/style.css".to_string(), String::new())
    } else {
        let hashed = assets::hashed_path(Path::new("style.css"), css.as_bytes());
        (hashed, assets::integrity(css.as_bytes()))
    };
    out.write(&rel, css)?;
    Ok(Asset {
        url: format!("/{rel}"),
        integrity,
    })
}

#[derive(Serialize)]
struct ConfigContext<'a> {
    title: &'a str,
    base_url: &'a str,
    language: &'a str,
    description: Option<&'a str>,
    publisher: &'a str,
    extra: &'a toml::Table,
}

#[derive(Serialize)]
struct AssetsContext<'a> {
    stylesheet: &'a str,
    stylesheet_integrity: &'a str,
}

fn set_globals(theme: &mut Theme, config: &Config, stylesheet: &Asset) {
    let globals = theme.tera.global_context();
    globals.insert(
        "config",
        &ConfigContext {
            title: &config.title,
            base_url: &config.base_url,
            language: &config.language,
            description: config.description.as_deref(),
            publisher: &config.publisher,
            extra: &config.extra,
        },
    );
    globals.insert(
        "assets",
        &AssetsContext {
            stylesheet: &stylesheet.url,
            stylesheet_integrity: &stylesheet.integrity,
        },
    );
    globals.insert("nutgraf_version", env!("CARGO_PKG_VERSION"));
}

/// The parts of the site every page render needs.
#[derive(Clone, Copy)]
pub(crate) struct SiteRef<'a> {
    /// Serve's incremental pass, when there is one.
    pass: Option<&'a crate::incremental::Pass<'a>>,
    pub(crate) config: &'a Config,
    theme: &'a Theme,
    images: &'a Images,
    /// Where files go.
    out: Output<'a>,
    drafts: bool,
    diags: &'a Diagnostics,
    /// Gather each article's links, anchors and questions for `check`.
    collect_links: bool,
    processor: &'a crate::responsive::Processor<'a>,
}

#[derive(Serialize)]
struct LeadContext {
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
    crops: Option<crate::responsive::Crops>,
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
    description: Option<&'a str>,
    date: Option<String>,
    updated: Option<String>,
    authors: &'a [String],
    tags: &'a [String],
    url: &'a str,
    permalink: String,
    content: String,
    questions: Vec<Question>,
    lead: Option<LeadContext>,
    /// The sharing image (og:image): the lead's 16:9 crop, else the first
    /// image; absolute URL and size.
    image: Option<String>,
    image_width: Option<u32>,
    image_height: Option<u32>,
    reading_time: usize,
    word_count: usize,
    draft: bool,
    updates: Vec<UpdateContext>,
    /// The older and the newer article, in the site's date order.
    previous: Option<Neighbour>,
    next: Option<Neighbour>,
    extra: &'a toml::Table,
}

#[derive(Serialize)]
struct SectionContext<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: String,
    url: &'a str,
    permalink: String,
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

/// The output file of the page at `url`: `/a/b/` → `a/b/index.html`.
pub(crate) fn page_file(url: &str) -> String {
    let dir = url.trim_matches('/');
    // Built by hand: this runs for every article on every serve pass,
    // where `format!` showed up in profiles.
    let mut file = String::with_capacity(dir.len() + "/index.html".len());
    if !dir.is_empty() {
        file.push_str(dir);
        file.push('/');
    }
    file.push_str("index.html");
    file
}

fn reading_time(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

impl SiteRef<'_> {
    /// Renders one article and writes it; returns its word count.
    /// Renders article `i` and writes it; returns what listings show of it.
    fn render_page(
        &self,
        pages: &[std::sync::Arc<Page>],
        i: usize,
        page: &Page,
    ) -> Result<ArticleResult, Error> {
        let Some(pass) = self.pass else {
            let (summary, links) = self.render_article(pages, i, page)?;
            return Ok(ArticleResult {
                summary: std::sync::Arc::new(summary),
                links,
                memo: None,
            });
        };
        if let Some((file, hit)) = pass.same_article(pages, i) {
            self.diags.extend(hit.diagnostics.iter().cloned());
            return Ok(ArticleResult {
                summary: hit.summary.clone(),
                links: None,
                memo: Some((file, hit, true)),
            });
        }
        let file: std::sync::Arc<str> = page_file(&page.url).into();
        let template = page.matter.template.as_deref().unwrap_or("page.html");
        // The neighbours' titles and URLs are all the page shows of them.
        let adjacent = |j: Option<usize>| {
            j.and_then(|j| pages.get(j))
                .map(|p| (p.matter.title.as_str(), p.url.as_str()))
        };
        let key = crate::incremental::hash_key(&(
            pass.globals(),
            self.theme.fingerprint(template),
            &page.url,
            page.display.as_os_str().as_encoded_bytes(),
            page.text_hash,
            adjacent(i.checked_sub(1)),
            adjacent(Some(i + 1)),
        ));
        if let Some(hit) = pass.article_unchanged(&file, key) {
            self.diags.extend(hit.diagnostics.iter().cloned());
            return Ok(ArticleResult {
                summary: hit.summary.clone(),
                links: None,
                memo: Some((file, hit, true)),
            });
        }
        // Collect this article's diagnostics apart, so a later pass that
        // keeps the page can report them again.
        let local = Diagnostics::default();
        let site = SiteRef {
            diags: &local,
            ..*self
        };
        let (summary, links) = site.render_article(pages, i, page)?;
        let diagnostics = local.into_sorted();
        self.diags.extend(diagnostics.clone());
        let summary = std::sync::Arc::new(summary);
        let memo = std::sync::Arc::new(crate::incremental::ArticleMemo {
            key,
            summary: summary.clone(),
            diagnostics,
        });
        Ok(ArticleResult {
            summary,
            links,
            memo: Some((file, memo, false)),
        })
    }

    /// Renders article `i` and writes it; returns what listings show of it.
    fn render_article(
        &self,
        pages: &[std::sync::Arc<Page>],
        i: usize,
        page: &Page,
    ) -> Result<(Summary, Option<crate::check::PageLinks>), Error> {
        let permalink = self.config.permalink(&page.url);
        let lead = self.lead(page);
        let ctx = RenderContext {
            config: self.config,
            images: self.images,
            page_dir: &page.dir,
            page_url: &page.url,
            display: &page.display,
            file_text: &page.text,
            body_offset: page.body_offset,
            show_slots: self.drafts,
            faq: page.matter.faq.unwrap_or(self.config.faq),
            has_lead: lead.is_some(),
            processor: self.processor,
            lint_small_images: self.collect_links,
        };
        let mut rendered = markdown::render_page(page.body(), &ctx);
        self.diags.extend(std::mem::take(&mut rendered.diagnostics));
        let links = self
            .collect_links
            .then(|| crate::check::PageLinks::new(page, &rendered));

        let date = page.date.as_ref().map(rfc3339);
        let (previous, next) = listing::neighbours(pages, i);
        // The latest of `updated` and the corrections log sets dateModified.
        let mut modified = page.updated.clone();
        let mut updates = Vec::new();
        for u in &page.matter.updates {
            let when = crate::frontmatter::to_zoned(&u.date).ok();
            if let Some(w) = &when {
                if modified.as_ref().is_none_or(|m| w > m) {
                    modified = Some(w.clone());
                }
            }
            updates.push(UpdateContext {
                date: when.as_ref().map(rfc3339),
                note: u.note.clone(),
                note_html: markdown::render_inline(&u.note),
            });
        }
        let updated = modified.as_ref().map(rfc3339);

        let mut images: Vec<FigureInfo> = Vec::with_capacity(rendered.figures.len() + 1);
        if let Some(l) = &lead {
            images.push(FigureInfo {
                url: l.src.clone(),
                alt: l.alt.clone(),
                caption: page.matter.lead.as_ref().and_then(|m| m.caption.clone()),
                credit: page.matter.lead.as_ref().and_then(|m| m.credit.clone()),
                width: l.width,
                height: l.height,
            });
        }
        images.extend(rendered.figures.iter().cloned());
        let jsonld = schema::article(&schema::ArticleGraph {
            config: self.config,
            permalink: &permalink,
            title: &page.matter.title,
            description: page.matter.description.as_deref(),
            date_published: date.as_deref(),
            date_modified: updated.as_deref(),
            authors: &page.matter.authors,
            tags: &page.matter.tags,
            images: &images,
            faq: &rendered.faq,
            word_count: rendered.word_count,
            crops: lead.as_ref().and_then(|l| l.crops.as_ref()),
        });

        let share: Option<(String, Option<u32>, Option<u32>)> = lead
            .as_ref()
            .and_then(|l| l.crops.as_ref())
            .map(|c| {
                (
                    self.config.permalink(&c.wide.url),
                    Some(c.wide.width),
                    Some(c.wide.height),
                )
            })
            .or_else(|| {
                images
                    .first()
                    .map(|i| (self.config.permalink(&i.url), i.width, i.height))
            });
        let context = PageContext {
            title: &page.matter.title,
            description: page.matter.description.as_deref(),
            date,
            updated,
            authors: &page.matter.authors,
            tags: &page.matter.tags,
            url: &page.url,
            permalink,
            image: share.as_ref().map(|s| s.0.clone()),
            image_width: share.as_ref().and_then(|s| s.1),
            image_height: share.as_ref().and_then(|s| s.2),
            content: rendered.html,
            questions: rendered.questions,
            lead,
            reading_time: reading_time(rendered.word_count),
            word_count: rendered.word_count,
            draft: page.matter.draft,
            updates,
            previous,
            next,
            extra: &page.matter.extra,
        };
        let mut summary = Summary {
            key: 0,
            title: page.matter.title.clone(),
            url: page.url.clone(),
            permalink: context.permalink.clone(),
            date: context.date.clone(),
            updated: context.updated.clone(),
            description: page.matter.description.clone(),
            authors: page.matter.authors.clone(),
            tags: page.matter.tags.clone(),
            reading_time: context.reading_time,
            word_count: context.word_count,
            lead: context.lead.as_ref().map(|l| LeadSummary {
                src: l.src.clone(),
                alt: l.alt.clone(),
                width: l.width,
                height: l.height,
            }),
        };
        if self.pass.is_some() {
            summary.key = crate::incremental::key(&summary);
        }
        let template = page.matter.template.as_deref().unwrap_or("page.html");
        if !self.theme.has_template(template) {
            let split = crate::frontmatter::split(&page.display, &page.text).ok();
            let pos = split.map_or(Position::START, |s| {
                crate::frontmatter::key_position(&page.text, &s, "template")
            });
            self.diags.push(
                Diagnostic::error(
                    &page.display,
                    pos,
                    format!("template `{template}` does not exist"),
                )
                .with_hint("create it in templates/, or remove `template` to use page.html"),
            );
            return Ok((summary, links));
        }
        let mut tctx = tera::Context::new();
        tctx.insert("page", &context);
        tctx.insert("jsonld", &jsonld);
        match self.theme.render(template, &tctx) {
            // The body and JSON-LD are nutgraf's own compact output: keep
            // them out of the minifier (see minify.rs).
            Ok(html) => self.write_page(&page.url, html, &[&context.content, &jsonld])?,
            Err(d) => self.diags.push(d),
        }
        Ok((summary, links))
    }

    /// The `[lead]` image, resolved and measured.
    fn lead(&self, page: &Page) -> Option<LeadContext> {
        let lead = page.matter.lead.as_ref()?;
        // Only computed when there is something to report.
        let pos = || {
            crate::frontmatter::split(&page.display, &page.text)
                .ok()
                .map_or(Position::START, |s| {
                    crate::frontmatter::key_position(&page.text, &s, "src")
                })
        };
        let (src, size, processed) = match self.images.resolve(&page.dir, &lead.src) {
            Ok(ImageRef::Local { file, url }) => {
                let size = self.images.size(&file);
                if size.is_none() {
                    self.diags.push(
                        Diagnostic::warning(&page.display, pos(), format!("lead image file not found: `{}`", lead.src))
                            .with_hint("paths are relative to the article's folder, or start with / for files in static/"),
                    );
                }
                let processed = size.and_then(|_| self.processor.lead(&file));
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
            Err(msg) => {
                self.diags
                    .push(Diagnostic::error(&page.display, pos(), msg));
                return None;
            }
        };
        if lead.alt.trim().is_empty() {
            self.diags.push(
                Diagnostic::warning(&page.display, pos(), "lead image has no alt text")
                    .with_hint("add `alt = \"…\"` under [lead]"),
            );
        }
        if lead.credit.is_none() {
            self.diags.push(
                Diagnostic::warning(&page.display, pos(), "lead image has no credit")
                    .with_hint("add `credit = \"Name/Agency\"` under [lead]"),
            );
        }
        let credit_html = lead.credit.as_deref().map(|c| {
            let inner = markdown::render_inline(c);
            match &lead.credit_url {
                Some(url) => format!("<a href=\"{}\">{inner}</a>", crate::html::escape(url)),
                None => inner,
            }
        });
        let (responsive, crops) = processed.unzip();
        let original = size.map(|(w, _)| (src.as_str(), w));
        let srcset = responsive
            .as_ref()
            .filter(|r| !r.resized.is_empty())
            .map(|r| crate::responsive::srcset(&r.resized, original));
        let webp_srcset = responsive
            .as_ref()
            .filter(|r| !r.webp.is_empty())
            .map(|r| crate::responsive::srcset(&r.webp, None));
        Some(LeadContext {
            alt: lead.alt.clone(),
            caption_html: lead.caption.as_deref().map(markdown::render_inline),
            credit_html,
            credit_url: lead.credit_url.clone(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            srcset,
            webp_srcset,
            sizes: self.processor.sizes().to_string(),
            crops: crops.flatten(),
            src,
        })
    }

    fn write_page(&self, url: &str, html: String, verbatim: &[&str]) -> Result<(), Error> {
        if self.out.writes() {
            self.out
                .write(&page_file(url), self.finish_html(html, verbatim))?;
        }
        Ok(())
    }

    /// The last step of every HTML page: minification when configured,
    /// leaving the `verbatim` fragments of the page as they are.
    fn finish_html(&self, html: String, verbatim: &[&str]) -> String {
        if self.config.minify {
            crate::minify::page(html, verbatim)
        } else {
            html
        }
    }

    /// The Markdown body of an `_index.md`.
    fn section_intro(&self, section: &content::Section) -> String {
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
                faq: false,
                has_lead: false,
                processor: self.processor,
                lint_small_images: self.collect_links,
            },
        );
        self.diags.extend(rendered.diagnostics);
        rendered.html
    }

    /// The home page, section pages, the tag index and tag pages, each
    /// paginated.
    fn render_listings(
        &self,
        content: &Content,
        summaries: &[std::sync::Arc<Summary>],
        tags: &[Tag],
    ) -> Result<(), Error> {
        // The home page lists every article, newest first.
        let home = content.home.as_ref();
        let all: Vec<usize> = (0..summaries.len()).collect();
        let title = home
            .and_then(|h| h.matter.title.as_deref())
            .unwrap_or(&self.config.title);
        let description = home
            .and_then(|h| h.matter.description.as_deref())
            .or(self.config.description.as_deref());
        let section = SectionContext {
            title,
            description,
            content: home.map(|h| self.section_intro(h)).unwrap_or_default(),
            url: "/",
            permalink: self.config.permalink("/"),
        };
        let per_page = home
            .and_then(|h| h.matter.paginate_by)
            .unwrap_or(self.config.paginate_by);
        let template = home
            .and_then(|h| h.matter.template.as_deref())
            .unwrap_or("index.html");
        let jsonld = schema::website(self.config, description);
        self.render_section(template, &all, per_page, summaries, &section, &jsonld)?;

        for s in &content.sections {
            let mut items: Vec<usize> = content
                .pages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.section_dir == s.dir)
                .map(|(i, _)| i)
                .collect();
            listing::sort(&mut items, &content.pages, s.matter.sort_by);
            let fallback = s
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let title = s.matter.title.as_deref().unwrap_or(&fallback);
            let section = SectionContext {
                title,
                description: s.matter.description.as_deref(),
                content: self.section_intro(s),
                url: &s.url,
                permalink: self.config.permalink(&s.url),
            };
            let jsonld = schema::collection(
                self.config,
                title,
                &section.permalink,
                s.matter.description.as_deref(),
            );
            let per_page = s.matter.paginate_by.unwrap_or(self.config.paginate_by);
            let template = s.matter.template.as_deref().unwrap_or("section.html");
            self.render_section(template, &items, per_page, summaries, &section, &jsonld)?;
        }

        if !tags.is_empty() {
            let contexts: Vec<TagContext> = tags.iter().map(|t| self.tag_context(t)).collect();
            let mut sorted: Vec<&TagContext> = contexts.iter().collect();
            sorted.sort_by_key(|t| t.name.to_lowercase());
            let jsonld =
                schema::collection(self.config, "Tags", &self.config.permalink("/tags/"), None);
            let index_key = self.fill_key(&(&sorted, &jsonld));
            if !self.unchanged("tags/index.html", "tags.html", &index_key) {
                let mut ctx = tera::Context::new();
                ctx.insert("tags", &sorted);
                ctx.insert("jsonld", &jsonld);
                self.render_to("tags.html", "/tags/", &ctx)?;
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
                        summaries,
                        (self.fill_key(&(tc, &jsonld)), |ctx: &mut tera::Context| {
                            ctx.insert("tag", tc);
                            ctx.insert("jsonld", &jsonld);
                        }),
                    )
                })?;
        }
        Ok(())
    }

    /// The home page or a section: `section` and its JSON-LD on every
    /// page of its paginated listing.
    fn render_section(
        &self,
        template: &str,
        items: &[usize],
        per_page: usize,
        summaries: &[std::sync::Arc<Summary>],
        section: &SectionContext,
        jsonld: &str,
    ) -> Result<(), Error> {
        let fill_key = self.fill_key(&(section, jsonld));
        self.render_paginated(
            template,
            section.url,
            items,
            per_page,
            summaries,
            (fill_key, |ctx: &mut tera::Context| {
                ctx.insert("section", section);
                ctx.insert("jsonld", jsonld);
            }),
        )
    }

    fn tag_context<'t>(&self, tag: &'t Tag) -> TagContext<'t> {
        let url = tag.url();
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
        summaries: &[std::sync::Arc<Summary>],
        (fill_key, fill): (u64, impl Fn(&mut tera::Context) + Sync),
    ) -> Result<(), Error> {
        let pagers = listing::paginate(base, items.len(), per_page);
        pagers.par_iter().enumerate().try_for_each(|(n, pager)| {
            let pages: Vec<&Summary> = items[pager.items.clone()]
                .iter()
                .map(|&i| &*summaries[i])
                .collect();
            let summary_keys: Vec<u64> = pages.iter().map(|s| s.key).collect();
            let key = (fill_key, base, n, pagers.len(), items.len(), summary_keys);
            if self.unchanged(&page_file(&pager.url), template, &key) {
                return Ok(());
            }
            let mut ctx = tera::Context::new();
            fill(&mut ctx);
            ctx.insert("pages", &pages);
            ctx.insert("paginator", &PaginatorContext::new(&pagers, n, items.len()));
            self.render_to(template, &pager.url, &ctx)
        })
    }

    /// A key for what a listing's `fill` adds to its context.
    fn fill_key(&self, data: &impl Serialize) -> u64 {
        if self.pass.is_some() {
            crate::incremental::key(data)
        } else {
            0
        }
    }

    /// In an incremental pass: whether `file`, rendered from `template`
    /// with `data`, is unchanged since the previous pass (then it is kept
    /// and need not be rendered). Always false for `build` and `check`.
    pub(crate) fn unchanged(
        &self,
        file: &str,
        template: &str,
        data: &impl std::hash::Hash,
    ) -> bool {
        let Some(pass) = self.pass else {
            return false;
        };
        let key =
            crate::incremental::hash_key(&(pass.globals(), self.theme.fingerprint(template), data));
        let unchanged = pass.file_unchanged(file, key);
        if unchanged {
            self.out.keep(file);
        }
        unchanged
    }

    /// Renders `template` into `<url>/index.html`.
    fn render_to(&self, template: &str, url: &str, ctx: &tera::Context) -> Result<(), Error> {
        match self.theme.render(template, ctx) {
            Ok(html) => self.write_page(url, html, &[]),
            Err(d) => {
                self.diags.push(d);
                Ok(())
            }
        }
    }

    /// Renders a non-HTML template (feeds, sitemaps) to `rel` in the output.
    pub(crate) fn render_file(
        &self,
        template: &str,
        rel: &str,
        ctx: &tera::Context,
    ) -> Result<(), Error> {
        match self.theme.render(template, ctx) {
            Ok(text) => self.out.write(rel, text)?,
            Err(d) => self.diags.push(d),
        }
        Ok(())
    }

    fn render_404(&self) -> Result<(), Error> {
        if self.unchanged("404.html", "404.html", &()) {
            return Ok(());
        }
        match self.theme.render("404.html", &tera::Context::new()) {
            Ok(html) => {
                if self.out.writes() {
                    self.out.write("404.html", self.finish_html(html, &[]))?;
                }
            }
            Err(d) => self.diags.push(d),
        }
        Ok(())
    }
}
