//! Bulk update: rows match users by User ID. Untouched rows are no-ops that never block; changed
//! rows are checked with the profile rules and the bulk-update rules (users who can manage teams
//! keep their team leader, cannot be deactivated and cannot lose Can Manage Teams); identifiers
//! must be unique in the final state, so swaps are legal; a row whose user changed since the
//! download is a conflict.
//!
//! A cell counts as changed only when its meaning changes: `Yes` for `y`, another spelling of the
//! same date, the same groups in another order, or the team leader's employee ID instead of their
//! email address are not changes.

use std::borrow::Cow;

use crate::create::{Checked, Plan, rows_with_problems, stray_cells, table};
use crate::current::{CurrentTeam, CurrentUser};
use crate::decode::decode;
use crate::fields::{EmploymentStatus, GroupList, StartDate, email_key, shorten, yes_no, yes_no_text};
use crate::hash::FxHashMap;
use crate::leader::{self, Looked};
use crate::parse::{Record, Table};
use crate::report::{CellProblem, Change, Report, RowKind, RowReport};
use crate::sheet::{Field, FileProblem, Header, Mode};
use crate::write::restore;
use crate::{Cells, Code, Column, OrgRules, Problem, Profile, UserId};
use crate::{merge, notice};

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

/// Checks a bulk-update file against the current team.
pub fn check_update(bytes: &[u8], org: &OrgRules, team: &CurrentTeam) -> Checked<UpdatePlan> {
    match decode(bytes) {
        Ok(text) => check_update_table(&Table::parse(&text), org, team),
        Err(error) => Checked::failed(vec![FileProblem::new(error.code(), error.to_string())]),
    }
}

/// [`check_update`] on a file already decoded and parsed (the browser runs the steps one at a time
/// to show progress between them).
pub fn check_update_table(parsed: &Table<'_>, org: &OrgRules, team: &CurrentTeam) -> Checked<UpdatePlan> {
    check(parsed, org, team, Plan::Build)
}

/// The report of [`check_update_table`] without the plan, for the browser's preview: each row's
/// changes move into the report instead of being copied for a plan that is never used.
pub fn report_update_table(parsed: &Table<'_>, org: &OrgRules, team: &CurrentTeam) -> Report {
    check(parsed, org, team, Plan::Skip).report
}

fn check<'a>(parsed: &'a Table<'a>, org: &OrgRules, team: &CurrentTeam, plan: Plan) -> Checked<UpdatePlan> {
    let (header, records) = match table(parsed, Mode::Update, org) {
        Ok(table) => table,
        Err(problems) => return Checked::failed(problems),
    };
    let mut problems: Vec<CellProblem> = Vec::new();
    let Rows { mut rows, mut candidates, notices: merged } = read_rows(&header, &records, org, team, &mut problems);
    FinalState::new(team, &candidates).check(&mut candidates, &mut problems);
    for candidate in candidates.iter().filter(|c| !c.changes.is_empty()) {
        problems.extend(candidate.conflict());
        problems.extend(candidate.manager_rules());
    }
    let mut notices = notices(team, &candidates, &problems, org);
    notices.extend(merged);
    notices.sort_by_key(|n| n.row);
    let updates = settle(candidates, &mut rows, &problems, plan);
    let mut report = Report::new(problems, rows);
    report.notices = notices;
    let plan = (plan == Plan::Build && report.is_clean()).then_some(UpdatePlan { users: updates });
    Checked { report, plan }
}

/// What the admin should know about the changed rows without problems (`crate::notice`): an email
/// address cleared, a start date far away, a leader left with nobody to lead.
fn notices(
    team: &CurrentTeam,
    candidates: &[Candidate<'_, '_>],
    problems: &[CellProblem],
    org: &OrgRules,
) -> Vec<CellProblem> {
    let failed_rows = rows_with_problems(problems);
    let clean = || candidates.iter().filter(|c| !failed_rows.contains(&c.row));
    let mut found = Vec::new();
    for candidate in clean() {
        let Some(profile) = &candidate.profile else { continue };
        if candidate.changes(Field::Profile(Column::EmailAddress)) && profile.email.is_none() {
            let name = format!("{} {}", profile.first_name.as_str(), profile.last_name.as_str());
            found.push(notice::no_email(candidate.row, &name));
        }
        if candidate.changes(Field::Profile(Column::StartDate)) {
            found.extend(profile.start_date.and_then(|date| notice::start_date(candidate.row, date, org)));
        }
    }
    let active_leader = |deactivated: bool, leader: Option<UserId>| if deactivated { None } else { leader };
    let moves: Vec<notice::Move> = clean()
        .map(|c| notice::Move {
            row: c.row,
            user: c.user.id,
            from: active_leader(c.user.deactivated, c.user.leader),
            to: active_leader(c.deactivated, c.leader),
        })
        .filter(|m| m.from != m.to)
        .collect();
    if !moves.is_empty() {
        let mut reports: FxHashMap<UserId, usize> = FxHashMap::default();
        for leader in team.users().iter().filter_map(|u| active_leader(u.deactivated, u.leader)) {
            *reports.entry(leader).or_default() += 1;
        }
        let row_of: FxHashMap<UserId, usize> = candidates.iter().map(|c| (c.user.id, c.row)).collect();
        let name = |id| team.get(id).map(CurrentUser::display_name).unwrap_or_default();
        found.extend(notice::leaders_left_alone(&moves, &reports, name, |id| row_of.get(&id).copied()));
    }
    found.sort_by_key(|n| n.row);
    found
}

/// The rows read: a report for each unchanged or unknown one, a candidate for each changed one.
struct Rows<'t, 'r> {
    rows: Vec<RowReport>,
    candidates: Vec<Candidate<'t, 'r>>,
    /// Whose values a merged row keeps.
    notices: Vec<CellProblem>,
}

/// Matches each row to its user by User ID, finds what it changes and parses the changed rows'
/// profiles (the file's cells over the user's current values).
fn read_rows<'t, 'r>(
    header: &'r Header,
    records: &'r [Record<'r>],
    org: &OrgRules,
    team: &'t CurrentTeam,
    problems: &mut Vec<CellProblem>,
) -> Rows<'t, 'r> {
    let positions = header.profile_positions();
    let cell = |record: &Record<'r>, field: Field| header.position(field).map(|p| restore(record.cell(p)).trim());
    let mut out = Rows { rows: Vec::with_capacity(records.len()), candidates: Vec::new(), notices: Vec::new() };
    let mut seen: FxHashMap<UserId, usize> = FxHashMap::with_capacity_and_hasher(records.len(), Default::default());
    for record in records {
        let row = record.row;
        stray_cells(record, header, problems);
        let id_text = cell(record, Field::UserId).unwrap_or_default();
        let Some(user) = id_text.parse::<i64>().ok().and_then(|id| team.get(UserId(id))) else {
            problems.push(unknown_user(row, id_text));
            out.rows.push(RowReport { row, kind: RowKind::Error, user: None, changes: Vec::new() });
            continue;
        };
        if let Some(first) = seen.insert(user.id, row) {
            problems.push(CellProblem::at_field(
                row,
                Field::UserId,
                "duplicate_user_id",
                format!("User ID {} is also on row {first}; keep one row per user.", user.id.0),
            ));
        }
        let mut changes = profile_changes(record, &positions, user, org);
        let mut deactivated = match deactivation(row, cell(record, Field::Deactivated), user, problems) {
            Some(change) => {
                let to = change.new == yes_no_text(true);
                changes.push(change);
                to
            }
            None => user.deactivated,
        };
        let version = cell(record, Field::Version);
        // A row of a file downloaded before someone else's change: merged field by field.
        let mut row_positions = positions;
        if let (false, Some(Ok(version))) = (changes.is_empty(), version.map(str::parse::<i64>)) {
            match merge::merge(row, user, version, &mut changes, org) {
                Ok(merged) => {
                    for field in merged.kept_theirs {
                        if let Field::Profile(column) = field {
                            row_positions[column.index()] = None;
                        }
                    }
                    out.notices.extend(merged.notices);
                    problems.extend(merged.problems);
                }
                Err(conflict) => problems.push(conflict),
            }
            if !changes.iter().any(|c| c.field == Field::Deactivated) {
                deactivated = user.deactivated; // theirs kept: the file's cell was the old status
            }
        }
        if changes.is_empty() {
            out.rows.push(RowReport { row, kind: RowKind::Unchanged, user: Some(user.id), changes });
            continue;
        }
        let overlay = Overlay { user, record, positions: &row_positions };
        let profile = match Profile::parse(&overlay, org) {
            Ok(profile) => Some(profile),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| CellProblem::at(row, p)));
                None
            }
        };
        out.candidates.push(Candidate { row, user, profile, deactivated, changes, leader: user.leader, version });
    }
    out
}

/// The profile cells of a row that differ in meaning from the user's current values.
fn profile_changes(
    record: &Record<'_>,
    positions: &[Option<usize>; Column::ALL.len()],
    user: &CurrentUser,
    org: &OrgRules,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for column in Column::ALL {
        let Some(position) = positions[column.index()] else { continue };
        let new = restore(record.cell(position)).trim();
        let old = user.cells.get(column).trim();
        if !same_cell(column, old, new, org) {
            changes.push(Change { field: Field::Profile(column), old: old.to_owned(), new: new.to_owned() });
        }
    }
    changes
}

/// The change of a row's Deactivated cell, if it changes anything.
fn deactivation(row: usize, text: Option<&str>, user: &CurrentUser, problems: &mut Vec<CellProblem>) -> Option<Change> {
    match yes_no(Column::CanManageTeams, text?) {
        Ok(value) if value != user.deactivated => Some(Change {
            field: Field::Deactivated,
            old: yes_no_text(user.deactivated).into(),
            new: yes_no_text(value).into(),
        }),
        Ok(_) => None,
        Err(_) => {
            problems.push(CellProblem::at_field(
                row,
                Field::Deactivated,
                "invalid_yes_no",
                format!("Deactivated must be y or n, not \"{}\".", shorten(text.unwrap_or_default())),
            ));
            None
        }
    }
}

/// Each candidate's row report (changed, unchanged once a no-op change is dropped, or failed), and
/// the updates to make when the plan is built.
fn settle(
    candidates: Vec<Candidate<'_, '_>>,
    rows: &mut Vec<RowReport>,
    problems: &[CellProblem],
    plan: Plan,
) -> Vec<UserUpdate> {
    let failed_rows = rows_with_problems(problems);
    let mut updates = Vec::new();
    for mut candidate in candidates {
        let failed = failed_rows.contains(&candidate.row);
        let kind = match (failed, candidate.changes.is_empty()) {
            (true, _) => RowKind::Error,
            (false, true) => RowKind::Unchanged,
            (false, false) => RowKind::Changed,
        };
        let planned = plan == Plan::Build && kind == RowKind::Changed;
        let changes = if planned { candidate.changes.clone() } else { std::mem::take(&mut candidate.changes) };
        rows.push(RowReport { row: candidate.row, kind, user: Some(candidate.user.id), changes });
        if let (true, Some(profile)) = (planned, candidate.profile) {
            updates.push(UserUpdate {
                row: candidate.row,
                id: candidate.user.id,
                version: candidate.user.version,
                profile,
                leader: candidate.leader,
                deactivated: candidate.deactivated,
                changes: candidate.changes,
            });
        }
    }
    for row in rows.iter_mut().filter(|r| r.kind == RowKind::Unchanged && failed_rows.contains(&r.row)) {
        row.kind = RowKind::Error;
    }
    rows.sort_by_key(|r| r.row);
    updates
}

fn unknown_user(row: usize, id_text: &str) -> CellProblem {
    let message = if id_text.is_empty() {
        "This row has no User ID. Bulk Update changes existing users only; add new users with Bulk Create.".to_owned()
    } else {
        format!(
            "No user has User ID {}. Bulk Update changes existing users only; add new users with Bulk Create.",
            shorten(id_text)
        )
    };
    CellProblem::at_field(row, Field::UserId, "unknown_user_id", message)
}

/// A changed row on its way through the checks.
struct Candidate<'t, 'r> {
    row: usize,
    user: &'t CurrentUser,
    profile: Option<Profile>,
    deactivated: bool,
    changes: Vec<Change>,
    /// The team leader after the update (set by the final-state check).
    leader: Option<UserId>,
    /// The file's Version cell, when the file has the column.
    version: Option<&'r str>,
}

impl Candidate<'_, '_> {
    fn changes(&self, field: Field) -> bool {
        self.changes.iter().any(|c| c.field == field)
    }

    /// A Version cell that is not a number (a stale number is merged in [`read_rows`]).
    fn conflict(&self) -> Option<CellProblem> {
        let version = self.version?;
        version.parse::<i64>().err().map(|_| {
            CellProblem::at_field(
                self.row,
                Field::Version,
                "invalid_version",
                format!(
                    "Version \"{}\" is not the number Download Current Team wrote; keep that column as it was downloaded (download the current team again if it was edited).",
                    shorten(version)
                ),
            )
        })
    }

    /// Users who can manage teams keep the flag and their team leader, and stay active, in bulk.
    fn manager_rules(&self) -> Vec<CellProblem> {
        let mut problems = Vec::new();
        if !self.user.can_manage_teams() {
            return problems;
        }
        let at = |column, code, message: &str| CellProblem::at(self.row, Problem::new(column, code, message));
        if self.profile.as_ref().is_some_and(|p| !p.can_manage_teams) {
            problems.push(at(Column::CanManageTeams, Code::CannotRemoveCanManageTeams, "Can Manage Teams cannot be set back to n in a bulk update; change it on the user's profile page once their reports have another team leader."));
        }
        if self.changes(Field::Profile(Column::TeamLeader)) {
            problems.push(at(Column::TeamLeader, Code::ManagerKeepsLeader, "Users who can manage teams keep their team leader in a bulk update; change it on the user's profile page."));
        }
        if self.deactivated && !self.user.deactivated {
            problems.push(CellProblem::at_field(self.row, Field::Deactivated, "manager_not_deactivated_in_bulk", "Users who can manage teams cannot be deactivated in a bulk update; give their reports another team leader, then deactivate them on their profile page."));
        }
        problems
    }
}

/// A changed row read through: the file's cells where the file has the column, the user's
/// current values elsewhere.
struct Overlay<'r, 'a> {
    user: &'r CurrentUser,
    record: &'r Record<'a>,
    positions: &'r [Option<usize>; Column::ALL.len()],
}

impl Cells for Overlay<'_, '_> {
    fn cell(&self, column: Column) -> &str {
        match self.positions[column.index()] {
            Some(position) => restore(self.record.cell(position)),
            None => self.user.cells.get(column),
        }
    }
}

/// True when a cell says the same as the current value (both trimmed).
pub(crate) fn same_cell(column: Column, old: &str, new: &str, org: &OrgRules) -> bool {
    if old == new {
        return true;
    }
    match column {
        Column::CanManageTeams | Column::PhoneChannel | Column::ChatChannel | Column::EmailChannel => {
            matches!((yes_no(column, old), yes_no(column, new)), (Ok(a), Ok(b)) if a == b)
        }
        Column::Role => org.role(new).is_some_and(|role| role.name == old),
        Column::EmploymentStatus => {
            matches!((EmploymentStatus::parse(old), EmploymentStatus::parse(new)), (Ok(a), Ok(b)) if a == b)
        }
        Column::StartDate => matches!(
            (StartDate::parse(old, org.date_format), StartDate::parse(new, org.date_format)),
            (Ok(a), Ok(b)) if a == b
        ),
        Column::GroupAssignments => match (GroupList::parse(old), GroupList::parse(new)) {
            (Ok(a), Ok(b)) => {
                let (mut a, mut b) = (a.names().to_vec(), b.names().to_vec());
                a.sort_unstable();
                b.sort_unstable();
                a == b
            }
            _ => false,
        },
        _ => false,
    }
}

/// Everyone as they will be once every changed row is applied: who owns which identifier, and
/// where each candidate is.
struct FinalState<'t> {
    team: &'t CurrentTeam,
    by_email: FxHashMap<Cow<'t, str>, UserId>,
    by_employee_id: FxHashMap<Cow<'t, str>, UserId>,
    /// Identifiers more than one user would have: (column, identifier, owners).
    clashes: Vec<(Column, String, Vec<UserId>)>,
    candidate_of: FxHashMap<UserId, usize>,
}

impl<'t> FinalState<'t> {
    fn new(team: &'t CurrentTeam, candidates: &[Candidate<'t, '_>]) -> FinalState<'t> {
        let candidate_of: FxHashMap<UserId, usize> =
            candidates.iter().enumerate().map(|(index, c)| (c.user.id, index)).collect();
        let capacity = team.users().len();
        let mut state = FinalState {
            team,
            by_email: FxHashMap::with_capacity_and_hasher(capacity, Default::default()),
            by_employee_id: FxHashMap::with_capacity_and_hasher(capacity, Default::default()),
            clashes: Vec::new(),
            candidate_of,
        };
        for user in team.users() {
            let profile = state.candidate_of.get(&user.id).and_then(|&i| candidates[i].profile.as_ref());
            let (email, employee_id): (Option<Cow<'t, str>>, Option<Cow<'t, str>>) = match profile {
                Some(profile) => (
                    profile.email.as_ref().map(|e| Cow::Owned(e.key())),
                    profile.employee_id.as_ref().map(|e| Cow::Owned(e.as_str().to_owned())),
                ),
                None => {
                    let text = |column| Some(user.cells.get(column).trim()).filter(|v| !v.is_empty());
                    (text(Column::EmailAddress).map(email_key), text(Column::EmployeeId).map(Cow::Borrowed))
                }
            };
            if let Some(email) = email {
                claim(&mut state.by_email, &mut state.clashes, Column::EmailAddress, email, user.id);
            }
            if let Some(employee_id) = employee_id {
                claim(&mut state.by_employee_id, &mut state.clashes, Column::EmployeeId, employee_id, user.id);
            }
        }
        state
    }

    /// The user a team-leader reference names after the update.
    fn resolve(&self, reference: &str) -> Option<UserId> {
        let reference = reference.trim();
        self.by_email.get(email_key(reference).as_ref()).or_else(|| self.by_employee_id.get(reference)).copied()
    }

    fn name(&self, candidates: &[Candidate<'_, '_>], id: UserId) -> String {
        match self.candidate_of.get(&id).and_then(|&i| candidates[i].profile.as_ref()) {
            Some(p) => format!("{} {}", p.first_name.as_str(), p.last_name.as_str()),
            None => self.team.get(id).map(CurrentUser::display_name).unwrap_or_default(),
        }
    }

    fn can_manage(&self, candidates: &[Candidate<'_, '_>], id: UserId) -> bool {
        match self.candidate_of.get(&id).and_then(|&i| candidates[i].profile.as_ref()) {
            Some(p) => p.can_manage_teams,
            None => self.team.get(id).is_some_and(CurrentUser::can_manage_teams),
        }
    }

    /// Whether a user will be deactivated. A deactivation the bulk rules refuse (of someone who
    /// can manage teams) is reported once, on its own row, and not held against their reports.
    fn deactivated(&self, candidates: &[Candidate<'_, '_>], id: UserId) -> bool {
        match self.candidate_of.get(&id) {
            Some(&i) => {
                let candidate = &candidates[i];
                let refused = candidate.user.can_manage_teams() && !candidate.user.deactivated;
                candidate.deactivated && !refused
            }
            None => self.team.get(id).is_some_and(|u| u.deactivated),
        }
    }

    fn leader(&self, candidates: &[Candidate<'_, '_>], id: UserId) -> Option<UserId> {
        match self.candidate_of.get(&id) {
            Some(&i) => candidates[i].leader,
            None => self.team.get(id).and_then(|u| u.leader),
        }
    }

    /// A candidate's team leader after the update, or why it cannot be: the same leader when the
    /// row leaves the cell as it means, otherwise the user the reference names then, who must be
    /// someone else, able to manage teams and active (unless the candidate is being deactivated).
    fn judge_leader(
        &self,
        candidates: &[Candidate<'_, '_>],
        candidate: &Candidate<'_, '_>,
        profile: &Profile,
    ) -> Result<Option<UserId>, Problem> {
        let id = match &profile.team_leader {
            Some(_) if !candidate.changes(Field::Profile(Column::TeamLeader)) => candidate.user.leader,
            None => None,
            Some(reference) => {
                Some(self.resolve(reference).ok_or_else(|| leader::unknown(reference, Looked::AfterUpdate))?)
            }
        };
        let Some(id) = id else { return Ok(None) };
        if id == candidate.user.id {
            return Err(leader::itself());
        }
        if !self.can_manage(candidates, id) {
            return Err(leader::cannot_manage_teams(&self.name(candidates, id)));
        }
        if self.deactivated(candidates, id) && !candidate.deactivated {
            return Err(leader::deactivated(&self.name(candidates, id)));
        }
        Ok(Some(id))
    }

    /// Uniqueness, team leaders and circles over the final state. Sets each candidate's leader, and
    /// drops a Team Leader "change" that names the same leader another way.
    fn check(&self, candidates: &mut [Candidate<'_, '_>], problems: &mut Vec<CellProblem>) {
        for (column, value, owners) in &self.clashes {
            let code = if *column == Column::EmailAddress { Code::DuplicateEmail } else { Code::DuplicateEmployeeId };
            for id in owners {
                let Some(&index) = self.candidate_of.get(id) else { continue };
                let others: Vec<String> =
                    owners.iter().filter(|o| *o != id).map(|o| self.name(candidates, *o)).collect();
                problems.push(CellProblem::at(
                    candidates[index].row,
                    Problem::new(
                        *column,
                        code,
                        format!(
                            "{value} would also belong to {} after this update; each user needs their own.",
                            others.join(", ")
                        ),
                    ),
                ));
            }
        }

        let mut resolved: Vec<(usize, Option<UserId>)> = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            let Some(profile) = &candidate.profile else { continue };
            match self.judge_leader(candidates, candidate, profile) {
                Ok(leader) => resolved.push((index, leader)),
                Err(problem) => problems.push(CellProblem::at(candidate.row, problem)),
            }
        }
        for &(index, leader) in &resolved {
            let candidate = &mut candidates[index];
            candidate.leader = leader;
            if leader == candidate.user.leader {
                candidate.changes.retain(|c| c.field != Field::Profile(Column::TeamLeader));
            }
        }
        for (index, leader) in resolved {
            let id = candidates[index].user.id;
            if leader == candidates[index].user.leader {
                continue;
            }
            // Walk up from the new leader; meeting the user again is a circle.
            let mut current = leader;
            let mut steps = 0;
            while let Some(next) = current {
                if next == id {
                    problems.push(CellProblem::at(candidates[index].row, leader::circle()));
                    break;
                }
                steps += 1;
                if steps > self.team.users().len() {
                    break; // an existing circle elsewhere; never loop forever
                }
                current = self.leader(candidates, next);
            }
        }
    }
}

/// Records that `id` will own `key`; a key someone else owns already becomes a clash.
fn claim<'t>(
    owners: &mut FxHashMap<Cow<'t, str>, UserId>,
    clashes: &mut Vec<(Column, String, Vec<UserId>)>,
    column: Column,
    key: Cow<'t, str>,
    id: UserId,
) {
    if let Some(&owner) = owners.get(&key) {
        match clashes.iter_mut().find(|(c, value, _)| *c == column && value.as_str() == key.as_ref()) {
            Some((_, _, ids)) => ids.push(id),
            None => clashes.push((column, key.into_owned(), vec![owner, id])),
        }
    } else {
        owners.insert(key, id);
    }
}

#[cfg(test)]
mod tests;
