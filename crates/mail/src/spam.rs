//! Rule-based spam scoring of a parsed message. Points add up; the
//! account's threshold (1-10) decides. A learning filter comes later and
//! adds its points here.

use crate::message::ParsedMessage;
use ecp_domain::conversation::SpamScore;

/// The GTUBE test string: any filter must call a message carrying it spam.
const GTUBE: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

const PHRASES: &[&str] = &[
    "viagra",
    "cialis",
    "lottery winner",
    "you have won",
    "wire transfer",
    "100% free",
    "risk-free",
    "act now",
    "limited time offer",
    "click here to claim",
    "nigerian prince",
    "crypto giveaway",
    "earn money fast",
    "work from home and earn",
    "unclaimed inheritance",
];

pub fn score(msg: &ParsedMessage) -> SpamScore {
    let mut s = SpamScore::default();
    let mut add = |points: f64, why: &str| {
        s.points += points;
        s.reasons.push(format!("{why} ({points:+})"));
    };
    let html = msg.html_body.as_deref().unwrap_or("");
    if msg.text_body.contains(GTUBE) || html.contains(GTUBE) || msg.subject.contains(GTUBE) {
        add(1000.0, "GTUBE test string");
    }
    for (name, value) in &msg.triage.x_spam {
        let name = name.to_ascii_lowercase();
        let v = value.trim().to_ascii_lowercase();
        if name == "x-spam-flag" && v.starts_with("yes") {
            add(5.0, "an upstream filter flagged it (X-Spam-Flag)");
        } else if name == "x-spam-status" && v.starts_with("yes") {
            add(5.0, "an upstream filter flagged it (X-Spam-Status)");
        }
    }
    for ar in &msg.triage.authentication_results {
        let ar = ar.to_ascii_lowercase();
        if ar.contains("dmarc=fail") {
            add(3.0, "DMARC failed");
        }
        if ar.contains("dkim=fail") {
            add(2.0, "DKIM signature failed");
        }
        if ar.contains("spf=fail") {
            add(2.0, "SPF failed");
        } else if ar.contains("spf=softfail") {
            add(1.0, "SPF soft-failed");
        }
    }
    if msg.from.is_none() {
        add(2.0, "no sender");
    }
    if msg.message_id.is_none() {
        add(1.0, "no Message-ID");
    }
    if msg.date_ms.is_none() {
        add(0.5, "no valid Date");
    }
    let letters: Vec<char> = msg.subject.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 10 && letters.iter().all(|c| c.is_uppercase()) {
        add(1.0, "subject in capitals");
    }
    if msg.html_body.is_some() && msg.text_body.trim().is_empty() {
        add(0.5, "HTML only");
    }
    let haystack = format!("{} {} {}", msg.subject, msg.text_body, html).to_lowercase();
    let hits = PHRASES.iter().filter(|p| haystack.contains(*p)).count();
    if hits > 0 {
        add(1.5 * hits as f64, "spam phrases");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn gtube_is_spam_and_plain_mail_is_not() {
        let spam = parse(format!("From: a@b.example\r\nSubject: t\r\nMessage-ID: <1@b>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n{GTUBE}\r\n").as_bytes()).unwrap();
        assert!(score(&spam).points >= 1000.0);
        let ham = parse(b"From: Ann <ann@example.com>\r\nSubject: Order 42 late\r\nMessage-ID: <2@example.com>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nWhere is my order?\r\n").unwrap();
        let s = score(&ham);
        assert_eq!(s.points, 0.0, "{:?}", s.reasons);
    }

    #[test]
    fn auth_failures_add_up() {
        let m = parse(b"From: x@y.example\r\nSubject: hello\r\nMessage-ID: <3@y>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nAuthentication-Results: mx; spf=fail; dkim=fail; dmarc=fail\r\n\r\nhi\r\n").unwrap();
        let s = score(&m);
        assert_eq!(s.points, 7.0, "{:?}", s.reasons);
        assert_eq!(s.reasons.len(), 3);
    }
}
