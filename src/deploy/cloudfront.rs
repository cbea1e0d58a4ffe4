//! CloudFront invalidations: the two calls of its API a deploy makes,
//! built to the CloudFront API Reference (version 2020-05-31, read
//! December 2026) and signed with SigV4 (`aws-sigv4`, the AWS SDKs' own
//! signer):
//!
//! - `CreateInvalidation`: `POST /2020-05-31/distribution/{Id}/invalidation`
//!   with an `InvalidationBatch` (the paths, and a `CallerReference` that
//!   makes a retried request the same invalidation, not a second one);
//!   201 with the invalidation's `Id` and `Status`;
//! - `GetInvalidation`: `GET /2020-05-31/distribution/{Id}/invalidation/{Id}`,
//!   for `--wait`.
//!
//! CloudFront allows 3,000 paths and 15 wildcard paths in progress per
//! distribution; a set beyond either is sent as `/*`, which counts as one
//! wildcard and invalidates the same objects and more.

use std::time::SystemTime;

use anyhow::{Context, Result, anyhow};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use super::invalidation::Invalidation;
use super::purge::PurgeRequest;

/// Paths one invalidation may hold (CloudFront's limit on file paths in
/// progress at once).
pub const MAX_PATHS: usize = 3_000;
/// Wildcard paths (ending in `*`) one invalidation may hold.
pub const MAX_WILDCARDS: usize = 15;

const API_VERSION: &str = "2020-05-31";
/// CloudFront is a global service: requests are signed for us-east-1.
const SIGNING_REGION: &str = "us-east-1";

/// `invalidation` within CloudFront's limits.
pub fn fit(invalidation: Invalidation) -> Invalidation {
    match invalidation {
        Invalidation::Paths(paths)
            if paths.len() > MAX_PATHS
                || paths.iter().filter(|p| p.ends_with('*')).count() > MAX_WILDCARDS =>
        {
            Invalidation::All
        }
        other => other,
    }
}

/// The API's base URL, as the AWS SDKs pick it: `AWS_ENDPOINT_URL_CLOUDFRONT`,
/// then `AWS_ENDPOINT_URL`, then `default` (both ignored when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true). `var` reads the
/// environment.
pub fn endpoint(var: impl Fn(&str) -> Option<String>, default: &str) -> String {
    let ignore = var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let configured = if ignore {
        None
    } else {
        ["AWS_ENDPOINT_URL_CLOUDFRONT", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|k| var(k).filter(|v| !v.trim().is_empty()))
    };
    configured
        .unwrap_or_else(|| default.to_string())
        .trim()
        .trim_end_matches('/')
        .to_string()
}

/// A unique `CallerReference` for this deploy's invalidation: retries of
/// the request reuse it, so CloudFront answers them with the same
/// invalidation.
pub fn caller_reference(paths: &[String], now: SystemTime) -> String {
    let nanos = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let digest = blake3::hash(paths.join("\n").as_bytes()).to_hex();
    format!("nutgraf-{nanos}-{}", &digest[..12])
}

/// The signed `CreateInvalidation` request for `paths` (already encoded:
/// see [`super::invalidation`]).
pub fn create_invalidation(
    endpoint: &str,
    distribution_id: &str,
    paths: &[String],
    caller_reference: &str,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<PurgeRequest> {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">",
    );
    body.push_str(&format!(
        "<Paths><Quantity>{}</Quantity><Items>",
        paths.len()
    ));
    for path in paths {
        body.push_str(&format!(
            "<Path>{}</Path>",
            quick_xml::escape::escape(path.as_str())
        ));
    }
    body.push_str(&format!(
        "</Items></Paths><CallerReference>{}</CallerReference></InvalidationBatch>",
        quick_xml::escape::escape(caller_reference)
    ));
    let url = invalidations_url(endpoint, distribution_id);
    let headers = vec![("Content-Type".to_string(), "text/xml".to_string())];
    let headers = signed("POST", &url, headers, body.as_bytes(), credentials, now)?;
    Ok(PurgeRequest {
        method: "POST",
        url,
        headers,
        body: Some(body),
        paths: paths.to_vec(),
    })
}

/// `…/distribution/{Id}/invalidation`, where both calls start.
fn invalidations_url(endpoint: &str, distribution_id: &str) -> String {
    format!(
        "{endpoint}/{API_VERSION}/distribution/{}/invalidation",
        segment(distribution_id)
    )
}

/// `s` percent-encoded as one path segment.
fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The signed `GetInvalidation` request for invalidation `id`.
pub fn get_invalidation(
    endpoint: &str,
    distribution_id: &str,
    id: &str,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<PurgeRequest> {
    let url = format!(
        "{}/{}",
        invalidations_url(endpoint, distribution_id),
        segment(id)
    );
    let headers = signed("GET", &url, Vec::new(), b"", credentials, now)?;
    Ok(PurgeRequest {
        method: "GET",
        url,
        headers,
        body: None,
        paths: Vec::new(),
    })
}

/// `headers` plus SigV4's (`Authorization`, `X-Amz-Date`, and
/// `X-Amz-Security-Token` for temporary credentials).
fn signed(
    method: &str,
    url: &str,
    mut headers: Vec<(String, String)>,
    body: &[u8],
    credentials: &Credentials,
    now: SystemTime,
) -> Result<Vec<(String, String)>> {
    let parsed = url::Url::parse(url).with_context(|| format!("`{url}` is not a URL"))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(anyhow!("the CloudFront endpoint `{url}` has no host"));
    }
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(SIGNING_REGION)
        .name("cloudfront")
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .context("cannot sign the CloudFront request")?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .context("cannot sign the CloudFront request")?;
    let (instructions, _) = sign(signable, &params)
        .context("cannot sign the CloudFront request")?
        .into_parts();
    let (added, _) = instructions.into_parts();
    headers.extend(
        added
            .into_iter()
            .map(|h| (h.name().to_string(), h.value().to_string())),
    );
    Ok(headers)
}

/// An invalidation as CloudFront describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidationStatus {
    pub id: String,
    /// `InProgress` or `Completed`.
    pub status: String,
}

impl InvalidationStatus {
    pub fn completed(&self) -> bool {
        self.status.eq_ignore_ascii_case("completed")
    }
}

/// The `Id` and `Status` of the `<Invalidation>` in a CreateInvalidation
/// or GetInvalidation answer.
pub fn parse_invalidation(body: &str) -> Result<InvalidationStatus> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    let mut path: Vec<String> = Vec::new();
    let (mut id, mut status) = (None, None);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                path.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t.decode().map(|c| c.into_owned()).unwrap_or_default();
                match path.as_slice() {
                    [root, leaf] if root == "Invalidation" && leaf == "Id" => id = Some(text),
                    [root, leaf] if root == "Invalidation" && leaf == "Status" => {
                        status = Some(text)
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(anyhow!("CloudFront's answer is not XML: {e}")),
        }
    }
    match (id, status) {
        (Some(id), Some(status)) => Ok(InvalidationStatus { id, status }),
        _ => Err(anyhow!(
            "CloudFront's answer has no invalidation Id and Status: {}",
            body.chars().take(200).collect::<String>()
        )),
    }
}

/// `Code: Message` of an AWS XML error answer
/// (`<ErrorResponse><Error><Code>…`), if `body` is one.
pub fn error_message(body: &str) -> Option<String> {
    let between = |open: &str, close: &str| {
        let start = body.find(open)? + open.len();
        let end = body[start..].find(close)? + start;
        Some(body[start..end].trim().to_string())
    };
    let code = between("<Code>", "</Code>")?;
    Some(match between("<Message>", "</Message>") {
        Some(message) if !message.is_empty() => format!("{code}: {message}"),
        _ => code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(token: Option<&str>) -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            token.map(str::to_string),
            None,
            "test",
        )
    }

    #[test]
    fn limits_collapse_to_everything() {
        let many: Vec<String> = (0..=MAX_PATHS).map(|i| format!("/p{i}/")).collect();
        assert_eq!(fit(Invalidation::Paths(many)), Invalidation::All);
        let wild: Vec<String> = (0..=MAX_WILDCARDS).map(|i| format!("/d{i}/*")).collect();
        assert_eq!(fit(Invalidation::Paths(wild)), Invalidation::All);
        let fine: Vec<String> = (0..MAX_WILDCARDS).map(|i| format!("/d{i}/*")).collect();
        assert_eq!(
            fit(Invalidation::Paths(fine.clone())),
            Invalidation::Paths(fine)
        );
    }

    #[test]
    fn the_endpoint_follows_the_sdk_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let d = "https://cloudfront.amazonaws.com";
        assert_eq!(endpoint(env(&[]), d), d);
        assert_eq!(
            endpoint(env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/")]), d),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            endpoint(
                env(&[
                    ("AWS_ENDPOINT_URL", "http://a"),
                    ("AWS_ENDPOINT_URL_CLOUDFRONT", "http://b")
                ]),
                d
            ),
            "http://b"
        );
        assert_eq!(
            endpoint(
                env(&[
                    ("AWS_ENDPOINT_URL", "http://a"),
                    ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
                ]),
                d
            ),
            d
        );
    }

    #[test]
    fn create_invalidation_is_a_signed_batch() {
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let paths = vec!["/a/".to_string(), "/a&b/index.html".to_string()];
        let r = create_invalidation(
            "https://cloudfront.amazonaws.com",
            "E2QWRUHAPOMQZL",
            &paths,
            "ref-1",
            &credentials(Some("session")),
            now,
        )
        .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.url,
            "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation"
        );
        let body = r.body.as_deref().unwrap_or_default();
        assert!(
            body.contains("<Paths><Quantity>2</Quantity><Items><Path>/a/</Path><Path>/a&amp;b/index.html</Path></Items></Paths><CallerReference>ref-1</CallerReference>"),
            "{body}"
        );
        let header = |name: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let auth = header("authorization");
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20270115/us-east-1/cloudfront/aws4_request, SignedHeaders="
            ),
            "{auth}"
        );
        assert!(auth.contains("x-amz-date"), "{auth}");
        assert_eq!(header("x-amz-date"), "20270115T080000Z");
        assert_eq!(header("x-amz-security-token"), "session");
        // The signature depends on the body: another path, another one.
        let other = create_invalidation(
            "https://cloudfront.amazonaws.com",
            "E2QWRUHAPOMQZL",
            &paths[..1],
            "ref-1",
            &credentials(Some("session")),
            now,
        )
        .unwrap_or_else(|e| panic!("{e:#}"));
        assert_ne!(
            other
                .headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map(|(_, v)| v),
            Some(&auth)
        );
        assert!(create_invalidation("no-host", "E", &paths, "r", &credentials(None), now).is_err());
    }

    #[test]
    fn answers_and_errors_are_read() {
        let created = r#"<?xml version="1.0"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-12-02T08:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a/</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>"#;
        let s = parse_invalidation(created).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(s.id, "I2J0I21PCUYOIK");
        assert!(!s.completed());
        assert!(parse_invalidation("<Other/>").is_err());
        assert_eq!(
            error_message(
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized</Message></Error></ErrorResponse>"
            )
            .as_deref(),
            Some("AccessDenied: User is not authorized")
        );
        assert_eq!(error_message("{}"), None);
    }
}
