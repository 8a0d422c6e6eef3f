//! The OpenAPI document is the API's contract: every operation in it must
//! have a test, and every tested operation must be in it. A new endpoint
//! without a test fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_testkit::db::Kind;
use std::collections::BTreeSet;

/// Each operation and the test (file, function) that exercises it, happy
/// path and errors.
const EXERCISED: &[(&str, &str, &str, &str)] = &[
    (
        "GET",
        "/mailboxes/{id}/auto-reply",
        "api_auto_reply",
        "get_and_put",
    ),
    (
        "PUT",
        "/mailboxes/{id}/auto-reply",
        "api_auto_reply",
        "get_and_put",
    ),
    ("GET", "/me", "api_me", "me_and_preferences"),
    ("PATCH", "/me", "api_me", "preferences_bad_input"),
    ("POST", "/me/password", "api_me", "password_change"),
    ("GET", "/users", "api_users", "list_create_get_update"),
    (
        "POST",
        "/users",
        "api_users",
        "bad_input_is_refused_and_nothing_written",
    ),
    ("GET", "/users/{id}", "api_users", "who_may_change_whom"),
    (
        "PATCH",
        "/users/{id}",
        "api_users",
        "user_limit_of_the_plan",
    ),
    ("GET", "/mailboxes", "api_mailboxes", "crud_and_permissions"),
    (
        "POST",
        "/mailboxes",
        "api_mailboxes",
        "bad_input_is_refused_and_nothing_written",
    ),
    (
        "GET",
        "/mailboxes/{id}",
        "api_mailboxes",
        "crud_and_permissions",
    ),
    ("PATCH", "/mailboxes/{id}", "api_mailboxes", "hostile_html"),
    (
        "DELETE",
        "/mailboxes/{id}",
        "api_mailboxes",
        "crud_and_permissions",
    ),
    (
        "GET",
        "/mailboxes/{id}/permissions",
        "api_mailboxes",
        "plan_limit_and_read_only_after_downgrade",
    ),
    (
        "PUT",
        "/mailboxes/{id}/permissions",
        "api_mailboxes",
        "other_accounts_mailboxes_do_not_exist",
    ),
    ("GET", "/account", "api_account", "summary_and_who_sees_it"),
    (
        "GET",
        "/account/options",
        "api_account",
        "options_get_and_patch",
    ),
    (
        "PATCH",
        "/account/options",
        "api_account",
        "options_get_and_patch",
    ),
    ("PUT", "/account/plan", "api_account", "plan_changes"),
    ("POST", "/account/owner", "api_account", "owner_transfer"),
    ("GET", "/tokens", "api_tokens", "list_create_revoke"),
    ("POST", "/tokens", "api_tokens", "bad_input"),
    ("DELETE", "/tokens/{id}", "api_tokens", "list_create_revoke"),
    (
        "GET",
        "/mailboxes/{id}/conversations",
        "api_conversations",
        "list_and_read",
    ),
    (
        "GET",
        "/conversations/{id}",
        "api_conversations",
        "list_and_read",
    ),
    (
        "GET",
        "/messages/{id}/source",
        "api_conversations",
        "list_and_read",
    ),
    (
        "GET",
        "/attachments/{id}",
        "api_conversations",
        "list_and_read",
    ),
    (
        "GET",
        "/mailboxes/{id}/pop-accounts",
        "api_pop_accounts",
        "crud_without_the_password",
    ),
    (
        "POST",
        "/mailboxes/{id}/pop-accounts",
        "api_pop_accounts",
        "bad_input",
    ),
    (
        "POST",
        "/mailboxes/{id}/pop-accounts/test",
        "api_pop_accounts",
        "test_connection_and_fetch",
    ),
    (
        "GET",
        "/pop-accounts/{id}",
        "api_pop_accounts",
        "crud_without_the_password",
    ),
    (
        "PATCH",
        "/pop-accounts/{id}",
        "api_pop_accounts",
        "crud_without_the_password",
    ),
    (
        "DELETE",
        "/pop-accounts/{id}",
        "api_pop_accounts",
        "crud_without_the_password",
    ),
    (
        "POST",
        "/pop-accounts/{id}/test",
        "api_pop_accounts",
        "test_connection_and_fetch",
    ),
    (
        "POST",
        "/pop-accounts/{id}/fetch",
        "api_pop_accounts",
        "test_connection_and_fetch",
    ),
    (
        "GET",
        "/pop-accounts/{id}/ledger",
        "api_pop_accounts",
        "test_connection_and_fetch",
    ),
    ("GET", "/templates", "api_templates", "crud_and_roles"),
    ("POST", "/templates", "api_templates", "bad_input"),
    ("GET", "/templates/{id}", "api_templates", "crud_and_roles"),
    (
        "PATCH",
        "/templates/{id}",
        "api_templates",
        "crud_and_roles",
    ),
    (
        "DELETE",
        "/templates/{id}",
        "api_templates",
        "crud_and_roles",
    ),
    (
        "POST",
        "/templates/{id}/render",
        "api_templates",
        "rendering_escapes_values",
    ),
    (
        "POST",
        "/conversations/{id}/replies",
        "api_compose",
        "reply_delivered_and_outbox",
    ),
    (
        "POST",
        "/mailboxes/{id}/conversations",
        "api_compose",
        "new_conversation_failed_and_retried",
    ),
    (
        "GET",
        "/conversations/{id}/outbox",
        "api_compose",
        "reply_delivered_and_outbox",
    ),
    (
        "POST",
        "/outbox/{id}/retry",
        "api_compose",
        "new_conversation_failed_and_retried",
    ),
    ("GET", "/search", "api_search", "search_and_saved_searches"),
    (
        "GET",
        "/saved-searches",
        "api_search",
        "search_and_saved_searches",
    ),
    (
        "POST",
        "/saved-searches",
        "api_search",
        "search_and_saved_searches",
    ),
    (
        "GET",
        "/saved-searches/{id}",
        "api_search",
        "search_and_saved_searches",
    ),
    (
        "PATCH",
        "/saved-searches/{id}",
        "api_search",
        "search_and_saved_searches",
    ),
    (
        "DELETE",
        "/saved-searches/{id}",
        "api_search",
        "search_and_saved_searches",
    ),
    ("GET", "/contacts", "api_search", "contacts_and_preferences"),
    (
        "GET",
        "/contacts/{id}",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "PATCH",
        "/contacts/{id}",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "PUT",
        "/contacts/{id}/saved",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "DELETE",
        "/contacts/{id}/saved",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "GET",
        "/contacts/{id}/conversations",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "GET",
        "/me/notifications",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "PUT",
        "/me/notifications",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "POST",
        "/me/rss-token",
        "api_search",
        "contacts_and_preferences",
    ),
    (
        "DELETE",
        "/me/rss-token",
        "api_search",
        "contacts_and_preferences",
    ),
    ("GET", "/dkim", "api_dkim", "keys_made_listed_and_deleted"),
    ("POST", "/dkim", "api_dkim", "bad_input_and_roles"),
    (
        "DELETE",
        "/dkim/{id}",
        "api_dkim",
        "keys_made_listed_and_deleted",
    ),
    (
        "GET",
        "/mailboxes/{id}/smtp",
        "api_mailbox_smtp",
        "set_read_test_remove",
    ),
    (
        "PUT",
        "/mailboxes/{id}/smtp",
        "api_mailbox_smtp",
        "bad_input_and_the_ssl_option",
    ),
    (
        "DELETE",
        "/mailboxes/{id}/smtp",
        "api_mailbox_smtp",
        "set_read_test_remove",
    ),
    (
        "POST",
        "/mailboxes/{id}/smtp/test",
        "api_mailbox_smtp",
        "set_read_test_remove",
    ),
    ("GET", "/folders", "api_workspace", "workspace_flow"),
    (
        "GET",
        "/mailboxes/{id}/folder-conversations",
        "api_workspace",
        "workspace_flow",
    ),
    ("GET", "/my-mail", "api_workspace", "workspace_flow"),
    (
        "PUT",
        "/conversations/{id}/assignee",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "PUT",
        "/conversations/{id}/status",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "PUT",
        "/conversations/{id}/read",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "GET",
        "/conversations/{id}/tags",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "POST",
        "/conversations/{id}/tags",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "DELETE",
        "/conversations/{id}/tags",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "POST",
        "/conversations/{id}/merge",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "POST",
        "/conversations/{id}/move",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "POST",
        "/conversations/bulk",
        "api_workspace",
        "workspace_flow",
    ),
    ("GET", "/activity", "api_workspace", "workspace_flow"),
    (
        "GET",
        "/conversations/{id}/activity",
        "api_workspace",
        "workspace_flow",
    ),
    (
        "GET",
        "/conversations/{id}/notes",
        "api_collaboration",
        "notes_list_and_add",
    ),
    (
        "POST",
        "/conversations/{id}/notes",
        "api_collaboration",
        "notes_list_and_add",
    ),
    (
        "GET",
        "/conversations/{id}/presence",
        "api_collaboration",
        "presence_and_users_online",
    ),
    (
        "POST",
        "/conversations/{id}/presence",
        "api_collaboration",
        "presence_and_users_online",
    ),
    (
        "GET",
        "/users/online",
        "api_collaboration",
        "presence_and_users_online",
    ),
];

const SOURCES: &[(&str, &str)] = &[
    ("api_me", include_str!("api_me.rs")),
    ("api_users", include_str!("api_users.rs")),
    ("api_mailboxes", include_str!("api_mailboxes.rs")),
    ("api_account", include_str!("api_account.rs")),
    ("api_tokens", include_str!("api_tokens.rs")),
    ("api_conversations", include_str!("api_conversations.rs")),
    ("api_pop_accounts", include_str!("api_pop_accounts.rs")),
    ("api_templates", include_str!("api_templates.rs")),
    ("api_compose", include_str!("api_compose.rs")),
    ("api_mailbox_smtp", include_str!("api_mailbox_smtp.rs")),
    ("api_access", include_str!("api_access.rs")),
    ("permission_matrix", include_str!("permission_matrix.rs")),
    ("api_search", include_str!("api_search.rs")),
    ("api_dkim", include_str!("api_dkim.rs")),
    ("api_workspace", include_str!("api_workspace.rs")),
    ("api_collaboration", include_str!("api_collaboration.rs")),
    ("api_auto_reply", include_str!("api_auto_reply.rs")),
];

/// The test source calls the operation: the method and the path with its
/// parameter written as a format argument, e.g. `"PATCH", &format!("/users/{uid}")`.
fn calls(source: &str, method: &str, path: &str) -> bool {
    let (head, tail) = match path.split_once("{id}") {
        Some((h, t)) => (h, Some(t)),
        None => (path, None),
    };
    let mut rest = source;
    while let Some(i) = rest.find(&format!("\"{head}")) {
        let after = &rest[i + 1 + head.len()..];
        let path_matches = match tail {
            None => after.starts_with('"'),
            Some(t) => after.split_once('}').is_some_and(|(param, more)| {
                param.starts_with('{') && more.starts_with(&format!("{t}\""))
            }),
        };
        let before = &rest[..i];
        let window = &before[before.len().saturating_sub(120)..];
        let method_matches = if method == "GET" {
            window.contains(".get(") || window.contains("\"GET\"")
        } else {
            window.contains(&format!("\"{method}\""))
        };
        if path_matches && method_matches {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

async fn openapi_covers_every_route(kind: Kind) {
    let t = spawn(kind).await;
    let res = reqwest::get(format!("{}/api/v1/openapi.json", t.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_ascii_uppercase();
            assert!(
                op["responses"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .any(|k| k.starts_with('2')),
                "{method} {path} documents its success"
            );
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path} documents 401"
            );
            assert!(op["tags"].is_array(), "{method} {path} has a tag");
            documented.insert((method, path.clone()));
        }
    }
    let tested: BTreeSet<(String, String)> = EXERCISED
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    let untested: Vec<_> = documented.difference(&tested).collect();
    assert!(
        untested.is_empty(),
        "endpoints without a test: {untested:?}"
    );
    let undocumented: Vec<_> = tested.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "tested but not in openapi.json: {undocumented:?}"
    );

    // Each named test exists and really calls its operation.
    for (method, path, file, test) in EXERCISED {
        let source = SOURCES
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, s)| *s)
            .unwrap_or_else(|| panic!("no test file {file}"));
        assert!(
            source.contains(&format!("async fn {test}(")),
            "{file}::{test} does not exist"
        );
        assert!(
            calls(source, method, path),
            "{file} never calls {method} {path}"
        );
    }

    // No secret ever appears in a response schema.
    let schemas = doc["components"]["schemas"].to_string();
    for secret in ["password_hash", "token_hash", "hash\""] {
        assert!(!schemas.contains(secret), "{secret} in a schema");
    }
}

macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(ecp_testkit::db::Kind::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(ecp_testkit::db::Kind::Postgres).await }
        }
    )+};
}

on_both!(openapi_covers_every_route);
