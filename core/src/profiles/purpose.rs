//! 用證事由: the purpose of use a verifier states when it asks for a licence.
//!
//! Carried in the request itself, so the holder sees it before consenting and the wallet can
//! record it with the disclosure: under the key [`PURPOSE_OF_USE_KEY`] (`"purposeOfUse"`) of
//! `ItemsRequest.requestInfo` (ISO/IEC 18013-5 §8.3.2.1.2.1), as a text string of 1 to
//! [`MAX_PURPOSE_CHARS`] (200) characters, the limit national licence-sharing interfaces
//! apply. Readers that do not know the key ignore it, as 18013-5 prescribes for
//! `requestInfo`. When the reader signs its request (`readerAuth`) the purpose is covered by
//! the signature.
//!
//! ```
//! use zhengzhao::model::ItemsRequest;
//! use zhengzhao::profiles::{PurposeError, PurposeOfUse};
//!
//! let purpose = PurposeOfUse::new("办理酒店入住登记")?;
//! let request = purpose.attach(ItemsRequest::new("1.2.156.3005.2.11100000000013127D001"));
//! // …sent, parsed by the wallet…
//! assert_eq!(PurposeOfUse::from_request(&request)?, Some(purpose));
//! assert_eq!(
//!     PurposeOfUse::new("事".repeat(201)),
//!     Err(PurposeError::TooLong { chars: 201 })
//! );
//! # Ok::<(), PurposeError>(())
//! ```

use crate::cbor::Value;
use crate::model::ItemsRequest;

/// The `requestInfo` key of the purpose of use.
pub const PURPOSE_OF_USE_KEY: &str = "purposeOfUse";

/// The most characters (Unicode scalar values) a purpose may have.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Why a purpose of use is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PurposeError {
    /// Empty or only white space.
    #[error("purpose of use is empty")]
    Empty,
    /// More than [`MAX_PURPOSE_CHARS`] characters.
    #[error("purpose of use has {chars} characters, at most 200 are allowed")]
    TooLong {
        /// How many characters it has.
        chars: usize,
    },
    /// A control or bidirectional-formatting character, which could disguise the text shown
    /// to the holder.
    #[error("purpose of use has a control character at {position}")]
    ControlCharacter {
        /// Position, in characters from 1.
        position: usize,
    },
    /// `requestInfo.purposeOfUse` is not a text string.
    #[error("purpose of use is not a text string")]
    NotText,
}

/// A stated purpose of use: 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PurposeOfUse(String);

impl PurposeOfUse {
    /// Checks a purpose.
    pub fn new(text: impl Into<String>) -> Result<Self, PurposeError> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(PurposeError::Empty);
        }
        let chars = text.chars().count();
        if chars > MAX_PURPOSE_CHARS {
            return Err(PurposeError::TooLong { chars });
        }
        if let Some(i) = text.chars().position(is_disguising) {
            return Err(PurposeError::ControlCharacter { position: i + 1 });
        }
        Ok(PurposeOfUse(text))
    }

    /// The text, to show to the holder and to record.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `request` with this purpose in its `requestInfo` (replacing an earlier one).
    pub fn attach(&self, mut request: ItemsRequest) -> ItemsRequest {
        let info = request.request_info.get_or_insert_with(Vec::new);
        info.retain(|(k, _)| k.as_text() != Some(PURPOSE_OF_USE_KEY));
        info.push((
            Value::text(PURPOSE_OF_USE_KEY),
            Value::text(self.0.as_str()),
        ));
        request
    }

    /// The purpose stated in a request, if any. On the holder side:
    /// `PurposeOfUse::from_request(&requested_document.request().items_request)`.
    pub fn from_request(request: &ItemsRequest) -> Result<Option<Self>, PurposeError> {
        let Some(value) = request
            .request_info
            .iter()
            .flatten()
            .find(|(k, _)| k.as_text() == Some(PURPOSE_OF_USE_KEY))
            .map(|(_, v)| v)
        else {
            return Ok(None);
        };
        let text = value.as_text().ok_or(PurposeError::NotText)?;
        Self::new(text).map(Some)
    }
}

/// Control characters and the bidirectional overrides and isolates.
fn is_disguising(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(PurposeOfUse::new("租车".repeat(100)).is_ok());
        assert_eq!(
            PurposeOfUse::new("租车".repeat(100) + "了"),
            Err(PurposeError::TooLong { chars: 201 })
        );
        assert_eq!(PurposeOfUse::new("  "), Err(PurposeError::Empty));
        assert_eq!(
            PurposeOfUse::new("租车\u{202E}退款"),
            Err(PurposeError::ControlCharacter { position: 3 })
        );
        assert_eq!(
            PurposeOfUse::new("a\nb"),
            Err(PurposeError::ControlCharacter { position: 2 })
        );
    }

    #[test]
    fn request_info_round_trip() {
        let request = ItemsRequest::new("x");
        assert_eq!(PurposeOfUse::from_request(&request), Ok(None));
        let first = PurposeOfUse::new("first").unwrap();
        let second = PurposeOfUse::new("second").unwrap();
        let request = second.attach(first.attach(request));
        assert_eq!(request.request_info.as_ref().map(Vec::len), Some(1));
        assert_eq!(PurposeOfUse::from_request(&request), Ok(Some(second)));

        let mut bad = ItemsRequest::new("x");
        bad.request_info = Some(vec![(Value::text(PURPOSE_OF_USE_KEY), Value::int(1))]);
        assert_eq!(PurposeOfUse::from_request(&bad), Err(PurposeError::NotText));
        bad.request_info = Some(vec![(
            Value::text(PURPOSE_OF_USE_KEY),
            Value::text("x".repeat(300)),
        )]);
        assert_eq!(
            PurposeOfUse::from_request(&bad),
            Err(PurposeError::TooLong { chars: 300 })
        );
    }
}
