//! A whole profile: each field checked by its type, then the profile checked against the
//! organisation (roles, groups) and its directory (uniqueness, team leader).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::fields::{
    Bio, EmailAddress, EmployeeId, EmploymentStatus, GroupList, Password, PersonName, ShortText, StartDate, yes_no,
};
use crate::leader::{self, Looked};
use crate::provisioning::LeaderRule;
use crate::{Code, Column, Directory, KnownUser, OrgRules, Problem, UserId};

/// A profile as typed: one raw text per column, exactly as a form or spreadsheet cell holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInput {
    cells: [String; Column::ALL.len()],
}

impl ProfileInput {
    pub fn new() -> Self {
        ProfileInput::default()
    }

    pub fn with(mut self, column: Column, value: impl Into<String>) -> Self {
        self.set(column, value);
        self
    }

    pub fn set(&mut self, column: Column, value: impl Into<String>) {
        self.cells[column.index()] = value.into();
    }

    /// The raw text of a column; a missing column reads as blank.
    pub fn get(&self, column: Column) -> &str {
        &self.cells[column.index()]
    }
}

/// Anything that holds one raw text per column: a form's [`ProfileInput`], or a spreadsheet row
/// read in place (no copy of its cells).
pub trait Cells {
    /// The raw text of a column; a missing column reads as blank.
    fn cell(&self, column: Column) -> &str;
}

impl Cells for ProfileInput {
    fn cell(&self, column: Column) -> &str {
        self.get(column)
    }
}

/// A profile whose every field is valid on its own. The team leader is still a reference
/// (an email or employee ID) until it is resolved against a directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The role's name as the organisation spells it (derived when left blank without custom roles).
    pub role: Cow<'static, str>,
    pub can_manage_teams: bool,
    pub email: Option<EmailAddress>,
    pub employee_id: Option<EmployeeId>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub home_town: Option<ShortText>,
    pub state_or_country: Option<ShortText>,
    pub bio: Option<Bio>,
    pub phone_channel: bool,
    pub chat_channel: bool,
    pub email_channel: bool,
    pub team_leader: Option<compact_str::CompactString>,
    pub employment_status: Option<EmploymentStatus>,
    pub start_date: Option<StartDate>,
    pub groups: GroupList,
    pub temporary_password: Option<Password>,
}

/// Collects problems while fields are parsed, so one pass reports every problem of a profile.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn take<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|problem| self.problems.push(problem)).ok()
    }
}

impl Profile {
    /// Checks every field of `input` on its own and against the organisation's roles, groups and
    /// settings. Returns every problem found, not just the first.
    pub fn parse(input: &impl Cells, org: &OrgRules) -> Result<Profile, Vec<Problem>> {
        Profile::parse_with(input, org, LeaderRule::Required)
    }

    /// [`Profile::parse`] under the team-leader rule of whoever writes the profile: the
    /// provisioning APIs may leave out the team leader of someone who cannot manage teams (see
    /// [`crate::provisioning`]).
    pub fn parse_with(input: &impl Cells, org: &OrgRules, rule: LeaderRule) -> Result<Profile, Vec<Problem>> {
        let mut check = Checker { problems: Vec::new() };
        let cell = |column| input.cell(column);

        let can_manage_teams = check.take(yes_no(Column::CanManageTeams, cell(Column::CanManageTeams)));
        let email = check.take(EmailAddress::parse(cell(Column::EmailAddress)));
        let employee_id = check.take(EmployeeId::parse(cell(Column::EmployeeId)));
        let first_name = check.take(PersonName::parse(Column::FirstName, cell(Column::FirstName)));
        let last_name = check.take(PersonName::parse(Column::LastName, cell(Column::LastName)));
        let home_town = check.take(ShortText::parse(Column::HomeTown, cell(Column::HomeTown)));
        let state_or_country = check.take(ShortText::parse(Column::StateOrCountry, cell(Column::StateOrCountry)));
        let bio = check.take(Bio::parse(cell(Column::Profile)));
        let phone_channel = check.take(yes_no(Column::PhoneChannel, cell(Column::PhoneChannel)));
        let chat_channel = check.take(yes_no(Column::ChatChannel, cell(Column::ChatChannel)));
        let email_channel = check.take(yes_no(Column::EmailChannel, cell(Column::EmailChannel)));
        let employment_status = check.take(EmploymentStatus::parse(cell(Column::EmploymentStatus)));
        let start_date = check.take(StartDate::parse(cell(Column::StartDate), org.date_format));
        let groups =
            check.take(GroupList::parse(cell(Column::GroupAssignments)).and_then(|groups| known_groups(groups, org)));
        let temporary_password =
            check.take(Password::parse_optional(Column::TemporaryPassword, cell(Column::TemporaryPassword)));
        let role = can_manage_teams.and_then(|can_manage| check.take(role(cell(Column::Role), can_manage, org)));

        if let (Some(None), Some(None)) = (&email, &employee_id) {
            check.problems.push(Problem::new(
                Column::EmailAddress,
                Code::EmailOrEmployeeIdRequired,
                "Enter an Email Address or an Employee ID (or both): every user needs at least one to be identified.",
            ));
        }
        let team_leader = cell(Column::TeamLeader).trim();
        if team_leader.is_empty() && can_manage_teams == Some(false) && rule == LeaderRule::Required {
            check.problems.push(leader::required());
        }

        if !check.problems.is_empty() {
            return Err(check.problems);
        }
        // No problem was recorded, so every field parsed.
        let profile = move || {
            Some(Profile {
                role: role?,
                can_manage_teams: can_manage_teams?,
                email: email?,
                employee_id: employee_id?,
                first_name: first_name?,
                last_name: last_name?,
                home_town: home_town?,
                state_or_country: state_or_country?,
                bio: bio?,
                phone_channel: phone_channel?,
                chat_channel: chat_channel?,
                email_channel: email_channel?,
                team_leader: (!team_leader.is_empty()).then(|| team_leader.into()),
                employment_status: employment_status?,
                start_date: start_date?,
                groups: groups?,
                temporary_password: temporary_password?,
            })
        };
        profile().ok_or(check.problems)
    }

    /// Checks a single profile (the Create User and Edit User forms) against the existing users:
    /// unique email and employee ID, and a team leader who exists, can manage teams, is active and
    /// is not the user or one of their reports. `editing` is the user being edited, if any.
    /// Returns the resolved team leader.
    pub fn check_against(
        &self,
        directory: &Directory,
        editing: Option<&KnownUser>,
    ) -> Result<Option<UserId>, Vec<Problem>> {
        let mut problems = Vec::new();
        let is_other = |user: &KnownUser| editing.is_none_or(|me| me.id != user.id);

        if let Some(email) = &self.email
            && let Some(owner) = directory.by_email_key(&email.key()).filter(|u| is_other(u))
        {
            problems.push(Problem::new(
                Column::EmailAddress,
                Code::DuplicateEmail,
                format!(
                    "{} is already the email address of {}; each user needs their own.",
                    email.as_str(),
                    owner.display_name
                ),
            ));
        }
        if let Some(id) = &self.employee_id
            && let Some(owner) = directory.by_employee_id(id.as_str()).filter(|u| is_other(u))
        {
            problems.push(Problem::new(
                Column::EmployeeId,
                Code::DuplicateEmployeeId,
                format!(
                    "Employee ID {} already belongs to {}; each user needs their own.",
                    id.as_str(),
                    owner.display_name
                ),
            ));
        }
        if let Some(me) = editing
            && me.can_manage_teams
            && !self.can_manage_teams
            && me.has_reports
        {
            problems.push(Problem::new(
                Column::CanManageTeams,
                Code::CannotRemoveCanManageTeams,
                "This user leads a team, so Can Manage Teams must stay y; first give their reports another team leader.",
            ));
        }

        let leader = match &self.team_leader {
            None => None,
            Some(reference) => match self.resolve_leader(reference, directory, editing) {
                Ok(id) => Some(id),
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            },
        };
        if problems.is_empty() { Ok(leader) } else { Err(problems) }
    }

    fn resolve_leader(
        &self,
        reference: &str,
        directory: &Directory,
        editing: Option<&KnownUser>,
    ) -> Result<UserId, Problem> {
        let names_self = self.email.as_ref().is_some_and(|e| e.key() == reference.to_lowercase())
            || self.employee_id.as_ref().is_some_and(|id| id.as_str() == reference);
        let Some(found) = directory.by_reference(reference) else {
            return Err(if names_self { leader::itself() } else { leader::unknown(reference, Looked::Existing) });
        };
        if names_self || editing.is_some_and(|me| me.id == found.id) {
            return Err(leader::itself());
        }
        let id = leader::judge(found)?;
        match editing {
            Some(me) if directory.is_at_or_above(me.id, id) => Err(leader::reports_to_user(&found.display_name)),
            _ => Ok(id),
        }
    }
}

fn role(raw: &str, can_manage_teams: bool, org: &OrgRules) -> Result<Cow<'static, str>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        if org.uses_custom_roles {
            return Err(Problem::new(
                Column::Role,
                Code::RoleRequired,
                format!(
                    "Role is required because this organisation uses custom roles; enter one of: {}.",
                    org.active_role_names().join(", ")
                ),
            ));
        }
        return Ok(Cow::Borrowed(if can_manage_teams { "Team Leader" } else { "Team Member" }));
    }
    match org.role(raw) {
        Some(role) if role.active => Ok(Cow::Owned(role.name.clone())),
        Some(role) => Err(Problem::new(
            Column::Role,
            Code::InactiveRole,
            format!("The role {} is deactivated; enter one of: {}.", role.name, org.active_role_names().join(", ")),
        )),
        None => Err(Problem::new(
            Column::Role,
            Code::UnknownRole,
            format!(
                "There is no role \"{}\"; enter one of: {}.",
                crate::fields::shorten(raw),
                org.active_role_names().join(", ")
            ),
        )),
    }
}

fn known_groups(groups: GroupList, org: &OrgRules) -> Result<GroupList, Problem> {
    match groups.names().iter().find(|name| !org.has_group(name)) {
        None => Ok(groups),
        Some(unknown) => Err(Problem::new(
            Column::GroupAssignments,
            Code::UnknownGroup,
            format!(
                "There is no group \"{}\"; group names must match an existing group exactly (create it on the Groups tab first).",
                crate::fields::shorten(unknown)
            ),
        )),
    }
}

#[cfg(test)]
mod tests;
