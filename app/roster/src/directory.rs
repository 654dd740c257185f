//! What the rules need to know about an organisation: its settings, roles and groups, and the users
//! that identifiers and team leaders can refer to. The server fills it from storage; the browser
//! receives it as a snapshot. It holds data only, so the rules stay pure.

use serde::{Deserialize, Serialize};

use crate::fields::DateFormat;
use crate::hash::FxHashMap;

/// A user's id in storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

/// A role of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInfo {
    pub name: String,
    pub active: bool,
}

/// The organisation's settings, roles and groups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRules {
    pub uses_custom_roles: bool,
    pub date_format: DateFormat,
    pub roles: Vec<RoleInfo>,
    pub groups: Vec<String>,
    /// Headers the organisation has told Roster the meaning of (`crate::stray`).
    pub column_names: Vec<crate::stray::ColumnName>,
    /// Today, in days since 1970-01-01 (UTC), when the rules were read: for the notices about
    /// dates far away (`crate::notice`). `None` gives no such notices.
    pub today: Option<i64>,
}

impl OrgRules {
    /// The roles every organisation starts with.
    pub const DEFAULT_ROLES: [&'static str; 3] = ["Admin", "Team Leader", "Team Member"];

    /// A new organisation's rules: the default roles, all active; no groups; ISO dates.
    pub fn with_default_roles() -> Self {
        OrgRules {
            roles: OrgRules::DEFAULT_ROLES.iter().map(|name| RoleInfo { name: (*name).into(), active: true }).collect(),
            ..OrgRules::default()
        }
    }

    /// Finds a role by name, ignoring case; the stored spelling is what is kept.
    pub fn role(&self, name: &str) -> Option<&RoleInfo> {
        let wanted = name.trim().to_lowercase();
        self.roles.iter().find(|role| role.name.to_lowercase() == wanted)
    }

    pub fn active_role_names(&self) -> Vec<&str> {
        self.roles.iter().filter(|r| r.active).map(|r| r.name.as_str()).collect()
    }

    pub fn has_group(&self, name: &str) -> bool {
        self.groups.iter().any(|group| group == name)
    }
}

/// An existing user, as far as the rules need to know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownUser {
    pub id: UserId,
    /// The case-insensitive key of the email address ([`crate::fields::EmailAddress::key`]).
    pub email_key: Option<String>,
    pub employee_id: Option<String>,
    pub display_name: String,
    pub can_manage_teams: bool,
    pub deactivated: bool,
    pub leader: Option<UserId>,
    pub has_reports: bool,
}

/// Everything the rules need to check a file in the browser: the organisation's rules and its
/// users. The server sends it in a compact binary encoding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub org: OrgRules,
    pub users: Vec<KnownUser>,
}

impl Snapshot {
    pub fn into_parts(self) -> (OrgRules, Directory) {
        (self.org, Directory::new(self.users))
    }
}

/// The users that identifiers and team leaders can refer to, indexed for look-ups.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    users: Vec<KnownUser>,
    by_id: FxHashMap<UserId, usize>,
    by_email: FxHashMap<String, usize>,
    by_employee_id: FxHashMap<String, usize>,
}

impl Directory {
    pub fn new(users: Vec<KnownUser>) -> Self {
        let mut directory = Directory { users, ..Directory::default() };
        for (index, user) in directory.users.iter().enumerate() {
            directory.by_id.insert(user.id, index);
            if let Some(key) = &user.email_key {
                directory.by_email.insert(key.clone(), index);
            }
            if let Some(id) = &user.employee_id {
                directory.by_employee_id.insert(id.clone(), index);
            }
        }
        directory
    }

    pub fn users(&self) -> &[KnownUser] {
        &self.users
    }

    pub fn get(&self, id: UserId) -> Option<&KnownUser> {
        self.by_id.get(&id).map(|&i| &self.users[i])
    }

    pub fn by_email_key(&self, key: &str) -> Option<&KnownUser> {
        self.by_email.get(key).map(|&i| &self.users[i])
    }

    pub fn by_employee_id(&self, id: &str) -> Option<&KnownUser> {
        self.by_employee_id.get(id).map(|&i| &self.users[i])
    }

    /// Makes user `id` able to manage teams, as a write that promotes them will
    /// ([`crate::provisioning::promote_named_leader`]).
    pub fn let_lead(&mut self, id: UserId) {
        if let Some(&index) = self.by_id.get(&id) {
            self.users[index].can_manage_teams = true;
        }
    }

    /// A team-leader reference is an email address (any case) or an employee ID.
    pub fn by_reference(&self, reference: &str) -> Option<&KnownUser> {
        let reference = reference.trim();
        self.by_email_key(&crate::fields::email_key(reference)).or_else(|| self.by_employee_id(reference))
    }

    /// True when `ancestor` is `user` or above them in the hierarchy.
    pub fn is_at_or_above(&self, ancestor: UserId, user: UserId) -> bool {
        let mut current = Some(user);
        let mut steps = 0;
        while let Some(id) = current {
            if id == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.users.len() {
                return false; // an existing cycle; never loop forever
            }
            current = self.get(id).and_then(|u| u.leader);
        }
        false
    }
}
