//! Measures the lossy WebP nutgraf offers beside the JPEG of a photo:
//! bytes against the JPEG at the same quality setting, the cold encode
//! time on all cores, and PSNR against the resized source.
//!
//! ```sh
//! cargo run --profile codecs --example photo_codecs --no-default-features \
//!     --features images -- /work/shared/bench/img [--quality 82] [--method 4]
//! ```
//!
//! AVIF (ravif) was measured the same way before WebP was chosen: see the
//! README's "Responsive images" and this file's history.
//!
//! Every photo in the folder is resized (Lanczos3, as a build does) into
//! each default width it is wider than, plus its own width, and each
//! codec encodes that whole set; photos are spread over rayon's threads
//! and each encoder runs single-threaded, as in a build.

use std::path::PathBuf;
use std::time::Instant;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, RgbImage};
use rayon::prelude::*;

const WIDTHS: &[u32] = &[480, 600, 680, 760, 900, 1200, 1600];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut quality = 82u8;
    let mut method = 4i32;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quality" => quality = args.next().unwrap_or_default().parse()?,
            "--method" => method = args.next().unwrap_or_default().parse()?,
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let Some(dir) = dir else {
        anyhow::bail!("usage: photo_codecs DIR [--quality 82] [--method 4]");
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"))
        })
        .collect();
    files.sort();
    println!(
        "{} photos in {}, quality {quality}, widths {WIDTHS:?} (each below the photo's width, plus its own), {} threads",
        files.len(),
        dir.display(),
        rayon::current_num_threads()
    );

    let start = Instant::now();
    let sets: Vec<Vec<RgbImage>> = files
        .par_iter()
        .map(|f| -> anyhow::Result<Vec<RgbImage>> {
            let image = image::open(f)?.to_rgb8();
            let mut set: Vec<RgbImage> = WIDTHS
                .iter()
                .filter(|&&w| w < image.width())
                .map(|&w| resize(&image, w))
                .collect::<anyhow::Result<_>>()?;
            set.push(image);
            Ok(set)
        })
        .collect::<anyhow::Result<_>>()?;
    let pixels: u64 = sets
        .iter()
        .flatten()
        .map(|i| u64::from(i.width()) * u64::from(i.height()))
        .sum();
    println!(
        "decode and resize: {:.2} s; {} images, {:.1} megapixels to encode\n",
        start.elapsed().as_secs_f64(),
        sets.iter().map(Vec::len).sum::<usize>(),
        pixels as f64 / 1e6
    );

    let jpeg = run(
        "JPEG (jpeg-encoder)",
        &sets,
        |i| jpeg(i, quality),
        Some(image::ImageFormat::Jpeg),
        None,
    )?;
    run(
        &format!("WebP lossy (libwebp, method {method})"),
        &sets,
        |i| webp_lossy(i, quality, method),
        Some(image::ImageFormat::WebP),
        Some(jpeg),
    )?;
    Ok(())
}

/// Encodes every image of every set, photos in parallel; prints and
/// returns the total bytes.
fn run(
    name: &str,
    sets: &[Vec<RgbImage>],
    encode: impl Fn(&RgbImage) -> anyhow::Result<Vec<u8>> + Sync,
    decode: Option<image::ImageFormat>,
    jpeg: Option<u64>,
) -> anyhow::Result<u64> {
    let start = Instant::now();
    let encoded: Vec<Vec<Vec<u8>>> = sets
        .par_iter()
        .map(|set| set.iter().map(&encode).collect())
        .collect::<anyhow::Result<_>>()?;
    let secs = start.elapsed().as_secs_f64();
    let bytes: u64 = encoded.iter().flatten().map(|b| b.len() as u64).sum();
    let psnr = match decode {
        Some(format) => {
            let all: Vec<f64> = sets
                .iter()
                .flatten()
                .zip(encoded.iter().flatten())
                .map(|(src, enc)| {
                    let back = image::load_from_memory_with_format(enc, format)?.to_rgb8();
                    Ok(psnr(src, &back))
                })
                .collect::<anyhow::Result<_>>()?;
            format!("{:.2} dB", all.iter().sum::<f64>() / all.len() as f64)
        }
        None => "(no decoder here)".to_string(),
    };
    let versus = match jpeg {
        Some(j) => format!(
            ", {:+.1} % against JPEG",
            (bytes as f64 / j as f64 - 1.0) * 100.0
        ),
        None => String::new(),
    };
    println!(
        "{name}\n  {:.1} KiB in all{versus}\n  cold encode {secs:.2} s\n  mean PSNR {psnr}\n",
        bytes as f64 / 1024.0
    );
    Ok(bytes)
}

fn resize(src: &RgbImage, width: u32) -> anyhow::Result<RgbImage> {
    let height = ((u64::from(src.height()) * u64::from(width) + u64::from(src.width()) / 2)
        / u64::from(src.width())) as u32;
    let mut dst = DynamicImage::new_rgb8(width, height);
    let src = DynamicImage::ImageRgb8(src.clone());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&src, &mut dst, &options)?;
    Ok(dst.to_rgb8())
}

/// The JPEG a build writes (the settings of `src/images/responsive.rs`).
fn jpeg(image: &RgbImage, quality: u8) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Nearest);
    encoder.encode(
        image.as_raw(),
        u16::try_from(image.width())?,
        u16::try_from(image.height())?,
        jpeg_encoder::ColorType::Rgb,
    )?;
    Ok(out)
}

/// What a build writes, at libwebp effort `method` (0-6; builds use 4).
fn webp_lossy(image: &RgbImage, quality: u8, method: i32) -> anyhow::Result<Vec<u8>> {
    let encoder = webp::Encoder::from_rgb(image.as_raw(), image.width(), image.height());
    let mut options =
        webp::WebPConfig::new().map_err(|()| anyhow::anyhow!("libwebp: no default settings"))?;
    options.quality = f32::from(quality);
    options.method = method;
    let out = encoder
        .encode_advanced(&options)
        .map_err(|e| anyhow::anyhow!("libwebp: {e:?}"))?;
    Ok(out.to_vec())
}

/// Peak signal-to-noise ratio over the RGB channels.
fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    let sum: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    let mse = sum / a.as_raw().len() as f64;
    10.0 * (255.0 * 255.0 / mse.max(1e-9)).log10()
}
