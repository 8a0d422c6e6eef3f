//! `multipart/form-data` bodies of the compose forms (text fields and file
//! uploads), with the CSRF check that [`crate::auth::CsrfForm`] does for
//! ordinary forms. The whole body is read (the route's body limit bounds
//! it), then split on the boundary.

use crate::auth::RequestAuth;
use crate::error::PageError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use ecp_app::outbound::OutgoingAttachment;

/// A multipart form whose `csrf` field matched the request's token.
#[derive(Debug, Default)]
pub(crate) struct CsrfMultipart {
    pub fields: Vec<(String, String)>,
    /// Uploaded files; empty file inputs are left out.
    pub files: Vec<(String, OutgoingAttachment)>,
}

impl CsrfMultipart {
    /// The first value of a text field, or "".
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// A `name="value"` parameter of a Content-Disposition header.
fn param(header: &str, name: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    let key = format!("{name}=");
    let mut at = 0;
    while let Some(i) = lower[at..].find(&key) {
        let start = at + i;
        let before = lower[..start].chars().last();
        if matches!(before, Some(';') | Some(' ') | Some('\t')) {
            let rest = &header[start + key.len()..];
            return Some(if let Some(quoted) = rest.strip_prefix('"') {
                quoted.split('"').next().unwrap_or("").to_string()
            } else {
                rest.split(';').next().unwrap_or("").trim().to_string()
            });
        }
        at = start + key.len();
    }
    None
}

/// Splits a body into its parts; None if it isn't well-formed.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Option<CsrfMultipart> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut out = CsrfMultipart::default();
    let mut pos = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(out);
        }
        // The line break after the delimiter.
        pos = find(body, b"\r\n", pos)? + 2;
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).to_string();
        let content_start = head_end + 4;
        let mut next_delim = b"\r\n".to_vec();
        next_delim.extend_from_slice(&delimiter);
        let content_end = find(body, &next_delim, content_start)?;
        let content = &body[content_start..content_end];
        let mut disposition = String::new();
        let mut content_type = String::new();
        for line in head.split("\r\n") {
            if let Some((k, v)) = line.split_once(':') {
                if k.trim().eq_ignore_ascii_case("content-disposition") {
                    disposition = v.trim().to_string();
                } else if k.trim().eq_ignore_ascii_case("content-type") {
                    content_type = v.trim().to_string();
                }
            }
        }
        let name = param(&disposition, "name").unwrap_or_default();
        match param(&disposition, "filename") {
            Some(filename) => {
                if !(filename.is_empty() && content.is_empty()) {
                    out.files.push((
                        name,
                        OutgoingAttachment {
                            filename,
                            content_type,
                            bytes: content.to_vec(),
                        },
                    ));
                }
            }
            None => out
                .fields
                .push((name, String::from_utf8_lossy(content).to_string())),
        }
        pos = content_end + next_delim.len();
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<S: Send + Sync> FromRequest<S> for CsrfMultipart {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = req
            .extensions()
            .get::<RequestAuth>()
            .map(|a| a.csrf_token.clone())
            .unwrap_or_default();
        let boundary = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(boundary_of);
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                PageError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "The message is too large to upload: attachments may add up to {} at most. Go back, remove some and send again.",
                        super::conversations::human_size(super::compose::MAX_ATTACHMENT_BYTES as i64)
                    ),
                )
                .into_response()
            } else {
                PageError::bad_request("The form could not be read. Reload the page and try again.")
                    .into_response()
            }
        })?;
        let form = boundary.and_then(|b| parse(&bytes, &b)).ok_or_else(|| {
            PageError::bad_request(
                "The form was incomplete or malformed. Reload the page and try again.",
            )
            .into_response()
        })?;
        let given = form.field("csrf");
        if expected.is_empty() || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Err(PageError::forbidden(
                "This form has expired or was sent from another site. Go back, reload the page and try again.",
            )
            .into_response());
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\nthere\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n\
--XyZ--\r\n";
        let f = parse(body, "XyZ").unwrap();
        assert_eq!(f.field("csrf"), "abc");
        assert_eq!(f.files.len(), 1);
        assert_eq!(f.files[0].1.filename, "a.txt");
        assert_eq!(f.files[0].1.bytes, b"hi\r\nthere");
        assert_eq!(
            boundary_of("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
        assert!(parse(b"garbage", "XyZ").is_none());
    }
}
