//! The Manage Team page and the rest of the roster: the table's search, filters, sorting and
//! paging (read from and written to the page's URL), the choices its filters and the user form
//! offer, the hierarchy tree and what Deactivate Users reviews.

use roster::hierarchy::{HeadCount, Node};
use serde::{Deserialize, Serialize};

use crate::user::UserStatus;

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
    /// Only the people who need a team leader (`roster::provisioning::needs_team_leader`).
    #[serde(default)]
    pub needs_leader: bool,
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
            idle_since: get("idle_since").filter(|day| day_start(day).is_some()),
            needs_leader: get("needs_leader").as_deref() == Some("1"),
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
        if self.needs_leader {
            params.push(("needs_leader", "1".to_owned()));
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
    /// Active, unable to manage teams and without a team leader.
    pub needs_leader: bool,
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
    /// How many of the organisation's people need a team leader, whatever the filters.
    pub needs_leader: u64,
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

/// One level of the tree: the people under `parent` (or at the top) with their teams' counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeLevel {
    pub nodes: Vec<Node>,
}

/// "12 people · 5 phone · 7 chat · 3 email".
pub fn head_count_label(count: &HeadCount) -> String {
    let people = crate::plural::count(count.people as usize, "person", "people");
    format!("{people} · {} phone · {} chat · {} email", count.phone, count.chat, count.email)
}

/// A team that needs a new leader before its leader is deactivated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamToReassign {
    pub leader_id: i64,
    pub leader_name: String,
    pub reports: usize,
}

/// What deactivating the chosen users involves, shown before anything changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeactivationReview {
    /// The chosen users, by name.
    pub users: Vec<Choice>,
    pub teams: Vec<TeamToReassign>,
    /// Who may take over a team: active team leaders who are not being deactivated.
    pub candidates: Vec<Choice>,
}

/// Reads "YYYY-MM-DD" as the Unix time of that day's start (UTC).
pub fn day_start(date: &str) -> Option<i64> {
    use roster::fields::{DateFormat, StartDate};
    StartDate::parse(date, DateFormat::IsoOnly).ok().flatten().map(|day| day.unix_day_start())
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
            needs_leader: true,
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
            "/team?q=ada+love&role=3&status=deactivated&idle_since=2026-10-01&needs_leader=1&sort=email&dir=desc&page=4"
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
    fn head_counts_read_as_a_sentence() {
        let count = HeadCount { people: 12, phone: 5, chat: 7, email: 3 };
        assert_eq!(head_count_label(&count), "12 people · 5 phone · 7 chat · 3 email");
        assert!(head_count_label(&HeadCount { people: 1, ..count }).starts_with("1 person ·"));
    }

    #[test]
    fn a_day_starts_at_midnight_utc() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2026-11-21"), Some(1_795_219_200));
        assert_eq!(day_start("2000-02-29"), Some(951_782_400));
        assert_eq!(day_start("not a date"), None);
        assert_eq!(day_start(""), None);
    }
}
