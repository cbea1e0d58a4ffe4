//! Loading `content/`: articles (files and bundles), the home page, and the
//! other files that are copied beside the pages.

pub mod bundle;
pub mod frontmatter;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use jiff::Zoned;
use rayon::prelude::*;

use self::bundle::{Claim, ContentFile, Folders};
use self::frontmatter::{ArticleMatter, SectionMatter};
use crate::diagnostic::{
    Diagnostic, Diagnostics, Finding, Position, Severity, display_path, key_position,
};
use crate::paths::{CONTENT_DIR, walk_files};

/// One article, loaded and validated but not rendered.
#[derive(Debug)]
pub struct Page {
    /// Absolute path of the Markdown file.
    pub path: PathBuf,
    /// Path shown in diagnostics (relative to the site root).
    pub display: PathBuf,
    /// The file up to `body_offset`: the front matter and its fences.
    /// The body is read again when the article is rendered ([`Page::text`]),
    /// so that a site's Markdown is never all in memory at once (100,000
    /// articles hold about 1 GB of it).
    head: String,
    /// Where the Markdown body starts in the file.
    pub body_offset: usize,
    /// blake3 of the whole file, for change tracking, and to refuse a body
    /// read again after the file changed.
    pub text_hash: [u8; 16],
    pub matter: ArticleMatter,
    pub date: Option<Zoned>,
    pub updated: Option<Zoned>,
    /// Site path, always with leading and trailing slashes: `/why-now/`.
    pub url: String,
    /// Folder that relative image paths are resolved against.
    pub dir: PathBuf,
    /// A bundle (`<folder>/index.md`): the files in `dir` are published
    /// at the page's URL.
    pub bundle: bool,
    /// The folder whose `_index.md` would list this article: the article's
    /// folder, or for a bundle the folder above it.
    pub section_dir: PathBuf,
    /// Its language: an index into [`Config::languages`](crate::config::Config::languages),
    /// 0 for the default. From the file name (`why-now.ko.md`,
    /// `index.ko.md`); a file without a code is in the default language.
    pub lang: usize,
    /// What its translations share: `translation_key` from the front
    /// matter, else its source path under `content/` without the language
    /// code (`world/why-now`), so `why-now.md` and `why-now.ko.md` match.
    pub translation_key: String,
}

impl Page {
    /// The front matter and its fences, as in the file.
    pub fn head(&self) -> &str {
        &self.head
    }

    /// The whole file as it was loaded (positions in diagnostics are
    /// offsets into it): read again, and refused if it changed since,
    /// because its front matter would no longer match its body.
    pub fn text(&self) -> Result<String, Diagnostic> {
        let text = read_text(&self.display, &self.path)?;
        if text_hash(&text) != self.text_hash {
            return Err(Diagnostic::error(
                &self.display,
                Position::START,
                "the file changed while nutgraf was building",
            )
            .with_hint("build again once the file is saved"));
        }
        Ok(text)
    }

    /// Where `key` is set in the front matter, for problems found after
    /// loading (a missing template, a bad alias).
    pub fn key_position(&self, key: &str) -> Position {
        frontmatter::split(&self.display, &self.head).map_or(Position::START, |s| {
            key_position(&self.head, s.matter_range(), key)
        })
    }

    /// Where the `index`th value of `tags = [...]` is written.
    pub fn tag_position(&self, index: usize) -> Position {
        frontmatter::tag_position(&self.head, index)
    }

    /// The date sort key: newest first, undated last.
    /// Site order: by language (the default first, so each language's
    /// articles are one run), then newest first.
    fn sort_key(&self) -> (usize, std::cmp::Reverse<Option<jiff::Timestamp>>, &str) {
        (
            self.lang,
            std::cmp::Reverse(self.date.as_ref().map(Zoned::timestamp)),
            &self.url,
        )
    }
}

/// An `_index.md`: the home page (`content/_index.md`) or a section.
#[derive(Debug)]
pub struct Section {
    /// Its language, as [`Page::lang`] (`_index.ko.md` is Korean).
    pub lang: usize,
    /// A language's home page (`content/_index.<code>.md`), kept among the
    /// sections; the default's is [`Content::home`].
    pub top: bool,
    pub path: PathBuf,
    pub display: PathBuf,
    pub text: String,
    pub body_offset: usize,
    pub matter: SectionMatter,
    /// Site path of the listing: `/` for the home page, `/posts/` for `content/posts/_index.md`.
    pub url: String,
    /// The folder the section lists (holds the `_index.md`).
    pub dir: PathBuf,
}

impl Section {
    /// Its `title`, else its folder's name.
    pub fn title(&self) -> String {
        self.matter.title.clone().unwrap_or_else(|| {
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }

    /// Where `key` is set in the front matter (see [`Page::key_position`]).
    pub fn key_position(&self, key: &str) -> Position {
        frontmatter::split(&self.display, &self.text).map_or(Position::START, |s| {
            key_position(&self.text, s.matter_range(), key)
        })
    }
}

/// Everything under `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Published articles, newest first.
    pub pages: Vec<Arc<Page>>,
    pub home: Option<Section>,
    /// Sections below the home page, by folder name order.
    pub sections: Vec<Section>,
    /// Non-Markdown files to publish, each with its place in the output:
    /// a bundle's at its page's URL (drafts' bundles left out).
    pub assets: Vec<ContentFile>,
    /// Where each folder's files are published, for the URLs of images.
    pub folders: Arc<Folders>,
    /// Drafts and scheduled articles left out of this build.
    pub skipped: usize,
    /// When the first scheduled article left out falls due: from then on
    /// a build publishes something new.
    pub next_due: Option<jiff::Timestamp>,
    /// Serve: the pass reused the previous walk of `content/` (only known
    /// articles were edited), so no file was added, removed or moved.
    pub reused_walk: bool,
    /// Serve: besides, every article read again has the front matter and
    /// URL it had, so only bodies changed: the site's shape (its URLs,
    /// tags and aliases, and who claims which output file) is as the
    /// previous pass left it, as long as no scheduled article fell due.
    pub same_shape: bool,
}

#[derive(Debug, Clone)]
pub struct LoadOptions<'a> {
    /// The site's languages and slug style, which decide URLs.
    pub naming: &'a Naming,
    /// Include drafts and articles dated in the future.
    pub drafts: bool,
    pub now: jiff::Timestamp,
    /// Articles loaded by an earlier pass (`serve`): a file whose size and
    /// modification time are unchanged is not read again.
    pub cache: Option<&'a PageCache>,
}

/// What decides an article's language and URL besides its own file: the
/// site's languages (each one's code and base path) and its slug style.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Naming {
    /// Code and base path of each language, the default first.
    languages: Vec<(String, String)>,
    /// Each language's parsed code, to match file names against (the
    /// codes above stand for them in the hash).
    #[serde(skip)]
    locales: Vec<icu_locale::Locale>,
    unicode_slugs: bool,
}

impl Default for Naming {
    fn default() -> Naming {
        Naming {
            languages: vec![("en".to_string(), "/".to_string())],
            locales: vec![icu_locale::locale!("en")],
            unicode_slugs: false,
        }
    }
}

impl Naming {
    pub fn of(config: &crate::config::Config) -> Naming {
        Naming {
            languages: config
                .languages
                .iter()
                .map(|l| (l.code.clone(), l.base_path.clone()))
                .collect(),
            locales: config.languages.iter().map(|l| l.locale.clone()).collect(),
            unicode_slugs: config.unicode_slugs,
        }
    }

    /// A URL segment from a title, file or folder name: ASCII by default
    /// (`why-now`), or, with `unicode_slugs = true`, in the name's own
    /// letters (`북한은-왜`).
    pub fn slug(&self, name: &str) -> String {
        slug_in(name, self.unicode_slugs)
    }

    /// A tag's URL segment ([`tag_slug_in`]).
    pub fn tag_slug(&self, name: &str) -> String {
        tag_slug_in(name, self.unicode_slugs)
    }

    /// The base path of language `lang` (`/`, `/ko/`).
    pub fn base_path(&self, lang: usize) -> &str {
        &self.languages[lang].1
    }

    /// A file stem's language code: `why-now.ko` is (`why-now`, Korean's
    /// index). A stem whose last dotted part is not a language CLDR knows
    /// (`node.js`, `v1.2`) has none. `Err`: a language the site does not
    /// publish in, with its code.
    pub fn split_language<'s>(&self, stem: &'s str) -> Result<(&'s str, usize), &'s str> {
        let Some((base, code)) = stem.rsplit_once('.') else {
            return Ok((stem, 0));
        };
        if base.is_empty() {
            return Ok((stem, 0));
        }
        let Ok(locale) = icu_locale::Locale::try_from_str(code) else {
            return Ok((stem, 0));
        };
        let known = self.locales.iter().position(|l| *l == locale);
        match known {
            Some(i) => Ok((base, i)),
            None if is_known_language(&locale) => Err(code),
            None => Ok((stem, 0)),
        }
    }
}

/// Whether CLDR has data for the tag's language (`ko`, `bar`, not `js`,
/// `md` or `und`): only those read as a language code in a file name.
fn is_known_language(locale: &icu_locale::Locale) -> bool {
    if locale.id.language == icu_locale::subtags::Language::UNKNOWN {
        return false;
    }
    let mut bare = icu_locale::LanguageIdentifier::from(locale.id.language);
    icu_locale::LocaleExpander::new_extended().maximize(&mut bare)
        == icu_locale::TransformResult::Modified
}

/// A URL segment: in the name's own letters ([`unicode_slug`]) or ASCII.
fn slug_in(name: &str, unicode: bool) -> String {
    if unicode {
        unicode_slug(name)
    } else {
        slug::slugify(name)
    }
}

/// A slug in any script: NFC, lower case, letters, digits and combining
/// marks kept (a Devanagari vowel sign is part of its word), runs of
/// anything else one `-`.
pub fn unicode_slug(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.nfc() {
        if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    slug
}

/// One language's part of the site: what its home page, sections, tag
/// pages and feeds list.
#[derive(Debug)]
pub struct Edition<'a> {
    /// Its index in the site's languages (0: the default).
    pub lang: usize,
    /// Where its articles start in [`Content::pages`] (site order puts
    /// each language's articles in one run).
    pub start: usize,
    pub pages: &'a [Arc<Page>],
    /// Its `_index.md` (`_index.ko.md`) at the top of `content/`.
    pub home: Option<&'a Section>,
    pub sections: Vec<&'a Section>,
}

impl Content {
    /// The site's parts in each of its `languages` languages, the default
    /// first.
    pub fn editions(&self, languages: usize) -> Vec<Edition<'_>> {
        (0..languages)
            .map(|lang| {
                let start = self.pages.partition_point(|p| p.lang < lang);
                let end = self.pages.partition_point(|p| p.lang <= lang);
                let mut home = self.home.as_ref().filter(|_| lang == 0);
                let mut sections = Vec::new();
                for s in self.sections.iter().filter(|s| s.lang == lang) {
                    if s.top {
                        home = Some(s);
                    } else {
                        sections.push(s);
                    }
                }
                Edition {
                    lang,
                    start,
                    pages: &self.pages[start..end],
                    home,
                    sections,
                }
            })
            .collect()
    }
}

/// Which articles are translations of one another: those with one
/// [`Page::translation_key`].
#[derive(Debug, Default)]
pub struct Translations {
    /// Each article's group, if it has a translation.
    group_of: Vec<Option<u32>>,
    /// Groups of two or more articles (indices into the site's articles),
    /// in language order.
    groups: Vec<Vec<usize>>,
}

impl Translations {
    /// Groups `pages` by translation key. Two articles of one language
    /// in a group are an error naming both.
    pub fn of(pages: &[Arc<Page>], diags: &Diagnostics) -> Translations {
        let mut by_key: rustc_hash::FxHashMap<&str, Vec<usize>> = rustc_hash::FxHashMap::default();
        for (i, page) in pages.iter().enumerate() {
            by_key.entry(&page.translation_key).or_default().push(i);
        }
        let mut t = Translations {
            group_of: vec![None; pages.len()],
            groups: Vec::new(),
        };
        let mut groups: Vec<Vec<usize>> = by_key.into_values().filter(|g| g.len() > 1).collect();
        groups.sort_unstable();
        for mut group in groups {
            group.sort_by_key(|&i| pages[i].lang);
            for pair in group.windows(2) {
                let (a, b) = (&pages[pair[0]], &pages[pair[1]]);
                if a.lang == b.lang {
                    let keyed = b.matter.translation_key.is_some();
                    let pos = if keyed {
                        b.key_position("translation_key")
                    } else {
                        Position::START
                    };
                    diags.push(
                        Diagnostic::error(
                            &b.display,
                            pos,
                            format!(
                                "`{}` is a translation of the same article in the same language",
                                a.display.display()
                            ),
                        )
                        .with_hint(if keyed {
                            "give each language's version of one explainer the same `translation_key`, and different explainers different keys"
                        } else {
                            "name translations `<slug>.<code>.md` (or `index.<code>.md`) with a language code from `[languages]` in nutgraf.toml"
                        }),
                    );
                }
            }
            let id = t.groups.len() as u32;
            for &i in &group {
                t.group_of[i] = Some(id);
            }
            t.groups.push(group);
        }
        t
    }

    /// Article `i` and its translations, in language order; empty when it
    /// has none.
    pub fn of_page(&self, i: usize) -> &[usize] {
        match self.group_of.get(i).copied().flatten() {
            Some(g) => &self.groups[g as usize],
            None => &[],
        }
    }
}

/// Articles by path, with the file stamp they were read at.
#[derive(Debug, Default)]
pub struct PageCache {
    /// Keyed by the path's bytes: `Path`'s own `Hash` parses components,
    /// which cost more than the rest of a serve pass's lookup of 10,000
    /// cached articles.
    pages: Mutex<rustc_hash::FxHashMap<std::ffi::OsString, (Stamp, Arc<Page>)>>,
    /// The files found by the last walk of `content/`.
    walk: Mutex<Option<Arc<Vec<Entry>>>>,
    /// Set by `serve` when the only changes are edits of known articles
    /// (named by the watcher): the next load reuses the last walk and
    /// trusts cached articles without checking their stamps.
    trusted: std::sync::atomic::AtomicBool,
    /// Articles dropped by [`PageCache::invalidate`], until the next load
    /// reads them again and compares.
    forgotten: Mutex<rustc_hash::FxHashMap<std::ffi::OsString, Arc<Page>>>,
    /// Set when a load read an article that is new, or whose front matter
    /// or URL is not the forgotten one's; reset by every load.
    reshaped: std::sync::atomic::AtomicBool,
    /// The articles of the last load that found no error, in site order.
    last: Mutex<Option<Arc<LastLoad>>>,
    /// The [`Naming`] the cached articles were read with: when the
    /// languages or slug style change, every URL may, so none is kept.
    naming: Mutex<u64>,
}

/// What [`PageCache::reload_edited`] takes from the last load.
#[derive(Debug)]
struct LastLoad {
    pages: Vec<Arc<Page>>,
    assets: Vec<ContentFile>,
    folders: Arc<Folders>,
    skipped: usize,
    next_due: Option<jiff::Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

impl PageCache {
    /// Whether `path` is an article the cache holds.
    pub fn knows(&self, path: &Path) -> bool {
        self.lock().contains_key(path.as_os_str())
    }

    /// See `PageCache::trusted`; reset by every load.
    pub fn trust_next_load(&self, trust: bool) {
        self.trusted
            .store(trust, std::sync::atomic::Ordering::Relaxed);
    }

    /// Forgets `path`, so the next load reads it whatever its stamp says
    /// (a watcher event is better evidence than a coarse mtime).
    pub fn invalidate(&self, path: &Path) {
        if let Some((_, page)) = self.lock().remove(path.as_os_str()) {
            self.forgotten
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.as_os_str().to_os_string(), page);
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, rustc_hash::FxHashMap<std::ffi::OsString, (Stamp, Arc<Page>)>>
    {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets everything when `naming` is not what the cached articles
    /// were read with.
    fn check_naming(&self, naming: &Naming) {
        let key = crate::hash::key(naming);
        let mut was = self.naming.lock().unwrap_or_else(|e| e.into_inner());
        if *was != key {
            *was = key;
            self.lock().clear();
            *self.walk.lock().unwrap_or_else(|e| e.into_inner()) = None;
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
            self.trusted
                .store(false, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn load(
        &self,
        root: &Path,
        content_dir: &Path,
        path: &Path,
        naming: &Naming,
    ) -> Result<Arc<Page>, frontmatter::Problems> {
        let stamp = Stamp::of(path);
        if let Some(stamp) = stamp {
            if let Some((s, page)) = self.lock().get(path.as_os_str()) {
                if *s == stamp {
                    return Ok(page.clone());
                }
            }
        }
        let page = Arc::new(load_page(root, content_dir, path, naming)?);
        let was = self
            .forgotten
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path.as_os_str());
        if !was.is_some_and(|was| was.head == page.head && was.url == page.url) {
            self.reshaped
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(stamp) = stamp {
            self.lock()
                .insert(path.as_os_str().to_os_string(), (stamp, page.clone()));
        }
        Ok(page)
    }

    /// Serve, when only known articles were edited: reads those again and,
    /// when each kept its front matter and URL and no scheduled article
    /// fell due, takes the rest from the last load, in its order, with no
    /// sort and no check of 100,000 URLs. `None`: load as usual.
    fn reload_edited(
        &self,
        root: &Path,
        content_dir: &Path,
        entries: &[Entry],
        opts: &LoadOptions,
        diags: &Diagnostics,
    ) -> Option<Content> {
        let last = self
            .last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        if !opts.drafts && last.next_due.is_some_and(|due| due <= opts.now) {
            return None;
        }
        let edited: Vec<PathBuf> = self
            .forgotten
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .map(PathBuf::from)
            .collect();
        let mut pages = last.pages.clone();
        for path in edited {
            // A broken article is reported by the usual load, which reads
            // it again.
            let page = self.load(root, content_dir, &path, opts.naming).ok()?;
            if let Some(slot) = pages.iter_mut().find(|p| p.path == page.path) {
                *slot = page;
            }
        }
        if self.reshaped.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        let (home, sections) = load_sections(root, content_dir, entries, opts.naming, diags);
        Some(Content {
            pages,
            home,
            sections,
            assets: last.assets.clone(),
            folders: last.folders.clone(),
            skipped: last.skipped,
            next_due: last.next_due,
            reused_walk: true,
            same_shape: true,
        })
    }

    /// Drops entries for files that no longer exist.
    fn retain(&self, paths: &[&Path]) {
        let keep: rustc_hash::FxHashSet<&std::ffi::OsStr> =
            paths.iter().map(|p| p.as_os_str()).collect();
        self.lock().retain(|p, _| keep.contains(p.as_os_str()));
    }
}

#[derive(Debug, Clone)]
enum Entry {
    Article(PathBuf),
    Section(PathBuf),
    Asset(PathBuf),
}

/// Loads every content file under `root/content`, reporting problems into
/// `diags`. Articles with errors are left out (the build fails anyway).
pub fn load(root: &Path, opts: &LoadOptions, diags: &Diagnostics) -> anyhow::Result<Content> {
    let content_dir = root.join(CONTENT_DIR);
    if !content_dir.is_dir() {
        return Ok(Content::default());
    }
    if let Some(cache) = opts.cache {
        cache.check_naming(opts.naming);
    }
    let trusted = opts
        .cache
        .is_some_and(|c| c.trusted.swap(false, std::sync::atomic::Ordering::Relaxed));
    let reused = opts
        .cache
        .filter(|_| trusted)
        .and_then(|c| c.walk.lock().unwrap_or_else(|e| e.into_inner()).clone());
    let reused_walk = reused.is_some();
    let entries = match reused {
        Some(entries) => entries,
        None => {
            let entries = Arc::new(walk(&content_dir)?);
            if let Some(cache) = opts.cache {
                *cache.walk.lock().unwrap_or_else(|e| e.into_inner()) = Some(entries.clone());
            }
            entries
        }
    };
    let quick = opts
        .cache
        .filter(|_| reused_walk)
        .and_then(|cache| cache.reload_edited(root, &content_dir, &entries, opts, diags));
    let mut content = match quick {
        Some(content) => content,
        None => load_entries(root, &content_dir, &entries, opts, trusted, diags)?,
    };
    content.reused_walk = reused_walk;
    if let Some(cache) = opts.cache {
        let reshaped = cache
            .reshaped
            .swap(false, std::sync::atomic::Ordering::Relaxed);
        cache
            .forgotten
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        content.same_shape = reused_walk && !reshaped;
        // Only a load with no error vouches for its URLs and claims.
        *cache.last.lock().unwrap_or_else(|e| e.into_inner()) = (!diags.has_errors()).then(|| {
            Arc::new(LastLoad {
                pages: content.pages.clone(),
                assets: content.assets.clone(),
                folders: content.folders.clone(),
                skipped: content.skipped,
                next_due: content.next_due,
            })
        });
    }
    Ok(content)
}

/// Every file under `content_dir`, in file-name order, sorted by kind.
fn walk(content_dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let entries = walk_files(content_dir)?
        .into_iter()
        .map(|(rel, path)| {
            let name = path.file_name().map(|n| n.to_string_lossy());
            let section = name.is_some_and(|n| {
                n == "_index.md" || (n.starts_with("_index.") && n.ends_with(".md"))
            });
            if section {
                Entry::Section(path)
            } else if path.extension().is_some_and(|e| e == "md") {
                Entry::Article(path)
            } else {
                Entry::Asset(rel)
            }
        })
        .collect();
    Ok(entries)
}

fn load_entries(
    root: &Path,
    content_dir: &Path,
    entries: &[Entry],
    opts: &LoadOptions,
    trusted: bool,
    diags: &Diagnostics,
) -> anyhow::Result<Content> {
    let mut content = Content::default();
    (content.home, content.sections) =
        load_sections(root, content_dir, entries, opts.naming, diags);
    let mut article_paths = Vec::new();
    let mut files = Vec::new();
    for e in entries {
        match e {
            Entry::Article(p) => article_paths.push(p.as_path()),
            Entry::Asset(p) => files.push(p),
            Entry::Section(_) => {}
        }
    }

    if let Some(cache) = opts.cache.filter(|_| !trusted) {
        cache.retain(&article_paths);
    }
    // Trusted (serve, only known articles edited): take the unchanged ones
    // under one lock and read only the rest.
    let mut known: Vec<Option<Arc<Page>>> = match opts.cache.filter(|_| trusted) {
        Some(cache) => {
            let map = cache.lock();
            article_paths
                .iter()
                .map(|p| map.get(p.as_os_str()).map(|(_, page)| page.clone()))
                .collect()
        }
        None => vec![None; article_paths.len()],
    };
    let loaded: Vec<Option<Arc<Page>>> = article_paths
        .par_iter()
        .zip(known.par_iter_mut())
        .map(|(p, known)| match known.take() {
            Some(page) => Ok(page),
            None => match opts.cache {
                Some(cache) => cache.load(root, content_dir, p, opts.naming),
                None => load_page(root, content_dir, p, opts.naming).map(Arc::new),
            },
        })
        .map(|result| match result {
            Ok(page) => Some(page),
            Err(problems) => {
                diags.extend(problems);
                None
            }
        })
        .collect();
    let mut folders = Folders::default();
    for s in &content.sections {
        folders.insert(strip_content_dir(content_dir, &s.dir), &s.url, true);
    }
    let mut translated = Vec::new();
    for page in loaded.into_iter().flatten() {
        let scheduled = page.date.as_ref().is_some_and(|d| d.timestamp() > opts.now);
        let published = opts.drafts || !(page.matter.draft || scheduled);
        // A bundle's folder over a section's: the page is what its files
        // sit beside.
        if page.bundle {
            if page.lang == 0 {
                folders.insert(
                    strip_content_dir(content_dir, &page.dir),
                    &page.url,
                    published,
                );
            } else {
                translated.push((page.clone(), published));
            }
        }
        if !published {
            content.skipped += 1;
            if let Some(due) = page.date.as_ref().map(|d| d.timestamp()) {
                if scheduled && !page.matter.draft {
                    content.next_due = Some(content.next_due.map_or(due, |n| n.min(due)));
                }
            }
            continue;
        }
        content.pages.push(page);
    }
    // Translations after their originals, which own the folder.
    for (page, published) in translated {
        folders.insert_translation(
            strip_content_dir(content_dir, &page.dir),
            &page.url,
            published,
        );
    }
    content
        .pages
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    check_unique_urls(&content.pages, diags);
    content.assets = files
        .into_iter()
        .filter(|rel| folders.is_published(rel))
        .flat_map(|rel| {
            std::iter::once(folders.dest(rel))
                .chain(folders.also(rel))
                .map(|dest| ContentFile {
                    dest,
                    source: rel.clone(),
                })
        })
        .collect();
    content.folders = Arc::new(folders);
    check_claims(root, content_dir, &content, diags);
    Ok(content)
}

/// The home page's `_index.md` and the sections'.
fn load_sections(
    root: &Path,
    content_dir: &Path,
    entries: &[Entry],
    naming: &Naming,
    diags: &Diagnostics,
) -> (Option<Section>, Vec<Section>) {
    let (mut home, mut sections) = (None, Vec::new());
    for e in entries {
        if let Entry::Section(p) = e {
            match load_section(root, content_dir, p, naming) {
                Ok(section) if section.top && section.lang == 0 => home = Some(section),
                Ok(section) => sections.push(section),
                Err(problems) => diags.extend(problems),
            }
        }
    }
    (home, sections)
}

fn strip_content_dir<'p>(content_dir: &Path, path: &'p Path) -> &'p Path {
    path.strip_prefix(content_dir).unwrap_or(path)
}

/// A file under `content/` may not land where a page is written, nor where
/// another file does (see [`bundle::check_claims`]).
fn check_claims(root: &Path, content_dir: &Path, content: &Content, diags: &Diagnostics) {
    // Only a file named `index.html` can be in a page's way: without one,
    // serve's passes need not list 10,000 page files to find that out.
    let in_the_way = content
        .assets
        .iter()
        .any(|f| f.dest.rsplit('/').next() == Some("index.html"));
    if !in_the_way {
        return bundle::check_claims(root, content_dir, &[], &content.assets, diags);
    }
    let index = |url: &str| format!("{}index.html", url.trim_start_matches('/'));
    let mut pages: Vec<Claim> = content
        .pages
        .iter()
        .map(|p| Claim {
            file: index(&p.url),
            source: Some(&p.display),
        })
        .collect();
    pages.extend(content.home.iter().chain(&content.sections).map(|s| Claim {
        file: index(&s.url),
        source: Some(&s.display),
    }));
    // The home page is written with or without a `content/_index.md`.
    if content.home.is_none() {
        pages.push(Claim {
            file: index("/"),
            source: None,
        });
    }
    bundle::check_claims(root, content_dir, &pages, &content.assets, diags);
}

/// Reads a content file as UTF-8, pointing at the first invalid byte.
fn read_text(display: &Path, path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(display, Position::START, format!("cannot read file: {e}"))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes());
        let pos = Position::of_offset(&lossy, valid);
        Diagnostic::error(
            display,
            pos,
            format!("file is not valid UTF-8 (invalid byte at offset {valid})"),
        )
        .with_hint("save the file as UTF-8 in your editor")
    })?;
    // U+0000 becomes U+FFFD, as CommonMark asks (spec 0.31, 2.3).
    Ok(crate::html::replace_nul(text))
}

fn load_section(
    root: &Path,
    content_dir: &Path,
    path: &Path,
    naming: &Naming,
) -> Result<Section, frontmatter::Problems> {
    let display = display_path(root, path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lang = language_of(naming, &display, &stem)?.1;
    let text = read_text(&display, path)?;
    let split = frontmatter::split(&display, &text)?;
    let matter = frontmatter::parse_section(&display, &text, &split)?;
    let body_offset = split.body_offset;
    let dir = path.parent().unwrap_or(content_dir).to_path_buf();
    let rel = dir.strip_prefix(content_dir).unwrap_or(Path::new(""));
    Ok(Section {
        lang,
        top: rel.as_os_str().is_empty(),
        path: path.to_path_buf(),
        display,
        text,
        body_offset,
        matter,
        url: folder_url(naming, lang, rel.iter()),
        dir,
    })
}

/// `/a/b/` for folders `a`, `b` (each slugified so the URL is safe), under
/// language `lang`'s base path (`/ko/a/b/`).
fn folder_url<'a>(
    naming: &Naming,
    lang: usize,
    folders: impl IntoIterator<Item = &'a std::ffi::OsStr>,
) -> String {
    let mut url = naming.base_path(lang).to_string();
    for folder in folders {
        url.push_str(&naming.slug(&folder.to_string_lossy()));
        url.push('/');
    }
    url
}

/// A file stem without its language code, and the language's index; an
/// error naming the file for a code the site does not publish in.
fn language_of<'s>(
    naming: &Naming,
    display: &Path,
    stem: &'s str,
) -> Result<(&'s str, usize), Diagnostic> {
    naming.split_language(stem).map_err(|code| {
        Diagnostic::error(
            display,
            Position::START,
            format!("`{code}` in this file's name is a language the site does not publish in"),
        )
        .with_hint(format!(
            "add `[languages.{code}]` with a `title` to nutgraf.toml, or write the name with `-` instead of `.{code}` if it is not a language code"
        ))
    })
}

/// The articles directly under `content/` (`foo.md`, `foo/index.md`) with
/// the URL each is published at; files that do not load are left out.
/// Only these can be published at `/<slug>/`: `nutgraf new` asks before
/// it writes there.
pub fn top_level_sources(root: &Path) -> Vec<(PathBuf, String)> {
    let content_dir = root.join(crate::paths::CONTENT_DIR);
    let Ok(entries) = std::fs::read_dir(&content_dir) else {
        return Vec::new();
    };
    let naming = crate::config::Config::load(root)
        .map(|c| Naming::of(&c))
        .unwrap_or_default();
    let mut found = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if crate::paths::is_ignored(&name) {
            continue;
        }
        let file = if path.is_dir() {
            path.join("index.md")
        } else if name.ends_with(".md") && name != "_index.md" {
            path
        } else {
            continue;
        };
        if let Ok(page) = load_page(root, &content_dir, &file, &naming) {
            found.push((file, page.url));
        }
    }
    found.sort();
    found
}

fn load_page(
    root: &Path,
    content_dir: &Path,
    path: &Path,
    naming: &Naming,
) -> Result<Page, frontmatter::Problems> {
    let display = display_path(root, path);
    let text = read_text(&display, path)?;
    let split = frontmatter::split(&display, &text)?;
    let matter = frontmatter::parse_article(&display, &text, &split)?;
    let date_of =
        |key: &str, value: &Option<toml::value::Datetime>| -> Result<Option<Zoned>, Diagnostic> {
            value
                .as_ref()
                .map(frontmatter::to_zoned)
                .transpose()
                .map_err(|finding| {
                    let pos = key_position(&text, split.matter_range(), key);
                    Finding {
                        message: format!("invalid `{key}`: {}", finding.message),
                        ..finding
                    }
                    .at(Severity::Error, &display, pos)
                })
        };
    let unnamed: Vec<Diagnostic> = matter
        .tags
        .iter()
        .enumerate()
        .filter(|(_, tag)| naming.tag_slug(tag).is_empty())
        .map(|(i, tag)| {
            let at = frontmatter::tag_position(&text, i);
            let message = if tag.trim().is_empty() {
                "empty tag".to_string()
            } else {
                format!("tag `{}` has no letters or digits for its URL", tag.escape_debug())
            };
            Diagnostic::error(&display, at, message).with_hint(
                "a tag is listed at `/tags/<slug>/`, made from its letters and digits: write a word, or remove the tag",
            )
        })
        .collect();
    if !unnamed.is_empty() {
        return Err(frontmatter::Problems(unnamed));
    }
    let mut date = date_of("date", &matter.date)?;
    let updated = date_of("updated", &matter.updated)?;

    let rel = path.strip_prefix(content_dir).unwrap_or(path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `why-now.ko.md`, `index.ko.md`: Korean, named as the original.
    let (stem, lang) = language_of(naming, &display, &stem)?;
    let is_bundle = stem == "index";
    let (parents, default_slug): (Vec<&std::ffi::OsStr>, String) = if is_bundle {
        let folders: Vec<_> = rel.parent().map(|p| p.iter().collect()).unwrap_or_default();
        match folders.split_last() {
            Some((last, rest)) => (rest.to_vec(), last.to_string_lossy().into_owned()),
            None => {
                return Err(Diagnostic::error(&display, Position::START, "`content/index.md` would replace the home page")
                    .with_hint("move it into a folder (`content/<slug>/index.md`) or make it `content/_index.md`").into());
            }
        }
    } else {
        let folders = rel.parent().map(|p| p.iter().collect()).unwrap_or_default();
        (folders, stem.to_string())
    };
    let translation_key = match &matter.translation_key {
        Some(key) => format!("key:{key}"),
        None => {
            let mut key = String::new();
            for folder in &parents {
                key.push_str(&folder.to_string_lossy());
                key.push('/');
            }
            key.push_str(&default_slug);
            key
        }
    };
    // Zola's convention: `2018-03-15-first-light.md` is dated that day
    // (unless the front matter says otherwise) and published as
    // `first-light`, so a Zola site keeps its URLs.
    let default_slug = match date_prefix(&default_slug) {
        Some((day, rest)) => {
            if date.is_none() {
                date = frontmatter::to_zoned(&day).ok();
            }
            rest.to_string()
        }
        None => default_slug,
    };
    if let Some(problem) = matter.slug.as_deref().and_then(unplain) {
        let pos = key_position(&text, split.matter_range(), "slug");
        let slug = matter.slug.as_deref().unwrap_or_default().escape_debug();
        return Err(Diagnostic::error(&display, pos, format!("slug `{slug}` {problem}"))
            .with_hint("a slug is a plain URL segment such as \"why-now\": no control characters, no spaces at its ends, no `\\`")
            .into());
    }
    let slug_source = matter.slug.clone().unwrap_or(default_slug);
    let slug = naming.slug(&slug_source);
    if slug.is_empty() {
        let pos = key_position(&text, split.matter_range(), "slug");
        return Err(Diagnostic::error(
            &display,
            pos,
            format!("cannot make a URL slug from `{slug_source}`"),
        )
        .with_hint("set `slug = \"some-words\"` in the front matter")
        .into());
    }
    let mut url = folder_url(naming, lang, parents);
    url.push_str(&slug);
    url.push('/');

    let body_offset = split.body_offset;
    Ok(Page {
        text_hash: text_hash(&text),
        path: path.to_path_buf(),
        display,
        dir: path.parent().unwrap_or(content_dir).to_path_buf(),
        bundle: is_bundle,
        section_dir: if is_bundle {
            path.parent()
                .and_then(Path::parent)
                .unwrap_or(content_dir)
                .to_path_buf()
        } else {
            path.parent().unwrap_or(content_dir).to_path_buf()
        },
        head: {
            let mut text = text;
            text.truncate(body_offset);
            text.shrink_to_fit();
            text
        },
        body_offset,
        matter,
        date,
        updated,
        url,
        lang,
        translation_key,
    })
}

fn text_hash(text: &str) -> [u8; 16] {
    let mut hash = [0; 16];
    hash.copy_from_slice(&blake3::hash(text.as_bytes()).as_bytes()[..16]);
    hash
}

/// What makes `raw` (an alias or a slug) not a plain path, if anything:
/// a control character (a TAB or a line break would start a new field or
/// rule in `_redirects`), a space at either end (invisible in the front
/// matter, and trimmed by some hosts but not others), or a `\` (a
/// Windows separator, which hosts treat as a character of the name).
pub fn unplain(raw: &str) -> Option<String> {
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        return Some(format!(
            "holds the control character U+{:04X}",
            u32::from(c)
        ));
    }
    if raw != raw.trim() {
        return Some("has spaces at its start or end".into());
    }
    if raw.contains('\\') {
        return Some("holds a `\\` (site paths use `/`)".into());
    }
    None
}

/// A name that starts with a date, `YYYY-MM-DD` then `-` or `_` then
/// more (Zola's dated file names): the date and the rest.
fn date_prefix(name: &str) -> Option<(toml::value::Datetime, &str)> {
    let (day, rest) = (name.get(..10)?, name.get(10..)?);
    let rest = rest.strip_prefix(['-', '_']).filter(|r| !r.is_empty())?;
    // jiff validates the day (no 2018-02-30); toml holds it for `to_zoned`.
    day.parse::<jiff::civil::Date>().ok()?;
    Some((day.parse().ok()?, rest))
}

fn check_unique_urls(pages: &[Arc<Page>], diags: &Diagnostics) {
    let mut seen: rustc_hash::FxHashMap<&str, &Path> = rustc_hash::FxHashMap::default();
    seen.reserve(pages.len());
    for page in pages {
        if let Some(first) = seen.insert(&page.url, &page.display) {
            diags.push(
                Diagnostic::error(
                    &page.display,
                    Position::START,
                    format!("URL `{}` is also used by `{}`", page.url, first.display()),
                )
                .with_hint("give one of them a different `slug` in its front matter"),
            );
        }
    }
}

/// A tag's URL slug (`/tags/<slug>/`): its name slugified, with `+` spelled
/// `plus`, `&` spelled `and`, and `#` after a letter or digit spelled
/// `sharp`, so that `C`, `C#` and `C++` are `c`, `c-sharp` and
/// `c-plus-plus`, and `R&D` is `r-and-d`. A `#` that starts a word
/// (`#MeToo`) is dropped like other punctuation.
pub fn tag_slug(name: &str) -> String {
    tag_slug_in(name, false)
}

/// [`tag_slug`], or with `unicode` (`unicode_slugs = true`) in the name's
/// own letters: `바다` stays `바다`.
pub fn tag_slug_in(name: &str, unicode: bool) -> String {
    let slugify = |s: &str| slug_in(s, unicode);
    if !name.contains(['+', '#', '&']) {
        return slugify(name);
    }
    let mut spelled = String::with_capacity(name.len() + 16);
    let mut after_word = false;
    for c in name.chars() {
        match c {
            '+' => spelled.push_str(" plus "),
            '&' => spelled.push_str(" and "),
            '#' if after_word => spelled.push_str(" sharp "),
            c => spelled.push(c),
        }
        after_word = c.is_alphanumeric();
    }
    slugify(&spelled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_code_in_a_file_name_is_one_the_site_publishes_in() {
        let config = crate::config::Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[languages.ko]\n[languages.pt-BR]\n",
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let naming = Naming::of(&config);
        assert_eq!(naming.split_language("why-now"), Ok(("why-now", 0)));
        assert_eq!(naming.split_language("why-now.ko"), Ok(("why-now", 1)));
        assert_eq!(naming.split_language("index.pt-br"), Ok(("index", 2)));
        assert_eq!(naming.split_language("index.en"), Ok(("index", 0)));
        // Not languages: the dot is part of the name.
        for stem in ["node.js", "release-0.9", "v1.2", "a.md", ".ko", "x.und"] {
            assert_eq!(naming.split_language(stem), Ok((stem, 0)), "{stem}");
        }
        // Languages CLDR knows that the site does not publish in.
        assert_eq!(naming.split_language("why-now.fr"), Err("fr"));
        assert_eq!(naming.split_language("index.zh-Hant"), Err("zh-Hant"));
        assert_eq!(naming.base_path(1), "/ko/");
    }

    #[test]
    fn unicode_slugs_keep_letters_and_marks_of_every_script() {
        for (name, slug) in [
            (
                "북한은 왜 러시아에 군대를 보냈나?",
                "북한은-왜-러시아에-군대를-보냈나",
            ),
            ("Why Now?", "why-now"),
            ("لماذا الآن؟", "لماذا-الآن"),
            // Devanagari vowel signs are combining marks: kept.
            ("क्या हुआ", "क्या-हुआ"),
            // NFD in, NFC out.
            ("Cafe\u{301} au lait", "café-au-lait"),
            ("  --  ", ""),
        ] {
            assert_eq!(unicode_slug(name), slug, "{name}");
        }
        assert_eq!(tag_slug_in("바다 & 하늘", true), "바다-and-하늘");
        assert_eq!(tag_slug_in("바다", false), "bada");
    }

    #[test]
    fn tag_slugs_spell_out_symbols() {
        for (name, slug) in [
            ("C", "c"),
            ("C#", "c-sharp"),
            ("C++", "c-plus-plus"),
            ("F# and C#", "f-sharp-and-c-sharp"),
            ("R&D", "r-and-d"),
            ("#MeToo", "metoo"),
            ("Climate change", "climate-change"),
            ("???", ""),
            ("", ""),
        ] {
            assert_eq!(tag_slug(name), slug, "{name}");
        }
    }

    /// A loaded article holds its front matter only; the body is read
    /// again for the render, and refused once the file has changed, since
    /// the front matter the build already used would not match it.
    #[test]
    fn an_article_holds_its_front_matter_and_reads_its_body_again() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let content = tmp.path().join(CONTENT_DIR);
        std::fs::create_dir_all(&content).unwrap_or_else(|e| panic!("{e}"));
        let path = content.join("why-now.md");
        let text = "+++\ntitle = \"Why now?\"\n+++\nThe body.\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let page = load_page(tmp.path(), &content, &path, &Naming::default())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(page.head(), "+++\ntitle = \"Why now?\"\n+++\n");
        assert_eq!(page.text().as_deref(), Ok(text));
        assert_eq!(page.key_position("title"), Position { line: 2, col: 1 });

        std::fs::write(&path, text.replace("body", "new body")).unwrap_or_else(|e| panic!("{e}"));
        let d = page.text().expect_err("a changed file is refused");
        assert_eq!(d.message, "the file changed while nutgraf was building");
        assert_eq!(d.path, Path::new("content/why-now.md"));
    }

    /// Writes `rel` under `root`, creating its folders.
    fn write_file(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap_or(root)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Serve reuses the site's shape only when every article it read again
    /// kept its front matter: a body edit vouches, a title edit or a new
    /// article does not.
    #[test]
    fn only_body_edits_of_known_articles_keep_the_shape() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = tmp.path();
        let write = |rel: &str, text: &str| write_file(root, rel, text);
        let a = |title: &str, body: &str| format!("+++\ntitle = \"{title}\"\n+++\n{body}\n");
        write("content/a.md", &a("A", "One."));
        let cache = PageCache::default();
        let naming = Naming::default();
        let opts = LoadOptions {
            naming: &naming,
            drafts: true,
            now: jiff::Timestamp::now(),
            cache: Some(&cache),
        };
        let diags = Diagnostics::default();
        // As serve's pass does: trust the cache when every edited file is
        // a known article, then forget the edited ones.
        let load = |edited: &[&str]| {
            let known = edited.iter().all(|rel| cache.knows(&root.join(rel)));
            cache.trust_next_load(known && !edited.is_empty());
            for rel in edited {
                cache.invalidate(&root.join(rel));
            }
            load(root, &opts, &diags).unwrap_or_else(|e| panic!("{e}"))
        };
        assert!(
            !load(&[]).same_shape,
            "the first load has nothing to compare"
        );
        write("content/a.md", &a("A", "Two."));
        assert!(load(&["content/a.md"]).same_shape, "a body edit");
        write("content/a.md", &a("A again", "Two."));
        assert!(!load(&["content/a.md"]).same_shape, "a title edit");
        write("content/a.md", &a("A again", "Three."));
        assert!(load(&["content/a.md"]).same_shape, "a body edit after it");
        write("content/b.md", &a("B", "New."));
        assert!(!load(&["content/b.md"]).same_shape, "a new article");
        assert!(diags.into_sorted().is_empty());
    }

    /// A body edit's load takes the other articles from the last load, in
    /// its order, with the edited one in its place; but not once a
    /// scheduled article has fallen due, which changes what is published.
    #[test]
    fn a_body_edit_reuses_the_last_load_until_a_scheduled_article_falls_due() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = tmp.path();
        let write = |rel: &str, text: &str| write_file(root, rel, text);
        let a = |title: &str, date: &str, body: &str| {
            format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\n{body}\n")
        };
        write("content/a.md", &a("A", "2024-01-01", "One."));
        write("content/b.md", &a("B", "2024-01-03", "One."));
        write("content/later.md", &a("Later", "2030-01-01", "Soon."));
        let cache = PageCache::default();
        let diags = Diagnostics::default();
        let load = |edited: &[&str], now: &str| {
            let known = edited.iter().all(|rel| cache.knows(&root.join(rel)));
            cache.trust_next_load(known && !edited.is_empty());
            for rel in edited {
                cache.invalidate(&root.join(rel));
            }
            let opts = LoadOptions {
                naming: &Naming::default(),
                drafts: false,
                now: now.parse().unwrap_or_else(|e| panic!("{e}")),
                cache: Some(&cache),
            };
            load(root, &opts, &diags).unwrap_or_else(|e| panic!("{e}"))
        };
        let titles = |c: &Content| -> Vec<String> {
            c.pages.iter().map(|p| p.matter.title.clone()).collect()
        };
        let first = load(&[], "2026-01-01T00:00:00Z");
        assert_eq!(titles(&first), ["B", "A"]);
        assert_eq!(first.skipped, 1);

        write("content/a.md", &a("A", "2024-01-01", "Two."));
        let quick = load(&["content/a.md"], "2026-01-01T00:00:00Z");
        assert!(quick.same_shape);
        assert_eq!(titles(&quick), ["B", "A"]);
        assert!(
            Arc::ptr_eq(&quick.pages[0], &first.pages[0]),
            "B was not read again"
        );
        let text = quick.pages[1].text().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(text.ends_with("Two.\n"), "{text}");
        assert_eq!(quick.skipped, 1);

        write("content/a.md", &a("A", "2024-01-01", "Three."));
        let due = load(&["content/a.md"], "2031-01-01T00:00:00Z");
        assert_eq!(
            titles(&due),
            ["Later", "B", "A"],
            "the scheduled article is due"
        );
        assert_eq!(due.skipped, 0);
        assert!(diags.into_sorted().is_empty());
    }

    #[test]
    fn plain_paths_have_no_control_characters_end_spaces_or_backslashes() {
        assert_eq!(unplain("why-now"), None);
        assert_eq!(
            unplain("/2019/why now/"),
            None,
            "inner spaces are the caller's call"
        );
        assert_eq!(
            unplain("a\tb").as_deref(),
            Some("holds the control character U+0009")
        );
        assert_eq!(
            unplain("a\u{7f}").as_deref(),
            Some("holds the control character U+007F")
        );
        assert_eq!(
            unplain(" a").as_deref(),
            Some("has spaces at its start or end")
        );
        assert_eq!(
            unplain("a\u{a0}").as_deref(),
            Some("has spaces at its start or end")
        );
        assert_eq!(
            unplain("a\\b").as_deref(),
            Some("holds a `\\` (site paths use `/`)")
        );
    }

    #[test]
    fn a_dated_name_gives_its_date_and_the_rest_as_slug() {
        let (day, rest) = date_prefix("2018-03-15-newsletter-1").expect("dated");
        assert_eq!(day.to_string(), "2018-03-15");
        assert_eq!(rest, "newsletter-1");
        assert_eq!(date_prefix("2018-03-15_first").map(|d| d.1), Some("first"));
        // Not dates, or nothing after the date: the name stays the slug.
        assert!(date_prefix("2018-02-30-no-such-day").is_none());
        assert!(date_prefix("2018-03-15").is_none());
        assert!(date_prefix("2018-03-15-").is_none());
        assert!(date_prefix("1000-words-on-rivers").is_none());
        assert!(date_prefix("été-2024-03").is_none());
    }
}
