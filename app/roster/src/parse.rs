//! Splitting decoded text into spreadsheet rows: tab-delimited with Excel's quoting (a cell that
//! holds a tab, a quote or a line break is wrapped in quotes, inner quotes doubled), lines ended by
//! CRLF, LF or CR. Row numbers are the ones a person sees in the spreadsheet: the header is row 1
//! and a quoted multi-line cell is still one row.

use std::borrow::Cow;

/// A parsed spreadsheet: every cell is a span of the text (or, for a quoted cell, of one shared
/// buffer holding its unquoted text), in flat vectors: no allocation per row or cell.
#[derive(Clone, Debug, Default)]
pub struct Table<'a> {
    text: Cow<'a, str>,
    unquoted: String,
    spans: Vec<Span>,
    rows: Vec<RowSpan>,
}

/// Where a cell's text is: `start..end` of the text, or of the unquoted buffer when `start` has the
/// [`UNQUOTED`] bit. Decoded files are far below 2 GiB (the upload limit is megabytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

const UNQUOTED: u32 = 1 << 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RowSpan {
    row: usize,
    first: u32,
    count: u32,
}

/// One spreadsheet row, borrowed from its [`Table`].
#[derive(Clone, Copy, Debug)]
pub struct Record<'t> {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    spans: &'t [Span],
    text: &'t str,
    unquoted: &'t str,
}

impl<'t> Record<'t> {
    /// The text of cell `index`; a cell beyond the row's end reads as blank.
    pub fn cell(&self, index: usize) -> &'t str {
        match self.spans.get(index) {
            Some(span) => {
                let (source, start) = if span.start & UNQUOTED != 0 {
                    (self.unquoted, span.start & !UNQUOTED)
                } else {
                    (self.text, span.start)
                };
                source.get(start as usize..span.end as usize).unwrap_or("")
            }
            None => "",
        }
    }

    /// How many cells the row has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn cells(&self) -> impl Iterator<Item = &'t str> + '_ {
        (0..self.spans.len()).map(|index| self.cell(index))
    }

    /// True when every cell is empty or whitespace (a blank row, skipped).
    pub fn is_blank(&self) -> bool {
        self.cells().all(|c| c.trim().is_empty())
    }
}

fn offset(position: usize) -> u32 {
    u32::try_from(position).unwrap_or(UNQUOTED - 1).min(UNQUOTED - 1)
}

impl<'a> Table<'a> {
    /// Splits text into rows and cells. Never fails: any text is some table (a stray quote is kept
    /// as text).
    pub fn parse(text: &'a str) -> Table<'a> {
        let bytes = text.as_bytes();
        let mut table = Table {
            text: Cow::Borrowed(text),
            unquoted: String::new(),
            spans: Vec::with_capacity(bytes.len() / 12 + 1),
            rows: Vec::with_capacity(bytes.len() / 128 + 1),
        };
        let mut position = 0;
        let mut first = 0u32;
        let mut row = 1;
        while position < bytes.len() {
            position = table.cell_at(text, position);
            match bytes.get(position) {
                Some(b'\t') => {
                    position += 1;
                    if position == bytes.len() {
                        table.spans.push(Span { start: 0, end: 0 });
                    }
                }
                // A line break or the end of the text (cell_at stops nowhere else).
                _ => {
                    if bytes.get(position) == Some(&b'\r') && bytes.get(position + 1) == Some(&b'\n') {
                        position += 1;
                    }
                    position += 1;
                    let end = offset(table.spans.len());
                    table.rows.push(RowSpan { row, first, count: end - first });
                    first = end;
                    row += 1;
                }
            }
        }
        let end = offset(table.spans.len());
        if end > first {
            table.rows.push(RowSpan { row, first, count: end - first });
        }
        table
    }

    /// Parses text the table then owns, for keeping beside what was checked (the browser's preview).
    pub fn parse_owned(text: String) -> Table<'static> {
        let Table { unquoted, spans, rows, .. } = Table::parse(&text);
        Table { text: Cow::Owned(text), unquoted, spans, rows }
    }

    /// Reads one cell starting at `start`, records its span, and returns the position of the
    /// delimiter after it.
    fn cell_at(&mut self, text: &str, start: usize) -> usize {
        let bytes = text.as_bytes();
        let delimiter_after = |from: usize| {
            bytes[from..].iter().position(|&b| matches!(b, b'\t' | b'\r' | b'\n')).map_or(bytes.len(), |p| from + p)
        };
        if bytes.get(start) != Some(&b'"') {
            let end = delimiter_after(start);
            self.spans.push(Span { start: offset(start), end: offset(end) });
            return end;
        }
        // Quoted: up to the quote that is not doubled; `""` inside stands for one quote.
        let begin = self.unquoted.len();
        let mut position = start + 1;
        let mut segment = position;
        let end = loop {
            match bytes[position..].iter().position(|&b| b == b'"') {
                None => {
                    // An unclosed quote: Excel keeps the rest as the cell's text.
                    self.unquoted.push_str(&text[segment..]);
                    break bytes.len();
                }
                Some(found) => {
                    let quote = position + found;
                    self.unquoted.push_str(&text[segment..quote]);
                    if bytes.get(quote + 1) == Some(&b'"') {
                        self.unquoted.push('"');
                        position = quote + 2;
                        segment = position;
                    } else {
                        // Closing quote. Anything up to the next delimiter is kept as written.
                        let end = delimiter_after(quote + 1);
                        self.unquoted.push_str(&text[quote + 1..end]);
                        break end;
                    }
                }
            }
        };
        self.spans.push(Span { start: offset(begin) | UNQUOTED, end: offset(self.unquoted.len()) });
        end
    }

    /// The text the table was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many rows, blank ones included.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn record(&self, index: usize) -> Option<Record<'_>> {
        let span = self.rows.get(index)?;
        let spans = self.spans.get(span.first as usize..(span.first + span.count) as usize)?;
        Some(Record { row: span.row, spans, text: &self.text, unquoted: &self.unquoted })
    }

    /// The record of a spreadsheet row number (the header is row 1).
    pub fn record_at_row(&self, row: usize) -> Option<Record<'_>> {
        let index = self.rows.binary_search_by_key(&row, |span| span.row).ok()?;
        self.record(index)
    }

    pub fn records(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        (0..self.rows.len()).filter_map(|index| self.record(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str) -> Vec<(usize, Vec<String>)> {
        Table::parse(text).records().map(|r| (r.row, r.cells().map(str::to_owned).collect())).collect()
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
        let table = Table::parse("h\n\n\t \nx\n");
        let records: Vec<Record<'_>> = table.records().collect();
        assert!(records[1].is_blank() && records[2].is_blank());
        assert_eq!(records[3].row, 4);
    }

    #[test]
    fn an_owned_table_finds_records_by_their_spreadsheet_row() {
        let table = Table::parse_owned("h\tk\n\n\"multi\nline\"\tx\nlast\ty\n".to_owned());
        assert_eq!(table.record_at_row(3).map(|r| r.cell(0)), Some("multi\nline"));
        assert_eq!(table.record_at_row(4).map(|r| r.cell(1)), Some("y"), "a quoted line break stays in its row");
        assert!(table.record_at_row(2).is_some_and(|r| r.is_blank()));
        assert!(table.record_at_row(5).is_none());
    }

    #[test]
    fn an_unclosed_quote_keeps_the_rest_as_text() {
        assert_eq!(cells("\"abc\tdef"), [(1, vec!["abc\tdef".into()])]);
    }
}
