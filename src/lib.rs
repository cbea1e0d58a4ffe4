//! nutgraf: a static site generator for explainer articles.
//!
//! A build runs these steps in order ([`site::build`]):
//!
//! 1. read and validate `nutgraf.toml` ([`config`]);
//! 2. load the templates and the theme ([`theme`]);
//! 3. load `content/`: split and parse each file's TOML front matter
//!    ([`content`], [`content::frontmatter`]), leaving out drafts and scheduled
//!    articles;
//! 4. render each article's Markdown in parallel ([`markdown`]): figures
//!    and image slots ([`markdown::figure`], [`images`]), question headings and FAQ
//!    answers ([`markdown::questions`]), code highlighting ([`markdown::highlight`]);
//! 5. build its JSON-LD ([`schema`]) and render its template;
//! 6. render the listings from lightweight summaries ([`site::listings`]): the
//!    home page, sections, tags, with pagination; then the feeds, sitemap
//!    and robots.txt (`site::feeds`) and the 404 page;
//! 7. write everything into a temporary folder and swap it in ([`output`]),
//!    so a failed build leaves the previous site untouched.
//!
//! `serve` renders the same steps into memory; `deploy` builds, then
//! uploads the output to S3-compatible storage ([`deploy`]).
//!
//! Problems in the input are [`diagnostic::Diagnostic`]s with
//! `path:line:col`, a message and a hint.

pub mod assets;
pub mod check;
pub mod config;
pub mod content;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod diagnostic;
pub mod error;
pub mod hash;
pub mod html;
pub mod images;
pub mod markdown;
pub mod minify;
pub mod output;
pub mod paths;
pub mod scaffold;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod site;
pub mod theme;

mod fs;

pub use error::Error;
pub use site::{BuildOptions, BuildReport, build};
