//! Opening what every command needs: the data directory and the database
//! with its schema up to date.

use crate::config::{Config, redact};
use crate::failure::{Failure, one_line};
use ecp_store::Db;
use std::path::Path;

/// Creates the data directory and proves it writable now, rather than at
/// the first upload hours later.
pub fn prepare_data_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::config(format!("data_dir {}: cannot create it: {e}", dir.display()))
    })?;
    let probe = dir.join(format!(".ecp-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(|e| {
        Failure::config(format!(
            "data_dir {}: cannot write to it: {e}",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Connects and migrates. A database that does not answer is a
/// configuration problem (exit 2); a failed migration is not.
pub async fn open_database(config: &Config) -> Result<Db, Failure> {
    prepare_data_dir(&config.data_dir)?;
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        let cause = one_line(&e.to_string());
        // sqlx retries a refused connection until its timeout and then
        // reports only the timeout, which does not say what to check.
        let hint = if cause.contains("timed out") {
            " (is the database server running and reachable at that address?)"
        } else {
            ""
        };
        Failure::config(format!(
            "cannot open the database {}: {cause}{hint}",
            redact(&config.database_url),
        ))
    })?;
    if let Err(e) = db.migrate().await {
        db.close().await;
        return Err(Failure::failed(format!(
            "cannot bring the database schema up to date: {}",
            one_line(&e.to_string())
        )));
    }
    tracing::debug!(url = %redact(&config.database_url), "database ready");
    Ok(db)
}

/// The application's settings from the configuration: the key for stored
/// passwords, the spool, this node's name, POP polling and trust.
pub fn app_config(config: &Config) -> Result<ecp_app::AppConfig, Failure> {
    let secret_key =
        ecp_app::secret_box::SecretKey::resolve(config.secret_key.as_deref(), &config.data_dir)
            .map_err(|e| Failure::config(format!("secret key: {}", one_line(&e.to_string()))))?;
    let spool_dir = config.data_dir.join("spool");
    std::fs::create_dir_all(&spool_dir).map_err(|e| {
        Failure::config(format!(
            "spool {}: cannot create it: {e}",
            spool_dir.display()
        ))
    })?;
    let tls = match &config.pop_ca_file {
        Some(path) => Some(crate::tls::client_config_with(path)?),
        None => None,
    };
    Ok(ecp_app::AppConfig {
        signup_enabled: config.signup_enabled,
        secret_key: Some(secret_key),
        spool_dir,
        node_id: node_id(),
        authenticator: authenticator(config),
        outbound: ecp_app::outbound::OutboundConfig {
            smtp_relay: config.smtp_relay.clone(),
            message_id_domain: config.message_id_domain.clone(),
            ca_pem: smtp_ca_pem(config)?,
            ..ecp_app::outbound::OutboundConfig::default()
        },
        pop: ecp_app::pop::PopConfig {
            poll_interval: config.pop_poll,
            tls,
            ..ecp_app::pop::PopConfig::default()
        },
        autoresponder: ecp_app::autoresponder::AutoresponderConfig {
            breaker: ecp_app::autoresponder::LoopBreaker {
                max_replies: i64::try_from(config.autoreply_limit).unwrap_or(i64::MAX),
                window_ms: i64::try_from(config.autoreply_window.as_millis()).unwrap_or(i64::MAX),
            },
            ..ecp_app::autoresponder::AutoresponderConfig::default()
        },
        ..ecp_app::AppConfig::default()
    })
}

/// The extra CA certificates for mailboxes' own SMTP servers, checked now
/// so that a bad file stops the start rather than every send.
fn smtp_ca_pem(config: &Config) -> Result<Option<Vec<u8>>, Failure> {
    let Some(path) = &config.smtp_ca_file else {
        return Ok(None);
    };
    let pem = std::fs::read(path)
        .map_err(|e| Failure::config(format!("smtp_ca_file {}: {e}", path.display())))?;
    let mut found = false;
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        cert.map_err(|e| Failure::config(format!("smtp_ca_file {}: {e}", path.display())))?;
        found = true;
    }
    if !found {
        return Err(Failure::config(format!(
            "smtp_ca_file {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(Some(pem))
}

/// SPF/DKIM/DMARC checks of incoming mail, named after the SMTP listener
/// in the results it records; `None` when turned off.
fn authenticator(config: &Config) -> Option<ecp_net::authenticate::Authenticator> {
    if !config.mail_auth {
        return None;
    }
    let name = config
        .smtp
        .as_ref()
        .map(|s| s.hostname.clone())
        .unwrap_or_else(|| "localhost".to_string());
    Some(if config.dns_servers.is_empty() {
        ecp_net::authenticate::Authenticator::from_system(&name)
    } else {
        ecp_net::authenticate::Authenticator::with_name_servers(&name, &config.dns_servers)
    })
}

/// Host name and process id: unique among live nodes, readable in logs.
fn node_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".to_string());
    format!("{host}:{}", std::process::id())
}

#[cfg(test)]
mod smtp_ca_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn smtp_ca_file_from_toml_and_env_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("ecp.toml");
        std::fs::write(&toml, "smtp_ca_file = \"/nonexistent/ca.pem\"\n").unwrap();
        let c = crate::config::load(Some(&toml), &|_| None).unwrap();
        assert_eq!(
            c.smtp_ca_file.as_deref(),
            Some(Path::new("/nonexistent/ca.pem"))
        );
        assert!(smtp_ca_pem(&c).is_err());

        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        let name = garbage.display().to_string();
        let c = crate::config::load(None, &|k| (k == "ECP_SMTP_CA_FILE").then(|| name.clone()))
            .unwrap();
        assert!(smtp_ca_pem(&c).is_err(), "no PEM certificate is refused");

        let pem = ecp_testkit::tls::TestCert::generate(dir.path())
            .unwrap()
            .cert_pem;
        std::fs::write(&garbage, &pem).unwrap();
        assert_eq!(smtp_ca_pem(&c).unwrap(), Some(pem.into_bytes()));
        let none = crate::config::load(None, &|_| None).unwrap();
        assert_eq!(smtp_ca_pem(&none).unwrap(), None);
    }
}
