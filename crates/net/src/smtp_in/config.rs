//! Listener settings and loading the TLS certificate for STARTTLS.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Debug, Clone)]
pub struct SmtpServerConfig {
    /// Where [`super::run`] binds; [`super::serve`] takes a bound listener instead.
    pub listen: SocketAddr,
    /// Our name in the greeting and EHLO reply.
    pub hostname: String,
    /// Largest accepted message in bytes (after dot-unstuffing); advertised as `SIZE`.
    pub max_message_size: usize,
    pub max_recipients: usize,
    /// Concurrent sessions; further connections get `421` and are closed.
    pub max_sessions: usize,
    /// Failed commands per session before we answer `421` and hang up.
    pub max_errors: u32,
    /// Longest command line, CRLF included (RFC 5321 asks for at least 512).
    pub max_line_length: usize,
    pub timeouts: Timeouts,
    /// Where DATA is streamed; messages never sit in memory whole.
    pub spool_dir: PathBuf,
    /// `None`: STARTTLS is not offered.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To receive one whole command line (also the TLS handshake).
    pub command: Duration,
    /// Longest silence while receiving DATA.
    pub data: Duration,
    /// How long running sessions may continue after shutdown is requested.
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            command: Duration::from_secs(5 * 60),
            data: Duration::from_secs(3 * 60),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl SmtpServerConfig {
    /// Defaults for everything but the name, the address and the spool.
    pub fn new(listen: SocketAddr, hostname: impl Into<String>, spool_dir: PathBuf) -> Self {
        Self {
            listen,
            hostname: hostname.into(),
            max_message_size: 35 * 1024 * 1024,
            max_recipients: 100,
            max_sessions: 100,
            max_errors: 20,
            max_line_length: 4096,
            timeouts: Timeouts::default(),
            spool_dir,
            tls: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read certificate file {path}: {source}")]
    Certificate {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("no certificate in {0}")]
    NoCertificate(PathBuf),
    #[error("cannot read private key file {path}: {source}")]
    Key {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("invalid TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Builds the STARTTLS server configuration from PEM files (certificate
/// chain, leaf first; PKCS#8, PKCS#1 or SEC1 key), on the ring provider.
pub fn load_tls_config(
    cert_path: &Path,
    key_path: &Path,
) -> Result<Arc<rustls::ServerConfig>, TlsSetupError> {
    let cert_err = |source| TlsSetupError::Certificate {
        path: cert_path.to_path_buf(),
        source,
    };
    let certs = CertificateDer::pem_file_iter(cert_path)
        .map_err(cert_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(cert_err)?;
    if certs.is_empty() {
        return Err(TlsSetupError::NoCertificate(cert_path.to_path_buf()));
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|source| TlsSetupError::Key {
        path: key_path.to_path_buf(),
        source,
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_pem_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = load_tls_config(&missing, &missing).unwrap_err();
        assert!(matches!(err, TlsSetupError::Certificate { .. }), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let err = load_tls_config(&empty, &missing).unwrap_err();
        assert!(matches!(err, TlsSetupError::NoCertificate(_)), "{err}");
    }
}
