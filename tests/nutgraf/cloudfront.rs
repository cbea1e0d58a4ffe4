//! CloudFront invalidations sent by `nutgraf deploy`.
//!
//! Two servers stand in for CloudFront, each reached the way the AWS SDKs
//! allow (`AWS_ENDPOINT_URL_CLOUDFRONT`):
//! - the recorder ([`crate::recorder`]), in-process: the exact request
//!   (method, path, SigV4 headers, XML body), CloudFront's error answers,
//!   retries and `--purge-only`;
//! - moto's server, the AWS mock used across the Python world, which
//!   implements CloudFront's API and keeps the invalidations it is sent:
//!   a distribution is created, the site deployed and edited, and moto's
//!   ListInvalidations must show exactly the changed paths. It needs
//!   `moto_server` (`pip install 'moto[server]'`); `.ci/run` installs it.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Site;
use crate::deploy::{Deployed, demo, deploy_with, edit_article, folder_manifest, unpurged};
use crate::recorder::Recorder;

const KEY_ID: &str = "AKIDNUTGRAFTEST";

/// Static AWS keys (CloudFront needs credentials; a folder target has no
/// bucket to check them against) and CloudFront's endpoint at `port`.
fn aws_env(port: u16) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", KEY_ID.to_string()),
        ("AWS_SECRET_ACCESS_KEY", "nutgraf-test-secret".to_string()),
        (
            "AWS_ENDPOINT_URL_CLOUDFRONT",
            format!("http://127.0.0.1:{port}"),
        ),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec()
}

/// The demo site with a folder target in front of CloudFront distribution
/// `id`.
fn cloudfront_site(id: &str) -> (Site, tempfile::TempDir) {
    let dest = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("file://{}", dest.path().join("www").display());
    let site = demo(&format!(
        "\n[[deploy.targets]]\nname = \"cdn\"\nurl = \"{url}\"\n\
         cloudfront_distribution_id = \"{id}\"\n"
    ));
    (site, dest)
}

/// The `<Path>`s of an `InvalidationBatch`, and its `<Quantity>`.
fn batch_paths(xml: &str) -> (BTreeSet<String>, usize) {
    let between = |text: &str, open: &str, close: &str| -> Vec<String> {
        text.split(open)
            .skip(1)
            .filter_map(|rest| rest.split(close).next())
            .map(str::to_string)
            .collect()
    };
    let paths = between(xml, "<Path>", "</Path>").into_iter().collect();
    let quantity = between(xml, "<Quantity>", "</Quantity>")
        .first()
        .and_then(|q| q.parse().ok())
        .unwrap_or_else(|| panic!("no Quantity in {xml}"));
    (paths, quantity)
}

fn created(id: &str, status: &str) -> crate::recorder::Answer {
    (
        201,
        vec![("content-type", "text/xml".to_string())],
        format!(
            "<?xml version=\"1.0\"?>\n<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>{id}</Id><Status>{status}</Status><CreateTime>2026-12-02T10:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>0</Quantity></Paths><CallerReference>x</CallerReference></InvalidationBatch></Invalidation>"
        ),
    )
}

fn aws_error(status: u16, code: &str, message: &str) -> crate::recorder::Answer {
    (
        status,
        vec![("content-type", "text/xml".to_string())],
        format!(
            "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
        ),
    )
}

/// The request nutgraf sends, CloudFront's answers read back, throttling
/// retried with the same `CallerReference`, `--wait`, a 403 that fails
/// the deploy after the upload and `--purge-only` sending what was left.
#[test]
fn a_deploy_creates_a_cloudfront_invalidation_for_what_changed() {
    let recorder = Recorder::start();
    let env = aws_env(recorder.port);
    let (site, dest) = cloudfront_site("E2TEST");
    let first = deploy_with(&site, &[], &env, &[]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    assert!(
        recorder.take().is_empty(),
        "a first deploy has nothing cached to invalidate"
    );

    // A dry run shows the invalidation and sends nothing.
    edit_article(&site, "leap-seconds");
    let dry = deploy_with(&site, &["--dry-run"], &env, &[]);
    assert_eq!(dry.run.code, 0, "{}", dry.run.stderr);
    assert!(
        dry.run.stderr.contains("on CloudFront in 1 request"),
        "{}",
        dry.run.stderr
    );
    assert_eq!(dry.report["purge"]["cdn"], "CloudFront");
    assert!(recorder.take().is_empty(), "a dry run sends nothing");

    // Throttled once, then created.
    recorder.script(vec![
        aws_error(400, "Throttling", "Rate exceeded"),
        created("I2NUTGRAF1", "InProgress"),
    ]);
    let second = deploy_with(&site, &[], &env, &[]);
    assert_eq!(second.run.code, 0, "{}", second.run.stderr);
    let paths = second.list("invalidate");
    assert!(paths.contains("/leap-seconds/"), "{paths:?}");
    let requests = recorder.take();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(
        requests[0].body, requests[1].body,
        "a retry is the same batch, with the same CallerReference"
    );
    let r = &requests[1];
    assert_eq!(
        (r.method.as_str(), r.uri.as_str()),
        ("POST", "/2020-05-31/distribution/E2TEST/invalidation")
    );
    let authorization = r.header("authorization").unwrap_or_default();
    let date = r.header("x-amz-date").unwrap_or_default();
    assert!(
        date.len() == 16 && date.ends_with('Z'),
        "x-amz-date: {date}"
    );
    assert!(
        authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={KEY_ID}/{}/us-east-1/cloudfront/aws4_request, SignedHeaders=",
            &date[..8]
        )),
        "{authorization}"
    );
    assert!(
        r.header("x-amz-content-sha256").is_some() || authorization.contains("Signature="),
        "{r:?}"
    );
    assert!(
        r.body.contains(
            "<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("<CallerReference>nutgraf-"), "{}", r.body);
    let (sent, quantity) = batch_paths(&r.body);
    assert_eq!(sent, paths, "exactly the changed paths");
    assert_eq!(quantity, paths.len());
    assert_eq!(second.report["purge"]["invalidation_id"], "I2NUTGRAF1");
    assert_eq!(second.report["purge"]["status"], "InProgress");
    assert!(
        second
            .run
            .stderr
            .contains("invalidation I2NUTGRAF1, InProgress"),
        "{}",
        second.run.stderr
    );

    // --wait asks GetInvalidation until it says Completed.
    edit_article(&site, "leap-seconds");
    recorder.script(vec![
        created("I2NUTGRAF2", "InProgress"),
        created("I2NUTGRAF2", "Completed"),
    ]);
    let waited = deploy_with(&site, &["--wait"], &env, &[]);
    assert_eq!(waited.run.code, 0, "{}", waited.run.stderr);
    let requests = recorder.take();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(
        (requests[1].method.as_str(), requests[1].uri.as_str()),
        (
            "GET",
            "/2020-05-31/distribution/E2TEST/invalidation/I2NUTGRAF2"
        )
    );
    assert!(
        requests[1]
            .header("authorization")
            .is_some_and(|a| a.contains("/cloudfront/aws4_request")),
        "{:?}",
        requests[1]
    );
    assert_eq!(waited.report["purge"]["status"], "Completed");

    // Refused: the deploy has uploaded, fails with the CDN, the status,
    // AWS's message and the fix, and records what is left.
    edit_article(&site, "leap-seconds");
    recorder.script(vec![aws_error(
        403,
        "AccessDenied",
        "User is not authorized to perform: cloudfront:CreateInvalidation",
    )]);
    let refused = deploy_with(&site, &[], &env, &[]);
    assert_eq!(refused.run.code, 1, "{}", refused.run.stderr);
    let err = &refused.run.stderr;
    assert!(
        err.contains(
            "but the CloudFront purge failed: HTTP 403: AccessDenied: User is not authorized"
        ),
        "{err}"
    );
    assert!(err.contains("cloudfront:CreateInvalidation"), "{err}");
    assert!(err.contains("E2TEST"), "{err}");
    assert!(
        err.contains("still to purge: ") && err.contains("/leap-seconds/"),
        "{err}"
    );
    assert_eq!(recorder.take().len(), 1, "a 403 is not retried");
    let page = std::fs::read_to_string(dest.path().join("www/leap-seconds/index.html"))
        .unwrap_or_default();
    assert_eq!(
        page.matches("A paragraph added for the deploy test.")
            .count(),
        3,
        "the upload happened first"
    );
    let manifest = || folder_manifest(&dest.path().join("www"));
    let owed = unpurged(&manifest());
    assert!(owed.contains("/leap-seconds/"), "{owed:?}");

    recorder.script(vec![created("I2NUTGRAF3", "InProgress")]);
    let retried = deploy_with(&site, &["--purge-only"], &env, &[]);
    assert_eq!(retried.run.code, 0, "{}", retried.run.stderr);
    assert!(retried.uploaded().is_empty());
    let requests = recorder.take();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(batch_paths(&requests[0].body).0, owed);
    assert_eq!(retried.report["purge"]["invalidation_id"], "I2NUTGRAF3");
    assert_eq!(manifest()["unpurged"], Value::Null, "and clears it");
}

/// A CloudFront target with no AWS credentials anywhere stops before it
/// uploads anything.
#[test]
fn cloudfront_without_credentials_uploads_nothing() {
    let recorder = Recorder::start();
    let (site, dest) = cloudfront_site("E2TEST");
    let endpoint = format!("http://127.0.0.1:{}", recorder.port);
    let run = deploy_with(
        &site,
        &[],
        &[],
        &[("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint.as_str())],
    );
    assert_eq!(run.run.code, 2, "{}", run.run.stderr);
    assert!(
        run.run
            .stderr
            .contains("no AWS credentials for `CloudFront`"),
        "{}",
        run.run.stderr
    );
    assert!(
        run.run.stderr.contains("AWS_ACCESS_KEY_ID"),
        "{}",
        run.run.stderr
    );
    assert!(!dest.path().join("www").exists(), "nothing was uploaded");
    // Nothing reached CloudFront's API. (Only its paths count: with the
    // browser tests beside it on a loaded machine, CI once saw a stray
    // request from another test reach this port.)
    let sent: Vec<String> = recorder
        .take()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.uri))
        .collect();
    assert!(
        !sent.iter().any(|r| r.contains("/2020-05-31/")),
        "sent to CloudFront: {sent:?}"
    );
}

/// `moto_server`, from `$NUTGRAF_MOTO_SERVER` or the PATH, on a free port
/// of 127.0.0.1; killed on drop.
struct Moto {
    port: u16,
    child: Child,
}

impl Moto {
    fn start() -> Moto {
        let program =
            std::env::var("NUTGRAF_MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_string());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run `{program}` ({e}): pip install 'moto[server]', or set NUTGRAF_MOTO_SERVER")
            });
        let mut moto = Moto { port, child };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto_server exited: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not listen on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// A CloudFront API call, with the SigV4-shaped `Authorization` moto
    /// routes by (it does not check signatures).
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let url = format!("http://127.0.0.1:{}/2020-05-31{path}", self.port);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=0",
            )
            .header("Content-Type", "text/xml")
            .body(body.unwrap_or_default().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut response = ureq::run(request).unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of every `<tag>…</tag>` in `xml`.
fn all(xml: &str, tag: &str) -> Vec<String> {
    xml.split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|rest| rest.split(&format!("</{tag}>")).next())
        .map(str::to_string)
        .collect()
}

const DISTRIBUTION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <CallerReference>nutgraf-test</CallerReference>
  <Comment>nutgraf deploy test</Comment>
  <Enabled>true</Enabled>
  <Origins>
    <Quantity>1</Quantity>
    <Items>
      <Origin>
        <Id>site</Id>
        <DomainName>site.s3.amazonaws.com</DomainName>
        <S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>
      </Origin>
    </Items>
  </Origins>
  <DefaultCacheBehavior>
    <TargetOriginId>site</TargetOriginId>
    <ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>
    <CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>
  </DefaultCacheBehavior>
</DistributionConfig>"#;

/// Against moto's CloudFront: a distribution, a deploy, one article
/// edited, a deploy: the distribution holds one invalidation, of exactly
/// the paths the report lists; `--wait` reads it back as completed.
#[test]
#[ignore = "needs moto_server (pip install 'moto[server]'); .ci/run installs it"]
fn moto_cloudfront_receives_exactly_the_changed_paths() {
    let moto = Moto::start();
    let created = moto.call("POST", "/distribution", Some(DISTRIBUTION));
    let id = all(&created, "Id")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no distribution id in {created}"));
    let (site, _dest) = cloudfront_site(&id);
    let env = aws_env(moto.port);
    let invalidations = || {
        let list = moto.call("GET", &format!("/distribution/{id}/invalidation"), None);
        all(&list, "Id")
    };

    let first = deploy_with(&site, &[], &env, &[]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    assert!(
        invalidations().is_empty(),
        "a first deploy invalidates nothing"
    );

    edit_article(&site, "leap-seconds");
    let second: Deployed = deploy_with(&site, &[], &env, &[]);
    assert_eq!(second.run.code, 0, "{}", second.run.stderr);
    let expected = second.list("invalidate");
    assert!(expected.contains("/leap-seconds/"), "{expected:?}");
    let ids = invalidations();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(second.report["purge"]["invalidation_id"], ids[0].as_str());
    let invalidation = moto.call(
        "GET",
        &format!("/distribution/{id}/invalidation/{}", ids[0]),
        None,
    );
    let paths: BTreeSet<String> = all(&invalidation, "Path").into_iter().collect();
    assert_eq!(
        paths, expected,
        "exactly the changed paths were invalidated"
    );

    edit_article(&site, "heat-pumps-in-the-cold");
    let third = deploy_with(&site, &["--wait"], &env, &[]);
    assert_eq!(third.run.code, 0, "{}", third.run.stderr);
    assert_eq!(invalidations().len(), 2);
    let status = third.report["purge"]["status"].as_str().unwrap_or_default();
    assert!(
        status.eq_ignore_ascii_case("completed"),
        "{status}: {}",
        third.run.stderr
    );

    // Assume role: the target's profile names a role and a source profile
    // with keys; the role's temporary credentials come from moto's STS
    // (`AWS_ENDPOINT_URL_STS`) and sign the invalidation. There are no
    // keys in the environment, so nothing else could have signed it.
    let aws = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        aws.path().join("config"),
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n\n\
         [profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n\
         source_profile = base\nregion = us-east-1\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let toml = std::fs::read_to_string(site.root.join("nutgraf.toml")).unwrap_or_default();
    site.write("nutgraf.toml", &format!("{toml}profile = \"deployer\"\n"));
    edit_article(&site, "leap-seconds");
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    let config = aws.path().join("config").display().to_string();
    let assumed = deploy_with(
        &site,
        &[],
        &[],
        &[
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint.as_str()),
            ("AWS_ENDPOINT_URL_STS", endpoint.as_str()),
        ],
    );
    assert_eq!(assumed.run.code, 0, "{}", assumed.run.stderr);
    assert_eq!(invalidations().len(), 3);
}

/// Temporary credentials as the container endpoint and IMDS serve them.
fn role_credentials(key_id: &str, token: &str) -> crate::recorder::Answer {
    (
        200,
        vec![("content-type", "application/json".to_string())],
        format!(
            r#"{{"Code":"Success","LastUpdated":"2026-12-02T10:00:00Z","Type":"AWS-HMAC","AccessKeyId":"{key_id}","SecretAccessKey":"role-secret","Token":"{token}","Expiration":"2036-01-01T00:00:00Z"}}"#
        ),
    )
}

/// On AWS with no keys or profile, credentials come from the container
/// endpoint (ECS, EKS Pod Identity) or the instance metadata service
/// (IMDSv2: a token, the role's name, its credentials), here a local
/// server at the addresses the SDK's variables move them to. Their
/// session token is signed into the CloudFront request.
#[test]
fn container_and_instance_role_credentials_sign_the_invalidation() {
    for (var, key_id) in [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "ASIACONTAINER"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ASIAINSTANCE"),
    ] {
        let role = Recorder::start();
        let session = format!("{key_id}-session");
        role.route("/creds", role_credentials(key_id, &session));
        role.route(
            "/latest/api/token",
            (
                200,
                vec![("x-aws-ec2-metadata-token-ttl-seconds", "21600".to_string())],
                "imds-token".to_string(),
            ),
        );
        role.route(
            "/latest/meta-data/iam/security-credentials/deployer",
            role_credentials(key_id, &session),
        );
        role.route(
            "/latest/meta-data/iam/security-credentials/",
            (200, Vec::new(), "deployer".to_string()),
        );
        let cloudfront = Recorder::start();
        let (site, _dest) = cloudfront_site("E2TEST");
        let endpoint = format!("http://127.0.0.1:{}", cloudfront.port);
        let role_url = match var {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI" => format!("http://127.0.0.1:{}/creds", role.port),
            _ => format!("http://127.0.0.1:{}", role.port),
        };
        let env = [
            ("AWS_ENDPOINT_URL_CLOUDFRONT", endpoint.as_str()),
            (var, role_url.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "false"),
        ];
        let first = deploy_with(&site, &[], &[], &env);
        assert_eq!(first.run.code, 0, "{var}: {}", first.run.stderr);
        edit_article(&site, "leap-seconds");
        cloudfront.script(vec![created("I2ROLE", "InProgress")]);
        let second = deploy_with(&site, &[], &[], &env);
        assert_eq!(second.run.code, 0, "{var}: {}", second.run.stderr);
        let sent = cloudfront.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(
            sent[0]
                .header("authorization")
                .is_some_and(|a| a.contains(&format!("Credential={key_id}/"))),
            "{var}: {:?}",
            sent[0]
        );
        assert_eq!(
            sent[0].header("x-amz-security-token"),
            Some(session.as_str()),
            "{var}"
        );
        let asked: Vec<String> = role.take().into_iter().map(|r| r.uri).collect();
        assert!(!asked.is_empty(), "{var}: the role endpoint was not asked");
        if var == "AWS_EC2_METADATA_SERVICE_ENDPOINT" {
            assert!(
                asked.iter().any(|u| u == "/latest/api/token"),
                "IMDSv2 starts with a token: {asked:?}"
            );
        }
    }
}
