//! Recent Actions: the kinds of change that are recorded, and how they read.

/// Something a person (or the system) did. Stored by its `as_str` name;
/// a name this build does not know reads as [`Action::Other`] so an older
/// binary can still list a newer node's actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Assigned,
    Unassigned,
    StatusChanged,
    Replied,
    Forwarded,
    Started,
    NoteAdded,
    Tagged,
    Untagged,
    Merged,
    Moved,
    MarkedSpam,
    NotSpam,
    ContactSaved,
    AutoReplied,
    AutoReplyStopped,
    Other(String),
}

impl Action {
    pub fn as_str(&self) -> &str {
        match self {
            Action::Assigned => "assigned",
            Action::Unassigned => "unassigned",
            Action::StatusChanged => "status_changed",
            Action::Replied => "replied",
            Action::Forwarded => "forwarded",
            Action::Started => "started",
            Action::NoteAdded => "note_added",
            Action::Tagged => "tagged",
            Action::Untagged => "untagged",
            Action::Merged => "merged",
            Action::Moved => "moved",
            Action::MarkedSpam => "marked_spam",
            Action::NotSpam => "not_spam",
            Action::ContactSaved => "contact_saved",
            Action::AutoReplied => "auto_replied",
            Action::AutoReplyStopped => "auto_reply_stopped",
            Action::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Action {
        match s {
            "assigned" => Action::Assigned,
            "unassigned" => Action::Unassigned,
            "status_changed" => Action::StatusChanged,
            "replied" => Action::Replied,
            "forwarded" => Action::Forwarded,
            "started" => Action::Started,
            "note_added" => Action::NoteAdded,
            "tagged" => Action::Tagged,
            "untagged" => Action::Untagged,
            "merged" => Action::Merged,
            "moved" => Action::Moved,
            "marked_spam" => Action::MarkedSpam,
            "not_spam" => Action::NotSpam,
            "contact_saved" => Action::ContactSaved,
            "auto_replied" => Action::AutoReplied,
            "auto_reply_stopped" => Action::AutoReplyStopped,
            other => Action::Other(other.to_string()),
        }
    }

    /// A past-tense phrase for lists: "Ana assigned #12".
    pub fn verb(&self) -> &str {
        match self {
            Action::Assigned => "assigned",
            Action::Unassigned => "unassigned",
            Action::StatusChanged => "changed the status of",
            Action::Replied => "replied to",
            Action::Forwarded => "forwarded",
            Action::Started => "started",
            Action::NoteAdded => "added a note to",
            Action::Tagged => "tagged",
            Action::Untagged => "removed a tag from",
            Action::Merged => "merged",
            Action::Moved => "moved",
            Action::MarkedSpam => "marked as spam",
            Action::NotSpam => "marked as not spam",
            Action::ContactSaved => "added to Contacts",
            Action::AutoReplied => "auto-replied to",
            Action::AutoReplyStopped => "stopped auto-replies for",
            Action::Other(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_survive() {
        for a in [
            Action::Assigned,
            Action::StatusChanged,
            Action::NoteAdded,
            Action::Merged,
            Action::AutoReplyStopped,
        ] {
            assert_eq!(Action::parse(a.as_str()), a);
        }
        assert_eq!(
            Action::parse("from_the_future"),
            Action::Other("from_the_future".into())
        );
        assert_eq!(Action::parse("from_the_future").as_str(), "from_the_future");
    }
}
