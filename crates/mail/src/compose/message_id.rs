//! Our own Message-IDs: unique without coordination between nodes (time
//! plus 128 random bits) and at a domain we control, as RFC 5322 asks, so
//! no two messages anywhere share one.

use std::time::{SystemTime, UNIX_EPOCH};

/// The clock reading and randomness one message is built with; pass a fixed
/// one to get the same bytes twice (tests, fuzzing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Epoch milliseconds; the Date header and the Message-ID use it.
    pub now_ms: i64,
    pub random: u128,
}

impl Stamp {
    pub fn now() -> Stamp {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Stamp {
            now_ms,
            random: rand::random(),
        }
    }
}

/// `ecp.<time>.<random>@<domain>`, without brackets; the prefix lets us
/// recognize our own messages when they come back.
pub(crate) fn generate(stamp: Stamp, ascii_domain: &str) -> String {
    let time = u128::try_from(stamp.now_ms.max(0)).unwrap_or_default();
    format!(
        "ecp.{}.{}@{ascii_domain}",
        base36(time),
        base36(stamp.random)
    )
}

fn base36(mut n: u128) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format() {
        let id = generate(
            Stamp {
                now_ms: 1_700_000_000_000,
                random: 35,
            },
            "example.test",
        );
        assert_eq!(id, "ecp.loyw3v28.z@example.test");
        assert_eq!(base36(0), "0");
        assert_eq!(base36(u128::MAX).len(), 25);
    }

    #[test]
    fn unique() {
        let a = generate(Stamp::now(), "x.test");
        let b = generate(Stamp::now(), "x.test");
        assert_ne!(a, b);
    }
}
