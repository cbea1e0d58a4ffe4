//! `nutgraf serve`: builds the site into memory, serves it over HTTP with a
//! live-reload client injected into HTML responses, and brings it up to
//! date on every save with incremental passes ([`crate::site::memo`]).
//!
//! The browser learns about changes over Server-Sent Events on the same
//! port (`/__nutgraf/events`): which pages changed (the open page fetches
//! itself and morphs its DOM, keeping the scroll position), whether a
//! stylesheet changed (swapped in place), or the build error to show as an
//! overlay. A message goes out only after the whole pass is in place.
//!
//! Until a pass has built, there is no site to serve: every request for a
//! page gets a page carrying the error overlay and the client instead, so
//! the browser shows what is wrong and reloads into the site once it builds.

mod overlay;
pub mod session;
mod warnings;
mod watch;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tower::ServiceExt;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::output::Served;
use crate::serve::overlay::Behind;
use crate::serve::session::Session;
use crate::serve::warnings::WarningLog;

pub use watch::{ChangeKind, classify};

const LIVE_JS: &str = include_str!("live.js");
const LIVE_SCRIPT: &str = "<script src=\"/__nutgraf/live.js\"></script>";

/// What `nutgraf serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub interface: IpAddr,
    pub port: u16,
    /// Open the site in the default browser once it is up.
    pub open: bool,
    /// Show drafts, scheduled articles and image slots (the default).
    pub drafts: bool,
    /// How long the watcher waits for a burst of events to end.
    pub debounce: Duration,
    /// Poll the file system instead of using native events.
    pub poll: bool,
    /// Send the last focused tab to the article a save changed.
    pub follow: bool,
}

/// A message to the live-reload client.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Message {
    /// Pages (site paths, `/a/`) whose HTML changed; `css` when a
    /// stylesheet changed; `reload` when only a full reload will do;
    /// `follow`, the article the writer saved, for the last focused tab
    /// to go to (`None` with `--no-follow`).
    Update {
        pages: Vec<String>,
        css: bool,
        reload: bool,
        follow: Option<String>,
    },
    /// The last pass failed: `text` is its errors as printed, `html` the
    /// overlay showing them, for the client to put in place.
    Error { text: String, html: String },
    /// No error (sent to a newly connected page).
    Ok,
}

/// What the last pass left for the browsers.
#[derive(Debug, Clone)]
enum Status {
    /// No pass has finished (the server only starts after the first).
    Starting,
    /// The last pass built; its site is served.
    Built,
    /// The last pass failed: `text` is its errors, for the overlay, and
    /// `behind` says whether an earlier pass left a site to serve.
    Failed { text: String, behind: Behind },
}

impl Status {
    /// What a failing pass after this one leaves under the overlay.
    fn left_served(&self) -> Behind {
        match self {
            Status::Starting => Behind::Nothing,
            Status::Built => Behind::LastGood,
            Status::Failed { behind, .. } => *behind,
        }
    }

    /// The message a newly connected page gets first.
    fn message(&self) -> Message {
        match self {
            Status::Starting | Status::Built => Message::Ok,
            Status::Failed { text, behind } => Message::Error {
                text: text.clone(),
                html: overlay::render(text, *behind),
            },
        }
    }
}

struct Shared {
    files: crate::serve::session::SiteFiles,
    search: Arc<crate::search::Live>,
    status: RwLock<Status>,
    events: broadcast::Sender<String>,
}

impl Shared {
    fn status(&self) -> Status {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets the status; the one it replaces.
    fn set_status(&self, status: Status) -> Status {
        std::mem::replace(
            &mut *self.status.write().unwrap_or_else(|e| e.into_inner()),
            status,
        )
    }

    fn send(&self, message: &Message) {
        if let Ok(json) = serde_json::to_string(message) {
            // No receiver just means no browser is open.
            let _ignored = self.events.send(json);
        }
    }
}

/// Runs until interrupted.
pub fn serve(opts: &ServeOptions) -> Result<(), Error> {
    // Watcher events carry absolute paths; `--root .` must match them.
    let root = opts.root.canonicalize().map_err(|e| {
        Error::usage(
            format!("cannot open the site folder `{}`: {e}", opts.root.display()),
            "run serve in the folder holding nutgraf.toml, or pass `--root DIR`",
        )
    })?;
    let opts = &ServeOptions {
        root,
        ..opts.clone()
    };
    let session = Session::new(&opts.root, opts.drafts);
    let (events, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        files: session.shared_files(),
        search: session.shared_search(),
        status: RwLock::new(Status::Starting),
        events,
    });
    let mut passes = Passes {
        session,
        shared: shared.clone(),
        warnings: WarningLog::default(),
        follow: opts.follow,
    };
    // The watcher starts before the first pass, so a save during it is
    // not lost.
    let mut watcher =
        watch::SourceWatcher::new(&opts.root, opts.debounce, opts.poll).map_err(|e| {
            Error::failed(
                e.context("cannot watch the site's files"),
                "on network drives and some containers, `--poll` watches by polling instead",
            )
        })?;
    passes.publish(&[], true, None);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::from(anyhow::Error::from(e).context("cannot start the server")))?;
    let addr = SocketAddr::new(opts.interface, opts.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| {
            Error::usage(
                format!("cannot listen on {addr}: {e}"),
                "pick another port with `--port`, or stop the program using it",
            )
        })?;
    let url = format!("http://{}/", listener.local_addr().unwrap_or(addr));
    eprintln!(
        "Serving {} at {url} (Ctrl+C to stop)",
        crate::paths::shown(&opts.root).display()
    );
    runtime.spawn(axum::serve(listener, router(shared.clone())).into_future());
    if opts.open {
        open_browser(&url);
    }

    while let Some(batch) = watcher.next() {
        // A source folder deleted and created again needs a new watch
        // (only then: adding a recursive watch walks the whole folder).
        let folder_event = batch.paths.iter().any(|p| {
            p.parent() == Some(opts.root.as_path())
                && watch::WATCHED_DIRS
                    .iter()
                    .any(|d| p.file_name() == Some(std::ffi::OsStr::new(d)))
        });
        if folder_event || batch.rescan {
            watcher.watch_dirs(&opts.root);
        }
        let everything = batch.rescan
            || batch.kinds.iter().any(|k| {
                matches!(
                    k,
                    ChangeKind::ContentAsset | ChangeKind::Config | ChangeKind::Theme
                )
            })
            || (batch.kinds.contains(&ChangeKind::Static)
                && batch.paths.iter().any(|p| is_image(p)));
        passes.publish(&batch.paths, everything, Some(&batch));
    }
    Ok(())
}

/// The serve loop's state between passes.
struct Passes {
    session: Session,
    shared: Arc<Shared>,
    /// The warnings the terminal has shown, so a pass prints only new ones.
    warnings: WarningLog,
    /// `--no-follow` not given.
    follow: bool,
}

impl Passes {
    /// Runs one pass and tells the terminal and the browsers. The terminal
    /// gets every error, and only the warnings that are new or changed.
    fn publish(&mut self, dirty: &[PathBuf], everything: bool, batch: Option<&watch::Batch>) {
        let shared = &self.shared;
        match self.session.rebuild(dirty, everything) {
            Ok(report) => {
                let digest = self.warnings.complete(&report.warnings);
                for w in &digest.new {
                    eprintln!("{w}\n");
                }
                let previous = shared.set_status(Status::Built);
                let mut pages: Vec<String> = report
                    .changed
                    .iter()
                    .filter(|f| f.ends_with(".html"))
                    .map(|f| site_path(f))
                    .collect();
                pages.dedup();
                let static_paths: Vec<&PathBuf> = batch
                    .map(|b| {
                        b.paths
                            .iter()
                            // a folder appearing says nothing about its files
                            .filter(|p| classify_is(p, b, ChangeKind::Static) && !p.is_dir())
                            .collect()
                    })
                    .unwrap_or_default();
                let css = report.changed.iter().any(|f| f.ends_with(".css"))
                    || static_paths
                        .iter()
                        .any(|p| p.extension().is_some_and(|e| e == "css"));
                // A changed script or other static file: only a reload
                // shows it; so does the first build after none (the open
                // page is the error page, not an older version of the page).
                let reload = batch.is_some_and(|b| b.kinds.contains(&ChangeKind::Config))
                    || static_paths
                        .iter()
                        .any(|p| p.extension().is_none_or(|e| e != "css") && !is_image(p))
                    || matches!(
                        previous,
                        Status::Failed {
                            behind: Behind::Nothing,
                            ..
                        }
                    );
                eprintln!(
                    "Rebuilt in {} ms: {} rendered, {} changed{}{}",
                    report.elapsed.as_millis(),
                    crate::error::plural(report.rendered.len(), "file"),
                    report.changed.len(),
                    if batch.is_none() {
                        format!(" ({})", crate::error::plural(report.pages, "article"))
                    } else {
                        String::new()
                    },
                    digest
                        .summary()
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default(),
                );
                let follow = match batch {
                    Some(b) if self.follow => self.session.saved_article(&b.paths, &pages),
                    _ => None,
                };
                if batch.is_some() || matches!(previous, Status::Failed { .. }) {
                    shared.send(&Message::Update {
                        pages,
                        css,
                        reload,
                        follow,
                    });
                }
            }
            Err(e) => {
                let behind = shared.status().left_served();
                let failure = describe_failure(&e, &mut self.warnings);
                eprintln!("{}", failure.terminal.trim_end());
                eprintln!(
                    "{}",
                    match behind {
                        Behind::LastGood =>
                            "The last good version is still served; fix the file and save.",
                        Behind::Nothing =>
                            "Nothing has built yet: every page shows this error until the site builds; fix the file and save.",
                    }
                );
                let status = Status::Failed {
                    text: failure.overlay,
                    behind,
                };
                // Status first: a page connecting in between gets the error.
                let message = status.message();
                shared.set_status(status);
                shared.send(&message);
            }
        }
    }
}

/// What a failed pass shows: in the terminal and over the page.
#[derive(Debug, PartialEq, Eq)]
struct Failure {
    /// Every error, the warnings that are new or changed, and the counts.
    terminal: String,
    /// The errors only: warnings would bury them; the terminal has them.
    overlay: String,
}

/// Errors in full, like [`Error::report`], but warnings only when new to
/// the writer (see [`WarningLog::partial`]).
fn describe_failure(e: &Error, warnings: &mut WarningLog) -> Failure {
    let diagnostics = e.diagnostics();
    if diagnostics.is_empty() {
        let text = e.report("build");
        return Failure {
            terminal: text.clone(),
            overlay: text,
        };
    }
    let (errors, rest): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        diagnostics.iter().partition(|d| d.is_error());
    let digest = warnings.partial(rest);
    let mut shown = String::new();
    for d in &errors {
        shown.push_str(&format!("{d}\n\n"));
    }
    let failed = format!(
        "error: build failed: {} error{}",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    let overlay = match digest.total {
        0 => format!("{shown}{failed}\n"),
        1 => format!("{shown}{failed} (and 1 warning, in the terminal)\n"),
        n => format!("{shown}{failed} (and {n} warnings, in the terminal)\n"),
    };
    for w in &digest.new {
        shown.push_str(&format!("{w}\n\n"));
    }
    let terminal = match digest.summary() {
        Some(summary) => format!("{shown}{failed}, {summary}\n"),
        None => format!("{shown}{failed}\n"),
    };
    Failure { terminal, overlay }
}

fn classify_is(path: &std::path::Path, batch: &watch::Batch, kind: ChangeKind) -> bool {
    batch.kinds.contains(&kind)
        && path
            .components()
            .any(|c| c.as_os_str() == crate::paths::STATIC_DIR)
}

fn is_image(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "jpg" | "jpeg" | "png" | "webp" | "gif" | "avif" | "svg"
        )
    })
}

/// `a/b/index.html` → `/a/b/`; `index.html` → `/`; `404.html` → `/404.html`.
fn site_path(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{file}"),
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__nutgraf/live.js", get(live_js))
        .route("/__nutgraf/events", get(events))
        .fallback(file)
        .with_state(shared)
}

async fn live_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_JS,
    )
        .into_response()
}

async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let first = serde_json::to_string(&shared.status().message()).unwrap_or_default();
    let updates = tokio_stream::wrappers::BroadcastStream::new(shared.events.subscribe())
        // A client that fell behind misses messages; a reload catches up.
        .map(|m| {
            m.unwrap_or_else(|_| {
                r#"{"type":"update","pages":[],"css":false,"reload":true,"follow":null}"#
                    .to_string()
            })
        });
    let stream = tokio_stream::once(first)
        .chain(updates)
        .map(|data| Ok::<_, Infallible>(Event::default().data(data)));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Serves a file of the last good pass; HTML gets the live-reload client.
/// Before any pass built, a page gets the error overlay instead.
async fn file(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    match shared.status() {
        Status::Built
        | Status::Failed {
            behind: Behind::LastGood,
            ..
        } => {}
        Status::Failed {
            text,
            behind: Behind::Nothing,
        } => return not_built(&text, &request),
        Status::Starting => return not_built("", &request),
    }
    let raw = request.uri().path().to_string();
    let path = percent_encoding::percent_decode_str(&raw)
        .decode_utf8_lossy()
        .into_owned();
    let rel = path.trim_start_matches('/');
    let wanted = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(name) = wanted
        .strip_prefix(crate::search::DIR)
        .and_then(|n| n.strip_prefix('/'))
        .filter(|_| shared.search.enabled())
    {
        return search_file(shared.clone(), name.to_string()).await;
    }
    enum Lookup {
        File(Served),
        Redirect,
        Missing(Option<(Served, String)>),
    }
    // Look up under a short read lock; respond after releasing it.
    let found = {
        let files = shared.files.read().unwrap_or_else(|e| e.into_inner());
        if let Some(served) = files.get(&wanted) {
            Lookup::File(served.clone())
        } else if files.contains_key(&format!("{rel}/index.html")) {
            Lookup::Redirect
        } else {
            // The nearest 404 page up the path: a language's own
            // (`/ko/404.html`), else the site's, as Cloudflare Pages does.
            let page = not_found_pages(rel).find_map(|p| files.get(&p).map(|s| (s.clone(), p)));
            Lookup::Missing(page)
        }
    };
    match found {
        Lookup::File(served) => respond(&served, &wanted, StatusCode::OK, request).await,
        // `/a` → `/a/` when that page exists, as a static host would.
        Lookup::Redirect => {
            let location = slash_location(&raw);
            (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response()
        }
        Lookup::Missing(Some((served, name))) => {
            respond(&served, &name, StatusCode::NOT_FOUND, request).await
        }
        Lookup::Missing(None) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The 404 pages that may answer for the missing `rel`, nearest first:
/// `a/b/c` → `a/b/404.html`, `a/404.html`, `404.html`.
fn not_found_pages(rel: &str) -> impl Iterator<Item = String> + '_ {
    let dirs = rel
        .trim_end_matches('/')
        .match_indices('/')
        .map(|(i, _)| &rel[..i]);
    let mut near: Vec<String> = dirs.map(|d| format!("{d}/404.html")).collect();
    near.reverse();
    near.into_iter()
        .chain(std::iter::once("404.html".to_string()))
}

/// A file of the search index, which is built (off the async threads)
/// when the records changed since the last one: the first search after
/// an edit waits for it, a save never does.
async fn search_file(shared: Arc<Shared>, name: String) -> Response {
    #[cfg(feature = "search")]
    {
        let files = tokio::task::spawn_blocking(move || shared.search.files()).await;
        let files = match files {
            Ok(Ok(Some(files))) => files,
            Ok(Ok(None)) => return (StatusCode::NOT_FOUND, "search is off").into_response(),
            Ok(Err(e)) => {
                eprintln!("error: the search index could not be built: {e:#}");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the search index could not be built: {e:#}"),
                )
                    .into_response();
            }
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        };
        let Some(bytes) = files.get(&name) else {
            return (StatusCode::NOT_FOUND, "not in the search index").into_response();
        };
        let mime = mime_guess::from_path(&name).first_or_octet_stream();
        let mut response = Response::new(Body::from(bytes.clone()));
        if let Ok(v) = HeaderValue::from_str(&content_type(&mime)) {
            response.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
    #[cfg(not(feature = "search"))]
    {
        drop((shared, name));
        (
            StatusCode::NOT_FOUND,
            "this nutgraf was built without search",
        )
            .into_response()
    }
}

/// Where `/a` redirects: `/a/`, always one leading slash. A browser reads
/// `//host/x/` (and `/\host/x/`, since it treats `\` as `/`) as another
/// host, so a request for `//page` must not send it to `//page/`.
fn slash_location(raw_path: &str) -> String {
    let rest = raw_path.trim_start_matches(['/', '\\']);
    format!("/{rest}/")
}

/// The answer to any request while no pass has built: `503 Service
/// Unavailable` (there is no site yet, and a script polling the server
/// should not take the page for one), with the overlay page for a request
/// that wants HTML, which browsers render whatever the status.
fn not_built(text: &str, request: &Request) -> Response {
    let (content_type, body) = if wants_html(request) {
        ("text/html; charset=utf-8", overlay::page(text))
    } else {
        (
            "text/plain; charset=utf-8",
            "The site has not built yet: see the terminal running `nutgraf serve`.\n".to_string(),
        )
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::RETRY_AFTER, "1"),
        ],
        body,
    )
        .into_response()
}

/// A request for a page: a path ending in `/` or `.html` or with no
/// extension, or a browser saying it accepts HTML.
fn wants_html(request: &Request) -> bool {
    let path = request.uri().path();
    let last = path.rsplit('/').next().unwrap_or("");
    let accepts = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"));
    last.is_empty() || last.ends_with(".html") || !last.contains('.') || accepts
}

async fn respond(served: &Served, name: &str, status: StatusCode, request: Request) -> Response {
    let mut response = match served {
        Served::Bytes(packed) => {
            let bytes = match packed.unpack() {
                Ok(bytes) => bytes,
                Err(e) => {
                    return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response();
                }
            };
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let body = if mime.subtype() == mime_guess::mime::HTML {
                Body::from(inject(&bytes))
            } else {
                Body::from(bytes)
            };
            let mut r = Response::new(body);
            if let Ok(v) = HeaderValue::from_str(&content_type(&mime)) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        Served::File(path) | Served::Image(path) => {
            match tower_http::services::ServeFile::new(path)
                .oneshot(request)
                .await
            {
                Ok(r) => r.map(Body::new),
                Err(never) => match never {},
            }
        }
    };
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn content_type(mime: &mime_guess::Mime) -> String {
    if mime.type_() == mime_guess::mime::TEXT || mime.subtype() == mime_guess::mime::XML {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// The page with the live-reload client before `</body>` (or at the end).
fn inject(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + LIVE_SCRIPT.len());
    out.push_str(&text[..at]);
    out.push_str(LIVE_SCRIPT);
    out.push_str(&text[at..]);
    out.into_bytes()
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("note: could not open a browser ({opener}: {e}); open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Position;

    /// Regression: `//page` was redirected to `//page/`, which a browser
    /// reads as the host `page`.
    #[test]
    fn redirects_never_go_protocol_relative() {
        assert_eq!(slash_location("/a"), "/a/");
        assert_eq!(slash_location("/a/b"), "/a/b/");
        assert_eq!(slash_location("//page"), "/page/");
        assert_eq!(slash_location("///evil.example/x"), "/evil.example/x/");
        assert_eq!(slash_location("/\\evil.example"), "/evil.example/");
        assert_eq!(slash_location("/%2Fpage"), "/%2Fpage/");
    }

    #[test]
    fn site_paths() {
        assert_eq!(site_path("index.html"), "/");
        assert_eq!(site_path("a/b/index.html"), "/a/b/");
        assert_eq!(site_path("404.html"), "/404.html");
        let near: Vec<String> = not_found_pages("ko/a/b").collect();
        assert_eq!(near, ["ko/a/404.html", "ko/404.html", "404.html"]);
        assert_eq!(not_found_pages("x").collect::<Vec<_>>(), ["404.html"]);
        assert_eq!(site_path("x-index.html"), "/x-index.html");
    }

    #[test]
    fn the_client_goes_before_the_closing_body_tag() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>")).unwrap_or_default();
        assert_eq!(
            out,
            format!("<html><body><p>x</p>{LIVE_SCRIPT}</body></html>")
        );
        let out = String::from_utf8(inject(b"<p>fragment")).unwrap_or_default();
        assert_eq!(out, format!("<p>fragment{LIVE_SCRIPT}"));
    }

    fn request(path: &str, accept: Option<&str>) -> Request {
        let mut builder = axum::http::Request::builder().uri(path);
        if let Some(accept) = accept {
            builder = builder.header(header::ACCEPT, accept);
        }
        builder
            .body(Body::empty())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn pages_want_html_and_assets_do_not() {
        for page in ["/", "/a/", "/a", "/a/index.html", "/404.html"] {
            assert!(wants_html(&request(page, None)), "{page}");
        }
        for asset in ["/style.css", "/img/a.jpg", "/feed.xml", "/a/b.js"] {
            assert!(!wants_html(&request(asset, None)), "{asset}");
        }
        // What a browser sends when it navigates, whatever the path.
        let navigation = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(wants_html(&request("/v1.2", Some(navigation))));
        assert!(!wants_html(&request("/v1.2", Some("text/css,*/*;q=0.1"))));
    }

    fn site_error() -> Error {
        Error::Site(vec![
            Diagnostic::warning("content/a.md", Position { line: 8, col: 1 }, "no alt")
                .with_hint("describe the photo"),
            Diagnostic::error("content/b.md", Position { line: 3, col: 8 }, "invalid TOML")
                .with_hint("check quoting"),
            Diagnostic::warning("content/c.md", Position { line: 2, col: 1 }, "no credit"),
        ])
    }

    #[test]
    fn a_failure_prints_errors_in_full_and_only_new_warnings() {
        let e = site_error();
        let mut log = WarningLog::default();
        // The writer has seen a.md's warning already.
        log.complete(&e.diagnostics()[..1]);
        let failure = describe_failure(&e, &mut log);
        assert_eq!(
            failure.terminal,
            "error: invalid TOML\n --> content/b.md:3:8\n  = help: check quoting\n\n\
             warning: no credit\n --> content/c.md:2:1\n\n\
             error: build failed: 1 error, \
             2 warnings (1 new shown; 1 unchanged, not repeated)\n"
        );
        // The error is never dropped, even when it was printed last time.
        let again = describe_failure(&e, &mut log);
        assert!(
            again
                .terminal
                .starts_with("error: invalid TOML\n --> content/b.md:3:8\n"),
            "{}",
            again.terminal
        );
        assert!(!again.terminal.contains("no credit"), "{}", again.terminal);
    }

    #[test]
    fn the_overlay_shows_errors_not_warnings() {
        let failure = describe_failure(&site_error(), &mut WarningLog::default());
        assert_eq!(
            failure.overlay,
            "error: invalid TOML\n --> content/b.md:3:8\n  = help: check quoting\n\n\
             error: build failed: 1 error (and 2 warnings, in the terminal)\n"
        );
    }

    #[test]
    fn a_failure_without_a_place_is_reported_as_is() {
        let e = Error::usage("cannot read the theme", "reinstall it");
        let failure = describe_failure(&e, &mut WarningLog::default());
        assert_eq!(failure.terminal, e.report("build"));
        assert_eq!(failure.overlay, e.report("build"));
    }

    #[test]
    fn a_page_opened_before_anything_built_gets_the_error_first() {
        let status = Status::Failed {
            text: "error: broken\n --> content/a.md:3:8\n".into(),
            behind: Behind::Nothing,
        };
        let Message::Error { text, html } = status.message() else {
            panic!("expected an error message");
        };
        assert!(text.contains("content/a.md:3:8"));
        assert!(html.contains("has not built yet"), "{html}");
        assert!(matches!(Status::Built.message(), Message::Ok));
    }

    #[test]
    fn only_a_pass_that_built_leaves_a_site_to_serve() {
        assert_eq!(Status::Starting.left_served(), Behind::Nothing);
        assert_eq!(Status::Built.left_served(), Behind::LastGood);
        // A failure keeps what the one before it left.
        for behind in [Behind::Nothing, Behind::LastGood] {
            let failed = Status::Failed {
                text: String::new(),
                behind,
            };
            assert_eq!(failed.left_served(), behind);
        }
    }

    #[test]
    fn the_client_knows_the_overlay_and_placeholder_names() {
        assert!(LIVE_JS.contains(&format!("\"{}\"", overlay::ID)));
        assert!(LIVE_JS.contains(&format!("\"{}\"", overlay::PLACEHOLDER_ATTR)));
    }
}
