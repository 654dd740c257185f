//! Who is asking: the signed-in person, what they may do, and whose roster they may read.

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

#[cfg(test)]
mod tests {
    use super::*;

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
