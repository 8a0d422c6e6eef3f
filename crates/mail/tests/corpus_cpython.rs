//! CPython's `test_email` data: decades of odd real-world mail collected by
//! the Python email package's maintainers.

// Helpers below are test code: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

mod common;

use ecp_mail::{AutomatedReason, ParsedMessage, ReturnPath, is_automated};

/// Observed: all 48 `msg_*.txt` parse except msg_19.txt, which is a bare
/// body with no header at all; the 17 image and sound files beside them
/// are rejected as not mail.
const MESSAGES: usize = 48;
const BODY_ONLY: &[&str] = &["msg_19.txt"];
const OTHER_FILES: usize = 17;

fn msg(name: &str) -> ParsedMessage {
    let path = common::cpython_email_data().join(name);
    ecp_mail::parse(&std::fs::read(&path).expect("fixture exists")).expect("parses")
}

#[test]
fn every_file_parses_or_is_rejected() {
    let dir = common::cpython_email_data();
    let (mut messages, mut others) = (0, 0);
    for path in common::files_under(&dir) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let result = ecp_mail::parse(&std::fs::read(&path).expect("readable"));
        if name.starts_with("msg_") {
            messages += 1;
            assert_eq!(
                result.is_err(),
                BODY_ONLY.contains(&name.as_str()),
                "{name}: {result:?}"
            );
        } else {
            others += 1;
            assert_eq!(result, Err(ecp_mail::ParseError::NoHeaders), "{name}");
        }
    }
    assert_eq!((messages, others), (MESSAGES, OTHER_FILES));
}

#[test]
fn simple_message_headers() {
    let m = msg("msg_01.txt");
    assert_eq!(m.subject, "This is a test message");
    assert_eq!(
        m.message_id.as_deref(),
        Some("15090.61304.110929.45684@aaa.zzz.org")
    );
    assert_eq!(
        m.from.as_ref().map(|a| a.address.as_str()),
        Some("bbb@ddd.com")
    );
    assert_eq!(m.date_ms, Some(988_999_544_000)); // Fri, 4 May 2001 14:05:44 -0400
    assert_eq!(
        m.triage.return_path,
        ReturnPath::Address("bbb@zzz.org".into())
    );
    assert!(m.triage.received_count >= 1);
    assert_eq!(is_automated(&m), None);
}

#[test]
fn binary_attachments() {
    let m = msg("msg_07.txt");
    assert_eq!(m.attachments.len(), 1);
    let gif = &m.attachments[0];
    assert_eq!(
        (gif.filename.as_str(), gif.content_type.as_str()),
        ("dingusfish.gif", "image/gif")
    );
    assert!(gif.bytes.starts_with(b"GIF8"));

    let m = msg("msg_22.txt");
    assert_eq!(
        m.message_id.as_deref(),
        Some("a05001902b7f1c33773e9@[134.84.183.138]")
    );
    // The same line sits in a leading and a trailing text/plain part.
    assert!(
        m.text_body.lines().all(|l| l == "Text text text."),
        "{}",
        m.text_body
    );
    let names: Vec<_> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["wibble.JPG", "wibble2.JPG"]);
    for (a, n) in m.attachments.iter().zip(0..) {
        assert_eq!(a.content_type, "image/jpeg");
        assert!(
            a.bytes.starts_with(&[0xff, 0xd8]),
            "JPEG magic in {}",
            a.filename
        );
        assert_eq!(
            a.content_id,
            Some(format!("a05001902b7f1c33773e9@[134.84.183.138].0.{n}"))
        );
        assert!(!a.inline, "no HTML body refers to it");
    }

    let m = msg("msg_45.txt");
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].filename, "signature.asc");
    assert_eq!(m.attachments[0].content_type, "application/pgp-signature");
}

#[test]
fn charsets_and_transfer_encodings_decode() {
    let m = msg("msg_10.txt");
    assert!(m.text_body.contains("This is a 7bit encoded message."));
    assert!(m.text_body.contains("This is a Base64 encoded message."));
    let html = m.html_body.expect("the text/html part");
    assert!(
        html.contains("\u{a1}This is a Quoted Printable encoded message!"),
        "{html}"
    );
}

#[test]
fn inline_text_parts_form_the_body() {
    let m = msg("msg_04.txt");
    assert_eq!(
        m.text_body.matches("a simple kind of mirror").count(),
        2,
        "{}",
        m.text_body
    );
    assert!(m.attachments.is_empty());
}

#[test]
fn forwarded_and_digest_messages_become_eml_attachments() {
    let m = msg("msg_02.txt");
    let eml = m
        .attachments
        .iter()
        .filter(|a| a.content_type == "message/rfc822")
        .count();
    assert_eq!(eml, 5);
    assert!(
        m.attachments
            .iter()
            .any(|a| a.filename == "[Ppp] testing #1.eml")
    );

    let m = msg("msg_46.txt");
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].filename, "GroupwiseForwardingTest.eml");
    assert!(
        ecp_mail::parse(&m.attachments[0].bytes).is_ok(),
        "the attachment is itself a message"
    );
}

#[test]
fn multipart_without_its_boundary_keeps_the_text() {
    // Declares multipart/alternative but has no boundary parameter.
    let m = msg("msg_41.txt");
    assert_eq!(m.text_body.trim(), "Blah blah blah");
    assert!(m.attachments.is_empty());
}

#[test]
fn bounces_and_lists_are_automated() {
    let m = msg("msg_16.txt");
    assert_eq!(m.triage.return_path, ReturnPath::Null);
    assert_eq!(m.triage.content_type, "multipart/report");
    assert_eq!(m.triage.report_type, None, "this one omits the parameter");
    assert_eq!(m.triage.precedence.as_deref(), Some("bulk"));
    // Precedence is checked before the null return path.
    assert_eq!(is_automated(&m), Some(AutomatedReason::Precedence));

    let m = msg("msg_25.txt");
    assert_eq!(
        m.triage.auto_submitted.as_deref(),
        Some("auto-generated (failure)")
    );
    assert_eq!(is_automated(&m), Some(AutomatedReason::AutoSubmitted));

    // From: "MAILER DAEMON" <> and nothing else robotic but the report.
    let m = msg("msg_43.txt");
    assert_eq!(m.triage.content_type, "multipart/report");
    assert_eq!(is_automated(&m), Some(AutomatedReason::Report));
}
