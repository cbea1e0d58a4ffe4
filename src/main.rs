//! The `nutgraf` command line: parses arguments, calls the library, prints
//! the outcome once and picks the exit code (0 ok, 1 build failed, 2 usage
//! or configuration error).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use nutgraf::error::{counts, plural};
use nutgraf::{BuildOptions, Error};

#[derive(Parser)]
#[command(
    name = "nutgraf",
    version,
    about = "A static site generator for explainer articles"
)]
struct Cli {
    /// The site folder (the one with nutgraf.toml) [default: .]
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder
    Build {
        /// Where to write the site [default: <root>/public]
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Include drafts and scheduled articles, and show image slots as placeholders
        #[arg(long)]
        drafts: bool,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
        /// Replace the output folder even if nutgraf did not write it (its files are deleted)
        #[arg(long)]
        force: bool,
        /// Render every page: ignore the build cache (.nutgraf-cache/build/) and the previous output
        #[arg(long)]
        clean: bool,
    },
    /// Build in memory, write nothing, and report every problem: broken links and anchors,
    /// empty image slots, image lint, questions marked up as FAQ on two pages
    Check {
        /// Check drafts and scheduled articles too
        #[arg(long)]
        drafts: bool,
        /// Also request every external link (8 at a time, 10 s timeout, 2 retries)
        #[arg(long)]
        external: bool,
    },
    /// Serve the site with live reload: the open page updates as you save
    #[cfg(feature = "serve")]
    Serve {
        /// Port to listen on
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on
        #[arg(short, long, default_value = "127.0.0.1")]
        interface: std::net::IpAddr,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Leave drafts and scheduled articles out (serve shows them by default)
        #[arg(long)]
        no_drafts: bool,
        /// Milliseconds to wait for a burst of file events to end
        #[arg(long, default_value_t = 10, value_name = "MS")]
        debounce: u64,
        /// Poll for changes instead of using native file events (network drives, some containers)
        #[arg(long)]
        poll: bool,
        /// Keep the open tab where it is when another article is saved
        /// (by default the last focused tab goes to the article saved)
        #[arg(long)]
        no_follow: bool,
    },
    /// Upload the site to S3-compatible storage (or a folder): only changed files,
    /// assets before pages, stale files deleted last
    #[cfg(feature = "deploy")]
    Deploy {
        /// A [[deploy.targets]] name from nutgraf.toml [default: the first]
        #[arg(long, value_name = "NAME")]
        target: Option<String>,
        /// Print what would be uploaded and deleted; change nothing
        #[arg(long)]
        dry_run: bool,
        /// Upload every file, changed or not
        #[arg(long)]
        force: bool,
        /// List the target instead of trusting its manifest: finds objects changed,
        /// deleted or added outside nutgraf (by size and ETag) and fixes them
        #[arg(long)]
        verify: bool,
        /// Refuse to deploy when it would delete more objects than this
        #[arg(long, value_name = "N", default_value_t = nutgraf::deploy::DEFAULT_MAX_DELETES)]
        max_deletes: usize,
        /// Do not ask before deleting (only asked on a terminal)
        #[arg(long, short)]
        yes: bool,
        /// Deploy this existing build instead of building first
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Print a JSON report on stdout
        #[arg(long)]
        json: bool,
        /// Only purge the CDN of what an earlier deploy's failed purge left
        /// (recorded on the target); upload nothing
        #[arg(long, conflicts_with_all = ["dry_run", "force", "verify"])]
        purge_only: bool,
        /// Wait until the CloudFront invalidation has completed (checked every 10 s)
        #[arg(long)]
        wait: bool,
    },
    /// Create a starter site in DIR (default: the current folder, which must be empty)
    Init {
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Create content/<slug>/index.md for a new draft explainer, or with
    /// --lang and --of a draft translation beside an existing one
    New {
        /// The explainer's title, e.g. "Why is the leap second going away?"
        title: String,
        /// Start a translation into this language of the site (e.g. `ko`);
        /// needs --of
        #[arg(long, value_name = "CODE", requires = "of")]
        lang: Option<String>,
        /// The article to translate: its Markdown file or its bundle's folder
        #[arg(long, value_name = "FILE", requires = "lang")]
        of: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root_given = cli.root.clone();
    let root = cli.root.unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        Command::Build {
            output,
            drafts,
            strict,
            force,
            clean,
        } => {
            let opts = BuildOptions {
                root,
                output,
                drafts,
                strict,
                force,
                clean,
                progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            };
            match nutgraf::build(&opts) {
                Ok(report) => {
                    print_build(&report);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e, "build"),
            }
        }
        Command::Check { drafts, external } => {
            let opts = nutgraf::check::CheckOptions {
                root,
                drafts,
                external,
            };
            match nutgraf::check::check(&opts) {
                Ok(report) => {
                    for d in &report.advice {
                        eprintln!("{d}\n");
                    }
                    eprintln!("{}", report.summary);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e, "check"),
            }
        }
        #[cfg(feature = "serve")]
        Command::Serve {
            port,
            interface,
            open,
            no_drafts,
            debounce,
            poll,
            no_follow,
        } => {
            let opts = nutgraf::serve::ServeOptions {
                root,
                interface,
                port,
                open,
                drafts: !no_drafts,
                debounce: std::time::Duration::from_millis(debounce),
                poll,
                follow: !no_follow,
            };
            match nutgraf::serve::serve(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e, "serve"),
            }
        }
        #[cfg(feature = "deploy")]
        Command::Deploy {
            target,
            dry_run,
            force,
            verify,
            max_deletes,
            yes,
            output,
            json,
            purge_only,
            wait,
        } => {
            use std::io::IsTerminal;
            let progress = std::io::stderr().is_terminal();
            // The target, `[deploy]` and the folder to upload are checked
            // before a build that would be wasted on them.
            let preflight = nutgraf::config::Config::load(&root).and_then(|config| {
                nutgraf::deploy::preflight(&root, &config, target.as_deref(), output.as_deref())
                    .map(|_| ())
            });
            if let Err(e) = preflight {
                return fail(&e, "deploy");
            }
            // Without --output, deploy what a normal build writes; a purge
            // alone needs no build.
            let output = match output {
                Some(dir) => dir,
                None if purge_only => root.join(nutgraf::paths::DEFAULT_OUTPUT),
                None => {
                    let opts = BuildOptions {
                        root: root.clone(),
                        output: None,
                        drafts: false,
                        strict: false,
                        progress,
                        force: false,
                        clean: false,
                    };
                    match nutgraf::build(&opts) {
                        Ok(report) => {
                            print_build(&report);
                            report.output
                        }
                        Err(e) => return fail(&e, "deploy"),
                    }
                }
            };
            let opts = nutgraf::deploy::DeployOptions {
                root,
                target,
                output,
                dry_run,
                force,
                verify,
                max_deletes,
                yes,
                progress,
                interactive: std::io::stdin().is_terminal(),
                purge_only,
                wait,
            };
            match nutgraf::deploy::deploy(&opts) {
                Ok(report) => {
                    print_deploy(&report);
                    if json {
                        match serde_json::to_string(&report) {
                            Ok(line) => println!("{line}"),
                            Err(e) => eprintln!("error: cannot write the JSON report: {e}"),
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e, "deploy"),
            }
        }
        Command::Init { dir } => {
            // The folder is DIR, or `--root`, or here; never both.
            let dir = match (dir, root_given) {
                (Some(dir), Some(root)) => {
                    let e = Error::usage(
                        format!(
                            "`init` was given two folders: `{}` and `--root {}`",
                            dir.display(),
                            root.display()
                        ),
                        "give the new site's folder once: `nutgraf init DIR`",
                    );
                    return fail(&e, "init");
                }
                (Some(dir), None) | (None, Some(dir)) => dir,
                (None, None) => root.clone(),
            };
            match nutgraf::scaffold::init(&dir, &jiff::Zoned::now()) {
                Ok(files) => {
                    for f in &files {
                        eprintln!("  created {}", nutgraf::paths::shown(f).display());
                    }
                    let here = nutgraf::paths::shown(&dir) == std::path::Path::new(".");
                    if here {
                        eprintln!("Created a nutgraf site here. Next: nutgraf build --drafts");
                    } else {
                        eprintln!(
                            "Created a nutgraf site in {}. Next: cd {} && nutgraf build --drafts",
                            nutgraf::paths::shown(&dir).display(),
                            nutgraf::paths::shown(&dir).display()
                        );
                    }
                    eprintln!(
                        "The site's icon is the theme's: set `icon = \"logo.png\"` in nutgraf.toml (a square image of at least 180 px), or put your own icon.svg, icon-32.png, apple-touch-icon.png and favicon.ico in static/, to replace it."
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e, "init"),
            }
        }
        Command::New { title, lang, of } => {
            let now = jiff::Zoned::now();
            let made = match (lang, of) {
                (Some(lang), Some(of)) => {
                    nutgraf::scaffold::new_translation(&root, &of, &lang, &title, &now)
                }
                _ => nutgraf::scaffold::new_article(&root, &title, &now),
            };
            match made {
                Ok(path) => {
                    println!("{}", nutgraf::paths::shown(&path).display());
                    eprintln!("Created a draft; `nutgraf build --drafts` includes it.");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e, "new"),
            }
        }
    }
}

/// The build's warnings and its one-line summary.
fn print_build(report: &nutgraf::BuildReport) {
    for w in &report.warnings {
        eprintln!("{w}\n");
    }
    if report.up_to_date {
        eprintln!(
            "Nothing changed since the last build ({}): {} is up to date, checked in {} ms; {}",
            plural(report.pages, "article"),
            nutgraf::paths::shown(&report.output).display(),
            report.elapsed.as_millis(),
            counts(0, report.warnings.len()),
        );
        return;
    }
    // One parenthesis after the count: reuse first, then what was left out.
    let mut notes = Vec::new();
    if report.reused > 0 {
        notes.push(format!("{} unchanged, reused", report.reused));
    }
    if report.retemplated > 0 {
        notes.push(format!("{} from their previous body", report.retemplated));
    }
    if report.skipped > 0 {
        notes.push(format!(
            "{} left out, --drafts includes {}",
            plural(report.skipped, "draft or scheduled article"),
            if report.skipped == 1 { "it" } else { "them" }
        ));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    eprintln!(
        "Built {}{notes}, copied {}, images: {} processed, {} from cache; wrote {} in {} ms; {}",
        plural(report.pages, "article"),
        plural(report.files_copied, "file"),
        report.images.processed,
        report.images.cached,
        nutgraf::paths::shown(&report.output).display(),
        report.elapsed.as_millis(),
        counts(0, report.warnings.len()),
    );
}

/// The URLs to invalidate, then one summary line.
#[cfg(feature = "deploy")]
fn print_deploy(report: &nutgraf::deploy::DeployReport) {
    // A purged target prints what it purged; others list what to purge.
    if !report.invalidate.is_empty() && report.purge.is_none() {
        let what = if report.invalidate == ["/*"] {
            "everything (more changed paths than `invalidate_max`)".to_string()
        } else {
            plural(report.invalidate.len(), "path")
        };
        eprintln!("Invalidate on your CDN: {what}");
        for p in &report.invalidate {
            eprintln!("  {p}");
        }
    }
    let what = format!(
        "{} ({}): {} new, {} updated, {} deleted, {} unchanged",
        report.target,
        report.location,
        report.new.len(),
        report.updated.len(),
        report.deleted.len(),
        report.unchanged,
    );
    if report.dry_run {
        eprintln!(
            "Dry run for {what} (nothing changed); {} to upload; requests: {}",
            plural(report.bytes as usize, "byte"),
            report.requests
        );
    } else {
        let t = &report.timings_ms;
        let survey = if report.listed { "list" } else { "manifest" };
        eprintln!(
            "Deployed to {what}; {} uploaded in {} ms (hash {} ms, {survey} {} ms, upload {} ms); requests: {}",
            plural(report.bytes as usize, "byte"),
            report.elapsed_ms,
            t.scan,
            t.survey,
            t.apply,
            report.requests
        );
    }
}

/// Prints the error's report once; its kind picks the exit code.
fn fail(e: &Error, command: &str) -> ExitCode {
    eprint!("{}", e.report(command));
    ExitCode::from(e.exit_code())
}

// Rendering allocates many short-lived strings from two threads; mimalloc
// cut the build's user time noticeably against glibc malloc (see the
// benchmark note in the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
