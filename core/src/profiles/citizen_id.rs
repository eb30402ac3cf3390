//! 公民身份號碼 (citizen identity number, GB 11643-1999).
//!
//! Eighteen characters:
//!
//! | positions | meaning |
//! |---|---|
//! | 1–6 | address code: the administrative division (GB/T 2260) where the number was assigned |
//! | 7–14 | birth date `YYYYMMDD` — a real calendar date |
//! | 15–17 | sequence code; odd for men, even for women |
//! | 18 | check character, ISO/IEC 7064 MOD 11-2 |
//!
//! **Check character.** With the first 17 digits `a_1 … a_17` and the weights
//! `W_i = 2^(18−i) mod 11` = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the check character is
//! `"10X98765432"[Σ a_i·W_i mod 11]` — the same as [`MOD_11_2`].
//! The check `X` is upper case; the older 15-digit numbers are not accepted.
//!
//! The number is personal data: [`CitizenIdNumber`] has no `Display`, its `Debug` shows
//! nothing of it, and errors name the position and the check, never the value.
//!
//! ```
//! use zhengzhao::profiles::{CitizenIdNumber, Sex};
//!
//! // The example printed in GB 11643-1999 itself.
//! let id = CitizenIdNumber::parse("11010519491231002X")?;
//! assert_eq!(id.address_code(), "110105");
//! assert_eq!(id.birth_date().to_string(), "1949-12-31");
//! assert_eq!(id.sequence(), 2);
//! assert_eq!(id.sex(), Sex::Female);
//! assert_eq!(id.check_character(), 'X');
//! assert_eq!(format!("{id:?}"), "CitizenIdNumber(..)");
//! assert!(CitizenIdNumber::parse("110105194912310021").is_err()); // wrong check character
//! assert!(CitizenIdNumber::parse("110105194902300020").is_err()); // 30 February
//! # Ok::<(), zhengzhao::profiles::CitizenIdError>(())
//! ```

use core::fmt;

use super::iso7064::{CheckError, MOD_11_2};
use crate::cbor::FullDate;

/// Why a string is not a citizen identity number. Positions count from 1 at the left; the
/// number itself is never part of the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CitizenIdError {
    /// Not 18 characters.
    #[error("a citizen identity number has 18 characters, found {found}")]
    Length {
        /// How many characters were found.
        found: usize,
    },
    /// A non-digit in positions 1–17, or a check character other than `0-9` or `X`.
    #[error("character {position} is not allowed there")]
    Character {
        /// Position, from 1.
        position: usize,
    },
    /// Positions 7–14 are not a real date.
    #[error("the birth date code is not a real date")]
    BirthDate,
    /// The check character (position 18) does not match (MOD 11-2).
    #[error("check character mismatch")]
    CheckCharacter,
}

/// The sex encoded in the sequence code, with its ISO/IEC 5218 value (as 18013-5 `sex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Odd sequence code; ISO/IEC 5218 value 1.
    Male,
    /// Even sequence code; ISO/IEC 5218 value 2.
    Female,
}

impl Sex {
    /// The ISO/IEC 5218 code: 1 male, 2 female.
    pub fn iso5218(self) -> u8 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }

    /// From an ISO/IEC 5218 code (1 or 2; 0 "not known" and 9 "not applicable" are `None`).
    pub fn from_iso5218(code: i128) -> Option<Self> {
        match code {
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A citizen identity number whose birth date is real and whose check character holds.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenIdNumber {
    number: String,
    birth_date: FullDate,
}

impl CitizenIdNumber {
    /// Parses exactly 18 characters: 17 digits and a check character `0-9` or `X`.
    pub fn parse(s: &str) -> Result<Self, CitizenIdError> {
        let found = s.chars().count();
        if found != 18 {
            return Err(CitizenIdError::Length { found });
        }
        let bytes = s.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let ok = b.is_ascii_digit() || (i == 17 && b == b'X');
            if !ok {
                return Err(CitizenIdError::Character { position: i + 1 });
            }
        }
        let digits = |from: usize, to: usize| -> u16 {
            bytes
                .get(from..to)
                .unwrap_or_default()
                .iter()
                .fold(0u16, |acc, &b| acc * 10 + u16::from(b - b'0'))
        };
        let birth_date = FullDate::new(
            digits(6, 10),
            u8::try_from(digits(10, 12)).map_err(|_| CitizenIdError::BirthDate)?,
            u8::try_from(digits(12, 14)).map_err(|_| CitizenIdError::BirthDate)?,
        )
        .map_err(|_| CitizenIdError::BirthDate)?;
        match MOD_11_2.verify(s) {
            Ok(()) => {}
            Err(CheckError::Mismatch) => return Err(CitizenIdError::CheckCharacter),
            Err(CheckError::Character { position }) => {
                return Err(CitizenIdError::Character { position })
            }
            Err(_) => return Err(CitizenIdError::Length { found }),
        }
        Ok(CitizenIdNumber {
            number: s.to_owned(),
            birth_date,
        })
    }

    /// The check character for the first 17 digits.
    pub fn check_character_for(body: &str) -> Result<char, CitizenIdError> {
        let found = body.chars().count();
        if found != 17 {
            return Err(CitizenIdError::Length { found: found + 1 });
        }
        MOD_11_2
            .check_characters(body)
            .map_err(|e| match e {
                CheckError::Character { position } => CitizenIdError::Character { position },
                _ => CitizenIdError::Length { found: found + 1 },
            })
            .map(|s| s.chars().next().unwrap_or('?'))
    }

    /// The number, for the places that must show or store it.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// Positions 1–6: the address code.
    pub fn address_code(&self) -> &str {
        self.number.get(..6).unwrap_or_default()
    }

    /// Positions 7–14: the birth date.
    pub fn birth_date(&self) -> FullDate {
        self.birth_date
    }

    /// Positions 15–17: the sequence code.
    pub fn sequence(&self) -> u16 {
        self.number
            .get(14..17)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// The sex the sequence code encodes (odd: male).
    pub fn sex(&self) -> Sex {
        if self.sequence() % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Position 18: the check character.
    pub fn check_character(&self) -> char {
        self.number
            .as_bytes()
            .get(17)
            .map_or('?', |&b| char::from(b))
    }
}

impl fmt::Debug for CitizenIdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CitizenIdNumber(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// GB 11643-1999 §8.2 as printed: weights and the table `10X98765432`.
    fn reference_check(body: &str) -> char {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        "10X98765432".chars().nth((sum % 11) as usize).unwrap()
    }

    /// The two examples printed in GB 11643-1999 (Appendix).
    #[test]
    fn standard_examples() {
        for (s, birth, sex) in [
            ("11010519491231002X", "1949-12-31", Sex::Female),
            ("440524188001010014", "1880-01-01", Sex::Male),
        ] {
            let id = CitizenIdNumber::parse(s).unwrap();
            assert_eq!(id.check_character(), reference_check(&s[..17]));
            assert_eq!(
                CitizenIdNumber::check_character_for(&s[..17]),
                Ok(id.check_character())
            );
            assert_eq!(id.birth_date().to_string(), birth);
            assert_eq!(id.sex(), sex);
            assert_eq!(id.as_str(), s);
        }
    }

    #[test]
    fn rejections_are_specific_and_carry_no_digits() {
        let cases = [
            ("11010519491231002", CitizenIdError::Length { found: 17 }),
            ("110105194912310021X", CitizenIdError::Length { found: 19 }),
            (
                "11010519491231002x",
                CitizenIdError::Character { position: 18 },
            ),
            (
                "1101051949123100X2",
                CitizenIdError::Character { position: 17 },
            ),
            ("11010519491301002X", CitizenIdError::BirthDate),
            ("11010519490229002X", CitizenIdError::BirthDate),
            ("110105194912310021", CitizenIdError::CheckCharacter),
        ];
        for (s, err) in cases {
            let got = CitizenIdNumber::parse(s).unwrap_err();
            assert_eq!(got, err, "{s}");
            let shown = format!("{got} {got:?}");
            assert!(!shown.contains("110105"), "{shown}");
        }
        // 29 February exists in leap years only.
        let body = "11010520000229002";
        let s = format!("{body}{}", reference_check(body));
        assert!(CitizenIdNumber::parse(&s).is_ok());
    }

    fn id_body() -> impl Strategy<Value = String> {
        ("[1-8][0-9]{5}", 1900u16..2030, 1u8..13, 1u8..29, "[0-9]{3}")
            .prop_map(|(addr, y, m, d, seq)| format!("{addr}{y:04}{m:02}{d:02}{seq}"))
    }

    proptest! {
        /// MOD 11-2 has a prime modulus and weights that are nonzero and differ between
        /// neighbours, so every single substitution and every adjacent transposition of the 18
        /// characters is caught (by the check, or by the date or the character rules).
        #[test]
        fn catches_every_substitution_and_transposition(body in id_body()) {
            let s = format!("{body}{}", reference_check(&body));
            let id = CitizenIdNumber::parse(&s);
            prop_assert!(id.is_ok());
            let chars: Vec<char> = s.chars().collect();
            for i in 0..18 {
                for b in "0123456789X".chars() {
                    if b != chars[i] {
                        let mut v = chars.clone();
                        v[i] = b;
                        let t: String = v.into_iter().collect();
                        prop_assert!(CitizenIdNumber::parse(&t).is_err());
                    }
                }
                if i < 17 && chars[i] != chars[i + 1] {
                    let mut v = chars.clone();
                    v.swap(i, i + 1);
                    let t: String = v.into_iter().collect();
                    prop_assert!(CitizenIdNumber::parse(&t).is_err());
                }
            }
        }
    }
}
