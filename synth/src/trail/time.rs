//! Timestamps: the `--since`/`--until` window, CloudTrail's `eventTime`
//! (`2026-11-01T10:00:00Z`) and the delivery time in a log file's name
//! (`..._20261101T1005Z_...`).
//!
//! Every instant is kept as its canonical UTC text `YYYY-MM-DDTHH:MM:SSZ`, which sorts like
//! the instant itself, so records are compared without parsing their times.

use std::time::{SystemTime, UNIX_EPOCH};

/// A time window; either end may be open. Both ends are inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Window {
    /// From the command line's `--since`/`--until`: `2026-11-01`, `2026-11-01T10:00:00Z`,
    /// `2026-11-01T10:00Z`, or a span back from now (`90d`, `12h`, `30m`). A date alone as
    /// `--until` means the end of that day.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Window, String> {
        let now = now_seconds();
        let since = since
            .map(|s| parse_instant(s, false, now).ok_or_else(|| bad("--since", s)))
            .transpose()?;
        let until = until
            .map(|s| parse_instant(s, true, now).ok_or_else(|| bad("--until", s)))
            .transpose()?;
        if let (Some(since), Some(until)) = (&since, &until)
            && since > until
        {
            return Err(format!("--since {since} is after --until {until}"));
        }
        Ok(Window { since, until })
    }

    /// Whether an event at `time` (canonical or CloudTrail text) falls in the window.
    pub fn contains(&self, time: &str) -> bool {
        self.since.as_deref().is_none_or(|s| time >= s)
            && self.until.as_deref().is_none_or(|u| time <= u)
    }

    /// Whether a log file delivered at `delivered` may hold events in the window. CloudTrail
    /// delivers a file within about 5 minutes of its events, and its events are never later
    /// than its delivery; an hour of slack keeps late deliveries.
    pub fn may_hold(&self, delivered: i64) -> bool {
        let before_since = self
            .since
            .as_deref()
            .and_then(seconds_of)
            .is_some_and(|s| delivered < s);
        let after_until = self
            .until
            .as_deref()
            .and_then(seconds_of)
            .is_some_and(|u| delivered > u + DELIVERY_SLACK);
        !before_since && !after_until
    }

    /// Whether a day's folder (`YYYY/MM/DD`) may hold files for the window; `month`/`day`
    /// absent means the whole year or month.
    pub fn may_hold_day(&self, year: i64, month: Option<u32>, day: Option<u32>) -> bool {
        let first = days_from_civil(year, month.unwrap_or(1), day.unwrap_or(1));
        let last = match (month, day) {
            (Some(_), Some(_)) => first,
            (Some(m), None) => days_from_civil(year, m, days_in_month(year, m)),
            _ => days_from_civil(year, 12, 31),
        };
        let since_day = self
            .since
            .as_deref()
            .and_then(seconds_of)
            .map(|s| s.div_euclid(DAY));
        let until_day = self
            .until
            .as_deref()
            .and_then(seconds_of)
            .map(|u| (u + DELIVERY_SLACK).div_euclid(DAY));
        since_day.is_none_or(|s| last >= s) && until_day.is_none_or(|u| first <= u)
    }
}

const DAY: i64 = 86_400;
const DELIVERY_SLACK: i64 = 3_600;

fn bad(flag: &str, value: &str) -> String {
    format!(
        "{flag} {value}: expected a date (2026-11-01), a UTC time (2026-11-01T10:00:00Z) or a span back from now (90d, 12h, 30m)"
    )
}

fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn parse_instant(text: &str, end_of_day: bool, now: i64) -> Option<String> {
    let text = text.trim();
    if let Some(seconds) = parse_span(text) {
        return Some(canonical(now - seconds));
    }
    if text.len() == 10 {
        let days = parse_date(text)?;
        let seconds = days * DAY + if end_of_day { DAY - 1 } else { 0 };
        return Some(canonical(seconds));
    }
    seconds_of(text).map(canonical)
}

/// `90d`, `12h`, `30m`.
fn parse_span(text: &str) -> Option<i64> {
    let unit = match text.chars().last()? {
        'd' => DAY,
        'h' => 3_600,
        'm' => 60,
        _ => return None,
    };
    let number: i64 = text[..text.len() - 1].parse().ok()?;
    (number >= 0).then_some(number.checked_mul(unit)?)
}

fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    valid_date(year, month, day).then(|| days_from_civil(year, month, day))
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM[:SS[.fff]]Z` (or with a space instead of
/// `T`, as CloudTrail Lake writes times; a missing `Z` is read as UTC).
pub fn seconds_of(text: &str) -> Option<i64> {
    let days = parse_date(text.get(0..10)?)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix(['T', ' '])?;
    let rest = rest.strip_suffix('Z').unwrap_or(rest);
    let rest = rest.split('.').next()?;
    let mut parts = rest.split(':');
    let hour: i64 = parts.next()?.parse().ok()?;
    let minute: i64 = parts.next()?.parse().ok()?;
    let second: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days * DAY + hour * 3_600 + minute * 60 + second)
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn canonical(seconds: i64) -> String {
    let days = seconds.div_euclid(DAY);
    let rest = seconds.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// The canonical text of any time this module reads; `None` for anything else.
pub fn normalize(text: &str) -> Option<String> {
    seconds_of(text).map(canonical)
}

/// The delivery time in a log file's name:
/// `123456789012_CloudTrail_us-east-1_20261101T1005Z_a1b2c3d4e5f6g7h8.json.gz`.
pub fn delivered_at(file_name: &str) -> Option<i64> {
    file_name.split('_').find_map(|part| {
        let bytes = part.as_bytes();
        if bytes.len() != 14 || bytes[8] != b'T' || bytes[13] != b'Z' {
            return None;
        }
        let year: i64 = part.get(0..4)?.parse().ok()?;
        let month: u32 = part.get(4..6)?.parse().ok()?;
        let day: u32 = part.get(6..8)?.parse().ok()?;
        let hour: i64 = part.get(9..11)?.parse().ok()?;
        let minute: i64 = part.get(11..13)?.parse().ok()?;
        (valid_date(year, month, day) && hour < 24 && minute < 60)
            .then(|| days_from_civil(year, month, day) * DAY + hour * 3_600 + minute * 60)
    })
}

fn valid_date(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) && year >= 1970
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_round_trip() {
        assert_eq!(
            normalize("2026-11-01T10:05:07Z").as_deref(),
            Some("2026-11-01T10:05:07Z")
        );
        assert_eq!(
            normalize("2024-02-29 23:59:00.000").as_deref(),
            Some("2024-02-29T23:59:00Z")
        );
        assert_eq!(
            normalize("1970-01-01T00:00Z").as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(normalize("2026-02-30T00:00:00Z"), None);
        assert_eq!(normalize("yesterday"), None);
    }

    #[test]
    fn a_date_until_means_the_end_of_that_day() {
        let window = Window::parse(Some("2026-11-01"), Some("2026-11-02")).ok();
        assert_eq!(
            window,
            Some(Window {
                since: Some("2026-11-01T00:00:00Z".into()),
                until: Some("2026-11-02T23:59:59Z".into()),
            })
        );
        assert!(Window::parse(Some("2026-11-03"), Some("2026-11-02")).is_err());
        assert!(Window::parse(Some("soon"), None).is_err());
    }

    #[test]
    fn delivery_time_comes_from_the_file_name() {
        let seconds = delivered_at(
            "123456789012_CloudTrail_us-east-1_20261101T1005Z_a1b2c3d4e5f6g7h8.json.gz",
        );
        assert_eq!(
            seconds.map(canonical).as_deref(),
            Some("2026-11-01T10:05:00Z")
        );
        assert_eq!(delivered_at("notes.json"), None);
    }

    #[test]
    fn files_and_days_outside_the_window_are_skipped() {
        let window = Window {
            since: Some("2026-11-02T00:00:00Z".into()),
            until: Some("2026-11-03T23:59:59Z".into()),
        };
        let at = |t: &str| seconds_of(t).unwrap_or_default();
        assert!(!window.may_hold(at("2026-11-01T23:55:00Z")));
        assert!(window.may_hold(at("2026-11-02T00:05:00Z")));
        assert!(
            window.may_hold(at("2026-11-04T00:30:00Z")),
            "late delivery kept"
        );
        assert!(!window.may_hold(at("2026-11-04T02:00:00Z")));
        assert!(!window.may_hold_day(2026, Some(11), Some(1)));
        assert!(window.may_hold_day(2026, Some(11), Some(2)));
        assert!(
            window.may_hold_day(2026, Some(11), Some(4)),
            "slack crosses midnight"
        );
        assert!(!window.may_hold_day(2026, Some(11), Some(5)));
        assert!(window.may_hold_day(2026, Some(11), None));
        assert!(!window.may_hold_day(2026, Some(10), None));
        assert!(!window.may_hold_day(2025, None, None));
        assert!(window.contains("2026-11-02T10:00:00Z"));
        assert!(!window.contains("2026-11-04T00:00:00Z"));
    }
}
