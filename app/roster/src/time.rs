//! Civil dates and Unix times, for people and for RFC 3339. One copy of the calendar arithmetic
//! (Howard Hinnant's `days_from_civil` and `civil_from_days`), used by start dates, the pages'
//! times and SCIM's `meta.lastModified`. Pure: the caller supplies the time.

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = year - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The date and time of a Unix time, in UTC: (year, month, day, hour, minute, second).
fn parts(unix: i64) -> (i64, u32, u32, i64, i64, i64) {
    let (days, seconds) = (unix.div_euclid(DAY), unix.rem_euclid(DAY));
    let (year, month, day) = civil_from_days(days);
    (year, month, day, seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

/// A Unix time as people read it, e.g. "2026-11-21 13:05 UTC".
pub fn utc_time(unix: i64) -> String {
    let (year, month, day, hour, minute, _) = parts(unix);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// A Unix time in RFC 3339, e.g. "2026-11-22T09:30:00Z".
pub fn rfc3339(unix: i64) -> String {
    let (year, month, day, hour, minute, second) = parts(unix);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// Reads an RFC 3339 date-time (`2026-11-22T09:30:00Z`, fractions and offsets allowed) as a Unix
/// time; `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    let mut fields = date.split('-');
    let year: i64 = number(fields.next()?, 4)?;
    let month: u32 = number(fields.next()?, 2)?;
    let day: u32 = number(fields.next()?, 2)?;
    if fields.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if rest.is_empty() {
        return Some(days * DAY);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => rest.split_at(at),
        None => return None,
    };
    let clock = clock.split('.').next()?;
    let mut fields = clock.split(':');
    let hour: i64 = number(fields.next()?, 2)?;
    let minute: i64 = number(fields.next()?, 2)?;
    let second: i64 = fields.next().map_or(Some(0), |s| number(s, 2))?;
    if fields.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = match zone {
        "Z" | "z" => 0,
        zone => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone.get(1..)?.split_once(':')?;
            sign * (number::<i64>(h, 2)? * 3600 + number::<i64>(m, 2)? * 60)
        }
    };
    Some(days * DAY + hour * 3600 + minute * 60 + second - offset)
}

fn number<T: std::str::FromStr>(text: &str, digits: usize) -> Option<T> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_convert_both_ways() {
        for (days, date) in [(0, (1970, 1, 1)), (11_016, (2000, 2, 29)), (20_778, (2026, 11, 21)), (-1, (1969, 12, 31))]
        {
            assert_eq!(civil_from_days(days), date);
            assert_eq!(days_from_civil(date.0, date.1, date.2), days);
        }
    }

    #[test]
    fn times_read_as_utc_for_people_and_rfc3339_for_machines() {
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_time(1_795_219_200 + 13 * 3600 + 5 * 60), "2026-11-21 13:05 UTC");
        assert_eq!(rfc3339(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn rfc3339_reads_back_with_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("2000-02-29T01:01:01Z"), Some(951_782_400 + 3_661));
        assert_eq!(parse_rfc3339("2000-02-29T02:01:01.250+01:00"), Some(951_782_400 + 3_661));
        assert_eq!(parse_rfc3339("2000-02-29"), Some(951_782_400));
        for bad in ["", "yesterday", "2000-13-01T00:00:00Z", "2000-02-29T25:00:00Z", "2000-02-29T01:01:01"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
