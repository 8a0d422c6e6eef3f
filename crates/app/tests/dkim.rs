//! DKIM signing of outgoing mail, end to end on both databases: keys made
//! in the app (Ed25519 and RSA-2048), their DNS records published in a
//! fixed zone, a reply sent through the real SMTP server (aiosmtpd) and
//! what it captured verified with mail-auth. Also: sealed private keys,
//! rotation, and who may manage keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::dkim::{DkimKeyView, NewKeyInput};
use ecp_app::outbound::{ReplyInput, SendOutcome};
use ecp_app::secret_box::{Purpose, SecretBox, SecretKey};
use ecp_app::signup::SignupInput;
use ecp_app::{Actor, App, AppConfig, AppError};
use ecp_domain::conversation::ConversationId;
use ecp_domain::{MailboxId, MailboxInput};
use ecp_net::authenticate::{Authenticator, Verdict, Zone};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::smtp_sink::SmtpSink;
use std::time::Duration;

struct Fixture {
    app: App,
    owner: Actor,
    mailbox: MailboxId,
    sink: SmtpSink,
    key: SecretKey,
    _db: TestDb,
}

async fn fixture(t: TestDb) -> Fixture {
    let sink = SmtpSink::start().unwrap();
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let key = SecretKey::generate();
    let mut config = AppConfig {
        secret_key: Some(key.clone()),
        ..Default::default()
    };
    config.outbound.smtp_relay = Some(sink.url());
    config.outbound.timeout = Duration::from_secs(10);
    let app = App::new(db, config);
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            mailbox_name: "Support".into(),
            mailbox_address: "support@in.acme.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let owner = app.actor(out.owner_id).await.unwrap();
    let mailbox = out.mailbox_id.unwrap();
    app.update_mailbox(
        &owner,
        mailbox,
        &MailboxInput {
            name: "Support",
            direct_address: "support@in.acme.example",
            send_as_name: "Acme Support",
            send_as_address: "help@Acme.example",
            signature_html: "<p>Acme</p>",
            auto_bcc: "",
        },
        None,
    )
    .await
    .unwrap();
    Fixture {
        app,
        owner,
        mailbox,
        sink,
        key,
        _db: t,
    }
}

async fn customer_writes(f: &Fixture, id: &str) -> ConversationId {
    let raw = format!(
        "From: Ann Lee <ann@cust.example>\r\nTo: support@in.acme.example\r\n\
Subject: Order late\r\nMessage-ID: <{id}@cust.example>\r\n\
Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nWhere is my order?\r\n"
    );
    let (_, outcome) = f
        .app
        .ingest(
            f.mailbox,
            &ecp_app::inbound::Source::Import { key: id.into() },
            raw.as_bytes(),
        )
        .await
        .unwrap();
    match outcome.unwrap() {
        ecp_app::inbound::ProcessOutcome::Filed { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    }
}

async fn make_key(f: &Fixture, algorithm: &str, selector: &str) -> DkimKeyView {
    f.app
        .generate_dkim_key(
            &f.owner,
            &NewKeyInput {
                domain: "acme.example",
                algorithm,
                selector,
            },
        )
        .await
        .unwrap()
}

/// Replies once and returns what the SMTP server received.
async fn reply_captured(f: &Fixture, n: usize, msg_id: &str) -> String {
    let conv = customer_writes(f, msg_id).await;
    let input = ReplyInput {
        body_html: "<p>It ships today, with a line long enough to be wrapped by the quoted-printable encoder somewhere.</p>".into(),
        ..Default::default()
    };
    let queued = f.app.send_reply(&f.owner, conv, input).await.unwrap();
    let done = f.app.send_due_outbox().await.unwrap();
    assert_eq!(done, vec![(queued.outbox, SendOutcome::Sent)]);
    let got = f.sink.wait_for(n, Duration::from_secs(10)).unwrap();
    got[n - 1].data.clone()
}

fn verifier(keys: &[&DkimKeyView]) -> Authenticator {
    let mut zone = Zone::new();
    for k in keys {
        // The record as a zone file holds it: the strings joined.
        let joined: String = k
            .record
            .zone_strings()
            .iter()
            .map(|s| s.trim_matches('"'))
            .collect();
        assert_eq!(joined, k.record.value);
        zone = zone.txt(&k.record.name, &joined).unwrap();
    }
    Authenticator::with_zone("mx.cust.example", zone)
}

async fn dkim_verdicts(auth: &Authenticator, raw: &str) -> Vec<(Verdict, String)> {
    auth.check_dkim(raw.as_bytes())
        .await
        .dkim
        .into_iter()
        .map(|d| (d.result, d.selector))
        .collect()
}

both_backends!(
    ed25519_and_rsa_replies_verify,
    tampered_mail_fails_and_no_key_sends_unsigned,
    private_keys_are_sealed,
    rotation_and_selectors,
    only_administrators_manage_keys
);

async fn ed25519_and_rsa_replies_verify(t: TestDb) {
    let f = fixture(t).await;
    let ed = make_key(&f, "ed25519", "ed1").await;
    assert_eq!(ed.record.name, "ed1._domainkey.acme.example");
    assert!(ed.record.value.starts_with("v=DKIM1; k=ed25519; p="));
    assert_eq!(ed.record.zone_strings().len(), 1);
    let raw = reply_captured(&f, 1, "m1").await;
    assert!(raw.starts_with("DKIM-Signature: "), "{raw}");
    assert!(raw.contains("d=acme.example"), "{raw}");
    let auth = verifier(&[&ed]);
    assert_eq!(
        dkim_verdicts(&auth, &raw).await,
        vec![(Verdict::Pass, "ed1".into())]
    );

    // Rotating to RSA: the new key signs, the old record is not needed.
    let rsa = make_key(&f, "rsa-sha256", "").await;
    assert!(rsa.selector.starts_with("ecp2"), "{}", rsa.selector);
    assert!(
        rsa.record
            .value
            .starts_with("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    );
    assert_eq!(
        rsa.record.zone_strings().len(),
        2,
        "RSA records need two strings"
    );
    let raw = reply_captured(&f, 2, "m2").await;
    let auth = verifier(&[&rsa]);
    assert_eq!(
        dkim_verdicts(&auth, &raw).await,
        vec![(Verdict::Pass, rsa.selector.clone())]
    );
    // The signed headers are the ones a reply has.
    let sig = raw.split("\r\n\r\n").next().unwrap();
    let h: String = sig
        .split("h=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    for name in [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "MIME-Version",
        "Content-Type",
    ] {
        assert!(
            h.to_ascii_lowercase()
                .split(':')
                .any(|x| x == name.to_ascii_lowercase()),
            "{name} not in h={h}"
        );
    }
}

async fn tampered_mail_fails_and_no_key_sends_unsigned(t: TestDb) {
    let f = fixture(t).await;
    let unsigned = reply_captured(&f, 1, "m0").await;
    assert!(!unsigned.contains("DKIM-Signature"), "{unsigned}");

    let ed = make_key(&f, "ed25519", "ed1").await;
    let raw = reply_captured(&f, 2, "m1").await;
    let auth = verifier(&[&ed]);
    assert_eq!(dkim_verdicts(&auth, &raw).await[0].0, Verdict::Pass);
    let body_changed = raw.replacen("It ships today", "It ships NEVER", 1);
    assert_ne!(body_changed, raw);
    assert_eq!(
        dkim_verdicts(&auth, &body_changed).await[0].0,
        Verdict::Fail
    );
    let subject_changed = raw.replacen("Subject: Re: Order late", "Subject: Re: Order lost", 1);
    assert_ne!(subject_changed, raw);
    assert_eq!(
        dkim_verdicts(&auth, &subject_changed).await[0].0,
        Verdict::Fail
    );
    // Another key under the same name: the signature does not match it.
    let other = make_key(&f, "ed25519", "ed2").await;
    let wrong = DkimKeyView {
        record: ecp_domain::dkim::DnsRecord {
            name: ed.record.name.clone(),
            value: other.record.value.clone(),
        },
        ..ed.clone()
    };
    let auth = verifier(&[&wrong]);
    assert_ne!(dkim_verdicts(&auth, &raw).await[0].0, Verdict::Pass);
}

async fn private_keys_are_sealed(t: TestDb) {
    let f = fixture(t).await;
    let ed = make_key(&f, "ed25519", "ed1").await;
    let rsa = make_key(&f, "rsa", "rsa1").await;
    let sealer = SecretBox::new(&f.key);
    let mut c = f.app.db().read().await.unwrap();
    for k in [&ed, &rsa] {
        let stored: String =
            sqlx::query_scalar("SELECT private_key_enc FROM dkim_keys WHERE id = $1")
                .bind(k.id.0)
                .fetch_one(&mut *c)
                .await
                .unwrap();
        assert!(stored.starts_with("v1:"), "{stored}");
        let der_b64 = sealer.open(Purpose::DkimPrivateKey, &stored).unwrap();
        assert!(der_b64.len() > 60);
        assert!(!stored.contains(&der_b64[..40]), "the DER is in the row");
        assert!(!stored.contains("PRIVATE KEY"));
        // Bound to its purpose: it does not open as a password.
        assert!(sealer.open(Purpose::PopPassword, &stored).is_err());
    }
}

async fn rotation_and_selectors(t: TestDb) {
    let f = fixture(t).await;
    let first = make_key(&f, "ed25519", "").await;
    let second = make_key(&f, "ed25519", "").await;
    assert_ne!(
        first.selector, second.selector,
        "a same-day rotation gets its own selector"
    );
    let domains = f.app.dkim_domains(&f.owner).await.unwrap();
    assert_eq!(domains.len(), 1);
    assert_eq!(domains[0].domain, "acme.example");
    assert_eq!(domains[0].mailboxes, vec!["Support".to_string()]);
    assert_eq!(domains[0].active.as_ref().map(|k| k.id), Some(second.id));
    assert_eq!(
        domains[0].retired.iter().map(|k| k.id).collect::<Vec<_>>(),
        vec![first.id]
    );

    let reuse = f
        .app
        .generate_dkim_key(
            &f.owner,
            &NewKeyInput {
                domain: "acme.example",
                algorithm: "ed25519",
                selector: &first.selector,
            },
        )
        .await;
    assert!(
        matches!(reuse, Err(AppError::Validation(ref v)) if v[0].field == "selector"),
        "{reuse:?}"
    );
    for (domain, algorithm, selector, field) in [
        ("other.example", "ed25519", "", "domain"),
        ("acme.example", "dsa", "", "algorithm"),
        ("acme.example", "ed25519", "bad selector", "selector"),
    ] {
        let r = f
            .app
            .generate_dkim_key(
                &f.owner,
                &NewKeyInput {
                    domain,
                    algorithm,
                    selector,
                },
            )
            .await;
        assert!(
            matches!(r, Err(AppError::Validation(ref v)) if v[0].field == field),
            "{r:?}"
        );
    }

    // Deleting the active key: mail goes unsigned, the retired key stays.
    f.app.delete_dkim_key(&f.owner, second.id).await.unwrap();
    let raw = reply_captured(&f, 1, "m1").await;
    assert!(!raw.contains("DKIM-Signature"));
    let domains = f.app.dkim_domains(&f.owner).await.unwrap();
    assert!(domains[0].active.is_none());
    assert_eq!(domains[0].retired.len(), 1);
    assert!(matches!(
        f.app.delete_dkim_key(&f.owner, second.id).await,
        Err(AppError::NotFound)
    ));
}

async fn only_administrators_manage_keys(t: TestDb) {
    let f = fixture(t).await;
    let key = make_key(&f, "ed25519", "ed1").await;
    let added = f
        .app
        .add_user(
            &f.owner,
            &ecp_app::users::NewUserInput {
                name: "Uma".into(),
                email: "uma@acme.example".into(),
                role: "user".into(),
                password: "correct horse battery".into(),
            },
        )
        .await
        .unwrap();
    let agent = f.app.actor(added.user.id).await.unwrap();
    assert!(matches!(
        f.app.dkim_domains(&agent).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        f.app.dkim_key(&agent, key.id).await,
        Err(AppError::Forbidden(_))
    ));
    let made = f
        .app
        .generate_dkim_key(
            &agent,
            &NewKeyInput {
                domain: "acme.example",
                algorithm: "ed25519",
                selector: "x",
            },
        )
        .await;
    assert!(matches!(made, Err(AppError::Forbidden(_))), "{made:?}");
    assert!(matches!(
        f.app.delete_dkim_key(&agent, key.id).await,
        Err(AppError::Forbidden(_))
    ));

    // Another account's owner sees none of it.
    let other = f
        .app
        .create_account(&SignupInput {
            account_name: "Other".into(),
            owner_name: "Otto".into(),
            owner_email: "otto@other.example".into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            mailbox_name: "Help".into(),
            mailbox_address: "help@other.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let otto = f.app.actor(other.owner_id).await.unwrap();
    assert!(matches!(
        f.app.dkim_key(&otto, key.id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        f.app.delete_dkim_key(&otto, key.id).await,
        Err(AppError::NotFound)
    ));
    let made = f
        .app
        .generate_dkim_key(
            &otto,
            &NewKeyInput {
                domain: "acme.example",
                algorithm: "ed25519",
                selector: "",
            },
        )
        .await;
    assert!(matches!(made, Err(AppError::Validation(_))), "{made:?}");
    assert_eq!(f.app.dkim_key(&f.owner, key.id).await.unwrap(), key);
}
