//! Bulk update: rows match users by User ID. Untouched rows are no-ops that never block; changed
//! rows are checked with the profile rules and the bulk-update rules (users who can manage teams
//! keep their team leader, cannot be deactivated and cannot lose Can Manage Teams); identifiers
//! must be unique in the final state, so swaps are legal; a row whose user changed since the
//! download is a conflict.

use std::collections::HashMap;

use crate::create::{Checked, row_input, rows_with_problems, table};
use crate::current::{CurrentTeam, CurrentUser};
use crate::decode::decode;
use crate::fields::{yes_no, yes_no_text};
use crate::report::{CellProblem, Change, Report, RowKind, RowReport};
use crate::sheet::{Field, FileProblem, Mode};
use crate::{Code, Column, OrgRules, Problem, Profile, UserId};

/// A user to update: the checked profile, the resolved leader and the version it was read at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserUpdate {
    pub row: usize,
    pub id: UserId,
    pub version: i64,
    pub profile: Profile,
    pub leader: Option<UserId>,
    pub deactivated: bool,
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdatePlan {
    pub users: Vec<UserUpdate>,
}

/// A changed row on its way through the checks.
struct Candidate<'t> {
    row: usize,
    user: &'t CurrentUser,
    profile: Option<Profile>,
    deactivated: bool,
    changes: Vec<Change>,
    /// The team leader after the update (set by the final-state check).
    leader: Option<UserId>,
}

/// Checks a bulk-update file against the current team.
pub fn check_update(bytes: &[u8], org: &OrgRules, team: &CurrentTeam) -> Checked<UpdatePlan> {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(error) => return Checked::failed(vec![FileProblem::new(error.code(), error.to_string())]),
    };
    let parsed = crate::parse::Table::parse(&text);
    let (header, records) = match table(&parsed, Mode::Update, org) {
        Ok(table) => table,
        Err(problems) => return Checked::failed(problems),
    };
    let mut problems: Vec<CellProblem> = Vec::new();
    let mut rows: Vec<RowReport> = Vec::new();
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    let mut seen: HashMap<UserId, usize> = HashMap::new();
    let positions = header.profile_positions();

    for record in &records {
        let row = record.row;
        let cell =
            |field: Field| header.position(field).map(|p| crate::write::restore(record.cell(p)).trim().to_owned());
        let id_text = cell(Field::UserId).unwrap_or_default();
        let user = match id_text.parse::<i64>().ok().and_then(|id| team.get(UserId(id))) {
            Some(user) => user,
            None => {
                let message = if id_text.is_empty() {
                    "This row has no User ID. Bulk Update changes existing users only; add new users with Bulk Create."
                        .to_owned()
                } else {
                    format!(
                        "No user has User ID {}. Bulk Update changes existing users only; add new users with Bulk Create.",
                        crate::fields::shorten(&id_text)
                    )
                };
                problems.push(CellProblem::at_field(row, Field::UserId, "unknown_user_id", message));
                rows.push(RowReport { row, kind: RowKind::Error, user: None, changes: Vec::new() });
                continue;
            }
        };
        if let Some(first) = seen.insert(user.id, row) {
            problems.push(CellProblem::at_field(
                row,
                Field::UserId,
                "duplicate_user_id",
                format!("User ID {} is also on row {first}; keep one row per user.", user.id.0),
            ));
        }

        // What differs from the current values (only columns the file has).
        let mut input = user.cells.clone();
        let mut row_problems = Vec::new();
        let cells = row_input(record, &header, &positions, &mut row_problems);
        problems.extend(row_problems);
        let mut changes = Vec::new();
        for column in Column::ALL {
            if column == Column::TemporaryPassword || !header.has(Field::Profile(column)) {
                continue;
            }
            let new = cells.get(column).trim();
            let old = user.cells.get(column);
            if !same_cell(column, old, new) {
                changes.push(Change { field: Field::Profile(column), old: old.to_owned(), new: new.to_owned() });
                input.set(column, new);
            }
        }
        let mut deactivated = user.deactivated;
        if let Some(text) = cell(Field::Deactivated) {
            match yes_no(Column::CanManageTeams, &text) {
                Ok(value) => {
                    if value != user.deactivated {
                        changes.push(Change {
                            field: Field::Deactivated,
                            old: yes_no_text(user.deactivated).into(),
                            new: yes_no_text(value).into(),
                        });
                        deactivated = value;
                    }
                }
                Err(_) => problems.push(CellProblem::at_field(
                    row,
                    Field::Deactivated,
                    "invalid_yes_no",
                    format!("Deactivated must be y or n, not \"{}\".", crate::fields::shorten(&text)),
                )),
            }
        }
        if changes.is_empty() {
            rows.push(RowReport { row, kind: RowKind::Unchanged, user: Some(user.id), changes });
            continue;
        }
        if let Some(version) = cell(Field::Version)
            && version != user.version.to_string()
        {
            problems.push(CellProblem::at_field(
                row,
                Field::Version,
                "conflict",
                format!(
                    "{} was changed by {} at {} after this file was downloaded; download the current team again and redo this row's changes there.",
                    user.display_name(),
                    user.changed_by,
                    user.changed_at
                ),
            ));
        }
        let profile = match Profile::parse(&input, org) {
            Ok(profile) => Some(profile),
            Err(found) => {
                problems.extend(
                    found
                        .into_iter()
                        .filter(|p| p.column != Column::TemporaryPassword)
                        .map(|p| CellProblem::at(row, p)),
                );
                None
            }
        };
        let at = |column, code, message: &str| CellProblem::at(row, Problem::new(column, code, message));
        if user.can_manage_teams() {
            if let Some(profile) = &profile
                && !profile.can_manage_teams
            {
                problems.push(at(Column::CanManageTeams, Code::CannotRemoveCanManageTeams, "Can Manage Teams cannot be set back to n in a bulk update; change it on the user's profile page once their reports have another team leader."));
            }
            if changes.iter().any(|c| c.field == Field::Profile(Column::TeamLeader)) {
                problems.push(at(Column::TeamLeader, Code::ManagerKeepsLeader, "Users who can manage teams keep their team leader in a bulk update; change it on the user's profile page."));
            }
            if deactivated && !user.deactivated {
                problems.push(CellProblem::at_field(row, Field::Deactivated, "manager_not_deactivated_in_bulk", "Users who can manage teams cannot be deactivated in a bulk update; give their reports another team leader, then deactivate them on their profile page."));
            }
        }
        candidates.push(Candidate { row, user, profile, deactivated, changes, leader: user.leader });
    }

    check_final_state(team, &mut candidates, &mut problems);

    let failed_rows = rows_with_problems(&problems);
    for candidate in &candidates {
        let failed = failed_rows.contains(&candidate.row);
        rows.push(RowReport {
            row: candidate.row,
            kind: if failed { RowKind::Error } else { RowKind::Changed },
            user: Some(candidate.user.id),
            changes: candidate.changes.clone(),
        });
    }
    for row in rows.iter_mut() {
        if row.kind == RowKind::Unchanged && failed_rows.contains(&row.row) {
            row.kind = RowKind::Error;
        }
    }
    rows.sort_by_key(|r| r.row);
    let report = Report::new(problems, rows);
    let plan = report.is_clean().then(|| UpdatePlan {
        users: candidates
            .into_iter()
            .filter_map(|c| {
                Some(UserUpdate {
                    row: c.row,
                    id: c.user.id,
                    version: c.user.version,
                    profile: c.profile?,
                    leader: c.leader,
                    deactivated: c.deactivated,
                    changes: c.changes,
                })
            })
            .collect(),
    });
    Checked { report, plan }
}

/// Cells compare after trimming; y/n cells compare by meaning ("Yes" is "y").
fn same_cell(column: Column, old: &str, new: &str) -> bool {
    let old = old.trim();
    if old == new {
        return true;
    }
    match column {
        Column::CanManageTeams | Column::PhoneChannel | Column::ChatChannel | Column::EmailChannel => {
            matches!((yes_no(column, old), yes_no(column, new)), (Ok(a), Ok(b)) if a == b)
        }
        Column::EmailAddress => old.to_lowercase() == new.to_lowercase() && old == new,
        _ => false,
    }
}

/// Uniqueness, team leaders and cycles over the final state: everyone as they will be once every
/// changed row is applied.
fn check_final_state(team: &CurrentTeam, candidates: &mut [Candidate<'_>], problems: &mut Vec<CellProblem>) {
    #[derive(Clone)]
    struct Final {
        email: Option<String>,
        employee_id: Option<String>,
        can_manage: bool,
        deactivated: bool,
        leader: Option<UserId>,
        name: String,
    }
    let mut finals: HashMap<UserId, Final> = team
        .users()
        .iter()
        .map(|u| {
            let text = |c| Some(u.cells.get(c).trim().to_owned()).filter(|v| !v.is_empty());
            (
                u.id,
                Final {
                    email: text(Column::EmailAddress).map(|e| e.to_lowercase()),
                    employee_id: text(Column::EmployeeId),
                    can_manage: u.can_manage_teams(),
                    deactivated: u.deactivated,
                    leader: u.leader,
                    name: u.display_name(),
                },
            )
        })
        .collect();
    let row_of: HashMap<UserId, usize> = candidates.iter().map(|c| (c.user.id, c.row)).collect();
    for candidate in candidates.iter() {
        if let (Some(profile), Some(state)) = (&candidate.profile, finals.get_mut(&candidate.user.id)) {
            state.email = profile.email.as_ref().map(|e| e.key());
            state.employee_id = profile.employee_id.as_ref().map(|e| e.as_str().to_owned());
            state.can_manage = profile.can_manage_teams;
            state.name = format!("{} {}", profile.first_name.as_str(), profile.last_name.as_str());
        }
        if let Some(state) = finals.get_mut(&candidate.user.id) {
            state.deactivated = candidate.deactivated;
        }
    }

    // Final-state uniqueness: a changed row may not take an identifier someone keeps.
    let mut by_email: HashMap<String, Vec<UserId>> = HashMap::new();
    let mut by_employee_id: HashMap<String, Vec<UserId>> = HashMap::new();
    for (id, state) in &finals {
        if let Some(email) = &state.email {
            by_email.entry(email.clone()).or_default().push(*id);
        }
        if let Some(employee_id) = &state.employee_id {
            by_employee_id.entry(employee_id.clone()).or_default().push(*id);
        }
    }
    for (column, code, owners) in [
        (Column::EmailAddress, Code::DuplicateEmail, &by_email),
        (Column::EmployeeId, Code::DuplicateEmployeeId, &by_employee_id),
    ] {
        for (value, ids) in owners.iter().filter(|(_, ids)| ids.len() > 1) {
            for id in ids {
                let Some(&row) = row_of.get(id) else { continue };
                let others: Vec<String> =
                    ids.iter().filter(|o| *o != id).filter_map(|o| finals.get(o)).map(|s| s.name.clone()).collect();
                problems.push(CellProblem::at(
                    row,
                    Problem::new(
                        column,
                        code,
                        format!(
                            "{value} would also belong to {} after this update; each user needs their own.",
                            others.join(", ")
                        ),
                    ),
                ));
            }
        }
    }

    // Team leaders of changed rows, resolved in the final state.
    let resolve = |reference: &str| -> Option<UserId> {
        let key = reference.to_lowercase();
        by_email.get(&key).or_else(|| by_employee_id.get(reference)).and_then(|ids| (ids.len() == 1).then(|| ids[0]))
    };
    // (index into candidates, user, their team leader after the update)
    let mut new_leaders: Vec<(usize, UserId, Option<UserId>)> = Vec::new();
    for (index, candidate) in candidates.iter().enumerate() {
        let Some(profile) = &candidate.profile else { continue };
        let row = candidate.row;
        let problem = |code, message: String| CellProblem::at(row, Problem::new(Column::TeamLeader, code, message));
        let unchanged_reference = !candidate.changes.iter().any(|c| c.field == Field::Profile(Column::TeamLeader));
        let leader = match &profile.team_leader {
            None => None,
            Some(_) if unchanged_reference => candidate.user.leader,
            Some(reference) => match resolve(reference) {
                None => {
                    problems.push(problem(Code::UnknownTeamLeader, format!("No user has the email address or employee ID \"{}\" after this update; enter the email or employee ID of a team leader.", crate::fields::shorten(reference))));
                    continue;
                }
                Some(id) => Some(id),
            },
        };
        if let Some(id) = leader
            && let Some(state) = finals.get(&id)
        {
            if id == candidate.user.id {
                problems.push(problem(
                    Code::SelfLeader,
                    "A user cannot be their own team leader; enter someone else who can manage teams.".into(),
                ));
                continue;
            }
            if !state.can_manage {
                problems.push(problem(
                    Code::LeaderCannotManageTeams,
                    format!("{} cannot manage teams; choose a team leader whose Can Manage Teams is y.", state.name),
                ));
                continue;
            }
            if state.deactivated && !candidate.deactivated {
                problems.push(problem(
                    Code::LeaderDeactivated,
                    format!("{} is deactivated; choose an active team leader.", state.name),
                ));
                continue;
            }
        }
        new_leaders.push((index, candidate.user.id, leader));
    }
    for (_, id, leader) in &new_leaders {
        if let Some(state) = finals.get_mut(id) {
            state.leader = *leader;
        }
    }
    for (index, id, leader) in new_leaders {
        // Walk up from the new leader; meeting the user again is a circle.
        let mut current = leader;
        let mut steps = 0;
        while let Some(next) = current {
            if next == id {
                if let Some(&row) = row_of.get(&id) {
                    problems.push(CellProblem::at(row, Problem::new(Column::TeamLeader, Code::LeaderCycle, "This team leader reports (directly or not) to this user, which would make a circle; choose a leader outside this user's team.")));
                }
                break;
            }
            steps += 1;
            if steps > finals.len() {
                break;
            }
            current = finals.get(&next).and_then(|s| s.leader);
        }
        if let Some(candidate) = candidates.get_mut(index) {
            candidate.leader = leader;
        }
    }
}

#[cfg(test)]
mod tests;
