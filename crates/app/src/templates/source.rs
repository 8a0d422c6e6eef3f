//! The stored body is sanitized HTML, and the sanitizer escapes `<`, `>`,
//! `&` (and the editor writes `&nbsp;`) inside placeholders and tags too:
//! `{% if n &gt; 1 %}` would not compile. Inside the template's own
//! delimiters those entities are code, not text, so they are turned back.
//! Output stays safe: values are escaped when written and the result is
//! sanitized again.

const OPENERS: [(&str, &str); 3] = [("{{", "}}"), ("{%", "%}"), ("{#", "#}")];

/// The minijinja source of a sanitized body.
pub(crate) fn template_source(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = OPENERS
            .iter()
            .filter_map(|(open, close)| rest.find(open).map(|i| (i, *open, *close)))
            .min_by_key(|(i, _, _)| *i);
        let Some((start, open, close)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..start]);
        let inner_from = start + open.len();
        match rest[inner_from..].find(close) {
            Some(len) => {
                out.push_str(open);
                out.push_str(&decode(&rest[inner_from..inner_from + len]));
                out.push_str(close);
                rest = &rest[inner_from + len + close.len()..];
            }
            // Unclosed: left as written, so the syntax check reports it.
            None => {
                out.push_str(&rest[start..]);
                return out;
            }
        }
    }
}

fn decode(code: &str) -> String {
    code.replace("&nbsp;", " ")
        .replace('\u{a0}', " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::template_source;

    #[test]
    fn entities_inside_delimiters_only() {
        assert_eq!(
            template_source("<p>a &lt; b {% if n &gt; 1 %}x&nbsp;&amp;{% endif %}</p>"),
            "<p>a &lt; b {% if n > 1 %}x&nbsp;&amp;{% endif %}</p>"
        );
        assert_eq!(
            template_source("{{&nbsp;customer.name | default(&quot;you&quot;) }}"),
            "{{ customer.name | default(\"you\") }}"
        );
        assert_eq!(template_source("{# a &amp; b #}"), "{# a & b #}");
    }

    #[test]
    fn unclosed_is_left_alone() {
        assert_eq!(
            template_source("Hi {{ customer.name &lt;"),
            "Hi {{ customer.name &lt;"
        );
    }
}
