//! Dev-only helpers for tests against real parts: databases on both backends,
//! real mail servers (Dovecot, SMTP), self-signed TLS. Each module adds one
//! fixture; nothing here is used by the shipped binary.

pub mod corpora;
pub mod db;
pub mod dovecot;
pub mod smtp_sink;
pub mod tls;
