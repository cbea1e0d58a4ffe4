//! Purging a CDN after a deploy: the requests each provider's API takes
//! to forget the URLs a deploy changed in place, and sending them with
//! retries. Built to these API documents (read December 2026):
//!
//! - Cloudflare, "Purge Cached Content" (API v4,
//!   `POST /zones/{zone_id}/purge_cache`): `{"files": [...]}` with at most
//!   30 URLs a request (the limit on every plan), or
//!   `{"purge_everything": true}`; `Authorization: Bearer <token>`.
//! - Fastly, "Purging" (`POST /purge/{host}/{path}` for one URL,
//!   `POST /service/{service_id}/purge` with `{"surrogate_keys": [...]}`
//!   for up to 256 keys, `POST /service/{service_id}/purge_all` for
//!   everything); `Fastly-Key: <token>`.
//! - bunny.net, "Purge URL" (`POST /purge?url=<url>`, a `*` at the end of
//!   the URL for a whole prefix) and "Purge Pull Zone Cache"
//!   (`POST /pullzone/{id}/purgeCache`); `AccessKey: <key>`.
//!
//! Nothing here talks to the live services in tests: `tests/nutgraf/
//! deploy.rs` checks the requests against a local server that records
//! them.

use std::time::Duration;

use crate::config::{Cdn, PurgeConfig};

use super::invalidation::{self, Invalidation};

/// What a URL in a query value keeps unencoded: RFC 3986's unreserved
/// characters.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Cloudflare's limit of URLs in one purge request.
pub const CLOUDFLARE_BATCH: usize = 30;

/// Fastly's limit of surrogate keys in one purge request.
pub const FASTLY_KEYS_BATCH: usize = 256;

/// Attempts per request: rate limits (429) and server errors are tried
/// again, after the `Retry-After` the server asks for (at most a minute)
/// or 1, 2, 4… seconds.
const ATTEMPTS: u32 = 5;
const TIMEOUT: Duration = Duration::from_secs(30);

/// One HTTP request to a CDN's API, and the site paths it purges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRequest {
    /// `POST`, or `GET` for CloudFront's GetInvalidation.
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// The site paths this request purges (`/*` for everything).
    pub paths: Vec<String>,
}

/// The requests that purge `invalidation` of the site at `base_url`
/// (absolute, no trailing slash) with `token`. All POST. CloudFront's are
/// signed, not sent with a token: see [`super::cloudfront`].
pub fn requests(
    purge: &PurgeConfig,
    base_url: &str,
    invalidation: &Invalidation,
    token: &str,
) -> Vec<PurgeRequest> {
    let endpoint = &purge.endpoint;
    let paths = match invalidation {
        Invalidation::None => return Vec::new(),
        Invalidation::Paths(paths) => Some(paths),
        Invalidation::All => None,
    };
    let everything = || vec!["/*".to_string()];
    let absolute = |path: &str| format!("{base_url}{path}");
    match &purge.cdn {
        Cdn::CloudFront { .. } => Vec::new(),
        Cdn::Cloudflare { zone_id } => {
            let url = format!("{endpoint}/zones/{zone_id}/purge_cache");
            let headers = vec![
                ("Authorization".to_string(), format!("Bearer {token}")),
                ("Content-Type".to_string(), "application/json".to_string()),
            ];
            match paths {
                None => vec![PurgeRequest {
                    method: "POST",
                    url,
                    headers,
                    body: Some(r#"{"purge_everything":true}"#.to_string()),
                    paths: everything(),
                }],
                Some(paths) => paths
                    .chunks(CLOUDFLARE_BATCH)
                    .map(|batch| {
                        let files: Vec<String> = batch.iter().map(|p| absolute(p)).collect();
                        PurgeRequest {
                            method: "POST",
                            url: url.clone(),
                            headers: headers.clone(),
                            body: Some(serde_json::json!({ "files": files }).to_string()),
                            paths: batch.to_vec(),
                        }
                    })
                    .collect(),
            }
        }
        Cdn::Fastly {
            service_id,
            surrogate_keys,
        } => {
            let headers = vec![("Fastly-Key".to_string(), token.to_string())];
            match paths {
                None => vec![PurgeRequest {
                    method: "POST",
                    url: format!("{endpoint}/service/{service_id}/purge_all"),
                    headers,
                    body: None,
                    paths: everything(),
                }],
                Some(paths) if *surrogate_keys => {
                    // Each key with the paths it covers (both forms of a
                    // page), in the order first seen.
                    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
                    let mut index = std::collections::HashMap::new();
                    for p in paths {
                        let key = invalidation::key_of(p);
                        let i = *index.entry(key.clone()).or_insert_with(|| {
                            keys.push((key, Vec::new()));
                            keys.len() - 1
                        });
                        keys[i].1.push(p.clone());
                    }
                    let mut headers = headers;
                    headers.push(("Content-Type".to_string(), "application/json".to_string()));
                    headers.push(("Accept".to_string(), "application/json".to_string()));
                    keys.chunks(FASTLY_KEYS_BATCH)
                        .map(|batch| PurgeRequest {
                            method: "POST",
                            url: format!("{endpoint}/service/{service_id}/purge"),
                            headers: headers.clone(),
                            body: Some(
                                serde_json::json!({
                                    "surrogate_keys": batch.iter().map(|(k, _)| k).collect::<Vec<_>>()
                                })
                                .to_string(),
                            ),
                            paths: batch.iter().flat_map(|(_, p)| p.iter().cloned()).collect(),
                        })
                        .collect()
                }
                Some(paths) => {
                    // The URL as cached, without its scheme.
                    let host_path = |p: &str| {
                        let full = absolute(p);
                        full.split_once("://")
                            .map_or(full.clone(), |(_, rest)| rest.to_string())
                    };
                    paths
                        .iter()
                        .map(|p| PurgeRequest {
                            method: "POST",
                            url: format!("{endpoint}/purge/{}", host_path(p)),
                            headers: headers.clone(),
                            body: None,
                            paths: vec![p.clone()],
                        })
                        .collect()
                }
            }
        }
        Cdn::Bunny { pull_zone_id } => {
            let headers = vec![("AccessKey".to_string(), token.to_string())];
            let by_url = |url: String, paths: Vec<String>| PurgeRequest {
                method: "POST",
                url: format!(
                    "{endpoint}/purge?url={}&async=false",
                    percent_encoding::utf8_percent_encode(&url, QUERY_VALUE)
                ),
                headers: headers.clone(),
                body: None,
                paths,
            };
            match (paths, pull_zone_id) {
                (None, Some(zone)) => vec![PurgeRequest {
                    method: "POST",
                    url: format!("{endpoint}/pullzone/{zone}/purgeCache"),
                    headers: headers.clone(),
                    body: None,
                    paths: everything(),
                }],
                (None, None) => vec![by_url(absolute("/*"), everything())],
                (Some(paths), _) => paths
                    .iter()
                    .map(|p| by_url(absolute(p), vec![p.clone()]))
                    .collect(),
            }
        }
    }
}

/// Why a purge stopped: the request that failed for good, and the paths
/// still to purge (its own and those of every request after it).
#[derive(Debug)]
pub struct PurgeFailure {
    /// `HTTP 403: <the API's message>`, or why there was no answer.
    pub why: String,
    pub status: Option<u16>,
    pub unpurged: Vec<String>,
    /// Requests that succeeded before it.
    pub sent: usize,
}

/// Sends `requests` in order, each with retries; the body of each answer.
pub fn send(requests: &[PurgeRequest]) -> Result<Vec<String>, PurgeFailure> {
    send_with(requests, |attempt| Duration::from_secs(1 << attempt.min(5)))
}

/// [`send`] with the wait before retry `attempt` (from 0) when the server
/// names none.
fn send_with(
    requests: &[PurgeRequest],
    backoff: impl Fn(u32) -> Duration,
) -> Result<Vec<String>, PurgeFailure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("nutgraf/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut answers = Vec::with_capacity(requests.len());
    for (k, request) in requests.iter().enumerate() {
        match send_one(&agent, request, &backoff) {
            Ok(body) => answers.push(body),
            Err((why, status)) => {
                return Err(PurgeFailure {
                    why,
                    status,
                    unpurged: requests[k..]
                        .iter()
                        .flat_map(|r| r.paths.iter().cloned())
                        .collect(),
                    sent: k,
                });
            }
        }
    }
    Ok(answers)
}

fn send_one(
    agent: &ureq::Agent,
    request: &PurgeRequest,
    backoff: &impl Fn(u32) -> Duration,
) -> Result<String, (String, Option<u16>)> {
    let mut last = (String::new(), None);
    for attempt in 0..ATTEMPTS {
        let answer = if request.method == "GET" {
            with_headers(agent.get(&request.url), &request.headers).call()
        } else {
            let call = with_headers(agent.post(&request.url), &request.headers);
            match &request.body {
                Some(body) => call.send(body.as_str()),
                None => call.send_empty(),
            }
        };
        let wait = match answer {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s.min(60)));
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_string()
                    .unwrap_or_default();
                // Cloudflare answers a refused purge with `"success": false`.
                let refused =
                    body.contains("\"success\":false") || body.contains("\"success\": false");
                if (200..300).contains(&status) && !refused {
                    return Ok(body);
                }
                last = (
                    format!("HTTP {status}: {}", api_message(&body)),
                    Some(status),
                );
                // AWS throttles with a 400 and this code.
                let throttled = status == 400 && body.contains("<Code>Throttling</Code>");
                if !(status == 429 || status >= 500 || throttled) {
                    return Err(last);
                }
                retry_after.unwrap_or_else(|| backoff(attempt))
            }
            Err(e) => {
                last = (format!("no answer from {}: {e}", request.url), None);
                backoff(attempt)
            }
        };
        if attempt + 1 < ATTEMPTS {
            std::thread::sleep(wait);
        }
    }
    Err(last)
}

/// `call` with `headers` added (a GET and a POST are builders of
/// different types).
fn with_headers<B>(
    mut call: ureq::RequestBuilder<B>,
    headers: &[(String, String)],
) -> ureq::RequestBuilder<B> {
    for (name, value) in headers {
        call = call.header(name, value);
    }
    call
}

/// What an API said about an error, in one line: Cloudflare's
/// `errors[].message`, Fastly's `msg`/`detail`, bunny's `Message`, AWS's
/// XML `Code: Message`, or the start of the body.
fn api_message(body: &str) -> String {
    if let Some(aws) = super::cloudfront::error_message(body) {
        return aws;
    }
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        let mut parts: Vec<String> = Vec::new();
        if let Some(errors) = json.get("errors").and_then(|e| e.as_array()) {
            parts.extend(
                errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(|m| m.as_str()))
                    .map(str::to_string),
            );
        }
        for key in ["msg", "detail", "Message", "message"] {
            if let Some(m) = json.get(key).and_then(|m| m.as_str()) {
                parts.push(m.to_string());
            }
        }
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    let text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "(no message)".to_string(),
        None => text,
    }
}

/// How to fix a purge that failed with `status` on `purge`'s CDN.
pub fn hint(purge: &PurgeConfig, status: Option<u16>, why: &str) -> String {
    let token = purge.token_env.as_deref().unwrap_or("AWS credentials");
    match (status, &purge.cdn) {
        (Some(401 | 403), Cdn::CloudFront { distribution_id }) => {
            if why.contains("SignatureDoesNotMatch") || why.contains("RequestTimeTooSkewed") {
                "the request's signature was refused: check AWS_SECRET_ACCESS_KEY (or the profile's key) and the machine's clock".to_string()
            } else {
                format!(
                    "the AWS credentials may not invalidate this distribution: allow `cloudfront:CreateInvalidation` (and `cloudfront:GetInvalidation` for --wait) on `arn:aws:cloudfront::<account>:distribution/{distribution_id}`"
                )
            }
        }
        (Some(404), Cdn::CloudFront { distribution_id }) => format!(
            "no distribution `{distribution_id}` answers at {}: check `cloudfront_distribution_id` (and AWS_ENDPOINT_URL_CLOUDFRONT / AWS_ENDPOINT_URL if set)",
            purge.endpoint
        ),
        (Some(400), Cdn::CloudFront { .. }) if why.contains("TooManyInvalidationsInProgress") => {
            "CloudFront is still working on earlier invalidations of this distribution: run `nutgraf deploy --purge-only` once they finish".to_string()
        }
        (Some(401 | 403), Cdn::Cloudflare { zone_id }) => format!(
            "check that ${token} holds an API token with the Zone > Cache Purge permission for zone `{zone_id}`"
        ),
        (Some(401 | 403), Cdn::Fastly { service_id, .. }) => format!(
            "check that ${token} holds a Fastly API token with the purge_select (or purge_all) scope for service `{service_id}`"
        ),
        (Some(401 | 403), Cdn::Bunny { .. }) => {
            format!("check that ${token} holds your bunny.net account API key")
        }
        (Some(404), _) => format!(
            "check the id in this target's `purge` table, and `endpoint` ({})",
            purge.endpoint
        ),
        (Some(429), _) => "the API kept rate-limiting after retries: run the deploy again later".to_string(),
        (None, _) => format!("check the network, and `endpoint` ({})", purge.endpoint),
        _ => "run the deploy again; if it keeps failing, purge these paths in the provider's dashboard".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(cdn: Cdn) -> PurgeConfig {
        PurgeConfig {
            cdn,
            token_env: Some("T".into()),
            endpoint: "https://api.example".into(),
        }
    }

    #[test]
    fn cloudflare_purges_absolute_urls_in_batches_of_thirty() {
        let paths: Vec<String> = (0..31).map(|i| format!("/p{i}/")).collect();
        let reqs = requests(
            &config(Cdn::Cloudflare {
                zone_id: "z".into(),
            }),
            "https://site.example",
            &Invalidation::Paths(paths),
            "tok",
        );
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].url, "https://api.example/zones/z/purge_cache");
        assert_eq!(reqs[0].paths.len(), 30);
        assert_eq!(
            reqs[1].body.as_deref(),
            Some(r#"{"files":["https://site.example/p30/"]}"#)
        );
        assert!(
            reqs[0]
                .headers
                .contains(&("Authorization".to_string(), "Bearer tok".to_string()))
        );
        let all = requests(
            &config(Cdn::Cloudflare {
                zone_id: "z".into(),
            }),
            "https://site.example",
            &Invalidation::All,
            "tok",
        );
        assert_eq!(all[0].body.as_deref(), Some(r#"{"purge_everything":true}"#));
    }

    #[test]
    fn fastly_purges_surrogate_keys_256_a_request() {
        let mut paths = Vec::new();
        for i in 0..300 {
            paths.push(format!("/p{i:03}/"));
            paths.push(format!("/p{i:03}/index.html"));
        }
        paths.push("/feed.xml".into());
        let keyed = config(Cdn::Fastly {
            service_id: "s".into(),
            surrogate_keys: true,
        });
        let reqs = requests(
            &keyed,
            "https://site.example",
            &Invalidation::Paths(paths.clone()),
            "tok",
        );
        assert_eq!(reqs.len(), 2, "301 keys: 256, then 45");
        assert_eq!(reqs[0].url, "https://api.example/service/s/purge");
        let keys = |r: &PurgeRequest| -> Vec<String> {
            let body: serde_json::Value =
                serde_json::from_str(r.body.as_deref().unwrap_or_default()).unwrap_or_default();
            body["surrogate_keys"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|k| k.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(keys(&reqs[0]).len(), 256);
        assert_eq!(keys(&reqs[0])[0], "/p000/");
        assert_eq!(keys(&reqs[1]).last().map(String::as_str), Some("/feed.xml"));
        // A request owns both forms of each page it names, so a failure
        // records every path still to purge.
        assert_eq!(reqs[0].paths.len(), 512);
        assert_eq!(reqs[0].paths.len() + reqs[1].paths.len(), paths.len());
        assert!(
            reqs[0]
                .headers
                .contains(&("Fastly-Key".to_string(), "tok".to_string()))
        );
        let all = requests(&keyed, "https://site.example", &Invalidation::All, "tok");
        assert_eq!(all[0].url, "https://api.example/service/s/purge_all");
    }

    #[test]
    fn fastly_and_bunny_purge_one_url_a_request_or_everything() {
        let paths = Invalidation::Paths(vec!["/a/".into(), "/a/index.html".into()]);
        let fastly = requests(
            &config(Cdn::Fastly {
                service_id: "s".into(),
                surrogate_keys: false,
            }),
            "https://site.example/blog",
            &paths,
            "tok",
        );
        let urls: Vec<&str> = fastly.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://api.example/purge/site.example/blog/a/",
                "https://api.example/purge/site.example/blog/a/index.html"
            ]
        );
        let all = requests(
            &config(Cdn::Fastly {
                service_id: "s".into(),
                surrogate_keys: false,
            }),
            "https://site.example",
            &Invalidation::All,
            "tok",
        );
        assert_eq!(all[0].url, "https://api.example/service/s/purge_all");
        let bunny = requests(
            &config(Cdn::Bunny { pull_zone_id: None }),
            "https://site.example",
            &paths,
            "k",
        );
        assert_eq!(
            bunny[0].url,
            "https://api.example/purge?url=https%3A%2F%2Fsite.example%2Fa%2F&async=false"
        );
        let wildcard = requests(
            &config(Cdn::Bunny { pull_zone_id: None }),
            "https://site.example",
            &Invalidation::All,
            "k",
        );
        assert!(
            wildcard[0]
                .url
                .ends_with("url=https%3A%2F%2Fsite.example%2F%2A&async=false"),
            "{:?}",
            wildcard[0]
        );
        let zone = requests(
            &config(Cdn::Bunny {
                pull_zone_id: Some("7".into()),
            }),
            "https://site.example",
            &Invalidation::All,
            "k",
        );
        assert_eq!(zone[0].url, "https://api.example/pullzone/7/purgeCache");
        assert!(
            requests(
                &config(Cdn::Bunny { pull_zone_id: None }),
                "https://x",
                &Invalidation::None,
                "k"
            )
            .is_empty()
        );
    }

    #[test]
    fn api_messages_are_one_line() {
        assert_eq!(
            api_message(
                r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#
            ),
            "Authentication error"
        );
        assert_eq!(
            api_message(r#"{"msg":"Bad token","detail":"expired"}"#),
            "Bad token; expired"
        );
        assert_eq!(
            api_message("  <html>\n busy </html>"),
            "<html> busy </html>"
        );
        assert_eq!(api_message(""), "(no message)");
    }
}
