//! What well-behaved clients never do, driven over a raw TCP (or TLS)
//! stream: vanishing mid-DATA, garbage, pipelining, STARTTLS injection,
//! limits, timeouts and shutdown.

mod smtp_in_support;

use std::time::Duration;

use smtp_in_support::{Raw, start};
use tokio::net::TcpStream;

#[allow(clippy::unwrap_used)] // test helper: a failed connect fails the test
async fn connect(server: &smtp_in_support::TestServer) -> Raw<TcpStream> {
    let mut raw = Raw::new(TcpStream::connect(server.addr).await.unwrap());
    let greeting = raw.reply().await.unwrap();
    assert!(greeting.starts_with("220 mx.test.example"), "{greeting}");
    raw
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_vanishing_mid_data_delivers_nothing_and_cleans_spool() {
    let server = start(|_| {}).await;
    let mut raw = connect(&server).await;
    assert!(raw.command("EHLO client.example").await.starts_with("250-"));
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("250 ")
    );
    assert!(
        raw.command("RCPT TO:<support@help.example>")
            .await
            .starts_with("250 ")
    );
    assert!(raw.command("DATA").await.starts_with("354 "));
    raw.send(b"Subject: half\r\n\r\n").await;
    raw.send(&b"0123456789abcdef\r\n".repeat(5_000)).await;
    // The message is being spooled...
    let mut seen = false;
    for _ in 0..100 {
        if !server.spool_files().is_empty() {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen, "no spool file while receiving DATA");
    // ...and the client goes away without the final dot.
    drop(raw);
    assert_eq!(
        server.wait_spool_empty().await,
        Vec::<std::path::PathBuf>::new()
    );
    assert!(server.sink.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_gets_error_replies_and_the_session_survives() {
    let server = start(|cfg| cfg.max_line_length = 512).await;
    let mut raw = connect(&server).await;
    let cases: [&[u8]; 8] = [
        b"\x00\x01\x02\xff\xfe\r\n",
        b"\xc3\x28 MAIL FROM:<a@b>\r\n",
        b"GET / HTTP/1.1\r\n",
        b"MAIL FROM:a@b\r\n",
        b"RCPT TO:<@@@>\r\n",
        b"EHLO\r\n",
        b"\r\n",
        b"MAIL FROM:<a@example.org> SIZE=notanumber\r\n",
    ];
    for case in cases {
        raw.send(case).await;
        let reply = raw.reply().await.unwrap();
        assert!(
            reply.starts_with("500 ") || reply.starts_with("501 ") || reply.starts_with("503 "),
            "{:?} -> {reply}",
            String::from_utf8_lossy(case)
        );
    }
    // A line over the limit is read to its end and refused as one error.
    raw.send(&[b'A'; 5_000]).await;
    raw.send(b"\r\n").await;
    assert!(
        raw.reply()
            .await
            .unwrap()
            .starts_with("500 5.5.2 Line too long")
    );
    assert_eq!(raw.command("NOOP").await, "250 2.0.0 OK\r\n");
    assert!(raw.command("HELO client.example").await.starts_with("250 "));
    // The listener is still fine for others.
    let mut other = connect(&server).await;
    assert_eq!(
        other.command("QUIT").await,
        "221 2.0.0 mx.test.example closing connection\r\n"
    );
    assert!(other.closed().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_errors_end_the_session() {
    let server = start(|cfg| cfg.max_errors = 3).await;
    let mut raw = connect(&server).await;
    raw.send(b"FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n").await;
    let mut replies = String::new();
    while let Some(reply) = raw.reply().await {
        replies.push_str(&reply);
    }
    let codes: Vec<&str> = replies.lines().map(|l| &l[..3]).collect();
    assert_eq!(codes, ["500", "500", "500", "421"], "{replies}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_commands_and_data_are_answered_in_order() {
    let server = start(|_| {}).await;
    let mut raw = connect(&server).await;
    raw.send(
        b"EHLO client.example\r\nMAIL FROM:<> BODY=8BITMIME\r\nRCPT TO:<support@help.example>\r\n\
RCPT TO:<nobody@help.example>\r\nRCPT TO:<Support@help.example>\r\nDATA\r\n",
    )
    .await;
    assert!(
        raw.reply()
            .await
            .unwrap()
            .starts_with("250-mx.test.example")
    );
    assert!(raw.reply().await.unwrap().starts_with("250 2.1.0"));
    assert!(raw.reply().await.unwrap().starts_with("250 2.1.5"));
    assert!(raw.reply().await.unwrap().starts_with("550 5.1.1"));
    assert!(raw.reply().await.unwrap().starts_with("250 2.1.5"));
    assert!(raw.reply().await.unwrap().starts_with("354 "));
    // The message, a second transaction and QUIT in one write.
    raw.send(
        b"Subject: bounce\r\n\r\n..hi\r\n.\r\nMAIL FROM:<b@example.org>\r\n\
RCPT TO:<sales@help.example>\r\nDATA\r\n.\r\nQUIT\r\n",
    )
    .await;
    assert!(
        raw.reply()
            .await
            .unwrap()
            .starts_with("250 2.0.0 OK queued as ")
    );
    assert!(raw.reply().await.unwrap().starts_with("250 2.1.0"));
    assert!(raw.reply().await.unwrap().starts_with("250 2.1.5"));
    assert!(raw.reply().await.unwrap().starts_with("354 "));
    assert!(
        raw.reply()
            .await
            .unwrap()
            .starts_with("250 2.0.0 OK queued as ")
    );
    assert!(raw.reply().await.unwrap().starts_with("221 "));
    assert!(raw.closed().await);

    let messages = server.sink.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].0.mail_from, "");
    assert_eq!(messages[0].0.rcpt_to, ["support@help.example"]);
    assert_eq!(messages[0].1, b"Subject: bounce\r\n\r\n.hi\r\n");
    assert_eq!(messages[1].1, b"");
    assert_eq!(messages[0].0.session_id, messages[1].0.session_id);
    assert_ne!(messages[0].0.id, messages[1].0.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_sequence_and_limits() {
    let server = start(|cfg| cfg.max_recipients = 2).await;
    let mut raw = connect(&server).await;
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("503 5.5.1")
    );
    assert!(raw.command("EHLO client.example").await.starts_with("250-"));
    assert!(
        raw.command("RCPT TO:<a@help.example>")
            .await
            .starts_with("503 5.5.1")
    );
    assert!(raw.command("DATA").await.starts_with("503 5.5.1"));
    assert!(raw.command("VRFY support").await.starts_with("252 "));
    assert!(raw.command("HELP").await.starts_with("214 "));
    assert!(
        raw.command("AUTH PLAIN AGFAYg==")
            .await
            .starts_with("502 5.5.1")
    );
    assert!(raw.command("BDAT 10 LAST").await.starts_with("502 5.5.1"));
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("250 ")
    );
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("503 5.5.1")
    );
    assert!(
        raw.command("RCPT TO:<nobody@help.example>")
            .await
            .starts_with("550 5.1.1")
    );
    assert!(raw.command("DATA").await.starts_with("554 5.5.1"));
    assert!(
        raw.command("RCPT TO:<one@help.example>")
            .await
            .starts_with("250 ")
    );
    assert!(
        raw.command("RCPT TO:<two@help.example>")
            .await
            .starts_with("250 ")
    );
    assert!(
        raw.command("RCPT TO:<three@help.example>")
            .await
            .starts_with("452 4.5.3")
    );
    assert!(
        raw.command("RCPT TO:<zoë@help.example>")
            .await
            .starts_with("553 5.6.7")
    );
    assert!(raw.command("RSET").await.starts_with("250 "));
    assert!(
        raw.command("RCPT TO:<one@help.example>")
            .await
            .starts_with("503 5.5.1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_over_the_cap_get_421() {
    let server = start(|cfg| cfg.max_sessions = 2).await;
    let first = connect(&server).await;
    let _second = connect(&server).await;
    let mut third = Raw::new(TcpStream::connect(server.addr).await.unwrap());
    let reply = third.reply().await.unwrap();
    assert!(reply.starts_with("421 4.7.0"), "{reply}");
    assert!(third.closed().await);
    // A slot frees up when a session ends.
    drop(first);
    let mut ok = false;
    for _ in 0..50 {
        let mut next = Raw::new(TcpStream::connect(server.addr).await.unwrap());
        if next.reply().await.unwrap().starts_with("220 ") {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "no session slot after a client left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_pipelined_after_starttls_drops_the_connection() {
    let server = start(|_| {}).await;
    let mut raw = connect(&server).await;
    assert!(
        raw.command("EHLO client.example")
            .await
            .contains("250-STARTTLS")
    );
    raw.send(b"STARTTLS\r\nMAIL FROM:<attacker@example.org>\r\n")
        .await;
    assert!(
        raw.closed().await,
        "the server answered instead of dropping"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_resets_the_session() {
    let server = start(|_| {}).await;
    let mut raw = connect(&server).await;
    assert!(raw.command("EHLO client.example").await.starts_with("250-"));
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("250 ")
    );
    assert!(raw.command("STARTTLS").await.starts_with("220 2.0.0"));
    let tcp = raw.stream.into_inner();
    let connector = tokio_rustls::TlsConnector::from(server.cert.client_config().unwrap());
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    let mut raw = Raw::new(tls);
    // The transaction and the EHLO from before TLS are gone.
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("503 5.5.1")
    );
    let ehlo = raw.command("EHLO client.example").await;
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(raw.command("STARTTLS").await.starts_with("503 5.5.1"));
    assert!(
        raw.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("250 ")
    );
    assert!(
        raw.command("RCPT TO:<support@help.example>")
            .await
            .starts_with("250 ")
    );
    assert!(raw.command("DATA").await.starts_with("354 "));
    assert!(
        raw.command("Subject: t\r\n\r\nx\r\n.")
            .await
            .starts_with("250 2.0.0")
    );
    assert!(raw.command("QUIT").await.starts_with("221 "));
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].0.tls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_client_times_out_with_421() {
    let server = start(|cfg| cfg.timeouts.command = Duration::from_millis(300)).await;
    let mut raw = connect(&server).await;
    raw.send(b"NOOP").await; // never finished: a partial line does not extend the deadline
    let reply = raw.reply().await.unwrap();
    assert!(reply.starts_with("421 4.4.2"), "{reply}");
    assert!(raw.closed().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_deliveries_finish_and_closes_idle_sessions() {
    let server = start(|cfg| cfg.timeouts.shutdown_grace = Duration::from_secs(5)).await;
    *server.sink.slow_deliver.lock().unwrap() = Some(Duration::from_millis(500));
    let mut idle = connect(&server).await;
    assert!(idle.command("EHLO idle.example").await.starts_with("250-"));
    let mut busy = connect(&server).await;
    assert!(busy.command("EHLO busy.example").await.starts_with("250-"));
    assert!(
        busy.command("MAIL FROM:<a@example.org>")
            .await
            .starts_with("250 ")
    );
    assert!(
        busy.command("RCPT TO:<support@help.example>")
            .await
            .starts_with("250 ")
    );
    assert!(busy.command("DATA").await.starts_with("354 "));
    busy.send(b"Subject: last one\r\n\r\nx\r\n.\r\n").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.shutdown.cancel();

    let reply = idle.reply().await.unwrap();
    assert!(reply.starts_with("421 4.3.2"), "{reply}");
    assert!(
        busy.reply()
            .await
            .unwrap()
            .starts_with("250 2.0.0 OK queued as")
    );
    let done = tokio::time::timeout(Duration::from_secs(5), server.task).await;
    assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
    assert_eq!(server.sink.messages().len(), 1);
    assert!(TcpStream::connect(server.addr).await.is_err());
}
