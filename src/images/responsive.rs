//! Responsive images: every raster figure and lead image is resized into
//! the configured widths (never upscaled) for `srcset`, with a WebP variant
//! where it is smaller, and lead images get 1200-px 16:9, 4:3 and 1:1 crops
//! for `og:image` and the JSON-LD `image`.
//!
//! Outputs are named by a hash of the source bytes and the settings, kept
//! in `.nutgraf-cache/images/` between builds, and copied from there when
//! nothing changed: a rebuild with unchanged images decodes nothing. Each
//! source is processed once per build however many pages use it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::config::ImagesConfig;
use crate::output::Output;
use crate::paths::CACHE_DIR;

/// Bumped when the processing changes, so old cache entries are not reused.
const PIPELINE_VERSION: u32 = 3;
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
    /// WebP versions, one per width, only when every one is smaller.
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Manifest {
    responsive: Responsive,
    crops: Option<Crops>,
}

/// What a build did with images, for its summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImageStats {
    /// Sources decoded and encoded in this build.
    pub processed: usize,
    /// Sources whose outputs all came from the cache.
    pub cached: usize,
}

type Slot = Arc<OnceLock<Option<Arc<Manifest>>>>;

/// Processes images for one build.
pub struct Processor<'a> {
    config: ImagesConfig,
    cache: PathBuf,
    /// Where outputs are copied; nothing is processed when nothing is
    /// written (`check`).
    out: Output<'a>,
    memo: Mutex<HashMap<(PathBuf, bool), Slot>>,
    processed: AtomicUsize,
    cached: AtomicUsize,
}

impl<'a> Processor<'a> {
    pub fn new(root: &Path, config: &ImagesConfig, out: Output<'a>) -> Processor<'a> {
        Processor {
            config: config.clone(),
            cache: root.join(CACHE_DIR).join("images"),
            out,
            memo: Mutex::new(HashMap::new()),
            processed: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
        }
    }

    pub fn stats(&self) -> ImageStats {
        ImageStats {
            processed: self.processed.load(Ordering::Relaxed),
            cached: self.cached.load(Ordering::Relaxed),
        }
    }

    /// The configured `sizes` attribute.
    pub fn sizes(&self) -> &str {
        &self.config.sizes
    }

    /// Resized versions of `file`; `None` when nothing is written, the file
    /// is not a raster image we process, or processing failed.
    pub fn responsive(&self, file: &Path) -> Option<Responsive> {
        self.manifest(file, false).map(|m| m.responsive.clone())
    }

    /// Resized versions plus the lead crops.
    pub fn lead(&self, file: &Path) -> Option<(Responsive, Option<Crops>)> {
        self.manifest(file, true)
            .map(|m| (m.responsive.clone(), m.crops.clone()))
    }

    fn manifest(&self, file: &Path, crops: bool) -> Option<Arc<Manifest>> {
        if !self.out.writes() {
            return None;
        }
        if !cfg!(feature = "images") || !is_processed_format(file) {
            return None;
        }
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry((file.to_path_buf(), crops)).or_default().clone()
        };
        // The first caller processes; others wait for its result.
        slot.get_or_init(|| match self.process(file, crops) {
            Ok((manifest, from_cache)) => {
                let counter = if from_cache {
                    &self.cached
                } else {
                    &self.processed
                };
                counter.fetch_add(1, Ordering::Relaxed);
                Some(Arc::new(manifest))
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

    /// Returns the manifest and whether it came entirely from the cache.
    fn process(&self, file: &Path, crops: bool) -> anyhow::Result<(Manifest, bool)> {
        let bytes = crate::fs::read(file)?;
        let key = {
            let mut h = blake3::Hasher::new();
            h.update(&bytes);
            h.update(
                format!(
                    "v{PIPELINE_VERSION} {:?} q{} webp{} crops{crops}",
                    self.config.widths, self.config.quality, self.config.webp
                )
                .as_bytes(),
            );
            h.finalize().to_hex()[..20].to_string()
        };
        let manifest_path = self.cache.join(format!("{key}.json"));
        if let Some(manifest) = self.cached_manifest(&manifest_path) {
            self.publish(&manifest)?;
            return Ok((manifest, true));
        }
        let manifest = encode::run(&bytes, file, &key, &self.config, crops, &self.cache)?;
        write_atomic(&manifest_path, &serde_json::to_vec(&manifest)?)?;
        self.publish(&manifest)?;
        Ok((manifest, false))
    }

    /// A cached manifest whose files are all present.
    fn cached_manifest(&self, path: &Path) -> Option<Manifest> {
        let manifest: Manifest = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        let all_there = variants(&manifest).all(|v| self.cache.join(file_name(&v.url)).is_file());
        all_there.then_some(manifest)
    }

    /// Copies a manifest's files from the cache into the output.
    fn publish(&self, manifest: &Manifest) -> anyhow::Result<()> {
        for v in variants(manifest) {
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

fn variants(m: &Manifest) -> impl Iterator<Item = &Variant> {
    let crops = m
        .crops
        .iter()
        .flat_map(|c| [&c.wide, &c.standard, &c.square]);
    m.responsive
        .resized
        .iter()
        .chain(&m.responsive.webp)
        .chain(crops)
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
    //! Decoding, resizing and encoding with the `image` crate.

    use std::io::Cursor;
    use std::path::Path;

    use anyhow::Context;
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    use image::codecs::webp::WebPEncoder;
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

    use super::{CROP_WIDTH, Crops, Manifest, Responsive, Variant, write_atomic};
    use crate::config::ImagesConfig;
    use crate::paths::ASSETS_DIR;

    pub(super) fn run(
        bytes: &[u8],
        file: &Path,
        key: &str,
        config: &ImagesConfig,
        crops: bool,
        cache: &Path,
    ) -> anyhow::Result<Manifest> {
        let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
        let format = reader.format().context("unknown image format")?;
        let mut decoder = reader.into_decoder()?;
        let orientation = decoder.orientation()?;
        let mut image = DynamicImage::from_decoder(decoder)
            .with_context(|| format!("cannot decode `{}`", file.display()))?;
        image.apply_orientation(orientation);
        let (ext, out_format) = match format {
            ImageFormat::Png => ("png", ImageFormat::Png),
            ImageFormat::WebP => ("webp", ImageFormat::WebP),
            _ => ("jpg", ImageFormat::Jpeg),
        };

        let mut responsive = Responsive::default();
        let mut webp = Vec::new();
        // Lossless WebP (all the image crate writes) wins on flat-colour PNG
        // art and practically never on JPEG photos, so only PNGs try it.
        let mut webp_smaller = config.webp && out_format == ImageFormat::Png;
        for &width in config.widths.iter().filter(|&&w| w < image.width()) {
            let height = scaled_height(image.width(), image.height(), width);
            let resized = resize(&image, width, height, None)?;
            let encoded = encode(&resized, out_format, config.quality)?;
            let name = format!("{key}-{width}.{ext}");
            write_atomic(&cache.join(&name), &encoded)?;
            responsive.resized.push(variant(&name, width, height));
            if webp_smaller {
                let encoded_webp = encode(&resized, ImageFormat::WebP, config.quality)?;
                if encoded_webp.len() < encoded.len() {
                    let name = format!("{key}-{width}.webp");
                    write_atomic(&cache.join(&name), &encoded_webp)?;
                    webp.push(variant(&name, width, height));
                } else {
                    webp_smaller = false;
                }
            }
        }
        // The WebP set also needs the full-size image, or wide screens
        // would get a smaller picture than the <img> offers.
        if webp_smaller && webp.len() == responsive.resized.len() && !webp.is_empty() {
            let full = encode(&image, ImageFormat::WebP, config.quality)?;
            if full.len() < bytes.len() {
                let name = format!("{key}-{}.webp", image.width());
                write_atomic(&cache.join(&name), &full)?;
                webp.push(variant(&name, image.width(), image.height()));
                responsive.webp = webp;
            }
        }

        let crops = if crops {
            let crop = |ratio_w: u32, ratio_h: u32, label: &str| -> anyhow::Result<Variant> {
                let (w, h) = (image.width(), image.height());
                // the largest centred box with this aspect ratio
                let (cw, ch) =
                    if u64::from(w) * u64::from(ratio_h) > u64::from(h) * u64::from(ratio_w) {
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
                let resized = resize(&image, out_w, out_h, Some(area))?;
                let encoded = encode(&resized, out_format, config.quality)?;
                let name = format!("{key}-{label}.{ext}");
                write_atomic(&cache.join(&name), &encoded)?;
                Ok(variant(&name, out_w, out_h))
            };
            Some(Crops {
                wide: crop(16, 9, "16x9")?,
                standard: crop(4, 3, "4x3")?,
                square: crop(1, 1, "1x1")?,
            })
        } else {
            None
        };
        Ok(Manifest { responsive, crops })
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

    fn encode(image: &DynamicImage, format: ImageFormat, quality: u8) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        match format {
            ImageFormat::Jpeg => {
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
            ImageFormat::WebP => {
                // The image crate writes lossless WebP; it wins on
                // illustrations and flat colour, rarely on photos.
                let rgba = image.to_rgba8();
                WebPEncoder::new_lossless(&mut out).encode(
                    rgba.as_raw(),
                    rgba.width(),
                    rgba.height(),
                    image::ExtendedColorType::Rgba8,
                )?;
            }
            other => image.write_to(&mut Cursor::new(&mut out), other)?,
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
            let bytes = encode(&DynamicImage::ImageRgb8(image), ImageFormat::Jpeg, 80)
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

    use super::Manifest;
    use crate::config::ImagesConfig;

    pub(super) fn run(
        _: &[u8],
        _: &Path,
        _: &str,
        _: &ImagesConfig,
        _: bool,
        _: &Path,
    ) -> anyhow::Result<Manifest> {
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
