//! Case time stamps: RFC 3339 in, Beijing time (UTC+8) out, seconds since the epoch inside.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Beijing time, the offset every answer is written in.
const BEIJING: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Parses a time stamp as the API accepts it: RFC 3339 (`2026-03-01T09:30:00+08:00`, `…Z`), a
/// date-time without offset (`2026-03-01T09:30:00` or with a space; Beijing time), or a date
/// (`2026-03-01`, its midnight in Beijing). Seconds since the Unix epoch.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let bad = || format!("`{s}` is not a time: use RFC 3339 (2026-03-01T09:30:00+08:00) or a date (2026-03-01)");
    let (date, clock) = match s.split_once(['T', ' ']) {
        Some((d, c)) => (d, Some(c)),
        None => (s, None),
    };
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let month = u8::try_from(m).ok().and_then(|m| Month::try_from(m).ok()).ok_or_else(bad)?;
    let date = Date::from_calendar_date(y, month, u8::try_from(d).map_err(|_| bad())?).map_err(|_| bad())?;
    let time = match clock {
        None => Time::MIDNIGHT,
        Some(c) => {
            let mut f = c.splitn(3, ':').map(|p| p.parse::<u8>().ok());
            let h = f.next().flatten().ok_or_else(bad)?;
            let mi = f.next().flatten().ok_or_else(bad)?;
            let sec = f.next().map_or(Some(0), |x| x).ok_or_else(bad)?;
            Time::from_hms(h, mi, sec).map_err(|_| bad())?
        }
    };
    Ok(PrimitiveDateTime::new(date, time).assume_offset(BEIJING).unix_timestamp())
}

/// Seconds since the epoch as RFC 3339 in Beijing time (`2026-03-01T09:30:00+08:00`).
pub fn format_time(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| t.to_offset(BEIJING))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// Now, seconds since the epoch.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_form_is_the_same_instant() {
        let t = parse_time("2026-03-01T09:30:00+08:00").expect("rfc3339");
        assert_eq!(parse_time("2026-03-01T01:30:00Z"), Ok(t));
        assert_eq!(parse_time("2026-03-01T09:30:00"), Ok(t));
        assert_eq!(parse_time("2026-03-01 09:30"), Ok(t));
        assert_eq!(parse_time("2026-03-01"), Ok(t - 9 * 3600 - 1800));
        assert_eq!(format_time(t), "2026-03-01T09:30:00+08:00");
    }

    #[test]
    fn nonsense_is_refused() {
        for s in ["", "yesterday", "2026-13-01", "2026-02-30", "2026-03-01T25:00", "2026-03"] {
            assert!(parse_time(s).is_err(), "{s}");
        }
    }
}
