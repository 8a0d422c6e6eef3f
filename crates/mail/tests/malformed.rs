//! Input no mail client would produce: parse must never panic, reject only
//! what is not mail at all, and keep whatever a broken message still holds.

use ecp_mail::{ParseError, parse};

/// xorshift64*: deterministic noise without a dependency.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

#[test]
fn random_bytes_never_panic() {
    for seed in 1..400u64 {
        let bytes = noise(seed, (seed as usize * 37) % 4096);
        let _ = parse(&bytes);
        // Noise after a real header block must still parse.
        let mut framed =
            b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n".to_vec();
        framed.extend_from_slice(&bytes);
        assert!(parse(&framed).is_ok(), "seed {seed}");
    }
}

#[test]
fn empty_and_non_mail_input_is_rejected() {
    assert_eq!(parse(b""), Err(ParseError::Empty));
    assert_eq!(parse(b" \r\n\t\n"), Err(ParseError::Empty));
    assert_eq!(
        parse(b"just some words\nand more words\n"),
        Err(ParseError::NoHeaders)
    );
    assert_eq!(
        parse(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10"),
        Err(ParseError::NoHeaders)
    );
    assert_eq!(parse(&[0u8; 64]), Err(ParseError::NoHeaders));
}

#[test]
fn header_only_message() {
    let m = parse(b"From: Ann <ann@example.test>\r\nSubject: no body\r\nMessage-ID: <x@y>")
        .expect("parses");
    assert_eq!(m.subject, "no body");
    assert_eq!(m.message_id.as_deref(), Some("x@y"));
    assert_eq!(
        m.from.map(|a| (a.name, a.address)),
        Some((Some("Ann".into()), "ann@example.test".into()))
    );
    assert!(m.text_body.is_empty());
}

#[test]
fn raw_latin1_headers_are_read_as_such() {
    let m = parse(b"From: Jos\xe9 <jose@example.test>\nSubject: Caf\xe9 cr\xe8me\n\nhi\n")
        .expect("parses");
    assert_eq!(m.subject, "Café crème");
    assert_eq!(m.from.and_then(|a| a.name).as_deref(), Some("José"));
    // The body's declared charset wins over the Windows-1252 guess.
    let m = parse(b"Subject: \xd0\xd2\xc9\xd7\xc5\xd4\nContent-Type: text/plain; charset=koi8-r\n\n\xd0\xd2\xc9\xd7\xc5\xd4\n")
        .expect("parses");
    assert_eq!(m.subject, "привет");
    assert_eq!(m.text_body.trim(), "привет");
}

#[test]
fn truncated_multipart_keeps_what_arrived() {
    let raw = b"From: a@b.test\r\nSubject: cut\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nfirst part survives\r\n\
--B\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLj";
    let m = parse(raw).expect("parses");
    assert_eq!(m.subject, "cut");
    assert!(
        m.text_body.contains("first part survives"),
        "{}",
        m.text_body
    );
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].filename, "r.pdf");
    // The cut base64 does not decode; mail-parser keeps the raw text and
    // the message is flagged rather than dropped.
    assert!(!m.attachments[0].bytes.is_empty());
    assert!(m.has_defects);
}

#[test]
fn hostile_attachment_names_and_ids() {
    let raw = b"From: a@b.test\r\nIn-Reply-To: <a@b> <a@b>\r\nReferences: <r1@x>\r\n <r2@x> garbage <a@b>\r\n\
Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:logo@x\">\r\n\
--B\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline; filename=\"../../.ssh/authorized_keys\"\r\n\r\nPNG\r\n--B--\r\n";
    let m = parse(raw).expect("parses");
    assert_eq!(m.in_reply_to, ["a@b"]);
    assert_eq!(m.references, ["r1@x", "r2@x", "a@b"]);
    let a = &m.attachments[0];
    assert_eq!(a.filename, "authorized_keys");
    assert_eq!(a.content_id.as_deref(), Some("logo@x"));
    assert!(a.inline);
}

#[test]
fn null_return_path_and_spam_headers() {
    let raw = b"Return-Path: <>\r\nReceived: from a\r\nReceived: from b\r\nX-Spam-Status: Yes, score=9.1\r\n\
X-Spam-Flag: YES\r\nAuthentication-Results: mx.test; spf=fail\r\nList-Id: <l.example>\r\nFrom: x@y\r\n\r\nbody";
    let m = parse(raw).expect("parses");
    assert_eq!(m.triage.return_path, ecp_mail::ReturnPath::Null);
    assert_eq!(m.triage.received_count, 2);
    assert_eq!(
        m.triage.x_spam,
        [
            ("X-Spam-Status".into(), "Yes, score=9.1".into()),
            ("X-Spam-Flag".into(), "YES".into())
        ]
    );
    assert_eq!(m.triage.authentication_results, ["mx.test; spf=fail"]);
    assert_eq!(m.triage.list_id.as_deref(), Some("<l.example>"));
    let m = parse(b"From: x@y\r\n\r\nbody").expect("parses");
    assert_eq!(m.triage.return_path, ecp_mail::ReturnPath::Missing);
}
