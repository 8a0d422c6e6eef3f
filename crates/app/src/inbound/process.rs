//! Filing a received message: parse, dedupe, thread, contact, spam,
//! Maintain assignments, unread, search index — one transaction.

use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::conversation::{
    self, ConversationId, Status, ThreadHints, assignee_after_customer_message, choose_thread,
};
use ecp_domain::{AccountId, MailboxId, UserId};
use ecp_mail::ParsedMessage;
use ecp_store::contacts::SenderContact;
use ecp_store::conversations::{self, NewConversation, RecordedMessages};
use ecp_store::messages::{self, NewAttachment, NewMessage};
use ecp_store::raw_messages::{self, Finished, RawId, RawRecord};
use ecp_store::search::{self, SearchDocument};
use ecp_store::{StoreError, Tx, accounts, blobs, contacts, mailboxes};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;

/// A message parsed and analyzed ahead of filing, or why it could not be
/// parsed (bulk import does this for the next messages while the database
/// writes).
pub(crate) type Parsed = Result<Analyzed, String>;

/// A parsed message, NUL bytes left out (see [`without_nul`]), with what
/// filing computes from the message alone.
pub(crate) struct Analyzed {
    msg: ParsedMessage,
    score: conversation::SpamScore,
    automated: String,
}

/// Parses and analyzes raw bytes (pure work: no database).
pub(crate) fn analyze(bytes: &[u8]) -> Parsed {
    analyze_verified(bytes, None)
}

/// [`analyze`] with the SPF/DKIM/DMARC results checked on receipt.
fn analyze_verified(bytes: &[u8], auth_results: Option<&str>) -> Parsed {
    let msg = ecp_mail::parse(bytes).map_err(|e| e.to_string())?;
    let msg = if has_nul(&msg) {
        without_nul(&msg)
    } else {
        msg
    };
    let score = ecp_mail::spam::score_verified(&msg, auth_results);
    let automated = ecp_mail::is_automated(&msg)
        .map(|r| format!("{r:?}"))
        .unwrap_or_default();
    Ok(Analyzed {
        msg,
        score,
        automated,
    })
}

/// What filing a batch remembers between its messages, so that each
/// message costs few round trips to the database. Everything here is what
/// the batch's own transaction has read or written.
#[derive(Default)]
struct BatchCache {
    mailboxes: HashMap<i64, MailboxContext>,
    /// Senders already recorded (by account and address).
    senders: HashMap<(i64, String), SenderContact>,
    /// Per mailbox, Message-IDs looked up or filed: the message and its
    /// conversation, or `None` when the mailbox has no such message.
    message_ids: HashMap<i64, HashMap<String, Option<(i64, ConversationId)>>>,
    /// Conversations this batch filed into, as they stand once `Deferred`
    /// is written.
    conversations: HashMap<i64, ConversationState>,
}

#[derive(Debug, Clone, Copy)]
struct ConversationState {
    status: Status,
    assignee: Option<UserId>,
}

impl BatchCache {
    /// Makes sure the mailbox's answer for each of `ids` is known (one
    /// query for those that are not).
    async fn learn_message_ids(
        &mut self,
        tx: &mut Tx,
        mailbox: MailboxId,
        ids: &[&str],
    ) -> Result<(), StoreError> {
        let known = self.message_ids.entry(mailbox.0).or_default();
        let mut unknown: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !known.contains_key(*id))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        unknown.sort_unstable();
        unknown.dedup();
        let found = messages::find_by_message_ids(tx, mailbox, &unknown).await?;
        for id in unknown {
            known.insert(id.to_string(), None);
        }
        for m in found {
            known.insert(m.message_id_header, Some((m.id, m.conversation_id)));
        }
        Ok(())
    }

    fn message_id(&self, mailbox: MailboxId, id: &str) -> Option<(i64, ConversationId)> {
        self.message_ids
            .get(&mailbox.0)
            .and_then(|m| m.get(id).copied().flatten())
    }
}

/// The Message-IDs that decide where a message goes: its own (an earlier
/// copy makes it a duplicate) and up to 50 it refers to, newest first
/// (their conversation is its conversation). NUL bytes are left out, as
/// when the message is stored.
fn thread_ids(msg: &ParsedMessage) -> (Option<Cow<'_, str>>, Vec<Cow<'_, str>>) {
    fn c(s: &str) -> Cow<'_, str> {
        if s.contains('\0') {
            Cow::Owned(s.replace('\0', ""))
        } else {
            Cow::Borrowed(s)
        }
    }
    let own = msg.message_id.as_deref().map(c);
    let refs = msg
        .in_reply_to
        .iter()
        .chain(msg.references.iter().rev())
        .take(50)
        .map(|s| c(s))
        .collect();
    (own, refs)
}

#[derive(Debug, Clone, Copy)]
struct MailboxContext {
    account: AccountId,
    mailbox: MailboxId,
    threshold: ecp_domain::SpamThreshold,
    maintain_assignments: bool,
    /// The mailbox answers new conversations (Auto Reply on, a template
    /// chosen, not stopped by the loop breaker). Only then is a new
    /// conversation flagged for the autoresponder: flagging every one made
    /// its worker clear 100,000 flags one transaction at a time after an
    /// import, competing with the agents for the database.
    auto_reply: bool,
}

/// Writes left for the end of the transaction, done in a few multi-row
/// statements: attachments (their bytes and rows), the landing rows' final
/// state, the search index, the participants, and new messages in
/// conversations that existed before (count, status, assignee, activity,
/// unread). Nothing a batch reads
/// depends on them before then, except what `BatchCache` answers.
#[derive(Default)]
struct Deferred {
    finished: Vec<Finished>,
    search: Vec<OwnedSearchDocument>,
    participants: Vec<(ConversationId, String)>,
    recorded: Vec<RecordedMessages>,
    /// Attachments' bytes by SHA-256 (each once) and their rows: a few
    /// multi-row statements instead of two per attachment.
    blobs: Vec<(String, Vec<u8>)>,
    blob_shas: std::collections::HashSet<String>,
    attachments: Vec<OwnedAttachment>,
    /// New messages, inserted in a few multi-row statements with ids
    /// reserved ahead (`reserved`, taken `expected` at a time).
    messages: Vec<PendingMessage>,
    reserved: std::collections::VecDeque<i64>,
    expected: usize,
}

/// A message filed in this batch, written by [`Deferred::flush`].
struct PendingMessage {
    id: i64,
    conversation: ConversationId,
    mailbox: MailboxId,
    raw: RawId,
    message_id_header: Option<String>,
    in_reply_to: String,
    references: String,
    from_name: String,
    from_address: String,
    to_list: String,
    cc_list: String,
    subject: String,
    text_body: String,
    html_body: Option<String>,
    sent_at: Option<i64>,
    now: i64,
    spam_score_milli: i64,
    spam_reasons: String,
    automated: String,
}

struct OwnedAttachment {
    message_id: i64,
    filename: String,
    content_type: String,
    content_id: Option<String>,
    inline: bool,
    size: i64,
    sha256: String,
}

struct OwnedSearchDocument {
    message_id: i64,
    subject: String,
    body: String,
    addresses: String,
    attachment_names: String,
}

impl Deferred {
    fn finish(
        &mut self,
        id: RawId,
        state: &'static str,
        message: Option<i64>,
        error: Option<String>,
    ) {
        self.finished.push(Finished {
            id,
            state,
            message_id: message,
            error,
        });
    }

    /// The id the next new message gets (reserving ids for the rest of the
    /// batch when none is left).
    async fn next_message_id(&mut self, tx: &mut Tx) -> Result<i64, StoreError> {
        if self.reserved.is_empty() {
            let n = self.expected.max(1);
            self.expected = 0;
            self.reserved.extend(messages::reserve_ids(tx, n).await?);
        }
        self.reserved.pop_front().ok_or(StoreError::Corrupt {
            table: "messages",
            column: "id",
            detail: "no message id was reserved".into(),
        })
    }

    /// A new customer message in a conversation that has others.
    fn record(&mut self, id: ConversationId, status: Status, assignee: Option<UserId>, at: i64) {
        match self.recorded.iter_mut().find(|r| r.id == id) {
            Some(r) => {
                r.added += 1;
                r.status = status;
                r.assignee = assignee;
                r.at = r.at.max(at);
            }
            None => self.recorded.push(RecordedMessages {
                id,
                added: 1,
                status,
                assignee,
                at,
            }),
        }
    }

    async fn flush(self, tx: &mut Tx, backend: ecp_store::Backend) -> Result<(), StoreError> {
        let new_messages: Vec<(i64, NewMessage<'_>)> = self
            .messages
            .iter()
            .map(|m| {
                (
                    m.id,
                    NewMessage {
                        conversation_id: m.conversation,
                        mailbox_id: m.mailbox,
                        raw_id: Some(m.raw.0),
                        direction: "in",
                        author_id: None,
                        message_id_header: m.message_id_header.as_deref(),
                        in_reply_to: &m.in_reply_to,
                        references: &m.references,
                        from_name: &m.from_name,
                        from_address: &m.from_address,
                        to_list: &m.to_list,
                        cc_list: &m.cc_list,
                        subject: &m.subject,
                        text_body: &m.text_body,
                        html_body: m.html_body.as_deref(),
                        sent_at: m.sent_at,
                        now: m.now,
                        spam_score_milli: m.spam_score_milli,
                        spam_reasons: &m.spam_reasons,
                        automated: &m.automated,
                    },
                )
            })
            .collect();
        messages::insert_many(tx, &new_messages).await?;
        let now = now_ms();
        let blobs_in: Vec<(&str, &[u8])> = self
            .blobs
            .iter()
            .map(|(sha, bytes)| (sha.as_str(), bytes.as_slice()))
            .collect();
        blobs::put_many(tx, &blobs_in, now).await?;
        let attachments: Vec<NewAttachment<'_>> = self
            .attachments
            .iter()
            .map(|a| NewAttachment {
                message_id: a.message_id,
                filename: &a.filename,
                content_type: &a.content_type,
                content_id: a.content_id.as_deref(),
                inline_part: a.inline,
                size: a.size,
                blob_sha256: &a.sha256,
            })
            .collect();
        messages::insert_attachments_many(tx, &attachments).await?;
        conversations::record_messages_many(tx, &self.recorded).await?;
        let unread: Vec<ConversationId> = self.recorded.iter().map(|r| r.id).collect();
        conversations::mark_unread_many(tx, &unread).await?;
        let docs: Vec<SearchDocument<'_>> = self
            .search
            .iter()
            .map(|d| SearchDocument {
                message_id: d.message_id,
                subject: &d.subject,
                body: &d.body,
                addresses: &d.addresses,
                attachment_names: &d.attachment_names,
            })
            .collect();
        search::index_many(tx, backend, &docs).await?;
        let people: Vec<(ConversationId, &str)> = self
            .participants
            .iter()
            .map(|(c, e)| (*c, e.as_str()))
            .collect();
        conversations::add_participants_many(tx, &people).await?;
        raw_messages::finish_many(tx, &self.finished).await
    }
}

/// How long a processor may hold a pending message before another takes it.
const CLAIM_MS: i64 = 30 * 1000;

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
        raw_messages::lock_for_filing(&mut tx, &[id]).await?;
        let Some(raw) = raw_messages::get_by_id(&mut tx, id).await? else {
            return Err(AppError::NotFound);
        };
        let mut cache = BatchCache::default();
        let mut deferred = Deferred::default();
        let outcome = self
            .file_in(&mut tx, &mut cache, &mut deferred, &raw, None)
            .await?;
        deferred.flush(&mut tx, self.db.backend()).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Files many stored messages in one transaction (one disk sync for
    /// all, which is what makes bulk import fast). If any fails, the batch
    /// is rolled back and each is filed on its own, so one bad message
    /// costs speed, never mail.
    pub async fn process_batch(&self, ids: &[RawId]) -> AppResult<Vec<ProcessOutcome>> {
        let items: Vec<(RawId, Option<Parsed>)> = ids.iter().map(|id| (*id, None)).collect();
        self.process_parsed(&items).await
    }

    /// [`App::process_batch`] for messages parsed already (`None`: read
    /// and parse the stored copy).
    pub(crate) async fn process_parsed(
        &self,
        items: &[(RawId, Option<Parsed>)],
    ) -> AppResult<Vec<ProcessOutcome>> {
        let attempt: AppResult<Vec<ProcessOutcome>> = async {
            let mut tx = self.db.begin().await?;
            let ids: Vec<RawId> = items.iter().map(|(id, _)| *id).collect();
            raw_messages::lock_for_filing(&mut tx, &ids).await?;
            let raws: HashMap<i64, RawRecord> = raw_messages::get_many(&mut tx, &ids)
                .await?
                .into_iter()
                .map(|r| (r.id.0, r))
                .collect();
            let mut cache = BatchCache::default();
            // The whole batch's Message-ID lookups in a few queries.
            let mut by_mailbox: HashMap<i64, Vec<Cow<'_, str>>> = HashMap::new();
            for (id, parsed) in items {
                if let (Some(raw), Some(Ok(analyzed))) = (raws.get(&id.0), parsed) {
                    let (own, refs) = thread_ids(&analyzed.msg);
                    let ids = by_mailbox.entry(raw.mailbox_id.0).or_default();
                    ids.extend(own);
                    ids.extend(refs);
                }
            }
            for (mailbox, ids) in &by_mailbox {
                let ids: Vec<&str> = ids.iter().map(|i| i.as_ref()).collect();
                cache
                    .learn_message_ids(&mut tx, MailboxId(*mailbox), &ids)
                    .await?;
            }
            let mut deferred = Deferred {
                expected: items.len(),
                ..Default::default()
            };
            let mut out = Vec::with_capacity(items.len());
            for (id, parsed) in items {
                let raw = raws.get(&id.0).ok_or(AppError::NotFound)?;
                out.push(
                    self.file_in(&mut tx, &mut cache, &mut deferred, raw, parsed.as_ref())
                        .await?,
                );
            }
            deferred.flush(&mut tx, self.db.backend()).await?;
            tx.commit().await?;
            Ok(out)
        }
        .await;
        match attempt {
            Ok(out) => Ok(out),
            Err(e) => {
                tracing::debug!(error = %e, "batch filing failed; filing one by one");
                let mut out = Vec::with_capacity(items.len());
                for (id, _) in items {
                    out.push(self.process_raw(*id).await?);
                }
                Ok(out)
            }
        }
    }

    async fn mailbox_context(
        &self,
        tx: &mut Tx,
        cache: &mut BatchCache,
        mailbox: MailboxId,
    ) -> AppResult<MailboxContext> {
        if let Some(c) = cache.mailboxes.get(&mailbox.0) {
            return Ok(*c);
        }
        let mailbox = mailboxes::get_by_id(tx, mailbox)
            .await?
            .ok_or(AppError::NotFound)?;
        let account = accounts::get_by_id(tx, mailbox.account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let responder = ecp_store::autoresponder::get_for_mailbox(tx, mailbox.id).await?;
        let c = MailboxContext {
            account: account.id,
            mailbox: mailbox.id,
            threshold: account.options.spam_threshold,
            maintain_assignments: account.options.maintain_assignments,
            auto_reply: responder.settings.enabled
                && responder.settings.template.is_some()
                && responder.tripped_at.is_none(),
        };
        cache.mailboxes.insert(mailbox.id.0, c);
        Ok(c)
    }

    /// Files one stored message inside the caller's transaction; its
    /// landing row's state, search entry and participants are written by
    /// `deferred` before the commit.
    async fn file_in(
        &self,
        tx: &mut Tx,
        cache: &mut BatchCache,
        deferred: &mut Deferred,
        raw: &RawRecord,
        parsed: Option<&Parsed>,
    ) -> AppResult<ProcessOutcome> {
        let id = raw.id;
        if raw.state != "pending" {
            return Ok(ProcessOutcome::AlreadyDone);
        }
        let context = self.mailbox_context(tx, cache, raw.mailbox_id).await?;
        let parsed_here: Parsed;
        let parsed = match parsed {
            // Analyzed ahead without the results checked on receipt: score
            // again with them.
            Some(p) if raw.auth_results.is_none() => p,
            _ => {
                let bytes = self.raw_bytes(tx, &raw.blob_sha256).await?;
                parsed_here = analyze_verified(&bytes, raw.auth_results.as_deref());
                &parsed_here
            }
        };
        let now = now_ms();
        let outcome = match parsed {
            Err(e) => {
                let conversation =
                    file_unparseable(tx, context.account, context.mailbox, id, e, now).await?;
                deferred.finish(id, "unparseable", None, Some(e.clone()));
                ProcessOutcome::Unparseable { conversation }
            }
            Ok(analyzed) => {
                let filing = Filing {
                    account: context.account,
                    mailbox: context.mailbox,
                    threshold: context.threshold,
                    maintain_assignments: context.maintain_assignments,
                    // Imported mail is history, not a new request.
                    answerable: context.auto_reply && raw.source_kind != "import",
                    raw: id,
                    now,
                };
                let outcome =
                    filing
                        .file(tx, cache, deferred, analyzed)
                        .await
                        .map_err(|e| match e {
                            StoreError::Duplicate(w) => AppError::Conflict(w),
                            other => other.into(),
                        })?;
                match outcome {
                    ProcessOutcome::Filed { message, .. } => {
                        deferred.finish(id, "processed", Some(message), None);
                    }
                    ProcessOutcome::Duplicate { message } => {
                        deferred.finish(id, "duplicate", Some(message), None);
                    }
                    _ => {}
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
    answerable: bool,
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

fn has_nul(msg: &ParsedMessage) -> bool {
    let n = |s: &str| s.contains('\0');
    let addr = |a: &ecp_mail::MailAddress| a.name.as_deref().is_some_and(n) || n(&a.address);
    msg.message_id.as_deref().is_some_and(n)
        || msg.in_reply_to.iter().any(|s| n(s))
        || msg.references.iter().any(|s| n(s))
        || msg.from.as_ref().is_some_and(addr)
        || msg.to.iter().any(addr)
        || msg.cc.iter().any(addr)
        || n(&msg.subject)
        || n(&msg.text_body)
        || msg.html_body.as_deref().is_some_and(n)
        || msg
            .attachments
            .iter()
            .any(|a| n(&a.filename) || n(&a.content_type) || a.content_id.as_deref().is_some_and(n))
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
    async fn file(
        &self,
        tx: &mut Tx,
        cache: &mut BatchCache,
        deferred: &mut Deferred,
        analyzed: &Analyzed,
    ) -> Result<ProcessOutcome, StoreError> {
        let msg = &analyzed.msg;
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

        // An earlier copy of this message (same Message-ID) makes it a
        // duplicate; the newest message it refers to gives its
        // conversation. One query at most (none when the batch looked
        // these up already).
        let (own, refs) = thread_ids(msg);
        let mut wanted: Vec<&str> = Vec::with_capacity(refs.len() + 1);
        wanted.extend(own.as_deref());
        wanted.extend(refs.iter().map(|r| r.as_ref()));
        cache.learn_message_ids(tx, self.mailbox, &wanted).await?;
        if let Some(mid) = own.as_deref()
            && let Some((existing, _)) = cache.message_id(self.mailbox, mid)
        {
            return Ok(ProcessOutcome::Duplicate { message: existing });
        }
        let by_reference = refs
            .iter()
            .filter_map(|r| cache.message_id(self.mailbox, r))
            .max_by_key(|(id, _)| *id)
            .map(|(_, conversation)| conversation);
        let mut hints = ThreadHints {
            by_reference,
            ..Default::default()
        };
        if by_reference.is_none()
            && let Some(n) = ecp_mail::thread_keys::conversation_token(&msg.subject)
        {
            let mut id = ConversationId(i64::try_from(n).unwrap_or(0));
            // The number of a conversation merged into another leads to the
            // one it was merged into (merges keep redirects one hop long).
            if let Some(target) = ecp_store::conversation_changes::merged_into(tx, id).await? {
                id = target;
            }
            if let Some(c) = conversations::get_by_id(tx, id).await?
                && c.mailbox_id == self.mailbox
            {
                hints.by_token = Some(id);
                // Participants of this batch are written at its end.
                hints.sender_in_token_conversation = !from_address.is_empty()
                    && (deferred
                        .participants
                        .iter()
                        .any(|(c, e)| *c == id && *e == from_address)
                        || conversations::has_participant(tx, id, &from_address).await?);
            }
        }
        let existing: Option<(ConversationId, ConversationState)> = match choose_thread(hints) {
            Some(id) => match cache.conversations.get(&id.0) {
                Some(state) => Some((id, *state)),
                None => conversations::get_by_id(tx, id).await?.map(|c| {
                    (
                        c.id,
                        ConversationState {
                            status: c.status,
                            assignee: c.assignee_id,
                        },
                    )
                }),
            },
            None => None,
        };

        let (contact_id, saved) = if from_address.is_empty() {
            (None, false)
        } else {
            let name = bounded(&from_name, 200);
            let key = (self.account.0, from_address.clone());
            let contact = match cache.senders.get(&key) {
                // Recording again would change nothing: the contact has a
                // name already, or this message brings none.
                Some(c) if c.named || name.is_empty() => c.clone(),
                _ => {
                    let c =
                        contacts::record_sender(tx, self.account, &from_address, &name, self.now)
                            .await?;
                    cache.senders.insert(key, c.clone());
                    c
                }
            };
            (Some(contact.id), contact.saved)
        };
        let score = &analyzed.score;
        let spam = conversation::is_spam(score, self.threshold, saved);
        let automated = &analyzed.automated;
        let score_milli = (score.points * 1000.0).round() as i64;
        let reasons = score.reasons.join("; ");

        let (conversation, new_conversation, status, assignee) = match existing {
            Some((id, state)) => {
                // Only Maintain assignments asks who replied last.
                let latest = if self.maintain_assignments {
                    conversations::latest_replier(tx, id).await?
                } else {
                    None
                };
                let assignee = assignee_after_customer_message(
                    self.maintain_assignments,
                    state.assignee,
                    latest,
                );
                (id, false, state.status.after_customer_message(), assignee)
            }
            None => {
                let status = if spam { Status::Spam } else { Status::Open };
                let subject = if msg.subject.trim().is_empty() {
                    "(no subject)".to_string()
                } else {
                    bounded(&msg.subject, 998)
                };
                let id = conversations::insert_with_first_message(
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
                        autoreply_pending: self.answerable && !spam && automated.is_empty(),
                        now: self.now,
                    },
                )
                .await?;
                (id, true, status, None)
            }
        };

        let message = deferred.next_message_id(tx).await?;
        deferred.messages.push(PendingMessage {
            id: message,
            conversation,
            mailbox: self.mailbox,
            raw: self.raw,
            message_id_header: msg.message_id.clone(),
            in_reply_to: msg.in_reply_to.join(" "),
            references: msg.references.join(" "),
            from_name: bounded(&from_name, 200),
            from_address: from_address.clone(),
            to_list: address_list(&msg.to),
            cc_list: address_list(&msg.cc),
            subject: bounded(&msg.subject, 998),
            text_body: msg.text_body.clone(),
            html_body: msg.html_body.clone(),
            sent_at: msg.date_ms,
            now: self.now,
            spam_score_milli: score_milli,
            spam_reasons: reasons.clone(),
            automated: automated.clone(),
        });

        let mut names = Vec::new();
        for a in &msg.attachments {
            let sha = hex::encode(Sha256::digest(&a.bytes));
            if deferred.blob_shas.insert(sha.clone()) {
                deferred.blobs.push((sha.clone(), a.bytes.clone()));
            }
            deferred.attachments.push(OwnedAttachment {
                message_id: message,
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                content_id: a.content_id.clone(),
                inline: a.inline,
                size: a.size as i64,
                sha256: sha,
            });
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
        deferred
            .participants
            .extend(people.into_iter().map(|p| (conversation, p)));
        if !new_conversation {
            // A new conversation counts its first message from the start
            // and has no read state yet.
            deferred.record(conversation, status, assignee, self.now);
        }
        cache
            .conversations
            .insert(conversation.0, ConversationState { status, assignee });
        if let Some(mid) = msg.message_id.as_deref() {
            cache
                .message_ids
                .entry(self.mailbox.0)
                .or_default()
                .insert(mid.to_string(), Some((message, conversation)));
        }

        let addresses = format!(
            "{from_name} {from_address} {} {}",
            address_list(&msg.to),
            address_list(&msg.cc)
        );
        deferred.search.push(OwnedSearchDocument {
            message_id: message,
            subject: msg.subject.clone(),
            body: msg.text_body.clone(),
            addresses,
            attachment_names: names.join(" "),
        });
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
    let conversation = conversations::insert_with_first_message(
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
    Ok(conversation)
}
