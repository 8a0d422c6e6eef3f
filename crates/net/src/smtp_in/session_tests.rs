//! The session driven over an in-memory stream with random input: it must
//! never panic, and every byte it sends must be a well-formed reply line.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use super::conn::Conn;
use super::session::Session;
use super::{DeliverError, Envelope, InboundSink, RcptVerdict, SmtpServerConfig, SpooledMessage};

struct AcceptAll;

impl InboundSink for AcceptAll {
    async fn check_recipient(&self, _: &str) -> RcptVerdict {
        RcptVerdict::Accept
    }

    async fn deliver(&self, _: &Envelope, message: SpooledMessage) -> Result<(), DeliverError> {
        assert!(message.read_to_vec().await.is_ok());
        Ok(())
    }
}

const PIECES: &[&[u8]] = &[
    b"EHLO client.example\r\n",
    b"HELO\r\n",
    b"MAIL FROM:<a@example.org>\r\n",
    b"MAIL FROM:<\xff@x> SIZE=99999999999999999999999 BODY=\r\n",
    b"RCPT TO:<d@help.example> NOTIFY=NEVER\r\n",
    b"RCPT TO:<\"quoted \\\" local\"@x>\r\n",
    b"DATA\r\n",
    b".\r\n",
    b"\r\n.\r\n",
    b"..\r\n",
    b"RSET\r\n",
    b"STARTTLS\r\n",
    b"BDAT 5 LAST\r\n",
    b"AUTH LOGIN\r\n",
    b"\n",
    b"\r",
];

fn random_input(rng: &mut StdRng) -> Vec<u8> {
    let mut input = Vec::new();
    for _ in 0..rng.random_range(1..40) {
        if rng.random_bool(0.3) {
            let len = rng.random_range(0..400);
            input.extend((0..len).map(|_| rng.random::<u8>()));
        } else {
            input.extend_from_slice(PIECES[rng.random_range(0..PIECES.len())]);
        }
    }
    input
}

fn is_reply_line(line: &[u8]) -> bool {
    matches!(
        line,
        [
            b'2'..=b'5',
            b'0'..=b'9',
            b'0'..=b'9',
            b' ' | b'-',
            ..,
            b'\r'
        ]
    )
}

#[tokio::test]
async fn random_input_never_panics_and_replies_stay_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    let peer = "192.0.2.1:2525".parse().unwrap();
    let mut cfg = SmtpServerConfig::new(peer, "mx.test", dir.path().to_path_buf());
    cfg.max_line_length = 256;
    cfg.max_errors = u32::MAX;
    let token = CancellationToken::new();
    for seed in 0..300 {
        let mut rng = StdRng::seed_from_u64(seed);
        let input = random_input(&mut rng);
        let (client, server) = tokio::io::duplex(1 << 16);
        let conn = Conn::new(Box::new(server), Duration::from_secs(5));
        let session = Session::new(&cfg, &AcceptAll, &token, conn, format!("S{seed}"), peer);
        let (mut read, mut write) = tokio::io::split(client);
        let send = async {
            // The server may hang up first (QUIT-less garbage never does, but
            // an early close is not what this test is about).
            let _ = write.write_all(&input).await;
            let _ = write.shutdown().await;
        };
        let receive = async {
            let mut out = Vec::new();
            let _ = read.read_to_end(&mut out).await;
            out
        };
        let ((), (), out) = tokio::join!(session.run(), send, receive);
        assert!(out.starts_with(b"220 "), "seed {seed}");
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            assert!(
                is_reply_line(line),
                "seed {seed}: {:?}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "seed {seed}"
        );
    }
}
