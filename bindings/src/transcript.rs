//! The session transcript both sides bind their signatures to.

use zhengzhao::cbor::{Embedded, Limits, Value};
use zhengzhao::model::SessionTranscript;

use crate::error::ZhengzhaoError;
use crate::value::ElementValue;

/// `SessionTranscriptBytes` (ISO/IEC 18013-5 §9.1.5.1):
/// `#6.24(<<[DeviceEngagementBytes / nil, EReaderKeyBytes / nil, Handover]>>)`.
///
/// `device_engagement` and `e_reader_key` are the tag-24 items exactly as exchanged (absent
/// for flows without them, e.g. OpenID4VP, whose `handover` carries the binding instead).
/// Wallet and verifier must build byte-identical transcripts; pass the result to
/// `Verifier.buildRequest`, `Wallet.parseRequest` and `Verifier.verify`.
#[uniffi::export(default(device_engagement = None, e_reader_key = None))]
pub fn session_transcript(
    handover: ElementValue,
    device_engagement: Option<Vec<u8>>,
    e_reader_key: Option<Vec<u8>>,
) -> Result<Vec<u8>, ZhengzhaoError> {
    let limits = Limits::default();
    let embedded = |b: Option<Vec<u8>>| -> Result<Option<Embedded>, ZhengzhaoError> {
        b.map(|b| Embedded::from_tagged_bytes(&b, &limits))
            .transpose()
            .map_err(Into::into)
    };
    let device_engagement = embedded(device_engagement)?;
    let e_reader_key = embedded(e_reader_key)?;
    let handover = Value::try_from(&handover)?;
    Ok(
        SessionTranscript::new(device_engagement.as_ref(), e_reader_key.as_ref(), &handover)
            .tagged_bytes()
            .to_vec(),
    )
}
