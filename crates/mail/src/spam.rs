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
    score_verified(msg, None)
}

/// [`score`] with the SPF/DKIM/DMARC results we checked ourselves when the
/// message arrived (`verified`: an `Authentication-Results` value, as
/// stored with the raw message). A method we decided (anything but `none`
/// or `temperror`) counts from our result alone: the message's own
/// `Authentication-Results` headers, which anyone upstream could have
/// written, count only for methods we could not check.
pub fn score_verified(msg: &ParsedMessage, verified: Option<&str>) -> SpamScore {
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
    let ours = verified.map(auth_methods).unwrap_or_default();
    let upstream: Vec<AuthMethod> = msg
        .triage
        .authentication_results
        .iter()
        .flat_map(|v| auth_methods(v))
        .collect();
    let source = |method: &str| -> (&[AuthMethod], bool) {
        let decided = ours
            .iter()
            .any(|a| a.method == method && !matches!(a.result.as_str(), "none" | "temperror"));
        if decided {
            (&ours, true)
        } else {
            (&upstream, false)
        }
    };

    let (list, checked) = source("dmarc");
    let dmarc: Vec<&AuthMethod> = list.iter().filter(|a| a.method == "dmarc").collect();
    if let Some(fail) = dmarc.iter().find(|a| a.result == "fail") {
        let why = match (fail.prop("header.from"), fail.prop("policy.dmarc")) {
            (Some(domain), Some(policy)) if checked => {
                format!("DMARC failed for {domain} (policy {policy})")
            }
            _ => "DMARC failed".to_string(),
        };
        add(3.0, &why);
    } else if checked && dmarc.iter().any(|a| a.result == "pass") {
        add(-0.5, "DMARC passed");
    }

    let (list, _) = source("dkim");
    let dkim: Vec<&AuthMethod> = list.iter().filter(|a| a.method == "dkim").collect();
    // One good signature is enough (a mailing list may break another).
    if !dkim.iter().any(|a| a.result == "pass") && dkim.iter().any(|a| a.result == "fail") {
        add(2.0, "DKIM signature failed");
    }

    let (list, _) = source("spf");
    let spf: Vec<&AuthMethod> = list.iter().filter(|a| a.method == "spf").collect();
    if spf.iter().any(|a| a.result == "fail") {
        add(2.0, "SPF failed");
    } else if spf.iter().any(|a| a.result == "softfail") {
        add(1.0, "SPF soft-failed");
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

/// One `method=result` statement of an `Authentication-Results` value.
struct AuthMethod {
    method: String,
    result: String,
    /// The `ptype.property=value` pairs after it.
    props: Vec<(String, String)>,
}

impl AuthMethod {
    fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The statements of an `Authentication-Results` value: `authserv-id;
/// method=result (comment) ptype.prop=value; ...`. Lenient: what does not
/// read as a statement (the server's name first) is skipped.
fn auth_methods(value: &str) -> Vec<AuthMethod> {
    value
        .split(';')
        .filter_map(|part| {
            let mut words = part.split_whitespace();
            let (method, result) = words.next()?.split_once('=')?;
            let props = words
                .filter_map(|w| w.split_once('='))
                .filter(|(n, _)| n.contains('.'))
                .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
                .collect();
            Some(AuthMethod {
                method: method.to_ascii_lowercase(),
                result: result.to_ascii_lowercase(),
                props,
            })
        })
        .collect()
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

    fn plain(extra_headers: &str) -> ParsedMessage {
        parse(format!("From: x@y.example\r\nSubject: hello\r\nMessage-ID: <3@y>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n{extra_headers}\r\nhi\r\n").as_bytes()).unwrap()
    }

    #[test]
    fn verified_results_score_and_say_why() {
        let m = plain("");
        let s = score_verified(
            &m,
            Some(
                "mx.desk; spf=fail smtp.mailfrom=ceo@y.example; dkim=none; dmarc=fail header.from=y.example policy.dmarc=reject",
            ),
        );
        assert_eq!(s.points, 5.0, "{:?}", s.reasons);
        assert_eq!(
            s.reasons,
            [
                "DMARC failed for y.example (policy reject) (+3)",
                "SPF failed (+2)"
            ]
        );

        let s = score_verified(
            &m,
            Some(
                "mx.desk; spf=softfail smtp.mailfrom=a@y.example; dkim=fail (body hash did not verify) header.d=y.example header.s=s1; dmarc=none header.from=y.example policy.dmarc=none",
            ),
        );
        assert_eq!(s.points, 3.0, "{:?}", s.reasons);

        // Authenticated mail gets a little credit.
        let s = score_verified(
            &m,
            Some(
                "mx.desk; spf=pass smtp.mailfrom=a@y.example; dkim=pass header.d=y.example header.s=s1; dmarc=pass header.from=y.example policy.dmarc=reject",
            ),
        );
        assert_eq!(s.points, -0.5, "{:?}", s.reasons);
    }

    #[test]
    fn our_results_outrank_the_messages_own_headers() {
        // A sender writing "all passed" into its own message gains nothing,
        // and an upstream failure we verified as a pass costs nothing.
        let m = plain("Authentication-Results: mx; spf=pass; dkim=fail; dmarc=pass\r\n");
        let s = score_verified(
            &m,
            Some(
                "mx.desk; spf=fail smtp.mailfrom=a@y.example; dkim=pass header.d=y.example header.s=s1; dmarc=fail header.from=y.example policy.dmarc=quarantine",
            ),
        );
        assert_eq!(s.points, 5.0, "{:?}", s.reasons);
        // What we could not decide (DNS down) is left to the headers.
        let m = plain("Authentication-Results: mx; spf=fail; dmarc=fail\r\n");
        let s = score_verified(
            &m,
            Some(
                "mx.desk; spf=temperror smtp.mailfrom=a@y.example; dkim=none; dmarc=temperror header.from=y.example policy.dmarc=none",
            ),
        );
        assert_eq!(s.points, 5.0, "{:?}", s.reasons);
        // POP: only DKIM was checked; SPF and DMARC come from the headers.
        let m = plain("Authentication-Results: mx; spf=softfail; dkim=fail\r\n");
        let s = score_verified(
            &m,
            Some("mx.desk; dkim=pass header.d=y.example header.s=s1"),
        );
        assert_eq!(s.points, 1.0, "{:?}", s.reasons);
    }

    #[test]
    fn one_good_signature_is_enough() {
        let m = plain(
            "Authentication-Results: mx; dkim=fail header.d=list.example\r\nAuthentication-Results: mx; dkim=pass header.d=y.example\r\n",
        );
        assert_eq!(score(&m).points, 0.0);
    }
}
