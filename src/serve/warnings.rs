//! Which warnings a `serve` pass prints: only those that are new or changed
//! since the writer last saw them, with a count of the rest, so a save on a
//! site with hundreds of warnings prints a line, not a screenful.

use std::path::PathBuf;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::Diagnostic;

/// A warning's identity across passes: where it is and what it says. A
/// warning that moved to another line is a changed one, shown again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path: PathBuf,
    line: usize,
    col: usize,
    message: String,
    hint: Option<String>,
}

impl Key {
    fn of(d: &Diagnostic) -> Key {
        Key {
            path: d.path.clone(),
            line: d.line,
            col: d.col,
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }

    /// The warning wherever it is: a warning that only moved is not fixed.
    fn unplaced(&self) -> (&PathBuf, &str, Option<&str>) {
        (&self.path, &self.message, self.hint.as_deref())
    }
}

/// The warnings the terminal has shown and that still stand.
#[derive(Debug, Default)]
pub struct WarningLog {
    shown: FxHashSet<Key>,
}

/// One pass's warnings, sorted into those to print and those to count.
#[derive(Debug, PartialEq, Eq)]
pub struct Digest<'a> {
    /// New or changed since the writer last saw them: printed in full.
    pub new: Vec<&'a Diagnostic>,
    /// Every warning of the pass.
    pub total: usize,
    /// Shown before and still there: counted, not printed.
    pub unchanged: usize,
    /// Shown before and gone now (not just moved).
    pub fixed: usize,
    /// Nothing was shown before: every warning is new, none changed.
    first: bool,
}

impl WarningLog {
    /// Sorts the warnings of a pass that ran to the end: they are all the
    /// site has, so a warning shown before and missing now was fixed.
    pub fn complete<'a>(
        &mut self,
        warnings: impl IntoIterator<Item = &'a Diagnostic>,
    ) -> Digest<'a> {
        let warnings: Vec<&Diagnostic> = warnings.into_iter().collect();
        let keys: FxHashSet<Key> = warnings.iter().map(|w| Key::of(w)).collect();
        // A warning gone from one place and found at another moved.
        let mut moved: FxHashMap<_, usize> = FxHashMap::default();
        for key in keys.difference(&self.shown) {
            *moved.entry(key.unplaced()).or_default() += 1;
        }
        let fixed = self
            .shown
            .difference(&keys)
            .filter(|gone| match moved.get_mut(&gone.unplaced()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .count();
        let digest = self.sort(&warnings, fixed);
        self.shown = keys;
        digest
    }

    /// Sorts the warnings of a failed pass. A failed pass may stop before
    /// it reaches some files (a broken article is not rendered), so a
    /// warning missing from it is not known to be fixed: it stays shown,
    /// and is not printed again when the next good pass finds it.
    pub fn partial<'a>(
        &mut self,
        warnings: impl IntoIterator<Item = &'a Diagnostic>,
    ) -> Digest<'a> {
        let warnings: Vec<&Diagnostic> = warnings.into_iter().collect();
        let digest = self.sort(&warnings, 0);
        self.shown.extend(warnings.iter().map(|w| Key::of(w)));
        digest
    }

    fn sort<'a>(&self, warnings: &[&'a Diagnostic], fixed: usize) -> Digest<'a> {
        let new: Vec<&Diagnostic> = warnings
            .iter()
            .copied()
            .filter(|w| !self.shown.contains(&Key::of(w)))
            .collect();
        Digest {
            total: warnings.len(),
            unchanged: warnings.len() - new.len(),
            new,
            fixed,
            first: self.shown.is_empty(),
        }
    }
}

impl Digest<'_> {
    /// `12 warnings (3 new shown; 9 unchanged, not repeated; 2 fixed)`,
    /// shortened when parts are zero; `None` with nothing to say.
    pub fn summary(&self) -> Option<String> {
        if self.total == 0 && self.fixed == 0 {
            return None;
        }
        let mut parts = Vec::new();
        if !self.first && self.total > 0 {
            parts.push(format!("{} new shown", self.new.len()));
        }
        if self.unchanged > 0 {
            parts.push(format!("{} unchanged, not repeated", self.unchanged));
        }
        if self.fixed > 0 {
            parts.push(format!("{} fixed", self.fixed));
        }
        let total = match self.total {
            0 => "no warnings".to_string(),
            1 => "1 warning".to_string(),
            n => format!("{n} warnings"),
        };
        Some(if parts.is_empty() {
            total
        } else {
            format!("{total} ({})", parts.join("; "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Position;

    fn warning(path: &str, line: usize, message: &str) -> Diagnostic {
        Diagnostic::warning(path, Position { line, col: 1 }, message).with_hint("fix it")
    }

    fn messages(digest: &Digest<'_>) -> Vec<String> {
        digest.new.iter().map(|d| d.location()).collect()
    }

    #[test]
    fn the_first_pass_shows_every_warning() {
        let mut log = WarningLog::default();
        let ws = [warning("a.md", 1, "x"), warning("b.md", 2, "y")];
        let digest = log.complete(&ws);
        assert_eq!(messages(&digest), ["a.md:1:1", "b.md:2:1"]);
        assert_eq!(digest.summary().as_deref(), Some("2 warnings"));
    }

    #[test]
    fn unchanged_warnings_are_counted_not_repeated() {
        let mut log = WarningLog::default();
        let ws = [warning("a.md", 1, "x"), warning("b.md", 2, "y")];
        log.complete(&ws);
        let digest = log.complete(&ws);
        assert!(digest.new.is_empty());
        assert_eq!(
            digest.summary().as_deref(),
            Some("2 warnings (0 new shown; 2 unchanged, not repeated)")
        );
    }

    #[test]
    fn a_moved_or_reworded_warning_is_shown_again() {
        let mut log = WarningLog::default();
        log.complete(&[
            warning("a.md", 1, "x"),
            warning("b.md", 2, "y"),
            warning("c.md", 3, "z"),
        ]);
        let hint_changed =
            Diagnostic::warning("c.md", Position { line: 3, col: 1 }, "z").with_hint("other");
        let ws = [
            warning("a.md", 4, "x"),
            warning("b.md", 2, "y!"),
            hint_changed,
        ];
        let digest = log.complete(&ws);
        assert_eq!(messages(&digest), ["a.md:4:1", "b.md:2:1", "c.md:3:1"]);
        // The moved one is not fixed; the reworded ones replaced old ones.
        assert_eq!(
            digest.summary().as_deref(),
            Some("3 warnings (3 new shown; 2 fixed)")
        );
    }

    #[test]
    fn fixed_warnings_are_counted() {
        let mut log = WarningLog::default();
        log.complete(&[warning("a.md", 1, "x"), warning("b.md", 2, "y")]);
        let ws = [warning("b.md", 2, "y"), warning("c.md", 1, "new")];
        let digest = log.complete(&ws);
        assert_eq!(messages(&digest), ["c.md:1:1"]);
        assert_eq!(
            digest.summary().as_deref(),
            Some("2 warnings (1 new shown; 1 unchanged, not repeated; 1 fixed)")
        );
        let digest = log.complete(&[]);
        assert_eq!(digest.summary().as_deref(), Some("no warnings (2 fixed)"));
        assert_eq!(log.complete(&[]).summary(), None);
    }

    #[test]
    fn a_failed_pass_forgets_nothing() {
        let mut log = WarningLog::default();
        let all = [warning("a.md", 1, "x"), warning("b.md", 2, "y")];
        log.complete(&all);
        // The failed pass never reached b.md, and found a new one in c.md.
        let partial = [warning("a.md", 1, "x"), warning("c.md", 1, "z")];
        let digest = log.partial(&partial);
        assert_eq!(messages(&digest), ["c.md:1:1"]);
        assert_eq!(digest.fixed, 0);
        // Fixed again: b.md's warning was never fixed, and c.md's was seen.
        let again = [
            warning("a.md", 1, "x"),
            warning("b.md", 2, "y"),
            warning("c.md", 1, "z"),
        ];
        let digest = log.complete(&again);
        assert!(digest.new.is_empty(), "{:?}", messages(&digest));
        assert_eq!(digest.unchanged, 3);
    }

    #[test]
    fn one_warning_is_singular() {
        let mut log = WarningLog::default();
        assert_eq!(
            log.complete(&[warning("a.md", 1, "x")])
                .summary()
                .as_deref(),
            Some("1 warning")
        );
    }
}
