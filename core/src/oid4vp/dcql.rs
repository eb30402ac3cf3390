//! DCQL, the Digital Credentials Query Language (OpenID4VP 1.0 §6, §7, B.2.3), for ISO mdoc.
//!
//! [`DcqlQuery::from_json`] validates a query; [`DcqlQuery::select`] matches it against held
//! credentials following §6.4: a credential query is answerable by a credential of its
//! `doctype_value` that holds all its claims (or the first claim set it can satisfy), with a
//! value among `values` where those are given; without `credential_sets` every credential
//! query must be answerable, with them every required set must have an answerable option
//! (the first is taken) and optional sets are answered when they can be. Otherwise nothing is
//! returned ([`DcqlError::NotSatisfiable`]).
//!
//! Only `mso_mdoc` queries are answered; queries of other formats are parsed and treated as
//! unanswerable. An mdoc claim path is exactly `[namespace, element identifier]` (§7.2).

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use crate::cbor::Value;
use crate::holder::RequestedElement;
use crate::model::Credential;

/// The most credential queries in a query.
pub const MAX_CREDENTIAL_QUERIES: usize = 16;
/// The most claims in a credential query.
pub const MAX_CLAIMS: usize = 64;
/// The most claim sets, credential sets, and options in a set.
pub const MAX_SETS: usize = 16;
/// The longest identifier, namespace, docType or value string, in bytes.
pub const MAX_STRING: usize = 256;

/// The mdoc format identifier.
pub const MSO_MDOC: &str = "mso_mdoc";

/// Why a DCQL query was refused or cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DcqlError {
    /// A member has the wrong JSON type, or a required one is missing.
    #[error("dcql {at}: missing or of the wrong type")]
    Shape {
        /// Where.
        at: &'static str,
    },
    /// `credentials` is empty.
    #[error("dcql credentials is empty")]
    NoCredentials,
    /// Over one of this module's limits.
    #[error("dcql {at} exceeds its limit")]
    TooMany {
        /// What.
        at: &'static str,
    },
    /// An `id` is empty, too long or has characters other than alphanumerics, `_` and `-`.
    #[error("dcql {at} id is not a valid identifier")]
    BadId {
        /// Which kind of id.
        at: &'static str,
    },
    /// A credential query id or a claim id appears twice.
    #[error("dcql duplicate {at} id")]
    DuplicateId {
        /// Which kind of id.
        at: &'static str,
    },
    /// An `mso_mdoc` query without `meta.doctype_value`.
    #[error("dcql mso_mdoc query without meta.doctype_value")]
    MissingDoctype,
    /// An mdoc claim path that is not exactly two strings.
    #[error("dcql mdoc claim path must be [namespace, element identifier]")]
    BadMdocPath,
    /// `claim_sets` without `claims`, or a claim query without an id while `claim_sets` is
    /// present.
    #[error("dcql claim_sets need claims with ids")]
    ClaimSetsWithoutIds,
    /// A claim set or credential set names an id that does not exist.
    #[error("dcql {at} references an unknown id")]
    UnknownId {
        /// Which reference.
        at: &'static str,
    },
    /// An empty array where a non-empty one is required.
    #[error("dcql {at} is empty")]
    Empty {
        /// Which array.
        at: &'static str,
    },
    /// The credentials held cannot satisfy the query: nothing may be returned.
    #[error("the query cannot be satisfied by the credentials held")]
    NotSatisfiable,
}

/// One claim of a credential query.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimQuery {
    /// The claim's id, if given.
    pub id: Option<String>,
    /// The namespace.
    pub namespace: String,
    /// The element identifier.
    pub element: String,
    /// Acceptable values (strings, integers, booleans), if restricted.
    pub values: Option<Vec<Json>>,
    /// Whether the verifier intends to retain the value.
    pub intent_to_retain: bool,
}

/// One credential query.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialQuery {
    id: String,
    format: String,
    multiple: bool,
    doctype_value: Option<String>,
    claims: Option<Vec<ClaimQuery>>,
    claim_sets: Option<Vec<Vec<String>>>,
    require_cryptographic_holder_binding: bool,
}

impl CredentialQuery {
    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The format (`mso_mdoc` is the one answered here).
    pub fn format(&self) -> &str {
        &self.format
    }

    /// Whether several credentials may answer it.
    pub fn multiple(&self) -> bool {
        self.multiple
    }

    /// The requested docType.
    pub fn doctype_value(&self) -> Option<&str> {
        self.doctype_value.as_deref()
    }

    /// The claims, if any.
    pub fn claims(&self) -> Option<&[ClaimQuery]> {
        self.claims.as_deref()
    }

    /// The claim sets, if any.
    pub fn claim_sets(&self) -> Option<&[Vec<String>]> {
        self.claim_sets.as_deref()
    }

    /// Whether a holder binding proof (device authentication) is required (default true).
    pub fn require_cryptographic_holder_binding(&self) -> bool {
        self.require_cryptographic_holder_binding
    }

    /// Every `(namespace, element)` any of its claims names: what a verifier may receive for
    /// this query, whichever claim set the wallet chose.
    pub fn requested_elements(&self) -> Vec<(String, String)> {
        self.claims
            .iter()
            .flatten()
            .map(|c| (c.namespace.clone(), c.element.clone()))
            .collect()
    }

    /// The claims of each acceptable combination, in the verifier's order of preference.
    fn combinations(&self) -> Vec<Vec<&ClaimQuery>> {
        match (&self.claims, &self.claim_sets) {
            (None, _) => vec![Vec::new()],
            (Some(claims), None) => vec![claims.iter().collect()],
            (Some(claims), Some(sets)) => sets
                .iter()
                .map(|set| {
                    set.iter()
                        .filter_map(|id| claims.iter().find(|c| c.id.as_deref() == Some(id)))
                        .collect()
                })
                .collect(),
        }
    }

    /// The first combination `credential` satisfies, if any.
    fn satisfied_by(&self, credential: &Credential) -> Option<Vec<&ClaimQuery>> {
        if self.format != MSO_MDOC || self.doctype_value.as_deref() != Some(&credential.doc_type) {
            return None;
        }
        self.combinations()
            .into_iter()
            .find(|combo| combo.iter().all(|c| holds(credential, c)))
    }
}

/// Whether `credential` holds the claim with an acceptable value.
fn holds(credential: &Credential, claim: &ClaimQuery) -> bool {
    let Some((_, items)) = credential
        .issuer_signed
        .namespaces
        .iter()
        .find(|(ns, _)| *ns == claim.namespace)
    else {
        return false;
    };
    let Some(item) = items
        .iter()
        .find(|i| i.item().element_identifier == claim.element)
    else {
        return false;
    };
    match &claim.values {
        None => true,
        Some(values) => values
            .iter()
            .any(|v| value_matches(&item.item().element_value, v)),
    }
}

/// CBOR against a DCQL value (strings, integers, booleans; type and value must both match,
/// §6.3 with RFC 8949 §6.1's conversion).
fn value_matches(cbor: &Value, json: &Json) -> bool {
    match (cbor, json) {
        (Value::Text(a), Json::String(b)) => a == b,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Integer(a), Json::Number(b)) => {
            b.as_i64().is_some_and(|b| i128::from(b) == *a)
                || b.as_u64().is_some_and(|b| i128::from(b) == *a)
        }
        _ => false,
    }
}

/// A credential set query.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialSetQuery {
    /// Each option: credential query ids that together satisfy the set.
    pub options: Vec<Vec<String>>,
    /// Whether the set must be satisfied (default true).
    pub required: bool,
    /// The stated purpose, as sent (any JSON).
    pub purpose: Option<Json>,
}

/// A validated DCQL query.
#[derive(Debug, Clone, PartialEq)]
pub struct DcqlQuery {
    credentials: Vec<CredentialQuery>,
    credential_sets: Option<Vec<CredentialSetQuery>>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_STRING
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn object<'a>(v: &'a Json, at: &'static str) -> Result<&'a Map<String, Json>, DcqlError> {
    v.as_object().ok_or(DcqlError::Shape { at })
}

fn array<'a>(v: &'a Json, at: &'static str, max: usize) -> Result<&'a Vec<Json>, DcqlError> {
    let a = v.as_array().ok_or(DcqlError::Shape { at })?;
    if a.is_empty() {
        return Err(DcqlError::Empty { at });
    }
    if a.len() > max {
        return Err(DcqlError::TooMany { at });
    }
    Ok(a)
}

fn string(v: &Json, at: &'static str) -> Result<String, DcqlError> {
    match v.as_str() {
        Some(s) if s.len() <= MAX_STRING => Ok(s.to_owned()),
        Some(_) => Err(DcqlError::TooMany { at }),
        None => Err(DcqlError::Shape { at }),
    }
}

fn boolean(
    m: &Map<String, Json>,
    key: &str,
    default: bool,
    at: &'static str,
) -> Result<bool, DcqlError> {
    match m.get(key) {
        None => Ok(default),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(DcqlError::Shape { at }),
    }
}

fn id_list(v: &Json, at: &'static str) -> Result<Vec<String>, DcqlError> {
    array(v, at, MAX_CLAIMS)?
        .iter()
        .map(|id| string(id, at))
        .collect()
}

impl DcqlQuery {
    /// Validates a DCQL query object.
    pub fn from_json(value: &Json) -> Result<DcqlQuery, DcqlError> {
        let m = object(value, "query")?;
        let list = m
            .get("credentials")
            .ok_or(DcqlError::Shape { at: "credentials" })?;
        let list = match array(list, "credentials", MAX_CREDENTIAL_QUERIES) {
            Err(DcqlError::Empty { .. }) => return Err(DcqlError::NoCredentials),
            other => other?,
        };
        let mut credentials: Vec<CredentialQuery> = Vec::with_capacity(list.len());
        for q in list {
            let q = CredentialQuery::from_json(q)?;
            if credentials.iter().any(|c| c.id == q.id) {
                return Err(DcqlError::DuplicateId { at: "credential" });
            }
            credentials.push(q);
        }
        let credential_sets = match m.get("credential_sets") {
            None => None,
            Some(v) => {
                let mut sets = Vec::new();
                for s in array(v, "credential_sets", MAX_SETS)? {
                    let s = object(s, "credential_sets")?;
                    let options = s.get("options").ok_or(DcqlError::Shape { at: "options" })?;
                    let options = array(options, "options", MAX_SETS)?
                        .iter()
                        .map(|o| id_list(o, "options"))
                        .collect::<Result<Vec<_>, _>>()?;
                    for id in options.iter().flatten() {
                        if !credentials.iter().any(|c| c.id == *id) {
                            return Err(DcqlError::UnknownId {
                                at: "credential_sets",
                            });
                        }
                    }
                    sets.push(CredentialSetQuery {
                        options,
                        required: boolean(s, "required", true, "required")?,
                        purpose: s.get("purpose").cloned(),
                    });
                }
                Some(sets)
            }
        };
        Ok(DcqlQuery {
            credentials,
            credential_sets,
        })
    }

    /// The credential queries.
    pub fn credentials(&self) -> &[CredentialQuery] {
        &self.credentials
    }

    /// The credential query with `id`.
    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// The credential sets, if any.
    pub fn credential_sets(&self) -> Option<&[CredentialSetQuery]> {
        self.credential_sets.as_deref()
    }

    /// Whether answers to the credential queries in `answered` satisfy the query: every
    /// credential query without credential sets, else an option of every required set.
    pub fn is_satisfied_by(&self, answered: &BTreeSet<String>) -> bool {
        match &self.credential_sets {
            None => self.credentials.iter().all(|c| answered.contains(&c.id)),
            Some(sets) => sets.iter().filter(|s| s.required).all(|s| {
                s.options
                    .iter()
                    .any(|o| o.iter().all(|id| answered.contains(id)))
            }),
        }
    }

    /// Matches the query against `candidates` (§6.4).
    pub fn select(&self, candidates: &[Candidate<'_>]) -> Result<DcqlSelection, DcqlError> {
        // Per credential query: the candidates that satisfy it, with the chosen claims.
        let per_query: Vec<QueryMatches<'_>> = self
            .credentials
            .iter()
            .map(|q| {
                let matches = candidates
                    .iter()
                    .filter_map(|c| q.satisfied_by(c.credential).map(|claims| (c.id, claims)))
                    .collect();
                (q, matches)
            })
            .collect();
        let answerable: BTreeSet<&str> = per_query
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(q, _)| q.id.as_str())
            .collect();
        let chosen: BTreeSet<&str> = match &self.credential_sets {
            None => {
                if answerable.len() != self.credentials.len() {
                    return Err(DcqlError::NotSatisfiable);
                }
                answerable
            }
            Some(sets) => {
                let mut chosen = BTreeSet::new();
                for set in sets {
                    let option = set
                        .options
                        .iter()
                        .find(|o| o.iter().all(|id| answerable.contains(id.as_str())));
                    match option {
                        Some(o) => chosen.extend(o.iter().map(String::as_str)),
                        None if set.required => return Err(DcqlError::NotSatisfiable),
                        None => {}
                    }
                }
                chosen
            }
        };
        let answers = per_query
            .into_iter()
            .filter(|(q, _)| chosen.contains(q.id.as_str()))
            .filter_map(|(q, matches)| {
                let (_, claims) = matches.first()?;
                // The elements of the first match's combination; other candidates may have
                // satisfied another combination, so only those with the same one are listed.
                let elements: Vec<RequestedElement> = claims
                    .iter()
                    .map(|c| RequestedElement::new(&c.namespace, &c.element, c.intent_to_retain))
                    .collect();
                let candidates = matches
                    .iter()
                    .filter(|(_, other)| other == claims)
                    .map(|(id, _)| *id)
                    .collect();
                Some(QueryAnswer {
                    query_id: q.id.clone(),
                    doc_type: q.doctype_value.clone().unwrap_or_default(),
                    candidates,
                    multiple: q.multiple,
                    elements,
                })
            })
            .collect();
        Ok(DcqlSelection { answers })
    }
}

impl CredentialQuery {
    fn from_json(v: &Json) -> Result<CredentialQuery, DcqlError> {
        let m = object(v, "credential")?;
        let id = string(m.get("id").ok_or(DcqlError::Shape { at: "id" })?, "id")?;
        if !is_id(&id) {
            return Err(DcqlError::BadId { at: "credential" });
        }
        let format = string(
            m.get("format").ok_or(DcqlError::Shape { at: "format" })?,
            "format",
        )?;
        let meta = object(
            m.get("meta").ok_or(DcqlError::Shape { at: "meta" })?,
            "meta",
        )?;
        let doctype_value = match meta.get("doctype_value") {
            Some(v) => Some(string(v, "doctype_value")?),
            None if format == MSO_MDOC => return Err(DcqlError::MissingDoctype),
            None => None,
        };
        let mdoc = format == MSO_MDOC;
        let claims = match m.get("claims") {
            None => None,
            Some(v) => {
                let mut claims: Vec<ClaimQuery> = Vec::new();
                for c in array(v, "claims", MAX_CLAIMS)? {
                    let c = ClaimQuery::from_json(c, mdoc)?;
                    if let Some(id) = &c.id {
                        if claims.iter().any(|o| o.id.as_ref() == Some(id)) {
                            return Err(DcqlError::DuplicateId { at: "claim" });
                        }
                    }
                    claims.push(c);
                }
                Some(claims)
            }
        };
        let claim_sets = match m.get("claim_sets") {
            None => None,
            Some(v) => {
                let claims = claims.as_ref().ok_or(DcqlError::ClaimSetsWithoutIds)?;
                if claims.iter().any(|c| c.id.is_none()) {
                    return Err(DcqlError::ClaimSetsWithoutIds);
                }
                let sets = array(v, "claim_sets", MAX_SETS)?
                    .iter()
                    .map(|s| id_list(s, "claim_sets"))
                    .collect::<Result<Vec<_>, _>>()?;
                for id in sets.iter().flatten() {
                    if !claims.iter().any(|c| c.id.as_ref() == Some(id)) {
                        return Err(DcqlError::UnknownId { at: "claim_sets" });
                    }
                }
                Some(sets)
            }
        };
        if let Some(ta) = m.get("trusted_authorities") {
            array(ta, "trusted_authorities", MAX_SETS)?;
        }
        Ok(CredentialQuery {
            id,
            format,
            multiple: boolean(m, "multiple", false, "multiple")?,
            doctype_value,
            claims,
            claim_sets,
            require_cryptographic_holder_binding: boolean(
                m,
                "require_cryptographic_holder_binding",
                true,
                "require_cryptographic_holder_binding",
            )?,
        })
    }
}

impl ClaimQuery {
    fn from_json(v: &Json, mdoc: bool) -> Result<ClaimQuery, DcqlError> {
        let m = object(v, "claim")?;
        let id = match m.get("id") {
            None => None,
            Some(v) => {
                let id = string(v, "claim id")?;
                if !is_id(&id) {
                    return Err(DcqlError::BadId { at: "claim" });
                }
                Some(id)
            }
        };
        let path = m
            .get("path")
            .and_then(Json::as_array)
            .ok_or(DcqlError::Shape { at: "path" })?;
        let (namespace, element) = match path.as_slice() {
            [Json::String(ns), Json::String(el)]
                if !ns.is_empty()
                    && !el.is_empty()
                    && ns.len() <= MAX_STRING
                    && el.len() <= MAX_STRING =>
            {
                (ns.clone(), el.clone())
            }
            _ if mdoc => return Err(DcqlError::BadMdocPath),
            // Other formats' paths are kept only as far as they look like ours; they are
            // never answered here.
            _ => (String::new(), String::new()),
        };
        let values = match m.get("values") {
            None => None,
            Some(v) => {
                let list = array(v, "values", MAX_CLAIMS)?;
                if list
                    .iter()
                    .any(|x| !matches!(x, Json::String(_) | Json::Number(_) | Json::Bool(_)))
                {
                    return Err(DcqlError::Shape { at: "values" });
                }
                Some(list.clone())
            }
        };
        Ok(ClaimQuery {
            id,
            namespace,
            element,
            values,
            intent_to_retain: boolean(m, "intent_to_retain", false, "intent_to_retain")?,
        })
    }
}

/// A credential query with each candidate that satisfies it and the claims it satisfies.
type QueryMatches<'q> = (&'q CredentialQuery, Vec<(usize, Vec<&'q ClaimQuery>)>);

/// A credential the wallet could present, under an id of the caller's choosing.
#[derive(Clone, Copy)]
pub struct Candidate<'a> {
    /// The caller's id for it (returned in [`QueryAnswer::candidates`]).
    pub id: usize,
    /// The credential.
    pub credential: &'a Credential,
}

/// What to answer for one credential query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryAnswer {
    /// The credential query id (the `vp_token` key).
    pub query_id: String,
    /// The requested docType.
    pub doc_type: String,
    /// The candidates that can answer, in the order given (one is presented unless
    /// `multiple`).
    pub candidates: Vec<usize>,
    /// Whether several may be presented.
    pub multiple: bool,
    /// The elements requested for it: exactly the chosen claims.
    pub elements: Vec<RequestedElement>,
}

/// The credential queries to answer, in query order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcqlSelection {
    answers: Vec<QueryAnswer>,
}

impl DcqlSelection {
    /// The answers.
    pub fn answers(&self) -> &[QueryAnswer] {
        &self.answers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuer::Issuer;
    use crate::trust::testpki::TestPki;
    use crate::{SoftwareKey, UnixTime};

    macro_rules! vector {
        ($name:literal) => {
            include_str!(concat!("../../../tests/vectors/openid4vp/", $name))
        };
    }

    const NS: &str = "org.iso.18013.5.1";

    fn credential(doc_type: &str, elements: &[&str]) -> Credential {
        let now = UnixTime::now();
        let pki = TestPki::generate(now).unwrap();
        let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
        let mut b = issuer.credential(doc_type);
        for e in elements {
            b = b.element(NS, *e, Value::text("x"));
        }
        b.element(NS, "age_over_18", Value::Bool(true))
            .device_key(SoftwareKey::generate().unwrap().public())
            .validity(now, now, now.add_secs(86_400))
            .sign()
            .unwrap()
    }

    fn query(s: &str) -> DcqlQuery {
        DcqlQuery::from_json(&serde_json::from_str(s).unwrap()).unwrap()
    }

    #[test]
    fn spec_examples_parse() {
        let q = query(vector!("dcql.mdl_or_photoid.json"));
        assert_eq!(q.credentials().len(), 4);
        assert_eq!(q.credential_sets().unwrap().len(), 2);
        assert!(!q.credential_sets().unwrap()[1].required);
        let s = query(vector!("dcql.mvrc_simple.json"));
        assert_eq!(
            s.credentials()[0].doctype_value(),
            Some("org.iso.7367.1.mVRC")
        );
        assert_eq!(s.credentials()[0].requested_elements().len(), 2);
    }

    #[test]
    fn mdl_only_wallet_answers_required_and_optional_sets() {
        let q = query(vector!("dcql.mdl_or_photoid.json"));
        let mdl = credential(
            "org.iso.18013.5.1.mDL",
            &[
                "given_name",
                "family_name",
                "portrait",
                "resident_address",
                "resident_country",
            ],
        );
        let sel = q
            .select(&[Candidate {
                id: 7,
                credential: &mdl,
            }])
            .unwrap();
        let ids: Vec<&str> = sel.answers().iter().map(|a| a.query_id.as_str()).collect();
        assert_eq!(ids, ["mdl-id", "mdl-address"]);
        for a in sel.answers() {
            assert_eq!(a.candidates, [7]);
            let requested = q.credential(&a.query_id).unwrap().requested_elements();
            let got: Vec<(String, String)> = a
                .elements
                .iter()
                .map(|e| (e.namespace.clone(), e.identifier.clone()))
                .collect();
            assert_eq!(got, requested, "exactly the requested elements");
        }

        // Without the address elements: only the required set.
        let partial = credential(
            "org.iso.18013.5.1.mDL",
            &["given_name", "family_name", "portrait"],
        );
        let sel = q
            .select(&[Candidate {
                id: 0,
                credential: &partial,
            }])
            .unwrap();
        let ids: Vec<&str> = sel.answers().iter().map(|a| a.query_id.as_str()).collect();
        assert_eq!(ids, ["mdl-id"]);

        // Nothing held: the first set is required.
        assert_eq!(q.select(&[]).unwrap_err(), DcqlError::NotSatisfiable);
        let other = credential("org.example.other", &["given_name"]);
        assert_eq!(
            q.select(&[Candidate {
                id: 0,
                credential: &other
            }])
            .unwrap_err(),
            DcqlError::NotSatisfiable
        );
    }

    #[test]
    fn claim_sets_and_values() {
        let q = query(
            r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},
            "claims":[{"id":"o","path":["org.iso.18013.5.1","age_over_18"],"values":[true]},
                      {"id":"b","path":["org.iso.18013.5.1","birth_date"]}],
            "claim_sets":[["o"],["b"]]}]}"#,
        );
        let c = credential("d", &["birth_date"]);
        let sel = q
            .select(&[Candidate {
                id: 0,
                credential: &c,
            }])
            .unwrap();
        assert_eq!(sel.answers()[0].elements.len(), 1);
        assert_eq!(sel.answers()[0].elements[0].identifier, "age_over_18");
        // A value constraint that does not match: the first set fails, the second is used.
        let q = query(
            r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},
            "claims":[{"id":"o","path":["org.iso.18013.5.1","age_over_18"],"values":[false, "true", 1]},
                      {"id":"b","path":["org.iso.18013.5.1","birth_date"]}],
            "claim_sets":[["o"],["b"]]}]}"#,
        );
        let sel = q
            .select(&[Candidate {
                id: 0,
                credential: &c,
            }])
            .unwrap();
        assert_eq!(sel.answers()[0].elements[0].identifier, "birth_date");
    }

    #[test]
    fn invalid_queries() {
        let bad = [
            (r#"{"credentials":[]}"#, DcqlError::NoCredentials),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns","el","x"]}]}]}"#,
                DcqlError::BadMdocPath,
            ),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns",3]}]}]}"#,
                DcqlError::BadMdocPath,
            ),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"}},{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"}}]}"#,
                DcqlError::DuplicateId { at: "credential" },
            ),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"id":"x","path":["n","e"]}],"claim_sets":[["y"]]}]}"#,
                DcqlError::UnknownId { at: "claim_sets" },
            ),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"}}],"credential_sets":[{"options":[["b"]]}]}"#,
                DcqlError::UnknownId {
                    at: "credential_sets",
                },
            ),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{}}]}"#,
                DcqlError::MissingDoctype,
            ),
            (
                r#"{"credentials":[{"id":"a b","format":"mso_mdoc","meta":{"doctype_value":"d"}}]}"#,
                DcqlError::BadId { at: "credential" },
            ),
            (
                r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claim_sets":[["x"]]}]}"#,
                DcqlError::ClaimSetsWithoutIds,
            ),
        ];
        for (q, expected) in bad {
            assert_eq!(
                DcqlQuery::from_json(&serde_json::from_str(q).unwrap()).unwrap_err(),
                expected,
                "{q}"
            );
        }
        let c = credential("d", &[]);
        let q = query(
            r#"{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["org.iso.18013.5.1","age_over_18"],"values":[false]}]}]}"#,
        );
        assert_eq!(
            q.select(&[Candidate {
                id: 0,
                credential: &c
            }])
            .unwrap_err(),
            DcqlError::NotSatisfiable
        );
    }
}
