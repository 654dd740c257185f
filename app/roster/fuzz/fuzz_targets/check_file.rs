//! Any bytes, as an uploaded file, through both checks: decoding, parsing and validation must
//! return a report, never panic. `cargo +nightly fuzz run check_file` (from app/roster).
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster::current::{CurrentTeam, CurrentUser};
use roster::{Column, Directory, KnownUser, OrgRules, ProfileInput, UserId};

fuzz_target!(|bytes: &[u8]| {
    let org = OrgRules { groups: vec!["Tier 1".into()], ..OrgRules::with_default_roles() };
    let boss = KnownUser {
        id: UserId(1),
        email_key: Some("boss@acme.test".into()),
        employee_id: Some("1".into()),
        display_name: "Bo Boss".into(),
        can_manage_teams: true,
        deactivated: false,
        leader: None,
        has_reports: true,
    };
    let created = roster::create::check_create(bytes, &org, &Directory::new(vec![boss]));
    let team = CurrentTeam::from(vec![CurrentUser {
        id: UserId(1),
        version: 1,
        cells: ProfileInput::new().with(Column::CanManageTeams, "y").with(Column::EmailAddress, "boss@acme.test"),
        leader: None,
        deactivated: false,
        changed_by: "x".into(),
        changed_at: "y".into(),
        history: Vec::new(),
    }]);
    let updated = roster::update::check_update(bytes, &org, &team);
    // Writing an error report for whatever came in must not panic either.
    if let Ok(text) = roster::decode::decode(bytes) {
        let _ = roster::write::error_report(&text, &created.report);
        let _ = roster::write::error_report(&text, &updated.report);
    }
});
