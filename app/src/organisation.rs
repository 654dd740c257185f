//! The Roles and Groups tabs: the organisation's roles, its setting for custom roles, and its
//! groups; and where people sent by identity providers and scripts land.

use roster::KnownUser;
use roster::provisioning::ProvisioningDefaults;
use serde::{Deserialize, Serialize};

/// The organisation's provisioning defaults, with their team leader as the rules know them now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provisioning {
    pub defaults: ProvisioningDefaults,
    pub leader: Option<KnownUser>,
}

impl Provisioning {
    /// What the API Keys tab says of the default team leader when they no longer qualify.
    pub fn leader_warning(&self) -> Option<String> {
        let leader = self.leader.as_ref()?;
        roster::leader::judge(leader).err().map(|problem| {
            format!(
                "{} Until you choose another, people who arrive without a team leader wait in \"Needs a team leader\".",
                problem.message
            )
        })
    }
}

/// The provisioning settings as the API Keys tab's form sends them: the team leader's id (blank for
/// none) and each flag as `y` when ticked (an unticked box sends nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProvisioningForm {
    pub team_leader: String,
    pub phone_channel: String,
    pub chat_channel: String,
    pub email_channel: String,
    pub can_manage_teams: String,
}

impl ProvisioningForm {
    /// The defaults the form asks for; a team leader that is not an id is refused.
    pub fn defaults(&self) -> Result<ProvisioningDefaults, String> {
        let team_leader = match self.team_leader.trim() {
            "" => None,
            id => Some(roster::UserId(
                id.parse::<i64>().map_err(|_| "Choose the default team leader from the list.".to_owned())?,
            )),
        };
        let on = |value: &str| value == "y";
        Ok(ProvisioningDefaults {
            team_leader,
            phone_channel: on(&self.phone_channel),
            chat_channel: on(&self.chat_channel),
            email_channel: on(&self.email_channel),
            can_manage_teams: on(&self.can_manage_teams),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provisioning_form_reads_ticked_boxes_and_a_leader_id() {
        let form =
            ProvisioningForm { team_leader: "7".into(), chat_channel: "y".into(), ..ProvisioningForm::default() };
        let defaults = form.defaults().unwrap();
        assert_eq!(defaults.team_leader, Some(roster::UserId(7)));
        assert!(defaults.chat_channel && !defaults.phone_channel && !defaults.can_manage_teams);
        assert_eq!(ProvisioningForm::default().defaults().unwrap(), ProvisioningDefaults::default());
        let bad = ProvisioningForm { team_leader: "Lena".into(), ..ProvisioningForm::default() };
        assert!(bad.defaults().unwrap_err().contains("from the list"));
    }

    #[test]
    fn a_default_leader_who_can_no_longer_lead_is_warned_of() {
        let lena = KnownUser {
            id: roster::UserId(7),
            email_key: Some("lena@acme.test".into()),
            employee_id: None,
            display_name: "Lena Lead".into(),
            can_manage_teams: true,
            deactivated: true,
            leader: None,
            has_reports: false,
        };
        let provisioning = Provisioning { defaults: ProvisioningDefaults::default(), leader: Some(lena.clone()) };
        let warning = provisioning.leader_warning().unwrap();
        assert!(warning.starts_with("Lena Lead is deactivated"), "{warning}");
        let fine = Provisioning { leader: Some(KnownUser { deactivated: false, ..lena }), ..provisioning };
        assert_eq!(fine.leader_warning(), None);
    }
}
