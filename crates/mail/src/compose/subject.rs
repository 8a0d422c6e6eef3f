//! The outgoing subject: the agent's words, one reply or forward prefix,
//! and our `[#n]` token once, so a customer whose client drops the thread
//! headers still lands in the right conversation.

use super::header_values::one_line;
use super::outgoing::Kind;
use crate::thread_keys::add_token;

pub(crate) fn subject(kind: Kind, agent_subject: &str, token: Option<u64>) -> String {
    let base = one_line(agent_subject);
    let prefixed = match kind {
        Kind::New => base,
        Kind::Reply if has_prefix(&base, &["re"]) => base,
        Kind::Reply => format!("Re: {base}"),
        Kind::Forward if has_prefix(&base, &["fwd", "fw"]) => base,
        Kind::Forward => format!("Fwd: {base}"),
    };
    let with_token = match token {
        Some(n) => add_token(&prefixed, n),
        None => prefixed,
    };
    with_token.trim().to_string()
}

/// Whether the subject already starts with one of these prefixes, in any
/// case, with or without a space before the colon (`RE:`, `Re :`).
fn has_prefix(subject: &str, words: &[&str]) -> bool {
    let Some((word, _)) = subject.split_once(':') else {
        return false;
    };
    let word = word.trim_end();
    words.iter().any(|w| word.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_prefix_once_and_token_once() {
        assert_eq!(subject(Kind::Reply, "Help", Some(7)), "Re: Help [#7]");
        assert_eq!(
            subject(Kind::Reply, "RE: Help [#7]", Some(7)),
            "RE: Help [#7]"
        );
        assert_eq!(subject(Kind::Reply, "Re : Aide", None), "Re : Aide");
        assert_eq!(
            subject(Kind::Reply, "AW: Hilfe", Some(1)),
            "Re: AW: Hilfe [#1]"
        );
        assert_eq!(
            subject(Kind::Reply, "Regarding: x", None),
            "Re: Regarding: x"
        );
        assert_eq!(subject(Kind::Reply, "", Some(3)), "Re: [#3]");
    }

    #[test]
    fn forward_and_new() {
        assert_eq!(
            subject(Kind::Forward, "Help [#7]", Some(7)),
            "Fwd: Help [#7]"
        );
        assert_eq!(subject(Kind::Forward, "FW: Help", Some(7)), "FW: Help [#7]");
        assert_eq!(subject(Kind::Forward, "Re: Help", None), "Fwd: Re: Help");
        assert_eq!(
            subject(Kind::New, "  Your order  ", Some(12)),
            "Your order [#12]"
        );
        assert_eq!(subject(Kind::New, "", None), "");
    }

    #[test]
    fn line_breaks_cannot_add_headers() {
        assert_eq!(
            subject(Kind::New, "Hi\r\nBcc: victim@x.test", None),
            "Hi Bcc: victim@x.test"
        );
    }
}
