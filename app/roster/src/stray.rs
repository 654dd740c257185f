//! Stray columns: what a header Roster does not know most likely means, and the header names an
//! organisation has taught it ("Phone" is our Phone Channel, "Notes" is to be ignored), which every
//! later file of the organisation is read with.

use serde::{Deserialize, Serialize};

use crate::column::normalise_header;
use crate::parse::Record;
use crate::sheet::{Field, Mode};
use crate::{Column, OrgRules};

/// Longest header an organisation may give a name to, in characters.
pub const MAX_HEADER: usize = 100;

/// What an organisation has said one of its headers holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Meaning {
    /// The column is this field.
    Field(Field),
    /// The column is read by no one: its cells are left alone.
    Ignore,
}

/// How [`Meaning::Ignore`] is written in storage and on the wire.
const IGNORE: &str = "ignore";

impl Meaning {
    /// The field's key, or "ignore".
    pub fn key(self) -> &'static str {
        match self {
            Meaning::Field(field) => field.key(),
            Meaning::Ignore => IGNORE,
        }
    }

    /// The meaning a [`Meaning::key`] names; the error report's column is no meaning.
    pub fn from_key(key: &str) -> Option<Meaning> {
        match key {
            IGNORE => Some(Meaning::Ignore),
            _ => Field::from_key(key).filter(|field| *field != Field::Errors).map(Meaning::Field),
        }
    }

    /// "Phone Channel", "Ignored".
    pub fn label(self) -> &'static str {
        match self {
            Meaning::Field(field) => field.header(),
            Meaning::Ignore => "Ignored",
        }
    }
}

/// Why a header name was refused; the message says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColumnNameError {
    #[error("Enter the column's header as the file writes it.")]
    Blank,
    #[error("The header is {0} characters long; Roster remembers headers of at most {MAX_HEADER}.")]
    TooLong(usize),
    #[error("The header contains a line break, tab or other invisible character; a header is one line.")]
    ControlCharacter,
    #[error("\"{0}\" is already Roster's own name for a column; it needs no other name.")]
    RosterHeader(String),
    #[error("\"{0}\" is not something a column can hold; choose one of the template's columns, or ignore it.")]
    UnknownMeaning(String),
}

/// A header an organisation has given a meaning to: its spelling as first written (trimmed), and
/// what it holds. Headers are matched as Roster's own are, ignoring case, spacing and a `*`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnName {
    header: String,
    meaning: Meaning,
}

impl ColumnName {
    /// `header` as a file writes it, to mean `meaning` (a [`Meaning::key`]).
    pub fn parse(header: &str, meaning: &str) -> Result<ColumnName, ColumnNameError> {
        let meaning = Meaning::from_key(meaning).ok_or_else(|| ColumnNameError::UnknownMeaning(meaning.to_owned()))?;
        let header = header.trim();
        if normalise_header(header).is_empty() {
            return Err(ColumnNameError::Blank);
        }
        let length = header.chars().count();
        if length > MAX_HEADER {
            return Err(ColumnNameError::TooLong(length));
        }
        if header.chars().any(char::is_control) {
            return Err(ColumnNameError::ControlCharacter);
        }
        if let Some(field) = Field::from_header(header) {
            return Err(ColumnNameError::RosterHeader(field.header().to_owned()));
        }
        Ok(ColumnName { header: header.to_owned(), meaning })
    }

    pub fn header(&self) -> &str {
        &self.header
    }

    pub fn meaning(&self) -> Meaning {
        self.meaning
    }

    /// The form two headers are compared in (and storage's key).
    pub fn key(&self) -> String {
        header_key(&self.header)
    }
}

/// The form in which a header cell is compared with remembered names.
pub fn header_key(cell: &str) -> String {
    normalise_header(cell)
}

/// What a header cell holds: one of Roster's columns, or a name the organisation remembers;
/// `None` for a stray column.
pub fn meaning_of(cell: &str, org: &OrgRules) -> Option<Meaning> {
    if let Some(field) = Field::from_header(cell) {
        return Some(Meaning::Field(field));
    }
    let key = header_key(cell);
    org.column_names.iter().find(|name| name.key() == key).map(ColumnName::meaning)
}

/// A header cell Roster does not know, and the columns it most likely means, best first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrayColumn {
    /// Zero-based position in the header row.
    pub index: usize,
    /// As the file writes it (trimmed).
    pub header: String,
    pub suggestions: Vec<Field>,
}

/// The header cells of a file that Roster does not know, with their suggestions, in column order.
pub fn stray_columns(header: &Record<'_>, mode: Mode, org: &OrgRules) -> Vec<StrayColumn> {
    let mut taken = Vec::new();
    let mut strays = Vec::new();
    for (index, cell) in header.cells().enumerate().filter(|(_, cell)| !cell.trim().is_empty()) {
        match meaning_of(cell, org) {
            Some(Meaning::Field(field)) => taken.push(field),
            Some(Meaning::Ignore) => {}
            None => strays.push((index, cell)),
        }
    }
    strays
        .into_iter()
        .map(|(index, cell)| StrayColumn {
            index,
            header: cell.trim().to_owned(),
            suggestions: suggestions(cell, mode, &taken),
        })
        .collect()
}

/// The fields a file of `mode` may hold, in the template's order.
pub fn fields_for(mode: Mode) -> Vec<Field> {
    let profile = Column::ALL.into_iter().map(Field::Profile);
    match mode {
        Mode::Create => profile.collect(),
        Mode::Update => [Field::UserId]
            .into_iter()
            .chain(profile.filter(|field| *field != Field::Profile(Column::TemporaryPassword)))
            .chain([Field::Deactivated, Field::Version])
            .collect(),
    }
}

/// Most suggestions offered for one header.
const SUGGESTIONS: usize = 3;

/// The columns a header most likely means, best first, leaving out those the file already has
/// (`taken`): the same words in another case or spacing ("first_name", "FirstName"), a word people
/// use for it ("Surname", "Manager", "Tel"), a part of its name ("Phone" for Phone Channel), or a
/// slip of the keyboard ("Frist Name").
pub fn suggestions(cell: &str, mode: Mode, taken: &[Field]) -> Vec<Field> {
    let wanted = words(cell);
    if wanted.is_empty() {
        return Vec::new();
    }
    let joined: String = wanted.concat();
    let mut scored: Vec<(u8, usize, usize, Field)> = fields_for(mode)
        .into_iter()
        .enumerate()
        .filter(|(_, field)| !taken.contains(field))
        .filter_map(|(order, field)| {
            let theirs = words(field.header());
            let their_joined = theirs.concat();
            let distance = edit_distance(&joined, &their_joined);
            let tier = if joined == their_joined {
                0
            } else if synonym(&wanted.join(" ")) == Some(field) {
                1
            } else if wanted.iter().all(|word| theirs.contains(word)) {
                2
            } else if distance <= typo_allowance(their_joined.chars().count()) {
                3
            } else {
                return None;
            };
            Some((tier, distance, order, field))
        })
        .collect();
    scored.sort_by_key(|&(tier, distance, order, _)| (tier, distance, order));
    scored.into_iter().map(|(.., field)| field).take(SUGGESTIONS).collect()
}

/// The words of a header, lowercased: "first_name", "First-Name" and "FirstName" are all
/// `["first", "name"]`; a `*` and notes in parentheses are dropped as in header matching.
fn words(cell: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(cell.len() + 4);
    let mut previous: Option<char> = None;
    for c in cell.chars() {
        if c.is_uppercase() && previous.is_some_and(char::is_lowercase) {
            spaced.push(' ');
        }
        spaced.push(if matches!(c, '_' | '-' | '.' | '/' | ':') { ' ' } else { c });
        previous = Some(c);
    }
    normalise_header(&spaced).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// How many slips a header of `length` letters may have and still be suggested.
fn typo_allowance(length: usize) -> usize {
    match length {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// What other spreadsheets and HR systems call our columns.
fn synonym(words: &str) -> Option<Field> {
    let column = match words {
        "email" | "e mail" | "mail" | "email id" | "work email" | "email addr" => Column::EmailAddress,
        "emp id" | "employee number" | "employee no" | "emp no" | "staff id" | "staff number" | "employee" => {
            Column::EmployeeId
        }
        "given name" | "forename" | "first" | "fname" => Column::FirstName,
        "surname" | "family name" | "last" | "lname" => Column::LastName,
        "town" | "city" | "hometown" | "location" => Column::HomeTown,
        "state" | "country" | "region" | "province" => Column::StateOrCountry,
        "phone" | "telephone" | "tel" | "voice" => Column::PhoneChannel,
        "chat" | "messaging" => Column::ChatChannel,
        "manager" | "supervisor" | "leader" | "team lead" | "reports to" | "manager email" => Column::TeamLeader,
        "status" | "employment" | "employment type" => Column::EmploymentStatus,
        "start" | "hire date" | "start day" | "date started" | "joined" => Column::StartDate,
        "groups" | "group" | "teams" => Column::GroupAssignments,
        "password" | "temp password" => Column::TemporaryPassword,
        "manager flag" | "manages teams" | "can manage" | "is manager" => Column::CanManageTeams,
        "bio" | "about" => Column::Profile,
        "id" | "user" | "roster id" => return Some(Field::UserId),
        "inactive" | "deactivate" | "disabled" => return Some(Field::Deactivated),
        _ => return None,
    };
    Some(Field::Profile(column))
}

/// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each count one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// "\"Phone Channel\"", "\"Email Address\" or \"Email Channel\"": suggestions as a message says
/// them.
pub fn said(suggestions: &[Field]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|field| format!("\"{}\"", field.header())).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggested(cell: &str) -> Vec<&'static str> {
        suggestions(cell, Mode::Create, &[]).into_iter().map(Field::header).collect()
    }

    #[test]
    fn a_header_in_another_case_or_spacing_suggests_its_column_first() {
        assert_eq!(suggested("first_name")[0], "First Name");
        assert_eq!(suggested("FirstName")[0], "First Name");
        assert_eq!(suggested("EMAIL-ADDRESS")[0], "Email Address");
        assert_eq!(suggested("employeeId")[0], "Employee ID");
    }

    #[test]
    fn part_of_a_name_a_common_word_or_a_slip_suggests_the_column() {
        assert_eq!(suggested("Phone"), ["Phone Channel"]);
        assert_eq!(suggested("Email"), ["Email Address", "Email Channel"], "the likelier first");
        assert_eq!(suggested("Surname"), ["Last Name"]);
        assert_eq!(suggested("Manager"), ["Team Leader"]);
        assert_eq!(suggested("Frist Name")[0], "First Name");
        assert_eq!(suggested("Start Dat")[0], "Start Date");
        assert!(suggested("Shoe Size").is_empty(), "{:?}", suggested("Shoe Size"));
        assert!(suggested("Notes").is_empty());
    }

    #[test]
    fn a_column_the_file_already_has_is_not_suggested_again() {
        let taken = [Field::Profile(Column::EmailAddress)];
        let left: Vec<Field> = suggestions("Email", Mode::Create, &taken);
        assert_eq!(left, [Field::Profile(Column::EmailChannel)]);
        assert!(suggestions("Temp Password", Mode::Update, &[]).is_empty(), "an update has no passwords");
        assert_eq!(suggestions("user_id", Mode::Update, &[]), [Field::UserId]);
    }

    #[test]
    fn a_remembered_name_is_read_as_its_column_or_ignored() {
        let org = OrgRules {
            column_names: vec![
                ColumnName::parse("Phone", "phone_channel").unwrap(),
                ColumnName::parse("Notes", "ignore").unwrap(),
            ],
            ..OrgRules::default()
        };
        assert_eq!(meaning_of(" PHONE ", &org), Some(Meaning::Field(Field::Profile(Column::PhoneChannel))));
        assert_eq!(meaning_of("notes*", &org), Some(Meaning::Ignore));
        assert_eq!(meaning_of("Team Leader", &org), Some(Meaning::Field(Field::Profile(Column::TeamLeader))));
        assert_eq!(meaning_of("Shoe Size", &org), None);
    }

    #[test]
    fn a_name_must_be_a_header_of_one_line_that_roster_does_not_already_know() {
        assert_eq!(ColumnName::parse("  ", "ignore"), Err(ColumnNameError::Blank));
        assert_eq!(ColumnName::parse("a\tb", "ignore"), Err(ColumnNameError::ControlCharacter));
        assert_eq!(ColumnName::parse(&"x".repeat(101), "ignore"), Err(ColumnNameError::TooLong(101)));
        assert_eq!(
            ColumnName::parse("first name", "last_name"),
            Err(ColumnNameError::RosterHeader("First Name".into()))
        );
        assert_eq!(ColumnName::parse("Phone", "errors"), Err(ColumnNameError::UnknownMeaning("errors".into())));
        assert_eq!(ColumnName::parse("Phone", "shoe_size"), Err(ColumnNameError::UnknownMeaning("shoe_size".into())));
        let name = ColumnName::parse(" Phone ", "phone_channel").unwrap();
        assert_eq!((name.header(), name.key().as_str(), name.meaning().label()), ("Phone", "phone", "Phone Channel"));
        for meaning in fields_for(Mode::Update).into_iter().map(Meaning::Field).chain([Meaning::Ignore]) {
            assert_eq!(Meaning::from_key(meaning.key()), Some(meaning));
        }
    }

    #[test]
    fn suggestions_are_said_as_a_list() {
        let email = [Field::Profile(Column::EmailAddress), Field::Profile(Column::EmailChannel)];
        assert_eq!(said(&email), "\"Email Address\" or \"Email Channel\"");
        assert_eq!(said(&email[..1]), "\"Email Address\"");
        assert_eq!(edit_distance("frist", "first"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
