//! Every mailbox-scoped route x {owner, administrator, permitted user,
//! unpermitted user} x plan, in the API and the UI. A mailbox the actor may
//! not see answers 404 (and is absent from lists) exactly like one that
//! does not exist; one they see but may not change answers 403. On Free
//! every user sees every mailbox, and the API refuses every call. The UI
//! column covers the mailbox page, the home list and the Account & Tools
//! mailbox editor (show, save, delete confirmation, delete).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ecp_domain::{MailboxId, MailboxInput, UserId};
use ecp_testkit::db::Kind;
use serde_json::json;

#[derive(Clone, Copy, Debug)]
enum Route {
    ApiList,
    ApiGet,
    ApiPatch,
    ApiDelete,
    ApiGetPermissions,
    ApiPutPermissions,
    UiHome,
    UiMailbox,
    UiSettingsEdit,
    UiSettingsSave,
    UiSettingsDeleteConfirm,
    UiSettingsDelete,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Status(u16),
    Listed,
    Absent,
    /// 403 saying the plan doesn't include the API.
    PlanRefused,
}

use Expect::{Absent, Listed, PlanRefused, Status};
use Route::*;

const WHO: [&str; 4] = [
    "owner",
    "administrator",
    "permitted user",
    "unpermitted user",
];

/// Standard and Premium: per-mailbox permissions apply.
const PAID: &[(Route, [Expect; 4])] = &[
    (ApiList, [Listed, Listed, Listed, Absent]),
    (ApiGet, [Status(200), Status(200), Status(200), Status(404)]),
    (
        ApiPatch,
        [Status(200), Status(200), Status(403), Status(404)],
    ),
    (
        ApiDelete,
        [Status(204), Status(204), Status(403), Status(404)],
    ),
    (
        ApiGetPermissions,
        [Status(200), Status(200), Status(403), Status(404)],
    ),
    (
        ApiPutPermissions,
        [Status(200), Status(200), Status(403), Status(404)],
    ),
    (UiHome, [Listed, Listed, Listed, Absent]),
    (
        UiMailbox,
        [Status(200), Status(200), Status(200), Status(404)],
    ),
];

/// Free: everyone sees every mailbox; the API answers the plan refusal.
const FREE: &[(Route, [Expect; 4])] = &[
    (ApiList, [PlanRefused; 4]),
    (ApiGet, [PlanRefused; 4]),
    (ApiPatch, [PlanRefused; 4]),
    (ApiDelete, [PlanRefused; 4]),
    (ApiGetPermissions, [PlanRefused; 4]),
    (ApiPutPermissions, [PlanRefused; 4]),
    (UiHome, [Listed; 4]),
    (UiMailbox, [Status(200); 4]),
    (
        UiSettingsEdit,
        [Status(200), Status(200), Status(403), Status(403)],
    ),
    (
        UiSettingsSave,
        [Status(303), Status(303), Status(403), Status(403)],
    ),
    (
        UiSettingsDeleteConfirm,
        [Status(200), Status(200), Status(403), Status(403)],
    ),
    (
        UiSettingsDelete,
        [Status(303), Status(303), Status(403), Status(403)],
    ),
];

struct Actor {
    api: Api,
    browser: Browser,
}

struct Setup {
    t: TestApp,
    names: std::collections::HashMap<i64, String>,
    acc: Account,
    permitted: i64,
    actors: Vec<Actor>,
}

const EMAILS: [&str; 4] = [
    "olivia@example.com",
    "ann@example.com",
    "pete@example.com",
    "ursula@example.com",
];

/// The account is made on Premium (Free can't hold four users) and then
/// moved to `plan`; on Free the fourth user becomes read-only, which
/// changes nothing about what they may see.
async fn setup(kind: Kind, plan: &str) -> Setup {
    let t = spawn(kind).await;
    let acc = t.account("premium", EMAILS[0]).await;
    t.enable_api(&acc).await;
    t.add_user(&acc, "Ann Admin", EMAILS[1], "administrator")
        .await;
    let permitted = t.add_user(&acc, "Pete Permitted", EMAILS[2], "user").await;
    t.add_user(&acc, "Ursula Unpermitted", EMAILS[3], "user")
        .await;
    if plan != "premium" {
        let owner = t.owner_actor(&acc).await;
        t.app.change_plan(&owner, plan).await.unwrap();
    }
    let mut actors = Vec::new();
    for email in EMAILS {
        actors.push(Actor {
            api: t.api_as(email).await,
            browser: t.signed_in(email).await,
        });
    }
    Setup {
        t,
        names: Default::default(),
        acc,
        permitted,
        actors,
    }
}

/// An API answer as an expectation; every 403 must say why.
fn api_status((status, body): (u16, serde_json::Value)) -> Expect {
    let message = err_message(&body);
    if status == 403 {
        assert!(!message.is_empty(), "a 403 says why");
        if message.contains("not included in the Free plan") {
            return PlanRefused;
        }
    }
    Status(status)
}

impl Setup {
    /// A mailbox on which only the permitted user is listed.
    async fn mailbox(&mut self, name: &str) -> i64 {
        let owner = self.t.owner_actor(&self.acc).await;
        let address = format!("{}@in.example.com", name.to_lowercase());
        let input = MailboxInput {
            name,
            direct_address: &address,
            ..Default::default()
        };
        let id = self
            .t
            .app
            .create_mailbox(&owner, &input, &[UserId(self.permitted)])
            .await
            .unwrap()
            .mailbox
            .id
            .0;
        self.names.insert(id, name.to_string());
        id
    }

    async fn exists(&self, id: i64) -> bool {
        let owner = self.t.owner_actor(&self.acc).await;
        self.t.app.mailbox(&owner, MailboxId(id)).await.is_ok()
    }

    async fn run(&self, route: Route, who: usize, id: i64) -> Expect {
        let a = &self.actors[who];
        let path = format!("/mailboxes/{id}");
        match route {
            ApiList => {
                let (status, body) = a.api.get("/mailboxes").await;
                if status != 200 {
                    return api_status((status, body));
                }
                let listed = body.as_array().unwrap().iter().any(|m| m["id"] == id);
                if listed { Listed } else { Absent }
            }
            ApiGet => api_status(a.api.get(&path).await),
            ApiPatch => api_status(
                a.api
                    .call("PATCH", &path, Some(json!({"send_as_name": "Team"})))
                    .await,
            ),
            ApiDelete => api_status(a.api.call("DELETE", &path, None).await),
            ApiGetPermissions => api_status(a.api.get(&format!("{path}/permissions")).await),
            ApiPutPermissions => api_status(
                a.api
                    .call(
                        "PUT",
                        &format!("{path}/permissions"),
                        Some(json!({"user_ids": [self.permitted]})),
                    )
                    .await,
            ),
            UiHome => {
                let (status, body) = a.browser.page("/").await;
                assert_eq!(status, 200);
                if body.contains(&format!("href=\"/mailboxes/{id}\"")) {
                    Listed
                } else {
                    Absent
                }
            }
            UiMailbox => Status(a.browser.page(&path).await.0),
            UiSettingsEdit => Status(a.browser.page(&format!("/settings{path}")).await.0),
            UiSettingsSave => {
                let name = self.names.get(&id).map(String::as_str).unwrap_or("Gone");
                let address = format!("{}@in.example.com", name.to_lowercase());
                let fields = [
                    ("name", name),
                    ("direct_address", address.as_str()),
                    ("send_as_name", "Team"),
                ];
                let res = a.browser.post(&format!("/settings{path}"), &fields).await;
                assert!(location(&res).starts_with("/settings/mailboxes") || res.status() != 303);
                Status(res.status().as_u16())
            }
            UiSettingsDeleteConfirm => {
                Status(a.browser.page(&format!("/settings{path}/delete")).await.0)
            }
            UiSettingsDelete => {
                let res = a
                    .browser
                    .post(&format!("/settings{path}/delete"), &[])
                    .await;
                assert!(location(&res).starts_with("/settings/mailboxes") || res.status() != 303);
                Status(res.status().as_u16())
            }
        }
    }
}

async fn check_plan(kind: Kind, plan: &str, table: &[(Route, [Expect; 4])]) {
    let mut s = setup(kind, plan).await;
    let shared = s.mailbox("Shared").await;
    let missing = 987_654;
    for (route, expected) in table {
        for (who, want) in expected.iter().enumerate() {
            // A delete that succeeds needs a mailbox of its own.
            let id = if *want == Status(204)
                || (matches!(route, UiSettingsDelete) && *want == Status(303))
            {
                s.mailbox(&format!("Del{who}")).await
            } else {
                shared
            };
            let got = s.run(*route, who, id).await;
            assert_eq!(
                got,
                *want,
                "{plan}: {route:?} by the {} on a mailbox they {}",
                WHO[who],
                if who == 3 && plan != "free" {
                    "may not see"
                } else {
                    "see"
                }
            );
            if matches!(route, ApiDelete | UiSettingsDelete) {
                let deleted = matches!(want, Status(204) | Status(303));
                assert_eq!(
                    s.exists(id).await,
                    !deleted,
                    "{plan}: delete by {}",
                    WHO[who]
                );
            }
            // A mailbox that doesn't exist answers like one not seen.
            let never = match route {
                UiHome => Absent,
                UiMailbox
                | UiSettingsEdit
                | UiSettingsSave
                | UiSettingsDeleteConfirm
                | UiSettingsDelete => Status(404),
                _ if plan == "free" => PlanRefused,
                ApiList => Absent,
                _ => Status(404),
            };
            assert_eq!(
                s.run(*route, who, missing).await,
                never,
                "{plan}: {route:?} by the {} on a missing mailbox",
                WHO[who]
            );
        }
    }
    // Refused writes left the shared mailbox as it was set up.
    let owner = s.t.owner_actor(&s.acc).await;
    let detail =
        s.t.app
            .mailbox_detail(&owner, MailboxId(shared))
            .await
            .unwrap();
    assert_eq!(detail.permitted_users, vec![UserId(s.permitted)]);
}

async fn matrix(kind: Kind) {
    check_plan(kind, "free", FREE).await;
    check_plan(kind, "standard", PAID).await;
    check_plan(kind, "premium", PAID).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    matrix(Kind::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    matrix(Kind::Postgres).await
}
