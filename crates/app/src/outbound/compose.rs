//! Composing: reply, reply-all, forward and a new outgoing conversation.
//! Each builds the message and queues it with its outbox row in one
//! transaction; the sender delivers it later.

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::conversation::{ConversationId, Status};
use ecp_domain::time_zone::TimeZoneName;
use ecp_domain::{EmailAddress, MailboxId, UserId};
use ecp_mail::compose::{self, Kind, Outgoing, OutgoingAttachment, Parent, Person, Quoted};
use ecp_store::Backend;
use ecp_store::conversations::{self, NewConversation};
use ecp_store::mailboxes::MailboxRecord;
use ecp_store::messages::{self, MessageRecord, NewAttachment, NewMessage};
use ecp_store::outbox::{self, NewOutboxItem, OutboxId};
use ecp_store::search::{self, SearchDocument};
use ecp_store::{Tx, blobs, contacts, users};
use sha2::{Digest, Sha256};

/// How an answer within a conversation is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyKind {
    /// To the customer who wrote last (the sender of the latest incoming
    /// message), plus any `to`/`cc` given.
    #[default]
    Reply,
    /// As Reply, plus everyone else in that message's To and Cc except the
    /// mailbox's own addresses.
    ReplyAll,
    /// To the `to`/`cc` given only, `Fwd:` subject, attachments as given.
    Forward,
}

#[derive(Debug, Clone, Default)]
pub struct ReplyInput {
    pub kind: ReplyKind,
    /// Addresses ("ann@x.test" or "Ann <ann@x.test>"): required for a
    /// forward, added to the computed recipients otherwise.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// The agent's text, an HTML fragment (sanitized by the builder).
    pub body_html: String,
    pub attachments: Vec<OutgoingAttachment>,
    /// The conversation's status after sending ("send and close"); None
    /// keeps the status the conversation has.
    pub status_after: Option<Status>,
}

/// A new conversation started by the team.
#[derive(Debug, Clone, Default)]
pub struct NewOutgoing {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body_html: String,
    pub attachments: Vec<OutgoingAttachment>,
    /// Default: pending (the team waits for the customer).
    pub status_after: Option<Status>,
}

/// What was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub conversation: ConversationId,
    /// The message row (direction out).
    pub message: i64,
    pub outbox: OutboxId,
    /// Our Message-ID, without brackets.
    pub message_id_header: String,
}

/// "Ann <ann@x.test>" or "ann@x.test" into a person; the address checked.
fn person(field: &'static str, input: &str) -> AppResult<Person> {
    let input = input.trim();
    let (name, address) = match (input.rfind('<'), input.rfind('>')) {
        (Some(l), Some(r)) if l < r => (
            input[..l].trim().trim_matches('"').trim(),
            input[l + 1..r].trim(),
        ),
        _ => ("", input),
    };
    let address = EmailAddress::parse_field(field, address)?;
    Ok(Person {
        name: (!name.is_empty()).then(|| name.to_string()),
        address: address.as_str().to_string(),
    })
}

fn people(field: &'static str, list: &[String]) -> AppResult<Vec<Person>> {
    list.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| person(field, s))
        .collect()
}

/// A stored address list ("Ann <ann@x>, bob@y") back into people; pieces
/// that are not addresses are skipped.
fn stored_people(list: &str) -> Vec<Person> {
    list.split(',')
        .filter_map(|s| person("to", s).ok())
        .collect()
}

fn push_unique(list: &mut Vec<Person>, p: Person, exclude: &[String]) {
    let key = p.address.to_ascii_lowercase();
    if exclude.contains(&key) || list.iter().any(|q| q.address.eq_ignore_ascii_case(&key)) {
        return;
    }
    list.push(p);
}

fn show_list(list: &[Person]) -> String {
    list.iter()
        .map(|p| match &p.name {
            Some(n) => format!("{n} <{}>", p.address),
            None => p.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Earlier messages quoted under an answer, newest first.
const MAX_QUOTED: usize = 10;

/// Quoted history of a conversation, dated in the account's time zone (the
/// team's "On ..., Ann wrote:" should read as their clock did). Our own
/// stored messages hold what the agent wrote without their quotes (see
/// `queue`), so quoting every message does not nest quotes within quotes.
fn quoted(messages: &[MessageRecord], tz: &TimeZoneName) -> Vec<Quoted> {
    messages
        .iter()
        .rev()
        .take(MAX_QUOTED)
        .map(|m| Quoted {
            author: if m.from_name.is_empty() {
                m.from_address.clone()
            } else {
                format!("{} <{}>", m.from_name, m.from_address)
            },
            date: tz.format_ms(m.sent_at.unwrap_or(m.created_at)),
            text: m.text_body.clone(),
            html: m.html_body.clone(),
        })
        .collect()
}

impl App {
    /// Answers a conversation (reply, reply-all or forward) and queues the
    /// message. NotFound if the actor may not see the conversation.
    pub async fn send_reply(
        &self,
        actor: &Actor,
        conversation: ConversationId,
        input: ReplyInput,
    ) -> AppResult<Queued> {
        actor.require_writable()?;
        let view = self.conversation(actor, conversation).await?;
        let mailbox = self.mailbox(actor, view.conversation.mailbox_id).await?;
        let own = own_addresses(&mailbox);
        // The message answered: the latest from the customer, else the
        // latest of all (a conversation the team started).
        let parent = view
            .messages
            .iter()
            .rev()
            .find(|m| m.direction == "in")
            .or(view.messages.last());
        let mut to = Vec::new();
        let mut cc = Vec::new();
        if input.kind != ReplyKind::Forward {
            match parent {
                Some(p) if p.direction == "in" => {
                    if let Ok(sender) = person("to", &p.from_address) {
                        let sender = Person {
                            name: (!p.from_name.is_empty()).then(|| p.from_name.clone()),
                            ..sender
                        };
                        push_unique(&mut to, sender, &own);
                    }
                    if input.kind == ReplyKind::ReplyAll {
                        for q in stored_people(&p.to_list) {
                            push_unique(&mut to, q, &own);
                        }
                        for q in stored_people(&p.cc_list) {
                            push_unique(&mut cc, q, &own);
                        }
                    }
                }
                Some(p) => {
                    for q in stored_people(&p.to_list) {
                        push_unique(&mut to, q, &own);
                    }
                    if input.kind == ReplyKind::ReplyAll {
                        for q in stored_people(&p.cc_list) {
                            push_unique(&mut cc, q, &own);
                        }
                    }
                }
                None => {}
            }
            if to.is_empty()
                && let Ok(p) = person("to", &view.conversation.customer_email)
            {
                push_unique(&mut to, p, &own);
            }
        }
        for p in people("to", &input.to)? {
            push_unique(&mut to, p, &[]);
        }
        for p in people("cc", &input.cc)? {
            push_unique(&mut cc, p, &[]);
        }
        if input.kind == ReplyKind::Forward && to.is_empty() && cc.is_empty() {
            return Err(AppError::invalid(
                "to",
                "Add at least one address to forward to.",
            ));
        }
        let parent_ref = match parent.filter(|_| input.kind != ReplyKind::Forward) {
            Some(p) => match &p.message_id_header {
                Some(mid) => {
                    let mut c = self.db.read().await?;
                    let refs = outbox::references_of(&mut c, p.id)
                        .await?
                        .unwrap_or_default();
                    Some(Parent {
                        message_id: mid.clone(),
                        references: refs.split_whitespace().map(str::to_string).collect(),
                    })
                }
                None => None,
            },
            None => None,
        };
        let kind = match input.kind {
            ReplyKind::Forward => Kind::Forward,
            ReplyKind::Reply | ReplyKind::ReplyAll => Kind::Reply,
        };
        let out = Outgoing {
            kind,
            to,
            cc,
            subject: view.conversation.subject.clone(),
            body_html: input.body_html,
            quoted: quoted(
                &view.messages,
                &self.account(actor).await?.options.time_zone,
            ),
            conversation_token: u64::try_from(conversation.0).ok(),
            parent: parent_ref,
            attachments: input.attachments,
            ..self.outgoing_base(actor, &mailbox).await?
        };
        self.queue(
            actor,
            &mailbox,
            out,
            Target::Existing(conversation),
            input.status_after,
        )
        .await
    }

    /// Starts a conversation with a customer from the team's side and
    /// queues its first message. NotFound if the actor may not see the
    /// mailbox.
    pub async fn start_conversation(
        &self,
        actor: &Actor,
        mailbox: MailboxId,
        input: NewOutgoing,
    ) -> AppResult<Queued> {
        actor.require_writable()?;
        let mailbox = self.mailbox(actor, mailbox).await?;
        let mut to = Vec::new();
        let mut cc = Vec::new();
        for p in people("to", &input.to)? {
            push_unique(&mut to, p, &[]);
        }
        for p in people("cc", &input.cc)? {
            push_unique(&mut cc, p, &[]);
        }
        if to.is_empty() {
            return Err(AppError::invalid("to", "Add the customer's address."));
        }
        if input.subject.trim().is_empty() {
            return Err(AppError::invalid("subject", "Write a subject."));
        }
        let out = Outgoing {
            kind: Kind::New,
            to,
            cc,
            subject: input.subject.trim().to_string(),
            body_html: input.body_html,
            attachments: input.attachments,
            ..self.outgoing_base(actor, &mailbox).await?
        };
        self.queue(
            actor,
            &mailbox,
            out,
            Target::New,
            Some(input.status_after.unwrap_or(Status::Pending)),
        )
        .await
    }

    /// From, signatures and Message-ID domain for a message of `mailbox`
    /// written by `actor`.
    async fn outgoing_base(&self, actor: &Actor, mailbox: &MailboxRecord) -> AppResult<Outgoing> {
        let personal = {
            let mut c = self.db.read().await?;
            users::get_by_id(&mut c, actor.user_id)
                .await?
                .map(|u| u.signature_html)
                .unwrap_or_default()
        };
        Ok(Outgoing {
            from: Person {
                name: (!mailbox.send_as_name.is_empty()).then(|| mailbox.send_as_name.clone()),
                address: mailbox.send_as_address.as_str().to_string(),
            },
            personal_signature_html: personal,
            mailbox_signature_html: mailbox.signature_html.clone(),
            message_id_domain: self.config.outbound.message_id_domain.clone(),
            ..Outgoing::default()
        })
    }

    async fn queue(
        &self,
        actor: &Actor,
        mailbox: &MailboxRecord,
        out: Outgoing,
        target: Target,
        status_after: Option<Status>,
    ) -> AppResult<Queued> {
        let mut tx = self.db.begin().await?;
        let queued = self
            .queue_in(
                &mut tx,
                Some(actor.user_id),
                mailbox,
                out,
                target,
                status_after,
            )
            .await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// [`App::queue`] inside the caller's transaction, so that whatever
    /// decided to send (the autoresponder's claim) commits with the
    /// message. `author` None: the system wrote it.
    pub(crate) async fn queue_in(
        &self,
        tx: &mut Tx,
        author: Option<UserId>,
        mailbox: &MailboxRecord,
        mut out: Outgoing,
        target: Target,
        status_after: Option<Status>,
    ) -> AppResult<Queued> {
        let now = now_ms();
        let (conversation, status, assignee) = match target {
            Target::Existing(id) => {
                let current = conversations::get_by_id(tx, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                (
                    id,
                    status_after.unwrap_or(current.status),
                    current.assignee_id,
                )
            }
            Target::New => {
                let first = out.to.first().cloned().unwrap_or_default();
                let (contact, _) = contacts::upsert_sender(
                    tx,
                    mailbox.account_id,
                    &first.address.to_ascii_lowercase(),
                    first.name.as_deref().unwrap_or(""),
                    now,
                )
                .await?;
                let status = status_after.unwrap_or(Status::Pending);
                let id = conversations::insert(
                    tx,
                    NewConversation {
                        account_id: mailbox.account_id,
                        mailbox_id: mailbox.id,
                        contact_id: Some(contact),
                        subject: &out.subject,
                        status,
                        spam_score_milli: 0,
                        spam_reasons: "",
                        unparseable: false,
                        autoreply_pending: false,
                        now,
                    },
                )
                .await?;
                out.conversation_token = u64::try_from(id.0).ok();
                (id, status, None)
            }
        };
        let built =
            compose::build(&out).map_err(|e| AppError::invalid("message", e.to_string()))?;
        // What the conversation shows and later replies quote: the agent's
        // text and signatures, without the quoted history.
        let shown = compose::build(&Outgoing {
            quoted: Vec::new(),
            attachments: Vec::new(),
            ..out.clone()
        })
        .map_err(|e| AppError::invalid("message", e.to_string()))?;
        let message = insert_message(
            tx,
            mailbox,
            author,
            conversation,
            &out,
            &built,
            (&shown.text, &shown.html),
            now,
        )
        .await?;
        conversations::record_message(tx, conversation, status, assignee, now).await?;
        let participants: Vec<String> = out
            .to
            .iter()
            .chain(out.cc.iter())
            .map(|p| p.address.to_ascii_lowercase())
            .collect();
        conversations::add_participants(tx, conversation, &participants).await?;
        let mut envelope_to = built.recipients.clone();
        for bcc in &mailbox.auto_bcc {
            if !envelope_to
                .iter()
                .any(|r| r.eq_ignore_ascii_case(bcc.as_str()))
            {
                envelope_to.push(bcc.as_str().to_string());
            }
        }
        let raw = self
            .dkim_signed(tx, mailbox.account_id, &out.from.address, built.raw)
            .await?;
        let outbox_id = outbox::insert(
            tx,
            NewOutboxItem {
                message_id: message,
                mailbox_id: mailbox.id,
                conversation_id: conversation,
                raw: &raw,
                envelope_from: mailbox.send_as_address.as_str(),
                envelope_to: &envelope_to,
                now,
            },
        )
        .await?;
        Ok(Queued {
            conversation,
            message,
            outbox: outbox_id,
            message_id_header: built.message_id,
        })
    }
}

pub(crate) enum Target {
    Existing(ConversationId),
    New,
}

/// The mailbox's own addresses, lowercased: never among reply-all's
/// recipients.
fn own_addresses(mailbox: &MailboxRecord) -> Vec<String> {
    vec![
        mailbox.direct_address.as_str().to_ascii_lowercase(),
        mailbox.send_as_address.as_str().to_ascii_lowercase(),
    ]
}

#[allow(clippy::too_many_arguments)]
async fn insert_message(
    tx: &mut Tx,
    mailbox: &MailboxRecord,
    author: Option<UserId>,
    conversation: ConversationId,
    out: &Outgoing,
    built: &compose::Built,
    (text, html): (&str, &str),
    now: i64,
) -> AppResult<i64> {
    let references = built.references.join(" ");
    let id = messages::insert(
        tx,
        NewMessage {
            conversation_id: conversation,
            mailbox_id: mailbox.id,
            raw_id: None,
            direction: "out",
            author_id: author,
            message_id_header: Some(&built.message_id),
            in_reply_to: built.in_reply_to.as_deref().unwrap_or(""),
            references: &references,
            from_name: out.from.name.as_deref().unwrap_or(""),
            from_address: &out.from.address,
            to_list: &show_list(&out.to),
            cc_list: &show_list(&out.cc),
            subject: &built.subject,
            text_body: text,
            html_body: Some(html),
            sent_at: Some(built.date_ms),
            now,
            spam_score_milli: 0,
            spam_reasons: "",
            automated: "",
        },
    )
    .await?;
    // Attachments as the recipient gets them (the builder's safe name and
    // type), so the conversation shows and serves them like inbound ones.
    let mut names = Vec::with_capacity(out.attachments.len());
    for a in &out.attachments {
        let sha = hex::encode(Sha256::digest(&a.bytes));
        blobs::put(tx, &sha, &a.bytes, now).await?;
        let filename = a.sent_filename();
        messages::insert_attachment(
            tx,
            NewAttachment {
                message_id: id,
                filename: &filename,
                content_type: &a.sent_content_type(),
                content_id: None,
                inline_part: false,
                size: i64::try_from(a.bytes.len()).unwrap_or(i64::MAX),
                blob_sha256: &sha,
            },
        )
        .await?;
        names.push(filename);
    }
    // Searchable like inbound mail, in the same transaction as the row.
    let backend = if tx.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let addresses = format!(
        "{} {} {} {}",
        out.from.name.as_deref().unwrap_or(""),
        out.from.address,
        show_list(&out.to),
        show_list(&out.cc)
    );
    search::index(
        tx,
        backend,
        &SearchDocument {
            message_id: id,
            subject: &built.subject,
            body: text,
            addresses: &addresses,
            attachment_names: &names.join(" "),
        },
    )
    .await?;
    Ok(id)
}
