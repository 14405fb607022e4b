//! Opaque pagination cursors: a keyset position plus the fingerprint of the query that minted
//! it, serialised as JSON, base64url-encoded and HMAC-SHA256-signed. A cursor cannot be forged,
//! altered, or replayed against a query with other filters.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use aurum_ports::Direction;

/// Longest cursor accepted, in characters.
pub const MAX_CURSOR_LEN: usize = 1000;

/// Why a cursor was refused. Each variant's message tells the client what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Longer than [`MAX_CURSOR_LEN`].
    #[error(
        "cursor is longer than 1000 characters; pass the cursor exactly as the server returned it"
    )]
    TooLong,
    /// Not base64url, not two parts, or not the expected payload.
    #[error("cursor could not be decoded; pass the cursor exactly as the server returned it")]
    Malformed,
    /// The signature does not match the payload.
    #[error(
        "cursor signature does not match: it was altered or minted by another deployment; restart from the first page"
    )]
    Tampered,
    /// Minted for another endpoint or other filters.
    #[error(
        "cursor was issued for a different query (other filters or endpoint); restart from the first page without a cursor"
    )]
    OtherQuery,
}

#[derive(Serialize, Deserialize)]
struct Payload<K> {
    /// Fingerprint of the query the cursor belongs to (hex, 16 bytes).
    q: String,
    /// Direction of travel.
    d: Direction,
    /// Keyset position.
    p: K,
}

/// Signs and verifies cursors with one secret.
#[derive(Clone)]
pub struct CursorCodec {
    /// HMAC state keyed with the secret, cloned for each use.
    keyed: HmacSha256,
}

/// The cursor secret is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the cursor secret must not be empty")]
pub struct EmptySecret;

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec { secret: <redacted> }")
    }
}

type HmacSha256 = Hmac<Sha256>;

impl CursorCodec {
    /// A codec signing with `secret` (32+ random bytes recommended).
    ///
    /// # Errors
    /// [`EmptySecret`] for an empty secret.
    pub fn new(secret: &[u8]) -> Result<Self, EmptySecret> {
        if secret.is_empty() {
            return Err(EmptySecret);
        }
        let keyed = <HmacSha256 as Mac>::new_from_slice(secret).map_err(|_| EmptySecret)?;
        Ok(Self { keyed })
    }

    fn mac(&self) -> HmacSha256 {
        self.keyed.clone()
    }

    /// Mints a cursor for `position`, bound to the query described by `binding` (a canonical
    /// text of the endpoint and its filters, see [`QueryBinding`]).
    pub fn encode<K: Serialize>(
        &self,
        binding: &QueryBinding,
        direction: Direction,
        position: &K,
    ) -> String {
        let payload = Payload {
            q: binding.fingerprint(),
            d: direction,
            p: position,
        };
        // Serialising plain data structs to JSON cannot fail.
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&json);
        let sig = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// Verifies and opens a cursor minted by [`Self::encode`] for the same binding.
    ///
    /// # Errors
    /// A [`CursorError`] saying whether the cursor is too long, undecodable, tampered with, or
    /// from another query.
    pub fn decode<K: DeserializeOwned>(
        &self,
        binding: &QueryBinding,
        raw: &str,
    ) -> Result<(Direction, K), CursorError> {
        if raw.chars().count() > MAX_CURSOR_LEN {
            return Err(CursorError::TooLong);
        }
        let (body, sig) = raw.split_once('.').ok_or(CursorError::Malformed)?;
        let json = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CursorError::Malformed)?;
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| CursorError::Malformed)?;
        let mut mac = self.mac();
        mac.update(&json);
        mac.verify_slice(&sig).map_err(|_| CursorError::Tampered)?;
        let payload: Payload<K> =
            serde_json::from_slice(&json).map_err(|_| CursorError::Malformed)?;
        if payload.q != binding.fingerprint() {
            return Err(CursorError::OtherQuery);
        }
        Ok((payload.d, payload.p))
    }
}

/// A canonical description of one query (endpoint + filters, never the page size or cursor)
/// that a cursor is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryBinding(String);

impl QueryBinding {
    /// Starts a binding for `endpoint` (e.g. `curves.list`).
    pub fn new(endpoint: &str) -> Self {
        Self(endpoint.to_owned())
    }

    /// Adds one named value (`None` and absent are the same).
    #[must_use]
    pub fn with(mut self, name: &str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.0.push('\u{1f}');
            self.0.push_str(name);
            self.0.push('=');
            self.0.push_str(v);
        }
        self
    }

    fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        hex::encode(&digest[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn binding() -> QueryBinding {
        QueryBinding::new("curves.list").with("iso", Some("PJM"))
    }

    #[test]
    fn a_cursor_round_trips_its_direction_and_position() {
        let codec = CursorCodec::new(b"secret").unwrap();
        let c = codec.encode(&binding(), Direction::Backward, &("2026-01-01", 7_u32));
        let (d, p): (Direction, (String, u32)) = codec.decode(&binding(), &c).unwrap();
        assert_eq!(d, Direction::Backward);
        assert_eq!(p, ("2026-01-01".to_owned(), 7));
    }

    #[test]
    fn a_cursor_is_url_safe() {
        let codec = CursorCodec::new(b"s").unwrap();
        let c = codec.encode(&binding(), Direction::Forward, &"?&/+= ünïcode");
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        );
    }

    #[test]
    fn a_cursor_from_other_filters_is_refused() {
        let codec = CursorCodec::new(b"s").unwrap();
        let c = codec.encode(&binding(), Direction::Forward, &1_u8);
        let other = QueryBinding::new("curves.list").with("iso", Some("MISO"));
        assert_eq!(codec.decode::<u8>(&other, &c), Err(CursorError::OtherQuery));
    }

    #[test]
    fn a_cursor_signed_with_another_secret_is_tampered() {
        let c = CursorCodec::new(b"a")
            .unwrap()
            .encode(&binding(), Direction::Forward, &1_u8);
        let r = CursorCodec::new(b"b").unwrap().decode::<u8>(&binding(), &c);
        assert_eq!(r, Err(CursorError::Tampered));
    }

    #[test]
    fn garbage_and_over_long_cursors_are_refused() {
        let codec = CursorCodec::new(b"s").unwrap();
        assert_eq!(
            codec.decode::<u8>(&binding(), "nodot"),
            Err(CursorError::Malformed)
        );
        assert_eq!(
            codec.decode::<u8>(&binding(), "!!.!!"),
            Err(CursorError::Malformed)
        );
        assert_eq!(
            codec.decode::<u8>(&binding(), &"a".repeat(1001)),
            Err(CursorError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn any_single_character_change_is_detected(pos in 0_u64..u64::MAX, idx in 0_usize..1000, ch in "[A-Za-z0-9_-]") {
            let codec = CursorCodec::new(b"k").unwrap();
            let c = codec.encode(&binding(), Direction::Forward, &pos);
            let i = idx % c.len();
            let mut bytes = c.clone().into_bytes();
            let replacement = ch.as_bytes()[0];
            prop_assume!(bytes[i] != replacement && bytes[i] != b'.');
            bytes[i] = replacement;
            let tampered = String::from_utf8(bytes).unwrap();
            let r = codec.decode::<u64>(&binding(), &tampered);
            // Base64 without padding can map two spellings of the last character to the same
            // bytes; such a change does not alter the payload, so it must decode to the same value.
            match r {
                Ok((_, p)) => prop_assert_eq!(p, pos),
                Err(e) => prop_assert!(matches!(e, CursorError::Tampered | CursorError::Malformed)),
            }
        }

        #[test]
        fn cursors_round_trip_any_position(pos in any::<(i64, String)>()) {
            let codec = CursorCodec::new(b"k").unwrap();
            let c = codec.encode(&binding(), Direction::Forward, &pos);
            let (_, back): (Direction, (i64, String)) = codec.decode(&binding(), &c).unwrap();
            prop_assert_eq!(back, pos);
        }
    }
}
