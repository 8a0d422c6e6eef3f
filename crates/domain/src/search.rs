//! Search: the form people fill in (text and filters, as typed) and the
//! validated query the store runs. Dates are days in the account's time
//! zone; the query holds them as UTC milliseconds, `until` exclusive.

use crate::conversation::Status;
use crate::ids::{MailboxId, UserId};
use crate::time_zone::TimeZoneName;
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

/// Most words a search uses; more are ignored (each one narrows anyway).
pub const MAX_WORDS: usize = 16;

/// The search form as typed: also what a saved search stores (as JSON),
/// so a saved search re-reads "today"-relative nothing and shows its
/// filters the way they were chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    /// Words to find in subjects, bodies, addresses and attachment names.
    pub q: String,
    /// A mailbox id, or empty for every mailbox one may see.
    pub mailbox: String,
    /// open, pending, closed, spam, or empty for any.
    pub status: String,
    /// "me", "none" (unassigned), a user id, or empty for anyone.
    pub assignee: String,
    /// A tag's name (or id), or empty.
    pub tag: String,
    /// First day, YYYY-MM-DD, in the account's time zone.
    pub from: String,
    /// Last day (included), YYYY-MM-DD, in the account's time zone.
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    User(UserId),
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub words: Vec<String>,
    pub mailbox: Option<MailboxId>,
    pub status: Option<Status>,
    pub assignee: Option<AssigneeFilter>,
    pub tag: Option<String>,
    /// Messages at or after this instant (UTC ms).
    pub since_ms: Option<i64>,
    /// Messages before this instant (UTC ms): the start of the day after `to`.
    pub until_ms: Option<i64>,
}

impl SearchQuery {
    /// Whether the query has any words to match (else filters only).
    pub fn has_text(&self) -> bool {
        !self.words.is_empty()
    }
}

/// Splits typed text into search words: letters, digits and the pieces of
/// addresses and file names. Everything else separates words, so no query
/// syntax of either database ever comes from the user.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '_' && c != '-')
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .collect()
}

impl SearchForm {
    /// Whether nothing at all was asked for (an empty search page).
    pub fn is_empty(&self) -> bool {
        [
            &self.q,
            &self.mailbox,
            &self.status,
            &self.assignee,
            &self.tag,
            &self.from,
            &self.to,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }

    /// Validates every field, collecting all the problems at once. `me` is
    /// who "me" means as the assignee; `zone` is the account's time zone.
    pub fn parse(
        &self,
        zone: &TimeZoneName,
        me: UserId,
    ) -> Result<SearchQuery, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut q = SearchQuery {
            words: words(&self.q),
            ..Default::default()
        };
        if self.q.chars().count() > 500 {
            errors.push(ValidationError::new(
                "q",
                "The search text is too long: at most 500 characters.",
            ));
        }
        let mailbox = self.mailbox.trim();
        if !mailbox.is_empty() {
            match mailbox.parse::<i64>() {
                Ok(id) if id > 0 => q.mailbox = Some(MailboxId(id)),
                _ => errors.push(ValidationError::new(
                    "mailbox",
                    "Choose a mailbox from the list.",
                )),
            }
        }
        if !self.status.trim().is_empty() {
            match Status::parse(&self.status) {
                Ok(s) => q.status = Some(s),
                Err(e) => errors.push(e),
            }
        }
        let assignee = self.assignee.trim();
        q.assignee = match assignee.to_ascii_lowercase().as_str() {
            "" | "any" => None,
            "me" => Some(AssigneeFilter::User(me)),
            "none" | "nobody" | "unassigned" => Some(AssigneeFilter::Unassigned),
            other => match other.parse::<i64>() {
                Ok(id) if id > 0 => Some(AssigneeFilter::User(UserId(id))),
                _ => {
                    errors.push(ValidationError::new(
                        "assignee",
                        "The assignee must be me, none, or a user from the list.",
                    ));
                    None
                }
            },
        };
        let tag = self.tag.trim();
        if tag.chars().count() > 100 {
            errors.push(ValidationError::new(
                "tag",
                "The tag is too long: at most 100 characters.",
            ));
        } else if !tag.is_empty() {
            q.tag = Some(tag.to_string());
        }
        let from = day_start(zone, "from", &self.from, 0);
        let to = day_start(zone, "to", &self.to, 1);
        match (from, to) {
            (Ok(f), Ok(t)) => {
                if let (Some(a), Some(b)) = (f, t)
                    && b <= a
                {
                    errors.push(ValidationError::new(
                        "to",
                        "The last day is before the first day: swap them or clear one.",
                    ));
                }
                q.since_ms = f;
                q.until_ms = t;
            }
            (f, t) => {
                errors.extend(f.err());
                errors.extend(t.err());
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// The start (in UTC ms) of the day `input` plus `days_after` in `zone`.
/// A day that begins inside a daylight-saving gap starts when the gap ends.
fn day_start(
    zone: &TimeZoneName,
    field: &'static str,
    input: &str,
    days_after: i64,
) -> Result<Option<i64>, ValidationError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let bad = || {
        ValidationError::new(
            field,
            format!("\"{input}\" is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31."),
        )
    };
    let date: jiff::civil::Date = input.parse().map_err(|_| bad())?;
    let date = date
        .checked_add(jiff::Span::new().days(days_after))
        .map_err(|_| bad())?;
    let tz = jiff::tz::db()
        .get(zone.as_str())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let start = date
        .to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(tz)
        .map_err(|_| bad())?;
    Ok(Some(start.timestamp().as_millisecond()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZoneName {
        TimeZoneName::parse(name).unwrap()
    }

    #[test]
    fn dates_are_days_in_the_accounts_zone() {
        let f = SearchForm {
            from: "2026-03-02".into(),
            to: "2026-03-02".into(),
            ..Default::default()
        };
        let q = f.parse(&zone("Europe/Berlin"), UserId(1)).unwrap();
        // Midnight in Berlin (UTC+1 in March before DST) is 23:00 UTC the day before.
        let start = "2026-03-01T23:00:00Z".parse::<jiff::Timestamp>().unwrap();
        assert_eq!(q.since_ms, Some(start.as_millisecond()));
        assert_eq!(q.until_ms, Some(start.as_millisecond() + 24 * 3600 * 1000));
        let utc = f.parse(&zone("UTC"), UserId(1)).unwrap();
        assert_eq!(utc.since_ms, Some(start.as_millisecond() + 3600 * 1000));
    }

    #[test]
    fn garbage_gets_clear_errors_for_each_field() {
        let f = SearchForm {
            q: "refund".into(),
            mailbox: "x".into(),
            status: "lost".into(),
            assignee: "bob".into(),
            from: "31/03/2026".into(),
            to: "2026-02-30".into(),
            ..Default::default()
        };
        let e = f.parse(&zone("UTC"), UserId(1)).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["mailbox", "status", "assignee", "from", "to"]);
        assert!(e[3].message.contains("YYYY-MM-DD"));
        let reversed = SearchForm {
            from: "2026-03-05".into(),
            to: "2026-03-01".into(),
            ..Default::default()
        };
        assert_eq!(
            reversed.parse(&zone("UTC"), UserId(1)).unwrap_err()[0].field,
            "to"
        );
    }

    #[test]
    fn words_and_assignees() {
        assert_eq!(
            words("Refund \"OR\" ann@x.test NEAR(a b)*"),
            ["refund", "or", "ann@x.test", "near", "a", "b"]
        );
        let f = SearchForm {
            assignee: "me".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse(&zone("UTC"), UserId(7)).unwrap().assignee,
            Some(AssigneeFilter::User(UserId(7)))
        );
        let f = SearchForm {
            assignee: "none".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse(&zone("UTC"), UserId(7)).unwrap().assignee,
            Some(AssigneeFilter::Unassigned)
        );
        assert!(SearchForm::default().is_empty());
    }
}
