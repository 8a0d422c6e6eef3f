//! Third-party passwords (POP, SMTP) encrypted at rest. The database holds
//! only sealed text; the key lives outside it (a file in the data directory,
//! or an environment variable shared by the nodes), so a stolen database
//! dump alone reveals no password.
//!
//! XChaCha20-Poly1305: its 192-bit nonces can be drawn at random for every
//! seal without any risk of reuse, so no counter has to be kept.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;
/// Sealed texts start with this, so a later format can be told apart.
const VERSION: &str = "v1:";

/// What a sealed secret is for; bound into the ciphertext so that a sealed
/// POP password copied into an SMTP column does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PopPassword,
    SmtpPassword,
    /// A DKIM private key (DER, in base64).
    DkimPrivateKey,
}

impl Purpose {
    fn aad(self) -> &'static [u8] {
        match self {
            Purpose::PopPassword => b"ecp:pop_accounts.password",
            Purpose::SmtpPassword => b"ecp:smtp.password",
            Purpose::DkimPrivateKey => b"ecp:dkim_keys.private_key",
        }
    }
}

/// The 256-bit key. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "the secret key must be 32 bytes written in base64 (44 characters); \
         create one with: head -c 32 /dev/urandom | base64"
    )]
    BadKey,
    #[error("the stored secret is damaged or not in a known format")]
    Malformed,
    #[error(
        "the stored secret cannot be opened with this server's key \
         (was the key file replaced?); enter the password again"
    )]
    WrongKey,
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn generate() -> Self {
        Self(rand::random())
    }

    /// Reads a key written as base64 (surrounding white space ignored).
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretError::BadKey)?;
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// The key in `path`, created (mode 0600, base64) on first start. Losing
    /// this file makes every stored POP/SMTP password unreadable: back it up
    /// with the database.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        match std::fs::File::open(path) {
            Ok(file) => read_key(file, path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key = Self::generate();
                match create_private(path) {
                    Ok(mut file) => {
                        file.write_all(format!("{}\n", key.to_base64()).as_bytes())?;
                        file.sync_all()?;
                        Ok(key)
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        read_key(std::fs::File::open(path)?, path)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The key for a server: `env_value` (ECP_SECRET_KEY, base64; the same
    /// on every node sharing one PostgreSQL) when given, else the key file
    /// `secret.key` in `data_dir`, created on first start.
    pub fn resolve(env_value: Option<&str>, data_dir: &Path) -> io::Result<Self> {
        match env_value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Self::from_base64(v).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("ECP_SECRET_KEY: {e}"))
            }),
            None => Self::load_or_create(&data_dir.join("secret.key")),
        }
    }
}

fn read_key(mut file: std::fs::File, path: &Path) -> io::Result<SecretKey> {
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    SecretKey::from_base64(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Seals and opens secrets with one key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox(<key redacted>)")
    }
}

impl SecretBox {
    pub fn new(key: &SecretKey) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&Key::from(key.0)),
        }
    }

    /// `v1:` + base64(nonce ‖ ciphertext ‖ tag); a fresh nonce every time,
    /// so sealing one password twice gives two different texts.
    pub fn seal(&self, purpose: Purpose, plaintext: &str) -> Result<String, SecretError> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: purpose.aad(),
                },
            )
            .map_err(|_| SecretError::Malformed)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{VERSION}{}", STANDARD.encode(out)))
    }

    pub fn open(&self, purpose: Purpose, sealed: &str) -> Result<String, SecretError> {
        let body = sealed.strip_prefix(VERSION).ok_or(SecretError::Malformed)?;
        let bytes = STANDARD.decode(body).map_err(|_| SecretError::Malformed)?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(SecretError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SecretError::Malformed)?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.aad(),
                },
            )
            .map_err(|_| SecretError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SecretError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let sb = SecretBox::new(&SecretKey::generate());
        let a = sb.seal(Purpose::PopPassword, "correct horse").unwrap();
        let b = sb.seal(Purpose::PopPassword, "correct horse").unwrap();
        assert_ne!(a, b, "every seal uses a fresh nonce");
        assert!(!a.contains("correct"));
        assert_eq!(sb.open(Purpose::PopPassword, &a).unwrap(), "correct horse");
        assert_eq!(sb.open(Purpose::PopPassword, &b).unwrap(), "correct horse");
        assert_eq!(
            sb.open(Purpose::SmtpPassword, &a),
            Err(SecretError::WrongKey)
        );
        let other = SecretBox::new(&SecretKey::generate());
        assert_eq!(
            other.open(Purpose::PopPassword, &a),
            Err(SecretError::WrongKey)
        );
        assert_eq!(
            sb.open(Purpose::PopPassword, "plain"),
            Err(SecretError::Malformed)
        );
        assert_eq!(
            sb.open(Purpose::PopPassword, "v1:AAAA"),
            Err(SecretError::Malformed)
        );
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert!(sb.open(Purpose::PopPassword, &tampered).is_err());
    }

    #[test]
    fn keys_in_base64_and_debug_hides_them() {
        let k = SecretKey::generate();
        let text = k.to_base64();
        assert_eq!(SecretKey::from_base64(&format!(" {text}\n")).unwrap(), k);
        assert_eq!(SecretKey::from_base64("c2hvcnQ="), Err(SecretError::BadKey));
        assert_eq!(
            SecretKey::from_base64("not base64!"),
            Err(SecretError::BadKey)
        );
        assert!(!format!("{k:?}").contains(&text));
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretKey::resolve(None, dir.path()).unwrap();
        let again = SecretKey::resolve(Some("  "), dir.path()).unwrap();
        assert_eq!(first, again);
        let path = dir.path().join("secret.key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let from_env = SecretKey::generate();
        let chosen = SecretKey::resolve(Some(&from_env.to_base64()), dir.path()).unwrap();
        assert_eq!(chosen, from_env);
        assert!(SecretKey::resolve(Some("short"), dir.path()).is_err());
        std::fs::write(&path, "garbage").unwrap();
        assert!(SecretKey::load_or_create(&path).is_err());
    }
}
