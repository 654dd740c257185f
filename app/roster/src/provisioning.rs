//! People sent by an identity provider (SCIM) or a script (the REST API), who arrive with what
//! the provider knows (a name, an email address, perhaps a manager) and without Roster's own
//! attributes. The provider is the source of truth for who works here, so such a person is
//! created, never refused for lacking a team leader or a channel flag; the organisation decides
//! where they land.
//!
//! Which rule applies where:
//!
//! | who writes the profile | Team Leader for someone who cannot manage teams | flags left out |
//! | --- | --- | --- |
//! | spreadsheets (bulk create, bulk update) and the user form | required ([`LeaderRule::Required`]) | required (spreadsheet) / as shown (form) |
//! | SCIM and the REST API ([`LeaderRule::Provisioned`]) | optional: the organisation's default team leader, or else the person *needs a team leader* | the organisation's defaults |
//!
//! Someone who *needs a team leader* ([`needs_team_leader`]) is counted and can be filtered on
//! Manage Team; the form and a bulk update that changes their row ask for a team leader, as for
//! anyone; a later `manager` from the identity provider moves them. A bulk update that leaves
//! their row as it is never blocks on them.
//!
//! A provider that names as someone's `manager` a person who cannot manage teams yet is saying
//! that person leads a team: the write makes them able to ([`promotes`]: Can Manage Teams = y,
//! their role unchanged, audited as their own change), in the same transaction. The spreadsheets
//! and the form still refuse such a leader, by name. Nobody is promoted to lead themselves, a
//! deactivated person, or someone above them in their own chain: those are refused as anywhere.

use serde::{Deserialize, Serialize};

use crate::{Column, Directory, KnownUser, Profile, ProfileInput, UserId, leader};

/// Which rule about a missing team leader applies to a profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LeaderRule {
    /// Spreadsheets and the user form: someone who cannot manage teams needs a team leader.
    #[default]
    Required,
    /// The provisioning APIs: a team leader is optional; see [`ProvisioningDefaults`].
    Provisioned,
}

/// Where people sent without Roster's own attributes land, chosen per organisation (API Keys tab).
/// A new organisation's defaults: no team leader (people wait in "needs a team leader"), no
/// channel, cannot manage teams.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningDefaults {
    /// The team leader of someone who cannot manage teams and arrives without one.
    pub team_leader: Option<UserId>,
    pub phone_channel: bool,
    pub chat_channel: bool,
    pub email_channel: bool,
    pub can_manage_teams: bool,
}

impl ProvisioningDefaults {
    /// The value a flag column takes when the provider leaves it out.
    pub fn flag(&self, column: Column) -> Option<bool> {
        match column {
            Column::PhoneChannel => Some(self.phone_channel),
            Column::ChatChannel => Some(self.chat_channel),
            Column::EmailChannel => Some(self.email_channel),
            Column::CanManageTeams => Some(self.can_manage_teams),
            _ => None,
        }
    }

    /// Fills the flags of a new profile that the provider left out (`sent` says which it sent).
    pub fn fill_flags(&self, input: &mut ProfileInput, sent: impl Fn(Column) -> bool) {
        for column in Column::FLAGS {
            if let Some(on) = self.flag(column).filter(|_| !sent(column)) {
                input.set(column, if on { "y" } else { "n" });
            }
        }
    }

    /// Checks the default team leader an admin chooses: someone who can lead (see [`leader::judge`]).
    pub fn check_leader(leader: &KnownUser) -> Result<UserId, String> {
        leader::judge(leader).map_err(|problem| problem.message)
    }
}

/// How a profile names the default team leader (their email address or employee ID) when they
/// can lead today; `None` leaves a person without a team leader needing one. A default leader
/// who was deactivated or can no longer manage teams since the admin chose them is not used.
pub fn usable_leader(leader: Option<&KnownUser>) -> Option<String> {
    let leader = leader.filter(|l| leader::judge(l).is_ok())?;
    leader.email_key.clone().or_else(|| leader.employee_id.clone())
}

/// Whether naming `leader` as someone's team leader over a provisioning API makes them able to
/// manage teams: they cannot yet, and they are active (a deactivated leader is refused).
pub fn promotes(leader: &KnownUser) -> bool {
    !leader.can_manage_teams && !leader.deactivated
}

/// The team leader a provisioning write names, when the write promotes them ([`promotes`]):
/// their id, for storage to promote in the same transaction, and `directory` updated so that
/// the profile's checks see them as the leader they are about to be.
pub fn promote_named_leader(profile: &Profile, directory: &mut Directory) -> Option<UserId> {
    let leader = directory.by_reference(profile.team_leader.as_deref()?).filter(|l| !l.can_manage_teams)?;
    let (id, promoted) = (leader.id, promotes(leader));
    // Judged as the leader they are about to be: a deactivated one is refused for that.
    directory.let_lead(id);
    promoted.then_some(id)
}

/// Someone who cannot manage teams, has no team leader and is not deactivated: provisioned
/// without one, they wait for an admin or the identity provider to give them one.
pub fn needs_team_leader(can_manage_teams: bool, has_leader: bool, deactivated: bool) -> bool {
    !can_manage_teams && !has_leader && !deactivated
}

/// "3 people need a team leader", for Manage Team.
pub fn needs_team_leader_label(count: u64) -> String {
    match count {
        1 => "1 person needs a team leader".to_owned(),
        n => format!("{n} people need a team leader"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_flags_a_provider_left_out_take_the_defaults() {
        let defaults = ProvisioningDefaults { chat_channel: true, ..ProvisioningDefaults::default() };
        let mut input = ProfileInput::new().with(Column::PhoneChannel, "y");
        defaults.fill_flags(&mut input, |column| column == Column::PhoneChannel);
        assert_eq!(input.get(Column::PhoneChannel), "y", "sent, so kept");
        assert_eq!(input.get(Column::ChatChannel), "y");
        assert_eq!(input.get(Column::EmailChannel), "n");
        assert_eq!(input.get(Column::CanManageTeams), "n");
    }

    #[test]
    fn a_person_needs_a_team_leader_only_when_active_without_one_and_unable_to_lead() {
        assert!(needs_team_leader(false, false, false));
        assert!(!needs_team_leader(true, false, false), "leaders may head a team of their own");
        assert!(!needs_team_leader(false, true, false));
        assert!(!needs_team_leader(false, false, true), "the deactivated lead no one and need no one");
        assert_eq!(needs_team_leader_label(1), "1 person needs a team leader");
        assert_eq!(needs_team_leader_label(3), "3 people need a team leader");
    }

    #[test]
    fn a_default_team_leader_must_be_able_to_lead() {
        let lena = KnownUser {
            id: UserId(7),
            email_key: Some("lena@acme.test".into()),
            employee_id: None,
            display_name: "Lena Lead".into(),
            can_manage_teams: false,
            deactivated: false,
            leader: None,
            has_reports: false,
        };
        assert!(ProvisioningDefaults::check_leader(&lena).unwrap_err().contains("cannot manage teams"));
        assert_eq!(usable_leader(Some(&lena)), None);
        let lena = KnownUser { can_manage_teams: true, ..lena };
        assert_eq!(ProvisioningDefaults::check_leader(&lena), Ok(UserId(7)));
        assert_eq!(usable_leader(Some(&lena)).as_deref(), Some("lena@acme.test"));
        let gone = KnownUser { deactivated: true, ..lena };
        assert_eq!(usable_leader(Some(&gone)), None, "a leader deactivated since is not used");
    }

    #[test]
    fn a_manager_named_by_a_provider_is_promoted_only_when_active_and_not_yet_a_leader() {
        let grace = KnownUser {
            id: UserId(8),
            email_key: Some("grace@acme.test".into()),
            employee_id: None,
            display_name: "Grace Hopper".into(),
            can_manage_teams: false,
            deactivated: false,
            leader: None,
            has_reports: false,
        };
        assert!(promotes(&grace));
        assert!(!promotes(&KnownUser { can_manage_teams: true, ..grace.clone() }), "already leads");
        assert!(!promotes(&KnownUser { deactivated: true, ..grace }), "refused, not promoted");
    }
}
