//! Making DKIM keys and signing with them (mail-auth on ring). RSA keys are
//! made by the rsa crate behind mail-auth's `generate` (ring cannot make
//! them); every signature, RSA or Ed25519, is ring's.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecp_domain::dkim::DkimAlgorithm;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::generate::DkimKeyPair;
use mail_auth::dkim::{Canonicalization, DkimSigner};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer};

/// RSA key size; 2048 fits a DNS record in two strings and every verifier.
const RSA_BITS: usize = 2048;

/// Headers signed, when present (RFC 6376 §5.4.1's recommendations for a
/// reply). Absent ones are left out of `h=`.
pub(crate) const SIGNED_HEADERS: [&str; 10] = [
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
];

/// A new key: the private key as DER (PKCS#8 for Ed25519, PKCS#1 for RSA)
/// and the public key in base64 as published (`p=`).
pub(crate) struct NewKey {
    pub private_der: Vec<u8>,
    pub public_b64: String,
}

/// Makes a key; RSA takes a moment of CPU, so call it off the async threads.
pub(crate) fn generate(algorithm: DkimAlgorithm) -> Result<NewKey, String> {
    match algorithm {
        DkimAlgorithm::Ed25519 => {
            let pair = DkimKeyPair::generate_ed25519().map_err(|e| e.to_string())?;
            let (private_der, public) = pair.into_inner();
            Ok(NewKey {
                private_der,
                public_b64: STANDARD.encode(public),
            })
        }
        DkimAlgorithm::RsaSha256 => {
            let pair = DkimKeyPair::generate_rsa(RSA_BITS).map_err(|e| e.to_string())?;
            let (private_der, pkcs1_public) = pair.into_inner();
            Ok(NewKey {
                private_der,
                public_b64: STANDARD.encode(rsa_spki(&pkcs1_public)),
            })
        }
    }
}

/// The PKCS#1 RSAPublicKey wrapped as a SubjectPublicKeyInfo: what DNS
/// records conventionally hold and what OpenSSL-based verifiers (OpenDKIM)
/// require; verifiers that take bare PKCS#1 take this too.
fn rsa_spki(pkcs1: &[u8]) -> Vec<u8> {
    // SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL }
    const ALGORITHM: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0x03];
    der_len(pkcs1.len() + 1, &mut bit_string);
    bit_string.push(0x00); // no unused bits
    bit_string.extend_from_slice(pkcs1);
    let mut out = vec![0x30];
    der_len(ALGORITHM.len() + bit_string.len(), &mut out);
    out.extend_from_slice(&ALGORITHM);
    out.extend_from_slice(&bit_string);
    out
}

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// The `DKIM-Signature: ...\r\n` header for `raw`, to put in front of it.
pub(crate) fn signature_header(
    algorithm: DkimAlgorithm,
    private_der: &[u8],
    domain: &str,
    selector: &str,
    raw: &[u8],
) -> Result<String, String> {
    let signature = match algorithm {
        DkimAlgorithm::Ed25519 => {
            let key = Ed25519Key::from_pkcs8_der(private_der).map_err(|e| e.to_string())?;
            signer(key, domain, selector, raw)?
        }
        DkimAlgorithm::RsaSha256 => {
            let key = RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs1(
                PrivatePkcs1KeyDer::from(private_der),
            ))
            .map_err(|e| e.to_string())?;
            signer(key, domain, selector, raw)?
        }
    };
    Ok(signature.to_header())
}

fn signer<K: mail_auth::common::crypto::SigningKey<Hasher = Sha256>>(
    key: K,
    domain: &str,
    selector: &str,
    raw: &[u8],
) -> Result<mail_auth::dkim::Signature, String> {
    // Relaxed on both: relays that re-fold headers or trim trailing white
    // space do not break the signature.
    DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(SIGNED_HEADERS)
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed)
        .sign(raw)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spki_wraps_pkcs1() {
        // A 2048-bit key's SubjectPublicKeyInfo always starts like this.
        let pkcs1 = vec![0x30; 270];
        let spki = rsa_spki(&pkcs1);
        assert_eq!(
            &spki[..24],
            &[
                0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00
            ]
        );
        assert_eq!(&spki[24..], &pkcs1[..]);
        let mut short = Vec::new();
        der_len(5, &mut short);
        assert_eq!(short, [5]);
    }
}
