//! The words templates print ("In this explainer", "min read"): built-in
//! English, then the built-in file of the site's `language` if nutgraf has
//! one, overridden by the theme's and then the site's
//! `i18n/<language>.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{Config, toml_diagnostic};
use crate::diagnostic::{Diagnostic, did_you_mean, display_path, key_position};
use crate::error::Error;
use crate::paths::{I18N_DIR, THEMES_DIR};

/// The built-in strings: every key a strings file may set.
const BUILTIN: &str = include_str!("../i18n/en.toml");

/// Built-in translations of [`BUILTIN`], by language subtag; a test holds
/// each to exactly its keys and placeholders.
const TRANSLATIONS: &[(&str, &str)] = &[
    ("ar", include_str!("../i18n/ar.toml")),
    ("de", include_str!("../i18n/de.toml")),
    ("es", include_str!("../i18n/es.toml")),
    ("fr", include_str!("../i18n/fr.toml")),
    ("ko", include_str!("../i18n/ko.toml")),
];

/// The built-in translation for a locale, by its language subtag (`es-MX`
/// takes `es`; ICU4X has already lowercased it).
fn translation(locale: &icu_locale::Locale) -> Option<&'static str> {
    let language = locale.id.language.as_str();
    TRANSLATIONS
        .iter()
        .find(|(code, _)| *code == language)
        .map(|(_, text)| *text)
}

/// Key → text, every key of the built-in file present.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, std::hash::Hash)]
pub struct Strings(BTreeMap<String, String>);

impl Strings {
    /// The built-in English strings.
    pub fn builtin() -> Strings {
        // The built-in file is part of the binary and its test proves it
        // parses; an empty map here would only mean missing words.
        Strings(toml::from_str(BUILTIN).unwrap_or_default())
    }

    /// The strings for `config.language`: built-in English, the built-in
    /// translation, then `themes/<theme>/i18n/<language>.toml`, then
    /// `i18n/<language>.toml`.
    /// A key the built-ins do not have is an error (a typo would otherwise
    /// leave the default text in place without a word).
    pub fn load(root: &Path, config: &Config) -> Result<Strings, Error> {
        Ok(Strings::chain(root, config)?.0)
    }

    /// The strings of one of the site's other languages (`config` as that
    /// language's pages see it): its own chain, as [`Strings::load`], and
    /// for each key nothing in that chain translates, the default
    /// language's `fallback`, with one warning per key.
    pub fn load_translation(
        root: &Path,
        config: &Config,
        fallback: &Strings,
    ) -> Result<(Strings, Vec<Diagnostic>), Error> {
        let (mut strings, own) = Strings::chain(root, config)?;
        let file = Path::new(I18N_DIR).join(format!("{}.toml", config.language));
        let mut warnings = Vec::new();
        for (key, text) in &mut strings.0 {
            if own.contains(key.as_str()) {
                continue;
            }
            let shown = if key == "language_name" {
                // Another language's name would name this one wrongly in
                // the switcher: its code is at least right.
                config.language.clone_into(text);
                format!("the language switcher shows `{}`", config.language)
            } else {
                if let Some(default) = fallback.get(key) {
                    default.clone_into(text);
                }
                "pages in that language show the default language's".to_string()
            };
            warnings.push(
                Diagnostic::warning(
                    &file,
                    crate::diagnostic::Position::START,
                    format!(
                        "no `{}` text for the string `{key}`: {shown}",
                        config.language
                    ),
                )
                .with_hint(format!("add `{key} = \"…\"` to {}", file.display())),
            );
        }
        Ok((strings, warnings))
    }

    /// Built-in English, the built-in translation, the theme's file, the
    /// site's file; and the keys that the language's own files (or
    /// English itself) gave.
    fn chain(
        root: &Path,
        config: &Config,
    ) -> Result<(Strings, std::collections::BTreeSet<String>), Error> {
        let mut strings = Strings::builtin();
        let mut own = std::collections::BTreeSet::new();
        if config.locale.id.language == icu_locale::subtags::language!("en") {
            own.extend(strings.0.keys().cloned());
        }
        if let Some(text) = translation(&config.locale) {
            // Built in, and held to the English keys by a test.
            let table = toml::from_str::<BTreeMap<String, String>>(text).unwrap_or_default();
            own.extend(table.keys().cloned());
            strings.0.extend(table);
        }
        let file = format!("{}.toml", config.language);
        let theme = root
            .join(THEMES_DIR)
            .join(&config.theme)
            .join(I18N_DIR)
            .join(&file);
        let site = root.join(I18N_DIR).join(&file);
        let mut problems = Vec::new();
        for path in [theme, site] {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(Error::usage(
                        format!("cannot read `{}`: {e}", path.display()),
                        "check that the file is readable UTF-8",
                    ));
                }
            };
            let display = display_path(root, &path);
            match strings.merge(&display, &text) {
                Ok(keys) => own.extend(keys),
                Err(d) => problems.extend(d),
            }
        }
        if problems.is_empty() {
            Ok((strings, own))
        } else {
            Err(Error::Config(problems))
        }
    }

    /// Overrides keys with those of one strings file.
    fn merge(&mut self, display: &Path, text: &str) -> Result<Vec<String>, Vec<Diagnostic>> {
        let keys: Vec<&str> = self.0.keys().map(String::as_str).collect();
        let table: BTreeMap<String, String> =
            toml::from_str(text).map_err(|e| vec![toml_diagnostic(display, text, 0, &e, &keys)])?;
        let mut problems = Vec::new();
        for key in table.keys() {
            if !self.0.contains_key(key) {
                let d = Diagnostic::error(
                    display,
                    key_position(text, 0..text.len(), key),
                    format!("unknown string `{key}`"),
                );
                problems.push(match did_you_mean(key, &keys) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(
                        "the keys are those of the built-in i18n/en.toml (see the README); put your own words in templates or under [extra]",
                    ),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let keys = table.keys().cloned().collect();
        self.0.extend(table);
        Ok(keys)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_strings_parse_and_hold_todays_words() {
        let parsed: Result<BTreeMap<String, String>, _> = toml::from_str(BUILTIN);
        assert!(parsed.is_ok(), "{parsed:?}");
        let s = Strings::builtin();
        assert_eq!(s.get("in_this_explainer"), Some("In this explainer"));
        assert_eq!(s.get("explainers"), Some("Explainers"));
    }

    /// Every built-in translation has exactly the English keys, each with
    /// the same `{placeholders}`, and no text left in English.
    #[test]
    fn translations_have_every_key_and_placeholder() {
        let placeholders = |text: &str| -> Vec<String> {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                .collect();
            names.sort();
            names
        };
        let english: BTreeMap<String, String> =
            toml::from_str(BUILTIN).unwrap_or_else(|e| panic!("en: {e}"));
        for (code, text) in TRANSLATIONS {
            let translated: BTreeMap<String, String> =
                toml::from_str(text).unwrap_or_else(|e| panic!("{code}: {e}"));
            let keys = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&translated), keys(&english), "{code}: keys");
            for (key, en) in &english {
                let t = &translated[key];
                assert_eq!(placeholders(t), placeholders(en), "{code}: {key}");
                // The same text is fine when its words are short ("Feed",
                // "Pages", German's "In {article}").
                let words = en
                    .split('{')
                    .map(|p| p.split_once('}').map_or(p, |(_, rest)| rest));
                let short = words.collect::<String>().len() <= 9;
                assert!(t != en || short, "{code}: {key} is still English");
            }
        }
        let of = |tag: &str| {
            translation(&icu_locale::Locale::try_from_str(tag).unwrap_or_else(|e| panic!("{e:?}")))
        };
        assert_eq!(of("es-MX"), of("es"));
        assert_eq!(of("pt-BR"), None);
        assert!(of("AR").is_some(), "tags are case-insensitive");
    }

    #[test]
    fn a_file_overrides_known_keys() {
        let mut s = Strings::builtin();
        let r = s.merge(
            Path::new("i18n/en.toml"),
            "in_this_explainer = \"In this guide\"\n",
        );
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(s.get("in_this_explainer"), Some("In this guide"));
        assert_eq!(s.get("explainers"), Some("Explainers"), "others stay");
    }

    #[test]
    fn an_unknown_key_is_an_error_with_a_suggestion() {
        let mut s = Strings::builtin();
        let text = "explainers = \"Guides\"\nin_this_explainr = \"In this guide\"\n";
        let problems = s
            .merge(Path::new("i18n/en.toml"), text)
            .expect_err("unknown key");
        assert_eq!(problems.len(), 1);
        let shown = problems[0].to_string();
        assert!(
            shown.contains("unknown string `in_this_explainr`"),
            "{shown}"
        );
        assert!(shown.contains("i18n/en.toml:2:1"), "{shown}");
        assert!(
            shown.contains("did you mean `in_this_explainer`?"),
            "{shown}"
        );
        assert_eq!(s.get("explainers"), Some("Explainers"), "nothing merged");
    }

    #[test]
    fn a_value_that_is_not_text_is_an_error() {
        let mut s = Strings::builtin();
        let problems = s
            .merge(Path::new("i18n/en.toml"), "explainers = 3\n")
            .expect_err("not a string");
        assert!(
            problems[0].to_string().contains("i18n/en.toml:1:"),
            "{}",
            problems[0]
        );
    }
}
