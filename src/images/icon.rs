//! `icon = "…"` in nutgraf.toml: the site's icon files made from one
//! square raster image, in place of the theme's: `icon-32.png`,
//! `apple-touch-icon.png` (180 x 180, flattened on white: iOS fills
//! transparency with black) and `favicon.ico` (16 and 32 px). The results
//! are kept in `.nutgraf-cache/icons/<hash of the source>/`, so a build or
//! a `serve` pass reads three small files instead of decoding the source.

use std::path::Path;

use crate::config::{CONFIG_FILE, IconSource};
use crate::diagnostic::Diagnostic;

/// The files made, by output path.
pub const MADE: [&str; 3] = ["icon-32.png", "apple-touch-icon.png", "favicon.ico"];

/// The theme's icon files that `icon` replaces: the made ones, and the
/// SVG, which would show another picture.
pub const REPLACED: [&str; 4] = ["icon.svg", MADE[0], MADE[1], MADE[2]];

/// The smallest source: the apple-touch-icon's size.
pub const MIN_SIZE: u32 = 180;

/// The icon files for `source` (relative to `root`), from the cache or
/// made now.
pub fn make(root: &Path, source: &IconSource) -> Result<Vec<(&'static str, Vec<u8>)>, Diagnostic> {
    let error = |message: String, hint: &str| {
        Diagnostic::error(CONFIG_FILE, source.at, message).with_hint(hint.to_string())
    };
    let bytes = std::fs::read(root.join(&source.path)).map_err(|e| {
        error(
            format!("cannot read the icon `{}`: {e}", source.path),
            "the path is relative to the site's folder (where nutgraf.toml is), e.g. `icon = \"static/logo.png\"`",
        )
    })?;
    let key = blake3::hash(&bytes).to_hex();
    let cache = root
        .join(crate::paths::CACHE_DIR)
        .join("icons")
        .join(&key[..32]);
    let cached: Option<Vec<(&'static str, Vec<u8>)>> = MADE
        .iter()
        .map(|name| std::fs::read(cache.join(name)).ok().map(|b| (*name, b)))
        .collect();
    if let Some(files) = cached {
        return Ok(files);
    }
    let files = draw(&bytes).map_err(|why| {
        error(
            format!("cannot make icons from `{}`: {why}", source.path),
            "give a square PNG, JPEG or WebP of at least 180 x 180 pixels",
        )
    })?;
    // The cache is a convenience: a failure to write it costs the next
    // build the same work, nothing else.
    if std::fs::create_dir_all(&cache).is_ok() {
        for (name, data) in &files {
            let _ = std::fs::write(cache.join(name), data);
        }
    }
    Ok(files)
}

#[cfg(feature = "images")]
fn draw(bytes: &[u8]) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    use image::imageops::FilterType;
    use image::{ImageEncoder, RgbaImage};

    let source = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
    let (w, h) = (source.width(), source.height());
    if w.min(h) < MIN_SIZE {
        return Err(format!(
            "it is {w} x {h}; the apple-touch-icon alone needs {MIN_SIZE} x {MIN_SIZE}"
        ));
    }
    // A non-square image is cut to its centre square.
    let side = w.min(h);
    let square = source.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    let sized =
        |n: u32| -> RgbaImage { square.resize_exact(n, n, FilterType::Lanczos3).to_rgba8() };
    let png = |img: &RgbaImage| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                img,
                img.width(),
                img.height(),
                image::ExtendedColorType::Rgba8,
            )
            .map_err(|e| e.to_string())?;
        Ok(out)
    };
    let mut touch = sized(180);
    for pixel in touch.pixels_mut() {
        let a = f32::from(pixel[3]) / 255.0;
        for c in 0..3 {
            pixel[c] = (f32::from(pixel[c]) * a + 255.0 * (1.0 - a)).round() as u8;
        }
        pixel[3] = 255;
    }
    let small = [sized(16), sized(32)];
    let frames = small
        .iter()
        .map(|img| {
            image::codecs::ico::IcoFrame::as_png(
                img.as_raw(),
                img.width(),
                img.height(),
                image::ExtendedColorType::Rgba8,
            )
            .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut ico = Vec::new();
    image::codecs::ico::IcoEncoder::new(&mut ico)
        .encode_images(&frames)
        .map_err(|e| e.to_string())?;
    Ok(vec![
        ("icon-32.png", png(&small[1])?),
        ("apple-touch-icon.png", png(&touch)?),
        ("favicon.ico", ico),
    ])
}

#[cfg(not(feature = "images"))]
fn draw(_bytes: &[u8]) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    Err("this nutgraf was built without the `images` feature, which makes them; put the icon files in static/ instead".to_string())
}
