//! Conversations and the rules that file incoming mail into them:
//! threading, spam, Maintain assignments.

use crate::ids::UserId;
use crate::options::SpamThreshold;
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConversationId(pub i64);

impl std::fmt::Display for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Pending,
    Closed,
    Spam,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Closed => "closed",
            Status::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Status::Open),
            "pending" => Ok(Status::Pending),
            "closed" => Ok(Status::Closed),
            "spam" => Ok(Status::Spam),
            _ => Err(ValidationError::new(
                "status",
                "The status must be open, pending, closed or spam.",
            )),
        }
    }

    /// What a conversation becomes when the customer writes again: a closed
    /// or pending one reopens; spam stays spam (a spammer's follow-up is spam).
    pub fn after_customer_message(self) -> Status {
        match self {
            Status::Spam => Status::Spam,
            _ => Status::Open,
        }
    }
}

/// What the store found for an incoming message, for [`choose_thread`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadHints {
    /// A conversation in the same mailbox holding a message that this one's
    /// In-Reply-To or References names.
    pub by_reference: Option<ConversationId>,
    /// The conversation whose token (`[#123]`) is in the subject, if it is in
    /// the same mailbox.
    pub by_token: Option<ConversationId>,
    /// Whether the sender already takes part in the token's conversation
    /// (customer, or someone on To/Cc of one of its messages).
    pub sender_in_token_conversation: bool,
}

/// Headers first; the subject token only when the sender is already part of
/// that conversation, so a stranger can't inject mail into someone else's
/// thread by guessing a number.
pub fn choose_thread(h: ThreadHints) -> Option<ConversationId> {
    h.by_reference
        .or(h.by_token.filter(|_| h.sender_in_token_conversation))
}

/// A message's spam score and why, as points (higher is spammier).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpamScore {
    pub points: f64,
    pub reasons: Vec<String>,
}

/// Spam when the score reaches the account's threshold; senders saved in
/// Contacts never are.
pub fn is_spam(score: &SpamScore, threshold: SpamThreshold, sender_is_saved_contact: bool) -> bool {
    !sender_is_saved_contact && score.points >= f64::from(threshold.value())
}

/// Maintain assignments: a new customer message in an ongoing conversation
/// goes to the user who sent the latest reply in it; otherwise the
/// assignment is left as it is.
pub fn assignee_after_customer_message(
    maintain_assignments: bool,
    current: Option<UserId>,
    latest_replier: Option<UserId>,
) -> Option<UserId> {
    if maintain_assignments {
        latest_replier.or(current)
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threading_prefers_headers_and_guards_tokens() {
        let a = ConversationId(1);
        let b = ConversationId(2);
        assert_eq!(
            choose_thread(ThreadHints {
                by_reference: Some(a),
                by_token: Some(b),
                sender_in_token_conversation: true
            }),
            Some(a)
        );
        assert_eq!(
            choose_thread(ThreadHints {
                by_reference: None,
                by_token: Some(b),
                sender_in_token_conversation: true
            }),
            Some(b)
        );
        assert_eq!(
            choose_thread(ThreadHints {
                by_reference: None,
                by_token: Some(b),
                sender_in_token_conversation: false
            }),
            None
        );
    }

    #[test]
    fn spam_threshold_and_contacts() {
        let s = SpamScore {
            points: 5.0,
            reasons: vec![],
        };
        assert!(is_spam(&s, SpamThreshold::new(5).unwrap(), false));
        assert!(!is_spam(&s, SpamThreshold::new(6).unwrap(), false));
        assert!(!is_spam(&s, SpamThreshold::new(1).unwrap(), true));
    }

    #[test]
    fn maintain_assignments() {
        let u1 = Some(UserId(1));
        let u2 = Some(UserId(2));
        assert_eq!(assignee_after_customer_message(true, u1, u2), u2);
        assert_eq!(assignee_after_customer_message(true, u1, None), u1);
        assert_eq!(assignee_after_customer_message(false, u1, u2), u1);
    }

    #[test]
    fn reopen() {
        assert_eq!(Status::Closed.after_customer_message(), Status::Open);
        assert_eq!(Status::Spam.after_customer_message(), Status::Spam);
        assert!(Status::parse("bogus").is_err());
    }
}
