//! nutgraf: a static site generator for explainer articles.
//!
//! Every command runs the same pipeline ([`site::render`]), one way:
//!
//! 1. read and validate `nutgraf.toml` ([`config`]);
//! 2. load the templates and the theme ([`theme`]);
//! 3. load `content/`: split and parse each file's TOML front matter
//!    ([`content`], [`content::frontmatter`]), leaving out drafts and
//!    scheduled articles; [`paths`] says which files are ignored;
//! 4. copy static files and write the hashed stylesheet ([`assets`]);
//! 5. render each article in parallel ([`site`]'s `article`): its Markdown
//!    ([`markdown`]) with figures and image slots ([`markdown::figure`],
//!    resolved, measured and resized by [`images`]), question headings and
//!    FAQ answers ([`markdown::questions`]) and highlighted code
//!    ([`markdown::highlight`]); its JSON-LD ([`schema`]); its template;
//! 6. render the listings from lightweight summaries ([`site::listings`]):
//!    the home page, sections, tags, with pagination; beside them the
//!    feeds, sitemap and robots.txt; then the 404 page and the CDN files,
//!    `_headers` and `_redirects` ([`site::cdn`]);
//! 7. everything goes to an [`output::Output`]: for `build` a temporary
//!    folder swapped in only on success ([`output::Staging`]), so a failed
//!    build leaves the previous site untouched.
//!
//! The [`site::Mode`] says what the pass is for: `build` writes and
//! minifies; `check` writes nothing and records every link
//! ([`site::links`]) and every path the render would write
//! ([`output::Output::Record`]) for [`check`] to judge; `serve` renders into memory
//! and keeps what did not change since its last pass ([`site::memo`],
//! `serve::session`). `deploy` uploads a build ([`deploy`]).
//!
//! Problems in the input are [`diagnostic::Diagnostic`]s with
//! `path:line:col`, a message and a hint; a command that fails ends with
//! one [`Error`], printed once by [`Error::report`], whose kind picks the
//! exit code.

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
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod site;
pub mod strings;
pub mod theme;

mod fs;

pub use error::Error;
pub use site::{BuildOptions, BuildReport, build};
