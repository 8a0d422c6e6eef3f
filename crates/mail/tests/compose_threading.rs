//! Our reply goes out, the customer answers from Gmail or Outlook, and the
//! answer must find its way back into the conversation. The filing code
//! threads by In-Reply-To/References against Message-IDs it knows, then by
//! the subject token when the sender already takes part
//! (`ecp_domain::conversation::choose_thread`); this test plays that part
//! over what we emit and what those clients send back.

use ecp_domain::conversation::{ConversationId, ThreadHints, choose_thread};
use ecp_mail::compose::{Built, Kind, Outgoing, Parent, Person, build};
use ecp_mail::thread_keys::{conversation_token, normalize_subject};
use ecp_mail::{ParsedMessage, parse};

const CONVERSATION: ConversationId = ConversationId(4711);
const CUSTOMER: &str = "bob@customer.test";
const CUSTOMER_FIRST_ID: &str = "CAF=first-1@mail.gmail.test";

fn our_reply() -> Built {
    let out = Outgoing {
        kind: Kind::Reply,
        from: Person::new("Acme Support", "support@acme.test"),
        to: vec![Person::new("Bob", CUSTOMER)],
        subject: "Printer on fire".into(),
        body_html: "<p>A technician is on the way.</p>".into(),
        conversation_token: Some(4711),
        parent: Some(Parent {
            message_id: format!("<{CUSTOMER_FIRST_ID}>"),
            references: Vec::new(),
        }),
        ..Outgoing::default()
    };
    match build(&out) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    }
}

/// What the store would answer for an incoming message, for a mailbox
/// holding one conversation: the customer's first message and our reply.
fn file(incoming: &ParsedMessage, ours: &Built) -> Option<ConversationId> {
    let known = [CUSTOMER_FIRST_ID, ours.message_id.as_str()];
    let by_reference = incoming
        .in_reply_to
        .iter()
        .chain(&incoming.references)
        .any(|id| known.contains(&id.as_str()))
        .then_some(CONVERSATION);
    let by_token = (conversation_token(&incoming.subject) == Some(4711)).then_some(CONVERSATION);
    let sender = incoming
        .from
        .as_ref()
        .map(|a| a.address.to_ascii_lowercase())
        .unwrap_or_default();
    let participants = std::iter::once(CUSTOMER.to_string()).chain(ours.recipients.iter().cloned());
    let sender_in_token_conversation = participants.into_iter().any(|p| p == sender);
    choose_thread(ThreadHints {
        by_reference,
        by_token,
        sender_in_token_conversation,
    })
}

fn customer_mail(from: &str, subject: &str, extra_headers: &str) -> ParsedMessage {
    let raw = format!(
        "From: Bob <{from}>\r\nTo: Acme Support <support@acme.test>\r\nSubject: {subject}\r\nDate: Tue, 4 Mar 2025 09:00:00 +0100\r\nMessage-ID: <reply-{n}@client.test>\r\n{extra_headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThanks!\r\n",
        n = subject.len() + extra_headers.len()
    );
    match parse(raw.as_bytes()) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn our_headers_carry_everything_a_client_needs() {
    let ours = our_reply();
    let parsed = match parse(&ours.raw) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(parsed.in_reply_to, [CUSTOMER_FIRST_ID]);
    assert_eq!(parsed.references, [CUSTOMER_FIRST_ID]);
    assert_eq!(conversation_token(&parsed.subject), Some(4711));
    // Gmail groups by subject as well as by references: ours must still
    // read as the customer's subject once prefixes and token are set aside.
    assert_eq!(normalize_subject(&parsed.subject), "Printer on fire");
}

#[test]
fn gmail_reply_with_both_headers() {
    let ours = our_reply();
    let headers = format!(
        "In-Reply-To: <{id}>\r\nReferences: <{CUSTOMER_FIRST_ID}>\r\n <{id}>\r\n",
        id = ours.message_id
    );
    let reply = customer_mail(CUSTOMER, &ours.subject, &headers);
    assert_eq!(
        reply.references,
        [CUSTOMER_FIRST_ID, ours.message_id.as_str()]
    );
    assert_eq!(file(&reply, &ours), Some(CONVERSATION));
}

#[test]
fn outlook_reply_with_in_reply_to_only() {
    let ours = our_reply();
    // Outlook threads by Thread-Index and sometimes drops References.
    let headers = format!(
        "In-Reply-To: <{}>\r\nThread-Topic: Printer on fire\r\nThread-Index: AQHZ1234567890abcdef==\r\n",
        ours.message_id
    );
    let reply = customer_mail(CUSTOMER, "RE: Printer on fire [#4711]", &headers);
    assert!(reply.references.is_empty());
    assert_eq!(file(&reply, &ours), Some(CONVERSATION));
}

#[test]
fn reply_with_references_only() {
    let ours = our_reply();
    let headers = format!("References: <{}>\r\n", ours.message_id);
    let reply = customer_mail(CUSTOMER, "AW: Printer on fire", &headers);
    assert!(reply.in_reply_to.is_empty());
    assert_eq!(conversation_token(&reply.subject), None);
    assert_eq!(file(&reply, &ours), Some(CONVERSATION));
}

#[test]
fn new_subject_and_no_headers_but_token_kept() {
    let ours = our_reply();
    // A forwarded-then-answered message, or a client that starts a new
    // thread but keeps the subject's token.
    let reply = customer_mail(CUSTOMER, "Another question [#4711]", "");
    assert!(reply.in_reply_to.is_empty() && reply.references.is_empty());
    assert_eq!(file(&reply, &ours), Some(CONVERSATION));
    // Case of the address does not matter.
    let reply = customer_mail("Bob@Customer.TEST", "Another question [#4711]", "");
    assert_eq!(file(&reply, &ours), Some(CONVERSATION));
}

#[test]
fn stranger_cannot_join_by_guessing_the_token() {
    let ours = our_reply();
    let mail = customer_mail("mallory@evil.test", "Re: Printer on fire [#4711]", "");
    assert_eq!(file(&mail, &ours), None);
}

#[test]
fn next_reply_continues_the_chain() {
    let ours = our_reply();
    // The customer answered; we answer that answer: References must name
    // the whole chain so every client keeps one thread.
    let headers = format!(
        "In-Reply-To: <{id}>\r\nReferences: <{CUSTOMER_FIRST_ID}> <{id}>\r\n",
        id = ours.message_id
    );
    let customer = customer_mail(CUSTOMER, &ours.subject, &headers);
    let out = Outgoing {
        kind: Kind::Reply,
        from: Person::new("Acme Support", "support@acme.test"),
        to: vec![Person::address(CUSTOMER)],
        subject: customer.subject.clone(),
        body_html: "<p>Done.</p>".into(),
        conversation_token: Some(4711),
        parent: Some(Parent {
            message_id: customer.message_id.clone().unwrap_or_default(),
            references: customer.references.clone(),
        }),
        ..Outgoing::default()
    };
    let second = match build(&out) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let parsed = match parse(&second.raw) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let customer_id = customer.message_id.clone().unwrap_or_default();
    assert_eq!(parsed.in_reply_to, [customer_id.as_str()]);
    assert_eq!(
        parsed.references,
        [
            CUSTOMER_FIRST_ID,
            ours.message_id.as_str(),
            customer_id.as_str()
        ]
    );
    assert_eq!(parsed.subject, "Re: Printer on fire [#4711]");
}
