//! The `sizes` attribute of each place a photo shows in: how wide the
//! theme's layout draws it at each viewport width, so that a browser
//! picks the smallest `srcset` file that fills it before any CSS loads.
//!
//! A theme states them under `[sizes]` in its `theme.toml`, since only it
//! knows its layout; a site's `[images] sizes` replaces the body figures'
//! and the lead's. A theme that states none gets [`Sizes::default`].

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Position};

/// Where no theme says otherwise: a page at most 72rem wide.
const WHOLE_PAGE: &str = "(min-width: 72rem) 72rem, 100vw";

/// The `sizes` of each place, as written in `sizes` attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Sizes {
    /// A figure in the article body (a gallery divides it by its columns).
    pub figure: String,
    /// The lead image above an article.
    pub lead: String,
    /// The first card of a listing page.
    pub top_story: String,
    /// The other cards of a listing page, when it shows one of them, two,
    /// and three or more: cards in a grid that fits more than there are
    /// grow to fill its width.
    pub stories: [String; 3],
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            figure: WHOLE_PAGE.to_string(),
            lead: WHOLE_PAGE.to_string(),
            top_story: WHOLE_PAGE.to_string(),
            stories: [
                WHOLE_PAGE.to_string(),
                WHOLE_PAGE.to_string(),
                WHOLE_PAGE.to_string(),
            ],
        }
    }
}

impl Sizes {
    /// The `sizes` of the cards after the first when a listing page shows
    /// `count` of them.
    pub fn stories(&self, count: usize) -> &str {
        &self.stories[count.clamp(1, 3) - 1]
    }

    /// The theme's sizes with the site's `[images] sizes`, if set, for
    /// body figures and the lead.
    pub fn with_site(&self, site: Option<&str>) -> Sizes {
        match site {
            Some(s) => Sizes {
                figure: s.to_string(),
                lead: s.to_string(),
                ..self.clone()
            },
            None => self.clone(),
        }
    }
}

/// `theme.toml` as nutgraf reads it: `[sizes]`, and the keys that describe
/// the theme to people (ours, and those of Zola's theme.toml), which are
/// read and left alone. Any other key is an error with a "did you mean":
/// a misspelt `[sizs]` would otherwise be ignored without a word.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawTheme {
    #[serde(default)]
    sizes: RawSizes,
    name: Option<toml::Value>,
    description: Option<toml::Value>,
    author: Option<toml::Value>,
    license: Option<toml::Value>,
    homepage: Option<toml::Value>,
    repository: Option<toml::Value>,
    demo: Option<toml::Value>,
    version: Option<toml::Value>,
    min_version: Option<toml::Value>,
    tags: Option<toml::Value>,
    original: Option<toml::Value>,
    extra: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSizes {
    figure: Option<String>,
    lead: Option<String>,
    top_story: Option<String>,
    stories: Option<Vec<String>>,
}

/// The keys `[sizes]` takes, for "did you mean".
const KEYS: &[&str] = &[
    "sizes",
    "figure",
    "lead",
    "top_story",
    "stories",
    "name",
    "description",
    "author",
    "license",
    "homepage",
    "repository",
    "demo",
    "version",
    "min_version",
    "tags",
    "original",
    "extra",
];

/// Reads the `[sizes]` of a theme's `theme.toml` (`text`, shown as
/// `path`); keys it leaves out keep their defaults.
pub fn parse(path: &str, text: &str) -> Result<Sizes, Diagnostic> {
    let raw: RawTheme = toml::from_str(text)
        .map_err(|e| crate::config::toml_diagnostic(path, text, 0, &e, KEYS))?;
    let at = |key: &str| crate::diagnostic::key_position(text, 0..text.len(), key);
    let check = |key: &str, value: Option<String>, default: &str| -> Result<String, Diagnostic> {
        match value {
            Some(v) if v.trim().is_empty() => Err(empty(path, at(key), key)),
            Some(v) => Ok(v.trim().to_string()),
            None => Ok(default.to_string()),
        }
    };
    let defaults = Sizes::default();
    let r = raw.sizes;
    let stories = match r.stories {
        None => defaults.stories.clone(),
        Some(list) if list.is_empty() || list.len() > 3 => {
            return Err(Diagnostic::error(
                path,
                at("stories"),
                format!("`sizes.stories` lists {} values; it takes one to three", list.len()),
            )
            .with_hint("the cards after the first when a page shows one of them, two, and three or more; a shorter list repeats its last value"));
        }
        Some(list) => {
            if list.iter().any(|s| s.trim().is_empty()) {
                return Err(empty(path, at("stories"), "stories"));
            }
            let last = list[list.len() - 1].trim().to_string();
            let get = |i: usize| list.get(i).map_or(last.clone(), |s| s.trim().to_string());
            [get(0), get(1), get(2)]
        }
    };
    Ok(Sizes {
        figure: check("figure", r.figure, &defaults.figure)?,
        lead: check("lead", r.lead, &defaults.lead)?,
        top_story: check("top_story", r.top_story, &defaults.top_story)?,
        stories,
    })
}

fn empty(path: &str, at: Position, key: &str) -> Diagnostic {
    Diagnostic::error(path, at, format!("`sizes.{key}` is empty")).with_hint(
        "write a `sizes` attribute, e.g. `(max-width: 40rem) 100vw, 42rem`, or leave the key out",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_without_sizes_gets_the_defaults_and_describing_keys_are_read() {
        let s = parse(
            "theme.toml",
            "name = \"x\"\nmin_version = \"0.1\"\nlicense = \"MIT\"\n[author]\nname = \"A\"\n[extra]\nz = 1\n",
        )
        .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s, Sizes::default());
    }

    /// Regression: unknown keys in `theme.toml` were ignored, so `[sizs]`
    /// silently left the defaults in place.
    #[test]
    fn unknown_theme_keys_are_errors_with_a_suggestion() {
        for (text, at, hint) in [
            (
                "name = \"x\"\n[sizs]\nfigure = \"1px\"\n",
                (2, 2),
                "did you mean `sizes`?",
            ),
            (
                "name = \"x\"\ndescriptoin = \"y\"\n",
                (2, 1),
                "did you mean `description`?",
            ),
        ] {
            let Err(d) = parse("themes/x/theme.toml", text) else {
                panic!("unknown key accepted: {text}");
            };
            assert_eq!((d.line, d.col), at, "{d}");
            assert!(d.message.starts_with("unknown key"), "{d}");
            assert_eq!(d.hint.as_deref(), Some(hint), "{d}");
        }
    }

    #[test]
    fn a_short_stories_list_repeats_its_last_value() {
        let s = parse(
            "theme.toml",
            "[sizes]\nfigure = \"42rem\"\nstories = [\"100vw\", \"50vw\"]\n",
        )
        .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s.figure, "42rem");
        assert_eq!(s.lead, WHOLE_PAGE);
        assert_eq!(
            [s.stories(0), s.stories(1), s.stories(2), s.stories(9)],
            ["100vw", "100vw", "50vw", "50vw"]
        );
    }

    #[test]
    fn the_site_replaces_the_figures_and_the_lead_only() {
        let s = Sizes::default().with_site(Some("50vw"));
        assert_eq!((s.figure.as_str(), s.lead.as_str()), ("50vw", "50vw"));
        assert_eq!(s.top_story, WHOLE_PAGE);
    }

    #[test]
    fn mistakes_point_at_the_key_with_a_hint() {
        let Err(d) = parse(
            "themes/x/theme.toml",
            "name = \"x\"\n[sizes]\nfigures = \"1px\"\n",
        ) else {
            panic!("unknown key accepted");
        };
        assert_eq!((d.line, d.col), (3, 1), "{d}");
        assert_eq!(d.hint.as_deref(), Some("did you mean `figure`?"));
        let Err(d) = parse("theme.toml", "[sizes]\nlead = \" \"\n") else {
            panic!("empty sizes accepted");
        };
        assert_eq!(
            (d.line, d.col, d.message.as_str()),
            (2, 1, "`sizes.lead` is empty")
        );
        let Err(d) = parse("theme.toml", "[sizes]\n\nstories = []\n") else {
            panic!("empty list accepted");
        };
        assert_eq!((d.line, d.col), (3, 1), "{d}");
    }
}
