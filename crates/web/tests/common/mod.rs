//! The real web server on 127.0.0.1:0 over a fresh database, and clients
//! that talk to it like a browser (cookies, forms with their CSRF token) or
//! like an API caller (bearer token).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ecp_app::signup::SignupInput;
use ecp_app::{App, AppConfig};
use ecp_testkit::db::{Kind, TestDb};
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub app: App,
    shutdown: CancellationToken,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn spawn(kind: Kind) -> TestApp {
    spawn_with(kind, AppConfig::default()).await
}

pub async fn spawn_with(kind: Kind, config: AppConfig) -> TestApp {
    let db = TestDb::new(kind).await.unwrap();
    let store = ecp_store::Db::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let app = App::new(store, config);
    let router = ecp_web::router(app.clone(), ecp_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    tokio::spawn(ecp_web::serve(listener, router, shutdown.clone()));
    TestApp {
        base: format!("http://{addr}"),
        addr,
        app,
        shutdown,
        _db: db,
    }
}

/// An account made through the use case (the wizard itself is tested in
/// the UI tests).
pub struct Account {
    pub account_id: i64,
    pub owner_id: i64,
    pub owner_email: String,
}

impl TestApp {
    pub async fn account(&self, plan: &str, owner_email: &str) -> Account {
        let out = self
            .app
            .create_account(&SignupInput {
                account_name: "Acme Support".into(),
                owner_name: "Olivia Owner".into(),
                owner_email: owner_email.into(),
                password: PASSWORD.into(),
                time_zone: "Europe/Berlin".into(),
                plan: plan.into(),
                mailbox_name: String::new(),
                mailbox_address: String::new(),
            })
            .await
            .unwrap();
        Account {
            account_id: out.account_id.0,
            owner_id: out.owner_id.0,
            owner_email: owner_email.into(),
        }
    }

    /// A browser-like client with a cookie jar that does not follow
    /// redirects (tests look at them).
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            csrf: String::new(),
        }
    }

    /// A browser already signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Browser {
        let mut b = self.browser();
        let res = b.login(email, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in as {email} failed");
        b.refresh_csrf().await;
        b
    }

    pub fn api(&self, token: &str) -> Api {
        Api {
            base: format!("{}/api/v1", self.base),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// An API token for the user (created through the use case, as
    /// `ecp token create` does).
    pub async fn token_for(&self, email: &str) -> String {
        self.app
            .create_token_for_email(email, "tests")
            .await
            .unwrap()
            .secret
    }
}

pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
}

/// The CSRF token from a page's `<meta name="csrf-token">` or a form field.
pub fn csrf_in(html: &str) -> Option<String> {
    for marker in ["name=\"csrf-token\" content=\"", "name=\"csrf\" value=\""] {
        if let Some(i) = html.find(marker) {
            let rest = &html[i + marker.len()..];
            return rest.find('"').map(|j| rest[..j].to_string());
        }
    }
    None
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// GET a page and return status and body.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    /// Picks up the current CSRF token from the home page (or sign-in page).
    pub async fn refresh_csrf(&mut self) {
        for path in ["/", "/login"] {
            let (_, body) = self.page(path).await;
            if let Some(t) = csrf_in(&body) {
                self.csrf = t;
                return;
            }
        }
        panic!("no CSRF token found");
    }

    /// POSTs a form with the current CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&mut self, email: &str, password: &str) -> reqwest::Response {
        let (_, body) = self.page("/login").await;
        self.csrf = csrf_in(&body).expect("sign-in page has a CSRF token");
        self.post(
            "/login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// Sends a request with an optional JSON body; returns status and JSON.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.req(method, path);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, json)
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.call("GET", path, None).await
    }
}

// Helpers for the API tests: users made through the use cases, the API
// switched on, clients for each user.
impl TestApp {
    /// The owner as an actor, for calling use cases directly.
    pub async fn owner_actor(&self, acc: &Account) -> ecp_app::Actor {
        self.app
            .actor(ecp_domain::UserId(acc.owner_id))
            .await
            .unwrap()
    }

    /// Adds a user with the test password; returns their id.
    pub async fn add_user(&self, acc: &Account, name: &str, email: &str, role: &str) -> i64 {
        let owner = self.owner_actor(acc).await;
        let input = ecp_app::users::NewUserInput {
            name: name.into(),
            email: email.into(),
            role: role.into(),
            password: PASSWORD.into(),
        };
        self.app.add_user(&owner, &input).await.unwrap().user.id.0
    }

    /// Turns on Enable API (the plan must allow it).
    pub async fn enable_api(&self, acc: &Account) {
        let patch = ecp_app::account::OptionsPatch {
            api_enabled: Some(true),
            ..Default::default()
        };
        self.app
            .set_options(ecp_domain::AccountId(acc.account_id), &patch)
            .await
            .unwrap();
    }

    /// An API client holding a fresh token of the user with this email.
    pub async fn api_as(&self, email: &str) -> Api {
        let token = self.token_for(email).await;
        self.api(&token)
    }

    /// An account on a paid plan with the API on, and its owner's client.
    pub async fn api_account(&self, plan: &str) -> (Account, Api) {
        let acc = self.account(plan, "olivia@example.com").await;
        self.enable_api(&acc).await;
        let api = self.api_as(&acc.owner_email).await;
        (acc, api)
    }
}

impl Api {
    /// Sends a raw body with a content type, for malformed-input tests.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = self
            .req(method, path)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }
}

/// The `code` of an API error body.
pub fn err_code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// The `message` of an API error body.
pub fn err_message(body: &serde_json::Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}

/// The field names listed in a validation error.
pub fn err_fields(body: &serde_json::Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
