//! AWS credentials as the AWS CLI finds them, for the S3 store and for
//! CloudFront: aws-config's providers in the CLI's order, and a cache that
//! asks them again only when what it holds is about to expire (object_store
//! asks for credentials on every request; a `credential_process` must not
//! run a thousand times a deploy).
//!
//! The order, for a target without `profile`:
//! 1. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`);
//! 2. the profile `AWS_PROFILE` names (else `default`) in
//!    `~/.aws/credentials` and `~/.aws/config` (`AWS_SHARED_CREDENTIALS_FILE`
//!    and `AWS_CONFIG_FILE` move them): static keys, `source_profile` +
//!    `role_arn` (assume role through STS), `credential_process`, SSO;
//! 3. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`);
//! 4. the container endpoint (ECS, EKS Pod Identity), then the EC2
//!    instance metadata service (IMDSv2). Both are AWS's own, so a target
//!    with an `endpoint` (R2, MinIO…) skips them: no such service accepts
//!    an instance role, and probing the metadata address off EC2 only
//!    waits for a timeout.
//!
//! A target's `profile = "…"` uses that profile alone, over keys in the
//! environment, as `aws --profile` does.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::Region;
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;

use crate::config::{DeployLocation, DeployTarget};
use crate::error::Error;

/// Credentials are fetched again this long before they expire.
const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

/// A target's AWS credentials: where to find them, and the last found.
pub struct AwsCredentials {
    chain: Box<dyn ProvideCredentials>,
    held: tokio::sync::Mutex<Option<Credentials>>,
    /// Where they were looked for, for messages.
    looked: String,
    /// The profile in use: the target's, `AWS_PROFILE`, or `default`.
    profile: String,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("looked", &self.looked)
            .finish_non_exhaustive()
    }
}

/// The region a target's requests are signed for: the target's `region`,
/// then `AWS_REGION` / `AWS_DEFAULT_REGION`, then the profile's `region`.
pub async fn region(target: &DeployTarget) -> Option<String> {
    if let Some(r) = &target.region {
        return Some(r.clone());
    }
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(r) = std::env::var(var).ok().filter(|r| !r.trim().is_empty()) {
            return Some(r);
        }
    }
    let mut builder = ProfileFileRegionProvider::builder();
    if let Some(profile) = &target.profile {
        builder = builder.profile_name(profile);
    }
    builder.build().region().await.map(|r| r.to_string())
}

impl AwsCredentials {
    /// The chain for `target`, tried once now: a deploy that cannot sign
    /// fails before it uploads anything, with where it looked.
    pub async fn for_target(
        target: &DeployTarget,
        region: Option<&str>,
    ) -> Result<Arc<AwsCredentials>, Error> {
        // STS (assume role) needs a region even for a site whose bucket's
        // region is unknown; us-east-1 is the one STS answers everywhere.
        let conf = ProviderConfig::default()
            .with_region(Some(Region::new(region.unwrap_or("us-east-1").to_string())));
        let profile = || {
            let mut b = ProfileFileCredentialsProvider::builder().configure(&conf);
            if let Some(p) = &target.profile {
                b = b.profile_name(p);
            }
            b.build()
        };
        let profile_name = target
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .unwrap_or_else(|| "default".to_string());
        let aws_only = target.endpoint.is_none();
        let files = profile_files();
        let (chain, looked): (Box<dyn ProvideCredentials>, String) = if target.profile.is_some() {
            (
                Box::new(profile()),
                format!("profile `{profile_name}` of {files}"),
            )
        } else {
            let mut chain = CredentialsProviderChain::first_try(
                "Environment",
                EnvironmentVariableCredentialsProvider::new(),
            )
            .or_else("Profile", profile())
            .or_else(
                "WebIdentityToken",
                WebIdentityTokenCredentialsProvider::builder()
                    .configure(&conf)
                    .build(),
            );
            if aws_only {
                chain = chain
                    .or_else(
                        "EcsContainer",
                        EcsCredentialsProvider::builder().configure(&conf).build(),
                    )
                    .or_else(
                        "Ec2InstanceMetadata",
                        ImdsCredentialsProvider::builder().configure(&conf).build(),
                    );
            }
            let looked = format!(
                "AWS_ACCESS_KEY_ID, profile `{profile_name}` of {files}, web identity{}",
                if aws_only {
                    ", the container and instance metadata endpoints"
                } else {
                    " (not instance metadata: the target has an `endpoint`)"
                }
            );
            (Box::new(chain), looked)
        };
        let credentials = Arc::new(AwsCredentials {
            chain,
            held: tokio::sync::Mutex::new(None),
            looked,
            profile: profile_name,
        });
        credentials
            .get()
            .await
            .map_err(|e| credentials.error(target, &e))?;
        Ok(credentials)
    }

    /// Credentials valid for at least a few more minutes.
    pub async fn get(&self) -> Result<Credentials, CredentialsError> {
        let mut held = self.held.lock().await;
        if let Some(c) = held.as_ref()
            && c.expiry()
                .is_none_or(|at| at > SystemTime::now() + REFRESH_BEFORE)
        {
            return Ok(c.clone());
        }
        let fresh = self.chain.provide_credentials().await?;
        *held = Some(fresh.clone());
        Ok(fresh)
    }

    /// `e` as a configuration error that says where nutgraf looked and how
    /// to give it credentials.
    fn error(&self, target: &DeployTarget, e: &CredentialsError) -> Error {
        let place = match &target.location {
            DeployLocation::S3 { bucket, .. } => format!("s3://{bucket}"),
            DeployLocation::Dir(_) => "CloudFront".to_string(),
        };
        let why = chain_text(e);
        // The hint when the target names a profile that gave nothing.
        let add_profile = |p: &str| {
            format!(
                "add `[profile {p}]` to the config file (or `[{p}]` to the credentials file), or change `profile` on target `{}`",
                target.name
            )
        };
        match e {
            _ if why.contains("was not defined") => Error::usage(
                format!(
                    "no AWS profile `{}` for `{place}` (looked in {})",
                    self.profile,
                    profile_files()
                ),
                match &target.profile {
                    Some(p) => add_profile(p),
                    None => "add the profile, or set AWS_PROFILE to one that exists".to_string(),
                },
            ),
            CredentialsError::CredentialsNotLoaded(_) => Error::usage(
                format!("no AWS credentials for `{place}` (looked in {})", self.looked),
                match &target.profile {
                    Some(p) => add_profile(p),
                    None => "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE to a profile of ~/.aws/config (credentials are never read from nutgraf.toml)".to_string(),
                },
            ),
            _ => Error::usage(
                format!("cannot get AWS credentials for `{place}`: {why}"),
                format!(
                    "fix the profile (looked in {}); `aws sts get-caller-identity{}` shows what the AWS CLI makes of it",
                    self.looked,
                    target
                        .profile
                        .as_ref()
                        .map(|p| format!(" --profile {p}"))
                        .unwrap_or_default()
                ),
            ),
        }
    }
}

/// The two profile files, where the AWS SDK reads them:
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else under `~/.aws`.
fn profile_files() -> String {
    let file = |var: &str, default: &str| {
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    format!(
        "{} and {}",
        file("AWS_CONFIG_FILE", "~/.aws/config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    )
}

/// An error and its causes on one line (aws-config nests the useful part:
/// "the credential process failed: exit status 1: …").
fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// object_store's view of [`AwsCredentials`].
#[derive(Debug)]
pub struct ForObjectStore(pub Arc<AwsCredentials>);

#[async_trait::async_trait]
impl object_store::CredentialProvider for ForObjectStore {
    type Credential = object_store::aws::AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<Self::Credential>> {
        let c = self
            .0
            .get()
            .await
            .map_err(|e| object_store::Error::Generic {
                store: "S3",
                source: chain_text(&e).into(),
            })?;
        Ok(Arc::new(object_store::aws::AwsCredential {
            key_id: c.access_key_id().to_string(),
            secret_key: c.secret_access_key().to_string(),
            token: c.session_token().map(str::to_string),
        }))
    }
}
