//! Use cases: the one API that the web UI, the JSON API, the CLI and the
//! workers call. Each use case checks permissions, validates input into
//! domain types and owns its transaction. Nothing here knows HTTP.

pub mod account;
pub mod activity;
mod actor;
pub mod auth;
pub mod autoresponder;
pub mod contacts;
pub mod conversation_actions;
pub mod conversations;
pub mod display;
pub mod dkim;
mod error;
pub mod import;
pub mod inbound;
pub mod lists;
pub mod mailboxes;
pub mod notes;
pub mod notifications;
pub mod outbound;
mod passwords;
pub mod pop;
pub mod preferences;
pub mod presence;
pub mod search;
pub mod secret_box;
mod secrets;
pub mod signup;
pub mod templates;
pub mod tokens;
pub mod user_changes;
pub mod users;

pub use actor::Actor;
/// The signature allow-list, for adapters that show a refused form again:
/// what the person typed is redisplayed only after the same cleaning.
pub use ecp_mail::html::sanitize_signature;
pub use error::AppError;
pub use secrets::hash_token;

use ecp_store::Db;

pub type AppResult<T> = Result<T, AppError>;

/// Settings the use cases need; the server fills them from its config.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Whether strangers may create accounts at /signup once one exists.
    pub signup_enabled: bool,
    /// How long a browser session lives without activity.
    pub session_ttl_ms: i64,
    /// How long an invite link stays valid.
    pub invite_ttl_ms: i64,
    /// Key for third-party passwords stored in the database (POP, SMTP).
    /// `None` refuses to store or use them; see `SecretKey::resolve`.
    pub secret_key: Option<secret_box::SecretKey>,
    /// Where messages being downloaded are written before they are stored.
    pub spool_dir: std::path::PathBuf,
    /// Names this process in work leases, so several nodes on one
    /// PostgreSQL can tell their claims apart (and logs say who did what).
    pub node_id: String,
    /// Connected POP accounts: schedule, timeouts, TLS trust.
    pub pop: pop::PopConfig,
    /// Outgoing mail: the main relay, retries and backoff.
    pub outbound: outbound::OutboundConfig,
    /// Checks SPF, DKIM and DMARC of mail as it arrives (SMTP: all three;
    /// POP: DKIM). `None`: not checked; spam scoring then reads the
    /// messages' own Authentication-Results headers only.
    pub authenticator: Option<ecp_net::authenticate::Authenticator>,
    /// The autoresponder pass and its loop breaker.
    pub autoresponder: autoresponder::AutoresponderConfig,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            signup_enabled: false,
            session_ttl_ms: 14 * 24 * 3600 * 1000,
            invite_ttl_ms: 7 * 24 * 3600 * 1000,
            secret_key: None,
            spool_dir: std::env::temp_dir(),
            node_id: format!("node-{}-{:08x}", std::process::id(), rand::random::<u32>()),
            pop: pop::PopConfig::default(),
            outbound: outbound::OutboundConfig::default(),
            authenticator: None,
            autoresponder: autoresponder::AutoresponderConfig::default(),
        }
    }
}

/// The application: a database and its settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    db: Db,
    config: AppConfig,
}

impl App {
    pub fn new(db: Db, config: AppConfig) -> Self {
        Self { db, config }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Whether the database answers, for health checks.
    pub async fn healthy(&self) -> bool {
        self.db.ping().await
    }
}

pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
