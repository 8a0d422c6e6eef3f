//! Account & Tools -> Account Options through the browser: the options,
//! bad values, the API switch and the plan, and handing over ownership.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use ui_support::*;

fn options<'a>(tz: &'a str, spam: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("time_zone", tz), ("spam_threshold", spam)]
}

async fn save_options(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let (status, body) = b.page("/settings/options").await;
    assert_eq!(status, 200);
    assert!(body.contains("form=\"options-form\""), "Save at the top");
    assert!(body.contains("Europe/Berlin\" selected"));
    assert!(body.contains("type=\"range\" id=\"spam_threshold\" name=\"spam_threshold\" min=\"1\" max=\"10\" step=\"1\" value=\"5\""));
    assert!(
        body.contains("name=\"api_enabled\" value=\"1\"  disabled"),
        "API off on Free"
    );
    assert!(body.contains(
        "The API is available on the Standard and Premium plans; this account is on the Free plan"
    ));
    assert!(body.contains("0 of 2 mailboxes on the Free plan"));

    let mut fields = options("Europe/Paris", "3");
    fields.extend([
        ("ssl_required", "1"),
        ("rss_enabled", "1"),
        ("maintain_assignments", "1"),
    ]);
    let res = b.post("/settings/options", &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/options?notice=options-saved");
    let o = account_record(&t, &acc).await.options;
    assert_eq!(o.time_zone.as_str(), "Europe/Paris");
    assert_eq!(o.spam_threshold.value(), 3);
    assert!(o.ssl_required && o.rss_enabled && o.maintain_assignments);
    assert!(!o.admin_only_dashboards && !o.api_enabled);
    let (_, body) = b.page("/settings/options?notice=options-saved").await;
    assert!(body.contains("Account Options were saved"));
    assert!(body.contains("name=\"rss_enabled\" value=\"1\" checked"));

    let bad: Vec<BadForm> = vec![
        (
            options("Mars/Olympus", "5"),
            "time_zone-error",
            "not a known time zone",
        ),
        (options("", "5"), "time_zone-error", "not a known time zone"),
        (
            options("Europe/Paris", "abc"),
            "spam_threshold-error",
            "whole number from 1 to 10",
        ),
        (
            options("Europe/Paris", "11"),
            "spam_threshold-error",
            "whole number from 1 to 10",
        ),
        (
            options("Europe/Paris", "0"),
            "spam_threshold-error",
            "whole number from 1 to 10",
        ),
        (
            vec![
                ("time_zone", "UTC"),
                ("spam_threshold", "5"),
                ("api_enabled", "1"),
            ],
            "api_enabled-error",
            "paid plans only",
        ),
    ];
    for (fields, id, text) in bad {
        let res = b.post("/settings/options", &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("id=\"{id}\"")), "{fields:?}");
        assert!(body.contains(text), "{fields:?}: {body}");
    }
    let (_, body) = b.page("/settings/options").await;
    assert!(!body.contains("<script>"));
    let after = account_record(&t, &acc).await.options;
    assert_eq!(after, o, "refused forms change nothing");
    let res = b
        .post(
            "/settings/options",
            &options("<script>alert(1)</script>", "5"),
        )
        .await;
    assert_eq!(res.status(), 422);
    hostile_markers_absent(&res.text().await.unwrap());
}

async fn api_switch_and_plans(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let res = b.post("/settings/options/plan", &[("plan", "gold")]).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("free, standard or premium")
    );
    let res = b
        .post("/settings/options/plan", &[("plan", "standard")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/options?notice=plan");
    let (_, body) = b.page("/settings/options?notice=plan").await;
    assert!(body.contains("The plan was changed"));
    assert!(body.contains("<strong id=\"current-plan\">Standard</strong>"));
    assert!(!body.contains("id=\"api-note\""));
    let mut fields = options("UTC", "5");
    fields.push(("api_enabled", "1"));
    let res = b.post("/settings/options", &fields).await;
    assert_eq!(res.status(), 303);
    assert!(account_record(&t, &acc).await.options.api_enabled);

    // After a downgrade the stored switch stays, is shown off, and doesn't
    // stop the owner from saving the other options.
    let res = b.post("/settings/options/plan", &[("plan", "free")]).await;
    assert_eq!(res.status(), 303);
    let res = b
        .post("/settings/options", &options("Asia/Tokyo", "8"))
        .await;
    assert_eq!(res.status(), 303);
    let o = account_record(&t, &acc).await.options;
    assert_eq!(o.time_zone.as_str(), "Asia/Tokyo");
    assert!(o.api_enabled);
    let (_, body) = b.page("/settings/options").await;
    assert!(body.contains("name=\"api_enabled\" value=\"1\"  disabled"));
}

async fn owner_transfer(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let adam = new_user(&t, &acc, "Adam Admin", "adam@example.com", "administrator").await;
    let gone = new_user(&t, &acc, "Gone", "gone@example.com", "user").await;
    let owner = actor_of(&t, acc.owner_id).await;
    t.app
        .set_user_active(&owner, ecp_domain::UserId(gone), false)
        .await
        .unwrap();
    let b = t.signed_in(&acc.owner_email).await;
    let (_, body) = b.page("/settings/options").await;
    assert!(body.contains(&format!(
        "<option value=\"{adam}\">Adam Admin (Administrator)</option>"
    )));
    assert!(!body.contains("Gone ("), "deactivated users aren't offered");

    for bad in [
        "abc",
        "",
        &acc.owner_id.to_string(),
        &gone.to_string(),
        "999999",
    ] {
        let res = b
            .post("/settings/options/owner", &[("new_owner", bad)])
            .await;
        assert_eq!(res.status(), 422, "{bad}");
        assert!(res.text().await.unwrap().contains("id=\"new_owner-error\""));
    }
    let adam_s = adam.to_string();
    let res = b
        .post("/settings/options/owner", &[("new_owner", &adam_s)])
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Make Adam Admin the account owner?"));
    assert!(body.contains("You will become an administrator and be logged out"));
    assert!(body.contains("href=\"/settings/options\">Cancel"));
    assert_eq!(
        actor_of(&t, acc.owner_id).await.role.as_str(),
        "owner",
        "nothing yet"
    );

    let res = b
        .post("/settings/options/owner/confirm", &[("new_owner", &adam_s)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?notice=owner-transferred");
    let res = b.get("/settings/options").await;
    assert_eq!(res.status(), 303, "the old owner's session ended");
    let (_, login) = b.page("/login?notice=owner-transferred").await;
    assert!(login.contains("Ownership was transferred"));

    let a = t.signed_in("adam@example.com").await;
    let (status, body) = a.page("/settings/options").await;
    assert_eq!(status, 200);
    assert!(body.contains("Olivia Owner (Administrator)"));
    let o = t.signed_in(&acc.owner_email).await;
    assert_eq!(o.page("/settings/options").await.0, 403);
    assert_eq!(
        o.page("/settings/mailboxes").await.0,
        200,
        "now an administrator"
    );
    let res = o
        .post(
            "/settings/options/owner/confirm",
            &[("new_owner", &acc.owner_id.to_string())],
        )
        .await;
    assert_eq!(res.status(), 403);
}

on_both!(save_options, api_switch_and_plans, owner_transfer);
