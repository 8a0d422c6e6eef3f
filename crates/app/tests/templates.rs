//! Templates (canned replies) on both databases: who may do what, account
//! scoping, input rules, and the sandbox the rendering runs in.
#![allow(clippy::unwrap_used)]

use ecp_app::signup::SignupInput;
use ecp_app::templates::{TemplateContext, TemplateId, TemplateInput, render};
use ecp_app::users::NewUserInput;
use ecp_app::{Actor, App, AppConfig, AppError};
use ecp_domain::UserId;
use ecp_testkit::both_backends;
use ecp_testkit::db::TestDb;

both_backends!(
    crud_and_roles,
    other_accounts_templates_do_not_exist,
    bad_input_is_refused,
    rendering_is_sandboxed,
);

struct Fx {
    app: App,
    owner: Actor,
    agent: Actor,
    _db: TestDb,
}

async fn account(app: &App, email: &str) -> Actor {
    let out = app
        .create_account(&SignupInput {
            account_name: "Acme".into(),
            owner_name: "Olivia Owner".into(),
            owner_email: email.into(),
            password: "correct horse battery".into(),
            plan: "standard".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    app.actor(out.owner_id).await.unwrap()
}

async fn fixture(t: TestDb) -> Fx {
    let db = ecp_store::Db::connect(&t.url).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db, AppConfig::default());
    let owner = account(&app, "olivia@acme.example").await;
    let agent = app
        .add_user(
            &owner,
            &NewUserInput {
                name: "Uma Agent".into(),
                email: "uma@acme.example".into(),
                role: "user".into(),
                password: "correct horse battery".into(),
            },
        )
        .await
        .unwrap();
    let agent = app.actor(UserId(agent.user.id.0)).await.unwrap();
    Fx {
        app,
        owner,
        agent,
        _db: t,
    }
}

fn input<'a>(name: &'a str, body: &'a str) -> TemplateInput<'a> {
    TemplateInput {
        name,
        subject: "",
        body_html: body,
    }
}

fn message_of(e: &AppError, field: &str) -> String {
    match e {
        AppError::Validation(list) => list
            .iter()
            .find(|v| v.field == field)
            .map(|v| v.message.clone())
            .unwrap_or_else(|| panic!("no error on {field}: {list:?}")),
        other => panic!("not a validation error: {other:?}"),
    }
}

async fn crud_and_roles(t: TestDb) {
    let fx = fixture(t).await;
    let (app, owner, agent) = (&fx.app, &fx.owner, &fx.agent);
    let thanks = app
        .create_template(
            owner,
            &TemplateInput {
                name: " Thanks ",
                subject: "Re: {{ mailbox.name }} #{{ conversation.number }}",
                body_html: "<p>Hi {{ customer.name }},</p><p>thanks! <b>{{ agent.name }}</b></p>",
            },
        )
        .await
        .unwrap();
    assert_eq!(thanks.name, "Thanks");
    assert_eq!(thanks.created_by, Some(owner.user_id));

    // Agents list, read and fill in; they don't change.
    let list = app.list_templates(agent).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(app.template(agent, thanks.id).await.unwrap(), thanks);
    let ctx = TemplateContext {
        customer_name: "Carl".into(),
        customer_email: "carl@example.com".into(),
        mailbox_name: "Support".into(),
        agent_name: agent.name.clone(),
        conversation_number: Some(42),
    };
    let out = app.render_template(agent, thanks.id, &ctx).await.unwrap();
    assert_eq!(out.subject, "Re: Support #42");
    assert_eq!(out.html, "<p>Hi Carl,</p><p>thanks! <b>Uma Agent</b></p>");
    assert_eq!(out.text, "Hi Carl,\nthanks! Uma Agent");

    for result in [
        app.create_template(agent, &input("Mine", "x")).await,
        app.update_template(agent, thanks.id, &input("Mine", "x"))
            .await,
    ] {
        assert!(matches!(result, Err(AppError::Forbidden(_))), "{result:?}");
    }
    assert!(matches!(
        app.delete_template(agent, thanks.id).await,
        Err(AppError::Forbidden(_))
    ));

    let changed = app
        .update_template(owner, thanks.id, &input("Thank you", "<p>Thanks</p>"))
        .await
        .unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.subject.as_str()),
        ("Thank you", "")
    );
    assert!(changed.updated_at >= thanks.updated_at);

    app.delete_template(owner, thanks.id).await.unwrap();
    assert!(matches!(
        app.template(owner, thanks.id).await,
        Err(AppError::NotFound)
    ));
    assert!(app.list_templates(owner).await.unwrap().is_empty());
}

async fn other_accounts_templates_do_not_exist(t: TestDb) {
    let fx = fixture(t).await;
    let app = &fx.app;
    let stranger = account(app, "sam@other.example").await;
    let theirs = app
        .create_template(&stranger, &input("Theirs", "<p>secret</p>"))
        .await
        .unwrap();
    let ctx = TemplateContext::sample();
    assert!(matches!(
        app.template(&fx.owner, theirs.id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.update_template(&fx.owner, theirs.id, &input("Mine", "x"))
            .await,
        Err(AppError::NotFound)
    ));
    // An agent gets 404 too, not the 403 that would confirm it exists.
    assert!(matches!(
        app.delete_template(&fx.agent, theirs.id).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.render_template(&fx.agent, theirs.id, &ctx).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        app.template(&fx.owner, TemplateId(i64::MAX)).await,
        Err(AppError::NotFound)
    ));
    assert!(app.list_templates(&fx.owner).await.unwrap().is_empty());
    assert_eq!(
        app.template(&stranger, theirs.id).await.unwrap().body_html,
        "<p>secret</p>"
    );
}

async fn bad_input_is_refused(t: TestDb) {
    let fx = fixture(t).await;
    let (app, owner) = (&fx.app, &fx.owner);

    let e = app
        .create_template(owner, &input("  ", "x"))
        .await
        .unwrap_err();
    assert!(message_of(&e, "name").contains("required"));
    let long = "n".repeat(101);
    let e = app
        .create_template(owner, &input(&long, "x"))
        .await
        .unwrap_err();
    assert!(message_of(&e, "name").contains("at most 100"));
    let e = app
        .create_template(owner, &input("Empty", "<p> </p><script>x</script>"))
        .await;
    assert!(message_of(&e.unwrap_err(), "body_html").contains("empty"));
    let e = app
        .create_template(
            owner,
            &TemplateInput {
                name: "Bad subject",
                subject: "Hi\r\nBcc: all@example.com",
                body_html: "x",
            },
        )
        .await
        .unwrap_err();
    assert!(message_of(&e, "subject").contains("one line"));

    let first = app
        .create_template(owner, &input("Thanks", "x"))
        .await
        .unwrap();
    let e = app
        .create_template(owner, &input("Thanks", "y"))
        .await
        .unwrap_err();
    assert_eq!(
        message_of(&e, "name"),
        "A template named \u{201c}Thanks\u{201d} already exists. Choose another name, or edit that template."
    );
    let other = app
        .create_template(owner, &input("Other", "y"))
        .await
        .unwrap();
    let e = app
        .update_template(owner, other.id, &input("Thanks", "y"))
        .await
        .unwrap_err();
    assert!(message_of(&e, "name").contains("already exists"));
    // Saving under its own name is no clash.
    app.update_template(owner, first.id, &input("Thanks", "z"))
        .await
        .unwrap();

    // Hostile HTML is cleaned before it is stored.
    let hostile = app
        .create_template(
            owner,
            &input(
                "Hostile",
                "<b>Hi</b><script>alert(1)</script><img src=x onerror=alert(1)>\
                 <a href=\"javascript:alert(1)\">x</a><a href=\"https://example.com/\">ok</a>",
            ),
        )
        .await
        .unwrap();
    for bad in ["<script", "onerror", "javascript:", "<img"] {
        assert!(!hostile.body_html.contains(bad), "{}", hostile.body_html);
    }
    assert!(hostile.body_html.contains("<b>Hi</b>"));
    assert!(hostile.body_html.contains("https://example.com/"));

    // A syntax error is refused at save time, naming the line.
    let e = app
        .create_template(
            owner,
            &input("Broken", "<p>Hello</p>\n<p>Dear {{ customer.name</p>"),
        )
        .await
        .unwrap_err();
    let msg = message_of(&e, "body_html");
    assert!(msg.contains("mistake on line 2"), "{msg}");
    let e = app
        .create_template(
            owner,
            &TemplateInput {
                name: "Broken subject",
                subject: "{% if x %}",
                body_html: "x",
            },
        )
        .await
        .unwrap_err();
    assert!(message_of(&e, "subject").contains("line 1"));

    // No way out of the sandbox: include/import/extends don't exist.
    for escape in [
        "{% include \"x\" %}",
        "{% import \"x\" as y %}",
        "{% extends \"base.html\" %}",
        "{% macro m() %}{% endmacro %}",
    ] {
        let e = app
            .create_template(owner, &input("Escape", escape))
            .await
            .unwrap_err();
        let msg = message_of(&e, "body_html");
        assert!(msg.contains("unknown statement"), "{escape}: {msg}");
    }

    // Work and size are bounded, with a message that says so.
    let e = app
        .create_template(
            owner,
            &input(
                "Loop",
                "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
            ),
        )
        .await
        .unwrap_err();
    assert!(message_of(&e, "body_html").contains("too much work"));
    let e = app
        .create_template(owner, &input("Huge", "{{ customer.name * 100000 }}"))
        .await
        .unwrap_err();
    let msg = message_of(&e, "body_html");
    assert!(
        msg.contains("longer than") || msg.contains("too much work"),
        "{msg}"
    );

    let names: Vec<_> = app
        .list_templates(owner)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Hostile", "Other", "Thanks"]);
}

async fn rendering_is_sandboxed(t: TestDb) {
    let fx = fixture(t).await;
    let sample = TemplateContext::sample();

    // Values are text: a hostile customer name is escaped, never markup.
    let ctx = TemplateContext {
        customer_name: "<script>alert(1)</script> & \"Bob\"".into(),
        ..TemplateContext::default()
    };
    let out = render(
        "<p>Hi {{ customer.name }}</p>",
        "For {{ customer.name }}",
        &ctx,
    )
    .unwrap();
    assert_eq!(
        out.html,
        "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; \"Bob\"</p>"
    );
    assert_eq!(out.text, "Hi <script>alert(1)</script> & \"Bob\"");
    assert_eq!(out.subject, "For <script>alert(1)</script> & \"Bob\"");

    // Unknown variables and Python-style escapes render as nothing.
    let out = render(
        "a{{ nope }}b{{ ''.__class__ }}c{{ customer.__dict__ }}d{{ customer.password }}e{{ conversation.number }}f",
        "",
        &TemplateContext::default(),
    )
    .unwrap();
    assert_eq!(out.html, "abcdef");

    // Even |safe can't put markup in that the allow-list refuses.
    let out = render(
        "{{ '<img src=x onerror=alert(1)><b>ok</b>' | safe }}",
        "",
        &sample,
    )
    .unwrap();
    assert_eq!(out.html, "<b>ok</b>");

    // Entities the sanitizer wrote inside tags are code again.
    let out = render(
        "{% if conversation.number &gt; 1000 %}big{% endif %}&nbsp;{{&nbsp;agent.name }}",
        "",
        &sample,
    )
    .unwrap();
    assert_eq!(out.html, "big&nbsp;Alex Agent");

    // A subject stays one header line whatever the values hold.
    let ctx = TemplateContext {
        customer_name: "Eve\r\nBcc: everyone@example.com".into(),
        ..TemplateContext::default()
    };
    let out = render("x", "Hi {{ customer.name }}", &ctx).unwrap();
    assert_eq!(out.subject, "Hi Eve Bcc: everyone@example.com");

    let e = render(
        "{% for a in range(100000) %}{{ customer.name * 1000 }}{% endfor %}",
        "",
        &sample,
    )
    .unwrap_err();
    assert_eq!(e.field, "body_html");
    assert!(
        e.message.contains("longer than") || e.message.contains("too much work"),
        "{}",
        e.message
    );

    let e = render("x", "{{ 1 / 0 }}", &sample).unwrap_err();
    assert_eq!(e.field, "subject");
    assert!(e.message.contains("can't be filled in"), "{}", e.message);

    // Preview fills in the sample values with the actor as the agent.
    let out = fx
        .app
        .preview_template(
            &fx.agent,
            &input("P", "{{ customer.name }} {{ customer.email }} {{ mailbox.name }} {{ agent.name }} {{ conversation.number }}"),
        )
        .unwrap();
    assert_eq!(
        out.html,
        "Jane Customer jane@example.com Support Uma Agent 1234"
    );
}
