//! The User Provisioning API's view of a person (`/api/v2/employees`), and the filters its list
//! takes. Plain types: the server reads them from storage and writes them as JSON.

use roster::fields::EmploymentStatus;
use serde::{Deserialize, Serialize};

use crate::model::UserStatus;

/// Largest page of the list, and the default.
pub const MAX_PAGE: i64 = 500;
pub const DEFAULT_PAGE: i64 = 100;

/// A user as the API answers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    pub id: i64,
    pub email: Option<String>,
    pub employee_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub can_manage_teams: bool,
    pub home_town: Option<String>,
    pub state_or_country: Option<String>,
    pub profile: Option<String>,
    pub phone_channel: bool,
    pub chat_channel: bool,
    pub email_channel: bool,
    /// The team leader's email address, or their employee ID when they have none.
    pub team_leader: Option<String>,
    /// The team leader's id.
    pub team_leader_id: Option<i64>,
    pub employment_status: Option<String>,
    pub start_date: Option<String>,
    pub groups: Vec<String>,
    pub status: UserStatus,
    /// The identity provider's own id for the user (SCIM `externalId`), when one provisioned them.
    pub external_id: Option<String>,
    /// Incremented on every change; the ETag is this number in quotes.
    pub version: i64,
    pub updated_at: i64,
}

/// What the list is narrowed to; every present filter must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmployeeFilter {
    pub status: Option<UserStatus>,
    pub employment_status: Option<EmploymentStatus>,
    /// A team leader's email address or employee ID: their direct reports.
    pub team_leader: Option<String>,
    /// A group's exact name.
    pub group: Option<String>,
    /// A role's name, in any case.
    pub role: Option<String>,
    /// Free text over name, email address and employee ID.
    pub text: Option<String>,
}

/// One page of the list and where the next one starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeePage {
    pub data: Vec<Employee>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// A group as SCIM sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimGroup {
    pub id: i64,
    pub name: String,
    /// The identity provider's own id for the group.
    pub external_id: Option<String>,
}

/// A member of a group: their id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: i64,
    pub name: String,
}

/// The cursor after `id`: opaque to callers, the last id seen in base 36.
pub fn cursor_after(id: i64) -> String {
    let mut n = id.max(0) as u64;
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

/// Reads a cursor back; `None` for anything [`cursor_after`] did not write.
pub fn read_cursor(cursor: &str) -> Option<i64> {
    if cursor.is_empty() || cursor.len() > 13 {
        return None;
    }
    i64::from_str_radix(cursor, 36).ok().filter(|id| *id >= 0 && cursor_after(*id) == cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_the_id_it_was_made_from() {
        for id in [0, 1, 35, 36, 123_456_789, i64::MAX] {
            assert_eq!(read_cursor(&cursor_after(id)), Some(id), "{id}");
        }
        assert_eq!(cursor_after(36), "10");
    }

    #[test]
    fn a_cursor_nobody_made_is_refused() {
        for bad in ["", "-1", "ZZ", "0010", "a b", "zzzzzzzzzzzzzz"] {
            assert_eq!(read_cursor(bad), None, "{bad}");
        }
    }
}
