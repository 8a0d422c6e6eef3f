//! The `[#123]` conversation token we put in outgoing subjects, and subject
//! normalization, so a reply whose headers were stripped by the customer's
//! client still lands in its conversation.

/// Reply and forward prefixes as mail clients write them in various
/// languages, compared case-insensitively.
const PREFIXES: &[&str] = &[
    "re",
    "fwd",
    "fw",
    "aw",
    "wg",
    "sv",
    "vs",
    "vb",
    "antw",
    "antwort",
    "doorst",
    "tr",
    "rv",
    "rif",
    "r",
    "i",
    "res",
    "enc",
    "odp",
    "pd",
    "ynt",
    "ilt",
    "i̇lt",
    "fs",
    "vl",
    "atb",
    "σχετ",
    "απ",
    "προώθ",
    "отв",
    "пересл",
    "回复",
    "回覆",
    "答复",
    "转发",
    "轉寄",
];

/// The conversation number from a `[#n]` token anywhere in the subject. With
/// several tokens the last wins: ours is appended at the end.
pub fn conversation_token(subject: &str) -> Option<u64> {
    tokens(subject).last().map(|(_, _, n)| *n)
}

/// Appends ` [#n]` unless that exact token is already there.
pub fn add_token(subject: &str, n: u64) -> String {
    if tokens(subject).iter().any(|(_, _, t)| *t == n) {
        return subject.to_string();
    }
    let subject = subject.trim_end();
    if subject.is_empty() {
        format!("[#{n}]")
    } else {
        format!("{subject} [#{n}]")
    }
}

/// The subject without reply/forward prefixes (`Re:`, `AW:`, `RE[2]:`,
/// `Fwd: Re:`...), conversation tokens and surplus whitespace, for matching
/// and display.
pub fn normalize_subject(subject: &str) -> String {
    let mut without_tokens = String::with_capacity(subject.len());
    let mut last = 0;
    for (start, end, _) in tokens(subject) {
        without_tokens.push_str(&subject[last..start]);
        without_tokens.push(' ');
        last = end;
    }
    without_tokens.push_str(&subject[last..]);
    let mut rest = without_tokens.trim();
    while let Some(next) = strip_prefix(rest) {
        rest = next.trim_start();
    }
    rest.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `[#digits]` as (byte start, byte end, number).
fn tokens(subject: &str) -> Vec<(usize, usize, u64)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = subject[from..].find("[#") {
        let start = from + pos;
        let digits_at = start + 2;
        let digits = subject[digits_at..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let end = digits_at + digits;
        if digits > 0 && subject[end..].starts_with(']') {
            if let Ok(n) = subject[digits_at..end].parse::<u64>() {
                found.push((start, end + 1, n));
            }
            from = end + 1;
        } else {
            from = digits_at;
        }
    }
    found
}

/// One prefix: a known word, an optional counter (`[2]`, `(2)`, `^2`), then a
/// colon (ASCII or full-width), with optional space before the colon as
/// French typography has it.
fn strip_prefix(s: &str) -> Option<&str> {
    let word_end = s.find(|c: char| {
        c == ':' || c == '：' || c == '[' || c == '(' || c == '^' || c.is_whitespace()
    })?;
    let word = s[..word_end].to_lowercase();
    if !PREFIXES.contains(&word.as_str()) {
        return None;
    }
    let mut rest = &s[word_end..];
    for (open, close) in [("[", "]"), ("(", ")")] {
        if let Some(inner) = rest.strip_prefix(open)
            && let Some((count, after)) = inner.split_once(close)
            && !count.is_empty()
            && count.bytes().all(|b| b.is_ascii_digit())
        {
            rest = after;
        }
    }
    if let Some(inner) = rest.strip_prefix('^') {
        rest = inner.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let rest = rest.trim_start();
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_token() {
        assert_eq!(conversation_token("Re: Help [#123]"), Some(123));
        assert_eq!(conversation_token("[#7] Fwd: AW: SV: broken"), Some(7));
        assert_eq!(conversation_token("AW: Rechnung [#42] offen"), Some(42));
        assert_eq!(conversation_token("Order #123 [123] [#] [#12a]"), None);
        assert_eq!(conversation_token("Re: [#1] [#2]"), Some(2));
        assert_eq!(conversation_token("[#99999999999999999999999]"), None);
        assert_eq!(conversation_token(""), None);
    }

    #[test]
    fn adds_token_once() {
        assert_eq!(add_token("Help", 5), "Help [#5]");
        assert_eq!(add_token("Help [#5]", 5), "Help [#5]");
        assert_eq!(add_token(&add_token("Help ", 5), 5), "Help [#5]");
        assert_eq!(add_token("Help [#4]", 5), "Help [#4] [#5]");
        assert_eq!(add_token("", 5), "[#5]");
        assert_eq!(conversation_token(&add_token("Re: x", 31)), Some(31));
    }

    #[test]
    fn normalizes_prefixes_and_tokens() {
        for (input, want) in [
            ("Re: Help [#123]", "Help"),
            ("RE: Re: re:Help", "Help"),
            ("Fwd: FW: AW: WG: SV: VS: Antw: Help", "Help"),
            ("RE[2]: Help", "Help"),
            ("Re(3): Help", "Help"),
            ("Re^2: Help", "Help"),
            ("Re : Aide", "Aide"),
            ("TR: RE: Aide", "Aide"),
            ("回复：帮助", "帮助"),
            ("Отв: помощь", "помощь"),
            ("[#9] Re:   many   spaces ", "many spaces"),
            ("Regarding: the bill", "Regarding: the bill"),
            ("Re", "Re"),
            ("Help: Re: x", "Help: Re: x"),
            ("", ""),
        ] {
            assert_eq!(normalize_subject(input), want, "{input}");
        }
    }
}
