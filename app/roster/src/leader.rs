//! Team leaders: who may lead someone, and what each refusal says. Every check of a team leader
//! (one profile on the form or over an API, a bulk create, a bulk update) asks these functions, so
//! each rule and its message is written once.
//!
//! A team leader must exist, be someone else, be able to manage teams and be active; and must not
//! report (directly or not) to the person they would lead.

use crate::fields::shorten;
use crate::{Code, Column, KnownUser, Problem, UserId};

/// Where a team-leader reference was looked for, for the "unknown" message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Looked {
    /// Among the organisation's users (one profile).
    Existing,
    /// In the file being created and among the organisation's users (bulk create).
    FileAndExisting,
    /// Among the users as they will be once a bulk update is applied.
    AfterUpdate,
}

fn problem(code: Code, message: impl Into<String>) -> Problem {
    Problem::new(Column::TeamLeader, code, message)
}

/// Someone who cannot manage teams needs a team leader.
pub fn required() -> Problem {
    problem(
        Code::Required,
        "Team Leader is required unless the user can manage teams; enter the email address or employee ID of their team leader.",
    )
}

/// Nobody has the email address or employee ID `reference`.
pub fn unknown(reference: &str, looked: Looked) -> Problem {
    let reference = shorten(reference.trim());
    problem(
        Code::UnknownTeamLeader,
        match looked {
            Looked::Existing => format!(
                "No user has the email address or employee ID \"{reference}\"; enter the email or employee ID of an existing team leader."
            ),
            Looked::FileAndExisting => format!(
                "No user has the email address or employee ID \"{reference}\", in this file or already; enter the email or employee ID of a team leader."
            ),
            Looked::AfterUpdate => format!(
                "No user has the email address or employee ID \"{reference}\" after this update; enter the email or employee ID of a team leader."
            ),
        },
    )
}

/// The person named themselves.
pub fn itself() -> Problem {
    problem(Code::SelfLeader, "A user cannot be their own team leader; enter someone else who can manage teams.")
}

/// `name` cannot manage teams.
pub fn cannot_manage_teams(name: &str) -> Problem {
    problem(
        Code::LeaderCannotManageTeams,
        format!("{name} cannot manage teams; choose a team leader whose Can Manage Teams is y."),
    )
}

/// A new user of the same file, on `row`, who is not marked as able to manage teams.
pub fn new_user_cannot_manage_teams(reference: &str, row: usize) -> Problem {
    problem(
        Code::LeaderCannotManageTeams,
        format!(
            "{reference} (row {row}) cannot manage teams; set their Can Manage Teams to y or choose another team leader."
        ),
    )
}

/// `name` is deactivated.
pub fn deactivated(name: &str) -> Problem {
    problem(Code::LeaderDeactivated, format!("{name} is deactivated; choose an active team leader."))
}

/// `name` reports to the user being edited (one profile).
pub fn reports_to_user(name: &str) -> Problem {
    problem(
        Code::LeaderCycle,
        format!(
            "{name} reports to this user, so they cannot also be this user's team leader; choose someone outside this user's team."
        ),
    )
}

/// The new team leader reports to the user somewhere up the chain (bulk update).
pub fn circle() -> Problem {
    problem(
        Code::LeaderCycle,
        "This team leader reports (directly or not) to this user, which would make a circle; choose a leader outside this user's team.",
    )
}

/// New users of one file name each other as team leaders in a circle (bulk create).
pub fn circle_of_rows(rows: &[usize]) -> Problem {
    let rows: Vec<String> = rows.iter().map(ToString::to_string).collect();
    problem(
        Code::LeaderCycle,
        format!(
            "Rows {} name each other as team leaders in a circle; someone in it must report to a leader outside it.",
            rows.join(", ")
        ),
    )
}

/// An existing user as someone's team leader: their id when they can lead, why not otherwise.
pub fn judge(leader: &KnownUser) -> Result<UserId, Problem> {
    if !leader.can_manage_teams {
        Err(cannot_manage_teams(&leader.display_name))
    } else if leader.deactivated {
        Err(deactivated(&leader.display_name))
    } else {
        Ok(leader.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(can_manage_teams: bool, deactivated: bool) -> KnownUser {
        KnownUser {
            id: UserId(7),
            email_key: Some("lena@acme.test".into()),
            employee_id: None,
            display_name: "Lena Lead".into(),
            can_manage_teams,
            deactivated,
            leader: None,
            has_reports: false,
        }
    }

    #[test]
    fn a_leader_must_manage_teams_and_be_active() {
        assert_eq!(judge(&user(true, false)), Ok(UserId(7)));
        let cannot = judge(&user(false, false)).unwrap_err();
        assert_eq!(cannot.code, Code::LeaderCannotManageTeams);
        assert_eq!(cannot.message, "Lena Lead cannot manage teams; choose a team leader whose Can Manage Teams is y.");
        assert_eq!(judge(&user(true, true)).unwrap_err().code, Code::LeaderDeactivated);
    }

    #[test]
    fn an_unknown_leader_is_quoted_and_says_where_it_was_looked_for() {
        let long = "x".repeat(60);
        for looked in [Looked::Existing, Looked::FileAndExisting, Looked::AfterUpdate] {
            let problem = unknown(&long, looked);
            assert_eq!((problem.column, problem.code), (Column::TeamLeader, Code::UnknownTeamLeader));
            assert!(problem.message.contains(&format!("\"{}…\"", "x".repeat(40))), "{}", problem.message);
        }
        assert!(unknown("ada", Looked::AfterUpdate).message.contains("after this update"));
    }

    #[test]
    fn a_circle_of_rows_names_every_row() {
        assert!(circle_of_rows(&[2, 5, 9]).message.starts_with("Rows 2, 5, 9 name each other"));
    }
}
