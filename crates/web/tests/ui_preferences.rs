//! Preferences through the browser: name and email, password, personal
//! signature, API tokens (shown once, working against the API until
//! revoked).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use ui_support::*;

async fn profile(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let ursula = new_user(&t, &acc, "Ursula User", "ursula@example.com", "user").await;
    let b = t.signed_in("ursula@example.com").await;
    let (status, body) = b.page("/preferences").await;
    assert_eq!(status, 200);
    assert_eq!(input_value(&body, "name"), "Ursula User");
    assert!(body.contains("Your role: User."));
    for label in [
        "for=\"name\"",
        "for=\"email\"",
        "for=\"current_password\"",
        "for=\"new_password\"",
        "for=\"signature_html\"",
        "for=\"token_name\"",
    ] {
        assert!(body.contains(label), "{label} labelled");
    }

    let res = b
        .post(
            "/preferences/profile",
            &[("name", "Ursula Q. User"), ("email", "uq@example.com")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/preferences?notice=profile-saved");
    let (_, body) = b.page("/preferences?notice=profile-saved").await;
    assert!(body.contains("Logged in as <strong id=\"logged-in-as\">Ursula Q. User</strong>"));
    assert!(body.contains("Your name and email address were saved"));

    let long = "n".repeat(101);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("name", ""), ("email", "uq@example.com")],
            "name-error",
        ),
        (
            vec![("name", &long), ("email", "uq@example.com")],
            "name-error",
        ),
        (vec![("name", "Ann"), ("email", "nope")], "email-error"),
        (
            vec![("name", "Ann"), ("email", "olivia@example.com")],
            "email-error",
        ),
        (
            vec![("name", "Line\nbreak"), ("email", "uq@example.com")],
            "name-error",
        ),
    ];
    for (fields, id) in cases {
        let res = b.post("/preferences/profile", &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("id=\"{id}\"")), "{fields:?}");
        assert_eq!(input_value(&body, "email"), fields[1].1, "input kept");
    }
    let me = actor_of(&t, ursula).await;
    assert_eq!(me.name, "Ursula Q. User", "refused forms change nothing");
    assert_eq!(me.email.as_str(), "uq@example.com");

    let res = b
        .post(
            "/preferences/profile",
            &[
                ("name", "<img src=x onerror=alert(1)>"),
                ("email", "uq@example.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = b.page("/preferences").await;
    assert!(body.contains(&escaped("<img src=x onerror=alert(1)>")));
    hostile_markers_absent(&body);
}

async fn password(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let other_device = t.signed_in(&acc.owner_email).await;
    let new = "a brand new passphrase";
    let cases = [
        (
            ["wrong password!!", new, new],
            "current_password-error",
            "not correct",
        ),
        (
            [PASSWORD, new, "different one here"],
            "new_password_confirm-error",
            "differ",
        ),
        (
            [PASSWORD, "short", "short"],
            "new_password-error",
            "too short",
        ),
        ([PASSWORD, "", ""], "new_password-error", "too short"),
    ];
    for ([current, pw, confirm], id, text) in cases {
        let res = b
            .post(
                "/preferences/password",
                &[
                    ("current_password", current),
                    ("new_password", pw),
                    ("new_password_confirm", confirm),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{id}");
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("id=\"{id}\"")), "{id}: {body}");
        assert!(body.contains(text));
        assert!(!body.contains(new), "passwords are not sent back");
    }
    let res = b
        .post(
            "/preferences/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new),
                ("new_password_confirm", new),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/preferences?notice=password");
    assert_eq!(b.page("/preferences").await.0, 200, "this session stays");
    assert_eq!(
        other_device.get("/preferences").await.status(),
        303,
        "other devices signed out"
    );
    let mut fresh = t.browser();
    assert_eq!(fresh.login(&acc.owner_email, PASSWORD).await.status(), 401);
    assert_eq!(fresh.login(&acc.owner_email, new).await.status(), 303);
}

async fn signature(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let (_, body) = b.page("/preferences").await;
    assert!(body.contains("data-rich-editor"));
    for cmd in ["bold", "italic", "createLink", "insertUnorderedList"] {
        assert!(body.contains(&format!("data-cmd=\"{cmd}\"")));
    }
    let hostile = "<p><b>Olivia</b> <i>Owner</i></p><script>alert(1)</script><img src=x onerror=alert(1)>\
                   <a href=\"https://acme.example/\" onclick=\"x()\">site</a>";
    let res = b
        .post("/preferences/signature", &[("signature_html", hostile)])
        .await;
    assert_eq!(res.status(), 303);
    let me = t
        .app
        .get_user(
            &actor_of(&t, acc.owner_id).await,
            ecp_domain::UserId(acc.owner_id),
        )
        .await
        .unwrap();
    assert!(me.signature_html.contains("<b>Olivia</b>"));
    assert!(me.signature_html.contains("href=\"https://acme.example/\""));
    for bad in ["script", "onerror", "onclick", "<img"] {
        assert!(
            !me.signature_html.contains(bad),
            "{bad}: {}",
            me.signature_html
        );
    }
    let (_, body) = b.page("/preferences").await;
    hostile_markers_absent(&body);

    let huge = format!("<p>{}</p>", "z".repeat(25_000));
    let res = b
        .post("/preferences/signature", &[("signature_html", &huge)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("signature is too long"));
    let again = t
        .app
        .get_user(
            &actor_of(&t, acc.owner_id).await,
            ecp_domain::UserId(acc.owner_id),
        )
        .await
        .unwrap();
    assert_eq!(
        again.signature_html, me.signature_html,
        "nothing half-written"
    );
}

async fn tokens(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let (_, body) = b.page("/preferences").await;
    assert!(body.contains("You have no API tokens"));
    assert!(body.contains("not included in the Free plan"));

    for (name, text) in [
        ("", "Token name is required"),
        (&*"t".repeat(61), "too long"),
    ] {
        let res = b.post("/preferences/tokens", &[("token_name", name)]).await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("id=\"token_name-error\""));
        assert!(body.contains(text), "{text}");
    }

    let res = b
        .post("/preferences/tokens", &[("token_name", "<b>CRM</b> sync")])
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("shown only this once"));
    let secret = input_value(&body, "new-token-secret");
    assert!(secret.starts_with("ecp_"));
    assert!(body.contains(&escaped("<b>CRM</b> sync")));
    let (_, later) = b.page("/preferences").await;
    assert!(!later.contains(&secret), "the secret is shown once");
    assert!(later.contains(&secret[..10]), "its start identifies it");

    let api = t.api(&secret);
    let (status, _) = api.get("/me").await;
    assert_eq!(status, 403, "no API on the Free plan");
    let res = b
        .post("/settings/options/plan", &[("plan", "standard")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(api.get("/me").await.0, 403, "Enable API is still off");
    let res = b
        .post(
            "/settings/options",
            &[
                ("time_zone", "UTC"),
                ("spam_threshold", "5"),
                ("api_enabled", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, me) = api.get("/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "olivia@example.com");

    let owner = actor_of(&t, acc.owner_id).await;
    let token_id = t.app.list_tokens(&owner).await.unwrap()[0].id.0;
    let other = t.account("standard", "oscar@other.example").await;
    let o = t.signed_in(&other.owner_email).await;
    let res = o
        .post(&format!("/preferences/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 404, "someone else's token");
    assert_eq!(api.get("/me").await.0, 200);
    let res = b
        .post(&format!("/preferences/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/preferences?notice=token-revoked");
    assert_eq!(api.get("/me").await.0, 401, "revoked");
    let (_, body) = b.page("/preferences").await;
    assert!(body.contains("You have no API tokens"));
    assert_eq!(
        b.post("/preferences/tokens/abc/revoke", &[]).await.status(),
        404
    );
}

on_both!(profile, password, signature, tokens);
