//! A message's HTML as the viewer shows it: cleaned by the display
//! sanitizer, `cid:` parts pointing at the message's own attachments,
//! remote images held back unless a person asked for them.

use ecp_store::messages::{AttachmentRecord, MessageRecord};

pub use ecp_mail::DisplayHtml;
use ecp_mail::{DisplayOptions, sanitize_mail_html};

/// The displayable HTML of `m`, None when it has no HTML body. `cid_url`
/// turns an attachment id of this message into the URL that serves it.
pub fn message_html(
    m: &MessageRecord,
    attachments: &[AttachmentRecord],
    show_remote_images: bool,
    cid_url: &(dyn Fn(i64) -> String + Sync),
) -> Option<DisplayHtml> {
    let html = m.html_body.as_deref().filter(|h| !h.trim().is_empty())?;
    let own: Vec<&AttachmentRecord> = attachments
        .iter()
        .filter(|a| a.message_id == m.id)
        .collect();
    let lookup = |cid: &str| -> Option<String> {
        let wanted = bare_cid(cid);
        own.iter()
            .find(|a| a.content_id.as_deref().map(bare_cid) == Some(wanted))
            .map(|a| cid_url(a.id))
    };
    Some(sanitize_mail_html(
        html,
        &DisplayOptions {
            show_remote_images,
            cid_url: &lookup,
            blocked_image_src: None,
        },
    ))
}

/// Content-IDs are compared without their angle brackets and blanks.
fn bare_cid(s: &str) -> &str {
    s.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
}

#[cfg(test)]
mod tests {
    use super::bare_cid;

    #[test]
    fn cid_forms_match() {
        assert_eq!(bare_cid("<logo@x>"), "logo@x");
        assert_eq!(bare_cid(" logo@x "), "logo@x");
    }
}
