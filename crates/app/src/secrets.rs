//! Random secrets handed to people (session cookies, API tokens, invite
//! links) and the hashes the database keeps instead of them.

use base64::Engine;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe.
pub(crate) fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a secret: its SHA-256. The secrets are
/// random and long, so a fast hash is enough (no password stretching).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
