//! The conditions of one search, written for what it asks.

use super::Scope;
use crate::id_list::in_list;
use ecp_domain::search::{AssigneeFilter, SearchQuery};
use sqlx::any::AnyArguments;

pub(super) enum Value {
    Int(i64),
    Text(String),
}

/// The conditions on `c` (conversations) of one search: the account, the
/// permitted mailboxes and only the filters in use, so each database
/// plans the statement for what is asked. Values are bound, never written.
pub(super) struct Where {
    pub(super) sql: String,
    values: Vec<Value>,
}

impl Where {
    pub(super) fn new(scope: Scope<'_>, q: &SearchQuery) -> Self {
        let mut w = Where {
            sql: String::new(),
            values: Vec::new(),
        };
        let account = w.bind(Value::Int(scope.account.0));
        w.sql = format!("c.account_id = {account} AND c.merged_into_id IS NULL");
        if !scope.all_mailboxes {
            w.and(&in_list("c.mailbox_id", scope.mailboxes));
        }
        if let Some(m) = q.mailbox {
            let p = w.bind(Value::Int(m.0));
            w.and(&format!("c.mailbox_id = {p}"));
        }
        if let Some(s) = q.status {
            let p = w.bind(Value::Text(s.as_str().to_string()));
            w.and(&format!("c.status = {p}"));
        }
        match q.assignee {
            None => {}
            Some(AssigneeFilter::Unassigned) => w.and("c.assignee_id IS NULL"),
            Some(AssigneeFilter::User(u)) => {
                let p = w.bind(Value::Int(u.0));
                w.and(&format!("c.assignee_id = {p}"));
            }
        }
        if let Some(tag) = &q.tag {
            let p = w.bind(Value::Text(tag.clone()));
            w.and(&format!(
                "EXISTS (SELECT 1 FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id \
                 WHERE ct.conversation_id = c.id AND (LOWER(t.name) = LOWER({p}) OR CAST(t.id AS TEXT) = {p}))"
            ));
        }
        w
    }

    pub(super) fn and(&mut self, condition: &str) {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
    }

    /// Adds a value; its placeholder.
    pub(super) fn bind(&mut self, v: Value) -> String {
        self.values.push(v);
        format!("${}", self.values.len())
    }

    /// The placeholder `after` places past the bound values, for values
    /// bound per statement.
    pub(super) fn next_param(&self, after: usize) -> String {
        format!("${}", self.values.len() + 1 + after)
    }

    pub(super) fn query<'q>(
        &'q self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, AnyArguments> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &self.values {
            query = match v {
                Value::Int(i) => query.bind(*i),
                Value::Text(t) => query.bind(t.as_str()),
            };
        }
        query
    }
}
