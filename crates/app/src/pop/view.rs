//! What the UI and the API show of a POP account: everything but the
//! password, plus its fetch status and delivery ledger.

use ecp_domain::MailboxId;
use ecp_store::pop_accounts::{LedgerCounts, LedgerEntry, PopAccountId, PopAccountRecord};
use serde::{Serialize, Serializer};

fn id<S: Serializer>(id: &PopAccountId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(id.0)
}

/// A POP account as shown; there is deliberately no password field.
/// Times are epoch milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct PopAccountView {
    #[serde(serialize_with = "id")]
    pub id: PopAccountId,
    pub mailbox_id: MailboxId,
    pub active: bool,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub use_ssl: bool,
    pub copy_mail: bool,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    /// A stable code (dns, tcp, tls, tls_unavailable, login, ...).
    pub last_error_kind: Option<String>,
    pub last_error_at: Option<i64>,
    /// The last poll failed (its error is newer than the last success).
    pub failing: bool,
    pub messages_fetched: i64,
    /// At the last completed check: messages on the server, and how many of
    /// them were already taken in.
    pub server_message_count: Option<i64>,
    pub server_taken_count: Option<i64>,
    pub last_checked_at: Option<i64>,
    pub next_poll_at: i64,
    /// A node is fetching it right now.
    pub fetching: bool,
}

impl PopAccountView {
    pub(crate) fn new(r: PopAccountRecord, now: i64) -> Self {
        let failing = match (r.last_error_at, r.last_success_at) {
            (Some(e), Some(s)) => e > s,
            (Some(_), None) => true,
            _ => false,
        };
        Self {
            id: r.id,
            mailbox_id: r.mailbox_id,
            active: r.active,
            name: r.name,
            host: r.host,
            port: r.port,
            username: r.username,
            use_ssl: r.use_ssl,
            copy_mail: r.copy_mail,
            created_at: r.created_at,
            last_success_at: r.last_success_at,
            last_error: r.last_error,
            last_error_kind: r.last_error_kind,
            last_error_at: r.last_error_at,
            failing,
            messages_fetched: r.messages_fetched,
            server_message_count: r.server_message_count,
            server_taken_count: r.server_taken_count,
            last_checked_at: r.last_checked_at,
            next_poll_at: r.next_poll_at,
            fetching: r.lease_owner.is_some() && r.lease_until > now,
        }
    }
}

/// Messages on the server against messages taken in.
#[derive(Debug, Clone, Serialize)]
pub struct PopLedger {
    #[serde(serialize_with = "id")]
    pub account_id: PopAccountId,
    pub last_checked_at: Option<i64>,
    /// On the server at the last check.
    pub on_server: Option<i64>,
    /// Of those, already taken in (Copy mail keeps them there).
    pub on_server_taken_in: Option<i64>,
    /// Of those, not taken in yet (the next poll fetches them).
    pub on_server_waiting: Option<i64>,
    /// Every message ever taken in from this account.
    pub taken_in: i64,
    /// Of those, gone from the server since.
    pub deleted_from_server: i64,
    pub filed: i64,
    pub duplicates: i64,
    pub unreadable: i64,
    /// Stored, not filed yet (filing resumes on its own).
    pub pending: i64,
    /// The server sent a message with no content; nothing to keep.
    pub empty: i64,
    /// The latest entries, newest first.
    pub recent: Vec<PopLedgerEntry>,
    /// The counts in one sentence.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PopLedgerEntry {
    pub uidl: String,
    pub raw_id: Option<i64>,
    pub fetched_at: i64,
    pub deleted_at: Option<i64>,
    /// processed, duplicate, unparseable, pending; empty when nothing was
    /// stored.
    pub state: String,
}

impl PopLedger {
    pub(crate) fn new(
        r: &PopAccountRecord,
        counts: LedgerCounts,
        recent: Vec<LedgerEntry>,
    ) -> Self {
        let state = |name: &str| {
            counts
                .by_state
                .iter()
                .filter(|(s, _)| s == name)
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        let waiting = match (r.server_message_count, r.server_taken_count) {
            (Some(on), Some(taken)) => Some((on - taken).max(0)),
            _ => None,
        };
        let mut ledger = Self {
            account_id: r.id,
            last_checked_at: r.last_checked_at,
            on_server: r.server_message_count,
            on_server_taken_in: r.server_taken_count,
            on_server_waiting: waiting,
            taken_in: counts.taken_in,
            deleted_from_server: counts.deleted_from_server,
            filed: state("processed"),
            duplicates: state("duplicate"),
            unreadable: state("unparseable"),
            pending: state("pending"),
            empty: state("empty"),
            recent: recent
                .into_iter()
                .map(|e| PopLedgerEntry {
                    uidl: e.uidl,
                    raw_id: e.raw_id,
                    fetched_at: e.fetched_at,
                    deleted_at: e.deleted_at,
                    state: e.state.unwrap_or_else(|| "empty".to_string()),
                })
                .collect(),
            summary: String::new(),
        };
        ledger.summary = ledger.describe();
        ledger
    }

    fn describe(&self) -> String {
        let server = match (self.on_server, self.on_server_waiting) {
            (Some(on), Some(waiting)) => format!(
                "At the last check the server held {} ({} not taken in yet).",
                plural(on, "message"),
                waiting
            ),
            _ => "The server has not been checked yet.".to_string(),
        };
        let mut parts = vec![format!("{} filed", self.filed)];
        for (n, what) in [
            (self.duplicates, "duplicate"),
            (self.unreadable, "unreadable"),
            (self.pending, "being filed"),
            (self.empty, "empty"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!(
            "{server} Taken in so far: {} ({}); {} removed from the server since.",
            plural(self.taken_in, "message"),
            parts.join(", "),
            self.deleted_from_server
        )
    }
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
