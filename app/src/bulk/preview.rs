//! The browser's preview of a checked file, as plain data: which rows there are, which have
//! problems, what each visible cell shows, and which rows a scrolled table needs in the DOM. The
//! component only renders what this computes.

use std::ops::Range;

use roster::OrgRules;
use roster::parse::Table;
use roster::report::{CellProblem, Change, Counts, Report, RowKind};
use roster::sheet::{Field, Mode};
use roster::stray::{Meaning, StrayColumn, fields_for, meaning_of, stray_columns};

/// Which rows the table shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Filter {
    #[default]
    All,
    Errors,
    Changes,
    /// Rows that change something or have errors: what a bulk update shows first.
    ChangesAndErrors,
    /// Rows with notices (`roster::notice`).
    Notices,
}

impl Filter {
    pub fn value(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Errors => "errors",
            Filter::Changes => "changes",
            Filter::ChangesAndErrors => "changes-and-errors",
            Filter::Notices => "notices",
        }
    }

    pub fn from_value(value: &str) -> Filter {
        [Filter::Errors, Filter::Changes, Filter::ChangesAndErrors, Filter::Notices]
            .into_iter()
            .find(|f| f.value() == value)
            .unwrap_or(Filter::All)
    }
}

/// A data row of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreviewRow {
    /// The row number the spreadsheet shows.
    pub row: usize,
    pub kind: RowKind,
    /// Its problems are `errors[first_error..first_error + error_count]`.
    first_error: u32,
    error_count: u32,
    /// Its changes are `changes[first_change..first_change + change_count]`.
    first_change: u32,
    change_count: u32,
    /// Its notices are `notices[first_notice..first_notice + notice_count]`.
    first_notice: u32,
    notice_count: u32,
}

impl PreviewRow {
    pub fn has_errors(&self) -> bool {
        self.error_count > 0
    }
}

/// A cell as the table shows it: the value, what it was before (when the row changes it), and the
/// problems with it (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewCell {
    pub value: String,
    pub old: Option<String>,
    pub problems: Vec<String>,
    /// What the admin should know about the value, which does not stop the file.
    pub notices: Vec<String>,
}

/// A file's header row as the preview shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Heading {
    /// The header cells, as written.
    pub cells: Vec<String>,
    /// Each header cell's column name as problems name it (`None` for a column the rules ignore).
    columns: Vec<Option<&'static str>>,
    /// The headers Roster does not know, with what they most likely mean.
    pub strays: Vec<StrayColumn>,
}

impl Heading {
    /// Each non-empty header cell's index and name: the column's own name when Roster knows it
    /// ("Chat Channel" for "*Chat channel"), otherwise as written.
    pub fn names(&self) -> Vec<(usize, String)> {
        self.cells
            .iter()
            .zip(&self.columns)
            .enumerate()
            .filter(|(_, (cell, _))| !cell.trim().is_empty())
            .map(|(index, _)| (index, self.name(index)))
            .collect()
    }

    /// The name of the column at `index` (as [`Heading::names`] gives it).
    pub fn name(&self, index: usize) -> String {
        match self.columns.get(index).copied().flatten() {
            Some(name) => name.to_owned(),
            None => self.cells.get(index).map(|cell| cell.trim().to_owned()).unwrap_or_default(),
        }
    }

    /// The header row of `table`, read with the organisation's remembered names.
    pub fn read(table: &Table<'_>, mode: Mode, org: &OrgRules) -> Heading {
        let Some(record) = table.record(0) else { return Heading::default() };
        let column = |cell: &str| match meaning_of(cell, org) {
            Some(Meaning::Field(field)) => Some(field.header()),
            _ => None,
        };
        Heading {
            cells: record.cells().map(str::to_owned).collect(),
            columns: record.cells().map(column).collect(),
            strays: stray_columns(&record, mode, org),
        }
    }
}

/// One answer to "what does this column hold?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// A [`Meaning::key`].
    pub key: &'static str,
    pub label: String,
}

impl Heading {
    /// What a stray column may be said to hold: its suggestions first, then "ignore", then every
    /// other column the file does not have yet.
    pub fn choices(&self, mode: Mode, stray: &StrayColumn) -> Vec<Choice> {
        let has = |field: Field| self.columns.contains(&Some(field.header()));
        let suggested = stray
            .suggestions
            .iter()
            .map(|field| Choice { key: field.key(), label: format!("{} (suggested)", field.header()) });
        let ignore = Choice { key: Meaning::Ignore.key(), label: "Nothing Roster needs: ignore this column".into() };
        let others = fields_for(mode)
            .into_iter()
            .filter(|field| !has(*field) && !stray.suggestions.contains(field))
            .map(|field| Choice { key: field.key(), label: field.header().to_owned() });
        suggested.chain([ignore]).chain(others).collect()
    }
}

/// One line of a row shown in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowLine {
    /// A problem at a column (or "The row" for the whole row).
    Problem { place: String, message: String },
    /// A notice at a column.
    Notice { place: String, message: String },
    /// A change the row makes.
    Change { column: &'static str, old: String, new: String },
}

/// A checked file, ready to show.
#[derive(Clone)]
pub struct Preview {
    pub file_name: String,
    table: Table<'static>,
    pub heading: Heading,
    pub counts: Counts,
    /// Problems with the file as a whole.
    pub file_errors: Vec<CellProblem>,
    /// Problems with rows, in row order.
    errors: Vec<CellProblem>,
    /// Notices, in row order.
    notices: Vec<CellProblem>,
    changes: Vec<Change>,
    rows: Vec<PreviewRow>,
    error_rows: Vec<u32>,
    changed_rows: Vec<u32>,
    pending_rows: Vec<u32>,
    noted_rows: Vec<u32>,
}

/// A row of a report, as the preview starts from it.
pub struct RowStart {
    pub row: usize,
    pub kind: RowKind,
    pub changes: Vec<Change>,
}

impl Preview {
    /// The preview of a parsed file, its problems and its rows.
    pub fn new(
        file_name: String,
        table: Table<'static>,
        heading: Heading,
        counts: Counts,
        problems: Vec<CellProblem>,
        mut notices: Vec<CellProblem>,
        mut starts: Vec<RowStart>,
    ) -> Preview {
        let (file_errors, mut errors): (Vec<CellProblem>, Vec<CellProblem>) =
            problems.into_iter().partition(|p| p.row.is_none());
        errors.sort_by_key(|p| p.row);
        notices.sort_by_key(|p| p.row);
        starts.sort_by_key(|r| r.row);
        let mut preview = Preview {
            file_name,
            table,
            heading,
            counts,
            file_errors,
            errors,
            notices,
            changes: Vec::new(),
            rows: Vec::with_capacity(starts.len()),
            error_rows: Vec::new(),
            changed_rows: Vec::new(),
            pending_rows: Vec::new(),
            noted_rows: Vec::new(),
        };
        let mut next = 0;
        let mut next_notice = 0;
        for (index, start) in starts.into_iter().enumerate() {
            let errors = &preview.errors;
            while next < errors.len() && errors[next].row < Some(start.row) {
                next += 1; // a problem on a row the preview does not have (cannot happen; never loop)
            }
            let first_error = next;
            while next < errors.len() && errors[next].row == Some(start.row) {
                next += 1;
            }
            let has_errors = next > first_error;
            let notices = &preview.notices;
            while next_notice < notices.len() && notices[next_notice].row < Some(start.row) {
                next_notice += 1;
            }
            let first_notice = next_notice;
            while next_notice < notices.len() && notices[next_notice].row == Some(start.row) {
                next_notice += 1;
            }
            let kind = match start.kind {
                _ if has_errors => RowKind::Error,
                RowKind::Error if start.changes.is_empty() => RowKind::Unchanged,
                RowKind::Error => RowKind::Changed,
                kind => kind,
            };
            let first_change = preview.changes.len();
            let change_count = start.changes.len();
            preview.changes.extend(start.changes);
            preview.rows.push(PreviewRow {
                row: start.row,
                kind,
                first_error: first_error as u32,
                error_count: (next - first_error) as u32,
                first_change: first_change as u32,
                change_count: change_count as u32,
                first_notice: first_notice as u32,
                notice_count: (next_notice - first_notice) as u32,
            });
            let index = index as u32;
            if has_errors {
                preview.error_rows.push(index);
            }
            if change_count > 0 && !has_errors {
                preview.changed_rows.push(index);
            }
            if change_count > 0 || has_errors {
                preview.pending_rows.push(index);
            }
            if next_notice > first_notice {
                preview.noted_rows.push(index);
            }
        }
        preview
    }

    /// The preview of a report made in the browser, under the file's `heading`.
    pub fn from_report(file_name: String, table: Table<'static>, heading: Heading, report: Report) -> Preview {
        let starts =
            report.rows.into_iter().map(|r| RowStart { row: r.row, kind: r.kind, changes: r.changes }).collect();
        Preview::new(file_name, table, heading, report.counts, report.errors, report.notices, starts)
    }

    /// The same file with the problems the server found when it checked again.
    pub fn with_server_errors(&self, counts: Counts, problems: Vec<CellProblem>) -> Preview {
        let starts = self
            .rows
            .iter()
            .map(|r| RowStart { row: r.row, kind: r.kind, changes: self.changes_of(*r).to_vec() })
            .collect();
        let (table, heading, notices) = (self.table.clone(), self.heading.clone(), self.notices.clone());
        Preview::new(self.file_name.clone(), table, heading, counts, problems, notices, starts)
    }

    /// The file as checked (with any corrections).
    pub fn table(&self) -> &Table<'static> {
        &self.table
    }

    /// The rows where a field both the file and someone else changed awaits the admin's choice.
    pub fn rows_to_settle(&self) -> Vec<usize> {
        let mut rows: Vec<usize> =
            self.errors.iter().filter(|p| p.code == roster::merge::BOTH_SIDES).filter_map(|p| p.row).collect();
        rows.dedup();
        rows
    }

    pub fn is_clean(&self) -> bool {
        self.file_errors.is_empty() && self.errors.is_empty()
    }

    /// The rows a filter picks, as indices into all rows (`None` for all of them).
    fn picked(&self, filter: Filter) -> Option<&[u32]> {
        match filter {
            Filter::All => None,
            Filter::Errors => Some(&self.error_rows),
            Filter::Changes => Some(&self.changed_rows),
            Filter::ChangesAndErrors => Some(&self.pending_rows),
            Filter::Notices => Some(&self.noted_rows),
        }
    }

    /// How many rows the filter shows.
    pub fn len(&self, filter: Filter) -> usize {
        self.picked(filter).map_or(self.rows.len(), <[u32]>::len)
    }

    pub fn is_empty(&self, filter: Filter) -> bool {
        self.len(filter) == 0
    }

    /// The `index`th row the filter shows.
    pub fn row(&self, filter: Filter, index: usize) -> Option<PreviewRow> {
        let index = match self.picked(filter) {
            None => index,
            Some(picked) => *picked.get(index)? as usize,
        };
        self.rows.get(index).copied()
    }

    /// Where a spreadsheet row is among the rows the filter shows.
    pub fn position_of(&self, filter: Filter, row: usize) -> Option<usize> {
        let index = self.rows.binary_search_by_key(&row, |r| r.row).ok()?;
        match self.picked(filter) {
            None => Some(index),
            Some(picked) => picked.binary_search(&(index as u32)).ok(),
        }
    }

    /// A row's changes, old → new.
    pub fn changes_of(&self, row: PreviewRow) -> &[Change] {
        let start = row.first_change as usize;
        self.changes.get(start..start + row.change_count as usize).unwrap_or_default()
    }

    /// A row's problems.
    pub fn problems(&self, row: PreviewRow) -> &[CellProblem] {
        let start = row.first_error as usize;
        self.errors.get(start..start + row.error_count as usize).unwrap_or_default()
    }

    /// The row with spreadsheet number `row`, if the file has it.
    pub fn row_numbered(&self, row: usize) -> Option<PreviewRow> {
        let index = self.rows.binary_search_by_key(&row, |r| r.row).ok()?;
        self.rows.get(index).copied()
    }

    /// Everything about a row in full, as lines to read without hovering: each problem at its
    /// column, then each change old → new.
    pub fn row_lines(&self, row: PreviewRow) -> Vec<RowLine> {
        let place = |p: &CellProblem| p.column.clone().unwrap_or_else(|| "The row".into());
        let problems =
            self.problems(row).iter().map(|p| RowLine::Problem { place: place(p), message: p.message.clone() });
        let notices = self.notices(row).iter().map(|p| RowLine::Notice { place: place(p), message: p.message.clone() });
        let changes = self.changes_of(row).iter().map(|c| RowLine::Change {
            column: c.field.header(),
            old: c.old.clone(),
            new: c.new.clone(),
        });
        problems.chain(notices).chain(changes).collect()
    }

    /// A row's notices.
    pub fn notices(&self, row: PreviewRow) -> &[CellProblem] {
        let start = row.first_notice as usize;
        self.notices.get(start..start + row.notice_count as usize).unwrap_or_default()
    }

    /// Every problem with a row, in row order (for the list of errors).
    pub fn row_problems(&self) -> &[CellProblem] {
        &self.errors
    }

    /// A row's cells under the file's header, each with its problems.
    pub fn cells(&self, row: PreviewRow) -> Vec<PreviewCell> {
        let record = self.table.record_at_row(row.row);
        let problems = self.problems(row);
        let notices = self.notices(row);
        let changes = self.changes_of(row);
        let at = |found: &[CellProblem], column: &Option<&str>| -> Vec<String> {
            found
                .iter()
                .filter(|p| p.column.is_some() && p.column.as_deref() == *column)
                .map(|p| p.message.clone())
                .collect()
        };
        self.heading
            .columns
            .iter()
            .enumerate()
            .map(|(index, column)| PreviewCell {
                value: record.map(|r| roster::write::restore(r.cell(index)).to_owned()).unwrap_or_default(),
                old: column.and_then(|name| changes.iter().find(|c| c.field.header() == name)).map(|c| c.old.clone()),
                problems: at(problems, column),
                notices: at(notices, column),
            })
            .collect()
    }

    /// A row's problems that belong to no column of the file (a missing column, a stray cell).
    pub fn row_messages(&self, row: PreviewRow) -> Vec<String> {
        self.problems(row)
            .iter()
            .filter(|p| {
                p.column.is_none() || !self.heading.columns.iter().any(|c| c.is_some() && *c == p.column.as_deref())
            })
            .map(|p| p.message.clone())
            .collect()
    }

    /// A row's notices that belong to no column of the file (a leader noted on a file without
    /// Can Manage Teams).
    pub fn row_notices(&self, row: PreviewRow) -> Vec<String> {
        let placed = |p: &&CellProblem| self.heading.columns.iter().any(|c| c.is_some() && *c == p.column.as_deref());
        self.notices(row).iter().filter(|p| !placed(p)).map(|p| p.message.clone()).collect()
    }

    /// How many rows have notices.
    pub fn noted(&self) -> usize {
        self.noted_rows.len()
    }

    /// The file with an added Errors column, as Excel's Unicode Text.
    pub fn error_report(&self) -> Vec<u8> {
        let mut errors = self.file_errors.clone();
        errors.extend(self.errors.iter().cloned());
        let report = Report { counts: self.counts, errors, ..Report::default() };
        roster::write::error_report(self.table.text(), &report)
    }
}

/// The rows a scrolled list of fixed-height rows needs in the DOM: those in view, plus `overscan`
/// either side.
pub fn window(scroll_top: f64, viewport: f64, row_height: f64, total: usize, overscan: usize) -> Range<usize> {
    if total == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let visible = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(total);
    let end = (first + visible + overscan).min(total);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::create::check_create;
    use roster::{Column, Directory};

    const HEADER: &str = "Can Manage Teams\tEmail Address\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader";

    fn preview(rows: &[&str]) -> Preview {
        let text = format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"));
        let bytes = roster::write::utf16le(&text);
        let report = check_create(&bytes, &OrgRules::with_default_roles(), &Directory::default()).report;
        let table = Table::parse_owned(roster::decode::decode(&bytes).unwrap());
        let heading = Heading::read(&table, Mode::Create, &OrgRules::with_default_roles());
        Preview::from_report("team.txt".into(), table, heading, report)
    }

    #[test]
    fn each_cell_shows_its_value_and_the_problems_at_its_column() {
        let preview = preview(&[
            "y\tboss@acme.test\tAda\tLovelace\ty\ty\ty\t",
            "n\tnot-an-email\tGrace\tHopper\ty\ty\ty\tboss@acme.test",
        ]);
        assert_eq!(preview.counts.errors, 1);
        assert!(!preview.is_clean());
        let bad = preview.row(Filter::All, 1).unwrap();
        assert_eq!(bad.row, 3);
        let cells = preview.cells(bad);
        assert_eq!(cells[1].value, "not-an-email");
        let lines = preview.row_lines(bad);
        let [RowLine::Problem { place, message }] = lines.as_slice() else { panic!("one line: {lines:?}") };
        assert_eq!(place, "Email Address");
        assert!(message.starts_with("\"not-an-email\" is not a valid email address"), "the whole message: {message}");
        assert_eq!(preview.row_numbered(3), Some(bad));
        assert_eq!(cells[1].problems.len(), 1, "the email cell carries the problem");
        assert!(cells[2].problems.is_empty());
        assert!(preview.cells(preview.row(Filter::All, 0).unwrap()).iter().all(|c| c.problems.is_empty()));
    }

    #[test]
    fn the_errors_filter_shows_only_rows_with_problems_and_finds_them_by_row_number() {
        let preview = preview(&[
            "y\tboss@acme.test\tAda\tLovelace\ty\ty\ty\t",
            "n\ta@acme.test\t\tHopper\ty\ty\ty\tboss@acme.test",
            "n\tb@acme.test\tAlan\tTuring\ty\ty\ty\tboss@acme.test",
            "n\tc@acme.test\tEdsger\tDijkstra\tmaybe\ty\ty\tboss@acme.test",
        ]);
        assert_eq!(preview.len(Filter::All), 4);
        assert_eq!(preview.len(Filter::Errors), 2);
        assert_eq!(preview.row(Filter::Errors, 1).map(|r| r.row), Some(5));
        assert_eq!(preview.position_of(Filter::Errors, 5), Some(1));
        assert_eq!(preview.position_of(Filter::Errors, 4), None, "row 4 has no problem");
        assert_eq!(preview.position_of(Filter::All, 4), Some(2));
    }

    #[test]
    fn the_servers_errors_replace_the_browsers() {
        let preview = preview(&["y\tboss@acme.test\tAda\tLovelace\ty\ty\ty\t"]);
        assert!(preview.is_clean());
        let taken = CellProblem {
            row: Some(2),
            column: Some("Email Address".into()),
            code: "duplicate_email".into(),
            message: "boss@acme.test already belongs to Ada Lovelace.".into(),
        };
        let counts = Counts { errors: 1, ..Counts::default() };
        let preview = preview.with_server_errors(counts, vec![taken]);
        assert!(!preview.is_clean());
        assert_eq!(preview.cells(preview.row(Filter::Errors, 0).unwrap())[1].problems.len(), 1);
    }

    #[test]
    fn the_error_report_adds_an_errors_column() {
        let preview = preview(&["n\ta@acme.test\t\tHopper\ty\ty\ty\t"]);
        let text = roster::decode::decode(&preview.error_report()).unwrap();
        let second = text.lines().nth(1).unwrap();
        assert!(second.contains("First Name"), "{second}");
    }

    /// Ada (1) and Bob (2), both leading no one, downloaded and edited with `edit`.
    fn update_preview(edit: impl Fn(String) -> String) -> Preview {
        use roster::current::{CurrentTeam, CurrentUser, export};
        use roster::{ProfileInput, UserId};
        let user = |id: i64, first: &str| CurrentUser {
            id: UserId(id),
            version: 1,
            cells: ProfileInput::new()
                .with(Column::Role, "Team Leader")
                .with(Column::CanManageTeams, "y")
                .with(Column::EmailAddress, format!("{}@acme.test", first.to_lowercase()))
                .with(Column::FirstName, first)
                .with(Column::LastName, "Smith")
                .with(Column::HomeTown, "Leeds")
                .with(Column::PhoneChannel, "y")
                .with(Column::ChatChannel, "y")
                .with(Column::EmailChannel, "y"),
            leader: None,
            deactivated: false,
            changed_by: "Admin".into(),
            changed_at: "2026-11-21 09:00 UTC".into(),
            history: Vec::new(),
        };
        let team = CurrentTeam::from(vec![user(1, "Ada"), user(2, "Bob"), user(3, "Cy")]);
        let text = edit(roster::decode::decode(&export(&team)).unwrap());
        let bytes = roster::write::utf16le(&text);
        let report = roster::update::check_update(&bytes, &OrgRules::with_default_roles(), &team).report;
        let table = Table::parse_owned(text);
        let heading = Heading::read(&table, Mode::Update, &OrgRules::with_default_roles());
        Preview::from_report("team.txt".into(), table, heading, report)
    }

    #[test]
    fn an_update_shows_each_changed_cell_old_to_new_and_hides_unchanged_rows_until_asked() {
        let preview = update_preview(|text| text.replacen("\tAda\tSmith\tLeeds\t", "\tAda\tSmith\t\t", 1));
        assert_eq!((preview.counts.changed, preview.counts.unchanged), (1, 2));
        assert_eq!(preview.len(Filter::ChangesAndErrors), 1);
        assert_eq!(preview.len(Filter::Changes), 1);
        assert_eq!(preview.len(Filter::All), 3);
        let row = preview.row(Filter::ChangesAndErrors, 0).unwrap();
        assert_eq!(row.kind, RowKind::Changed);
        let cells = preview.cells(row);
        let home = preview.heading.cells.iter().position(|h| h == "Home Town").unwrap();
        assert_eq!((cells[home].old.as_deref(), cells[home].value.as_str()), (Some("Leeds"), ""), "a cleared value");
        assert!(cells.iter().enumerate().all(|(i, c)| i == home || c.old.is_none()));
        let change = RowLine::Change { column: "Home Town", old: "Leeds".into(), new: String::new() };
        assert_eq!(preview.row_lines(row), [change]);
    }

    #[test]
    fn an_update_row_with_errors_is_listed_under_errors_not_changes() {
        let preview = update_preview(|text| text.replacen("\tBob\tSmith\t", "\t\tSmith\t", 1));
        assert_eq!(preview.len(Filter::Errors), 1);
        assert_eq!(preview.len(Filter::Changes), 0);
        assert_eq!(preview.len(Filter::ChangesAndErrors), 1);
        assert_eq!(preview.row(Filter::Errors, 0).unwrap().kind, RowKind::Error);
        assert_eq!(Filter::from_value(Filter::ChangesAndErrors.value()), Filter::ChangesAndErrors);
    }

    #[test]
    fn a_stray_column_offers_its_suggestions_then_ignore_then_the_columns_the_file_lacks() {
        let preview = preview(&["y\tboss@acme.test\tAda\tLovelace\ty\ty\ty\t"]);
        assert!(preview.heading.strays.is_empty());
        let text =
            format!("{}\r\ny\tboss@acme.test\tAda\tLovelace\ty\ty\ty\t\r\n", HEADER.replace("Phone Channel", "Phone"));
        let table = Table::parse_owned(text);
        let heading = Heading::read(&table, Mode::Create, &OrgRules::with_default_roles());
        let [stray] = heading.strays.as_slice() else { panic!("one stray column: {:?}", heading.strays) };
        assert_eq!((stray.index, stray.header.as_str()), (4, "Phone"));
        assert_eq!(heading.names()[4], (4, "Phone".to_owned()));
        assert_eq!(heading.names()[5], (5, "Chat Channel".to_owned()));
        let choices = heading.choices(Mode::Create, stray);
        let keys: Vec<&str> = choices.iter().map(|c| c.key).collect();
        assert_eq!(keys[..2], ["phone_channel", "ignore"]);
        assert!(keys.contains(&"home_town") && !keys.contains(&"first_name"), "the file has a First Name");
    }

    #[test]
    fn a_remembered_name_puts_its_cells_problems_under_its_column() {
        let org = OrgRules {
            column_names: vec![roster::stray::ColumnName::parse("Phone", "phone_channel").unwrap()],
            ..OrgRules::with_default_roles()
        };
        let text = format!(
            "{}\r\ny\tboss@acme.test\tAda\tLovelace\tmaybe\ty\ty\t\r\n",
            HEADER.replace("Phone Channel", "Phone")
        );
        let bytes = roster::write::utf16le(&text);
        let report = check_create(&bytes, &org, &Directory::default()).report;
        let table = Table::parse_owned(text);
        let heading = Heading::read(&table, Mode::Create, &org);
        assert!(heading.strays.is_empty());
        let preview = Preview::from_report("team.txt".into(), table, heading, report);
        let cells = preview.cells(preview.row(Filter::Errors, 0).expect("the bad flag"));
        assert_eq!(cells[4].problems.len(), 1, "{cells:?}");
    }

    #[test]
    fn a_notice_is_shown_at_its_cell_counted_and_filtered_without_making_the_row_an_error() {
        let header = "Can Manage Teams\tEmail Address\tEmployee ID\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader";
        let text = format!(
            "{header}\r\ny\tboss@acme.test\t\tAda\tLovelace\ty\ty\ty\t\r\nn\t\tE1\tNo\tMail\ty\ty\ty\tboss@acme.test\r\n"
        );
        let org = OrgRules::with_default_roles();
        let report = check_create(&roster::write::utf16le(&text), &org, &Directory::default()).report;
        let table = Table::parse_owned(text);
        let heading = Heading::read(&table, Mode::Create, &org);
        let preview = Preview::from_report("team.txt".into(), table, heading, report);
        assert!(preview.is_clean());
        assert_eq!((preview.noted(), preview.len(Filter::Notices)), (1, 1));
        let row = preview.row(Filter::Notices, 0).unwrap();
        assert_eq!((row.row, row.kind), (3, RowKind::New));
        let cells = preview.cells(row);
        assert!(cells[1].problems.is_empty() && cells[1].notices[0].contains("gets no welcome email"), "{cells:?}");
        let lines = preview.row_lines(row);
        assert!(matches!(&lines[0], RowLine::Notice { place, .. } if place == "Email Address"), "{lines:?}");
        let again = preview.with_server_errors(preview.counts, Vec::new());
        assert_eq!(again.noted(), 1, "the server's verdict keeps the browser's notices");
    }

    #[test]
    fn only_the_rows_in_view_and_a_margin_are_rendered() {
        assert_eq!(window(0.0, 400.0, 40.0, 100_000, 5), 0..16);
        assert_eq!(window(40_000.0, 400.0, 40.0, 100_000, 5), 995..1016);
        assert_eq!(window(4_000_000.0, 400.0, 40.0, 100_000, 5), 99_995..100_000);
        assert_eq!(window(0.0, 400.0, 40.0, 0, 5), 0..0);
    }
}
