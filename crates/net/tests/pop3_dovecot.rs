//! The POP3 client against a real Dovecot (and, for misbehaviour Dovecot
//! cannot be made to show, a few lines of fake server). A missing Dovecot
//! fails these tests: scripts/install-test-deps.sh installs it.

// The lint's test exemption misses helpers outside #[test] functions.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use ecp_net::pop3::{Pop3Client, Pop3Config, Pop3Error, Security, Step, webpki_client_config};
use ecp_testkit::dovecot::Dovecot;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

fn config(port: u16, security: Security, tls: Arc<rustls::ClientConfig>) -> Pop3Config {
    let mut cfg = Pop3Config::new(
        "127.0.0.1",
        security,
        ecp_testkit::dovecot::USER,
        ecp_testkit::dovecot::PASSWORD,
        tls,
    );
    cfg.port = port;
    cfg.connect_timeout = Duration::from_secs(10);
    cfg.command_timeout = Duration::from_secs(10);
    cfg
}

fn plain(server: &Dovecot, security: Security) -> Pop3Config {
    let tls = server.client_tls().unwrap_or_else(|_| public_roots());
    config(server.pop3_port, security, tls)
}

fn public_roots() -> Arc<rustls::ClientConfig> {
    webpki_client_config().unwrap()
}

async fn fetch_all(client: &mut Pop3Client) -> Vec<(String, Vec<u8>)> {
    let mut fetched = Vec::new();
    for (number, uid) in client.uidl().await.unwrap() {
        let mut raw = Vec::new();
        let written = client.retr_to(number, &mut raw).await.unwrap();
        assert_eq!(written, raw.len() as u64);
        fetched.push((uid, raw));
    }
    fetched
}

fn sorted(mut messages: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    messages.sort();
    messages
}

#[tokio::test]
async fn plain_login_fetches_identical_bytes_and_quit_commits_deletes() {
    let server = Dovecot::start().unwrap();
    let mut sent = server.add_messages(3).unwrap();
    let dotted = b"Subject: dots\r\n\r\n.starts with a dot\r\n..two dots\r\n.\r\n \r\n.\r\nend\r\n";
    server.add_message(dotted).unwrap();
    sent.push(dotted.to_vec());

    let mut client = Pop3Client::connect(&plain(&server, Security::Plain))
        .await
        .unwrap();
    assert!(!client.is_tls());
    assert_eq!(client.stat().await.unwrap().messages, 4);
    client.noop().await.unwrap();
    let fetched = fetch_all(&mut client).await;
    let mut uids: Vec<_> = fetched.iter().map(|(uid, _)| uid.clone()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), 4, "UIDs must be distinct");
    assert_eq!(
        sorted(fetched.into_iter().map(|(_, raw)| raw).collect()),
        sorted(sent)
    );

    for number in 1..=4 {
        client.dele(number).await.unwrap();
    }
    assert_eq!(
        server.message_count().unwrap(),
        4,
        "DELE alone must not remove"
    );
    client.quit().await.unwrap();
    assert_eq!(
        server.message_count().unwrap(),
        0,
        "QUIT commits the deletes"
    );
}

#[tokio::test]
async fn dropping_the_session_without_quit_keeps_messages() {
    let server = Dovecot::start().unwrap();
    server.add_messages(2).unwrap();
    let mut client = Pop3Client::connect(&plain(&server, Security::Plain))
        .await
        .unwrap();
    client.dele(1).await.unwrap();
    drop(client);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.message_count().unwrap(), 2);

    let mut client = Pop3Client::connect(&plain(&server, Security::Plain))
        .await
        .unwrap();
    assert!(client.dele(3).await.is_err(), "no message 3");
    // A refused command leaves the session usable.
    assert_eq!(client.stat().await.unwrap().messages, 2);
    client.quit().await.unwrap();
}

#[tokio::test]
async fn implicit_tls_on_the_pop3s_port() {
    let server = Dovecot::start().unwrap();
    let sent = server.add_messages(1).unwrap();
    let port = server.pop3s_port.unwrap();
    let cfg = config(port, Security::ImplicitTls, server.client_tls().unwrap());
    let mut client = Pop3Client::connect(&cfg).await.unwrap();
    assert!(client.is_tls());
    let fetched = fetch_all(&mut client).await;
    assert_eq!(fetched[0].1, sent[0]);
    client.quit().await.unwrap();
}

#[tokio::test]
async fn stls_upgrades_when_required_or_offered() {
    let server = Dovecot::start().unwrap();
    let sent = server.add_messages(1).unwrap();
    for security in [Security::StartTls, Security::StartTlsIfOffered] {
        let mut client = Pop3Client::connect(&plain(&server, security))
            .await
            .unwrap();
        assert!(client.is_tls(), "{security:?}");
        // The capability list is the one fetched again over TLS.
        assert!(!client.capabilities().is_empty());
        assert!(!client.capabilities().iter().any(|c| c == "STLS"));
        assert_eq!(fetch_all(&mut client).await[0].1, sent[0]);
        client.quit().await.unwrap();
    }
}

#[tokio::test]
async fn stls_required_but_not_offered_is_tls_unavailable() {
    let server = Dovecot::start_without_tls().unwrap();
    let err = Pop3Client::connect(&plain(&server, Security::StartTls))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Pop3Error::TlsUnavailable), "{err:?}");

    let client = Pop3Client::connect(&plain(&server, Security::StartTlsIfOffered))
        .await
        .unwrap();
    assert!(!client.is_tls(), "stays plain when STLS is not offered");
    client.quit().await.unwrap();
}

#[tokio::test]
async fn wrong_password_is_auth_with_server_text() {
    let server = Dovecot::start().unwrap();
    let mut cfg = plain(&server, Security::StartTls);
    cfg.password = "wrong".into();
    let err = Pop3Client::connect(&cfg).await.err().unwrap();
    assert!(matches!(err, Pop3Error::Auth { .. }), "{err:?}");
    assert_eq!(err.kind(), "login");
    let shown = err.to_string();
    assert!(shown.starts_with("The POP server refused the username or password"));
    assert!(shown.contains("Authentication failed"), "{shown}");
}

#[tokio::test]
async fn unknown_host_is_dns() {
    let mut cfg = config(110, Security::Plain, public_roots());
    cfg.host = "no-such-host.invalid".into();
    let err = Pop3Client::connect(&cfg).await.err().unwrap();
    assert!(matches!(err, Pop3Error::Dns { .. }), "{err:?}");
    assert_eq!(err.kind(), "dns");
}

#[tokio::test]
async fn closed_port_is_connect() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = Pop3Client::connect(&config(port, Security::Plain, public_roots()))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Pop3Error::Connect { .. }), "{err:?}");
    assert_eq!(err.kind(), "tcp");
    assert!(err.to_string().contains("refused the connection"), "{err}");
}

#[tokio::test]
async fn tls_to_a_plain_port_and_untrusted_certificate_are_tls() {
    let server = Dovecot::start().unwrap();
    let to_plain = config(
        server.pop3_port,
        Security::ImplicitTls,
        server.client_tls().unwrap(),
    );
    let err = Pop3Client::connect(&to_plain).await.err().unwrap();
    assert!(matches!(err, Pop3Error::Tls { .. }), "{err:?}");

    let untrusted = config(
        server.pop3s_port.unwrap(),
        Security::ImplicitTls,
        public_roots(),
    );
    let err = Pop3Client::connect(&untrusted).await.err().unwrap();
    assert!(matches!(err, Pop3Error::Tls { .. }), "{err:?}");
    assert_eq!(err.kind(), "tls");
    assert!(err.to_string().contains("not trusted"), "{err}");

    let stls_untrusted = config(server.pop3_port, Security::StartTls, public_roots());
    let err = Pop3Client::connect(&stls_untrusted).await.err().unwrap();
    assert!(matches!(err, Pop3Error::Tls { .. }), "{err:?}");
}

#[tokio::test]
async fn a_twenty_megabyte_message_streams_intact() {
    let server = Dovecot::start().unwrap();
    let mut raw = b"From: big@example.test\r\nSubject: big\r\n\r\n".to_vec();
    let mut line = 0u64;
    while raw.len() < 20 * 1024 * 1024 {
        // Every seventh line starts with a dot, so stuffing crosses many
        // read-buffer boundaries.
        let lead = if line.is_multiple_of(7) { "." } else { "" };
        raw.extend_from_slice(format!("{lead}{line:074}\r\n").as_bytes());
        line += 1;
    }
    server.add_message(&raw).unwrap();
    let mut client = Pop3Client::connect(&plain(&server, Security::StartTls))
        .await
        .unwrap();
    let mut out = Vec::new();
    let written = client.retr_to(1, &mut out).await.unwrap();
    assert_eq!(written, raw.len() as u64);
    assert!(out == raw, "20 MB message differs after the round trip");
    client.quit().await.unwrap();
}

/// A fake server: sends `greeting`, answers each line it receives with the
/// next of `replies`, then closes.
async fn fake_server(greeting: &'static [u8], replies: Vec<&'static [u8]>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(greeting).await.unwrap();
        for reply in replies {
            if lines.next_line().await.unwrap().is_none() {
                return;
            }
            write.write_all(reply).await.unwrap();
        }
        // Hold the line open a moment so the close is the last thing seen.
        tokio::time::sleep(Duration::from_millis(50)).await;
    });
    port
}

const LOGIN: [&[u8]; 3] = [b"+OK\r\nUSER\r\nUIDL\r\n.\r\n", b"+OK\r\n", b"+OK\r\n"];

#[tokio::test]
async fn server_dropping_mid_retr_is_connection_closed() {
    let mut replies = LOGIN.to_vec();
    replies.push(b"+OK 5000 octets\r\nSubject: cut\r\n\r\nthe first part");
    let port = fake_server(b"+OK fake\r\n", replies).await;
    let mut client = Pop3Client::connect(&config(port, Security::Plain, public_roots()))
        .await
        .unwrap();
    let mut out = Vec::new();
    let err = client.retr_to(1, &mut out).await.err().unwrap();
    assert!(
        matches!(err, Pop3Error::ConnectionClosed { step: Step::Retr }),
        "{err:?}"
    );
    assert_eq!(err.kind(), "closed");
    let again = client.noop().await.err().unwrap();
    assert!(matches!(again, Pop3Error::Unusable), "{again:?}");
}

#[tokio::test]
async fn silent_server_times_out_on_the_greeting() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = config(
        listener.local_addr().unwrap().port(),
        Security::Plain,
        public_roots(),
    );
    cfg.command_timeout = Duration::from_millis(300);
    let err = Pop3Client::connect(&cfg).await.err().unwrap();
    assert!(
        matches!(
            err,
            Pop3Error::Timeout {
                step: Step::Greeting
            }
        ),
        "{err:?}"
    );
    drop(listener);
}

#[tokio::test]
async fn an_endless_status_line_is_a_protocol_error() {
    let long: &'static [u8] = Box::leak(
        format!("+OK {}\r\n", "x".repeat(100_000))
            .into_bytes()
            .into_boxed_slice(),
    );
    let port = fake_server(long, vec![]).await;
    let err = Pop3Client::connect(&config(port, Security::Plain, public_roots()))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Pop3Error::Protocol { .. }), "{err:?}");
}

#[tokio::test]
async fn data_sent_right_after_stls_ok_is_refused() {
    let replies: Vec<&[u8]> = vec![
        b"+OK\r\nSTLS\r\nUSER\r\n.\r\n",
        b"+OK Begin TLS\r\n+OK injected before the handshake\r\n",
    ];
    let port = fake_server(b"+OK fake\r\n", replies).await;
    let err = Pop3Client::connect(&config(port, Security::StartTls, public_roots()))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            Pop3Error::Protocol {
                step: Step::StartTls,
                ..
            }
        ),
        "{err:?}"
    );
}
