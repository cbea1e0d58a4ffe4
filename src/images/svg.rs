//! SVG sizes: the intrinsic width and height of an SVG drawing, read from
//! its root `<svg>` element with quick-xml: `width` and `height` in px (or
//! another absolute unit), else the `viewBox`, which also supplies a
//! missing side at the drawing's aspect ratio, as browsers do.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

/// Why an SVG's size could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file is not well-formed XML up to its root element.
    NotXml(String),
    /// The root element is something else (`html` when a web page was
    /// saved under the drawing's name).
    NotSvg(String),
    /// No element at all: an empty file, or only comments.
    NoRoot,
    /// The root element gives no size in px: what is missing or unusable,
    /// as a phrase ("`width=\"100%\"` is relative and `viewBox` is missing").
    NoSize(String),
    /// The file could not be read.
    Io(String),
}

/// CSS px per unit of the absolute length units (CSS Values 4, §6.2).
const UNITS: &[(&str, f64)] = &[
    ("", 1.0),
    ("px", 1.0),
    ("pt", 96.0 / 72.0),
    ("pc", 16.0),
    ("in", 96.0),
    ("cm", 96.0 / 2.54),
    ("mm", 96.0 / 25.4),
    ("q", 96.0 / 101.6),
];

/// Width and height of the SVG read from `reader`, in px. Reading stops at
/// the root element: the rest of the drawing is never parsed.
pub fn size(reader: impl BufRead) -> Result<(u32, u32), Problem> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(root) | Event::Empty(root)) => return root_size(&root),
            Ok(Event::Eof) => return Err(Problem::NoRoot),
            // The XML declaration, a doctype, comments, processing
            // instructions and whitespace may come first.
            Ok(_) => {}
            Err(quick_xml::Error::Io(e)) => return Err(Problem::Io(e.to_string())),
            Err(e) => return Err(Problem::NotXml(e.to_string())),
        }
        buf.clear();
    }
}

fn root_size(root: &BytesStart) -> Result<(u32, u32), Problem> {
    let name = String::from_utf8_lossy(root.local_name().as_ref()).into_owned();
    if name != "svg" {
        return Err(Problem::NotSvg(name));
    }
    let (mut width, mut height, mut view_box) = (None, None, None);
    for attr in root.attributes() {
        let attr = attr.map_err(|e| Problem::NotXml(e.to_string()))?;
        let value = attr
            .unescape_value()
            .map_err(|e| Problem::NotXml(e.to_string()))?
            .into_owned();
        match attr.key.local_name().as_ref() {
            b"width" => width = Some(value),
            b"height" => height = Some(value),
            // SVG attribute names are case-sensitive: `viewbox` is not it.
            b"viewBox" => view_box = Some(value),
            _ => {}
        }
    }
    intrinsic_size(width.as_deref(), height.as_deref(), view_box.as_deref())
}

/// The size from the root's attributes as written.
pub fn intrinsic_size(
    width: Option<&str>,
    height: Option<&str>,
    view_box: Option<&str>,
) -> Result<(u32, u32), Problem> {
    let (w, h) = (width.and_then(px), height.and_then(px));
    let vb = view_box.and_then(parse_view_box);
    let size = match (w, h, vb) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (None, None, Some((vw, vh))) => (vw, vh),
        _ => return Err(Problem::NoSize(why_no_size(width, height, view_box))),
    };
    Ok((whole_px(size.0), whole_px(size.1)))
}

/// A length in px, or `None` when it is not one the drawing's own size can
/// be read from: relative units (`%`, `em`, `vw`…), `auto`, zero or less.
fn px(value: &str) -> Option<f64> {
    let value = value.trim();
    let number_len = value
        .trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%')
        .len();
    let (number, unit) = value.split_at(number_len);
    let factor = UNITS.iter().find(|(u, _)| u.eq_ignore_ascii_case(unit))?.1;
    let n: f64 = number.trim_end().parse().ok()?;
    (n.is_finite() && n > 0.0).then_some(n * factor)
}

/// `min-x min-y width height`, separated by spaces and/or commas; the
/// width and height must be positive.
fn parse_view_box(value: &str) -> Option<(f64, f64)> {
    let numbers: Vec<f64> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers[..] {
        [x, y, w, h] if [x, y, w, h].iter().all(|n| n.is_finite()) && w > 0.0 && h > 0.0 => {
            Some((w, h))
        }
        _ => None,
    }
}

/// Rounded to whole px, at least 1 (the `width`/`height` attributes of
/// `<img>` are whole numbers).
fn whole_px(x: f64) -> u32 {
    // `as` saturates at u32::MAX for absurdly large drawings.
    x.round().max(1.0) as u32
}

/// What is wrong with each of the three attributes, for the warning.
fn why_no_size(width: Option<&str>, height: Option<&str>, view_box: Option<&str>) -> String {
    if width.is_none() && height.is_none() && view_box.is_none() {
        return "its `<svg>` element has no `width`, `height` or `viewBox`".to_string();
    }
    let mut reasons = Vec::new();
    for (name, value) in [("width", width), ("height", height)] {
        match value {
            None => reasons.push(format!("`{name}` is missing")),
            Some(v) if px(v).is_none() => reasons.push(format!(
                "`{name}=\"{v}\"` {}",
                if is_relative(v) {
                    "is relative"
                } else {
                    "is not a length in px"
                }
            )),
            Some(_) => {}
        }
    }
    match view_box {
        None => reasons.push("`viewBox` is missing".to_string()),
        Some(v) => reasons.push(format!(
            "`viewBox=\"{v}\"` is not four numbers with a positive width and height"
        )),
    }
    match reasons.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A length in a unit relative to something outside the drawing.
fn is_relative(value: &str) -> bool {
    let unit = value
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'));
    matches!(
        unit.to_ascii_lowercase().as_str(),
        "%" | "em" | "ex" | "ch" | "rem" | "vw" | "vh" | "vmin" | "vmax" | "auto"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(svg: &str) -> Result<(u32, u32), Problem> {
        size(svg.as_bytes())
    }

    #[test]
    fn width_and_height_in_px_or_without_unit() {
        assert_eq!(
            of(r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"/>"#),
            Ok((100, 50))
        );
        assert_eq!(
            of(r#"<svg width="100px" height=" 50.4px "></svg>"#),
            Ok((100, 50))
        );
    }

    #[test]
    fn absolute_units_become_px() {
        assert_eq!(of(r#"<svg width="72pt" height="1in"/>"#), Ok((96, 96)));
        assert_eq!(of(r#"<svg width="2.54cm" height="10mm"/>"#), Ok((96, 38)));
        assert_eq!(of(r#"<svg width="1PC" height="1e2"/>"#), Ok((16, 100)));
    }

    #[test]
    fn view_box_gives_the_size_when_width_and_height_are_missing() {
        assert_eq!(of(r#"<svg viewBox="0 0 800 450"/>"#), Ok((800, 450)));
        assert_eq!(of(r#"<svg viewBox="-10,-10, 320.5,180"/>"#), Ok((321, 180)));
    }

    #[test]
    fn relative_units_fall_back_to_the_view_box() {
        assert_eq!(
            of(r#"<svg width="100%" height="10em" viewBox="0 0 800 450"/>"#),
            Ok((800, 450))
        );
    }

    #[test]
    fn one_side_and_a_view_box_give_the_other_side_at_its_ratio() {
        assert_eq!(
            of(r#"<svg width="400" viewBox="0 0 800 450"/>"#),
            Ok((400, 225))
        );
        assert_eq!(
            of(r#"<svg width="50%" height="90" viewBox="0 0 800 450"/>"#),
            Ok((160, 90))
        );
    }

    #[test]
    fn prolog_doctype_comments_and_namespaces_come_before_the_root() {
        let svg = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<!-- made by hand -->\n<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"10\"><svg:rect/></svg:svg>";
        assert_eq!(of(svg), Ok((20, 10)));
    }

    #[test]
    fn only_the_root_is_read() {
        // Everything after the root's start tag is never looked at.
        assert_eq!(
            of("<svg width=\"8\" height=\"6\"><g><<< not xml at all"),
            Ok((8, 6))
        );
    }

    #[test]
    fn no_size_says_what_is_missing() {
        assert_eq!(
            of("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>"),
            Err(Problem::NoSize(
                "its `<svg>` element has no `width`, `height` or `viewBox`".into()
            ))
        );
        assert_eq!(
            of(r#"<svg width="100%" height="300"/>"#),
            Err(Problem::NoSize(
                "`width=\"100%\"` is relative and `viewBox` is missing".into()
            ))
        );
        assert_eq!(
            of(r#"<svg width="300"/>"#),
            Err(Problem::NoSize(
                "`height` is missing and `viewBox` is missing".into()
            ))
        );
        assert_eq!(
            of(r#"<svg width="wide" height="auto" viewBox="0 0 0 10"/>"#),
            Err(Problem::NoSize(
                "`width=\"wide\"` is not a length in px, `height=\"auto\"` is relative and `viewBox=\"0 0 0 10\"` is not four numbers with a positive width and height".into()
            ))
        );
    }

    #[test]
    fn another_root_element_is_not_an_svg() {
        assert_eq!(
            of("<!DOCTYPE html><html><body>Not found</body></html>"),
            Err(Problem::NotSvg("html".into()))
        );
    }

    #[test]
    fn no_element_at_all() {
        assert_eq!(of(""), Err(Problem::NoRoot));
        assert_eq!(of("<!-- nothing -->\n"), Err(Problem::NoRoot));
    }

    #[test]
    fn broken_xml_is_not_xml() {
        assert!(matches!(
            of("<svg width=\"1\" height=2>"),
            Err(Problem::NotXml(_))
        ));
        assert!(matches!(
            of("<svg width=\"1\" width=\"2\">"),
            Err(Problem::NotXml(_))
        ));
    }
}
