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
use crate::site::links::{PageLinks, Recorder, SiteLinks};
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
    /// "check: 0 problems in 3 articles; 10 internal links checked, …"
    pub summary: String,
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
    for page in &site.pages {
        for link in &page.links {
            match classify(&link.dest) {
                Target::External(url) => external
                    .entry(url)
                    .or_default()
                    .push((page.display.clone(), link.pos)),
                Target::Other => {}
                Target::Internal => {
                    internal += 1;
                    if let Some(finding) = broken(&site, page, &link.dest) {
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
    let report = CheckReport {
        pages: rendered.pages,
        internal_links: internal,
        external_links,
        summary: summary(
            diagnostics.len(),
            rendered.pages,
            internal,
            external_links,
            opts.external,
        ),
    };
    if diagnostics.is_empty() {
        Ok(report)
    } else {
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
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let external = if checked_external {
        format!("{} checked", plural(external, "external link"))
    } else {
        format!(
            "{} not checked (--external checks them)",
            plural(external, "external link")
        )
    };
    format!(
        "check: {} in {}; {internal} internal links checked, {external}",
        plural(problems, "problem"),
        plural(pages, "article"),
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
fn broken(site: &SiteLinks, page: &PageLinks, dest: &str) -> Option<Finding> {
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
            Finding::new(format!("link `{dest}` climbs above the site root"))
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
    let urls: Vec<&str> = site.articles.keys().map(String::as_str).collect();
    let hint = match did_you_mean(&resolved, &urls) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "link to an article's URL (e.g. `/why-now/`) or to a file in static/".to_string(),
    };
    Some(
        Finding::new(format!(
            "broken link `{dest}`: nothing is published at `{resolved}`"
        ))
        .with_hint(hint),
    )
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
        None => "heading ids are the heading text in lower case with dashes, e.g. `#why-now`"
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
    }
}
