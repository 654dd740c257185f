//! The columns of the bulk spreadsheet, in template order, and header recognition.

use serde::{Deserialize, Serialize};

/// One column of the bulk spreadsheet; also names the field of the single-user form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Column {
    Role,
    CanManageTeams,
    EmailAddress,
    EmployeeId,
    FirstName,
    LastName,
    HomeTown,
    StateOrCountry,
    Profile,
    PhoneChannel,
    ChatChannel,
    EmailChannel,
    TeamLeader,
    EmploymentStatus,
    StartDate,
    GroupAssignments,
    TemporaryPassword,
}

impl Column {
    /// Every profile column, in the template's order.
    pub const ALL: [Column; 17] = [
        Column::Role,
        Column::CanManageTeams,
        Column::EmailAddress,
        Column::EmployeeId,
        Column::FirstName,
        Column::LastName,
        Column::HomeTown,
        Column::StateOrCountry,
        Column::Profile,
        Column::PhoneChannel,
        Column::ChatChannel,
        Column::EmailChannel,
        Column::TeamLeader,
        Column::EmploymentStatus,
        Column::StartDate,
        Column::GroupAssignments,
        Column::TemporaryPassword,
    ];

    /// The y/n columns: read as booleans by the APIs, compared by meaning in a bulk update.
    pub const FLAGS: [Column; 4] =
        [Column::CanManageTeams, Column::PhoneChannel, Column::ChatChannel, Column::EmailChannel];

    /// The column's place in [`Column::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// True for a y/n column ([`Column::FLAGS`]).
    pub const fn is_flag(self) -> bool {
        matches!(self, Column::CanManageTeams | Column::PhoneChannel | Column::ChatChannel | Column::EmailChannel)
    }

    /// The header as the template writes it and as messages name the column.
    pub const fn header(self) -> &'static str {
        match self {
            Column::Role => "Role",
            Column::CanManageTeams => "Can Manage Teams",
            Column::EmailAddress => "Email Address",
            Column::EmployeeId => "Employee ID",
            Column::FirstName => "First Name",
            Column::LastName => "Last Name",
            Column::HomeTown => "Home Town",
            Column::StateOrCountry => "State or Country",
            Column::Profile => "Profile",
            Column::PhoneChannel => "Phone Channel",
            Column::ChatChannel => "Chat Channel",
            Column::EmailChannel => "Email Channel",
            Column::TeamLeader => "Team Leader",
            Column::EmploymentStatus => "Employment Status",
            Column::StartDate => "Start Date",
            Column::GroupAssignments => "Group Assignments",
            Column::TemporaryPassword => "Temporary Password",
        }
    }

    /// A stable snake_case key, used for form field names and JSON.
    pub const fn key(self) -> &'static str {
        match self {
            Column::Role => "role",
            Column::CanManageTeams => "can_manage_teams",
            Column::EmailAddress => "email",
            Column::EmployeeId => "employee_id",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::HomeTown => "home_town",
            Column::StateOrCountry => "state_or_country",
            Column::Profile => "profile",
            Column::PhoneChannel => "phone_channel",
            Column::ChatChannel => "chat_channel",
            Column::EmailChannel => "email_channel",
            Column::TeamLeader => "team_leader",
            Column::EmploymentStatus => "employment_status",
            Column::StartDate => "start_date",
            Column::GroupAssignments => "group_assignments",
            Column::TemporaryPassword => "temporary_password",
        }
    }

    /// Recognises a header cell: case, surrounding spaces, a trailing `*` and notes in
    /// parentheses such as `(conditional)` or `(if applicable)` are ignored. "Email channel"
    /// (the help page's spelling) and "Email Channel" are the same column.
    pub fn from_header(cell: &str) -> Option<Column> {
        let wanted = normalise_header(cell);
        Column::ALL.into_iter().find(|column| normalise_header(column.header()) == wanted)
    }
}

/// The comparable form of a header cell.
pub(crate) fn normalise_header(cell: &str) -> String {
    let mut text = cell.trim().trim_start_matches('*').trim();
    // Drop notes in parentheses at the end, e.g. "Role (conditional)" or "Employee ID (if applicable)".
    while let Some(open) = text.rfind('(') {
        if !text.ends_with(')') {
            break;
        }
        text = text[..open].trim_end();
    }
    let text = text.trim_end_matches('*').trim();
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.header())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_ignoring_case_spaces_stars_and_notes() {
        assert_eq!(Column::from_header("*Role (conditional)"), Some(Column::Role));
        assert_eq!(Column::from_header("  email address "), Some(Column::EmailAddress));
        assert_eq!(Column::from_header("Employee ID (if applicable)"), Some(Column::EmployeeId));
        assert_eq!(Column::from_header("*Email channel"), Some(Column::EmailChannel));
        assert_eq!(Column::from_header("First Name*"), Some(Column::FirstName));
        assert_eq!(Column::from_header("Favourite Colour"), None);
    }

    #[test]
    fn the_flags_are_the_y_n_columns() {
        let flags: Vec<Column> = Column::ALL.into_iter().filter(|c| c.is_flag()).collect();
        assert_eq!(flags, Column::FLAGS);
    }

    #[test]
    fn a_columns_index_is_its_place_in_the_template() {
        for (index, column) in Column::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), index);
        }
    }

    #[test]
    fn every_header_recognises_itself() {
        for column in Column::ALL {
            assert_eq!(Column::from_header(column.header()), Some(column));
        }
    }
}
