//! Checks for creating an organisation and its admins, shared by the set-up page and the CLI.

use roster::fields::Password;
use roster::{Code, Column, OrgRules, Problem, Profile, ProfileInput};

use super::NewUser;
use crate::user::UserStatus;

/// An admin to create, with the password still to be hashed.
pub struct AdminDraft {
    pub user: NewUser,
    pub password: String,
}

/// An organisation's short name used to sign in: 2 to 40 lowercase letters, digits and hyphens.
pub fn parse_slug(raw: &str) -> Result<String, String> {
    let slug = raw.trim().to_lowercase();
    let ok = (2..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug)
    } else {
        Err(format!(
            "\"{}\" cannot be an organisation's short name; use 2 to 40 lowercase letters, digits and hyphens, like acme-support.",
            raw.trim()
        ))
    }
}

pub fn parse_org_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        Err("Enter the organisation's name (at most 100 characters).".into())
    } else {
        Ok(name.to_owned())
    }
}

/// Checks an admin's details with the profile rules. An admin signs in with their email address,
/// so it is required.
pub fn parse_admin(first_name: &str, last_name: &str, email: &str, password: &str) -> Result<AdminDraft, Vec<Problem>> {
    let org = OrgRules::with_default_roles();
    let input = ProfileInput::new()
        .with(Column::Role, "Admin")
        .with(Column::CanManageTeams, "y")
        .with(Column::EmailAddress, email)
        .with(Column::FirstName, first_name)
        .with(Column::LastName, last_name)
        .with(Column::PhoneChannel, "n")
        .with(Column::ChatChannel, "n")
        .with(Column::EmailChannel, "n");
    let mut problems = Vec::new();
    let profile = Profile::parse(&input, &org).map_err(|p| problems.extend(p)).ok();
    if email.trim().is_empty() {
        problems.retain(|p| p.code != Code::EmailOrEmployeeIdRequired);
        problems.push(Problem::new(
            Column::EmailAddress,
            Code::Required,
            "Email Address is required; an admin signs in with it.",
        ));
    }
    let password = Password::parse(Column::TemporaryPassword, password)
        .map_err(|p| problems.push(Problem { message: p.message.replace("Temporary Password", "Password"), ..p }))
        .ok();
    match (profile, password) {
        (Some(profile), Some(password)) if problems.is_empty() => Ok(AdminDraft {
            user: NewUser {
                profile,
                leader: None,
                password_hash: None,
                status: UserStatus::Active,
                must_change_password: false,
                external_id: None,
                scim_user_name: None,
                promote_leader: false,
            },
            password: password.expose().to_owned(),
        }),
        _ => Err(problems),
    }
}

/// The set-up page: organisation and first admin. Every message, in the order of the form.
pub fn parse_first_admin(
    organisation: &str,
    slug: &str,
    first_name: &str,
    last_name: &str,
    email: &str,
    password: &str,
) -> Result<(String, String, AdminDraft), Vec<String>> {
    let name = parse_org_name(organisation);
    let slug = parse_slug(slug);
    let admin = parse_admin(first_name, last_name, email, password);
    match (name, slug, admin) {
        (Ok(name), Ok(slug), Ok(admin)) => Ok((slug, name, admin)),
        (name, slug, admin) => {
            let mut messages: Vec<String> = [name.err(), slug.err()].into_iter().flatten().collect();
            messages.extend(admin.err().unwrap_or_default().into_iter().map(|p| p.message));
            Err(messages)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_names() {
        assert_eq!(parse_slug(" Acme-Support ").unwrap(), "acme-support");
        assert!(parse_slug("a").is_err());
        assert!(parse_slug("acme support").is_err());
        assert!(parse_slug("-acme").is_err());
    }

    #[test]
    fn an_admin_needs_an_email_and_a_policy_password() {
        let problems = parse_admin("Ada", "Lovelace", "", "short").err().unwrap();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Email Address is required; an admin signs in with it.",
                "Password must be at least 10 characters long; a short phrase of a few words works well."
            ]
        );
        let admin = parse_admin("Ada", "Lovelace", "ada@example.com", "a long enough password").ok().unwrap();
        assert_eq!(admin.user.profile.role, "Admin");
        assert!(admin.user.profile.can_manage_teams);
    }
}
