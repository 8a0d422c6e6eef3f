//! Incoming mail HTML made safe for the sandboxed viewer iframe. The iframe
//! and its CSP are the second wall; this allow-list is the first, so it
//! must hold on its own: no script, no forms or frames, no way to load
//! anything remote unless a person asked to see images.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ammonia::{Builder, UrlRelative};

/// Marks a value set by our attribute filter for the relative-URL hook: the
/// filter has already dropped every relative URL the mail itself contained,
/// so these are the only ones that reach it.
const CID_MARK: &str = "#ecp-cid:";
const BLOCKED_MARK: &str = "#ecp-blocked";

pub struct DisplayOptions<'a> {
    pub show_remote_images: bool,
    /// Content-ID (without angle brackets) to the URL that serves that part;
    /// None drops the image source.
    pub cid_url: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// What a blocked remote image shows instead; None leaves only its alt text.
    pub blocked_image_src: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayHtml {
    pub html: String,
    /// At least one remote image was held back: the UI offers "show images".
    pub blocked_remote_images: bool,
}

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Hidden or executable content whose text must not leak into the page.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "title", "template", "svg", "math", "object", "iframe", "noscript",
];

const GENERIC_ATTRS: &[&str] = &[
    "title", "dir", "lang", "align", "valign", "width", "height", "bgcolor", "style",
];

const TAG_ATTRS: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "border"]),
    (
        "table",
        &["border", "cellpadding", "cellspacing", "summary"],
    ),
    ("td", &["colspan", "rowspan", "nowrap"]),
    ("th", &["colspan", "rowspan", "nowrap", "scope"]),
    ("font", &["color", "face", "size"]),
    ("ol", &["start", "type"]),
    ("ul", &["type"]),
    ("li", &["value"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("time", &["datetime"]),
];

/// Layout and typography only: nothing that loads a resource or can lift
/// content over the UI (position, z-index).
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "font-variant",
    "text-align",
    "text-decoration",
    "text-transform",
    "text-indent",
    "letter-spacing",
    "word-spacing",
    "line-height",
    "white-space",
    "vertical-align",
    "direction",
    "display",
    "width",
    "height",
    "max-width",
    "min-width",
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-collapse",
    "border-spacing",
    "border-radius",
    "list-style-type",
    "table-layout",
    "word-break",
    "overflow-wrap",
];

pub fn sanitize_mail_html(html: &str, opts: &DisplayOptions<'_>) -> DisplayHtml {
    let blocked = Arc::new(AtomicBool::new(false));
    let filter_blocked = Arc::clone(&blocked);
    let show_remote = opts.show_remote_images;
    let cid_url = opts.cid_url;
    let placeholder = opts.blocked_image_src;

    let mut b = Builder::default();
    b.tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRS.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRS
                .iter()
                .map(|(t, a)| (*t, a.iter().copied().collect()))
                .collect(),
        )
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .url_schemes(
            ["http", "https", "mailto", "tel", "cid", "data"]
                .into_iter()
                .collect::<HashSet<_>>(),
        )
        .set_tag_attribute_value("a", "target", "_blank")
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(element, attribute, value, show_remote, &filter_blocked)
        })
        .url_relative(UrlRelative::Custom(Box::new(relative_hook(move |url| {
            if let Some(id) = url.strip_prefix(CID_MARK) {
                cid_url(&percent_decode(id))
            } else if url == BLOCKED_MARK {
                placeholder.map(str::to_string)
            } else {
                None
            }
        }))));
    let html = b.clean(html).to_string();
    DisplayHtml {
        html,
        blocked_remote_images: blocked.load(Ordering::Relaxed),
    }
}

/// Pins the closure to the higher-ranked signature ammonia expects.
fn relative_hook<'a, F>(f: F) -> impl for<'u> Fn(&'u str) -> Option<Cow<'u, str>> + Send + Sync + 'a
where
    F: Fn(&str) -> Option<String> + Send + Sync + 'a,
{
    move |url| f(url).map(Cow::Owned)
}

fn filter_attribute<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    show_remote: bool,
    blocked: &AtomicBool,
) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        (_, "style") => safe_style(value).then_some(Cow::Borrowed(value)),
        ("a", "href") => {
            let url = url::Url::parse(value).ok()?;
            matches!(url.scheme(), "http" | "https" | "mailto" | "tel")
                .then_some(Cow::Borrowed(value))
        }
        ("img", "src") => {
            let url = url::Url::parse(value).ok()?;
            match url.scheme() {
                "cid" => Some(Cow::Owned(format!("{CID_MARK}{}", url.path()))),
                "http" | "https" if show_remote => Some(Cow::Borrowed(value)),
                "http" | "https" => {
                    blocked.store(true, Ordering::Relaxed);
                    Some(Cow::Borrowed(BLOCKED_MARK))
                }
                "data" => is_raster_data_url(url.path()).then_some(Cow::Borrowed(value)),
                _ => None,
            }
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Only raster images: an SVG could carry script if it were ever opened on
/// its own.
fn is_raster_data_url(path: &str) -> bool {
    let lower = path.trim_start().to_ascii_lowercase();
    ["image/png", "image/gif", "image/jpeg", "image/webp"]
        .iter()
        .any(|t| lower.starts_with(&format!("{t};")) || lower.starts_with(&format!("{t},")))
}

/// Property filtering keeps only allowed names; this drops declarations
/// whose values could run code or fetch something (old IE `expression()`,
/// `url()`, bindings), and escapes or comments that could hide them.
fn safe_style(value: &str) -> bool {
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    ![
        "expression",
        "url(",
        "javascript",
        "vbscript",
        "behavior",
        "binding",
        "@import",
        "\\",
        "/*",
        "image(",
    ]
    .iter()
    .any(|bad| squashed.contains(bad))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("part1.abc%40example.test"),
            "part1.abc@example.test"
        );
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn raster_data_only() {
        assert!(is_raster_data_url("image/png;base64,AAAA"));
        assert!(!is_raster_data_url("image/svg+xml;base64,AAAA"));
        assert!(!is_raster_data_url("text/html,<script>"));
    }
}
