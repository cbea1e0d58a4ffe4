//! The error overlay: the box over the page that says why the site did not
//! build, and the page that carries it when no pass has built yet. The
//! markup is made here only; the live-reload client receives it in its
//! error message and puts it in place, so both look the same.

use crate::html::escape;
use crate::serve::LIVE_SCRIPT;

/// The overlay's element id; the client finds, replaces and removes it.
pub const ID: &str = "nutgraf-overlay";

/// The attribute on the `<html>` of the page served when nothing has built
/// yet: the client reloads such a page as soon as the site builds, since
/// it holds no article to update in place.
pub const PLACEHOLDER_ATTR: &str = "data-nutgraf-placeholder";

// Inline styles: they beat the site's own stylesheet without knowing it.
const BOX_STYLE: &str = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;\
    z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#1d1f21;color:#f8f8f2;\
    border-top:4px solid #e5484d;\
    font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
    box-shadow:0 -4px 24px #0006";
const TITLE_STYLE: &str = "margin:0 0 .5rem;font-weight:bold;color:#ff8589";
const TEXT_STYLE: &str = "margin:0;white-space:pre-wrap";

/// What the browser shows under the overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behind {
    /// The last good version of the page.
    LastGood,
    /// Nothing: no pass has built yet.
    Nothing,
}

/// The overlay showing `text` (the error as the terminal prints it).
pub fn render(text: &str, behind: Behind) -> String {
    let title = match behind {
        Behind::LastGood => {
            "nutgraf: the site did not build. The page shows the last good version."
        }
        Behind::Nothing => {
            "nutgraf: the site has not built yet, so there is no page to show. \
             Fix the file and save: this page reloads when the site builds."
        }
    };
    format!(
        "<div id=\"{ID}\" role=\"alert\" style=\"{BOX_STYLE}\">\
         <p style=\"{TITLE_STYLE}\">{title}</p>\
         <pre style=\"{TEXT_STYLE}\">{}</pre></div>",
        escape(text.trim_end())
    )
}

/// The page every HTML request gets while no pass has built: the overlay
/// and the live-reload client, which reloads it into the real page once
/// the writer fixes the file.
pub fn page(text: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\" {PLACEHOLDER_ATTR}>\n<head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>The site did not build · nutgraf serve</title>\n\
         </head>\n<body>\n{}\n{LIVE_SCRIPT}\n</body>\n</html>\n",
        render(text, Behind::Nothing)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_escapes_the_error_text() {
        let html = render(
            "error: bad `<b>` & \"x\"\n --> a.md:1:2\n",
            Behind::LastGood,
        );
        assert!(
            html.contains("error: bad `&lt;b&gt;` &amp; &quot;x&quot;\n --&gt; a.md:1:2</pre>"),
            "{html}"
        );
        assert!(html.starts_with(&format!("<div id=\"{ID}\" role=\"alert\"")));
        assert!(html.contains("last good version"));
    }

    #[test]
    fn the_placeholder_page_is_a_whole_page_with_the_client() {
        let html = page("error: broken\n --> content/a.md:3:8\n  = help: fix it\n");
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\" data-nutgraf-placeholder>"));
        assert!(html.contains("<title>"));
        assert!(html.contains("content/a.md:3:8"));
        assert!(html.contains("= help: fix it"));
        assert!(html.contains("has not built yet"));
        assert!(!html.contains("last good version"));
        // The client comes after the overlay it takes over.
        let overlay = html.find(ID).unwrap_or(usize::MAX);
        let client = html.find(LIVE_SCRIPT).unwrap_or(0);
        assert!(overlay < client, "{html}");
    }
}
