//! Verification against fixed DNS records (a [`Zone`]): no test needs the
//! network. Messages are signed with a key made here.

use super::*;
use base64::Engine;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use std::net::{Ipv4Addr, SocketAddr};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn message(from: &str, body: &str) -> String {
    format!(
        "From: Ann <{from}>\r\nTo: help@desk.test\r\nSubject: Order 42\r\nMessage-ID: <1@x>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    )
}

/// A signing key and the DKIM record publishing it.
fn key() -> (Ed25519Key, String) {
    let pkcs8 = Ed25519Key::generate_pkcs8().unwrap();
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    (key, format!("v=DKIM1; k=ed25519; p={public}"))
}

fn sign(key: Ed25519Key, domain: &str, raw: &str) -> String {
    let signature = DkimSigner::from_key(key)
        .domain(domain)
        .selector("s1")
        .headers(["From", "To", "Subject", "Message-ID", "Date"])
        .sign(raw.as_bytes())
        .unwrap();
    format!("{}{raw}", signature.to_header())
}

#[tokio::test]
async fn dkim_signature_passes_and_a_changed_body_fails() {
    let (key, record) = key();
    let zone = Zone::new()
        .txt("s1._domainkey.example.com", &record)
        .unwrap();
    let auth = Authenticator::with_zone("mx.desk.test", zone);
    let signed = sign(key, "example.com", &message("ann@example.com", "Hello"));

    let r = auth.check_dkim(signed.as_bytes()).await;
    assert_eq!(r.dkim.len(), 1);
    assert_eq!(r.dkim[0].result, Verdict::Pass, "{}", r.summary);
    assert_eq!(r.dkim[0].domain, "example.com");
    assert_eq!(r.dkim[0].selector, "s1");
    assert_eq!(r.dkim_result(), Verdict::Pass);
    assert!(r.spf.is_none() && r.dmarc.is_none());
    assert!(
        r.summary
            .starts_with("mx.desk.test; dkim=pass header.d=example.com"),
        "{}",
        r.summary
    );
    assert!(!r.summary.contains('\n'));

    let tampered = signed.replace("Hello", "Pay me");
    let r = auth.check_dkim(tampered.as_bytes()).await;
    assert_eq!(r.dkim[0].result, Verdict::Fail, "{}", r.summary);
    assert!(r.summary.contains("dkim=fail"), "{}", r.summary);
}

#[tokio::test]
async fn unsigned_mail_and_unknown_keys() {
    let auth = Authenticator::with_zone("mx", Zone::new());
    let r = auth.check_dkim(message("a@b.test", "hi").as_bytes()).await;
    assert!(r.dkim.is_empty());
    assert_eq!(r.summary, "mx; dkim=none");

    // A signature whose key is not published.
    let (key, _) = key();
    let signed = sign(key, "example.com", &message("ann@example.com", "Hello"));
    let r = auth.check_dkim(signed.as_bytes()).await;
    assert_eq!(r.dkim.len(), 1);
    assert_ne!(r.dkim[0].result, Verdict::Pass, "{}", r.summary);
}

#[tokio::test]
async fn spf_passes_fails_and_soft_fails_on_mail_from() {
    let raw = message("ann@example.com", "hi");
    let zone = Zone::new()
        .txt("example.com", "v=spf1 ip4:127.0.0.1 -all")
        .unwrap()
        .txt("other.test", "v=spf1 ip4:192.0.2.1 -all")
        .unwrap()
        .txt("soft.test", "v=spf1 ip4:192.0.2.1 ~all")
        .unwrap();
    let auth = Authenticator::with_zone("mx", zone);

    let r = auth
        .check(raw.as_bytes(), LOCAL, "mail.example.com", "ann@example.com")
        .await;
    let spf = r.spf.clone().unwrap();
    assert_eq!(spf.result, Verdict::Pass, "{}", r.summary);
    assert_eq!(spf.identity, SpfIdentity::MailFrom);
    assert_eq!(spf.domain, "example.com");
    assert!(r.summary.contains("spf=pass"), "{}", r.summary);
    assert!(r.summary.contains("dkim=none"), "{}", r.summary);

    let r = auth
        .check(raw.as_bytes(), LOCAL, "mail.other.test", "bob@other.test")
        .await;
    assert_eq!(r.spf.unwrap().result, Verdict::Fail, "{}", r.summary);
    assert!(r.summary.contains("spf=fail"), "{}", r.summary);

    let r = auth
        .check(raw.as_bytes(), LOCAL, "mail.soft.test", "c@soft.test")
        .await;
    assert_eq!(r.spf.unwrap().result, Verdict::SoftFail, "{}", r.summary);

    // No record at all.
    let r = auth
        .check(raw.as_bytes(), LOCAL, "h.nowhere.test", "d@nowhere.test")
        .await;
    assert_eq!(r.spf.unwrap().result, Verdict::None, "{}", r.summary);
}

#[tokio::test]
async fn null_sender_checks_the_helo_name() {
    let zone = Zone::new()
        .txt("mail.example.com", "v=spf1 ip4:127.0.0.1 -all")
        .unwrap();
    let auth = Authenticator::with_zone("mx", zone);
    let raw = message("mailer-daemon@example.com", "bounce");
    let r = auth
        .check(raw.as_bytes(), LOCAL, "mail.example.com", "")
        .await;
    let spf = r.spf.unwrap();
    assert_eq!(spf.identity, SpfIdentity::Helo);
    assert_eq!(spf.result, Verdict::Pass, "{}", r.summary);
    assert!(
        r.summary.contains("smtp.helo=mail.example.com"),
        "{}",
        r.summary
    );

    // An address literal names no domain.
    let r = auth.check(raw.as_bytes(), LOCAL, "[127.0.0.1]", "").await;
    assert_eq!(r.spf.unwrap().result, Verdict::None, "{}", r.summary);
}

#[tokio::test]
async fn dmarc_reject_fails_unaligned_mail_and_passes_aligned_dkim() {
    let (key, record) = key();
    let zone = Zone::new()
        .txt("example.com", "v=spf1 ip4:192.0.2.1 -all")
        .unwrap()
        .txt("_dmarc.example.com", "v=DMARC1; p=reject")
        .unwrap()
        .txt("s1._domainkey.example.com", &record)
        .unwrap();
    let auth = Authenticator::with_zone("mx", zone);

    // A forged From: SPF fails for 127.0.0.1 and nothing is signed.
    let forged = message("ceo@example.com", "wire the money");
    let r = auth
        .check(forged.as_bytes(), LOCAL, "evil.test", "ceo@example.com")
        .await;
    let dmarc = r.dmarc.clone().unwrap();
    assert_eq!(dmarc.result, Verdict::Fail, "{}", r.summary);
    assert_eq!(dmarc.policy, DmarcPolicy::Reject);
    assert_eq!(dmarc.domain, "example.com");
    assert!(!dmarc.spf_aligned && !dmarc.dkim_aligned);
    assert!(r.summary.contains("dmarc=fail"), "{}", r.summary);
    assert!(r.summary.contains("policy.dmarc=reject"), "{}", r.summary);

    // Signed by the From domain: DMARC passes through DKIM although SPF
    // fails (a forwarder, say).
    let signed = sign(key, "example.com", &message("ceo@example.com", "hi"));
    let r = auth
        .check(signed.as_bytes(), LOCAL, "fwd.test", "ceo@example.com")
        .await;
    let dmarc = r.dmarc.clone().unwrap();
    assert_eq!(dmarc.result, Verdict::Pass, "{}", r.summary);
    assert!(dmarc.dkim_aligned && !dmarc.spf_aligned);
    assert_eq!(r.spf.unwrap().result, Verdict::Fail);
    assert!(r.summary.contains("dmarc=pass"), "{}", r.summary);
}

#[tokio::test]
async fn a_silent_resolver_costs_the_budget_once_then_little() {
    // A name server that never answers.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = silent.local_addr().unwrap();
    let auth = Authenticator::with_name_servers("mx", &[addr])
        .with_budget(std::time::Duration::from_millis(600));
    let raw = message("ann@example.com", "hi");

    let started = Instant::now();
    let r = auth
        .check(raw.as_bytes(), LOCAL, "mail.example.com", "ann@example.com")
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.spf.unwrap().result, Verdict::TempError, "{}", r.summary);
    assert_eq!(r.dmarc.unwrap().result, Verdict::TempError, "{}", r.summary);

    // DNS counts as down now: the next message is not held up again.
    let started = Instant::now();
    let r = auth
        .check(raw.as_bytes(), LOCAL, "mail.example.com", "ann@example.com")
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.spf.unwrap().result, Verdict::TempError, "{}", r.summary);
    drop(silent);
}

#[tokio::test]
async fn the_system_resolver_builds_without_failing() {
    // Whatever this machine's DNS configuration, construction succeeds.
    let auth = Authenticator::from_system("mx");
    assert_eq!(auth.hostname(), "mx");
}

#[test]
fn building_needs_no_runtime() {
    // The server may build it before its runtime starts.
    let auth = Authenticator::from_system("mx");
    assert!(format!("{auth:?}").contains("mx"));
    let _ = Authenticator::with_zone("mx", Zone::new());
}

#[tokio::test]
async fn unreadable_mail_gets_no_dkim_or_dmarc() {
    let auth = Authenticator::with_zone("mx", Zone::new());
    let r = auth.check(b"", LOCAL, "h.test", "a@h.test").await;
    assert!(r.dkim.is_empty());
    assert!(r.dmarc.is_none());
    assert!(r.summary.starts_with("mx; spf=none"), "{}", r.summary);
}

#[test]
fn zone_refuses_records_that_do_not_parse() {
    assert!(Zone::new().txt("_dmarc.example.com", "nonsense").is_err());
    assert!(
        Zone::new()
            .txt("s1._domainkey.example.com", "v=DKIM1; p=@@")
            .is_err()
    );
}
