//! Search and saved searches. A search only ever looks in the mailboxes
//! the actor may see; a saved search is the search form, personal or
//! shared with the account (shared ones are made and changed by
//! administrators, since everyone sees them in their sidebar).

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::permission;
use ecp_domain::search::SearchForm;
use ecp_domain::validation::single_line;
use ecp_store::conversation_search::{self, Budget, Scope};
use ecp_store::conversations::ConversationRecord;
use ecp_store::saved_searches;
use std::time::{Duration, Instant};

pub use ecp_store::saved_searches::SavedSearchRecord;

/// Largest page of results, whatever is asked.
pub const MAX_RESULTS_PAGE: i64 = 200;
/// How long one search may read before it answers with what it found
/// (the rest is a click away): a search for common words under narrow
/// filters could otherwise keep a core busy long after its reader left.
const SEARCH_TIME_LIMIT: Duration = Duration::from_secs(2);
/// Saved searches per user (and shared ones per account).
const MAX_SAVED: i64 = 100;

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub conversations: Vec<ConversationRecord>,
    /// Pass back as `before` for the next page; None on the last page.
    pub next: Option<(i64, i64)>,
    /// The search ran out of time before a full page was found; `next`
    /// goes on from where it stopped.
    pub stopped_early: bool,
}

/// A saved search with its form read back.
#[derive(Debug, Clone)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub shared: bool,
    pub form: SearchForm,
    /// Whether the actor may rename or delete it.
    pub editable: bool,
}

impl App {
    /// Whether the actor sees every mailbox, else the ids they may see.
    pub(crate) async fn mailbox_scope(&self, actor: &Actor) -> AppResult<(bool, Vec<i64>)> {
        if permission::can_see_mailbox(actor.role, actor.plan, false) {
            return Ok((true, Vec::new()));
        }
        let ids = self
            .visible_mailboxes(actor)
            .await?
            .iter()
            .map(|m| m.id.0)
            .collect();
        Ok((false, ids))
    }

    /// Conversations matching the form in the mailboxes the actor may see:
    /// with words, the conversation with the newest matching message
    /// first; with filters only, newest activity first. A mailbox filter naming a mailbox the actor
    /// may not see finds nothing (as if it did not exist).
    pub async fn search(
        &self,
        actor: &Actor,
        form: &SearchForm,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> AppResult<SearchResults> {
        if form.is_empty() {
            return Err(AppError::invalid(
                "q",
                "Type something to search for, or choose a filter.",
            ));
        }
        let zone = self.account(actor).await?.options.time_zone;
        let query = form.parse(&zone, actor.user_id)?;
        let (all, mailboxes) = self.mailbox_scope(actor).await?;
        let limit = limit.clamp(1, MAX_RESULTS_PAGE);
        let mut c = self.db.read().await?;
        let page = conversation_search::find(
            &mut c,
            self.db.backend(),
            Scope {
                account: actor.account_id,
                all_mailboxes: all,
                mailboxes: &mailboxes,
            },
            &query,
            before,
            limit,
            Budget::until(Instant::now() + SEARCH_TIME_LIMIT),
        )
        .await?;
        Ok(SearchResults {
            conversations: page.conversations,
            next: page.next,
            stopped_early: page.stopped_early,
        })
    }

    /// The actor's own saved searches and the account's shared ones.
    pub async fn saved_searches(&self, actor: &Actor) -> AppResult<Vec<SavedSearch>> {
        let mut c = self.db.read().await?;
        let list = saved_searches::list_for_user(&mut c, actor.account_id, actor.user_id).await?;
        Ok(list.into_iter().map(|r| saved(actor, r)).collect())
    }

    pub async fn saved_search(&self, actor: &Actor, id: i64) -> AppResult<SavedSearch> {
        let mut c = self.db.read().await?;
        saved_searches::get_for_user(&mut c, actor.account_id, actor.user_id, id)
            .await?
            .map(|r| saved(actor, r))
            .ok_or(AppError::NotFound)
    }

    /// Saves a search under a name; `shared` makes it everyone's
    /// (administrators only). The form must be a valid search.
    pub async fn create_saved_search(
        &self,
        actor: &Actor,
        name: &str,
        form: &SearchForm,
        shared: bool,
    ) -> AppResult<SavedSearch> {
        actor.require_writable()?;
        if shared && !actor.is_admin() {
            return Err(AppError::Forbidden(
                "Only the account owner and administrators share searches with everyone; save it for yourself instead.".into(),
            ));
        }
        let name = search_name(name)?;
        let json = self.checked_form(actor, form).await?;
        let owner = (!shared).then_some(actor.user_id);
        let mut tx = self.db.begin().await?;
        if saved_searches::count_for_user(&mut tx, actor.account_id, owner).await? >= MAX_SAVED {
            return Err(AppError::Conflict(format!(
                "There are already {MAX_SAVED} saved searches here: delete one you no longer use first."
            )));
        }
        let id = saved_searches::insert(&mut tx, actor.account_id, owner, &name, &json, now_ms())
            .await?;
        tx.commit().await?;
        self.saved_search(actor, id).await
    }

    /// Renames a saved search and, when `form` is given, changes it.
    pub async fn update_saved_search(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        form: Option<&SearchForm>,
    ) -> AppResult<SavedSearch> {
        let current = self.editable_search(actor, id).await?;
        let name = search_name(name)?;
        let json = match form {
            Some(f) => self.checked_form(actor, f).await?,
            None => serde_json::to_string(&current.form)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        let mut c = self.db.read().await?;
        saved_searches::update(&mut c, id, &name, &json).await?;
        drop(c);
        self.saved_search(actor, id).await
    }

    pub async fn delete_saved_search(&self, actor: &Actor, id: i64) -> AppResult<()> {
        self.editable_search(actor, id).await?;
        let mut c = self.db.read().await?;
        saved_searches::delete(&mut c, id).await?;
        Ok(())
    }

    async fn editable_search(&self, actor: &Actor, id: i64) -> AppResult<SavedSearch> {
        actor.require_writable()?;
        let s = self.saved_search(actor, id).await?;
        if !s.editable {
            return Err(AppError::Forbidden(
                "Only the account owner and administrators change shared searches.".into(),
            ));
        }
        Ok(s)
    }

    /// The form as stored JSON, after checking it is a search that runs.
    async fn checked_form(&self, actor: &Actor, form: &SearchForm) -> AppResult<String> {
        if form.is_empty() {
            return Err(AppError::invalid(
                "q",
                "Type something to search for, or choose a filter, before saving.",
            ));
        }
        let zone = self.account(actor).await?.options.time_zone;
        form.parse(&zone, actor.user_id)?;
        serde_json::to_string(form).map_err(|e| AppError::Internal(e.to_string()))
    }
}

fn saved(actor: &Actor, r: SavedSearchRecord) -> SavedSearch {
    // A form this build can't read shows as an empty search rather than
    // hiding the saved search (it can still be renamed or deleted).
    let form = serde_json::from_str(&r.query).unwrap_or_default();
    let shared = r.user_id.is_none();
    SavedSearch {
        id: r.id,
        name: r.name,
        shared,
        form,
        editable: !shared || actor.is_admin(),
    }
}

fn search_name(name: &str) -> AppResult<String> {
    Ok(single_line("name", "The name of the search", name, 60)?)
}
