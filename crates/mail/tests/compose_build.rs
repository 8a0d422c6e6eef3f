//! Builds outgoing messages and reads them back with our own parser, the
//! way the customer's client and our own ingest would see them.

use ecp_mail::compose::{
    Automatic, Built, ComposeError, Kind, Outgoing, OutgoingAttachment, Parent, Person, Quoted,
    Stamp, build, build_at,
};
use ecp_mail::{AutomatedReason, ParsedMessage, is_automated, parse};

fn reply() -> Outgoing {
    Outgoing {
        kind: Kind::Reply,
        from: Person::new("Acme Support", "support@acme.test"),
        to: vec![Person::new("Bob Customer", "bob@customer.test")],
        cc: vec![Person::address("carol@customer.test")],
        subject: "Printer on fire".into(),
        body_html: "<p>Hello Bob,</p><p>we sent a technician.</p>".into(),
        body_text: None,
        personal_signature_html: "<p>Ann Agent</p>".into(),
        mailbox_signature_html: "<p><b>Acme</b> Support Team</p>".into(),
        quoted: vec![Quoted {
            author: "Bob Customer".into(),
            date: "Mon, 3 Mar 2025 at 10:00".into(),
            text: "My printer is on fire.\nPlease help.".into(),
            html: Some("<p>My printer is on <i>fire</i>.</p><p>Please help.</p>".into()),
        }],
        conversation_token: Some(4711),
        parent: Some(Parent {
            message_id: "<CAF=bob-2@mail.customer.test>".into(),
            references: vec!["<root-1@mail.customer.test>".into()],
        }),
        attachments: Vec::new(),
        max_attachment_bytes: None,
        automatic: Automatic::No,
        message_id_domain: None,
    }
}

fn built_and_parsed(out: &Outgoing) -> (Built, ParsedMessage) {
    let built = match build(out) {
        Ok(b) => b,
        Err(e) => panic!("build failed: {e}"),
    };
    let parsed = match parse(&built.raw) {
        Ok(p) => p,
        Err(e) => panic!("parse failed: {e}\n{}", String::from_utf8_lossy(&built.raw)),
    };
    (built, parsed)
}

/// The header block as text, unfolded.
fn header_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let end = text.find("\r\n\r\n").unwrap_or(text.len());
    text[..end].replace("\r\n ", " ").replace("\r\n\t", " ")
}

fn header_names(raw: &[u8]) -> Vec<String> {
    header_block(raw)
        .split("\r\n")
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_ascii_lowercase()))
        .collect()
}

#[test]
fn crlf_line_ends_only() {
    let (built, _) = built_and_parsed(&reply());
    let raw = &built.raw;
    for (i, b) in raw.iter().enumerate() {
        if *b == b'\n' {
            assert_eq!(raw.get(i.wrapping_sub(1)), Some(&b'\r'), "bare LF at {i}");
        }
    }
    for line in String::from_utf8_lossy(raw).split("\r\n") {
        assert!(line.len() <= 998, "line too long: {}", line.len());
    }
}

#[test]
fn addresses_and_no_bcc() {
    let (_, p) = built_and_parsed(&reply());
    let from = p
        .from
        .as_ref()
        .map(|a| (a.name.as_deref(), a.address.as_str()));
    assert_eq!(from, Some((Some("Acme Support"), "support@acme.test")));
    assert_eq!(p.to.len(), 1);
    assert_eq!(p.to[0].name.as_deref(), Some("Bob Customer"));
    assert_eq!(p.to[0].address, "bob@customer.test");
    assert_eq!(p.cc.len(), 1);
    assert_eq!(p.cc[0].address, "carol@customer.test");
    let names = header_names(&reply_raw());
    assert!(!names.iter().any(|n| n == "bcc"), "{names:?}");
    for required in [
        "date",
        "message-id",
        "mime-version",
        "from",
        "to",
        "subject",
    ] {
        assert_eq!(
            names.iter().filter(|n| *n == required).count(),
            1,
            "{required} in {names:?}"
        );
    }
}

fn reply_raw() -> Vec<u8> {
    build(&reply()).map(|b| b.raw).unwrap_or_default()
}

#[test]
fn recipients_for_envelope_are_deduplicated() {
    let mut out = reply();
    out.cc.push(Person::new("Bob again", "BOB@customer.test"));
    out.to.push(Person::address("carol@customer.test"));
    let (built, p) = built_and_parsed(&out);
    assert_eq!(
        built.recipients,
        ["bob@customer.test", "carol@customer.test"]
    );
    assert_eq!(p.to.len(), 2);
    assert!(p.cc.is_empty());
    assert!(!header_names(&built.raw).iter().any(|n| n == "cc"));
}

#[test]
fn message_id_is_ours_and_unique() {
    let (a, p) = built_and_parsed(&reply());
    let (b, _) = built_and_parsed(&reply());
    assert_ne!(a.message_id, b.message_id);
    assert_eq!(p.message_id.as_deref(), Some(a.message_id.as_str()));
    assert!(a.message_id.starts_with("ecp."), "{}", a.message_id);
    assert!(a.message_id.ends_with("@acme.test"), "{}", a.message_id);
    assert!(!a.message_id.contains(['<', '>', ' ']));
    assert!(header_block(&a.raw).contains(&format!("Message-ID: <{}>", a.message_id)));

    let mut out = reply();
    out.message_id_domain = Some("Mail.Example.TEST".into());
    let (c, _) = built_and_parsed(&out);
    assert!(
        c.message_id.ends_with("@mail.example.test"),
        "{}",
        c.message_id
    );
}

#[test]
fn fixed_stamp_gives_fixed_headers() {
    let stamp = Stamp {
        now_ms: 1_741_000_000_123,
        random: 42,
    };
    let a = build_at(&reply(), stamp).map(|b| (b.message_id, b.date_ms, b.text, b.html));
    let b = build_at(&reply(), stamp).map(|b| (b.message_id, b.date_ms, b.text, b.html));
    assert_eq!(a, b);
    let built = build_at(&reply(), stamp).map_err(|e| e.to_string());
    let raw = built.map(|b| b.raw).unwrap_or_default();
    let p = parse(&raw).map_err(|e| e.to_string());
    assert_eq!(p.map(|p| p.date_ms), Ok(Some(1_741_000_000_000)));
}

#[test]
fn reply_thread_headers() {
    let (built, p) = built_and_parsed(&reply());
    assert_eq!(p.in_reply_to, ["CAF=bob-2@mail.customer.test"]);
    assert_eq!(
        p.references,
        ["root-1@mail.customer.test", "CAF=bob-2@mail.customer.test"]
    );
    let headers = header_block(&built.raw);
    assert!(
        headers.contains("In-Reply-To: <CAF=bob-2@mail.customer.test>"),
        "{headers}"
    );
    assert!(
        headers.contains("References: <root-1@mail.customer.test> <CAF=bob-2@mail.customer.test>"),
        "{headers}"
    );
}

#[test]
fn long_reference_chains_are_trimmed() {
    let mut out = reply();
    if let Some(parent) = out.parent.as_mut() {
        parent.references = (0..100).map(|i| format!("<r{i}@x.test>")).collect();
    }
    let (_, p) = built_and_parsed(&out);
    assert_eq!(p.references.len(), ecp_mail::compose::MAX_REFERENCES);
    assert_eq!(p.references.first().map(String::as_str), Some("r0@x.test"));
    assert_eq!(
        p.references.last().map(String::as_str),
        Some("CAF=bob-2@mail.customer.test")
    );
    assert_eq!(p.references.get(18).map(String::as_str), Some("r99@x.test"));
}

#[test]
fn new_and_forward_have_no_thread_headers() {
    for kind in [Kind::New, Kind::Forward] {
        let mut out = reply();
        out.kind = kind;
        let (built, p) = built_and_parsed(&out);
        assert!(p.in_reply_to.is_empty(), "{kind:?}");
        assert!(p.references.is_empty(), "{kind:?}");
        let names = header_names(&built.raw);
        assert!(
            !names
                .iter()
                .any(|n| n == "in-reply-to" || n == "references")
        );
    }
}

#[test]
fn subject_prefix_and_token() {
    let (_, p) = built_and_parsed(&reply());
    assert_eq!(p.subject, "Re: Printer on fire [#4711]");
    let mut out = reply();
    out.subject = "RE: Printer on fire [#4711]".into();
    let (_, p) = built_and_parsed(&out);
    assert_eq!(p.subject, "RE: Printer on fire [#4711]");
    out.kind = Kind::Forward;
    out.subject = "Printer on fire".into();
    let (_, p) = built_and_parsed(&out);
    assert_eq!(p.subject, "Fwd: Printer on fire [#4711]");
    out.kind = Kind::New;
    let (built, p) = built_and_parsed(&out);
    assert_eq!(p.subject, "Printer on fire [#4711]");
    assert_eq!(built.subject, p.subject);
}

#[test]
fn both_alternatives_in_order() {
    let (built, p) = built_and_parsed(&reply());
    // Text parts travel in canonical CRLF form.
    let text = &p.text_body.replace("\r\n", "\n");
    let order = [
        "we sent a technician",
        "Ann Agent",
        "Acme Support Team",
        "wrote:",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| text.find(s).unwrap_or(usize::MAX))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(
        text.contains("On Mon, 3 Mar 2025 at 10:00, Bob Customer wrote:\n> My printer is on fire.\n> Please help."),
        "{text}"
    );

    let html = p.html_body.as_deref().unwrap_or_default();
    let positions: Vec<usize> = [
        "we sent a technician",
        "Ann Agent",
        "<b>Acme</b> Support Team",
        "<blockquote",
        "<i>fire</i>",
    ]
    .iter()
    .map(|s| html.find(s).unwrap_or(usize::MAX))
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{html}");
    assert!(html.contains("Bob Customer wrote:"), "{html}");

    let raw = String::from_utf8_lossy(&built.raw).to_ascii_lowercase();
    assert!(raw.contains("content-type: multipart/alternative"), "{raw}");
    assert!(!raw.contains("multipart/mixed"), "{raw}");
    let text_at = raw.find("content-type: text/plain").unwrap_or(usize::MAX);
    let html_at = raw.find("content-type: text/html").unwrap_or(0);
    assert!(
        text_at < html_at,
        "text/plain must come first (least preferred)"
    );
    assert!(p.attachments.is_empty());
}

#[test]
fn explicit_plain_text_is_used() {
    let mut out = reply();
    out.body_text = Some("Hello Bob,\r\nthe plain way.".into());
    let (_, p) = built_and_parsed(&out);
    let text = p.text_body.replace("\r\n", "\n");
    assert!(
        text.starts_with("Hello Bob,\nthe plain way.\n\nAnn Agent"),
        "{text}"
    );
}

#[test]
fn html_is_never_trusted() {
    let mut out = reply();
    out.body_html =
        "<p onmouseover=\"steal()\">Hi</p><script>alert('x')</script><a href=\"javascript:alert(1)\">x</a><iframe src=\"https://evil.test/\"></iframe>".into();
    out.mailbox_signature_html = "<img src=x onerror=alert(2)><style>body{}</style>Sig".into();
    out.quoted[0].html = Some(
        "<form action=\"https://evil.test\"><input name=p></form><svg onload=alert(3)></svg>Old"
            .into(),
    );
    let (built, p) = built_and_parsed(&out);
    let html = p.html_body.unwrap_or_default().to_ascii_lowercase();
    for bad in [
        "<script",
        "onmouseover",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<form",
        "<input",
        "<svg",
        "<style",
        "alert(",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
        assert!(!built.html.to_ascii_lowercase().contains(bad));
    }
    assert!(html.contains("hi"));
    assert!(html.contains("sig"));
    assert!(html.contains("old"));
}

#[test]
fn attachments_round_trip_byte_for_byte() {
    let mut out = reply();
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let text_file = b"line one\nline two\r\nno newline at end".to_vec();
    out.attachments = vec![
        OutgoingAttachment {
            filename: "report.bin".into(),
            content_type: "application/octet-stream".into(),
            bytes: binary.clone(),
        },
        OutgoingAttachment {
            filename: "../Übersicht März.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 fake".to_vec(),
        },
        OutgoingAttachment {
            filename: "notes.txt".into(),
            content_type: "text/plain".into(),
            bytes: text_file.clone(),
        },
    ];
    let (built, p) = built_and_parsed(&out);
    let raw = String::from_utf8_lossy(&built.raw).to_ascii_lowercase();
    assert!(raw.contains("content-type: multipart/mixed"), "{raw}");
    assert!(raw.contains("content-type: multipart/alternative"));
    assert_eq!(p.attachments.len(), 3, "{:?}", p.attachments);
    assert_eq!(p.attachments[0].filename, "report.bin");
    assert_eq!(p.attachments[0].bytes, binary);
    assert_eq!(p.attachments[1].filename, "Übersicht März.pdf");
    assert_eq!(p.attachments[1].content_type, "application/pdf");
    assert_eq!(p.attachments[1].bytes, b"%PDF-1.4 fake");
    assert_eq!(p.attachments[2].filename, "notes.txt");
    // Text parts come back decoded; the bytes we sent are what arrived.
    assert_eq!(p.attachments[2].bytes, text_file);
    // Bodies are unaffected by the attachments.
    assert!(p.text_body.contains("we sent a technician"));
    assert!(
        p.html_body
            .unwrap_or_default()
            .contains("we sent a technician")
    );
}

#[test]
fn attachment_limit() {
    let mut out = reply();
    out.max_attachment_bytes = Some(10);
    out.attachments = vec![OutgoingAttachment {
        filename: "a.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: vec![0; 11],
    }];
    assert_eq!(
        build(&out).map(|b| b.message_id),
        Err(ComposeError::AttachmentsTooLarge {
            total: 11,
            limit: 10
        })
    );
    out.max_attachment_bytes = Some(11);
    assert!(build(&out).is_ok());
}

#[test]
fn non_ascii_names_and_subjects_round_trip() {
    let mut out = reply();
    out.from = Person::new("Service Client – Société Générale", "support@acme.test");
    out.to = vec![Person::new("Jürgen Müller, Dr.", "juergen@customer.test")];
    out.cc = vec![Person::new("王小明", "wang@customer.test")];
    out.subject = "Ärger mit der Rechnung – 請求書について 🙂".into();
    out.body_html = "<p>Grüße — ça marche 👍</p>".into();
    let (built, p) = built_and_parsed(&out);
    assert!(built.raw.is_ascii(), "headers and bodies must be 7-bit");
    assert_eq!(
        p.from.as_ref().and_then(|a| a.name.as_deref()),
        Some("Service Client – Société Générale")
    );
    assert_eq!(p.to[0].name.as_deref(), Some("Jürgen Müller, Dr."));
    assert_eq!(p.to[0].address, "juergen@customer.test");
    assert_eq!(p.cc[0].name.as_deref(), Some("王小明"));
    assert_eq!(
        p.subject,
        "Re: Ärger mit der Rechnung – 請求書について 🙂 [#4711]"
    );
    assert!(p.text_body.contains("Grüße — ça marche 👍"));
    assert!(
        p.html_body
            .unwrap_or_default()
            .contains("Grüße — ça marche 👍")
    );
}

#[test]
fn idn_domains_are_sent_in_ascii() {
    let mut out = reply();
    out.to = vec![Person::new("Ann", "ann@bücher.example")];
    let (built, p) = built_and_parsed(&out);
    assert_eq!(p.to[0].address, "ann@xn--bcher-kva.example");
    assert!(
        built
            .recipients
            .contains(&"ann@xn--bcher-kva.example".to_string())
    );
}

#[test]
fn header_injection_is_neutralized() {
    let mut out = reply();
    out.from = Person::new("Acme\r\nBcc: spy@evil.test", "support@acme.test");
    out.to = vec![Person::new(
        "Bob\r\nX-Injected: yes\r\n\r\n<script>",
        "bob@customer.test",
    )];
    out.cc = Vec::new();
    out.subject = "Hello\r\nBcc: spy@evil.test\nX-Injected: yes\r\n\r\nbody".into();
    out.quoted[0].author = "Bob\r\nX-Injected: yes".into();
    if let Some(parent) = out.parent.as_mut() {
        parent.message_id = "<ok@x.test>\r\nBcc: spy@evil.test".into();
        parent.references = vec![
            "<a@x.test>\r\nX-Injected: yes".into(),
            "<good@x.test>".into(),
        ];
    }
    let (built, p) = built_and_parsed(&out);
    let names = header_names(&built.raw);
    assert!(
        !names.iter().any(|n| n == "bcc" || n == "x-injected"),
        "{names:?}"
    );
    assert_eq!(
        p.subject,
        "Re: Hello Bcc: spy@evil.test X-Injected: yes body [#4711]"
    );
    assert_eq!(p.to.len(), 1);
    assert_eq!(p.to[0].address, "bob@customer.test");
    assert!(p.cc.is_empty());
    assert_eq!(built.recipients, ["bob@customer.test"]);
    assert!(p.in_reply_to.is_empty());
    assert_eq!(p.references, ["good@x.test"]);
    let raw = String::from_utf8_lossy(&built.raw).to_ascii_lowercase();
    assert!(!raw.contains("spy@evil.test>"), "no address slipped in");
}

#[test]
fn bad_addresses_are_refused() {
    let mut out = reply();
    out.to = vec![Person::address("bob@customer.test>, <spy@evil.test")];
    assert!(matches!(build(&out), Err(ComposeError::BadRecipient(_))));
    let mut out = reply();
    out.cc = vec![Person::address("carol@customer.test\r\nBcc: spy@evil.test")];
    assert!(matches!(build(&out), Err(ComposeError::BadRecipient(_))));
    let mut out = reply();
    out.from = Person::address("not an address");
    assert!(matches!(build(&out), Err(ComposeError::BadFrom(_))));
    let mut out = reply();
    out.to.clear();
    out.cc.clear();
    assert_eq!(build(&out).map(|b| b.raw), Err(ComposeError::NoRecipients));
    let mut out = reply();
    out.message_id_domain = Some("bad domain\r\n".into());
    assert!(matches!(
        build(&out),
        Err(ComposeError::BadMessageIdDomain(_))
    ));
}

#[test]
fn auto_replies_are_marked_and_never_answered() {
    let mut out = reply();
    out.automatic = Automatic::Replied;
    let (built, p) = built_and_parsed(&out);
    let headers = header_block(&built.raw);
    assert!(
        headers.contains("\r\nAuto-Submitted: auto-replied"),
        "{headers}"
    );
    assert!(
        headers.contains("\r\nX-Auto-Response-Suppress: All"),
        "{headers}"
    );
    assert_eq!(p.triage.auto_submitted.as_deref(), Some("auto-replied"));
    // Our own autoresponder, reading this as an incoming message (two
    // mailboxes of ours writing to each other), must stay silent.
    assert_eq!(is_automated(&p), Some(AutomatedReason::AutoSubmitted));
    // RFC 3834: an auto-reply still threads under the message it answers.
    assert_eq!(p.in_reply_to, ["CAF=bob-2@mail.customer.test"]);

    // Mail the product makes on its own (alerts, "assigned to you").
    let mut out = reply();
    out.automatic = Automatic::Generated;
    let (built, p) = built_and_parsed(&out);
    assert!(header_block(&built.raw).contains("\r\nAuto-Submitted: auto-generated"));
    assert_eq!(is_automated(&p), Some(AutomatedReason::AutoSubmitted));

    let (built, p) = built_and_parsed(&reply());
    let names = header_names(&built.raw);
    assert!(
        !names
            .iter()
            .any(|n| n == "auto-submitted" || n == "x-auto-response-suppress")
    );
    assert_eq!(
        is_automated(&p),
        None,
        "a person's reply must be answerable"
    );
}
