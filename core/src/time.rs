//! Instants in UTC: the verification clock, `tdate` and certificate validity.
//!
//! [`UnixTime`] is whole seconds since 1970-01-01T00:00:00Z. Sub-second precision is kept only
//! as far as comparisons need it: 18013-5 `tdate` has no fractions, and where a producer sends
//! them anyway (see `tests/vectors/animo-google-dcapi`) they are truncated towards the past.

use core::fmt;

/// Seconds since the Unix epoch, UTC. Ordered; the unit of every validity check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct UnixTime(i64);

/// An RFC 3339 date-time that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Not of the form `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`.
    #[error("not an RFC 3339 date-time")]
    Syntax,
    /// Well formed, but names no real instant (month 13, 30 February, hour 24…).
    #[error("date-time out of range")]
    OutOfRange,
}

impl UnixTime {
    /// The instant `secs` seconds after the epoch (negative: before it).
    pub const fn from_secs(secs: i64) -> Self {
        UnixTime(secs)
    }

    /// Seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// The system clock now. Servers and tests usually pass an explicit time instead.
    pub fn now() -> Self {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => UnixTime(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(e) => UnixTime(-i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX)),
        }
    }

    /// This instant moved by `secs` seconds (saturating).
    pub const fn add_secs(self, secs: i64) -> Self {
        UnixTime(self.0.saturating_add(secs))
    }

    /// The UTC calendar date and time of day: `(year, month, day, hour, minute, second)`.
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let rem = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // rem is in 0..86400, so the narrowing casts below cannot truncate.
        let rem = rem as u32;
        (y, m, d, rem / 3600, (rem / 60) % 60, rem % 60)
    }

    /// The instant of a UTC calendar date and time, if it is a real one.
    pub fn from_civil(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Result<Self, TimeError> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
            || !(0..=9999).contains(&year)
        {
            return Err(TimeError::OutOfRange);
        }
        let days = days_from_civil(year, month, day);
        Ok(UnixTime(
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second),
        ))
    }

    /// Parses an RFC 3339 date-time (`2021-01-01T00:00:00Z`, `…+08:00`, fractions truncated).
    pub fn parse_rfc3339(s: &str) -> Result<Self, TimeError> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return Err(TimeError::Syntax);
        }
        let num = |from: usize, len: usize| -> Result<u32, TimeError> {
            let part = b.get(from..from + len).ok_or(TimeError::Syntax)?;
            let mut v = 0u32;
            for &c in part {
                if !c.is_ascii_digit() {
                    return Err(TimeError::Syntax);
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Ok(v)
        };
        let sep = |at: usize, allowed: &[u8]| -> Result<(), TimeError> {
            match b.get(at) {
                Some(c) if allowed.contains(c) => Ok(()),
                _ => Err(TimeError::Syntax),
            }
        };
        let year = num(0, 4)?;
        sep(4, b"-")?;
        let month = num(5, 2)?;
        sep(7, b"-")?;
        let day = num(8, 2)?;
        sep(10, b"Tt")?;
        let hour = num(11, 2)?;
        sep(13, b":")?;
        let minute = num(14, 2)?;
        sep(16, b":")?;
        let second = num(17, 2)?;
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err(TimeError::Syntax);
            }
        }
        let offset_secs: i64 = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() => {
                let oh = num(i + 1, 2)?;
                sep(i + 3, b":")?;
                let om = num(i + 4, 2)?;
                if oh > 23 || om > 59 {
                    return Err(TimeError::OutOfRange);
                }
                let off = i64::from(oh) * 3600 + i64::from(om) * 60;
                if *sign == b'+' {
                    off
                } else {
                    -off
                }
            }
            _ => return Err(TimeError::Syntax),
        };
        let local = UnixTime::from_civil(i64::from(year), month, day, hour, minute, second)?;
        Ok(UnixTime(local.0 - offset_secs))
    }

    /// Formats as `YYYY-MM-DDThh:mm:ssZ`, the form 18013-5 requires for `tdate`.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.to_civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

impl std::str::FromStr for UnixTime {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnixTime::parse_rfc3339(s)
    }
}

/// Whether `year` is a Gregorian leap year.
pub(crate) fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1..=12) of `year`; 0 for a month out of range.
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's civil-from-days algorithms (public domain arithmetic).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_rfc3339() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2021-01-01T00:00:00Z", 1_609_459_200),
            ("2020-10-01T13:30:02Z", 1_601_559_002),
            ("2025-02-19T23:36:58.210399Z", 1_740_008_218),
            ("2021-01-01T08:00:00+08:00", 1_609_459_200),
            ("2000-02-29T12:00:00Z", 951_825_600),
        ];
        for (s, secs) in cases {
            let t = UnixTime::parse_rfc3339(s).unwrap();
            assert_eq!(t.secs(), secs, "{s}");
        }
        assert_eq!(
            UnixTime::from_secs(1_601_559_002).to_string(),
            "2020-10-01T13:30:02Z"
        );
    }

    #[test]
    fn rejects_bad_date_times() {
        for s in [
            "",
            "2021-01-01",
            "2021-01-01 00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2021-01-01T24:00:00Z",
            "2021-01-01T00:00:00",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:00:00+8:00",
            "２０21-01-01T00:00:00Z",
        ] {
            assert!(UnixTime::parse_rfc3339(s).is_err(), "{s}");
        }
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        let mut t = -2_208_988_800i64; // 1900-01-01
        while t < 7_258_118_400 {
            // 2200-01-01
            let u = UnixTime::from_secs(t);
            let (y, mo, d, h, mi, s) = u.to_civil();
            assert_eq!(UnixTime::from_civil(y, mo, d, h, mi, s).unwrap(), u);
            t += 86_400 * 37 + 3_601;
        }
    }
}
