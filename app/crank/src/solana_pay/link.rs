//! The `solana:` URL a QR code holds.

use depin_client::Pubkey;

use super::SESSIONS_PATH;

/// A device's transaction request link and the `solana:` URL a QR code
/// holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayLink {
    /// `https://<crank>/v1/pay/sessions/<DEVICE>[?deposit=N]`.
    pub link: String,
    /// `solana:<link>`, the link URL-encoded when it has a query (as the
    /// spec requires), else as is (a shorter URL, a less dense QR code).
    pub url: String,
}

/// The link for `device` (its account address) on the crank at
/// `public_url`, with a fixed `deposit` or (`None`) the tariff's minimum.
/// Wallets accept only `https` links; `http` is allowed for local tests.
pub fn pay_link(
    public_url: &str,
    device: &Pubkey,
    deposit: Option<u64>,
) -> Result<PayLink, String> {
    let base = public_url.trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| format!("{public_url:?} is not an absolute https:// URL"))?;
    if rest.is_empty() || rest.contains(['?', '#']) {
        return Err(format!(
            "{public_url:?} must be a base URL without a query or fragment"
        ));
    }
    let mut link = format!("{base}{SESSIONS_PATH}/{device}");
    let url = match deposit {
        Some(deposit) => {
            link.push_str(&format!("?deposit={deposit}"));
            format!("solana:{}", encode_uri_component(&link))
        }
        None => format!("solana:{link}"),
    };
    Ok(PayLink { link, url })
}

/// JavaScript's `encodeURIComponent`, which the spec names.
pub(super) fn encode_uri_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => encoded.push(char::from(byte)),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}
