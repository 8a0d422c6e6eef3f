//! HTML that people type (signatures) or that arrives in mail is never shown
//! or sent as it came: it goes through an allow-list first.

use std::collections::HashSet;

/// Cleans a rich-text signature as produced by the signature editor.
///
/// Only the formatting the editor offers survives (bold, italic, underline,
/// links, lists, paragraphs, line breaks); links must be absolute `http`,
/// `https` or `mailto` URLs and get `rel="noopener noreferrer"`. Scripts,
/// styles, event handlers and everything else are dropped, so the result is
/// safe to store, to show in the UI and to put into outgoing mail.
pub fn sanitize_signature(input: &str) -> String {
    let tags: HashSet<&str> = [
        "a", "b", "strong", "i", "em", "u", "br", "p", "div", "span", "ul", "ol", "li",
    ]
    .into_iter()
    .collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [("a", ["href"].into_iter().collect())]
                .into_iter()
                .collect(),
        )
        .url_schemes(schemes)
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .clean(input)
        .to_string()
        .trim()
        .to_string()
}

/// Plain text of a sanitized fragment, for the text/plain alternative and for
/// checking whether a signature is empty.
pub fn to_plain_text(html: &str) -> String {
    let cleaned = ammonia::Builder::empty().clean(
        &html
            .replace("<br>", "\n")
            .replace("</p>", "\n")
            .replace("</div>", "\n")
            .replace("</li>", "\n"),
    );
    cleaned
        .to_string()
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_editor_formatting() {
        let out = sanitize_signature(
            "<b>Ann</b> <i>Support</i><ul><li>one</li></ul><a href=\"https://x.test/\">site</a>",
        );
        assert!(out.contains("<b>Ann</b>"));
        assert!(out.contains("<i>Support</i>"));
        assert!(out.contains("<li>one</li>"));
        assert!(out.contains("href=\"https://x.test/\""));
        assert!(out.contains("rel=\"noopener noreferrer\""));
    }

    #[test]
    fn drops_scripts_handlers_and_bad_links() {
        let out = sanitize_signature(
            "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a><b onclick=\"x()\">y</b><style>*{}</style>",
        );
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("<style"), "{out}");
        assert!(out.contains("<b>y</b>"), "{out}");
    }

    #[test]
    fn relative_links_are_removed() {
        let out = sanitize_signature("<a href=\"/admin\">x</a>");
        assert!(!out.contains("/admin"), "{out}");
    }

    #[test]
    fn plain_text_of_signature() {
        assert_eq!(
            to_plain_text("<p>Ann &amp; Bob</p><p>Support</p>"),
            "Ann & Bob\nSupport"
        );
        assert_eq!(to_plain_text("<p> </p>"), "");
    }
}
