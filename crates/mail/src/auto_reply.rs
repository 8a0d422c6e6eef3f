//! RFC 3834: which incoming mail must never get an automatic answer.
//! Answering these creates mail loops, answers robots, or spams lists.

use crate::message::{ParsedMessage, ReturnPath};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomatedReason {
    /// `Auto-Submitted` with any value but `no`.
    AutoSubmitted,
    /// `Precedence: bulk`, `list`, `junk` (or `auto_reply`).
    Precedence,
    /// `List-Id` or `List-Unsubscribe` present.
    MailingList,
    /// `Return-Path: <>`: a bounce or other automatic notification.
    NullReturnPath,
    /// Sent from MAILER-DAEMON, postmaster, no-reply and the like.
    SystemSender,
    /// The sender asked for no auto-replies (`X-Auto-Response-Suppress`).
    ResponseSuppressed,
    /// A `multipart/report`: delivery status, read receipt or abuse report.
    Report,
}

/// Why this message is automated, or None when a person likely wrote it.
pub fn is_automated(msg: &ParsedMessage) -> Option<AutomatedReason> {
    let t = &msg.triage;
    if t.auto_submitted
        .as_deref()
        .is_some_and(|v| first_token(v) != "no")
    {
        return Some(AutomatedReason::AutoSubmitted);
    }
    if t.precedence.as_deref().is_some_and(|v| {
        matches!(
            first_token(v).as_str(),
            "bulk" | "list" | "junk" | "auto_reply"
        )
    }) {
        return Some(AutomatedReason::Precedence);
    }
    if t.list_id.is_some() || t.list_unsubscribe.is_some() {
        return Some(AutomatedReason::MailingList);
    }
    if t.return_path == ReturnPath::Null {
        return Some(AutomatedReason::NullReturnPath);
    }
    let return_path = match &t.return_path {
        ReturnPath::Address(a) => Some(a.as_str()),
        _ => None,
    };
    let from = msg.from.as_ref().map(|a| a.address.as_str());
    if from.into_iter().chain(return_path).any(is_system_sender) {
        return Some(AutomatedReason::SystemSender);
    }
    if t.x_auto_response_suppress.as_deref().is_some_and(|v| {
        v.split(',')
            .any(|s| matches!(s.trim().to_ascii_lowercase().as_str(), "all" | "autoreply"))
    }) {
        return Some(AutomatedReason::ResponseSuppressed);
    }
    if t.content_type == "multipart/report" {
        return Some(AutomatedReason::Report);
    }
    None
}

/// The value before any parameter or comment, lower case. An empty value is
/// still "not no": a header that is present but blank came from software.
fn first_token(value: &str) -> String {
    value
        .split([';', '(', ' ', '\t'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Local parts of robot senders; `.`, `-` and `_` are ignored so that
/// `no.reply`, `do_not_reply` and `mailer-daemon` all match, as does a
/// `+tag`.
fn is_system_sender(address: &str) -> bool {
    let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
    let local = local.split('+').next().unwrap_or_default();
    let squashed: String = local
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        squashed.as_str(),
        "mailerdaemon" | "postmaster" | "noreply" | "donotreply"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{MailAddress, TriageHeaders};

    fn msg(from: &str, triage: TriageHeaders) -> ParsedMessage {
        ParsedMessage {
            from: Some(MailAddress {
                name: None,
                address: from.into(),
            }),
            triage: TriageHeaders {
                content_type: "text/plain".into(),
                ..triage
            },
            ..ParsedMessage::default()
        }
    }

    fn person(triage: TriageHeaders) -> Option<AutomatedReason> {
        is_automated(&msg("ann@example.test", triage))
    }

    #[test]
    fn plain_human_mail_is_not_automated() {
        assert_eq!(person(TriageHeaders::default()), None);
        let t = TriageHeaders {
            auto_submitted: Some("no".into()),
            precedence: Some("first-class".into()),
            return_path: ReturnPath::Address("ann@example.test".into()),
            x_auto_response_suppress: Some("OOF, DR".into()),
            ..TriageHeaders::default()
        };
        assert_eq!(person(t), None);
        assert_eq!(
            is_automated(&msg("noreplyjoe@example.test", TriageHeaders::default())),
            None
        );
        assert_eq!(
            is_automated(&msg(
                "postmaster.general@example.test",
                TriageHeaders::default()
            )),
            None
        );
    }

    #[test]
    fn auto_submitted_values() {
        for v in [
            "auto-replied",
            "auto-generated",
            "Auto-Replied; owner-email=x@y",
            "",
            "NO-thanks",
        ] {
            let t = TriageHeaders {
                auto_submitted: Some(v.into()),
                ..TriageHeaders::default()
            };
            assert_eq!(person(t), Some(AutomatedReason::AutoSubmitted), "{v}");
        }
        let t = TriageHeaders {
            auto_submitted: Some("No (a human)".into()),
            ..TriageHeaders::default()
        };
        assert_eq!(person(t), None);
    }

    #[test]
    fn precedence_list_and_return_path() {
        for v in ["bulk", "LIST", "junk"] {
            let t = TriageHeaders {
                precedence: Some(v.into()),
                ..TriageHeaders::default()
            };
            assert_eq!(person(t), Some(AutomatedReason::Precedence), "{v}");
        }
        let t = TriageHeaders {
            list_id: Some("<ppp.zzz.org>".into()),
            ..TriageHeaders::default()
        };
        assert_eq!(person(t), Some(AutomatedReason::MailingList));
        let t = TriageHeaders {
            list_unsubscribe: Some("<mailto:u@x>".into()),
            ..TriageHeaders::default()
        };
        assert_eq!(person(t), Some(AutomatedReason::MailingList));
        let t = TriageHeaders {
            return_path: ReturnPath::Null,
            ..TriageHeaders::default()
        };
        assert_eq!(person(t), Some(AutomatedReason::NullReturnPath));
    }

    #[test]
    fn robot_senders() {
        for from in [
            "MAILER-DAEMON@mx.example.test",
            "postmaster@example.test",
            "no-reply@example.test",
            "noreply@example.test",
            "do-not-reply@example.test",
            "Do_Not.Reply+42@example.test",
            "mailer-daemon",
        ] {
            assert_eq!(
                is_automated(&msg(from, TriageHeaders::default())),
                Some(AutomatedReason::SystemSender),
                "{from}"
            );
        }
        let t = TriageHeaders {
            return_path: ReturnPath::Address("noreply@bounces.example.test".into()),
            ..TriageHeaders::default()
        };
        assert_eq!(person(t), Some(AutomatedReason::SystemSender));
    }

    #[test]
    fn suppress_and_reports() {
        for v in ["All", "DR, AutoReply", "autoreply"] {
            let t = TriageHeaders {
                x_auto_response_suppress: Some(v.into()),
                ..TriageHeaders::default()
            };
            assert_eq!(person(t), Some(AutomatedReason::ResponseSuppressed), "{v}");
        }
        let report = ParsedMessage {
            triage: TriageHeaders {
                content_type: "multipart/report".into(),
                report_type: Some("delivery-status".into()),
                ..TriageHeaders::default()
            },
            ..msg("ann@example.test", TriageHeaders::default())
        };
        assert_eq!(is_automated(&report), Some(AutomatedReason::Report));
    }
}
