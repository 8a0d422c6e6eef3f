//! "Outgoing mail (SMTP)" in the mailbox editor, through the browser, on
//! both databases, against a real aiosmtpd with STARTTLS and AUTH: save,
//! the password never refilled (blank keeps it), Send test email with
//! success and with the server's answer, bad input kept on the form, the
//! SSL option's refusal, and going back to the main relay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_app::AppConfig;
use ecp_app::secret_box::SecretKey;
use ecp_testkit::db::Kind;
use ecp_testkit::smtp_sink::{SinkOptions, SinkTls, SmtpSink};
use std::time::Duration;
use ui_support::*;

const SECRET: &str = "Never-Shown-ui5mtp";

async fn post_page(b: &Browser, path: &str, f: &[(&str, &str)]) -> (u16, String) {
    let res = b.post(path, f).await;
    let status = res.status().as_u16();
    let loc = location(&res);
    let body = res.text().await.unwrap();
    assert!(!body.contains(SECRET), "the password came back from {path}");
    if status == 303 {
        let (s, page) = b.page(&loc).await;
        assert!(!page.contains(SECRET), "the password is on {loc}");
        return (s, page);
    }
    (status, body)
}

async fn save_test_and_remove(kind: Kind) {
    let server = SmtpSink::start_with(SinkOptions {
        tls: SinkTls::StartTls,
        auth: Some(("desk".into(), SECRET.into())),
    })
    .unwrap();
    let mut config = AppConfig {
        secret_key: Some(SecretKey::generate()),
        ..AppConfig::default()
    };
    config.outbound.timeout = Duration::from_secs(10);
    config.outbound.ca_pem = server.ca_pem().map(|p| p.as_bytes().to_vec());
    let t = spawn_with(kind, config).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let editor = format!("/settings/mailboxes/{mb}");
    let (status, body) = b.page(&editor).await;
    assert_eq!(status, 200);
    assert!(body.contains("Outgoing mail (SMTP)"), "{body}");
    assert!(body.contains("id=\"smtp-none\""));
    assert!(!body.contains("id=\"smtp-test\""), "nothing to test yet");

    let save = format!("{editor}/smtp");
    let port = server.port.to_string();
    // Bad input: kept on the form, each field named, nothing saved.
    let (status, page) = post_page(
        &b,
        &save,
        &[
            ("enabled", "1"),
            ("host", "smtp.example.com:587"),
            ("port", "99999"),
            ("tls", "starttls"),
            ("username", "desk"),
            ("password", SECRET),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for id in ["smtp_host-error", "smtp_port-error"] {
        assert!(page.contains(id), "{id}: {page}");
    }
    assert!(
        page.contains("value=\"smtp.example.com:587\""),
        "input kept"
    );
    assert!(page.contains("id=\"smtp-none\""), "nothing saved");

    let good = [
        ("enabled", "1"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "starttls"),
        ("username", "desk"),
        ("password", SECRET),
    ];
    let (status, page) = post_page(&b, &save, &good).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("outgoing mail settings were saved"), "{page}");
    assert!(page.contains("A password is stored"), "{page}");
    assert!(page.contains("id=\"smtp_password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" value=\"\""));

    // Saved again with the password left blank: kept, and the test works.
    let blank = [
        ("enabled", "1"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "starttls"),
        ("username", "desk"),
        ("password", ""),
    ];
    let (status, _) = post_page(&b, &save, &blank).await;
    assert_eq!(status, 200);
    let (status, page) = post_page(&b, &format!("{editor}/smtp/test"), &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Test email sent."), "{page}");
    let got = server.wait_for(1, Duration::from_secs(10)).unwrap();
    assert_eq!(got[0].rcpt_tos, vec!["olivia@example.com"]);
    assert_eq!(got[0].auth_login.as_deref(), Some("desk"));

    // A wrong password: the server's answer on the page.
    let mut wrong = good;
    wrong[5] = ("password", "wrong-password");
    post_page(&b, &save, &wrong).await;
    let (_, page) = post_page(&b, &format!("{editor}/smtp/test"), &[]).await;
    assert!(page.contains("Test email failed."), "{page}");
    assert!(page.contains("535"), "the server's answer: {page}");

    // The SSL option refuses a server without TLS, saying why.
    let owner = t.owner_actor(&acc).await;
    t.app
        .update_options(
            &owner,
            &ecp_app::account::OptionsPatch {
                ssl_required: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut plain = blank;
    plain[3] = ("tls", "none");
    let (status, page) = post_page(&b, &save, &plain).await;
    assert_eq!(status, 422);
    assert!(page.contains("smtp_tls-error"), "{page}");
    assert!(page.contains("requires SSL"), "{page}");

    let (status, page) = post_page(&b, &format!("{editor}/smtp/delete"), &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("main SMTP relay again"), "{page}");
    assert!(page.contains("id=\"smtp-none\""));
    assert_eq!(server.messages().unwrap().len(), 1);
}

async fn only_administrators_see_it(kind: Kind) {
    let t = spawn_with(
        kind,
        AppConfig {
            secret_key: Some(SecretKey::generate()),
            ..AppConfig::default()
        },
    )
    .await;
    let acc = t.account("free", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    new_user(&t, &acc, "Uma User", "uma@example.com", "user").await;
    let b = t.signed_in("uma@example.com").await;
    let res = b
        .post(
            &format!("/settings/mailboxes/{mb}/smtp"),
            &[("host", "smtp.example.com"), ("tls", "tls")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    let owner = t.owner_actor(&acc).await;
    assert!(
        t.app
            .mailbox_smtp_server(&owner, ecp_domain::MailboxId(mb))
            .await
            .unwrap()
            .is_none()
    );
}

on_both!(save_test_and_remove, only_administrators_see_it);
