//! Mail to a mailbox's direct address through the real `ecp serve`: real
//! clients (swaks, Python's smtplib), real STARTTLS, hostile clients. What
//! was answered 250 is in the mailbox exactly once; what was refused or
//! cut off is nowhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Ecp, Server};
use ecp_testkit::tls::TestCert;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Running {
    _ecp: Ecp,
    server: Server,
    smtp: String,
    token: String,
    mailbox: i64,
}

async fn start() -> Running {
    let ecp = Ecp::on_any_port().env("ECP_SMTP_MAX_MESSAGE_SIZE", "200000");
    let cert = TestCert::generate(ecp.path()).unwrap();
    let ecp = ecp
        .env("ECP_TLS_CERT", cert.cert_path.to_str().unwrap())
        .env("ECP_TLS_KEY", cert.key_path.to_str().unwrap());
    let id = ecp
        .ok(
            &[
                "account",
                "create",
                "--name",
                "Acme",
                "--owner-email",
                "o@example.test",
                "--owner-name",
                "Olivia",
                "--plan",
                "standard",
                "--mailbox-name",
                "Support",
                "--mailbox-address",
                "support@in.example.test",
            ],
            "correct horse battery\n",
        )
        .await;
    ecp.ok(
        &["account", "options", "--account", id.trim(), "--api", "on"],
        "",
    )
    .await;
    let token = ecp
        .ok(&["token", "create", "--email", "o@example.test"], "")
        .await
        .trim()
        .to_string();
    let server = ecp.serve().await;
    let smtp = server
        .smtp
        .clone()
        .expect("the SMTP listener's address is printed");
    let mailboxes: serde_json::Value = api(&server, &token, "/mailboxes").await;
    let mailbox = mailboxes[0]["id"].as_i64().unwrap();
    Running {
        _ecp: ecp,
        server,
        smtp,
        token,
        mailbox,
    }
}

async fn api(server: &Server, token: &str, path: &str) -> serde_json::Value {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn subjects(r: &Running) -> Vec<String> {
    let page = api(
        &r.server,
        &r.token,
        &format!("/mailboxes/{}/conversations?limit=200", r.mailbox),
    )
    .await;
    page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap().to_string())
        .collect()
}

async fn swaks(r: &Running, args: &[&str]) -> std::process::Output {
    let (host, port) = r.smtp.rsplit_once(':').unwrap();
    let mut all = vec![
        "--server",
        host,
        "--port",
        port,
        "--timeout",
        "20",
        "--from",
        "ann@cust.example",
    ];
    all.extend_from_slice(args);
    let out = tokio::process::Command::new("swaks").args(&all).output();
    tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("swaks finished")
        .expect("swaks is installed (scripts/install-test-deps.sh)")
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_mail_lands_once_and_refused_mail_nowhere() {
    let r = start().await;

    let out = swaks(
        &r,
        &[
            "--to",
            "support@in.example.test",
            "--header",
            "Subject: plain delivery",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let out = swaks(
        &r,
        &[
            "--tls",
            "--to",
            "Support@In.Example.test",
            "--header",
            "Subject: over STARTTLS",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("STARTTLS"), "{}", text(&out));

    let out = swaks(
        &r,
        &[
            "--to",
            "nobody@in.example.test",
            "--header",
            "Subject: unknown user",
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("550"), "{}", text(&out));

    // Over the configured size: refused with 552 by a real client library.
    let script = "import smtplib,sys\n\
        body='Subject: too big\\r\\n\\r\\n'+('x'*300000)\n\
        s=smtplib.SMTP(sys.argv[1],int(sys.argv[2]),timeout=20)\n\
        try:\n  s.sendmail('ann@cust.example',['support@in.example.test'],body)\n  print('accepted')\n\
        except smtplib.SMTPException as e:\n  print('refused',e)\n";
    let (host, port) = r.smtp.rsplit_once(':').unwrap();
    let out = tokio::process::Command::new("python3")
        .args(["-c", script, host, port])
        .output()
        .await
        .unwrap();
    let said = text(&out);
    assert!(said.contains("refused") && said.contains("552"), "{said}");

    let mut got = subjects(&r).await;
    got.sort();
    assert_eq!(got, ["over STARTTLS", "plain delivery"]);
}

async fn read_reply(stream: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_vanishing_clients_store_nothing_and_break_nothing() {
    let r = start().await;

    // Binary garbage: error replies, then the listener still works.
    let mut s = TcpStream::connect(&r.smtp).await.unwrap();
    assert!(read_reply(&mut s).await.starts_with("220"));
    s.write_all(b"\x00\xff\xfe GARBAGE \x01\x02\r\nHELO\r\nMAIL FROM:<<<>>>\r\n")
        .await
        .unwrap();
    let reply = read_reply(&mut s).await;
    assert!(reply.starts_with('5'), "{reply}");
    drop(s);

    // A client that vanishes in the middle of DATA.
    let mut s = TcpStream::connect(&r.smtp).await.unwrap();
    read_reply(&mut s).await;
    for cmd in [
        "EHLO client.example\r\n",
        "MAIL FROM:<ann@cust.example>\r\n",
        "RCPT TO:<support@in.example.test>\r\n",
        "DATA\r\n",
    ] {
        s.write_all(cmd.as_bytes()).await.unwrap();
        read_reply(&mut s).await;
    }
    s.write_all(b"Subject: half a message\r\n\r\nthis never ends")
        .await
        .unwrap();
    drop(s);
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(r.server.healthz().await, 200);
    let out = swaks(
        &r,
        &[
            "--to",
            "support@in.example.test",
            "--header",
            "Subject: after the chaos",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(subjects(&r).await, ["after the chaos"]);
}
