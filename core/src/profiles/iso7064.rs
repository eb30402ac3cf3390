//! ISO/IEC 7064 check character systems, written once and used by the identifiers.
//!
//! ISO/IEC 7064:2003 defines two families, both protecting a string of characters with one or
//! two check characters so that the whole string satisfies a congruence:
//!
//! * **Pure systems** `MOD M-r` (one modulus `M`, radix `r`): with the characters' values
//!   `a_n … a_1` counted from the right (the check character is `a_1`, or `a_2 a_1` when there
//!   are two), `Σ a_i · r^(i−1) ≡ 1 (mod M)`. Computed left to right as
//!   `P ← (P + a) · r mod M`, then the check value is `(1 − P) mod M`, written as one character
//!   of an `M`-letter alphabet ([`MOD_11_2`], [`MOD_37_2`]) or as two radix-`r` digits
//!   ([`MOD_97_10`], [`MOD_661_26`], [`MOD_1271_36`]). With a prime (or suitable) modulus
//!   they detect every single substitution and every adjacent transposition.
//! * **Hybrid systems** `MOD M+1,M`: starting from `P = M`, for each character
//!   `S ← (P + a) mod M` (where `0` counts as `M`), `P ← 2·S mod (M+1)`; the check
//!   character `c` makes `(P + c) mod M = 1`. [`MOD_11_10`], [`MOD_27_26`], [`MOD_37_36`].
//!   They detect every single substitution but only *most* adjacent transpositions: for some
//!   running states two neighbours differing by one (or by `M − 1`) swap undetected.
//!
//! GB 11643-1999 (citizen identity numbers) uses MOD 11-2; GB/T 36904-2018 (electronic
//! licence identifiers) uses MOD 37,36.
//!
//! ```
//! use zhengzhao::profiles::iso7064::{MOD_11_2, MOD_37_36, MOD_97_10};
//!
//! assert_eq!(MOD_11_2.check_characters("079")?, "X");
//! assert_eq!(MOD_97_10.check_characters("794")?, "44");
//! assert_eq!(MOD_37_36.check_characters("A12425GABC1234002")?, "M");
//! assert!(MOD_37_36.verify("A12425GABC1234002M").is_ok());
//! assert!(MOD_37_36.verify("A12425GABC1234020M").is_err()); // two digits swapped
//! # Ok::<(), zhengzhao::profiles::iso7064::CheckError>(())
//! ```

/// Why a check character could not be computed, or a string does not carry a valid one.
/// Positions count characters from 1 at the left; the characters themselves are never named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A character outside the system's alphabet.
    #[error("character {position} is outside the alphabet")]
    Character {
        /// Position of the character, from 1 at the left.
        position: usize,
    },
    /// No data characters before the check character(s).
    #[error("no data characters")]
    Empty,
    /// The check character(s) are not the ones the data requires.
    #[error("check character mismatch")]
    Mismatch,
}

/// The value of `c` in `alphabet`, if it is one of its (ASCII) characters.
fn value_of(alphabet: &[u8], c: char) -> Option<u32> {
    let b = u8::try_from(u32::from(c)).ok()?;
    alphabet
        .iter()
        .position(|&a| a == b)
        .and_then(|i| u32::try_from(i).ok())
}

/// The character of value `v` in `alphabet` (always in range for the systems defined here).
fn char_of(alphabet: &[u8], v: u32) -> char {
    usize::try_from(v)
        .ok()
        .and_then(|i| alphabet.get(i))
        .map_or('?', |&b| char::from(b))
}

/// A pure system `MOD M-r` (ISO/IEC 7064 §6–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PureSystem {
    name: &'static str,
    modulus: u32,
    radix: u32,
    check_len: usize,
    data_alphabet: &'static [u8],
    check_alphabet: &'static [u8],
}

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// ISO/IEC 7064 MOD 11-2: digits, one check character from `0-9X` (GB 11643 citizen IDs,
/// ISNI, ORCID).
pub const MOD_11_2: PureSystem = PureSystem {
    name: "MOD 11-2",
    modulus: 11,
    radix: 2,
    check_len: 1,
    data_alphabet: DIGITS,
    check_alphabet: b"0123456789X",
};

/// ISO/IEC 7064 MOD 37-2: digits and upper-case letters, one check character from
/// `0-9A-Z*`.
pub const MOD_37_2: PureSystem = PureSystem {
    name: "MOD 37-2",
    modulus: 37,
    radix: 2,
    check_len: 1,
    data_alphabet: ALNUM,
    check_alphabet: b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*",
};

/// ISO/IEC 7064 MOD 97-10: digits, two check digits.
pub const MOD_97_10: PureSystem = PureSystem {
    name: "MOD 97-10",
    modulus: 97,
    radix: 10,
    check_len: 2,
    data_alphabet: DIGITS,
    check_alphabet: DIGITS,
};

/// ISO/IEC 7064 MOD 661-26: upper-case letters, two check letters.
pub const MOD_661_26: PureSystem = PureSystem {
    name: "MOD 661-26",
    modulus: 661,
    radix: 26,
    check_len: 2,
    data_alphabet: LETTERS,
    check_alphabet: LETTERS,
};

/// ISO/IEC 7064 MOD 1271-36: digits and upper-case letters, two check characters.
pub const MOD_1271_36: PureSystem = PureSystem {
    name: "MOD 1271-36",
    modulus: 1271,
    radix: 36,
    check_len: 2,
    data_alphabet: ALNUM,
    check_alphabet: ALNUM,
};

impl PureSystem {
    /// The system's name, e.g. `"MOD 11-2"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How many check characters the system appends (1 or 2).
    pub fn check_len(&self) -> usize {
        self.check_len
    }

    /// The check character(s) for `data`.
    pub fn check_characters(&self, data: &str) -> Result<String, CheckError> {
        self.check_value(data).map(|v| self.render(v))
    }

    fn check_value(&self, data: &str) -> Result<u32, CheckError> {
        let mut p: u32 = 0;
        let mut any = false;
        for (i, c) in data.chars().enumerate() {
            let a =
                value_of(self.data_alphabet, c).ok_or(CheckError::Character { position: i + 1 })?;
            p = ((p + a) * self.radix) % self.modulus;
            any = true;
        }
        if !any {
            return Err(CheckError::Empty);
        }
        // Each further check character shifts the data one more place to the left.
        for _ in 1..self.check_len {
            p = (p * self.radix) % self.modulus;
        }
        Ok((self.modulus + 1 - p) % self.modulus)
    }

    fn render(&self, v: u32) -> String {
        if self.check_len == 1 {
            char_of(self.check_alphabet, v).to_string()
        } else {
            [v / self.radix, v % self.radix]
                .iter()
                .map(|&d| char_of(self.check_alphabet, d))
                .collect()
        }
    }

    /// Checks a string that ends with its check character(s).
    pub fn verify(&self, with_check: &str) -> Result<(), CheckError> {
        verify_split(with_check, self.check_len, |data| {
            self.check_characters(data)
        })
    }
}

/// A hybrid system `MOD M+1,M` (ISO/IEC 7064 §8–9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HybridSystem {
    name: &'static str,
    modulus: u32,
    alphabet: &'static [u8],
}

/// ISO/IEC 7064 MOD 11,10: digits, one check digit.
pub const MOD_11_10: HybridSystem = HybridSystem {
    name: "MOD 11,10",
    modulus: 10,
    alphabet: DIGITS,
};

/// ISO/IEC 7064 MOD 27,26: upper-case letters, one check letter.
pub const MOD_27_26: HybridSystem = HybridSystem {
    name: "MOD 27,26",
    modulus: 26,
    alphabet: LETTERS,
};

/// ISO/IEC 7064 MOD 37,36: digits and upper-case letters, one check character
/// (GB/T 36904 electronic licence identifiers).
pub const MOD_37_36: HybridSystem = HybridSystem {
    name: "MOD 37,36",
    modulus: 36,
    alphabet: ALNUM,
};

impl HybridSystem {
    /// The system's name, e.g. `"MOD 37,36"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The check character for `data`.
    pub fn check_character(&self, data: &str) -> Result<char, CheckError> {
        let m = self.modulus;
        let mut p = m;
        let mut any = false;
        for (i, c) in data.chars().enumerate() {
            let a = value_of(self.alphabet, c).ok_or(CheckError::Character { position: i + 1 })?;
            let s = match (p + a) % m {
                0 => m,
                s => s,
            };
            p = (s * 2) % (m + 1);
            any = true;
        }
        if !any {
            return Err(CheckError::Empty);
        }
        Ok(char_of(self.alphabet, (m + 1 - p) % m))
    }

    /// The check character for `data`, as a string (for symmetry with [`PureSystem`]).
    pub fn check_characters(&self, data: &str) -> Result<String, CheckError> {
        self.check_character(data).map(String::from)
    }

    /// Checks a string that ends with its check character.
    pub fn verify(&self, with_check: &str) -> Result<(), CheckError> {
        verify_split(with_check, 1, |data| self.check_characters(data))
    }
}

/// Splits off the last `check_len` characters, recomputes them from the rest and compares.
fn verify_split(
    with_check: &str,
    check_len: usize,
    compute: impl Fn(&str) -> Result<String, CheckError>,
) -> Result<(), CheckError> {
    let count = with_check.chars().count();
    if count <= check_len {
        return Err(CheckError::Empty);
    }
    let split = with_check
        .char_indices()
        .nth(count - check_len)
        .map_or(with_check.len(), |(i, _)| i);
    let (data, check) = with_check.split_at(split);
    if compute(data)? == check {
        Ok(())
    } else {
        Err(CheckError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Published examples: ISO/IEC 7064's own (`794` → `44`, `ISO79` → `3W`) and those in
    /// python-stdnum's `stdnum.iso7064` documentation.
    #[test]
    fn published_examples() {
        let pure: &[(PureSystem, &str, &str)] = &[
            (MOD_11_2, "0794", "0"),
            (MOD_11_2, "079", "X"),
            (MOD_37_2, "G123489654321", "Y"),
            (MOD_97_10, "794", "44"),
            (MOD_97_10, "99991234567890121414", "90"),
            (MOD_97_10, "4354111611551114", "31"),
            (MOD_97_10, "22181321402534321446701611", "35"),
            (MOD_1271_36, "ISO79", "3W"),
        ];
        for (system, data, check) in pure {
            assert_eq!(
                system.check_characters(data).unwrap(),
                *check,
                "{}",
                system.name()
            );
            assert_eq!(system.verify(&format!("{data}{check}")), Ok(()));
        }
        let hybrid: &[(HybridSystem, &str, char)] = &[
            (MOD_11_10, "79462", '3'),
            (MOD_11_10, "00200667308", '5'),
            (MOD_37_36, "A12425GABC1234002", 'M'),
        ];
        for (system, data, check) in hybrid {
            assert_eq!(
                system.check_character(data).unwrap(),
                *check,
                "{}",
                system.name()
            );
            assert_eq!(system.verify(&format!("{data}{check}")), Ok(()));
        }
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(
            MOD_11_2.check_characters("07a4"),
            Err(CheckError::Character { position: 3 })
        );
        assert_eq!(
            MOD_37_36.check_character("AB-1"),
            Err(CheckError::Character { position: 3 })
        );
        assert_eq!(MOD_37_36.check_character(""), Err(CheckError::Empty));
        assert_eq!(MOD_97_10.verify("44"), Err(CheckError::Empty));
        assert_eq!(MOD_11_2.verify("07941"), Err(CheckError::Mismatch));
        assert_eq!(
            MOD_37_36.verify("中M"),
            Err(CheckError::Character { position: 1 })
        );
    }

    /// The reference formula of a pure system with one check character, written out as the
    /// standard states it: `Σ a_i · r^(i−1) ≡ 1 (mod M)`, positions counted from the right.
    fn pure_reference_holds(system: &PureSystem, with_check: &str) -> bool {
        let chars: Vec<char> = with_check.chars().collect();
        let mut sum: u64 = 0;
        let mut weight: u64 = 1;
        for (i, c) in chars.iter().rev().enumerate() {
            let alphabet = if i < system.check_len {
                system.check_alphabet
            } else {
                system.data_alphabet
            };
            let Some(v) = value_of(alphabet, *c) else {
                return false;
            };
            // Two check characters are the digits of one value in radix r, which is what
            // the positional weights r^0 and r^1 make of them.
            let v = u64::from(v) * weight;
            sum += v;
            weight = weight * u64::from(system.radix) % u64::from(system.modulus);
        }
        sum % u64::from(system.modulus) == 1
    }

    fn alphabet_string(alphabet: &'static [u8], max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(alphabet.to_vec()), 1..max)
            .prop_map(|v| v.into_iter().map(char::from).collect())
    }

    const PURE: [PureSystem; 5] = [MOD_11_2, MOD_37_2, MOD_97_10, MOD_661_26, MOD_1271_36];
    const HYBRID: [HybridSystem; 3] = [MOD_11_10, MOD_27_26, MOD_37_36];

    /// Every string that differs from `valid` in exactly one character (taken from the alphabet
    /// of that position).
    fn substitutions(
        valid: &str,
        alphabet: &[u8],
        check_alphabet: &[u8],
        check_len: usize,
    ) -> Vec<String> {
        let chars: Vec<char> = valid.chars().collect();
        let mut out = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            let alpha = if i + check_len >= chars.len() {
                check_alphabet
            } else {
                alphabet
            };
            for &b in alpha {
                let b = char::from(b);
                if b != *c {
                    let mut v = chars.clone();
                    v[i] = b;
                    out.push(v.into_iter().collect());
                }
            }
        }
        out
    }

    fn transpositions(valid: &str) -> Vec<String> {
        let chars: Vec<char> = valid.chars().collect();
        (0..chars.len().saturating_sub(1))
            .filter(|&i| chars[i] != chars[i + 1])
            .map(|i| {
                let mut v = chars.clone();
                v.swap(i, i + 1);
                v.into_iter().collect()
            })
            .collect()
    }

    proptest! {
        #[test]
        fn pure_systems_match_the_reference_and_catch_single_errors(
            which in 0usize..5,
            seed in alphabet_string(ALNUM, 24),
        ) {
            let system = PURE[which];
            // Map the seed into the system's data alphabet.
            let data: String = seed
                .bytes()
                .map(|b| char::from(system.data_alphabet[usize::from(b) % system.data_alphabet.len()]))
                .collect();
            let full = format!("{data}{}", system.check_characters(&data).unwrap());
            prop_assert!(pure_reference_holds(&system, &full));
            prop_assert_eq!(system.verify(&full), Ok(()));
            for wrong in substitutions(&full, system.data_alphabet, system.check_alphabet, system.check_len) {
                prop_assert!(system.verify(&wrong).is_err(), "{} substitution undetected", system.name());
            }
            // Pure systems guarantee adjacent transpositions, check characters included.
            for wrong in transpositions(&full) {
                prop_assert!(system.verify(&wrong).is_err(), "{} transposition undetected", system.name());
            }
        }

        #[test]
        fn hybrid_systems_catch_every_substitution(
            which in 0usize..3,
            seed in alphabet_string(ALNUM, 24),
        ) {
            let system = HYBRID[which];
            let data: String = seed
                .bytes()
                .map(|b| char::from(system.alphabet[usize::from(b) % system.alphabet.len()]))
                .collect();
            let full = format!("{data}{}", system.check_character(&data).unwrap());
            prop_assert_eq!(system.verify(&full), Ok(()));
            for wrong in substitutions(&full, system.alphabet, system.alphabet, 1) {
                prop_assert!(system.verify(&wrong).is_err(), "{} substitution undetected", system.name());
            }
        }
    }

    /// Hybrid systems do not guarantee adjacent transpositions. Exhaustively over every running
    /// state and pair of neighbours: a swap goes undetected only for neighbours whose values
    /// differ by 1 or by M − 1, for exactly `2M` (state, pair) combinations inside the data
    /// plus two at the data/check boundary.
    #[test]
    fn hybrid_transpositions_undetected_only_for_neighbouring_values() {
        for system in HYBRID {
            let m = system.modulus;
            let step = |p: u32, a: u32| {
                let s = match (p + a) % m {
                    0 => m,
                    s => s,
                };
                (s * 2) % (m + 1)
            };
            let (mut inside, mut boundary) = (0, 0);
            for p in 1..=m {
                for a in 0..m {
                    for b in 0..m {
                        if a == b {
                            continue;
                        }
                        if step(step(p, a), b) == step(step(p, b), a) {
                            inside += 1;
                            let d = a.abs_diff(b);
                            assert!(d == 1 || d == m - 1, "{}", system.name());
                        }
                        if (step(p, a) + b) % m == 1 && (step(p, b) + a) % m == 1 {
                            boundary += 1;
                        }
                    }
                }
            }
            assert_eq!(inside, 2 * m, "{}", system.name());
            assert_eq!(boundary, 2, "{}", system.name());
        }
    }
}
