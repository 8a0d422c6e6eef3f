//! Dot-unstuffing of a RETR body as a state machine over arbitrary chunks:
//! lines can be any length and a chunk can end anywhere (even between the dot
//! and the CRLF of the terminator), so nothing here works line by line.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The next byte starts a line.
    LineStart,
    /// A line began with '.', which is either stuffing or the terminator.
    Dot,
    /// Seen ".\r" at a line start.
    DotCr,
    /// Inside a line.
    Middle,
    Done,
}

#[derive(Debug)]
pub(crate) struct Unstuffer {
    state: State,
}

impl Unstuffer {
    pub fn new() -> Self {
        Self {
            state: State::LineStart,
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Appends the message bytes in `input` to `out` and returns how many
    /// input bytes were used. Stops right after the terminating ".\r\n"
    /// (a bare ".\n" is accepted too), leaving the rest unconsumed.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let mut i = 0;
        while i < input.len() {
            let byte = input[i];
            match self.state {
                State::LineStart if byte == b'.' => {
                    self.state = State::Dot;
                    i += 1;
                }
                State::LineStart => self.state = State::Middle,
                State::Dot => match byte {
                    b'\r' => {
                        self.state = State::DotCr;
                        i += 1;
                    }
                    b'\n' => {
                        self.state = State::Done;
                        return i + 1;
                    }
                    // The leading dot was stuffing: drop it, keep the rest.
                    _ => self.state = State::Middle,
                },
                State::DotCr if byte == b'\n' => {
                    self.state = State::Done;
                    return i + 1;
                }
                State::DotCr => {
                    // ".\rX": the dot was stuffing and the CR is content.
                    out.push(b'\r');
                    self.state = State::Middle;
                }
                State::Middle => {
                    let rest = &input[i..];
                    match rest.iter().position(|&b| b == b'\n') {
                        Some(at) => {
                            out.extend_from_slice(&rest[..=at]);
                            i += at + 1;
                            self.state = State::LineStart;
                        }
                        None => {
                            out.extend_from_slice(rest);
                            i = input.len();
                        }
                    }
                }
                State::Done => return i,
            }
        }
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(wire: &[u8], chunk: usize) -> (Vec<u8>, usize) {
        let mut unstuffer = Unstuffer::new();
        let mut out = Vec::new();
        let mut used = 0;
        for piece in wire.chunks(chunk) {
            used += unstuffer.feed(piece, &mut out);
            if unstuffer.is_done() {
                break;
            }
        }
        assert!(unstuffer.is_done(), "no terminator found");
        (out, used)
    }

    #[test]
    fn unstuffs_in_every_chunking() {
        let wire = b"Subject: x\r\n\r\n..hidden\r\n...\r\nplain\r\n.\r\n+OK next";
        let want = b"Subject: x\r\n\r\n.hidden\r\n..\r\nplain\r\n";
        let terminator_end = wire.len() - b"+OK next".len();
        for chunk in 1..=wire.len() {
            let (out, used) = run(wire, chunk);
            assert_eq!(out, want, "chunk size {chunk}");
            if chunk == 1 {
                assert_eq!(used, terminator_end);
            }
        }
    }

    #[test]
    fn odd_lines_and_empty_message() {
        assert_eq!(run(b".\r\n", 3).0, b"");
        assert_eq!(run(b"a\n.\n", 1).0, b"a\n");
        assert_eq!(run(b".\rx\r\n.\r\n", 1).0, b"\rx\r\n");
        assert_eq!(run(b"a.\r\nb\r\n.\r\n", 2).0, b"a.\r\nb\r\n");
    }

    #[test]
    fn stops_exactly_at_terminator() {
        let mut unstuffer = Unstuffer::new();
        let mut out = Vec::new();
        let used = unstuffer.feed(b"x\r\n.\r\nrest", &mut out);
        assert_eq!(used, 6);
        assert_eq!(unstuffer.feed(b"rest", &mut out), 0);
    }
}
