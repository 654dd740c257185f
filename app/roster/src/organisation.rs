//! What an admin names in their organisation: roles, groups and API keys. One type per name, one
//! constructor that checks it.

use serde::{Deserialize, Serialize};

/// Longest role or group name, in characters.
pub const MAX_LABEL: usize = 60;

/// Why a role or group name was refused; the message says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Enter a name.")]
    Blank,
    #[error("The name is {0} characters long; shorten it to at most {MAX_LABEL}.")]
    TooLong(usize),
    #[error("The name contains a line break, tab or other invisible character; retype it on one line.")]
    ControlCharacter,
    #[error(
        "Group names cannot contain braces {{ }}: the spreadsheet writes groups as {{Group A}},{{Group B}}. Choose a name without them."
    )]
    Brace,
}

fn label(raw: &str) -> Result<String, NameError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(NameError::Blank);
    }
    let length = value.chars().count();
    if length > MAX_LABEL {
        return Err(NameError::TooLong(length));
    }
    if value.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    Ok(value.to_owned())
}

/// A role's name: one line, 1–[`MAX_LABEL`] characters. Roles are matched ignoring case (as the
/// spreadsheet's Role column is), so two roles may not differ only in case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleName(String);

impl RoleName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        label(raw).map(RoleName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The key two role names are compared by.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A group's name: one line, 1–[`MAX_LABEL`] characters, no braces (the spreadsheet's
/// `{Group A},{Group B}` could not hold them). Matched exactly, as the help pages say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let value = label(raw)?;
        if value.contains(['{', '}']) {
            return Err(NameError::Brace);
        }
        Ok(GroupName(value))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An API key's name, so that admins can tell keys apart ("Okta sync"): one line,
/// 1–[`MAX_LABEL`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyName(String);

impl ApiKeyName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        label(raw).map(ApiKeyName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an admin is told when they try to delete a role people hold.
pub fn role_in_use(name: &str, holders: i64) -> String {
    let people = if holders == 1 { "1 user holds".to_owned() } else { format!("{holders} users hold") };
    format!(
        "{people} the role {name}, so it cannot be deleted; deactivate it instead, or give them another role first."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_must_not_be_blank() {
        assert_eq!(RoleName::parse("  Tier 2 ").unwrap().as_str(), "Tier 2");
        assert_eq!(RoleName::parse("   "), Err(NameError::Blank));
        assert_eq!(GroupName::parse(""), Err(NameError::Blank));
    }

    #[test]
    fn names_are_one_short_line() {
        assert_eq!(GroupName::parse(&"é".repeat(61)), Err(NameError::TooLong(61)));
        assert!(GroupName::parse(&"é".repeat(60)).is_ok());
        assert_eq!(RoleName::parse("Tier\n2"), Err(NameError::ControlCharacter));
    }

    #[test]
    fn group_names_cannot_hold_the_spreadsheets_braces() {
        assert_eq!(GroupName::parse("Nights {EU}"), Err(NameError::Brace));
        assert!(GroupName::parse("Nights, EU").is_ok());
        assert!(RoleName::parse("Tier {2}").is_ok());
    }

    #[test]
    fn api_key_names_are_one_short_line() {
        assert_eq!(ApiKeyName::parse(" Okta sync ").unwrap().as_str(), "Okta sync");
        assert_eq!(ApiKeyName::parse(""), Err(NameError::Blank));
        assert_eq!(ApiKeyName::parse("a\tb"), Err(NameError::ControlCharacter));
    }

    #[test]
    fn role_names_compare_ignoring_case() {
        assert_eq!(RoleName::parse("Team LEADER").unwrap().key(), RoleName::parse("team leader").unwrap().key());
    }

    #[test]
    fn a_role_in_use_says_how_many_hold_it() {
        assert!(role_in_use("Tier 2", 1).starts_with("1 user holds the role Tier 2"));
        assert!(role_in_use("Tier 2", 12).starts_with("12 users hold the role Tier 2"));
    }
}
