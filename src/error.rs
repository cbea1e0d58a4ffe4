//! The error a command ends with, and the exit code it maps to.

use std::fmt;

use crate::diagnostic::Diagnostic;

/// Why a build did not finish.
#[derive(Debug)]
pub enum Error {
    /// `nutgraf.toml` or the command line is wrong (exit code 2).
    Config(Vec<Diagnostic>),
    /// The site's files have problems (exit code 1). Holds every
    /// diagnostic, warnings included, so they can all be printed once.
    Site(Vec<Diagnostic>),
    /// Anything else: I/O, a full disk (exit code 1).
    Other(anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_) => 2,
            Error::Site(_) | Error::Other(_) => 1,
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Config(ds) | Error::Site(ds) => ds,
            Error::Other(_) => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(ds) | Error::Site(ds) => {
                for d in ds {
                    writeln!(f, "{d}")?;
                }
                let errors = ds.iter().filter(|d| d.is_error()).count();
                let warnings = ds.len() - errors;
                write!(f, "error: build failed: {}", counts(errors, warnings))
            }
            Error::Other(e) => write!(f, "error: {e:#}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Other(e)
    }
}

/// "2 errors, 1 warning".
pub fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
