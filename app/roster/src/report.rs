//! The outcome of checking a file: counts, every problem at its row and column, and per row what
//! will happen. The browser's preview, the server's commit, the JSON report and the error report
//! are all made from this.

use serde::{Deserialize, Serialize};

use crate::UserId;
use crate::sheet::{Field, FileProblem};

/// One problem, at its row and column. File-level problems have neither.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProblem {
    /// The row number a person sees in the spreadsheet; `None` for the file as a whole.
    pub row: Option<usize>,
    /// The column's header; `None` for a problem with the whole row or file.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

impl CellProblem {
    pub fn file(problem: FileProblem) -> Self {
        CellProblem { row: None, column: None, code: problem.code, message: problem.message }
    }

    pub fn at(row: usize, problem: crate::Problem) -> Self {
        CellProblem {
            row: Some(row),
            column: Some(problem.column.header().to_owned()),
            code: problem.code.as_str().to_owned(),
            message: problem.message,
        }
    }

    pub fn at_field(row: usize, field: Field, code: &str, message: impl Into<String>) -> Self {
        CellProblem {
            row: Some(row),
            column: Some(field.header().to_owned()),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// What a row will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    New,
    Changed,
    Unchanged,
    Error,
}

/// A changed cell: what it holds now and what it will hold (an empty `new` clears it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: Field,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub row: usize,
    pub kind: RowKind,
    /// The existing user the row updates.
    pub user: Option<UserId>,
    pub changes: Vec<Change>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Rows with at least one problem, plus one for problems with the file as a whole.
    pub errors: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub counts: Counts,
    /// Every problem, file-level first, then by row.
    pub errors: Vec<CellProblem>,
    pub rows: Vec<RowReport>,
    /// What an admin should know about rows that does not stop the file (`crate::notice`), by row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<CellProblem>,
}

impl Report {
    /// A report for a file that could not be read at all.
    pub fn file_errors(problems: Vec<FileProblem>) -> Report {
        Report {
            counts: Counts { errors: 1, ..Counts::default() },
            errors: problems.into_iter().map(CellProblem::file).collect(),
            rows: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// Builds the counts from the rows (and any file-level problem).
    pub fn new(mut errors: Vec<CellProblem>, rows: Vec<RowReport>) -> Report {
        errors.sort_by_key(|e| e.row.unwrap_or(0));
        let mut counts = Counts::default();
        for row in &rows {
            match row.kind {
                RowKind::New => counts.new += 1,
                RowKind::Changed => counts.changed += 1,
                RowKind::Unchanged => counts.unchanged += 1,
                RowKind::Error => counts.errors += 1,
            }
        }
        if errors.iter().any(|e| e.row.is_none()) {
            counts.errors += 1;
        }
        Report { counts, errors, rows, notices: Vec::new() }
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}
