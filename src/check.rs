//! `nutgraf check`: renders the whole site in memory, writes nothing, and
//! reports every problem as an error — broken internal links and anchors,
//! image lint, empty slots, questions marked up as FAQ on two pages and,
//! with `--external`, dead external links.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding, Position, Severity, did_you_mean};
use crate::error::Error;
use crate::site::links::{Link, LinkKind, PageLinks, Recorder, SiteLinks};
use crate::site::{self, Mode};

/// What `nutgraf check` was asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    /// Check drafts and scheduled articles too.
    pub drafts: bool,
    /// Also request every external link.
    pub external: bool,
}

/// What a clean check looked at. A check that finds problems returns
/// [`Error::Check`] instead.
#[derive(Debug)]
pub struct CheckReport {
    pub pages: usize,
    pub internal_links: usize,
    pub external_links: usize,
    /// Warnings that do not fail the check (a site without a
    /// `description`).
    pub advice: Vec<Diagnostic>,
    /// "check: 0 problems in 3 articles; 10 internal links checked, …"
    pub summary: String,
}

/// A warning when `nutgraf.toml` has no `description`: pages without one
/// of their own then get a generic sentence as their meta description,
/// which search engines show under the link.
fn no_description(root: &std::path::Path) -> Option<Diagnostic> {
    let text = std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).ok()?;
    let config = crate::config::Config::parse(&text).ok()?;
    if config.description.is_some() {
        return None;
    }
    Some(
        Diagnostic::warning(
            crate::config::CONFIG_FILE,
            crate::diagnostic::key_position(&text, 0..text.len(), "title"),
            "the site has no `description`",
        )
        .with_hint(
            "add `description = \"…\"` (a sentence or two on what the site explains): the home page and listings without a description of their own use it for their meta description, which search engines show under the link",
        ),
    )
}

/// Runs the check: `Ok` when the site is clean, [`Error::Check`] with
/// every problem otherwise.
pub fn check(opts: &CheckOptions) -> Result<CheckReport, Error> {
    let recorder = Recorder::default();
    let rendered = site::render(&opts.root, opts.drafts, Mode::Check { links: &recorder })?;
    let mut diagnostics = rendered.diagnostics;
    let site = recorder.finish();
    let mut internal = 0;
    let mut external: HashMap<String, Vec<(PathBuf, Position)>> = HashMap::new();
    for page in site.pages.iter().chain(&site.intros) {
        for link in &page.links {
            match classify(&link.dest) {
                Target::External(url) => external
                    .entry(url)
                    .or_default()
                    .push((page.display.clone(), link.pos)),
                Target::Other => {}
                Target::Internal => {
                    internal += 1;
                    if let Some(finding) = broken(&site, page, link) {
                        diagnostics.push(finding.at(Severity::Error, &page.display, link.pos));
                    }
                }
            }
        }
    }
    duplicate_questions(&site.pages, &mut diagnostics);
    let external_links = external.len();
    if opts.external {
        diagnostics.extend(check_external(external));
    }
    // In check, everything found is a failure.
    for d in &mut diagnostics {
        d.severity = Severity::Error;
    }
    diagnostics.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    let problems = diagnostics.len();
    // Advice, printed whether or not the check passes: it does not fail it.
    let advice: Vec<Diagnostic> = no_description(&opts.root).into_iter().collect();
    let report = CheckReport {
        pages: rendered.pages,
        internal_links: internal,
        external_links,
        advice: advice.clone(),
        summary: summary(
            problems,
            rendered.pages,
            internal,
            external_links,
            opts.external,
        ),
    };
    if diagnostics.is_empty() {
        Ok(report)
    } else {
        diagnostics.extend(advice);
        Err(Error::Check {
            problems: diagnostics,
            summary: report.summary,
        })
    }
}

/// "check: 1 problem in 2 articles; 3 internal links checked, 4 external
/// links not checked (--external checks them)".
fn summary(
    problems: usize,
    pages: usize,
    internal: usize,
    external: usize,
    checked_external: bool,
) -> String {
    use crate::error::plural;
    let external = if checked_external {
        format!("{} checked", plural(external, "external link"))
    } else {
        format!(
            "{} not checked (--external checks them)",
            plural(external, "external link")
        )
    };
    format!(
        "check: {} in {}; {} checked, {external}",
        plural(problems, "problem"),
        plural(pages, "article"),
        plural(internal, "internal link"),
    )
}

enum Target {
    Internal,
    External(String),
    /// mailto:, tel: and other schemes nobody can check.
    Other,
}

fn classify(dest: &str) -> Target {
    let lower = dest.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Target::External(dest.to_string())
    } else if lower.starts_with("//") {
        Target::External(format!("https:{dest}"))
    } else if lower
        .split(['/', '#', '?'])
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        Target::Other
    } else {
        Target::Internal
    }
}

/// Why an internal link is broken, with a hint; `None` when it works.
fn broken(site: &SiteLinks, page: &PageLinks, link: &Link) -> Option<Finding> {
    let dest = link.dest.as_str();
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        let fragment = fragment.unwrap_or("");
        return missing_anchor(site, &page.url, fragment, "this page");
    }
    let Some(resolved) = resolve(&page.url, path) else {
        return Some(
            Finding::new(format!("{} climbs above the site root", described(link)))
                .with_hint("remove a `../`"),
        );
    };
    for candidate in candidates(&resolved) {
        if site.articles.contains_key(&candidate) {
            return match fragment {
                Some(f) if !f.is_empty() => {
                    missing_anchor(site, &candidate, f, &format!("`{candidate}`"))
                }
                _ => None,
            };
        }
        if site.other.contains(&candidate) {
            return None;
        }
    }
    Some(
        Finding::new(format!(
            "broken {}: no file or page at `{resolved}`",
            described(link)
        ))
        .with_hint(missing_hint(site, page, link, path, &resolved)),
    )
}

/// "link `x.png`", or "link `x.png` in `<img src>`" for raw HTML.
fn described(link: &Link) -> String {
    match &link.kind {
        LinkKind::Markdown => format!("link `{}`", link.dest),
        LinkKind::Matter { key, .. } if *key == "credit_url" => {
            format!("`{key}` `{}`", link.dest)
        }
        LinkKind::Matter { key, .. } => format!("link `{}` in `{key}`", link.dest),
        html => format!("link `{}` in `{html}`", link.dest),
    }
}

/// What to do about a link from the page at `page_url`, written `path`,
/// to `resolved`, where nothing is published. The hint says what is
/// actually wrong: an article URL is only suggested for a link to a page,
/// never for a file.
fn missing_hint(
    site: &SiteLinks,
    page: &PageLinks,
    link: &Link,
    path: &str,
    resolved: &str,
) -> String {
    // Only a link a reader follows can be a forgotten `mailto:`; an image
    // such as `chart@2x.png` never is.
    let followed = match &link.kind {
        LinkKind::Markdown | LinkKind::Matter { .. } => true,
        LinkKind::Html { attr, .. } => *attr == "href",
    };
    let page_url = page.url.as_str();
    let name = resolved.rsplit('/').next().unwrap_or("");
    let markdown_file = name.to_ascii_lowercase().ends_with(".md");
    if markdown_file {
        if let Some((key, url)) = source_of(site, page, path) {
            // Keep the link's `#fragment` in what it suggests.
            let fragment = link.dest.find('#').map_or("", |at| &link.dest[at..]);
            let also = match link.kind {
                LinkKind::Markdown => format!(" (or write `@/{key}{fragment}`)"),
                LinkKind::Html { .. } | LinkKind::Matter { .. } => String::new(),
            };
            return format!(
                "did you mean `{url}{fragment}`? `content/{key}` is published there: link to the page's URL, not its Markdown file{also}"
            );
        }
    }
    if name.contains('.') {
        let mut same_name: Vec<&str> = site
            .other
            .iter()
            .filter(|url| url.rsplit('/').next() == Some(name))
            .map(String::as_str)
            .collect();
        same_name.sort_unstable();
        if let Some(url) = same_name.first() {
            return format!("a file named `{name}` is published at `{url}`: link to that URL");
        }
    }
    if path.starts_with(crate::markdown::INTERNAL_PREFIX) {
        return "internal links (`@/posts/a.md`) are resolved in Markdown links only: write `[text](@/…)`, or the page's URL".to_string();
    }
    if followed && path.contains('@') && !path.contains('/') {
        return format!("an e-mail address needs `mailto:`, e.g. `mailto:{path}`");
    }
    if markdown_file {
        let keys: Vec<&str> = site.sources.keys().map(String::as_str).collect();
        if let Some(key) = source_key(page, path) {
            if let Some(near) = did_you_mean(&key, &keys) {
                return format!(
                    "there is no `content/{key}`: did you mean `content/{near}`, published at `{}`?",
                    site.sources[near]
                );
            }
        }
        return "link to the page's URL (`content/why-now.md` is published at `/why-now/`), not its Markdown file".to_string();
    }
    if !name.contains('.') {
        // Every page the site publishes (articles, listings and their
        // pages), in a fixed order so that a tie gives the same hint twice.
        let mut urls: Vec<&str> = site
            .articles
            .keys()
            .chain(site.other.iter().filter(|url| url.ends_with('/')))
            .map(String::as_str)
            .collect();
        urls.sort_unstable();
        urls.dedup();
        if let Some(url) = did_you_mean(resolved, &urls) {
            return format!("did you mean `{url}`?");
        }
    }
    if path.starts_with('/') {
        "link to an article's URL (e.g. `/why-now/`) or to a file in static/ (`static/img/map.png` is `/img/map.png`)".to_string()
    } else {
        format!(
            "relative links resolve against the page's URL `{page_url}`: a bundle's files are published beside the page at `{page_url}…`, files in static/ at the site root"
        )
    }
}

/// The source file a link to a `.md` file means, under `content/`: a
/// relative link is read against the linking file's folder, as a Markdown
/// viewer reads it; `/a.md` from `content/` (with or without the
/// `content/` a link from the repository's root would have).
fn source_key(page: &PageLinks, path: &str) -> Option<String> {
    let key = crate::site::links::content_key(&page.display);
    let folder = match key.rsplit_once('/') {
        Some((folder, _)) => format!("/{folder}/"),
        None => "/".to_string(),
    };
    let resolved = resolve(&folder, path)?;
    let resolved = resolved.trim_start_matches('/');
    Some(
        resolved
            .strip_prefix(&format!("{}/", crate::paths::CONTENT_DIR))
            .unwrap_or(resolved)
            .to_string(),
    )
}

/// The published source file a link to a `.md` file means, and its URL.
fn source_of<'s>(site: &'s SiteLinks, page: &PageLinks, path: &str) -> Option<(String, &'s str)> {
    let key = source_key(page, path)?;
    let url = site.sources.get(&key)?;
    Some((key, url))
}

/// Why `#fragment` does not resolve on the article at `url`, if it does not.
fn missing_anchor(site: &SiteLinks, url: &str, fragment: &str, place: &str) -> Option<Finding> {
    let fragment = percent_decode_str(fragment).decode_utf8_lossy();
    let anchors = site.articles.get(url)?;
    if fragment.is_empty() || anchors.contains(fragment.as_ref()) {
        return None;
    }
    let ids: Vec<&str> = anchors.iter().map(String::as_str).collect();
    let hint = match did_you_mean(&fragment, &ids) {
        Some(s) => format!("did you mean `#{s}`?"),
        None => "anchors are heading ids (the heading text in lower case with dashes, e.g. `#why-now`), footnotes (`#fn-1`), and `id` or `<a name>` in raw HTML"
            .to_string(),
    };
    Some(Finding::new(format!("anchor `#{fragment}` does not exist on {place}")).with_hint(hint))
}

/// `path` resolved against the page URL, percent-decoded; `None` if it
/// climbs above the root.
fn resolve(page_url: &str, path: &str) -> Option<String> {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let joined = if decoded.starts_with('/') {
        decoded.to_string()
    } else {
        format!("{page_url}{decoded}")
    };
    let trailing = joined.ends_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    Some(out)
}

/// The URLs a resolved path may be published as: `/a`, `/a/`, `/a/index.html`.
fn candidates(resolved: &str) -> Vec<String> {
    let mut c = vec![resolved.to_string()];
    if let Some(dir) = resolved.strip_suffix("index.html") {
        c.push(dir.to_string());
    } else if !resolved.ends_with('/') {
        c.push(format!("{resolved}/"));
    }
    c
}

/// The same question marked up as FAQ on two pages: Google shows a Q&A
/// once per site, so the later pages are flagged.
fn duplicate_questions(pages: &[PageLinks], diagnostics: &mut Vec<Diagnostic>) {
    let mut first: HashMap<String, &PageLinks> = HashMap::new();
    for page in pages {
        let mut on_this_page = HashSet::new();
        for (text, pos) in &page.questions {
            let key = text
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !on_this_page.insert(key.clone()) {
                continue;
            }
            match first.get(&key) {
                Some(other) => diagnostics.push(
                    Diagnostic::error(&page.display, *pos, format!("question \u{201c}{text}\u{201d} is also marked up as FAQ on `{}`", other.display.display()))
                        .with_hint("the same Q&A may be marked up on only one page: add `{.not-faq}` to one of the headings, or reword it"),
                ),
                None => {
                    first.insert(key, page);
                }
            }
        }
    }
}

/// A browser's user agent: some sites refuse unknown clients.
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 nutgraf-check";
const CONCURRENCY: usize = 8;
const TIMEOUT: Duration = Duration::from_secs(10);
const RETRIES: u32 = 2;

/// Requests each external URL once (HEAD, then GET when HEAD is refused),
/// with bounded concurrency, a timeout and retries for transient failures.
fn check_external(links: HashMap<String, Vec<(PathBuf, Position)>>) -> Vec<Diagnostic> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .build()
        .into();
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(CONCURRENCY)
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            return vec![Diagnostic::error(
                PathBuf::from("(check)"),
                Position::START,
                format!("cannot start link checker: {e}"),
            )];
        }
    };
    let mut links: Vec<_> = links.into_iter().collect();
    links.sort_by(|a, b| a.0.cmp(&b.0));
    pool.install(|| {
        links
            .par_iter()
            .filter_map(|(url, places)| probe(&agent, url).err().map(|why| (url, places, why)))
            .flat_map_iter(|(url, places, why)| {
                places.iter().map(move |(path, pos)| {
                    Diagnostic::error(path, *pos, format!("external link `{url}` failed: {why}"))
                        .with_hint("fix or remove the link; `nutgraf check` without --external skips these")
                })
            })
            .collect()
    })
}

/// Why an external link failed.
#[derive(Debug)]
enum LinkFailure {
    /// The server answered with an error status.
    Status(u16),
    /// No answer: DNS, TLS, a refused connection, a timeout.
    Unreachable(ureq::Error),
}

impl std::fmt::Display for LinkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkFailure::Status(status) => write!(f, "HTTP {status}"),
            LinkFailure::Unreachable(ureq::Error::Timeout(_)) => write!(
                f,
                "no answer within {} s (tried {} times)",
                TIMEOUT.as_secs(),
                RETRIES + 1
            ),
            LinkFailure::Unreachable(e) => write!(f, "{e}"),
        }
    }
}

fn probe(agent: &ureq::Agent, url: &str) -> Result<(), LinkFailure> {
    let mut last = LinkFailure::Status(0);
    for attempt in 0..=RETRIES {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(300 * u64::from(attempt)));
        }
        let head = agent.head(url).call();
        let status = match head {
            Ok(r) if matches!(r.status().as_u16(), 405 | 403 | 501) => {
                match agent.get(url).call() {
                    Ok(r) => r.status().as_u16(),
                    Err(e) => {
                        last = LinkFailure::Unreachable(e);
                        continue;
                    }
                }
            }
            Ok(r) => r.status().as_u16(),
            Err(e) => {
                last = LinkFailure::Unreachable(e);
                continue;
            }
        };
        match status {
            200..=399 => return Ok(()),
            // Rate limits and server errors may pass; try again.
            429 | 500..=599 => last = LinkFailure::Status(status),
            _ => return Err(LinkFailure::Status(status)),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {

    /// Regression: a timeout read "failed: timeout: global".
    #[test]
    fn a_timeout_says_how_long_was_waited() {
        let why = LinkFailure::Unreachable(ureq::Error::Timeout(ureq::Timeout::Global));
        assert_eq!(why.to_string(), "no answer within 10 s (tried 3 times)");
        assert_eq!(LinkFailure::Status(404).to_string(), "HTTP 404");
    }
    use super::*;

    #[test]
    fn resolves_relative_links() {
        assert_eq!(resolve("/a/b/", "c/").as_deref(), Some("/a/b/c/"));
        assert_eq!(resolve("/a/b/", "../c").as_deref(), Some("/a/c"));
        assert_eq!(resolve("/a/", "/x%20y.jpg").as_deref(), Some("/x y.jpg"));
        assert_eq!(resolve("/a/", "../../x"), None);
    }

    #[test]
    fn classifies_links() {
        assert!(matches!(classify("https://e.org"), Target::External(_)));
        assert!(matches!(classify("mailto:a@e.org"), Target::Other));
        assert!(matches!(classify("/why-now/#x"), Target::Internal));
        assert!(matches!(classify("#x"), Target::Internal));
        assert!(matches!(classify("../x:y/"), Target::Internal));
        assert!(matches!(
            classify("data:image/png;base64,AAAA"),
            Target::Other
        ));
        assert!(matches!(classify("javascript:void(0)"), Target::Other));
        assert!(matches!(classify("tel:+15550100"), Target::Other));
        assert!(matches!(
            classify("//cdn.example.org/x.png"),
            Target::External(_)
        ));
    }

    /// A page at `url` whose body is `body`, its links gathered the way a
    /// render gathers them.
    fn page(url: &str, body: &str) -> PageLinks {
        let gathered = crate::markdown::links::gather(body, &Default::default());
        PageLinks {
            display: PathBuf::from("content/page.md"),
            url: url.to_string(),
            links: gathered
                .links
                .into_iter()
                .map(|l| Link {
                    dest: l.dest,
                    pos: Position::of_offset(body, l.offset),
                    kind: l.kind,
                })
                .collect(),
            anchors: gathered.anchors.into_iter().collect(),
            questions: Vec::new(),
        }
    }

    /// The published site: `pages`, plus the files and listings in `other`
    /// (the URLs `links::Recorder` records).
    fn site(pages: Vec<PageLinks>, other: &[&str]) -> SiteLinks {
        SiteLinks {
            articles: pages
                .iter()
                .map(|p| (p.url.clone(), p.anchors.clone()))
                .collect(),
            other: other.iter().map(|s| s.to_string()).collect(),
            intros: Vec::new(),
            sources: pages
                .iter()
                .map(|p| {
                    let key = crate::site::links::content_key(&p.display);
                    (key, p.url.clone())
                })
                .collect(),
            pages,
        }
    }

    /// [`page`], written in `display` (`content/…`).
    fn page_in(display: &str, url: &str, body: &str) -> PageLinks {
        PageLinks {
            display: PathBuf::from(display),
            ..page(url, body)
        }
    }

    /// Every problem of the site's pages: (line:col, message, hint).
    fn problems(site: &SiteLinks) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for page in &site.pages {
            for link in &page.links {
                if !matches!(classify(&link.dest), Target::Internal) {
                    continue;
                }
                if let Some(f) = broken(site, page, link) {
                    let d = f.at(Severity::Error, &page.display, link.pos);
                    out.push((
                        format!("{}:{}", d.line, d.col),
                        d.message,
                        d.hint.unwrap_or_default(),
                    ));
                }
            }
        }
        out
    }

    fn messages(site: &SiteLinks) -> Vec<String> {
        problems(site)
            .into_iter()
            .map(|(at, m, _)| format!("{at} {m}"))
            .collect()
    }

    #[test]
    fn raw_html_block_links_are_checked_against_published_urls() {
        // A bundle's files are published beside the page at its URL.
        let body = "<figure>\n<img src=\"chart.png\" alt=\"\">\n<a href=\"data.csv\">data</a>\n<img src=\"gone.png\">\n</figure>\n";
        let s = site(
            vec![page("/foo/", body)],
            &["/foo/chart.png", "/foo/data.csv"],
        );
        assert_eq!(
            messages(&s),
            ["4:6 broken link `gone.png` in `<img src>`: no file or page at `/foo/gone.png`"]
        );
    }

    #[test]
    fn inline_html_links_are_checked() {
        let body =
            "See <a href=\"report.html\">the report</a> and <a href=\"missing.html\">this</a>.\n";
        let s = site(vec![page("/foo/", body)], &["/foo/report.html"]);
        assert_eq!(
            messages(&s),
            [
                "1:49 broken link `missing.html` in `<a href>`: no file or page at `/foo/missing.html`"
            ]
        );
    }

    #[test]
    fn every_srcset_candidate_is_checked() {
        let body = "<img src=\"a.png\" srcset=\"a.png 1x, b.png 2x, data:image/png;base64,AA 3x, https://cdn.example.org/c.png 4x\">\n";
        let s = site(vec![page("/foo/", body)], &["/foo/a.png"]);
        assert_eq!(
            messages(&s),
            ["1:18 broken link `b.png` in `<img srcset>`: no file or page at `/foo/b.png`"]
        );
    }

    #[test]
    fn bundle_files_are_judged_at_the_page_url() {
        // `content/Some.Folder-1.2/report.html` is published beside its page
        // at `/some-folder-1-2/`, so the relative link works.
        let body = "[The report](report.html) and <a href=\"report.html#p2\">page 2</a>.\n";
        let s = site(
            vec![page("/some-folder-1-2/", body)],
            &["/some-folder-1-2/report.html"],
        );
        assert_eq!(messages(&s), Vec::<String>::new());
    }

    #[test]
    fn a_broken_relative_link_says_where_it_looked() {
        // Regression: a broken relative link to a file used to be told to
        // link to an article's URL, or "did you mean" the page itself.
        let s = site(vec![page("/foo/", "[The report](report.html).\n")], &[]);
        assert_eq!(
            problems(&s),
            [(
                "1:1".to_string(),
                "broken link `report.html`: no file or page at `/foo/report.html`".to_string(),
                "relative links resolve against the page's URL `/foo/`: a bundle's files are published beside the page at `/foo/…`, files in static/ at the site root".to_string(),
            )]
        );
    }

    #[test]
    fn a_file_published_elsewhere_is_named_in_the_hint() {
        let s = site(
            vec![page("/foo/", "[The report](report.html).\n")],
            &["/files/report.html", "/foo/other.html"],
        );
        let (_, _, hint) = &problems(&s)[0];
        assert_eq!(
            hint,
            "a file named `report.html` is published at `/files/report.html`: link to that URL"
        );
    }

    #[test]
    fn a_page_link_suggests_the_closest_article() {
        let s = site(
            vec![page("/a/", "[Why](/why-nwo/).\n"), page("/why-now/", "")],
            &[],
        );
        let (_, _, hint) = &problems(&s)[0];
        assert_eq!(hint, "did you mean `/why-now/`?");
    }

    #[test]
    fn a_link_to_a_listing_page_suggests_the_closest_listing_page() {
        // `/page/9/` is nearer `/page/2/` than any article.
        let s = site(
            vec![page_in("content/a.md", "/a/", "[Older](/page/9/).\n")],
            &["/", "/page/2/", "/a/"],
        );
        let (_, _, hint) = &problems(&s)[0];
        assert_eq!(hint, "did you mean `/page/2/`?");
    }

    #[test]
    fn a_link_to_a_markdown_file_names_its_page() {
        // Regression: the hint was the closest-spelled article URL
        // (`/links/`), not the page of the file the link names.
        let s = site(
            vec![
                page_in("content/links.md", "/links/", "[x](b.md).\n"),
                page_in("content/b.md", "/b/", ""),
                page_in(
                    "content/posts/c/index.md",
                    "/posts/c/",
                    "[b](../../b.md#why)\n",
                ),
            ],
            &[],
        );
        let hints: Vec<String> = problems(&s).into_iter().map(|(_, _, h)| h).collect();
        assert_eq!(
            hints,
            [
                "did you mean `/b/`? `content/b.md` is published there: link to the page's URL, not its Markdown file (or write `@/b.md`)",
                "did you mean `/b/#why`? `content/b.md` is published there: link to the page's URL, not its Markdown file (or write `@/b.md#why`)",
            ]
        );
    }

    #[test]
    fn mailto_links_and_email_autolinks_pass() {
        // Regression: `<security@example.org>` was reported as a broken
        // link to `/foo/security@example.org`.
        let body = "Write to <security@example.org>, [the desk](mailto:desk@example.org) or\n<a href=\"mailto:web@example.org\">the web team</a>.\n";
        let s = site(vec![page("/foo/", body)], &[]);
        assert_eq!(messages(&s), Vec::<String>::new());
    }

    #[test]
    fn an_address_without_mailto_is_told_to_add_it() {
        let s = site(vec![page("/foo/", "[Mail us](desk@example.org).\n")], &[]);
        let (_, _, hint) = &problems(&s)[0];
        assert_eq!(
            hint,
            "an e-mail address needs `mailto:`, e.g. `mailto:desk@example.org`"
        );
    }

    #[test]
    fn an_image_with_an_at_sign_is_not_taken_for_an_address() {
        // Regression: a missing `chart@2x.png` in a srcset was told it
        // needed `mailto:`.
        let s = site(
            vec![page(
                "/foo/",
                "<img src=\"a.png\" srcset=\"chart@2x.png 2x\" alt=\"\">\n",
            )],
            &["/foo/a.png"],
        );
        let (_, _, hint) = &problems(&s)[0];
        assert!(hint.starts_with("relative links resolve"), "{hint}");
    }

    #[test]
    fn raw_html_ids_and_a_names_are_anchors() {
        // Regression: anchors defined in raw HTML were reported as missing.
        let a = page(
            "/a/",
            "<a name=\"tool\"></a>\n\nText <span id=\"figure-3\">here</span>.\n\nSee [the tool](#tool), [figure 3](#figure-3), [B's table](/b/#table) and [nothing](/b/#nothing).\n",
        );
        let b = page(
            "/b/",
            "<table id=\"table\">\n<tr><td>1</td></tr>\n</table>\n",
        );
        let s = site(vec![a, b], &[]);
        assert_eq!(
            messages(&s),
            ["5:74 anchor `#nothing` does not exist on `/b/`"]
        );
    }

    #[test]
    fn raw_html_fragment_links_check_against_anchors() {
        let mut a = page(
            "/a/",
            "<a href=\"#why-now\">up</a> <a href=\"#why-not\">no</a>\n",
        );
        // A heading's id, as the render adds it.
        a.anchors.insert("why-now".to_string());
        let s = site(vec![a], &[]);
        let found = problems(&s);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "anchor `#why-not` does not exist on this page");
        assert_eq!(found[0].2, "did you mean `#why-now`?");
    }
}
