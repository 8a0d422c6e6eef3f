//! The owned result of parsing one incoming message. Everything the ingest
//! pipeline stores or decides on is here, so nothing downstream needs the raw
//! bytes or the parser's borrowed types.

/// A display name and an address as written in the message; not validated
/// here (the domain decides what a usable address is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAddress {
    pub name: Option<String>,
    pub address: String,
}

/// How the Return-Path header looked. A null reverse path (`<>`) marks a
/// bounce or other automatic mail, which must be told apart from a message
/// that simply never went through final delivery.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReturnPath {
    #[default]
    Missing,
    Null,
    Address(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Safe to use as a download name: no directories, no control characters.
    pub filename: String,
    /// `type/subtype`, lower case; text parts carry `; charset=utf-8` because
    /// their bytes were decoded to UTF-8.
    pub content_type: String,
    /// Without angle brackets.
    pub content_id: Option<String>,
    /// Referenced from the HTML body through `cid:`, so a UI can leave it out
    /// of the attachment list.
    pub inline: bool,
    pub size: usize,
    pub bytes: Vec<u8>,
}

/// Headers the autoresponder (RFC 3834) and the spam filter look at, kept
/// close to how they were written (unfolded, trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TriageHeaders {
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    pub list_id: Option<String>,
    pub list_unsubscribe: Option<String>,
    pub x_auto_response_suppress: Option<String>,
    pub return_path: ReturnPath,
    /// Every `X-Spam-*` header as (name, value), in message order.
    pub x_spam: Vec<(String, String)>,
    pub received_count: usize,
    pub authentication_results: Vec<String>,
    /// Top-level `type/subtype`, lower case (`text/plain` when absent).
    pub content_type: String,
    /// The `report-type` parameter of a top-level `multipart/report`.
    pub report_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedMessage {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<MailAddress>,
    pub reply_to: Vec<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub subject: String,
    /// Epoch milliseconds from the Date header, when it made sense.
    pub date_ms: Option<i64>,
    pub text_body: String,
    pub html_body: Option<String>,
    pub attachments: Vec<Attachment>,
    pub triage: TriageHeaders,
    /// Some part could not be decoded as declared (bad base64, unknown
    /// charset, ...); what could be recovered is still here.
    pub has_defects: bool,
}
