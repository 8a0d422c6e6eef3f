//! The two alternatives of the body, built from the same pieces in the same
//! order: the agent's text, the personal signature, the mailbox signature,
//! then the quoted history.

use crate::display::{DisplayOptions, sanitize_mail_html};

use super::outgoing::{Kind, Outgoing, Quoted};
use super::plain::{from_sanitized_html, tidy};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bodies {
    pub text: String,
    pub html: String,
}

/// What a quote looks like in HTML. `type="cite"` and the left rule are what
/// Apple Mail, Thunderbird and Gmail draw for their own quotes.
const BLOCKQUOTE_OPEN: &str = "<blockquote type=\"cite\" style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex\">";

pub(crate) fn bodies(out: &Outgoing) -> Bodies {
    // The agent and the signatures may link to remote images (a logo);
    // quoted customer HTML may not, so the customer's trackers don't fire
    // again from our reply.
    let body_html = clean(&out.body_html, true);
    let personal = clean(&out.personal_signature_html, true);
    let mailbox = clean(&out.mailbox_signature_html, true);

    let mut text_parts: Vec<String> = Vec::new();
    let mut html_parts: Vec<String> = Vec::new();

    let body_text = match &out.body_text {
        Some(t) => tidy(&t.replace("\r\n", "\n").replace('\r', "\n")),
        None => from_sanitized_html(&body_html),
    };
    text_parts.push(body_text);
    html_parts.push(format!("<div class=\"ecp-reply\">{body_html}</div>"));

    for sig in [personal, mailbox] {
        let sig_text = from_sanitized_html(&sig);
        if sig_text.is_empty() {
            continue;
        }
        text_parts.push(sig_text);
        html_parts.push(format!("<div class=\"ecp-signature\">{sig}</div>"));
    }

    for q in &out.quoted {
        let (text, html) = match out.kind {
            Kind::Forward => forwarded(q),
            Kind::New | Kind::Reply => quoted(q),
        };
        text_parts.push(text);
        html_parts.push(html);
    }

    let text = text_parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{}\n</body></html>\n",
        html_parts.join("\n<br>\n")
    );
    Bodies {
        text: format!("{text}\n"),
        html,
    }
}

/// "On <date>, <name> wrote:" and the message with `> ` before each line in
/// text, in a blockquote in HTML.
fn quoted(q: &Quoted) -> (String, String) {
    let author = one_line_text(&q.author);
    let date = one_line_text(&q.date);
    let heading = if date.is_empty() {
        format!("{author} wrote:")
    } else {
        format!("On {date}, {author} wrote:")
    };
    let plain = quoted_plain(q);
    let mut text = heading.clone();
    for line in plain.lines() {
        text.push('\n');
        if line.is_empty() {
            text.push('>');
        } else if line.starts_with('>') {
            text.push('>');
            text.push_str(line);
        } else {
            text.push_str("> ");
            text.push_str(line);
        }
    }
    let html = format!(
        "<div class=\"ecp-quote\"><div>{}</div>{BLOCKQUOTE_OPEN}{}</blockquote></div>",
        escape(&heading),
        quoted_html(q)
    );
    (text, html)
}

/// Forwarded messages are shown as they were, under the header block mail
/// clients use, not quoted line by line.
fn forwarded(q: &Quoted) -> (String, String) {
    let author = one_line_text(&q.author);
    let date = one_line_text(&q.date);
    let heading = format!("---------- Forwarded message ----------\nFrom: {author}\nDate: {date}");
    let text = format!("{heading}\n\n{}", quoted_plain(q));
    let html = format!(
        "<div class=\"ecp-forward\"><div>{}</div><br>{}</div>",
        escape(&heading).replace('\n', "<br>"),
        quoted_html(q)
    );
    (text, html)
}

fn quoted_plain(q: &Quoted) -> String {
    if q.text.trim().is_empty()
        && let Some(html) = &q.html
    {
        return from_sanitized_html(&clean(html, false));
    }
    tidy(&q.text.replace("\r\n", "\n").replace('\r', "\n"))
}

fn quoted_html(q: &Quoted) -> String {
    match &q.html {
        Some(html) if !html.trim().is_empty() => clean(html, false),
        _ => text_to_html(&quoted_plain(q)),
    }
}

/// Everything that goes into the HTML part passes the display allow-list
/// here, whoever cleaned it before: no script, handler, form or frame can
/// ever be sent in our name. Inline (`cid:`) images are not sent yet, so
/// their references go too.
fn clean(html: &str, remote_images: bool) -> String {
    let no_cid = |_: &str| None;
    let opts = DisplayOptions {
        show_remote_images: remote_images,
        cid_url: &no_cid,
        blocked_image_src: None,
    };
    sanitize_mail_html(html, &opts).html.trim().to_string()
}

fn one_line_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_to_html(text: &str) -> String {
    escape(text).replace('\n', "<br>\n")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out() -> Outgoing {
        Outgoing {
            kind: Kind::Reply,
            body_html: "<p>Thanks, <b>fixed</b>.</p>".into(),
            personal_signature_html: "<p>Ann</p>".into(),
            mailbox_signature_html: "<p>Acme Support</p>".into(),
            quoted: vec![Quoted {
                author: "Bob <bob@x.test>".into(),
                date: "Mon, 3 Mar 2025 10:00".into(),
                text: "It broke.\n\n> older\nBob".into(),
                html: None,
            }],
            ..Outgoing::default()
        }
    }

    #[test]
    fn text_order_and_quoting() {
        let b = bodies(&out());
        assert_eq!(
            b.text,
            "Thanks, fixed.\n\nAnn\n\nAcme Support\n\nOn Mon, 3 Mar 2025 10:00, Bob <bob@x.test> wrote:\n> It broke.\n>\n>> older\n> Bob\n"
        );
    }

    #[test]
    fn html_order_and_escaping() {
        let b = bodies(&out());
        let h = &b.html;
        let pos = |s: &str| h.find(s).unwrap_or(usize::MAX);
        assert!(pos("fixed") < pos(">Ann<"), "{h}");
        assert!(pos(">Ann<") < pos("Acme Support"), "{h}");
        assert!(pos("Acme Support") < pos("<blockquote"), "{h}");
        assert!(h.contains("Bob &lt;bob@x.test&gt; wrote:"), "{h}");
        assert!(h.contains("&gt; older"), "{h}");
        assert!(h.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn nothing_executable_survives() {
        let evil = "<p onclick=\"x()\">hi</p><script>alert(1)</script><iframe src=\"https://e.test\"></iframe><a href=\"javascript:alert(1)\">l</a><img src=\"https://t.test/p.gif\"><form><input></form>";
        let mut o = out();
        o.body_html = evil.into();
        o.personal_signature_html = evil.into();
        o.mailbox_signature_html = evil.into();
        o.quoted[0].html = Some(evil.into());
        let h = bodies(&o).html.to_lowercase();
        for bad in [
            "<script",
            "onclick",
            "javascript:",
            "<iframe",
            "<form",
            "<input",
            "alert(1)",
        ] {
            assert!(!h.contains(bad), "{bad} in {h}");
        }
        // Remote images: the agent's kept, the customer's quoted ones dropped.
        assert_eq!(h.matches("https://t.test/p.gif").count(), 3, "{h}");
    }

    #[test]
    fn empty_signatures_leave_no_gap() {
        let mut o = out();
        o.personal_signature_html = "<p> </p>".into();
        o.mailbox_signature_html = String::new();
        o.quoted.clear();
        o.body_text = Some("Plain\r\nwords\r\n".into());
        let b = bodies(&o);
        assert_eq!(b.text, "Plain\nwords\n");
        assert!(!b.html.contains("ecp-signature"));
    }

    #[test]
    fn forward_block() {
        let mut o = out();
        o.kind = Kind::Forward;
        let b = bodies(&o);
        assert!(
            b.text.contains("---------- Forwarded message ----------\nFrom: Bob <bob@x.test>\nDate: Mon, 3 Mar 2025 10:00\n\nIt broke."),
            "{}",
            b.text
        );
        assert!(!b.text.contains("> It broke."));
    }
}
