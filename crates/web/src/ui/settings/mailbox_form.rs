//! The mailbox editor's form: its fields, and the permission checkboxes
//! turned into the list the use case takes.

use crate::ui::form::FieldErrors;
use ecp_app::mailboxes::MailboxRecord;
use ecp_app::users::UserRow;
use ecp_domain::{MailboxInput, UserId};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct MailboxForm {
    pub name: String,
    pub direct_address: String,
    pub send_as_name: String,
    pub send_as_address: String,
    pub signature_html: String,
    pub auto_bcc: String,
    /// Present when the form showed the permission checkboxes, so that
    /// "none checked" is told apart from "not on the form".
    pub permissions_shown: String,
    pub permitted: Vec<String>,
}

impl MailboxForm {
    pub fn from_record(m: &MailboxRecord, permitted: &[UserId]) -> Self {
        Self {
            name: m.name.clone(),
            direct_address: m.direct_address.to_string(),
            send_as_name: m.send_as_name.clone(),
            send_as_address: m.send_as_address.to_string(),
            signature_html: m.signature_html.clone(),
            auto_bcc: m
                .auto_bcc
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            permissions_shown: "1".into(),
            permitted: permitted.iter().map(|u| u.0.to_string()).collect(),
        }
    }

    pub fn input(&self) -> MailboxInput<'_> {
        MailboxInput {
            name: &self.name,
            direct_address: &self.direct_address,
            send_as_name: &self.send_as_name,
            send_as_address: &self.send_as_address,
            signature_html: &self.signature_html,
            auto_bcc: &self.auto_bcc,
        }
    }

    /// For showing a refused form again: the signature goes through the
    /// same cleaning as a saved one, since the editor renders it as HTML.
    pub fn cleaned(mut self) -> Self {
        self.signature_html = ecp_app::sanitize_signature(&self.signature_html);
        self
    }

    fn checked_ids(&self) -> Result<Vec<UserId>, FieldErrors> {
        self.permitted
            .iter()
            .map(|v| v.trim().parse::<i64>().map(UserId))
            .collect::<Result<_, _>>()
            .map_err(|_| {
                FieldErrors::one(
                    "permissions",
                    "The permission list could not be read. Reload the page and tick the users again.",
                )
            })
    }

    /// The users to store as permitted: those ticked, every administrator
    /// (never excluded), and deactivated users who had access before
    /// (they aren't on the form, and their history should stay as it was).
    /// `None` when the form had no permission section.
    pub fn permitted(
        &self,
        users: &[UserRow],
        before: &[UserId],
    ) -> Result<Option<Vec<UserId>>, FieldErrors> {
        if self.permissions_shown.is_empty() {
            return Ok(None);
        }
        let mut ids = self.checked_ids()?;
        for u in users {
            let keep = u.user.role.is_admin() || (!u.user.active && before.contains(&u.user.id));
            if keep && !ids.contains(&u.user.id) {
                ids.push(u.user.id);
            }
        }
        Ok(Some(ids))
    }
}

/// One checkbox of the Permissions section.
pub(super) struct PermissionRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub checked: bool,
}

pub(super) fn permission_rows(users: &[UserRow], form: &MailboxForm) -> Vec<PermissionRow> {
    let ticked: Vec<&str> = form.permitted.iter().map(|s| s.trim()).collect();
    users
        .iter()
        .filter(|u| u.user.active)
        .map(|u| {
            let admin = u.user.role.is_admin();
            PermissionRow {
                id: u.user.id.0,
                name: u.user.name.clone(),
                email: u.user.email.to_string(),
                admin,
                checked: admin || ticked.contains(&u.user.id.0.to_string().as_str()),
            }
        })
        .collect()
}
