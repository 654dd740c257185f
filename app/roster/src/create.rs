//! Bulk create: every row a new user. Field rules come from [`Profile::parse`]; this adds the
//! rules between rows and against existing users: unique identifiers, team leaders named by email
//! or employee ID who exist already or are created in the same file in any row order, no
//! self-reference, no cycles.

use std::borrow::Cow;

use crate::decode::decode;
use crate::fields::{email_key, yes_no};
use crate::hash::{FxHashMap, FxHashSet};
use crate::parse::{Record, Table};
use crate::report::{CellProblem, Report, RowKind, RowReport};
use crate::sheet::{FileProblem, Header, Mode, column_letter};
use crate::{Cells, Code, Column, Directory, OrgRules, Problem, Profile, UserId};

/// Where a new user's team leader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leader {
    None,
    Existing(UserId),
    /// Another new user, by index into [`CreatePlan::users`].
    New(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUserRow {
    pub row: usize,
    pub profile: Profile,
    pub leader: Leader,
}

/// What to insert when the file is clean, leaders before their reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreatePlan {
    pub users: Vec<NewUserRow>,
}

/// A report, and the plan when the report has no errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked<P> {
    pub report: Report,
    pub plan: Option<P>,
}

impl<P> Checked<P> {
    /// The outcome for a file that could not be read at all: its file-level problems, no plan.
    pub fn failed(problems: Vec<FileProblem>) -> Self {
        Checked { report: Report::file_errors(problems), plan: None }
    }
}

/// Reads the header and the non-blank rows of a parsed file.
pub(crate) fn table<'a>(
    parsed: &'a Table<'a>,
    mode: Mode,
    org: &OrgRules,
) -> Result<(Header, Vec<Record<'a>>), Vec<FileProblem>> {
    let Some(first) = parsed.record(0).filter(|r| !r.is_blank()) else {
        return Err(vec![FileProblem::new(
            "missing_header",
            "The first row must be the header row (download the template to get it); this file's first row is empty.",
        )]);
    };
    let header = Header::read(&first, mode, org)?;
    let rows: Vec<Record<'a>> = parsed.records().skip(1).filter(|r| !r.is_blank()).collect();
    if rows.is_empty() {
        return Err(vec![FileProblem::new(
            "no_rows",
            "The file has a header row but no users below it; add one row per user.",
        )]);
    }
    Ok((header, rows))
}

/// A problem for a value beyond the header's last column.
pub(crate) fn stray_cells(record: &Record<'_>, header: &Header, problems: &mut Vec<CellProblem>) {
    if let Some((index, _)) = record.cells().enumerate().skip(header.width()).find(|(_, c)| !c.trim().is_empty()) {
        problems.push(CellProblem {
            row: Some(record.row),
            column: None,
            code: "cell_outside_header".into(),
            message: format!(
                "Row {} has a value in column {}, which has no header; delete it or add the column's header.",
                record.row,
                column_letter(index)
            ),
        });
    }
}

/// A spreadsheet row read in place: cells are borrowed from the file, formulas restored.
struct RowCells<'r, 'a> {
    record: &'r Record<'a>,
    positions: &'r [Option<usize>; Column::ALL.len()],
}

impl Cells for RowCells<'_, '_> {
    fn cell(&self, column: Column) -> &str {
        match self.positions[column.index()] {
            Some(position) => crate::write::restore(self.record.cell(position)),
            None => "",
        }
    }
}

/// Checks a bulk-create file against the organisation and its existing users.
pub fn check_create(bytes: &[u8], org: &OrgRules, directory: &Directory) -> Checked<CreatePlan> {
    match decode(bytes) {
        Ok(text) => check_create_table(&Table::parse(&text), org, directory),
        Err(error) => Checked::failed(vec![FileProblem::new(error.code(), error.to_string())]),
    }
}

/// [`check_create`] on a file already decoded and parsed: the browser runs the steps one at a time
/// so that the page can show progress between them.
pub fn check_create_table(parsed: &Table<'_>, org: &OrgRules, directory: &Directory) -> Checked<CreatePlan> {
    check(parsed, org, directory, Plan::Build)
}

/// The report of [`check_create_table`] without the plan: the same checks, for the browser's
/// preview, which never writes anything.
pub fn report_create_table(parsed: &Table<'_>, org: &OrgRules, directory: &Directory) -> Report {
    check(parsed, org, directory, Plan::Skip).report
}

/// Whether a check builds the plan (the server's commit) or only the report (the browser).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    Build,
    Skip,
}

fn check(parsed: &Table<'_>, org: &OrgRules, directory: &Directory, plan: Plan) -> Checked<CreatePlan> {
    let (header, records) = match table(parsed, Mode::Create, org) {
        Ok(table) => table,
        Err(problems) => return Checked::failed(problems),
    };

    let mut problems: Vec<CellProblem> = Vec::new();
    let positions = header.profile_positions();
    for record in &records {
        stray_cells(record, &header, &mut problems);
    }
    let inputs: Vec<RowCells<'_, '_>> =
        records.iter().map(|record| RowCells { record, positions: &positions }).collect();
    let parsed: Vec<Option<Profile>> = records
        .iter()
        .zip(&inputs)
        .map(|(record, input)| match Profile::parse(input, org) {
            Ok(profile) => Some(profile),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| CellProblem::at(record.row, p)));
                None
            }
        })
        .collect();

    // Identifiers in the file, from the raw cells so that a row with other problems still counts.
    let capacity = || FxHashMap::with_capacity_and_hasher(records.len(), Default::default());
    let mut by_email: FxHashMap<Cow<'_, str>, usize> = capacity();
    let mut by_employee_id: FxHashMap<Cow<'_, str>, usize> = capacity();
    for (index, (record, input)) in records.iter().zip(&inputs).enumerate() {
        let email = email_key(input.cell(Column::EmailAddress).trim());
        let employee_id = Cow::Borrowed(input.cell(Column::EmployeeId).trim());
        let identifiers = [
            (Column::EmailAddress, Code::DuplicateEmail, email, &mut by_email),
            (Column::EmployeeId, Code::DuplicateEmployeeId, employee_id, &mut by_employee_id),
        ];
        for (column, code, key, seen) in identifiers {
            if key.is_empty() {
                continue;
            }
            if let Some(&first) = seen.get(&key) {
                problems.push(CellProblem::at(
                    record.row,
                    Problem::new(
                        column,
                        code,
                        format!(
                            "{column} {} is also on row {}; each user needs their own.",
                            input.cell(column).trim(),
                            records[first].row
                        ),
                    ),
                ));
            } else {
                seen.insert(key.clone(), index);
            }
            let existing = match column {
                Column::EmailAddress => directory.by_email_key(&key),
                _ => directory.by_employee_id(&key),
            };
            if let Some(owner) = existing {
                problems.push(CellProblem::at(
                    record.row,
                    Problem::new(
                        column,
                        code,
                        format!(
                            "{} already belongs to {}, an existing user; to change existing users, use Bulk Update.",
                            input.cell(column).trim(),
                            owner.display_name
                        ),
                    ),
                ));
            }
        }
    }

    // Team leaders: a new user in this file (any row) or an existing one.
    let can_manage = |index: usize| yes_no(Column::CanManageTeams, inputs[index].cell(Column::CanManageTeams)).ok();
    let mut leaders: Vec<Leader> = vec![Leader::None; records.len()];
    for (index, profile) in parsed.iter().enumerate() {
        let Some(reference) = profile.as_ref().and_then(|p| p.team_leader.as_deref()) else { continue };
        let row = records[index].row;
        let problem = |code, message: String| CellProblem::at(row, Problem::new(Column::TeamLeader, code, message));
        // An existing user wins: a row in the file with the same identifier is a duplicate anyway.
        if let Some(leader) = directory.by_reference(reference) {
            if !leader.can_manage_teams {
                problems.push(problem(
                    Code::LeaderCannotManageTeams,
                    format!(
                        "{} cannot manage teams; choose a team leader whose Can Manage Teams is y.",
                        leader.display_name
                    ),
                ));
            } else if leader.deactivated {
                problems.push(problem(
                    Code::LeaderDeactivated,
                    format!("{} is deactivated; choose an active team leader.", leader.display_name),
                ));
            } else {
                leaders[index] = Leader::Existing(leader.id);
            }
            continue;
        }
        match by_email.get(&email_key(reference)).or_else(|| by_employee_id.get(reference)).copied() {
            Some(leader) if leader == index => {
                problems.push(problem(Code::SelfLeader, "A user cannot be their own team leader; enter someone else who can manage teams.".into()));
            }
            Some(leader) => match can_manage(leader) {
                Some(false) => problems.push(problem(
                    Code::LeaderCannotManageTeams,
                    format!("{reference} (row {}) cannot manage teams; set their Can Manage Teams to y or choose another team leader.", records[leader].row),
                )),
                _ => leaders[index] = Leader::New(leader),
            },
            None => problems.push(problem(
                Code::UnknownTeamLeader,
                format!(
                    "No user has the email address or employee ID \"{}\", in this file or already; enter the email or employee ID of a team leader.",
                    crate::fields::shorten(reference)
                ),
            )),
        }
    }
    for cycle in cycles(&leaders) {
        let rows: Vec<String> = cycle.iter().map(|&i| records[i].row.to_string()).collect();
        for &index in &cycle {
            problems.push(CellProblem::at(
                records[index].row,
                Problem::new(
                    Column::TeamLeader,
                    Code::LeaderCycle,
                    format!("Rows {} name each other as team leaders in a circle; someone in it must report to a leader outside it.", rows.join(", ")),
                ),
            ));
        }
    }

    let failed_rows = rows_with_problems(&problems);
    let rows: Vec<RowReport> = records
        .iter()
        .map(|record| {
            let failed = failed_rows.contains(&record.row);
            RowReport {
                row: record.row,
                kind: if failed { RowKind::Error } else { RowKind::New },
                user: None,
                changes: Vec::new(),
            }
        })
        .collect();
    let report = Report::new(problems, rows);
    let plan = (plan == Plan::Build && report.is_clean()).then(|| order_leaders_first(parsed, &records, leaders));
    Checked { report, plan }
}

/// The rows that have at least one problem.
pub(crate) fn rows_with_problems(problems: &[CellProblem]) -> FxHashSet<usize> {
    problems.iter().filter_map(|p| p.row).collect()
}

/// The circles in a leader graph (each new user points at most at one other new user).
fn cycles(leaders: &[Leader]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unseen,
        OnPath,
        Done,
    }
    let mut state = vec![State::Unseen; leaders.len()];
    let mut found = Vec::new();
    let mut path = Vec::new();
    for start in 0..leaders.len() {
        path.clear();
        let mut current = start;
        while state[current] == State::Unseen {
            state[current] = State::OnPath;
            path.push(current);
            match leaders[current] {
                Leader::New(next) => current = next,
                _ => break,
            }
        }
        if state[current] == State::OnPath
            && let Leader::New(_) = leaders[current]
            && let Some(at) = path.iter().position(|&i| i == current)
        {
            let mut cycle = path[at..].to_vec();
            cycle.sort_unstable();
            found.push(cycle);
        }
        for &index in &path {
            state[index] = State::Done;
        }
    }
    found
}

/// Orders new users so that each comes after their new team leader, and renumbers the links.
/// `profiles` has one slot per row, all filled when the report is clean.
fn order_leaders_first(mut profiles: Vec<Option<Profile>>, records: &[Record<'_>], leaders: Vec<Leader>) -> CreatePlan {
    let count = profiles.len();
    let mut order: Vec<usize> = Vec::with_capacity(count);
    let mut placed = vec![false; count];
    fn place(index: usize, leaders: &[Leader], placed: &mut [bool], order: &mut Vec<usize>, chain: &mut Vec<usize>) {
        chain.clear();
        chain.push(index);
        let mut current = index;
        while let Leader::New(next) = leaders[current] {
            if placed[next] || chain.contains(&next) {
                break;
            }
            chain.push(next);
            current = next;
        }
        for &i in chain.iter().rev() {
            if !placed[i] {
                placed[i] = true;
                order.push(i);
            }
        }
    }
    let mut chain = Vec::new();
    for index in 0..count {
        place(index, &leaders, &mut placed, &mut order, &mut chain);
    }
    let mut new_position = vec![0; count];
    for (position, &index) in order.iter().enumerate() {
        new_position[index] = position;
    }
    let users = order
        .iter()
        .filter_map(|&index| {
            Some(NewUserRow {
                row: records[index].row,
                profile: profiles[index].take()?, // each index is placed exactly once
                leader: match leaders[index] {
                    Leader::New(leader) => Leader::New(new_position[leader]),
                    other => other,
                },
            })
        })
        .collect();
    CreatePlan { users }
}

#[cfg(test)]
mod tests;
