//! Properties of the rules over generated input: exports round-trip, nothing panics, every
//! problem has a place.

use proptest::prelude::*;
use roster::create::check_create;
use roster::current::{CurrentTeam, CurrentUser, export};
use roster::update::check_update;
use roster::write::utf16le;
use roster::{Column, Directory, OrgRules, ProfileInput, UserId};

fn org() -> OrgRules {
    OrgRules { groups: vec!["Tier 1".into()], ..OrgRules::with_default_roles() }
}

/// Cell text with what spreadsheets make hard: tabs, quotes, line breaks, leading zeros, leading
/// formula characters, apostrophes and characters outside the Basic Multilingual Plane.
fn cell() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\t".to_owned()),
            Just("\"".to_owned()),
            Just("\r\n".to_owned()),
            Just("\n".to_owned()),
            Just("\r".to_owned()),
            Just("007".to_owned()),
            Just("=SUM(A1)".to_owned()),
            Just("+".to_owned()),
            Just("-".to_owned()),
            Just("@".to_owned()),
            Just("'".to_owned()),
            Just("𝔘😀".to_owned()),
            Just(" ".to_owned()),
            "[a-zA-Z0-9 .,éß]{0,8}",
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

fn user() -> impl Strategy<Value = (Vec<String>, bool, i64)> {
    (prop::collection::vec(cell(), Column::ALL.len()), any::<bool>(), 1..1_000i64)
}

fn team(users: Vec<(Vec<String>, bool, i64)>) -> CurrentTeam {
    CurrentTeam::from(
        users
            .into_iter()
            .enumerate()
            .map(|(index, (cells, deactivated, version))| {
                let mut input = ProfileInput::new();
                for (column, value) in Column::ALL.into_iter().zip(cells) {
                    if column != Column::TemporaryPassword {
                        input.set(column, value);
                    }
                }
                CurrentUser {
                    id: UserId(index as i64 + 1),
                    version,
                    cells: input,
                    leader: None,
                    deactivated,
                    changed_by: "someone".into(),
                    changed_at: "yesterday".into(),
                    history: Vec::new(),
                }
            })
            .collect::<Vec<_>>(),
    )
}

/// Reads an export back into a team, the way a later export would see it.
fn reimport(bytes: &[u8], original: &CurrentTeam) -> CurrentTeam {
    let text = roster::decode::decode(bytes).expect("an export decodes");
    let table = roster::parse::Table::parse(&text);
    let records: Vec<_> = table.records().collect();
    let headers: Vec<String> = records[0].cells().map(str::to_owned).collect();
    let users = records[1..]
        .iter()
        .zip(original.users())
        .map(|(record, before)| {
            let mut cells = ProfileInput::new();
            for (index, header) in headers.iter().enumerate() {
                if let Some(column) = Column::from_header(header) {
                    cells.set(column, roster::write::restore(record.cell(index)));
                }
            }
            CurrentUser { cells, ..before.clone() }
        })
        .collect::<Vec<_>>();
    CurrentTeam::from(users)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn an_untouched_export_is_all_unchanged_and_byte_stable(users in prop::collection::vec(user(), 1..8)) {
        let team = team(users);
        let bytes = export(&team);
        let checked = check_update(&bytes, &org(), &team);
        prop_assert!(checked.report.is_clean(), "{:?}", checked.report.errors);
        prop_assert_eq!(checked.report.counts.unchanged, team.users().len());
        prop_assert_eq!(checked.report.counts.changed, 0);
        let again = export(&reimport(&bytes, &team));
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = check_create(&bytes, &org(), &Directory::default());
        let _ = check_update(&bytes, &org(), &CurrentTeam::default());
    }

    #[test]
    fn arbitrary_unicode_text_never_panics(text in "(?s).{0,400}") {
        let bytes = utf16le(&text);
        let _ = check_create(&bytes, &org(), &Directory::default());
        let _ = check_update(&bytes, &org(), &CurrentTeam::default());
    }

    #[test]
    fn every_row_problem_names_its_row_and_column(rows in prop::collection::vec(prop::collection::vec(cell(), 9..11), 1..6)) {
        let header = "*Can Manage Teams\tEmail Address\tEmployee ID\t*First Name\t*Last Name\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader";
        let mut text = format!("{header}\r\n");
        for row in &rows {
            text.push_str(&roster::write::tsv([row.iter().map(String::as_str)]));
        }
        let checked = check_create(&utf16le(&text), &org(), &Directory::default());
        for problem in &checked.report.errors {
            prop_assert!(!problem.message.is_empty());
            if let Some(row) = problem.row {
                prop_assert!(row >= 2, "a row problem is below the header");
                prop_assert!(problem.column.is_some() || problem.code == "cell_outside_header", "{:?}", problem);
            }
        }
    }
}
