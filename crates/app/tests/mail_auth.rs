//! SPF, DKIM and DMARC of inbound mail, end to end on both databases: mail
//! sent over SMTP to the listener (the real session code and SmtpSink) is
//! checked against fixed DNS records, the results are stored with the raw
//! message, and filing scores with them. No test touches real DNS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use ecp_app::inbound::{ProcessOutcome, SmtpSink, Source};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_domain::MailboxId;
use ecp_net::authenticate::{Authenticator, Zone};
use ecp_net::smtp_in::{SmtpServerConfig, serve};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

const RCPT: &str = "support@in.acme.example";

struct Fixture {
    app: App,
    mailbox: MailboxId,
    key: Option<Ed25519Key>,
    _spool: tempfile::TempDir,
    _db: TestDb,
}

/// example.com: SPF allows only 192.0.2.1 (not us, 127.0.0.1), DMARC
/// p=reject, a DKIM key made here; good.example: SPF allows 127.0.0.1.
fn zone(dkim_record: &str) -> Zone {
    Zone::new()
        .txt("example.com", "v=spf1 ip4:192.0.2.1 -all")
        .unwrap()
        .txt("_dmarc.example.com", "v=DMARC1; p=reject")
        .unwrap()
        .txt("s1._domainkey.example.com", dkim_record)
        .unwrap()
        .txt("good.example", "v=spf1 ip4:127.0.0.1 -all")
        .unwrap()
}

async fn fixture(t: TestDb) -> Fixture {
    let pkcs8 = Ed25519Key::generate_pkcs8().unwrap();
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    let record = format!("v=DKIM1; k=ed25519; p={public}");
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let spool = tempfile::tempdir().unwrap();
    let config = AppConfig {
        spool_dir: spool.path().to_path_buf(),
        authenticator: Some(Authenticator::with_zone("mx.acme.example", zone(&record))),
        ..Default::default()
    };
    let app = App::new(db, config);
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            mailbox_name: "Support".into(),
            mailbox_address: RCPT.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    Fixture {
        app,
        mailbox: out.mailbox_id.unwrap(),
        key: Some(key),
        _spool: spool,
        _db: t,
    }
}

fn mail(from: &str, id: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {RCPT}\r\nSubject: Invoice {id}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    )
}

fn sign(key: Ed25519Key, raw: &str) -> String {
    let signature = DkimSigner::from_key(key)
        .domain("example.com")
        .selector("s1")
        .headers(["From", "To", "Subject", "Message-ID", "Date"])
        .sign(raw.as_bytes())
        .unwrap();
    format!("{}{raw}", signature.to_header())
}

async fn start_listener(app: &App, spool: &std::path::Path) -> (SocketAddr, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = SmtpServerConfig::new(addr, "mx.acme.example", spool.join("smtp"));
    let stop = CancellationToken::new();
    let sink = Arc::new(SmtpSink::new(app.clone()));
    let token = stop.clone();
    tokio::spawn(async move { serve(listener, cfg, sink, token).await });
    (addr, stop)
}

async fn reply(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    loop {
        let mut line = String::new();
        assert!(
            r.read_line(&mut line).await.unwrap() > 0,
            "connection closed"
        );
        if line.as_bytes().get(3) != Some(&b'-') {
            return line;
        }
    }
}

/// One message over SMTP; the server's answer to the end of DATA.
async fn send(addr: SocketAddr, helo: &str, mail_from: &str, data: &str) -> String {
    let (r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
    let mut r = BufReader::new(r);
    assert!(reply(&mut r).await.starts_with("220"));
    for (cmd, want) in [
        (format!("EHLO {helo}\r\n"), "250"),
        (format!("MAIL FROM:<{mail_from}>\r\n"), "250"),
        (format!("RCPT TO:<{RCPT}>\r\n"), "250"),
        ("DATA\r\n".to_string(), "354"),
    ] {
        w.write_all(cmd.as_bytes()).await.unwrap();
        let got = reply(&mut r).await;
        assert!(got.starts_with(want), "{cmd:?} -> {got}");
    }
    w.write_all(data.as_bytes()).await.unwrap();
    w.write_all(b".\r\n").await.unwrap();
    let end = reply(&mut r).await;
    w.write_all(b"QUIT\r\n").await.unwrap();
    end
}

struct Stored {
    status: String,
    score_milli: i64,
    reasons: String,
    auth_results: Option<String>,
}

async fn stored(app: &App, message_id: &str) -> Stored {
    let mut c = app.db().read().await.unwrap();
    let (status, score_milli, reasons, auth_results): (String, i64, String, Option<String>) =
        sqlx::query_as(
            "SELECT c.status, c.spam_score_milli, c.spam_reasons, r.auth_results \
             FROM messages m JOIN conversations c ON c.id = m.conversation_id \
             JOIN raw_messages r ON r.id = m.raw_id WHERE m.message_id_header = $1",
        )
        .bind(message_id)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    Stored {
        status,
        score_milli,
        reasons,
        auth_results,
    }
}

both_backends!(
    smtp_mail_is_authenticated_and_scored,
    filing_later_scores_with_the_stored_results
);

async fn smtp_mail_is_authenticated_and_scored(t: TestDb) {
    let mut f = fixture(t).await;
    let (addr, stop) = start_listener(&f.app, f._spool.path()).await;
    let key = f.key.take().unwrap();

    // A forged From: SPF fails for our peer (127.0.0.1), nothing is
    // signed, and example.com asks for rejection: spam at the default
    // threshold (5).
    let forged = mail(
        "CEO <ceo@example.com>",
        "forged@x",
        "Please wire 5000 today.",
    );
    let end = send(addr, "evil.test", "ceo@example.com", &forged).await;
    assert!(end.starts_with("250"), "{end}");
    let s = stored(&f.app, "forged@x").await;
    let auth = s.auth_results.unwrap();
    assert!(
        auth.starts_with("mx.acme.example; spf=fail smtp.mailfrom=ceo@example.com; dkim=none; dmarc=fail header.from=example.com policy.dmarc=reject"),
        "{auth}"
    );
    assert_eq!(s.score_milli, 5000, "{}", s.reasons);
    assert!(
        s.reasons
            .contains("DMARC failed for example.com (policy reject) (+3)"),
        "{}",
        s.reasons
    );
    assert!(s.reasons.contains("SPF failed (+2)"), "{}", s.reasons);
    assert_eq!(s.status, "spam");

    // Signed by example.com and relayed by someone else (a forwarder):
    // SPF fails, but DKIM passes and aligns, so DMARC passes.
    let signed = sign(
        key,
        &mail("CEO <ceo@example.com>", "signed@x", "Minutes attached."),
    );
    let end = send(addr, "fwd.test", "ceo@example.com", &signed).await;
    assert!(end.starts_with("250"), "{end}");
    let s = stored(&f.app, "signed@x").await;
    let auth = s.auth_results.unwrap();
    assert!(
        auth.contains("dkim=pass header.d=example.com header.s=s1"),
        "{auth}"
    );
    assert!(auth.contains("dmarc=pass"), "{auth}");
    assert_eq!(s.score_milli, 1500, "{}", s.reasons);
    assert!(s.reasons.contains("DMARC passed (-0.5)"), "{}", s.reasons);
    assert_eq!(s.status, "open");

    // The same signature over a changed body fails everything.
    let tampered = signed
        .replace("Minutes attached.", "New bank details.")
        .replace("signed@x", "tampered@x");
    let end = send(addr, "fwd.test", "ceo@example.com", &tampered).await;
    assert!(end.starts_with("250"), "{end}");
    let s = stored(&f.app, "tampered@x").await;
    assert!(s.auth_results.unwrap().contains("dkim=fail"));
    assert!(
        s.reasons.contains("DKIM signature failed (+2)"),
        "{}",
        s.reasons
    );
    assert_eq!(s.status, "spam");

    // SPF passes for a domain that lists us; no DKIM, no DMARC record.
    let good = mail("Ann <ann@good.example>", "good@x", "Where is my order?");
    let end = send(addr, "mail.good.example", "ann@good.example", &good).await;
    assert!(end.starts_with("250"), "{end}");
    let s = stored(&f.app, "good@x").await;
    let auth = s.auth_results.unwrap();
    assert!(
        auth.contains("spf=pass smtp.mailfrom=ann@good.example"),
        "{auth}"
    );
    assert!(auth.contains("dmarc=none"), "{auth}");
    assert_eq!(s.score_milli, 0, "{}", s.reasons);
    stop.cancel();
}

async fn filing_later_scores_with_the_stored_results(t: TestDb) {
    let f = fixture(t).await;
    // Stored on receipt, filed later (after a crash, say): the verdict
    // outranks what the message says about itself.
    let raw = mail("x@example.com", "later@x", "hello")
        .replacen(
            "From:",
            "Authentication-Results: mx.fake; spf=pass; dkim=pass; dmarc=pass\r\nFrom:",
            1,
        )
        .into_bytes();
    let received = f
        .app
        .receive_raw_verified(
            f.mailbox,
            &Source::Smtp {
                envelope_id: "e1".into(),
            },
            &raw,
            Some("mx.acme.example; spf=fail smtp.mailfrom=x@example.com; dkim=none; dmarc=fail header.from=example.com policy.dmarc=reject"),
        )
        .await
        .unwrap();
    assert_eq!(f.app.process_pending(10).await.unwrap(), 1);
    let s = stored(&f.app, "later@x").await;
    assert_eq!(s.score_milli, 5000, "{}", s.reasons);
    assert_eq!(s.status, "spam");
    // A second delivery of the same envelope changes nothing.
    let again = f
        .app
        .receive_raw_verified(
            f.mailbox,
            &Source::Smtp {
                envelope_id: "e1".into(),
            },
            &raw,
            Some("mx.acme.example; spf=pass smtp.mailfrom=x@example.com"),
        )
        .await
        .unwrap();
    assert!(!again.new);
    assert_eq!(again.raw_id, received.raw_id);
    let out = f.app.process_raw(again.raw_id).await.unwrap();
    assert_eq!(out, ProcessOutcome::AlreadyDone);
    assert!(
        stored(&f.app, "later@x")
            .await
            .auth_results
            .unwrap()
            .contains("dmarc=fail")
    );
}
