//! DKIM keys per sending domain (the domain of a mailbox's send-as
//! address): made here, shown with the DNS record to publish, rotated and
//! deleted by the owner and administrators. Outgoing mail is signed with the
//! domain's active key when it is queued (`outbound::dkim`).
//!
//! The private key is sealed with the server's secret key like POP
//! passwords, and never leaves this crate.

pub(crate) mod keys;

use crate::actor::Actor;
use crate::error::AppError;
use crate::secret_box::Purpose;
use crate::{App, AppResult, now_ms};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecp_domain::dkim::{DkimAlgorithm, DnsRecord, default_selector, parse_selector};
use ecp_store::dkim_keys::{self, DkimKeyRecord, NewDkimKey};
use ecp_store::mailboxes;

pub use ecp_domain::dkim::DkimAlgorithm as Algorithm;
pub use ecp_store::dkim_keys::DkimKeyId;

/// A key without its private part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKeyView {
    pub id: DkimKeyId,
    pub domain: String,
    pub selector: String,
    pub algorithm: DkimAlgorithm,
    /// Base64 (`p=`).
    pub public_key: String,
    pub record: DnsRecord,
    pub created_at: i64,
    /// Signs the domain's mail; false for a key replaced by a newer one.
    pub active: bool,
}

impl From<DkimKeyRecord> for DkimKeyView {
    fn from(r: DkimKeyRecord) -> Self {
        Self {
            record: DnsRecord::new(&r.domain, &r.selector, r.algorithm, &r.public_key),
            id: r.id,
            domain: r.domain,
            selector: r.selector,
            algorithm: r.algorithm,
            public_key: r.public_key,
            created_at: r.created_at,
            active: r.active,
        }
    }
}

/// A domain the account sends as, with its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingDomain {
    /// Lowercase.
    pub domain: String,
    /// Names of the mailboxes sending as it; empty when none does any
    /// more but keys are left.
    pub mailboxes: Vec<String>,
    /// What signs its mail; None: sent unsigned.
    pub active: Option<DkimKeyView>,
    /// Keys replaced by a newer one, newest first: keep their DNS records
    /// until mail signed with them has arrived, then delete them.
    pub retired: Vec<DkimKeyView>,
}

/// What to make: the domain, the key type and the selector (empty: a
/// dated default).
#[derive(Debug, Clone, Default)]
pub struct NewKeyInput<'a> {
    pub domain: &'a str,
    pub algorithm: &'a str,
    pub selector: &'a str,
}

impl App {
    /// Every sending domain of the account and its keys; domains by name.
    /// Owner and administrators only (read-only ones may look).
    pub async fn dkim_domains(&self, actor: &Actor) -> AppResult<Vec<SendingDomain>> {
        require_admin_view(actor)?;
        let mut c = self.db.read().await?;
        let boxes = mailboxes::list_for_account(&mut c, actor.account_id).await?;
        let keys = dkim_keys::list_for_account(&mut c, actor.account_id).await?;
        let mut domains: Vec<SendingDomain> = Vec::new();
        let entry = |domains: &mut Vec<SendingDomain>, domain: &str| -> usize {
            match domains.iter().position(|d| d.domain == domain) {
                Some(i) => i,
                None => {
                    domains.push(SendingDomain {
                        domain: domain.to_string(),
                        mailboxes: Vec::new(),
                        active: None,
                        retired: Vec::new(),
                    });
                    domains.len() - 1
                }
            }
        };
        for m in &boxes {
            let i = entry(
                &mut domains,
                &m.send_as_address.domain().to_ascii_lowercase(),
            );
            domains[i].mailboxes.push(m.name.clone());
        }
        for k in keys {
            let i = entry(&mut domains, &k.domain);
            if k.active {
                domains[i].active = Some(k.into());
            } else {
                domains[i].retired.push(k.into());
            }
        }
        domains.sort_by(|a, b| a.domain.cmp(&b.domain));
        Ok(domains)
    }

    /// One key of the account (for a confirmation page); NotFound otherwise.
    pub async fn dkim_key(&self, actor: &Actor, id: DkimKeyId) -> AppResult<DkimKeyView> {
        require_admin_view(actor)?;
        let mut c = self.db.read().await?;
        dkim_keys::get_in_account(&mut c, actor.account_id, id)
            .await?
            .map(DkimKeyView::from)
            .ok_or(AppError::NotFound)
    }

    /// Makes a key for a sending domain; it signs the domain's mail from
    /// now on, and the key it replaces (if any) is kept as retired.
    pub async fn generate_dkim_key(
        &self,
        actor: &Actor,
        input: &NewKeyInput<'_>,
    ) -> AppResult<DkimKeyView> {
        actor.require_admin()?;
        let algorithm = DkimAlgorithm::parse(input.algorithm)?;
        let domain = input
            .domain
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let known = self.dkim_domains(actor).await?;
        let Some(current) = known.iter().find(|d| d.domain == domain) else {
            return Err(AppError::invalid(
                "domain",
                "No mailbox sends as this domain. Set a mailbox's send-as address to an address at it first.",
            ));
        };
        let used: Vec<&str> = current
            .active
            .iter()
            .chain(current.retired.iter())
            .map(|k| k.selector.as_str())
            .collect();
        let selector = if input.selector.trim().is_empty() {
            fresh_selector(&used)
        } else {
            let s = parse_selector(input.selector)?;
            if used.contains(&s.as_str()) {
                return Err(AppError::invalid(
                    "selector",
                    format!(
                        "The selector {s} is already used for {domain}. Pick another, so the new key gets its own DNS record."
                    ),
                ));
            }
            s
        };
        let sealer = self.secret_box()?;
        let made = tokio::task::spawn_blocking(move || keys::generate(algorithm))
            .await
            .map_err(|e| AppError::Internal(format!("making the DKIM key stopped: {e}")))?
            .map_err(|e| AppError::Internal(format!("making the DKIM key failed: {e}")))?;
        let sealed = sealer
            .seal(Purpose::DkimPrivateKey, &STANDARD.encode(&made.private_der))
            .map_err(|e| AppError::Internal(format!("sealing the DKIM key failed: {e}")))?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let id = dkim_keys::insert_active(
            &mut tx,
            actor.account_id,
            NewDkimKey {
                domain: &domain,
                selector: &selector,
                algorithm,
                private_key_enc: &sealed,
                public_key: &made.public_b64,
            },
            now,
        )
        .await
        .map_err(|e| {
            if dkim_keys::is_duplicate_selector(&e) {
                AppError::Conflict(format!(
                    "A key for {domain} was just made by someone else. Reload to see it."
                ))
            } else {
                e.into()
            }
        })?;
        let record = dkim_keys::get_in_account(&mut tx, actor.account_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        tracing::info!(domain = %domain, selector = %selector, algorithm = algorithm.as_str(), by = %actor.user_id, "DKIM key made");
        Ok(record.into())
    }

    /// Deletes a key. Deleting the active one leaves the domain's mail
    /// unsigned (a retired key does not come back).
    pub async fn delete_dkim_key(&self, actor: &Actor, id: DkimKeyId) -> AppResult<()> {
        actor.require_admin()?;
        let mut tx = self.db.begin().await?;
        if !dkim_keys::delete(&mut tx, actor.account_id, id).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        tracing::info!(key = %id, by = %actor.user_id, "DKIM key deleted");
        Ok(())
    }
}

fn require_admin_view(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the account owner and administrators can see DKIM keys.".into(),
        ))
    }
}

/// `ecp<today>`, or with a letter after it when that is taken (a second
/// rotation on one day).
fn fresh_selector(used: &[&str]) -> String {
    let today = jiff::Timestamp::now().strftime("%Y%m%d").to_string();
    let base = default_selector(&today);
    std::iter::once(base.clone())
        .chain(('b'..='z').map(|c| format!("{base}{c}")))
        .find(|s| !used.contains(&s.as_str()))
        .unwrap_or_else(|| format!("{base}-{}", rand::random::<u32>()))
}

/// The selector the form offers for a new key.
pub fn suggested_selector() -> String {
    fresh_selector(&[])
}
