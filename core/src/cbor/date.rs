//! `full-date` (tag 1004, RFC 8943) and `tdate` (tag 0, RFC 3339).

use crate::time::UnixTime;

/// `full-date = #6.1004(tstr)`: a calendar date `YYYY-MM-DD` with no time zone.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct FullDate {
    year: u16,
    month: u8,
    day: u8,
}

/// `tdate = #6.0(tstr)`: an RFC 3339 date-time. 18013-5 requires UTC, no fractions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TDate {
    time: UnixTime,
}
