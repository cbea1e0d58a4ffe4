//! Problems that point into a file: `path:line:col`, a message and a hint.
//!
//! Everything the build finds wrong with the site's input becomes a
//! [`Diagnostic`]. Fatal problems stop the build at the end of the step that
//! found them; warnings are collected, counted and, under `--strict`, turned
//! into errors.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in one place of one file. Serializable: a build's cache
/// keeps each article's diagnostics to report them again when it reuses
/// the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the user: relative to the site root when inside it.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path.into(), pos, message.into())
    }

    pub fn warning(path: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path.into(), pos, message.into())
    }

    fn new(severity: Severity, path: PathBuf, pos: Position, message: String) -> Self {
        Diagnostic {
            severity,
            path,
            line: pos.line,
            col: pos.col,
            message,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col`, the part editors and terminals turn into a link.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.path.display(), self.line, self.col)
    }
}

impl fmt::Display for Diagnostic {
    /// Printed like just's and rustc's errors:
    ///
    /// ```text
    /// error: unknown front matter key `titel`
    ///  --> content/why-now.md:3:1
    ///   = help: did you mean `title`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}: {}\n --> {}", self.message, self.location())?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {hint}")?;
        }
        Ok(())
    }
}

/// A problem found by code that does not know where in the file it is:
/// what is wrong and how to fix it. The caller places it with
/// [`Finding::at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(message: impl Into<String>) -> Finding {
        Finding {
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    /// The finding as a diagnostic of `severity` at `path:pos`.
    pub fn at(self, severity: Severity, path: impl Into<PathBuf>, pos: Position) -> Diagnostic {
        Diagnostic {
            hint: self.hint,
            ..Diagnostic::new(severity, path.into(), pos, self.message)
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, col: 1 };

    /// The line and column of byte `offset` in `text` (columns count chars).
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        Position { line, col }
    }
}

/// Where `key = …` is set in the TOML `text[range]` (the first line that
/// sets it), as a position in the whole `text`; the start of the range
/// when no line does (a key inside an inline table, say). Used for
/// `nutgraf.toml` and for front matter, whose TOML sits inside a file.
pub fn key_position(text: &str, range: std::ops::Range<usize>, key: &str) -> Position {
    let mut offset = range.start;
    for line in text.get(range.clone()).unwrap_or("").split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return Position::of_offset(text, offset + line.len() - trimmed.len());
            }
        }
        offset += line.len();
    }
    Position::of_offset(text, range.start)
}

/// Line starts of a text, for turning many offsets into positions
/// without rescanning the text each time.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Position {
            line,
            col: text[start..end].chars().count() + 1,
        }
    }
}

/// Diagnostics gathered by parallel workers.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Mutex<Vec<Diagnostic>>,
}

impl Diagnostics {
    pub fn push(&self, d: Diagnostic) {
        self.lock().push(d);
    }

    pub fn extend(&self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.lock().extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.lock().iter().any(Diagnostic::is_error)
    }

    /// Sorted by file and position, duplicates removed (a template error hit
    /// by every page is reported once).
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut items = self.items.into_inner().unwrap_or_else(|e| e.into_inner());
        items.sort_by(|a, b| {
            (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
        });
        items.dedup();
        items
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Diagnostic>> {
        // A poisoned lock only means another worker panicked mid-push; the
        // vector itself is still sound.
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The path to show for `path`: relative to `root` when it is inside it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Names in backticks, comma-separated (`` `a`, `b` ``), for a hint that
/// lists what is accepted.
pub fn code_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest of `candidates` to `word`, if close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_char_columns() {
        let text = "ab\ncé d\nx";
        assert_eq!(Position::of_offset(text, 0), Position { line: 1, col: 1 });
        assert_eq!(Position::of_offset(text, 3), Position { line: 2, col: 1 });
        // `é` is two bytes but one column.
        assert_eq!(Position::of_offset(text, 7), Position { line: 2, col: 4 });
        assert_eq!(Position::of_offset(text, 99), Position { line: 3, col: 2 });
    }

    #[test]
    fn line_index_agrees_with_offsets() {
        let text = "ab\ncé d\nx";
        let idx = LineIndex::new(text);
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                assert_eq!(
                    idx.position(text, offset),
                    Position::of_offset(text, offset),
                    "offset {offset}"
                );
            }
        }
    }

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["title", "tags", "date"];
        assert_eq!(did_you_mean("titel", &keys), Some("title"));
        assert_eq!(did_you_mean("zzz", &keys), None);
    }

    #[test]
    fn displays_like_rustc() {
        let d = Diagnostic::error("content/a.md", Position { line: 3, col: 1 }, "bad key")
            .with_hint("remove it");
        assert_eq!(
            d.to_string(),
            "error: bad key\n --> content/a.md:3:1\n  = help: remove it"
        );
    }
}
