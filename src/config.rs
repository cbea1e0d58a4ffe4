//! The site configuration, `nutgraf.toml`: raw serde input and the validated
//! [`Config`] the rest of the build uses.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Position, did_you_mean, key_position};
use crate::error::Error;

pub const CONFIG_FILE: &str = "nutgraf.toml";

/// `nutgraf.toml` as written. Unknown keys are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    rtl: Option<bool>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    faq: Option<bool>,
    #[serde(default)]
    paginate_by: Option<usize>,
    #[serde(default)]
    minify: Option<bool>,
    #[serde(default)]
    search: Option<bool>,
    #[serde(default)]
    icon: Option<String>,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    images: RawImages,
    /// Read by `nutgraf deploy` only ([`DeployOnly`]): a bad target must
    /// not stop `build` or `serve`.
    #[serde(default)]
    #[allow(dead_code)]
    deploy: Option<toml::Value>,
    #[serde(default)]
    extra: toml::Table,
    /// `[languages.<code>]`: the site's other languages.
    #[serde(default)]
    languages: std::collections::BTreeMap<toml::Spanned<String>, RawLanguage>,
    #[serde(default)]
    unicode_slugs: Option<bool>,
}

/// One `[languages.<code>]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    title: Option<String>,
    description: Option<String>,
    base_path: Option<toml::Spanned<String>>,
    rtl: Option<bool>,
}

/// `nutgraf.toml` as `deploy` reads it: `[deploy]` alone, every other key
/// left to [`RawConfig`].
#[derive(Debug, Default, Deserialize)]
struct DeployOnly {
    #[serde(default)]
    deploy: RawDeploy,
}

/// `[markdown]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    smart_punctuation: Option<bool>,
}

/// How Markdown is read (`[markdown]`): every parse of the site's Markdown
/// (bodies, captions, credits, notes, summaries) uses the same options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MarkdownConfig {
    /// Curly quotes, en and em dashes and ellipses from `"`, `'`, `--`,
    /// `---` and `...` in prose; code spans and blocks are never changed.
    pub smart_punctuation: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
        }
    }
}

/// `[images]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImages {
    widths: Option<Vec<u32>>,
    /// Read wide, so that `quality = 300` gets the 1–100 message.
    quality: Option<u32>,
    format: Option<String>,
    /// The key `format` replaced: `true` is `format = "webp"`, `false`
    /// is `format = "none"`.
    webp: Option<bool>,
    sizes: Option<String>,
    credits: Option<Credits>,
}

/// Whether a photo without a credit is warned about (`[images] credits`).
/// Diagrams and screenshots never need one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Credits {
    #[default]
    Required,
    Optional,
}

/// The modern format offered beside a figure's JPEG or PNG, as a
/// `<picture>` source (`[images] format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ModernFormat {
    /// Lossy WebP for photos (JPEG sources) at `quality`, lossless WebP
    /// for PNG art; each offered where it is smaller.
    #[default]
    Webp,
    /// The source's own format only.
    None,
}

impl ModernFormat {
    /// The values `format` takes, as written.
    pub const NAMES: &[&str] = &["webp", "none"];

    pub fn name(self) -> &'static str {
        match self {
            ModernFormat::Webp => "webp",
            ModernFormat::None => "none",
        }
    }
}

/// How figures and lead images are resized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagesConfig {
    /// Widths for `srcset`, ascending; an image is never upscaled.
    pub widths: Vec<u32>,
    /// JPEG quality, 1–100; lossy WebP uses the same number.
    pub quality: u8,
    /// The modern format offered beside the source's own.
    pub format: ModernFormat,
    /// The `sizes` attribute of body figures and lead images, when the
    /// site sets one; else the theme's ([`crate::images::sizes`]).
    pub sizes: Option<String>,
    /// Whether photos must carry a credit.
    pub credits: Credits,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            // Just above each slot of the built-in themes at Lighthouse's
            // phone (412 px at DPR 1.75) and desktop (1350 px) sizes:
            // galleries 414–561, cards 538–652, figures 721–848, leads
            // 1120–1142; 1600 for wide originals on 2x screens. See the
            // README's "Responsive images".
            widths: vec![480, 600, 680, 760, 900, 1200, 1600],
            quality: 82,
            format: ModernFormat::Webp,
            sizes: None,
            credits: Credits::Required,
        }
    }
}

/// `[deploy]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeploy {
    #[serde(default)]
    targets: Vec<RawTarget>,
    #[serde(default)]
    matchers: Vec<RawMatcher>,
}

/// One `[[deploy.targets]]` as written. Credentials are deliberately not
/// keys: they come from the standard AWS environment variables or profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: toml::Spanned<String>,
    url: toml::Spanned<String>,
    endpoint: Option<toml::Spanned<String>>,
    region: Option<String>,
    allow_http: Option<bool>,
    cloudfront_distribution_id: Option<toml::Spanned<String>>,
    invalidate_max: Option<usize>,
    purge: Option<toml::Spanned<RawPurge>>,
    profile: Option<toml::Spanned<String>>,
}

/// A target's `purge = { cdn = "…", … }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurge {
    cdn: toml::Spanned<String>,
    zone_id: Option<String>,
    service_id: Option<String>,
    pull_zone_id: Option<String>,
    token_env: Option<String>,
    endpoint: Option<toml::Spanned<String>>,
    surrogate_keys: Option<toml::Spanned<bool>>,
}

/// One `[[deploy.matchers]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatcher {
    pattern: toml::Spanned<String>,
    cache_control: Option<String>,
    content_type: Option<String>,
    gzip: Option<bool>,
}

const KEYS: &[&str] = &[
    "title",
    "base_url",
    "language",
    "rtl",
    "description",
    "publisher",
    "theme",
    "faq",
    "paginate_by",
    "minify",
    "search",
    "icon",
    "markdown",
    "smart_punctuation",
    "images",
    "extra",
    "languages",
    "base_path",
    "unicode_slugs",
    "widths",
    "quality",
    "format",
    "webp",
    "sizes",
    "credits",
    "deploy",
    "targets",
    "matchers",
    "name",
    "url",
    "endpoint",
    "region",
    "allow_http",
    "cloudfront_distribution_id",
    "invalidate_max",
    "purge",
    "profile",
    "cdn",
    "zone_id",
    "service_id",
    "pull_zone_id",
    "surrogate_keys",
    "token_env",
    "pattern",
    "cache_control",
    "content_type",
    "gzip",
];

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Absolute site URL without a trailing slash, e.g. `https://example.org`.
    pub base_url: String,
    /// BCP 47 tag for `<html lang>` and `inLanguage`, as written.
    pub language: String,
    /// `language` parsed: the built-in strings and date formats look it up.
    pub locale: icu_locale::Locale,
    /// Whether the language is written right to left (`<html dir="rtl">`):
    /// `rtl` in nutgraf.toml, else from the language's likely script.
    pub rtl: bool,
    pub description: Option<String>,
    /// The organisation named as publisher in JSON-LD; defaults to `title`.
    pub publisher: String,
    /// Name of the theme under `themes/` or built in.
    pub theme: String,
    /// Whether articles get an FAQPage unless their front matter says otherwise.
    pub faq: bool,
    /// Articles per listing page (home, tags) unless a section says
    /// otherwise; 0 lists them all on one page.
    pub paginate_by: usize,
    /// Minify the HTML that `build` writes.
    pub minify: bool,
    /// Whether `build` writes the search page and a Pagefind index.
    pub search: Search,
    /// Where `search` is set in nutgraf.toml, for its warnings.
    pub search_at: crate::diagnostic::Position,
    /// `icon`: a PNG, JPEG or WebP (site-relative path) that the icon
    /// files are made from, in place of the theme's.
    pub icon: Option<IconSource>,
    pub markdown: MarkdownConfig,
    pub images: ImagesConfig,
    /// `[deploy]`, empty when it has a problem ([`Config::deploy_problem`]).
    pub deploy: DeployConfig,
    /// What is wrong with `[deploy]`: `deploy` refuses to run with it,
    /// `build` and `serve` warn and go on ([`Config::deploy`]).
    pub deploy_problem: Option<Diagnostic>,
    pub extra: toml::Table,
    /// Every language the site publishes in: the default (`language`,
    /// published at `/`) first, then each `[languages.<code>]` in code
    /// order.
    pub languages: Vec<Language>,
    /// `unicode_slugs = true`: slugs keep their letters in any script
    /// (`/ko/북한은-왜/`) instead of being transliterated to ASCII.
    pub unicode_slugs: bool,
}

/// One language of the site: the default, or a `[languages.<code>]`.
#[derive(Debug, Clone)]
pub struct Language {
    /// The BCP 47 tag as written (`ko`, `pt-BR`).
    pub code: String,
    pub locale: icu_locale::Locale,
    /// The site's title in this language (the default's when unset).
    pub title: String,
    pub description: Option<String>,
    /// Where its pages go: `/` for the default, `/<code>/` unless set.
    pub base_path: String,
    pub rtl: bool,
}

impl Language {
    /// `rtl` or `ltr`, for `<html dir>`.
    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }
}

/// `icon = "…"` in nutgraf.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IconSource {
    /// Relative to the site's root, `/`-separated, as written.
    pub path: String,
    /// Where the key is, for the errors found when the file is read.
    pub at: crate::diagnostic::Position,
}

impl IconSource {
    /// A raster image: nutgraf makes the icon's sizes from it, which it
    /// cannot do from an SVG.
    fn parse(path: String, at: crate::diagnostic::Position) -> Result<IconSource, Diagnostic> {
        let trimmed = path.trim().trim_start_matches("./").to_string();
        let ext = trimmed
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "png" | "jpg" | "jpeg" | "webp" => Ok(IconSource { path: trimmed, at }),
            "svg" => Err(Diagnostic::error(CONFIG_FILE, at, format!("`icon` must be a PNG, JPEG or WebP, found the SVG `{path}`"))
                .with_hint("nutgraf makes the 32-px PNG, the apple-touch-icon and favicon.ico from `icon`, and cannot draw an SVG: give a square PNG of at least 180 x 180 here, and put the SVG at static/icon.svg")),
            _ => Err(Diagnostic::error(CONFIG_FILE, at, format!("`icon` must be a PNG, JPEG or WebP, found `{path}`"))
                .with_hint("a square image of at least 180 x 180 pixels, e.g. `icon = \"static/logo.png\"` (the path is relative to the site's folder)")),
        }
    }
}

/// `search` in nutgraf.toml. Unset, a site gets search up to
/// [`Search::AUTO_LIMIT`] articles: Pagefind's index of the 10,000-article
/// bench corpus took 16 s and 2.7 GB on top of a 2.3 s build, and 100,000
/// would not fit in memory, so a site that size asks for it by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    Auto,
    On,
    Off,
}

impl Search {
    pub const AUTO_LIMIT: usize = 5_000;

    /// Whether a site of `articles` published articles gets search.
    pub fn enabled(self, articles: usize) -> bool {
        match self {
            Search::On => true,
            Search::Off => false,
            Search::Auto => articles <= Search::AUTO_LIMIT,
        }
    }
}

/// `[deploy]`: where `nutgraf deploy` publishes and with which headers.
#[derive(Debug, Clone, Default)]
pub struct DeployConfig {
    /// In file order; the first is the default target.
    pub targets: Vec<DeployTarget>,
    /// Header overrides; the first matcher whose pattern matches a file wins.
    pub matchers: Vec<DeployMatcher>,
}

/// One place to deploy to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployTarget {
    pub name: String,
    pub location: DeployLocation,
    /// S3-compatible endpoint (R2, MinIO…); `None` is AWS S3.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Allow a plain-http endpoint (on by default for 127.0.0.1 and localhost).
    pub allow_http: bool,
    /// Above this many paths to invalidate, purge `/*` instead.
    pub invalidate_max: usize,
    /// The CDN a deploy purges once everything is uploaded: `purge = {…}`,
    /// or CloudFront for `cloudfront_distribution_id`.
    pub purge: Option<PurgeConfig>,
    /// The `~/.aws` profile whose credentials this target uses, over the
    /// environment's (as the AWS CLI's `--profile` does).
    pub profile: Option<String>,
}

/// `purge = { cdn = "cloudflare", zone_id = "…" }` in a deploy target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeConfig {
    pub cdn: Cdn,
    /// The environment variable holding the API token (never the token:
    /// nutgraf.toml is committed); `None` for CloudFront, which signs with
    /// the target's AWS credentials.
    pub token_env: Option<String>,
    /// The API's base URL, without a trailing slash: the provider's, or
    /// another (a proxy, or a test server). CloudFront's comes from the
    /// environment at deploy time, as the AWS SDKs read it.
    pub endpoint: String,
}

/// The CDNs a deploy can purge, with what each needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cdn {
    /// `cloudfront_distribution_id`: a CreateInvalidation request.
    CloudFront {
        distribution_id: String,
    },
    Cloudflare {
        zone_id: String,
    },
    /// `surrogate_keys`: objects carry a `surrogate-key` metadata entry
    /// (their page's path) and are purged by key, 256 keys a request,
    /// instead of one request a URL.
    Fastly {
        service_id: String,
        surrogate_keys: bool,
    },
    /// `pull_zone_id` purges the whole zone; without it, "everything" is
    /// a wildcard URL purge of the site.
    Bunny {
        pull_zone_id: Option<String>,
    },
}

impl Cdn {
    pub fn name(&self) -> &'static str {
        match self {
            Cdn::CloudFront { .. } => "CloudFront",
            Cdn::Cloudflare { .. } => "Cloudflare",
            Cdn::Fastly { .. } => "Fastly",
            Cdn::Bunny { .. } => "Bunny",
        }
    }
}

/// The CDNs `purge.cdn` accepts.
const CDNS: &[&str] = &["cloudflare", "fastly", "bunny"];

/// Where a deploy target's objects live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployLocation {
    /// `s3://bucket/prefix`: `prefix` has no leading or trailing slash and
    /// may be empty.
    S3 { bucket: String, prefix: String },
    /// `file:///abs/path`: a local folder.
    Dir(std::path::PathBuf),
}

/// A `[[deploy.matchers]]` entry: headers for files whose path (relative
/// to the output, `/`-separated) matches `pattern`.
#[derive(Debug, Clone)]
pub struct DeployMatcher {
    pub pattern: String,
    pub glob: globset::GlobMatcher,
    pub cache_control: Option<String>,
    pub content_type: Option<String>,
    pub gzip: bool,
}

/// `[images] format` as written; `None` when it names no format.
fn modern_format(name: &str) -> Option<ModernFormat> {
    match name {
        "webp" => Some(ModernFormat::Webp),
        "none" => Some(ModernFormat::None),
        _ => None,
    }
}

/// Paths to invalidate before `nutgraf deploy` prints `/*` instead.
pub const DEFAULT_INVALIDATE_MAX: usize = 100;

/// Articles per listing page when nothing says otherwise.
pub const DEFAULT_PAGINATE_BY: usize = 20;

pub const DEFAULT_THEME: &str = "broadsheet";

impl Config {
    /// Reads and validates `root/nutgraf.toml`.
    pub fn load(root: &Path) -> Result<Config, Error> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::usage(
                    format!("no `{CONFIG_FILE}` in `{}`", root.display()),
                    "run nutgraf in a site folder, pass `--root DIR`, or create nutgraf.toml with `title` and `base_url`",
                ));
            }
            Err(e) => {
                return Err(Error::usage(
                    format!("cannot read `{}`: {e}", path.display()),
                    "check that the file is readable",
                ));
            }
        };
        Config::parse(&text).map_err(|d| {
            // A site moving over from Zola hears of each of Zola's keys
            // at once, not one per build.
            let mut all = zola_keys(&text);
            if !all.iter().any(|z| (z.line, z.col) == (d.line, d.col)) {
                all.push(d);
            }
            all.sort_by_key(|d| (d.line, d.col));
            Error::Config(all)
        })
    }

    /// Parses and validates the text of `nutgraf.toml`.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| toml_diagnostic(CONFIG_FILE, text, 0, &e, KEYS))?;
        let at_key = |key: &str| key_position(text, 0..text.len(), key);

        let base_url = raw.base_url.trim_end_matches('/').to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at_key("base_url"),
                format!(
                    "`base_url` must be an absolute http(s) URL, found `{}`",
                    raw.base_url
                ),
            )
            .with_hint("write it like `base_url = \"https://example.org\"`"));
        }
        // Links are written from the root of the host (`/assets/…`,
        // `/why-now/`): under a path they would all miss.
        if let Some(path) = url::Url::parse(&base_url)
            .ok()
            .map(|u| u.path().trim_end_matches('/').to_string())
            .filter(|p| !p.is_empty())
        {
            let root = base_url.strip_suffix(&path).unwrap_or(&base_url);
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at_key("base_url"),
                format!("`base_url` has a path (`{path}`): nutgraf publishes a site at the root of its host"),
            )
            .with_hint(format!(
                "every link is written from the root (`/assets/…`, `/why-now/`), so pages served under `{path}/` would miss their stylesheets and links: publish at the root of a host (a custom domain, or a `<user>.github.io` repository) and write `base_url = \"{root}\"`"
            )));
        }
        let language = raw.language.unwrap_or_else(|| "en".to_string());
        let locale = parse_language(&language)
            .ok_or_else(|| bad_language("language", &language, at_key("language")))?;
        let rtl = raw.rtl.unwrap_or_else(|| right_to_left(&locale));
        let mut languages = vec![Language {
            code: language.clone(),
            locale: locale.clone(),
            title: raw.title.clone(),
            description: raw.description.clone(),
            base_path: "/".to_string(),
            rtl,
        }];
        for (code, lang) in raw.languages {
            let at = Position::of_offset(text, code.span().start);
            let code = code.into_inner();
            let locale = parse_language(&code).ok_or_else(|| {
                let d = Diagnostic::error(
                    CONFIG_FILE,
                    at,
                    format!("the language code of `[languages.{code}]` must be a BCP 47 tag like `ko` or `pt-BR`"),
                );
                let dashed = code.replace('_', "-");
                if parse_language(&dashed).is_some() {
                    d.with_hint(format!("write `[languages.{dashed}]`: subtags are joined with `-`"))
                } else {
                    d.with_hint("a language subtag (`ko`), optionally a script (`zh-Hant`) and a region (`pt-BR`)")
                }
            })?;
            if languages.iter().any(|l| l.locale == locale) {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at,
                    format!("`[languages.{code}]` repeats a language the site already has"),
                )
                .with_hint(format!("`language = \"{language}\"` is the default language, published at `/`: remove this table, or list each other language once")));
            }
            let base_path = match lang.base_path {
                None => format!("/{code}/"),
                Some(path) => {
                    let at = Position::of_offset(text, path.span().start);
                    let path = path.into_inner();
                    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
                    let plain = path.starts_with('/')
                        && path.ends_with('/')
                        && path != "/"
                        && segments.iter().all(|seg| {
                            !seg.is_empty()
                                && *seg != "."
                                && *seg != ".."
                                && !seg.chars().any(|c| {
                                    c.is_control() || c.is_whitespace() || "?#\\%".contains(c)
                                })
                        });
                    if !plain {
                        return Err(Diagnostic::error(
                            CONFIG_FILE,
                            at,
                            format!("`base_path` of `[languages.{code}]` must be a folder path like `/{code}/`, found `{path}`"),
                        )
                        .with_hint("start and end it with `/`, with no `.`, `..`, spaces, `?` or `#` segments; `/` is the default language's"));
                    }
                    path
                }
            };
            if let Some(other) = languages.iter().find(|l| l.base_path == base_path) {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at,
                    format!(
                        "`[languages.{code}]` is published at `{base_path}`, where `{}` already is",
                        other.code
                    ),
                )
                .with_hint("give each language its own `base_path`"));
            }
            languages.push(Language {
                rtl: lang.rtl.unwrap_or_else(|| right_to_left(&locale)),
                title: lang.title.unwrap_or_else(|| raw.title.clone()),
                description: lang.description.or_else(|| raw.description.clone()),
                code,
                locale,
                base_path,
            });
        }
        let defaults = ImagesConfig::default();
        let mut widths = raw.images.widths.unwrap_or(defaults.widths);
        widths.sort_unstable();
        widths.dedup();
        if let Some(&bad) = widths.iter().find(|&&w| w == 0 || w > 8192) {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at_key("widths"),
                format!("`images.widths` must list widths between 1 and 8192, found {bad}"),
            )
            .with_hint(
                "for example `widths = [480, 960, 1600]`; `widths = []` turns resizing off",
            ));
        }
        let quality = raw.images.quality.unwrap_or(u32::from(defaults.quality));
        let Some(quality) = u8::try_from(quality).ok().filter(|q| (1..=100).contains(q)) else {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at_key("quality"),
                format!("`images.quality` must be between 1 and 100, found {quality}"),
            )
            .with_hint("82 is a good default for photos"));
        };
        let format = match (raw.images.format.as_deref(), raw.images.webp) {
            (Some(_), Some(_)) => {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at_key("webp"),
                    "`images.webp` and `images.format` are both set",
                )
                .with_hint("remove `webp`: `format` replaced it (`format = \"webp\"` or `format = \"none\"`)"));
            }
            (Some(name), None) => modern_format(name).ok_or_else(|| {
                Diagnostic::error(
                    CONFIG_FILE,
                    at_key("format"),
                    format!("`images.format` must be `webp` or `none`, found `{name}`"),
                )
                .with_hint(match name.trim().to_ascii_lowercase().as_str() {
                    "avif" => "nutgraf offers WebP beside photos (AVIF took 10 times longer to encode, see the README): write `format = \"webp\"`".to_string(),
                    other => match crate::diagnostic::did_you_mean(other, ModernFormat::NAMES) {
                        Some(near) => format!("did you mean `format = \"{near}\"`?"),
                        None => "`format = \"webp\"` offers WebP beside each JPEG or PNG, `format = \"none\"` offers nothing else".to_string(),
                    },
                })
            })?,
            (None, Some(true)) => ModernFormat::Webp,
            (None, Some(false)) => ModernFormat::None,
            (None, None) => defaults.format,
        };
        let images = ImagesConfig {
            widths,
            quality,
            format,
            sizes: raw.images.sizes,
            credits: raw.images.credits.unwrap_or(defaults.credits),
        };
        // `[deploy]` is `deploy`'s alone: a problem in it is kept for
        // `deploy` to report, and `build` and `serve` warn and go on.
        let deploy = toml::from_str::<DeployOnly>(text)
            .map_err(|e| toml_diagnostic(CONFIG_FILE, text, 0, &e, KEYS))
            .and_then(|d| deploy_config(text, d.deploy));
        let (deploy, deploy_problem) = match deploy {
            Ok(deploy) => (deploy, None),
            Err(problem) => (DeployConfig::default(), Some(problem)),
        };
        Ok(Config {
            deploy,
            deploy_problem,
            minify: raw.minify.unwrap_or(true),
            search_at: at_key("search"),
            icon: match raw.icon {
                None => None,
                Some(path) => Some(IconSource::parse(path, at_key("icon"))?),
            },
            search: match raw.search {
                Some(true) => Search::On,
                Some(false) => Search::Off,
                None => Search::Auto,
            },
            markdown: MarkdownConfig {
                smart_punctuation: raw
                    .markdown
                    .smart_punctuation
                    .unwrap_or(MarkdownConfig::default().smart_punctuation),
            },
            images,
            publisher: raw.publisher.unwrap_or_else(|| raw.title.clone()),
            title: raw.title,
            base_url,
            language,
            locale,
            rtl,
            description: raw.description,
            theme: raw.theme.unwrap_or_else(|| DEFAULT_THEME.to_string()),
            faq: raw.faq.unwrap_or(true),
            paginate_by: raw.paginate_by.unwrap_or(DEFAULT_PAGINATE_BY),
            extra: raw.extra,
            languages,
            unicode_slugs: raw.unicode_slugs.unwrap_or(false),
        })
    }

    /// `[deploy]`, for `nutgraf deploy`: its problem as a configuration
    /// error (exit 2) if it has one.
    pub fn deploy(&self) -> Result<&DeployConfig, Error> {
        match &self.deploy_problem {
            Some(problem) => Err(Error::Config(vec![problem.clone()])),
            None => Ok(&self.deploy),
        }
    }

    /// The warning `build` and `serve` give for a bad `[deploy]`, which
    /// only `deploy` reads.
    pub fn deploy_warning(&self) -> Option<Diagnostic> {
        let problem = self.deploy_problem.as_ref()?;
        let mut warning = problem.clone();
        warning.severity = crate::diagnostic::Severity::Warning;
        warning.message = format!(
            "{} (in `[deploy]`, which only `nutgraf deploy` reads)",
            problem.message
        );
        Some(warning)
    }

    /// The site's language of a code written in a file name or front
    /// matter (`ko`), matched as a BCP 47 tag (`pt-br` is `pt-BR`).
    pub fn language_of(&self, code: &str) -> Option<&Language> {
        let locale = icu_locale::Locale::try_from_str(code).ok()?;
        self.languages.iter().find(|l| l.locale == locale)
    }

    /// The config as language `lang`'s pages see it: its title,
    /// description, language and direction.
    pub fn for_language(&self, lang: usize) -> Config {
        let l = &self.languages[lang];
        Config {
            title: l.title.clone(),
            description: l.description.clone(),
            language: l.code.clone(),
            locale: l.locale.clone(),
            rtl: l.rtl,
            ..self.clone()
        }
    }

    /// Where the pages of this config's language go: `/`, or `/ko/` for
    /// [`Config::for_language`]'s Korean view.
    pub fn base_path(&self) -> &str {
        self.languages
            .iter()
            .find(|l| l.code == self.language)
            .map_or("/", |l| l.base_path.as_str())
    }

    /// The default language: `language`, published at `/`.
    pub fn default_language(&self) -> &Language {
        &self.languages[0]
    }

    /// Whether the site publishes in more than one language.
    pub fn multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// The absolute URL of a site path such as `/why-now/`.
    pub fn permalink(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            return path.to_string();
        }
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }
}

/// A BCP 47 tag as ICU4X reads it, also held to the plain shape
/// (letters and digits in dash-separated subtags of at most 8).
fn parse_language(tag: &str) -> Option<icu_locale::Locale> {
    let shaped = !tag.is_empty()
        && tag
            .split('-')
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()));
    // The shape above, then ICU4X's parser for the grammar (a two-letter
    // script or a nine-letter subtag is not a tag).
    icu_locale::Locale::try_from_str(tag)
        .ok()
        .filter(|_| shaped)
}

fn bad_language(key: &str, tag: &str, at: Position) -> Diagnostic {
    Diagnostic::error(
        CONFIG_FILE,
        at,
        format!("`{key}` must be a BCP 47 tag like `en` or `pt-BR`, found `{tag}`"),
    )
}

/// Right to left when the language's likely script is (Arabic, Hebrew,
/// Thaana…), from CLDR's data in ICU4X.
fn right_to_left(locale: &icu_locale::Locale) -> bool {
    icu_locale::LocaleDirectionality::new_extended().is_right_to_left(&locale.id)
}

/// Validates `[deploy]`: target names unique, URLs `s3://bucket[/prefix]`
/// or `file:///abs/path`, http(s) endpoints, patterns that are globs.
fn deploy_config(text: &str, raw: RawDeploy) -> Result<DeployConfig, Diagnostic> {
    let at = |span: std::ops::Range<usize>| Position::of_offset(text, span.start);
    let mut targets: Vec<DeployTarget> = Vec::new();
    for t in raw.targets {
        let name = t.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at(t.name.span()),
                "a deploy target needs a `name`",
            )
            .with_hint("for example `name = \"production\"`"));
        }
        if targets.iter().any(|o| o.name == name) {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at(t.name.span()),
                format!("two deploy targets are named `{name}`"),
            )
            .with_hint("`nutgraf deploy --target NAME` picks a target by name: make them unique"));
        }
        let location = deploy_location(t.url.get_ref()).ok_or_else(|| {
            Diagnostic::error(
                CONFIG_FILE,
                at(t.url.span()),
                format!("`url` must be `s3://bucket/prefix` or `file:///absolute/folder`, found `{}`", t.url.get_ref()),
            )
            .with_hint("for Cloudflare R2, MinIO and other S3-compatible stores, write `url = \"s3://bucket\"` and set `endpoint`")
        })?;
        let mut allow_http = t.allow_http.unwrap_or(false);
        if let Some(endpoint) = &t.endpoint {
            let e = endpoint.get_ref();
            let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                .iter()
                .any(|p| {
                    e.strip_prefix(p)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
                });
            if e.starts_with("http://") && t.allow_http.is_none() {
                if local {
                    allow_http = true;
                } else {
                    return Err(Diagnostic::error(
                        CONFIG_FILE,
                        at(endpoint.span()),
                        format!("endpoint `{e}` is plain http: requests and credentials would travel unencrypted"),
                    )
                    .with_hint("use https, or add `allow_http = true` to this target if you mean it"));
                }
            } else if !e.starts_with("https://") && !e.starts_with("http://") {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at(endpoint.span()),
                    format!("`endpoint` must be an http(s) URL, found `{e}`"),
                )
                .with_hint(
                    "for example `endpoint = \"https://<account>.r2.cloudflarestorage.com\"`",
                ));
            }
        }
        let purge = match (t.cloudfront_distribution_id, t.purge) {
            (Some(id), Some(purge)) => {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at(purge.span()),
                    format!(
                        "target `{name}` has both `cloudfront_distribution_id` and a `purge` table"
                    ),
                )
                .with_hint(format!(
                    "a target purges one CDN: keep `cloudfront_distribution_id = \"{}\"` for CloudFront, or the `purge` table for {}",
                    id.get_ref(),
                    purge.get_ref().cdn.get_ref()
                )));
            }
            (Some(id), None) => Some(cloudfront_config(text, id)?),
            (None, Some(purge)) => {
                let span = purge.span();
                let purge = purge_config(text, purge.into_inner())?;
                if let (
                    Cdn::Fastly {
                        surrogate_keys: true,
                        ..
                    },
                    DeployLocation::Dir(_),
                ) = (&purge.cdn, &location)
                {
                    return Err(Diagnostic::error(
                        CONFIG_FILE,
                        at(span),
                        format!("target `{name}` is a folder, which cannot carry Fastly surrogate keys"),
                    )
                    .with_hint("surrogate keys are stored as S3 object metadata (`x-amz-meta-surrogate-key`): use an `s3://` target, or remove `surrogate_keys` to purge by URL"));
                }
                Some(purge)
            }
            (None, None) => None,
        };
        let profile = match t.profile {
            Some(p) if p.get_ref().trim().is_empty() => {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at(p.span()),
                    "`profile` is empty",
                )
                .with_hint("name a profile of ~/.aws/config, e.g. `profile = \"newsroom\"`, or leave the key out"));
            }
            p => p.map(|p| p.into_inner().trim().to_string()),
        };
        targets.push(DeployTarget {
            name,
            location,
            endpoint: t
                .endpoint
                .map(|e| e.into_inner().trim_end_matches('/').to_string()),
            region: t.region,
            allow_http,
            invalidate_max: t.invalidate_max.unwrap_or(DEFAULT_INVALIDATE_MAX),
            purge,
            profile,
        });
    }
    let mut matchers = Vec::new();
    for m in raw.matchers {
        let glob = globset::GlobBuilder::new(m.pattern.get_ref())
            .literal_separator(true)
            .build()
            .map_err(|e| {
                Diagnostic::error(
                    CONFIG_FILE,
                    at(m.pattern.span()),
                    format!("`pattern` is not a valid glob: {}", e.kind()),
                )
                .with_hint("patterns match paths inside the output like `assets/**`, `**/*.html` or `*.xml`")
            })?;
        matchers.push(DeployMatcher {
            pattern: m.pattern.into_inner(),
            glob: glob.compile_matcher(),
            cache_control: m.cache_control,
            content_type: m.content_type,
            gzip: m.gzip.unwrap_or(false),
        });
    }
    Ok(DeployConfig { targets, matchers })
}

/// `cloudfront_distribution_id = "E2QWRUHAPOMQZL"`: an id as CloudFront
/// writes them (upper-case letters and digits).
fn cloudfront_config(text: &str, id: toml::Spanned<String>) -> Result<PurgeConfig, Diagnostic> {
    let value = id.get_ref().trim();
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Diagnostic::error(
            CONFIG_FILE,
            Position::of_offset(text, id.span().start),
            format!("`{}` is not a CloudFront distribution id", id.get_ref()),
        )
        .with_hint("copy the ID column of the CloudFront console (e.g. `E2QWRUHAPOMQZL`), not the domain name or the ARN"));
    }
    Ok(PurgeConfig {
        cdn: Cdn::CloudFront {
            distribution_id: value.to_string(),
        },
        token_env: None,
        endpoint: CLOUDFRONT_ENDPOINT.to_string(),
    })
}

/// CloudFront's API, when the environment names no other.
pub const CLOUDFRONT_ENDPOINT: &str = "https://cloudfront.amazonaws.com";

/// Validates a target's `purge`: a CDN nutgraf knows, the id it needs,
/// an http(s) endpoint.
fn purge_config(text: &str, raw: RawPurge) -> Result<PurgeConfig, Diagnostic> {
    let at = |span: std::ops::Range<usize>| Position::of_offset(text, span.start);
    let name = raw.cdn.get_ref().trim().to_ascii_lowercase();
    let needs = |key: &str, value: Option<String>| {
        value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            Diagnostic::error(
                CONFIG_FILE,
                at(raw.cdn.span()),
                format!("purging {} needs `{key}`", raw.cdn.get_ref()),
            )
            .with_hint(format!(
                "add `{key} = \"…\"` to this `purge` table (the provider's dashboard shows it)"
            ))
        })
    };
    if let Some(keys) = &raw.surrogate_keys
        && name != "fastly"
    {
        return Err(Diagnostic::error(
            CONFIG_FILE,
            at(keys.span()),
            format!(
                "`surrogate_keys` is for Fastly, not `{}`",
                raw.cdn.get_ref()
            ),
        )
        .with_hint("remove it: this CDN is purged by URL"));
    }
    let (cdn, token_env, endpoint) = match name.as_str() {
        "cloudflare" => (
            Cdn::Cloudflare {
                zone_id: needs("zone_id", raw.zone_id)?,
            },
            "CLOUDFLARE_API_TOKEN",
            "https://api.cloudflare.com/client/v4",
        ),
        "fastly" => (
            Cdn::Fastly {
                service_id: needs("service_id", raw.service_id)?,
                surrogate_keys: raw.surrogate_keys.as_ref().is_some_and(|k| *k.get_ref()),
            },
            "FASTLY_API_TOKEN",
            "https://api.fastly.com",
        ),
        "bunny" => (
            Cdn::Bunny {
                pull_zone_id: raw.pull_zone_id,
            },
            "BUNNY_API_KEY",
            "https://api.bunny.net",
        ),
        "cloudfront" => {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at(raw.cdn.span()),
                "CloudFront is not purged through a `purge` table",
            )
            .with_hint("remove the `purge` table and set `cloudfront_distribution_id = \"E…\"` on the target: CloudFront signs with the target's AWS credentials, not a token"));
        }
        _ => {
            let hint = match crate::diagnostic::did_you_mean(&name, CDNS) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!(
                    "nutgraf purges {}; for CloudFront set `cloudfront_distribution_id` on the target",
                    crate::diagnostic::code_list(CDNS)
                ),
            };
            return Err(Diagnostic::error(
                CONFIG_FILE,
                at(raw.cdn.span()),
                format!("unknown CDN `{}`", raw.cdn.get_ref()),
            )
            .with_hint(hint));
        }
    };
    let endpoint = match raw.endpoint {
        Some(e) => {
            let url = e.get_ref().trim().trim_end_matches('/').to_string();
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(Diagnostic::error(
                    CONFIG_FILE,
                    at(e.span()),
                    format!("`endpoint` must be an http(s) URL, found `{url}`"),
                )
                .with_hint(format!("leave it out to use {endpoint}")));
            }
            url
        }
        None => endpoint.to_string(),
    };
    Ok(PurgeConfig {
        cdn,
        token_env: Some(
            raw.token_env
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| token_env.to_string()),
        ),
        endpoint,
    })
}

/// `s3://bucket/a/b/` → S3 { bucket, prefix: "a/b" }; `file:///srv/site`
/// → Dir; anything else `None`.
fn deploy_location(url: &str) -> Option<DeployLocation> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = !bucket.is_empty()
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        let prefix = prefix.trim_matches('/');
        if !valid_bucket || prefix.split('/').any(|s| s == ".." || s == ".") {
            return None;
        }
        return Some(DeployLocation::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        });
    }
    let path = url.strip_prefix("file://")?;
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let path = std::path::PathBuf::from(decoded.as_ref());
    path.is_absolute().then_some(DeployLocation::Dir(path))
}

/// Turns a TOML error into a diagnostic pointing at the right line of the
/// file. `offset` is where the TOML starts inside the file (front matter
/// starts after the opening `+++`). Unknown keys get a "did you mean" hint
/// drawn from `keys`.
pub fn toml_diagnostic(
    path: impl Into<std::path::PathBuf>,
    file_text: &str,
    offset: usize,
    err: &toml::de::Error,
    keys: &[&str],
) -> Diagnostic {
    let pos = err
        .span()
        .map_or(Position::of_offset(file_text, offset), |span| {
            Position::of_offset(file_text, offset + span.start)
        });
    let message = err.message().trim().to_string();
    if let Some(unknown) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        let d = Diagnostic::error(path, pos, format!("unknown key `{unknown}`"));
        // A key of another table (`minify` written below `[languages.ar]`,
        // where TOML puts it in that table) is not a typo.
        let expected: Vec<&str> = message
            .split_once("expected ")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        if keys.contains(&unknown) && !expected.is_empty() && !expected.contains(&unknown) {
            return d.with_hint(format!(
                "`{unknown}` is not a key of this table: every key below a `[table]` line belongs to that table, so move `{unknown}` above the first one (or into its own table); this table takes {}",
                crate::diagnostic::code_list(&expected)
            ));
        }
        // serde names the keys of the table the key was found in: list
        // those, not every key of every table in the file.
        let own = if expected.is_empty() {
            keys
        } else {
            &expected[..]
        };
        return match did_you_mean(unknown, own).or_else(|| did_you_mean(unknown, keys)) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint(format!(
                "known keys are {}; put your own values under [extra]",
                crate::diagnostic::code_list(own)
            )),
        };
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return Diagnostic::error(path, pos, format!("missing required key `{field}`"))
            .with_hint(format!("add a line like `{field} = \"...\"`"));
    }
    if let Some(span) = err.span() {
        let at = offset + span.start;
        let found = file_text
            .get(at..offset + span.end)
            .and_then(|v| v.lines().next())
            .map(|v| v.trim())
            .unwrap_or("");
        if let Some((what, hint)) = wrong_value(&message, key_at(file_text, at).as_deref(), found) {
            return Diagnostic::error(path, pos, what).with_hint(hint);
        }
    }
    Diagnostic::error(path, pos, format!("invalid TOML: {message}")).with_hint(
        "check quoting, `=` signs and brackets on this line (TOML syntax: https://toml.io)",
    )
}

/// Where a key of Zola's `config.toml` sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ZolaTable {
    Top,
    Language,
    Markdown,
}

/// Keys of Zola's `config.toml` that nutgraf does not have, each as an
/// error saying what to write instead (none for a file that is not TOML).
fn zola_keys(text: &str) -> Vec<Diagnostic> {
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut scan = |table: &toml::de::DeTable, place: ZolaTable| {
        for (key, value) in table {
            // nutgraf's `search` is a switch; Zola's is a table of options.
            let hint = match (key.get_ref().as_ref(), value.get_ref(), place) {
                ("search", toml::de::DeValue::Table(_), ZolaTable::Top) => Some(
                    "nutgraf's `search` is `true` (the default) or `false`: Pagefind indexes every published page's title and text; remove the `[search]` table",
                ),
                (key, _, place) => zola_hint(key, place),
            };
            if let Some(hint) = hint {
                found.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        Position::of_offset(text, key.span().start),
                        format!("unknown key `{}` (a Zola setting)", key.get_ref()),
                    )
                    .with_hint(hint),
                );
            }
        }
    };
    let root = root.get_ref();
    scan(root, ZolaTable::Top);
    let table = |name: &str| match root.get(name).map(|v| v.get_ref()) {
        Some(toml::de::DeValue::Table(t)) => Some(t),
        _ => None,
    };
    if let Some(markdown) = table("markdown") {
        scan(markdown, ZolaTable::Markdown);
    }
    for language in table("languages").into_iter().flat_map(|t| t.values()) {
        if let toml::de::DeValue::Table(t) = language.get_ref() {
            scan(t, ZolaTable::Language);
        }
    }
    found
}

/// What nutgraf has instead of one of Zola's settings.
fn zola_hint(key: &str, place: ZolaTable) -> Option<&'static str> {
    use ZolaTable::*;
    Some(match (key, place) {
        ("default_language", Top) => "nutgraf calls it `language`: write `language = \"en\"`",
        ("build_search_index", Top | Language) => {
            "nutgraf builds a Pagefind index for every language: write `search = true` (the default) or `search = false` at the top, once"
        }
        ("search" | "translations", Language) => {
            "a language's theme text lives in `i18n/<code>.toml`, and search covers every language: remove it"
        }
        ("translations", Top) => {
            "theme text lives in `i18n/<code>.toml`, one file per language: move these keys there"
        }
        ("generate_feeds" | "generate_feed", Top | Language) => {
            "every language and section gets an Atom feed (`atom.xml`): remove it"
        }
        ("feed_filenames" | "feed_filename" | "feed_limit", Top | Language) => {
            "feeds are `atom.xml` and hold every article: remove it"
        }
        ("taxonomies", Top | Language) => {
            "nutgraf has one taxonomy, tags (`tags = [\"…\"]` in front matter, listed under `/tags/`): remove `taxonomies`"
        }
        ("compile_sass", Top) => {
            "nutgraf does not compile Sass: put compiled CSS in `static/` or in a theme, and remove `compile_sass`"
        }
        ("minify_html", Top) => "write `minify = true` (the default) or `minify = false`",
        ("output_dir", Top) => "pass `--output DIR` to `nutgraf build` (the default is `public/`)",
        ("author", Top) => {
            "authors are named in each article's front matter (`authors = [\"…\"]`); the site's organisation is `publisher = \"…\"`"
        }
        ("slugify", Top) => {
            "slugs are ASCII by default; `unicode_slugs = true` keeps the letters of every script"
        }
        ("link_checker", Top) => {
            "`nutgraf check` checks internal links and anchors, and with `--external` every external link: remove `[link_checker]`"
        }
        (
            "highlight_code" | "highlight_theme" | "highlight_themes_css" | "highlighting",
            Markdown,
        ) => {
            "code blocks are always highlighted and the theme colours them (light and dark): remove it"
        }
        (
            "external_links_target_blank"
            | "external_links_class"
            | "external_links_no_follow"
            | "external_links_no_referrer"
            | "render_emoji"
            | "bottom_footnotes",
            Markdown,
        ) => {
            "nutgraf has no such switch (footnotes always go to the end of the article): remove it"
        }
        ("github_alerts", Markdown) => {
            "GitHub's alerts (`> [!NOTE]`) are always rendered: remove it"
        }
        _ => return None,
    })
}

/// Valid TOML with a value of the wrong type or out of range, in words:
/// which key, what it takes, what it was given, and for a choice of
/// words the closest one. `None` for a syntax error.
fn wrong_value(message: &str, key: Option<&str>, found: &str) -> Option<(String, String)> {
    let wrong = [
        "invalid type:",
        "invalid value:",
        "unknown variant",
        "invalid length",
    ];
    if !wrong.iter().any(|w| message.starts_with(w)) {
        return None;
    }
    let key = key.map_or_else(|| "this value".to_string(), |k| format!("`{k}`"));
    let expected = message.split_once(", expected ").map_or("", |(_, e)| e);
    if message.starts_with("unknown variant") {
        // serde lists the choices: "expected `a` or `b`", "expected one
        // of `a`, `b`, `c`".
        let choices: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let given = message.split('`').nth(1).unwrap_or(found);
        let list = choices
            .iter()
            .map(|c| format!("`\"{c}\"`"))
            .collect::<Vec<_>>()
            .join(", ");
        let hint = match did_you_mean(given, &choices) {
            Some(near) => format!("did you mean `\"{near}\"`?"),
            None => format!("write one of {list}"),
        };
        return Some((
            format!("{key} must be one of {list}, found `\"{given}\"`"),
            hint,
        ));
    }
    let takes = match expected.trim() {
        "usize" | "u64" | "u32" | "u16" => "a whole number, 0 or more".to_string(),
        "u8" => "a whole number from 0 to 255".to_string(),
        "i64" | "i32" | "isize" => "a whole number".to_string(),
        "a boolean" => "`true` or `false`".to_string(),
        "a string" => "text in quotes".to_string(),
        "a sequence" => "a list in brackets, such as `[\"a\", \"b\"]`".to_string(),
        e if e.starts_with("struct ") || e == "a map" => "a table".to_string(),
        e => e.to_string(),
    };
    Some((
        format!("{key} must be {takes}, found `{found}`"),
        "the TOML is valid, but this key takes another kind of value: see the README's list of keys".to_string(),
    ))
}

/// The dotted name of the key whose value is at `offset`: `sort_by`,
/// `images.quality`, `deploy.targets.invalidate_max`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let before = &text[line_start..offset.min(text.len())];
    let (key, _) = before.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() {
        return None;
    }
    // The table the line is in: the last `[table]` or `[[table]]` above.
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_trailing_slash() {
        let c = Config::parse("title = \"T\"\nbase_url = \"https://e.org/\"\n")
            .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(c.base_url, "https://e.org");
        assert_eq!(c.language, "en");
        assert_eq!(c.publisher, "T");
        assert_eq!(c.theme, DEFAULT_THEME);
        assert_eq!(c.permalink("/a/"), "https://e.org/a/");
        assert!(c.markdown.smart_punctuation);
    }

    #[test]
    fn credits_are_required_unless_the_site_says_optional() {
        let c = Config::parse(BASE).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(c.images.credits, Credits::Required);
        let c = Config::parse(&format!("{BASE}[images]\ncredits = \"optional\"\n"))
            .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(c.images.credits, Credits::Optional);
    }

    #[test]
    fn an_invalid_credits_value_points_at_it_and_lists_the_values() {
        let Err(d) = Config::parse(&format!(
            "{BASE}[images]\nwebp = true\ncredits = \"sometimes\"\n"
        )) else {
            panic!("invalid credits accepted");
        };
        assert_eq!((d.line, d.col), (5, 11), "{d}");
        assert_eq!(
            d.message,
            "`images.credits` must be one of `\"required\"`, `\"optional\"`, found `\"sometimes\"`",
            "{d}"
        );
        assert_eq!(
            d.hint.as_deref(),
            Some("write one of `\"required\"`, `\"optional\"`")
        );
    }

    #[test]
    fn smart_punctuation_can_be_turned_off() {
        let c = Config::parse(&format!("{BASE}[markdown]\nsmart_punctuation = false\n"))
            .unwrap_or_else(|d| panic!("{d}"));
        assert!(!c.markdown.smart_punctuation);
        let Err(d) = Config::parse(&format!("{BASE}[markdown]\nsmart_quotes = false\n")) else {
            panic!("unknown [markdown] key accepted");
        };
        assert_eq!((d.line, d.col), (4, 1));
        assert_eq!(d.hint.as_deref(), Some("did you mean `smart_punctuation`?"));
    }

    /// TOML puts a key written below a table in that table: the hint
    /// says so, instead of "did you mean" the very same key.
    #[test]
    fn a_top_level_key_below_a_table_is_explained() {
        let Err(d) = Config::parse(&format!(
            "{BASE}[languages.ko]\ntitle = \"K\"\nminify = false\n"
        )) else {
            panic!("accepted")
        };
        let hint = d.hint.unwrap_or_default();
        assert!(hint.contains("move `minify` above the first one"), "{hint}");
        assert!(hint.contains("`base_path`"), "{hint}");
    }

    #[test]
    fn each_language_table_has_a_title_a_base_path_and_a_direction() {
        let c = Config::parse(&format!(
            "{BASE}language = \"en\"\n[languages.ar]\ntitle = \"A\"\n[languages.pt-BR]\nbase_path = \"/br/\"\nrtl = true\n[languages.ko]\ndescription = \"K\"\n"
        ))
        .unwrap_or_else(|d| panic!("{d}"));
        let got: Vec<(&str, &str, &str, bool)> = c
            .languages
            .iter()
            .map(|l| {
                (
                    l.code.as_str(),
                    l.title.as_str(),
                    l.base_path.as_str(),
                    l.rtl,
                )
            })
            .collect();
        // The default first, the others in code order; the title is the
        // site's unless set; `rtl` from the script unless set.
        assert_eq!(
            got,
            [
                ("en", c.title.as_str(), "/", false),
                ("ar", "A", "/ar/", true),
                ("ko", c.title.as_str(), "/ko/", false),
                ("pt-BR", c.title.as_str(), "/br/", true),
            ]
        );
        assert_eq!(c.languages[2].description.as_deref(), Some("K"));
        assert_eq!(
            c.language_of("pt-br").map(|l| l.code.as_str()),
            Some("pt-BR")
        );
        let ko = c.for_language(2);
        assert_eq!((ko.language.as_str(), ko.base_path()), ("ko", "/ko/"));
        assert_eq!(c.base_path(), "/");
        assert!(c.multilingual());
        for (bad, says) in [
            ("[languages.ko_KR]\n", "write `[languages.ko-KR]`"),
            (
                "[languages.ko]\nbase_path = \"ko/\"\n",
                "must be a folder path",
            ),
            (
                "[languages.ko]\nbase_path = \"/\"\n",
                "must be a folder path",
            ),
            (
                "[languages.ko]\nbase_path = \"/a/../b/\"\n",
                "must be a folder path",
            ),
            (
                "[languages.ko]\n[languages.ar]\nbase_path = \"/ko/\"\n",
                "where `ar` already is",
            ),
            ("[languages.EN]\n", "repeats a language"),
            ("[languages.ko]\ncolour = 1\n", "colour"),
        ] {
            let Err(d) = Config::parse(&format!("{BASE}{bad}")) else {
                panic!("{bad} was accepted")
            };
            let text = format!("{}{}", d.message, d.hint.as_deref().unwrap_or_default());
            assert!(text.contains(says), "{bad}: {text}");
            assert!(d.line > 1, "{bad}: {d}");
        }
    }

    #[test]
    fn the_language_is_a_bcp47_tag_and_sets_the_direction() {
        let parse = |extra: &str| Config::parse(&format!("{BASE}{extra}"));
        for (tag, rtl) in [
            ("en", false),
            ("pt-BR", false),
            ("ar", true),
            ("ar-EG", true),
            ("he", true),
            ("fa", true),
            ("ur", true),
            ("ko", false),
            ("zh-Hant-TW", false),
            // the script decides: Azerbaijani in Arabic script
            ("az-Arab", true),
            ("az", false),
        ] {
            let c =
                parse(&format!("language = \"{tag}\"\n")).unwrap_or_else(|d| panic!("{tag}: {d}"));
            assert_eq!(c.rtl, rtl, "{tag}");
        }
        let c = parse("language = \"ar\"\nrtl = false\n").unwrap_or_else(|d| panic!("{d}"));
        assert!(!c.rtl, "`rtl` overrides the language");
        for bad in ["", "english", "en_US", "e", "en-", "ar-Ar-EG", "x-toolong1"] {
            let Err(d) = parse(&format!("language = \"{bad}\"\n")) else {
                panic!("{bad:?} accepted");
            };
            assert_eq!((d.line, d.col), (3, 1), "{bad:?}");
            assert!(d.message.contains("BCP 47"), "{bad:?}: {}", d.message);
        }
    }

    #[test]
    fn unknown_key_suggests() {
        let Err(d) =
            Config::parse("title = \"T\"\nbase_url = \"https://e.org\"\nlanguag = \"en\"\n")
        else {
            panic!("unknown key accepted");
        };
        assert_eq!((d.line, d.col), (3, 1));
        assert_eq!(d.message, "unknown key `languag`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `language`?"));
    }

    /// The list of known keys is the table's own: `[markdown]` takes
    /// `smart_punctuation`, not `zone_id` or `gzip` from `[deploy]`.
    #[test]
    fn an_unknown_key_in_a_table_lists_that_tables_keys() {
        let Err(d) = Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[markdown]\nrender_emoji = true\n",
        ) else {
            panic!("unknown key accepted");
        };
        assert_eq!((d.line, d.col), (4, 1));
        assert_eq!(
            d.hint.as_deref(),
            Some("known keys are `smart_punctuation`; put your own values under [extra]")
        );
    }

    /// A Zola `config.toml` renamed: every Zola key is reported at once, at
    /// its line, with what nutgraf has instead; nutgraf's own keys and
    /// tables are left alone.
    #[test]
    fn zolas_config_keys_are_all_reported_with_what_to_write_instead() {
        let text = "base_url = \"https://e.org\"\ntitle = \"T\"\ndefault_language = \"en\"\n\
                    compile_sass = false\ngenerate_feeds = true\n\
                    [markdown]\nhighlight_code = true\nsmart_punctuation = true\n\
                    [languages.fr]\ntitle = \"F\"\ntaxonomies = []\n\
                    [search]\ninclude_title = true\n";
        let found: Vec<(usize, String)> = zola_keys(text)
            .into_iter()
            .map(|d| (d.line, d.message))
            .collect();
        let mut lines: Vec<usize> = found.iter().map(|f| f.0).collect();
        lines.sort_unstable();
        assert_eq!(lines, [3, 4, 5, 7, 11, 12], "{found:?}");
        let hint = |key: &str| {
            zola_keys(text)
                .into_iter()
                .find(|d| d.message.contains(&format!("`{key}`")))
                .and_then(|d| d.hint)
                .unwrap_or_default()
        };
        assert!(hint("default_language").contains("`language = \"en\"`"));
        assert!(hint("taxonomies").contains("tags"));
        assert!(hint("search").contains("remove the `[search]` table"));
        assert!(zola_keys(BASE).is_empty());
        assert!(zola_keys(&format!("{BASE}search = false\n")).is_empty());
        assert!(zola_keys("not = [toml").is_empty());
    }

    /// A site under a path (a GitHub project page) would get links that
    /// all miss: an error that says so, at the key, not a broken site.
    #[test]
    fn a_base_url_with_a_path_is_an_error() {
        let Err(d) = Config::parse("title = \"T\"\nbase_url = \"https://welpo.github.io/tabi/\"\n")
        else {
            panic!("a path in base_url accepted");
        };
        assert_eq!((d.line, d.col), (2, 1));
        assert!(d.message.contains("`/tabi`"), "{}", d.message);
        assert!(
            d.hint
                .as_deref()
                .is_some_and(|h| h.contains("base_url = \"https://welpo.github.io\"")),
            "{:?}",
            d.hint
        );
        for fine in ["https://e.org", "https://e.org/", "http://127.0.0.1:1111"] {
            let text = format!("title = \"T\"\nbase_url = \"{fine}\"\n");
            assert!(Config::parse(&text).is_ok(), "{fine}");
        }
    }

    const BASE: &str = "title = \"T\"\nbase_url = \"https://e.org\"\n";

    #[test]
    fn deploy_targets() {
        let c = Config::parse(&format!(
            "{BASE}[[deploy.targets]]\nname = \"production\"\nurl = \"s3://bucket/a/b/\"\n\
             [[deploy.targets]]\nname = \"local\"\nurl = \"file:///srv/my%20site\"\nendpoint = \"http://127.0.0.1:9000\"\n\
             [[deploy.matchers]]\npattern = \"**/*.html\"\ngzip = true\n"
        ))
        .unwrap_or_else(|d| panic!("{d}"));
        let t = &c.deploy.targets;
        assert_eq!(t[0].name, "production");
        assert_eq!(
            t[0].location,
            DeployLocation::S3 {
                bucket: "bucket".into(),
                prefix: "a/b".into()
            }
        );
        assert!(!t[0].allow_http);
        assert_eq!(t[0].invalidate_max, DEFAULT_INVALIDATE_MAX);
        assert_eq!(t[1].location, DeployLocation::Dir("/srv/my site".into()));
        assert!(
            t[1].allow_http,
            "a local http endpoint is allowed without asking"
        );
        assert!(c.deploy.matchers[0].gzip);
        assert!(c.deploy.matchers[0].glob.is_match("a/b/index.html"));
    }

    /// What is wrong with `[deploy]`; the rest of the config still loads.
    fn deploy_problem(text: &str) -> Result<Diagnostic, String> {
        let config = Config::parse(text).map_err(|d| d.to_string())?;
        config.deploy_problem.ok_or_else(|| "accepted".to_string())
    }

    #[test]
    fn deploy_unknown_key_points_at_it() {
        let Ok(d) = deploy_problem(&format!(
            "{BASE}[[deploy.targets]]\nname = \"p\"\nurl = \"s3://b\"\nregon = \"auto\"\n"
        )) else {
            panic!("unknown key accepted");
        };
        assert_eq!((d.line, d.col), (6, 1));
        assert_eq!(d.message, "unknown key `regon`");
        assert_eq!(d.hint.as_deref(), Some("did you mean `region`?"));
    }

    #[test]
    fn deploy_bad_values_point_at_them() {
        let cases = [
            ("name = \"p\"\nurl = \"https://b\"\n", 5, "`url` must be"),
            (
                "name = \"p\"\nurl = \"s3://b\"\nendpoint = \"http://minio.example.org\"\n",
                6,
                "plain http",
            ),
            (
                "name = \"p\"\nurl = \"file://relative\"\n",
                5,
                "`url` must be",
            ),
        ];
        for (target, line, message) in cases {
            let Ok(d) = deploy_problem(&format!("{BASE}[[deploy.targets]]\n{target}")) else {
                panic!("accepted {target}");
            };
            assert_eq!(d.line, line, "{target}: {d}");
            assert!(d.message.contains(message), "{target}: {d}");
        }
        let Ok(d) = deploy_problem(&format!("{BASE}[[deploy.matchers]]\npattern = \"a/[b\"\n"))
        else {
            panic!("bad glob accepted");
        };
        assert_eq!(d.line, 4);
        let Ok(d) = deploy_problem(&format!(
            "{BASE}[[deploy.targets]]\nname = \"p\"\nurl = \"s3://b\"\n[[deploy.targets]]\nname = \"p\"\nurl = \"s3://c\"\n"
        )) else {
            panic!("duplicate names accepted");
        };
        assert_eq!(d.line, 7);
    }

    #[test]
    fn relative_base_url_is_an_error() {
        let Err(d) = Config::parse("title = \"T\"\nbase_url = \"/blog\"\n") else {
            panic!("relative base_url accepted");
        };
        assert_eq!(d.line, 2);
    }
}
