//! The current team: every user as Download Current Team writes them, with what a bulk update
//! needs to compare rows and recognise conflicts. Also the export itself.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::fields::yes_no_text;
use crate::sheet::{DEACTIVATED, Field, USER_ID, VERSION};
use crate::write::{push_row, utf16le};
use crate::{Column, OrgRules, ProfileInput, UserId};

/// One existing user as the spreadsheet shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    /// Incremented on every change; the export carries it to recognise conflicting edits.
    pub version: i64,
    /// Every profile cell as the export writes it (the team leader by email or employee ID).
    pub cells: ProfileInput,
    pub leader: Option<UserId>,
    pub deactivated: bool,
    /// Who last changed the user and when (shown in conflict messages).
    pub changed_by: String,
    pub changed_at: String,
    /// The single-user writes that made the recent versions (`crate::merge`), oldest first.
    #[serde(default)]
    pub history: Vec<PastChange>,
}

/// A change someone made to one user, as the trail keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastChange {
    /// The version the change made.
    pub version: i64,
    /// Each field it changed, with the value before, as the spreadsheet writes it.
    pub before: Vec<(Field, String)>,
    /// Who made it: a person's name, or an API key by its name.
    pub by: String,
    pub at: String,
}

impl CurrentUser {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.cells.get(Column::FirstName), self.cells.get(Column::LastName))
    }

    pub fn can_manage_teams(&self) -> bool {
        self.cells.get(Column::CanManageTeams) == "y"
    }
}

/// Every user of the organisation (or of a leader's team), indexed by id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<CurrentUser>", into = "Vec<CurrentUser>")]
pub struct CurrentTeam {
    users: Vec<CurrentUser>,
    by_id: HashMap<UserId, usize>,
}

impl From<Vec<CurrentUser>> for CurrentTeam {
    fn from(users: Vec<CurrentUser>) -> Self {
        let by_id = users.iter().enumerate().map(|(index, user)| (user.id, index)).collect();
        CurrentTeam { users, by_id }
    }
}

impl From<CurrentTeam> for Vec<CurrentUser> {
    fn from(team: CurrentTeam) -> Self {
        team.users
    }
}

impl CurrentTeam {
    pub fn get(&self, id: UserId) -> Option<&CurrentUser> {
        self.by_id.get(&id).map(|&index| &self.users[index])
    }

    pub fn users(&self) -> &[CurrentUser] {
        &self.users
    }
}

/// Everything the rules need to check a bulk-update file in the browser: the organisation's rules
/// and its current team. The server sends it in a compact binary encoding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSnapshot {
    pub org: OrgRules,
    pub team: CurrentTeam,
}

/// The columns of Download Current Team: the User ID, every profile column but the temporary
/// password, whether the user is deactivated, and their version.
pub fn export_columns() -> Vec<&'static str> {
    let mut headers = vec![USER_ID];
    headers.extend(Column::ALL.iter().filter(|c| **c != Column::TemporaryPassword).map(|c| c.header()));
    headers.extend([DEACTIVATED, VERSION]);
    headers
}

/// Download Current Team: UTF-16LE with a byte-order mark, formula-like cells neutralised.
pub fn export(team: &CurrentTeam) -> Vec<u8> {
    let columns: Vec<Column> = Column::ALL.into_iter().filter(|c| *c != Column::TemporaryPassword).collect();
    let mut text = String::with_capacity(64 + team.users.len() * 160);
    push_row(&mut text, export_columns());
    for user in &team.users {
        let (id, version) = (user.id.0.to_string(), user.version.to_string());
        let cells = columns.iter().map(|c| user.cells.get(*c));
        push_row(
            &mut text,
            std::iter::once(id.as_str()).chain(cells).chain([yes_no_text(user.deactivated), version.as_str()]),
        );
    }
    utf16le(&text)
}
