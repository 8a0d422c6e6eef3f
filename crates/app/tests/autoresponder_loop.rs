//! The autoresponder loop test, on both databases, with the mail really
//! travelling: outbox -> SMTP (the real `ecp` inbound listener, as the
//! relay) -> inbound filing -> autoresponder -> outbox ... Two mailboxes
//! with autoresponders that write to each other stop after one auto-reply
//! each; a mailing-list message sent to one of them gets none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ecp_app::autoresponder::AutoReplyOutcome;
use ecp_app::inbound::SmtpSink;
use ecp_app::outbound::{NewOutgoing, SendOutcome};
use ecp_app::signup::SignupInput;
use ecp_app::templates::TemplateInput;
use ecp_app::{App, AppConfig};
use ecp_domain::MailboxInput;
use ecp_net::smtp_in::{SmtpServerConfig, serve};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

both_backends!(two_autoresponders_answer_each_other_once);

async fn two_autoresponders_answer_each_other_once(t: TestDb) {
    let spool = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = AppConfig::default();
    config.outbound.smtp_relay = Some(format!("smtp://{addr}"));
    config.outbound.timeout = Duration::from_secs(10);
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, config);
    let cancel = CancellationToken::new();
    let server = tokio::spawn(serve(
        listener,
        SmtpServerConfig::new(addr, "mx.test", spool.path().to_path_buf()),
        Arc::new(SmtpSink::new(app.clone())),
        cancel.clone(),
    ));

    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia".into(),
            owner_email: "olivia@acme.example".into(),
            password: "correct horse battery".into(),
            plan: "premium".into(),
            mailbox_name: "Alpha".into(),
            mailbox_address: "alpha@in.acme.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let actor = app.actor(out.owner_id).await.unwrap();
    let alpha = out.mailbox_id.unwrap();
    let beta = app
        .create_mailbox(
            &actor,
            &MailboxInput {
                name: "Beta",
                direct_address: "beta@in.acme.example",
                send_as_name: "",
                send_as_address: "",
                signature_html: "",
                auto_bcc: "",
            },
            &[],
        )
        .await
        .unwrap()
        .mailbox
        .id;
    let template = app
        .create_template(
            &actor,
            &TemplateInput {
                name: "Ack",
                subject: "",
                body_html: "<p>{{ mailbox.name }} got it.</p>",
            },
        )
        .await
        .unwrap()
        .id
        .0;
    for m in [alpha, beta] {
        app.set_autoresponder(&actor, m, true, Some(template), "24")
            .await
            .unwrap();
    }

    // Each mailbox writes to the other: a new conversation on both sides.
    for (from, to) in [
        (alpha, "beta@in.acme.example"),
        (beta, "alpha@in.acme.example"),
    ] {
        app.start_conversation(
            &actor,
            from,
            NewOutgoing {
                to: vec![to.into()],
                subject: "Hello neighbour".into(),
                body_html: "<p>Hi!</p>".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    // A mailing-list post to Alpha, by a real SMTP client.
    let script = concat!(
        "import smtplib,sys\n",
        "body='From: News <news@lists.example>\\r\\nTo: alpha@in.acme.example\\r\\n",
        "Subject: Weekly news\\r\\nList-Id: <weekly.lists.example>\\r\\n",
        "Message-ID: <w1@lists.example>\\r\\n\\r\\nThis week...\\r\\n'\n",
        "s=smtplib.SMTP(sys.argv[1],int(sys.argv[2]),timeout=20)\n",
        "s.sendmail('bounces@lists.example',['alpha@in.acme.example'],body)\n",
        "s.quit()\nprint('sent')\n",
    );
    let said = tokio::process::Command::new("python3")
        .args([
            "-c",
            script,
            &addr.ip().to_string(),
            &addr.port().to_string(),
        ])
        .output()
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&said.stdout).contains("sent"),
        "{}",
        String::from_utf8_lossy(&said.stderr)
    );

    // Let the mail travel until nothing moves any more.
    let mut auto_replies = Vec::new();
    let mut delivered = 0;
    let mut quiet = false;
    for _ in 0..10 {
        let sent = app.send_due_outbox().await.unwrap();
        assert!(
            sent.iter().all(|(_, o)| *o == SendOutcome::Sent),
            "{sent:?}"
        );
        delivered += sent.len();
        let answered = app.send_due_autoreplies().await.unwrap();
        auto_replies.extend(
            answered
                .iter()
                .filter(|(_, o)| *o == AutoReplyOutcome::Queued)
                .map(|(c, _)| *c),
        );
        if sent.is_empty() && answered.is_empty() {
            quiet = true;
            break;
        }
    }
    assert!(quiet, "the mailboxes kept answering each other");
    assert_eq!(delivered, 4, "two agents' messages and two auto-replies");
    assert_eq!(auto_replies.len(), 2, "{auto_replies:?}");

    let mut c = app.db().read().await.unwrap();
    // One auto-reply from each mailbox, each to the other.
    let per_mailbox: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT mailbox_id, COUNT(*) FROM activity WHERE action = 'auto_replied' \
         GROUP BY mailbox_id ORDER BY mailbox_id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert_eq!(per_mailbox, vec![(alpha.0, 1), (beta.0, 1)]);
    // Both auto-replies arrived, were seen as automated and threaded into
    // the conversation the other side started.
    let arrived: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.automated, c.message_count FROM messages m \
         JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.direction = 'in' AND m.automated <> '' ORDER BY m.id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert_eq!(
        arrived.len(),
        3,
        "two auto-replies and the list post: {arrived:?}"
    );
    assert_eq!(
        arrived.iter().filter(|(_, n)| *n == 2).count(),
        2,
        "auto-replies join the starter's conversation: {arrived:?}"
    );
    // The list post is in Alpha, unanswered.
    let list_out: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND conversation_id = \
         (SELECT conversation_id FROM messages WHERE message_id_header = 'w1@lists.example')",
    )
    .fetch_one(&mut *c)
    .await
    .unwrap();
    assert_eq!(list_out, 0);
    drop(c);

    cancel.cancel();
    server.await.unwrap().unwrap();
}
