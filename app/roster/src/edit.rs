//! Corrections an admin makes to a file inside the preview: a cell's new value by its row (as the
//! spreadsheet numbers it) and column, written over the file as uploaded. The corrected file is
//! checked again from the start, so every row an edit affects (a duplicate, a team leader, a
//! circle) is judged again, and it is the corrected file that is committed and can be downloaded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fields::{DateFormat, StartDate};
use crate::parse::Table;
use crate::write::{neutralise, quote, restore};

/// Longest value a cell may be given in the preview, in characters (far above any field's limit,
/// which the check then names).
pub const MAX_VALUE: usize = 10_000;

/// Why an edit was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("Row {0} is not in the file.")]
    NoSuchRow(usize),
    #[error("The header row is not edited here; say what a column holds under \"Columns Roster does not know\".")]
    Header,
    #[error("A cell holds at most {MAX_VALUE} characters; this value has {0}.")]
    TooLong(usize),
    #[error("Enter the text to find.")]
    NothingToFind,
}

/// How a find and replace matches a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Matching {
    /// The whole cell, ignoring case and surrounding spaces ("Yes" finds " yes ").
    WholeCell,
    /// Every occurrence inside cells, exactly as typed.
    Within,
}

/// The corrections to one file: (row, column index) → the value the cell now holds, as a person
/// reads it (a formula-looking value is protected when written).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    cells: BTreeMap<(usize, usize), String>,
}

impl Edits {
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The corrected value of a cell, if it was corrected.
    pub fn get(&self, row: usize, column: usize) -> Option<&str> {
        self.cells.get(&(row, column)).map(String::as_str)
    }

    /// Corrections kept elsewhere (the browser's storage), checked again against the file: those
    /// it cannot take are left out.
    pub fn restore(table: &Table<'_>, cells: impl IntoIterator<Item = (usize, usize, String)>) -> Edits {
        let mut edits = Edits::default();
        for (row, column, value) in cells {
            let _ = edits.set(table, row, column, &value);
        }
        edits
    }

    /// The cells corrected, in row order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize, &str)> + '_ {
        self.cells.iter().map(|(&(row, column), value)| (row, column, value.as_str()))
    }

    /// Sets a data cell of `table` (the file as uploaded) to `value`. Setting it back to what the
    /// file holds removes the correction. Line breaks and tabs typed into a value are kept (the
    /// written cell is quoted).
    pub fn set(&mut self, table: &Table<'_>, row: usize, column: usize, value: &str) -> Result<(), EditError> {
        if row <= 1 {
            return Err(EditError::Header);
        }
        let record = table.record_at_row(row).ok_or(EditError::NoSuchRow(row))?;
        let length = value.chars().count();
        if length > MAX_VALUE {
            return Err(EditError::TooLong(length));
        }
        if restore(record.cell(column)) == value {
            self.cells.remove(&(row, column));
        } else {
            self.cells.insert((row, column), value.to_owned());
        }
        Ok(())
    }

    /// A cell's value with the corrections: corrected, or as the file has it.
    pub fn value<'t>(&'t self, table: &'t Table<'_>, row: usize, column: usize) -> &'t str {
        match self.get(row, column) {
            Some(value) => value,
            None => table.record_at_row(row).map(|r| restore(r.cell(column))).unwrap_or(""),
        }
    }

    /// Replaces `find` with `replace` in every data cell of `column`, counting the cells changed.
    pub fn replace_in_column(
        &mut self,
        table: &Table<'_>,
        column: usize,
        find: &str,
        replace: &str,
        matching: Matching,
    ) -> Result<usize, EditError> {
        if find.trim().is_empty() && matching == Matching::WholeCell || find.is_empty() {
            return Err(EditError::NothingToFind);
        }
        let wanted = find.trim().to_lowercase();
        self.rewrite_column(table, column, |value| match matching {
            Matching::WholeCell => (value.trim().to_lowercase() == wanted).then(|| replace.to_owned()),
            Matching::Within => value.contains(find).then(|| value.replace(find, replace)),
        })
    }

    /// Writes every date of `column` that the organisation's format reads as ISO `YYYY-MM-DD`,
    /// counting the cells changed; cells that are not dates are left for the check to name.
    pub fn dates_to_iso(&mut self, table: &Table<'_>, column: usize, format: DateFormat) -> Result<usize, EditError> {
        self.rewrite_column(table, column, |value| match StartDate::parse(value, format) {
            Ok(Some(date)) if date.iso() != value.trim() => Some(date.iso()),
            _ => None,
        })
    }

    /// Gives each data cell of `column` the value `rewrite` makes of it (`None`: left as it is).
    fn rewrite_column(
        &mut self,
        table: &Table<'_>,
        column: usize,
        rewrite: impl Fn(&str) -> Option<String>,
    ) -> Result<usize, EditError> {
        let mut changed = 0;
        let rows: Vec<usize> = table.records().skip(1).map(|r| r.row).collect();
        for row in rows {
            let current = self.value(table, row, column).to_owned();
            if let Some(new) = rewrite(&current).filter(|new| *new != current) {
                self.set(table, row, column, &new)?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// The file with the corrections: every record written again as it was read (Excel's
    /// quoting, CRLF line ends, one line per record, so row numbers do not change), corrected
    /// cells in place, a row too short for a corrected cell padded with empty ones.
    pub fn apply(&self, table: &Table<'_>) -> String {
        let mut text = String::with_capacity(table.text().len() + self.cells.len() * 8);
        let mut edits = self.cells.iter().peekable();
        for record in table.records() {
            let mut width = record.len();
            let mut row_edits = Vec::new();
            while let Some(((row, column), value)) = edits.next_if(|((row, _), _)| *row <= record.row) {
                if *row == record.row {
                    width = width.max(column + 1);
                    row_edits.push((*column, value));
                }
            }
            for index in 0..width {
                if index > 0 {
                    text.push('\t');
                }
                match row_edits.iter().find(|(column, _)| *column == index) {
                    Some((_, value)) => text.push_str(&quote(&neutralise(value))),
                    None => text.push_str(&quote(record.cell(index))),
                }
            }
            text.push_str("\r\n");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::create::check_create;
    use crate::{Directory, OrgRules};

    const HEADER: &str = "Can Manage Teams\tEmail Address\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader";

    fn file(rows: &[&str]) -> String {
        format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"))
    }

    fn errors_by_row(text: &str) -> Vec<usize> {
        let report =
            check_create(&crate::write::utf16le(text), &OrgRules::with_default_roles(), &Directory::default()).report;
        let mut rows: Vec<usize> = report.errors.iter().filter_map(|e| e.row).collect();
        rows.dedup();
        rows
    }

    #[test]
    fn fixing_one_of_two_duplicate_addresses_clears_both_rows() {
        let text = file(&[
            "y\tlead@acme.test\tLee\tLead\ty\ty\ty\t",
            "n\tann@acme.test\tAnn\tOne\ty\ty\ty\tlead@acme.test",
            "n\tann@acme.test\tAnn\tTwo\ty\ty\ty\tlead@acme.test",
        ]);
        assert_eq!(errors_by_row(&text), [4], "the second use of the address is named");
        let table = Table::parse(&text);
        let mut edits = Edits::default();
        edits.set(&table, 4, 1, "ann.two@acme.test").unwrap();
        assert_eq!(errors_by_row(&edits.apply(&table)), Vec::<usize>::new());
    }

    #[test]
    fn changing_a_leader_clears_the_circle_on_every_row_of_it() {
        let text = file(&[
            "y\tlead@acme.test\tLee\tLead\ty\ty\ty\t",
            "y\ta@acme.test\tAda\tA\ty\ty\ty\tb@acme.test",
            "y\tb@acme.test\tBob\tB\ty\ty\ty\ta@acme.test",
        ]);
        assert_eq!(errors_by_row(&text), [3, 4], "both rows of the circle");
        let table = Table::parse(&text);
        let mut edits = Edits::default();
        edits.set(&table, 4, 7, "lead@acme.test").unwrap();
        assert_eq!(errors_by_row(&edits.apply(&table)), Vec::<usize>::new());
    }

    #[test]
    fn a_corrected_file_keeps_every_other_cell_and_row_number_as_it_was() {
        let text = file(&["n\tann@acme.test\t\"Ann\r\nMarie\"\tOne\ty\ty\ty\tlead@acme.test", "n\tx\tX\tY\ty\ty\ty\t"]);
        let table = Table::parse(&text);
        let mut edits = Edits::default();
        edits.set(&table, 3, 1, "x@acme.test").unwrap();
        edits.set(&table, 3, 9, "=1+1").unwrap();
        let corrected = Table::parse_owned(edits.apply(&table));
        let record = corrected.record_at_row(2).unwrap();
        assert_eq!(record.cell(2), "Ann\r\nMarie", "the multi-line cell is kept, quoted");
        let row = corrected.record_at_row(3).unwrap();
        assert_eq!((row.cell(1), row.cell(9)), ("x@acme.test", "'=1+1"), "a formula is protected, the row padded");
        assert_eq!(edits.value(&table, 3, 9), "=1+1");
        edits.set(&table, 3, 1, "x").unwrap();
        assert_eq!(edits.len(), 1, "set back to the file's value, the correction is gone");
        assert_eq!(edits.set(&table, 1, 0, "Role"), Err(EditError::Header));
        assert_eq!(edits.set(&table, 9, 0, "y"), Err(EditError::NoSuchRow(9)));
        assert_eq!(edits.set(&table, 2, 0, &"y".repeat(10_001)), Err(EditError::TooLong(10_001)));
    }

    #[test]
    fn find_and_replace_counts_the_cells_it_changes_in_one_column() {
        let text = file(&[
            "y\tlead@acme.test\tLee\tLead\tYes\t yes \tYes\t",
            "n\tann@acme.test\tAnn\tOne\tNo\tYES\tn\tlead@acme.test",
            "n\tbob@acme.test\tBob\tTwo\ty\tno\tn\tlead@acme.test",
        ]);
        let table = Table::parse(&text);
        let mut edits = Edits::default();
        assert_eq!(edits.replace_in_column(&table, 5, "Yes", "y", Matching::WholeCell), Ok(2));
        assert_eq!(edits.value(&table, 2, 4), "Yes", "other columns are left alone");
        assert_eq!(edits.replace_in_column(&table, 1, "@acme.test", "@acme.example", Matching::Within), Ok(3));
        assert_eq!(edits.value(&table, 3, 1), "ann@acme.example");
        assert_eq!(edits.replace_in_column(&table, 5, " ", "y", Matching::WholeCell), Err(EditError::NothingToFind));
        let corrected = edits.apply(&table);
        assert_eq!(errors_by_row(&corrected), [3, 4], "the rows naming the leader's old address are judged again");
    }

    #[test]
    fn dates_in_a_column_are_written_as_iso_in_the_organisations_format() {
        let text = "Start Date\r\n03/04/2025\r\n2025-01-02\r\nsoon\r\n";
        let table = Table::parse(text);
        let mut edits = Edits::default();
        assert_eq!(edits.dates_to_iso(&table, 0, DateFormat::DayMonthYear), Ok(1));
        assert_eq!(edits.value(&table, 2, 0), "2025-04-03");
        assert_eq!(edits.value(&table, 4, 0), "soon", "not a date: left for the check to name");
    }
}
