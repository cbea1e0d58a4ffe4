//! Starting points: `nutgraf init` writes a starter site, `nutgraf new`
//! a new explainer with its front matter filled in.

use std::path::{Path, PathBuf};

use crate::error::Error;

const CONFIG: &str = include_str!("scaffold/nutgraf.toml");
const HOME: &str = include_str!("scaffold/_index.md");
const SAMPLE: &str = include_str!("scaffold/sample.md");
const SAMPLE_IMAGE: &[u8] = include_bytes!("scaffold/sample.jpg");
/// A draft with an image slot: drafts show the slot as a placeholder, and a
/// published slot fails `check` and `build --strict`, so the starter site
/// shows one without failing its own checks.
const DRAFT: &str = include_str!("scaffold/draft.md");
// `.public.nutgraf-*`: the build lock and temporary folders beside `public/`.
const GITIGNORE: &str = "public/\n.public.nutgraf-*\n.nutgraf-cache/\n";
/// Folder of the sample article in a new site.
const SAMPLE_SLUG: &str = "how-a-starter-site-works";
/// Folder of the sample draft.
const DRAFT_SLUG: &str = "reserving-a-photo";

/// Writes a starter site into `dir` (created if needed). Refuses to touch
/// a folder that already has files in it. Returns the files written.
pub fn init(dir: &Path, now: &jiff::Zoned) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::usage(
            format!(
                "`{}` is a file; nutgraf init makes a site in a folder",
                crate::paths::shown(dir).display()
            ),
            "pass a new folder name, e.g. `nutgraf init my-site`",
        ));
    }
    if dir.exists() {
        let has_files = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", dir.display()))?
            .next()
            .is_some();
        if has_files {
            return Err(Error::usage(
                format!(
                    "`{}` is not empty; nutgraf init never overwrites files",
                    crate::paths::shown(dir).display()
                ),
                "pass a new folder name, e.g. `nutgraf init my-site`",
            ));
        }
    }
    let date = crate::content::frontmatter::rfc3339(now);
    let files: [(PathBuf, Vec<u8>); 6] = [
        (
            PathBuf::from(crate::config::CONFIG_FILE),
            CONFIG.as_bytes().to_vec(),
        ),
        (PathBuf::from(".gitignore"), GITIGNORE.as_bytes().to_vec()),
        (
            Path::new(crate::paths::CONTENT_DIR).join("_index.md"),
            HOME.as_bytes().to_vec(),
        ),
        (
            Path::new(crate::paths::CONTENT_DIR)
                .join(SAMPLE_SLUG)
                .join("index.md"),
            SAMPLE.replace("{date}", &date).into_bytes(),
        ),
        (
            Path::new(crate::paths::CONTENT_DIR)
                .join(SAMPLE_SLUG)
                .join("hills.jpg"),
            SAMPLE_IMAGE.to_vec(),
        ),
        (
            Path::new(crate::paths::CONTENT_DIR)
                .join(DRAFT_SLUG)
                .join("index.md"),
            DRAFT.replace("{date}", &date).into_bytes(),
        ),
    ];
    let mut written = Vec::with_capacity(files.len());
    for (rel, bytes) in files {
        let path = dir.join(rel);
        crate::fs::write_creating_dirs(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Creates `content/<slug>/index.md` for a new draft titled `title`.
pub fn new_article(root: &Path, title: &str, now: &jiff::Zoned) -> Result<PathBuf, Error> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Error::usage(
            format!(
                "no `{}` in `{}`",
                crate::config::CONFIG_FILE,
                root.display()
            ),
            "run `nutgraf new` inside a site folder, or pass `--root DIR`; `nutgraf init` makes a new site",
        ));
    }
    let title = title.trim();
    let slug = slug::slugify(title);
    if slug.is_empty() {
        return Err(Error::usage(
            format!("cannot make a file name from the title `{title}`"),
            "use a title with letters or digits",
        ));
    }
    let content = root.join(crate::paths::CONTENT_DIR);
    let dir = content.join(&slug);
    let path = dir.join("index.md");
    if dir.exists() {
        return Err(Error::usage(
            format!(
                "`{}` already exists",
                crate::diagnostic::display_path(root, &dir).display()
            ),
            "pick another title, or edit the existing article",
        ));
    }
    // Another source may already be published at `/<slug>/`: `foo.md`,
    // `Foo.md`, `2024-05-01-foo.md`, or any top-level article with
    // `slug = "foo"`. A second source would fail the next build.
    let url = format!("/{slug}/");
    if let Some(existing) = crate::content::top_level_sources(root)
        .into_iter()
        .find(|(_, at)| *at == url)
        .map(|(file, _)| file)
    {
        return Err(Error::usage(
            format!(
                "`{}` is already published at `{url}`, where the new article would go",
                crate::diagnostic::display_path(root, &existing).display()
            ),
            "pick another title, or edit the existing article",
        ));
    }
    let text = format!(
        "+++\ntitle = {}\ndescription = \"\"\ndate = {}\nauthors = []\ntags = []\ndraft = true\n+++\n\n\
         Start with the lede: what happened, and why it matters.\n\n## What is the first question readers ask?\n\n\
         Answer it here.\n",
        toml_string(title),
        crate::content::frontmatter::rfc3339(now),
    );
    crate::fs::write_creating_dirs(&path, text)?;
    Ok(path)
}

/// Creates a draft translation of the article at `of` (its file, or its
/// bundle's folder) into the site's language `lang`, beside it as Zola
/// names translations: `index.<lang>.md` in a bundle, `<name>.<lang>.md`
/// beside a single file. The original's body comes along to be translated
/// in place, with its figures and component calls.
pub fn new_translation(
    root: &Path,
    of: &Path,
    lang: &str,
    title: &str,
    now: &jiff::Zoned,
) -> Result<PathBuf, Error> {
    let config = crate::config::Config::load(root)?;
    let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
    let Some(index) = codes.iter().position(|c| *c == lang) else {
        return Err(Error::usage(
            format!("the site has no language `{lang}`"),
            format!(
                "its languages are {}; add a `[languages.{lang}]` table to nutgraf.toml for another",
                crate::diagnostic::code_list(&codes)
            ),
        ));
    };
    let shown = |p: &Path| {
        crate::diagnostic::display_path(root, p)
            .display()
            .to_string()
    };
    // As the writer typed it (from where they are), else under the site.
    let original = if of.exists() {
        of.to_path_buf()
    } else {
        root.join(of)
    };
    let original = if original.is_dir() {
        original.join("index.md")
    } else {
        original
    };
    let name = original
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".md"));
    let (Some(name), true) = (name, original.is_file()) else {
        return Err(Error::usage(
            format!("no article at `{}`", of.display()),
            "give the original's Markdown file or its bundle's folder, e.g. `--of content/why-now/index.md`",
        ));
    };
    // `why-now.ko` is a translation of `why-now`: translate the original.
    let base = crate::content::Naming::of(&config)
        .split_language(name)
        .map_or(name, |(base, _)| base);
    if base.starts_with('_') {
        return Err(Error::usage(
            format!(
                "`{}` is a listing's intro, not an article",
                shown(&original)
            ),
            format!("write `{base}.{lang}.md` beside it by hand: a listing has no date or draft"),
        ));
    }
    let file = if index == 0 {
        format!("{base}.md")
    } else {
        format!("{base}.{lang}.md")
    };
    let path = original.with_file_name(file);
    if path.exists() {
        return Err(Error::usage(
            format!("`{}` already exists", shown(&path)),
            "edit the existing translation",
        ));
    }
    let text = std::fs::read_to_string(&original).map_err(|e| {
        Error::usage(
            format!("cannot read `{}`: {e}", shown(&original)),
            "check that the file is readable",
        )
    })?;
    let display = crate::diagnostic::display_path(root, &original);
    let split =
        crate::content::frontmatter::split(&display, &text).map_err(|d| Error::Site(vec![d]))?;
    let text = format!(
        "+++\ntitle = {}\ndescription = \"\"\ndate = {}\nauthors = []\ntags = []\ndraft = true\n{}+++\n{}",
        toml_string(title.trim()),
        crate::content::frontmatter::rfc3339(now),
        tables_to_translate(split.matter),
        split.body,
    );
    crate::fs::write_creating_dirs(&path, text)?;
    Ok(path)
}

/// The original's `[lead]` and `[extra]` tables as written (alt text,
/// caption, credit, kicker: words to translate), each after a blank line.
/// Not `[[updates]]`: a correction belongs to the version it corrects.
fn tables_to_translate(matter: &str) -> String {
    let mut tables: Vec<String> = Vec::new();
    let mut keep = false;
    for line in matter.lines() {
        let header = line.trim();
        if header.starts_with('[') {
            let name = header.trim_matches(|c| c == '[' || c == ']').trim();
            keep = !header.starts_with("[[")
                && (name == "lead" || name == "extra" || name.starts_with("extra."));
            if keep {
                tables.push(String::new());
            }
        }
        if let Some(table) = tables.last_mut().filter(|_| keep) {
            table.push_str(line);
            table.push('\n');
        }
    }
    tables
        .iter()
        .map(|t| format!("\n{}\n", t.trim_end()))
        .collect()
}

/// A TOML basic string (serde's TOML writer does the escaping).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_translation_takes_the_lead_and_extra_tables_but_not_corrections() {
        let matter = "title = \"T\"\ndate = 2026-01-02\n\n[lead]\nsrc = \"a.jpg\"\ncaption = \"C\"\n\n\
                      [[updates]]\ndate = 2026-01-03\nnote = \"Fixed.\"\n\n[extra]\nkicker = \"K\"\n";
        assert_eq!(
            tables_to_translate(matter),
            "\n[lead]\nsrc = \"a.jpg\"\ncaption = \"C\"\n\n[extra]\nkicker = \"K\"\n"
        );
        assert_eq!(tables_to_translate("title = \"T\"\n"), "");
    }

    #[test]
    fn titles_are_escaped_in_front_matter() {
        for title in ["Why \"now\"?", "It's \\ odd", "Line\nbreak"] {
            let doc = format!("title = {}", toml_string(title));
            let back: toml::Table = doc.parse().unwrap_or_else(|e| panic!("{doc}: {e}"));
            assert_eq!(back["title"].as_str(), Some(title));
        }
    }
}
