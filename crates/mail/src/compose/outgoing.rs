//! What the app hands the builder: one outgoing message, already decided
//! (recipients chosen, template rendered, attachments uploaded). Plain data,
//! so the app can fill it from the database and tests can write it inline.

/// A display name and an address. The name may be anything a person typed:
/// line breaks and control characters are removed when the header is written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub name: Option<String>,
    pub address: String,
}

impl Person {
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        Person {
            name: Some(name.into()),
            address: address.into(),
        }
    }

    pub fn address(address: impl Into<String>) -> Self {
        Person {
            name: None,
            address: address.into(),
        }
    }
}

/// What the message is to the customer. Reply-all is a [`Kind::Reply`] with
/// the wider recipient list the caller chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A new outgoing conversation: no prefix, no thread headers.
    #[default]
    New,
    /// `Re: ` prefix, In-Reply-To and References from [`Outgoing::parent`].
    Reply,
    /// `Fwd: ` prefix and no thread headers: the recipient never saw the
    /// original, and their answer threads back through our own Message-ID
    /// and the subject token.
    Forward,
}

/// The message being answered, as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parent {
    /// Its Message-ID, with or without angle brackets.
    pub message_id: String,
    /// Its own References header, oldest first, with or without brackets.
    pub references: Vec<String>,
}

/// One earlier message of the conversation, shown under the reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Quoted {
    /// Who wrote it, as it should read ("Ann Lee" or "Ann Lee <ann@x.test>").
    pub author: String,
    /// When, already formatted in the account's time zone.
    pub date: String,
    pub text: String,
    /// Its HTML as received; sanitized again here, remote images dropped.
    pub html: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingAttachment {
    /// As uploaded; made safe here (no paths, no control characters).
    pub filename: String,
    /// `type/subtype`; anything unusable becomes `application/octet-stream`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One outgoing message.
///
/// There is deliberately no Bcc field: Auto-BCC addresses (and any other
/// blind copy) belong on the SMTP envelope only, added by the sender after
/// [`crate::compose::build`], so they can never leak into the headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outgoing {
    pub kind: Kind,
    /// The mailbox's "Send email as" name and address.
    pub from: Person,
    pub to: Vec<Person>,
    pub cc: Vec<Person>,
    /// The subject as the agent left it; prefix and token are added here.
    pub subject: String,
    /// The agent's text: an HTML fragment from the reply editor. Sanitized
    /// again here whatever the caller did.
    pub body_html: String,
    /// The plain-text alternative of the agent's text; derived from
    /// `body_html` when None.
    pub body_text: Option<String>,
    /// The sender's personal signature (Preferences); goes above the
    /// mailbox signature. Empty for none.
    pub personal_signature_html: String,
    /// The mailbox signature. Empty for none.
    pub mailbox_signature_html: String,
    /// Earlier messages to quote, newest first.
    pub quoted: Vec<Quoted>,
    /// The conversation number that goes into the subject as `[#n]`.
    pub conversation_token: Option<u64>,
    /// The message answered; used by [`Kind::Reply`] only.
    pub parent: Option<Parent>,
    pub attachments: Vec<OutgoingAttachment>,
    /// Limit on the attachments' total size in bytes; None for no limit
    /// here (the upload has its own).
    pub max_attachment_bytes: Option<usize>,
    /// Sent by the product, not typed by a person: marked per RFC 3834 so
    /// that other robots, including our own, never answer it.
    pub automatic: Automatic,
    /// The right-hand side of our Message-IDs; None uses the send-as
    /// address's domain.
    pub message_id_domain: Option<String>,
}

/// Whether a message is automatic, and which kind (RFC 3834's
/// `Auto-Submitted` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Automatic {
    /// Written by a person.
    #[default]
    No,
    /// An answer to a message (the autoresponder): `auto-replied`.
    Replied,
    /// Made by the product on its own (an alert, an "assigned to you"
    /// email): `auto-generated`.
    Generated,
}
