//! TLS set-up for POP3: the default trust store, the handshake, and turning
//! rustls errors into words a person can act on.

use std::io;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::error::{Pop3Error, Step, rustls_error};

/// A client configuration trusting the public web PKI (the Mozilla roots
/// compiled in), on the ring provider so the tree holds one crypto backend.
pub fn webpki_client_config() -> Result<Arc<ClientConfig>, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, Pop3Error> {
    ServerName::try_from(host.to_string()).map_err(|_| Pop3Error::InvalidSettings {
        detail: format!("\"{host}\" is not a valid server name"),
    })
}

pub(crate) async fn handshake(
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, Pop3Error> {
    TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|err| match err.kind() {
            // During the handshake every failure, a dropped line included, is
            // a TLS failure: a plain-text port typically answers that way.
            io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => Pop3Error::Tls {
                detail: "the server closed the connection during the handshake \
                         (is this port meant for secure connections?)"
                    .to_string(),
            },
            _ if rustls_error(&err).is_none() => Pop3Error::Io {
                step: Step::TlsHandshake,
                source: err,
            },
            _ => Pop3Error::Tls {
                detail: describe_io(&err),
            },
        })
}

pub(crate) fn describe_io(err: &io::Error) -> String {
    match rustls_error(err) {
        Some(tls) => describe(tls),
        None => err.to_string(),
    }
}

fn describe(err: &rustls::Error) -> String {
    match err {
        rustls::Error::InvalidCertificate(cert) => {
            let why = match cert {
                CertificateError::UnknownIssuer => {
                    "it was not issued by a trusted authority (self-signed?)"
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    "it belongs to a different server name"
                }
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    "it has expired"
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    "it is not valid yet (check this computer's clock)"
                }
                CertificateError::Revoked => "it has been revoked",
                _ => "it could not be verified",
            };
            format!("the server's certificate is not trusted: {why} ({err})")
        }
        rustls::Error::InvalidMessage(_) => format!(
            "the server did not answer in TLS (is this port meant for plain connections?) ({err})"
        ),
        _ => err.to_string(),
    }
}
