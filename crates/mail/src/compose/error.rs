#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error(
        "the send-as address \"{0}\" is not a usable email address; fix it in the mailbox settings"
    )]
    BadFrom(String),
    #[error("\"{0}\" is not a usable recipient address; correct or remove it")]
    BadRecipient(String),
    #[error("the message has no recipient; add at least one address in To or Cc")]
    NoRecipients,
    #[error("\"{0}\" is not a usable domain for Message-IDs; set a domain name like example.com")]
    BadMessageIdDomain(String),
    #[error("the attachments add up to {total} bytes, over the {limit}-byte limit; remove some")]
    AttachmentsTooLarge { total: usize, limit: usize },
}
