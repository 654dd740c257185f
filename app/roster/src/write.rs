//! Writing spreadsheets people open in Excel: UTF-16LE with a byte-order mark, tab-delimited,
//! Excel's quoting. Cells a spreadsheet would run as a formula are neutralised with a leading
//! apostrophe on export and restored on import, so an export uploaded untouched changes nothing.

use std::borrow::Cow;

use crate::Column;
use crate::parse::Table;
use crate::report::Report;
use crate::sheet::ERRORS;

/// The first characters that make a spreadsheet treat a cell as a formula (or split it).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True for `'…'` followed by a trigger: the shape a neutralised cell has.
fn apostrophes_then_trigger(value: &str) -> bool {
    value.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// Prefixes an apostrophe to a cell that would start a formula. Cells that already look
/// neutralised get one more, so that [`restore`] undoes exactly this.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    if apostrophes_then_trigger(value) { Cow::Owned(format!("'{value}")) } else { Cow::Borrowed(value) }
}

/// Undoes [`neutralise`].
pub fn restore(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if apostrophes_then_trigger(rest) => rest,
        _ => value,
    }
}

/// Quotes a cell the way Excel does when it holds a tab, a quote or a line break.
pub fn quote(value: &str) -> Cow<'_, str> {
    if value.contains(['\t', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(value)
    }
}

/// UTF-16LE with a byte-order mark: what Excel's "Unicode Text" is.
pub fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(2 + text.len() * 2);
    bytes.extend_from_slice(&[0xFF, 0xFE]);
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// Writes rows of cells as tab-delimited text with CRLF line ends, neutralising formulas.
pub fn tsv<'a, R, C>(rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = &'a str>,
{
    let mut text = String::new();
    for row in rows {
        push_row(&mut text, row);
    }
    text
}

/// Appends one row of [`tsv`].
pub fn push_row<'a>(text: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            text.push('\t');
        }
        text.push_str(&quote(&neutralise(cell)));
    }
    text.push_str("\r\n");
}

/// Writes the records of a parsed file again as they were, but for the cells of column `blank`,
/// which are left empty: quoting as Excel does, no formula neutralised (the cells are written as
/// they were read), CRLF line ends. Row numbers do not change: one line per record.
pub fn without_column(table: &Table<'_>, blank: usize) -> String {
    let mut text = String::with_capacity(table.text().len());
    for record in table.records() {
        for (index, cell) in record.cells().enumerate() {
            if index > 0 {
                text.push('\t');
            }
            if index != blank || record.row == 1 {
                text.push_str(&quote(cell));
            }
        }
        text.push_str("\r\n");
    }
    text
}

/// The template's header as the help page writes it: required columns marked with `*`.
pub fn template_header(column: Column) -> &'static str {
    match column {
        Column::Role => "*Role (conditional)",
        Column::CanManageTeams => "*Can Manage Teams",
        Column::EmailAddress => "Email Address",
        Column::EmployeeId => "Employee ID (if applicable)",
        Column::FirstName => "*First Name",
        Column::LastName => "*Last Name",
        Column::PhoneChannel => "*Phone Channel",
        Column::ChatChannel => "*Chat Channel",
        Column::EmailChannel => "*Email Channel",
        Column::TeamLeader => "*Team Leader",
        other => other.header(),
    }
}

/// The Bulk Create template: the header row, as UTF-16LE with a byte-order mark.
pub fn template() -> Vec<u8> {
    utf16le(&tsv([Column::ALL.map(template_header)]))
}

/// The uploaded file with an added "Errors" column that lists each row's problems, for fixing in
/// the spreadsheet and uploading again (the column is ignored on upload). File-level problems go
/// in the header row's cell.
pub fn error_report(text: &str, report: &Report) -> Vec<u8> {
    let mut by_row: std::collections::HashMap<usize, Vec<String>> = std::collections::HashMap::new();
    for problem in &report.errors {
        if let Some(row) = problem.row {
            let message = match &problem.column {
                Some(column) => format!("{column}: {}", problem.message),
                None => problem.message.clone(),
            };
            by_row.entry(row).or_default().push(message);
        }
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let table = Table::parse(text);
    for record in table.records() {
        let mut cells: Vec<String> = record.cells().map(|c| restore(c).to_owned()).collect();
        let messages: Vec<String> = if record.row == 1 {
            report.errors.iter().filter(|e| e.row.is_none()).map(|e| e.message.clone()).collect()
        } else {
            by_row.remove(&record.row).unwrap_or_default()
        };
        if record.row == 1 {
            if let Some(existing) = cells.iter().position(|c| c.trim().eq_ignore_ascii_case(ERRORS)) {
                cells.remove(existing);
            }
            cells.push(if messages.is_empty() {
                ERRORS.to_owned()
            } else {
                format!("{ERRORS}: {}", messages.join(" "))
            });
        } else {
            cells.push(messages.join(" "));
        }
        rows.push(cells);
    }
    utf16le(&tsv(rows.iter().map(|r| r.iter().map(String::as_str))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn formula_like_cells_are_neutralised_and_restored_exactly() {
        for value in
            ["=SUM(A1)", "+44 20", "-5", "@home", "\tx", "'=already", "''+two", "plain", "", "it's", "'quoted'"]
        {
            assert_eq!(restore(&neutralise(value)), value, "{value:?}");
        }
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("O'Brien"), "O'Brien");
        assert_eq!(restore("'plain"), "'plain", "an apostrophe before ordinary text is the user's own");
    }

    #[test]
    fn cells_with_tabs_quotes_or_line_breaks_are_quoted_like_excel() {
        assert_eq!(quote("a\tb"), "\"a\tb\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(quote("plain"), "plain");
    }

    #[test]
    fn the_template_is_the_header_row_in_utf16le_with_a_bom() {
        let bytes = template();
        assert_eq!(&bytes[..2], &[0xFF, 0xFE]);
        let text = decode(&bytes).unwrap();
        assert!(text.starts_with("*Role (conditional)\t*Can Manage Teams\tEmail Address\t"));
        assert!(text.ends_with("Group Assignments\tTemporary Password\r\n"));
        let headers: Vec<Option<Column>> = text.trim_end().split('\t').map(Column::from_header).collect();
        assert_eq!(headers, Column::ALL.map(Some).to_vec(), "every template header is recognised");
    }
}
