//! The listener driven by real SMTP clients: swaks and Python's smtplib.

mod smtp_in_support;

use std::sync::atomic::Ordering;

use smtp_in_support::{python, start, swaks, text, write_file};

const MESSAGE: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: support@help.example\r\n\
Subject: Printer on fire\r\n\
Message-ID: <fire-1@example.org>\r\n\
\r\n\
Hello,\r\n\
.a line starting with a dot\r\n\
..two dots\r\n\
.\tdot tab\r\n\
\r\n\
trailing spaces   \r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_delivers_byte_identical_message() {
    let server = start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    // swaks ends DATA with "\r\n.\r\n" whatever the file ends with.
    let file = write_file(dir.path(), "msg.eml", &MESSAGE[..MESSAGE.len() - 2]);
    let data = format!("@{}", file.display());
    let out = swaks(
        &server,
        &[
            "--from",
            "alice@example.org",
            "--to",
            "support@help.example",
            "--data",
            &data,
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("250 2.0.0 OK queued as "), "{}", text(&out));
    assert!(stdout.contains("PIPELINING") && stdout.contains("SIZE 36700160"));
    assert!(stdout.contains("STARTTLS") && stdout.contains("SMTPUTF8"));
    assert!(stdout.contains("8BITMIME") && stdout.contains("ENHANCEDSTATUSCODES"));
    assert!(!stdout.contains("AUTH") && !stdout.contains("CHUNKING"));

    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    let (envelope, bytes) = &messages[0];
    assert_eq!(
        bytes.as_slice(),
        MESSAGE,
        "{}",
        String::from_utf8_lossy(bytes)
    );
    assert_eq!(envelope.mail_from, "alice@example.org");
    assert_eq!(envelope.rcpt_to, ["support@help.example"]);
    assert!(!envelope.tls);
    assert_eq!(envelope.peer.ip().to_string(), "127.0.0.1");
    assert!(envelope.id.starts_with(&envelope.session_id));
    assert!(stdout.contains(&envelope.id));
    assert!(server.wait_spool_empty().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_starttls_with_pipelining() {
    let server = start(|_| {}).await;
    let ca = server.cert.cert_path.display().to_string();
    let out = swaks(
        &server,
        &[
            "--tls",
            "--tls-verify",
            "--tls-ca-path",
            &ca,
            "--pipeline",
            "--from",
            "alice@example.org",
            "--to",
            "support@help.example,sales@help.example",
            "--header",
            "Subject: over TLS",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1, "{}", text(&out));
    let (envelope, bytes) = &messages[0];
    assert!(envelope.tls);
    assert_eq!(
        envelope.rcpt_to,
        ["support@help.example", "sales@help.example"]
    );
    assert!(String::from_utf8_lossy(bytes).contains("Subject: over TLS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_starttls_verifies_certificate_and_delivers() {
    let server = start(|_| {}).await;
    let ca = server.cert.cert_path.display().to_string();
    let script = r#"
import smtplib, ssl, sys
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
with smtplib.SMTP(host, port, timeout=20) as s:
    s.ehlo("client.example")
    assert s.has_extn("starttls")
    print(s.starttls(context=ctx))
    s.ehlo("client.example")
    assert not s.has_extn("starttls"), "STARTTLS offered again inside TLS"
    s.sendmail("alice@example.org", ["support@help.example"], b"Subject: tls\r\n\r\nsecret\r\n")
print("done")
"#;
    let out = python(&server, script, &[&ca]).await;
    assert!(out.status.success(), "{}", text(&out));
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].0.tls);
    assert_eq!(messages[0].0.helo, "client.example");
    assert_eq!(messages[0].1, b"Subject: tls\r\n\r\nsecret\r\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_smtputf8_addresses_and_8bit_body() {
    let server = start(|_| {}).await;
    let script = r#"
import smtplib, sys
host, port = sys.argv[1], int(sys.argv[2])
body = "From: Jürgen <jürgen@bücher.example>\r\nSubject: Grüße 🙂\r\n\r\nŻółć, 日本語\r\n".encode()
with smtplib.SMTP(host, port, timeout=20) as s:
    s.ehlo()
    assert s.has_extn("smtputf8") and s.has_extn("8bitmime")
    s.sendmail("jürgen@bücher.example", ["zoë@help.example"], body,
               mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    # Without SMTPUTF8 a non-ASCII address is refused (RFC 6531).
    s.command_encoding = "utf-8"
    print(s.mail("zoë@example.org"))
print("done")
"#;
    let out = python(&server, script, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(553, b'5.6.7"), "{}", text(&out));
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    let (envelope, bytes) = &messages[0];
    assert_eq!(envelope.mail_from, "jürgen@bücher.example");
    assert_eq!(envelope.rcpt_to, ["zoë@help.example"]);
    assert!(envelope.smtputf8);
    let expected =
        "From: Jürgen <jürgen@bücher.example>\r\nSubject: Grüße 🙂\r\n\r\nŻółć, 日本語\r\n";
    assert_eq!(bytes.as_slice(), expected.as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_temporarily_failing_recipients() {
    let server = start(|_| {}).await;
    let out = swaks(
        &server,
        &["--from", "a@example.org", "--to", "nobody@help.example"],
    )
    .await;
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("550 5.1.1"), "{}", text(&out));

    let script = r#"
import smtplib, sys
host, port = sys.argv[1], int(sys.argv[2])
with smtplib.SMTP(host, port, timeout=20) as s:
    refused = s.sendmail("a@example.org",
        ["nobody@help.example", "later@help.example", "support@help.example"],
        b"Subject: partly\r\n\r\nx\r\n")
    for rcpt, (code, msg) in sorted(refused.items()):
        print(rcpt, code, msg.decode())
"#;
    let out = python(&server, script, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("later@help.example 451 4.3.0"),
        "{}",
        text(&out)
    );
    assert!(
        stdout.contains("nobody@help.example 550 5.1.1"),
        "{}",
        text(&out)
    );
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0.rcpt_to, ["support@help.example"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_size_over_limit_is_refused_at_mail_from() {
    let server = start(|cfg| cfg.max_message_size = 10_000).await;
    let script = r#"
import smtplib, sys
host, port = sys.argv[1], int(sys.argv[2])
with smtplib.SMTP(host, port, timeout=20) as s:
    s.ehlo()
    print("limit", s.esmtp_features["size"])
    print(s.mail("a@example.org", ["SIZE=10001"]))
    print(s.mail("a@example.org", ["SIZE=10000"]))
"#;
    let out = python(&server, script, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("limit 10000"), "{}", text(&out));
    assert!(stdout.contains("(552, b'5.3.4"), "{}", text(&out));
    assert!(stdout.contains("(250, b'2.1.0"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actual_size_over_limit_is_refused_after_data_and_not_delivered() {
    let server = start(|cfg| cfg.max_message_size = 10_000).await;
    // `sendmail` would declare SIZE, so MAIL/RCPT/DATA are sent one by one
    // and the limit is hit in DATA; the session stays usable afterwards.
    let script = r#"
import smtplib, sys
host, port = sys.argv[1], int(sys.argv[2])
big = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 20
with smtplib.SMTP(host, port, timeout=20) as s:
    s.ehlo()
    print(s.mail("a@example.org"))
    print(s.rcpt("support@help.example"))
    code, msg = s.data(big)
    print("data", code, msg.decode())
    s.sendmail("a@example.org", ["support@help.example"], b"Subject: small\r\n\r\nok\r\n")
    print("small accepted")
"#;
    let out = python(&server, script, &[]).await;
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("data 552 5.3.4"), "{}", text(&out));
    assert!(stdout.contains("small accepted"), "{}", text(&out));
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].1, b"Subject: small\r\n\r\nok\r\n");
    assert!(server.wait_spool_empty().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_failure_is_451_and_nothing_acknowledged() {
    let server = start(|_| {}).await;
    server.sink.fail_deliver.store(true, Ordering::SeqCst);
    let out = swaks(
        &server,
        &["--from", "a@example.org", "--to", "support@help.example"],
    )
    .await;
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("451 4.3.0"), "{}", text(&out));
    assert!(!stdout.contains("queued as"), "{}", text(&out));
    assert!(server.sink.messages().is_empty());
    assert!(server.wait_spool_empty().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_large_message_is_streamed_intact() {
    let server = start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let sent = dir.path().join("sent.eml");
    let sent_arg = sent.display().to_string();
    // 8 MB of varied lines, some starting with dots, some 8-bit.
    let script = r#"
import random, smtplib, sys
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
lines = [b"Subject: big\r\n", b"\r\n"]
size = 0
while size < 8 * 1024 * 1024:
    line = bytes(rng.choice(b".abc \xc3\xa9xyz0123") for _ in range(rng.randrange(0, 990))) + b"\r\n"
    lines.append(line)
    size += len(line)
msg = b"".join(lines)
open(path, "wb").write(msg)
with smtplib.SMTP(host, port, timeout=60) as s:
    s.sendmail("a@example.org", ["support@help.example"], msg, mail_options=["BODY=8BITMIME"])
print("sent", len(msg))
"#;
    let out = python(&server, script, &[&sent_arg]).await;
    assert!(out.status.success(), "{}", text(&out));
    let expected = std::fs::read(&sent).unwrap();
    let messages = server.sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].1.len(), expected.len());
    assert!(messages[0].1 == expected, "content differs");
    assert!(server.wait_spool_empty().await.is_empty());
}
