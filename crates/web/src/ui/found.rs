//! One row of a list of found conversations (search results, a contact's
//! history), as the result tables show it.

use ecp_app::conversations::ConversationRecord;
use ecp_domain::TimeZoneName;

pub(crate) struct Row {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub status: &'static str,
    pub when: String,
    pub messages: i64,
}

pub(crate) fn row(c: &ConversationRecord, tz: &TimeZoneName) -> Row {
    Row {
        id: c.id.0,
        subject: c.subject.clone(),
        customer: if c.customer_name.is_empty() {
            c.customer_email.clone()
        } else {
            c.customer_name.clone()
        },
        status: c.status.as_str(),
        when: tz.format_ms(c.last_message_at),
        messages: c.message_count,
    }
}
