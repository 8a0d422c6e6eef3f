//! The agent workspace seen by someone who may not see a mailbox: a user
//! of the account without permission on "Vault", and the owner of another
//! account. Neither finds anything of Vault through folder lists and
//! counts, My Mail, search (also filtered to Vault, also by "assigned to
//! me"), a shared saved search aimed at Vault, contacts, Recent Actions,
//! notes, presence, activity, the message frame, attachments or sources,
//! in the UI or the API. Every refused URL is first shown to work for the
//! owner, so a 404 here means "not yours", never "wrong URL".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod permission_support;
mod ui_support;

use common::*;
use ecp_testkit::db::Kind;
use permission_support::*;
use serde_json::json;
use ui_support::*;

/// The owner reaches everything the outsiders are refused, and finds Vault
/// through the lists: the URLs are right and the lists can show it.
async fn owner_sees_it_all(w: &World) {
    for path in w.hidden_pages() {
        assert_eq!(w.owner_ui.page(&path).await.0, 200, "owner: {path}");
    }
    for path in w.hidden_api() {
        let (status, body) = w.owner.get(&path).await;
        assert_eq!(status, 200, "owner: {path} {body}");
    }
    let (_, found) = w.owner.get("/search?q=zebra").await;
    assert!(conv_ids(&found).contains(&w.hidden));
    let (_, folders) = w.owner.get("/folders").await;
    assert!(
        folders
            .to_string()
            .contains(&format!("\"mailbox_id\":{}", w.vault))
    );
    let (_, activity) = w.owner.get("/activity").await;
    assert!(
        activity
            .to_string()
            .contains(&format!("\"conversation_id\":{}", w.hidden))
    );
    let (_, page) = w
        .owner_ui
        .page(&format!("/saved-searches/{}", w.shared_search))
        .await;
    assert!(page.contains(&format!("/conversations/{}\"", w.hidden)));
    let (_, page) = w.owner_ui.page("/activity").await;
    assert!(page.contains(&format!("/conversations/{}\"", w.hidden)));
}

/// Someone who may not see Vault: `same_account` for the user of the
/// account, false for the other account's owner.
async fn outsider_finds_nothing(w: &World, ui: &Browser, api: &Api, same_account: bool) {
    let who = if same_account {
        "user"
    } else {
        "other account"
    };
    let mut pages = w.hidden_pages();
    pages.extend(w.smuggled_pages());
    let mut api_paths = w.hidden_api();
    if !same_account {
        // The shared search is the account's; the other account has no such thing.
        pages.push(format!("/saved-searches/{}", w.shared_search));
        api_paths.push(format!("/saved-searches/{}", w.shared_search));
        pages.push(format!("/contacts/{}", w.sam));
        api_paths.push(format!("/contacts/{}/conversations", w.sam));
    }
    for path in &pages {
        let (status, body) = ui.page(path).await;
        assert_eq!(status, 404, "{who}: {path}");
        assert_no_secret(&body, w, &format!("{who}: {path}"));
    }
    for path in &api_paths {
        let (status, body) = api.get(path).await;
        assert_eq!(status, 404, "{who}: API {path}");
        assert_no_secret(&body.to_string(), w, &format!("{who}: API {path}"));
    }

    // Writes to the hidden conversation are refused and change nothing.
    let h = w.hidden;
    for (path, fields) in [
        (
            format!("/conversations/{h}/notes"),
            vec![("note_html", "x")],
        ),
        (
            format!("/conversations/{h}/presence"),
            vec![("state", "viewing")],
        ),
        (format!("/conversations/{h}/save-sender"), vec![]),
        (format!("/conversations/{h}/assign"), vec![("assignee", "")]),
        (format!("/conversations/{h}/tags"), vec![("tag", "mine")]),
    ] {
        let res = ui.post(&path, &fields).await;
        assert_eq!(res.status(), 404, "{who}: POST {path}");
    }
    for (method, path, body) in [
        (
            "POST",
            format!("/conversations/{h}/notes"),
            json!({"body_html": "x"}),
        ),
        (
            "POST",
            format!("/conversations/{h}/presence"),
            json!({"state": "viewing"}),
        ),
        (
            "PUT",
            format!("/conversations/{h}/assignee"),
            json!({"assignee_id": null}),
        ),
        ("PUT", format!("/contacts/{}/saved", w.bea), json!(null)),
    ] {
        let (status, _) = api.call(method, &path, Some(body)).await;
        assert_eq!(status, 404, "{who}: API {method} {path}");
    }
    let (_, notes) = w.owner.get(&format!("/conversations/{h}/notes")).await;
    assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
    let (_, c) = w.owner.get(&format!("/conversations/{h}")).await;
    assert!(c["conversation"]["assignee_id"].is_i64(), "{c}");
    let (_, presence) = w.owner.get(&format!("/conversations/{h}/presence")).await;
    assert_eq!(presence["others"], json!([]), "nobody else was seen there");

    // Lists, counts, searches, contacts, Recent Actions: pages.
    let v = w.vault;
    let mut lists = vec![
        "/".to_string(),
        "/my-mail".to_string(),
        "/activity".to_string(),
        "/contacts".to_string(),
        "/contacts?q=bea".to_string(),
        "/search?q=zebra".to_string(),
        format!("/search?q=zebra&mailbox={v}"),
        format!("/search?mailbox={v}"),
        "/search?assignee=me".to_string(),
        "/search?tag=zebra-tag".to_string(),
        "/search?q=bea".to_string(),
        "/users/online".to_string(),
    ];
    if same_account {
        lists.push(format!("/mailboxes/{}", w.support));
        lists.push(format!("/saved-searches/{}", w.shared_search));
        lists.push(format!("/contacts/{}", w.sam));
    }
    for path in &lists {
        let (status, body) = ui.page(path).await;
        assert_eq!(status, 200, "{who}: {path}");
        assert_no_secret(&body, w, &format!("{who}: {path}"));
        assert!(
            !body.contains(&format!("data-folder=\"{v}-")),
            "{who}: {path} counts Vault"
        );
        if body.contains("data-count=\"my-mail\"") {
            assert!(
                body.contains("data-count=\"my-mail\">0<"),
                "{who}: {path}: My Mail counts the Vault conversation"
            );
        }
    }
    let (_, saved) = ui
        .page(&format!("/saved-searches/{}", w.shared_search))
        .await;
    if same_account {
        assert!(
            saved.contains("id=\"no-results\""),
            "the shared search finds nothing of Vault"
        );
        let (_, found) = ui.page("/search?q=refund").await;
        assert!(
            found.contains(&format!("/conversations/{}\"", w.visible)),
            "the user's own search works"
        );
        let (_, sam) = ui.page(&format!("/contacts/{}", w.sam)).await;
        assert!(
            sam.contains(&format!("/conversations/{}\"", w.visible)),
            "Sam's history shows Support"
        );
        let (_, contacts) = ui.page("/contacts").await;
        assert!(contacts.contains("sam@cust.example"));
        let (status, _) = ui
            .page(&format!(
                "/conversations/{}/messages/{}/body",
                w.visible, w.visible_msg
            ))
            .await;
        assert_eq!(status, 200, "the user's own message frame");
        let (status, _) = ui
            .page(&format!(
                "/conversations/{}/attachments/{}",
                w.visible, w.visible_att
            ))
            .await;
        assert_eq!(status, 200, "the user's own attachment");
    }

    // The same through the API.
    let (_, folders) = api.get("/folders").await;
    assert!(
        folders["mailboxes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["mailbox_id"] != v),
        "{who}: /folders lists Vault: {folders}"
    );
    assert_eq!(folders["my_mail"], 0, "{who}: My Mail count {folders}");
    let (_, mailboxes) = api.get("/mailboxes").await;
    assert!(
        mailboxes.as_array().unwrap().iter().all(|m| m["id"] != v),
        "{who}: {mailboxes}"
    );
    let (status, mine) = api.get("/my-mail").await;
    assert_eq!(status, 200);
    assert!(conv_ids(&mine).is_empty(), "{who}: My Mail {mine}");
    for query in [
        "q=zebra".to_string(),
        format!("q=zebra&mailbox={v}"),
        format!("mailbox={v}"),
        "assignee=me".to_string(),
        "tag=zebra-tag".to_string(),
        "q=bea".to_string(),
    ] {
        let (status, found) = api.get(&format!("/search?{query}")).await;
        assert_eq!(status, 200, "{who}: /search?{query} {found}");
        assert!(
            conv_ids(&found).is_empty(),
            "{who}: /search?{query} finds {found}"
        );
    }
    let (_, saved) = api.get("/saved-searches").await;
    let listed = saved
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == w.shared_search);
    assert_eq!(
        listed, same_account,
        "{who}: the shared search is listed to its account only"
    );
    let (_, activity) = api.get("/activity").await;
    for a in activity.as_array().unwrap() {
        assert_ne!(a["mailbox_id"], v, "{who}: Recent Actions {a}");
        assert!(
            ![w.hidden, w.sam_vault].contains(&a["conversation_id"].as_i64().unwrap_or(0)),
            "{who}: {a}"
        );
    }
    assert_no_secret(&activity.to_string(), w, &format!("{who}: API /activity"));
    let (_, contacts) = api.get("/contacts").await;
    assert_no_secret(&contacts.to_string(), w, &format!("{who}: API /contacts"));
    if same_account {
        let (_, history) = api.get(&format!("/contacts/{}/conversations", w.sam)).await;
        assert_eq!(conv_ids(&history), vec![w.visible], "{who}: Sam's history");
        let (_, found) = api.get("/search?q=refund").await;
        assert_eq!(conv_ids(&found), vec![w.visible]);
    }
}

async fn outsiders(kind: Kind) {
    let w = world(kind).await;
    owner_sees_it_all(&w).await;
    let ursula_ui = w.t.signed_in("ursula@example.com").await;
    let ursula_api = w.t.api_as("ursula@example.com").await;
    outsider_finds_nothing(&w, &ursula_ui, &ursula_api, true).await;

    let other = w.t.account("premium", "xavier@example.com").await;
    api_on(&w.t, &other).await;
    new_mailbox(&w.t, &other, "Other", "other@in.other.example").await;
    let xavier_ui = w.t.signed_in("xavier@example.com").await;
    let xavier_api = w.t.api_as("xavier@example.com").await;
    outsider_finds_nothing(&w, &xavier_ui, &xavier_api, false).await;
}

on_both!(outsiders);
