//! The autoresponder's rules: valid settings, the per-sender budget and the
//! loop breaker's rate. Which messages are automated (RFC 3834) is decided
//! by the mail crate when a message is parsed.

use crate::template::TemplateId;
use crate::validation::ValidationError;

/// At most one auto-reply per sender per this many hours, unless set.
pub const DEFAULT_PERIOD_HOURS: i64 = 24;
/// Longest period that can be chosen: 30 days.
pub const MAX_PERIOD_HOURS: i64 = 720;

/// A mailbox's autoresponder as an administrator set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoReplySettings {
    pub enabled: bool,
    pub template: Option<TemplateId>,
    pub period_hours: i64,
}

impl Default for AutoReplySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            template: None,
            period_hours: DEFAULT_PERIOD_HOURS,
        }
    }
}

impl AutoReplySettings {
    /// Checks what a form or the API sent; `period` as typed.
    pub fn parse(
        enabled: bool,
        template: Option<TemplateId>,
        period: &str,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let period = period.trim();
        let period_hours = if period.is_empty() {
            DEFAULT_PERIOD_HOURS
        } else {
            match period.parse::<i64>() {
                Ok(h) if (1..=MAX_PERIOD_HOURS).contains(&h) => h,
                _ => {
                    errors.push(ValidationError::new(
                        "period_hours",
                        format!(
                            "The period is a whole number of hours from 1 to {MAX_PERIOD_HOURS} \
                             (one auto-reply per sender within it)."
                        ),
                    ));
                    DEFAULT_PERIOD_HOURS
                }
            }
        };
        if enabled && template.is_none() {
            errors.push(ValidationError::new(
                "template_id",
                "Choose the template to answer new conversations with.",
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                enabled,
                template,
                period_hours,
            })
        } else {
            Err(errors)
        }
    }

    pub fn period_ms(&self) -> i64 {
        self.period_hours.clamp(1, MAX_PERIOD_HOURS) * 3_600_000
    }
}

/// Whether a sender last answered at `last_sent_at` may be answered again
/// at `now`.
pub fn budget_allows(last_sent_at: Option<i64>, now: i64, period_ms: i64) -> bool {
    last_sent_at.is_none_or(|at| now.saturating_sub(at) >= period_ms)
}

/// The loop breaker: more than `max_replies` auto-replies from one mailbox
/// within `window_ms` is a loop (or a flood) and stops its autoresponder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopBreaker {
    pub max_replies: i64,
    pub window_ms: i64,
}

impl Default for LoopBreaker {
    fn default() -> Self {
        Self {
            max_replies: 50,
            window_ms: 3_600_000,
        }
    }
}

impl LoopBreaker {
    /// Whether one more auto-reply after `sent_in_window` trips it.
    pub fn trips(&self, sent_in_window: i64) -> bool {
        sent_in_window >= self.max_replies
    }
}

/// Whether `sender` is one of the mailbox's own addresses: answering
/// ourselves is the shortest loop there is.
pub fn is_own_address(sender: &str, own: &[&str]) -> bool {
    own.iter().any(|a| a.eq_ignore_ascii_case(sender.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        let s = AutoReplySettings::parse(true, Some(TemplateId(3)), " 48 ").unwrap();
        assert_eq!(s.period_hours, 48);
        assert_eq!(s.period_ms(), 48 * 3_600_000);
        assert_eq!(
            AutoReplySettings::parse(false, None, "")
                .unwrap()
                .period_hours,
            DEFAULT_PERIOD_HOURS
        );
        let e = AutoReplySettings::parse(true, None, "0").unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["period_hours", "template_id"]);
        for bad in ["721", "-1", "2.5", "day"] {
            assert!(AutoReplySettings::parse(false, None, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn one_reply_per_sender_per_period() {
        let hour = 3_600_000;
        assert!(budget_allows(None, 10, hour));
        assert!(!budget_allows(Some(1_000), 1_000 + hour - 1, hour));
        assert!(budget_allows(Some(1_000), 1_000 + hour, hour));
        // A clock that went backwards does not open the budget.
        assert!(!budget_allows(Some(5_000), 1_000, hour));
    }

    #[test]
    fn loop_breaker_and_own_addresses() {
        let b = LoopBreaker {
            max_replies: 2,
            window_ms: 1,
        };
        assert!(!b.trips(1));
        assert!(b.trips(2));
        assert!(is_own_address(
            " Help@Acme.example",
            &["help@acme.example", "in@x.test"]
        ));
        assert!(!is_own_address("ann@acme.example", &["help@acme.example"]));
    }
}
