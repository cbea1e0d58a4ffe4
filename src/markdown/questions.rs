//! Questions: heading ids, the question list for the "In this explainer"
//! menu, and FAQ answers restricted to the HTML Google allows.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use serde::Serialize;

/// A `##` heading that ends with a question mark ([`QUESTION_MARKS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// False when the heading opts out with `{.not-faq}`.
    #[serde(skip)]
    pub faq: bool,
    /// Where the heading starts in the Markdown body.
    #[serde(skip)]
    pub offset: usize,
}

/// One question and its answer, for the FAQPage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqEntry {
    pub question: String,
    pub answer_html: String,
}

/// Ids already used on a page; new ones get `-1`, `-2`… suffixes.
///
/// `next` remembers, per base, the first suffix not yet tried, so that
/// 60,000 headings called "a" cost 60,000 steps, not 60,000²/2: each
/// (base, suffix) pair is tried at most once. `used` still holds every id,
/// so a generated `a-1` skips an explicit `{#a-1}` written earlier.
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    /// A unique id for a heading with this text (or explicit id).
    pub fn unique(&mut self, wanted: &str) -> String {
        let base = {
            let s = slug::slugify(wanted);
            if s.is_empty() {
                "section".to_string()
            } else {
                s
            }
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = self.next.get(&base).copied().unwrap_or(1);
        loop {
            let id = format!("{base}-{n}");
            n += 1;
            if self.used.insert(id.clone()) {
                self.next.insert(base, n);
                return id;
            }
        }
    }

    /// Every id handed out.
    pub fn into_vec(self) -> Vec<String> {
        self.used.into_iter().collect()
    }

    /// Keeps an explicit `{#id}` as written unless it is taken.
    pub fn explicit(&mut self, id: &str) -> String {
        if self.used.insert(id.to_string()) {
            id.to_string()
        } else {
            self.unique(id)
        }
    }
}

/// The characters that end a question: every Unicode punctuation mark
/// (category Po) named "… QUESTION MARK" or "… INTERROBANG", as of Unicode
/// 14, less the inverted and initial ones that open a question (`¿`, `⸘`,
/// Adlam's initial mark). Listed with:
///
/// ```text
/// python3 -c 'import sys, unicodedata as u; print([hex(i) for i in range(sys.maxunicode + 1)
///   if u.category(chr(i)) == "Po" and ("QUESTION MARK" in u.name(chr(i), "") or
///   "INTERROBANG" in u.name(chr(i), ""))])'
/// ```
pub const QUESTION_MARKS: [char; 20] = [
    '?',         // Latin and most scripts
    '\u{037E}',  // ; Greek
    '\u{055E}',  // ՞ Armenian
    '\u{061F}',  // ؟ Arabic, Persian, Urdu
    '\u{1367}',  // ፧ Ethiopic
    '\u{1945}',  // ᥅ Limbu
    '\u{203D}',  // ‽ interrobang
    '\u{2047}',  // ⁇ double question mark
    '\u{2048}',  // ⁈ question exclamation mark
    '\u{2049}',  // ⁉ exclamation question mark
    '\u{2CFA}',  // ⳺ Old Nubian direct question
    '\u{2CFB}',  // ⳻ Old Nubian indirect question
    '\u{2E2E}',  // ⸮ reversed (rhetorical) question mark
    '\u{2E54}',  // ⹔ medieval question mark
    '\u{A60F}',  // ꘏ Vai
    '\u{A6F7}',  // ꛷ Bamum
    '\u{FE16}',  // ︖ vertical form (CJK vertical text)
    '\u{FE56}',  // ﹖ small form
    '\u{FF1F}',  // ？ fullwidth: Chinese, Japanese
    '\u{11143}', // 𑅃 Chakma
];

/// Whether a heading is a question: level 2 and ending in one of
/// [`QUESTION_MARKS`] (trailing spaces aside). Spanish `¿…?` ends in `?`.
/// Two marks follow their script's own rule:
/// - Greek keyboards type the Greek question mark as `;` (U+003B, which
///   Unicode normalization makes of U+037E anyway), so a Greek heading
///   ending in `;` is a question;
/// - Armenian puts `՞` on the word asked about, so an Armenian heading
///   with `՞` anywhere is one.
pub fn is_question(level: HeadingLevel, text: &str) -> bool {
    use unicode_script::{Script, UnicodeScript};
    if level != HeadingLevel::H2 {
        return false;
    }
    let text = text.trim_end();
    let last_letter = || text.chars().rev().find(|c| c.is_alphabetic());
    text.ends_with(|c: char| QUESTION_MARKS.contains(&c))
        || (text.ends_with(';') && last_letter().is_some_and(|c| c.script() == Script::Greek))
        || text.contains('\u{055E}')
}

/// Whether an article is Q&A-shaped, so that it gets the question menu and
/// (unless opted out) FAQPage markup. `faq = true` in the front matter
/// forces it on for any article with a question heading; otherwise it takes
/// at least two question headings that are more than half of the `##`
/// sections. A blog post whose only question is a closing "What's next?"
/// is not an FAQ page, and marking it up as one goes against the search
/// engines' structured-data guidelines.
pub fn is_qa_shaped(questions: usize, sections: usize, forced: Option<bool>) -> bool {
    if forced == Some(true) {
        return questions >= 1;
    }
    questions >= 2 && questions * 2 > sections
}

/// The answer's events turned into HTML that uses only h1–h6, br, ol, ul,
/// li, a, p, div, b, strong, i, em. Figures, code blocks, tables, footnote
/// marks and raw HTML arrive as (or become) HTML events and are dropped;
/// other disallowed wrappers (blockquote, del, sup) keep their text.
/// Site-relative links become absolute, since the answer is read off-site.
pub fn answer_html<'a>(events: &[Event<'a>], base_url: &str, page_url: &str) -> String {
    let mut kept: Vec<Event<'a>> = Vec::with_capacity(events.len());
    let mut skip_depth = 0usize;
    for e in events {
        if skip_depth > 0 {
            match e {
                Event::Start(_) => skip_depth += 1,
                Event::End(_) => skip_depth -= 1,
                _ => {}
            }
            continue;
        }
        match e {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::List(_) | Tag::Item | Tag::Emphasis | Tag::Strong => {
                    kept.push(e.clone())
                }
                Tag::Heading { level, .. } => kept.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                })),
                Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                } => kept.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: absolute(dest_url, base_url, page_url),
                    title: title.clone(),
                    id: id.clone(),
                })),
                Tag::Table(_)
                | Tag::Image { .. }
                | Tag::CodeBlock(_)
                | Tag::FootnoteDefinition(_)
                | Tag::HtmlBlock
                | Tag::MetadataBlock(_) => {
                    skip_depth = 1;
                }
                // blockquote, del, sup, sub, definition lists: keep the text only
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Heading(_)
                | TagEnd::Link => kept.push(e.clone()),
                _ => {}
            },
            Event::Text(_) | Event::SoftBreak | Event::HardBreak => kept.push(e.clone()),
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                kept.push(Event::Text(t.clone()))
            }
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_)
            | Event::Rule => {}
        }
    }
    crate::html::render(kept).trim().to_string()
}

fn absolute<'a>(url: &CowStr<'a>, base_url: &str, page_url: &str) -> CowStr<'a> {
    if url.starts_with('#') {
        format!("{base_url}{page_url}{url}").into()
    } else if url.starts_with('/') && !url.starts_with("//") {
        format!("{base_url}{url}").into()
    } else {
        url.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deduplicated() {
        let mut ids = Ids::default();
        assert_eq!(ids.unique("Why now?"), "why-now");
        assert_eq!(ids.unique("Why now?"), "why-now-1");
        assert_eq!(ids.unique("Why  NOW?"), "why-now-2");
        assert_eq!(ids.unique("???"), "section");
        assert_eq!(ids.explicit("why-now"), "why-now-3");
    }

    #[test]
    fn generated_ids_skip_explicit_ones() {
        let mut ids = Ids::default();
        assert_eq!(ids.explicit("a-1"), "a-1");
        assert_eq!(ids.unique("a"), "a");
        assert_eq!(ids.unique("a"), "a-2", "an explicit `a-1` is taken");
        assert_eq!(ids.explicit("a-3"), "a-3");
        assert_eq!(ids.unique("a"), "a-4");
        // A later explicit id that a generated one already holds is moved on.
        assert_eq!(ids.explicit("a-4"), "a-4-1");
        assert_eq!(ids.unique("a-4"), "a-4-2");
        assert_eq!(ids.unique("a"), "a-5");
    }

    /// Regression: `unique` retried `-1`, `-2`, … from 1 on every
    /// collision, so 20,000 `## a` headings took 16 s and 60,000
    /// `a`/`a-1`/`a-2` headings more than a minute.
    #[test]
    fn sixty_thousand_colliding_ids_are_unique_and_fast() {
        let start = std::time::Instant::now();
        let mut ids = Ids::default();
        let mut given = Vec::new();
        for k in 0..60_000 {
            given.push(ids.unique(["a", "a-1", "a-2"][k % 3]));
        }
        let elapsed = start.elapsed();
        let set: HashSet<&String> = given.iter().collect();
        assert_eq!(set.len(), 60_000, "every id is unique");
        assert_eq!(ids.into_vec().len(), 60_000, "every id is present");
        // Quadratic took minutes; linear takes tens of milliseconds, even
        // in a debug build on a busy machine.
        assert!(elapsed.as_secs() < 10, "{elapsed:?}");
    }

    #[test]
    fn questions_are_h2_ending_in_question_mark() {
        assert!(is_question(HeadingLevel::H2, "Why now? "));
        assert!(!is_question(HeadingLevel::H3, "Why now?"));
        assert!(!is_question(HeadingLevel::H2, "Background"));
    }

    #[test]
    fn questions_end_in_the_question_mark_of_their_script() {
        for heading in [
            "¿Por qué ahora?",
            "لماذا الآن؟",
            "북한은 왜 러시아에 군대를 보냈나?",
            "为什么是现在？",
            "なぜ今なのか？",
            "Γιατί τώρα\u{037E}",
            "Γιατί τώρα;",
            "Ինչու՞ հիմա",
            "ለምን አሁን፧",
            "Really‽",
        ] {
            assert!(is_question(HeadingLevel::H2, heading), "{heading}");
        }
        // A Latin semicolon is not Greek's question mark, and an opening
        // mark alone does not make a question.
        for heading in ["Why; now;", "¿Por qué ahora", "Why now!", "Why? Because"] {
            assert!(!is_question(HeadingLevel::H2, heading), "{heading}");
        }
        let mut marks = QUESTION_MARKS.to_vec();
        marks.sort_unstable();
        marks.dedup();
        assert_eq!(marks.len(), QUESTION_MARKS.len(), "no mark is listed twice");
    }

    #[test]
    fn qa_shape_needs_two_questions_that_are_most_sections() {
        // Regression: a post ending with "What's next?" became an FAQPage.
        assert!(!is_qa_shaped(1, 5, None));
        assert!(!is_qa_shaped(1, 1, None));
        assert!(!is_qa_shaped(2, 4, None), "half is not most");
        assert!(is_qa_shaped(2, 3, None));
        assert!(is_qa_shaped(6, 7, None));
        assert!(
            is_qa_shaped(2, 2, Some(false)),
            "faq = false is about markup, not shape"
        );
        assert!(is_qa_shaped(1, 9, Some(true)), "faq = true forces it");
        assert!(
            !is_qa_shaped(0, 3, Some(true)),
            "nothing to list without a question"
        );
    }

    #[test]
    fn answers_keep_only_allowed_tags() {
        let md = "Some **bold** and `code` and [a link](/other/) and [anchor](#x).\n\n> quoted *text*\n\n| a |\n|---|\n| b |\n\n- one\n- two\n\n<div>raw</div>\n";
        let events: Vec<Event> =
            crate::markdown::new_cmark_parser(md, &Default::default()).collect();
        let html = answer_html(&events, "https://e.org", "/p/");
        assert_eq!(
            html,
            "<p>Some <strong>bold</strong> and code and <a href=\"https://e.org/other/\">a link</a> and <a href=\"https://e.org/p/#x\">anchor</a>.</p>\n<p>quoted <em>text</em></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
        );
    }
}
