//! Splitting decoded text into spreadsheet rows: tab-delimited with Excel's quoting (a cell that
//! holds a tab, a quote or a line break is wrapped in quotes, inner quotes doubled), lines ended by
//! CRLF, LF or CR. Row numbers are the ones a person sees in the spreadsheet: the header is row 1
//! and a quoted multi-line cell is still one row.

use std::borrow::Cow;

/// One spreadsheet row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub cells: Vec<Cow<'a, str>>,
}

impl Record<'_> {
    /// True when every cell is empty or whitespace (a blank row, skipped).
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }

    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map(|c| c.as_ref()).unwrap_or("")
    }
}

/// Splits text into records. Never fails: any text is some table (a stray quote is kept as text).
pub fn records(text: &str) -> Vec<Record<'_>> {
    let bytes = text.as_bytes();
    let mut records = Vec::with_capacity(bytes.len() / 64 + 1);
    let mut cells: Vec<Cow<'_, str>> = Vec::with_capacity(20);
    let mut position = 0;
    let mut row = 1;
    while position < bytes.len() {
        let (cell, next) = cell_at(text, position);
        cells.push(cell);
        position = next;
        match bytes.get(position) {
            Some(b'\t') => {
                position += 1;
                if position == bytes.len() {
                    cells.push(Cow::Borrowed(""));
                }
            }
            // A line break or the end of the text (cell_at stops nowhere else).
            _ => {
                if bytes.get(position) == Some(&b'\r') && bytes.get(position + 1) == Some(&b'\n') {
                    position += 1;
                }
                position += 1;
                records.push(Record { row, cells: std::mem::replace(&mut cells, Vec::with_capacity(20)) });
                row += 1;
            }
        }
    }
    if !cells.is_empty() {
        records.push(Record { row, cells });
    }
    records
}

/// Reads one cell starting at `start`; returns it and the position of the delimiter after it.
fn cell_at(text: &str, start: usize) -> (Cow<'_, str>, usize) {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        let end =
            bytes[start..].iter().position(|&b| matches!(b, b'\t' | b'\r' | b'\n')).map_or(bytes.len(), |p| start + p);
        return (Cow::Borrowed(&text[start..end]), end);
    }
    // Quoted: up to the quote that is not doubled; `""` inside stands for one quote.
    let mut value = String::new();
    let mut position = start + 1;
    let mut segment = position;
    loop {
        match bytes[position..].iter().position(|&b| b == b'"') {
            None => {
                // An unclosed quote: Excel keeps the rest as the cell's text.
                value.push_str(&text[segment..]);
                return (Cow::Owned(value), bytes.len());
            }
            Some(offset) => {
                let quote = position + offset;
                value.push_str(&text[segment..quote]);
                if bytes.get(quote + 1) == Some(&b'"') {
                    value.push('"');
                    position = quote + 2;
                    segment = position;
                } else {
                    // Closing quote. Anything up to the next delimiter is kept as written.
                    let after = quote + 1;
                    let end = bytes[after..]
                        .iter()
                        .position(|&b| matches!(b, b'\t' | b'\r' | b'\n'))
                        .map_or(bytes.len(), |p| after + p);
                    value.push_str(&text[after..end]);
                    return (Cow::Owned(value), end);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str) -> Vec<(usize, Vec<String>)> {
        records(text).into_iter().map(|r| (r.row, r.cells.into_iter().map(|c| c.into_owned()).collect())).collect()
    }

    #[test]
    fn tabs_separate_cells_and_any_line_ending_ends_a_row() {
        assert_eq!(
            cells("a\tb\r\nc\td\ne\tf\rg\th"),
            [
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["c".into(), "d".into()]),
                (3, vec!["e".into(), "f".into()]),
                (4, vec!["g".into(), "h".into()])
            ]
        );
    }

    #[test]
    fn quoted_cells_hold_tabs_quotes_and_line_breaks_and_count_as_one_row() {
        let text = "name\tbio\r\n\"Ada\t\"\"The Countess\"\"\"\t\"line one\r\nline two\"\r\nGrace\tnavy\r\n";
        assert_eq!(
            cells(text),
            [
                (1, vec!["name".into(), "bio".into()]),
                (2, vec!["Ada\t\"The Countess\"".into(), "line one\r\nline two".into()]),
                (3, vec!["Grace".into(), "navy".into()]),
            ]
        );
    }

    #[test]
    fn quotes_inside_an_unquoted_cell_are_plain_text() {
        assert_eq!(cells("5\" tall\tx"), [(1, vec!["5\" tall".into(), "x".into()])]);
    }

    #[test]
    fn empty_cells_and_trailing_tabs_are_kept() {
        assert_eq!(cells("a\t\tc\t\n"), [(1, vec!["a".into(), "".into(), "c".into(), "".into()])]);
        assert_eq!(cells("a\t"), [(1, vec!["a".into(), "".into()])]);
    }

    #[test]
    fn blank_rows_keep_their_row_number() {
        let records = records("h\n\n\t \nx\n");
        assert!(records[1].is_blank() && records[2].is_blank());
        assert_eq!(records[3].row, 4);
    }

    #[test]
    fn an_unclosed_quote_keeps_the_rest_as_text() {
        assert_eq!(cells("\"abc\tdef"), [(1, vec!["abc\tdef".into()])]);
    }
}
