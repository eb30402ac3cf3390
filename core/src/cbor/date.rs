//! `full-date` (tag 1004, RFC 8943) and `tdate` (tag 0, RFC 3339).

use core::fmt;

use super::Value;
use crate::time::{days_in_month, TimeError, UnixTime};

/// Tag 0: standard date/time string (RFC 8949 §3.4.1).
const TAG_TDATE: u64 = 0;
/// Tag 1004: RFC 3339 full-date string (RFC 8943).
const TAG_FULL_DATE: u64 = 1004;

/// Why a value is not an acceptable `full-date` or `tdate`. Never carries the date itself,
/// which may be a birth date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The value is not tagged, or carries another tag than the one expected.
    #[error("expected a value tagged {expected_tag}")]
    NotTagged {
        /// The tag the date type requires: 1004 for `full-date`, 0 for `tdate`.
        expected_tag: u64,
    },
    /// The tag is right but its content is not a text string.
    #[error("date tag content is not a text string")]
    NotText,
    /// The text is not of the required form (`YYYY-MM-DD`, or an RFC 3339 date-time).
    #[error("date text is not of the required form")]
    Syntax,
    /// Well formed, but no real date or time (month 13, 29 February 2021, hour 24…).
    #[error("date out of range")]
    OutOfRange,
}

impl From<TimeError> for DateError {
    fn from(e: TimeError) -> Self {
        match e {
            TimeError::OutOfRange => DateError::OutOfRange,
            _ => DateError::Syntax,
        }
    }
}

/// `full-date = #6.1004(tstr)`: a calendar date `YYYY-MM-DD` with no time zone.
///
/// 18013-5 uses it for `birth_date`, `issue_date` and `expiry_date` (§7.2.1). Always a real
/// date with a year in 0..=9999.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FullDate {
    year: u16,
    month: u8,
    day: u8,
}

impl FullDate {
    /// The date `year`-`month`-`day`, if it exists (year 0..=9999).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if year > 9999
            || !(1..=12).contains(&month)
            || day == 0
            || u32::from(day) > days_in_month(i64::from(year), u32::from(month))
        {
            return Err(DateError::OutOfRange);
        }
        Ok(FullDate { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (ten characters, ASCII digits).
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(DateError::Syntax);
        }
        let num = |from: usize, to: usize| -> Result<u16, DateError> {
            let digits = b.get(from..to).ok_or(DateError::Syntax)?;
            digits.iter().try_fold(0u16, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u16::from(c - b'0'))
                } else {
                    Err(DateError::Syntax)
                }
            })
        };
        let year = num(0, 4)?;
        let month = u8::try_from(num(5, 7)?).map_err(|_| DateError::OutOfRange)?;
        let day = u8::try_from(num(8, 10)?).map_err(|_| DateError::OutOfRange)?;
        FullDate::new(year, month, day)
    }

    /// The year, 0..=9999.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// `#6.1004("YYYY-MM-DD")`.
    pub fn to_value(&self) -> Value {
        Value::Tag(TAG_FULL_DATE, Box::new(Value::Text(self.to_string())))
    }

    /// Reads `#6.1004(tstr)`; any other tag, or none, is rejected.
    pub fn from_value(value: &Value) -> Result<Self, DateError> {
        match value.as_tag() {
            Some((TAG_FULL_DATE, Value::Text(s))) => FullDate::parse(s),
            Some((TAG_FULL_DATE, _)) => Err(DateError::NotText),
            _ => Err(DateError::NotTagged {
                expected_tag: TAG_FULL_DATE,
            }),
        }
    }

    /// The instant this date begins in UTC.
    pub fn at_midnight_utc(&self) -> UnixTime {
        UnixTime::from_civil(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
            0,
            0,
            0,
        )
        // Unreachable: the fields were validated on construction with the same rules.
        .unwrap_or(UnixTime::from_secs(0))
    }
}

impl fmt::Display for FullDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl core::str::FromStr for FullDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FullDate::parse(s)
    }
}

/// `tdate = #6.0(tstr)`: an RFC 3339 date-time. 18013-5 requires UTC, no fractions.
///
/// Reading is tolerant: fractional seconds are truncated and numeric offsets converted to
/// UTC, because deployed issuers send them. [`TDate::is_strict`] tells whether the received
/// text was in the strict form; writing always produces it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TDate {
    time: UnixTime,
    strict: bool,
}

impl TDate {
    /// The `tdate` for `time` (whole seconds, written in the strict form).
    pub fn new(time: UnixTime) -> Self {
        TDate { time, strict: true }
    }

    /// The instant, in whole seconds.
    pub fn time(&self) -> UnixTime {
        self.time
    }

    /// Whether the text this was read from was exactly `YYYY-MM-DDThh:mm:ssZ` (no fraction,
    /// `Z`), as 18013-5 requires. Always true for a [`TDate::new`].
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// `#6.0("YYYY-MM-DDThh:mm:ssZ")`.
    pub fn to_value(&self) -> Value {
        Value::Tag(TAG_TDATE, Box::new(Value::Text(self.time.to_rfc3339())))
    }

    /// Reads `#6.0(tstr)` holding an RFC 3339 date-time; any other tag, or none, is rejected.
    pub fn from_value(value: &Value) -> Result<Self, DateError> {
        Self::from_node(value)
    }

    /// [`TDate::from_value`] on any decoded form.
    pub(crate) fn from_node<V: super::Node>(value: &V) -> Result<Self, DateError> {
        let text = match value.as_tag() {
            Some((TAG_TDATE, inner)) => match inner.as_text() {
                Some(s) => s,
                None => return Err(DateError::NotText),
            },
            _ => {
                return Err(DateError::NotTagged {
                    expected_tag: TAG_TDATE,
                })
            }
        };
        let time = UnixTime::parse_rfc3339(text)?;
        let b = text.as_bytes();
        let strict = b.len() == 20 && b.get(10) == Some(&b'T') && b.get(19) == Some(&b'Z');
        Ok(TDate { time, strict })
    }
}

/// Redacted: a full-date is often a birth date, which is personal data.
impl core::fmt::Debug for FullDate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FullDate(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{decode, encode};

    #[test]
    fn full_date_parse() {
        let valid = [
            ("2020-02-29", (2020, 2, 29)),
            ("2000-02-29", (2000, 2, 29)),
            ("2021-12-31", (2021, 12, 31)),
            ("0000-01-01", (0, 1, 1)),
            ("9999-12-31", (9999, 12, 31)),
        ];
        for (s, (y, m, d)) in valid {
            let date = FullDate::parse(s).unwrap();
            assert_eq!((date.year(), date.month(), date.day()), (y, m, d), "{s}");
            assert_eq!(date.to_string(), s);
            assert_eq!(FullDate::new(y, m, d), Ok(date));
            assert_eq!(s.parse::<FullDate>(), Ok(date));
        }
        let invalid = [
            ("2021-02-29", DateError::OutOfRange),
            ("1900-02-29", DateError::OutOfRange),
            ("2021-04-31", DateError::OutOfRange),
            ("2021-13-01", DateError::OutOfRange),
            ("2021-00-10", DateError::OutOfRange),
            ("2021-01-00", DateError::OutOfRange),
            ("2021-1-01", DateError::Syntax),
            ("2021-01-1", DateError::Syntax),
            ("2021/01/01", DateError::Syntax),
            ("2021-01-01T00:00:00Z", DateError::Syntax),
            ("+021-01-01", DateError::Syntax),
            ("2021-0a-01", DateError::Syntax),
            ("２０21-01-01", DateError::Syntax),
            ("", DateError::Syntax),
        ];
        for (s, err) in invalid {
            assert_eq!(FullDate::parse(s), Err(err), "{s}");
        }
        assert_eq!(FullDate::new(10_000, 1, 1), Err(DateError::OutOfRange));
    }

    #[test]
    fn full_date_as_cbor() {
        let date = FullDate::new(2020, 2, 29).unwrap();
        let bytes = encode(&date.to_value());
        assert_eq!(bytes, hex::decode("d903ec6a323032302d30322d3239").unwrap());
        assert_eq!(FullDate::from_value(&decode(&bytes).unwrap()), Ok(date));
        assert_eq!(
            date.at_midnight_utc(),
            UnixTime::parse_rfc3339("2020-02-29T00:00:00Z").unwrap()
        );

        let text = || Box::new(Value::text("2020-02-29"));
        let cases = [
            (
                Value::text("2020-02-29"),
                DateError::NotTagged { expected_tag: 1004 },
            ),
            (
                Value::Tag(0, text()),
                DateError::NotTagged { expected_tag: 1004 },
            ),
            (
                Value::Tag(1004, Box::new(Value::int(18_321))),
                DateError::NotText,
            ),
            (
                Value::Tag(1004, Box::new(Value::text("2021-02-29"))),
                DateError::OutOfRange,
            ),
            (
                Value::Tag(1004, Box::new(Value::text("20200229"))),
                DateError::Syntax,
            ),
        ];
        for (value, err) in cases {
            assert_eq!(FullDate::from_value(&value), Err(err), "{value:?}");
        }
    }

    #[test]
    fn tdate_from_value() {
        let tag0 = |s: &str| Value::Tag(0, Box::new(Value::text(s)));
        let secs = 1_740_008_218; // 2025-02-19T23:36:58Z
        let cases = [
            ("2025-02-19T23:36:58Z", secs, true),
            ("2025-02-19T23:36:58.210399Z", secs, false),
            ("2025-02-20T07:36:58+08:00", secs, false),
            ("2025-02-19T23:36:58+00:00", secs, false),
            ("2025-02-19t23:36:58z", secs, false),
        ];
        for (s, secs, strict) in cases {
            let t = TDate::from_value(&tag0(s)).unwrap();
            assert_eq!(t.time(), UnixTime::from_secs(secs), "{s}");
            assert_eq!(t.is_strict(), strict, "{s}");
            assert_eq!(t.to_value(), tag0("2025-02-19T23:36:58Z"), "{s}");
        }
        let errors = [
            (
                Value::text("2025-02-19T23:36:58Z"),
                DateError::NotTagged { expected_tag: 0 },
            ),
            (
                Value::Tag(1, Box::new(Value::text("2025-02-19T23:36:58Z"))),
                DateError::NotTagged { expected_tag: 0 },
            ),
            (
                Value::Tag(1004, Box::new(Value::text("2025-02-19"))),
                DateError::NotTagged { expected_tag: 0 },
            ),
            (
                Value::Tag(0, Box::new(Value::int(secs))),
                DateError::NotText,
            ),
            (tag0("2025-02-19"), DateError::Syntax),
            (tag0("2025-02-19 23:36:58Z"), DateError::Syntax),
            (tag0("2025-02-19T23:36:58"), DateError::Syntax),
            (tag0("2025-02-30T23:36:58Z"), DateError::OutOfRange),
            (tag0("2025-02-19T24:00:00Z"), DateError::OutOfRange),
        ];
        for (value, err) in errors {
            assert_eq!(TDate::from_value(&value), Err(err), "{value:?}");
        }
    }

    #[test]
    fn tdate_round_trip() {
        let t = TDate::new(UnixTime::from_secs(1_601_559_002));
        assert!(t.is_strict());
        let bytes = encode(&t.to_value());
        assert_eq!(
            bytes,
            hex::decode("c074323032302d31302d30315431333a33303a30325a").unwrap()
        );
        assert_eq!(TDate::from_value(&decode(&bytes).unwrap()), Ok(t));
    }
}
