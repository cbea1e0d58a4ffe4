//! Responsive images: every raster figure and lead image is resized into
//! the configured widths (never upscaled) for `srcset`, with a WebP set
//! (lossy for photos, lossless for PNG art) where it is smaller, and lead
//! images get 1200-px 16:9, 4:3 and 1:1 crops for `og:image` and the
//! JSON-LD `image`.
//!
//! Outputs are named by a hash of the source bytes and the settings, kept
//! in `.nutgraf-cache/images/` between builds, and copied from there when
//! nothing changed: a rebuild with unchanged images decodes nothing. Each
//! source is processed once per build however many pages use it, and its
//! widths are one cache entry whether it is a lead, a figure or both.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::config::ImagesConfig;
use crate::images::sizes::Sizes;
use crate::output::Output;
use crate::paths::CACHE_DIR;

/// Bumped when the processing changes, so old cache entries are not reused.
/// 4: lossy WebP for JPEG sources; widths and crops cached apart.
const PIPELINE_VERSION: u32 = 4;
/// Width of the lead image crops (Google asks for at least 1200 px).
pub const CROP_WIDTH: u32 = 1200;

/// One published image file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// The resized versions of one image, smallest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsive {
    /// Same format as the source; the original itself is not listed.
    pub resized: Vec<Variant>,
    /// WebP versions of the resized ones and of the original, when they
    /// are smaller (see [`encode`]); empty otherwise.
    pub webp: Vec<Variant>,
}

/// Lead image crops, each [`CROP_WIDTH`] wide (or narrower when the
/// source is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crops {
    pub wide: Variant,
    pub standard: Variant,
    pub square: Variant,
}

/// One cache entry of a source: its widths, or its crops (leads only).
/// Each is keyed by what makes it, so a photo that is both a lead and a
/// figure is resized once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Widths,
    Crops,
}

/// What a [`Part`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Made {
    Widths(Responsive),
    Crops(Crops),
}

impl Made {
    fn files(&self) -> Vec<&Variant> {
        match self {
            Made::Widths(r) => r.resized.iter().chain(&r.webp).collect(),
            Made::Crops(c) => vec![&c.wide, &c.standard, &c.square],
        }
    }
}

/// What a build did with images, for its summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImageStats {
    /// Sources decoded and encoded in this build.
    pub processed: usize,
    /// Sources whose outputs all came from the cache.
    pub cached: usize,
}

type Slot = Arc<OnceLock<Option<Arc<Made>>>>;

/// Processes images for one build.
pub struct Processor<'a> {
    config: ImagesConfig,
    /// The `sizes` of each place images show in (theme and site).
    sizes: Sizes,
    cache: PathBuf,
    /// Where outputs are copied; nothing is processed when nothing is
    /// written (`check`).
    out: Output<'a>,
    memo: Mutex<HashMap<(PathBuf, Part), Slot>>,
    /// Each source asked for, and whether anything of it was encoded in
    /// this build.
    sources: Mutex<HashMap<PathBuf, bool>>,
}

impl<'a> Processor<'a> {
    pub fn new(
        root: &Path,
        config: &ImagesConfig,
        sizes: &Sizes,
        out: Output<'a>,
    ) -> Processor<'a> {
        Processor {
            config: config.clone(),
            sizes: sizes.clone(),
            cache: root.join(CACHE_DIR).join("images"),
            out,
            memo: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        }
    }

    pub fn stats(&self) -> ImageStats {
        let sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let processed = sources.values().filter(|&&made| made).count();
        ImageStats {
            processed,
            cached: sources.len() - processed,
        }
    }

    /// The `sizes` of each place images show in.
    pub fn sizes(&self) -> &Sizes {
        &self.sizes
    }

    /// Resized versions of `file`; `None` when nothing is written, the file
    /// is not a raster image we process, or processing failed.
    pub fn responsive(&self, file: &Path) -> Option<Responsive> {
        match self.part(file, Part::Widths)?.as_ref() {
            Made::Widths(r) => Some(r.clone()),
            Made::Crops(_) => None,
        }
    }

    /// Resized versions plus the lead crops.
    pub fn lead(&self, file: &Path) -> Option<(Responsive, Option<Crops>)> {
        let responsive = self.responsive(file)?;
        let crops = match self.part(file, Part::Crops).as_deref() {
            Some(Made::Crops(c)) => Some(c.clone()),
            _ => None,
        };
        Some((responsive, crops))
    }

    fn part(&self, file: &Path, part: Part) -> Option<Arc<Made>> {
        // `widths = []` turns resizing off: images are published as they
        // are, with no srcset, WebP or lead crops.
        if !self.out.writes() || self.config.widths.is_empty() {
            return None;
        }
        if !cfg!(feature = "images") || !is_processed_format(file) {
            return None;
        }
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry((file.to_path_buf(), part)).or_default().clone()
        };
        // The first caller processes; others wait for its result.
        slot.get_or_init(|| match self.process(file, part) {
            Ok((made, encoded)) => {
                let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
                *sources.entry(file.to_path_buf()).or_default() |= encoded;
                Some(Arc::new(made))
            }
            Err(e) => {
                eprintln!(
                    "warning: could not process image `{}`: {e:#}",
                    file.display()
                );
                None
            }
        })
        .clone()
    }

    /// Returns the part and whether it was encoded (not from the cache).
    fn process(&self, file: &Path, part: Part) -> anyhow::Result<(Made, bool)> {
        let bytes = crate::fs::read(file)?;
        let c = &self.config;
        // What the files depend on besides the source's bytes.
        let settings = match part {
            Part::Widths => format!("{:?} q{} {}", c.widths, c.quality, c.format.name()),
            Part::Crops => format!("crops q{}", c.quality),
        };
        let key = {
            let mut h = blake3::Hasher::new();
            h.update(&bytes);
            h.update(format!("v{PIPELINE_VERSION} {settings}").as_bytes());
            h.finalize().to_hex()[..20].to_string()
        };
        let entry = self.cache.join(format!("{key}.json"));
        if let Some(made) = self.cached(&entry) {
            self.publish(&made)?;
            return Ok((made, false));
        }
        let made = encode::run(&bytes, file, &key, part, &self.config, &self.cache)?;
        write_atomic(&entry, &serde_json::to_vec(&made)?)?;
        self.publish(&made)?;
        Ok((made, true))
    }

    /// A cached entry whose files are all present.
    fn cached(&self, path: &Path) -> Option<Made> {
        let made: Made = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        let all_there = made
            .files()
            .iter()
            .all(|v| self.cache.join(file_name(&v.url)).is_file());
        all_there.then_some(made)
    }

    /// Copies an entry's files from the cache into the output.
    fn publish(&self, made: &Made) -> anyhow::Result<()> {
        for v in made.files() {
            self.out.cached_image(
                v.url.trim_start_matches('/'),
                &self.cache.join(file_name(&v.url)),
            )?;
        }
        Ok(())
    }
}

/// Writes a cache file under a temporary name and renames it into place, so
/// a concurrent build never reads half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(
        format!(
            "tmp-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        )
        .replace(['(', ')'], ""),
    );
    crate::fs::write_creating_dirs(&tmp, bytes)?;
    crate::fs::rename(&tmp, path)
}

fn file_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// JPEG, PNG and WebP are resized; GIFs (often animated), SVGs and others
/// are published as they are.
fn is_processed_format(file: &Path) -> bool {
    file.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "jpg" | "jpeg" | "png" | "webp"
        )
    })
}

/// The `srcset` value for variants plus the original at its own width.
pub fn srcset(variants: &[Variant], original: Option<(&str, u32)>) -> String {
    let mut parts: Vec<String> = variants
        .iter()
        .map(|v| format!("{} {}w", v.url, v.width))
        .collect();
    if let Some((url, width)) = original {
        parts.push(format!("{url} {width}w"));
    }
    parts.join(", ")
}

#[cfg(feature = "images")]
mod encode {
    //! Decoding, resizing and encoding: the `image` crate decodes,
    //! fast_image_resize resizes, jpeg-encoder writes JPEG, libwebp
    //! (the `webp` crate, built from source) lossy WebP, and the `image`
    //! crate lossless WebP and PNG.

    use std::io::Cursor;
    use std::path::Path;

    use anyhow::Context;
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    use image::codecs::webp::WebPEncoder;
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
    use rayon::prelude::*;

    use super::{CROP_WIDTH, Crops, Made, Part, Responsive, Variant, write_atomic};
    use crate::config::{ImagesConfig, ModernFormat};
    use crate::paths::ASSETS_DIR;

    /// Decodes the source and makes `part` of it, named after `key`.
    pub(super) fn run(
        bytes: &[u8],
        file: &Path,
        key: &str,
        part: Part,
        config: &ImagesConfig,
        cache: &Path,
    ) -> anyhow::Result<Made> {
        let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
        let format = reader.format().context("unknown image format")?;
        let mut decoder = reader.into_decoder()?;
        let orientation = decoder.orientation()?;
        let mut image = DynamicImage::from_decoder(decoder)
            .with_context(|| format!("cannot decode `{}`", file.display()))?;
        image.apply_orientation(orientation);
        let out = match format {
            ImageFormat::Png => Out::Png,
            ImageFormat::WebP => Out::WebP,
            _ => Out::Jpeg,
        };
        Ok(match part {
            Part::Widths => Made::Widths(widths(&image, bytes.len(), out, key, config, cache)?),
            Part::Crops => Made::Crops(crops(&image, out, key, config.quality, cache)?),
        })
    }

    /// The format resized files are written in: the source's.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Out {
        Jpeg,
        Png,
        WebP,
    }

    impl Out {
        fn ext(self) -> &'static str {
            match self {
                Out::Jpeg => "jpg",
                Out::Png => "png",
                Out::WebP => "webp",
            }
        }
    }

    /// The configured widths below the image's own, each in the source's
    /// format, and the WebP set where it is smaller:
    ///
    /// - a photo (JPEG) gets lossy WebP at the JPEG's quality, offered when
    ///   the whole set is smaller than the JPEGs it stands for (the resized
    ///   ones and the original);
    /// - PNG art gets lossless WebP, offered when every file is smaller
    ///   than its PNG: flat colour wins, photos saved as PNG may not.
    ///
    /// The WebP set also has the image at its own width, or wide screens
    /// would get a smaller picture than the `<img>` offers.
    fn widths(
        image: &DynamicImage,
        original_bytes: usize,
        out: Out,
        key: &str,
        config: &ImagesConfig,
        cache: &Path,
    ) -> anyhow::Result<Responsive> {
        let webp = match (config.format, out) {
            (ModernFormat::Webp, Out::Jpeg) => Some(Webp::Lossy(config.quality)),
            (ModernFormat::Webp, Out::Png) => Some(Webp::Lossless),
            (ModernFormat::None, _) | (_, Out::WebP) => None,
        };
        let wanted: Vec<u32> = config
            .widths
            .iter()
            .copied()
            .filter(|&w| w < image.width())
            .collect();
        // Each width resized and encoded on its own thread; the full-size
        // WebP, the largest job, beside them. A WebP that cannot be made
        // (libwebp refuses sides over 16,383 px) leaves the source's format
        // alone, as a WebP that is not smaller does.
        let (made, full) = rayon::join(
            || {
                wanted
                    .par_iter()
                    .map(|&width| {
                        let height = scaled_height(image.width(), image.height(), width);
                        let resized = resize(image, width, height, None)?;
                        let encoded = encode(&resized, out, config.quality)?;
                        let name = format!("{key}-{width}.{}", out.ext());
                        write_atomic(&cache.join(&name), &encoded)?;
                        let webp = webp.and_then(|w| w.encode(&resized).ok());
                        Ok((variant(&name, width, height), encoded.len(), webp))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            },
            || webp.and_then(|w| w.encode(image).ok()),
        );
        let made = made?;
        let mut responsive = Responsive {
            resized: made.iter().map(|(v, _, _)| v.clone()).collect(),
            webp: Vec::new(),
        };
        let (Some(kind), Some(full)) = (webp, full) else {
            return Ok(responsive);
        };
        let all_made = made.iter().all(|(_, _, w)| w.is_some()) && !made.is_empty();
        let smaller = match kind {
            Webp::Lossy(_) => {
                let webp: usize = made
                    .iter()
                    .filter_map(|(_, _, w)| w.as_ref().map(Vec::len))
                    .sum();
                let own: usize = made.iter().map(|(_, len, _)| len).sum();
                webp + full.len() < own + original_bytes
            }
            Webp::Lossless => {
                made.iter()
                    .all(|(_, len, w)| w.as_ref().is_some_and(|w| w.len() < *len))
                    && full.len() < original_bytes
            }
        };
        if !(all_made && smaller) {
            return Ok(responsive);
        }
        for (v, _, encoded) in &made {
            let name = format!("{key}-{}.webp", v.width);
            write_atomic(&cache.join(&name), encoded.as_deref().unwrap_or_default())?;
            responsive.webp.push(variant(&name, v.width, v.height));
        }
        let name = format!("{key}-{}.webp", image.width());
        write_atomic(&cache.join(&name), &full)?;
        responsive
            .webp
            .push(variant(&name, image.width(), image.height()));
        Ok(responsive)
    }

    /// How WebP versions are encoded.
    #[derive(Debug, Clone, Copy)]
    enum Webp {
        /// libwebp's lossy mode at this quality (0–100, the scale of
        /// `cwebp -q`); photos only.
        Lossy(u8),
        /// The `image` crate's lossless encoder: it wins on illustrations
        /// and flat colour, rarely on photos.
        Lossless,
    }

    impl Webp {
        fn encode(self, image: &DynamicImage) -> anyhow::Result<Vec<u8>> {
            match self {
                Webp::Lossy(quality) => {
                    let rgb = image.to_rgb8();
                    let encoder = webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height());
                    let mut options = webp::WebPConfig::new()
                        .map_err(|()| anyhow::anyhow!("libwebp refused its default settings"))?;
                    options.quality = f32::from(quality);
                    // The default effort (method 4 of 0–6): 6 is a few
                    // per cent smaller and twice as slow.
                    let encoded = encoder
                        .encode_advanced(&options)
                        .map_err(|e| anyhow::anyhow!("libwebp could not encode: {e:?}"))?;
                    Ok(encoded.to_vec())
                }
                Webp::Lossless => {
                    let mut out = Vec::new();
                    let rgba = image.to_rgba8();
                    WebPEncoder::new_lossless(&mut out).encode(
                        rgba.as_raw(),
                        rgba.width(),
                        rgba.height(),
                        image::ExtendedColorType::Rgba8,
                    )?;
                    Ok(out)
                }
            }
        }
    }

    /// The lead's 16:9, 4:3 and 1:1 crops, [`CROP_WIDTH`] wide or the
    /// source's width, in the source's format.
    fn crops(
        image: &DynamicImage,
        out: Out,
        key: &str,
        quality: u8,
        cache: &Path,
    ) -> anyhow::Result<Crops> {
        let crop = |ratio_w: u32, ratio_h: u32, label: &str| -> anyhow::Result<Variant> {
            let (w, h) = (image.width(), image.height());
            // the largest centred box with this aspect ratio
            let (cw, ch) = if u64::from(w) * u64::from(ratio_h) > u64::from(h) * u64::from(ratio_w)
            {
                (
                    (h as f64 * f64::from(ratio_w) / f64::from(ratio_h)).round() as u32,
                    h,
                )
            } else {
                (
                    w,
                    (w as f64 * f64::from(ratio_h) / f64::from(ratio_w)).round() as u32,
                )
            };
            let out_w = CROP_WIDTH.min(cw).max(1);
            let out_h = scaled_height(cw, ch, out_w);
            let area = (
                f64::from((w - cw) / 2),
                f64::from((h - ch) / 2),
                f64::from(cw.max(1)),
                f64::from(ch.max(1)),
            );
            let resized = resize(image, out_w, out_h, Some(area))?;
            let encoded = encode(&resized, out, quality)?;
            let name = format!("{key}-{label}.{}", out.ext());
            write_atomic(&cache.join(&name), &encoded)?;
            Ok(variant(&name, out_w, out_h))
        };
        Ok(Crops {
            wide: crop(16, 9, "16x9")?,
            standard: crop(4, 3, "4x3")?,
            square: crop(1, 1, "1x1")?,
        })
    }

    /// Lanczos3 resampling (SIMD, fast_image_resize) of the whole image or
    /// of the `(left, top, width, height)` area.
    fn resize(
        src: &DynamicImage,
        width: u32,
        height: u32,
        area: Option<(f64, f64, f64, f64)>,
    ) -> anyhow::Result<DynamicImage> {
        // Grey, grey+alpha and 16-bit images are resized as RGB(A) 8-bit.
        let src = match src {
            DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => {
                std::borrow::Cow::Borrowed(src)
            }
            other if other.color().has_alpha() => {
                std::borrow::Cow::Owned(DynamicImage::ImageRgba8(other.to_rgba8()))
            }
            other => std::borrow::Cow::Owned(DynamicImage::ImageRgb8(other.to_rgb8())),
        };
        let mut dst = DynamicImage::new(width, height, src.color());
        let mut options =
            ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        if let Some((left, top, w, h)) = area {
            options = options.crop(left, top, w, h);
        }
        Resizer::new().resize(src.as_ref(), &mut dst, &options)?;
        Ok(dst)
    }

    fn scaled_height(w: u32, h: u32, new_w: u32) -> u32 {
        ((u64::from(h) * u64::from(new_w) + u64::from(w) / 2) / u64::from(w.max(1))).max(1) as u32
    }

    fn variant(name: &str, width: u32, height: u32) -> Variant {
        Variant {
            url: format!("/{ASSETS_DIR}/img/{name}"),
            width,
            height,
        }
    }

    /// Encodes a resized image in the source's format.
    fn encode(image: &DynamicImage, format: Out, quality: u8) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        match format {
            Out::Jpeg => {
                // jpeg-encoder rather than the image crate's encoder: with
                // AVX2 it encodes the bench corpus's photos several times
                // faster, and it subsamples chroma (4:2:0 below quality 90,
                // as libjpeg does): the bench photos came out 29 % smaller.
                // Standard Huffman tables: with optimised ones a flat-colour
                // image came out unreadable to zune-jpeg (image-rs's
                // decoder), though libjpeg read it; see the test below.
                let rgb = image.to_rgb8();
                let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
                // Chroma from the top-left pixel of each 2×2 block (the
                // crate's fastest method, as measured); `Average` would
                // match libjpeg's box filter at some cost, not yet measured.
                encoder
                    .set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Nearest);
                let (width, height) = (u16::try_from(rgb.width()), u16::try_from(rgb.height()));
                let (Ok(width), Ok(height)) = (width, height) else {
                    anyhow::bail!("{}×{} is too large for a JPEG", rgb.width(), rgb.height());
                };
                encoder.encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)?;
            }
            // A WebP source stays lossless WebP, as before.
            Out::WebP => out = Webp::Lossless.encode(image)?,
            Out::Png => image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?,
        }
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        // Regression: with jpeg-encoder's optimised Huffman tables this
        // image decoded as green ([0, 216, 0]) in image-rs, so any tool on
        // that stack would misread our output.
        #[test]
        fn jpeg_output_decodes_to_the_same_size_and_colours() {
            // Left half red, right half blue, 64×40: odd chroma blocks
            // would show up as a size or colour error here.
            let image = image::RgbImage::from_fn(64, 40, |x, _| {
                if x < 32 {
                    image::Rgb([200, 30, 30])
                } else {
                    image::Rgb([30, 30, 200])
                }
            });
            let bytes = encode(&DynamicImage::ImageRgb8(image), Out::Jpeg, 80)
                .unwrap_or_else(|e| panic!("{e:#}"));
            let decoded = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg)
                .unwrap_or_else(|e| panic!("{e}"))
                .to_rgb8();
            assert_eq!(decoded.dimensions(), (64, 40));
            let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 24);
            assert!(near(decoded.get_pixel(8, 20).0, [200, 30, 30]));
            assert!(near(decoded.get_pixel(56, 20).0, [30, 30, 200]));
        }
    }
}

#[cfg(not(feature = "images"))]
mod encode {
    use std::path::Path;

    use super::{Made, Part};
    use crate::config::ImagesConfig;

    pub(super) fn run(
        _: &[u8],
        _: &Path,
        _: &str,
        _: Part,
        _: &ImagesConfig,
        _: &Path,
    ) -> anyhow::Result<Made> {
        anyhow::bail!("built without the `images` feature")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_lists_variants_then_the_original() {
        let v = vec![Variant {
            url: "/assets/img/a-480.jpg".into(),
            width: 480,
            height: 320,
        }];
        assert_eq!(
            srcset(&v, Some(("/x.jpg", 1600))),
            "/assets/img/a-480.jpg 480w, /x.jpg 1600w"
        );
    }

    #[test]
    fn svgs_and_gifs_are_never_resized() {
        for name in ["flow.svg", "Flow.SVG", "anim.gif", "noext"] {
            assert!(!is_processed_format(Path::new(name)), "{name}");
        }
        for name in ["a.jpg", "a.JPEG", "a.png", "a.webp"] {
            assert!(is_processed_format(Path::new(name)), "{name}");
        }
    }
}
