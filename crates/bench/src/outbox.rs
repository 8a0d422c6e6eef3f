//! The outbox benchmark: N messages queued with the product's own compose
//! (not timed), then delivered to an SMTP server by the product's sender
//! (`App::send_due_outbox` in a loop, as the worker runs it: claim by lease,
//! send, mark sent). In the same run, the same stored bytes go to the same
//! server over one plain connection with a minimal sequential client (EHLO
//! once, then MAIL, RCPT, DATA per message): the raw protocol rate, the
//! ceiling the sender is measured against.

use crate::ingest::{Target, cleanup, prepare};
use anyhow::{Context, bail};
use ecp_app::outbound::{NewOutgoing, SendOutcome};
use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_store::Db;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub async fn run(
    smtp: &str,
    count: usize,
    database_url: Option<&str>,
    machine: bool,
) -> anyhow::Result<()> {
    let target = prepare(database_url).await?;
    let result = measure(smtp, count, &target, machine).await;
    cleanup(target, false).await;
    result
}

async fn measure(smtp: &str, count: usize, target: &Target, machine: bool) -> anyhow::Result<()> {
    let backend = if target.url().starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let app = queue(target.url(), smtp, count).await?;
    let messages = stored(&app).await?;
    eprintln!("queued {} messages on {backend}", messages.len());

    // Raw first, ours, raw again: the figure is the mean of the two raw
    // runs, so a server that warms up or slows down is fair to both.
    let raw1 = raw_send(smtp, &messages).await?;
    let started = Instant::now();
    let mut sent = 0usize;
    while sent < count {
        let done = app.send_due_outbox().await?;
        if done.is_empty() {
            bail!("the sender stopped after {sent} of {count} messages");
        }
        for (id, outcome) in done {
            match outcome {
                SendOutcome::Sent => sent += 1,
                SendOutcome::NotClaimed => {}
                other => bail!("message {id}: {other:?}"),
            }
        }
    }
    let ours = started.elapsed();
    let raw2 = raw_send(smtp, &messages).await?;

    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    let raw_rate = (rate(raw1) + rate(raw2)) / 2.0;
    let ours_rate = rate(ours);
    let ratio = ours_rate / raw_rate;
    println!(
        "outbox ({backend}): {count} messages in {:.3} s = {ours_rate:.1} msg/s",
        ours.as_secs_f64()
    );
    println!(
        "raw SMTP (one connection, sequential): {:.3} s and {:.3} s = {raw_rate:.1} msg/s",
        raw1.as_secs_f64(),
        raw2.as_secs_f64()
    );
    println!(
        "ratio: {:.0}% of the raw rate (target: at least 50%)",
        ratio * 100.0
    );
    if machine {
        println!(
            "RESULT backend={backend} messages={count} seconds={:.3} rate={ours_rate:.1} \
             raw_rate={raw_rate:.1} ratio={ratio:.3}",
            ours.as_secs_f64()
        );
    }
    Ok(())
}

/// A fresh account and `count` new outgoing conversations, each one
/// message of about a kilobyte, like a short reply.
async fn queue(url: &str, smtp: &str, count: usize) -> anyhow::Result<App> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(format!("smtp://{smtp}"));
    let app = App::new(db, config);
    let out = app
        .create_account(&SignupInput {
            account_name: "Bench".into(),
            owner_name: "Bench Owner".into(),
            owner_email: "owner@bench.example".into(),
            password: "correct horse battery staple".into(),
            plan: "premium".into(),
            mailbox_name: "Support".into(),
            mailbox_address: "support@in.bench.example".into(),
            ..Default::default()
        })
        .await?;
    let mailbox = out
        .mailbox_id
        .context("the account was created without its mailbox")?;
    let actor = app.actor(out.owner_id).await?;
    let body = "<p>Thank you for writing. Your order left our warehouse today and \
                should reach you within three working days.</p>"
        .repeat(6);
    for i in 0..count {
        app.start_conversation(
            &actor,
            mailbox,
            NewOutgoing {
                to: vec![format!("Customer {i} <c{i}@cust.example>")],
                subject: format!("Your order {i}"),
                body_html: body.clone(),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(app)
}

struct Message {
    from: String,
    to: Vec<String>,
    raw: Vec<u8>,
}

async fn stored(app: &App) -> anyhow::Result<Vec<Message>> {
    let mut c = app.db().read().await?;
    let rows: Vec<(String, String, Vec<u8>)> =
        sqlx::query_as("SELECT envelope_from, envelope_to, raw FROM outbox ORDER BY id")
            .fetch_all(&mut *c)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(from, to, raw)| Message {
            from,
            to: to.lines().map(str::to_string).collect(),
            raw,
        })
        .collect())
}

/// Sends every message over one connection, waiting for each answer.
async fn raw_send(smtp: &str, messages: &[Message]) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let stream = TcpStream::connect(smtp)
        .await
        .with_context(|| format!("connecting to {smtp}"))?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    expect(&mut read, 220).await?;
    command(&mut read, &mut write, "EHLO bench.example\r\n", 250).await?;
    for m in messages {
        command(
            &mut read,
            &mut write,
            &format!("MAIL FROM:<{}>\r\n", m.from),
            250,
        )
        .await?;
        for to in &m.to {
            command(&mut read, &mut write, &format!("RCPT TO:<{to}>\r\n"), 250).await?;
        }
        command(&mut read, &mut write, "DATA\r\n", 354).await?;
        write.write_all(&dot_stuffed(&m.raw)).await?;
        expect(&mut read, 250).await?;
    }
    command(&mut read, &mut write, "QUIT\r\n", 221).await?;
    Ok(started.elapsed())
}

async fn command<R, W>(read: &mut R, write: &mut W, line: &str, code: u16) -> anyhow::Result<()>
where
    R: AsyncBufReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    write.write_all(line.as_bytes()).await?;
    expect(read, code).await
}

/// Reads one (possibly multi-line) reply and checks its code.
async fn expect<R: AsyncBufReadExt + Unpin>(read: &mut R, code: u16) -> anyhow::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            bail!("the server closed the connection");
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    if !line.starts_with(&code.to_string()) {
        bail!("expected {code}, the server said {:?}", line.trim_end());
    }
    Ok(())
}

/// The message as DATA carries it: lines starting with a dot get another,
/// then the final dot line.
fn dot_stuffed(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}
