//! Plain types for the rest of Manage Team: whose roster a person may read, the tree view, the
//! Roles and Groups tabs and Deactivate Users.

use roster::hierarchy::{HeadCount, Node};
use serde::{Deserialize, Serialize};

use crate::model::{Choice, Permission, Viewer};

/// Whose users a request may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// The whole organisation (an admin).
    Organisation,
    /// A team leader's direct and indirect reports.
    TeamOf(i64),
}

impl Scope {
    /// The roster a signed-in person may read, if any.
    pub fn of(viewer: &Viewer) -> Option<Scope> {
        match viewer.permission {
            Permission::Admin => Some(Scope::Organisation),
            Permission::Leader => Some(Scope::TeamOf(viewer.user_id)),
            Permission::Member => None,
        }
    }
}

/// One level of the tree: the people under `parent` (or at the top) with their teams' counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeLevel {
    pub nodes: Vec<Node>,
}

/// "1 user", "3 users": a count and the noun that fits it.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// "12 people · 5 phone · 7 chat · 3 email".
pub fn head_count_label(count: &HeadCount) -> String {
    let people = self::count(count.people as usize, "person", "people");
    format!("{people} · {} phone · {} chat · {} email", count.phone, count.chat, count.email)
}

/// A row of the Roles tab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRow {
    pub id: i64,
    pub name: String,
    /// Admin, Team Leader, Team Member: cannot be renamed, deactivated or deleted.
    pub built_in: bool,
    pub active: bool,
    /// How many users hold it.
    pub holders: i64,
}

/// The Roles tab: every role and the organisation's setting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesTab {
    pub roles: Vec<RoleRow>,
    pub uses_custom_roles: bool,
}

/// A change to one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleChange {
    Deactivate,
    Reactivate,
    Delete,
}

/// A row of the Groups tab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub members: i64,
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
    fn head_counts_read_as_a_sentence() {
        let count = HeadCount { people: 12, phone: 5, chat: 7, email: 3 };
        assert_eq!(head_count_label(&count), "12 people · 5 phone · 7 chat · 3 email");
        assert!(head_count_label(&HeadCount { people: 1, ..count }).starts_with("1 person ·"));
        assert_eq!(super::count(0, "user", "users"), "0 users");
    }

    #[test]
    fn a_day_starts_at_midnight_utc() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2026-11-21"), Some(1_795_219_200));
        assert_eq!(day_start("2000-02-29"), Some(951_782_400));
        assert_eq!(day_start("not a date"), None);
        assert_eq!(day_start(""), None);
    }

    #[test]
    fn admins_read_everyone_leaders_their_team_and_members_nothing() {
        let viewer = |permission| Viewer {
            user_id: 7,
            org_id: 1,
            org_name: String::new(),
            display_name: String::new(),
            permission,
            must_change_password: false,
        };
        assert_eq!(Scope::of(&viewer(Permission::Admin)), Some(Scope::Organisation));
        assert_eq!(Scope::of(&viewer(Permission::Leader)), Some(Scope::TeamOf(7)));
        assert_eq!(Scope::of(&viewer(Permission::Member)), None);
    }
}
