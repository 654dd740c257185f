//! Notices: what an admin should know about a row that does not stop the file. A user without an
//! email address gets no welcome email; a blank Role is derived from Can Manage Teams; a leader may
//! be left with nobody to lead; a start date may be decades away. Each is at its row and column,
//! like a problem, but the file is committed with them.

use crate::fields::StartDate;
use crate::hash::FxHashMap;
use crate::profile::Profile;
use crate::report::CellProblem;
use crate::sheet::Field;
use crate::{Column, OrgRules, UserId};

/// How far a start date may be from today, in days, before it is worth a second look.
pub const FUTURE_DAYS: i64 = 366;
pub const PAST_DAYS: i64 = 50 * 366;

/// The notices for a new user's profile (bulk create). `blank_role`: the file has a Role column
/// and this row left it blank (a file without the column says nothing of roles).
pub fn for_new_user(row: usize, profile: &Profile, blank_role: bool, org: &OrgRules) -> Vec<CellProblem> {
    let mut notices = Vec::new();
    if profile.email.is_none() {
        notices.push(no_email(row, &format!("{} {}", profile.first_name.as_str(), profile.last_name.as_str())));
    }
    if blank_role && !org.uses_custom_roles {
        notices.push(role_from_hierarchy(row, profile));
    }
    notices.extend(profile.start_date.and_then(|date| start_date(row, date, org)));
    notices
}

/// A blank Role cell, filled from Can Manage Teams.
fn role_from_hierarchy(row: usize, profile: &Profile) -> CellProblem {
    let why = if profile.can_manage_teams { "they can manage teams" } else { "they cannot manage teams" };
    CellProblem::at_field(
        row,
        Field::Profile(Column::Role),
        "role_from_hierarchy",
        format!(
            "Role is blank, so {} {} will be a {}, as {why}.",
            profile.first_name.as_str(),
            profile.last_name.as_str(),
            profile.role
        ),
    )
}

/// A user who will have no email address.
pub fn no_email(row: usize, name: &str) -> CellProblem {
    CellProblem::at_field(
        row,
        Field::Profile(Column::EmailAddress),
        "no_email",
        format!(
            "{name} has no email address, so gets no welcome email and cannot sign in until one is added to their profile."
        ),
    )
}

/// A start date more than a year ahead or fifty years back (`org.today`, when known).
pub fn start_date(row: usize, date: StartDate, org: &OrgRules) -> Option<CellProblem> {
    let today = org.today?;
    let days = date.days() - today;
    let message = if days > FUTURE_DAYS {
        format!("Start date {} is more than a year from today; check the year.", date.iso())
    } else if days < -PAST_DAYS {
        format!("Start date {} is more than fifty years ago; check the year.", date.iso())
    } else {
        return None;
    };
    Some(CellProblem::at_field(row, Field::Profile(Column::StartDate), "start_date_far", message))
}

/// A user's team before and after a bulk update, as the notices need it.
pub struct Move {
    pub row: usize,
    pub user: UserId,
    /// Their leader today, if they are active.
    pub from: Option<UserId>,
    /// Their leader after the update, if they stay active.
    pub to: Option<UserId>,
}

/// Leaders who lead someone today and will lead nobody once the update's moves are made: noted on
/// the leader's own row when the file has it, otherwise on the last row that moves a report away.
/// `reports`: how many active people each leader leads today; `name` and `row_of` describe users.
pub fn leaders_left_alone(
    moves: &[Move],
    reports: &FxHashMap<UserId, usize>,
    name: impl Fn(UserId) -> String,
    row_of: impl Fn(UserId) -> Option<usize>,
) -> Vec<CellProblem> {
    let mut change: FxHashMap<UserId, (i64, usize)> = FxHashMap::default();
    for m in moves.iter().filter(|m| m.from != m.to) {
        if let Some(from) = m.from {
            let entry = change.entry(from).or_insert((0, m.row));
            entry.0 -= 1;
            entry.1 = entry.1.max(m.row);
        }
        if let Some(to) = m.to {
            change.entry(to).or_insert((0, m.row)).0 += 1;
        }
    }
    let mut notices: Vec<CellProblem> = change
        .into_iter()
        .filter(|(leader, (delta, _))| {
            let before = reports.get(leader).copied().unwrap_or(0) as i64;
            before > 0 && before + delta <= 0
        })
        .map(|(leader, (_, last_mover))| {
            let message = format!(
                "{} will be left with no reports once this file moves their team to other leaders.",
                name(leader)
            );
            match row_of(leader) {
                Some(row) => {
                    CellProblem::at_field(row, Field::Profile(Column::CanManageTeams), "leader_left_alone", message)
                }
                None => {
                    CellProblem::at_field(last_mover, Field::Profile(Column::TeamLeader), "leader_left_alone", message)
                }
            }
        })
        .collect();
    notices.sort_by_key(|n| n.row);
    notices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::current::{CurrentTeam, CurrentUser};
    use crate::{Directory, ProfileInput};

    /// 2026-12-04.
    const TODAY: i64 = 20_791;

    fn org() -> OrgRules {
        OrgRules { today: Some(TODAY), ..OrgRules::with_default_roles() }
    }

    fn created(rows: &[&str]) -> crate::report::Report {
        let header = "Role\tCan Manage Teams\tEmail Address\tEmployee ID\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader\tStart Date";
        let text = format!("{header}\r\n{}\r\n", rows.join("\r\n"));
        crate::create::check_create(&crate::write::utf16le(&text), &org(), &Directory::default()).report
    }

    fn codes(notices: &[CellProblem]) -> Vec<(usize, &str, &str)> {
        notices.iter().map(|n| (n.row.unwrap_or(0), n.column.as_deref().unwrap_or(""), n.code.as_str())).collect()
    }

    #[test]
    fn a_new_user_without_email_a_blank_role_or_a_far_start_date_is_noted_and_the_file_still_passes() {
        let report = created(&[
            "\ty\tlead@acme.test\t\tLee\tLead\ty\ty\ty\t\t2026-11-30",
            "Team Member\tn\t\tE7\tNo\tMail\ty\ty\ty\tlead@acme.test\t2062-01-01",
            "Team Member\tn\tok@acme.test\t\tAll\tFine\ty\ty\ty\tlead@acme.test\t1960-05-01",
        ]);
        assert!(report.is_clean(), "{:?}", report.errors);
        assert_eq!(
            codes(&report.notices),
            [
                (2, "Role", "role_from_hierarchy"),
                (3, "Email Address", "no_email"),
                (3, "Start Date", "start_date_far"),
                (4, "Start Date", "start_date_far"),
            ]
        );
        assert_eq!(
            report.notices[0].message,
            "Role is blank, so Lee Lead will be a Team Leader, as they can manage teams."
        );
        assert!(report.notices[1].message.starts_with("No Mail has no email address, so gets no welcome email"));
    }

    #[test]
    fn a_row_with_errors_gets_errors_not_notices() {
        let report = created(&["\tmaybe\t\tE1\tNo\tMail\ty\ty\ty\t\t"]);
        assert!(!report.is_clean());
        assert!(report.notices.is_empty());
    }

    #[test]
    fn dates_within_a_year_ahead_and_fifty_years_back_are_not_noted() {
        let date = |iso| StartDate::parse(iso, crate::fields::DateFormat::IsoOnly).unwrap().unwrap();
        assert!(start_date(2, date("2027-12-01"), &org()).is_none());
        assert!(start_date(2, date("2028-01-01"), &org()).is_some());
        assert!(start_date(2, date("1977-01-01"), &org()).is_none());
        assert!(start_date(2, date("2099-01-01"), &OrgRules::default()).is_none(), "no today, no notice");
    }

    fn user(id: i64, first: &str, leads: bool, leader: Option<(i64, &str)>) -> CurrentUser {
        CurrentUser {
            id: UserId(id),
            version: 1,
            cells: ProfileInput::new()
                .with(Column::CanManageTeams, if leads { "y" } else { "n" })
                .with(Column::EmailAddress, format!("{}@acme.test", first.to_lowercase()))
                .with(Column::FirstName, first)
                .with(Column::LastName, "Smith")
                .with(Column::PhoneChannel, "y")
                .with(Column::ChatChannel, "y")
                .with(Column::EmailChannel, "y")
                .with(Column::TeamLeader, leader.map(|(_, email)| email).unwrap_or_default()),
            leader: leader.map(|(id, _)| UserId(id)),
            deactivated: false,
            changed_by: "Admin".into(),
            changed_at: "2026-11-21 09:00 UTC".into(),
            history: Vec::new(),
        }
    }

    #[test]
    fn a_leader_whose_last_report_moves_away_is_noted_and_one_who_keeps_someone_is_not() {
        // Ada leads Cy; Bob leads Dee and Eve.
        let team = CurrentTeam::from(vec![
            user(1, "Ada", true, None),
            user(2, "Bob", true, None),
            user(3, "Cy", false, Some((1, "ada@acme.test"))),
            user(4, "Dee", false, Some((2, "bob@acme.test"))),
            user(5, "Eve", false, Some((2, "bob@acme.test"))),
        ]);
        let text = "User ID\tTeam Leader\r\n3\tbob@acme.test\r\n4\tada@acme.test\r\n";
        let report = crate::update::check_update(&crate::write::utf16le(text), &org(), &team).report;
        assert!(report.is_clean(), "{:?}", report.errors);
        assert!(report.notices.is_empty(), "each leader still leads someone: {:?}", report.notices);

        let text = "User ID\tTeam Leader\r\n3\tbob@acme.test\r\n";
        let report = crate::update::check_update(&crate::write::utf16le(text), &org(), &team).report;
        assert_eq!(codes(&report.notices), [(2, "Team Leader", "leader_left_alone")]);
        assert_eq!(
            report.notices[0].message,
            "Ada Smith will be left with no reports once this file moves their team to other leaders."
        );

        let text =
            "User ID\tTeam Leader\tEmail Address\tEmployee ID\r\n3\tbob@acme.test\tcy@acme.test\t\r\n1\t\t\tA1\r\n";
        let report = crate::update::check_update(&crate::write::utf16le(text), &org(), &team).report;
        assert!(report.is_clean(), "{:?}", report.errors);
        let found = codes(&report.notices);
        assert!(found.contains(&(3, "Can Manage Teams", "leader_left_alone")), "on Ada's own row: {found:?}");
        assert!(found.contains(&(3, "Email Address", "no_email")), "Ada's address is cleared: {found:?}");
    }
}
