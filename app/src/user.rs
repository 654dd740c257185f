//! One user: their place in the welcome flow, and the single-user form as the admin fills it in.

use roster::{Column, ProfileInput};
use serde::{Deserialize, Serialize};

/// A user's place in the welcome flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Created; no welcome email sent yet.
    Created,
    /// Welcome email sent; password not yet set.
    Invited,
    Active,
    Deactivated,
}

impl UserStatus {
    pub const ALL: [UserStatus; 4] =
        [UserStatus::Created, UserStatus::Invited, UserStatus::Active, UserStatus::Deactivated];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Created => "created",
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Deactivated => "deactivated",
        }
    }

    pub fn parse(value: &str) -> Option<UserStatus> {
        UserStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Created => "Created",
            UserStatus::Invited => "Invited",
            UserStatus::Active => "Active",
            UserStatus::Deactivated => "Deactivated",
        }
    }
}

/// The single-user form as posted: every field is the text the admin typed; checkboxes are present
/// only when ticked. The rules crate decides what is valid, with the spreadsheet's messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserForm {
    /// The user being edited; `None` creates a user.
    pub id: Option<i64>,
    /// The version the form was loaded at, to detect a concurrent edit.
    pub version: Option<i64>,
    pub role: String,
    pub can_manage_teams: Option<String>,
    pub email: String,
    pub employee_id: String,
    pub first_name: String,
    pub last_name: String,
    pub home_town: String,
    pub state_or_country: String,
    pub profile: String,
    pub phone_channel: Option<String>,
    pub chat_channel: Option<String>,
    pub email_channel: Option<String>,
    pub team_leader: String,
    pub employment_status: String,
    pub start_date: String,
    /// Group names in the spreadsheet's form, `{Group A},{Group B}`.
    pub group_assignments: String,
    pub temporary_password: String,
}

impl UserForm {
    /// The form as the rules crate reads it: the same cells a spreadsheet row would hold.
    pub fn to_input(&self) -> ProfileInput {
        let flag = |value: &Option<String>| if value.is_some() { "y" } else { "n" };
        ProfileInput::new()
            .with(Column::Role, self.role.clone())
            .with(Column::CanManageTeams, flag(&self.can_manage_teams))
            .with(Column::EmailAddress, self.email.clone())
            .with(Column::EmployeeId, self.employee_id.clone())
            .with(Column::FirstName, self.first_name.clone())
            .with(Column::LastName, self.last_name.clone())
            .with(Column::HomeTown, self.home_town.clone())
            .with(Column::StateOrCountry, self.state_or_country.clone())
            .with(Column::Profile, self.profile.clone())
            .with(Column::PhoneChannel, flag(&self.phone_channel))
            .with(Column::ChatChannel, flag(&self.chat_channel))
            .with(Column::EmailChannel, flag(&self.email_channel))
            .with(Column::TeamLeader, self.team_leader.clone())
            .with(Column::EmploymentStatus, self.employment_status.clone())
            .with(Column::StartDate, self.start_date.clone())
            .with(Column::GroupAssignments, self.group_assignments.clone())
            .with(Column::TemporaryPassword, self.temporary_password.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_spreadsheet_cells() {
        let form = UserForm {
            can_manage_teams: Some("on".into()),
            email_channel: Some("on".into()),
            group_assignments: "{Tier 1},{Nights}".into(),
            ..UserForm::default()
        };
        let input = form.to_input();
        assert_eq!(input.get(Column::CanManageTeams), "y");
        assert_eq!(input.get(Column::PhoneChannel), "n");
        assert_eq!(input.get(Column::EmailChannel), "y");
        assert_eq!(input.get(Column::GroupAssignments), "{Tier 1},{Nights}");
    }
}
