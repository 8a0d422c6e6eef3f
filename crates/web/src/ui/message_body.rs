//! One message's body as a document of its own, for the sandboxed iframe
//! of the conversation page, and its source as inline text.
//!
//! Why an iframe with `src` (not `srcdoc`): a `srcdoc` frame inherits the
//! page's CSP, which allows our scripts, and cannot get headers of its own;
//! a separate response carries a CSP written for mail — no script at all,
//! images only from us unless the person asked to see remote ones.
//!
//! Why `allow-same-origin` in the sandbox: without it the frame's origin is
//! opaque, so its requests for inline (`cid:`) images are cross-site and
//! carry no session cookie (SameSite=Lax), and the page cannot measure the
//! frame to fit its height. Same origin gives the frame's content nothing
//! it could use, because nothing in it can run: the sandbox has no
//! `allow-scripts`, the CSP has no script source, and the sanitizer has
//! already removed every script, handler and `javascript:` URL.

use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ecp_app::AppError;
use ecp_app::conversations::{AttachmentRecord, MessageRecord};
use ecp_app::display::{DisplayHtml, message_html};
use ecp_domain::conversation::ConversationId;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations/{id}/messages/{message}/body", get(body))
        .route(
            "/conversations/{id}/messages/{message}/source.txt",
            get(source_text),
        )
}

/// The sandbox attribute of the message frame (see the module comment).
pub(crate) const FRAME_SANDBOX: &str =
    "allow-same-origin allow-popups allow-popups-to-escape-sandbox";

/// The body document's CSP. `data:` images are inline raster images the
/// sanitizer kept, not remote; `http:`/`https:` only after "show images".
/// The `sandbox` directive keeps the document script-free even when it is
/// opened on its own, outside the frame.
pub(crate) fn body_csp(show_remote_images: bool) -> String {
    format!(
        "default-src 'none'; img-src 'self' data:{}; style-src 'unsafe-inline'; \
         frame-ancestors 'self'; base-uri 'none'; form-action 'none'; \
         sandbox {FRAME_SANDBOX}",
        if show_remote_images {
            " https: http:"
        } else {
            ""
        }
    )
}

pub(crate) fn attachment_url(conversation: i64, attachment: i64) -> String {
    format!("/conversations/{conversation}/attachments/{attachment}")
}

/// The displayable HTML of a message of conversation `conversation`.
pub(crate) fn display(
    conversation: i64,
    m: &MessageRecord,
    attachments: &[AttachmentRecord],
    show_remote_images: bool,
) -> Option<DisplayHtml> {
    let url = move |a: i64| attachment_url(conversation, a);
    message_html(m, attachments, show_remote_images, &url)
}

#[derive(Deserialize, Default)]
struct BodyQuery {
    #[serde(default)]
    images: String,
}

const FRAME_STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1d232a;margin:0;padding:8px;\
overflow-wrap:anywhere}img{max-width:100%;height:auto}pre{white-space:pre-wrap}table{max-width:100%}";

async fn body(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, message)): Path<(i64, i64)>,
    Query(q): Query<BodyQuery>,
) -> Result<Response, PageError> {
    let view = s.app.conversation(&user.actor, ConversationId(id)).await?;
    let m = view
        .messages
        .iter()
        .find(|m| m.id == message)
        .ok_or(AppError::NotFound)?;
    let show = q.images == "1";
    let inner = match display(id, m, &view.attachments, show) {
        Some(d) => d.html,
        None => format!("<pre>{}</pre>", linkified_html(&m.text_body)),
    };
    let doc = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Message</title>\
         <style>{FRAME_STYLE}</style></head><body>{inner}</body></html>"
    );
    let csp = HeaderValue::from_str(&body_csp(show)).map_err(|_| PageError::internal())?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CONTENT_SECURITY_POLICY, csp),
            (
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
        doc,
    )
        .into_response())
}

/// The original as text to read in the browser: plain text, never sniffed,
/// sandboxed even if some browser rendered it.
async fn source_text(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, message)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let d = s
        .app
        .raw_source(&user.actor, ConversationId(id), message)
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"message-{message}.txt\""),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
        ],
        String::from_utf8_lossy(&d.bytes).into_owned(),
    )
        .into_response())
}

/// A run of plain text, or a link in it.
pub(crate) struct TextPiece {
    pub text: String,
    /// Always an `http://` or `https://` URL.
    pub href: Option<String>,
}

/// Splits plain text into text and http(s) links, for showing it escaped
/// with the links clickable. Trailing punctuation stays text.
pub(crate) fn linkify(text: &str) -> Vec<TextPiece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_link(rest) {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c.is_control() || "<>\"'`".contains(c))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(|c: char| ".,;:!?)]}".contains(c));
        if url.len() <= "https://".len() {
            push_text(&mut out, &rest[..start + end.max(1)]);
            rest = &rest[start + end.max(1)..];
            continue;
        }
        push_text(&mut out, &rest[..start]);
        out.push(TextPiece {
            text: url.to_string(),
            href: Some(url.to_string()),
        });
        rest = &rest[start + url.len()..];
    }
    push_text(&mut out, rest);
    out
}

fn find_link(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    match (lower.find("http://"), lower.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn push_text(out: &mut Vec<TextPiece>, s: &str) {
    if !s.is_empty() {
        out.push(TextPiece {
            text: s.to_string(),
            href: None,
        });
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn linkified_html(text: &str) -> String {
    linkify(text)
        .into_iter()
        .map(|p| match p.href {
            Some(h) => format!(
                "<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">{}</a>",
                escape(&h),
                escape(&p.text)
            ),
            None => escape(&p.text),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(s: &str) -> Vec<String> {
        linkify(s).into_iter().filter_map(|p| p.href).collect()
    }

    #[test]
    fn links_are_found_and_punctuation_kept_out() {
        assert_eq!(
            links("See https://x.test/a?b=1&c=2. Or http://y.test)"),
            vec!["https://x.test/a?b=1&c=2", "http://y.test"]
        );
        assert!(links("javascript:alert(1) https:// http://\"onmouseover=").is_empty());
        let all: String = linkify("a https://x.test/<b> c")
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(all, "a https://x.test/<b> c");
    }

    #[test]
    fn html_is_escaped() {
        let h = linkified_html("<script>alert(1)</script> https://x.test/\"><script>");
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("href=\"https://x.test/\""), "{h}");
    }
}
