//! Plain text from sanitized HTML, for the text/plain alternative: block
//! ends become line breaks, paragraphs a blank line, list items a dash, and
//! a link keeps its address so the text reader can still follow it.

/// `html` must come out of one of our ammonia sanitizers: tags are then
/// lower case, attributes double-quoted and `<br>` written one way.
pub(crate) fn from_sanitized_html(html: &str) -> String {
    let mut s = links_with_targets(html);
    for (from, to) in [
        ("<br>", "\n"),
        ("</p>", "\n\n"),
        ("</div>", "\n"),
        ("</blockquote>", "\n"),
        ("</tr>", "\n"),
        ("</h1>", "\n\n"),
        ("</h2>", "\n\n"),
        ("</h3>", "\n\n"),
        ("</h4>", "\n"),
        ("</h5>", "\n"),
        ("</h6>", "\n"),
        ("<li>", "- "),
        ("</li>", "\n"),
        ("</ul>", "\n"),
        ("</ol>", "\n"),
        ("</td>", " "),
    ] {
        s = s.replace(from, to);
    }
    let text = ammonia::Builder::empty().clean(&s).to_string();
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    tidy(&text)
}

/// `<a href="u">t</a>` as `t <u>` unless the text already is the address.
fn links_with_targets(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<a href=\"") {
        let Some(after) = rest.get(start + 9..) else {
            break;
        };
        let Some(quote) = after.find('"') else {
            break;
        };
        let Some(close) = after.find("</a>") else {
            break;
        };
        let href = after.get(..quote).unwrap_or_default();
        let inner_start = after.find('>').map_or(close, |g| g + 1).min(close);
        let inner = after.get(inner_start..close).unwrap_or_default();
        out.push_str(rest.get(..start).unwrap_or_default());
        out.push_str(inner);
        let href_text = href.strip_prefix("mailto:").unwrap_or(href);
        if !inner.contains(href_text) {
            out.push_str(" &lt;");
            out.push_str(href);
            out.push_str("&gt;");
        }
        rest = after.get(close + 4..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Trailing spaces off every line, at most one blank line in a row, no
/// blank lines at either end.
pub(crate) fn tidy(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_lists_and_entities() {
        assert_eq!(
            from_sanitized_html(
                "<p>Hi Ann,</p><p>one<br>two &amp; three</p><ul><li>a</li><li>b</li></ul>"
            ),
            "Hi Ann,\n\none\ntwo & three\n\n- a\n- b"
        );
        assert_eq!(from_sanitized_html("<p>&lt;script&gt;</p>"), "<script>");
    }

    #[test]
    fn links_keep_address() {
        assert_eq!(
            from_sanitized_html(
                "<a href=\"https://x.test/a\" rel=\"noopener noreferrer\">docs</a> or <a href=\"https://x.test/\">https://x.test/</a>"
            ),
            "docs <https://x.test/a> or https://x.test/"
        );
        assert_eq!(
            from_sanitized_html("<a href=\"mailto:a@x.test\">a@x.test</a>"),
            "a@x.test"
        );
    }

    #[test]
    fn tidy_blank_lines() {
        assert_eq!(tidy("\n\na  \n\n\n\nb\n\n"), "a\n\nb");
    }
}
