//! Structured data: the JSON-LD graph of an article (NewsArticle, an
//! ImageObject per image, FAQPage) and of the home page, built with
//! serde_json and escaped for a `<script>` element.

use serde_json::{Value, json};

use crate::config::Config;
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
    /// The lead image's 16:9, 4:3 and 1:1 crops, Google's preferred `image`.
    pub crops: Option<&'a crate::images::responsive::Crops>,
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
        if let Some(c) = a.crops {
            let urls: Vec<Value> = [&c.wide, &c.standard, &c.square]
                .iter()
                .map(|v| json!(config.permalink(&v.url)))
                .collect();
            obj.insert("image".into(), Value::Array(urls));
        } else if !images.is_empty() {
            let refs: Vec<Value> = images.iter().map(|i| json!({ "@id": i["@id"] })).collect();
            obj.insert("image".into(), Value::Array(refs));
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

    #[test]
    fn script_json_cannot_close_the_script() {
        let s = script_json(&json!({ "caption": "</script><script>alert(1)</script> & more" }));
        assert!(!s.contains("</script"), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back["caption"], "</script><script>alert(1)</script> & more");
    }
}
