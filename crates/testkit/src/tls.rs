//! A self-signed certificate for `localhost` / 127.0.0.1, written as PEM files
//! for real servers (Dovecot, our SMTP listener) and trusted by a rustls
//! client config, so tests exercise real TLS handshakes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct TestCert {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

impl TestCert {
    /// Generates a fresh certificate and writes `cert.pem` and `key.pem` into `dir`.
    pub fn generate(dir: &Path) -> anyhow::Result<Self> {
        let ck = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
        ])?;
        let cert_pem = ck.cert.pem();
        let key_pem = ck.signing_key.serialize_pem();
        let cert_path = dir.join("cert.pem");
        let key_path = dir.join("key.pem");
        std::fs::write(&cert_path, &cert_pem)?;
        std::fs::write(&key_path, &key_pem)?;
        Ok(Self {
            cert_pem,
            key_pem,
            cert_path,
            key_path,
        })
    }

    /// A rustls client configuration that trusts only this certificate.
    pub fn client_config(&self) -> anyhow::Result<Arc<rustls::ClientConfig>> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pemfile::certs(&mut self.cert_pem.as_bytes()) {
            roots.add(cert?)?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}
