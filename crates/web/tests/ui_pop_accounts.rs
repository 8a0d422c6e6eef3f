//! Connected POP accounts in the mailbox editor, through the browser: add,
//! edit, delete, Test connection against a real Dovecot, Fetch now, the
//! ledger, the Free plan's SSL rule, the SSL option, read-only mailboxes,
//! who may see what, and bad input on every field. The password never
//! comes back in any page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod pop_support;
mod ui_support;

use common::*;
use ecp_domain::{MailboxId, UserId};
use ecp_testkit::db::Kind;
use ecp_testkit::dovecot::Dovecot;
use pop_support::*;
use ui_support::*;

/// The form's fields for the offline tests (nothing listens there).
fn fields<'a>(name: &'a str, port: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("active", "1"),
        ("name", name),
        ("host", "pop.example.com"),
        ("port", port),
        ("username", "sales@example.com"),
        ("password", SECRET),
        ("use_ssl", "1"),
    ]
}

/// The fields for the test Dovecot; `use_ssl` picks its pop3s port.
fn dovecot_fields(server: &Dovecot, use_ssl: bool) -> Vec<(&'static str, String)> {
    let port = if use_ssl {
        server.pop3s_port.unwrap()
    } else {
        server.pop3_port
    };
    let mut f = vec![
        ("active", "1".to_string()),
        ("name", "Sales".to_string()),
        ("host", "127.0.0.1".to_string()),
        ("port", port.to_string()),
        ("username", server.user().to_string()),
        ("password", server.password().to_string()),
    ];
    if use_ssl {
        f.push(("use_ssl", "1".to_string()));
    }
    f
}

fn borrow<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn set(f: &mut Vec<(&'static str, String)>, key: &'static str, value: &str) {
    f.retain(|(k, _)| *k != key);
    f.push((key, value.to_string()));
}

/// Sends the form and returns the status and the page, which must not
/// contain the password whatever happened.
async fn post_page(b: &Browser, path: &str, f: &[(&str, &str)], secret: &str) -> (u16, String) {
    let res = b.post(path, f).await;
    let status = res.status().as_u16();
    let loc = location(&res);
    let body = res.text().await.unwrap();
    assert!(!body.contains(secret), "the password came back from {path}");
    if status == 303 {
        let (s, page) = b.page(&loc).await;
        assert!(!page.contains(secret), "the password is on {loc}");
        return (s, page);
    }
    (status, body)
}

async fn page_without(b: &Browser, path: &str, secret: &str) -> String {
    let (status, body) = b.page(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert!(!body.contains(secret), "the password is on {path}");
    body
}

async fn pop_ids(t: &TestApp, acc: &Account, mailbox: i64) -> Vec<i64> {
    let owner = actor_of(t, acc.owner_id).await;
    t.app
        .pop_accounts(&owner, MailboxId(mailbox))
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id.0)
        .collect()
}

async fn add_edit_delete(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let editor = format!("/settings/mailboxes/{mb}");

    let body = page_without(&b, &editor, SECRET).await;
    assert!(body.contains("Connected POP accounts"), "{body}");
    assert!(body.contains("id=\"pop-none\""));
    let new = format!("{editor}/pop-accounts/new");
    assert!(body.contains(&format!("href=\"{new}\"")), "Add POP account");
    let (_, adding) = b.page("/settings/mailboxes/new").await;
    assert!(adding.contains("id=\"pop-after-save\""));

    // The seeds' fields, each explained; the password never pre-filled.
    let form = page_without(&b, &new, SECRET).await;
    for label in [
        "> Active</label>",
        "POP Account: a name",
        "POP Server:",
        "POP Username:",
        "for=\"password\">Password",
        "for=\"port\">Port",
        "> Use SSL</label>",
        "> Copy Mail</label>",
    ] {
        assert!(form.contains(label), "{label} on the form");
    }
    assert!(form.contains("messages are removed from the server once they are safely"));
    assert!(form.contains("id=\"active\" name=\"active\" value=\"1\" checked"));
    assert!(!form.contains("name=\"copy_mail\" value=\"1\" checked"));
    assert!(form.contains("form=\"pop-form\""), "Save at the top");

    let (status, page) = post_page(&b, &new, &fields("Sales POP", ""), SECRET).await;
    assert_eq!(status, 200);
    assert!(page.contains("The POP account was added"), "{page}");
    let ids = pop_ids(&t, &acc, mb).await;
    assert_eq!(ids.len(), 1);
    let id = ids[0];
    assert!(page.contains(&format!("id=\"pop-{id}\"")));
    assert!(page.contains("Sales POP"));
    assert!(
        page.contains("pop.example.com:995"),
        "Use SSL's default port"
    );
    assert!(page.contains("Last success: never"));
    assert!(page.contains("Messages fetched: 0"));
    assert!(page.contains("The server has not been checked yet."));
    assert!(page.contains("messages are removed from the server once fetched"));

    let edit = format!("{editor}/pop-accounts/{id}");
    let form = page_without(&b, &edit, SECRET).await;
    assert_eq!(input_value(&form, "password"), "");
    assert_eq!(input_value(&form, "name"), "Sales POP");
    assert_eq!(input_value(&form, "port"), "995");
    assert!(form.contains("Leave it empty to keep the stored password"));
    assert!(form.contains("id=\"pop-ledger-summary\""));

    // Saved with the password left empty: the stored one stays (the Dovecot
    // test logs in with it afterwards).
    let mut changed = fields("Sales EU", "1995");
    changed.retain(|(k, _)| *k != "password" && *k != "use_ssl");
    changed.push(("copy_mail", "1"));
    let res = b.post(&edit, &changed).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("{editor}?notice=pop-saved#pop-{id}")
    );
    let page = page_without(&b, &editor, SECRET).await;
    assert!(page.contains("Sales EU") && page.contains("pop.example.com:1995"));
    assert!(page.contains("copies are left on the server"));
    assert!(page.contains("STLS when the server offers it"));

    let second = post_page(&b, &new, &fields("Second", "110"), SECRET).await;
    assert_eq!(second.0, 200);
    assert_eq!(
        pop_ids(&t, &acc, mb).await.len(),
        2,
        "any number per mailbox"
    );

    let del = format!("{edit}/delete");
    let list = page_without(&b, &editor, SECRET).await;
    assert!(list.contains(&format!("action=\"{del}\"")));
    assert!(list.contains("data-confirm=\"Remove the POP account Sales EU?"));
    let res = b.post(&del, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("notice=pop-deleted"));
    assert_eq!(pop_ids(&t, &acc, mb).await.len(), 1);
    let (status, _) = b.page(&edit).await;
    assert_eq!(status, 404);

    // Without the form token nothing happens.
    let res = b.post_raw(&new, &fields("No token", "")).await;
    assert_eq!(res.status(), 403);
    assert_eq!(pop_ids(&t, &acc, mb).await.len(), 1);
}

async fn bad_input_on_every_field(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let new = format!("/settings/mailboxes/{mb}/pop-accounts/new");
    let long_name = "n".repeat(101);
    let long_host = format!("{}.example.com", "h".repeat(250));
    let long_user = "u".repeat(255);
    let long_password = "p".repeat(1025);
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        ("name", "", "name-error", "POP account name"),
        ("name", &long_name, "name-error", "POP account name"),
        ("name", "two\nlines", "name-error", "POP account name"),
        ("host", "", "host-error", "POP server"),
        (
            "host",
            "pop3://pop.example.com",
            "host-error",
            "server name such as",
        ),
        (
            "host",
            "pop example com",
            "host-error",
            "server name such as",
        ),
        (
            "host",
            "pop.example.com:995",
            "host-error",
            "without spaces",
        ),
        ("host", &long_host, "host-error", "POP server"),
        ("username", "", "username-error", "POP username"),
        ("username", &long_user, "username-error", "POP username"),
        ("password", "", "password-error", "password is required"),
        ("password", &long_password, "password-error", "too long"),
        ("password", "a\r\nDELE 1", "password-error", "line breaks"),
        ("port", "0", "port-error", "from 1 to 65535"),
        ("port", "70000", "port-error", "from 1 to 65535"),
        ("port", "abc", "port-error", "from 1 to 65535"),
        ("port", "-5", "port-error", "from 1 to 65535"),
    ];
    for (field, value, error_id, text) in cases {
        let mut f = fields("Sales POP", "");
        f.retain(|(k, _)| *k != field);
        f.push((field, value));
        let res = b.post(&new, &f).await;
        assert_eq!(res.status(), 422, "{field}={value:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!("id=\"{error_id}\"")),
            "{field}={value:?}: {body}"
        );
        assert!(body.contains(text), "{field}={value:?}: {text}");
        assert!(body.contains("id=\"form-invalid\""));
        assert!(!body.contains(SECRET), "the password came back");
        assert_eq!(input_value(&body, "password"), "");
    }
    assert!(
        pop_ids(&t, &acc, mb).await.is_empty(),
        "nothing was written"
    );

    // A field sent twice is a broken form, not a guess.
    let mut twice = fields("Sales POP", "");
    twice.push(("port", "110"));
    let res = b.post(&new, &twice).await;
    assert_eq!(res.status(), 400);
    // The test button's account must be one of this mailbox's.
    let test = format!("/settings/mailboxes/{mb}/pop-accounts/test");
    let mut foreign = fields("Sales POP", "");
    foreign.push(("account", "abc"));
    assert_eq!(b.post(&test, &foreign).await.status(), 404);
    let mut foreign = fields("Sales POP", "");
    foreign.push(("account", "999999"));
    assert_eq!(b.post(&test, &foreign).await.status(), 404);
    for path in [
        format!("/settings/mailboxes/{mb}/pop-accounts/abc"),
        format!("/settings/mailboxes/{mb}/pop-accounts/999999"),
        "/settings/mailboxes/abc/pop-accounts/new".to_string(),
    ] {
        assert_eq!(b.page(&path).await.0, 404, "{path}");
    }

    // Hostile HTML in the name is stored as text and shown escaped.
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(1)>";
    let (status, page) = post_page(&b, &new, &fields(hostile, ""), SECRET).await;
    assert_eq!(status, 200);
    hostile_markers_absent(&page);
    assert!(page.contains(&escaped(hostile)), "{page}");
    let id = pop_ids(&t, &acc, mb).await[0];
    let (_, form) = b
        .page(&format!("/settings/mailboxes/{mb}/pop-accounts/{id}"))
        .await;
    hostile_markers_absent(&form);
    assert!(form.contains(&escaped(hostile)));
}

async fn test_connection_and_fetch_now(kind: Kind) {
    let server = Dovecot::start().unwrap();
    server.add_messages(3).unwrap();
    let t = spawn_pop(kind, Some(&server)).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let editor = format!("/settings/mailboxes/{mb}");
    let test = format!("{editor}/pop-accounts/test");
    let pw = server.password().to_string();

    // Unsaved settings, as typed.
    let good = dovecot_fields(&server, true);
    let (status, page) = post_page(&b, &test, &borrow(&good), &pw).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Test connection succeeded."), "{page}");
    assert!(page.contains("over a secure connection (TLS)"));
    assert!(page.contains("3 messages are waiting on the server"));
    assert!(
        page.contains("id=\"password-retype\""),
        "asks to type it again"
    );
    assert_eq!(input_value(&page, "host"), "127.0.0.1");
    let stls = dovecot_fields(&server, false);
    let (_, page) = post_page(&b, &test, &borrow(&stls), &pw).await;
    assert!(page.contains("Test connection succeeded."), "STLS: {page}");

    let mut wrong = dovecot_fields(&server, true);
    set(&mut wrong, "password", "not the password");
    let (status, page) = post_page(&b, &test, &borrow(&wrong), "not the password").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Test connection failed at the step &ldquo;Logging in&rdquo;"),
        "{page}"
    );
    assert!(page.contains("Logging in failed."), "{page}");

    let mut closed = dovecot_fields(&server, true);
    set(&mut closed, "port", &closed_port().to_string());
    let (_, page) = post_page(&b, &test, &borrow(&closed), &pw).await;
    assert!(
        page.contains("Connecting to the server (TCP) failed."),
        "{page}"
    );
    assert!(page.contains("refused the connection"), "{page}");

    let mut unknown = dovecot_fields(&server, true);
    set(&mut unknown, "host", "no-such-host.invalid");
    let (_, page) = post_page(&b, &test, &borrow(&unknown), &pw).await;
    assert!(page.contains("Finding the server (DNS) failed."), "{page}");

    let mut mismatch = dovecot_fields(&server, true);
    set(&mut mismatch, "port", &server.pop3_port.to_string());
    let (_, page) = post_page(&b, &test, &borrow(&mismatch), &pw).await;
    assert!(
        page.contains("Setting up the secure connection (TLS) failed."),
        "{page}"
    );

    // Saved, then tested from the list with the stored password.
    let (status, _) = post_page(
        &b,
        &format!("{editor}/pop-accounts/new"),
        &borrow(&good),
        &pw,
    )
    .await;
    assert_eq!(status, 200);
    let id = pop_ids(&t, &acc, mb).await[0];
    let row_test = format!("{editor}/pop-accounts/{id}/test");
    let (status, page) = post_page(&b, &row_test, &[], &pw).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("id=\"pop-{id}-test\"")), "{page}");
    assert!(page.contains("Test connection succeeded."), "{page}");

    // Edited with the password left empty: the stored one still logs in,
    // also from the edit form's own Test connection.
    let mut keep = dovecot_fields(&server, true);
    set(&mut keep, "password", "");
    set(&mut keep, "name", "Sales (Dovecot)");
    let edit = format!("{editor}/pop-accounts/{id}");
    assert_eq!(b.post(&edit, &borrow(&keep)).await.status(), 303);
    let (_, page) = post_page(&b, &row_test, &[], &pw).await;
    assert!(page.contains("Test connection succeeded."), "{page}");
    set(&mut keep, "account", &id.to_string());
    let (_, page) = post_page(&b, &test, &borrow(&keep), &pw).await;
    assert!(page.contains("Test connection succeeded."), "{page}");
    assert!(!page.contains("id=\"password-retype\""));
    assert_eq!(
        server.message_count().unwrap(),
        3,
        "testing fetches nothing"
    );

    // Fetch now; the workers don't run in tests, so run one poll here.
    let res = b.post(&format!("{edit}/fetch"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("{editor}?notice=pop-fetch#pop-{id}")
    );
    let summary = t.app.poll_due_pop_accounts().await.unwrap();
    assert_eq!(summary.messages, 3, "{summary:?}");
    assert_eq!(server.message_count().unwrap(), 0, "Copy mail off: deleted");

    let (_, inbox) = b.page(&format!("/mailboxes/{mb}")).await;
    for i in 0..3 {
        assert!(inbox.contains(&format!("Test message {i}")), "{inbox}");
    }
    let page = page_without(&b, &format!("{editor}?notice=pop-fetch"), &pw).await;
    assert!(page.contains("will be checked within a few seconds"));
    assert!(page.contains("Messages fetched: 3"), "{page}");
    assert!(!page.contains("Last success: never"));
    assert!(
        page.contains("Taken in so far: 3 messages (3 filed); 3 removed from the server since."),
        "{page}"
    );
    let form = page_without(&b, &edit, &pw).await;
    assert_eq!(
        form.matches("<td class=\"small\">filed</td>").count(),
        3,
        "{form}"
    );
    assert!(form.contains("removed "));

    let owner = actor_of(&t, acc.owner_id).await;
    let ledger = t
        .app
        .pop_ledger(&owner, MailboxId(mb), ecp_app::pop::PopAccountId(id))
        .await
        .unwrap();
    assert_eq!((ledger.taken_in, ledger.filed), (3, 3));
}

async fn ssl_option_refuses_plain_servers(kind: Kind) {
    let server = Dovecot::start_without_tls().unwrap();
    let t = spawn_pop(kind, Some(&server)).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let test = format!("/settings/mailboxes/{mb}/pop-accounts/test");
    let plain = dovecot_fields(&server, false);
    let (_, page) = post_page(&b, &test, &borrow(&plain), server.password()).await;
    assert!(page.contains("Test connection succeeded."), "{page}");
    assert!(page.contains("without encryption"), "{page}");

    // Account Options -> SSL (its form is tested with the options page).
    let owner = actor_of(&t, acc.owner_id).await;
    let patch = ecp_app::account::OptionsPatch {
        ssl_required: Some(true),
        ..Default::default()
    };
    t.app.update_options(&owner, &patch).await.unwrap();
    let (_, page) = post_page(&b, &test, &borrow(&plain), server.password()).await;
    assert!(
        page.contains("Setting up the secure connection (TLS) failed."),
        "{page}"
    );
    assert!(page.contains("requires SSL for all its mail"), "{page}");
    assert!(
        page.contains("does not offer a secure connection"),
        "{page}"
    );
}

async fn free_plan_has_no_ssl(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let acc = t.account("free", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let new = format!("/settings/mailboxes/{mb}/pop-accounts/new");
    let form = page_without(&b, &new, SECRET).await;
    assert!(!form.contains("name=\"use_ssl\""), "Use SSL not offered");
    assert!(form.contains("id=\"ssl-not-offered\""));
    assert!(form.contains("Use SSL is not available on the Free plan"));

    // Forced through the form anyway.
    let res = b.post(&new, &fields("Sales POP", "")).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"use_ssl-error\""), "{body}");
    assert!(body.contains("not available on the Free plan"));
    let res = b
        .post(
            &format!("/settings/mailboxes/{mb}/pop-accounts/test"),
            &fields("Sales POP", ""),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(pop_ids(&t, &acc, mb).await.is_empty());

    let mut plain = fields("Sales POP", "");
    plain.retain(|(k, _)| *k != "use_ssl");
    let (status, page) = post_page(&b, &new, &plain, SECRET).await;
    assert_eq!(status, 200);
    assert!(page.contains("pop.example.com:110"), "{page}");
    let id = pop_ids(&t, &acc, mb).await[0];
    let res = b
        .post(
            &format!("/settings/mailboxes/{mb}/pop-accounts/{id}"),
            &fields("Sales POP", ""),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("not available on the Free plan")
    );
}

async fn read_only_mailbox(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let acc = t.account("standard", "olivia@example.com").await;
    for (name, addr) in [("One", "one@in.example.com"), ("Two", "two@in.example.com")] {
        new_mailbox(&t, &acc, name, addr).await;
    }
    let third = new_mailbox(&t, &acc, "Three", "three@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let editor = format!("/settings/mailboxes/{third}");
    let mut plain = fields("Sales POP", "");
    plain.retain(|(k, _)| *k != "use_ssl");
    let res = b.post(&format!("{editor}/pop-accounts/new"), &plain).await;
    assert_eq!(res.status(), 303);
    let id = pop_ids(&t, &acc, third).await[0];
    let res = b.post("/settings/options/plan", &[("plan", "free")]).await;
    assert_eq!(res.status(), 303);
    let b = t.signed_in(&acc.owner_email).await;

    let page = page_without(&b, &editor, SECRET).await;
    assert!(page.contains("id=\"pop-read-only\""), "{page}");
    assert!(page.contains("Sales POP"), "still listed");
    assert!(!page.contains("id=\"add-pop\""));
    assert!(!page.contains(&format!("{editor}/pop-accounts/{id}/fetch")));
    assert!(!page.contains(&format!("{editor}/pop-accounts/{id}/test")));
    let (status, form) = b.page(&format!("{editor}/pop-accounts/{id}")).await;
    assert_eq!(status, 200);
    assert!(form.contains("id=\"read-only-note\""));
    assert!(!form.contains("id=\"dialog-save\""));

    for path in [
        format!("{editor}/pop-accounts/new"),
        format!("{editor}/pop-accounts/{id}"),
    ] {
        let res = b.post(&path, &plain).await;
        assert_eq!(res.status(), 403, "{path}");
        let text = res.text().await.unwrap();
        assert!(text.contains("read-only"), "{text}");
    }
    assert_eq!(pop_ids(&t, &acc, third).await, [id]);
    // Removing is how an account gets back under its plan.
    let res = b
        .post(&format!("{editor}/pop-accounts/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(pop_ids(&t, &acc, third).await.is_empty());
}

async fn who_may_see(kind: Kind) {
    let t = spawn_pop(kind, None).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let owner = t.signed_in(&acc.owner_email).await;
    let mut plain = fields("Sales POP", "");
    plain.retain(|(k, _)| *k != "use_ssl");
    let editor = format!("/settings/mailboxes/{mb}");
    let res = owner
        .post(&format!("{editor}/pop-accounts/new"), &plain)
        .await;
    assert_eq!(res.status(), 303);
    let id = pop_ids(&t, &acc, mb).await[0];

    let uma = new_user(&t, &acc, "Uma User", "uma@example.com", "user").await;
    let other = t.account("standard", "oscar@example.com").await;
    let outsider = t.signed_in(&other.owner_email).await;
    let b = t.signed_in("uma@example.com").await;
    let gets = [
        format!("{editor}/pop-accounts/new"),
        format!("{editor}/pop-accounts/{id}"),
    ];
    let posts = [
        format!("{editor}/pop-accounts/new"),
        format!("{editor}/pop-accounts/test"),
        format!("{editor}/pop-accounts/{id}"),
        format!("{editor}/pop-accounts/{id}/test"),
        format!("{editor}/pop-accounts/{id}/fetch"),
        format!("{editor}/pop-accounts/{id}/delete"),
    ];
    // Not permitted on the mailbox, or from another account: not found.
    for who in [&b, &outsider] {
        for path in &gets {
            let (status, body) = who.page(path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!body.contains("Sales POP"));
        }
        for path in &posts {
            let res = who.post(path, &plain).await;
            assert_eq!(res.status(), 404, "{path}");
        }
    }
    // Permitted but not an administrator: forbidden, told why.
    let owner_actor = actor_of(&t, acc.owner_id).await;
    t.app
        .set_mailbox_permissions(&owner_actor, MailboxId(mb), &[UserId(uma)])
        .await
        .unwrap();
    for path in &gets {
        assert_eq!(b.page(path).await.0, 403, "{path}");
    }
    for path in &posts {
        let res = b.post(path, &plain).await;
        assert_eq!(res.status(), 403, "{path}");
        assert!(!res.text().await.unwrap().contains("pop.example.com"));
    }
    assert_eq!(pop_ids(&t, &acc, mb).await, [id], "nothing changed");
}

on_both!(
    add_edit_delete,
    bad_input_on_every_field,
    test_connection_and_fetch_now,
    ssl_option_refuses_plain_servers,
    free_plan_has_no_ssl,
    read_only_mailbox,
    who_may_see,
);
