//! A real S3-compatible server for the deploy tests and the deploy
//! benchmark: s3s-fs used as a library, served in-process on 127.0.0.1 (a
//! port the OS picks) on a thread of its own until dropped, counting the
//! requests it answers by kind. The benchmark includes this file by path.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tempfile::TempDir;
use tokio::sync::oneshot;

pub const ACCESS_KEY: &str = "nutgraf-test";
pub const SECRET_KEY: &str = "nutgraf-test-secret";
pub const BUCKET: &str = "site";

/// An s3s-fs server with one empty bucket, served in-process until dropped.
pub struct S3 {
    pub port: u16,
    /// s3s-fs's folder: each bucket a folder, each object a file at its key.
    pub data: TempDir,
    requests: Arc<Counters>,
    _background: Background,
}

/// Requests the server answered, by kind, as S3 bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requests {
    pub list: u64,
    pub get: u64,
    pub head: u64,
    pub put: u64,
    pub delete: u64,
    pub other: u64,
}

impl std::ops::Sub for Requests {
    type Output = Requests;
    fn sub(self, before: Requests) -> Requests {
        Requests {
            list: self.list - before.list,
            get: self.get - before.get,
            head: self.head - before.head,
            put: self.put - before.put,
            delete: self.delete - before.delete,
            other: self.other - before.other,
        }
    }
}

impl std::fmt::Display for Requests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} LIST, {} GET, {} HEAD, {} PUT, {} DELETE, {} other",
            self.list, self.get, self.head, self.put, self.delete, self.other
        )
    }
}

#[derive(Debug, Default)]
struct Counters([AtomicU64; 6]);

impl Counters {
    /// Counts one request: a GET with `list-type` is a ListObjectsV2, a
    /// POST with `delete` a bulk DeleteObjects.
    fn count<B>(&self, req: &hyper::Request<B>) {
        let query = req.uri().query().unwrap_or("");
        let has = |name: &str| {
            query
                .split('&')
                .any(|p| p == name || p.starts_with(&format!("{name}=")))
        };
        let slot = match req.method().as_str() {
            "GET" if has("list-type") => 0,
            "GET" => 1,
            "HEAD" => 2,
            "PUT" => 3,
            "DELETE" => 4,
            "POST" if has("delete") => 4,
            _ => 5,
        };
        self.0[slot].fetch_add(1, Ordering::SeqCst);
    }

    fn snapshot(&self) -> Requests {
        let n = |i: usize| self.0[i].load(Ordering::SeqCst);
        Requests {
            list: n(0),
            get: n(1),
            head: n(2),
            put: n(3),
            delete: n(4),
            other: n(5),
        }
    }
}

impl S3 {
    pub fn start() -> S3 {
        let data = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        // s3s-fs serves each folder of its root as a bucket.
        std::fs::create_dir(data.path().join(BUCKET)).unwrap_or_else(|e| panic!("{e}"));
        let fs = s3s_fs::FileSystem::new(data.path()).unwrap_or_else(|e| panic!("s3s-fs: {e:?}"));
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let requests = Arc::new(Counters::default());

        let counters = Arc::clone(&requests);
        let background = serve_in_process("s3s-fs", move |socket| {
            let service = service.clone();
            let counters = Arc::clone(&counters);
            // The counting layer: every request passes here on its way to
            // s3s, and nothing else changes.
            let counted = hyper::service::service_fn(move |req| {
                counters.count(&req);
                hyper::service::Service::call(&service, req)
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(socket), counted);
            tokio::spawn(async move {
                let _ = connection.await;
            });
        });
        S3 {
            port: background.port,
            data,
            requests,
            _background: background,
        }
    }

    /// Requests answered so far.
    pub fn requests(&self) -> Requests {
        self.requests.snapshot()
    }
}

/// A server on 127.0.0.1 (a port the OS picks) on a thread of its own,
/// until dropped: `on_connection` is called, inside its tokio runtime, with
/// each accepted connection, and spawns what serves it.
pub struct Background {
    pub port: u16,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

pub fn serve_in_process(
    name: &str,
    on_connection: impl Fn(tokio::net::TcpStream) + Send + 'static,
) -> Background {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    // Bound here, before the test goes on: the port is known and already
    // accepting, with no window for another process to take it.
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .unwrap_or_else(|e| panic!("bind 127.0.0.1:0: {e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let (stop, mut stopped) = oneshot::channel::<()>();
    let label = name.to_string();
    let thread = std::thread::Builder::new()
        .name(format!("{name}:{port}"))
        .spawn(move || {
            runtime.block_on(async move {
                loop {
                    let socket = tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => match accepted {
                            Ok((socket, _)) => socket,
                            Err(e) => {
                                eprintln!("{label}: accept: {e}");
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        },
                    };
                    on_connection(socket);
                }
            });
            // Open connections and file writes still under way end here.
            runtime.shutdown_timeout(Duration::from_secs(5));
        })
        .unwrap_or_else(|e| panic!("start the {name} thread: {e}"));
    Background {
        port,
        stop: Some(stop),
        thread: Some(thread),
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
