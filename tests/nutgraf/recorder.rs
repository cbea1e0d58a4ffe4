//! A local HTTP server that records every request it gets and answers
//! from a script: the stand-in for CDN purge APIs (Cloudflare, Fastly,
//! bunny.net), which have no local version. It proves the requests
//! nutgraf sends, their batching and retries, not that the live services
//! accept them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use http_body_util::BodyExt;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, headers, body.
pub type Answer = (u16, Vec<(&'static str, String)>, String);

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    /// Answers to give, in order; then `200 {"success":true}`.
    script: VecDeque<Answer>,
    /// Standing answers for paths starting with a prefix, checked before
    /// the script.
    routes: Vec<(String, Answer)>,
}

pub struct Recorder {
    pub port: u16,
    state: Arc<Mutex<State>>,
    _background: crate::s3::Background,
}

impl Recorder {
    pub fn start() -> Recorder {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let background = crate::s3::serve_in_process("recorder", move |socket| {
            let state = Arc::clone(&shared);
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let state = Arc::clone(&state);
                    async move {
                        let method = req.method().to_string();
                        let uri = req.uri().to_string();
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(n, v)| {
                                (
                                    n.as_str().to_ascii_lowercase(),
                                    v.to_str().unwrap_or("").to_string(),
                                )
                            })
                            .collect();
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                            .unwrap_or_default();
                        let (status, extra, text) = {
                            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                            s.requests.push(Recorded {
                                method,
                                uri,
                                headers,
                                body,
                            });
                            let uri = &s.requests[s.requests.len() - 1].uri;
                            match s.routes.iter().find(|(prefix, _)| uri.starts_with(prefix)) {
                                Some((_, answer)) => answer.clone(),
                                None => s.script.pop_front().unwrap_or_else(|| {
                                    (200, Vec::new(), r#"{"success":true}"#.to_string())
                                }),
                            }
                        };
                        let mut response = hyper::Response::builder().status(status);
                        for (name, value) in extra {
                            response = response.header(name, value);
                        }
                        response.body(http_body_util::Full::new(hyper::body::Bytes::from(text)))
                    }
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(socket), service);
            tokio::spawn(async move {
                let _ = connection.await;
            });
        });
        Recorder {
            port: background.port,
            state,
            _background: background,
        }
    }

    /// Answers the next requests with these, in order.
    pub fn script(&self, answers: Vec<Answer>) {
        self.lock().script.extend(answers);
    }

    /// Answers every request whose path starts with `prefix` with
    /// `answer`, ahead of the script.
    pub fn route(&self, prefix: &str, answer: Answer) {
        self.lock().routes.push((prefix.to_string(), answer));
    }

    /// The requests received so far, and forgets them.
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut self.lock().requests)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
