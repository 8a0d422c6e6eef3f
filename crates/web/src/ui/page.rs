//! The layout's data: who is signed in, the form token, a notice to show.

use crate::auth::CurrentUser;
use ecp_app::Actor;

/// Every page template has a `page: Page` field; `base.html` reads it.
pub(crate) struct Page {
    pub title: String,
    pub csrf: String,
    pub user: Option<PageUser>,
    /// A one-line confirmation after a redirect ("Saved.").
    pub notice: Option<String>,
    /// Which top-level area is active, for the navigation.
    pub section: &'static str,
    /// Saved searches for the sidebar (`saved_searches.html`); filled by
    /// pages that show them, see [`Page::with_saved_searches`].
    pub saved_searches: Vec<SavedLink>,
}

pub(crate) struct SavedLink {
    pub id: i64,
    pub name: String,
    pub shared: bool,
}

pub(crate) struct PageUser {
    pub name: String,
    pub is_admin: bool,
    pub is_owner: bool,
    pub read_only: bool,
    pub plan: String,
}

impl Page {
    pub fn anonymous(title: &str, csrf: &str) -> Self {
        Self {
            title: title.to_string(),
            csrf: csrf.to_string(),
            user: None,
            notice: None,
            section: "",
            saved_searches: Vec::new(),
        }
    }

    pub fn for_user(title: &str, user: &CurrentUser, section: &'static str) -> Self {
        Self {
            title: title.to_string(),
            csrf: user.csrf_token.clone(),
            user: Some(PageUser::from_actor(&user.actor)),
            notice: None,
            section,
            saved_searches: Vec::new(),
        }
    }

    /// Lists the user's saved searches in the sidebar.
    pub async fn with_saved_searches(
        mut self,
        app: &ecp_app::App,
        user: &CurrentUser,
    ) -> Result<Self, crate::error::PageError> {
        self.saved_searches = app
            .saved_searches(&user.actor)
            .await?
            .into_iter()
            .map(|s| SavedLink {
                id: s.id,
                name: s.name,
                shared: s.shared,
            })
            .collect();
        Ok(self)
    }

    /// Shows the notice a redirect asked for. Only known codes are shown, so
    /// a crafted link can't put words on the page.
    pub fn with_notice(mut self, code: Option<&str>) -> Self {
        self.notice = code.and_then(notice_text).map(str::to_string);
        self
    }
}

impl PageUser {
    fn from_actor(a: &Actor) -> Self {
        Self {
            name: a.name.clone(),
            is_admin: a.is_admin(),
            is_owner: a.is_owner(),
            read_only: a.read_only,
            plan: a.plan.label().to_string(),
        }
    }
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "Saved.",
        "created" => "Created.",
        "deleted" => "Deleted.",
        "password" => "Your password was changed. Your other devices have been signed out.",
        "welcome" => "Welcome! Your account is ready.",
        "token-revoked" => "The API token was revoked.",
        "plan" => "The plan was changed.",
        "signed-out" => "You are signed out.",
        "mailbox-created" => {
            "The mailbox was added. Forward your public address to its mailbox email address to start receiving mail."
        }
        "mailbox-deleted" => "The mailbox was deleted.",
        "user-added" => "The user was added and can sign in with the password you chose.",
        "role-changed" => "The role was changed.",
        "user-deactivated" => {
            "The user was deactivated: they are signed out and can't sign in. Their history stays."
        }
        "user-reactivated" => "The user was reactivated and can sign in again.",
        "options-saved" => "Account Options were saved.",
        "profile-saved" => "Your name and email address were saved.",
        "signature-saved" => "Your personal signature was saved.",
        "search-saved" => "The search was saved.",
        "search-deleted" => "The saved search was deleted.",
        "contact-saved" => {
            "Added to Contacts: this sender's mail is never spam, and their spam conversations were moved back."
        }
        "contact-unsaved" => "Removed from Contacts.",
        "notifications-saved" => "Your notification choices were saved.",
        "rss-revoked" => "Your RSS token was revoked: feed addresses with it stop working.",
        "invite-accepted" => "Welcome! Your password is set and you are signed in.",
        "owner-transferred" => {
            "Ownership was transferred. Sign in again to continue as an administrator."
        }
        _ => return None,
    })
}

/// `?notice=...` on pages that show a confirmation after a redirect.
#[derive(serde::Deserialize, Default)]
pub(crate) struct NoticeQuery {
    pub notice: Option<String>,
}
