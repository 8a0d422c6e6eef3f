//! Contacts: every sender is recorded as mail arrives; people browse and
//! edit them, and "Add to Contacts" (saved) makes a sender trusted: their
//! spam conversations move back at once, and their later mail is never
//! spam (inbound asks `contacts.saved`). A user sees the contacts of the
//! mailboxes they may see, and only those conversations in the history.

use crate::activity::{self, ActivityScope};
use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult};
use ecp_domain::MailboxId;
use ecp_domain::activity::Action;
use ecp_domain::conversation::ConversationId;
use ecp_domain::validation::single_line;
use ecp_store::contacts::{self, Scope};
use ecp_store::conversations;

pub use ecp_store::contacts::ContactRecord;

/// Largest page of contacts or history, whatever is asked.
pub const MAX_CONTACTS_PAGE: i64 = 200;
const MAX_NOTES: usize = 5000;

#[derive(Debug, Clone)]
pub struct ContactPage {
    pub contacts: Vec<ContactRecord>,
    /// Pass back as `after` for the next page; None on the last page.
    pub next: Option<String>,
}

impl App {
    /// Contacts whose name or address contains `search`, by address.
    pub async fn list_contacts(
        &self,
        actor: &Actor,
        search: &str,
        saved_only: bool,
        after: Option<&str>,
        limit: i64,
    ) -> AppResult<ContactPage> {
        let search = search.trim();
        if search.chars().count() > 200 {
            return Err(AppError::invalid(
                "q",
                "Search with at most 200 characters.",
            ));
        }
        let limit = limit.clamp(1, MAX_CONTACTS_PAGE);
        let (all, mailboxes) = self.mailbox_scope(actor).await?;
        let scope = scope(actor, all, &mailboxes);
        let mut c = self.db.read().await?;
        let mut list = contacts::list(
            &mut c,
            scope,
            search,
            saved_only,
            after.unwrap_or(""),
            limit + 1,
        )
        .await?;
        let next = if list.len() as i64 > limit {
            list.truncate(limit as usize);
            list.last().map(|l| l.email.clone())
        } else {
            None
        };
        Ok(ContactPage {
            contacts: list,
            next,
        })
    }

    /// A contact the actor may see, or NotFound.
    pub async fn contact(&self, actor: &Actor, id: i64) -> AppResult<ContactRecord> {
        let (all, mailboxes) = self.mailbox_scope(actor).await?;
        let mut c = self.db.read().await?;
        contacts::get_by_id(&mut c, scope(actor, all, &mailboxes), id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The contact's conversations in the mailboxes the actor may see,
    /// newest first.
    pub async fn contact_history(
        &self,
        actor: &Actor,
        id: i64,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> AppResult<crate::conversations::ConversationPage> {
        self.contact(actor, id).await?;
        let limit = limit.clamp(1, MAX_CONTACTS_PAGE);
        let (all, mailboxes) = self.mailbox_scope(actor).await?;
        let mut c = self.db.read().await?;
        let mut list =
            contacts::history(&mut c, id, scope(actor, all, &mailboxes), before, limit + 1).await?;
        let next = if list.len() as i64 > limit {
            list.truncate(limit as usize);
            list.last().map(|l| (l.last_message_at, l.id.0))
        } else {
            None
        };
        Ok(crate::conversations::ConversationPage {
            conversations: list,
            next,
        })
    }

    /// Changes the contact's name (may be empty: the address shows) and notes.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        notes: &str,
    ) -> AppResult<ContactRecord> {
        actor.require_writable()?;
        self.contact(actor, id).await?;
        let name = if name.trim().is_empty() {
            String::new()
        } else {
            single_line("name", "The contact's name", name, 200)?
        };
        let notes = notes.trim();
        if notes.chars().count() > MAX_NOTES {
            return Err(AppError::invalid(
                "notes",
                format!("The notes are too long: at most {MAX_NOTES} characters."),
            ));
        }
        {
            let mut c = self.db.read().await?;
            contacts::update(&mut c, id, &name, notes).await?;
        }
        self.contact(actor, id).await
    }

    /// Adds the contact to Contacts: in one transaction it is saved and
    /// every spam conversation of theirs moves back to open, each recorded
    /// in Recent Actions. Returns the conversations moved back.
    pub async fn save_contact(&self, actor: &Actor, id: i64) -> AppResult<Vec<ConversationId>> {
        actor.require_writable()?;
        let contact = self.contact(actor, id).await?;
        let mut tx = self.db.begin().await?;
        contacts::set_saved_by_id(&mut tx, id, true).await?;
        let mut moved = Vec::new();
        for (conversation, mailbox) in contacts::spam_conversations(&mut tx, id).await? {
            if contacts::unspam_conversation(&mut tx, conversation).await? {
                let scope = ActivityScope::conversation(
                    actor,
                    MailboxId(mailbox),
                    ConversationId(conversation),
                );
                activity::record(
                    &mut tx,
                    scope,
                    Action::NotSpam,
                    serde_json::json!({ "reason": "sender added to Contacts", "status": "open" }),
                )
                .await?;
                moved.push(ConversationId(conversation));
            }
        }
        if !contact.saved {
            let scope = ActivityScope {
                account: actor.account_id,
                mailbox: None,
                conversation: None,
                user: Some(actor.user_id),
            };
            activity::record(
                &mut tx,
                scope,
                Action::ContactSaved,
                serde_json::json!({ "contact": id, "email": contact.email }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Removes the contact from Contacts (their mail is scored for spam
    /// again; nothing already filed moves).
    pub async fn unsave_contact(&self, actor: &Actor, id: i64) -> AppResult<()> {
        actor.require_writable()?;
        self.contact(actor, id).await?;
        let mut c = self.db.read().await?;
        contacts::set_saved_by_id(&mut c, id, false).await?;
        Ok(())
    }

    /// "Add sender to Contacts" on a conversation: saves its customer.
    /// Returns the contact's id.
    pub async fn save_sender_of(
        &self,
        actor: &Actor,
        conversation: ConversationId,
    ) -> AppResult<i64> {
        let contact = {
            let mut c = self.db.read().await?;
            conversations::get_by_id(&mut c, conversation).await?
        }
        .filter(|c| c.account_id == actor.account_id)
        .ok_or(AppError::NotFound)?;
        self.mailbox(actor, contact.mailbox_id).await?;
        let id = contact.contact_id.ok_or_else(|| {
            AppError::Conflict("This conversation has no sender address to add to Contacts.".into())
        })?;
        self.save_contact(actor, id).await?;
        Ok(id)
    }
}

fn scope<'a>(actor: &Actor, all: bool, mailboxes: &'a [i64]) -> Scope<'a> {
    Scope {
        account: actor.account_id,
        all_mailboxes: all,
        mailboxes,
    }
}
