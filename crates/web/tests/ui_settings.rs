//! Account & Tools -> Mailboxes through the browser: add, edit, delete,
//! permissions, bad input, role checks, plan caps and read-only mailboxes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use ui_support::*;

const HOSTILE_SIG: &str = "<b>Hi</b> <i>there</i><script>alert(1)</script><img src=x onerror=alert(1)>\
    <a href=\"javascript:alert(1)\">bad</a><a href=\"https://example.com/\">good</a><ul><li>one</li></ul>";

fn mailbox_fields<'a>(name: &'a str, address: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("name", name), ("direct_address", address)]
}

async fn add_edit_delete(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;

    let (status, body) = b.page("/settings/mailboxes").await;
    assert_eq!(status, 200);
    assert!(body.contains("class=\"dialog\""), "{body}");
    assert!(body.contains("0 of 10 mailboxes on the Standard plan"));
    for tab in ["Mailboxes</a>", "Users</a>", "Account Options</a>"] {
        assert!(body.contains(tab), "tab {tab}");
    }
    let res = b.get("/settings").await;
    assert_eq!(location(&res), "/settings/mailboxes");

    let (status, body) = b.page("/settings/mailboxes/new").await;
    assert_eq!(status, 200);
    assert!(body.contains("form=\"mailbox-form\""), "Save at the top");
    assert!(body.contains("redirect mail from that address"));

    let res = b
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields("Sales", "sales@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.ends_with("?notice=mailbox-created"), "{to}");
    let id = id_after(&to, "/settings/mailboxes/");
    let (status, body) = b.page(&to).await;
    assert_eq!(status, 200);
    assert!(body.contains("The mailbox was added"));
    assert_eq!(input_value(&body, "direct_address"), "sales@in.example.com");
    assert_eq!(input_value(&body, "send_as_name"), "Sales");
    assert!(body.contains("1 of 10 mailboxes on the Standard plan"));

    let path = format!("/settings/mailboxes/{id}");
    let res = b
        .post(
            &path,
            &[
                ("name", "Sales EU"),
                ("direct_address", "sales-eu@in.example.com"),
                ("send_as_name", "Acme Sales"),
                ("send_as_address", "sales@acme.example"),
                ("signature_html", HOSTILE_SIG),
                ("auto_bcc", "archive@acme.example,\nboss@acme.example"),
                ("permissions_shown", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{path}?notice=saved"));
    let m = mailbox_record(&t, &acc, id).await;
    assert_eq!(m.name, "Sales EU");
    assert_eq!(m.send_as_address.as_str(), "sales@acme.example");
    assert_eq!(m.auto_bcc.len(), 2);
    assert!(m.signature_html.contains("<b>Hi</b>"));
    assert!(m.signature_html.contains("<ul><li>one</li></ul>"));
    assert!(m.signature_html.contains("https://example.com/"));
    for bad in ["script", "onerror", "javascript:"] {
        assert!(
            !m.signature_html.contains(bad),
            "{bad} kept: {}",
            m.signature_html
        );
    }
    let (_, body) = b.page(&path).await;
    let at = body.find("name=\"signature_html\"").unwrap();
    assert!(
        body[at..].contains(&escaped("<b>Hi</b>")),
        "signature shown as text: {}",
        &body[at..at + 300]
    );
    assert!(body.contains("data-rich-editor"));
    assert!(body.contains("data-cmd=\"createLink\""));
    hostile_markers_absent(&body);

    let (status, body) = b.page(&format!("{path}/delete")).await;
    assert_eq!(status, 200);
    assert!(body.contains("removes the mailbox"), "{body}");
    assert!(body.contains("every conversation filed in it"));
    assert!(body.contains(&escaped("can't be undone")));
    let res = b.post(&format!("{path}/delete"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/mailboxes?notice=mailbox-deleted");
    assert!(mailbox_names(&t, &acc).await.is_empty());
    assert_eq!(b.page(&path).await.0, 404);
}

async fn bad_mailbox_input(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let other = t.account("standard", "oscar@other.example").await;
    let b = t.signed_in(&acc.owner_email).await;

    let res = b
        .post(
            "/settings/mailboxes/new",
            &[("name", ""), ("direct_address", "nope"), ("auto_bcc", "x")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Please correct the fields marked below"));
    assert!(body.contains("id=\"name-error\""));
    assert!(body.contains("id=\"direct_address-error\""));
    assert!(body.contains("id=\"auto_bcc-error\""));
    assert_eq!(input_value(&body, "direct_address"), "nope", "input kept");

    let long = "x".repeat(101);
    let res = b
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields(&long, "a@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("too long"));

    let huge_sig = format!("<p>{}</p>", "y".repeat(25_000));
    let res = b
        .post(
            "/settings/mailboxes/new",
            &[
                ("name", "Big"),
                ("direct_address", "big@in.example.com"),
                ("signature_html", &huge_sig),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("signature is too long"));

    let res = b
        .post(
            "/settings/mailboxes/new",
            &[
                ("name", "Perms"),
                ("direct_address", "perms@in.example.com"),
                ("permissions_shown", "1"),
                ("permitted", "abc"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("permission list could not be read")
    );

    let stranger = other.owner_id.to_string();
    let res = b
        .post(
            "/settings/mailboxes/new",
            &[
                ("name", "Perms"),
                ("direct_address", "perms@in.example.com"),
                ("permissions_shown", "1"),
                ("permitted", &stranger),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("not a user of this account")
    );
    assert!(
        mailbox_names(&t, &acc).await.is_empty(),
        "nothing half-written"
    );

    // Hostile names are kept as text and shown escaped.
    let res = b
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields("<script>alert(1)</script>", "x@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = id_after(&location(&res), "/settings/mailboxes/");
    for page in [
        "/settings/mailboxes".to_string(),
        format!("/settings/mailboxes/{id}"),
        "/".into(),
    ] {
        let (status, body) = b.page(&page).await;
        assert_eq!(status, 200);
        assert!(
            body.contains(&escaped("<script>alert(1)</script>")),
            "{page}"
        );
        hostile_markers_absent(&body);
    }
    let res = b
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields("<img src=x onerror=alert(1)>", "y@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = b.page("/settings/mailboxes").await;
    hostile_markers_absent(&body);

    // An address another mailbox has: refused, and the edit changes nothing.
    let path = format!("/settings/mailboxes/{id}");
    let res = b
        .post(
            &path,
            &[
                ("name", "Renamed"),
                ("direct_address", "y@in.example.com"),
                ("signature_html", "<b>kept?</b>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("already used by another mailbox"), "{body}");
    assert_eq!(input_value(&body, "name"), "Renamed", "input kept");
    let m = mailbox_record(&t, &acc, id).await;
    assert_eq!(m.name, "<script>alert(1)</script>");
    assert_eq!(m.signature_html, "");

    // A hostile signature on a refused form comes back cleaned.
    let res = b
        .post(
            &path,
            &[
                ("name", ""),
                ("direct_address", "x@in.example.com"),
                ("signature_html", HOSTILE_SIG),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    let at = body.find("name=\"signature_html\"").unwrap();
    let area = &body[at..at + body[at..].find("</textarea>").unwrap()];
    assert!(area.contains(&escaped("<b>Hi</b>")), "{area}");
    for bad in ["onerror", "script", "javascript"] {
        assert!(!area.contains(bad), "{bad} in {area}");
    }

    assert_eq!(b.page("/settings/mailboxes/abc").await.0, 404);
    assert_eq!(b.page("/settings/mailboxes/999999").await.0, 404);
}

async fn permissions(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let admin = new_user(&t, &acc, "Adam Admin", "adam@example.com", "administrator").await;
    let agent = new_user(&t, &acc, "Ursula User", "ursula@example.com", "user").await;
    let id = new_mailbox(&t, &acc, "Billing", "billing@in.example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let u = t.signed_in("ursula@example.com").await;
    let path = format!("/settings/mailboxes/{id}");

    let (_, body) = b.page(&path).await;
    assert!(body.contains("<strong class=\"admin-name\">Adam Admin</strong>"));
    assert!(body.contains("always included"));
    let admin_box = format!("value=\"{admin}\" checked disabled");
    assert!(
        body.contains(&admin_box),
        "administrators checked and locked"
    );
    let agent_box = format!("value=\"{agent}\"  >");
    assert!(body.contains(&agent_box), "user unchecked: {body}");
    assert_eq!(u.page(&format!("/mailboxes/{id}")).await.0, 404);

    let agent_s = agent.to_string();
    let base = [
        ("name", "Billing"),
        ("direct_address", "billing@in.example.com"),
        ("permissions_shown", "1"),
    ];
    let mut with_agent = base.to_vec();
    with_agent.push(("permitted", &agent_s));
    let res = b.post(&path, &with_agent).await;
    assert_eq!(res.status(), 303);
    assert_eq!(u.page(&format!("/mailboxes/{id}")).await.0, 200);
    // A user who sees the mailbox still may not administer it.
    assert_eq!(u.page(&path).await.0, 403);

    let res = b.post(&path, &base).await;
    assert_eq!(res.status(), 303);
    assert_eq!(u.page(&format!("/mailboxes/{id}")).await.0, 404);
    let owner = actor_of(&t, acc.owner_id).await;
    let detail = t
        .app
        .mailbox_detail(&owner, ecp_domain::MailboxId(id))
        .await
        .unwrap();
    assert!(detail.permitted_users.contains(&ecp_domain::UserId(admin)));
    assert!(!detail.permitted_users.contains(&ecp_domain::UserId(agent)));

    let free = t.account("free", "fred@free.example").await;
    let fid = new_mailbox(&t, &free, "Only", "only@in.example.com").await;
    let fb = t.signed_in("fred@free.example").await;
    let (_, body) = fb.page(&format!("/settings/mailboxes/{fid}")).await;
    assert!(body.contains("On the Free plan every user sees every mailbox"));
    assert!(!body.contains("name=\"permitted\""));
}

async fn role_checks(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    new_user(&t, &acc, "Adam Admin", "adam@example.com", "administrator").await;
    new_user(&t, &acc, "Ursula User", "ursula@example.com", "user").await;
    let hidden = new_mailbox(&t, &acc, "Secret", "secret@in.example.com").await;
    let u = t.signed_in("ursula@example.com").await;
    let a = t.signed_in("adam@example.com").await;

    for path in [
        "/settings/mailboxes",
        "/settings/users",
        "/settings/options",
        "/settings/mailboxes/new",
        "/settings/users/new",
    ] {
        let (status, body) = u.page(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("Ask"), "{path} says what to do: {body}");
    }
    let (_, home) = u.page("/").await;
    assert!(!home.contains("Account &amp; Tools"));
    assert!(home.contains("href=\"/preferences\""));
    for path in [
        format!("/settings/mailboxes/{hidden}"),
        format!("/settings/mailboxes/{hidden}/delete"),
    ] {
        let (status, body) = u.page(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("Secret"));
    }
    let res = u
        .post(
            &format!("/settings/mailboxes/{hidden}"),
            &mailbox_fields("Mine", "m@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = u
        .post(&format!("/settings/mailboxes/{hidden}/delete"), &[])
        .await;
    assert_eq!(res.status(), 404);
    let res = u
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields("Mine", "m@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(mailbox_names(&t, &acc).await, vec!["Secret"]);

    let (status, body) = a.page("/settings/mailboxes").await;
    assert_eq!(status, 200);
    assert!(
        !body.contains("Account Options</a>"),
        "admins don't see the owner's tab"
    );
    assert_eq!(a.page("/settings/options").await.0, 403);
    let res = a
        .post(
            "/settings/options",
            &[("time_zone", "UTC"), ("spam_threshold", "5")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = a
        .post("/settings/options/plan", &[("plan", "premium")])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(account_record(&t, &acc).await.plan.as_str(), "standard");
}

async fn caps_and_read_only(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    for (name, addr) in [("One", "one@in.example.com"), ("Two", "two@in.example.com")] {
        let res = b
            .post("/settings/mailboxes/new", &mailbox_fields(name, addr))
            .await;
        assert_eq!(res.status(), 303);
    }
    let (_, body) = b.page("/settings/mailboxes").await;
    assert!(body.contains("2 of 2 mailboxes on the Free plan"), "{body}");
    assert!(body.contains("The Free plan allows at most 2 mailboxes"));
    assert!(
        !body.contains("href=\"/settings/mailboxes/new\""),
        "no Add link at the cap"
    );
    let res = b
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields("Three", "three@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The Free plan allows at most 2 mailboxes")
    );
    assert_eq!(mailbox_names(&t, &acc).await.len(), 2);

    let res = b
        .post("/settings/options/plan", &[("plan", "standard")])
        .await;
    assert_eq!(res.status(), 303);
    let b = t.signed_in(&acc.owner_email).await;
    let res = b
        .post(
            "/settings/mailboxes/new",
            &mailbox_fields("Three", "three@in.example.com"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let third = id_after(&location(&res), "/settings/mailboxes/");
    let res = b.post("/settings/options/plan", &[("plan", "free")]).await;
    assert_eq!(res.status(), 303);

    let (_, body) = b.page("/settings/mailboxes").await;
    assert!(body.contains("3 of 2 mailboxes on the Free plan"));
    assert!(body.contains("read-only: \u{201c}Three\u{201d}"), "{body}");
    assert!(body.contains("Delete mailboxes you no longer need"));
    let path = format!("/settings/mailboxes/{third}");
    let (_, body) = b.page(&path).await;
    assert!(body.contains("This mailbox is read-only"));
    assert!(
        !body.contains("id=\"dialog-save\""),
        "no Save on a read-only mailbox"
    );
    let res = b
        .post(&path, &mailbox_fields("Changed", "three@in.example.com"))
        .await;
    assert_eq!(res.status(), 403);
    let text = res.text().await.unwrap();
    assert!(text.contains("read-only"), "{text}");
    assert!(text.contains("Free plan"));
    assert_eq!(mailbox_record(&t, &acc, third).await.name, "Three");
    let (_, opts) = b.page("/settings/options").await;
    assert!(opts.contains("id=\"mailboxes-read-only\""));

    let res = b.post(&format!("{path}/delete"), &[]).await;
    assert_eq!(
        res.status(),
        303,
        "deleting is how to get back under the cap"
    );
    let (_, body) = b.page("/settings/mailboxes").await;
    assert!(!body.contains("id=\"read-only-note\""));
}

on_both!(
    add_edit_delete,
    bad_mailbox_input,
    permissions,
    role_checks,
    caps_and_read_only
);
