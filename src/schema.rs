//! Structured data: the JSON-LD graph of an article (NewsArticle, an
//! ImageObject per image, FAQPage) and of the home page, built with
//! serde_json and escaped for a `<script>` element.

use serde::Serialize;

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
    /// A translation: the original's permalink (`translationOfWork`).
    pub translation_of: Option<&'a str>,
    /// An original: its translations' permalinks (`workTranslation`).
    pub translations: &'a [String],
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
///
/// Typed structs serialized straight into the output: a `serde_json::Value`
/// tree cost about 70 µs a page on the bench corpus (copies of every answer's
/// HTML and a map per object). Fields are declared in the order
/// `serde_json::Value` wrote them (its maps are sorted by key), so the output
/// is the same byte for byte.
pub fn article(a: &ArticleGraph) -> String {
    let config = a.config;
    let publisher = Publisher::of(config);
    let images: Vec<ImageObject> = a
        .images
        .iter()
        .enumerate()
        .map(|(n, img)| ImageObject::of(config, a.permalink, n, img))
        .collect();
    let image = match a.image {
        Some(Representative { crops: Some(c), .. }) => Some(ArticleImage::Urls(
            [&c.wide, &c.standard, &c.square].map(|v| config.permalink(&v.url)),
        )),
        Some(r) => Some(ArticleImage::Ref([IdRef {
            id: images.get(r.index).map(|i| i.id.as_str()),
        }])),
        None => None,
    };
    let authors = if a.authors.is_empty() {
        Author::Publisher(&publisher)
    } else {
        Author::People(a.authors.iter().map(|name| Person::new(name)).collect())
    };
    let node = NewsArticle {
        id: format!("{}#article", a.permalink),
        kind: "NewsArticle",
        author: authors,
        date_modified: a.date_published.map(|d| a.date_modified.unwrap_or(d)),
        date_published: a.date_published,
        description: a.description,
        headline: a.title,
        image,
        in_language: &config.language,
        keywords: (!a.tags.is_empty()).then_some(a.tags),
        main_entity_of_page: WebPage {
            id: a.permalink,
            kind: "WebPage",
        },
        publisher: &publisher,
        translation_of_work: a.translation_of.map(WorkRef::of),
        url: a.permalink,
        word_count: a.word_count,
        work_translation: a.translations.iter().map(|p| WorkRef::of(p)).collect(),
    };
    let faq = (!a.faq.is_empty()).then(|| FaqPage {
        id: format!("{}#faq", a.permalink),
        kind: "FAQPage",
        main_entity: a
            .faq
            .iter()
            .map(|q| QuestionNode {
                kind: "Question",
                accepted_answer: Answer {
                    kind: "Answer",
                    text: &q.answer_html,
                },
                name: &q.question,
            })
            .collect(),
        url: a.permalink,
    });
    let mut graph: Vec<Node> = Vec::with_capacity(images.len() + 2);
    graph.push(Node::Article(Box::new(node)));
    graph.extend(images.iter().map(Node::Image));
    graph.extend(faq.map(Node::Faq));
    script_json(&Graph {
        context: SCHEMA_ORG,
        graph: &graph,
    })
}

const SCHEMA_ORG: &str = "https://schema.org";

/// The top level of every page's JSON-LD.
#[derive(Serialize)]
struct Graph<'a, T: Serialize> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: &'a [T],
}

/// One node of an article's `@graph`.
#[derive(Serialize)]
#[serde(untagged)]
enum Node<'a> {
    Article(Box<NewsArticle<'a>>),
    Image(&'a ImageObject<'a>),
    Faq(FaqPage<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewsArticle<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Author<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    headline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<ArticleImage<'a>>,
    in_language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<&'a [String]>,
    main_entity_of_page: WebPage<'a>,
    publisher: &'a Publisher<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    translation_of_work: Option<WorkRef>,
    url: &'a str,
    word_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    work_translation: Vec<WorkRef>,
}

/// Another version of an article, by its node's `@id`.
#[derive(Serialize)]
struct WorkRef {
    #[serde(rename = "@id")]
    id: String,
}

impl WorkRef {
    fn of(permalink: &str) -> WorkRef {
        WorkRef {
            id: format!("{permalink}#article"),
        }
    }
}

/// The authors, or the publisher when the front matter names none.
#[derive(Serialize)]
#[serde(untagged)]
enum Author<'a> {
    People(Vec<Person<'a>>),
    Publisher(&'a Publisher<'a>),
}

#[derive(Serialize)]
struct Person<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

impl<'a> Person<'a> {
    fn new(name: &'a str) -> Self {
        Person {
            kind: "Person",
            name,
        }
    }
}

/// The article's `image`: the lead's three crops, or a reference to the
/// representative figure's ImageObject.
#[derive(Serialize)]
#[serde(untagged)]
enum ArticleImage<'a> {
    Urls([String; 3]),
    Ref([IdRef<'a>; 1]),
}

#[derive(Serialize)]
struct IdRef<'a> {
    #[serde(rename = "@id")]
    id: Option<&'a str>,
}

#[derive(Serialize)]
struct WebPage<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
}

/// The publisher, written out in full where it is used: validators and
/// search engines do not all follow `@id` references.
#[derive(Serialize)]
struct Publisher<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
}

impl<'a> Publisher<'a> {
    fn of(config: &'a Config) -> Self {
        Publisher {
            id: format!("{}/#publisher", config.base_url),
            kind: "Organization",
            name: &config.publisher,
            url: config.permalink("/"),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageObject<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<&'a str>,
    content_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
}

impl<'a> ImageObject<'a> {
    fn of(config: &Config, permalink: &str, n: usize, img: &'a FigureInfo) -> Self {
        // Width and height go together or not at all.
        let size = img.width.zip(img.height);
        let url = config.permalink(&img.url);
        ImageObject {
            id: format!("{permalink}#image-{}", n + 1),
            kind: "ImageObject",
            caption: img.caption.as_deref(),
            content_url: url.clone(),
            credit_text: img.credit.as_deref(),
            description: (!img.alt.is_empty()).then_some(img.alt.as_str()),
            height: size.map(|s| s.1),
            url,
            width: size.map(|s| s.0),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaqPage<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    main_entity: Vec<QuestionNode<'a>>,
    url: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuestionNode<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    accepted_answer: Answer<'a>,
    name: &'a str,
}

#[derive(Serialize)]
struct Answer<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
}
/// The home page's JSON-LD: the WebSite and its publisher.
pub fn website(config: &Config, description: Option<&str>) -> String {
    let publisher = Publisher::of(config);
    let site = WebSite {
        id: website_id(config),
        kind: "WebSite",
        description,
        in_language: Some(&config.language),
        name: &config.title,
        publisher: Some(&publisher),
        url: config.permalink(config.base_path()),
    };
    script_json(&Graph {
        context: SCHEMA_ORG,
        graph: &[site],
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebSite<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_language: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a Publisher<'a>>,
    url: String,
}

/// A listing page (section, tag): a CollectionPage of the WebSite.
pub fn collection(
    config: &Config,
    name: &str,
    permalink: &str,
    description: Option<&str>,
) -> String {
    page_of_site("CollectionPage", config, name, permalink, description)
}

/// The search page at `url`: a SearchResultsPage of the WebSite.
pub fn search_page(config: &Config, name: &str, url: &str) -> String {
    page_of_site(
        "SearchResultsPage",
        config,
        name,
        &config.permalink(url),
        None,
    )
}

/// The `@id` of the WebSite node: each language's home page is a WebSite
/// of its own (`https://e.org/ko/#website`).
fn website_id(config: &Config) -> String {
    format!("{}#website", config.permalink(config.base_path()))
}

fn page_of_site(
    kind: &'static str,
    config: &Config,
    name: &str,
    permalink: &str,
    description: Option<&str>,
) -> String {
    let page = CollectionPage {
        id: permalink,
        kind,
        description,
        in_language: &config.language,
        is_part_of: WebSite {
            id: website_id(config),
            kind: "WebSite",
            description: None,
            in_language: None,
            name: &config.title,
            publisher: None,
            url: config.permalink(config.base_path()),
        },
        name,
        url: permalink,
    };
    script_json(&Graph {
        context: SCHEMA_ORG,
        graph: &[page],
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CollectionPage<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    in_language: &'a str,
    is_part_of: WebSite<'a>,
    name: &'a str,
    url: &'a str,
}

/// JSON that cannot end its `<script>` element early: `<`, `>` and `&` are
/// written as `\u003c`-style escapes, which JSON parsers read back as is.
/// Serialized straight through the escaping writer, without an unescaped
/// copy first.
pub fn script_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = ScriptEscaped(Vec::with_capacity(4096));
    // Writing into a Vec cannot fail, and these types have string keys
    // only; should serde_json fail all the same, `null` is valid JSON.
    if serde_json::to_writer(&mut out, value).is_err() {
        return "null".to_string();
    }
    // serde_json writes UTF-8, and only ASCII bytes were replaced.
    String::from_utf8(out.0).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A writer that escapes `<`, `>` and `&` as it goes. In JSON those bytes
/// occur only inside strings (never within a multi-byte UTF-8 sequence),
/// where `\u003c` reads back as `<`. memchr finds them: a byte-at-a-time
/// loop over the answers' HTML took 2 % of a cold build's CPU.
struct ScriptEscaped(Vec<u8>);

impl std::io::Write for ScriptEscaped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut last = 0;
        for i in memchr::memchr3_iter(b'<', b'>', b'&', buf) {
            let escaped: &[u8] = match buf[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            };
            self.0.extend_from_slice(&buf[last..i]);
            self.0.extend_from_slice(escaped);
            last = i + 1;
        }
        self.0.extend_from_slice(&buf[last..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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
                translation_of: None,
                translations: &[],
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

    /// The typed structs write their keys in the order the
    /// `serde_json::Value` tree they replaced wrote them (sorted), so pages
    /// stay byte for byte what they were: each graph, read back into a
    /// `Value` and written again, comes out the same.
    #[test]
    fn keys_come_out_in_the_value_trees_order() {
        let config =
            Config::parse("title = \"T\"\nbase_url = \"https://e.org\"\ndescription = \"D\"\n")
                .unwrap_or_else(|d| panic!("{d}"));
        let mut full = figure("/a/quay.jpg", Some((1600, 900)));
        full.caption = Some("A quay <at dusk>".into());
        full.credit = Some("Lee & Kim".into());
        let images = [full, figure("/a/flow.svg", None)];
        let faq = [FaqEntry {
            question: "Why?".into(),
            answer_html: "<p>Because &amp; so</p>".into(),
        }];
        let c = crops();
        let authors = ["Ann".to_string(), "Bo".to_string()];
        let tags = ["energy".to_string()];
        let graph = |authors: &[String], tags: &[String], image, faq: &[FaqEntry]| {
            article(&ArticleGraph {
                config: &config,
                permalink: "https://e.org/a/",
                title: "A",
                description: Some("Dek"),
                date_published: Some("2024-10-31T00:00:00Z"),
                date_modified: None,
                authors,
                tags,
                images: &images,
                faq,
                word_count: 1200,
                image,
                translation_of: None,
                translations: &[],
            })
        };
        let with_crops = Representative::choose(&images, true, Some(&c));
        let without = Representative::choose(&images, false, None);
        let texts = [
            graph(&authors, &tags, with_crops.as_ref(), &faq),
            graph(&[], &[], without.as_ref(), &[]),
            website(&config, Some("Home")),
            collection(&config, "Energy", "https://e.org/tags/energy/", Some("E")),
        ];
        for text in texts {
            let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(text, script_json(&value));
        }
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let s = script_json(&json!({ "caption": "</script><script>alert(1)</script> & more" }));
        assert!(!s.contains("</script"), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back["caption"], "</script><script>alert(1)</script> & more");
    }
}
