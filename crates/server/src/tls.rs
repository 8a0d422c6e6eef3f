//! TLS settings built from files the operator names.

use crate::failure::{Failure, one_line};
use std::path::Path;
use std::sync::Arc;

/// A client configuration trusting the public roots plus the CA
/// certificates in `ca_file` (PEM), for POP servers with a private CA.
pub fn client_config_with(ca_file: &Path) -> Result<Arc<rustls::ClientConfig>, Failure> {
    let pem = std::fs::read(ca_file)
        .map_err(|e| Failure::config(format!("pop_ca_file {}: {e}", ca_file.display())))?;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let mut added = 0;
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        let cert =
            cert.map_err(|e| Failure::config(format!("pop_ca_file {}: {e}", ca_file.display())))?;
        roots.add(cert).map_err(|e| {
            Failure::config(format!(
                "pop_ca_file {}: {}",
                ca_file.display(),
                one_line(&e.to_string())
            ))
        })?;
        added += 1;
    }
    if added == 0 {
        return Err(Failure::config(format!(
            "pop_ca_file {}: no PEM certificate in it",
            ca_file.display()
        )));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::failed(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
