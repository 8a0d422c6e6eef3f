//! Formatting replies. Every reply goes through here so that error replies
//! are counted against the session's error budget in one place.

use super::InboundSink;
use super::session::Session;

impl<K: InboundSink> Session<'_, K> {
    /// Queues `code esc text`, e.g. `250 2.1.0 Sender OK`.
    pub(super) fn reply(&mut self, code: u16, esc: [u8; 3], text: &str) {
        // Only permanent errors: a client told "too many recipients" or
        // "try later" is behaving correctly when it goes on.
        if code >= 500 {
            self.errors += 1;
        }
        let [a, b, c] = esc;
        let line = format!("{code} {a}.{b}.{c} {}\r\n", printable(text));
        self.conn.queue(line.as_bytes());
    }

    /// Queues a multi-line reply (`250-...` lines, then `250 ...`).
    pub(super) fn reply_lines(&mut self, code: u16, lines: &[String]) {
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let line = format!("{code}{sep}{}\r\n", printable(line));
            self.conn.queue(line.as_bytes());
        }
    }
}

/// Client-supplied text echoed in a reply must not break the reply framing.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A short, loggable form of client input.
pub(super) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    printable(text.trim_end())
}
