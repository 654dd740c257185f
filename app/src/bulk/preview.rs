//! The browser's preview of a checked file, as plain data: which rows there are, which have
//! problems, what each visible cell shows, and which rows a scrolled table needs in the DOM. The
//! component only renders what this computes.

use std::ops::Range;

use roster::Column;
use roster::parse::Table;
use roster::report::{CellProblem, Counts, Report};

/// Which rows the table shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Filter {
    #[default]
    All,
    Errors,
}

/// A data row of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreviewRow {
    /// The row number the spreadsheet shows.
    pub row: usize,
    /// Its problems are `errors[first_error..first_error + error_count]`.
    first_error: u32,
    error_count: u32,
}

impl PreviewRow {
    pub fn has_errors(&self) -> bool {
        self.error_count > 0
    }
}

/// A cell as the table shows it: the value, and the problems with it (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewCell {
    pub value: String,
    pub problems: Vec<String>,
}

/// A checked file, ready to show.
pub struct Preview {
    pub file_name: String,
    table: Table<'static>,
    /// The file's header cells, as written.
    pub header: Vec<String>,
    /// Each header cell's column name as problems name it (`None` for a column the rules ignore).
    columns: Vec<Option<&'static str>>,
    pub counts: Counts,
    /// Problems with the file as a whole.
    pub file_errors: Vec<CellProblem>,
    /// Problems with rows, in row order.
    errors: Vec<CellProblem>,
    rows: Vec<PreviewRow>,
    error_rows: Vec<u32>,
}

impl Preview {
    /// The preview of a parsed file and its report. `rows` lists the data rows (those the report
    /// has, or those of an earlier preview when the server sent only its errors).
    pub fn new(
        file_name: String,
        table: Table<'static>,
        counts: Counts,
        problems: Vec<CellProblem>,
        rows: impl IntoIterator<Item = usize>,
    ) -> Preview {
        let header: Vec<String> = table.record(0).map(|r| r.cells().map(str::to_owned).collect()).unwrap_or_default();
        let columns = header.iter().map(|cell| column_name(cell)).collect();
        let (file_errors, mut errors): (Vec<CellProblem>, Vec<CellProblem>) =
            problems.into_iter().partition(|p| p.row.is_none());
        errors.sort_by_key(|p| p.row);
        let mut rows: Vec<PreviewRow> =
            rows.into_iter().map(|row| PreviewRow { row, first_error: 0, error_count: 0 }).collect();
        rows.sort_by_key(|r| r.row);
        let mut error_rows = Vec::new();
        let mut next = 0;
        for (index, preview_row) in rows.iter_mut().enumerate() {
            while next < errors.len() && errors[next].row < Some(preview_row.row) {
                next += 1; // a problem on a row the preview does not have (cannot happen; never loop)
            }
            let first = next;
            while next < errors.len() && errors[next].row == Some(preview_row.row) {
                next += 1;
            }
            preview_row.first_error = first as u32;
            preview_row.error_count = (next - first) as u32;
            if next > first {
                error_rows.push(index as u32);
            }
        }
        Preview { file_name, table, header, columns, counts, file_errors, errors, rows, error_rows }
    }

    /// The preview of a report made in the browser.
    pub fn from_report(file_name: String, table: Table<'static>, report: Report) -> Preview {
        let rows: Vec<usize> = report.rows.iter().map(|r| r.row).collect();
        Preview::new(file_name, table, report.counts, report.errors, rows)
    }

    /// The same file with the problems the server found when it checked again.
    pub fn with_server_errors(&self, counts: Counts, problems: Vec<CellProblem>) -> Preview {
        let rows: Vec<usize> = self.rows.iter().map(|r| r.row).collect();
        Preview::new(self.file_name.clone(), self.table.clone(), counts, problems, rows)
    }

    pub fn is_clean(&self) -> bool {
        self.file_errors.is_empty() && self.errors.is_empty()
    }

    /// How many rows the filter shows.
    pub fn len(&self, filter: Filter) -> usize {
        match filter {
            Filter::All => self.rows.len(),
            Filter::Errors => self.error_rows.len(),
        }
    }

    pub fn is_empty(&self, filter: Filter) -> bool {
        self.len(filter) == 0
    }

    /// The `index`th row the filter shows.
    pub fn row(&self, filter: Filter, index: usize) -> Option<PreviewRow> {
        let index = match filter {
            Filter::All => index,
            Filter::Errors => *self.error_rows.get(index)? as usize,
        };
        self.rows.get(index).copied()
    }

    /// Where a spreadsheet row is among the rows the filter shows.
    pub fn position_of(&self, filter: Filter, row: usize) -> Option<usize> {
        let index = self.rows.binary_search_by_key(&row, |r| r.row).ok()?;
        match filter {
            Filter::All => Some(index),
            Filter::Errors => self.error_rows.binary_search(&(index as u32)).ok(),
        }
    }

    /// A row's problems.
    pub fn problems(&self, row: PreviewRow) -> &[CellProblem] {
        let start = row.first_error as usize;
        self.errors.get(start..start + row.error_count as usize).unwrap_or_default()
    }

    /// Every problem with a row, in row order (for the list of errors).
    pub fn row_problems(&self) -> &[CellProblem] {
        &self.errors
    }

    /// A row's cells under the file's header, each with its problems.
    pub fn cells(&self, row: PreviewRow) -> Vec<PreviewCell> {
        let record = self.table.record_at_row(row.row);
        let problems = self.problems(row);
        self.columns
            .iter()
            .enumerate()
            .map(|(index, column)| PreviewCell {
                value: record.map(|r| roster::write::restore(r.cell(index)).to_owned()).unwrap_or_default(),
                problems: problems
                    .iter()
                    .filter(|p| p.column.is_some() && p.column.as_deref() == *column)
                    .map(|p| p.message.clone())
                    .collect(),
            })
            .collect()
    }

    /// A row's problems that belong to no column of the file (a missing column, a stray cell).
    pub fn row_messages(&self, row: PreviewRow) -> Vec<String> {
        self.problems(row)
            .iter()
            .filter(|p| p.column.is_none() || !self.columns.iter().any(|c| c.is_some() && *c == p.column.as_deref()))
            .map(|p| p.message.clone())
            .collect()
    }

    /// The file with an added Errors column, as Excel's Unicode Text.
    pub fn error_report(&self) -> Vec<u8> {
        let mut errors = self.file_errors.clone();
        errors.extend(self.errors.iter().cloned());
        let report = Report { counts: self.counts, errors, rows: Vec::new() };
        roster::write::error_report(self.table.text(), &report)
    }
}

/// The name problems use for a header cell's column.
fn column_name(header_cell: &str) -> Option<&'static str> {
    Column::from_header(header_cell).map(Column::header).or_else(|| {
        let wanted = header_cell.trim().trim_end_matches('*').trim().to_lowercase();
        [roster::sheet::USER_ID, roster::sheet::DEACTIVATED, roster::sheet::VERSION]
            .into_iter()
            .find(|name| name.to_lowercase() == wanted)
    })
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
    use roster::{Directory, OrgRules};

    const HEADER: &str = "Can Manage Teams\tEmail Address\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader";

    fn preview(rows: &[&str]) -> Preview {
        let text = format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"));
        let bytes = roster::write::utf16le(&text);
        let report = check_create(&bytes, &OrgRules::with_default_roles(), &Directory::default()).report;
        let decoded = roster::decode::decode(&bytes).unwrap();
        Preview::from_report("team.txt".into(), Table::parse_owned(decoded), report)
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

    #[test]
    fn only_the_rows_in_view_and_a_margin_are_rendered() {
        assert_eq!(window(0.0, 400.0, 40.0, 100_000, 5), 0..16);
        assert_eq!(window(40_000.0, 400.0, 40.0, 100_000, 5), 995..1016);
        assert_eq!(window(4_000_000.0, 400.0, 40.0, 100_000, 5), 99_995..100_000);
        assert_eq!(window(0.0, 400.0, 40.0, 0, 5), 0..0);
    }
}
