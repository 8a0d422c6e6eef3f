//! Filing a received message: parse, dedupe, thread, contact, spam,
//! Maintain assignments, unread, search index — one transaction.

use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::conversation::{
    self, ConversationId, Status, ThreadHints, assignee_after_customer_message, choose_thread,
};
use ecp_domain::{AccountId, MailboxId};
use ecp_mail::ParsedMessage;
use ecp_store::conversations::{self, NewConversation};
use ecp_store::messages::{self, NewAttachment, NewMessage};
use ecp_store::raw_messages::{self, RawId};
use ecp_store::search::{self, SearchDocument};
use ecp_store::{StoreError, Tx, accounts, blobs, contacts, mailboxes};
use sha2::{Digest, Sha256};

/// How long a processor may hold a pending message before another takes it.
const CLAIM_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessOutcome {
    Filed {
        conversation: ConversationId,
        message: i64,
        new_conversation: bool,
        spam: bool,
    },
    /// The same Message-ID is already in the mailbox.
    Duplicate { message: i64 },
    /// Kept and shown to the team as an unreadable message.
    Unparseable { conversation: ConversationId },
    /// Someone else already filed it.
    AlreadyDone,
}

impl App {
    pub async fn process_raw(&self, id: RawId) -> AppResult<ProcessOutcome> {
        match self.try_process(id).await {
            Err(AppError::Conflict(_)) => {
                // Another copy with the same Message-ID won the race for the
                // unique index since we looked: this one is a duplicate.
                let mut tx = self.db.begin().await?;
                let raw = raw_messages::get_by_id(&mut tx, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let parsed = self
                    .raw_bytes(&mut tx, &raw.blob_sha256)
                    .await
                    .ok()
                    .and_then(|b| ecp_mail::parse(&b).ok());
                let existing = match parsed.and_then(|p| p.message_id) {
                    Some(mid) => {
                        messages::find_by_message_id(&mut tx, raw.mailbox_id, &mid).await?
                    }
                    None => None,
                };
                raw_messages::finish(&mut tx, id, "duplicate", existing, None).await?;
                tx.commit().await?;
                Ok(ProcessOutcome::Duplicate {
                    message: existing.unwrap_or(0),
                })
            }
            other => other,
        }
    }

    /// Files every message left pending (by a crash, or a failure while
    /// filing); returns how many were handled.
    pub async fn process_pending(&self, limit: i64) -> AppResult<usize> {
        let claimed = {
            let mut tx = self.db.begin().await?;
            let ids = raw_messages::claim_pending(&mut tx, now_ms(), CLAIM_MS, limit).await?;
            tx.commit().await?;
            ids
        };
        let mut done = 0;
        for id in claimed {
            match self.process_raw(id).await {
                Ok(_) => done += 1,
                Err(e) => tracing::error!(raw = id.0, error = %e, "could not file message"),
            }
        }
        Ok(done)
    }

    async fn raw_bytes(&self, tx: &mut Tx, sha: &str) -> AppResult<Vec<u8>> {
        blobs::get(tx, sha)
            .await?
            .ok_or_else(|| AppError::Internal(format!("blob {sha} is missing")))
    }

    async fn try_process(&self, id: RawId) -> AppResult<ProcessOutcome> {
        let mut tx = self.db.begin().await?;
        let outcome = self.file_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Files many stored messages in one transaction (one disk sync for
    /// all, which is what makes bulk import fast). If any fails, the batch
    /// is rolled back and each is filed on its own, so one bad message
    /// costs speed, never mail.
    pub async fn process_batch(&self, ids: &[RawId]) -> AppResult<Vec<ProcessOutcome>> {
        let attempt: AppResult<Vec<ProcessOutcome>> = async {
            let mut tx = self.db.begin().await?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(self.file_in(&mut tx, *id).await?);
            }
            tx.commit().await?;
            Ok(out)
        }
        .await;
        match attempt {
            Ok(out) => Ok(out),
            Err(e) => {
                tracing::debug!(error = %e, "batch filing failed; filing one by one");
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(self.process_raw(*id).await?);
                }
                Ok(out)
            }
        }
    }

    /// Files one stored message inside the caller's transaction.
    async fn file_in(&self, tx: &mut Tx, id: RawId) -> AppResult<ProcessOutcome> {
        let Some(raw) = raw_messages::get_by_id(tx, id).await? else {
            return Err(AppError::NotFound);
        };
        if raw.state != "pending" {
            return Ok(ProcessOutcome::AlreadyDone);
        }
        let mailbox = mailboxes::get_by_id(tx, raw.mailbox_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let account = accounts::get_by_id(tx, mailbox.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let bytes = self.raw_bytes(tx, &raw.blob_sha256).await?;
        let now = now_ms();
        let outcome = match ecp_mail::parse(&bytes) {
            Err(e) => {
                let conversation =
                    file_unparseable(tx, account.id, mailbox.id, id, &e.to_string(), now).await?;
                raw_messages::finish(tx, id, "unparseable", None, Some(&e.to_string())).await?;
                ProcessOutcome::Unparseable { conversation }
            }
            Ok(msg) => {
                if let Some(mid) = &msg.message_id {
                    let mid = mid.replace('\0', "");
                    if let Some(existing) =
                        messages::find_by_message_id(tx, mailbox.id, &mid).await?
                    {
                        raw_messages::finish(tx, id, "duplicate", Some(existing), None).await?;
                        return Ok(ProcessOutcome::Duplicate { message: existing });
                    }
                }
                let filing = Filing {
                    account: account.id,
                    mailbox: mailbox.id,
                    threshold: account.options.spam_threshold,
                    maintain_assignments: account.options.maintain_assignments,
                    backend: self.db.backend(),
                    raw: id,
                    now,
                };
                let outcome = filing.file(tx, &msg).await.map_err(|e| match e {
                    StoreError::Duplicate(w) => AppError::Conflict(w),
                    other => other.into(),
                })?;
                if let ProcessOutcome::Filed { message, .. } = outcome {
                    raw_messages::finish(tx, id, "processed", Some(message), None).await?;
                }
                outcome
            }
        };
        Ok(outcome)
    }
}

struct Filing {
    account: AccountId,
    mailbox: MailboxId,
    threshold: ecp_domain::SpamThreshold,
    maintain_assignments: bool,
    backend: ecp_store::Backend,
    raw: RawId,
    now: i64,
}

fn address_list(list: &[ecp_mail::MailAddress]) -> String {
    list.iter()
        .map(|a| match &a.name {
            Some(n) if !n.is_empty() => format!("{n} <{}>", a.address),
            _ => a.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// PostgreSQL text can't hold NUL bytes (SQLite can): mail that carries
/// them (it happens, in bodies and broken headers) is stored without them,
/// on both backends alike. The raw original keeps every byte.
fn without_nul(msg: &ParsedMessage) -> ParsedMessage {
    fn c(s: &str) -> String {
        s.replace('\0', "")
    }
    fn addr(a: &ecp_mail::MailAddress) -> ecp_mail::MailAddress {
        ecp_mail::MailAddress {
            name: a.name.as_deref().map(c),
            address: c(&a.address),
        }
    }
    let mut m = msg.clone();
    m.message_id = msg.message_id.as_deref().map(c);
    m.in_reply_to = msg.in_reply_to.iter().map(|s| c(s)).collect();
    m.references = msg.references.iter().map(|s| c(s)).collect();
    m.from = msg.from.as_ref().map(addr);
    m.to = msg.to.iter().map(addr).collect();
    m.cc = msg.cc.iter().map(addr).collect();
    m.subject = c(&msg.subject);
    m.text_body = c(&msg.text_body);
    m.html_body = msg.html_body.as_deref().map(c);
    for a in &mut m.attachments {
        a.filename = c(&a.filename);
        a.content_type = c(&a.content_type);
        a.content_id = a.content_id.as_deref().map(c);
    }
    m
}

impl Filing {
    async fn file(&self, tx: &mut Tx, msg: &ParsedMessage) -> Result<ProcessOutcome, StoreError> {
        let cleaned = without_nul(msg);
        let msg = &cleaned;
        let from_address = msg
            .from
            .as_ref()
            .map(|f| f.address.trim().to_lowercase())
            .unwrap_or_default();
        let from_name = msg
            .from
            .as_ref()
            .and_then(|f| f.name.clone())
            .unwrap_or_default();

        let mut refs: Vec<String> = msg.in_reply_to.clone();
        refs.extend(msg.references.iter().rev().cloned());
        let by_reference = messages::conversation_for_any(tx, self.mailbox, &refs).await?;
        let mut hints = ThreadHints {
            by_reference,
            ..Default::default()
        };
        if by_reference.is_none() {
            if let Some(n) = ecp_mail::thread_keys::conversation_token(&msg.subject) {
                let id = ConversationId(i64::try_from(n).unwrap_or(0));
                if let Some(c) = conversations::get_by_id(tx, id).await? {
                    if c.mailbox_id == self.mailbox {
                        hints.by_token = Some(id);
                        hints.sender_in_token_conversation = !from_address.is_empty()
                            && conversations::has_participant(tx, id, &from_address).await?;
                    }
                }
            }
        }
        let existing = match choose_thread(hints) {
            Some(id) => conversations::get_by_id(tx, id).await?,
            None => None,
        };

        let (contact_id, saved) = if from_address.is_empty() {
            (None, false)
        } else {
            let (id, saved) = contacts::upsert_sender(
                tx,
                self.account,
                &from_address,
                &bounded(&from_name, 200),
                self.now,
            )
            .await?;
            (Some(id), saved)
        };
        let score = ecp_mail::spam::score(msg);
        let spam = conversation::is_spam(&score, self.threshold, saved);
        let automated = ecp_mail::is_automated(msg)
            .map(|r| format!("{r:?}"))
            .unwrap_or_default();
        let score_milli = (score.points * 1000.0).round() as i64;
        let reasons = score.reasons.join("; ");

        let (conversation, new_conversation, status, assignee) = match existing {
            Some(c) => {
                let latest = conversations::latest_replier(tx, c.id).await?;
                let assignee = assignee_after_customer_message(
                    self.maintain_assignments,
                    c.assignee_id,
                    latest,
                );
                (c.id, false, c.status.after_customer_message(), assignee)
            }
            None => {
                let status = if spam { Status::Spam } else { Status::Open };
                let subject = if msg.subject.trim().is_empty() {
                    "(no subject)".to_string()
                } else {
                    bounded(&msg.subject, 998)
                };
                let id = conversations::insert(
                    tx,
                    NewConversation {
                        account_id: self.account,
                        mailbox_id: self.mailbox,
                        contact_id,
                        subject: &subject,
                        status,
                        spam_score_milli: score_milli,
                        spam_reasons: &reasons,
                        unparseable: false,
                        autoreply_pending: !spam && automated.is_empty(),
                        now: self.now,
                    },
                )
                .await?;
                (id, true, status, None)
            }
        };

        let message = messages::insert(
            tx,
            NewMessage {
                conversation_id: conversation,
                mailbox_id: self.mailbox,
                raw_id: Some(self.raw.0),
                direction: "in",
                author_id: None,
                message_id_header: msg.message_id.as_deref(),
                in_reply_to: &msg.in_reply_to.join(" "),
                references: &msg.references.join(" "),
                from_name: &bounded(&from_name, 200),
                from_address: &from_address,
                to_list: &address_list(&msg.to),
                cc_list: &address_list(&msg.cc),
                subject: &bounded(&msg.subject, 998),
                text_body: &msg.text_body,
                html_body: msg.html_body.as_deref(),
                sent_at: msg.date_ms,
                now: self.now,
                spam_score_milli: score_milli,
                spam_reasons: &reasons,
                automated: &automated,
            },
        )
        .await?;

        let mut names = Vec::new();
        for a in &msg.attachments {
            let sha = hex::encode(Sha256::digest(&a.bytes));
            blobs::put(tx, &sha, &a.bytes, self.now).await?;
            messages::insert_attachment(
                tx,
                NewAttachment {
                    message_id: message,
                    filename: &a.filename,
                    content_type: &a.content_type,
                    content_id: a.content_id.as_deref(),
                    inline_part: a.inline,
                    size: a.size as i64,
                    blob_sha256: &sha,
                },
            )
            .await?;
            names.push(a.filename.clone());
        }

        let mut people: Vec<String> = Vec::new();
        if !from_address.is_empty() {
            people.push(from_address.clone());
        }
        people.extend(
            msg.to
                .iter()
                .chain(msg.cc.iter())
                .map(|a| a.address.trim().to_lowercase()),
        );
        people.retain(|p| !p.is_empty());
        conversations::add_participants(tx, conversation, &people).await?;
        conversations::record_message(tx, conversation, status, assignee, self.now).await?;
        conversations::mark_unread_for_all(tx, conversation).await?;

        let addresses = format!(
            "{from_name} {from_address} {} {}",
            address_list(&msg.to),
            address_list(&msg.cc)
        );
        search::index(
            tx,
            self.backend,
            &SearchDocument {
                message_id: message,
                subject: &msg.subject,
                body: &msg.text_body,
                addresses: &addresses,
                attachment_names: &names.join(" "),
            },
        )
        .await?;
        Ok(ProcessOutcome::Filed {
            conversation,
            message,
            new_conversation,
            spam,
        })
    }
}

/// An unreadable message still becomes a conversation, so the team sees
/// it and can open its raw source.
async fn file_unparseable(
    tx: &mut Tx,
    account: AccountId,
    mailbox: MailboxId,
    raw: RawId,
    why: &str,
    now: i64,
) -> Result<ConversationId, StoreError> {
    let conversation = conversations::insert(
        tx,
        NewConversation {
            account_id: account,
            mailbox_id: mailbox,
            contact_id: None,
            subject: "(unreadable message)",
            status: Status::Open,
            spam_score_milli: 0,
            spam_reasons: "",
            unparseable: true,
            autoreply_pending: false,
            now,
        },
    )
    .await?;
    let text = format!(
        "This message could not be read as email ({why}). Nothing was thrown away: its original is kept and can be downloaded as raw source."
    );
    messages::insert(
        tx,
        NewMessage {
            conversation_id: conversation,
            mailbox_id: mailbox,
            raw_id: Some(raw.0),
            direction: "in",
            author_id: None,
            message_id_header: None,
            in_reply_to: "",
            references: "",
            from_name: "",
            from_address: "",
            to_list: "",
            cc_list: "",
            subject: "(unreadable message)",
            text_body: &text,
            html_body: None,
            sent_at: None,
            now,
            spam_score_milli: 0,
            spam_reasons: "",
            automated: "",
        },
    )
    .await?;
    conversations::record_message(tx, conversation, Status::Open, None, now).await?;
    Ok(conversation)
}
