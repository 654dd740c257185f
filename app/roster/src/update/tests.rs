use super::*;
use crate::ProfileInput;
use crate::current::{CurrentUser, export};
use crate::report::Counts;
use crate::write::utf16le;

fn org() -> OrgRules {
    OrgRules::with_default_roles()
}

fn user(id: i64, email: &str, first: &str, can_manage: bool, leader: Option<(i64, &str)>) -> CurrentUser {
    let cells = ProfileInput::new()
        .with(Column::Role, if can_manage { "Team Leader" } else { "Team Member" })
        .with(Column::CanManageTeams, if can_manage { "y" } else { "n" })
        .with(Column::EmailAddress, email)
        .with(Column::FirstName, first)
        .with(Column::LastName, "Smith")
        .with(Column::PhoneChannel, "y")
        .with(Column::ChatChannel, "n")
        .with(Column::EmailChannel, "y")
        .with(Column::TeamLeader, leader.map(|l| l.1).unwrap_or(""));
    CurrentUser {
        id: UserId(id),
        version: 3,
        cells,
        leader: leader.map(|l| UserId(l.0)),
        deactivated: false,
        changed_by: "Grace Hopper".into(),
        changed_at: "2026-11-20 09:30 UTC".into(),
        history: Vec::new(),
    }
}

/// Boss (1) leads Lea (2, can manage) who leads Ada (3) and Bob (4).
fn team() -> CurrentTeam {
    CurrentTeam::from(vec![
        user(1, "boss@acme.test", "Bo", true, None),
        user(2, "lea@acme.test", "Lea", true, Some((1, "boss@acme.test"))),
        user(3, "ada@acme.test", "Ada", false, Some((2, "lea@acme.test"))),
        user(4, "bob@acme.test", "Bob", false, Some((2, "lea@acme.test"))),
    ])
}

/// The export's text with `edit` applied to the cells of (row, header).
fn edited(team: &CurrentTeam, edits: &[(usize, &str, &str)]) -> Vec<u8> {
    let text = crate::decode::decode(&export(team)).unwrap();
    let mut rows: Vec<Vec<String>> =
        crate::parse::Table::parse(&text).records().map(|r| r.cells().map(str::to_owned).collect()).collect();
    for (row, header, value) in edits {
        let column = rows[0].iter().position(|h| h == header).unwrap();
        rows[row - 1][column] = (*value).to_owned();
    }
    utf16le(&crate::write::tsv(rows.iter().map(|r| r.iter().map(String::as_str))))
}

fn codes(checked: &Checked<UpdatePlan>) -> Vec<(Option<usize>, Option<String>, String)> {
    checked.report.errors.iter().map(|e| (e.row, e.column.clone(), e.code.clone())).collect()
}

fn at(row: usize, column: &str, code: &str) -> (Option<usize>, Option<String>, String) {
    (Some(row), Some(column.to_owned()), code.to_owned())
}

#[test]
fn an_untouched_export_is_all_unchanged() {
    let team = team();
    let checked = check_update(&export(&team), &org(), &team);
    assert_eq!(checked.report.counts, Counts { unchanged: 4, ..Counts::default() });
    assert_eq!(checked.plan.unwrap().users.len(), 0);
}

#[test]
fn a_changed_cell_is_reported_old_to_new_and_planned() {
    let team = team();
    let checked =
        check_update(&edited(&team, &[(4, "First Name", "Augusta"), (4, "Home Town", "London")]), &org(), &team);
    assert_eq!(checked.report.counts, Counts { changed: 1, unchanged: 3, ..Counts::default() });
    let row = checked.report.rows.iter().find(|r| r.row == 4).unwrap();
    assert_eq!(
        row.changes,
        [
            Change { field: Field::Profile(Column::FirstName), old: "Ada".into(), new: "Augusta".into() },
            Change { field: Field::Profile(Column::HomeTown), old: "".into(), new: "London".into() },
        ]
    );
    let plan = checked.plan.unwrap();
    assert_eq!((plan.users[0].id, plan.users[0].version, plan.users[0].leader), (UserId(3), 3, Some(UserId(2))));
}

#[test]
fn two_users_may_swap_email_addresses() {
    let team = team();
    let swap = edited(&team, &[(4, "Email Address", "bob@acme.test"), (5, "Email Address", "ada@acme.test")]);
    let checked = check_update(&swap, &org(), &team);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    assert_eq!(checked.report.counts.changed, 2);
}

#[test]
fn taking_an_address_someone_keeps_is_an_error() {
    let team = team();
    let checked = check_update(&edited(&team, &[(4, "Email Address", "BOB@acme.test")]), &org(), &team);
    assert_eq!(codes(&checked), [at(4, "Email Address", "duplicate_email")]);
    assert_eq!(
        checked.report.errors[0].message,
        "bob@acme.test would also belong to Bob Smith after this update; each user needs their own."
    );
}

#[test]
fn users_who_can_manage_teams_keep_their_leader_stay_active_and_keep_the_flag() {
    let team = team();
    let checked = check_update(
        &edited(&team, &[(3, "Team Leader", "ada@acme.test"), (3, "Deactivated", "y"), (3, "Can Manage Teams", "n")]),
        &org(),
        &team,
    );
    assert_eq!(
        codes(&checked),
        [
            at(3, "Team Leader", "leader_cannot_manage_teams"),
            at(3, "Can Manage Teams", "cannot_remove_can_manage_teams"),
            at(3, "Team Leader", "manager_keeps_leader"),
            at(3, "Deactivated", "manager_not_deactivated_in_bulk"),
        ]
    );
}

#[test]
fn others_are_deactivated_and_reassigned() {
    let team = team();
    let checked =
        check_update(&edited(&team, &[(4, "Deactivated", "y"), (5, "Team Leader", "boss@acme.test")]), &org(), &team);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    let plan = checked.plan.unwrap();
    assert!(plan.users.iter().any(|u| u.id == UserId(3) && u.deactivated));
    assert!(plan.users.iter().any(|u| u.id == UserId(4) && u.leader == Some(UserId(1))));
}

#[test]
fn a_row_changed_since_the_download_is_a_conflict_naming_who_and_when() {
    let mut users: Vec<CurrentUser> = team().users().to_vec();
    let file = edited(&team(), &[(4, "First Name", "Augusta")]);
    users[2].version = 4; // someone saved Ada after the download
    let checked = check_update(&file, &org(), &CurrentTeam::from(users));
    assert_eq!(codes(&checked), [at(4, "Version", "conflict")]);
    assert_eq!(
        checked.report.errors[0].message,
        "Ada Smith was changed by Grace Hopper at 2026-11-20 09:30 UTC after this file was downloaded; download the current team again and redo this row's changes there."
    );
}

#[test]
fn unknown_or_missing_user_ids_point_to_bulk_create() {
    let team = team();
    let checked = check_update(&edited(&team, &[(2, "User ID", "99"), (3, "User ID", "")]), &org(), &team);
    assert_eq!(codes(&checked), [at(2, "User ID", "unknown_user_id"), at(3, "User ID", "unknown_user_id")]);
    assert_eq!(
        checked.report.errors[1].message,
        "This row has no User ID. Bulk Update changes existing users only; add new users with Bulk Create."
    );
}

#[test]
fn an_unchanged_incomplete_row_never_blocks_the_upload() {
    let mut users: Vec<CurrentUser> = team().users().to_vec();
    users[3].cells.set(Column::FirstName, ""); // an old, incomplete, deactivated profile
    users[3].deactivated = true;
    let team = CurrentTeam::from(users);
    let checked = check_update(&edited(&team, &[(4, "First Name", "Augusta")]), &org(), &team);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
}

#[test]
fn a_new_leader_from_inside_the_users_own_team_is_a_circle() {
    let team = CurrentTeam::from(vec![
        user(1, "boss@acme.test", "Bo", true, None),
        user(2, "lea@acme.test", "Lea", true, Some((1, "boss@acme.test"))),
        user(3, "sub@acme.test", "Sub", true, Some((2, "lea@acme.test"))),
        user(4, "ada@acme.test", "Ada", false, Some((3, "sub@acme.test"))),
    ]);
    // Lea can manage teams, so her leader cannot change in bulk at all; that rule speaks first.
    let checked = check_update(&edited(&team, &[(3, "Team Leader", "sub@acme.test")]), &org(), &team);
    assert!(codes(&checked).contains(&at(3, "Team Leader", "manager_keeps_leader")));
    assert!(codes(&checked).contains(&at(3, "Team Leader", "leader_cycle")));
}

#[test]
fn cells_that_say_the_same_another_way_are_not_changes() {
    let mut users: Vec<CurrentUser> = team().users().to_vec();
    users[0].cells.set(Column::EmployeeId, "00042");
    users[2].cells.set(Column::GroupAssignments, "{Night},{Tier 2}");
    users[2].cells.set(Column::StartDate, "2024-03-05");
    users[2].cells.set(Column::EmploymentStatus, "Part Time");
    let team = CurrentTeam::from(users);
    let org = OrgRules {
        groups: vec!["Night".into(), "Tier 2".into()],
        date_format: crate::fields::DateFormat::MonthDayYear,
        ..org()
    };
    let file = edited(
        &team,
        &[
            (3, "Team Leader", "00042"), // Lea's leader by employee ID instead of email
            (4, "Phone Channel", "Yes"),
            (4, "Group Assignments", "{Tier 2}, {Night}"),
            (4, "Start Date", "3/5/2024"),
            (4, "Employment Status", "part time"),
            (4, "Role", "team member"),
        ],
    );
    let checked = check_update(&file, &org, &team);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    assert_eq!(checked.report.counts, Counts { unchanged: 4, ..Counts::default() });
}

#[test]
fn a_version_that_is_not_a_number_is_its_own_error() {
    let team = team();
    let checked = check_update(&edited(&team, &[(4, "First Name", "Augusta"), (4, "Version", "three")]), &org(), &team);
    assert_eq!(codes(&checked), [at(4, "Version", "invalid_version")]);
}

#[test]
fn a_file_without_the_version_column_is_applied_over_the_current_values() {
    let team = team();
    let text = crate::decode::decode(&edited(&team, &[(4, "First Name", "Augusta")])).unwrap();
    let without: Vec<String> =
        text.lines().map(|line| line.rsplit_once('\t').map(|(rest, _)| rest.to_owned()).unwrap_or_default()).collect();
    let mut users: Vec<CurrentUser> = team.users().to_vec();
    users[2].version = 9;
    let checked = check_update(&utf16le(&without.join("\r\n")), &org(), &CurrentTeam::from(users));
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    assert_eq!(checked.report.counts.changed, 1);
}

#[test]
fn temporary_passwords_are_not_set_in_bulk_update() {
    let team = team();
    let text = crate::decode::decode(&export(&team)).unwrap().replacen("Version", "Version\tTemporary Password", 1);
    let checked = check_update(&utf16le(&text), &org(), &team);
    assert_eq!(checked.report.errors[0].code, "temporary_password_in_update");
    assert_eq!(checked.report.errors[0].row, None);
}

#[test]
fn reactivating_someone_whose_leader_is_deactivated_is_an_error() {
    let mut users: Vec<CurrentUser> = team().users().to_vec();
    users[1].deactivated = true; // Lea
    users[2].deactivated = true; // Ada, her report
    let team = CurrentTeam::from(users);
    let checked = check_update(&edited(&team, &[(4, "Deactivated", "n")]), &org(), &team);
    assert_eq!(codes(&checked), [at(4, "Team Leader", "leader_deactivated")]);
}

#[test]
fn formula_like_cells_survive_a_round_trip_unchanged() {
    let mut users: Vec<CurrentUser> = team().users().to_vec();
    users[2].cells.set(Column::Profile, "=HYPERLINK(\"x\")");
    users[3].cells.set(Column::HomeTown, "-North");
    let team = CurrentTeam::from(users);
    let bytes = export(&team);
    let text = crate::decode::decode(&bytes).unwrap();
    assert!(text.contains("'=HYPERLINK") && text.contains("'-North"), "{text}");
    assert_eq!(check_update(&bytes, &org(), &team).report.counts, Counts { unchanged: 4, ..Counts::default() });
}

#[test]
fn a_leaders_new_email_can_be_named_by_reports_in_the_same_file() {
    let team = team();
    let file = edited(&team, &[(3, "Email Address", "lea.new@acme.test"), (4, "Team Leader", "lea.new@acme.test")]);
    let checked = check_update(&file, &org(), &team);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    let plan = checked.plan.unwrap();
    assert_eq!(plan.users.len(), 1, "Ada keeps Lea: only Lea's row changes anything");
    assert_eq!(checked.report.counts, Counts { changed: 1, unchanged: 3, ..Counts::default() });
}

#[test]
fn the_browsers_report_is_the_servers_report_without_the_plan() {
    let team = team();
    let file = edited(&team, &[(4, "First Name", "Augusta"), (5, "Phone Channel", "maybe")]);
    let text = crate::decode::decode(&file).unwrap();
    let table = crate::parse::Table::parse(&text);
    let checked = check_update_table(&table, &org(), &team);
    assert_eq!(report_update_table(&table, &org(), &team), checked.report);
    let clean = edited(&team, &[(4, "First Name", "Augusta")]);
    let text = crate::decode::decode(&clean).unwrap();
    let table = crate::parse::Table::parse(&text);
    let checked = check_update_table(&table, &org(), &team);
    assert_eq!(report_update_table(&table, &org(), &team), checked.report);
    assert_eq!(checked.plan.unwrap().users[0].changes, checked.report.rows[2].changes);
}

#[test]
fn a_file_with_only_some_columns_changes_those_and_keeps_every_other_value() {
    let team = team();
    let partial = utf16le(&crate::write::tsv(
        [["User ID", "Home Town"], ["3", "London"], ["4", ""]].iter().map(|row| row.iter().copied()),
    ));
    let checked = check_update(&partial, &org(), &team);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    assert_eq!(checked.report.counts, Counts { changed: 1, unchanged: 1, ..Counts::default() });
    let plan = checked.plan.unwrap();
    let ada = &plan.users[0];
    assert_eq!((ada.id, ada.leader, ada.profile.first_name.as_str()), (UserId(3), Some(UserId(2)), "Ada"));
    assert_eq!(ada.changes, [Change { field: Field::Profile(Column::HomeTown), old: "".into(), new: "London".into() }]);
}
