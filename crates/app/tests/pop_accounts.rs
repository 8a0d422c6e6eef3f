//! POP account settings and "Test connection", on both databases: who may
//! see and change them, the plan's SSL rule, passwords never shown and
//! stored sealed, and failures told apart by step.
#![allow(clippy::unwrap_used)]

mod pop_common;

use ecp_app::AppError;
use ecp_app::account::OptionsPatch;
use ecp_app::pop::{PopAccountId, TestStep};
use ecp_app::secret_box::{Purpose, SecretBox};
use ecp_app::users::NewUserInput;
use ecp_domain::{MailboxId, MailboxInput};
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;
use ecp_testkit::dovecot::Dovecot;
use pop_common::*;

both_backends!(
    settings_round_trip_without_the_password,
    only_admins_of_visible_mailboxes,
    free_plan_has_no_ssl,
    test_connection_tells_failures_apart,
    test_connection_with_the_ssl_option,
);

fn offline_form() -> Form {
    Form {
        active: true,
        name: "Sales".into(),
        host: "pop.example.com".into(),
        port: String::new(),
        username: "sales@example.com".into(),
        password: "s3cret pass".into(),
        use_ssl: true,
        copy_mail: false,
    }
}

async fn settings_round_trip_without_the_password(t: TestDb) {
    let fx = fixture(t, "standard", None).await;
    let f = offline_form();
    let created = add(&fx, &f).await;
    assert_eq!((created.port, created.use_ssl), (995, true));
    assert!(created.active && !created.failing && created.last_success_at.is_none());
    let json = serde_json::to_string(&created).unwrap();
    assert!(
        !json.contains("s3cret") && !json.contains("password"),
        "{json}"
    );

    // Sealed at rest, and opens with the server's key.
    let stored: String = {
        let mut c = fx.app.db().read().await.unwrap();
        sqlx::query_scalar("SELECT password_enc FROM pop_accounts WHERE id = $1")
            .bind(created.id.0)
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert!(!stored.contains("s3cret"));
    let sealer = SecretBox::new(&fx.key);
    assert_eq!(
        sealer.open(Purpose::PopPassword, &stored).unwrap(),
        "s3cret pass"
    );

    // Editing with an empty password keeps it; a new one replaces it.
    let mut edit = f.clone();
    edit.password = String::new();
    edit.name = "Sales EU".into();
    edit.port = "1995".into();
    edit.copy_mail = true;
    let updated = fx
        .app
        .update_pop_account(&fx.actor, fx.mailbox, created.id, &edit.input())
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.port, updated.copy_mail),
        ("Sales EU", 1995, true)
    );
    let again: String = {
        let mut c = fx.app.db().read().await.unwrap();
        sqlx::query_scalar("SELECT password_enc FROM pop_accounts WHERE id = $1")
            .bind(created.id.0)
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(again, stored);

    let second = add(&fx, &offline_form()).await;
    let list = fx.app.pop_accounts(&fx.actor, fx.mailbox).await.unwrap();
    assert_eq!(
        list.iter().map(|v| v.id).collect::<Vec<_>>(),
        [created.id, second.id]
    );

    let bad = Form {
        host: "pop3://x".into(),
        port: "0".into(),
        password: String::new(),
        ..offline_form()
    };
    let err = fx
        .app
        .create_pop_account(&fx.actor, fx.mailbox, &bad.input())
        .await
        .unwrap_err();
    let AppError::Validation(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["host", "port", "password"]);

    let soon = fx
        .app
        .fetch_pop_account_soon(&fx.actor, fx.mailbox, second.id)
        .await
        .unwrap();
    assert!(soon.next_poll_at <= jiff::Timestamp::now().as_millisecond());
    fx.app
        .delete_pop_account(&fx.actor, fx.mailbox, second.id)
        .await
        .unwrap();
    assert!(matches!(
        fx.app
            .pop_account(&fx.actor, fx.mailbox, second.id)
            .await
            .unwrap_err(),
        AppError::NotFound
    ));
}

async fn only_admins_of_visible_mailboxes(t: TestDb) {
    let fx = fixture(t, "standard", None).await;
    let acc = add(&fx, &offline_form()).await;
    let added = fx
        .app
        .add_user(
            &fx.actor,
            &NewUserInput {
                name: "Uma".into(),
                email: "uma@acme.example".into(),
                role: "user".into(),
                password: "correct horse battery".into(),
            },
        )
        .await
        .unwrap();
    let user = fx.app.actor(added.user.id).await.unwrap();
    // Uma is not listed on the mailbox: on a paid plan she cannot see it.
    fx.app
        .set_mailbox_permissions(&fx.actor, fx.mailbox, &[])
        .await
        .unwrap();
    let err = fx.app.pop_accounts(&user, fx.mailbox).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound), "{err:?}");
    fx.app
        .set_mailbox_permissions(&fx.actor, fx.mailbox, &[user.user_id])
        .await
        .unwrap();
    let err = fx.app.pop_accounts(&user, fx.mailbox).await.unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = fx
        .app
        .create_pop_account(&user, fx.mailbox, &offline_form().input())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = fx
        .app
        .delete_pop_account(&user, fx.mailbox, acc.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");

    // An account id through another mailbox, or an unknown one: NotFound.
    let other = fx
        .app
        .create_mailbox(
            &fx.actor,
            &MailboxInput {
                name: "Billing",
                direct_address: "billing@in.acme.example",
                ..Default::default()
            },
            &[],
        )
        .await
        .unwrap();
    let err = fx
        .app
        .pop_ledger(&fx.actor, other.mailbox.id, acc.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound), "{err:?}");
    let err = fx
        .app
        .pop_account(&fx.actor, fx.mailbox, PopAccountId(999_999))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound), "{err:?}");
    let err = fx
        .app
        .pop_accounts(&fx.actor, MailboxId(999_999))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound), "{err:?}");
}

async fn free_plan_has_no_ssl(t: TestDb) {
    let fx = fixture(t, "free", None).await;
    let err = fx
        .app
        .create_pop_account(&fx.actor, fx.mailbox, &offline_form().input())
        .await
        .unwrap_err();
    let AppError::Validation(errors) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors[0].field, "use_ssl");
    assert!(errors[0].message.contains("Free plan"), "{err}");
    let test = fx
        .app
        .test_pop_connection(&fx.actor, fx.mailbox, &offline_form().input(), None)
        .await
        .unwrap_err();
    assert!(test.to_string().contains("Free plan"), "{test}");
    let mut plain = offline_form();
    plain.use_ssl = false;
    let created = add(&fx, &plain).await;
    assert_eq!((created.port, created.use_ssl), (110, false));
    plain.use_ssl = true;
    plain.password = String::new();
    let err = fx
        .app
        .update_pop_account(&fx.actor, fx.mailbox, created.id, &plain.input())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Free plan"), "{err}");
}

async fn test_connection_tells_failures_apart(t: TestDb) {
    let server = Dovecot::start().unwrap();
    let fx = fixture(t, "standard", Some(server.client_tls().unwrap())).await;
    server.add_messages(3).unwrap();
    let test = |f: Form| {
        let fx = &fx;
        async move {
            fx.app
                .test_pop_connection(&fx.actor, fx.mailbox, &f.input(), None)
                .await
                .unwrap()
        }
    };

    let ok = test(form(&server, true)).await;
    assert!(ok.ok && ok.secure, "{ok:?}");
    assert_eq!((ok.step, ok.messages_on_server), (TestStep::Done, Some(3)));
    assert!(
        ok.message.contains("3 messages are waiting"),
        "{}",
        ok.message
    );
    // Without Use SSL the plain port upgrades with STLS.
    let stls = test(form(&server, false)).await;
    assert!(stls.ok && stls.secure, "{stls:?}");

    let mut wrong = form(&server, true);
    wrong.password = "not it".into();
    let login = test(wrong).await;
    assert!(!login.ok);
    assert_eq!(
        (login.step, login.kind.as_str()),
        (TestStep::Login, "login")
    );
    assert!(
        login.message.starts_with("Logging in failed.")
            && login.message.contains("refused the username or password"),
        "{}",
        login.message
    );

    let mut unknown = form(&server, true);
    unknown.host = "no-such-host.invalid".into();
    let dns = test(unknown).await;
    assert_eq!(dns.step, TestStep::Dns, "{dns:?}");
    assert!(
        dns.message.contains("Finding the server (DNS)"),
        "{}",
        dns.message
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut refused = form(&server, true);
    refused.port = port.to_string();
    let tcp = test(refused).await;
    assert_eq!(
        (tcp.step, tcp.kind.as_str()),
        (TestStep::Tcp, "tcp"),
        "{tcp:?}"
    );
    assert!(
        tcp.message.contains("refused the connection"),
        "{}",
        tcp.message
    );

    // Use SSL on the plain port: the server does not speak TLS there.
    let mut mismatch = form(&server, true);
    mismatch.port = server.pop3_port.to_string();
    let tls = test(mismatch).await;
    assert_eq!(
        (tls.step, tls.kind.as_str()),
        (TestStep::Tls, "tls"),
        "{tls:?}"
    );

    // Testing a saved account with the password field left empty uses the
    // stored password.
    let saved = add(&fx, &form(&server, true)).await;
    let mut again = form(&server, true);
    again.password = String::new();
    let stored = fx
        .app
        .test_pop_connection(&fx.actor, fx.mailbox, &again.input(), Some(saved.id))
        .await
        .unwrap();
    assert!(stored.ok, "{stored:?}");
    // Nothing was fetched or deleted by any of this.
    assert_eq!(server.message_count().unwrap(), 3);
    assert_eq!(raw_count(&fx.app, fx.mailbox).await, 0);
}

async fn test_connection_with_the_ssl_option(t: TestDb) {
    let server = Dovecot::start_without_tls().unwrap();
    let fx = fixture(t, "standard", None).await;
    let plain = fx
        .app
        .test_pop_connection(&fx.actor, fx.mailbox, &form(&server, false).input(), None)
        .await
        .unwrap();
    assert!(plain.ok && !plain.secure, "{plain:?}");
    assert!(
        plain.message.contains("without encryption"),
        "{}",
        plain.message
    );

    fx.app
        .update_options(
            &fx.actor,
            &OptionsPatch {
                ssl_required: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let refused = fx
        .app
        .test_pop_connection(&fx.actor, fx.mailbox, &form(&server, false).input(), None)
        .await
        .unwrap();
    assert!(!refused.ok);
    assert_eq!(
        (refused.step, refused.kind.as_str()),
        (TestStep::Tls, "tls_unavailable")
    );
    assert!(
        refused
            .message
            .contains("does not offer a secure connection")
            && refused.message.contains("requires SSL"),
        "{}",
        refused.message
    );
}
