use super::*;
use crate::KnownUser;
use crate::report::Counts;
use crate::write::utf16le;

const HEADER: &str = "*Can Manage Teams\tEmail Address\tEmployee ID\t*First Name\t*Last Name\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader";

fn file(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER);
    text.push_str("\r\n");
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    utf16le(&text)
}

fn org() -> OrgRules {
    OrgRules::with_default_roles()
}

fn directory() -> Directory {
    Directory::new(vec![
        KnownUser {
            id: UserId(1),
            email_key: Some("boss@acme.test".into()),
            employee_id: Some("0001".into()),
            display_name: "Bo Boss".into(),
            can_manage_teams: true,
            deactivated: false,
            leader: None,
            has_reports: false,
        },
        KnownUser {
            id: UserId(2),
            email_key: Some("gone@acme.test".into()),
            employee_id: None,
            display_name: "Gone Leader".into(),
            can_manage_teams: true,
            deactivated: true,
            leader: None,
            has_reports: false,
        },
    ])
}

fn check(rows: &[&str]) -> Checked<CreatePlan> {
    check_create(&file(rows), &org(), &directory())
}

/// (row, column, code) of every problem.
fn problems(checked: &Checked<CreatePlan>) -> Vec<(Option<usize>, Option<String>, String)> {
    checked.report.errors.iter().map(|e| (e.row, e.column.clone(), e.code.clone())).collect()
}

fn at(row: usize, column: &str, code: &str) -> (Option<usize>, Option<String>, String) {
    (Some(row), Some(column.to_owned()), code.to_owned())
}

#[test]
fn a_clean_file_plans_every_user_and_counts_them_as_new() {
    let checked = check(&[
        "n\tada@acme.test\t\tAda\tLovelace\ty\tn\ty\tboss@acme.test",
        "y\t\t0042\tGrace\tHopper\ty\ty\ty\t0001",
    ]);
    assert_eq!(checked.report.counts, Counts { new: 2, ..Counts::default() });
    let plan = checked.plan.unwrap();
    assert_eq!(plan.users.len(), 2);
    assert_eq!(plan.users[0].leader, Leader::Existing(UserId(1)));
    assert_eq!(plan.users[1].profile.employee_id.as_ref().unwrap().as_str(), "0042");
}

#[test]
fn a_leader_defined_after_their_reports_resolves_and_is_created_first() {
    let checked = check(&[
        "n\tada@acme.test\t\tAda\tLovelace\ty\tn\ty\tLEAD@acme.test",
        "n\tbob@acme.test\t\tBob\tBuilder\ty\tn\ty\tE7",
        "y\tlead@acme.test\tE7\tLea\tDer\ty\ty\ty\tboss@acme.test",
    ]);
    assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
    let plan = checked.plan.unwrap();
    let rows: Vec<usize> = plan.users.iter().map(|u| u.row).collect();
    assert_eq!(rows[0], 4, "the leader (row 4) is inserted before the reports");
    assert!(plan.users[1..].iter().all(|u| u.leader == Leader::New(0)));
}

#[test]
fn every_bad_row_is_reported_at_its_spreadsheet_row_and_column() {
    let checked = check(&[
        "n\tnot-an-email\t\tAda\tLovelace\ty\tn\ty\tboss@acme.test",
        "",
        "maybe\tbob@acme.test\t\t\tBuilder\ty\tn\ty\tboss@acme.test",
    ]);
    assert_eq!(
        problems(&checked),
        [
            at(2, "Email Address", "invalid_email"),
            at(4, "Can Manage Teams", "invalid_yes_no"),
            at(4, "First Name", "required")
        ]
    );
    assert_eq!(checked.report.counts, Counts { errors: 2, ..Counts::default() });
    assert!(checked.plan.is_none());
}

#[test]
fn duplicates_in_the_file_and_against_existing_users_are_errors() {
    let checked = check(&[
        "n\tada@acme.test\tE1\tAda\tOne\ty\tn\ty\tboss@acme.test",
        "n\tADA@acme.test\tE1\tAda\tTwo\ty\tn\ty\tboss@acme.test",
        "n\tBoss@acme.test\t0001\tBo\tAgain\ty\tn\ty\tboss@acme.test",
    ]);
    assert_eq!(
        problems(&checked),
        [
            at(3, "Email Address", "duplicate_email"),
            at(3, "Employee ID", "duplicate_employee_id"),
            at(4, "Email Address", "duplicate_email"),
            at(4, "Employee ID", "duplicate_employee_id"),
        ]
    );
    assert_eq!(
        checked.report.errors[0].message,
        "Email Address ADA@acme.test is also on row 2; each user needs their own."
    );
    assert_eq!(
        checked.report.errors[2].message,
        "Boss@acme.test already belongs to Bo Boss, an existing user; to change existing users, use Bulk Update."
    );
}

#[test]
fn team_leaders_must_exist_manage_teams_be_active_and_not_be_the_user() {
    let checked = check(&[
        "n\ta@acme.test\t\tA\tA\ty\tn\ty\tnobody@acme.test",
        "n\tb@acme.test\t\tB\tB\ty\tn\ty\ta@acme.test",
        "n\tc@acme.test\t\tC\tC\ty\tn\ty\tgone@acme.test",
        "y\td@acme.test\t\tD\tD\ty\tn\ty\td@acme.test",
    ]);
    assert_eq!(
        problems(&checked),
        [
            at(2, "Team Leader", "unknown_team_leader"),
            at(3, "Team Leader", "leader_cannot_manage_teams"),
            at(4, "Team Leader", "leader_deactivated"),
            at(5, "Team Leader", "self_leader"),
        ]
    );
    assert_eq!(
        checked.report.errors[1].message,
        "a@acme.test (row 2) cannot manage teams; set their Can Manage Teams to y or choose another team leader."
    );
}

#[test]
fn leaders_naming_each_other_in_a_circle_are_all_reported() {
    let checked = check(&[
        "y\ta@acme.test\t\tA\tA\ty\tn\ty\tc@acme.test",
        "y\tb@acme.test\t\tB\tB\ty\tn\ty\ta@acme.test",
        "y\tc@acme.test\t\tC\tC\ty\tn\ty\tb@acme.test",
        "n\td@acme.test\t\tD\tD\ty\tn\ty\ta@acme.test",
    ]);
    assert_eq!(
        problems(&checked),
        [
            at(2, "Team Leader", "leader_cycle"),
            at(3, "Team Leader", "leader_cycle"),
            at(4, "Team Leader", "leader_cycle")
        ]
    );
    assert_eq!(
        checked.report.errors[0].message,
        "Rows 2, 3, 4 name each other as team leaders in a circle; someone in it must report to a leader outside it."
    );
}

#[test]
fn a_file_that_is_not_unicode_text_is_one_file_error() {
    let checked = check_create(b"First Name,Last Name\nAda,Lovelace\n", &org(), &directory());
    assert_eq!(problems(&checked), [(None, None, "wrong_file_format".to_owned())]);
    assert_eq!(checked.report.counts, Counts { errors: 1, ..Counts::default() });
}

#[test]
fn a_header_without_rows_or_with_bad_columns_is_a_file_error() {
    assert_eq!(check(&[]).report.errors[0].code, "no_rows");
    let bad = check_create(&utf16le("First Name\tHat Size\r\nAda\t7\r\n"), &org(), &directory());
    assert!(bad.report.errors.iter().all(|e| e.row.is_none()));
    assert_eq!(bad.report.errors[0].code, "unknown_column");
}

#[test]
fn a_value_beyond_the_last_header_is_an_error_for_its_row() {
    let checked = check(&["n\ta@acme.test\t\tA\tA\ty\tn\ty\tboss@acme.test\t\tstray"]);
    assert_eq!(
        checked.report.errors[0].message,
        "Row 2 has a value in column K, which has no header; delete it or add the column's header."
    );
}

#[test]
fn neutralised_formulas_are_restored_before_checking() {
    let checked = check(&["n\ta@acme.test\t\t'=Ada\tLovelace\ty\tn\ty\tboss@acme.test"]);
    assert_eq!(checked.plan.unwrap().users[0].profile.first_name.as_str(), "=Ada");
}

#[test]
fn the_error_report_is_the_file_with_an_errors_column() {
    let bytes = file(&[
        "n\tnot-an-email\t\tAda\tLovelace\ty\tn\ty\tboss@acme.test",
        "n\tb@acme.test\t\tB\tB\ty\tn\ty\tboss@acme.test",
    ]);
    let checked = check_create(&bytes, &org(), &directory());
    let text = crate::decode::decode(&bytes).unwrap();
    let report = crate::decode::decode(&crate::write::error_report(&text, &checked.report)).unwrap();
    let table = crate::parse::Table::parse(&report);
    let rows: Vec<_> = table.records().collect();
    let last = |row: usize| rows[row].cells().last().unwrap().to_owned();
    assert_eq!(last(0), "Errors");
    assert_eq!(last(1), "Email Address: \"not-an-email\" is not a valid email address; use the form name@example.com.");
    assert_eq!(last(2), "", "a clean row has an empty error cell");
    assert_eq!(rows[1].cell(1), "not-an-email", "the row is kept as uploaded");
    // Uploading the report again ignores its Errors column.
    let again = check_create(&crate::write::utf16le(&report), &org(), &directory());
    assert_eq!(problems(&again), [at(2, "Email Address", "invalid_email")]);
}

#[test]
fn the_browsers_report_is_the_servers_report_without_the_plan() {
    let file = utf16le(
        "Can Manage Teams\tEmail Address\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader\r\n\
         n\ta@acme.test\tAda\tL\ty\ty\ty\tlead@acme.test\r\n\
         y\tlead@acme.test\tLee\tL\ty\ty\ty\t\r\n\
         n\tbad\tBad\tRow\ty\ty\ty\tlead@acme.test\r\n",
    );
    let text = crate::decode::decode(&file).unwrap();
    let table = Table::parse(&text);
    let org = OrgRules::with_default_roles();
    let full = check_create_table(&table, &org, &Directory::default());
    assert_eq!(report_create_table(&table, &org, &Directory::default()), full.report);
    assert_eq!(full.report.counts.errors, 1);
}

#[test]
fn temporary_passwords_are_taken_out_of_the_file_and_checked_by_the_policy() {
    let text = "First Name\tTemporary Password\tBio\r\nAda\tcorrect horse battery\t\"line one\nline two\"\r\nAlan\tshort\t\r\n\r\nGrace\t\t=1+1\r\n";
    let taken = take_temporary_passwords(text);
    let passwords: Vec<(usize, &str)> = taken.passwords.iter().map(|(row, p)| (*row, p.expose())).collect();
    assert_eq!(passwords, [(2, "correct horse battery")]);
    assert_eq!(taken.problems.len(), 1);
    assert_eq!((taken.problems[0].row, taken.problems[0].code.as_str()), (Some(3), "password_too_short"));
    let stored = taken.text.expect("the file without its passwords");
    assert!(!stored.contains("horse") && !stored.contains("short"), "{stored}");
    // Every other cell as it was, on the same rows.
    let again = Table::parse(&stored);
    let rows: Vec<Vec<String>> = again.records().map(|r| r.cells().map(str::to_owned).collect()).collect();
    assert_eq!(rows[0], ["First Name", "Temporary Password", "Bio"]);
    assert_eq!(rows[1], ["Ada", "", "line one\nline two"]);
    assert_eq!(rows[4], ["Grace", "", "=1+1"]);
    assert_eq!(again.record(4).map(|r| r.row), Some(5));
}

#[test]
fn a_file_without_passwords_is_left_alone() {
    assert!(take_temporary_passwords("First Name\tTemporary Password\r\nAda\t\r\n").text.is_none());
    assert!(take_temporary_passwords("First Name\r\nAda\r\n").text.is_none());
}
