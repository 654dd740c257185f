//! What is wrong with an input: a stable machine code and a message a person can act on.

use serde::{Deserialize, Serialize};

use crate::Column;

/// A stable machine-readable code for each rule. The JSON reports, the API and the tests use these;
/// renaming one is a breaking change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    TooLong,
    ControlCharacter,
    InvalidYesNo,
    InvalidEmail,
    EmailOrEmployeeIdRequired,
    DuplicateEmail,
    DuplicateEmployeeId,
    UnknownRole,
    InactiveRole,
    RoleRequired,
    InvalidEmploymentStatus,
    InvalidDate,
    InvalidGroupList,
    UnknownGroup,
    PasswordTooShort,
    PasswordTooLong,
    UnknownTeamLeader,
    LeaderCannotManageTeams,
    LeaderDeactivated,
    SelfLeader,
    LeaderCycle,
    CannotRemoveCanManageTeams,
    ManagerKeepsLeader,
}

impl Code {
    /// The code as it appears in JSON (`"invalid_email"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::TooLong => "too_long",
            Code::ControlCharacter => "control_character",
            Code::InvalidYesNo => "invalid_yes_no",
            Code::InvalidEmail => "invalid_email",
            Code::EmailOrEmployeeIdRequired => "email_or_employee_id_required",
            Code::DuplicateEmail => "duplicate_email",
            Code::DuplicateEmployeeId => "duplicate_employee_id",
            Code::UnknownRole => "unknown_role",
            Code::InactiveRole => "inactive_role",
            Code::RoleRequired => "role_required",
            Code::InvalidEmploymentStatus => "invalid_employment_status",
            Code::InvalidDate => "invalid_date",
            Code::InvalidGroupList => "invalid_group_list",
            Code::UnknownGroup => "unknown_group",
            Code::PasswordTooShort => "password_too_short",
            Code::PasswordTooLong => "password_too_long",
            Code::UnknownTeamLeader => "unknown_team_leader",
            Code::LeaderCannotManageTeams => "leader_cannot_manage_teams",
            Code::LeaderDeactivated => "leader_deactivated",
            Code::SelfLeader => "self_leader",
            Code::LeaderCycle => "leader_cycle",
            Code::CannotRemoveCanManageTeams => "cannot_remove_can_manage_teams",
            Code::ManagerKeepsLeader => "manager_keeps_leader",
        }
    }
}

/// One thing wrong with one field. The message is complete on its own ("what is wrong, and what to
/// do"); where it is shown (a form field, a spreadsheet cell) adds the place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub column: Column,
    pub code: Code,
    pub message: String,
}

impl Problem {
    pub fn new(column: Column, code: Code, message: impl Into<String>) -> Self {
        Problem { column, code, message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.column, self.message)
    }
}
