//! Templates and themes: the Tera instance with its lookup order (site
//! `templates/` → `themes/<theme>/templates/` → built-ins compiled into the
//! binary), the filters templates need, and the theme's static files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::assets::Manifest;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Position, display_path};
use crate::error::Error;
use crate::markdown::components::{ArgType, Param, Signature, Value as ComponentValue};
use crate::paths::{TEMPLATES_DIR, THEMES_DIR, walk_files};
use crate::strings::Strings;

/// Default templates, compiled in so a site with only `content/` and
/// `nutgraf.toml` builds. A file with the same name on disk wins.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("section.html", include_str!("../templates/section.html")),
    ("tag.html", include_str!("../templates/tag.html")),
    ("tags.html", include_str!("../templates/tags.html")),
    (
        "partials/stories.html",
        include_str!("../templates/partials/stories.html"),
    ),
    (
        "partials/listing-meta.html",
        include_str!("../templates/partials/listing-meta.html"),
    ),
    (
        "partials/pagination.html",
        include_str!("../templates/partials/pagination.html"),
    ),
    (
        "partials/hreflang.html",
        include_str!("../templates/partials/hreflang.html"),
    ),
    (
        "partials/translations.html",
        include_str!("../templates/partials/translations.html"),
    ),
    ("atom.xml", include_str!("../templates/atom.xml")),
    ("sitemap.xml", include_str!("../templates/sitemap.xml")),
    (
        "sitemap_index.xml",
        include_str!("../templates/sitemap_index.xml"),
    ),
    ("robots.txt", include_str!("../templates/robots.txt")),
    // Components Markdown calls (see markdown::components::BUILTINS).
    (
        "components/key_facts.html",
        include_str!("../templates/components/key_facts.html"),
    ),
    (
        "components/pull_quote.html",
        include_str!("../templates/components/pull_quote.html"),
    ),
    (
        "components/timeline.html",
        include_str!("../templates/components/timeline.html"),
    ),
    (
        "components/embed.html",
        include_str!("../templates/components/embed.html"),
    ),
    (
        "components/gallery.html",
        include_str!("../templates/components/gallery.html"),
    ),
];

/// Where a site's, a theme's and the built-in components live: one Tera
/// component per file, named after it.
pub const COMPONENTS_DIR: &str = "components/";

/// A theme compiled into the binary.
struct BuiltinTheme {
    name: &'static str,
    /// (path under the theme's `static/`, contents)
    static_files: &'static [(&'static str, &'static [u8])],
    templates: &'static [(&'static str, &'static str)],
    /// Its `theme.toml`, for the `sizes` of its image slots.
    theme_toml: &'static str,
}

/// A built-in theme's static files, embedded: its stylesheet parts (see
/// [`stylesheet_parts`]) and icons (drawn by scripts/make-icons.py). A
/// site's `static/` files of the same names replace them.
macro_rules! builtin_theme {
    ($name:literal: $($file:literal),+ $(,)?) => {
        BuiltinTheme {
            name: $name,
            static_files: &[$((
                $file,
                include_bytes!(concat!("../themes/", $name, "/static/", $file)),
            )),+],
            templates: &[],
            theme_toml: include_str!(concat!("../themes/", $name, "/theme.toml")),
        }
    };
}

const BUILTIN_THEMES: &[BuiltinTheme] = &[
    builtin_theme!("broadsheet":
        "style.css", "article.css", "listing.css", "search.css", "code.css",
        "components/key_facts.css", "components/pull_quote.css", "components/timeline.css",
        "components/embed.css", "components/gallery.css",
        "blocks/quotes.css", "blocks/alerts.css", "blocks/tables.css", "blocks/footnotes.css",
        "blocks/slots.css",
        "icon.svg", "icon-32.png", "apple-touch-icon.png", "favicon.ico",
    ),
    builtin_theme!("newsroom":
        "style.css", "article.css", "listing.css", "search.css", "code.css",
        "components/key_facts.css", "components/pull_quote.css", "components/timeline.css",
        "components/embed.css", "components/gallery.css",
        "blocks/quotes.css", "blocks/alerts.css", "blocks/tables.css", "blocks/footnotes.css",
        "blocks/slots.css",
        "icon.svg", "icon-32.png", "apple-touch-icon.png", "favicon.ico",
    ),
];

/// The theme file that becomes the stylesheet every page loads.
pub const STYLESHEET: &str = "style.css";
/// The stylesheet part (`article.css`) that styles Markdown: articles load
/// it, and listing pages whose intro needs it.
const PROSE_PART: &str = "article";
/// Where a theme's stylesheet parts for Markdown blocks live (see
/// [`crate::markdown::styled_blocks`]): `blocks/tables.css` and so on.
pub const BLOCKS_DIR: &str = "blocks/";
/// The theme file the highlighting CSS is appended to, loaded only by
/// pages with code blocks.
pub const CODE_STYLESHEET: &str = "code.css";

/// Where a static file of the theme comes from.
#[derive(Debug, Clone)]
pub enum StaticSource {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

/// The templates and assets a site is rendered with.
pub struct Theme {
    pub tera: Tera,
    /// Filled once the hashed assets are written; read by `asset()`.
    assets: Arc<OnceLock<Manifest>>,
    /// Template name → path shown in diagnostics.
    origins: BTreeMap<String, PathBuf>,
    /// The theme's `style.css` (site `static/style.css` overrides it).
    pub stylesheet: String,
    /// The theme's `code.css`, if any: the styles of code blocks, before
    /// the generated highlighting CSS.
    pub code_stylesheet: Option<String>,
    /// Other theme static files, by output path.
    pub static_files: Vec<(PathBuf, StaticSource)>,
    /// Template name → hash of its source and of every template it may
    /// use (see [`fingerprints`]); `serve` re-renders a page when the
    /// hash of its template changes.
    fingerprints: HashMap<String, u64>,
    /// Hash of all fingerprints: equal when no template changed.
    templates_key: u64,
    /// The words templates print, as `strings` ([`crate::strings`]).
    pub strings: Strings,
    /// How wide its layout draws images in each place.
    pub sizes: crate::images::sizes::Sizes,
}

impl Theme {
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Error> {
        let theme_dir = root.join(THEMES_DIR).join(&config.theme);
        let builtin = BUILTIN_THEMES.iter().find(|t| t.name == config.theme);
        if !theme_dir.is_dir() && builtin.is_none() {
            let names: Vec<&str> = BUILTIN_THEMES.iter().map(|t| t.name).collect();
            return Err(Error::Config(vec![
                Diagnostic::error(
                    crate::config::CONFIG_FILE,
                    theme_key_position(root),
                    format!("unknown theme `{}`", config.theme),
                )
                .with_hint(format!(
                    "built-in themes: {}; or create `themes/{}/` with templates/ and static/",
                    names.join(", "),
                    config.theme
                )),
            ]));
        }

        // Later entries replace earlier ones: built-ins, theme, site.
        let mut sources: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        for (name, text) in BUILTIN_TEMPLATES {
            sources.insert(
                name.to_string(),
                (
                    text.to_string(),
                    PathBuf::from(format!("(built in) templates/{name}")),
                ),
            );
        }
        let mut static_files = Vec::new();
        let mut stylesheet = None;
        let mut code_stylesheet = None;
        let mut sizes = crate::images::sizes::Sizes::default();
        if theme_dir.is_dir() {
            let toml = theme_dir.join("theme.toml");
            if toml.is_file() {
                let text = crate::fs::read_to_string(&toml)?;
                let shown = crate::diagnostic::display_path(root, &toml);
                sizes = crate::images::sizes::parse(&shown.to_string_lossy(), &text)
                    .map_err(|d| Error::Config(vec![d]))?;
            }
            read_templates(root, &theme_dir.join(TEMPLATES_DIR), &mut sources)?;
            for (rel, path) in walk_files(&theme_dir.join(crate::paths::STATIC_DIR))? {
                if rel == Path::new(STYLESHEET) {
                    stylesheet = Some(crate::fs::read_to_string(&path)?);
                } else if rel == Path::new(CODE_STYLESHEET) {
                    code_stylesheet = Some(crate::fs::read_to_string(&path)?);
                } else {
                    static_files.push((rel, StaticSource::Disk(path)));
                }
            }
        } else if let Some(theme) = builtin {
            let shown = format!("(built in) themes/{}/theme.toml", theme.name);
            sizes = crate::images::sizes::parse(&shown, theme.theme_toml)
                .map_err(|d| Error::Config(vec![d]))?;
            for (name, text) in theme.templates {
                sources.insert(
                    name.to_string(),
                    (
                        text.to_string(),
                        PathBuf::from(format!("(built in) themes/{}/templates/{name}", theme.name)),
                    ),
                );
            }
            for (rel, bytes) in theme.static_files {
                if *rel == STYLESHEET {
                    stylesheet = Some(String::from_utf8_lossy(bytes).into_owned());
                } else if *rel == CODE_STYLESHEET {
                    code_stylesheet = Some(String::from_utf8_lossy(bytes).into_owned());
                } else {
                    static_files.push((PathBuf::from(rel), StaticSource::Embedded(bytes)));
                }
            }
        }
        read_templates(root, &root.join(TEMPLATES_DIR), &mut sources)?;
        // `icon = "…"` makes the site's own raster icons; the theme's SVG
        // would show another picture, so it goes too.
        if config.icon.is_some() {
            static_files.retain(|(rel, _)| {
                !rel.to_str()
                    .is_some_and(|r| crate::images::icon::REPLACED.contains(&r))
            });
        }

        let mut tera = Tera::new();
        register_filters(&mut tera, &config.languages, config.unicode_slugs);
        let assets: Arc<OnceLock<Manifest>> = Arc::default();
        register_asset_function(&mut tera, assets.clone());
        let origins: BTreeMap<String, PathBuf> = sources
            .iter()
            .map(|(k, (_, p))| (k.clone(), p.clone()))
            .collect();
        if let Err(e) = tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, (text, _))| (name.as_str(), text.as_str())),
        ) {
            let d = template_diagnostic(&origins, None, &e);
            return Err(Error::Site(vec![d]));
        }
        let fingerprints = fingerprints(&sources);
        let templates_key = {
            let mut all: Vec<(&String, &u64)> = fingerprints.iter().collect();
            all.sort_unstable();
            crate::hash::hash_key(&all)
        };
        let strings = Strings::load(root, config)?;
        Ok(Theme {
            strings,
            tera,
            assets,
            fingerprints,
            templates_key,
            origins,
            stylesheet: stylesheet.unwrap_or_default(),
            code_stylesheet,
            static_files,
            sizes: sizes.with_site(config.images.sizes.as_deref()),
        })
    }

    /// Makes the hashed assets known to `asset()`; once per build.
    pub fn set_assets(&self, manifest: Manifest) {
        // A second call would mean a second build with the same Theme,
        // which never happens; keeping the first manifest is harmless.
        if self.assets.set(manifest).is_err() {
            debug_assert!(false, "assets set twice");
        }
    }

    /// The hash of `name` and everything it uses; 0 for an unknown name.
    /// A hash of every template's fingerprint.
    pub fn templates_key(&self) -> u64 {
        self.templates_key
    }

    pub fn fingerprint(&self, name: &str) -> u64 {
        self.fingerprints.get(name).copied().unwrap_or(0)
    }

    /// The fingerprint of the template that defines component `name`
    /// (`components/<name>.html`), which a page calling it depends on.
    pub fn component_fingerprint(&self, name: &str) -> u64 {
        self.fingerprint(&format!("{COMPONENTS_DIR}{name}.html"))
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Renders `name`, turning Tera's error into a diagnostic at the
    /// template's file, line and column. A NUL from front matter (TOML's
    /// `\u0000`) is replaced: Tera's escaping leaves it in the page.
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map(crate::html::replace_nul)
            .map_err(|e| template_diagnostic(&self.origins, Some(name), &e))
    }
}

impl crate::markdown::components::Library for Theme {
    fn signature(&self, name: &str) -> Option<Signature> {
        let info = self.tera.get_component_definition(name)?;
        let params = info
            .args()
            .iter()
            .filter(|a| !a.is_implicit())
            .map(|a| Param {
                name: a.name().to_string(),
                required: a.is_required(),
                ty: a.arg_type().map(|t| match t {
                    tera::ComponentArgType::String => ArgType::String,
                    tera::ComponentArgType::Bool => ArgType::Bool,
                    tera::ComponentArgType::Integer => ArgType::Integer,
                    tera::ComponentArgType::Float => ArgType::Float,
                    tera::ComponentArgType::Number => ArgType::Number,
                    tera::ComponentArgType::Array => ArgType::Array,
                    other => ArgType::Other(other.as_str()),
                }),
            })
            .collect();
        Some(Signature { params })
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tera
            .get_component_names()
            .map(str::to_string)
            .collect();
        names.sort_unstable();
        names
    }

    fn render(
        &self,
        name: &str,
        args: &[(&str, &ComponentValue)],
        implicits: &[(&str, ComponentValue)],
        body: Option<&str>,
    ) -> Result<String, Diagnostic> {
        let mut args_ctx = tera::Context::new();
        for (k, v) in args {
            args_ctx.insert(k.to_string(), v);
        }
        let mut implicit_ctx = tera::Context::new();
        for (k, v) in implicits {
            implicit_ctx.insert(k.to_string(), v);
        }
        self.tera
            .render_component_with_implicits(name, &args_ctx, &implicit_ctx, body, true)
            .map(crate::html::replace_nul)
            .map_err(|e| template_diagnostic(&self.origins, None, &e))
    }
}

/// The text of the built-in template `name`.
pub fn builtin_template(name: &str) -> Option<&'static str> {
    BUILTIN_TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// For each template, a hash over its source and the sources of every
/// template it may use, directly or through others. A template "may use"
/// another when the other's name appears quoted in its source: that covers
/// `extends`, `include` and `import` (Tera takes those names as string
/// literals) and errs on the side of re-rendering. A file of
/// `components/` is used where its component is called (`<name`, Tera's
/// call syntax); Markdown's calls are followed per page instead (see
/// [`Theme::component_fingerprint`]). Any other template that defines
/// components is counted as used by all, since calls do not name it.
fn fingerprints(sources: &BTreeMap<String, (String, PathBuf)>) -> HashMap<String, u64> {
    let names: Vec<&String> = sources.keys().collect();
    let shared: Vec<&String> = sources
        .iter()
        .filter(|(name, _)| !name.starts_with(COMPONENTS_DIR))
        .filter(|(_, (text, _))| text.contains("{% component") || text.contains("{%- component"))
        .map(|(name, _)| name)
        .collect();
    let calls = |text: &str, other: &str| {
        other
            .strip_prefix(COMPONENTS_DIR)
            .and_then(|file| file.strip_suffix(".html"))
            .is_some_and(|component| {
                text.match_indices(&format!("<{component}")).any(|(at, m)| {
                    !text[at + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
    };
    let direct: HashMap<&String, Vec<&String>> = sources
        .iter()
        .map(|(name, (text, _))| {
            let used = names
                .iter()
                .filter(|other| *other != &name)
                .filter(|other| {
                    text.contains(&format!("\"{other}\""))
                        || text.contains(&format!("'{other}'"))
                        || calls(text, other)
                })
                .copied()
                .chain(shared.iter().copied())
                .collect();
            (name, used)
        })
        .collect();
    sources
        .keys()
        .map(|name| {
            let mut seen = std::collections::BTreeSet::new();
            let mut stack = vec![name];
            while let Some(n) = stack.pop() {
                if seen.insert(n) {
                    stack.extend(direct.get(n).into_iter().flatten().copied());
                }
            }
            let closure: Vec<(&String, &String)> = seen
                .into_iter()
                .filter_map(|n| sources.get(n).map(|(text, _)| (n, text)))
                .collect();
            (name.clone(), crate::hash::key(&closure))
        })
        .collect()
}

/// Where `theme = …` is set in nutgraf.toml.
fn theme_key_position(root: &Path) -> Position {
    let text = std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    crate::diagnostic::key_position(&text, 0..text.len(), "theme")
}

/// Adds every file under `dir` to `sources`, named by its path in `dir`.
fn read_templates(
    root: &Path,
    dir: &Path,
    sources: &mut BTreeMap<String, (String, PathBuf)>,
) -> Result<(), Error> {
    for (rel, path) in walk_files(dir)? {
        let name = crate::paths::slash(&rel);
        let bytes = crate::fs::read(&path)?;
        let display = display_path(root, &path);
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Site(vec![
                Diagnostic::error(&display, Position::START, "template is not valid UTF-8")
                    .with_hint("save the file as UTF-8"),
            ])
        })?;
        sources.insert(name, (text, display));
    }
    Ok(())
}

/// A Tera error as a diagnostic: Tera's own span when it has one, else the
/// template being rendered.
fn template_diagnostic(
    origins: &BTreeMap<String, PathBuf>,
    rendering: Option<&str>,
    e: &tera::Error,
) -> Diagnostic {
    let origin = |name: &str| {
        origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")))
    };
    let hint = "fix the template; Tera 2 syntax: https://keats.github.io/tera/docs/";
    match e.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let pos = Position {
                line: span.start_line.max(1),
                col: span.start_col + 1,
            };
            let name = if report.filename().is_empty() {
                rendering.unwrap_or("")
            } else {
                report.filename()
            };
            let mut message = format!("template error in `{name}`: {}", report.message());
            if let Some(source) = std::error::Error::source(e) {
                message.push_str(&format!(": {source}"));
            }
            Diagnostic::error(origin(name), pos, message).with_hint(hint)
        }
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            origin(current),
            Position::START,
            format!("template `{current}` extends `{parent}`, which does not exist"),
        )
        .with_hint(format!(
            "create templates/{parent} or fix the name in `{{% extends %}}`"
        )),
        tera::ErrorKind::TemplateNotFound(name) => Diagnostic::error(
            origin(rendering.unwrap_or(name)),
            Position::START,
            format!("template `{name}` not found"),
        )
        .with_hint("templates are looked up in templates/, then the theme, then the built-ins"),
        _ => {
            let mut message = format!("template error: {e}");
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            Diagnostic::error(origin(rendering.unwrap_or("")), Position::START, message)
                .with_hint(hint)
        }
    }
}

/// Filters Tera 2 moved out of its core: `date` (ours: jiff formatting, so
/// offsets written in front matter are kept, and `style=` for the site
/// language's own date format), `slug`, `urlencode`, `urlencode_strict` and
/// `json_encode` from tera-contrib; and `tag_url` (ours: a tag's page,
/// `/tags/c-plus-plus/` for `C++`).
/// A multilingual site's pages carry `lang` (their language's code) and
/// `lang_base` (its base path): `date` formats in that language and
/// `tag_url` links that language's tag pages.
fn register_filters(tera: &mut Tera, languages: &[crate::config::Language], unicode_slugs: bool) {
    let dates: Arc<Vec<(String, LocalDates)>> = Arc::new(
        languages
            .iter()
            .map(|l| (l.code.clone(), LocalDates::new(&l.locale)))
            .collect(),
    );
    tera.register_filter("date", move |val: &Value, kwargs: Kwargs, state: &State| {
        let lang = state.get::<String>("lang").ok().flatten();
        let local = lang
            .and_then(|code| dates.iter().find(|(c, _)| *c == code))
            .or(dates.first())
            .map(|(_, d)| d);
        date_filter(val, kwargs, local)
    });
    tera.register_filter("slug", tera_contrib::slug::slug);
    tera.register_filter("tag_url", move |name: &str, _: Kwargs, state: &State| {
        let base = state.get::<String>("lang_base").ok().flatten();
        format!(
            "{}tags/{}/",
            base.as_deref().unwrap_or("/"),
            crate::content::tag_slug_in(name, unicode_slugs)
        )
    });
    tera.register_filter("urlencode", tera_contrib::urlencode::urlencode);
    tera.register_filter(
        "urlencode_strict",
        tera_contrib::urlencode::urlencode_strict,
    );
    tera.register_filter("json_encode", tera_contrib::json::json_encode);
}

/// `asset(path="style.css")` → `{ url, integrity }` of a hashed theme file.
fn register_asset_function(tera: &mut Tera, assets: Arc<OnceLock<Manifest>>) {
    let parts = assets.clone();
    tera.register_function(
        "stylesheets",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let part = kwargs.get::<&str>("part")?;
            let prose = kwargs.get::<bool>("prose")?.unwrap_or(false);
            let blocks = kwargs.get::<Vec<String>>("blocks")?.unwrap_or_default();
            let components = kwargs.get::<Vec<String>>("components")?.unwrap_or_default();
            let code = kwargs.get::<bool>("code")?.unwrap_or(false);
            let manifest = parts.get();
            let found = stylesheet_parts(part, prose, &blocks, &components, code)
                .filter_map(|name| manifest.and_then(|m| m.get(&name)))
                .collect::<Vec<_>>();
            Ok(Value::from_serializable(&found))
        },
    );
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let path = kwargs.must_get::<&str>("path")?;
            let manifest = assets.get();
            match manifest.and_then(|m| m.get(path)) {
                Some(asset) => Ok(Value::from_serializable(asset)),
                None => {
                    let known: Vec<&str> = manifest
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    Err(tera::Error::message(format!(
                        "no hashed asset `{path}`; known: {}",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )))
                }
            }
        },
    );
}

/// The stylesheets a page loads, in cascade order: `style.css`, which
/// every page loads, then its kind's part (`article.css`, `listing.css`,
/// `search.css`), `article.css` for Markdown beyond plain paragraphs on
/// another kind of page (`prose`), one `blocks/<name>.css` per kind of
/// Markdown block it has that not every article has (`blocks`, from
/// [`crate::markdown::styled_blocks`]), one `components/<name>.css` per
/// component it calls, and `code.css` when it has code blocks.
/// `stylesheets()` in a template keeps those the theme (or the site) has.
fn stylesheet_parts<'a>(
    part: Option<&'a str>,
    prose: bool,
    blocks: &'a [String],
    components: &'a [String],
    code: bool,
) -> impl Iterator<Item = String> + 'a {
    std::iter::once(STYLESHEET.to_string())
        .chain(part.map(|p| format!("{p}.css")))
        .chain((prose && part != Some(PROSE_PART)).then(|| format!("{PROSE_PART}.css")))
        .chain(blocks.iter().map(|b| format!("{BLOCKS_DIR}{b}.css")))
        .chain(
            components
                .iter()
                .map(|c| format!("{COMPONENTS_DIR}{c}.css")),
        )
        .chain(code.then(|| CODE_STYLESHEET.to_string()))
}

/// The site language's date formats, from CLDR through ICU4X, in the
/// Gregorian calendar (news dates are Gregorian even where the locale's
/// default calendar is not).
struct LocalDates {
    long: Option<DateFormatter>,
    medium: Option<DateFormatter>,
    short: Option<DateFormatter>,
}

type DateFormatter = icu_datetime::FixedCalendarDateTimeFormatter<
    icu_calendar::Gregorian,
    icu_datetime::fieldsets::YMD,
>;

impl LocalDates {
    fn new(locale: &icu_locale::Locale) -> LocalDates {
        use icu_datetime::fieldsets::YMD;
        let make = |fields: YMD| DateFormatter::try_new(locale.into(), fields).ok();
        LocalDates {
            long: make(YMD::long()),
            medium: make(YMD::medium()),
            short: make(YMD::short()),
        }
    }
}

/// `{{ page.date | date(style="long") }}`: an RFC 3339 string or a
/// `YYYY-MM-DD` date in the site language's long, medium or short format
/// ("November 20, 2026", "20 نوفمبر 2026", "2026년 11월 20일").
/// `{{ page.date | date(format="%Y-%m-%d") }}` formats with jiff's strftime
/// (English names), keeping the offset written.
fn date_filter(val: &Value, kwargs: Kwargs, dates: Option<&LocalDates>) -> TeraResult<String> {
    let style = kwargs.get::<&str>("style")?;
    let format = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    let Some(s) = val.as_str() else {
        return Err(tera::Error::message(format!(
            "`date` expects a date string, got {}",
            val.name()
        )));
    };
    let zoned = parse_date(s)
        .ok_or_else(|| tera::Error::message(format!("`date` cannot read `{s}` as a date")))?;
    if let Some(style) = style {
        let formatter = match style {
            "long" => dates.and_then(|d| d.long.as_ref()),
            "medium" => dates.and_then(|d| d.medium.as_ref()),
            "short" => dates.and_then(|d| d.short.as_ref()),
            other => {
                return Err(tera::Error::message(format!(
                    "`date` style must be \"long\", \"medium\" or \"short\", found \"{other}\""
                )));
            }
        };
        let date = icu_calendar::Date::try_new_gregorian(
            i32::from(zoned.year()),
            zoned.month().unsigned_abs(),
            zoned.day().unsigned_abs(),
        );
        return match (formatter, date) {
            (Some(f), Ok(date)) => Ok(f.format(&date).to_string()),
            // No CLDR data at all (not even a fallback): ISO, never nothing.
            _ => Ok(zoned.date().to_string()),
        };
    }
    jiff::fmt::strtime::format(format, &zoned)
        .map_err(|e| tera::Error::message(format!("invalid date format `{format}`: {e}")))
}

fn parse_date(s: &str) -> Option<jiff::Zoned> {
    use jiff::fmt::temporal::{DateTimeParser, Pieces};
    static PARSER: DateTimeParser = DateTimeParser::new();
    if let Ok(ts) = PARSER.parse_timestamp(s) {
        let tz = Pieces::parse(s)
            .ok()
            .and_then(|p| p.to_numeric_offset())
            .map_or(jiff::tz::TimeZone::UTC, jiff::tz::TimeZone::fixed);
        return Some(ts.to_zoned(tz));
    }
    PARSER
        .parse_date(s)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
}

#[cfg(test)]
mod tests {

    #[test]
    fn stylesheet_parts_come_in_cascade_order() {
        let blocks = ["quotes".to_string(), "tables".to_string()];
        let components = ["embed".to_string(), "gallery".to_string()];
        let parts: Vec<String> =
            stylesheet_parts(Some("listing"), true, &blocks, &components, true).collect();
        assert_eq!(
            parts,
            [
                "style.css",
                "listing.css",
                "article.css",
                "blocks/quotes.css",
                "blocks/tables.css",
                "components/embed.css",
                "components/gallery.css",
                "code.css"
            ]
        );
        // An article's own part is not loaded twice for its prose.
        let parts: Vec<String> = stylesheet_parts(Some("article"), true, &[], &[], false).collect();
        assert_eq!(parts, ["style.css", "article.css"]);
        let parts: Vec<String> = stylesheet_parts(None, false, &[], &[], false).collect();
        assert_eq!(parts, ["style.css"]);
    }

    use super::*;

    #[test]
    fn date_styles_follow_the_site_language() {
        let render = |language: &str, template: &str| {
            let mut tera = Tera::new();
            register_filters(
                &mut tera,
                &languages(&format!("language = \"{language}\"\n")),
                false,
            );
            let mut ctx = tera::Context::new();
            // 01:30 in Seoul is still the 19th in UTC: the date shown is
            // the one written, in its own offset.
            ctx.insert("d", "2026-11-20T01:30:00+09:00");
            tera.render_str(template, &ctx, false)
                .unwrap_or_else(|e| panic!("{language}: {e:?}"))
        };
        let long = "{{ d | date(style=\"long\") }}";
        // English exactly as the templates' old strftime format printed it.
        assert_eq!(render("en", long), "November 20, 2026");
        assert_eq!(
            render("en", long),
            render("en", "{{ d | date(format=\"%B %-d, %Y\") }}")
        );
        assert_eq!(render("en-GB", long), "20 November 2026");
        assert_eq!(render("ko", long), "2026년 11월 20일");
        assert_eq!(render("de", long), "20. November 2026");
        assert_eq!(render("fr", long), "20 novembre 2026");
        assert_eq!(render("es", long), "20 de noviembre de 2026");
        assert_eq!(render("ar", long), "20 نوفمبر 2026");
        // Saudi Arabia's default calendar is the Hijri one; news is dated
        // in the Gregorian calendar.
        assert!(render("ar-SA", long).contains("نوفمبر"));
        assert_eq!(render("en", "{{ d | date(style=\"short\") }}"), "11/20/26");
    }

    fn languages(toml: &str) -> Vec<crate::config::Language> {
        Config::parse(&format!(
            "title = \"T\"\nbase_url = \"https://e.org\"\n{toml}"
        ))
        .unwrap_or_else(|d| panic!("{d}"))
        .languages
    }

    /// On a multilingual site each page's `lang` picks its dates and its
    /// tag pages; without one, the default language's.
    #[test]
    fn dates_and_tag_links_follow_the_page_language() {
        let mut tera = Tera::new();
        register_filters(
            &mut tera,
            &languages("language = \"en\"\n[languages.ko]\ntitle = \"K\"\n"),
            false,
        );
        let template = "{{ d | date(style=\"long\") }} {{ \"Climate\" | tag_url }}";
        let mut ctx = tera::Context::new();
        ctx.insert("d", "2026-11-20");
        let render = |ctx: &tera::Context| {
            tera.render_str(template, ctx, false)
                .unwrap_or_else(|e| panic!("{e:?}"))
        };
        assert_eq!(render(&ctx), "November 20, 2026 /tags/climate/");
        ctx.insert("lang", "ko");
        ctx.insert("lang_base", "/ko/");
        assert_eq!(render(&ctx), "2026년 11월 20일 /ko/tags/climate/");
    }

    #[test]
    fn date_filter_keeps_offset() {
        let mut tera = Tera::new();
        register_filters(&mut tera, &languages(""), false);
        let assets: Arc<OnceLock<Manifest>> = Arc::default();
        register_asset_function(&mut tera, assets.clone());
        let mut ctx = tera::Context::new();
        ctx.insert("d", "2024-10-31T23:30:00+09:00");
        let out = tera.render_str(
            "{{ d | date(format=\"%B %-d, %Y %H:%M %:z\") }}",
            &ctx,
            false,
        );
        assert_eq!(out.ok().as_deref(), Some("October 31, 2024 23:30 +09:00"));
    }
}
