//! The test messages shipped inside the mail-parser crate (RFC examples,
//! legacy and third-party mail, deliberately malformed MIME), checked
//! against the expected-output JSON the crate ships beside each message.

// Helpers below are test code: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

mod common;

use std::path::Path;

use serde_json::Value;

/// Observed on mail-parser 0.11.9: every `.eml` parses; the other files
/// are three COPYING licence texts and six one-letter maildir stubs, none
/// of which is mail.
const EML_FILES: usize = 107;
const NOT_MAIL: usize = 9;
/// 25 of the 107 have neither subject nor From: the malformed-MIME fixtures
/// and a few third-party body-only samples.
const WITH_SUBJECT_OR_FROM: usize = 82;

fn root_header<'v>(expected: &'v Value, name: &str) -> Option<&'v Value> {
    expected["parts"][0]["headers"]
        .as_array()?
        .iter()
        .find(|h| h["name"] == name)
        .map(|h| &h["value"])
}

fn first_address(value: &Value) -> Option<String> {
    let addr = &value["Address"];
    let first = addr["List"]
        .get(0)
        .or_else(|| addr["Group"].get(0).and_then(|g| g["addresses"].get(0)))?;
    first["address"]
        .as_str()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
}

fn first_id(value: &Value) -> Option<String> {
    value["Text"]
        .as_str()
        .or_else(|| value["TextList"].get(0).and_then(Value::as_str))
        .map(str::to_string)
}

/// Compares what we extracted with what mail-parser's authors expect.
fn check_against_expected(path: &Path, msg: &ecp_mail::ParsedMessage) {
    let json = path.with_extension("json");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("expected JSON beside every .eml"))
            .expect("valid JSON");
    let subject = root_header(&expected, "subject")
        .and_then(|v| v["Text"].as_str())
        .unwrap_or("")
        .trim();
    if subject.contains('\u{fffd}') {
        // mail-parser gave up on raw 8-bit bytes; we re-read them.
        assert!(!msg.subject.is_empty(), "{}", path.display());
    } else {
        assert_eq!(msg.subject, subject, "subject of {}", path.display());
    }
    let from = root_header(&expected, "from").and_then(first_address);
    assert_eq!(
        msg.from.as_ref().map(|a| a.address.clone()),
        from,
        "from of {}",
        path.display()
    );
    let id = root_header(&expected, "message_id").and_then(first_id);
    if let Some(id) = id.filter(|i| !i.trim().is_empty()) {
        assert_eq!(
            msg.message_id.as_deref(),
            Some(id.trim()),
            "message id of {}",
            path.display()
        );
    }
}

#[test]
fn every_file_parses_or_is_rejected_as_not_mail() {
    let dir = common::mail_parser_resources();
    let (mut parsed, mut rejected, mut named) = (0, 0, 0);
    for path in common::files_under(&dir) {
        if path.extension().is_some_and(|e| e == "json") {
            continue; // expected outputs and field-parser fixtures, not messages
        }
        let raw = std::fs::read(&path).expect("readable");
        let is_eml = path.extension().is_some_and(|e| e == "eml");
        match ecp_mail::parse(&raw) {
            Ok(msg) => {
                assert!(is_eml, "{} is not mail but parsed", path.display());
                parsed += 1;
                if !msg.subject.is_empty() || msg.from.is_some() {
                    named += 1;
                }
                for a in &msg.attachments {
                    assert_eq!(a.size, a.bytes.len());
                    assert!(
                        !a.filename.is_empty() && !a.filename.contains(['/', '\\']),
                        "{}",
                        a.filename
                    );
                }
                check_against_expected(&path, &msg);
            }
            Err(e) => {
                assert!(!is_eml, "{} unparseable: {e}", path.display());
                rejected += 1;
            }
        }
    }
    assert_eq!((parsed, rejected), (EML_FILES, NOT_MAIL));
    assert_eq!(named, WITH_SUBJECT_OR_FROM);
}

fn eml(rel: &str) -> ecp_mail::ParsedMessage {
    let path = common::mail_parser_resources().join("eml").join(rel);
    ecp_mail::parse(&std::fs::read(&path).expect("fixture exists")).expect("parses")
}

#[test]
fn encoded_subjects_decode() {
    // RFC 2047 Q-encoded ISO-8859-1, and the same with a raw 8-bit byte
    // inside the encoded word, as a broken client sent it.
    assert_eq!(eml("legacy/002.eml").subject, "Die Hasen und die Frösche");
    assert_eq!(eml("legacy/009.eml").subject, "Die Hasen und die Frösche");
    // Raw ISO-8859-1 bytes with no encoded word at all.
    assert_eq!(eml("legacy/010.eml").subject, "Die Hasen und die Frösche");
}

#[test]
fn html_only_mail_gets_a_text_body() {
    let msg = eml("legacy/002.eml");
    assert!(msg.html_body.is_some());
    assert!(msg.text_body.contains("Frösche"), "{}", msg.text_body);
}
