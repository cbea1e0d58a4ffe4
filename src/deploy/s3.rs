//! The S3 store: AWS S3 and S3-compatible services (Cloudflare R2,
//! MinIO…) through `object_store`, with every HTTP request counted.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};

use crate::error::hinted;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpRequest, HttpResponse, HttpService, ReqwestConnector,
};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};

use crate::config::DeployTarget;

use super::aws::{AwsCredentials, ForObjectStore};
use super::local::Meta;
use super::manifest::normalize_e_tag;
use super::store::{Listed, RemoteObject, RequestCounts, RequestKind, Requests, Store};

/// The user-metadata name of an object's Fastly surrogate key: S3 serves
/// it as `x-amz-meta-surrogate-key`, which a line of VCL turns into the
/// `Surrogate-Key` header Fastly indexes (see the README).
const SURROGATE_KEY: &str = "surrogate-key";

/// A bucket, or a prefix inside one.
pub struct S3Store {
    store: AmazonS3,
    /// `s3://bucket/prefix`, for messages.
    url: String,
    /// No leading or trailing slash; may be empty.
    prefix: String,
    requests: Arc<Requests>,
}

impl S3Store {
    /// Settings the config leaves out come from the standard `AWS_*`
    /// variables of `env`. Credentials come from `credentials` (as the AWS
    /// CLI finds them: [`super::aws`]), else from `env` alone (tests and
    /// tools pass their own keys).
    pub fn open(
        target: &DeployTarget,
        bucket: &str,
        prefix: &str,
        env: &[(String, String)],
        credentials: Option<Arc<AwsCredentials>>,
        region: Option<&str>,
    ) -> Result<S3Store> {
        let url = if prefix.is_empty() {
            format!("s3://{bucket}")
        } else {
            format!("s3://{bucket}/{prefix}")
        };
        if credentials.is_none()
            && target.endpoint.is_some()
            && !env.iter().any(|(k, _)| k == "AWS_ACCESS_KEY_ID")
        {
            // Without keys object_store would ask the EC2 instance metadata
            // service, which no S3-compatible service behind an endpoint uses.
            return Err(hinted(
                format!("no credentials for `{url}`"),
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (credentials are never read from \
                 nutgraf.toml)",
            ));
        }
        let requests = Arc::new(Requests::default());
        // Client options first: `with_client_options` replaces them all,
        // `with_allow_http` among them.
        let mut builder = AmazonS3Builder::new();
        for (key, value) in env {
            if let Some(key) = key
                .strip_prefix("AWS_")
                .and_then(|_| key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>().ok())
            {
                builder = builder.with_config(key, value);
            }
        }
        let mut builder = builder
            .with_client_options(ClientOptions::new().with_timeout(Duration::from_secs(60)))
            .with_bucket_name(bucket)
            .with_allow_http(target.allow_http)
            .with_retry(RetryConfig {
                // Retries cover 5xx, 429 and dropped connections; 4xx
                // answers (bad credentials, missing bucket) fail at once.
                max_retries: 5,
                retry_timeout: Duration::from_secs(120),
                ..RetryConfig::default()
            })
            .with_http_connector(Counting {
                requests: Arc::clone(&requests),
            });
        if let Some(region) = region.or(target.region.as_deref()) {
            builder = builder.with_region(region);
        }
        if let Some(credentials) = credentials {
            builder = builder.with_credentials(Arc::new(ForObjectStore(credentials)));
        }
        if let Some(endpoint) = &target.endpoint {
            // R2, MinIO and most S3-compatible services want path-style
            // requests (`endpoint/bucket/key`).
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        let store = builder
            .build()
            .with_context(|| format!("cannot open `{url}`"))?;
        Ok(S3Store {
            store,
            url,
            prefix: prefix.to_string(),
            requests,
        })
    }

    /// The object key of `path`. `Path::parse` keeps the key as is
    /// (`Path::from` would percent-encode characters such as `~` and `%`
    /// into the key itself).
    fn key(&self, path: &str) -> Result<Path> {
        let full = if self.prefix.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.prefix)
        };
        Path::parse(&full).with_context(|| format!("`{path}` cannot be an S3 object key"))
    }

    /// The error with the target's URL and, for the usual causes, a hint.
    fn error(&self, e: object_store::Error, doing: &str) -> anyhow::Error {
        let text = e.to_string();
        let refused = matches!(
            e,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        ) || text.contains("403 Forbidden");
        let message = format!("failed to {doing} `{}`: {text}", self.url);
        if refused {
            hinted(
                message,
                "the credentials were refused (403): check AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY (or the profile in use), and that they may write to this \
                 bucket",
            )
        } else if text.contains("NoSuchBucket") {
            hinted(
                message,
                "the bucket does not exist: check `url` and `endpoint` in nutgraf.toml",
            )
        } else {
            anyhow!(message)
        }
    }
}

impl Store for S3Store {
    async fn list(&self) -> Result<BTreeMap<String, Listed>> {
        let prefix = if self.prefix.is_empty() {
            None
        } else {
            Some(self.key("")?)
        };
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        // `list` follows continuation tokens: one request per 1,000 keys.
        let objects: Vec<_> = self
            .store
            .list(prefix.as_ref())
            .try_collect()
            .await
            .map_err(|e| self.error(e, "list"))?;
        Ok(objects
            .into_iter()
            .filter_map(|o| {
                let key = o.location.as_ref();
                key.strip_prefix(&strip).map(|rel| {
                    let listed = Listed {
                        size: o.size,
                        e_tag: o.e_tag.as_deref().map(normalize_e_tag),
                    };
                    (rel.to_string(), listed)
                })
            })
            .collect())
    }

    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.store.get(&self.key(path)?).await {
            Ok(r) => Ok(Some(
                r.bytes()
                    .await
                    .map_err(|e| self.error(e, &format!("download `{path}` from")))?
                    .to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e, &format!("download `{path}` from"))),
        }
    }

    async fn head(&self, path: &str) -> Result<Option<RemoteObject>> {
        let opts = GetOptions {
            head: true,
            ..GetOptions::default()
        };
        match self.store.get_opts(&self.key(path)?, opts).await {
            Ok(r) => {
                let attr = |a: Attribute| r.attributes.get(&a).map(|v| v.to_string());
                Ok(Some(RemoteObject {
                    size: r.meta.size,
                    meta: Some(Meta {
                        content_type: attr(Attribute::ContentType).unwrap_or_default(),
                        cache_control: attr(Attribute::CacheControl).unwrap_or_default(),
                        content_encoding: attr(Attribute::ContentEncoding),
                        surrogate_key: attr(Attribute::Metadata(SURROGATE_KEY.into())),
                    }),
                    e_tag: r.meta.e_tag.as_deref().map(normalize_e_tag),
                }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e, &format!("read `{path}` in"))),
        }
    }

    async fn put(&self, path: &str, body: Vec<u8>, meta: &Meta) -> Result<Option<String>> {
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, meta.content_type.clone().into());
        attributes.insert(Attribute::CacheControl, meta.cache_control.clone().into());
        if let Some(enc) = &meta.content_encoding {
            attributes.insert(Attribute::ContentEncoding, enc.clone().into());
        }
        if let Some(key) = &meta.surrogate_key {
            attributes.insert(
                Attribute::Metadata(SURROGATE_KEY.into()),
                key.clone().into(),
            );
        }
        let opts = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        let put = self
            .store
            .put_opts(&self.key(path)?, PutPayload::from(body), opts)
            .await
            .map_err(|e| self.error(e, &format!("upload `{path}` to")))?;
        Ok(put.e_tag.as_deref().map(normalize_e_tag))
    }

    async fn delete(&self, paths: &[String]) -> Result<()> {
        let keys = paths
            .iter()
            .map(|p| {
                self.key(p).map_err(|e| object_store::Error::Generic {
                    store: "S3",
                    source: e.into(),
                })
            })
            .collect::<Vec<_>>();
        // Bulk DeleteObjects requests of up to 1,000 keys each.
        let mut results = self
            .store
            .delete_stream(futures::stream::iter(keys).boxed());
        while let Some(r) = results.next().await {
            match r {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.error(e, "delete from")),
            }
        }
        Ok(())
    }

    fn requests(&self) -> RequestCounts {
        self.requests.snapshot()
    }
}

/// Wraps object_store's reqwest client to count requests by kind.
#[derive(Debug)]
struct Counting {
    requests: Arc<Requests>,
}

impl HttpConnector for Counting {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let inner = ReqwestConnector::default().connect(options)?;
        Ok(HttpClient::new(CountingService {
            inner,
            requests: Arc::clone(&self.requests),
        }))
    }
}

#[derive(Debug)]
struct CountingService {
    inner: HttpClient,
    requests: Arc<Requests>,
}

#[async_trait::async_trait]
impl HttpService for CountingService {
    async fn call(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let query = req.uri().query().unwrap_or("");
        let kind = match req.method().as_str() {
            "GET" if query.contains("list-type") => RequestKind::List,
            "GET" => RequestKind::Get,
            "HEAD" => RequestKind::Head,
            "PUT" => RequestKind::Put,
            "DELETE" => RequestKind::Delete,
            "POST" if query.split('&').any(|p| p == "delete" || p == "delete=") => {
                RequestKind::Delete
            }
            _ => RequestKind::Other,
        };
        self.requests.count(kind);
        self.inner.execute(req).await
    }
}
