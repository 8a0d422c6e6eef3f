//! Account & Tools -> Templates through the browser: add, edit, Preview,
//! delete; bad and hostile input; who may see the tab; other accounts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use ui_support::*;

const BODY: &str = "<p>Hi {{ customer.name }},</p><p>thanks! <b>{{ agent.name }}</b></p>";

async fn add_edit_preview_delete(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;

    let (status, body) = b.page("/settings/templates").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"/settings/templates\" aria-current=\"page\">Templates</a>"),
        "{body}"
    );
    let tabs: Vec<_> = [
        "Mailboxes</a>",
        "Users</a>",
        "Templates</a>",
        "Account Options</a>",
    ]
    .iter()
    .map(|tab| body.find(tab).expect(tab))
    .collect();
    assert!(tabs.windows(2).all(|w| w[0] < w[1]), "tab order");
    assert!(body.contains("No templates yet."));
    for code in [
        "{{ customer.name }}",
        "{{ customer.email }}",
        "{{ mailbox.name }}",
        "{{ agent.name }}",
        "{{ conversation.number }}",
    ] {
        assert!(
            body.contains(&format!("<code class=\"placeholder\">{code}</code>")),
            "{code}"
        );
    }

    let (status, body) = b.page("/settings/templates/new").await;
    assert_eq!(status, 200);
    assert!(body.contains("form=\"template-form\""), "Save at the top");
    assert!(body.contains("data-rich-editor"));
    assert!(body.contains("data-insert-placeholder=\"{{ customer.name }}\""));

    let res = b
        .post(
            "/settings/templates/new",
            &[
                ("name", "Thanks"),
                ("subject", "Re: {{ mailbox.name }}"),
                ("body_html", BODY),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(to.ends_with("?notice=created"), "{to}");
    let id = id_after(&to, "/settings/templates/");
    let (status, body) = b.page(&to).await;
    assert_eq!(status, 200);
    assert!(body.contains("Created."));
    assert_eq!(input_value(&body, "name"), "Thanks");
    assert!(body.contains(&escaped(BODY)), "the editor holds the body");
    assert!(body.contains(&format!(
        "href=\"/settings/templates/{id}\" aria-current=\"page\">Thanks</a>"
    )));

    // Preview fills in the form as typed, saves nothing.
    let edited = "<p>Dear {{ customer.name }} ({{ customer.email }}), #{{ conversation.number }}</p>{{ '&lt;script&gt;x&lt;/script&gt;' }}";
    let res = b
        .post(
            "/settings/templates/preview",
            &[
                ("id", &id.to_string()),
                ("name", "Thanks"),
                ("subject", "Re: {{ mailbox.name }}"),
                ("body_html", edited),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Preview with sample values"), "{body}");
    assert!(
        body.contains(
            "<p>Dear Jane Customer (jane@example.com), #1234</p>&lt;script&gt;x&lt;/script&gt;"
        ),
        "{body}"
    );
    assert!(body.contains("<span id=\"preview-subject\">Re: Support</span>"));
    assert!(
        body.contains(&format!("action=\"/settings/templates/{id}\"")),
        "still editing it"
    );
    assert!(!body.contains("<script>x"), "values are text");
    let owner = actor_of(&t, acc.owner_id).await;
    let stored = t.app.list_templates(&owner).await.unwrap();
    assert_eq!(stored[0].body_html, BODY, "Preview saved nothing");

    let res = b
        .post(
            &format!("/settings/templates/{id}"),
            &[
                ("name", "Thank you"),
                ("subject", ""),
                ("body_html", edited),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("/settings/templates/{id}?notice=saved")
    );
    let stored = t.app.list_templates(&owner).await.unwrap();
    assert_eq!(
        (stored[0].name.as_str(), stored[0].subject.as_str()),
        ("Thank you", "")
    );

    let (status, body) = b.page(&format!("/settings/templates/{id}/delete")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Delete the template &ldquo;Thank you&rdquo;?"),
        "{body}"
    );
    let res = b
        .post(&format!("/settings/templates/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/templates?notice=deleted");
    assert!(t.app.list_templates(&owner).await.unwrap().is_empty());
    let (status, _) = b.page(&format!("/settings/templates/{id}")).await;
    assert_eq!(status, 404);
}

async fn bad_input_stays_on_the_form(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    let b = t.signed_in(&acc.owner_email).await;
    let res = b
        .post(
            "/settings/templates/new",
            &[("name", "Thanks"), ("body_html", "x")],
        )
        .await;
    assert_eq!(res.status(), 303);

    let long = "n".repeat(101);
    let cases: Vec<BadForm> = vec![
        (
            vec![("name", ""), ("body_html", "x")],
            "name-error",
            "Template name is required.",
        ),
        (
            vec![("name", &long), ("body_html", "x")],
            "name-error",
            "at most 100 characters",
        ),
        (
            vec![("name", "Thanks"), ("body_html", "y")],
            "name-error",
            "already exists",
        ),
        (
            vec![("name", "Empty"), ("body_html", "<p> </p>")],
            "body_html-error",
            "is empty",
        ),
        (
            vec![
                ("name", "Broken"),
                ("body_html", "<p>a</p>\n<p>{{ customer.name</p>"),
            ],
            "body_html-error",
            "mistake on line 2",
        ),
        (
            vec![("name", "Include"), ("body_html", "{% include \"x\" %}")],
            "body_html-error",
            "unknown statement include",
        ),
        (
            vec![
                ("name", "Loop"),
                (
                    "body_html",
                    "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
                ),
            ],
            "body_html-error",
            "too much work",
        ),
        (
            vec![("name", "Subject"), ("subject", "{{ x"), ("body_html", "x")],
            "subject-error",
            "mistake on line 1",
        ),
    ];
    for (fields, error_id, words) in cases {
        // Preview saves nothing, so a taken name is no reason to refuse it.
        let paths: &[&str] = if words == "already exists" {
            &["/settings/templates/new"]
        } else {
            &["/settings/templates/new", "/settings/templates/preview"]
        };
        for path in paths {
            let res = b.post(path, &fields).await;
            assert_eq!(res.status(), 422, "{path} {fields:?}");
            let body = res.text().await.unwrap();
            assert!(
                body.contains(&format!("id=\"{error_id}\"")),
                "{fields:?}: {body}"
            );
            assert!(
                body.contains(&escaped(words)) || body.contains(words),
                "{fields:?}: {body}"
            );
            assert!(
                !body.contains("id=\"template-preview\""),
                "no preview of a refused form"
            );
        }
    }
    let owner = actor_of(&t, acc.owner_id).await;
    assert_eq!(
        t.app.list_templates(&owner).await.unwrap().len(),
        1,
        "nothing written"
    );

    // Hostile HTML is cleaned, in the store and on the refused form.
    let hostile = "<b>Hi</b><script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>";
    let res = b
        .post(
            "/settings/templates/new",
            &[("name", ""), ("body_html", hostile)],
        )
        .await;
    assert_eq!(res.status(), 422);
    hostile_markers_absent(&res.text().await.unwrap());
    let res = b
        .post(
            "/settings/templates/new",
            &[("name", "Hostile"), ("body_html", hostile)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, body) = b.page(&location(&res)).await;
    hostile_markers_absent(&body);
    let stored = t.app.list_templates(&owner).await.unwrap();
    let saved = &stored
        .iter()
        .find(|t| t.name == "Hostile")
        .unwrap()
        .body_html;
    assert!(
        !saved.contains("script") && !saved.contains("javascript") && !saved.contains("onerror"),
        "{saved}"
    );

    // Without the form's token nothing happens.
    let res = b
        .post_raw(
            "/settings/templates/new",
            &[("name", "No token"), ("body_html", "x")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

async fn roles_and_other_accounts(kind: Kind) {
    let t = spawn(kind).await;
    let acc = t.account("standard", "olivia@example.com").await;
    new_user(&t, &acc, "Uma Agent", "uma@example.com", "user").await;
    new_user(&t, &acc, "Adam Admin", "adam@example.com", "administrator").await;
    let owner = t.signed_in(&acc.owner_email).await;
    let res = owner
        .post(
            "/settings/templates/new",
            &[("name", "Thanks"), ("body_html", BODY)],
        )
        .await;
    let id = id_after(&location(&res), "/settings/templates/");

    // Administrators manage templates too.
    let admin = t.signed_in("adam@example.com").await;
    let (status, body) = admin.page("/settings/templates").await;
    assert_eq!(status, 200);
    assert!(body.contains(">Thanks</a>"));
    let res = admin
        .post(
            &format!("/settings/templates/{id}"),
            &[("name", "Thanks 2"), ("body_html", BODY)],
        )
        .await;
    assert_eq!(res.status(), 303);

    // Agents use templates in replies but don't manage them.
    let agent = t.signed_in("uma@example.com").await;
    for path in [
        "/settings/templates",
        "/settings/templates/new",
        &format!("/settings/templates/{id}"),
    ] {
        let (status, _) = agent.page(path).await;
        assert_eq!(status, 403, "{path}");
    }
    for path in [
        "/settings/templates/new".to_string(),
        format!("/settings/templates/{id}"),
        format!("/settings/templates/{id}/delete"),
    ] {
        let res = agent
            .post(&path, &[("name", "Mine"), ("body_html", "x")])
            .await;
        assert_eq!(res.status(), 403, "{path}");
    }
    let olivia = actor_of(&t, acc.owner_id).await;
    assert_eq!(
        t.app.list_templates(&olivia).await.unwrap()[0].name,
        "Thanks 2"
    );

    // Another account's administrator finds nothing.
    let other = t.account("standard", "sam@other.example").await;
    let stranger = t.signed_in(&other.owner_email).await;
    let (status, body) = stranger.page("/settings/templates").await;
    assert_eq!(status, 200);
    assert!(!body.contains("Thanks"));
    for path in [
        format!("/settings/templates/{id}"),
        format!("/settings/templates/{id}/delete"),
    ] {
        let (status, _) = stranger.page(&path).await;
        assert_eq!(status, 404, "{path}");
        let res = stranger
            .post(&path, &[("name", "Mine"), ("body_html", "x")])
            .await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let res = stranger
        .post(
            "/settings/templates/preview",
            &[
                ("id", &id.to_string()),
                ("name", "Mine"),
                ("body_html", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), 404);
    let (status, _) = stranger.page("/settings/templates/abc").await;
    assert_eq!(status, 404);
    assert_eq!(
        t.app.list_templates(&olivia).await.unwrap().len(),
        1,
        "untouched"
    );
}

on_both!(
    add_edit_preview_delete,
    bad_input_stays_on_the_form,
    roles_and_other_accounts
);
