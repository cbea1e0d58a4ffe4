//! The build: a flat checklist from `nutgraf.toml` to a finished output
//! folder.

mod article;
pub mod cdn;
mod claims;
mod feeds;
pub mod links;
pub mod listings;
pub mod memo;
mod statics;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::assets::{Asset, Manifest};
use crate::config::Config;
use crate::content::{self, Content};
use crate::diagnostic::{Diagnostic, Diagnostics, Position, Severity, display_path};
use crate::error::Error;
use crate::images::Images;
use crate::output::{MemoryFiles, Output, Staging};
use crate::paths::{DEFAULT_OUTPUT, STATIC_DIR, absolute};
use crate::strings::Strings;
use crate::theme::Theme;

use self::listings::Summary;
use self::statics::{
    copy_content_assets, copy_files, copy_theme_static, replaces_theme_asset, write_stylesheets,
};
use crate::theme::{CODE_STYLESHEET, STYLESHEET};

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
    /// Replace the output folder even when nutgraf did not write it.
    pub force: bool,
    /// Render everything: ignore the build cache and the previous output.
    pub clean: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    /// Article pages reused from the previous build (their inputs did not
    /// change), out of `pages`.
    pub reused: usize,
    /// Article pages rendered again from their previous body (a template
    /// or a neighbour changed, their Markdown did not).
    pub retemplated: usize,
    /// Nothing the last build read had changed: its output was kept as it
    /// was, and nothing was rendered or written.
    pub up_to_date: bool,
    /// Drafts and scheduled articles left out.
    pub skipped: usize,
    pub files_copied: usize,
    /// Images resized in this build and images taken from the cache.
    pub images: crate::images::responsive::ImageStats,
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
    // A symlinked output stays a link: the build replaces its target.
    let target = crate::output::resolve(&output)?;
    check_output_path(&opts.root, &output, "build")?;
    check_output_path(&opts.root, &target, "build")?;
    let mut staging = Staging::new(&target, opts.force)?;
    // What the previous build left to reuse: its output and its memo.
    let cache_file = memo::cache_file(&opts.root, &target);
    let previous = staging
        .previous()
        .filter(|_| !opts.clean)
        .map(Path::to_path_buf);
    let built = previous.as_deref().and_then(crate::output::build_of);
    // Nothing read since the last build changed: its output stands. (Every
    // file it wrote must still be there: a file deleted from the output by
    // hand is written again.)
    let inputs = sources_stamp(&opts.root, opts.drafts);
    if let Some(last) = previous
        .as_deref()
        .and_then(|p| Some((p, memo::load_stamp(&cache_file, built.as_deref())?)))
        .filter(|(p, last)| {
            Some(last.inputs) == inputs
                && last
                    .due
                    .is_none_or(|due| jiff::Timestamp::now().as_second() < due)
                && last.files.iter().all(|f| p.join(f).exists())
        })
        .map(|(_, last)| last)
    {
        return up_to_date(opts, output, &last, started);
    }
    let (old, mut cache_warning) = previous_memo(opts, built.as_deref(), &cache_file);
    let pass = memo::Pass::new(&old);
    let mut rendered = render_build(opts, &staging, previous.as_deref(), &pass)?;
    let (mut memo, mut remade) = pass.finish();
    if let Some(previous) = &previous {
        // The pages and listings the memo kept are the previous build's
        // files. One missing there (deleted by hand) cannot be rendered
        // now: start again from nothing.
        if let Err(e) = crate::output::link_kept(staging.dir(), previous, memo.outputs()) {
            cache_warning = Some(
                Diagnostic::warning(
                    display_path(&opts.root, previous),
                    Position::START,
                    format!("the previous output is missing a file the build cache lists ({e:#}); building everything"),
                )
                .with_hint("do not edit or delete files in the output folder: every build replaces it"),
            );
            drop(staging);
            staging = Staging::new(&target, opts.force)?;
            let empty = memo::Memo::default();
            let pass = memo::Pass::new(&empty);
            rendered = render_build(opts, &staging, None, &pass)?;
            (memo, remade) = pass.finish();
        }
    }

    memo.last = match inputs {
        Some(inputs) => Some(memo::LastBuild {
            inputs,
            files: crate::paths::walk_files(staging.dir())?
                .iter()
                .map(|(rel, _)| crate::paths::slash(rel))
                .collect(),
            due: rendered.next_due.map(|t| t.as_second()),
            pages: rendered.pages,
            skipped: rendered.skipped,
            files_copied: rendered.files_copied,
            diagnostics: rendered.diagnostics.clone(),
        }),
        None => None,
    };
    let mut diagnostics = rendered.diagnostics;
    diagnostics.extend(cache_warning);
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
    // Stored before the swap, under this build's id: a build killed in
    // between leaves a memo that names a folder that never went live, and
    // the next build ignores it.
    if let Err(e) = memo::store(&cache_file, staging.build(), &memo) {
        diagnostics.push(
            Diagnostic::warning(
                display_path(&opts.root, &cache_file),
                Position::START,
                format!("could not save the build cache: {e:#}"),
            )
            .with_hint("the site is built; the next build renders everything again"),
        );
    }
    diagnostics.extend(staging.commit()?);
    let rerendered = remade
        .iter()
        .filter(|f| memo.articles.contains_key(f.as_str()))
        .count();
    Ok(BuildReport {
        output,
        pages: rendered.pages,
        reused: memo.articles.len().saturating_sub(rerendered),
        retemplated: memo.articles.values().filter(|m| m.retemplated).count(),
        up_to_date: false,
        skipped: rendered.skipped,
        files_copied: rendered.files_copied,
        images: rendered.images,
        warnings: diagnostics,
        elapsed: started.elapsed(),
    })
}

/// The report of a build that found nothing changed since the last one:
/// the last build's figures and findings (`--strict` still fails on them).
fn up_to_date(
    opts: &BuildOptions,
    output: PathBuf,
    last: &memo::LastBuild,
    started: Instant,
) -> Result<BuildReport, Error> {
    let mut warnings = last.diagnostics.clone();
    if opts.strict {
        for d in &mut warnings {
            d.severity = Severity::Error;
        }
    }
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(Error::Site(warnings));
    }
    Ok(BuildReport {
        output,
        pages: last.pages,
        reused: last.pages,
        retemplated: 0,
        up_to_date: true,
        skipped: last.skipped,
        files_copied: last.files_copied,
        images: Default::default(),
        warnings,
        elapsed: started.elapsed(),
    })
}

/// A stamp of everything a build reads from the site folder: the name,
/// size and modification time of every file nutgraf reads (`nutgraf.toml`,
/// `content/`, `static/`, `templates/`, `themes/`, `i18n/`), nutgraf
/// itself, and `--drafts`. `None` when a folder cannot be walked, or when
/// a file was modified in the last two seconds: a file system that keeps
/// times to the second (FAT, HFS+) could hide an edit made in the same
/// second, so such a build vouches for nothing (git's "racy" rule).
fn sources_stamp(root: &Path, drafts: bool) -> Option<u64> {
    use crate::paths::{CONTENT_DIR, I18N_DIR, TEMPLATES_DIR, THEMES_DIR};
    let racy = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .saturating_sub(Duration::from_secs(2))
        .as_nanos();
    let mut files: Vec<(PathBuf, Stamp)> = vec![(
        PathBuf::from(crate::config::CONFIG_FILE),
        stamp(&root.join(crate::config::CONFIG_FILE)),
    )];
    for dir in [CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR, THEMES_DIR, I18N_DIR] {
        for (rel, path) in crate::paths::walk_files(&root.join(dir)).ok()? {
            files.push((Path::new(dir).join(rel), stamp(&path)));
        }
    }
    if files
        .iter()
        .any(|(_, s)| s.is_some_and(|(_, m)| m.is_none_or(|m| m >= racy)))
    {
        return None;
    }
    let exe = std::env::current_exe().ok();
    Some(crate::hash::hash_key(&(
        env!("CARGO_PKG_VERSION"),
        exe.as_deref().map(|e| (e, stamp(e))),
        drafts,
        files,
    )))
}

/// A file's size and modification time (nanoseconds since 1970).
type Stamp = Option<(u64, Option<u128>)>;

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path).ok().map(|m| {
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos());
        (m.len(), modified)
    })
}

/// One render of a build into `staging`.
fn render_build(
    opts: &BuildOptions,
    staging: &Staging,
    previous: Option<&Path>,
    pass: &memo::Pass,
) -> Result<RenderedSite, Error> {
    render(
        &opts.root,
        opts.drafts,
        Mode::Build {
            dir: staging.dir(),
            progress: opts.progress,
            previous,
            pass,
        },
    )
}

/// The previous build's memo, when it describes the output that build
/// `built` wrote; else an empty one, with a warning when the stored memo is
/// damaged (the build renders everything and stores a good one).
fn previous_memo(
    opts: &BuildOptions,
    built: Option<&str>,
    cache_file: &Path,
) -> (memo::Memo, Option<Diagnostic>) {
    if opts.clean {
        return (memo::Memo::default(), None);
    }
    match memo::load(cache_file, built) {
        Ok(memo) => (memo, None),
        Err(memo::Unusable::Damaged(why)) => (
            memo::Memo::default(),
            Some(
                Diagnostic::warning(
                    display_path(&opts.root, cache_file),
                    Position::START,
                    format!("the build cache is damaged and was not used: {why}"),
                )
                .with_hint("nothing to do: this build renders everything and writes a new cache"),
            ),
        ),
        Err(_) => (memo::Memo::default(), None),
    }
}

/// What a render pass is for. Each mode holds what only it needs, so no
/// combination of flags can ask for something that makes no sense.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    /// `nutgraf build`: files go into `dir` (the staging folder), pages
    /// are minified as configured, CSS and JavaScript get hashed names.
    /// `pass` carries the previous build's memo (empty on a cold build)
    /// and collects this one's; `previous` is the output folder being
    /// replaced, whose unchanged files are linked rather than written.
    Build {
        dir: &'a Path,
        progress: bool,
        previous: Option<&'a Path>,
        pass: &'a memo::Pass<'a>,
    },
    /// `nutgraf check`: nothing is written; every path the pass would
    /// write, and every article's links, anchors and FAQ questions, go to
    /// `links`, and images narrower than the largest srcset width are
    /// reported.
    Check { links: &'a links::Recorder },
    /// `nutgraf serve`: an incremental pass into memory.
    Serve(Incremental<'a>),
}

/// What `serve`'s passes carry from one to the next.
#[derive(Clone, Copy)]
pub struct Incremental<'a> {
    /// Where the pass writes.
    pub files: &'a MemoryFiles,
    /// Articles read by earlier passes.
    pub cache: &'a content::PageCache,
    /// The previous pass's memo and the one this pass builds: outputs
    /// whose inputs did not change are kept, not rendered again.
    pub pass: &'a memo::Pass<'a>,
    /// Bumped when files outside the templates' view change (an image
    /// replaced in place), so every output is rendered again.
    pub generation: u64,
}

impl<'a> Mode<'a> {
    /// Where files go.
    fn out(&self) -> Output<'a> {
        match self {
            Mode::Build { dir, previous, .. } => Output::Dir {
                dir,
                previous: *previous,
            },
            Mode::Check { links } => Output::Record(links.published()),
            Mode::Serve(inc) => Output::Memory(inc.files),
        }
    }

    /// Serve's preview: the stylesheet keeps one URL (`/assets/style.css`,
    /// no SRI) so a CSS edit swaps it in place instead of re-rendering
    /// every page, and pages are not minified (a preview wants speed).
    fn preview(&self) -> bool {
        matches!(self, Mode::Serve(_))
    }
}

/// What a render pass produced, whatever the mode; the mode's own facts
/// are in what the caller handed it ([`links::Recorder`], [`memo::Pass`]).
pub struct RenderedSite {
    pub images: crate::images::responsive::ImageStats,
    pub pages: usize,
    pub skipped: usize,
    pub files_copied: usize,
    /// When the first scheduled article left out falls due.
    pub next_due: Option<jiff::Timestamp>,
    /// Everything found, sorted; the caller decides what fails.
    pub diagnostics: Vec<Diagnostic>,
    /// Serve: the pass reused the last pass's shape (only articles'
    /// bodies changed), so it made or kept every file the last one did.
    pub same_shape: bool,
    /// Serve, with search on: the search records of the published
    /// articles this pass rendered (kept ones have their last pass's).
    pub search: Option<crate::search::Batch>,
}

/// The build's checklist, for every mode.
pub fn render(root: &Path, drafts: bool, mode: Mode) -> Result<RenderedSite, Error> {
    let out = mode.out();
    let preview = mode.preview();
    let mut lap = Laps::new();

    // 1. The config; a preview is never minified.
    let mut config = Config::load(root)?;
    if preview {
        config.minify = false;
    }
    let deploy_warning = config.deploy_warning();
    // 2. Templates and theme.
    let mut theme = Theme::load(root, &config)?;
    lap.mark("config and templates");

    // 3. Content. Stop before rendering when it could not be read.
    let diags = Diagnostics::default();
    diags.extend(deploy_warning);
    let naming = content::Naming::of(&config);
    let load = content::LoadOptions {
        naming: &naming,
        drafts,
        now: jiff::Timestamp::now(),
        cache: match mode {
            Mode::Serve(inc) => Some(inc.cache),
            Mode::Build { .. } | Mode::Check { .. } => None,
        },
    };
    let content = content::load(root, &load, &diags)?;
    lap.mark("content loaded");
    if diags.has_errors() {
        return Err(Error::Site(diags.into_sorted()));
    }

    // 4. Static files, then the stylesheet, which every page links. The
    //    theme's are listed in every mode: their hashed names are claimed.
    let mut manifest = Manifest::new();
    let mut site_static = crate::paths::walk_files(&root.join(STATIC_DIR))?;
    let mut files_copied = copy_theme_static(
        &theme,
        &site_static,
        out,
        &mut manifest,
        preview,
        config.minify,
    )?;
    // A site's stylesheet or script of a theme asset's name was published
    // hashed in its place just now.
    site_static.retain(|(rel, _)| !replaces_theme_asset(&theme, rel));
    let made_icons = match &config.icon {
        Some(source) => {
            crate::images::icon::make(root, source).map_err(|d| Error::Config(vec![d]))?
        }
        None => Vec::new(),
    };
    for (name, bytes) in &made_icons {
        out.write(name, bytes.clone())?;
    }
    files_copied += made_icons.len();
    let stylesheets = write_stylesheets(root, &theme, out, preview, config.minify)?;
    let stylesheet = &stylesheets.base;
    let mut claims = claims::Claims::default();
    let mut theme_files = theme_outputs(root, &config.theme, &theme, &manifest);
    if let Some(source) = &config.icon {
        // Made icons stand where the theme's were: a site's static file
        // of the same name replaces them too.
        theme_files.extend(
            made_icons
                .iter()
                .map(|(name, _)| (name.to_string(), PathBuf::from(&source.path))),
        );
    }
    claims::claim_static(
        &mut claims,
        &theme_files,
        &site_static
            .iter()
            .map(|(rel, path)| (crate::paths::slash(rel), display_path(root, path)))
            .collect::<Vec<_>>(),
        &diags,
    );
    // Each language's part of the site, and what its pages see of it.
    let editions = content.editions(config.languages.len());
    let searching = crate::search::AVAILABLE && config.search.enabled(content.pages.len());
    let icons = Icons::among(
        theme
            .static_files
            .iter()
            .map(|(rel, _)| rel.as_path())
            .chain(made_icons.iter().map(|(name, _)| Path::new(*name)))
            .chain(site_static.iter().map(|(rel, _)| rel.as_path())),
    );
    let navs: Vec<Nav> = editions
        .iter()
        .map(|e| Nav {
            icons: icons.clone(),
            ..Nav::of(e, &config.languages[e.lang].base_path, searching)
        })
        .collect();
    set_globals(&mut theme, &config, stylesheet, &navs[0]);
    let langs = language_sites(root, &config, &theme, &navs, &diags)?;
    manifest.insert(STYLESHEET.into(), stylesheets.base.clone());
    if let Some(code) = &stylesheets.code {
        manifest.insert(CODE_STYLESHEET.into(), code.clone());
    }
    let sitewide = Sitewide {
        root,
        config: &config,
        theme: &theme,
        assets: &manifest,
        navs: &navs,
        langs: &langs,
        drafts,
    };
    let pass = match mode {
        Mode::Serve(inc) => Some(begin_pass(&sitewide, inc.pass, inc.generation, true)),
        Mode::Build { pass, .. } => {
            let generation = build_generation(root, &content, &site_static);
            Some(begin_pass(&sitewide, pass, generation, false))
        }
        Mode::Check { .. } => None,
    };
    theme.set_assets(manifest);
    lap.mark("static files and stylesheet");

    let images = Images::new(root).with_folders(content.folders.clone());
    let processor =
        crate::images::responsive::Processor::new(root, &config.images, &theme.sizes, out);
    // A build writes the index; `serve` hands the records to its session,
    // which indexes them when a reader first searches; `check` has
    // nothing to write.
    let records = std::sync::Mutex::new(Vec::new());
    let indexing = searching && !matches!(mode, Mode::Check { .. });
    if config.search == crate::config::Search::On && !crate::search::AVAILABLE {
        diags.push(
            Diagnostic::warning(
                crate::config::CONFIG_FILE,
                config.search_at,
                "no search index: this nutgraf was built without search",
            )
            .with_hint("install a nutgraf built with its default features (cargo feature `search`), or set `search = false`"),
        );
    }
    if config.search == crate::config::Search::Auto && !config.search.enabled(content.pages.len()) {
        diags.push(
            Diagnostic::warning(
                crate::config::CONFIG_FILE,
                Position::START,
                format!(
                    "no search index: {} articles is more than the {} nutgraf indexes unasked",
                    content.pages.len(),
                    crate::config::Search::AUTO_LIMIT
                ),
            )
            .with_hint("Pagefind needs about 1.6 ms and 0.3 MB per article: set `search = true` to build it anyway, or `search = false`"),
        );
    }
    undated(&content, &diags);
    let translations = content::Translations::of(&content.pages, &diags);
    let listing_versions = ListingVersions::of(&editions, &langs);
    let sources = links::SourceMap::new(&content);
    let site = SiteRef {
        sources: &sources,
        mode,
        pass,
        config: &config,
        theme: &theme,
        images: &images,
        out,
        drafts,
        diags: &diags,
        processor: &processor,
        search: indexing.then_some(&records),
        lang: 0,
        langs: &langs,
        translations: &translations,
        listing_versions: &listing_versions,
    };
    // Every output path is claimed before any page is written: two
    // sources of one path (an alias on the home page, an article where a
    // listing's second page goes) are an error naming both. Serve, after
    // edits of articles' bodies only: the shape is the last pass's.
    let reused_shape = pass.and_then(|p| p.same_shape(content.same_shape, content.pages.len()));
    let same_shape = reused_shape.is_some();
    let shape = match reused_shape {
        Some(shape) => shape,
        None => {
            check_tag_urls(&content, &config, &diags);
            let listing_urls: Vec<String> = langs
                .iter()
                .flat_map(|l| [l.base.clone(), format!("{}tags/", l.base)])
                .collect();
            let aliases = {
                let mut taken: Vec<&str> = content.pages.iter().map(|p| p.url.as_str()).collect();
                taken.extend(content.sections.iter().map(|s| s.url.as_str()));
                taken.extend(listing_urls.iter().map(String::as_str));
                cdn::aliases(&content, &taken, &diags)
            };
            let tags: Vec<Vec<listings::Tag>> = editions
                .iter()
                .map(|e| {
                    let base = &config.languages[e.lang].base_path;
                    listings::tags(e.pages, base, config.unicode_slugs, &diags)
                })
                .collect();
            claims::claim_site(
                &mut claims,
                &claims::Everything {
                    content: &content,
                    editions: &editions,
                    bases: langs.iter().map(|l| l.base.as_str()).collect(),
                    tags: &tags,
                    aliases: &aliases,
                    paginate_by: config.paginate_by,
                    stylesheets: std::iter::once(&stylesheets.base)
                        .chain(&stylesheets.code)
                        .map(|a| a.url.as_str())
                        .collect(),
                    content_dir: Path::new(crate::paths::CONTENT_DIR),
                    search: searching,
                },
                &diags,
            );
            // Two owners of one path would overwrite each other, or fail on a
            // file where a folder must go: stop before writing any of them.
            if claims.finish(&diags) > 0 && out.writes() {
                return Err(Error::Site(diags.into_sorted()));
            }
            std::sync::Arc::new(memo::Shape {
                pages: content.pages.len(),
                aliases,
                tags,
            })
        }
    };
    if let Some(pass) = pass {
        pass.record_shape(shape.clone());
    }
    let (aliases, tags) = (&shape.aliases, &shape.tags);
    // (Check notes their paths only.)
    files_copied += copy_files(&site_static, out)?;
    files_copied += copy_content_assets(root, &content, out)?;
    lap.mark("aliases and claims");

    // 5. Articles, in parallel; listings only ever see their summaries.
    let summaries = site.render_articles(&content)?;
    lap.mark("articles");

    // 6. Listings, tag pages, feeds and the sitemap; then the 404 page and
    //    the CDN files. Serve, after edits of known articles only: when no
    //    summary changed (a body edit, say), none of the listings can have.
    // A build walks `content/` afresh, so every article is where the key
    // says; serve's pass vouches for that only when it reused the walk.
    let walked = content.reused_walk || matches!(mode, Mode::Build { .. });
    let listings_kept = pass
        .is_some_and(|pass| pass.listings_unchanged(listings_key(&content, &summaries), walked));
    if !listings_kept {
        // Each language's listings and feeds show its own articles.
        for (edition, tags) in editions.iter().zip(tags) {
            let site = site.for_lang(edition.lang);
            let listed = listings::Listed::new(
                &summaries[edition.start..edition.start + edition.pages.len()],
            );
            // Listings and feeds read the same summaries and write
            // different files: side by side, neither waits on the other's
            // long tail.
            let (listings, feeds) = rayon::join(
                || site.render_listings(edition, &listed, tags),
                || feeds::render(&site, &listed, tags),
            );
            listings?;
            feeds?;
        }
        feeds::crawl_files(&site, &content, &editions, &summaries, tags)?;
        lap.mark("listings and feeds");
    }
    for lang in 0..langs.len() {
        site.for_lang(lang).render_404()?;
    }
    let bases: Vec<&str> = langs.iter().map(|l| l.base.as_str()).collect();
    cdn::write(out, aliases, &bases, |url| config.permalink(url))?;
    lap.mark("404 and CDN files");
    let mut search = None;
    if searching {
        let records = std::mem::take(&mut *records.lock().unwrap_or_else(|e| e.into_inner()));
        // One search page per language; one index, which Pagefind splits
        // by language.
        for lang in 1..langs.len() {
            site.for_lang(lang).render_search(None)?;
        }
        match mode {
            Mode::Build { .. } => {
                site.render_search(Some(records))?;
                lap.mark("search index");
            }
            Mode::Serve(_) => {
                site.render_search(None)?;
                search = Some(crate::search::Batch { records });
            }
            // The search page only: check makes no index.
            Mode::Check { .. } => site.render_search(None)?,
        }
    }

    // 7. What the mode keeps besides the files: for check, where each
    //    source file is published, for its hints on links to `.md` files.
    //    (The URLs the site publishes are in `out`; build swaps its folder
    //    in; serve applies memory.)
    if let Mode::Check { links } = mode {
        links.sources(&content);
    }
    Ok(RenderedSite {
        images: processor.stats(),
        pages: content.pages.len(),
        skipped: content.skipped,
        files_copied,
        next_due: content.next_due,
        diagnostics: diags.into_sorted(),
        same_shape,
        search,
    })
}

/// What every page of a render pass reads besides its own inputs.
struct Sitewide<'s> {
    root: &'s Path,
    config: &'s Config,
    theme: &'s Theme,
    /// Every hashed asset's URL and SRI hash, as `asset()` and
    /// `stylesheets()` give them to templates.
    assets: &'s Manifest,
    navs: &'s [Nav],
    langs: &'s [LangSite],
    drafts: bool,
}

/// Starts an incremental pass with everything site-wide a page's
/// rendering reads: a change to any of it renders every output again.
/// `generation` stands for what the templates' context does not show
/// (serve bumps it when an image is replaced; a build hashes nutgraf and
/// the site's files, see [`build_generation`]).
fn begin_pass<'p>(
    s: &Sitewide,
    pass: &'p memo::Pass<'p>,
    generation: u64,
    preview: bool,
) -> memo::Started<'p> {
    let config_text = std::fs::read(s.root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    let theme_files: Vec<&PathBuf> = s.theme.static_files.iter().map(|(p, _)| p).collect();
    let globals = crate::hash::key(&(
        &config_text,
        &s.config.theme,
        s.assets,
        s.drafts,
        preview,
        generation,
        &theme_files,
        &s.theme.strings,
        &s.theme.sizes,
        s.navs,
        s.langs
            .iter()
            .map(|l| (&l.base, &l.strings))
            .collect::<Vec<_>>(),
    ));
    pass.begin(globals, s.theme.templates_key())
}

/// What a build's pages read outside the templates' context: nutgraf
/// itself (its version, and the executable, so a rebuilt nutgraf never
/// reuses pages an older one rendered) and every file of `content/` and
/// `static/` besides the Markdown, by name, size and modification time:
/// a page shows an image's size and resized versions, and reports a
/// missing or unreadable one. Any change there renders every page again.
fn build_generation(root: &Path, content: &Content, site_static: &[(PathBuf, PathBuf)]) -> u64 {
    let exe = std::env::current_exe().ok();
    let content_dir = root.join(crate::paths::CONTENT_DIR);
    let files: Vec<(&Path, Stamp)> = site_static
        .iter()
        .map(|(rel, path)| (rel.as_path(), stamp(path)))
        .chain(
            content
                .assets
                .iter()
                .map(|f| (f.source.as_path(), stamp(&content_dir.join(&f.source)))),
        )
        .collect();
    crate::hash::hash_key(&(
        env!("CARGO_PKG_VERSION"),
        exe.as_deref().map(|e| (e, stamp(e))),
        files,
    ))
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
    // The sitemap's alternates: which articles are translations.
    let translations: Vec<&str> = content
        .pages
        .iter()
        .map(|p| p.translation_key.as_str())
        .collect();
    crate::hash::hash_key(&(keys, sections, translations))
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
                "  {:>7.1} ms  {step}{}",
                last.elapsed().as_secs_f64() * 1000.0,
                memory_use()
            );
            self.last = Some(Instant::now());
        }
    }
}

/// The process's resident and peak memory, where the OS says (Linux's
/// `/proc/self/status`): where a build's memory goes, step by step.
fn memory_use() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().strip_suffix(" kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    format!(
        " (resident {} MiB, peak {} MiB)",
        field("VmRSS:"),
        field("VmHWM:")
    )
}

/// A bar over the articles on a terminal; none otherwise (even a hidden
/// bar reads the clock on every step: 8 % of a serve pass at 100,000
/// articles).
fn progress_bar(show: bool, len: usize) -> Option<indicatif::ProgressBar> {
    if !show {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} rendering {pos}/{len} articles {wide_bar} {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Refuses output folders whose replacement would destroy the site, or
/// whose upload would publish its sources: the site root itself, a folder
/// above it, or one of its source folders. `verb` is `build` or `deploy`.
pub(crate) fn check_output_path(root: &Path, output: &Path, verb: &str) -> Result<(), Error> {
    // Shown as the user wrote it.
    let shown = output.to_path_buf();
    let root = absolute(root);
    let output = absolute(output);
    let protected = [
        crate::paths::CONTENT_DIR,
        STATIC_DIR,
        crate::paths::TEMPLATES_DIR,
        crate::paths::THEMES_DIR,
    ];
    let bad =
        root.starts_with(&output) || protected.iter().any(|d| output.starts_with(root.join(d)));
    if bad {
        return Err(match verb {
            "deploy" => Error::usage(
                format!(
                    "refusing to deploy `{}`: it holds the site's sources (`{}`, `content/`, …), which would be uploaded",
                    shown.display(),
                    crate::config::CONFIG_FILE
                ),
                "pass the folder a build wrote, such as `--output public`",
            ),
            _ => Error::usage(
                format!(
                    "refusing to build into `{}`: the build replaces the output folder, which would delete your site's sources",
                    shown.display()
                ),
                "pick an output folder of its own, such as `public`",
            ),
        });
    }
    Ok(())
}

/// A warning for each article with no `date` (none in its front matter,
/// none in its file name), except in sections ordered by `weight` or
/// `title`, whose pages are reference pages rather than news. An undated
/// article is listed after the dated ones, and has no date in its JSON-LD,
/// its feeds or its sitemap entry: it never borrows another's.
fn undated(content: &Content, diags: &Diagnostics) {
    use crate::content::frontmatter::SortBy;
    let reference: Vec<&Path> = content
        .sections
        .iter()
        .filter(|s| matches!(s.matter.sort_by, SortBy::Weight | SortBy::Title))
        .map(|s| s.dir.as_path())
        .collect();
    for page in &content.pages {
        if page.date.is_some() || reference.contains(&page.section_dir.as_path()) {
            continue;
        }
        diags.push(
            Diagnostic::warning(&page.display, page.key_position("title"), "the article has no `date`")
                .with_hint(
                    "add the day it was published below `title`, e.g. `date = 2026-05-01`: an undated article is listed after the dated ones and left out of the feeds, which need a date for every entry",
                ),
        );
    }
}

/// Articles may not take URLs under `/tags/`, even where no tag page is
/// written today: a tag added later would take it. (A section's URL, or a
/// listing's pagination page, is checked with every other output path by
/// [`claims`].)
fn check_tag_urls(content: &Content, config: &Config, diags: &Diagnostics) {
    for page in &content.pages {
        let base = &config.languages[page.lang].base_path;
        if page
            .url
            .strip_prefix(base.as_str())
            .is_some_and(|rest| rest.starts_with("tags/"))
        {
            diags.push(
                Diagnostic::error(
                    &page.display,
                    Position::START,
                    format!("URL `{}` is already used by the tag pages", page.url),
                )
                .with_hint("give the article a different `slug` in its front matter"),
            );
        }
    }
}

/// Where each of the theme's static files is written: its own name, or
/// its hashed name under `/assets/` (from `manifest`), with the file as
/// shown to the user.
fn theme_outputs(
    root: &Path,
    theme_name: &str,
    theme: &Theme,
    manifest: &Manifest,
) -> Vec<(String, PathBuf)> {
    theme
        .static_files
        .iter()
        .map(|(rel, source)| {
            let name = crate::paths::slash(rel);
            let file = match manifest.get(&name) {
                Some(asset) if crate::assets::is_hashed(rel) => {
                    asset.url.trim_start_matches('/').to_string()
                }
                _ => name.clone(),
            };
            let shown = match source {
                crate::theme::StaticSource::Disk(path) => display_path(root, path),
                crate::theme::StaticSource::Embedded(_) => {
                    PathBuf::from(format!("(built in) themes/{theme_name}/static/{name}"))
                }
            };
            (file, shown)
        })
        .collect()
}

#[derive(Serialize)]
struct ConfigContext<'a> {
    title: &'a str,
    base_url: &'a str,
    language: &'a str,
    /// `rtl` or `ltr`, for `<html dir>`.
    dir: &'a str,
    description: Option<&'a str>,
    publisher: &'a str,
    extra: &'a toml::Table,
}

#[derive(Serialize)]
struct AssetsContext<'a> {
    stylesheet: &'a str,
    stylesheet_integrity: &'a str,
}

/// What the site navigation may link to: only what this build writes.
/// Every page shows it, so a change here re-renders every page in serve.
#[derive(Debug, Serialize, Hash)]
struct Nav {
    /// Top-level sections (`content/<dir>/_index.md`), in folder order.
    sections: Vec<NavLink>,
    /// Whether any article has tags, so `/tags/` is written.
    tags: bool,
    /// The language's home page: `/`, `/ko/`.
    home: String,
    /// Its tag index, `/tags/` (written when `tags`).
    topics: String,
    /// Its Atom feed, always written: `/atom.xml`.
    feed: String,
    /// Whether `/search/` is written (the header shows a search field).
    search: bool,
    /// Its search page: `/search/`.
    search_url: String,
    /// The icons the page head links.
    icons: Icons,
}

/// The site's icons, each linked when the theme or the site's `static/`
/// has the file (`/favicon.ico` is asked for without a link).
#[derive(Debug, Default, Clone, Serialize, Hash)]
struct Icons {
    svg: Option<&'static str>,
    png: Option<&'static str>,
    apple_touch: Option<&'static str>,
}

impl Icons {
    /// The icons among `files`, the output paths of the static files.
    fn among<'a>(files: impl IntoIterator<Item = &'a Path>) -> Icons {
        let mut icons = Icons::default();
        for file in files {
            match file.to_str() {
                Some("icon.svg") => icons.svg = Some("/icon.svg"),
                Some("icon-32.png") => icons.png = Some("/icon-32.png"),
                Some("apple-touch-icon.png") => icons.apple_touch = Some("/apple-touch-icon.png"),
                _ => {}
            }
        }
        icons
    }
}

#[derive(Debug, Serialize, Hash)]
struct NavLink {
    title: String,
    url: String,
}

impl Nav {
    /// The navigation of one language's pages (`base` is its base path);
    /// `search` whether the site has a search index.
    fn of(edition: &content::Edition, base: &str, search: bool) -> Nav {
        let sections = edition
            .sections
            .iter()
            .filter(|s| {
                let own = s.url.strip_prefix(base).unwrap_or(&s.url);
                own.trim_matches('/').split('/').count() == 1
            })
            .map(|s| NavLink {
                title: s.title(),
                url: s.url.clone(),
            })
            .collect();
        Nav {
            sections,
            tags: edition.pages.iter().any(|p| !p.matter.tags.is_empty()),
            home: base.to_string(),
            topics: format!("{base}tags/"),
            feed: format!("{base}atom.xml"),
            search,
            search_url: format!("{base}search/"),
            icons: Icons::default(),
        }
    }
}

fn set_globals(theme: &mut Theme, config: &Config, stylesheet: &Asset, nav: &Nav) {
    let strings = theme.strings.clone();
    let globals = theme.tera.global_context();
    insert_language(globals, config, "/", &strings, nav);
    globals.insert(
        "assets",
        &AssetsContext {
            stylesheet: &stylesheet.url,
            stylesheet_integrity: &stylesheet.integrity,
        },
    );
    globals.insert("nutgraf_version", env!("CARGO_PKG_VERSION"));
}

/// What a page's language decides in its templates: `config` (title,
/// description, language, direction), `strings`, `nav`, and `lang` and
/// `lang_base` for the `date` and `tag_url` filters.
fn insert_language(
    ctx: &mut tera::Context,
    config: &Config,
    base: &str,
    strings: &Strings,
    nav: &Nav,
) {
    ctx.insert(
        "config",
        &ConfigContext {
            title: &config.title,
            base_url: &config.base_url,
            language: &config.language,
            dir: if config.rtl { "rtl" } else { "ltr" },
            description: config.description.as_deref(),
            publisher: &config.publisher,
            extra: &config.extra,
        },
    );
    ctx.insert("strings", strings);
    ctx.insert("nav", nav);
    ctx.insert("lang", &config.language);
    ctx.insert("lang_base", base);
}

/// What each language's pages see: the default's values are the
/// templates' globals; each other language's strings are loaded (a key it
/// lacks falls back to the default's, with a warning).
fn language_sites(
    root: &Path,
    config: &Config,
    theme: &Theme,
    navs: &[Nav],
    diags: &Diagnostics,
) -> Result<Vec<LangSite>, Error> {
    let mut langs = Vec::with_capacity(navs.len());
    for (lang, nav) in navs.iter().enumerate() {
        let lang_config = config.for_language(lang);
        let base = config.languages[lang].base_path.clone();
        let (strings, context) = if lang == 0 {
            (theme.strings.clone(), tera::Context::new())
        } else {
            let (strings, warnings) =
                Strings::load_translation(root, &lang_config, &theme.strings)?;
            diags.extend(warnings);
            let mut context = tera::Context::new();
            insert_language(&mut context, &lang_config, &base, &strings, nav);
            (strings, context)
        };
        langs.push(LangSite {
            config: lang_config,
            base,
            strings,
            context,
        });
    }
    Ok(langs)
}

/// One version of a page (an article, a language's home page, a
/// section), for the language switcher and `hreflang`.
#[derive(Debug, Serialize)]
pub(crate) struct Version {
    /// BCP 47 code, for `hreflang` and `lang`.
    lang: String,
    /// The language's name in itself (`한국어`): its `language_name`.
    name: String,
    title: String,
    url: String,
    permalink: String,
    /// Whether this is the page being rendered.
    current: bool,
}

/// The languages' home pages (which every language has) and sections, as
/// versions of one another: each language's (lang, URL, title), the
/// sections' by folder under `content/`.
#[derive(Debug, Default)]
pub(crate) struct ListingVersions {
    homes: Vec<(usize, String, String)>,
    by_dir: rustc_hash::FxHashMap<PathBuf, Vec<(usize, String, String)>>,
}

impl ListingVersions {
    fn of(editions: &[content::Edition], langs: &[LangSite]) -> ListingVersions {
        let mut v = ListingVersions::default();
        if langs.len() < 2 {
            return v;
        }
        for e in editions {
            let home_title = e
                .home
                .and_then(|h| h.matter.title.clone())
                .unwrap_or_else(|| langs[e.lang].config.title.clone());
            v.homes
                .push((e.lang, langs[e.lang].base.clone(), home_title));
            for s in &e.sections {
                let title = s.title();
                v.by_dir
                    .entry(s.dir.clone())
                    .or_default()
                    .push((e.lang, s.url.clone(), title));
            }
        }
        v.by_dir.retain(|_, versions| versions.len() > 1);
        v
    }

    /// The versions of the home page; empty on a single-language site.
    pub(crate) fn homes(&self) -> &[(usize, String, String)] {
        &self.homes
    }

    /// The versions of the listing of `dir`; empty when it has none.
    pub(crate) fn of_dir(&self, dir: &Path) -> &[(usize, String, String)] {
        self.by_dir.get(dir).map_or(&[], Vec::as_slice)
    }
}

/// One of the site's languages as its pages see the site.
pub(crate) struct LangSite {
    /// The config with the language's title, description, language and
    /// direction ([`Config::for_language`]).
    config: Config,
    /// Its base path: `/`, `/ko/`.
    base: String,
    strings: Strings,
    /// What its templates get in place of the default language's globals
    /// (empty for the default language, whose values are the globals).
    context: tera::Context,
}

/// The parts of the site every page render needs.
#[derive(Clone, Copy)]
pub(crate) struct SiteRef<'a> {
    mode: Mode<'a>,
    /// Serve's incremental pass under way.
    pass: Option<memo::Started<'a>>,
    pub(crate) config: &'a Config,
    theme: &'a Theme,
    images: &'a Images,
    /// Where files go.
    out: Output<'a>,
    drafts: bool,
    diags: &'a Diagnostics,
    processor: &'a crate::images::responsive::Processor<'a>,
    /// Where a build that writes a search index collects each published
    /// article's records; `None` when there is no index to write.
    search: Option<&'a std::sync::Mutex<Vec<crate::search::Record>>>,
    /// Where Zola's internal links (`@/posts/a.md`) lead.
    sources: &'a dyn crate::markdown::Sources,
    /// The language of what this `SiteRef` renders ([`SiteRef::for_lang`]).
    lang: usize,
    langs: &'a [LangSite],
    /// Each article's translations, by index into the site's articles.
    translations: &'a content::Translations,
    /// The home pages' and sections' versions in each language.
    listing_versions: &'a ListingVersions,
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

impl<'a> SiteRef<'a> {
    /// The same site, rendering language `lang`'s pages.
    pub(crate) fn for_lang(&self, lang: usize) -> SiteRef<'a> {
        SiteRef {
            config: &self.langs[lang].config,
            lang,
            ..*self
        }
    }

    /// A template context holding what this language's pages see in
    /// place of the default's globals.
    pub(crate) fn context(&self) -> tera::Context {
        self.langs[self.lang].context.clone()
    }

    /// The base path of this language's pages: `/`, `/ko/`.
    pub(crate) fn base(&self) -> &str {
        &self.langs[self.lang].base
    }

    /// The strings of this language.
    pub(crate) fn strings(&self) -> &Strings {
        &self.langs[self.lang].strings
    }

    /// The versions of a page, each (lang, URL, title), for its switcher
    /// and `hreflang` links; `current` is the page's own language. Also the
    /// `x-default` permalink: the first version's (the default language's
    /// when it has one).
    pub(crate) fn version_links<'v>(
        &self,
        versions: impl Iterator<Item = (usize, &'v str, &'v str)>,
        current: Option<usize>,
    ) -> (Vec<Version>, Option<String>) {
        let links: Vec<Version> = versions
            .map(|(lang, url, title)| {
                let site = self.for_lang(lang);
                Version {
                    lang: site.config.language.clone(),
                    name: site
                        .strings()
                        .get("language_name")
                        .unwrap_or(&site.config.language)
                        .to_string(),
                    title: title.to_string(),
                    url: url.to_string(),
                    permalink: self.config.permalink(url),
                    current: Some(lang) == current,
                }
            })
            .collect();
        let x_default = links.first().map(|l| l.permalink.clone());
        (links, x_default)
    }

    fn write_page(&self, url: &str, html: String, verbatim: &[&str]) -> Result<(), Error> {
        self.out
            .write_with(&page_file(url), || self.finish_html(html, verbatim))?;
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
        let key = crate::hash::hash_key(&(pass.globals(), self.theme.fingerprint(template), data));
        let unchanged = pass.file_unchanged(file, key);
        if unchanged {
            self.out.keep(file);
        }
        unchanged
    }

    /// Renders `template` into `<url>/index.html`; `ctx` comes from
    /// [`SiteRef::context`].
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

    /// The search page, and (a build's) the Pagefind index of `records`
    /// under `/pagefind/`.
    fn render_search(&self, records: Option<Vec<crate::search::Record>>) -> Result<(), Error> {
        let mut ctx = self.context();
        // base.html leaves out the header's field on the page that is
        // all search.
        ctx.insert("search_page", &true);
        let name = self.strings().get("search").unwrap_or("Search");
        let url = format!("{}search/", self.base());
        ctx.insert(
            "jsonld",
            &crate::schema::search_page(self.config, name, &url),
        );
        match self.theme.render("search.html", &ctx) {
            Ok(html) => self
                .out
                .write_with(&page_file(&url), || self.finish_html(html, &[]))?,
            Err(d) => self.diags.push(d),
        }
        let Some(records) = records else {
            return Ok(());
        };
        #[cfg(feature = "search")]
        {
            let files = crate::search::index(records).map_err(|e| {
                Error::Site(vec![
                    Diagnostic::error(
                        crate::config::CONFIG_FILE,
                        Position::START,
                        format!("the search index could not be built: {e:#}"),
                    )
                    .with_hint(
                        "turn search off with `search = false` in nutgraf.toml, and report this",
                    ),
                ])
            })?;
            for (name, bytes) in files {
                self.out
                    .write(&format!("{}/{name}", crate::search::DIR), bytes)?;
            }
        }
        #[cfg(not(feature = "search"))]
        drop(records);
        Ok(())
    }

    /// `/404.html`, and each other language's (`/ko/404.html`).
    fn render_404(&self) -> Result<(), Error> {
        let file = format!("{}404.html", self.base().trim_start_matches('/'));
        if self.unchanged(&file, "404.html", &()) {
            return Ok(());
        }
        match self.theme.render("404.html", &self.context()) {
            Ok(html) => self.out.write_with(&file, || self.finish_html(html, &[]))?,
            Err(d) => self.diags.push(d),
        }
        Ok(())
    }
}
