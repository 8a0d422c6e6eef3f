//! The template editor's form and the pieces of its page: the list on the
//! left, the placeholders one can insert, a Preview.

use ecp_app::templates::{Rendered, TemplateInput, TemplateRecord};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct TemplateForm {
    /// The template a Preview belongs to; empty while adding one.
    pub id: String,
    pub name: String,
    pub subject: String,
    pub body_html: String,
}

impl TemplateForm {
    pub fn from_record(t: &TemplateRecord) -> Self {
        Self {
            id: t.id.0.to_string(),
            name: t.name.clone(),
            subject: t.subject.clone(),
            body_html: t.body_html.clone(),
        }
    }

    pub fn input(&self) -> TemplateInput<'_> {
        TemplateInput {
            name: &self.name,
            subject: &self.subject,
            body_html: &self.body_html,
        }
    }

    /// For showing the form again: the editor renders the body as HTML, so
    /// it gets the same cleaning as a saved one.
    pub fn cleaned(mut self) -> Self {
        self.body_html = ecp_app::sanitize_signature(&self.body_html);
        self
    }
}

/// A template in the dialog's left-hand list.
pub(super) struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub subject: String,
}

impl From<TemplateRecord> for TemplateRow {
    fn from(t: TemplateRecord) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            subject: t.subject,
        }
    }
}

/// What Preview shows. `html` is sanitized by the rendering, so the page
/// may include it as markup.
pub(super) struct PreviewView {
    pub subject: String,
    pub html: String,
}

impl From<Rendered> for PreviewView {
    fn from(r: Rendered) -> Self {
        Self {
            subject: r.subject,
            html: r.html,
        }
    }
}
