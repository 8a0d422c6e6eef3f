//! The mailbox editor's Auto Reply section through the browser: the seeds'
//! steps (create a template, check Use Autoresponder, choose it, save),
//! refused input, the loop breaker's notice and its button, and who may
//! change it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use ui_support::*;

async fn enable_refuse_stop_and_resume(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let mb = new_mailbox(&t, &acc, "Sales", "sales@in.example.com").await;
    let owner = actor_of(&t, acc.owner_id).await;
    let tpl = t
        .app
        .create_template(
            &owner,
            &ecp_app::templates::TemplateInput {
                name: "We got it",
                subject: "",
                body_html: "<p>Thanks {{ customer.name }}</p>",
            },
        )
        .await
        .unwrap()
        .id
        .0;
    let b = t.signed_in(&acc.owner_email).await;
    let editor = format!("/settings/mailboxes/{mb}");
    let action = format!("{editor}/auto-reply");

    let (status, page) = b.page(&editor).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"auto-reply\""), "{page}");
    assert!(page.contains("> Use Autoresponder</label>"));
    assert!(
        page.contains(&format!("<option value=\"{tpl}\" >We got it</option>")),
        "{page}"
    );
    assert!(!page.contains("id=\"auto-reply-stopped\""));

    // Checked without a template, then a period out of range: refused, said
    // why, nothing saved.
    let tpl_s = tpl.to_string();
    for (fields, code, words) in [
        (
            vec![
                ("enabled", "1"),
                ("template_id", ""),
                ("period_hours", "24"),
            ],
            "auto-reply-template",
            "choose the template",
        ),
        (
            vec![
                ("enabled", "1"),
                ("template_id", tpl_s.as_str()),
                ("period_hours", "0"),
            ],
            "auto-reply-period",
            "from 1 to 720",
        ),
    ] {
        let res = b.post(&action, &fields).await;
        assert_eq!(res.status(), 303);
        let to = location(&res);
        assert!(to.contains(code), "{to}");
        let (_, page) = b.page(&to).await;
        assert!(page.contains(words), "{page}");
    }
    let view = t
        .app
        .autoresponder(&owner, ecp_domain::MailboxId(mb))
        .await
        .unwrap();
    assert!(!view.settings.enabled);

    let res = b
        .post(
            &action,
            &[
                ("enabled", "1"),
                ("template_id", &tpl_s),
                ("period_hours", "12"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.page(&location(&res)).await;
    assert!(page.contains("Auto Reply was saved."), "{page}");
    assert!(page.contains("id=\"auto-reply-enabled\" checked"), "{page}");
    assert!(
        page.contains(&format!("<option value=\"{tpl}\" selected>")),
        "{page}"
    );
    assert!(page.contains("value=\"12\""), "{page}");

    // The loop breaker stopped it: a notice and a button to turn it on again.
    {
        let mut c = t.app.db().read().await.unwrap();
        let tripped =
            ecp_store::autoresponder::trip(&mut c, ecp_domain::MailboxId(mb), 1_772_445_600_000)
                .await
                .unwrap();
        assert!(tripped);
    }
    let (_, page) = b.page(&editor).await;
    assert!(page.contains("id=\"auto-reply-stopped\""), "{page}");
    assert!(page.contains("2026-03-02 10:00 UTC"), "{page}");
    assert!(page.contains("id=\"auto-reply-resume\""));
    let res = b
        .post(
            &action,
            &[
                ("enabled", "1"),
                ("template_id", &tpl_s),
                ("period_hours", "12"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.page(&editor).await;
    assert!(!page.contains("id=\"auto-reply-stopped\""), "{page}");

    // A user who is not an administrator may not change it.
    new_user(&t, &acc, "Uma", "uma@example.com", "user").await;
    let u = t.signed_in("uma@example.com").await;
    let res = u.post(&action, &[("template_id", &tpl_s)]).await;
    assert_eq!(res.status(), 403);
    let view = t
        .app
        .autoresponder(&owner, ecp_domain::MailboxId(mb))
        .await
        .unwrap();
    assert!(view.settings.enabled, "unchanged");
}

on_both!(enable_refuse_stop_and_resume);
