//! The Roles and Groups tabs: the organisation's roles, its setting for custom roles, and its groups.

use serde::{Deserialize, Serialize};

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
