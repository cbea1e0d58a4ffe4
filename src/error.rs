//! The one error every command ends with, the one function that prints
//! it ([`Error::report`]), and the exit code its kind maps to (0 ok, 1 the
//! build, check or deploy failed, 2 usage or configuration error).

use std::fmt;

use crate::diagnostic::Diagnostic;

/// Why a command did not finish.
#[derive(Debug)]
pub enum Error {
    /// `nutgraf.toml` is wrong, at a place in it (exit code 2).
    Config(Vec<Diagnostic>),
    /// The command line asks for something that cannot be done, with no
    /// place in a file to point at: a dangerous `--output`, `init` into a
    /// folder with files, a port already in use, no credentials (exit 2).
    Usage(Problem),
    /// The site's files have problems (exit code 1). Holds every
    /// diagnostic, warnings included, so they can all be printed once.
    Site(Vec<Diagnostic>),
    /// `check` found problems (exit code 1); `summary` says what was
    /// checked ("check: 2 problems in 3 articles; …").
    Check {
        problems: Vec<Diagnostic>,
        summary: String,
    },
    /// Anything else (exit code 1): I/O, the network, a refused or
    /// interrupted deploy.
    Failed(Problem),
}

/// An error with no place in a file: what went wrong, and how to fix it.
#[derive(Debug)]
pub struct Problem {
    pub error: anyhow::Error,
    pub hint: Option<String>,
}

impl Error {
    /// A usage error: `message`, and `hint` on how to fix it.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Usage(Problem {
            error: anyhow::Error::msg(message.into()),
            hint: Some(hint.into()),
        })
    }

    /// A failure that is not a usage error, with a hint.
    pub fn failed(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> Error {
        Error::Failed(Problem {
            error: error.into(),
            hint: Some(hint.into()),
        })
    }

    /// A usage error from deep in a step, its hint kept.
    pub fn usage_from(error: anyhow::Error) -> Error {
        match Error::from(error) {
            Error::Failed(problem) => Error::Usage(problem),
            other => other,
        }
    }

    /// The process exit code: 2 for usage and configuration errors, 1 for
    /// everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            Error::Site(_) | Error::Check { .. } | Error::Failed(_) => 1,
        }
    }

    /// The problems that point into files.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Config(ds) | Error::Site(ds) => ds,
            Error::Check { problems, .. } => problems,
            Error::Usage(_) | Error::Failed(_) => &[],
        }
    }

    /// What `nutgraf <command>` prints when it fails, once: each diagnostic
    /// like rustc's and just's, then one closing line. `serve` shows the
    /// same text over the open page.
    pub fn report(&self, command: &str) -> String {
        let mut out = String::new();
        for d in self.diagnostics() {
            out.push_str(&format!("{d}\n\n"));
        }
        match self {
            Error::Config(ds) | Error::Site(ds) => {
                let errors = ds.iter().filter(|d| d.is_error()).count();
                out.push_str(&format!(
                    "error: {command} failed: {}",
                    counts(errors, ds.len() - errors)
                ));
            }
            Error::Check { summary, .. } => out.push_str(summary),
            Error::Usage(p) | Error::Failed(p) => {
                out.push_str(&format!("error: {:#}", p.error));
                if let Some(hint) = &p.hint {
                    out.push_str(&format!("\n  = help: {hint}"));
                }
            }
        }
        out.push('\n');
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.report("nutgraf").trim_end())
    }
}

impl std::error::Error for Error {}

/// An I/O or other failure from deep in a step; a [`Hinted`] error in its
/// chain gives the hint.
impl From<anyhow::Error> for Error {
    fn from(error: anyhow::Error) -> Self {
        let hint = error
            .chain()
            .find_map(|e| e.downcast_ref::<Hinted>())
            .map(|h| h.hint.clone());
        Error::Failed(Problem { error, hint })
    }
}

/// An error message that knows how to fix itself, for errors that travel
/// through `anyhow` (deploy's storage calls) before they are reported.
#[derive(Debug)]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {}

/// `message` with `hint`, as an `anyhow` error.
pub fn hinted(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hinted {
        message: message.into(),
        hint: hint.into(),
    })
}

/// "2 errors, 1 warning".
/// "1 file", "2 files": a count with its noun, singular for one.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Position;

    #[test]
    fn counts_have_the_right_plural() {
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(0, "file"), "0 files");
        assert_eq!(plural(2, "internal link"), "2 internal links");
    }

    #[test]
    fn a_site_error_lists_its_diagnostics_then_one_closing_line() {
        let e = Error::Site(vec![
            Diagnostic::error("content/a.md", Position { line: 3, col: 1 }, "bad")
                .with_hint("fix it"),
            Diagnostic::warning("content/b.md", Position::START, "odd"),
        ]);
        assert_eq!(
            e.report("build"),
            "error: bad\n --> content/a.md:3:1\n  = help: fix it\n\n\
             warning: odd\n --> content/b.md:1:1\n\n\
             error: build failed: 1 error, 1 warning\n"
        );
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn a_hint_travels_through_anyhow_context() {
        let deep = hinted("the bucket does not exist", "check `url`");
        let e = Error::from(deep.context("failed to list `s3://x`"));
        assert_eq!(
            e.report("deploy"),
            "error: failed to list `s3://x`: the bucket does not exist\n  = help: check `url`\n"
        );
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn usage_and_config_errors_exit_2() {
        assert_eq!(Error::usage("no", "yes").exit_code(), 2);
        assert_eq!(Error::Config(Vec::new()).exit_code(), 2);
        assert_eq!(
            Error::usage("port 1 is in use", "pick another with `--port`").report("serve"),
            "error: port 1 is in use\n  = help: pick another with `--port`\n"
        );
    }
}
