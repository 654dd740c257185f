//! A bulk-update row whose user changed after the file was downloaded, merged field by field: a
//! field only someone else changed keeps their value, a field only the file changes takes the
//! file's, and only a field both changed needs the admin to choose. What changed after the file's
//! version is the trail of single-user writes ([`PastChange`]); where it has a gap (a bulk update,
//! a deactivation) the row conflicts as a whole, as before.

use std::collections::BTreeMap;

use crate::current::{CurrentTeam, CurrentUser, PastChange};
use crate::fields::{yes_no, yes_no_text};
use crate::parse::Table;
use crate::report::{CellProblem, Change};
use crate::sheet::{Field, Header, Mode};
use crate::update::same_cell;
use crate::write::restore;
use crate::{Column, OrgRules, UserId};

/// The code of a problem where the file and someone else changed the same field.
pub const BOTH_SIDES: &str = "changed_on_both_sides";

/// What someone else did to one field after the file's version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theirs {
    /// The field's value at the file's version.
    pub base: String,
    /// Who changed it last, and when.
    pub by: String,
    pub at: String,
}

/// The fields changed after `version`, each with its value then and who changed it last; `None`
/// when the trail cannot say (a version it has no record of, or a version from the future).
pub fn changed_since(user: &CurrentUser, version: i64) -> Option<BTreeMap<Field, Theirs>> {
    if version > user.version {
        return None;
    }
    let mut later: Vec<&PastChange> = user.history.iter().filter(|c| c.version > version).collect();
    later.sort_by_key(|c| c.version);
    let contiguous = later.iter().map(|c| c.version).eq(version + 1..=user.version);
    if !contiguous {
        return None;
    }
    let mut theirs: BTreeMap<Field, Theirs> = BTreeMap::new();
    for change in later {
        for (field, before) in &change.before {
            let entry = theirs.entry(*field).or_insert_with(|| Theirs {
                base: before.clone(),
                by: String::new(),
                at: String::new(),
            });
            entry.by.clone_from(&change.by);
            entry.at.clone_from(&change.at);
        }
    }
    Some(theirs)
}

/// What merging a stale row did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// Fields whose file value was the one at download: the current value is kept.
    pub kept_theirs: Vec<Field>,
    /// Said to the admin (not blocking): whose values were kept.
    pub notices: Vec<CellProblem>,
    /// Fields both sides changed: the admin must choose.
    pub problems: Vec<CellProblem>,
}

/// Merges a row at spreadsheet `row` whose Version cell is `version` into the user as they are:
/// `changes` (the row against the current values) loses the changes that only restate the value
/// at download. `Err` when the trail cannot say what changed since (the row then conflicts).
pub fn merge(
    row: usize,
    user: &CurrentUser,
    version: i64,
    changes: &mut Vec<Change>,
    org: &OrgRules,
) -> Result<Merged, CellProblem> {
    let mut merged = Merged::default();
    if version == user.version {
        return Ok(merged);
    }
    let Some(theirs) = changed_since(user, version) else { return Err(conflict(row, user)) };
    changes.retain(|change| {
        let Some(them) = theirs.get(&change.field) else { return true };
        let column = change.field.header();
        if same_field(change.field, them.base.trim(), &change.new, org) {
            merged.kept_theirs.push(change.field);
            merged.notices.push(CellProblem::at_field(
                row,
                change.field,
                "kept_theirs",
                format!(
                    "{} changed {column} to \"{}\" at {}, after this file was downloaded; theirs is kept (this file has the value from before).",
                    them.by, change.old, them.at
                ),
            ));
            false
        } else {
            merged.problems.push(CellProblem::at_field(
                row,
                change.field,
                BOTH_SIDES,
                format!(
                    "{} also changed {column} after this file was downloaded (at {}): theirs is \"{}\", yours is \"{}\". Choose which to keep: Keep theirs or Keep yours.",
                    them.by, them.at, change.old, change.new
                ),
            ));
            true
        }
    });
    Ok(merged)
}

/// True when two values of a field say the same (a profile cell, or y/n for Deactivated).
fn same_field(field: Field, old: &str, new: &str, org: &OrgRules) -> bool {
    match field {
        Field::Profile(column) => same_cell(column, old, new, org),
        Field::Deactivated => {
            let flag = |text: &str| yes_no(Column::PhoneChannel, text).ok();
            old == new || flag(old).is_some() && flag(old) == flag(new)
        }
        _ => old == new,
    }
}

/// The whole-row conflict, when the trail cannot say what changed.
pub fn conflict(row: usize, user: &CurrentUser) -> CellProblem {
    CellProblem::at_field(
        row,
        Field::Version,
        "conflict",
        format!(
            "{} was changed by {} at {} after this file was downloaded; download the current team again and redo this row's changes there.",
            user.display_name(),
            user.changed_by,
            user.changed_at
        ),
    )
}

/// Which side an admin keeps where both changed a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Theirs,
    Yours,
}

/// The corrections (row, column index, value) that settle the stale rows of an update file
/// (`rows`; every stale row when `None`): each field someone else changed takes their current
/// value, except one the file changed too when the admin keeps theirs' opposite, `Keep::Yours`;
/// and the row's Version becomes the user's current one. The corrected file is checked again like
/// any other, and the server, judging it against live data, finds a conflict again if the user
/// changed once more.
pub fn settle(
    table: &Table<'_>,
    org: &OrgRules,
    team: &CurrentTeam,
    keep: Keep,
    rows: Option<&[usize]>,
) -> Vec<(usize, usize, String)> {
    let Some(first) = table.record(0) else { return Vec::new() };
    let Ok(header) = Header::read(&first, Mode::Update, org) else { return Vec::new() };
    let (Some(id_at), Some(version_at)) = (header.position(Field::UserId), header.position(Field::Version)) else {
        return Vec::new();
    };
    let mut edits = Vec::new();
    for record in table.records().skip(1) {
        if rows.is_some_and(|rows| !rows.contains(&record.row)) {
            continue;
        }
        let user = restore(record.cell(id_at)).trim().parse::<i64>().ok().and_then(|id| team.get(UserId(id)));
        let version = restore(record.cell(version_at)).trim().parse::<i64>().ok();
        let (Some(user), Some(version)) = (user, version) else { continue };
        if version == user.version {
            continue;
        }
        let Some(theirs) = changed_since(user, version) else { continue };
        for (field, them) in &theirs {
            let Some(at) = header.position(*field) else { continue };
            let file = restore(record.cell(at)).trim();
            let current = match field {
                Field::Profile(column) => user.cells.get(*column),
                Field::Deactivated => yes_no_text(user.deactivated),
                _ => continue,
            };
            let yours = !same_field(*field, them.base.trim(), file, org);
            if !(yours && keep == Keep::Yours) && file != current {
                edits.push((record.row, at, current.to_owned()));
            }
        }
        edits.push((record.row, version_at, user.version.to_string()));
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProfileInput;
    use crate::current::export;
    use crate::update::check_update;

    /// Ada at version 3: Okta changed her Phone Channel (2 → 3) after an admin renamed her town
    /// (1 → 2).
    fn team() -> CurrentTeam {
        let ada = CurrentUser {
            id: UserId(1),
            version: 3,
            cells: ProfileInput::new()
                .with(Column::Role, "Team Leader")
                .with(Column::CanManageTeams, "y")
                .with(Column::EmailAddress, "ada@acme.test")
                .with(Column::FirstName, "Ada")
                .with(Column::LastName, "Lovelace")
                .with(Column::HomeTown, "Porto")
                .with(Column::PhoneChannel, "n")
                .with(Column::ChatChannel, "y")
                .with(Column::EmailChannel, "y"),
            leader: None,
            deactivated: false,
            changed_by: "the API key \"Okta\"".into(),
            changed_at: "2026-12-02 09:00 UTC".into(),
            history: vec![
                PastChange {
                    version: 2,
                    before: vec![(Field::Profile(Column::HomeTown), "Leeds".into())],
                    by: "Grace Hopper".into(),
                    at: "2026-12-01 10:00 UTC".into(),
                },
                PastChange {
                    version: 3,
                    before: vec![(Field::Profile(Column::PhoneChannel), "y".into())],
                    by: "the API key \"Okta\"".into(),
                    at: "2026-12-02 09:00 UTC".into(),
                },
            ],
        };
        CurrentTeam::from(vec![ada])
    }

    /// The export as it was at version 1, with `edit` applied.
    fn stale_file(edit: impl Fn(String) -> String) -> String {
        let text = crate::decode::decode(&export(&team())).unwrap();
        let old = text.replace("\tPorto\t", "\tLeeds\t").replace("\tn\ty\ty\t", "\ty\ty\ty\t");
        let old = old.replace("\t3\r\n", "\t1\r\n");
        edit(old)
    }

    fn checked(text: &str) -> crate::report::Report {
        check_update(&crate::write::utf16le(text), &OrgRules::with_default_roles(), &team()).report
    }

    #[test]
    fn a_stale_row_that_changes_only_what_nobody_else_did_applies_and_keeps_their_changes() {
        let report = checked(&stale_file(|text| text.replace("\tLovelace\t", "\tKing\t")));
        assert!(report.is_clean(), "{:?}", report.errors);
        assert_eq!(report.counts.changed, 1);
        let changes: Vec<(&str, &str, &str)> =
            report.rows[0].changes.iter().map(|c| (c.field.header(), c.old.as_str(), c.new.as_str())).collect();
        assert_eq!(changes, [("Last Name", "Lovelace", "King")], "the town and the phone channel stay theirs");
        let codes: Vec<&str> = report.notices.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(codes, ["kept_theirs", "kept_theirs"]);
        assert!(report.notices.iter().any(|n| n.message.starts_with("the API key \"Okta\" changed Phone Channel")));
    }

    #[test]
    fn a_field_both_sides_changed_needs_a_choice_naming_theirs_yours_and_who() {
        let report = checked(&stale_file(|text| text.replace("\tLeeds\t", "\tLisbon\t")));
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        let problem = &report.errors[0];
        assert_eq!((problem.code.as_str(), problem.column.as_deref()), ("changed_on_both_sides", Some("Home Town")));
        assert!(
            problem.message.starts_with("Grace Hopper also changed Home Town after this file was downloaded (at 2026-12-01 10:00 UTC): theirs is \"Porto\", yours is \"Lisbon\"."),
            "{}",
            problem.message
        );
    }

    #[test]
    fn keeping_theirs_or_yours_settles_the_row_at_the_current_version() {
        let text = stale_file(|text| text.replace("\tLeeds\t", "\tLisbon\t"));
        let table = Table::parse(&text);
        let org = OrgRules::with_default_roles();
        let apply = |keep| {
            let mut edits = crate::edit::Edits::default();
            for (row, column, value) in settle(&table, &org, &team(), keep, None) {
                edits.set(&table, row, column, &value).unwrap();
            }
            checked(&edits.apply(&table))
        };
        let theirs = apply(Keep::Theirs);
        assert!(theirs.is_clean() && theirs.counts.changed == 0, "{:?}", theirs);
        let yours = apply(Keep::Yours);
        assert!(yours.is_clean(), "{:?}", yours.errors);
        let changes: Vec<(&str, &str)> =
            yours.rows[0].changes.iter().map(|c| (c.field.header(), c.new.as_str())).collect();
        assert_eq!(changes, [("Home Town", "Lisbon")], "yours where both changed, theirs (the phone) elsewhere");
    }

    #[test]
    fn a_gap_in_the_trail_or_a_version_from_the_future_conflicts_as_a_whole() {
        let mut team = team();
        let mut users = team.users().to_vec();
        users[0].history.remove(0);
        team = CurrentTeam::from(users);
        let report = check_update(
            &crate::write::utf16le(&stale_file(|text| text.replace("\tLovelace\t", "\tKing\t"))),
            &OrgRules::with_default_roles(),
            &team,
        )
        .report;
        assert_eq!(report.errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["conflict"]);
        assert!(changed_since(&team.users()[0], 9).is_none());
    }
}
