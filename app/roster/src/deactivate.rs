//! Deactivating and reactivating users. A leader whose team stays behind is deactivated only once
//! someone else leads that team, so that every active person keeps a valid team leader.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Directory, KnownUser, UserId};

/// Why a deactivation cannot go ahead; each says what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DeactivationError {
    #[error("Choose at least one user to deactivate.")]
    NothingChosen,
    #[error("You cannot deactivate yourself; ask another admin to do it.")]
    Yourself,
    #[error("A chosen user no longer exists in this organisation; reload the page and choose again.")]
    Unknown,
    #[error("{0} is already deactivated; reload the page and choose again.")]
    AlreadyDeactivated(String),
    #[error("{leader} leads {}; choose a new team leader for them.", reports_who_stay(*.reports))]
    NeedsLeader { leader: String, reports: usize },
    #[error("{new_leader} cannot take over {leader}'s team: {reason}")]
    BadReplacement { leader: String, new_leader: String, reason: String },
}

fn reports_who_stay(reports: usize) -> String {
    if reports == 1 { "1 person who stays".to_owned() } else { format!("{reports} people who stay") }
}

/// A team whose leader is being deactivated while its members stay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orphaned {
    pub leader: UserId,
    /// The direct reports that stay active.
    pub reports: Vec<UserId>,
}

/// What a valid deactivation does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub deactivate: Vec<UserId>,
    /// Each staying report and their new team leader.
    pub moves: Vec<(UserId, Option<UserId>)>,
}

fn chosen(selected: &[UserId]) -> BTreeSet<UserId> {
    selected.iter().copied().collect()
}

/// The teams that need a new leader if `selected` are deactivated, by leader.
pub fn orphaned_teams(directory: &Directory, selected: &[UserId]) -> Vec<Orphaned> {
    let set = chosen(selected);
    let mut teams: BTreeMap<UserId, Vec<UserId>> = BTreeMap::new();
    for user in directory.users() {
        if let Some(leader) = user.leader.filter(|l| set.contains(l))
            && !user.deactivated
            && !set.contains(&user.id)
        {
            teams.entry(leader).or_default().push(user.id);
        }
    }
    teams.into_iter().map(|(leader, reports)| Orphaned { leader, reports }).collect()
}

fn name(directory: &Directory, id: UserId) -> String {
    directory.get(id).map(|u| u.display_name.clone()).unwrap_or_else(|| format!("user {}", id.0))
}

/// Checks a deactivation by `actor` (none for an API key) of `selected`, with a new leader for each orphaned team
/// (`replacements`: old leader → new leader), and works out every move. A new leader who was a
/// direct report of the old one steps into the old leader's place.
pub fn plan(
    directory: &Directory,
    actor: Option<UserId>,
    selected: &[UserId],
    replacements: &[(UserId, UserId)],
) -> Result<Plan, Vec<DeactivationError>> {
    let set = chosen(selected);
    let mut errors = Vec::new();
    if set.is_empty() {
        errors.push(DeactivationError::NothingChosen);
    }
    if actor.is_some_and(|actor| set.contains(&actor)) {
        errors.push(DeactivationError::Yourself);
    }
    for &id in &set {
        match directory.get(id) {
            None => {
                if !errors.contains(&DeactivationError::Unknown) {
                    errors.push(DeactivationError::Unknown);
                }
            }
            Some(user) if user.deactivated => {
                errors.push(DeactivationError::AlreadyDeactivated(user.display_name.clone()))
            }
            Some(_) => {}
        }
    }
    let mut moves = Vec::new();
    for team in orphaned_teams(directory, selected) {
        let leader_name = name(directory, team.leader);
        let Some(&(_, new_leader)) = replacements.iter().find(|(old, _)| *old == team.leader) else {
            errors.push(DeactivationError::NeedsLeader { leader: leader_name, reports: team.reports.len() });
            continue;
        };
        let refuse = |reason: &str| DeactivationError::BadReplacement {
            leader: leader_name.clone(),
            new_leader: name(directory, new_leader),
            reason: reason.to_owned(),
        };
        match directory.get(new_leader) {
            None => errors.push(refuse("they are not in this organisation.")),
            Some(user) if user.deactivated => errors.push(refuse("they are deactivated.")),
            Some(_) if set.contains(&new_leader) => errors.push(refuse("they are being deactivated too.")),
            Some(user) if !user.can_manage_teams => {
                errors.push(refuse("they cannot manage teams; set Can Manage Teams to y for them first."))
            }
            Some(_) => {
                for report in team.reports {
                    let to = if report == new_leader {
                        staying_leader_above(directory, team.leader, &set)
                    } else {
                        Some(new_leader)
                    };
                    moves.push((report, to));
                }
            }
        }
    }
    if let Some((report, _)) = moves.iter().find(|(report, _)| in_a_loop(directory, &moves, *report)) {
        let leader = directory.get(*report).and_then(|u| u.leader).map(|l| name(directory, l)).unwrap_or_default();
        let new_leader = moves.iter().find(|(r, _)| r == report).and_then(|(_, to)| *to);
        errors.push(DeactivationError::BadReplacement {
            leader,
            new_leader: new_leader.map(|id| name(directory, id)).unwrap_or_default(),
            reason: "they report to someone in that team, so the team would lead itself; choose one of its direct reports or someone outside it.".into(),
        });
    }
    if errors.is_empty() { Ok(Plan { deactivate: set.into_iter().collect(), moves }) } else { Err(errors) }
}

/// The nearest leader above `leader` who stays active.
fn staying_leader_above(directory: &Directory, leader: UserId, set: &BTreeSet<UserId>) -> Option<UserId> {
    let mut current = directory.get(leader).and_then(|u| u.leader);
    let mut steps = 0;
    while let Some(id) = current {
        let user = directory.get(id)?;
        if !set.contains(&id) && !user.deactivated {
            return Some(id);
        }
        steps += 1;
        if steps > directory.users().len() {
            return None;
        }
        current = user.leader;
    }
    None
}

/// True when, after `moves`, following team leaders up from `start` comes back to it.
fn in_a_loop(directory: &Directory, moves: &[(UserId, Option<UserId>)], start: UserId) -> bool {
    let leader_of = |id: UserId| match moves.iter().find(|(r, _)| *r == id) {
        Some((_, to)) => *to,
        None => directory.get(id).and_then(|u| u.leader),
    };
    let mut current = leader_of(start);
    let mut steps = 0;
    while let Some(id) = current {
        if id == start {
            return true;
        }
        steps += 1;
        if steps > directory.users().len() {
            return true;
        }
        current = leader_of(id);
    }
    false
}

/// What reactivating a user changes besides their status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reactivation {
    /// Their team leader is still active: nothing else changes.
    KeepLeader,
    /// Their team leader was deactivated; they manage teams, so they need none: it is cleared.
    ClearLeader,
}

/// Why a user cannot be reactivated; each says what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ReactivationError {
    #[error("{0} is not deactivated.")]
    NotDeactivated(String),
    #[error(
        "{user}'s team leader, {leader}, is deactivated; give {user} another team leader on this page first, then reactivate."
    )]
    LeaderDeactivated { user: String, leader: String },
}

/// Checks that `user` can be reactivated.
pub fn reactivation(directory: &Directory, user: &KnownUser) -> Result<Reactivation, ReactivationError> {
    if !user.deactivated {
        return Err(ReactivationError::NotDeactivated(user.display_name.clone()));
    }
    match user.leader.and_then(|id| directory.get(id)) {
        Some(leader) if leader.deactivated && user.can_manage_teams => Ok(Reactivation::ClearLeader),
        Some(leader) if leader.deactivated => Err(ReactivationError::LeaderDeactivated {
            user: user.display_name.clone(),
            leader: leader.display_name.clone(),
        }),
        None if user.leader.is_some() => Ok(Reactivation::ClearLeader),
        _ => Ok(Reactivation::KeepLeader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, leader: Option<i64>, manages: bool) -> KnownUser {
        KnownUser {
            id: UserId(id),
            email_key: None,
            employee_id: Some(id.to_string()),
            display_name: format!("U{id}"),
            can_manage_teams: manages,
            deactivated: false,
            leader: leader.map(UserId),
            has_reports: false,
        }
    }

    /// 1 (admin) leads 2 and 3; 2 leads 4 and 5; 5 leads 6. 7 manages teams, alone.
    fn org() -> Directory {
        Directory::new(vec![
            user(1, None, true),
            user(2, Some(1), true),
            user(3, Some(1), false),
            user(4, Some(2), false),
            user(5, Some(2), true),
            user(6, Some(5), false),
            user(7, None, true),
        ])
    }

    const ADMIN: UserId = UserId(1);

    #[test]
    fn people_without_reports_are_deactivated_at_once() {
        let plan = plan(&org(), Some(ADMIN), &[UserId(3), UserId(4)], &[]).unwrap();
        assert_eq!(plan.deactivate, [UserId(3), UserId(4)]);
        assert!(plan.moves.is_empty());
    }

    #[test]
    fn a_leader_with_reports_needs_a_new_leader_for_the_team() {
        assert_eq!(
            orphaned_teams(&org(), &[UserId(2)]),
            [Orphaned { leader: UserId(2), reports: vec![UserId(4), UserId(5)] }]
        );
        let errors = plan(&org(), Some(ADMIN), &[UserId(2)], &[]).unwrap_err();
        assert_eq!(errors, [DeactivationError::NeedsLeader { leader: "U2".into(), reports: 2 }]);
        assert_eq!(errors[0].to_string(), "U2 leads 2 people who stay; choose a new team leader for them.");
        let plan = plan(&org(), Some(ADMIN), &[UserId(2)], &[(UserId(2), UserId(7))]).unwrap();
        assert_eq!(plan.moves, [(UserId(4), Some(UserId(7))), (UserId(5), Some(UserId(7)))]);
    }

    #[test]
    fn a_deputy_promoted_from_the_team_steps_into_the_old_leaders_place() {
        let plan = plan(&org(), Some(ADMIN), &[UserId(2)], &[(UserId(2), UserId(5))]).unwrap();
        assert_eq!(plan.moves, [(UserId(4), Some(UserId(5))), (UserId(5), Some(UserId(1)))]);
    }

    #[test]
    fn a_team_deactivated_together_needs_no_new_leader() {
        let plan = plan(&org(), Some(ADMIN), &[UserId(5), UserId(6)], &[]).unwrap();
        assert!(plan.moves.is_empty());
    }

    #[test]
    fn someone_deeper_in_the_team_cannot_take_it_over() {
        let mut users: Vec<KnownUser> = org().users().to_vec();
        users[5].can_manage_teams = true; // 6, under 5, under 2
        let errors = plan(&Directory::new(users), Some(ADMIN), &[UserId(2)], &[(UserId(2), UserId(6))]).unwrap_err();
        assert!(
            matches!(&errors[..], [DeactivationError::BadReplacement { reason, .. }] if reason.contains("lead itself"))
        );
    }

    #[test]
    fn the_new_leader_must_manage_teams_stay_active_and_exist() {
        let reason = |replacement: i64, selected: &[UserId]| match &plan(
            &org(),
            Some(ADMIN),
            selected,
            &[(UserId(2), UserId(replacement))],
        )
        .unwrap_err()[..]
        {
            [DeactivationError::BadReplacement { reason, .. }] => reason.clone(),
            other => panic!("{other:?}"),
        };
        assert!(reason(3, &[UserId(2)]).contains("cannot manage teams"));
        assert!(reason(7, &[UserId(2), UserId(7)]).contains("being deactivated too"));
        assert!(reason(99, &[UserId(2)]).contains("not in this organisation"));
    }

    #[test]
    fn nobody_deactivates_themselves_or_nobody_or_the_already_deactivated() {
        assert_eq!(plan(&org(), Some(ADMIN), &[], &[]).unwrap_err(), [DeactivationError::NothingChosen]);
        assert!(plan(&org(), Some(ADMIN), &[ADMIN], &[]).unwrap_err().contains(&DeactivationError::Yourself));
        // An API key is nobody in the organisation: "yourself" never applies to it.
        assert!(!plan(&org(), None, &[ADMIN], &[]).unwrap_err().contains(&DeactivationError::Yourself));
        assert_eq!(plan(&org(), Some(ADMIN), &[UserId(42)], &[]).unwrap_err(), [DeactivationError::Unknown]);
        let mut users: Vec<KnownUser> = org().users().to_vec();
        users[2].deactivated = true;
        assert_eq!(
            plan(&Directory::new(users), Some(ADMIN), &[UserId(3)], &[]).unwrap_err(),
            [DeactivationError::AlreadyDeactivated("U3".into())]
        );
    }

    #[test]
    fn reactivation_keeps_an_active_leader_and_refuses_a_deactivated_one() {
        let mut users: Vec<KnownUser> = org().users().to_vec();
        users[3].deactivated = true; // 4 under 2
        assert_eq!(reactivation(&Directory::new(users.clone()), &users[3]), Ok(Reactivation::KeepLeader));
        users[1].deactivated = true; // 2 too
        assert!(
            reactivation(&Directory::new(users.clone()), &users[3])
                .unwrap_err()
                .to_string()
                .contains("U2, is deactivated")
        );
        users[4].deactivated = true; // 5 manages teams: their leader is cleared
        assert_eq!(reactivation(&Directory::new(users.clone()), &users[4]), Ok(Reactivation::ClearLeader));
        assert!(reactivation(&Directory::new(users.clone()), &users[0]).is_err());
    }
}
