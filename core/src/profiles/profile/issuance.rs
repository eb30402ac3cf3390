//! Issuing a licence under a profile.

use super::*;

/// A licence's claims: element identifier → value, before they are checked against a
/// profile. `Debug` shows identifiers only.
#[derive(Clone, Default, PartialEq)]
pub struct Claims {
    pub(super) entries: Vec<(String, Value)>,
}

impl Claims {
    /// No claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an element (replacing an earlier value).
    pub fn with(mut self, identifier: impl Into<String>, value: Value) -> Self {
        self.insert(identifier, value);
        self
    }

    /// Sets a text element.
    pub fn with_text(self, identifier: impl Into<String>, text: impl Into<String>) -> Self {
        self.with(identifier, Value::text(text))
    }

    /// Sets a `full-date` element.
    pub fn with_date(self, identifier: impl Into<String>, date: FullDate) -> Self {
        self.with(identifier, date.to_value())
    }

    /// Sets an element (replacing an earlier value).
    pub fn insert(&mut self, identifier: impl Into<String>, value: Value) {
        let identifier = identifier.into();
        match self.entries.iter_mut().find(|(id, _)| *id == identifier) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((identifier, value)),
        }
    }

    /// Removes an element.
    pub fn remove(&mut self, identifier: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(id, _)| id == identifier)?;
        Some(self.entries.remove(i).1)
    }

    /// The value of an element.
    pub fn get(&self, identifier: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(id, _)| id == identifier)
            .map(|(_, v)| v)
    }

    /// The identifiers given, in order.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(id, _)| id.as_str())
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.identifiers()).finish()
    }
}

/// The MSO validity window of a credential: when it was signed and when it may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MsoValidity {
    /// When the MSO is signed.
    pub signed: UnixTime,
    /// Not valid before.
    pub valid_from: UnixTime,
    /// Not valid after.
    pub valid_until: UnixTime,
}

impl MsoValidity {
    /// A window.
    pub fn new(signed: UnixTime, valid_from: UnixTime, valid_until: UnixTime) -> Self {
        MsoValidity {
            signed,
            valid_from,
            valid_until,
        }
    }
}

/// A credential issued under a profile, with the warnings its claims raised.
#[derive(Debug)]
#[non_exhaustive]
pub struct IssuedLicence {
    /// What the wallet stores.
    pub credential: Credential,
    /// Legal but notable values (e.g. a pilot-era USCC).
    pub warnings: Vec<ProfileWarning>,
}

/// Issues a licence: checks `claims` against `profile` (types, check characters, mandatory
/// elements, cross-element consistency, validity), computes the derived elements
/// (`age_over_18`, `age_over_60` from `birth_date` on the China date of `validity.valid_from`)
/// and has `issuer` sign the credential with [`DECOYS_PER_NAMESPACE`] decoys.
pub fn issue(
    issuer: &Issuer,
    profile: &Profile,
    claims: &Claims,
    device_key: EcPublicKey,
    validity: MsoValidity,
) -> Result<IssuedLicence, ProfileError> {
    issue_with_status(
        issuer,
        profile,
        claims,
        device_key,
        validity,
        StatusReference::default(),
    )
}

/// [`issue`] with the credential's status lists named in its MSO: the ISO 1-bit
/// `status_list` (revocation) and, for suspension, the 2-bit
/// [`CN_STATUS_LIST_KEY`](crate::status::CN_STATUS_LIST_KEY) list (see
/// [`status`](crate::status)). Take each index from
/// [`StatusListPublisher::allocate`](crate::status::StatusListPublisher::allocate).
pub fn issue_with_status(
    issuer: &Issuer,
    profile: &Profile,
    claims: &Claims,
    device_key: EcPublicKey,
    validity: MsoValidity,
    status: StatusReference,
) -> Result<IssuedLicence, ProfileError> {
    let checked = profile.check(claims, &validity)?;
    let mut builder = issuer.credential(profile.doc_type());
    for spec in profile.elements() {
        let value = match spec.presence {
            Presence::Derived => checked
                .derived
                .iter()
                .find(|(id, _)| *id == spec.identifier)
                .map(|(_, v)| v.clone()),
            _ => claims.get(spec.identifier).cloned(),
        };
        if let Some(value) = value {
            builder = builder.element(profile.namespace(spec.namespace), spec.identifier, value);
        }
    }
    let credential = builder
        .status(status)
        .decoys(DECOYS_PER_NAMESPACE)
        .device_key(device_key)
        .validity(validity.signed, validity.valid_from, validity.valid_until)
        .sign()?;
    Ok(IssuedLicence {
        credential,
        warnings: checked.warnings,
    })
}
