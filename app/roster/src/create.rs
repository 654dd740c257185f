//! Bulk create: every row a new user. Field rules come from [`Profile::parse`]; this adds the
//! rules between rows and against existing users: unique identifiers, team leaders named by email
//! or employee ID who exist already or are created in the same file in any row order, no
//! self-reference, no cycles.

use std::borrow::Cow;

use crate::decode::decode;
use crate::fields::{email_key, yes_no};
use crate::hash::{FxHashMap, FxHashSet};
use crate::leader::{self, Looked};
use crate::notice;
use crate::parse::{Record, Table};
use crate::report::{CellProblem, Report, RowKind, RowReport};
use crate::sheet::{Field, FileProblem, Header, Mode, column_letter};
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

impl<'r, 'a> RowCells<'r, 'a> {
    /// A cell with the file's lifetime, so that keys made from it can outlive this view.
    fn file_cell(&self, column: Column) -> &'a str {
        match self.positions[column.index()] {
            Some(position) => crate::write::restore(self.record.cell(position)),
            None => "",
        }
    }
}

impl Cells for RowCells<'_, '_> {
    fn cell(&self, column: Column) -> &str {
        self.file_cell(column)
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
    let positions = header.profile_positions();
    let rows: Vec<RowCells<'_, '_>> = records.iter().map(|record| RowCells { record, positions: &positions }).collect();
    let mut problems: Vec<CellProblem> = Vec::new();
    for record in &records {
        stray_cells(record, &header, &mut problems);
    }
    let profiles = parse_profiles(&rows, org, &mut problems);
    let identifiers = Identifiers::collect(&rows, directory, &mut problems);
    let leaders = resolve_leaders(&rows, &profiles, &identifiers, directory, &mut problems);
    report_circles(&records, &leaders, &mut problems);

    let failed_rows = rows_with_problems(&problems);
    let report_rows: Vec<RowReport> = records
        .iter()
        .map(|record| {
            let kind = if failed_rows.contains(&record.row) { RowKind::Error } else { RowKind::New };
            RowReport { row: record.row, kind, user: None, changes: Vec::new() }
        })
        .collect();
    let mut report = Report::new(problems, report_rows);
    report.notices = notices(&rows, &profiles, &header, org, &failed_rows);
    let plan = (plan == Plan::Build && report.is_clean()).then(|| order_leaders_first(profiles, &records, leaders));
    Checked { report, plan }
}

/// What the admin should know about the rows without problems (`crate::notice`).
fn notices(
    rows: &[RowCells<'_, '_>],
    profiles: &[Option<Profile>],
    header: &Header,
    org: &OrgRules,
    failed_rows: &FxHashSet<usize>,
) -> Vec<CellProblem> {
    let has_role = header.has(Field::Profile(Column::Role));
    rows.iter()
        .zip(profiles)
        .filter(|(row, _)| !failed_rows.contains(&row.record.row))
        .filter_map(|(row, profile)| Some((row, profile.as_ref()?)))
        .flat_map(|(row, profile)| {
            let blank_role = has_role && row.cell(Column::Role).trim().is_empty();
            notice::for_new_user(row.record.row, profile, blank_role, org)
        })
        .collect()
}

/// Every row's profile, checked field by field; `None` where the row has problems.
fn parse_profiles(rows: &[RowCells<'_, '_>], org: &OrgRules, problems: &mut Vec<CellProblem>) -> Vec<Option<Profile>> {
    rows.iter()
        .map(|row| match Profile::parse(row, org) {
            Ok(profile) => Some(profile),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| CellProblem::at(row.record.row, p)));
                None
            }
        })
        .collect()
}

/// The file's email addresses (by key) and employee IDs, each with the first row that has it.
struct Identifiers<'a> {
    by_email: FxHashMap<Cow<'a, str>, usize>,
    by_employee_id: FxHashMap<Cow<'a, str>, usize>,
}

impl<'a> Identifiers<'a> {
    /// Reads the identifiers from the raw cells (so that a row with other problems still counts),
    /// reporting one used twice in the file or already taken by an existing user.
    fn collect(rows: &[RowCells<'_, 'a>], directory: &Directory, problems: &mut Vec<CellProblem>) -> Self {
        let capacity = || FxHashMap::with_capacity_and_hasher(rows.len(), Default::default());
        let mut ids = Identifiers { by_email: capacity(), by_employee_id: capacity() };
        for (index, row) in rows.iter().enumerate() {
            let email = email_key(row.file_cell(Column::EmailAddress).trim());
            let employee_id = Cow::Borrowed(row.file_cell(Column::EmployeeId).trim());
            let kinds = [
                (Column::EmailAddress, Code::DuplicateEmail, email, &mut ids.by_email),
                (Column::EmployeeId, Code::DuplicateEmployeeId, employee_id, &mut ids.by_employee_id),
            ];
            for (column, code, key, seen) in kinds {
                if key.is_empty() {
                    continue;
                }
                let shown = row.cell(column).trim();
                let at = |message: String| CellProblem::at(row.record.row, Problem::new(column, code, message));
                match seen.get(&key) {
                    Some(&first) => problems.push(at(format!(
                        "{column} {shown} is also on row {}; each user needs their own.",
                        rows[first].record.row
                    ))),
                    None => {
                        seen.insert(key.clone(), index);
                    }
                }
                let existing = match column {
                    Column::EmailAddress => directory.by_email_key(&key),
                    _ => directory.by_employee_id(&key),
                };
                if let Some(owner) = existing {
                    problems.push(at(format!(
                        "{shown} already belongs to {}, an existing user; to change existing users, use Bulk Update.",
                        owner.display_name
                    )));
                }
            }
        }
        ids
    }

    /// The row of the file whose user a team-leader reference names.
    fn find(&self, reference: &str) -> Option<usize> {
        self.by_email.get(&email_key(reference)).or_else(|| self.by_employee_id.get(reference)).copied()
    }
}

/// Each row's team leader: an existing user, or a new user of this file in any row.
fn resolve_leaders(
    rows: &[RowCells<'_, '_>],
    profiles: &[Option<Profile>],
    identifiers: &Identifiers<'_>,
    directory: &Directory,
    problems: &mut Vec<CellProblem>,
) -> Vec<Leader> {
    let mut leaders = vec![Leader::None; rows.len()];
    for (index, profile) in profiles.iter().enumerate() {
        let Some(reference) = profile.as_ref().and_then(|p| p.team_leader.as_deref()) else { continue };
        let resolved = if let Some(existing) = directory.by_reference(reference) {
            // An existing user wins: a row in the file with the same identifier is a duplicate anyway.
            leader::judge(existing).map(Leader::Existing)
        } else {
            match identifiers.find(reference) {
                Some(found) if found == index => Err(leader::itself()),
                Some(found) => match yes_no(Column::CanManageTeams, rows[found].cell(Column::CanManageTeams)) {
                    Ok(false) => Err(leader::new_user_cannot_manage_teams(reference, rows[found].record.row)),
                    _ => Ok(Leader::New(found)),
                },
                None => Err(leader::unknown(reference, Looked::FileAndExisting)),
            }
        };
        match resolved {
            Ok(leader) => leaders[index] = leader,
            Err(problem) => problems.push(CellProblem::at(rows[index].record.row, problem)),
        }
    }
    leaders
}

/// A problem on every row of each circle of new users who lead each other.
fn report_circles(records: &[Record<'_>], leaders: &[Leader], problems: &mut Vec<CellProblem>) {
    for circle in cycles(leaders) {
        let rows: Vec<usize> = circle.iter().map(|&i| records[i].row).collect();
        for &row in &rows {
            problems.push(CellProblem::at(row, leader::circle_of_rows(&rows)));
        }
    }
}

/// A bulk-create file's temporary passwords, taken out of it: what the server stores instead of
/// the file as uploaded, so that no password is kept in clear.
#[derive(Debug, Default)]
pub struct TakenPasswords {
    /// The file's text with every Temporary Password cell blank; `None` when there was none to
    /// take (the file is kept as it is).
    pub text: Option<String>,
    /// Each row's temporary password, checked against the policy.
    pub passwords: Vec<(usize, crate::fields::Password)>,
    /// The rows whose temporary password breaks the policy.
    pub problems: Vec<CellProblem>,
}

/// Takes the temporary passwords out of a decoded bulk-create file (see [`TakenPasswords`]).
/// A file without a Temporary Password column, or with every such cell blank, is left alone.
pub fn take_temporary_passwords(text: &str) -> TakenPasswords {
    let table = Table::parse(text);
    let Some(header) = table.record(0) else { return TakenPasswords::default() };
    let Some(column) = header.cells().position(|cell| Column::from_header(cell) == Some(Column::TemporaryPassword))
    else {
        return TakenPasswords::default();
    };
    let mut taken = TakenPasswords::default();
    for record in table.records().skip(1) {
        let raw = crate::write::restore(record.cell(column));
        if raw.is_empty() {
            continue;
        }
        match crate::fields::Password::parse(Column::TemporaryPassword, raw) {
            Ok(password) => taken.passwords.push((record.row, password)),
            Err(problem) => taken.problems.push(CellProblem::at(record.row, problem)),
        }
    }
    if !taken.passwords.is_empty() || !taken.problems.is_empty() {
        taken.text = Some(crate::write::without_column(&table, column));
    }
    taken
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
