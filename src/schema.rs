//! Structured data: the JSON-LD graph of an article (NewsArticle, an
//! ImageObject per image, FAQPage) and of the home page, built with
//! serde_json and escaped for a `<script>` element.

use serde_json::{Value, json};

use crate::config::Config;
use crate::images::responsive::Crops;
use crate::markdown::figure::FigureInfo;
use crate::markdown::questions::FaqEntry;

/// What the article graph is built from.
pub struct ArticleGraph<'a> {
    pub config: &'a Config,
    pub permalink: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub date_published: Option<&'a str>,
    pub date_modified: Option<&'a str>,
    pub authors: &'a [String],
    pub tags: &'a [String],
    /// Lead image first, then the figures in order.
    pub images: &'a [FigureInfo],
    pub faq: &'a [FaqEntry],
    pub word_count: usize,
    /// The image that stands for the article, one of `images`.
    pub image: Option<&'a Representative<'a>>,
}

/// An `og:image`: site URL, width and height.
pub type OgImage<'a> = (&'a str, Option<u32>, Option<u32>);

/// The image that stands for an article in sharing (`og:image`) and search
/// (the JSON-LD `image`): one decision for both.
#[derive(Debug, Clone, Copy)]
pub struct Representative<'a> {
    /// Its place in the article's images (the lead first, then figures).
    pub index: usize,
    pub figure: &'a FigureInfo,
    /// The lead's 16:9, 4:3 and 1:1 crops, Google's preferred `image`, when
    /// the lead was chosen and processed.
    pub crops: Option<&'a Crops>,
}

impl<'a> Representative<'a> {
    /// The lead image if it is a raster image, else the first raster
    /// figure, else none: an SVG is never chosen, as social networks and
    /// search engines do not show SVG previews. `images` is the lead (when
    /// `lead_crops` may be its crops) and then the figures, in order.
    pub fn choose(
        images: &'a [FigureInfo],
        has_lead: bool,
        lead_crops: Option<&'a Crops>,
    ) -> Option<Representative<'a>> {
        let index = images.iter().position(FigureInfo::is_raster)?;
        Some(Representative {
            index,
            figure: &images[index],
            crops: lead_crops.filter(|_| has_lead && index == 0),
        })
    }

    /// The `og:image`: the 16:9 crop when there is one, else the image
    /// itself; its site URL, width and height.
    pub fn og_image(&self) -> OgImage<'a> {
        match self.crops {
            Some(c) => (&c.wide.url, Some(c.wide.width), Some(c.wide.height)),
            None => (&self.figure.url, self.figure.width, self.figure.height),
        }
    }
}

/// The article's JSON-LD, ready to sit inside `<script type="application/ld+json">`.
pub fn article(a: &ArticleGraph) -> String {
    let config = a.config;
    let images: Vec<Value> = a
        .images
        .iter()
        .enumerate()
        .map(|(n, img)| image_object(config, a.permalink, n, img))
        .collect();
    let mut article = json!({
        "@type": "NewsArticle",
        "@id": format!("{}#article", a.permalink),
        "headline": a.title,
        "url": a.permalink,
        "mainEntityOfPage": { "@type": "WebPage", "@id": a.permalink },
        "publisher": publisher(config),
        "inLanguage": config.language,
        "wordCount": a.word_count,
    });
    let obj = article.as_object_mut();
    if let Some(obj) = obj {
        if let Some(d) = a.description {
            obj.insert("description".into(), json!(d));
        }
        if let Some(d) = a.date_published {
            obj.insert("datePublished".into(), json!(d));
            obj.insert("dateModified".into(), json!(a.date_modified.unwrap_or(d)));
        }
        let authors: Vec<Value> = a
            .authors
            .iter()
            .map(|name| json!({ "@type": "Person", "name": name }))
            .collect();
        if authors.is_empty() {
            obj.insert("author".into(), publisher(config));
        } else {
            obj.insert("author".into(), Value::Array(authors));
        }
        match a.image {
            Some(Representative { crops: Some(c), .. }) => {
                let urls: Vec<Value> = [&c.wide, &c.standard, &c.square]
                    .iter()
                    .map(|v| json!(config.permalink(&v.url)))
                    .collect();
                obj.insert("image".into(), Value::Array(urls));
            }
            Some(r) => {
                let id = images.get(r.index).map(|i| i["@id"].clone());
                obj.insert("image".into(), json!([{ "@id": id }]));
            }
            None => {}
        }
        if !a.tags.is_empty() {
            obj.insert("keywords".into(), json!(a.tags));
        }
    }
    let mut graph = vec![article];
    graph.extend(images);
    if !a.faq.is_empty() {
        let questions: Vec<Value> = a
            .faq
            .iter()
            .map(|q| {
                json!({
                    "@type": "Question",
                    "name": q.question,
                    "acceptedAnswer": { "@type": "Answer", "text": q.answer_html },
                })
            })
            .collect();
        graph.push(json!({
            "@type": "FAQPage",
            "@id": format!("{}#faq", a.permalink),
            "url": a.permalink,
            "mainEntity": questions,
        }));
    }
    script_json(&json!({ "@context": "https://schema.org", "@graph": graph }))
}

/// The publisher, written out in full where it is used: validators and
/// search engines do not all follow `@id` references.
fn publisher(config: &Config) -> Value {
    json!({
        "@type": "Organization",
        "@id": format!("{}/#publisher", config.base_url),
        "name": config.publisher,
        "url": config.permalink("/"),
    })
}

fn image_object(config: &Config, permalink: &str, n: usize, img: &FigureInfo) -> Value {
    let url = config.permalink(&img.url);
    let mut obj = json!({
        "@type": "ImageObject",
        "@id": format!("{permalink}#image-{}", n + 1),
        "contentUrl": url,
        "url": url,
    });
    if let Some(map) = obj.as_object_mut() {
        if let Some(c) = &img.caption {
            map.insert("caption".into(), json!(c));
        }
        if let Some(c) = &img.credit {
            map.insert("creditText".into(), json!(c));
        }
        if let (Some(w), Some(h)) = (img.width, img.height) {
            map.insert("width".into(), json!(w));
            map.insert("height".into(), json!(h));
        }
        if !img.alt.is_empty() {
            map.insert("description".into(), json!(img.alt));
        }
    }
    obj
}

/// The home page's JSON-LD: the WebSite and its publisher.
pub fn website(config: &Config, description: Option<&str>) -> String {
    let mut site = json!({
        "@type": "WebSite",
        "@id": format!("{}/#website", config.base_url),
        "name": config.title,
        "url": config.permalink("/"),
        "inLanguage": config.language,
        "publisher": publisher(config),
    });
    if let (Some(d), Some(obj)) = (description, site.as_object_mut()) {
        obj.insert("description".into(), json!(d));
    }
    script_json(&json!({ "@context": "https://schema.org", "@graph": [site] }))
}

/// A listing page (section, tag): a CollectionPage of the WebSite.
pub fn collection(
    config: &Config,
    name: &str,
    permalink: &str,
    description: Option<&str>,
) -> String {
    let mut page = json!({
        "@type": "CollectionPage",
        "@id": permalink,
        "name": name,
        "url": permalink,
        "inLanguage": config.language,
        "isPartOf": {
            "@type": "WebSite",
            "@id": format!("{}/#website", config.base_url),
            "name": config.title,
            "url": config.permalink("/"),
        },
    });
    if let (Some(d), Some(obj)) = (description, page.as_object_mut()) {
        obj.insert("description".into(), json!(d));
    }
    script_json(&json!({ "@context": "https://schema.org", "@graph": [page] }))
}

/// JSON that cannot end its `<script>` element early: `<`, `>` and `&` are
/// written as `\u003c`-style escapes, which JSON parsers read back as is.
pub fn script_json(value: &Value) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len() + raw.len() / 8);
    let mut last = 0;
    for (i, b) in raw.bytes().enumerate() {
        let escaped = match b {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            _ => continue,
        };
        out.push_str(&raw[last..i]);
        out.push_str(escaped);
        last = i + 1;
    }
    out.push_str(&raw[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::images::responsive::Variant;

    fn figure(url: &str, size: Option<(u32, u32)>) -> FigureInfo {
        FigureInfo {
            url: url.into(),
            alt: format!("alt of {url}"),
            caption: None,
            credit: None,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
        }
    }

    fn crops() -> Crops {
        let v = |url: &str, width, height| Variant {
            url: url.into(),
            width,
            height,
        };
        Crops {
            wide: v("/assets/img/l-16x9.jpg", 1200, 675),
            standard: v("/assets/img/l-4x3.jpg", 1200, 900),
            square: v("/assets/img/l-1x1.jpg", 1200, 1200),
        }
    }

    /// The index chosen, and the og:image.
    fn chosen<'a>(
        images: &'a [FigureInfo],
        has_lead: bool,
        crops: Option<&'a Crops>,
    ) -> Option<(usize, OgImage<'a>)> {
        Representative::choose(images, has_lead, crops).map(|r| (r.index, r.og_image()))
    }

    #[test]
    fn a_raster_lead_is_chosen_with_its_wide_crop() {
        let c = crops();
        let images = [
            figure("/a/lead.jpg", Some((2400, 1600))),
            figure("/a/b.png", None),
        ];
        assert_eq!(
            chosen(&images, true, Some(&c)),
            Some((0, ("/assets/img/l-16x9.jpg", Some(1200), Some(675))))
        );
        // Not processed (check, or without the images feature): the lead itself.
        assert_eq!(
            chosen(&images, true, None),
            Some((0, ("/a/lead.jpg", Some(2400), Some(1600))))
        );
    }

    /// Regression: an SVG lead or first figure became the og:image, which
    /// social networks do not show.
    #[test]
    fn an_svg_is_never_chosen() {
        let images = [
            figure("/a/flow.svg", Some((800, 450))),
            figure("https://e.org/chart.SVG", None),
            figure("/a/quay.jpg", Some((1600, 900))),
        ];
        assert_eq!(
            chosen(&images, true, None),
            Some((2, ("/a/quay.jpg", Some(1600), Some(900))))
        );
        assert_eq!(chosen(&images[..2], true, None), None);
        assert_eq!(chosen(&[], false, None), None);
    }

    #[test]
    fn crops_are_the_leads_only() {
        let c = crops();
        let images = [figure("/a/flow.svg", None), figure("/a/quay.jpg", None)];
        let r = Representative::choose(&images, true, Some(&c));
        assert!(r.is_some_and(|r| r.index == 1 && r.crops.is_none()));
        let images = [figure("/a/quay.jpg", None)];
        let r = Representative::choose(&images, false, Some(&c));
        assert!(r.is_some_and(|r| r.crops.is_none()));
    }

    #[test]
    fn the_article_image_is_the_representative_only() {
        let config = Config::parse("title = \"T\"\nbase_url = \"https://e.org\"\n")
            .unwrap_or_else(|d| panic!("{d}"));
        let images = [
            figure("/a/flow.svg", Some((800, 450))),
            figure("/a/quay.jpg", Some((1600, 900))),
            figure("/a/crane.jpg", Some((1600, 900))),
        ];
        let graph = |image: Option<&Representative>| {
            let text = article(&ArticleGraph {
                config: &config,
                permalink: "https://e.org/a/",
                title: "A",
                description: None,
                date_published: None,
                date_modified: None,
                authors: &[],
                tags: &[],
                images: &images,
                faq: &[],
                word_count: 1,
                image,
            });
            serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{e}"))
        };
        let r = Representative::choose(&images, true, None);
        let g = graph(r.as_ref());
        assert_eq!(
            g["@graph"][0]["image"],
            json!([{ "@id": "https://e.org/a/#image-2" }])
        );
        // Every figure is still an ImageObject of the graph.
        assert_eq!(g["@graph"].as_array().map(Vec::len), Some(4));
        assert!(graph(None)["@graph"][0].get("image").is_none());
        let c = crops();
        let r = Representative::choose(&images[1..], true, Some(&c));
        assert_eq!(
            graph(r.as_ref())["@graph"][0]["image"][2],
            "https://e.org/assets/img/l-1x1.jpg"
        );
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let s = script_json(&json!({ "caption": "</script><script>alert(1)</script> & more" }));
        assert!(!s.contains("</script"), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back["caption"], "</script><script>alert(1)</script> & more");
    }
}
