//! A SCIM filter as SQL: the condition on users that a filter implies ([`Narrow`]), so that the
//! database reads only the users it may match (RFC 7644 §3.4.2.2). The filter itself is then
//! applied to each of them as JSON ([`Filter::matches`]), so the answer is exactly the filter's
//! whatever SQL could read: the condition only has to hold for every user the filter matches.
//!
//! Read as SQL: `eq`, `co`, `sw`, `ew` and `pr` on `userName`, `emails` / `emails.value`,
//! `externalId`, `name.givenName`, `name.familyName`, `displayName`, `name.formatted` and the
//! enterprise `employeeNumber`; `active eq`; `id eq`; `gt ge lt le` on `meta.lastModified`;
//! `and`, `or` and `emails[value …]`. Anything else (`ne`, `not`, ordering on texts, Roster's
//! extension, a non-ASCII text, which SQLite's `LOWER` does not fold) narrows to everyone: the
//! organisation's users are read a thousand at a time and filtered in memory, one page kept.

use std::cmp::Ordering;

use serde_json::Value;

use super::filter::{AttrPath, Filter, Op};
use super::users::ENTERPRISE;
use crate::storage::{Match, Narrow, UserText};

/// The condition `filter` implies on users.
pub fn narrowing(filter: &Filter) -> Narrow {
    match filter {
        Filter::Compare(path, op, value) => compare(path, *op, value),
        Filter::Present(path) => text_of(path).map_or(Narrow::All, Narrow::Present),
        Filter::And(a, b) => match (narrowing(a), narrowing(b)) {
            (Narrow::All, other) | (other, Narrow::All) => other,
            (a, b) => Narrow::And(Box::new(a), Box::new(b)),
        },
        Filter::Or(a, b) => match (narrowing(a), narrowing(b)) {
            (Narrow::All, _) | (_, Narrow::All) => Narrow::All,
            (a, b) => Narrow::Or(Box::new(a), Box::new(b)),
        },
        // `not` holds for whatever its inside does not: no narrower condition is implied.
        Filter::Not(_) => Narrow::All,
        Filter::Within(path, inner) if path.name.eq_ignore_ascii_case("emails") => within_emails(inner),
        Filter::Within(..) => Narrow::All,
    }
}

/// `emails[…]`: its `value` comparisons are the email address's.
fn within_emails(inner: &Filter) -> Narrow {
    let value = |path: &AttrPath| path.name.eq_ignore_ascii_case("value") && path.sub.is_none();
    match inner {
        Filter::Compare(path, op, wanted) if value(path) => text(UserText::Email, *op, wanted),
        Filter::Present(path) if value(path) => Narrow::Present(UserText::Email),
        Filter::And(a, b) => match (within_emails(a), within_emails(b)) {
            (Narrow::All, other) | (other, Narrow::All) => other,
            (a, b) => Narrow::And(Box::new(a), Box::new(b)),
        },
        Filter::Or(a, b) => match (within_emails(a), within_emails(b)) {
            (Narrow::All, _) | (_, Narrow::All) => Narrow::All,
            (a, b) => Narrow::Or(Box::new(a), Box::new(b)),
        },
        _ => Narrow::All,
    }
}

/// Whether `filter` is exactly its [`narrowing`], neither more nor less, so that SQL may count
/// and page its answer: comparisons (`eq`, and `co`, `sw`, `ew` but on the caseExact `externalId`)
/// of `userName`, `emails.value`, `externalId`, `name.givenName`, `name.familyName`,
/// `name.formatted`, `displayName` or the enterprise `employeeNumber` with a text of ASCII
/// characters, `active eq` a boolean and `id eq`, joined by `and` and `or`.
pub fn is_exact(filter: &Filter) -> bool {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => is_exact(a) && is_exact(b),
        Filter::Compare(path, op, wanted) if path.schema.is_none() && *op == Op::Eq && is(path, "active", None) => {
            super::users::flag(wanted).is_some()
        }
        Filter::Compare(path, Op::Eq, Value::String(id)) if path.schema.is_none() && is(path, "id", None) => {
            // "042" is no user's id, though it reads as 42.
            id.parse::<i64>().map_or(true, |n| n.to_string() == *id)
        }
        Filter::Compare(path, op, Value::String(wanted)) => {
            let exactly = match text_of(path) {
                // Without a sub-attribute or schema these are read by the rules of RFC 7644 §3.10.
                _ if is(path, "emails", None) || (path.schema.is_none() && is(path, "employeeNumber", None)) => false,
                // SQLite's LIKE ignores case, so only the equality is exact.
                Some(UserText::ExternalId) => *op == Op::Eq,
                Some(_) => matches!(op, Op::Eq | Op::Co | Op::Sw | Op::Ew),
                None => false,
            };
            exactly && !wanted.is_empty() && wanted.is_ascii()
        }
        _ => false,
    }
}

fn is(path: &AttrPath, name: &str, sub: Option<&str>) -> bool {
    path.name.eq_ignore_ascii_case(name)
        && match (&path.sub, sub) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
}

/// The user text an attribute path names, if SQL can read it.
fn text_of(path: &AttrPath) -> Option<UserText> {
    let core = path.schema.as_deref().is_none_or(|s| s.eq_ignore_ascii_case(super::users::USER));
    let enterprise = path.schema.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(ENTERPRISE));
    if enterprise {
        return is(path, "employeeNumber", None).then_some(UserText::EmployeeNumber);
    }
    if !core {
        return None;
    }
    [
        ("userName", None, UserText::UserName),
        ("emails", None, UserText::Email),
        ("emails", Some("value"), UserText::Email),
        ("externalId", None, UserText::ExternalId),
        ("name", Some("givenName"), UserText::GivenName),
        ("name", Some("familyName"), UserText::FamilyName),
        ("name", Some("formatted"), UserText::DisplayName),
        ("displayName", None, UserText::DisplayName),
        // Without a schema, `employeeNumber` is the enterprise extension's (RFC 7644 §3.10).
        ("employeeNumber", None, UserText::EmployeeNumber),
    ]
    .into_iter()
    .find(|(name, sub, _)| is(path, name, *sub))
    .map(|(_, _, text)| text)
}

fn compare(path: &AttrPath, op: Op, wanted: &Value) -> Narrow {
    if path.schema.is_none() && is(path, "active", None) && op == Op::Eq {
        return match super::users::flag(wanted) {
            Some(on) => Narrow::Active(on),
            None => Narrow::All,
        };
    }
    if path.schema.is_none() && is(path, "id", None) && op == Op::Eq {
        return match wanted.as_str().and_then(|id| id.parse::<i64>().ok()) {
            Some(id) => Narrow::Id(id),
            // No user has an id that is not a number: nobody matches.
            None => Narrow::Id(0),
        };
    }
    if is(path, "meta", Some("lastModified"))
        && let Some(at) = wanted.as_str().and_then(roster::time::parse_rfc3339)
    {
        // Stored to the second: a bound with a fraction is widened to the second around it.
        return match op {
            Op::Gt | Op::Ge => Narrow::Modified(Ordering::Greater, true, at),
            Op::Lt | Op::Le => Narrow::Modified(Ordering::Less, true, at + 1),
            _ => Narrow::All,
        };
    }
    match text_of(path) {
        Some(column) => text(column, op, wanted),
        None => Narrow::All,
    }
}

fn text(column: UserText, op: Op, wanted: &Value) -> Narrow {
    let Some(wanted) = wanted.as_str() else { return Narrow::All };
    if !wanted.is_ascii() {
        return Narrow::All;
    }
    // `externalId` is caseExact; every other text is compared ignoring case.
    let wanted = if column == UserText::ExternalId { wanted.to_owned() } else { wanted.to_ascii_lowercase() };
    let compared = match op {
        Op::Eq => Match::Equals(wanted),
        Op::Co => Match::Contains(wanted),
        Op::Sw => Match::StartsWith(wanted),
        Op::Ew => Match::EndsWith(wanted),
        _ => return Narrow::All,
    };
    Narrow::Text(column, compared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::scim::filter::parse;

    fn narrow(filter: &str) -> Narrow {
        narrowing(&parse(filter).unwrap())
    }

    fn text(column: UserText, value: &str) -> Narrow {
        Narrow::Text(column, Match::Equals(value.into()))
    }

    #[test]
    fn what_identity_providers_send_becomes_sql() {
        assert_eq!(narrow(r#"userName eq "Ada@Acme.Test""#), text(UserText::UserName, "ada@acme.test"));
        assert_eq!(narrow(r#"externalId eq "00uAbC""#), text(UserText::ExternalId, "00uAbC"), "caseExact");
        assert_eq!(
            narrow(r#"emails[type eq "work" and value eq "ADA@acme.test"]"#),
            text(UserText::Email, "ada@acme.test")
        );
        assert_eq!(
            narrow(r#"name.familyName sw "Love_""#),
            Narrow::Text(UserText::FamilyName, Match::StartsWith("love_".into()))
        );
        assert_eq!(narrow("active eq \"False\""), Narrow::Active(false));
        assert_eq!(
            narrow(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "0042""#),
            text(UserText::EmployeeNumber, "0042")
        );
        assert_eq!(
            narrow(r#"meta.lastModified gt "2026-12-01T00:00:00Z""#),
            Narrow::Modified(Ordering::Greater, true, 1_796_083_200)
        );
    }

    #[test]
    fn and_keeps_what_it_can_read_and_or_needs_both_sides() {
        assert_eq!(narrow(r#"userName co "ada" and title eq "Boss""#), narrow(r#"userName co "ada""#));
        assert_eq!(narrow(r#"userName co "ada" or title eq "Boss""#), Narrow::All);
        assert!(matches!(narrow(r#"userName sw "a" or displayName co "b""#), Narrow::Or(..)));
    }

    #[test]
    fn only_what_sql_reads_as_scim_does_is_counted_and_paged_by_sql() {
        let exact = |filter: &str| is_exact(&parse(filter).unwrap());
        for filter in [
            r#"userName co "ada" and active eq "True""#,
            r#"name.familyName sw "Love" or displayName eq "Ada Lovelace""#,
            r#"externalId eq "00uAbC" or id eq "42""#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber ew "42""#,
            r#"emails.value ew "@acme.test""#,
        ] {
            assert!(exact(filter), "{filter}");
        }
        for filter in [
            r#"externalId co "AbC""#,
            r#"id eq "042""#,
            r#"emails co "ada""#,
            r#"userName eq """#,
            r#"name.givenName eq "Émile""#,
            r#"meta.lastModified gt "2026-12-01T00:00:00Z""#,
            r#"emails[type eq "work" and value eq "ada@acme.test"]"#,
            r#"userName co "ada" and not (title pr)"#,
            "externalId pr",
        ] {
            assert!(!exact(filter), "{filter}");
        }
    }

    #[test]
    fn what_sql_cannot_read_narrows_to_everyone() {
        for filter in [
            r#"not (userName eq "ada@acme.test")"#,
            r#"userName ne "ada@acme.test""#,
            r#"name.givenName gt "A""#,
            r#"name.givenName eq "Émile""#,
            r#"urn:roster:params:scim:schemas:extension:2.0:User:homeTown eq "Leeds""#,
            "title pr",
        ] {
            assert_eq!(narrow(filter), Narrow::All, "{filter}");
        }
    }
}
