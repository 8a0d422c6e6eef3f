//! The agent workspace's vocabulary: folders, sort orders, the keyset
//! cursor of a list, bulk actions and tag names.
//!
//! Folders (like Help Scout and FreeScout, but each folder is one status so
//! every list is one ordered index range):
//! - **Unassigned**: open, nobody assigned.
//! - **Mine**: open, assigned to me.
//! - **Assigned**: open, assigned to anyone (me included).
//! - **Pending**: waiting on the customer, whoever has it. A customer's
//!   answer reopens it, so it comes back into Mine/Unassigned on its own.
//! - **Closed** and **Spam**.
//!
//! A conversation merged into another is in no folder. *My Mail* is Mine
//! across every mailbox the user may see.

use crate::conversation::Status;
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Folder {
    Unassigned,
    Mine,
    Assigned,
    Pending,
    Closed,
    Spam,
}

/// Who a folder wants as assignee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Any,
    Nobody,
    Somebody,
    Me,
}

impl Folder {
    pub const ALL: [Folder; 6] = [
        Folder::Unassigned,
        Folder::Mine,
        Folder::Assigned,
        Folder::Pending,
        Folder::Closed,
        Folder::Spam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Folder::Unassigned => "unassigned",
            Folder::Mine => "mine",
            Folder::Assigned => "assigned",
            Folder::Pending => "pending",
            Folder::Closed => "closed",
            Folder::Spam => "spam",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Folder::Unassigned => "Unassigned",
            Folder::Mine => "Mine",
            Folder::Assigned => "Assigned",
            Folder::Pending => "Pending",
            Folder::Closed => "Closed",
            Folder::Spam => "Spam",
        }
    }

    pub fn parse(s: &str) -> Result<Folder, ValidationError> {
        let s = s.trim().to_ascii_lowercase();
        Folder::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                ValidationError::new(
                    "folder",
                    "The folder must be unassigned, mine, assigned, pending, closed or spam.",
                )
            })
    }

    /// The status every conversation of the folder has.
    pub fn status(self) -> Status {
        match self {
            Folder::Unassigned | Folder::Mine | Folder::Assigned => Status::Open,
            Folder::Pending => Status::Pending,
            Folder::Closed => Status::Closed,
            Folder::Spam => Status::Spam,
        }
    }

    pub fn assignee(self) -> AssigneeFilter {
        match self {
            Folder::Unassigned => AssigneeFilter::Nobody,
            Folder::Mine => AssigneeFilter::Me,
            Folder::Assigned => AssigneeFilter::Somebody,
            _ => AssigneeFilter::Any,
        }
    }

    /// Whether a conversation with this status and assignee is in the
    /// folder for `me` (the rule the store's queries implement).
    pub fn contains(self, status: Status, assignee: Option<i64>, me: i64) -> bool {
        status == self.status()
            && match self.assignee() {
                AssigneeFilter::Any => true,
                AssigneeFilter::Nobody => assignee.is_none(),
                AssigneeFilter::Somebody => assignee.is_some(),
                AssigneeFilter::Me => assignee == Some(me),
            }
    }
}

/// How a list is ordered: by the latest message, newest or oldest first
/// (the oldest first is the queue a team works through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }

    pub fn parse(s: &str) -> Result<Sort, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "newest" => Ok(Sort::Newest),
            "oldest" => Ok(Sort::Oldest),
            _ => Err(ValidationError::new(
                "sort",
                "The sort order must be newest or oldest.",
            )),
        }
    }
}

/// Which way a cursor pages: on past its row in the list's order, or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    After,
    Before,
}

/// A position in a list: the (last message time, id) of a row, and which
/// way to go from it. Written as `a<ms>.<id>` or `b<ms>.<id>`: opaque to
/// clients, who pass back what a page gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: i64,
    pub direction: Direction,
}

impl Cursor {
    pub fn after(at: i64, id: i64) -> Self {
        Cursor {
            at,
            id,
            direction: Direction::After,
        }
    }

    pub fn before(at: i64, id: i64) -> Self {
        Cursor {
            at,
            id,
            direction: Direction::Before,
        }
    }

    pub fn parse(s: &str) -> Result<Cursor, ValidationError> {
        let bad = || {
            ValidationError::new(
                "cursor",
                "The cursor is not one this server gave out: pass back the \"next\" or \"previous\" value of a page, or leave it out for the first page.",
            )
        };
        let s = s.trim();
        let direction = match s.as_bytes().first() {
            Some(b'a') => Direction::After,
            Some(b'b') => Direction::Before,
            _ => return Err(bad()),
        };
        let (at, id) = s[1..].split_once('.').ok_or_else(bad)?;
        let at: i64 = at.parse().map_err(|_| bad())?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        if at < 0 || id <= 0 {
            return Err(bad());
        }
        Ok(Cursor { at, id, direction })
    }

    /// Whether rows come from the index newest-first for this sort.
    pub fn descending(sort: Sort, cursor: Option<&Cursor>) -> bool {
        let back = cursor.is_some_and(|c| c.direction == Direction::Before);
        (sort == Sort::Newest) != back
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = match self.direction {
            Direction::After => 'a',
            Direction::Before => 'b',
        };
        write!(f, "{d}{}.{}", self.at, self.id)
    }
}

/// One thing done to many conversations at once from a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// None unassigns.
    Assign(Option<i64>),
    Status(Status),
    Tag(TagName),
}

impl BulkAction {
    /// From a form or JSON: `action` is assign, unassign, open, pending,
    /// close, spam, not_spam or tag; `value` the user id or tag name.
    pub fn parse(action: &str, value: &str) -> Result<BulkAction, ValidationError> {
        Ok(match action.trim() {
            "assign" => {
                let v = value.trim();
                if v.is_empty() {
                    BulkAction::Assign(None)
                } else {
                    BulkAction::Assign(Some(v.parse().map_err(|_| {
                        ValidationError::new("value", "Choose a user to assign to.")
                    })?))
                }
            }
            "unassign" => BulkAction::Assign(None),
            "open" | "not_spam" => BulkAction::Status(Status::Open),
            "pending" => BulkAction::Status(Status::Pending),
            "close" | "closed" => BulkAction::Status(Status::Closed),
            "spam" => BulkAction::Status(Status::Spam),
            "tag" => BulkAction::Tag(TagName::parse(value)?),
            _ => {
                return Err(ValidationError::new(
                    "action",
                    "The action must be assign, unassign, open, pending, close, spam, not_spam or tag.",
                ));
            }
        })
    }
}

/// Most conversations one bulk action changes.
pub const MAX_BULK: usize = 200;

/// A tag: trimmed, lower case, 1 to 40 characters, no commas (so a list of
/// tags can be typed comma-separated).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagName(String);

impl TagName {
    pub fn parse(s: &str) -> Result<TagName, ValidationError> {
        let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let t = t.to_lowercase();
        if t.is_empty() {
            return Err(ValidationError::new("tag", "Type a tag name."));
        }
        if t.chars().count() > 40 {
            return Err(ValidationError::new(
                "tag",
                "A tag name can be at most 40 characters long.",
            ));
        }
        if t.chars().any(|c| c == ',' || c.is_control()) {
            return Err(ValidationError::new(
                "tag",
                "A tag name can't contain commas or control characters.",
            ));
        }
        Ok(TagName(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_partition_open_conversations() {
        for assignee in [None, Some(1), Some(2)] {
            let un = Folder::Unassigned.contains(Status::Open, assignee, 1);
            let asg = Folder::Assigned.contains(Status::Open, assignee, 1);
            assert!(un != asg, "open is either unassigned or assigned");
        }
        assert!(Folder::Mine.contains(Status::Open, Some(1), 1));
        assert!(!Folder::Mine.contains(Status::Open, Some(2), 1));
        assert!(!Folder::Mine.contains(Status::Pending, Some(1), 1));
        assert!(Folder::Pending.contains(Status::Pending, Some(2), 1));
        assert_eq!(Folder::parse(" Mine ").unwrap(), Folder::Mine);
        assert!(Folder::parse("inbox").is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor::after(1_700_000_000_000, 42);
        assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
        let b = Cursor::before(5, 7);
        assert_eq!(Cursor::parse(&b.to_string()).unwrap(), b);
        for bad in [
            "",
            "a",
            "x1.2",
            "a1",
            "a1.",
            "a.2",
            "a-1.2",
            "a1.0",
            "a1.2.3",
            "b1.x",
            "a99999999999999999999.1",
            "é1.2",
        ] {
            let e = Cursor::parse(bad).unwrap_err();
            assert_eq!(e.field, "cursor", "{bad}");
        }
        assert!(Cursor::descending(Sort::Newest, None));
        assert!(!Cursor::descending(Sort::Newest, Some(&b)));
        assert!(Cursor::descending(Sort::Oldest, Some(&b)));
        assert!(!Cursor::descending(Sort::Oldest, Some(&c)));
    }

    #[test]
    fn bulk_actions_and_tags() {
        assert_eq!(
            BulkAction::parse("assign", "3").unwrap(),
            BulkAction::Assign(Some(3))
        );
        assert_eq!(
            BulkAction::parse("assign", "").unwrap(),
            BulkAction::Assign(None)
        );
        assert!(BulkAction::parse("assign", "ana").is_err());
        assert_eq!(
            BulkAction::parse("not_spam", "").unwrap(),
            BulkAction::Status(Status::Open)
        );
        assert!(BulkAction::parse("delete", "").is_err());
        assert!(BulkAction::parse("tag", "  ").is_err());
        assert_eq!(
            TagName::parse("  VIP   Customer ").unwrap().as_str(),
            "vip customer"
        );
        assert!(TagName::parse("a,b").is_err());
        assert!(TagName::parse(&"x".repeat(41)).is_err());
    }
}
