//! Signing outgoing mail with the active DKIM key of its From domain, as
//! it is queued: the stored bytes are what goes on the wire, so retries
//! send the same signature. Without a key the message goes unsigned.

use crate::dkim::keys;
use crate::secret_box::Purpose;
use crate::{App, AppResult};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecp_domain::AccountId;
use ecp_store::{Conn, dkim_keys};

impl App {
    /// `raw` with a `DKIM-Signature` header in front when the account has
    /// an active key for the domain of `from`; `raw` unchanged otherwise.
    ///
    /// A key that cannot be used (the server's secret key was replaced, a
    /// damaged row) is logged as an error and the message is sent unsigned:
    /// holding every reply of a domain back would hurt the team more than a
    /// missing signature, and the log says what to fix.
    pub(crate) async fn dkim_signed(
        &self,
        c: &mut Conn,
        account: AccountId,
        from: &str,
        raw: Vec<u8>,
    ) -> AppResult<Vec<u8>> {
        let Some((_, domain)) = from.rsplit_once('@') else {
            return Ok(raw);
        };
        let domain = domain.to_ascii_lowercase();
        let Some(key) = dkim_keys::active_for(c, account, &domain).await? else {
            return Ok(raw);
        };
        let header = self
            .secret_box()
            .map_err(|e| e.to_string())
            .and_then(|sealer| {
                sealer
                    .open(Purpose::DkimPrivateKey, &key.private_key_enc)
                    .map_err(|e| e.to_string())
            })
            .and_then(|b64| STANDARD.decode(b64).map_err(|e| e.to_string()))
            .and_then(|der| {
                keys::signature_header(key.algorithm, &der, &domain, &key.selector, &raw)
            });
        match header {
            Ok(header) => {
                let mut signed = header.into_bytes();
                signed.extend_from_slice(&raw);
                Ok(signed)
            }
            Err(e) => {
                tracing::error!(domain = %domain, selector = %key.selector, error = %e,
                    "the DKIM key cannot be used, so this message goes unsigned; make a new key in Account & Tools -> DKIM");
                Ok(raw)
            }
        }
    }
}
