//! 電子證照標識 (electronic licence identifier, GB/T 36904-2018) and the licence type code.
//!
//! ```text
//! 1.2.156.3005.2 . <licence type code> . <issuing authority> . <serial> . <version> . <check>
//!  root (OID)       21: USCC(18)+3 digits   USCC, 18              [0-9A-Z]+  3 digits   1 char
//! ```
//!
//! * **root**: `1.2.156.3005.2`, the electronic licence arc of the Chinese OID tree;
//! * **licence type code** (證照類型代碼): the unified social credit code of the authority that
//!   defines the licence type, followed by three digits it assigns (e.g. `11100000000013127D001`);
//! * **issuing authority** (證照頒發機構代碼): the issuing authority's USCC;
//! * **serial** (流水號): upper-case letters and digits, assigned by the issuer;
//! * **version** (版本號): three digits;
//! * **check character** (校驗位): ISO/IEC 7064 MOD 37,36 over type code, issuer, serial and
//!   version concatenated without the dots and without the root.
//!
//! [`LicenceId::parse`] is strict. Identifiers seen in the wild sometimes break the format
//! (another root, a six-digit region code where the issuer's USCC belongs, lower case, a
//! wrong check character); [`LicenceId::parse_lenient`] reads those as far as the dotted
//! structure allows and lists every deviation, each as the [`LicenceIdError`] the strict parse
//! would have returned.
//!
//! ```
//! use zhengzhao::profiles::{LicenceId, LicenceIdError};
//!
//! let id = LicenceId::parse(
//!     "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
//! )?;
//! assert_eq!(id.type_code().as_str(), "11100000000013338W009");
//! assert_eq!(id.issuer().region_code(), "330105");
//! assert_eq!(id.version(), 2);
//! assert_eq!(id.check_character(), '0');
//! assert_eq!(id.doc_type(), "1.2.156.3005.2.11100000000013338W009");
//!
//! // A region code where the issuer's USCC belongs: rejected by the strict parse, read by the
//! // lenient one, which names what is off.
//! let wild = "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9";
//! assert!(LicenceId::parse(wild).is_err());
//! let lenient = LicenceId::parse_lenient(wild)?;
//! assert_eq!(lenient.issuer(), "340100");
//! assert!(matches!(lenient.issues(), [LicenceIdError::Issuer(_)]));
//! assert!(lenient.check_character_valid());
//! # Ok::<(), LicenceIdError>(())
//! ```

use core::fmt;

use super::iso7064::MOD_37_36;
use super::uscc::{Uscc, UsccError};

/// The root of every electronic licence identifier, and the prefix of every licence docType.
pub const LICENCE_ROOT: &str = "1.2.156.3005.2";

/// Why a string is not a (strictly valid) electronic licence identifier or licence type code.
/// Never carries the identifier: its serial may be derived from personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LicenceIdError {
    /// Not a dotted string of at least six non-empty parts of printable ASCII: fatal even for
    /// the lenient parse. `position` counts characters from 1.
    #[error("not a dotted licence identifier (character {position})")]
    Syntax {
        /// Where the structure broke, from 1.
        position: usize,
    },
    /// The root is not `1.2.156.3005.2`.
    #[error("root is not 1.2.156.3005.2")]
    Root,
    /// The licence type code is not 21 characters.
    #[error("licence type code has 21 characters, found {found}")]
    TypeCodeLength {
        /// How many characters were found.
        found: usize,
    },
    /// The first 18 characters of the licence type code are not a valid USCC.
    #[error("licence type code: defining authority: {0}")]
    TypeCodeAuthority(UsccError),
    /// The last three characters of the licence type code are not digits.
    #[error("licence type code: sequence is not three digits")]
    TypeCodeSequence,
    /// The issuing authority part is not a valid USCC.
    #[error("issuing authority: {0}")]
    Issuer(UsccError),
    /// The serial has a character outside `0-9A-Z` (`position` within the serial, from 1).
    #[error("serial character {position} is not 0-9 or A-Z")]
    Serial {
        /// Position within the serial, from 1.
        position: usize,
    },
    /// The version is not three digits.
    #[error("version is not three digits")]
    Version,
    /// The check character does not match, or cannot be computed because a part carries a
    /// character outside `0-9A-Z`.
    #[error("check character mismatch")]
    CheckCharacter,
}

/// A licence type code (證照類型代碼): the defining authority's USCC and a three-digit number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenceTypeCode {
    authority: Uscc,
    code: String,
}

impl LicenceTypeCode {
    /// Parses exactly 21 characters.
    pub fn parse(s: &str) -> Result<Self, LicenceIdError> {
        let found = s.chars().count();
        if found != 21 || !s.is_ascii() {
            return Err(LicenceIdError::TypeCodeLength { found });
        }
        let (authority, sequence) = s.split_at(18);
        let authority = Uscc::parse(authority).map_err(LicenceIdError::TypeCodeAuthority)?;
        if !sequence.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LicenceIdError::TypeCodeSequence);
        }
        Ok(LicenceTypeCode {
            authority,
            code: s.to_owned(),
        })
    }

    /// A code known to be valid (a built-in constant, covered by a unit test); never for input.
    pub(super) fn known(code: &str) -> Self {
        LicenceTypeCode::parse(code).unwrap_or_else(|_| LicenceTypeCode {
            authority: Uscc::known(code.get(..18).unwrap_or(code)),
            code: code.to_owned(),
        })
    }

    /// The type code of a licence docType `1.2.156.3005.2.<type code>`.
    pub fn from_doc_type(doc_type: &str) -> Option<Self> {
        doc_type
            .strip_prefix(LICENCE_ROOT)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|code| Self::parse(code).ok())
    }

    /// The 21 characters.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The authority that defines the licence type (first 18 characters).
    pub fn defining_authority(&self) -> &Uscc {
        &self.authority
    }

    /// The three-digit number the defining authority assigned.
    pub fn sequence(&self) -> &str {
        self.code.get(18..).unwrap_or_default()
    }

    /// The mdoc docType of licences of this type: `1.2.156.3005.2.<type code>`, the prefix
    /// every licence identifier of the type starts with. It is also the name of the type's
    /// own element namespace.
    pub fn doc_type(&self) -> String {
        format!("{LICENCE_ROOT}.{}", self.code)
    }
}

impl fmt::Debug for LicenceTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LicenceTypeCode({})", self.code)
    }
}

impl fmt::Display for LicenceTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

/// A strictly valid electronic licence identifier.
///
/// `Debug` shows the type code and issuer only: the serial may be derived from personal data.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LicenceId {
    id: String,
    type_code: LicenceTypeCode,
    issuer: Uscc,
    serial: String,
    version: u16,
    check: char,
}

impl LicenceId {
    /// Builds the identifier for a new licence, computing its check character.
    pub fn new(
        type_code: &LicenceTypeCode,
        issuer: &Uscc,
        serial: &str,
        version: u16,
    ) -> Result<Self, LicenceIdError> {
        check_serial(serial)?;
        if version > 999 {
            return Err(LicenceIdError::Version);
        }
        let body = format!(
            "{}{}{serial}{version:03}",
            type_code.as_str(),
            issuer.as_str()
        );
        let check = MOD_37_36
            .check_character(&body)
            .map_err(|_| LicenceIdError::CheckCharacter)?;
        Ok(LicenceId {
            id: format!(
                "{LICENCE_ROOT}.{}.{}.{serial}.{version:03}.{check}",
                type_code.as_str(),
                issuer.as_str()
            ),
            type_code: type_code.clone(),
            issuer: issuer.clone(),
            serial: serial.to_owned(),
            version,
            check,
        })
    }

    /// Parses an identifier in the exact GB/T 36904 form.
    pub fn parse(s: &str) -> Result<Self, LicenceIdError> {
        let lenient = Self::parse_lenient(s)?;
        if let Some(first) = lenient.issues.first() {
            return Err(*first);
        }
        lenient.strict.ok_or(LicenceIdError::CheckCharacter)
    }

    /// Reads an identifier as far as its dotted structure allows — the last five parts are
    /// type code, issuer, serial, version and check character, whatever precedes them is the
    /// root — and lists every deviation from GB/T 36904 in
    /// [`LenientLicenceId::issues`]. Fails only with [`LicenceIdError::Syntax`].
    pub fn parse_lenient(s: &str) -> Result<LenientLicenceId, LicenceIdError> {
        for (i, c) in s.chars().enumerate() {
            if !c.is_ascii_graphic() {
                return Err(LicenceIdError::Syntax { position: i + 1 });
            }
        }
        let parts: Vec<&str> = s.split('.').collect();
        let mut offset = 0;
        for part in &parts {
            if part.is_empty() {
                return Err(LicenceIdError::Syntax {
                    position: offset + 1,
                });
            }
            offset += part.len() + 1;
        }
        let n = parts.len();
        let (Some(root_parts), Some(&[type_code, issuer, serial, version, check])) = (
            parts.get(..n.saturating_sub(5)),
            parts.get(n.saturating_sub(5)..),
        ) else {
            return Err(LicenceIdError::Syntax {
                position: s.len() + 1,
            });
        };
        if root_parts.is_empty() {
            // Five parts or fewer: the structure ends before the check character.
            return Err(LicenceIdError::Syntax {
                position: s.len() + 1,
            });
        }
        let root = root_parts.join(".");

        let mut issues = Vec::new();
        if root != LICENCE_ROOT {
            issues.push(LicenceIdError::Root);
        }
        let strict_type = LicenceTypeCode::parse(type_code);
        if let Err(e) = &strict_type {
            issues.push(*e);
        }
        let strict_issuer = Uscc::parse(issuer);
        if let Err(e) = &strict_issuer {
            issues.push(LicenceIdError::Issuer(*e));
        }
        if let Err(e) = check_serial(serial) {
            issues.push(e);
        }
        let strict_version = parse_version(version);
        if strict_version.is_none() {
            issues.push(LicenceIdError::Version);
        }
        let computed = MOD_37_36
            .check_character(&format!("{type_code}{issuer}{serial}{version}"))
            .ok();
        let check_ok = computed.is_some_and(|c| check.len() == 1 && check.starts_with(c));
        if !check_ok {
            issues.push(LicenceIdError::CheckCharacter);
        }

        let strict = match (strict_type, strict_issuer, strict_version) {
            (Ok(type_code), Ok(issuer), Some(version)) if issues.is_empty() => Some(LicenceId {
                id: s.to_owned(),
                type_code,
                issuer,
                serial: serial.to_owned(),
                version,
                check: computed.unwrap_or('?'),
            }),
            _ => None,
        };
        Ok(LenientLicenceId {
            root,
            type_code: type_code.to_owned(),
            issuer: issuer.to_owned(),
            serial: serial.to_owned(),
            version: version.to_owned(),
            check: check.to_owned(),
            computed,
            issues,
            strict,
        })
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// Always [`LICENCE_ROOT`].
    pub fn root(&self) -> &'static str {
        LICENCE_ROOT
    }

    /// The licence type code.
    pub fn type_code(&self) -> &LicenceTypeCode {
        &self.type_code
    }

    /// The issuing authority's USCC.
    pub fn issuer(&self) -> &Uscc {
        &self.issuer
    }

    /// The serial.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The version, 0..=999.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The check character.
    pub fn check_character(&self) -> char {
        self.check
    }

    /// The mdoc docType of this licence ([`LicenceTypeCode::doc_type`]).
    pub fn doc_type(&self) -> String {
        self.type_code.doc_type()
    }
}

impl fmt::Debug for LicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenceId")
            .field("type_code", &self.type_code.as_str())
            .field("issuer", &self.issuer.as_str())
            .finish_non_exhaustive()
    }
}

impl core::str::FromStr for LicenceId {
    type Err = LicenceIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LicenceId::parse(s)
    }
}

/// An identifier read leniently: its parts as found, and what is off about them.
#[derive(Clone, PartialEq, Eq)]
pub struct LenientLicenceId {
    root: String,
    type_code: String,
    issuer: String,
    serial: String,
    version: String,
    check: String,
    computed: Option<char>,
    issues: Vec<LicenceIdError>,
    strict: Option<LicenceId>,
}

impl LenientLicenceId {
    /// Everything before the last five parts.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The type-code part as found.
    pub fn type_code(&self) -> &str {
        &self.type_code
    }

    /// The issuer part as found (a USCC, or in the wild sometimes a region code).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The serial as found.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The version part as found.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The check part as found.
    pub fn check(&self) -> &str {
        &self.check
    }

    /// The MOD 37,36 check character of the parts as found, if they are all in `0-9A-Z`.
    pub fn computed_check_character(&self) -> Option<char> {
        self.computed
    }

    /// Whether the check character matches the parts as found (even if they break the
    /// format otherwise).
    pub fn check_character_valid(&self) -> bool {
        !self.issues.contains(&LicenceIdError::CheckCharacter)
    }

    /// Every deviation from GB/T 36904, in the order of the parts; empty for a conforming
    /// identifier.
    pub fn issues(&self) -> &[LicenceIdError] {
        &self.issues
    }

    /// The strict identifier, if nothing is off.
    pub fn strict(&self) -> Option<&LicenceId> {
        self.strict.as_ref()
    }
}

impl fmt::Debug for LenientLicenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LenientLicenceId")
            .field("type_code", &self.type_code)
            .field("issuer", &self.issuer)
            .field("issues", &self.issues)
            .finish_non_exhaustive()
    }
}

fn check_serial(serial: &str) -> Result<(), LicenceIdError> {
    if serial.is_empty() {
        return Err(LicenceIdError::Serial { position: 1 });
    }
    for (i, c) in serial.chars().enumerate() {
        if !(c.is_ascii_digit() || c.is_ascii_uppercase()) {
            return Err(LicenceIdError::Serial { position: i + 1 });
        }
    }
    Ok(())
}

fn parse_version(v: &str) -> Option<u16> {
    if v.len() == 3 && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// ISO/IEC 7064 MOD 37,36 written out as the standard's recursion, independently of
    /// [`MOD_37_36`]: P₁ = 36; Sⱼ = (Pⱼ mod 37) + aⱼ; Pⱼ₊₁ = ((Sⱼ mod 36, or 36 if 0) × 2)
    /// mod 37; the check a satisfies (Pₙ + a) mod 36 = 1.
    fn reference_check(body: &str) -> char {
        const A: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut p = 36;
        for c in body.chars() {
            let s = (p % 37) + A.find(c).unwrap();
            let r = if s % 36 == 0 { 36 } else { s % 36 };
            p = (r * 2) % 37;
        }
        let a = (1 + 36 - p % 36) % 36;
        A.chars().nth(a).unwrap()
    }

    /// Identifiers of licences as published in public government-system code and interface
    /// documents (their serials are not personal data).
    const PUBLIC_SAMPLES: &[(&str, &str, &str, u16)] = &[
        (
            "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
            "11100000000013338W011",
            "11430000006122244L",
            2,
        ),
        (
            "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
            "11100000000013338W011",
            "11430000006122244L",
            1,
        ),
        (
            "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
            "11100000000013338W087",
            "11370800MB28559184",
            1,
        ),
        (
            "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
            "11100000000013338W009",
            "11330105002500287C",
            2,
        ),
    ];

    #[test]
    fn public_samples() {
        for (s, type_code, issuer, version) in PUBLIC_SAMPLES {
            let id = LicenceId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(id.type_code().as_str(), *type_code);
            assert_eq!(id.issuer().as_str(), *issuer);
            assert_eq!(id.version(), *version);
            let body = format!("{type_code}{issuer}{}{version:03}", id.serial());
            assert_eq!(id.check_character(), reference_check(&body), "{s}");
            let rebuilt =
                LicenceId::new(id.type_code(), id.issuer(), id.serial(), *version).unwrap();
            assert_eq!(rebuilt.as_str(), *s);
            assert_eq!(rebuilt, id);
            let lenient = LicenceId::parse_lenient(s).unwrap();
            assert!(lenient.issues().is_empty());
            assert_eq!(lenient.strict(), Some(&id));
        }
    }

    #[test]
    fn wild_identifiers_read_leniently() {
        // An interface example with a hexadecimal serial and a check character that does not
        // match ('D' is what MOD 37,36 gives).
        let s = "1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M";
        assert_eq!(LicenceId::parse(s), Err(LicenceIdError::CheckCharacter));
        let l = LicenceId::parse_lenient(s).unwrap();
        assert_eq!(l.issues(), &[LicenceIdError::CheckCharacter]);
        assert_eq!(l.computed_check_character(), Some('D'));
        assert_eq!(l.check(), "M");

        // A region code as the issuer.
        let s = "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9";
        let l = LicenceId::parse_lenient(s).unwrap();
        assert_eq!(
            l.issues(),
            &[LicenceIdError::Issuer(UsccError::Length { found: 6 })]
        );
        assert!(l.check_character_valid());
        assert_eq!(l.strict(), None);

        // Another root, an underscore in the serial (no check can be computed), a short
        // type code and issuer.
        let s = "1.2.156.3005.2.062301.1101101102.0624_001.001.U";
        let l = LicenceId::parse_lenient(s).unwrap();
        assert_eq!(
            l.issues(),
            &[
                LicenceIdError::TypeCodeLength { found: 6 },
                LicenceIdError::Issuer(UsccError::Length { found: 10 }),
                LicenceIdError::Serial { position: 5 },
                LicenceIdError::CheckCharacter,
            ]
        );
        assert_eq!(l.computed_check_character(), None);

        let s = "2.16.156.11100000000013338W009.11330105002500287C.2025052201.002.0";
        let l = LicenceId::parse_lenient(s).unwrap();
        assert_eq!(l.root(), "2.16.156");
        assert_eq!(l.issues(), &[LicenceIdError::Root]);
    }

    #[test]
    fn syntax_errors() {
        for (s, position) in [
            ("", 1),
            ("1.2.156.3005.2", 15),
            (
                "11100000000013338W009.11330105002500287C.2025052201.002.0",
                58,
            ),
            ("1.2.156.3005.2..11330105002500287C.2025052201.002.0", 16),
            (
                "1.2.156.3005.2.11100000000013338W009.1133010500250028 7C.2025052201.002.0",
                54,
            ),
            (
                "1.2.156.3005.2.证照.11330105002500287C.2025052201.002.0",
                16,
            ),
        ] {
            assert_eq!(
                LicenceId::parse_lenient(s).map(|_| ()),
                Err(LicenceIdError::Syntax { position }),
                "{s}"
            );
        }
    }

    #[test]
    fn type_code_and_doc_type() {
        let t = LicenceTypeCode::parse("11100000000013127D001").unwrap();
        assert_eq!(t.defining_authority().as_str(), "11100000000013127D");
        assert_eq!(t.sequence(), "001");
        assert_eq!(t.doc_type(), "1.2.156.3005.2.11100000000013127D001");
        assert_eq!(LicenceTypeCode::from_doc_type(&t.doc_type()), Some(t));
        assert_eq!(
            LicenceTypeCode::from_doc_type("org.iso.18013.5.1.mDL"),
            None
        );
        assert_eq!(
            LicenceTypeCode::parse("11100000000013127D0A1"),
            Err(LicenceIdError::TypeCodeSequence)
        );
        assert_eq!(
            LicenceTypeCode::parse("11100000000013127E001"),
            Err(LicenceIdError::TypeCodeAuthority(UsccError::CheckCharacter))
        );
        let issuer = Uscc::parse("11430000006122244L").unwrap();
        assert_eq!(
            LicenceId::new(
                &LicenceTypeCode::parse("11100000000013127D001").unwrap(),
                &issuer,
                "a1",
                1
            ),
            Err(LicenceIdError::Serial { position: 1 })
        );
        assert_eq!(
            LicenceId::new(
                &LicenceTypeCode::parse("11100000000013127D001").unwrap(),
                &issuer,
                "A1",
                1000
            ),
            Err(LicenceIdError::Version)
        );
    }

    proptest! {
        // Each case parses some three thousand variants.
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// MOD 37,36 (with the USCC checks of the type code and issuer) catches every single
        /// substitution anywhere in the identifier's characters after the root.
        #[test]
        fn every_substitution_is_caught(serial in "[0-9A-Z]{1,20}", version in 0u16..1000, pick in 0usize..4) {
            let (_, type_code, issuer, _) = PUBLIC_SAMPLES[pick];
            let id = LicenceId::new(
                &LicenceTypeCode::parse(type_code).unwrap(),
                &Uscc::parse(issuer).unwrap(),
                &serial,
                version,
            ).unwrap();
            let s = id.as_str();
            let body = format!("{type_code}{issuer}{serial}{version:03}");
            prop_assert_eq!(id.check_character(), reference_check(&body));
            let chars: Vec<char> = s.chars().collect();
            for i in LICENCE_ROOT.len() + 1..chars.len() {
                if chars[i] == '.' {
                    continue;
                }
                for b in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
                    if b != chars[i] {
                        let mut v = chars.clone();
                        v[i] = b;
                        let t: String = v.into_iter().collect();
                        prop_assert!(LicenceId::parse(&t).is_err());
                    }
                }
            }
        }
    }
}
