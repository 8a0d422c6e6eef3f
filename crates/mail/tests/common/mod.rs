//! The corpora live in the testkit, shared with the ingest and import tests.
#![allow(unused_imports)]

pub use ecp_testkit::corpora::{cpython_email_data, files_under, mail_parser_resources};
