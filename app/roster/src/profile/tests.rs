use super::*;
use crate::directory::RoleInfo;

fn org() -> OrgRules {
    OrgRules {
        roles: OrgRules::DEFAULT_ROLES
            .iter()
            .map(|name| RoleInfo { name: (*name).into(), active: true })
            .chain([RoleInfo { name: "Retired Role".into(), active: false }])
            .collect(),
        groups: vec!["Tier 1".into(), "Night Shift".into()],
        ..OrgRules::default()
    }
}

fn agent() -> ProfileInput {
    ProfileInput::new()
        .with(Column::CanManageTeams, "n")
        .with(Column::EmailAddress, "ada@example.com")
        .with(Column::FirstName, "Ada")
        .with(Column::LastName, "Lovelace")
        .with(Column::PhoneChannel, "y")
        .with(Column::ChatChannel, "n")
        .with(Column::EmailChannel, "y")
        .with(Column::TeamLeader, "grace@example.com")
}

fn known(id: i64, email: &str, can_manage: bool) -> KnownUser {
    KnownUser {
        id: UserId(id),
        email_key: Some(email.to_lowercase()),
        employee_id: None,
        display_name: format!("User {id}"),
        can_manage_teams: can_manage,
        deactivated: false,
        leader: None,
        has_reports: false,
    }
}

fn codes(problems: &[Problem]) -> Vec<(Column, Code)> {
    problems.iter().map(|p| (p.column, p.code)).collect()
}

#[test]
fn a_complete_agent_profile_parses_and_derives_its_role() {
    let profile = Profile::parse(&agent(), &org()).unwrap();
    assert_eq!(profile.role, "Team Member");
    assert_eq!(profile.team_leader.as_deref(), Some("grace@example.com"));
    let leader =
        Profile::parse(&agent().with(Column::CanManageTeams, "y").with(Column::TeamLeader, ""), &org()).unwrap();
    assert_eq!(leader.role, "Team Leader");
}

#[test]
fn every_problem_of_a_profile_is_reported_at_once() {
    let input = agent()
        .with(Column::EmailAddress, "")
        .with(Column::FirstName, "")
        .with(Column::PhoneChannel, "maybe")
        .with(Column::TeamLeader, "");
    let problems = Profile::parse(&input, &org()).unwrap_err();
    assert_eq!(
        codes(&problems),
        vec![
            (Column::FirstName, Code::Required),
            (Column::PhoneChannel, Code::InvalidYesNo),
            (Column::EmailAddress, Code::EmailOrEmployeeIdRequired),
            (Column::TeamLeader, Code::Required),
        ]
    );
}

#[test]
fn an_employee_id_alone_identifies_a_user() {
    let input = agent().with(Column::EmailAddress, "").with(Column::EmployeeId, "007");
    assert_eq!(Profile::parse(&input, &org()).unwrap().employee_id.unwrap().as_str(), "007");
}

#[test]
fn roles_must_be_active_and_are_required_with_custom_roles() {
    let inactive = Profile::parse(&agent().with(Column::Role, "retired role"), &org()).unwrap_err();
    assert_eq!(codes(&inactive), vec![(Column::Role, Code::InactiveRole)]);
    assert_eq!(
        inactive[0].message,
        "The role Retired Role is deactivated; enter one of: Admin, Team Leader, Team Member."
    );
    let unknown = Profile::parse(&agent().with(Column::Role, "Wizard"), &org()).unwrap_err();
    assert_eq!(codes(&unknown), vec![(Column::Role, Code::UnknownRole)]);
    let custom = OrgRules { uses_custom_roles: true, ..org() };
    assert_eq!(codes(&Profile::parse(&agent(), &custom).unwrap_err()), vec![(Column::Role, Code::RoleRequired)]);
    assert_eq!(Profile::parse(&agent().with(Column::Role, "admin"), &custom).unwrap().role, "Admin");
}

#[test]
fn groups_must_exist_with_their_exact_name() {
    let ok = Profile::parse(&agent().with(Column::GroupAssignments, "{Tier 1},{Night Shift}"), &org()).unwrap();
    assert_eq!(ok.groups.names(), ["Tier 1", "Night Shift"]);
    let wrong_case = Profile::parse(&agent().with(Column::GroupAssignments, "{tier 1}"), &org()).unwrap_err();
    assert_eq!(codes(&wrong_case), vec![(Column::GroupAssignments, Code::UnknownGroup)]);
}

#[test]
fn the_team_leader_must_exist_manage_teams_and_be_active() {
    let grace = known(1, "grace@example.com", true);
    let profile = Profile::parse(&agent(), &org()).unwrap();
    assert_eq!(profile.check_against(&Directory::new(vec![grace.clone()]), None), Ok(Some(UserId(1))));

    let unknown = profile.check_against(&Directory::new(vec![]), None).unwrap_err();
    assert_eq!(codes(&unknown), vec![(Column::TeamLeader, Code::UnknownTeamLeader)]);

    let not_a_leader =
        profile.check_against(&Directory::new(vec![known(1, "grace@example.com", false)]), None).unwrap_err();
    assert_eq!(codes(&not_a_leader), vec![(Column::TeamLeader, Code::LeaderCannotManageTeams)]);
    assert_eq!(
        not_a_leader[0].message,
        "User 1 cannot manage teams; choose a team leader whose Can Manage Teams is y."
    );

    let deactivated = KnownUser { deactivated: true, ..grace };
    let problems = profile.check_against(&Directory::new(vec![deactivated]), None).unwrap_err();
    assert_eq!(codes(&problems), vec![(Column::TeamLeader, Code::LeaderDeactivated)]);
}

#[test]
fn a_team_leader_found_by_employee_id_keeps_leading_zeros() {
    let grace = KnownUser { employee_id: Some("0042".into()), ..known(1, "grace@example.com", true) };
    let profile = Profile::parse(&agent().with(Column::TeamLeader, "0042"), &org()).unwrap();
    assert_eq!(profile.check_against(&Directory::new(vec![grace.clone()]), None), Ok(Some(UserId(1))));
    let profile = Profile::parse(&agent().with(Column::TeamLeader, "42"), &org()).unwrap();
    assert!(profile.check_against(&Directory::new(vec![grace]), None).is_err());
}

#[test]
fn a_user_cannot_lead_themselves_or_be_led_by_their_own_report() {
    let me = KnownUser { has_reports: true, ..known(1, "boss@example.com", true) };
    let report = KnownUser { leader: Some(UserId(1)), ..known(2, "report@example.com", true) };
    let directory = Directory::new(vec![me.clone(), report]);
    let input = agent().with(Column::EmailAddress, "boss@example.com").with(Column::CanManageTeams, "y");

    let own = Profile::parse(&input.clone().with(Column::TeamLeader, "BOSS@example.com"), &org()).unwrap();
    assert_eq!(
        codes(&own.check_against(&directory, Some(&me)).unwrap_err()),
        vec![(Column::TeamLeader, Code::SelfLeader)]
    );

    let cycle = Profile::parse(&input.with(Column::TeamLeader, "report@example.com"), &org()).unwrap();
    assert_eq!(
        codes(&cycle.check_against(&directory, Some(&me)).unwrap_err()),
        vec![(Column::TeamLeader, Code::LeaderCycle)]
    );
}

#[test]
fn email_and_employee_id_are_unique_except_for_the_user_being_edited() {
    let grace = known(1, "grace@example.com", true);
    let ada = KnownUser { employee_id: Some("E1".into()), ..known(2, "ADA@example.com", false) };
    let directory = Directory::new(vec![grace, ada.clone()]);
    let profile = Profile::parse(&agent().with(Column::EmployeeId, "E1"), &org()).unwrap();
    let problems = profile.check_against(&directory, None).unwrap_err();
    assert_eq!(
        codes(&problems),
        vec![(Column::EmailAddress, Code::DuplicateEmail), (Column::EmployeeId, Code::DuplicateEmployeeId)]
    );
    assert_eq!(
        problems[0].message,
        "ada@example.com is already the email address of User 2; each user needs their own."
    );
    assert_eq!(profile.check_against(&directory, Some(&ada)), Ok(Some(UserId(1))));
}

#[test]
fn a_leader_with_reports_keeps_can_manage_teams() {
    let me = KnownUser { has_reports: true, ..known(1, "boss@example.com", true) };
    let directory = Directory::new(vec![me.clone(), known(3, "grace@example.com", true)]);
    let profile = Profile::parse(&agent().with(Column::EmailAddress, "boss@example.com"), &org()).unwrap();
    let problems = profile.check_against(&directory, Some(&me)).unwrap_err();
    assert_eq!(codes(&problems), vec![(Column::CanManageTeams, Code::CannotRemoveCanManageTeams)]);
}
