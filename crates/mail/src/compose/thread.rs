//! In-Reply-To and References for a reply, so the customer's client files
//! our answer under their message and their next reply names ours.

use super::header_values::message_id;
use super::outgoing::Parent;

/// Most ids we put in References. RFC 5322 (3.6.4) lets a long chain be
/// cut; like news software (RFC 5537) we keep the first, which names the
/// thread's root, and the most recent ones, which clients match on.
pub const MAX_REFERENCES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ThreadHeaders {
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// The parent's References followed by its Message-ID, without duplicates
/// or ids that could not be written safely, trimmed to
/// [`MAX_REFERENCES`].
pub(crate) fn thread_headers(parent: &Parent) -> ThreadHeaders {
    let in_reply_to = message_id(&parent.message_id);
    let mut chain: Vec<String> = Vec::new();
    for id in parent
        .references
        .iter()
        .filter_map(|r| message_id(r))
        .chain(in_reply_to.clone())
    {
        if let Some(old) = chain.iter().position(|c| *c == id) {
            // A repeated id keeps its latest place: that is where it
            // belongs in the conversation's order.
            chain.remove(old);
        }
        chain.push(id);
    }
    if chain.len() > MAX_REFERENCES {
        let tail_start = chain.len() - (MAX_REFERENCES - 1);
        let mut kept = Vec::with_capacity(MAX_REFERENCES);
        kept.extend(chain.first().cloned());
        kept.extend(chain.drain(tail_start..));
        chain = kept;
    }
    ThreadHeaders {
        in_reply_to,
        references: chain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parent(id: &str, refs: &[&str]) -> Parent {
        Parent {
            message_id: id.into(),
            references: refs.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn chain_ends_with_parent() {
        let t = thread_headers(&parent("<c@x>", &["<a@x>", "b@x"]));
        assert_eq!(t.in_reply_to.as_deref(), Some("c@x"));
        assert_eq!(t.references, ["a@x", "b@x", "c@x"]);
    }

    #[test]
    fn duplicates_and_junk_dropped() {
        let t = thread_headers(&parent("<c@x>", &["<a@x>", "<c@x>", "<bad id>", "<a@x>"]));
        assert_eq!(t.references, ["a@x", "c@x"]);
        let t = thread_headers(&parent("<no good>", &["<a@x>"]));
        assert_eq!(t.in_reply_to, None);
        assert_eq!(t.references, ["a@x"]);
    }

    #[test]
    fn long_chain_keeps_first_and_last() {
        let refs: Vec<String> = (0..50).map(|i| format!("<{i}@x>")).collect();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        let t = thread_headers(&parent("<p@x>", &refs));
        assert_eq!(t.references.len(), MAX_REFERENCES);
        assert_eq!(t.references.first().map(String::as_str), Some("0@x"));
        assert_eq!(t.references.last().map(String::as_str), Some("p@x"));
        assert_eq!(t.references.get(1).map(String::as_str), Some("32@x"));
    }
}
