//! The POP account form as the browser sends it, and the accounts as the
//! mailbox editor lists them, with times in the account's time zone.

use ecp_app::pop::{ConnectionTest, PopAccountInput, PopAccountView, PopLedger};
use ecp_domain::TimeZoneName;
use serde::Deserialize;

/// Checkboxes arrive only when ticked (with any value), so each is a
/// string that is empty when unticked.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct PopForm {
    pub active: String,
    pub name: String,
    pub host: String,
    pub port: String,
    pub username: String,
    pub password: String,
    pub use_ssl: String,
    pub copy_mail: String,
    /// The saved account a "Test connection" from its edit form is about
    /// (its stored password stands in for an empty field); empty when new.
    pub account: String,
}

fn flag(on: bool) -> String {
    if on { "1".into() } else { String::new() }
}

impl PopForm {
    /// A new account starts active: most people add one when they are
    /// ready to receive its mail.
    pub fn new_account() -> Self {
        Self {
            active: "1".into(),
            ..Default::default()
        }
    }

    pub fn from_view(v: &PopAccountView) -> Self {
        Self {
            active: flag(v.active),
            name: v.name.clone(),
            host: v.host.clone(),
            port: v.port.to_string(),
            username: v.username.clone(),
            password: String::new(),
            use_ssl: flag(v.use_ssl),
            copy_mail: flag(v.copy_mail),
            account: v.id.0.to_string(),
        }
    }

    pub fn input(&self) -> PopAccountInput<'_> {
        PopAccountInput {
            active: !self.active.is_empty(),
            name: &self.name,
            host: &self.host,
            port: &self.port,
            username: &self.username,
            password: &self.password,
            use_ssl: !self.use_ssl.is_empty(),
            copy_mail: !self.copy_mail.is_empty(),
        }
    }

    /// The form as it may go back to the browser: the password never does.
    pub fn without_password(mut self) -> Self {
        self.password.clear();
        self
    }

    pub fn is_active(&self) -> bool {
        !self.active.is_empty()
    }

    pub fn has_ssl(&self) -> bool {
        !self.use_ssl.is_empty()
    }

    pub fn has_copy_mail(&self) -> bool {
        !self.copy_mail.is_empty()
    }
}

/// The answer of "Test connection", for the page.
pub(super) struct TestResult {
    pub ok: bool,
    /// The step that failed ("Logging in"), or "Done".
    pub step: &'static str,
    pub message: String,
}

impl From<ConnectionTest> for TestResult {
    fn from(t: ConnectionTest) -> Self {
        Self {
            ok: t.ok,
            step: t.step.label(),
            message: t.message,
        }
    }
}

/// One account in the mailbox editor's list.
pub(super) struct PopRow {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub active: bool,
    pub use_ssl: bool,
    pub copy_mail: bool,
    pub last_success: String,
    pub last_error: Option<String>,
    pub last_error_at: String,
    pub failing: bool,
    pub fetching: bool,
    pub messages_fetched: i64,
    pub ledger: String,
    pub test: Option<TestResult>,
}

impl PopRow {
    pub fn new(
        v: PopAccountView,
        ledger: &PopLedger,
        tz: &TimeZoneName,
        test: Option<TestResult>,
    ) -> Self {
        Self {
            id: v.id.0,
            last_success: v
                .last_success_at
                .map_or_else(|| "never".to_string(), |ms| tz.format_ms(ms)),
            last_error_at: v
                .last_error_at
                .map(|ms| tz.format_ms(ms))
                .unwrap_or_default(),
            last_error: v.last_error,
            name: v.name,
            host: v.host,
            port: v.port,
            username: v.username,
            active: v.active,
            use_ssl: v.use_ssl,
            copy_mail: v.copy_mail,
            failing: v.failing,
            fetching: v.fetching,
            messages_fetched: v.messages_fetched,
            ledger: ledger.summary.clone(),
            test,
        }
    }
}

/// The ledger's latest entries on the account's edit page.
pub(super) struct LedgerRow {
    pub uidl: String,
    pub fetched: String,
    pub state: &'static str,
    pub on_server: String,
}

pub(super) fn ledger_rows(l: &PopLedger, tz: &TimeZoneName) -> Vec<LedgerRow> {
    l.recent
        .iter()
        .map(|e| LedgerRow {
            uidl: e.uidl.clone(),
            fetched: tz.format_ms(e.fetched_at),
            state: match e.state.as_str() {
                "processed" => "filed",
                "duplicate" => "duplicate (already in the mailbox)",
                "unparseable" => "unreadable (kept and shown as such)",
                "pending" => "being filed",
                _ => "empty (nothing to keep)",
            },
            on_server: match e.deleted_at {
                Some(ms) => format!("removed {}", tz.format_ms(ms)),
                None => "still on the server".into(),
            },
        })
        .collect()
}
