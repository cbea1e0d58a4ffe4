//! The generated explainer site the benches build: shaped like the
//! explainers nutgraf is for (a lede, question sections, credited figures,
//! a code block, a table, footnotes), deterministic, with one shared photo.

use std::path::Path;

/// A deterministic site of `n` explainers with one shared photo.
pub fn generate(root: &Path, n: usize) {
    let write = |rel: &str, text: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap_or(root)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    };
    write(
        "nutgraf.toml",
        b"title = \"Bench\"\nbase_url = \"https://bench.example.org\"\n",
    );
    write("static/img/photo.png", &png(1200, 800));
    let words = [
        "harbour",
        "grid",
        "tariff",
        "glacier",
        "budget",
        "reservoir",
        "census",
        "satellite",
        "rent",
        "wage",
    ];
    for i in 0..n {
        let w = |k: usize| words[(i * 7 + k * 3) % words.len()];
        let mut md = format!(
            "+++\ntitle = \"What the {} means for the {}, part {i}\"\ndescription = \"A guide to the {} and the {}.\"\ndate = 2024-{:02}-{:02}T09:00:00+01:00\nauthors = [\"Ana Ruiz\"]\ntags = [\"{}\", \"{}\"]\n+++\n\n",
            w(0),
            w(1),
            w(2),
            w(3),
            i % 12 + 1,
            i % 28 + 1,
            w(4),
            w(5)
        );
        md.push_str(&format!(
            "**The {} has changed.** The {} {} the {} more than most people assume.[^1]\n\n",
            w(0),
            w(1),
            w(2),
            w(3)
        ));
        for s in 0..6 {
            md.push_str(&format!(
                "## Why does the {} matter for the {}?\n\n",
                w(s),
                w(s + 1)
            ));
            for p in 0..3 {
                md.push_str(&format!("By most estimates the *{}* {} the [{}](https://example.org/{}) roughly {} per cent, and the effect has grown since {}. In practice that means the {} moves with the {} in ways that are hard to see from the outside.\n\n",
                    w(s + p), w(p), w(s + 2), w(p + 1), (i + s + p) % 90, 1990 + (i + p) % 30, w(s + 3), w(p + 4)
                ));
            }
            if s == 1 {
                md.push_str(&format!("![A photo of the {} at dawn](/img/photo.png)\nThe {} near the coast (left), in 2019.\n(Ana Ruiz/Agency)\n\n", w(s), w(s + 1)));
            }
            if s == 2 {
                md.push_str("```rust\nfn growth(first: f64, last: f64, years: f64) -> f64 {\n    (last / first).powf(1.0 / years) - 1.0\n}\n```\n\n");
            }
            if s == 3 {
                md.push_str("| Year | Value | Change |\n|---|--:|--:|\n| 2019 | 12.5 | +1.2% |\n| 2020 | 13.1 | +4.8% |\n\n");
            }
        }
        md.push_str("[^1]: The statistics office, *Annual report* (2023), p. 12.\n");
        write(&format!("content/posts/article-{i}.md"), md.as_bytes());
    }
}

/// The signature and header of a PNG: nutgraf reads image sizes, never
/// pixels, and no browser ever opens the bench output.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    // CRC is not checked by the header reader; write zeros.
    out.extend_from_slice(&[0, 0, 0, 0]);
}
