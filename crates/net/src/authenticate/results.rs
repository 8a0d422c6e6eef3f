//! What verification found, in plain types the rest of the program can
//! keep and score without knowing mail-auth.

use mail_auth::dkim::DkimError;
use mail_auth::dmarc::Policy;
use mail_auth::{
    DkimOutput, DkimResult, DmarcOutput, DmarcResult, DnsError, Error, SpfOutput, SpfResult,
};

/// One method's result, with the names of RFC 8601.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    None,
    TempError,
    PermError,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::SoftFail => "softfail",
            Verdict::Neutral => "neutral",
            Verdict::None => "none",
            Verdict::TempError => "temperror",
            Verdict::PermError => "permerror",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which identity SPF checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfIdentity {
    /// The MAIL FROM address's domain.
    MailFrom,
    /// The HELO/EHLO name (for the null sender `<>`).
    Helo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfCheck {
    pub result: Verdict,
    pub identity: SpfIdentity,
    /// The domain whose record was evaluated.
    pub domain: String,
}

/// One DKIM signature's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimCheck {
    pub result: Verdict,
    /// The signing domain (`d=`) and selector (`s=`), empty when the
    /// signature could not be read.
    pub domain: String,
    pub selector: String,
    /// Why it did not pass (empty when it did).
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmarcPolicy {
    None,
    Quarantine,
    Reject,
}

impl DmarcPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcPolicy::None => "none",
            DmarcPolicy::Quarantine => "quarantine",
            DmarcPolicy::Reject => "reject",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcCheck {
    pub result: Verdict,
    /// The From header's domain.
    pub domain: String,
    /// What the domain asks receivers to do with failing mail.
    pub policy: DmarcPolicy,
    /// SPF passed for a domain aligned with From.
    pub spf_aligned: bool,
    /// A DKIM signature passed for a domain aligned with From.
    pub dkim_aligned: bool,
}

/// SPF, DKIM and DMARC results for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// `None` when not checked (no SMTP peer: POP, import).
    pub spf: Option<SpfCheck>,
    /// One entry per DKIM signature (none: the message is unsigned).
    pub dkim: Vec<DkimCheck>,
    /// `None` when not checked.
    pub dmarc: Option<DmarcCheck>,
    /// The same on one line, as an `Authentication-Results` header's value
    /// (`host; spf=pass smtp.mailfrom=...; dkim=pass header.d=...;
    /// dmarc=fail header.from=... policy.dmarc=reject`). This is what is
    /// stored with the message and scored later.
    pub summary: String,
}

impl AuthResults {
    /// The best DKIM result over all signatures (`none` for no signature).
    pub fn dkim_result(&self) -> Verdict {
        const ORDER: [Verdict; 6] = [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::PermError,
            Verdict::TempError,
            Verdict::Neutral,
            Verdict::None,
        ];
        ORDER
            .into_iter()
            .find(|v| self.dkim.iter().any(|d| d.result == *v))
            .unwrap_or(Verdict::None)
    }
}

pub(crate) fn spf_verdict(r: SpfResult) -> Verdict {
    match r {
        SpfResult::Pass => Verdict::Pass,
        SpfResult::Fail => Verdict::Fail,
        SpfResult::SoftFail => Verdict::SoftFail,
        SpfResult::Neutral => Verdict::Neutral,
        SpfResult::TempError => Verdict::TempError,
        SpfResult::PermError => Verdict::PermError,
        SpfResult::None => Verdict::None,
    }
}

pub(crate) fn dkim_verdict(r: &DkimResult) -> Verdict {
    match r {
        DkimResult::Pass => Verdict::Pass,
        // A body that no longer matches its signature was changed on the
        // way: RFC 6376 calls that a failure (mail-auth says neutral).
        DkimResult::Neutral(Error::Dkim(DkimError::FailedBodyHashMatch)) => Verdict::Fail,
        DkimResult::Neutral(_) => Verdict::Neutral,
        DkimResult::Fail(_) => Verdict::Fail,
        DkimResult::PermError(_) => Verdict::PermError,
        DkimResult::TempError(_) => Verdict::TempError,
        DkimResult::None => Verdict::None,
    }
}

pub(crate) fn dmarc_verdict(r: &DmarcResult) -> Verdict {
    match r {
        DmarcResult::Pass => Verdict::Pass,
        DmarcResult::Fail(_) => Verdict::Fail,
        DmarcResult::TempError(_) => Verdict::TempError,
        DmarcResult::PermError(_) => Verdict::PermError,
        DmarcResult::None => Verdict::None,
    }
}

pub(crate) fn spf_check(out: &SpfOutput, identity: SpfIdentity) -> SpfCheck {
    SpfCheck {
        result: spf_verdict(out.result()),
        identity,
        domain: out.domain().to_string(),
    }
}

pub(crate) fn dkim_check(out: &DkimOutput<'_>) -> DkimCheck {
    let (domain, selector) = out
        .signature()
        .map(|s| (s.d.clone(), s.s.clone()))
        .unwrap_or_default();
    let reason = match out.result() {
        DkimResult::Pass | DkimResult::None => String::new(),
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => reason(e).to_string(),
    };
    DkimCheck {
        result: dkim_verdict(out.result()),
        domain,
        selector,
        reason,
    }
}

pub(crate) fn dmarc_check(out: &DmarcOutput) -> DmarcCheck {
    DmarcCheck {
        result: dmarc_verdict(&out.result()),
        domain: out.domain().to_string(),
        policy: match out.policy() {
            Policy::Reject => DmarcPolicy::Reject,
            Policy::Quarantine => DmarcPolicy::Quarantine,
            Policy::None | Policy::Unspecified => DmarcPolicy::None,
        },
        spf_aligned: *out.spf_result() == DmarcResult::Pass,
        dkim_aligned: *out.dkim_result() == DmarcResult::Pass,
    }
}

/// A few words on why a check did not pass, for the summary.
fn reason(e: &Error) -> &'static str {
    match e {
        Error::Dkim(DkimError::FailedBodyHashMatch) => "body hash did not verify",
        Error::Dkim(DkimError::SignatureExpired) => "signature expired",
        Error::Dkim(DkimError::RevokedPublicKey) => "revoked public key",
        Error::Dkim(DkimError::FailedAuidMatch) => "auid does not match",
        Error::Dkim(_) => "unsupported signature",
        Error::Crypto(_) => "signature did not verify",
        Error::Dns(DnsError::Resolver(_)) => "dns error",
        Error::Dns(DnsError::RecordNotFound(_)) => "no key published",
        Error::Dns(DnsError::InvalidRecordType) | Error::ParseError => "unreadable key record",
        Error::NotAligned => "not aligned",
        _ => "unreadable signature",
    }
}

/// A value fit for an `Authentication-Results` property: what a sender
/// wrote (MAIL FROM, HELO, d=) can't break the header's syntax.
fn pvalue(s: &str) -> String {
    let v: String = s
        .chars()
        .take(255)
        .map(|c| {
            let plain = c.is_ascii_graphic() && !matches!(c, ';' | '(' | ')' | '"' | '\\');
            if plain || (!c.is_ascii() && c.is_alphanumeric()) {
                c
            } else {
                '?'
            }
        })
        .collect();
    if v.is_empty() { "<>".to_string() } else { v }
}

/// The results on one line, as an `Authentication-Results` value.
pub(crate) fn summary(
    host: &str,
    spf: Option<(&SpfCheck, &str)>,
    dkim: &[DkimCheck],
    dmarc: Option<&DmarcCheck>,
) -> String {
    let mut parts = vec![pvalue(host)];
    if let Some((spf, identity)) = spf {
        let ptype = match spf.identity {
            SpfIdentity::MailFrom => "smtp.mailfrom",
            SpfIdentity::Helo => "smtp.helo",
        };
        parts.push(format!("spf={} {ptype}={}", spf.result, pvalue(identity)));
    }
    if dkim.is_empty() {
        parts.push("dkim=none".to_string());
    }
    for d in dkim {
        let mut p = format!("dkim={}", d.result);
        if !d.reason.is_empty() {
            p.push_str(&format!(" ({})", d.reason));
        }
        if !d.domain.is_empty() {
            p.push_str(&format!(
                " header.d={} header.s={}",
                pvalue(&d.domain),
                pvalue(&d.selector)
            ));
        }
        parts.push(p);
    }
    if let Some(d) = dmarc {
        parts.push(format!(
            "dmarc={} header.from={} policy.dmarc={}",
            d.result,
            pvalue(&d.domain),
            d.policy.as_str()
        ));
    }
    parts.join("; ")
}
