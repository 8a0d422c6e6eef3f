//! Synthetic workspace data for the list, view and search benchmark:
//! an account with agents and mailboxes, and N generated customer
//! messages imported through the product's own import, then spread over
//! statuses and assignees the way a busy help desk looks. Every message
//! says it is synthetic (`X-Synthetic: ecp-bench` and in the body).

use anyhow::{Context, bail};
use ecp_app::signup::SignupInput;
use ecp_app::users::NewUserInput;
use ecp_app::{App, AppConfig};
use ecp_domain::{MailboxId, MailboxInput, UserId};
use ecp_store::Db;
use std::io::Write;
use std::path::Path;

pub const OWNER_EMAIL: &str = "owner@bench.example";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct Options {
    pub conversations: u64,
    pub mailboxes: u64,
    pub agents: u64,
}

/// A small deterministic generator: the same data on every run and both
/// databases, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Pronounceable made-up words; a Zipf-like pick makes a few common and
/// most rare, as words in real mail are.
fn vocabulary() -> Vec<String> {
    let onsets = [
        "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "pl",
        "tr",
    ];
    let vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
    let codas = ["", "n", "r", "s", "t", "x", "nd", "rk"];
    let mut words = Vec::new();
    for o in onsets {
        for v in vowels {
            for c in codas {
                for v2 in ["a", "o", "i"] {
                    words.push(format!("{o}{v}{c}{v2}"));
                }
            }
        }
    }
    words
}

fn zipf_pick<'a>(rng: &mut Rng, words: &'a [String]) -> &'a str {
    // The square of a uniform number favours the start of the list.
    let u = rng.below(1 << 20) as f64 / (1u64 << 20) as f64;
    let i = ((u * u) * words.len() as f64) as usize;
    &words[i.min(words.len() - 1)]
}

fn sentence(rng: &mut Rng, words: &[String], n: u64) -> String {
    (0..n)
        .map(|_| zipf_pick(rng, words))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes `count` messages into `dir/cur` (a Maildir), one conversation
/// each (distinct subjects, no threading headers).
fn write_maildir(
    dir: &Path,
    first: u64,
    count: u64,
    rng: &mut Rng,
    words: &[String],
) -> anyhow::Result<()> {
    let cur = dir.join("cur");
    std::fs::create_dir_all(&cur)?;
    std::fs::create_dir_all(dir.join("new"))?;
    std::fs::create_dir_all(dir.join("tmp"))?;
    for i in first..first + count {
        let customer = rng.below(20_000);
        let n = 3 + rng.below(5);
        let subject = sentence(rng, words, n);
        let paragraphs: Vec<String> = (0..1 + rng.below(3))
            .map(|_| {
                let n = 20 + rng.below(60);
                sentence(rng, words, n)
            })
            .collect();
        // Spread over the last year so date filters and sorting have work.
        let day = rng.below(365);
        let date = jiff::Timestamp::from_second(
            1_764_000_000 - (day as i64) * 86_400 + (i % 86_400) as i64,
        )
        .context("date")?;
        let text = format!(
            "From: Customer {customer} <customer{customer}@example.net>\r\n\
             To: support@bench.example\r\n\
             Subject: {subject} (synthetic {i})\r\n\
             Date: {}\r\n\
             Message-ID: <bench-{i}@example.net>\r\n\
             X-Synthetic: ecp-bench\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             Synthetic benchmark message {i}.\r\n\r\n{}\r\n",
            jiff::fmt::rfc2822::to_string(&date.in_tz("UTC")?)?,
            paragraphs.join("\r\n\r\n")
        );
        let mut f = std::fs::File::create(cur.join(format!("{i:07}.bench:2,S")))?;
        f.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// Fills an empty database at `url`; prints `key=value` lines for the
/// load script (mailbox ids, the conversation id range, the owner).
pub async fn run(url: &str, o: &Options) -> anyhow::Result<()> {
    if o.mailboxes == 0 || o.conversations == 0 {
        bail!("--conversations and --mailboxes must be above zero");
    }
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let app = App::new(db, AppConfig::default());
    let out = app
        .create_account(&SignupInput {
            account_name: "Bench".into(),
            owner_name: "Bench Owner".into(),
            owner_email: OWNER_EMAIL.into(),
            password: PASSWORD.into(),
            plan: "premium".into(),
            mailbox_name: String::new(),
            mailbox_address: String::new(),
            ..Default::default()
        })
        .await?;
    let owner = app.actor(out.owner_id).await?;
    let mut agents: Vec<UserId> = vec![out.owner_id];
    for a in 1..=o.agents {
        let added = app
            .add_user(
                &owner,
                &NewUserInput {
                    name: format!("Agent {a}"),
                    email: format!("agent{a}@bench.example"),
                    role: "user".into(),
                    password: PASSWORD.into(),
                },
            )
            .await?;
        agents.push(added.user.id);
    }
    let words = vocabulary();
    let mut rng = Rng(0x0005_EED0_FEC9);
    let per = o.conversations.div_ceil(o.mailboxes);
    let mut mailboxes: Vec<MailboxId> = Vec::new();
    let started = std::time::Instant::now();
    for m in 0..o.mailboxes {
        let address = format!("support{m}@bench.example");
        let name = format!("Support {m}");
        let detail = app
            .create_mailbox(
                &owner,
                &MailboxInput {
                    name: &name,
                    direct_address: &address,
                    send_as_name: &name,
                    send_as_address: &address,
                    signature_html: "",
                    auto_bcc: "",
                },
                &agents,
            )
            .await?;
        let first = m * per;
        let count = per.min(o.conversations.saturating_sub(first));
        let dir = tempfile::Builder::new().prefix("ecp-bench-ws-").tempdir()?;
        write_maildir(dir.path(), first, count, &mut rng, &words)?;
        let summary = app
            .import_path(detail.mailbox.id, dir.path(), &|_| {})
            .await?;
        eprintln!(
            "mailbox {m}: {} conversations imported ({:.0} s so far)",
            summary.imported,
            started.elapsed().as_secs_f64()
        );
        mailboxes.push(detail.mailbox.id);
    }
    spread(&app, &agents, &mut rng).await?;
    let mut c = app.db().read().await?;
    let (lo, hi): (i64, i64) = sqlx::query_as("SELECT MIN(id), MAX(id) FROM conversations")
        .fetch_one(&mut *c)
        .await?;
    drop(c);
    app.db().close().await;
    println!("owner={OWNER_EMAIL}");
    println!("password={PASSWORD}");
    println!(
        "mailboxes={}",
        mailboxes
            .iter()
            .map(|m| m.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    println!("conversation_min={lo}");
    println!("conversation_max={hi}");
    println!("words={}", words[..40].join(","));
    Ok(())
}

/// Statuses and assignees like a working inbox: most closed, a fifth open,
/// some pending and spam; three in four assigned.
async fn spread(app: &App, agents: &[UserId], rng: &mut Rng) -> anyhow::Result<()> {
    let mut c = app.db().read().await?;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM conversations ORDER BY id")
        .fetch_all(&mut *c)
        .await?;
    drop(c);
    let mut tx = app.db().begin().await?;
    for id in ids {
        let status = match rng.below(100) {
            0..=59 => "closed",
            60..=84 => "open",
            85..=94 => "pending",
            _ => "spam",
        };
        let assignee = if rng.below(4) == 0 {
            None
        } else {
            Some(agents[rng.below(agents.len() as u64) as usize].0)
        };
        sqlx::query("UPDATE conversations SET status = $1, assignee_id = $2 WHERE id = $3")
            .bind(status)
            .bind(assignee)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
