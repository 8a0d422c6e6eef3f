//! Mail formats without a network: parsing raw messages, building outgoing
//! MIME, and making mail HTML safe to show. Nothing here does I/O, so all of
//! it can be unit-tested and fuzzed.

pub mod html;
