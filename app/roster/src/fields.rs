//! One type per constrained profile field. Each has a single constructor that checks the rule;
//! everything after holds a value that is known to be valid.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::{Code, Column, Problem};

/// Longest accepted names and short texts, in characters.
pub const MAX_NAME: usize = 100;
pub const MAX_SHORT_TEXT: usize = 100;
pub const MAX_EMPLOYEE_ID: usize = 64;
pub const MAX_EMAIL: usize = 254;
pub const MAX_BIO: usize = 2_000;
pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 128;

/// Trims a cell and checks length and control characters. `multiline` allows line breaks (the bio).
fn text(column: Column, raw: &str, max: usize, multiline: bool) -> Result<CompactString, Problem> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(CompactString::default());
    }
    let length = if value.is_ascii() { value.len() } else { value.chars().count() };
    if length > max {
        return Err(Problem::new(
            column,
            Code::TooLong,
            format!("{column} is {length} characters long; shorten it to at most {max}."),
        ));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    let has_control = if value.is_ascii() {
        value.bytes().any(|b| (b < 0x20 || b == 0x7F) && !allowed(b as char))
    } else {
        value.chars().any(|c| c.is_control() && !allowed(c))
    };
    if has_control {
        let what =
            if multiline { "invisible control characters" } else { "a line break, tab or other invisible character" };
        return Err(Problem::new(
            column,
            Code::ControlCharacter,
            format!("{column} contains {what}; retype it as plain text on one line."),
        ));
    }
    Ok(CompactString::from(value))
}

fn required(column: Column, value: CompactString, hint: &str) -> Result<CompactString, Problem> {
    if value.is_empty() {
        Err(Problem::new(column, Code::Required, format!("{column} is required; {hint}.")))
    } else {
        Ok(value)
    }
}

/// A first or last name: required, at most [`MAX_NAME`] characters, one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(CompactString);

impl PersonName {
    pub fn parse(column: Column, raw: &str) -> Result<Self, Problem> {
        let value = text(column, raw, MAX_NAME, false)?;
        required(column, value, "enter the person's name as it should be displayed").map(PersonName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional one-line text (Home Town, State or Country); blank is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortText(CompactString);

impl ShortText {
    pub fn parse(column: Column, raw: &str) -> Result<Option<Self>, Problem> {
        let value = text(column, raw, MAX_SHORT_TEXT, false)?;
        Ok((!value.is_empty()).then_some(ShortText(value)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The profile bio: optional, line breaks allowed, at most [`MAX_BIO`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bio(CompactString);

impl Bio {
    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let value = text(Column::Profile, raw, MAX_BIO, true)?;
        Ok((!value.is_empty()).then_some(Bio(value)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A y/n cell. Accepts y, yes, n, no in any case (what people type); blank is "required".
pub fn yes_no(column: Column, raw: &str) -> Result<bool, Problem> {
    let value = raw.trim();
    let is = |word: &str| value.eq_ignore_ascii_case(word);
    if is("y") || is("yes") {
        Ok(true)
    } else if is("n") || is("no") {
        Ok(false)
    } else if value.is_empty() {
        Err(Problem::new(column, Code::Required, format!("{column} is required; enter y or n.")))
    } else {
        Err(Problem::new(column, Code::InvalidYesNo, format!("{column} must be y or n, not \"{}\".", shorten(value))))
    }
}

/// The y/n text of a flag, as the spreadsheet writes it.
pub fn yes_no_text(value: bool) -> &'static str {
    if value { "y" } else { "n" }
}

/// An email address: one `@`, a plausible local part and a domain with a dot. Case is kept for
/// display; uniqueness uses [`EmailAddress::key`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(CompactString);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let column = Column::EmailAddress;
        let value = text(column, raw, MAX_EMAIL, false)?;
        if value.is_empty() {
            return Ok(None);
        }
        let invalid = || {
            Problem::new(
                column,
                Code::InvalidEmail,
                format!("\"{}\" is not a valid email address; use the form name@example.com.", shorten(&value)),
            )
        };
        let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| {
                !c.is_whitespace() && !matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '\\' | ',' | ';' | ':' | '"')
            });
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok { Ok(Some(EmailAddress(value))) } else { Err(invalid()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive identity of the address, used for uniqueness and look-ups.
    pub fn key(&self) -> String {
        email_key(&self.0).into_owned()
    }
}

/// The case-insensitive key of an email address (or of a team-leader reference), copied only
/// when it has capitals.
pub fn email_key(text: &str) -> std::borrow::Cow<'_, str> {
    let has_capitals = if text.is_ascii() {
        text.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        text.chars().any(char::is_uppercase)
    };
    if has_capitals { std::borrow::Cow::Owned(text.to_lowercase()) } else { std::borrow::Cow::Borrowed(text) }
}

/// An employee ID: text, leading zeros kept, compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeId(CompactString);

impl EmployeeId {
    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let value = text(Column::EmployeeId, raw, MAX_EMPLOYEE_ID, false)?;
        Ok((!value.is_empty()).then_some(EmployeeId(value)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Full Time, Part Time or Temp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmploymentStatus {
    FullTime,
    PartTime,
    Temp,
}

impl EmploymentStatus {
    pub const ALL: [EmploymentStatus; 3] =
        [EmploymentStatus::FullTime, EmploymentStatus::PartTime, EmploymentStatus::Temp];

    pub fn parse(raw: &str) -> Result<Option<Self>, Problem> {
        let trimmed = raw.trim();
        // The exact spellings first, without allocating; then any case, spacing or hyphen.
        let exact = EmploymentStatus::ALL.into_iter().find(|s| s.as_str() == trimmed);
        if trimmed.is_empty() || exact.is_some() {
            return Ok(exact);
        }
        let normalised: String =
            trimmed.to_lowercase().replace('-', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        match normalised.as_str() {
            "full time" => Ok(Some(EmploymentStatus::FullTime)),
            "part time" => Ok(Some(EmploymentStatus::PartTime)),
            "temp" => Ok(Some(EmploymentStatus::Temp)),
            _ => Err(Problem::new(
                Column::EmploymentStatus,
                Code::InvalidEmploymentStatus,
                format!(
                    "Employment Status must be Full Time, Part Time or Temp, not \"{}\"; or leave it blank.",
                    shorten(raw.trim())
                ),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentStatus::FullTime => "Full Time",
            EmploymentStatus::PartTime => "Part Time",
            EmploymentStatus::Temp => "Temp",
        }
    }
}

/// How an organisation writes dates besides ISO `YYYY-MM-DD`, which is always accepted. Never guessed:
/// 03/04/2025 is ambiguous, so only the organisation's explicit setting decides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFormat {
    /// Only `YYYY-MM-DD`.
    #[default]
    IsoOnly,
    /// `DD/MM/YYYY` as well.
    DayMonthYear,
    /// `MM/DD/YYYY` as well.
    MonthDayYear,
}

impl DateFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::IsoOnly => "iso",
            DateFormat::DayMonthYear => "dmy",
            DateFormat::MonthDayYear => "mdy",
        }
    }
    pub fn from_setting(value: &str) -> Self {
        match value {
            "dmy" => DateFormat::DayMonthYear,
            "mdy" => DateFormat::MonthDayYear,
            _ => DateFormat::IsoOnly,
        }
    }
    fn example(self) -> &'static str {
        match self {
            DateFormat::IsoOnly => "2025-03-31",
            DateFormat::DayMonthYear => "2025-03-31 or 31/03/2025",
            DateFormat::MonthDayYear => "2025-03-31 or 03/31/2025",
        }
    }
}

/// A calendar date, stored and written as ISO `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StartDate {
    year: u16,
    month: u8,
    day: u8,
}

impl StartDate {
    pub fn parse(raw: &str, format: DateFormat) -> Result<Option<Self>, Problem> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        // Three numbers split by one separator, without allocating.
        let three = |separator: char| -> Option<[(u32, usize); 3]> {
            let mut parts = value.split(separator);
            let mut read = || {
                let part = parts.next()?;
                let ok = !part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit());
                ok.then(|| part.parse().ok().map(|n| (n, part.len()))).flatten()
            };
            let numbers = [read()?, read()?, read()?];
            parts.next().is_none().then_some(numbers)
        };
        let parsed = if let Some([(y, 4), (m, _), (d, _)]) = three('-') {
            Some((y, m, d))
        } else if let Some([(a, _), (b, _), (y, 4)]) = three('/') {
            match format {
                DateFormat::DayMonthYear => Some((y, b, a)),
                DateFormat::MonthDayYear => Some((y, a, b)),
                DateFormat::IsoOnly => None,
            }
        } else {
            None
        };
        match parsed.and_then(|(y, m, d)| StartDate::from_parts(y, m, d)) {
            Some(date) => Ok(Some(date)),
            None => Err(Problem::new(
                Column::StartDate,
                Code::InvalidDate,
                format!(
                    "\"{}\" is not a date this organisation accepts; write it as {}.",
                    shorten(value),
                    format.example()
                ),
            )),
        }
    }

    fn from_parts(year: u32, month: u32, day: u32) -> Option<Self> {
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1900..=2200).contains(&year) && (1..=days).contains(&day)).then_some(StartDate {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01.
    pub fn days(&self) -> i64 {
        crate::time::days_from_civil(i64::from(self.year), u32::from(self.month), u32::from(self.day))
    }

    /// The Unix time at which this day starts, in UTC.
    pub fn unix_day_start(&self) -> i64 {
        crate::time::days_from_civil(i64::from(self.year), u32::from(self.month), u32::from(self.day))
            * crate::time::DAY
    }
}

/// `{Group A},{Group B}`: group names in braces, separated by commas. Names are matched exactly
/// against the organisation's groups elsewhere; here only the shape is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupList(Vec<CompactString>);

impl GroupList {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let invalid = |detail: &str| {
            Problem::new(
                Column::GroupAssignments,
                Code::InvalidGroupList,
                format!(
                    "Group Assignments {detail}; write each group in braces, separated by commas, like {{Group A}},{{Group B}}."
                ),
            )
        };
        let mut rest = raw.trim();
        let mut names: Vec<CompactString> = Vec::new();
        while !rest.is_empty() {
            let Some(after_open) = rest.strip_prefix('{') else {
                return Err(invalid("has text outside braces"));
            };
            let Some(close) = after_open.find('}') else {
                return Err(invalid("has a brace that is never closed"));
            };
            let name = after_open[..close].trim();
            if name.is_empty() {
                return Err(invalid("has an empty pair of braces"));
            }
            if name.contains('{') {
                return Err(invalid("has a brace inside a group name"));
            }
            if !names.iter().any(|n| n == name) {
                names.push(CompactString::from(name));
            }
            rest = after_open[close + 1..].trim_start();
            if let Some(after_comma) = rest.strip_prefix(',') {
                rest = after_comma.trim_start();
                if rest.is_empty() {
                    return Err(invalid("ends with a comma"));
                }
            } else if !rest.is_empty() {
                return Err(invalid("is missing a comma between groups"));
            }
        }
        Ok(GroupList(names))
    }

    pub fn names(&self) -> &[CompactString] {
        &self.0
    }

    /// Builds a list from names already known to be valid (e.g. read from storage).
    pub fn from_names(names: Vec<String>) -> Self {
        GroupList(names.into_iter().map(CompactString::from).collect())
    }

    /// The spreadsheet form: `{A},{B}`.
    pub fn to_cell(&self) -> String {
        self.0.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(",")
    }
}

/// A password that meets the policy: [`MIN_PASSWORD`] to [`MAX_PASSWORD`] characters. Length is what
/// makes a password strong; composition rules only make people write them down (NIST SP 800-63B).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Password(String);

impl Password {
    pub fn parse(column: Column, raw: &str) -> Result<Self, Problem> {
        let length = raw.chars().count();
        if length < MIN_PASSWORD {
            return Err(Problem::new(
                column,
                Code::PasswordTooShort,
                format!(
                    "{column} must be at least {MIN_PASSWORD} characters long; a short phrase of a few words works well."
                ),
            ));
        }
        if length > MAX_PASSWORD {
            return Err(Problem::new(
                column,
                Code::PasswordTooLong,
                format!("{column} must be at most {MAX_PASSWORD} characters long."),
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    /// Optional in the spreadsheet: blank means none.
    pub fn parse_optional(column: Column, raw: &str) -> Result<Option<Self>, Problem> {
        if raw.is_empty() { Ok(None) } else { Password::parse(column, raw).map(Some) }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// For [`crate::welcome::choose_password`], which has checked the policy itself.
    pub(crate) fn trusted(raw: &str) -> Password {
        Password(raw.to_owned())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(****)")
    }
}

/// Cuts a long value for quoting it in a message.
pub(crate) fn shorten(value: &str) -> String {
    const LIMIT: usize = 40;
    if value.chars().count() <= LIMIT {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_required_trimmed_and_limited() {
        assert_eq!(PersonName::parse(Column::FirstName, "  Ada ").unwrap().as_str(), "Ada");
        let blank = PersonName::parse(Column::FirstName, "  ").unwrap_err();
        assert_eq!(blank.code, Code::Required);
        assert_eq!(blank.message, "First Name is required; enter the person's name as it should be displayed.");
        let long = PersonName::parse(Column::LastName, &"x".repeat(101)).unwrap_err();
        assert_eq!(long.code, Code::TooLong);
        assert_eq!(long.message, "Last Name is 101 characters long; shorten it to at most 100.");
        assert_eq!(PersonName::parse(Column::LastName, "a\tb").unwrap_err().code, Code::ControlCharacter);
    }

    #[test]
    fn yes_no_accepts_y_yes_n_no_in_any_case() {
        for yes in ["y", "Y", "yes", " YES "] {
            assert!(yes_no(Column::PhoneChannel, yes).unwrap());
        }
        for no in ["n", "N", "no", "No"] {
            assert!(!yes_no(Column::PhoneChannel, no).unwrap());
        }
        let wrong = yes_no(Column::ChatChannel, "maybe").unwrap_err();
        assert_eq!(wrong.code, Code::InvalidYesNo);
        assert_eq!(wrong.message, "Chat Channel must be y or n, not \"maybe\".");
        assert_eq!(yes_no(Column::ChatChannel, "").unwrap_err().code, Code::Required);
    }

    #[test]
    fn email_addresses_are_checked_and_keyed_case_insensitively() {
        let email = EmailAddress::parse(" Ada.Lovelace@Example.COM ").unwrap().unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace@Example.COM");
        assert_eq!(email.key(), "ada.lovelace@example.com");
        assert_eq!(EmailAddress::parse("").unwrap(), None);
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada lovelace@example.com",
            "a..b@example.com",
            "ada@-example.com",
        ] {
            let problem = EmailAddress::parse(bad).unwrap_err();
            assert_eq!(problem.code, Code::InvalidEmail, "{bad}");
        }
        assert_eq!(
            EmailAddress::parse("not-an-email").unwrap_err().message,
            "\"not-an-email\" is not a valid email address; use the form name@example.com."
        );
    }

    #[test]
    fn employee_ids_keep_leading_zeros() {
        assert_eq!(EmployeeId::parse("000123").unwrap().unwrap().as_str(), "000123");
        assert_eq!(EmployeeId::parse(" ").unwrap(), None);
    }

    #[test]
    fn employment_status_accepts_the_three_values() {
        assert_eq!(EmploymentStatus::parse("full time").unwrap(), Some(EmploymentStatus::FullTime));
        assert_eq!(EmploymentStatus::parse("Part-Time").unwrap(), Some(EmploymentStatus::PartTime));
        assert_eq!(EmploymentStatus::parse("TEMP").unwrap(), Some(EmploymentStatus::Temp));
        assert_eq!(EmploymentStatus::parse("").unwrap(), None);
        assert_eq!(EmploymentStatus::parse("Contractor").unwrap_err().code, Code::InvalidEmploymentStatus);
    }

    #[test]
    fn dates_are_iso_always_and_other_forms_only_by_setting() {
        let iso = StartDate::parse("2024-02-29", DateFormat::IsoOnly).unwrap().unwrap();
        assert_eq!(iso.iso(), "2024-02-29");
        assert!(StartDate::parse("2023-02-29", DateFormat::IsoOnly).is_err());
        let ambiguous = StartDate::parse("03/04/2025", DateFormat::IsoOnly).unwrap_err();
        assert_eq!(ambiguous.code, Code::InvalidDate);
        assert_eq!(
            ambiguous.message,
            "\"03/04/2025\" is not a date this organisation accepts; write it as 2025-03-31."
        );
        assert_eq!(StartDate::parse("03/04/2025", DateFormat::DayMonthYear).unwrap().unwrap().iso(), "2025-04-03");
        assert_eq!(StartDate::parse("03/04/2025", DateFormat::MonthDayYear).unwrap().unwrap().iso(), "2025-03-04");
        assert!(StartDate::parse("2025-13-01", DateFormat::IsoOnly).is_err());
    }

    #[test]
    fn group_lists_are_braced_and_comma_separated() {
        assert_eq!(GroupList::parse("{Tier 1}, {Night Shift}").unwrap().names(), ["Tier 1", "Night Shift"]);
        assert_eq!(GroupList::parse("").unwrap().names().len(), 0);
        assert_eq!(GroupList::parse("{A},{A}").unwrap().names(), ["A"]);
        for bad in ["Tier 1", "{Tier 1", "{}", "{A}{B}", "{A},"] {
            assert_eq!(GroupList::parse(bad).unwrap_err().code, Code::InvalidGroupList, "{bad}");
        }
        assert_eq!(GroupList::parse("{A}, {B}").unwrap().to_cell(), "{A},{B}");
    }

    #[test]
    fn passwords_follow_the_length_policy_and_never_print() {
        assert_eq!(Password::parse(Column::TemporaryPassword, "short").unwrap_err().code, Code::PasswordTooShort);
        let password = Password::parse(Column::TemporaryPassword, "correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(****)");
        assert_eq!(Password::parse_optional(Column::TemporaryPassword, "").unwrap(), None);
    }
}
