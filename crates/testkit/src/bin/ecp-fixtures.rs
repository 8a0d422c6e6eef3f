//! The test fixtures as a process, for tests that are not Rust (the browser
//! tests): a Dovecot POP3 server (plain, no TLS) and the aiosmtpd capture
//! sink, both stopped when stdin closes.
//!
//! It prints one JSON line with `pop3_port`, `pop_user`, `pop_password`
//! and `smtp_url`, then answers one JSON line per request line:
//! - `{"deliver": "<raw message>"}` puts a message in the POP mailbox;
//! - `{"captured": true}` lists what the sink accepted (`mail_from`,
//!   `rcpt_tos`, `data`), oldest first.

use ecp_testkit::dovecot::Dovecot;
use ecp_testkit::smtp_sink::SmtpSink;
use serde_json::{Value, json};
use std::io::{BufRead, Write};

fn main() -> anyhow::Result<()> {
    let dovecot = Dovecot::start_without_tls()?;
    let sink = SmtpSink::start()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        json!({
            "pop3_port": dovecot.pop3_port,
            "pop_user": dovecot.user(),
            "pop_password": dovecot.password(),
            "smtp_url": sink.url(),
        })
    )?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(req) => answer(&dovecot, &sink, &req),
            Err(e) => json!({ "error": format!("not JSON: {e}") }),
        };
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}

fn answer(dovecot: &Dovecot, sink: &SmtpSink, req: &Value) -> Value {
    if let Some(raw) = req.get("deliver").and_then(Value::as_str) {
        return match dovecot.add_message(raw.as_bytes()) {
            Ok(name) => json!({ "delivered": name }),
            Err(e) => json!({ "error": e.to_string() }),
        };
    }
    if req.get("captured").is_some() {
        return match sink.messages() {
            Ok(list) => json!({
                "messages": list
                    .iter()
                    .map(|m| json!({ "mail_from": m.mail_from, "rcpt_tos": m.rcpt_tos, "data": m.data }))
                    .collect::<Vec<_>>()
            }),
            Err(e) => json!({ "error": e.to_string() }),
        };
    }
    json!({ "error": "unknown request: use deliver or captured" })
}
