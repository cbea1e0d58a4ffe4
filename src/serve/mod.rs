//! `nutgraf serve`: builds the site into memory, serves it over HTTP with a
//! live-reload client injected into HTML responses, and brings it up to
//! date on every save with incremental passes ([`crate::site::memo`]).
//!
//! The browser learns about changes over Server-Sent Events on the same
//! port (`/__nutgraf/events`): which pages changed (the open page fetches
//! itself and morphs its DOM, keeping the scroll position), whether a
//! stylesheet changed (swapped in place), or the build error to show as an
//! overlay. A message goes out only after the whole pass is in place.

pub mod session;
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

use crate::error::Error;
use crate::output::Served;
use crate::serve::session::Session;

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
}

/// A message to the live-reload client.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Message {
    /// Pages (site paths, `/a/`) whose HTML changed; `css` when a
    /// stylesheet changed; `reload` when only a full reload will do.
    Update {
        pages: Vec<String>,
        css: bool,
        reload: bool,
    },
    /// The last pass failed; `text` is the diagnostics as printed.
    Error { text: String },
    /// No error (sent to a newly connected page).
    Ok,
}

struct Shared {
    files: crate::serve::session::SiteFiles,
    /// The current build error, for pages loaded while it stands.
    error: RwLock<Option<String>>,
    events: broadcast::Sender<String>,
}

impl Shared {
    fn set_error(&self, text: Option<String>) {
        *self.error.write().unwrap_or_else(|e| e.into_inner()) = text;
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
    let mut session = Session::new(&opts.root, opts.drafts);
    let (events, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        files: session.shared_files(),
        error: RwLock::default(),
        events,
    });
    // The watcher starts before the first pass, so a save during it is
    // not lost.
    let mut watcher =
        watch::SourceWatcher::new(&opts.root, opts.debounce, opts.poll).map_err(|e| {
            Error::failed(
                e.context("cannot watch the site's files"),
                "on network drives and some containers, `--poll` watches by polling instead",
            )
        })?;
    publish(&shared, &mut session, &[], true, None);

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
    eprintln!("Serving {} at {url} (Ctrl+C to stop)", opts.root.display());
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
        publish(
            &shared,
            &mut session,
            &batch.paths,
            everything,
            Some(&batch),
        );
    }
    Ok(())
}

/// Runs one pass and tells the browsers. The terminal gets each error once.
fn publish(
    shared: &Shared,
    session: &mut Session,
    dirty: &[PathBuf],
    everything: bool,
    batch: Option<&watch::Batch>,
) {
    match session.rebuild(dirty, everything) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("{w}");
            }
            let was_error = shared.error.read().map(|e| e.is_some()).unwrap_or(false);
            shared.set_error(None);
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
            // A changed script or other static file: only a reload shows it.
            let reload = batch.is_some_and(|b| b.kinds.contains(&ChangeKind::Config))
                || static_paths
                    .iter()
                    .any(|p| p.extension().is_none_or(|e| e != "css") && !is_image(p));
            eprintln!(
                "Rebuilt in {} ms: {} files rendered, {} changed{}",
                report.elapsed.as_millis(),
                report.rendered.len(),
                report.changed.len(),
                if batch.is_none() {
                    format!(" ({} articles)", report.pages)
                } else {
                    String::new()
                }
            );
            if batch.is_some() || was_error {
                shared.send(&Message::Update { pages, css, reload });
            }
        }
        Err(e) => {
            let text = e.report("build");
            eprintln!("{}", text.trim_end());
            eprintln!("The last good version is still served; fix the file and save.");
            shared.set_error(Some(text.clone()));
            shared.send(&Message::Error { text });
        }
    }
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
    let first = match shared.error.read().ok().and_then(|e| e.clone()) {
        Some(text) => Message::Error { text },
        None => Message::Ok,
    };
    let first = serde_json::to_string(&first).unwrap_or_default();
    let updates = tokio_stream::wrappers::BroadcastStream::new(shared.events.subscribe())
        // A client that fell behind misses messages; a reload catches up.
        .map(|m| {
            m.unwrap_or_else(|_| {
                r#"{"type":"update","pages":[],"css":false,"reload":true}"#.to_string()
            })
        });
    let stream = tokio_stream::once(first)
        .chain(updates)
        .map(|data| Ok::<_, Infallible>(Event::default().data(data)));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Serves a file of the last good pass; HTML gets the live-reload client.
async fn file(State(shared): State<Arc<Shared>>, request: Request) -> Response {
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
    enum Lookup {
        File(Served),
        Redirect,
        Missing(Option<Served>),
    }
    // Look up under a short read lock; respond after releasing it.
    let found = {
        let files = shared.files.read().unwrap_or_else(|e| e.into_inner());
        if let Some(served) = files.get(&wanted) {
            Lookup::File(served.clone())
        } else if files.contains_key(&format!("{rel}/index.html")) {
            Lookup::Redirect
        } else {
            Lookup::Missing(files.get("404.html").cloned())
        }
    };
    match found {
        Lookup::File(served) => respond(&served, &wanted, StatusCode::OK, request).await,
        // `/a` → `/a/` when that page exists, as a static host would.
        Lookup::Redirect => {
            let location = format!("{raw}/");
            (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response()
        }
        Lookup::Missing(Some(served)) => {
            respond(&served, "404.html", StatusCode::NOT_FOUND, request).await
        }
        Lookup::Missing(None) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn respond(served: &Served, name: &str, status: StatusCode, request: Request) -> Response {
    let mut response = match served {
        Served::Bytes(bytes) => {
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let body = if mime.subtype() == mime_guess::mime::HTML {
                Body::from(inject(bytes))
            } else {
                Body::from(bytes.to_vec())
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

    #[test]
    fn site_paths() {
        assert_eq!(site_path("index.html"), "/");
        assert_eq!(site_path("a/b/index.html"), "/a/b/");
        assert_eq!(site_path("404.html"), "/404.html");
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
}
