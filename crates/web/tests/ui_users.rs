//! Account & Tools -> Users and the invite page through the browser:
//! adding with a password or an invite link, roles, deactivation, caps,
//! read-only users after a downgrade, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use ui_support::*;

fn user_fields<'a>(name: &'a str, email: &'a str, role: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("email", email),
        ("role", role),
        ("access", "password"),
        ("password", PASSWORD),
    ]
}

/// The invite link's token from the page that shows it.
fn invite_token(html: &str, base: &str) -> String {
    let link = input_value(html, "invite-link");
    let prefix = format!("{base}/invite/");
    assert!(
        link.starts_with(&prefix),
        "full URL from the Host header: {link}"
    );
    link[prefix.len()..].to_string()
}

async fn add_with_password(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let (status, body) = b.page("/settings/users").await;
    assert_eq!(status, 200);
    assert!(body.contains("1 of 25 active users on the Standard plan"));
    assert!(body.contains("Ownership is transferred in Account Options"));
    let (status, body) = b.page("/settings/users/new").await;
    assert_eq!(status, 200);
    assert!(body.contains("<label for=\"email\">"));

    let res = b
        .post(
            "/settings/users/new",
            &user_fields("Adam Admin", "adam@example.com", "administrator"),
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/users?notice=user-added");
    let (_, body) = b.page("/settings/users?notice=user-added").await;
    assert!(body.contains("The user was added"));
    assert!(body.contains("<strong class=\"admin-name\">Adam Admin</strong>"));
    assert!(body.contains("2 of 25 active users"));

    let a = t.signed_in("adam@example.com").await;
    let (_, home) = a.page("/").await;
    assert!(home.contains("Logged in as <strong id=\"logged-in-as\">Adam Admin</strong>"));
    assert!(home.contains("Account &#38;") || home.contains("Account &amp; Tools"));
    assert_eq!(a.page("/settings/users").await.0, 200);
}

async fn invite_flow(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let res = b
        .post(
            "/settings/users/new",
            &[
                ("name", "Ivy Invited"),
                ("email", "ivy@example.com"),
                ("role", "user"),
                ("access", "invite"),
                ("password", "ignored because invite"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Ivy Invited was added"));
    assert!(body.contains("shown only this once"));
    let token = invite_token(&body, &t.base);

    let (_, list) = b.page("/settings/users").await;
    assert!(list.contains("Invited, no password yet"));
    assert!(list.contains("New invite link"));

    let guest = t.browser();
    let (status, page) = guest.page(&format!("/invite/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Welcome, Ivy Invited"));
    assert!(page.contains("Acme Support"));
    let mut guest = guest;
    guest.csrf = csrf_in(&page).unwrap();
    let path = format!("/invite/{token}");
    let res = guest
        .post(
            &path,
            &[("password", "short"), ("password_confirm", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("too short"));
    let res = guest
        .post(
            &path,
            &[
                ("password", PASSWORD),
                ("password_confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The two passwords differ")
    );
    let res = guest
        .post(
            &path,
            &[("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/?notice=invite-accepted");
    let (status, home) = guest.page("/?notice=invite-accepted").await;
    assert_eq!(status, 200);
    assert!(home.contains("Logged in as <strong id=\"logged-in-as\">Ivy Invited</strong>"));
    assert!(home.contains("Your password is set"));

    // Used links, unknown links and garbage all say what to do.
    for bad in [
        token.as_str(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "<script>",
    ] {
        let (status, page) = t.browser().page(&format!("/invite/{}", enc(bad))).await;
        assert_eq!(status, 404, "{bad}");
        assert!(page.contains("Ask an administrator"), "{page}");
    }
    t.signed_in("ivy@example.com").await;
}

async fn reissue_invite(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let res = b
        .post(
            "/settings/users/new",
            &[
                ("name", "Nina"),
                ("email", "nina@example.com"),
                ("access", "invite"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let owner = actor_of(&t, acc.owner_id).await;
    let nina = t
        .app
        .list_users(&owner)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.user.email.as_str() == "nina@example.com")
        .unwrap()
        .user
        .id
        .0;
    let res = b.post(&format!("/settings/users/{nina}/invite"), &[]).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("New invite link for Nina"));
    let token = invite_token(&body, &t.base);
    let mut guest = t.browser();
    let (status, page) = guest.page(&format!("/invite/{token}")).await;
    assert_eq!(status, 200);
    guest.csrf = csrf_in(&page).unwrap();
    let res = guest
        .post(
            &format!("/invite/{token}"),
            &[("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, list) = b.page("/settings/users").await;
    assert!(!list.contains("Invited, no password yet"));
}

async fn bad_user_input(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let long = "n".repeat(101);
    let cases: Vec<BadForm> = vec![
        (
            user_fields("", "a@example.com", "user"),
            "name-error",
            "Name is required",
        ),
        (
            user_fields(&long, "a@example.com", "user"),
            "name-error",
            "too long",
        ),
        (
            user_fields("Al", "not-an-address", "user"),
            "email-error",
            "",
        ),
        (
            user_fields("Al", "a@example.com", "king"),
            "role-error",
            "administrator or user",
        ),
        (
            user_fields("Al", "a@example.com", "owner"),
            "role-error",
            "Ownership can",
        ),
        (
            user_fields("Al", "olivia@example.com", "user"),
            "email-error",
            "already has a user",
        ),
        (
            vec![
                ("name", "Al"),
                ("email", "a@example.com"),
                ("access", "password"),
                ("password", ""),
            ],
            "password-error",
            "Type an initial password",
        ),
        (
            vec![
                ("name", "Al"),
                ("email", "a@example.com"),
                ("access", "password"),
                ("password", "short"),
            ],
            "password-error",
            "too short",
        ),
    ];
    for (fields, error_id, text) in cases {
        let res = b.post("/settings/users/new", &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!("id=\"{error_id}\"")),
            "{fields:?}: {body}"
        );
        assert!(body.contains(&escaped(text)), "{fields:?} says {text}");
        assert!(!body.contains(PASSWORD), "passwords are not sent back");
    }
    assert_eq!(user_emails(&t, &acc).await, vec!["olivia@example.com"]);

    let res = b
        .post(
            "/settings/users/new",
            &user_fields("<script>alert(1)</script>", "x@example.com", "user"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(
            "/settings/users/new",
            &user_fields("<img src=x onerror=alert(1)>", "y@example.com", "user"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = b.page("/settings/users").await;
    assert!(body.contains(&escaped("<script>alert(1)</script>")));
    hostile_markers_absent(&body);
    let x = t.signed_in("x@example.com").await;
    let (_, home) = x.page("/").await;
    assert!(home.contains(&escaped("<script>alert(1)</script>")));
    hostile_markers_absent(&home);
    let res = b
        .post("/settings/users/abc/role", &[("role", "user")])
        .await;
    assert_eq!(res.status(), 404);
}

async fn roles_and_deactivation(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let adam = new_user(&t, &acc, "Adam Admin", "adam@example.com", "administrator").await;
    let ursula = new_user(&t, &acc, "Ursula User", "ursula@example.com", "user").await;
    let b = t.signed_in(&acc.owner_email).await;
    let a = t.signed_in("adam@example.com").await;
    let u = t.signed_in("ursula@example.com").await;

    let res = b
        .post(
            &format!("/settings/users/{ursula}/role"),
            &[("role", "administrator")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/users?notice=role-changed");
    assert_eq!(actor_of(&t, ursula).await.role.as_str(), "administrator");
    let res = b
        .post(
            &format!("/settings/users/{ursula}/role"),
            &[("role", "user")],
        )
        .await;
    assert_eq!(res.status(), 303);

    let res = b
        .post(
            &format!("/settings/users/{ursula}/role"),
            &[("role", "king")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("administrator or user"));
    let res = a
        .post(
            &format!("/settings/users/{}/role", acc.owner_id),
            &[("role", "user")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("transfer ownership"));
    let res = a
        .post(
            &format!("/settings/users/{adam}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("deactivate yourself"));
    let res = u
        .post(&format!("/settings/users/{adam}/role"), &[("role", "user")])
        .await;
    assert_eq!(res.status(), 403);
    let res = b
        .post(
            &format!("/settings/users/{ursula}/active"),
            &[("active", "maybe")],
        )
        .await;
    assert_eq!(res.status(), 422);

    let res = a
        .post(
            &format!("/settings/users/{ursula}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/users?notice=user-deactivated");
    let res = u.get("/").await;
    assert_eq!(res.status(), 303, "the deactivated user's session ended");
    let mut again = t.browser();
    let res = again.login("ursula@example.com", PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("deactivated"));
    let (_, list) = b.page("/settings/users").await;
    assert!(list.contains("Ursula User"), "history stays");
    assert!(list.contains("Deactivated"));
    assert!(list.contains("Reactivate"));

    let res = b
        .post(
            &format!("/settings/users/{ursula}/active"),
            &[("active", "1")],
        )
        .await;
    assert_eq!(res.status(), 303);
    t.signed_in("ursula@example.com").await;
}

async fn user_caps_and_read_only(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("free", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    for (name, email) in [("Two", "two@example.com"), ("Three", "three@example.com")] {
        let res = b
            .post("/settings/users/new", &user_fields(name, email, "user"))
            .await;
        assert_eq!(res.status(), 303);
    }
    let (_, body) = b.page("/settings/users").await;
    assert!(body.contains("3 of 3 active users on the Free plan"));
    assert!(body.contains("The Free plan allows at most 3 users"));
    assert!(!body.contains("href=\"/settings/users/new\""));
    let res = b
        .post(
            "/settings/users/new",
            &user_fields("Four", "four@example.com", "user"),
        )
        .await;
    assert_eq!(res.status(), 403);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("The Free plan allows at most 3 users"),
        "{text}"
    );
    assert!(
        !text.contains("id=\"user-form\""),
        "no form that can't work"
    );
    assert_eq!(user_emails(&t, &acc).await.len(), 3);

    let res = b
        .post("/settings/options/plan", &[("plan", "standard")])
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(
            "/settings/users/new",
            &user_fields("Four", "four@example.com", "user"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b.post("/settings/options/plan", &[("plan", "free")]).await;
    assert_eq!(res.status(), 303);

    let (_, body) = b.page("/settings/users").await;
    assert!(body.contains("4 of 3 active users on the Free plan"));
    assert!(body.contains("read-only"));
    assert!(
        body.contains("\u{201c}Four\u{201d}"),
        "names the read-only user"
    );
    assert!(body.contains("Deactivate users who no longer need access"));
    let four = t.signed_in("four@example.com").await;
    let (_, home) = four.page("/").await;
    assert!(home.contains("Your user is read-only"));
    let res = four
        .post(
            "/preferences/profile",
            &[("name", "Fourth"), ("email", "four@example.com")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("read-only"));
    // Reactivating someone would push the account further over the cap.
    let owner = actor_of(&t, acc.owner_id).await;
    let three = t
        .app
        .list_users(&owner)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.user.name == "Three")
        .unwrap()
        .user
        .id
        .0;
    let res = b
        .post(
            &format!("/settings/users/{three}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = b.page("/settings/users").await;
    assert!(
        !body.contains("id=\"read-only-note\""),
        "back under the cap"
    );
    let res = b
        .post(
            &format!("/settings/users/{three}/active"),
            &[("active", "1")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The Free plan allows at most 3 users")
    );
}

on_both!(
    add_with_password,
    invite_flow,
    reissue_invite,
    bad_user_input,
    roles_and_deactivation,
    user_caps_and_read_only
);
