//! `nutgraf deploy`: publishes the built site to S3-compatible storage or a
//! local folder, uploading only what changed.
//!
//! A deploy runs these steps in order ([`deploy`]):
//!
//! 1. (the CLI builds the site first unless `--output` names a build);
//! 2. hash every output file and work out its headers ([`local`]);
//! 3. read the target's manifest and trust it, or list the target with
//!    `--verify` or when there is no up-to-date manifest ([`store`],
//!    [`manifest`]);
//! 4. compare them: a pure function ([`plan::plan`]) decides what to
//!    upload, in which phase, and what to delete;
//! 5. apply the plan: an interim manifest, then phase by phase assets,
//!    other files, new pages, changed pages, feeds and sitemaps, then the
//!    manifest, then deletes (and the manifest once more after deletes);
//! 6. work out the URLs a CDN may hold stale copies of ([`invalidation`])
//!    and purge them: CloudFront ([`cloudfront`]), Cloudflare, Fastly or
//!    bunny.net ([`purge`]).
//!
//! S3 and CloudFront sign with AWS credentials found as the AWS CLI finds
//! them ([`aws`]).

pub mod aws;
pub mod cloudfront;
pub mod invalidation;
pub mod local;
pub mod manifest;
pub mod plan;
pub mod purge;
mod s3;
pub mod store;

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::config::{CONFIG_FILE, Cdn, Config, DeployConfig, DeployLocation, DeployTarget};
use crate::diagnostic::did_you_mean;
use crate::error::Error;
use crate::paths::absolute;

use self::invalidation::Invalidation;
use self::local::LocalFile;
use self::manifest::{MANIFEST_PATH, Manifest};
use self::plan::{Plan, PlanOptions, RemoteState};
use self::store::{AnyStore, Listed, RequestCounts, Store};

/// Deletes a deploy makes without `--max-deletes`.
pub const DEFAULT_MAX_DELETES: usize = 256;

/// Uploads in flight at once within a phase.
const CONCURRENCY: usize = 8;

/// Test hook: stop with an error after this many uploads, as if the
/// connection had dropped halfway.
const FAIL_AFTER_VAR: &str = "NUTGRAF_DEPLOY_FAIL_AFTER";

/// What `nutgraf deploy` was asked to do.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub root: PathBuf,
    /// A `[[deploy.targets]]` name; the first target when `None`.
    pub target: Option<String>,
    /// The built site to deploy.
    pub output: PathBuf,
    /// Print the plan, change nothing.
    pub dry_run: bool,
    /// Upload every file.
    pub force: bool,
    /// List the target instead of trusting the manifest: finds objects
    /// changed, deleted or added outside nutgraf.
    pub verify: bool,
    /// Refuse plans that delete more objects than this.
    pub max_deletes: usize,
    /// Do not ask before deleting.
    pub yes: bool,
    /// Draw progress bars (stderr is a terminal).
    pub progress: bool,
    /// stdin is a terminal: ask before deleting unless `yes`.
    pub interactive: bool,
    /// Only purge what the target's manifest says an earlier purge left.
    pub purge_only: bool,
    /// Wait until a CloudFront invalidation has completed.
    pub wait: bool,
}

/// What a deploy did (or, with `--dry-run`, would do).
#[derive(Debug, Serialize)]
pub struct DeployReport {
    pub target: String,
    /// `s3://bucket/prefix` or `file:///folder`.
    pub location: String,
    pub dry_run: bool,
    /// Whether the target was listed (`--verify`, or no up-to-date
    /// manifest); otherwise its manifest was trusted.
    pub listed: bool,
    /// Objects the target did not have.
    pub new: Vec<String>,
    /// Objects replaced.
    pub updated: Vec<String>,
    pub deleted: Vec<String>,
    pub unchanged: usize,
    /// Bytes uploaded (or to upload), the manifest left out.
    pub bytes: u64,
    /// Paths to invalidate on a CDN (`["/*"]` above `invalidate_max`).
    pub invalidate: Vec<String>,
    /// The CDN purge sent (or, with `--dry-run`, that would be sent).
    pub purge: Option<PurgeReport>,
    pub requests: RequestCounts,
    pub elapsed_ms: u128,
    /// Where the time went.
    pub timings_ms: Timings,
}

/// A CDN purge after a deploy.
#[derive(Debug, Serialize)]
pub struct PurgeReport {
    /// "CloudFront", "Cloudflare", "Fastly" or "Bunny".
    pub cdn: &'static str,
    /// The site paths purged (`["/*"]` for everything).
    pub paths: Vec<String>,
    /// API requests sent (or to send).
    pub requests: usize,
    /// CloudFront's id for the invalidation it created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalidation_id: Option<String>,
    /// CloudFront's last word on it: `InProgress`, or `Completed` (after
    /// `--wait`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Milliseconds spent in each step of a deploy.
#[derive(Debug, Default, Serialize)]
pub struct Timings {
    /// Hashing the local files.
    pub scan: u128,
    /// Reading the target's manifest, and listing it when it was listed.
    pub survey: u128,
    /// Uploads, manifest and deletes.
    pub apply: u128,
}

/// Deploys the built site in `opts.output` to a target.
pub fn deploy(opts: &DeployOptions) -> Result<DeployReport, Error> {
    let started = Instant::now();
    let config = Config::load(&opts.root)?;
    let target = preflight(
        &opts.root,
        &config,
        opts.target.as_deref(),
        Some(&opts.output),
    )?;
    let dir = &opts.output;
    let mut matchers = config.deploy.matchers.clone();
    if matches!(target.location, DeployLocation::Dir(_)) {
        // Nothing would send `Content-Encoding` for a plain folder.
        for m in &mut matchers {
            m.gzip = false;
        }
    }
    // The purge's token is read before anything is uploaded: a deploy
    // that could not purge would leave the CDN serving old pages.
    let purge_token = match (
        target.purge.as_ref().and_then(|p| Some((p, p.token_env.as_ref()?))),
        opts.dry_run,
    ) {
        (Some((purge, token_env)), false) => Some(
            std::env::var(token_env)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    Error::usage(
                        format!(
                            "target `{}` purges {}, but ${} is not set; nothing was uploaded",
                            target.name,
                            purge.cdn.name(),
                            token_env
                        ),
                        format!(
                            "export {token_env}=<API token>, or set `token_env` in the target's `purge` table to the variable that holds it"
                        ),
                    )
                })?,
        ),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    // AWS credentials, for the bucket and for CloudFront, are found (and a
    // `credential_process` run, a role assumed) before anything is
    // uploaded: a deploy that cannot sign stops here.
    let cloudfront = target
        .purge
        .as_ref()
        .is_some_and(|p| matches!(p.cdn, Cdn::CloudFront { .. }));
    if opts.wait && !cloudfront && !opts.dry_run {
        eprintln!(
            "note: --wait waits for CloudFront invalidations; target `{}` {}",
            target.name,
            match &target.purge {
                Some(p) => format!(
                    "purges {}, which is done when its requests return",
                    p.cdn.name()
                ),
                None => "purges no CDN".to_string(),
            }
        );
    }
    let (aws_credentials, region) =
        if matches!(target.location, DeployLocation::S3 { .. }) || cloudfront {
            let region = runtime.block_on(aws::region(target));
            let credentials =
                runtime.block_on(aws::AwsCredentials::for_target(target, region.as_deref()))?;
            (Some(credentials), region)
        } else {
            (None, None)
        };
    let mut timings = Timings::default();
    let step = Instant::now();
    let mut local = if opts.purge_only {
        Vec::new()
    } else {
        local::scan(dir, &matchers)?
    };
    // Purged by surrogate key: every object that can change in place
    // carries its page's key (a changed key is a changed header, so
    // turning this on uploads each such object once more, with its key).
    if let Some(Cdn::Fastly {
        surrogate_keys: true,
        ..
    }) = target.purge.as_ref().map(|p| &p.cdn)
    {
        for file in &mut local {
            if !crate::site::cdn::is_hashed(&file.path) {
                file.meta.surrogate_key = Some(invalidation::surrogate_key(&file.path));
            }
        }
    }
    timings.scan = step.elapsed().as_millis();
    // Opening a store fails only on its settings (no credentials, a bad
    // endpoint): a configuration problem, not a failed deploy.
    let store = store::open(target, aws_credentials.clone(), region.as_deref())
        .map_err(Error::usage_from)?;

    let location = describe(target);
    let step = Instant::now();
    let remote = runtime.block_on(survey(&store, opts.verify, &location))?;
    timings.survey = step.elapsed().as_millis();
    // What an earlier deploy's purge left undone.
    let owed: BTreeSet<String> = remote
        .manifest()
        .map(|m| m.unpurged.clone())
        .unwrap_or_default();
    if opts.purge_only {
        let Some(purge_config) = &target.purge else {
            return Err(Error::usage(
                format!(
                    "target `{}` has no `purge` table: there is nothing to purge",
                    target.name
                ),
                "add `cloudfront_distribution_id = \"E…\"`, or `purge = { cdn = \"cloudflare\", zone_id = \"…\" }` (or fastly, bunny), to the target",
            ));
        };
        let manifest = remote.manifest().cloned();
        if owed.is_empty() {
            eprintln!("Nothing to purge: `{location}` records no purge left undone");
        }
        let purge = run_purge(Purging {
            runtime: &runtime,
            store: &store,
            config: purge_config,
            base_url: &config.base_url,
            token: purge_token.as_deref().unwrap_or(""),
            aws: aws_credentials.as_deref(),
            wait: opts.wait,
            invalidation: Invalidation::None,
            owed: &owed,
            max: target.invalidate_max,
            manifest,
            dry_run: false,
            location: &location,
        })?;
        return Ok(DeployReport {
            purge,
            target: target.name.clone(),
            location,
            dry_run: false,
            listed: remote.listed(),
            new: Vec::new(),
            updated: Vec::new(),
            deleted: Vec::new(),
            unchanged: 0,
            bytes: 0,
            invalidate: Vec::new(),
            requests: store.requests(),
            elapsed_ms: started.elapsed().as_millis(),
            timings_ms: timings,
        });
    }
    let plan = plan::plan(&local, &remote, PlanOptions { force: opts.force });
    print_plan(&plan, target, &location, dir, opts.dry_run);
    if opts.dry_run {
        if let Err(count) = plan::check_deletes(&plan, opts.max_deletes) {
            eprintln!(
                "note: a real deploy would refuse to delete {count} objects (more than \
                 --max-deletes {})",
                opts.max_deletes
            );
        }
    }

    let mut applied: Option<Manifest> = None;
    if !opts.dry_run {
        if let Err(count) = plan::check_deletes(&plan, opts.max_deletes) {
            return Err(Error::failed(
                anyhow!(
                    "refusing to delete {count} objects from `{location}`: more than \
                     --max-deletes {} allows; nothing was changed",
                    opts.max_deletes
                ),
                format!(
                    "check `url` and the output folder (a wrong prefix looks like this), then run \
                     again with `--max-deletes {count}`"
                ),
            ));
        }
        if !plan.deletes.is_empty() && opts.interactive && !opts.yes {
            confirm(&plan, &location)?;
        }
        let step = Instant::now();
        applied = Some(runtime.block_on(apply(&store, &plan, opts.progress))?);
        timings.apply = step.elapsed().as_millis();
    }

    let invalidation = invalidation::invalidation(&plan, target.invalidate_max);
    let invalidate = invalidation.paths();
    let purge = match &target.purge {
        Some(purge_config) => run_purge(Purging {
            runtime: &runtime,
            store: &store,
            config: purge_config,
            base_url: &config.base_url,
            token: purge_token.as_deref().unwrap_or(""),
            aws: aws_credentials.as_deref(),
            wait: opts.wait,
            invalidation,
            owed: &owed,
            max: target.invalidate_max,
            manifest: applied,
            dry_run: opts.dry_run,
            location: &location,
        })?,
        None => None,
    };
    let (new, updated): (Vec<_>, Vec<_>) = plan.uploads.iter().partition(|u| u.is_new());
    Ok(DeployReport {
        purge,
        target: target.name.clone(),
        location,
        dry_run: opts.dry_run,
        listed: remote.listed(),
        new: new.iter().map(|u| u.file.path.clone()).collect(),
        updated: updated.iter().map(|u| u.file.path.clone()).collect(),
        deleted: plan.deletes.iter().map(|d| d.path.clone()).collect(),
        unchanged: plan.unchanged,
        bytes: plan.upload_bytes(),
        invalidate,
        requests: store.requests(),
        elapsed_ms: started.elapsed().as_millis(),
        timings_ms: timings,
    })
}

/// The `--target` named, or the first one.
/// What `deploy` checks before anything is built or uploaded: `[deploy]`
/// is valid, the target exists, and the folder to upload (when known) is a
/// build's output, not the site's sources or a folder the target overlaps.
pub fn preflight<'c>(
    root: &Path,
    config: &'c Config,
    target: Option<&str>,
    output: Option<&Path>,
) -> Result<&'c DeployTarget, Error> {
    let target = select_target(config.deploy()?, target)?;
    if let Some(output) = output {
        crate::site::check_output_path(root, output, "deploy")?;
        if let DeployLocation::Dir(target_dir) = &target.location {
            check_folder_target(output, target_dir)?;
        }
    }
    Ok(target)
}

fn select_target<'c>(
    deploy: &'c DeployConfig,
    name: Option<&str>,
) -> Result<&'c DeployTarget, Error> {
    let Some(first) = deploy.targets.first() else {
        return Err(Error::usage(
            format!("no deploy target: `{CONFIG_FILE}` has no `[[deploy.targets]]`"),
            "add one, e.g.\n[[deploy.targets]]\nname = \"production\"\nurl = \"s3://my-bucket\"",
        ));
    };
    let Some(name) = name else {
        return Ok(first);
    };
    deploy
        .targets
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = deploy.targets.iter().map(|t| t.name.as_str()).collect();
            let hint = match did_you_mean(name, &names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("targets are {}", crate::diagnostic::code_list(&names)),
            };
            Error::usage(format!("no deploy target named `{name}`"), hint)
        })
}

/// Refuses a folder target that is the output folder, inside it or
/// around it: deploying would copy the site into itself or delete it.
fn check_folder_target(output: &Path, target: &Path) -> Result<(), Error> {
    let (output, target) = (absolute(output), absolute(target));
    if output.starts_with(&target) || target.starts_with(&output) {
        return Err(Error::usage(
            format!(
                "deploy folder `{}` overlaps the output folder `{}`",
                target.display(),
                output.display()
            ),
            "a `file://` target must be a folder outside the built site",
        ));
    }
    Ok(())
}

fn describe(target: &DeployTarget) -> String {
    match &target.location {
        DeployLocation::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
        DeployLocation::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
        DeployLocation::Dir(dir) => format!("file://{}", dir.display()),
    }
}

/// Reads the target's manifest (one GET) and trusts it. The target is
/// listed instead with `--verify`, or when the manifest is missing,
/// unreadable or from a nutgraf that did not record ETags; each of those
/// says so once. An unreadable manifest is treated as absent: every file
/// the target has is uploaded again.
async fn survey(store: &AnyStore, verify: bool, location: &str) -> Result<RemoteState> {
    let (manifest, missing) = match store.get(MANIFEST_PATH).await? {
        None => (None, true),
        Some(bytes) => match Manifest::parse(&bytes) {
            Ok(m) if verify => (Some(m), false),
            Ok(m) if m.is_outdated() => {
                eprintln!(
                    "note: `{MANIFEST_PATH}` on `{location}` has version {}, without ETags; \
                     listing the target once to record them",
                    m.version
                );
                (Some(m), false)
            }
            Ok(m) => return Ok(RemoteState::Trusted(m)),
            Err(e) => {
                eprintln!("warning: {e:#}; listing the target and uploading every file again");
                (None, false)
            }
        },
    };
    let mut objects = store.list().await?;
    if missing && !objects.is_empty() {
        // An empty target is a first deploy: nothing to warn about.
        eprintln!(
            "warning: `{location}` has no `{MANIFEST_PATH}`; listed it instead: its {} objects \
             are uploaded again or deleted (nutgraf cannot know what they hold)",
            objects.len()
        );
    }
    if verify && let Some(m) = &manifest {
        head_missing_e_tags(store, &mut objects, m).await?;
    }
    Ok(RemoteState::Listed { objects, manifest })
}

/// `--verify` against a service whose listings leave ETags out (s3s-fs
/// does): asks for the ETag of each listed object whose upload recorded
/// one, so that a same-size replacement is still found.
async fn head_missing_e_tags(
    store: &AnyStore,
    objects: &mut BTreeMap<String, Listed>,
    manifest: &Manifest,
) -> Result<()> {
    let missing: Vec<String> = objects
        .iter()
        .filter(|(path, listed)| {
            listed.e_tag.is_none() && manifest.files.get(*path).is_some_and(|e| e.e_tag.is_some())
        })
        .map(|(path, _)| path.clone())
        .collect();
    let heads: Vec<(String, Option<store::RemoteObject>)> = futures::stream::iter(missing)
        .map(|path| async move {
            let head = store.head(&path).await?;
            Ok::<_, anyhow::Error>((path, head))
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    for (path, head) in heads {
        match head {
            Some(object) => {
                objects.insert(
                    path,
                    Listed {
                        size: object.size,
                        e_tag: object.e_tag,
                    },
                );
            }
            // Deleted since the listing.
            None => {
                objects.remove(&path);
            }
        }
    }
    Ok(())
}

/// Runs the plan: the interim manifest, each phase's uploads (concurrent
/// within a phase), the final manifest with the uploads' ETags, the
/// deletes, and the manifest once more without the deletes it still named.
async fn apply(store: &AnyStore, plan: &Plan, progress: bool) -> Result<Manifest> {
    let manifest_meta = manifest_meta();
    if let Some(interim) = &plan.interim_manifest {
        store
            .put(MANIFEST_PATH, interim.to_json(), &manifest_meta)
            .await?;
    }
    let fail_after: Option<usize> = std::env::var(FAIL_AFTER_VAR)
        .ok()
        .and_then(|v| v.parse().ok());
    let done = AtomicUsize::new(0);
    let bar = progress_bar(progress, plan.uploads.len(), plan.upload_bytes());
    let mut manifest = plan.manifest.clone();
    for (_phase, uploads) in plan.phases() {
        let mut results = futures::stream::iter(uploads)
            .map(|u| async {
                let body = local::body(&u.file)?;
                let e_tag = store.put(&u.file.path, body, &u.file.meta).await?;
                bar.inc(u.file.size);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                if fail_after.is_some_and(|max| n >= max) {
                    bail!("stopped after {n} uploads because {FAIL_AFTER_VAR} is set");
                }
                Ok::<_, anyhow::Error>((u.file.path.as_str(), e_tag))
            })
            .buffer_unordered(CONCURRENCY);
        while let Some(r) = results.next().await {
            let (path, e_tag) = r?;
            if let Some(entry) = manifest.files.get_mut(path) {
                entry.e_tag = e_tag;
            }
        }
    }
    bar.finish_and_clear();
    if plan.write_manifest {
        store
            .put(MANIFEST_PATH, manifest.to_json(), &manifest_meta)
            .await?;
    }
    if !plan.deletes.is_empty() {
        let paths: Vec<String> = plan.deletes.iter().map(|d| d.path.clone()).collect();
        store.delete(&paths).await?;
        // Done: the next deploy need not delete them again.
        manifest.unverified.clear();
        store
            .put(MANIFEST_PATH, manifest.to_json(), &manifest_meta)
            .await?;
    }
    Ok(manifest)
}

/// The headers the manifest is stored with: it is nutgraf's, not the
/// site's, so never cached.
fn manifest_meta() -> local::Meta {
    local::Meta {
        cache_control: "no-store".to_string(),
        ..local::meta_for(MANIFEST_PATH, &[])
    }
}

/// Writes `manifest` to the target (after a purge changed what it owes).
async fn put_manifest(store: &AnyStore, manifest: &Manifest) -> Result<()> {
    store
        .put(MANIFEST_PATH, manifest.to_json(), &manifest_meta())
        .await?;
    Ok(())
}

fn progress_bar(show: bool, files: usize, bytes: u64) -> indicatif::ProgressBar {
    if !show || files == 0 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(bytes);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} uploading {} {{bytes}}/{{total_bytes}} {{wide_bar}} {{eta}}",
        crate::error::plural(files, "file")
    )) {
        bar.set_style(style);
    }
    bar
}

/// The plan's summary on stderr; with `--dry-run`, every action too.
fn print_plan(plan: &Plan, target: &DeployTarget, location: &str, dir: &Path, dry_run: bool) {
    let verb = if dry_run { "Would deploy" } else { "Deploying" };
    eprintln!(
        "{verb} {} to {} ({location}): {} new, {} updated, {} to delete, {} unchanged; {} to upload",
        dir.display(),
        target.name,
        plan.new_count(),
        plan.update_count(),
        plan.deletes.len(),
        plan.unchanged,
        human_bytes(plan.upload_bytes()),
    );
    if !dry_run {
        return;
    }
    for u in &plan.uploads {
        let action = if u.is_new() { "new" } else { "update" };
        eprintln!(
            "  {action:<7} {:<9} {}  ({}, {})",
            format!("{:?}", u.phase).to_lowercase(),
            u.file.path,
            u.reason.describe(),
            human_bytes(u.file.size)
        );
    }
    if plan.write_manifest {
        eprintln!("  {:<7} {:<9} {MANIFEST_PATH}", "write", "manifest");
    }
    for d in &plan.deletes {
        eprintln!("  {:<7} {:<9} {}", "delete", "last", d.path);
    }
}

/// What a CDN purge needs, after the uploads.
struct Purging<'a> {
    runtime: &'a tokio::runtime::Runtime,
    store: &'a AnyStore,
    config: &'a crate::config::PurgeConfig,
    base_url: &'a str,
    token: &'a str,
    /// CloudFront's signing credentials.
    aws: Option<&'a aws::AwsCredentials>,
    /// `--wait`: until CloudFront says the invalidation is complete.
    wait: bool,
    /// What this deploy changed in place.
    invalidation: Invalidation,
    /// What an earlier purge left undone (from the target's manifest).
    owed: &'a BTreeSet<String>,
    max: usize,
    /// The target's manifest as this deploy left it, to record in it what
    /// is still owed; `None` on a dry run.
    manifest: Option<Manifest>,
    dry_run: bool,
    location: &'a str,
}

/// Purges this deploy's paths and those still owed, as one set (`/*`
/// above `max`). A failure records what is left in the target's manifest
/// for `--purge-only` or the next deploy; a success clears what was owed.
fn run_purge(p: Purging) -> Result<Option<PurgeReport>, Error> {
    let mut wanted = invalidation::with_owed(p.invalidation, p.owed, p.max);
    let mut config = p.config.clone();
    let cdn = config.cdn.name();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    // CloudFront's request is signed here; an error doing so (credentials
    // that expired during the upload) fails the purge like an HTTP error.
    let mut unsent: Option<purge::PurgeFailure> = None;
    let requests = match &p.config.cdn {
        Cdn::CloudFront { distribution_id } => {
            wanted = cloudfront::fit(wanted);
            config.endpoint = cloudfront::endpoint(|k| std::env::var(k).ok(), &config.endpoint);
            let paths = wanted.paths();
            if paths.is_empty() {
                Vec::new()
            } else {
                let now = std::time::SystemTime::now();
                let request = signing_credentials(p.runtime, p.aws).and_then(|c| {
                    cloudfront::create_invalidation(
                        &config.endpoint,
                        distribution_id,
                        &paths,
                        &cloudfront::caller_reference(&paths, now),
                        &c,
                        now,
                    )
                    .map_err(|e| format!("{e:#}"))
                });
                match request {
                    Ok(r) => vec![r],
                    Err(why) => {
                        unsent = Some(purge::PurgeFailure {
                            why,
                            status: None,
                            unpurged: paths,
                            sent: 0,
                        });
                        Vec::new()
                    }
                }
            }
        }
        _ => purge::requests(&config, p.base_url, &wanted, p.token),
    };
    let paths = wanted.paths();
    let mut invalidation_id = None;
    let mut status = None;
    if p.dry_run {
        if !requests.is_empty() {
            eprintln!(
                "Would purge {} on {cdn} in {} request{}",
                describe_paths(&paths),
                requests.len(),
                plural(requests.len())
            );
            for path in paths.iter().take(10) {
                eprintln!("  purge   {path}");
            }
            if paths.len() > 10 {
                eprintln!("  … and {} more", paths.len() - 10);
            }
        }
    } else {
        let step = Instant::now();
        let sent = match unsent {
            Some(failure) => Err(failure),
            None => purge::send(&requests),
        };
        match sent {
            Ok(answers) => {
                let sent = answers.len();
                if let (Cdn::CloudFront { .. }, Some(answer)) = (&config.cdn, answers.first()) {
                    match cloudfront::parse_invalidation(answer) {
                        Ok(created) => {
                            invalidation_id = Some(created.id);
                            status = Some(created.status);
                        }
                        Err(e) => eprintln!(
                            "warning: CloudFront accepted the invalidation, but its answer could not be read: {e:#}"
                        ),
                    }
                }
                if sent > 0 {
                    let id = invalidation_id
                        .as_ref()
                        .zip(status.as_ref())
                        .map(|(id, status)| format!("invalidation {id}, {status}; "))
                        .unwrap_or_default();
                    eprintln!(
                        "Purged {} on {cdn} ({id}{sent} request{}, {} ms)",
                        describe_paths(&paths),
                        plural(sent),
                        step.elapsed().as_millis()
                    );
                }
                if let Some(mut manifest) = p.manifest.filter(|m| !m.unpurged.is_empty()) {
                    manifest.unpurged.clear();
                    p.runtime
                        .block_on(put_manifest(p.store, &manifest))
                        .map_err(|e| {
                            Error::failed(
                                e.context(format!(
                                    "purged {cdn}, but could not record it on `{}`",
                                    p.location
                                )),
                                "run `nutgraf deploy --purge-only` once the target can be written: it purges the same paths again",
                            )
                        })?;
                }
                if let (true, Cdn::CloudFront { distribution_id }, Some(id)) =
                    (p.wait, &config.cdn, &invalidation_id)
                {
                    let done = wait_for_invalidation(
                        p.runtime,
                        p.aws,
                        &config.endpoint,
                        distribution_id,
                        id,
                    )
                    .map_err(|why| {
                        Error::failed(
                            anyhow!(
                                "the site was deployed to `{}` and CloudFront invalidation {id} was created, but waiting for it failed: {why}",
                                p.location
                            ),
                            format!(
                                "it completes on its own; `aws cloudfront get-invalidation --distribution-id {distribution_id} --id {id}` shows where it is"
                            ),
                        )
                    })?;
                    status = Some(done.status);
                }
            }
            Err(failure) => {
                let recorded = match p.manifest {
                    Some(mut manifest) => {
                        manifest.unpurged = failure.unpurged.iter().cloned().collect();
                        match p.runtime.block_on(put_manifest(p.store, &manifest)) {
                            Ok(()) => "they are recorded on the target: `nutgraf deploy --purge-only` retries them, and the next deploy purges them with its own".to_string(),
                            Err(e) => format!("recording them on the target failed too ({e:#}): purge them in the provider's dashboard"),
                        }
                    }
                    None => String::new(),
                };
                let shown: Vec<&str> = failure
                    .unpurged
                    .iter()
                    .take(20)
                    .map(String::as_str)
                    .collect();
                let more = failure.unpurged.len().saturating_sub(shown.len());
                return Err(Error::failed(
                    anyhow!(
                        "the site was deployed to `{}`, but the {cdn} purge failed: {}",
                        p.location,
                        failure.why
                    ),
                    format!(
                        "{}; {} still to purge: {}{}; {recorded}",
                        purge::hint(&config, failure.status, &failure.why),
                        describe_paths(&failure.unpurged),
                        shown.join(" "),
                        if more > 0 {
                            format!(" … and {more} more")
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
        }
    }
    Ok((!requests.is_empty()).then_some(PurgeReport {
        cdn,
        paths,
        requests: requests.len(),
        invalidation_id,
        status,
    }))
}

/// How often `--wait` asks CloudFront, and for how long.
const WAIT_POLL: std::time::Duration = std::time::Duration::from_secs(10);
const WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Credentials to sign a CloudFront request with, fresh enough to use.
fn signing_credentials(
    runtime: &tokio::runtime::Runtime,
    aws: Option<&aws::AwsCredentials>,
) -> Result<aws_credential_types::Credentials, String> {
    let aws = aws.ok_or_else(|| "no AWS credentials were found for CloudFront".to_string())?;
    runtime
        .block_on(aws.get())
        .map_err(|e| format!("cannot get AWS credentials: {e}"))
}

/// Asks CloudFront about invalidation `id` until it is complete.
fn wait_for_invalidation(
    runtime: &tokio::runtime::Runtime,
    aws: Option<&aws::AwsCredentials>,
    endpoint: &str,
    distribution_id: &str,
    id: &str,
) -> Result<cloudfront::InvalidationStatus, String> {
    let started = Instant::now();
    eprintln!("Waiting for CloudFront invalidation {id} to complete (--wait)…");
    loop {
        let credentials = signing_credentials(runtime, aws)?;
        let request = cloudfront::get_invalidation(
            endpoint,
            distribution_id,
            id,
            &credentials,
            std::time::SystemTime::now(),
        )
        .map_err(|e| format!("{e:#}"))?;
        let answer = purge::send(std::slice::from_ref(&request))
            .map_err(|f| f.why)?
            .pop()
            .unwrap_or_default();
        let status = cloudfront::parse_invalidation(&answer).map_err(|e| format!("{e:#}"))?;
        if status.completed() {
            eprintln!(
                "CloudFront invalidation {id} completed ({} s)",
                started.elapsed().as_secs()
            );
            return Ok(status);
        }
        if started.elapsed() >= WAIT_LIMIT {
            return Err(format!(
                "still {} after {} minutes",
                status.status,
                WAIT_LIMIT.as_secs() / 60
            ));
        }
        std::thread::sleep(WAIT_POLL);
    }
}

/// "12 paths", "1 path", or "everything" for `["/*"]`.
fn describe_paths(paths: &[String]) -> String {
    match paths {
        [only] if only == "/*" => "everything".to_string(),
        [_] => "1 path".to_string(),
        _ => format!("{} paths", paths.len()),
    }
}

/// Asks on the terminal before deleting.
fn confirm(plan: &Plan, location: &str) -> Result<()> {
    eprint!(
        "Delete {} object{} from {location} that the site no longer has? [y/N] ",
        plan.deletes.len(),
        if plan.deletes.len() == 1 { "" } else { "s" }
    );
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("failed to read the answer")?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(crate::error::hinted(
            "deploy cancelled; nothing was changed",
            "`--yes` skips this question",
        ))
    }
}

/// "12.3 KiB".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Helpers for tests and tools that inspect a target.
pub mod inspect {
    use super::*;

    /// Every object of `target` with its size and headers (a HEAD each),
    /// with the `AWS_*` variables of `env`.
    pub fn objects(
        target: &DeployTarget,
        env: &[(String, String)],
    ) -> Result<std::collections::BTreeMap<String, store::RemoteObject>> {
        let store = store::open_with_env(target, env)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the async runtime")?;
        runtime.block_on(async {
            let mut out = std::collections::BTreeMap::new();
            for path in store.list().await?.into_keys() {
                if let Some(o) = store.head(&path).await? {
                    out.insert(path, o);
                }
            }
            Ok(out)
        })
    }

    /// Replaces one object outside a deploy, as another tool would.
    pub fn put(
        target: &DeployTarget,
        env: &[(String, String)],
        path: &str,
        body: Vec<u8>,
        meta: &local::Meta,
    ) -> Result<Option<String>> {
        let store = store::open_with_env(target, env)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the async runtime")?;
        runtime.block_on(store.put(path, body, meta))
    }

    /// Deletes objects outside a deploy, as another tool would.
    pub fn delete(target: &DeployTarget, env: &[(String, String)], paths: &[String]) -> Result<()> {
        let store = store::open_with_env(target, env)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the async runtime")?;
        runtime.block_on(store.delete(paths))
    }

    /// One object's bytes.
    pub fn get(
        target: &DeployTarget,
        env: &[(String, String)],
        path: &str,
    ) -> Result<Option<Vec<u8>>> {
        let store = store::open_with_env(target, env)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the async runtime")?;
        runtime.block_on(store.get(path))
    }

    /// The local files of a build as deploy sees them.
    pub fn local_files(dir: &Path, config: &Config) -> Result<Vec<LocalFile>> {
        local::scan(dir, &config.deploy.matchers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_selection() {
        let c = Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n\
             [[deploy.targets]]\nname = \"production\"\nurl = \"s3://a\"\n\
             [[deploy.targets]]\nname = \"staging\"\nurl = \"s3://b\"\n",
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let pick = |n| select_target(&c.deploy, n).map(|t| t.name.clone());
        assert_eq!(pick(None).ok().as_deref(), Some("production"));
        assert_eq!(pick(Some("staging")).ok().as_deref(), Some("staging"));
        let Err(Error::Usage(problem)) = pick(Some("stagin")) else {
            panic!("unknown target accepted");
        };
        assert_eq!(problem.hint.as_deref(), Some("did you mean `staging`?"));
        let none = DeployConfig::default();
        assert!(select_target(&none, None).is_err());
    }

    #[test]
    fn folder_target_must_not_overlap_the_output() {
        assert!(
            check_folder_target(Path::new("/srv/site/public"), Path::new("/srv/site/public"))
                .is_err()
        );
        assert!(
            check_folder_target(
                Path::new("/srv/site/public"),
                Path::new("/srv/site/public/x")
            )
            .is_err()
        );
        assert!(check_folder_target(Path::new("/srv/site/public"), Path::new("/srv")).is_err());
        assert!(check_folder_target(Path::new("/srv/site/public"), Path::new("/var/www")).is_ok());
    }

    #[test]
    fn bytes() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(12 * 1024 + 300), "12.3 KiB");
    }
}
