//! The header row: which column is where, and the file-level problems of a header (unknown,
//! duplicate or missing columns). Columns may come in any order.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::parse::Record;
use crate::stray::{self, Meaning, StrayColumn};
use crate::{Column, OrgRules};

/// Bulk create or bulk update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Create,
    Update,
}

/// A column the spreadsheet may hold: a profile field, or one of the update's bookkeeping columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Profile(Column),
    /// The stable id of an existing user (Download Current Team writes it).
    UserId,
    /// y/n: deactivate or reactivate.
    Deactivated,
    /// The user's version at download time, to recognise a conflicting edit.
    Version,
    /// The column the error report adds; ignored when the report is uploaded again.
    Errors,
}

pub const USER_ID: &str = "User ID";
pub const DEACTIVATED: &str = "Deactivated";
pub const VERSION: &str = "Version";
pub const ERRORS: &str = "Errors";

impl Field {
    pub fn header(self) -> &'static str {
        match self {
            Field::Profile(column) => column.header(),
            Field::UserId => USER_ID,
            Field::Deactivated => DEACTIVATED,
            Field::Version => VERSION,
            Field::Errors => ERRORS,
        }
    }

    /// A stable snake_case key for JSON (the audit trail's before → after).
    pub fn key(self) -> &'static str {
        match self {
            Field::Profile(column) => column.key(),
            Field::UserId => "user_id",
            Field::Deactivated => "deactivated",
            Field::Version => "version",
            Field::Errors => "errors",
        }
    }

    /// The field a [`Field::key`] names.
    pub fn from_key(key: &str) -> Option<Field> {
        Column::ALL
            .into_iter()
            .map(Field::Profile)
            .chain([Field::UserId, Field::Deactivated, Field::Version, Field::Errors])
            .find(|field| field.key() == key)
    }

    pub(crate) fn from_header(cell: &str) -> Option<Field> {
        if let Some(column) = Column::from_header(cell) {
            return Some(Field::Profile(column));
        }
        let wanted = cell.trim().trim_end_matches('*').trim().to_lowercase();
        [Field::UserId, Field::Deactivated, Field::Version, Field::Errors]
            .into_iter()
            .find(|field| field.header().to_lowercase() == wanted)
    }
}

/// A problem with the file as a whole (no row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProblem {
    pub code: String,
    pub message: String,
}

impl FileProblem {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        FileProblem { code: code.to_owned(), message: message.into() }
    }
}

/// Where each field is in the rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    positions: HashMap<Field, usize>,
    width: usize,
}

impl Header {
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions.get(&field).copied()
    }

    pub fn has(&self, field: Field) -> bool {
        self.positions.contains_key(&field)
    }

    /// Where each profile column is, by [`Column::index`].
    pub fn profile_positions(&self) -> [Option<usize>; Column::ALL.len()] {
        Column::ALL.map(|column| self.position(Field::Profile(column)))
    }

    /// How many columns the header has.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Reads the header row, in either mode; every problem is reported at once.
    pub fn read(record: &Record<'_>, mode: Mode, org: &OrgRules) -> Result<Header, Vec<FileProblem>> {
        let mut problems = Vec::new();
        let mut positions = HashMap::new();
        for (index, cell) in record.cells().enumerate() {
            if cell.trim().is_empty() {
                continue; // a trailing empty header cell, as Excel sometimes writes
            }
            if let Some(Meaning::Field(field)) = stray::meaning_of(cell, org)
                && let Some(first) = positions.insert(field, index)
            {
                problems.push(FileProblem::new(
                    "duplicate_column",
                    format!(
                        "Columns {} and {} are both \"{}\"; keep one of them.",
                        column_letter(first),
                        column_letter(index),
                        field.header()
                    ),
                ));
            }
        }
        let strays = stray::stray_columns(record, mode, org).into_iter().map(|stray| unknown_column(&stray));
        problems.splice(0..0, strays);
        let header = Header { positions, width: record.len() };
        if mode == Mode::Update {
            // An update names each user by User ID and changes only the columns it has: a column
            // left out leaves everyone's value as it is.
            return header.update_problems(problems);
        }
        let mut required: Vec<Field> = [
            Column::CanManageTeams,
            Column::FirstName,
            Column::LastName,
            Column::PhoneChannel,
            Column::ChatChannel,
            Column::EmailChannel,
            Column::TeamLeader,
        ]
        .into_iter()
        .map(Field::Profile)
        .collect();
        if org.uses_custom_roles {
            required.insert(0, Field::Profile(Column::Role));
        }
        for field in required {
            if !header.has(field) {
                problems.push(missing(field));
            }
        }
        if !header.has(Field::Profile(Column::EmailAddress)) && !header.has(Field::Profile(Column::EmployeeId)) {
            problems.push(FileProblem::new(
                "missing_column",
                "The file needs an \"Email Address\" or an \"Employee ID\" column (or both) to identify each user.",
            ));
        }
        if problems.is_empty() { Ok(header) } else { Err(problems) }
    }

    /// An update's header: a User ID column, and no Temporary Password.
    fn update_problems(self, mut problems: Vec<FileProblem>) -> Result<Header, Vec<FileProblem>> {
        if !self.has(Field::UserId) {
            problems.insert(0, missing(Field::UserId));
        }
        if self.has(Field::Profile(Column::TemporaryPassword)) {
            problems.push(FileProblem::new(
                "temporary_password_in_update",
                "The Temporary Password column is for Bulk Create only; delete it from this file (an existing user's password is changed on their profile page).",
            ));
        }
        if problems.is_empty() { Ok(self) } else { Err(problems) }
    }
}

/// The file error for a header Roster does not know, with the columns it most likely means.
fn unknown_column(stray: &StrayColumn) -> FileProblem {
    let guess = match stray.suggestions.as_slice() {
        [] => String::new(),
        suggestions => format!(" Did you mean {}?", stray::said(suggestions)),
    };
    FileProblem::new(
        "unknown_column",
        format!(
            "Column {} is headed \"{}\", which is not a Roster column.{guess} Rename it to one of the template's headers or delete the column.",
            column_letter(stray.index),
            crate::fields::shorten(&stray.header)
        ),
    )
}

fn missing(field: Field) -> FileProblem {
    FileProblem::new(
        "missing_column",
        format!(
            "The required column \"{}\" is missing; add it to the header row (the template has every column).",
            field.header()
        ),
    )
}

/// The spreadsheet's letter for a zero-based column index: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Table;

    fn header(text: &str, mode: Mode) -> Result<Header, Vec<FileProblem>> {
        let table = Table::parse(text);
        let first = table.record(0).expect("a header row");
        Header::read(&first, mode, &OrgRules::default())
    }

    const MINIMAL: &str = "Can Manage Teams\tEmail Address\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader";

    #[test]
    fn columns_are_found_in_any_order() {
        let reversed: Vec<&str> = MINIMAL.split('\t').rev().collect();
        let header = header(&reversed.join("\t"), Mode::Create).unwrap();
        assert_eq!(header.position(Field::Profile(Column::TeamLeader)), Some(0));
        assert_eq!(header.position(Field::Profile(Column::CanManageTeams)), Some(7));
    }

    #[test]
    fn unknown_duplicate_and_missing_columns_are_file_errors_naming_the_column() {
        let problems = header("*First Name\tShoe Size\tfirst name \tEmail Address", Mode::Create).unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages[0],
            "Column B is headed \"Shoe Size\", which is not a Roster column. Rename it to one of the template's headers or delete the column."
        );
        assert_eq!(messages[1], "Columns A and C are both \"First Name\"; keep one of them.");
        assert!(messages[2..].contains(
            &"The required column \"Team Leader\" is missing; add it to the header row (the template has every column)."
        ));
        assert!(!messages.iter().any(|m| m.contains("\"First Name\" is missing")));
    }

    #[test]
    fn a_stray_header_names_the_columns_it_most_likely_means() {
        let problems = header(&(MINIMAL.replace("Phone Channel", "Phone") + "\tfirst_name"), Mode::Create).unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages[0].contains("Column E is headed \"Phone\"")
                && messages[0].contains("Did you mean \"Phone Channel\"?")
        );
        assert!(!messages[1].contains("Did you mean"), "First Name is in the file already: {}", messages[1]);
    }

    #[test]
    fn remembered_names_are_read_as_their_columns_and_ignored_columns_are_skipped() {
        use crate::stray::ColumnName;
        let org = OrgRules {
            column_names: vec![
                ColumnName::parse("Phone", "phone_channel").unwrap(),
                ColumnName::parse("Notes", "ignore").unwrap(),
            ],
            ..OrgRules::default()
        };
        let text = MINIMAL.replace("Phone Channel", "phone") + "\tNotes";
        let table = Table::parse(&text);
        let read = Header::read(&table.record(0).unwrap(), Mode::Create, &org).unwrap();
        assert_eq!(read.position(Field::Profile(Column::PhoneChannel)), Some(4));
        assert_eq!(read.width(), 9, "the ignored column is still in the row");
        let twice = format!("{text}\tPhone Channel");
        let problems = Header::read(&Table::parse(&twice).record(0).unwrap(), Mode::Create, &org).unwrap_err();
        assert_eq!(problems[0].code, "duplicate_column");
    }

    #[test]
    fn update_needs_user_ids_and_ignores_the_error_report_column() {
        let problems = header(MINIMAL, Mode::Update).unwrap_err();
        assert_eq!(
            problems[0].message,
            "The required column \"User ID\" is missing; add it to the header row (the template has every column)."
        );
        let header = header(&format!("User ID\t{MINIMAL}\tErrors"), Mode::Update).unwrap();
        assert!(header.has(Field::Errors));
    }

    #[test]
    fn an_update_needs_only_user_ids_and_the_columns_it_changes() {
        let partial = header("User ID\tHome Town", Mode::Update).unwrap();
        assert!(partial.has(Field::Profile(Column::HomeTown)) && !partial.has(Field::Profile(Column::FirstName)));
        let problems = header("Home Town\tTemporary Password", Mode::Update).unwrap_err();
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["missing_column", "temporary_password_in_update"]);
        assert!(header("Home Town", Mode::Create).is_err(), "a new user needs every required column");
    }

    #[test]
    fn every_field_is_found_again_by_its_key() {
        for field in
            Column::ALL.map(Field::Profile).into_iter().chain([Field::UserId, Field::Deactivated, Field::Version])
        {
            assert_eq!(Field::from_key(field.key()), Some(field));
        }
        assert_eq!(Field::from_key("shoe_size"), None);
    }

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(
            [column_letter(0), column_letter(25), column_letter(26), column_letter(701), column_letter(702)],
            ["A", "Z", "AA", "ZZ", "AAA"]
        );
    }
}
