//! Templates (canned replies): every user of the account lists, reads and
//! fills them in (agents insert them into replies); the owner and
//! administrators add, change and delete them. A template of another
//! account is never found.

mod render;
mod source;

pub use ecp_domain::template::{PLACEHOLDERS, Placeholder, TemplateContext, TemplateId};
pub use ecp_store::templates::TemplateRecord;
pub use render::{RenderError, Rendered, check, render};

use crate::actor::Actor;
use crate::error::AppError;
use crate::{App, AppResult, now_ms};
use ecp_domain::ValidationError;
use ecp_domain::template::{TemplateName, check_body, parse_subject};
use ecp_store::StoreError;
use ecp_store::templates::{self, TemplateFields};

/// What a form or API call sends.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateInput<'a> {
    pub name: &'a str,
    pub subject: &'a str,
    pub body_html: &'a str,
}

/// A template's fields after every check, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTemplate {
    pub name: TemplateName,
    pub subject: String,
    /// Sanitized.
    pub body_html: String,
}

impl CheckedTemplate {
    /// Validates the name and subject, sanitizes the body and checks that
    /// it compiles and fills in within the limits; every broken field is
    /// reported at once.
    pub fn parse(input: &TemplateInput<'_>) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = TemplateName::parse(input.name)
            .map_err(|e| errors.push(e))
            .ok();
        let subject = parse_subject(input.subject)
            .map_err(|e| errors.push(e))
            .ok();
        let body_html = ecp_mail::html::sanitize_signature(input.body_html);
        let text = ecp_mail::html::to_plain_text(&body_html);
        let body_ok = check_body(&body_html, &text)
            .map_err(|e| errors.push(e))
            .is_ok();
        if body_ok && let Err(list) = check(&body_html, subject.as_deref().unwrap_or("")) {
            errors.extend(list);
        }
        match (name, subject) {
            (Some(name), Some(subject)) if errors.is_empty() => Ok(Self {
                name,
                subject,
                body_html,
            }),
            _ => Err(errors),
        }
    }

    fn fields(&self) -> TemplateFields<'_> {
        TemplateFields {
            name: &self.name,
            subject: &self.subject,
            body_html: &self.body_html,
        }
    }
}

fn name_conflict(e: StoreError, name: &TemplateName) -> AppError {
    if templates::is_duplicate_name(&e) {
        AppError::invalid(
            "name",
            format!(
                "A template named \u{201c}{name}\u{201d} already exists. Choose another name, or edit that template."
            ),
        )
    } else {
        e.into()
    }
}

impl App {
    /// The account's templates by name; any user of the account.
    pub async fn list_templates(&self, actor: &Actor) -> AppResult<Vec<TemplateRecord>> {
        let mut c = self.db.read().await?;
        Ok(templates::list_for_account(&mut c, actor.account_id).await?)
    }

    /// One template of the actor's account, or NotFound.
    pub async fn template(&self, actor: &Actor, id: TemplateId) -> AppResult<TemplateRecord> {
        let mut c = self.db.read().await?;
        templates::get_in_account(&mut c, actor.account_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn create_template(
        &self,
        actor: &Actor,
        input: &TemplateInput<'_>,
    ) -> AppResult<TemplateRecord> {
        actor.require_admin()?;
        let t = CheckedTemplate::parse(input)?;
        let mut tx = self.db.begin().await?;
        let id = templates::insert(
            &mut tx,
            actor.account_id,
            t.fields(),
            actor.user_id,
            now_ms(),
        )
        .await
        .map_err(|e| name_conflict(e, &t.name))?;
        tx.commit().await?;
        self.template(actor, id).await
    }

    pub async fn update_template(
        &self,
        actor: &Actor,
        id: TemplateId,
        input: &TemplateInput<'_>,
    ) -> AppResult<TemplateRecord> {
        // Not found before forbidden: an id from another account says nothing.
        self.template(actor, id).await?;
        actor.require_admin()?;
        let t = CheckedTemplate::parse(input)?;
        let mut tx = self.db.begin().await?;
        let found = templates::update(&mut tx, actor.account_id, id, t.fields(), now_ms())
            .await
            .map_err(|e| name_conflict(e, &t.name))?;
        if !found {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        self.template(actor, id).await
    }

    pub async fn delete_template(&self, actor: &Actor, id: TemplateId) -> AppResult<()> {
        self.template(actor, id).await?;
        actor.require_admin()?;
        let mut tx = self.db.begin().await?;
        if !templates::delete(&mut tx, actor.account_id, id).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Fills in a saved template; any user of the account.
    pub async fn render_template(
        &self,
        actor: &Actor,
        id: TemplateId,
        ctx: &TemplateContext,
    ) -> AppResult<Rendered> {
        let t = self.template(actor, id).await?;
        render(&t.body_html, &t.subject, ctx).map_err(|e| AppError::from(ValidationError::from(e)))
    }

    /// Fills in a template that is being edited, with the sample values and
    /// the actor as the agent: Preview before saving. Nothing is stored.
    pub fn preview_template(
        &self,
        actor: &Actor,
        input: &TemplateInput<'_>,
    ) -> AppResult<Rendered> {
        let t = CheckedTemplate::parse(input)?;
        render(&t.body_html, &t.subject, &sample_context(actor))
            .map_err(|e| AppError::from(ValidationError::from(e)))
    }
}

/// The Preview values, with the actor as the agent.
pub fn sample_context(actor: &Actor) -> TemplateContext {
    TemplateContext {
        agent_name: actor.name.clone(),
        ..TemplateContext::sample()
    }
}
