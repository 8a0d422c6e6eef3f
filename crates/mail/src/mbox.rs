//! Splitting an mbox stream into messages, one at a time, so a file of
//! any size is read with the memory of its largest message.

use std::io::{self, BufRead};

/// Reads mbox (mboxo/mboxrd) messages from `reader`. Each message is
/// returned without its `From ` separator line, with `>From ` quoting
/// undone one level and line endings as CRLF (what SMTP and POP deliver).
pub struct MboxReader<R> {
    reader: R,
    pending_separator: bool,
    line: Vec<u8>,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            pending_separator: false,
            line: Vec::new(),
            done: false,
        }
    }

    /// The next message, `Ok(None)` at the end.
    pub fn next_message(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let mut msg: Vec<u8> = Vec::new();
        let mut started = self.pending_separator;
        loop {
            self.line.clear();
            let n = self.reader.read_until(b'\n', &mut self.line)?;
            if n == 0 {
                self.done = true;
                break;
            }
            if self.line.starts_with(b"From ") {
                if started && !msg.is_empty() {
                    self.pending_separator = true;
                    return Ok(Some(finish(msg)));
                }
                started = true;
                continue;
            }
            if !started {
                // Text before the first separator: not mbox, but keep it as
                // a message rather than dropping it.
                started = true;
            }
            let mut content: &[u8] = &self.line;
            while content.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                content = &content[..content.len() - 1];
            }
            if is_quoted_from(content) {
                content = &content[1..];
            }
            msg.extend_from_slice(content);
            msg.extend_from_slice(b"\r\n");
        }
        if msg.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(None);
        }
        Ok(Some(finish(msg)))
    }
}

/// `>From `, `>>From `, ...: mboxrd quoting of body lines.
fn is_quoted_from(line: &[u8]) -> bool {
    let gts = line.iter().take_while(|b| **b == b'>').count();
    gts > 0 && line[gts..].starts_with(b"From ")
}

/// The blank line before the next separator belongs to the format, not
/// the message.
fn finish(mut msg: Vec<u8>) -> Vec<u8> {
    while msg.ends_with(b"\r\n\r\n") {
        msg.truncate(msg.len() - 2);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Vec<String> {
        let mut r = MboxReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(m) = r.next_message().unwrap() {
            out.push(String::from_utf8(m).unwrap());
        }
        out
    }

    #[test]
    fn splits_and_unquotes() {
        let mbox = "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n>From here\n\nFrom c@d Mon Jan  1 00:00:01 2024\nSubject: two\n\nx\n";
        let msgs = all(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], "Subject: one\r\n\r\nbody\r\nFrom here\r\n");
        assert_eq!(msgs[1], "Subject: two\r\n\r\nx\r\n");
    }

    #[test]
    fn empty_and_headerless() {
        assert!(all("").is_empty());
        assert!(all("\n\n").is_empty());
        assert_eq!(all("Subject: lone\n\nbody\n").len(), 1);
    }
}
