//! Positions of a page's diagnostics: byte offsets to line and column in
//! time that does not grow with the number of diagnostics.
//!
//! [`Position::of_offset`] counts newlines from the start of the file, so a
//! page with 60,000 missing images cost 60,000 scans of the file. Here the
//! newlines are found once and each position is a binary search.

use std::cell::{Cell, OnceCell};

use crate::diagnostic::Position;

/// A file's line starts, found on first use.
#[derive(Debug)]
pub struct Lines<'t> {
    text: &'t str,
    starts: OnceCell<Vec<usize>>,
    /// The last position asked for: (byte offset, column). Diagnostics come
    /// in reading order, so the next column on the same line is counted
    /// from here: a 1 MB one-line paragraph of images stays linear.
    last: Cell<(usize, usize)>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        Lines {
            text,
            starts: OnceCell::new(),
            last: Cell::new((0, 1)),
        }
    }

    /// The 1-based line and column (in characters) of byte `offset`, the
    /// same as [`Position::of_offset`].
    pub fn position(&self, offset: usize) -> Position {
        let text = self.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The last line start at or before `offset`; `starts[0]` is 0.
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let line_start = starts[line - 1];
        let (last_offset, last_col) = self.last.get();
        let col = if (line_start..=offset).contains(&last_offset) {
            last_col + text[last_offset..offset].chars().count()
        } else {
            text[line_start..offset].chars().count() + 1
        };
        self.last.set((offset, col));
        Position { line, col }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_with_of_offset() {
        let text = "+++\ntitle = \"é\"\n+++\n\nOne ![x](a.jpg)\n\n\nlast é line";
        let lines = Lines::new(text);
        for offset in 0..=text.len() + 3 {
            assert_eq!(
                lines.position(offset),
                Position::of_offset(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn positions_asked_out_of_order_agree_too() {
        let text = "ab\ncdé\nfgh";
        let lines = Lines::new(text);
        for offset in [8, 5, 4, 9, 0, 3, 11, 1, 7] {
            assert_eq!(
                lines.position(offset),
                Position::of_offset(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn empty_text_is_line_one() {
        assert_eq!(Lines::new("").position(5), Position { line: 1, col: 1 });
    }
}
