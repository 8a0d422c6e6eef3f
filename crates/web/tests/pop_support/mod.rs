//! What the POP account tests share: the web server with a key for stored
//! passwords and, when given a Dovecot, trust in its self-signed
//! certificate; and a port nothing listens on.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, spawn_with};
use ecp_app::AppConfig;
use ecp_app::pop::PopConfig;
use ecp_app::secret_box::SecretKey;
use ecp_testkit::db::Kind;
use ecp_testkit::dovecot::Dovecot;
use std::time::Duration;

/// A password that must never come back in any page or answer.
pub const SECRET: &str = "Never-Shown-7f3a9c";

pub async fn spawn_pop(kind: Kind, server: Option<&Dovecot>) -> TestApp {
    let tls = server
        .filter(|d| d.cert.is_some())
        .map(|d| d.client_tls().unwrap());
    let config = AppConfig {
        secret_key: Some(SecretKey::generate()),
        pop: PopConfig {
            tls,
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(10),
            ..Default::default()
        },
        ..Default::default()
    };
    spawn_with(kind, config).await
}

/// A local port with nothing listening: connecting is refused.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}
