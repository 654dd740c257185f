//! Plain types that travel between the browser and the server.

use roster::{Column, ProfileInput};
use serde::{Deserialize, Serialize};

/// What a signed-in person may do in their organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// Everything in the organisation.
    Admin,
    /// Reads the roster of their own team.
    Leader,
    /// Their own profile and the Stream.
    Member,
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub display_name: String,
    pub permission: Permission,
    /// Signed in with a temporary password: nothing but choosing a new one until they do.
    pub must_change_password: bool,
}

/// Columns the roster can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Name,
    Email,
    EmployeeId,
    Role,
    Status,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [SortKey::Name, SortKey::Email, SortKey::EmployeeId, SortKey::Role, SortKey::Status];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Email => "email",
            SortKey::EmployeeId => "employee_id",
            SortKey::Role => "role",
            SortKey::Status => "status",
        }
    }

    pub fn parse(value: &str) -> SortKey {
        SortKey::ALL.into_iter().find(|k| k.as_str() == value).unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name",
            SortKey::Email => "Email Address",
            SortKey::EmployeeId => "Employee ID",
            SortKey::Role => "Role",
            SortKey::Status => "Status",
        }
    }
}

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

/// Rows per page of the roster.
pub const PAGE_SIZE: u32 = 50;

/// Search, filters, sorting and page of the Manage Team table; read from the page's URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamQuery {
    /// Free text over name, email address and employee ID.
    pub q: String,
    pub role: Option<i64>,
    pub leader: Option<i64>,
    pub status: Option<UserStatus>,
    pub group: Option<i64>,
    /// Not signed in since this day (`YYYY-MM-DD`), or never.
    pub idle_since: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    /// Zero-based.
    pub page: u32,
}

impl TeamQuery {
    /// Reads the query from URL parameters; anything unreadable falls back to its default.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let id = |key: &str| get(key).and_then(|v| v.parse::<i64>().ok());
        TeamQuery {
            q: get("q").unwrap_or_default().trim().chars().take(200).collect(),
            role: id("role"),
            leader: id("leader"),
            status: get("status").as_deref().and_then(UserStatus::parse),
            group: id("group"),
            idle_since: get("idle_since").filter(|day| crate::teams::day_start(day).is_some()),
            sort: get("sort").as_deref().map(SortKey::parse).unwrap_or_default(),
            descending: get("dir").as_deref() == Some("desc"),
            page: get("page").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0).min(100_000),
        }
    }

    /// The URL parameters of this query (empty values left out).
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if !self.q.is_empty() {
            params.push(("q", self.q.clone()));
        }
        for (key, value) in [("role", self.role), ("leader", self.leader), ("group", self.group)] {
            if let Some(value) = value {
                params.push((key, value.to_string()));
            }
        }
        if let Some(status) = self.status {
            params.push(("status", status.as_str().to_owned()));
        }
        if let Some(day) = &self.idle_since {
            params.push(("idle_since", day.clone()));
        }
        if self.sort != SortKey::Name {
            params.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.descending {
            params.push(("dir", "desc".to_owned()));
        }
        if self.page > 0 {
            params.push(("page", self.page.to_string()));
        }
        params
    }

    /// The link for this query, e.g. `/team?q=ada&page=2`.
    pub fn href(&self) -> String {
        self.href_on("/team")
    }

    /// The link for this query on another page that lists users (Deactivate Users).
    pub fn href_on(&self, page: &str) -> String {
        let params = self.to_params();
        if params.is_empty() {
            return page.to_owned();
        }
        let encoded: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode_component(v))).collect();
        format!("{page}?{}", encoded.join("&"))
    }

    /// The same query sorted by `key`: ascending first, descending on a second click.
    pub fn sorted_by(&self, key: SortKey) -> TeamQuery {
        TeamQuery { sort: key, descending: self.sort == key && !self.descending, page: 0, ..self.clone() }
    }

    pub fn at_page(&self, page: u32) -> TeamQuery {
        TeamQuery { page, ..self.clone() }
    }
}

/// Percent-encodes a URL query component.
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One row of the Manage Team table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub employee_id: Option<String>,
    pub role: String,
    pub team_leader: Option<String>,
    pub status: UserStatus,
    /// Unix time of their latest sign-in.
    pub last_sign_in: Option<i64>,
}

/// One page of the roster and how many users match in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamPage {
    pub rows: Vec<TeamRow>,
    pub total: u64,
    pub page: u32,
}

impl TeamPage {
    pub fn page_count(&self) -> u32 {
        (self.total.div_ceil(u64::from(PAGE_SIZE))).max(1) as u32
    }
}

/// A choice in a filter or select: an id and what people see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub label: String,
    /// How a spreadsheet or form refers to it, when that differs from the label (a team leader's
    /// email address or employee ID).
    pub reference: Option<String>,
}

/// What the filters and the user form offer: roles, groups, team leaders and settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChoices {
    pub roles: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub leaders: Vec<Choice>,
    pub uses_custom_roles: bool,
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

/// A Unix time as UTC, e.g. "2026-11-21 13:05 UTC".
pub fn utc_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let minutes = seconds.rem_euclid(86_400) / 60;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_query_survives_a_round_trip_through_its_url() {
        let query = TeamQuery {
            q: "ada love".into(),
            role: Some(3),
            status: Some(UserStatus::Deactivated),
            idle_since: Some("2026-10-01".into()),
            sort: SortKey::Email,
            descending: true,
            page: 4,
            ..TeamQuery::default()
        };
        let params = query.to_params();
        let back = TeamQuery::from_params(|key| params.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
        assert_eq!(back, query);
        assert_eq!(
            query.href(),
            "/team?q=ada+love&role=3&status=deactivated&idle_since=2026-10-01&sort=email&dir=desc&page=4"
        );
    }

    #[test]
    fn garbage_in_the_url_falls_back_to_defaults() {
        let query = TeamQuery::from_params(|key| match key {
            "role" => Some("drop table".into()),
            "status" => Some("nonsense".into()),
            "page" => Some("-1".into()),
            "idle_since" => Some("last tuesday".into()),
            _ => None,
        });
        assert_eq!(query, TeamQuery::default());
    }

    #[test]
    fn sorting_twice_by_the_same_column_reverses_it() {
        let by_email = TeamQuery::default().at_page(3).sorted_by(SortKey::Email);
        assert_eq!((by_email.sort, by_email.descending, by_email.page), (SortKey::Email, false, 0));
        assert!(by_email.sorted_by(SortKey::Email).descending);
    }

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

    #[test]
    fn times_are_shown_as_utc_dates() {
        assert_eq!(super::utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc_time(1_795_219_200 + 13 * 3600 + 5 * 60), "2026-11-21 13:05 UTC");
        assert_eq!(super::utc_time(951_782_400), "2000-02-29 00:00 UTC");
    }
}
