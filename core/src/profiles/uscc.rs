//! 統一社會信用代碼 (unified social credit code, GB 32100-2015) and the GB 11714-1997
//! organisation code embedded in it.
//!
//! A USCC has 18 characters from the 31-character set `0-9A-Z` without `I O S V Z`:
//!
//! | positions | meaning |
//! |---|---|
//! | 1 | registration management department (`1` 機構編制, `5` 民政, `9` 工商/市場監管, `Y` other…) |
//! | 2 | organisation category within that department |
//! | 3–8 | administrative division code of the registering authority (GB/T 2260, digits) |
//! | 9–17 | the organisation code (GB 11714): eight body characters and its own check character |
//! | 18 | the check character |
//!
//! **Check character (GB 32100 §4.3).** With the characters' values `a_1 … a_17` (their index
//! in the character set) and weights `W_i = 3^(i−1) mod 31`
//! (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28), `C_18 = 31 − (Σ a_i·W_i mod 31)`, where 31
//! becomes 0, written as the character of that value.
//!
//! **Organisation code check (GB 11714 §5).** Body values (digits as themselves, `A`=10 …
//! `Z`=35) weighted 3 7 9 10 5 8 4 2: `C_9 = 11 − (Σ mod 11)`, where 10 is written `X` and 11 is
//! `0`.
//!
//! Codes assigned in the early pilot years do not always satisfy the organisation-code check,
//! yet they are legal: [`Uscc::parse`] accepts them and reports
//! [`UsccWarning::OrganisationCodeCheck`]. The overall check character must always hold.
//!
//! ```
//! use zhengzhao::profiles::Uscc;
//!
//! let uscc = Uscc::parse("91110108551385082Q")?; // a company, from the public registry
//! assert_eq!(uscc.registration_department(), '9');
//! assert_eq!(uscc.region_code(), "110108");
//! assert_eq!(uscc.organisation_code(), "551385082");
//! assert_eq!(uscc.check_character(), 'Q');
//! assert!(uscc.warnings().is_empty());
//! assert!(Uscc::parse("91110108551385082R").is_err()); // wrong check character
//! # Ok::<(), zhengzhao::profiles::UsccError>(())
//! ```

use core::fmt;

/// The GB 32100 character set, in value order (0..=30).
pub(crate) const USCC_CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Modulus of the USCC check.
const USCC_MODULUS: u32 = 31;

/// GB 11714 weights of the eight body characters.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a string is not a unified social credit code. Positions count from 1 at the left; the
/// code itself is never part of the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum UsccError {
    /// Not 18 characters.
    #[error("a unified social credit code has 18 characters, found {found}")]
    Length {
        /// How many characters were found.
        found: usize,
    },
    /// A character outside `0-9A-Z` without `I O S V Z`.
    #[error("character {position} is not in the GB 32100 character set")]
    Character {
        /// Position, from 1.
        position: usize,
    },
    /// A non-digit in the administrative division code (positions 3–8).
    #[error("character {position} of the division code is not a digit")]
    RegionCode {
        /// Position, from 1.
        position: usize,
    },
    /// The check character (position 18) does not match.
    #[error("check character mismatch")]
    CheckCharacter,
}

/// A legal code with something to note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UsccWarning {
    /// The embedded GB 11714 organisation code (positions 9–17) fails its own check, as some
    /// codes assigned in the pilot years do.
    OrganisationCodeCheck,
}

/// A unified social credit code whose check character holds.
///
/// Organisation codes are public registry data, so `Debug` and `Display` show the code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc {
    code: String,
    organisation_code_valid: bool,
}

impl Uscc {
    /// Parses exactly 18 characters (upper case).
    pub fn parse(s: &str) -> Result<Self, UsccError> {
        let values = uscc_values(s)?;
        for (i, &b) in s.as_bytes().iter().enumerate().skip(2).take(6) {
            if !b.is_ascii_digit() {
                return Err(UsccError::RegionCode { position: i + 1 });
            }
        }
        let (body, check) = values.split_at(17);
        if check.first() != Some(&uscc_check_value(body)) {
            return Err(UsccError::CheckCharacter);
        }
        let organisation_code_valid = s
            .get(8..17)
            .is_some_and(|org| OrganisationCode::parse(org).is_ok());
        Ok(Uscc {
            code: s.to_owned(),
            organisation_code_valid,
        })
    }

    /// A code known to be valid (a built-in constant, covered by a unit test); never for input.
    pub(super) fn known(code: &str) -> Self {
        Uscc::parse(code).unwrap_or_else(|_| Uscc {
            code: code.to_owned(),
            organisation_code_valid: true,
        })
    }

    /// The check character for the first 17 characters `body` (which must be in the GB 32100
    /// character set). For issuers that assign codes, and for tests.
    pub fn check_character_for(body: &str) -> Result<char, UsccError> {
        if body.chars().count() != 17 {
            return Err(UsccError::Length {
                found: body.chars().count() + 1,
            });
        }
        let values = charset_values(body)?;
        Ok(uscc_char(uscc_check_value(&values)))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// Position 1: the registration management department.
    pub fn registration_department(&self) -> char {
        self.char_at(0)
    }

    /// Position 2: the organisation category.
    pub fn organisation_category(&self) -> char {
        self.char_at(1)
    }

    /// Positions 3–8: the administrative division code (GB/T 2260) of the registering
    /// authority.
    pub fn region_code(&self) -> &str {
        self.code.get(2..8).unwrap_or_default()
    }

    /// Positions 9–17: the GB 11714 organisation code, check character included.
    pub fn organisation_code(&self) -> &str {
        self.code.get(8..17).unwrap_or_default()
    }

    /// Whether the embedded organisation code satisfies GB 11714.
    pub fn organisation_code_valid(&self) -> bool {
        self.organisation_code_valid
    }

    /// Position 18: the check character.
    pub fn check_character(&self) -> char {
        self.char_at(17)
    }

    /// What is legal but notable about this code.
    pub fn warnings(&self) -> &'static [UsccWarning] {
        if self.organisation_code_valid {
            &[]
        } else {
            &[UsccWarning::OrganisationCodeCheck]
        }
    }

    fn char_at(&self, i: usize) -> char {
        self.code.as_bytes().get(i).map_or('?', |&b| char::from(b))
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.code)
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl core::str::FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

/// The values of an 18-character candidate in the GB 32100 set.
fn uscc_values(s: &str) -> Result<Vec<u32>, UsccError> {
    let found = s.chars().count();
    if found != 18 {
        return Err(UsccError::Length { found });
    }
    charset_values(s)
}

fn charset_values(s: &str) -> Result<Vec<u32>, UsccError> {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            u8::try_from(u32::from(c))
                .ok()
                .and_then(|b| USCC_CHARSET.iter().position(|&x| x == b))
                .and_then(|v| u32::try_from(v).ok())
                .ok_or(UsccError::Character { position: i + 1 })
        })
        .collect()
}

/// `31 − (Σ a_i · 3^(i−1) mod 31)`, 31 → 0.
fn uscc_check_value(body: &[u32]) -> u32 {
    let mut weight = 1;
    let mut sum = 0;
    for &a in body {
        sum = (sum + a * weight) % USCC_MODULUS;
        weight = weight * 3 % USCC_MODULUS;
    }
    (USCC_MODULUS - sum) % USCC_MODULUS
}

fn uscc_char(v: u32) -> char {
    usize::try_from(v)
        .ok()
        .and_then(|i| USCC_CHARSET.get(i))
        .map_or('?', |&b| char::from(b))
}

/// Why a string is not a GB 11714 organisation code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum OrganisationCodeError {
    /// Not nine characters (ten with the customary hyphen before the check character).
    #[error("an organisation code has nine characters")]
    Length,
    /// A body character that is not a digit or an upper-case letter, or a check character
    /// that is not a digit or `X`.
    #[error("character {position} is not allowed there")]
    Character {
        /// Position, from 1 (the hyphen not counted).
        position: usize,
    },
    /// The check character does not match.
    #[error("check character mismatch")]
    CheckCharacter,
}

/// A GB 11714-1997 organisation code (組織機構代碼): eight body characters and a check
/// character, e.g. `MA01AB2C-6` (written with or without the hyphen).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrganisationCode {
    code: String,
}

impl OrganisationCode {
    /// Parses `XXXXXXXXC` or `XXXXXXXX-C`.
    pub fn parse(s: &str) -> Result<Self, OrganisationCodeError> {
        let code: String = match (s.len(), s.as_bytes().get(8)) {
            (10, Some(b'-')) => s.chars().filter(|&c| c != '-').collect(),
            (9, _) => s.to_owned(),
            _ => return Err(OrganisationCodeError::Length),
        };
        let bytes = code.as_bytes();
        if bytes.len() != 9 {
            return Err(OrganisationCodeError::Length);
        }
        let (body, check) = bytes.split_at(8);
        let mut values = [0u32; 8];
        for (i, (&b, v)) in body.iter().zip(values.iter_mut()).enumerate() {
            *v = org_value(b).ok_or(OrganisationCodeError::Character { position: i + 1 })?;
        }
        let expected = org_check_char(&values);
        match check.first() {
            Some(&c) if c.is_ascii_digit() || c == b'X' => {
                if c != expected {
                    return Err(OrganisationCodeError::CheckCharacter);
                }
            }
            _ => return Err(OrganisationCodeError::Character { position: 9 }),
        }
        Ok(OrganisationCode { code })
    }

    /// The check character for an eight-character body.
    pub fn check_character_for(body: &str) -> Result<char, OrganisationCodeError> {
        let bytes = body.as_bytes();
        if bytes.len() != 8 {
            return Err(OrganisationCodeError::Length);
        }
        let mut values = [0u32; 8];
        for (i, (&b, v)) in bytes.iter().zip(values.iter_mut()).enumerate() {
            *v = org_value(b).ok_or(OrganisationCodeError::Character { position: i + 1 })?;
        }
        Ok(char::from(org_check_char(&values)))
    }

    /// The nine characters, without a hyphen.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The check character.
    pub fn check_character(&self) -> char {
        self.code.as_bytes().get(8).map_or('?', |&b| char::from(b))
    }
}

/// Digits are themselves, `A`..=`Z` are 10..=35.
fn org_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    }
}

/// `11 − (Σ mod 11)`: 10 → `X`, 11 → `0`.
fn org_check_char(values: &[u32; 8]) -> u8 {
    let sum: u32 = values.iter().zip(ORG_WEIGHTS).map(|(v, w)| v * w).sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        // 1..=9: a single decimal digit.
        d => b'0' + u8::try_from(d).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// GB 32100 §4.3 as printed: the weight table and `31 − Σ mod 31`.
    fn reference_uscc_check(body: &str) -> char {
        const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        const W: [usize; 17] = [
            1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
        ];
        let sum: usize = body
            .chars()
            .zip(W)
            .map(|(c, w)| CHARS.find(c).unwrap() * w)
            .sum();
        let c = 31 - sum % 31;
        CHARS.chars().nth(if c == 31 { 0 } else { c }).unwrap()
    }

    /// GB 11714 §5 as printed.
    fn reference_org_check(body: &str) -> char {
        const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(36).unwrap() * w)
            .sum();
        match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            d => char::from_digit(d, 10).unwrap(),
        }
    }

    /// Codes of well-known organisations, as shown in the national enterprise credit
    /// information publicity system and on the organisations' own sites.
    const PUBLIC_SAMPLES: &[&str] = &[
        "91110108551385082Q", // 小米科技有限责任公司
        "9144030071526726XG", // 腾讯科技（深圳）有限公司
        "914403001922038216", // 华为技术有限公司
        "91110000802100433B", // 百度在线网络技术（北京）有限公司
        "91330100716105852F", // 阿里巴巴（中国）有限公司
        "11100000000013127D", // 公安部 (Ministry of Public Security)
        "11100000MB0143028R", // 国家市场监督管理总局 (SAMR)
        "11100000000013338W", // a ministry defining licence types, as seen in licence identifiers
    ];

    #[test]
    fn public_samples_parse_and_match_the_reference() {
        for s in PUBLIC_SAMPLES {
            let uscc = Uscc::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert!(uscc.organisation_code_valid(), "{s}");
            assert!(uscc.warnings().is_empty());
            assert_eq!(
                uscc.check_character(),
                reference_uscc_check(&s[..17]),
                "{s}"
            );
            assert_eq!(
                Uscc::check_character_for(&s[..17]),
                Ok(uscc.check_character())
            );
            assert_eq!(
                OrganisationCode::parse(uscc.organisation_code())
                    .unwrap()
                    .check_character(),
                reference_org_check(&s[8..16])
            );
            assert_eq!(uscc.to_string(), *s);
        }
        let huawei = Uscc::parse("914403001922038216").unwrap();
        assert_eq!(huawei.registration_department(), '9');
        assert_eq!(huawei.organisation_category(), '1');
        assert_eq!(huawei.region_code(), "440300");
        assert_eq!(huawei.organisation_code(), "192203821");
    }

    #[test]
    fn pilot_era_code_is_a_warning() {
        // A synthetic code whose overall check holds but whose organisation code does not:
        // the body MA5FABCD needs check character 7 and carries 5.
        assert_eq!(reference_org_check("MA5FABCD"), '7');
        let body = "91440300MA5FABCD5";
        let code = format!("{body}{}", reference_uscc_check(body));
        let uscc = Uscc::parse(&code).unwrap();
        assert!(!uscc.organisation_code_valid());
        assert_eq!(uscc.warnings(), &[UsccWarning::OrganisationCodeCheck]);
    }

    #[test]
    fn rejections_are_specific() {
        let cases = [
            ("91110108551385082", UsccError::Length { found: 17 }),
            ("91110108551385082QQ", UsccError::Length { found: 19 }),
            ("91110108551385O82Q", UsccError::Character { position: 15 }),
            ("9111010855138508zQ", UsccError::Character { position: 17 }),
            ("911101085513850８2Q", UsccError::Character { position: 16 }),
            ("91A10108551385082Q", UsccError::RegionCode { position: 3 }),
            ("91110108551385082R", UsccError::CheckCharacter),
        ];
        for (s, err) in cases {
            assert_eq!(Uscc::parse(s), Err(err), "{s}");
        }
        assert_eq!(
            OrganisationCode::parse("19220382-1").unwrap().as_str(),
            "192203821"
        );
        assert_eq!(
            OrganisationCode::parse("192203822"),
            Err(OrganisationCodeError::CheckCharacter)
        );
        assert_eq!(
            OrganisationCode::parse("1922038"),
            Err(OrganisationCodeError::Length)
        );
        assert_eq!(
            OrganisationCode::parse("19a203821"),
            Err(OrganisationCodeError::Character { position: 3 })
        );
        assert_eq!(
            OrganisationCode::parse("71526726Y"),
            Err(OrganisationCodeError::Character { position: 9 })
        );
    }

    fn uscc_body() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(proptest::sample::select(USCC_CHARSET.to_vec()), 2),
            proptest::collection::vec(proptest::sample::select(b"0123456789".to_vec()), 6),
            proptest::collection::vec(proptest::sample::select(USCC_CHARSET.to_vec()), 9),
        )
            .prop_map(|(a, b, c)| a.into_iter().chain(b).chain(c).map(char::from).collect())
    }

    proptest! {
        /// Modulus 31 is prime, the 31 values are all below it and neighbouring weights differ
        /// (3^i versus 3^(i+1), and 28 versus 1 at the check): every single substitution and
        /// every adjacent transposition is caught.
        #[test]
        fn uscc_catches_substitutions_and_transpositions(body in uscc_body()) {
            let code = format!("{body}{}", reference_uscc_check(&body));
            prop_assert!(Uscc::parse(&code).is_ok());
            let chars: Vec<char> = code.chars().collect();
            for i in 0..18 {
                for &b in USCC_CHARSET {
                    let b = char::from(b);
                    if b != chars[i] {
                        let mut v = chars.clone();
                        v[i] = b;
                        let s: String = v.into_iter().collect();
                        prop_assert!(Uscc::parse(&s).is_err());
                    }
                }
                if i < 17 && chars[i] != chars[i + 1] {
                    let mut v = chars.clone();
                    v.swap(i, i + 1);
                    let s: String = v.into_iter().collect();
                    prop_assert!(Uscc::parse(&s).is_err());
                }
            }
        }

        /// With a digit-only body GB 11714 catches every substitution and every adjacent
        /// transposition of digits (weights nonzero and distinct between neighbours mod 11);
        /// letters (values up to 35) fall outside the guarantee, so only digits are drawn.
        #[test]
        fn organisation_code_catches_digit_errors(body in "[0-9]{8}") {
            let code = format!("{body}{}", reference_org_check(&body));
            prop_assert!(OrganisationCode::parse(&code).is_ok());
            let chars: Vec<char> = code.chars().collect();
            for i in 0..9 {
                for b in "0123456789X".chars() {
                    if b != chars[i] && (i == 8 || b != 'X') {
                        let mut v = chars.clone();
                        v[i] = b;
                        let s: String = v.into_iter().collect();
                        prop_assert!(OrganisationCode::parse(&s).is_err());
                    }
                }
                // A check character X moved into the body is the letter X (value 33), outside
                // the guarantee: only digit swaps are asserted.
                if i < 8 && chars[i] != chars[i + 1] && chars[i + 1] != 'X' {
                    let mut v = chars.clone();
                    v.swap(i, i + 1);
                    let s: String = v.into_iter().collect();
                    prop_assert!(OrganisationCode::parse(&s).is_err());
                }
            }
        }
    }
}
