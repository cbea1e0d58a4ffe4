//! The link facts a render gathers for `check`: every URL the site
//! publishes, and each article's links, anchors and FAQ questions.
//! The renderer only records them; `check` judges them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::content::Content;
use crate::diagnostic::{LineIndex, Position};
pub use crate::markdown::links::LinkKind;
use crate::output::Published;

/// A link as found in an article.
#[derive(Debug, Clone)]
pub struct Link {
    pub dest: String,
    pub pos: Position,
    /// Markdown, or which raw HTML attribute.
    pub kind: LinkKind,
}

/// What `check` needs of one rendered article.
#[derive(Debug)]
pub struct PageLinks {
    pub display: PathBuf,
    pub url: String,
    pub links: Vec<Link>,
    pub anchors: HashSet<String>,
    /// FAQ questions: text and where the heading is.
    pub questions: Vec<(String, Position)>,
}

impl PageLinks {
    /// An article: its body's links, then the links its front matter
    /// publishes (the lead's caption, credit and `credit_url`, each
    /// update's note).
    pub fn article(
        page: &crate::content::Page,
        text: &str,
        rendered: &crate::markdown::Rendered,
        markdown: &crate::config::MarkdownConfig,
    ) -> PageLinks {
        let index = LineIndex::new(text);
        let mut links = PageLinks::body(
            &page.display,
            &page.url,
            text,
            page.body_offset,
            &index,
            rendered,
            markdown,
        );
        let matter = crate::content::frontmatter::matter_links(&text[..page.body_offset]);
        links.links.splice(
            0..0,
            matter.into_iter().map(|link| Link {
                dest: link.dest,
                pos: index.position(text, link.offset),
                kind: LinkKind::Matter {
                    table: link.table,
                    key: link.key,
                },
            }),
        );
        links
    }

    /// The home page's or a section's intro (the body of its `_index.md`).
    pub fn intro(
        section: &crate::content::Section,
        rendered: &crate::markdown::Rendered,
        markdown: &crate::config::MarkdownConfig,
    ) -> PageLinks {
        let index = LineIndex::new(&section.text);
        PageLinks::body(
            &section.display,
            &section.url,
            &section.text,
            section.body_offset,
            &index,
            rendered,
            markdown,
        )
    }

    fn body(
        display: &Path,
        url: &str,
        text: &str,
        body_offset: usize,
        index: &LineIndex,
        rendered: &crate::markdown::Rendered,
        markdown: &crate::config::MarkdownConfig,
    ) -> PageLinks {
        let at = |offset: usize| index.position(text, body_offset + offset);
        let gathered = crate::markdown::links::gather(&text[body_offset..], markdown);
        PageLinks {
            display: display.to_path_buf(),
            url: url.to_string(),
            links: gathered
                .links
                .into_iter()
                .filter_map(|link| {
                    // A Markdown internal link (`@/a.md#x`) is judged as
                    // the URL it became, so its anchor is checked on the
                    // page it leads to; one that leads nowhere was
                    // reported by the render.
                    let dest = match crate::markdown::split_internal(&link.dest) {
                        Some((path, fragment)) if link.kind == LinkKind::Markdown => {
                            let url = rendered
                                .internal
                                .iter()
                                .find(|(p, _)| p == path)
                                .and_then(|(_, url)| url.as_deref())?;
                            format!("{url}{fragment}")
                        }
                        _ => link.dest,
                    };
                    Some(Link {
                        dest,
                        pos: at(link.offset),
                        kind: link.kind,
                    })
                })
                .collect(),
            // Ids the render gave (headings, footnotes) and ids written in
            // raw HTML.
            anchors: rendered
                .anchors
                .iter()
                .cloned()
                .chain(gathered.anchors)
                .collect(),
            questions: rendered
                .questions
                .iter()
                .filter(|q| q.faq)
                .map(|q| (q.text.clone(), at(q.offset)))
                .collect(),
        }
    }
}

/// Every URL the built site answers, and each article's links: the facts
/// `check` judges.
#[derive(Debug, Default)]
pub struct SiteLinks {
    /// Article URL → its anchors.
    pub articles: HashMap<String, HashSet<String>>,
    /// Every URL the render published: listings and their pages, feeds,
    /// alias pages, static and bundle files, hashed assets (articles too).
    pub other: HashSet<String>,
    /// Each article's links, in the site's order.
    pub pages: Vec<PageLinks>,
    /// The links of the home page's and each section's intro.
    pub intros: Vec<PageLinks>,
    /// Where each source file is published: its path under `content/`
    /// (`posts/a.md`) → its URL, for links written to a `.md` file.
    pub sources: HashMap<String, String>,
}

/// Where a `check` render records the link facts: each article as it is
/// rendered (in parallel, so with its place in the site's order), every
/// path the render publishes (its [`Output::Record`]), then where each
/// source file went.
///
/// [`Output::Record`]: crate::output::Output::Record
#[derive(Debug, Default)]
pub struct Recorder {
    pages: Mutex<Vec<(usize, PageLinks)>>,
    intros: Mutex<Vec<PageLinks>>,
    published: Published,
    sources: Mutex<HashMap<String, String>>,
}

impl Recorder {
    /// Article `index` of the site's order.
    pub(crate) fn article(&self, index: usize, links: PageLinks) {
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((index, links));
    }

    /// The intro of the home page or a section.
    pub(crate) fn intro(&self, links: PageLinks) {
        self.intros
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(links);
    }

    /// Where the render's output notes the paths it publishes.
    pub(crate) fn published(&self) -> &Published {
        &self.published
    }

    /// The URL of every article, section and home page, by its source.
    pub(crate) fn sources(&self, content: &Content) {
        let sources = content
            .pages
            .iter()
            .map(|p| (&p.display, &p.url))
            .chain(content.home.iter().map(|s| (&s.display, &s.url)))
            .chain(content.sections.iter().map(|s| (&s.display, &s.url)))
            .map(|(display, url)| (content_key(display), url.clone()))
            .collect();
        *self.sources.lock().unwrap_or_else(|e| e.into_inner()) = sources;
    }

    /// What was recorded.
    pub fn finish(self) -> SiteLinks {
        let mut pages = self.pages.into_inner().unwrap_or_else(|e| e.into_inner());
        pages.sort_by_key(|(i, _)| *i);
        let pages: Vec<PageLinks> = pages.into_iter().map(|(_, p)| p).collect();
        let mut intros = self.intros.into_inner().unwrap_or_else(|e| e.into_inner());
        intros.sort_by(|a, b| a.url.cmp(&b.url));
        SiteLinks {
            articles: pages
                .iter()
                .map(|p| (p.url.clone(), p.anchors.clone()))
                .collect(),
            other: self.published.into_urls(),
            pages,
            intros,
            sources: self.sources.into_inner().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// `content/posts/a.md` → `posts/a.md`: a source file's path under
/// `content/`, with `/` separators.
pub fn content_key(display: &Path) -> String {
    let rel = display
        .strip_prefix(crate::paths::CONTENT_DIR)
        .unwrap_or(display);
    crate::paths::slash(rel)
}

/// The site's content files by their path under `content/`, for Zola's
/// internal links (`@/posts/a.md`). Made on the first lookup: most sites
/// have no such link, and a `serve` pass should not pay for a map of
/// 100,000 paths it never reads.
pub(crate) struct SourceMap<'a> {
    content: &'a Content,
    map: std::sync::OnceLock<HashMap<String, &'a str>>,
}

impl<'a> SourceMap<'a> {
    pub(crate) fn new(content: &'a Content) -> Self {
        SourceMap {
            content,
            map: std::sync::OnceLock::new(),
        }
    }

    fn map(&self) -> &HashMap<String, &'a str> {
        self.map.get_or_init(|| {
            let content = self.content;
            let mut map = HashMap::with_capacity(content.pages.len() + content.sections.len() + 1);
            for page in &content.pages {
                map.insert(content_key(&page.display), page.url.as_str());
            }
            for section in content.home.iter().chain(&content.sections) {
                map.insert(content_key(&section.display), section.url.as_str());
            }
            map
        })
    }
}

impl crate::markdown::Sources for SourceMap<'_> {
    fn url(&self, path: &str) -> Option<&str> {
        self.map().get(path.trim_start_matches('/')).copied()
    }

    fn near(&self, path: &str) -> Option<String> {
        let paths: Vec<&str> = self.map().keys().map(String::as_str).collect();
        crate::diagnostic::did_you_mean(path, &paths).map(str::to_string)
    }
}
