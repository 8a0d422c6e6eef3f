//! DATA transparency (RFC 5321 §4.5.2): removes the leading dot that clients
//! add to lines starting with `.` and finds the `CRLF . CRLF` terminator,
//! across arbitrary read boundaries. Only CRLF ends a line: a bare LF followed
//! by a dot is message content, as in Postfix, so "smuggled" end-of-data
//! sequences cannot split one message into two.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    LineStart,
    Text,
    Cr,
    Dot,
    DotCr,
}

#[derive(Debug)]
pub(super) struct Unstuffer {
    state: State,
}

impl Unstuffer {
    /// The DATA reply was just sent: the client is at the start of a line.
    pub(super) fn new() -> Self {
        Self {
            state: State::LineStart,
        }
    }

    /// Appends the unstuffed form of `input` to `out`. Returns `Some(n)` when
    /// the end-of-data line ends at `input[n - 1]`; bytes from `n` on belong to
    /// the next (pipelined) command. The message keeps its final CRLF.
    pub(super) fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Option<usize> {
        let mut i = 0;
        while let Some(&byte) = input.get(i) {
            match self.state {
                State::Text => {
                    let rest = &input[i..];
                    match rest.iter().position(|&b| b == b'\r') {
                        Some(p) => {
                            out.extend_from_slice(&rest[..=p]);
                            i += p + 1;
                            self.state = State::Cr;
                        }
                        None => {
                            out.extend_from_slice(rest);
                            i = input.len();
                        }
                    }
                }
                State::Cr => {
                    out.push(byte);
                    i += 1;
                    self.state = match byte {
                        b'\n' => State::LineStart,
                        b'\r' => State::Cr,
                        _ => State::Text,
                    };
                }
                State::LineStart if byte == b'.' => {
                    i += 1;
                    self.state = State::Dot;
                }
                State::LineStart => self.state = State::Text,
                State::Dot if byte == b'\r' => {
                    i += 1;
                    self.state = State::DotCr;
                }
                // The dot was stuffing: drop it, keep the byte.
                State::Dot => self.state = State::Text,
                State::DotCr if byte == b'\n' => {
                    self.state = State::LineStart;
                    return Some(i + 1);
                }
                // ".\r" then something else: the CR is content, reprocess the byte.
                State::DotCr => {
                    out.push(b'\r');
                    self.state = State::Cr;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]]) -> (Vec<u8>, Option<Vec<u8>>) {
        let mut u = Unstuffer::new();
        let mut out = Vec::new();
        for chunk in chunks {
            if let Some(n) = u.feed(chunk, &mut out) {
                return (out, Some(chunk[n..].to_vec()));
            }
        }
        (out, None)
    }

    #[test]
    fn plain_message_keeps_final_crlf() {
        let (out, rest) = run(&[b"Subject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n"]);
        assert_eq!(out, b"Subject: x\r\n\r\nhello\r\n");
        assert_eq!(rest.as_deref(), Some(&b"QUIT\r\n"[..]));
    }

    #[test]
    fn empty_message() {
        let (out, rest) = run(&[b".\r\n"]);
        assert!(out.is_empty());
        assert_eq!(rest.as_deref(), Some(&b""[..]));
    }

    #[test]
    fn stuffed_dots_are_removed() {
        let (out, _) = run(&[b"..leading\r\n...\r\n.x\r\n.\r\n"]);
        assert_eq!(out, b".leading\r\n..\r\nx\r\n");
    }

    #[test]
    fn bare_lf_dot_is_content() {
        let (out, rest) = run(&[b"a\n.\nb\r\n.\r\n"]);
        assert_eq!(out, b"a\n.\nb\r\n");
        assert_eq!(rest.as_deref(), Some(&b""[..]));
    }

    #[test]
    fn dot_cr_without_lf_is_content() {
        let (out, _) = run(&[b".\rx\r\n.\r\n"]);
        assert_eq!(out, b"\rx\r\n");
    }

    #[test]
    fn terminator_split_at_every_position() {
        let input: &[u8] = b"l1\r\n..l2\r\n\r\n.\r\nNOOP\r\n";
        let (whole, _) = run(&[input]);
        for cut in 0..input.len() {
            let (a, b) = input.split_at(cut);
            let (out, rest) = run(&[a, b]);
            assert_eq!(out, whole, "cut at {cut}");
            let rest = rest.unwrap_or_default();
            let next: &[u8] = b"NOOP\r\n";
            assert!(
                next.starts_with(&rest) || next.ends_with(&rest),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn unterminated_data_never_finishes() {
        let (out, rest) = run(&[b"abc\r\n", b".\r", b"x"]);
        assert_eq!(rest, None);
        assert_eq!(out, b"abc\r\n\rx");
    }
}
