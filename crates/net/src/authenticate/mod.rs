//! SPF, DKIM and DMARC verification of received mail (mail-auth on a
//! hickory resolver). Answers are kept in a cache between messages; every
//! check has a time budget, so a slow or missing resolver costs an SMTP
//! client a few seconds at most and never fails delivery: what could not
//! be looked up is `temperror`.
//!
//! [`Authenticator::check`] is for mail from an SMTP peer (all three);
//! [`Authenticator::check_dkim`] for mail without one (POP, import): only
//! the signatures in the message can be checked.

mod cache;
mod results;
#[cfg(test)]
mod tests;

pub use cache::{Zone, ZoneError};
pub use results::{
    AuthResults, DkimCheck, DmarcCheck, DmarcPolicy, SpfCheck, SpfIdentity, Verdict,
};

use cache::Caches;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::TokioResolver;
use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts,
};
use mail_auth::hickory_resolver::net::runtime::TokioRuntimeProvider;
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimOutput, DmarcOutput, DmarcResult, MessageAuthenticator, Parameters,
    SpfOutput, SpfResult,
};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one DNS query may take.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a whole check (SPF, DKIM, DMARC together) may take.
const DEFAULT_BUDGET: Duration = Duration::from_secs(5);
/// After a check ran out of time, DNS counts as down for this long: checks
/// then answer from the cache only (a short budget), so a dead resolver
/// does not slow every message.
const DEGRADED_FOR: Duration = Duration::from_secs(60);
const DEGRADED_BUDGET: Duration = Duration::from_millis(250);

/// Verifies received mail. Cheap to clone (clones share the cache).
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
    budget: Duration,
}

struct Inner {
    /// `None` when no resolver could be built: every lookup is `temperror`.
    resolver: Option<MessageAuthenticator>,
    caches: Caches,
    /// Names this server in the results (`authserv-id`).
    hostname: String,
    degraded_until: Mutex<Option<Instant>>,
    warned: AtomicBool,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("hostname", &self.inner.hostname)
            .field("resolver", &self.inner.resolver.is_some())
            .field("budget", &self.budget)
            .finish()
    }
}

fn build_resolver(
    config: ResolverConfig,
    mut options: ResolverOpts,
) -> Result<MessageAuthenticator, String> {
    options.timeout = QUERY_TIMEOUT;
    options.attempts = 1;
    // Our own TLS settings (ring, compiled-in roots): the resolver's
    // default would look for the platform's trust store, which may be
    // missing; plain DNS never uses them anyway.
    let tls = crate::pop3::webpki_client_config().map_err(|e| e.to_string())?;
    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(options)
        .with_tls_config((*tls).clone())
        .build()
        .map(MessageAuthenticator)
        .map_err(|e| e.to_string())
}

/// A resolver that knows no server: every query fails at once.
fn no_servers() -> Option<MessageAuthenticator> {
    match build_resolver(
        ResolverConfig::from_parts(None, Vec::new(), Vec::new()),
        ResolverOpts::default(),
    ) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!(error = %e, "mail authentication: no resolver could be built");
            None
        }
    }
}

impl Authenticator {
    /// Uses the system's resolver configuration (`/etc/resolv.conf`).
    /// Never fails: without a configuration every lookup answers
    /// `temperror` (said once in the log).
    pub fn from_system(hostname: &str) -> Self {
        let resolver = match read_system_conf() {
            Ok((config, options)) => match build_resolver(config, options) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(error = %e, "mail authentication: the system resolver could not be set up; SPF, DKIM and DMARC results will be temperror");
                    no_servers()
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "mail authentication: no DNS configuration; SPF, DKIM and DMARC results will be temperror");
                no_servers()
            }
        };
        Self::new(hostname, resolver, Caches::new())
    }

    /// Asks these name servers (UDP, then TCP), e.g. a local caching
    /// resolver, instead of the system's.
    pub fn with_name_servers(hostname: &str, servers: &[SocketAddr]) -> Self {
        let servers = servers
            .iter()
            .map(|addr| {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
            })
            .collect();
        let config = ResolverConfig::from_parts(None, Vec::new(), servers);
        let resolver = match build_resolver(config, ResolverOpts::default()) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(error = %e, "mail authentication: the resolver could not be set up; SPF, DKIM and DMARC results will be temperror");
                None
            }
        };
        Self::new(hostname, resolver, Caches::new())
    }

    /// Answers only from `zone`, never the network: names it does not hold
    /// do not exist. For tests, and hosts that must not query DNS.
    pub fn with_zone(hostname: &str, zone: Zone) -> Self {
        Self::new(hostname, no_servers(), zone.into_caches())
    }

    fn new(hostname: &str, resolver: Option<MessageAuthenticator>, caches: Caches) -> Self {
        Self {
            inner: Arc::new(Inner {
                resolver,
                caches,
                hostname: hostname.to_string(),
                degraded_until: Mutex::new(None),
                warned: AtomicBool::new(false),
            }),
            budget: DEFAULT_BUDGET,
        }
    }

    /// How long one check may take in all (default 5 s).
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    pub fn hostname(&self) -> &str {
        &self.inner.hostname
    }

    fn deadline(&self) -> tokio::time::Instant {
        let now = Instant::now();
        let degraded = self
            .inner
            .degraded_until
            .lock()
            .map(|g| g.is_some_and(|until| until > now))
            .unwrap_or(false);
        let budget = if degraded {
            self.budget.min(DEGRADED_BUDGET)
        } else {
            self.budget
        };
        tokio::time::Instant::now() + budget
    }

    /// A lookup ran out of time: DNS is slow or gone.
    fn timed_out(&self) {
        if let Ok(mut g) = self.inner.degraded_until.lock() {
            *g = Some(Instant::now() + DEGRADED_FOR);
        }
        if !self.inner.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "mail authentication: DNS lookups are timing out; results are temperror while it lasts (said once)"
            );
        } else {
            tracing::debug!("mail authentication: DNS lookups timed out");
        }
    }

    /// SPF (MAIL FROM, or the HELO name for the null sender), every DKIM
    /// signature, and DMARC with alignment, for a message received from
    /// `peer_ip` over SMTP.
    pub async fn check(
        &self,
        raw: &[u8],
        peer_ip: IpAddr,
        helo: &str,
        mail_from: &str,
    ) -> AuthResults {
        let deadline = self.deadline();
        let host = self.inner.hostname.as_str();
        let helo = helo.trim();
        let mail_from = mail_from.trim();
        let (identity, spf_domain) = if mail_from.is_empty() {
            (SpfIdentity::Helo, helo.to_string())
        } else {
            let domain = mail_from.rsplit_once('@').map_or(helo, |(_, d)| d);
            (SpfIdentity::MailFrom, domain.to_string())
        };
        let message = AuthenticatedMessage::parse(raw);

        let spf = match &self.inner.resolver {
            // An address literal as HELO with a null sender: nothing to check.
            _ if spf_domain.is_empty() || spf_domain.starts_with('[') => {
                SpfOutput::new(spf_domain.clone())
            }
            None => SpfOutput::new(spf_domain.clone()).with_result(SpfResult::TempError),
            Some(resolver) => {
                let params = match identity {
                    SpfIdentity::MailFrom => {
                        SpfParameters::verify_mail_from(peer_ip, helo, host, mail_from)
                    }
                    SpfIdentity::Helo => SpfParameters::verify_ehlo(peer_ip, helo, host),
                };
                let c = &self.inner.caches;
                let params = Parameters::new(params)
                    .with_txt_cache(&c.txt)
                    .with_mx_cache(&c.mx)
                    .with_ptr_cache(&c.ptr)
                    .with_ipv4_cache(&c.ipv4)
                    .with_ipv6_cache(&c.ipv6);
                match tokio::time::timeout_at(deadline, resolver.verify_spf(params)).await {
                    Ok(out) => out,
                    Err(_) => {
                        self.timed_out();
                        SpfOutput::new(spf_domain.clone()).with_result(SpfResult::TempError)
                    }
                }
            }
        };

        let dkim = match &message {
            Some(m) => self.verify_dkim(m, deadline).await,
            None => Vec::new(),
        };

        let dmarc = match (&message, &self.inner.resolver) {
            (None, _) => None,
            (Some(m), None) => Some(temp_dmarc(m)),
            (Some(m), Some(resolver)) => {
                let dmarc_from = if mail_from.is_empty() {
                    helo
                } else {
                    spf_domain.as_str()
                };
                let c = &self.inner.caches;
                let params = Parameters::new(DmarcParameters::new(m, &dkim, dmarc_from, &spf))
                    .with_txt_cache(&c.txt)
                    .with_mx_cache(&c.mx)
                    .with_ptr_cache(&c.ptr)
                    .with_ipv4_cache(&c.ipv4)
                    .with_ipv6_cache(&c.ipv6);
                match tokio::time::timeout_at(deadline, resolver.verify_dmarc(params)).await {
                    Ok(out) => Some(out),
                    Err(_) => {
                        self.timed_out();
                        Some(temp_dmarc(m))
                    }
                }
            }
        };

        let spf = results::spf_check(&spf, identity);
        let dkim: Vec<DkimCheck> = dkim.iter().map(results::dkim_check).collect();
        let dmarc = dmarc.as_ref().map(results::dmarc_check);
        let identity_value = match identity {
            SpfIdentity::MailFrom => mail_from,
            SpfIdentity::Helo => helo,
        };
        let summary = results::summary(host, Some((&spf, identity_value)), &dkim, dmarc.as_ref());
        AuthResults {
            spf: Some(spf),
            dkim,
            dmarc,
            summary,
        }
    }

    /// Every DKIM signature of a message received without an SMTP peer
    /// (POP, import). SPF and DMARC need the sending host: not checked.
    pub async fn check_dkim(&self, raw: &[u8]) -> AuthResults {
        let deadline = self.deadline();
        let host = self.inner.hostname.as_str();
        let message = AuthenticatedMessage::parse(raw);
        let dkim = match &message {
            Some(m) => self.verify_dkim(m, deadline).await,
            None => Vec::new(),
        };
        let dkim: Vec<DkimCheck> = dkim.iter().map(results::dkim_check).collect();
        AuthResults {
            spf: None,
            summary: results::summary(host, None, &dkim, None),
            dkim,
            dmarc: None,
        }
    }

    async fn verify_dkim<'x>(
        &'x self,
        message: &'x AuthenticatedMessage<'x>,
        deadline: tokio::time::Instant,
    ) -> Vec<DkimOutput<'x>> {
        let temp = |m: &'x AuthenticatedMessage<'x>| -> Vec<DkimOutput<'x>> {
            m.dkim_headers
                .iter()
                .map(|h| {
                    DkimOutput::temp_err(mail_auth::Error::Dns(mail_auth::DnsError::Resolver(
                        "no answer in time".to_string(),
                    )))
                    .with_signature(&h.header)
                })
                .collect()
        };
        let Some(resolver) = &self.inner.resolver else {
            return temp(message);
        };
        if message.dkim_headers.is_empty() {
            return Vec::new();
        }
        let c = &self.inner.caches;
        let params = Parameters::new(message)
            .with_txt_cache(&c.txt)
            .with_mx_cache(&c.mx)
            .with_ptr_cache(&c.ptr)
            .with_ipv4_cache(&c.ipv4)
            .with_ipv6_cache(&c.ipv6);
        match tokio::time::timeout_at(deadline, resolver.verify_dkim(params)).await {
            Ok(out) => out,
            Err(_) => {
                self.timed_out();
                temp(message)
            }
        }
    }
}

fn temp_dmarc(message: &AuthenticatedMessage<'_>) -> DmarcOutput {
    let domain = message
        .from
        .first()
        .and_then(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.to_lowercase())
        .unwrap_or_default();
    let err = || {
        DmarcResult::TempError(mail_auth::Error::Dns(mail_auth::DnsError::Resolver(
            "no answer in time".to_string(),
        )))
    };
    DmarcOutput::new(domain)
        .with_spf_result(err())
        .with_dkim_result(err())
}
