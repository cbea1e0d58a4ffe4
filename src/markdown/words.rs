//! Word counts and reading time, for scripts written with spaces and for
//! Chinese and Japanese, which are written without them.
//!
//! Text is cut at whitespace, as before. A piece with no Han or Kana in it
//! is one word, whatever it holds. In a piece with Han or Kana, each of
//! those characters (a grapheme cluster, so a character with a variation
//! selector or a voicing mark is one) counts on its own, and each run of
//! other characters between them counts as a word when it has a letter or
//! a digit: `AI芯片` is one word and two characters, `、` is nothing.
//!
//! Reading speeds are the IReST study's (Trauzettel-Klosinski & Dietz,
//! 2012, silent reading by adults, 17 languages): English 228 words a
//! minute, Chinese 255 characters and Japanese 357. Korean is written with
//! spaces and counted in words.

use serde::{Deserialize, Serialize};
use unicode_script::{Script, UnicodeScript};
use unicode_segmentation::UnicodeSegmentation;

/// Words a minute in space-separated scripts.
pub const WORDS_PER_MINUTE: usize = 230;
/// Characters a minute in Chinese.
pub const CHINESE_CHARS_PER_MINUTE: usize = 255;
/// Characters a minute in Japanese (kana and kanji together).
pub const JAPANESE_CHARS_PER_MINUTE: usize = 357;

/// How much there is to read in a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Words {
    /// Words of scripts written with spaces.
    pub spaced: usize,
    /// Han characters (Chinese hanzi, Japanese kanji).
    pub han: usize,
    /// Hiragana and Katakana.
    pub kana: usize,
}

impl std::ops::AddAssign for Words {
    fn add_assign(&mut self, other: Words) {
        self.spaced += other.spaced;
        self.han += other.han;
        self.kana += other.kana;
    }
}

impl Words {
    /// The count in `text`.
    pub fn of(text: &str) -> Words {
        if text.is_ascii() {
            return Words {
                spaced: ascii_words(text),
                ..Words::default()
            };
        }
        let mut words = Words::default();
        for piece in text.split_whitespace() {
            if piece.is_ascii() {
                words.spaced += 1;
                continue;
            }
            // `run_counts`: the run of other characters since the last Han
            // or kana has a letter or digit, so it is a word.
            let (mut runs, mut run_counts, mut cjk) = (0, false, 0);
            for grapheme in piece.graphemes(true) {
                let c = grapheme.chars().next().unwrap_or(' ');
                let count = match class(c) {
                    Class::Han => &mut words.han,
                    Class::Kana => &mut words.kana,
                    Class::Other => {
                        run_counts |= c.is_alphanumeric();
                        continue;
                    }
                };
                *count += 1;
                cjk += 1;
                runs += usize::from(run_counts);
                run_counts = false;
            }
            runs += usize::from(run_counts);
            words.spaced += if cjk == 0 { 1 } else { runs };
        }
        words
    }

    /// The number a page reports as its word count (schema.org's
    /// `wordCount`): words, plus Chinese and Japanese characters, as word
    /// processors count them.
    pub fn total(self) -> usize {
        self.spaced + self.han + self.kana
    }

    /// Minutes to read, rounded up, at least 1. Han characters are read at
    /// Japanese speed when at least a fifth of the page's CJK characters
    /// are kana (Japanese prose is mostly kana), else at Chinese speed.
    pub fn reading_minutes(self) -> usize {
        let cjk = self.han + self.kana;
        let per_minute = if self.kana * 5 >= cjk {
            JAPANESE_CHARS_PER_MINUTE
        } else {
            CHINESE_CHARS_PER_MINUTE
        };
        // spaced / WPM + cjk / per_minute, over a common denominator
        let numerator = self.spaced * per_minute + cjk * WORDS_PER_MINUTE;
        numerator.div_ceil(WORDS_PER_MINUTE * per_minute).max(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Han,
    Kana,
    Other,
}

/// A character's script as it counts here. Letters shared between scripts
/// (the prolonged sound mark `ー`, the iteration mark `々`) go by their
/// script extensions; punctuation such as `。` is `Other`.
fn class(c: char) -> Class {
    match c.script() {
        Script::Han => Class::Han,
        Script::Hiragana | Script::Katakana => Class::Kana,
        Script::Common | Script::Inherited if c.is_alphabetic() => {
            let ext = c.script_extension();
            if ext.contains_script(Script::Han) {
                Class::Han
            } else if ext.contains_script(Script::Hiragana) || ext.contains_script(Script::Katakana)
            {
                Class::Kana
            } else {
                Class::Other
            }
        }
        _ => Class::Other,
    }
}

/// Whitespace-separated pieces of ASCII text, a byte at a time: 1.3 ns a
/// byte against 2.3 for `split_whitespace`, which decodes every character.
/// The bench corpus's prose is ASCII.
fn ascii_words(text: &str) -> usize {
    // `char::is_whitespace` in ASCII, one bit per byte value: note the
    // vertical tab (0x0B), which `u8::is_ascii_whitespace` leaves out.
    const SPACES: u64 = 1 << b' ' | 1 << b'\t' | 1 << b'\n' | 1 << 0x0b | 1 << 0x0c | 1 << b'\r';
    let mut words = 0;
    let mut after_space = true;
    for &b in text.as_bytes() {
        let space = b < 64 && (SPACES >> b) & 1 == 1;
        // `&`, not `&&`: no branch in the loop.
        words += usize::from(after_space & !space);
        after_space = space;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outside Chinese and Japanese, word counts are the ones
    /// `split_whitespace` gives, Unicode whitespace included.
    #[test]
    fn spaced_scripts_count_as_split_whitespace_does() {
        let pieces = [
            "a",
            "word",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\u{0b}",
            "\u{0c}",
            "\u{a0}",
            "\u{85}",
            "\u{2028}",
            "\u{3000}",
            "é",
            "한국어",
            "—",
            "\u{200b}",
            "x\u{a0}y",
            "لماذا",
        ];
        assert_eq!(Words::of(""), Words::default());
        // Every sequence of three pieces, so each kind of separator sits
        // at the start, in the middle and at the end of a text.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    let words = Words::of(&text);
                    assert_eq!(words.spaced, text.split_whitespace().count(), "{text:?}");
                    assert_eq!((words.han, words.kana), (0, 0), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn chinese_and_japanese_count_characters() {
        // 为什么是现在 is six Han characters; ？ counts as nothing.
        assert_eq!(
            Words::of("为什么是现在？"),
            Words {
                spaced: 0,
                han: 6,
                kana: 0
            }
        );
        // Kanji, hiragana, katakana with the prolonged sound mark (ー is
        // a Common character shared by both kana), and a Latin word.
        assert_eq!(
            Words::of("北朝鮮はなぜコーヒーをAIで"),
            Words {
                spaced: 1,
                han: 3,
                kana: 9
            }
        );
        // A voiced kana written as a base and a combining mark is one.
        assert_eq!(
            Words::of("か\u{3099}"),
            Words {
                spaced: 0,
                han: 0,
                kana: 1
            }
        );
        // Runs of Latin letters or digits between characters are words;
        // punctuation between them is not.
        assert_eq!(
            Words::of("2024年、GPU芯片。 hello"),
            Words {
                spaced: 3,
                han: 3,
                kana: 0
            }
        );
    }

    #[test]
    fn reading_time_uses_each_scripts_speed() {
        let minutes = |spaced, han, kana| Words { spaced, han, kana }.reading_minutes();
        assert_eq!(minutes(0, 0, 0), 1, "never zero");
        assert_eq!(minutes(230, 0, 0), 1);
        assert_eq!(minutes(231, 0, 0), 2);
        assert_eq!(minutes(1150, 0, 0), 5);
        // 1,275 hanzi is five minutes of Chinese, not 5.5 of English.
        assert_eq!(minutes(0, 1275, 0), 5);
        // Japanese: 700 kana and 371 kanji is 1,071 characters, 3 minutes.
        assert_eq!(minutes(0, 371, 700), 3);
        // 230 words and 255 hanzi: one minute each.
        assert_eq!(minutes(230, 255, 0), 2);
        assert_eq!(
            Words {
                spaced: 5,
                han: 3,
                kana: 2
            }
            .total(),
            10
        );
    }
}
