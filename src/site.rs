//! The build: a flat checklist from `nutgraf.toml` to a finished output
//! folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::{self, Content, Page};
use crate::diagnostic::{Diagnostic, Diagnostics, Position, Severity};
use crate::error::Error;
use crate::figure::FigureInfo;
use crate::frontmatter::rfc3339;
use crate::images::{ImageRef, Images};
use crate::markdown::{self, RenderContext};
use crate::output::Staging;
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
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    /// Drafts and scheduled articles left out.
    pub skipped: usize,
    pub files_copied: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Builds the site described by `opts`.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let root = &opts.root;
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| root.join(DEFAULT_OUTPUT));
    check_output_path(root, &output)?;

    let config = Config::load(root)?;
    let mut theme = Theme::load(root, &config)?;
    let diags = Diagnostics::default();
    let load = content::LoadOptions {
        drafts: opts.drafts,
        now: jiff::Timestamp::now(),
    };
    let content = content::load(root, &load, &diags)?;
    // Stop before rendering when the content itself could not be read.
    if diags.has_errors() {
        return Err(Error::Site(diags.into_sorted()));
    }

    let staging = Staging::new(&output)?;
    let out = staging.dir();

    // Static files first, so rendered pages win over a static file of the
    // same name.
    let mut files_copied = copy_theme_static(&theme, out)?;
    files_copied += copy_dir(&root.join(STATIC_DIR), out)?;
    files_copied += copy_content_assets(root, &content, out)?;

    let stylesheet = write_stylesheet(root, &theme, out)?;
    set_globals(&mut theme, &config, &stylesheet);

    let images = Images::new(root);
    let site = SiteRef {
        config: &config,
        theme: &theme,
        images: &images,
        out,
        drafts: opts.drafts,
        diags: &diags,
    };
    let word_counts: Vec<usize> = content
        .pages
        .par_iter()
        .map(|page| site.render_page(page))
        .collect::<Result<_, Error>>()?;
    site.render_home(&content, &word_counts)?;
    site.render_404()?;

    let mut diagnostics = diags.into_sorted();
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
        pages: content.pages.len(),
        skipped: content.skipped,
        files_copied,
        warnings: diagnostics,
        elapsed: started.elapsed(),
    })
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

fn copy_theme_static(theme: &Theme, out: &Path) -> Result<usize, Error> {
    for (rel, source) in &theme.static_files {
        let to = out.join(rel);
        match source {
            StaticSource::Embedded(bytes) => crate::fs::write_creating_dirs(&to, bytes)?,
            StaticSource::Disk(from) => crate::fs::copy_creating_dirs(from, &to)?,
        }
    }
    Ok(theme.static_files.len())
}

/// Copies every file under `dir` into `out`, in parallel.
fn copy_dir(dir: &Path, out: &Path) -> Result<usize, Error> {
    let files = walk_files(dir)?;
    files
        .par_iter()
        .try_for_each(|(rel, path)| crate::fs::copy_creating_dirs(path, &out.join(rel)))?;
    Ok(files.len())
}

/// Non-Markdown files under `content/` (bundle images) go to the same path.
fn copy_content_assets(root: &Path, content: &Content, out: &Path) -> Result<usize, Error> {
    let content_dir = root.join(content::CONTENT_DIR);
    content.assets.par_iter().try_for_each(|rel| {
        crate::fs::copy_creating_dirs(&content_dir.join(rel), &out.join(rel))
    })?;
    Ok(content.assets.len())
}

/// Writes the theme stylesheet (or the site's `static/style.css`) with the
/// highlighting CSS appended, under a content-hashed name. Returns its URL.
fn write_stylesheet(root: &Path, theme: &Theme, out: &Path) -> Result<String, Error> {
    let site_css = root.join(STATIC_DIR).join("style.css");
    let mut css = if site_css.is_file() {
        crate::fs::read_to_string(&site_css)?
    } else {
        theme.stylesheet.clone()
    };
    css.push('\n');
    css.push_str(&crate::highlight::stylesheet()?);
    let hash = blake3::hash(css.as_bytes()).to_hex();
    let rel = format!("assets/style.{}.css", &hash[..10]);
    crate::fs::write_creating_dirs(&out.join(&rel), css)?;
    Ok(format!("/{rel}"))
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
}

fn set_globals(theme: &mut Theme, config: &Config, stylesheet: &str) {
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
    globals.insert("assets", &AssetsContext { stylesheet });
    globals.insert("nutgraf_version", env!("CARGO_PKG_VERSION"));
}

/// The parts of the site every page render needs.
struct SiteRef<'a> {
    config: &'a Config,
    theme: &'a Theme,
    images: &'a Images,
    out: &'a Path,
    drafts: bool,
    diags: &'a Diagnostics,
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
    image: Option<String>,
    reading_time: usize,
    word_count: usize,
    draft: bool,
    updates: Vec<UpdateContext>,
    extra: &'a toml::Table,
}

#[derive(Serialize)]
struct LeadSummary<'a> {
    src: String,
    alt: &'a str,
    width: Option<u32>,
    height: Option<u32>,
}

#[derive(Serialize)]
struct Summary<'a> {
    title: &'a str,
    url: &'a str,
    date: Option<String>,
    description: Option<&'a str>,
    authors: &'a [String],
    tags: &'a [String],
    reading_time: usize,
    lead: Option<LeadSummary<'a>>,
}

#[derive(Serialize)]
struct SectionContext<'a> {
    title: &'a str,
    description: Option<&'a str>,
    content: String,
}

fn reading_time(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

impl SiteRef<'_> {
    /// Renders one article and writes it; returns its word count.
    fn render_page(&self, page: &Page) -> Result<usize, Error> {
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
        };
        let rendered = markdown::render_page(page.body(), &ctx);
        self.diags.extend(rendered.diagnostics);

        let date = page.date.as_ref().map(rfc3339);
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
            image: images.first().map(|i| self.config.permalink(&i.url)),
            content: rendered.html,
            questions: rendered.questions,
            lead,
            reading_time: reading_time(rendered.word_count),
            word_count: rendered.word_count,
            draft: page.matter.draft,
            updates,
            extra: &page.matter.extra,
        };
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
            return Ok(rendered.word_count);
        }
        let mut tctx = tera::Context::new();
        tctx.insert("page", &context);
        tctx.insert("jsonld", &jsonld);
        match self.theme.render(template, &tctx) {
            Ok(html) => self.write_page(&page.url, html)?,
            Err(d) => self.diags.push(d),
        }
        Ok(rendered.word_count)
    }

    /// The `[lead]` image, resolved and measured.
    fn lead(&self, page: &Page) -> Option<LeadContext> {
        let lead = page.matter.lead.as_ref()?;
        let pos = crate::frontmatter::split(&page.display, &page.text)
            .ok()
            .map_or(Position::START, |s| {
                crate::frontmatter::key_position(&page.text, &s, "src")
            });
        let (src, size) = match self.images.resolve(&page.dir, &lead.src) {
            Ok(ImageRef::Local { file, url }) => {
                let size = self.images.size(&file);
                if size.is_none() {
                    self.diags.push(
                        Diagnostic::warning(&page.display, pos, format!("lead image file not found: `{}`", lead.src))
                            .with_hint("paths are relative to the article's folder, or start with / for files in static/"),
                    );
                }
                (url, size)
            }
            Ok(ImageRef::External(url)) => (url, None),
            Ok(ImageRef::Slot(name)) => {
                self.diags.push(
                    Diagnostic::warning(
                        &page.display,
                        pos,
                        format!("the lead image cannot be a slot (`slot:{name}`)"),
                    )
                    .with_hint("choose the lead photo, or remove [lead] until it is chosen"),
                );
                return None;
            }
            Err(msg) => {
                self.diags.push(Diagnostic::error(&page.display, pos, msg));
                return None;
            }
        };
        if lead.alt.trim().is_empty() {
            self.diags.push(
                Diagnostic::warning(&page.display, pos, "lead image has no alt text")
                    .with_hint("add `alt = \"…\"` under [lead]"),
            );
        }
        if lead.credit.is_none() {
            self.diags.push(
                Diagnostic::warning(&page.display, pos, "lead image has no credit")
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
        Some(LeadContext {
            src,
            alt: lead.alt.clone(),
            caption_html: lead.caption.as_deref().map(markdown::render_inline),
            credit_html,
            credit_url: lead.credit_url.clone(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
        })
    }

    fn write_page(&self, url: &str, html: String) -> Result<(), Error> {
        let path = self.out.join(url.trim_matches('/')).join("index.html");
        crate::fs::write_creating_dirs(&path, html)?;
        Ok(())
    }

    /// The home page: `content/_index.md` and every article, newest first.
    fn render_home(&self, content: &Content, word_counts: &[usize]) -> Result<(), Error> {
        let home = content.home.as_ref();
        let matter = home.map(|h| &h.matter);
        let title = matter
            .and_then(|m| m.title.as_deref())
            .unwrap_or(&self.config.title);
        let description = matter
            .and_then(|m| m.description.as_deref())
            .or(self.config.description.as_deref());
        let summaries: Vec<Summary> = content
            .pages
            .iter()
            .zip(word_counts)
            .map(|(p, words)| Summary {
                title: &p.matter.title,
                url: &p.url,
                date: p.date.as_ref().map(rfc3339),
                description: p.matter.description.as_deref(),
                authors: &p.matter.authors,
                tags: &p.matter.tags,
                reading_time: reading_time(*words),
                lead: p
                    .matter
                    .lead
                    .as_ref()
                    .and_then(|l| match self.images.resolve(&p.dir, &l.src) {
                        Ok(ImageRef::Local { file, url }) => {
                            let size = self.images.size(&file);
                            Some((url, size, l.alt.as_str()))
                        }
                        Ok(ImageRef::External(url)) => Some((url, None, l.alt.as_str())),
                        _ => None,
                    })
                    .map(|(src, size, alt)| LeadSummary {
                        src,
                        alt,
                        width: size.map(|s| s.0),
                        height: size.map(|s| s.1),
                    }),
            })
            .collect();
        let intro = match home {
            Some(h) => {
                let content_dir = self.out.join(content::CONTENT_DIR);
                let rendered = markdown::render_page(
                    &h.text[h.body_offset..],
                    &RenderContext {
                        config: self.config,
                        images: self.images,
                        page_dir: h.path.parent().unwrap_or(&content_dir),
                        page_url: "/",
                        display: &h.display,
                        file_text: &h.text,
                        body_offset: h.body_offset,
                        show_slots: self.drafts,
                        faq: false,
                        has_lead: false,
                    },
                );
                self.diags.extend(rendered.diagnostics);
                rendered.html
            }
            None => String::new(),
        };
        let mut ctx = tera::Context::new();
        ctx.insert(
            "section",
            &SectionContext {
                title,
                description,
                content: intro,
            },
        );
        ctx.insert("pages", &summaries);
        ctx.insert("jsonld", &schema::website(self.config, description));
        match self.theme.render("index.html", &ctx) {
            Ok(html) => crate::fs::write(&self.out.join("index.html"), html)?,
            Err(d) => self.diags.push(d),
        }
        Ok(())
    }

    fn render_404(&self) -> Result<(), Error> {
        match self.theme.render("404.html", &tera::Context::new()) {
            Ok(html) => crate::fs::write(&self.out.join("404.html"), html)?,
            Err(d) => self.diags.push(d),
        }
        Ok(())
    }
}
