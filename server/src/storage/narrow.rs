//! The SQL of a condition on users that a SCIM filter implies ([`Narrow`], made by
//! `api::scim::narrow`), with the trigram index of migration 0010 for substrings, prefixes and
//! name equalities that no other index answers.
//!
//! Each such needle is looked up in the index once, before the statements are built
//! ([`SqlStore::ready`]), and replaced by the users holding it, unless more than
//! [`HOLDERS_AT_MOST`] do: then reading the column is cheaper (on SQLite 30 ms through FTS5 against
//! 10 ms from the column for a needle everyone of 100,000 holds, such as the organisation's email
//! domain). Asked within the statement, PostgreSQL joined the holders to every user (67 ms for
//! `emails.value ew "77@example.com"` against 15 ms), and SQLite keeps no statistics of FTS5.

use std::collections::HashMap;

use app::ssr::StoreError;

#[cfg(test)]
use super::Backend;
use super::sql::{Sql, like_escape};
use super::{SqlStore, db};

/// The most users a needle may be held by for its holders to narrow a statement.
const HOLDERS_AT_MOST: usize = 5_000;

/// A condition on users that a SCIM filter implies, for SQL to narrow a list before the filter
/// itself is applied to each resource (`api::scim::narrow`). Texts are compared as SCIM does
/// (ignoring case, but for `externalId`): the values here are lowercased already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Narrow {
    /// Everyone (what a filter SQL cannot read narrows to).
    All,
    Text(UserText, Match),
    Present(UserText),
    /// Not deactivated (`true`) or deactivated.
    Active(bool),
    Id(i64),
    /// The users among these ids: those whose texts hold a needle ([`SqlStore::ready`]).
    Among(Vec<i64>),
    /// `meta.lastModified` against a Unix time.
    Modified(std::cmp::Ordering, bool, i64),
    And(Box<Narrow>, Box<Narrow>),
    Or(Box<Narrow>, Box<Narrow>),
}

/// A text of a user as SCIM names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserText {
    /// The kept SCIM userName, or else the email address, or else the employee ID.
    UserName,
    Email,
    ExternalId,
    GivenName,
    FamilyName,
    DisplayName,
    EmployeeNumber,
}

/// How a text is compared with a lowercase needle (an `externalId`'s is as sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    Equals(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
}

impl Match {
    fn needle(&self) -> &str {
        match self {
            Match::Equals(n) | Match::Contains(n) | Match::StartsWith(n) | Match::EndsWith(n) => n,
        }
    }
}

impl UserText {
    fn sql(self) -> &'static str {
        match self {
            UserText::UserName => "LOWER(COALESCE(u.scim_user_name, u.email, u.employee_id))",
            UserText::Email => "u.email_key",
            UserText::ExternalId => "u.external_id",
            UserText::GivenName => "LOWER(u.first_name)",
            UserText::FamilyName => "LOWER(u.last_name)",
            UserText::DisplayName => "LOWER(u.first_name || ' ' || u.last_name)",
            UserText::EmployeeNumber => "LOWER(u.employee_id)",
        }
    }

    /// The needle of `text` to look up in the trigram index, which holds every text but the
    /// `externalId`: where no other index answers (the userName, email, employee ID and
    /// `externalId` equalities have theirs) and it has a trigram (three characters or more).
    fn trigram_needle(self, text: &Match) -> Option<&str> {
        let indexed = matches!(text, Match::Equals(_))
            && matches!(self, UserText::UserName | UserText::Email | UserText::EmployeeNumber | UserText::ExternalId);
        let needle = text.needle();
        (!indexed && self != UserText::ExternalId && needle.chars().count() >= 3).then_some(needle)
    }
}

impl Narrow {
    /// The needles the trigram index may answer, each once.
    fn trigram_needles<'a>(&'a self, needles: &mut Vec<&'a str>) {
        match self {
            Narrow::Text(column, text) => {
                if let Some(needle) = column.trigram_needle(text)
                    && !needles.contains(&needle)
                {
                    needles.push(needle);
                }
            }
            Narrow::And(a, b) | Narrow::Or(a, b) => {
                a.trigram_needles(needles);
                b.trigram_needles(needles);
            }
            _ => {}
        }
    }

    /// Each text comparison whose needle is in `holders` also among the users holding it.
    fn among(self, holders: &HashMap<String, Vec<i64>>) -> Narrow {
        match self {
            Narrow::Text(column, text) => {
                let held = column.trigram_needle(&text).and_then(|needle| holders.get(needle)).cloned();
                let compared = Narrow::Text(column, text);
                match held {
                    Some(ids) => Narrow::And(Box::new(Narrow::Among(ids)), Box::new(compared)),
                    None => compared,
                }
            }
            Narrow::And(a, b) => Narrow::And(Box::new(a.among(holders)), Box::new(b.among(holders))),
            Narrow::Or(a, b) => Narrow::Or(Box::new(a.among(holders)), Box::new(b.among(holders))),
            other => other,
        }
    }

    /// Appends the condition to `sql`.
    pub(super) fn push(&self, sql: &mut Sql) {
        use std::cmp::Ordering;
        match self {
            Narrow::All => {
                sql.push("1 = 1");
            }
            // Equalities the indexes answer: (org_id, email_key), (org_id, LOWER(employee_id)) and the
            // partial users_scim_user_name.
            Narrow::Text(UserText::UserName, Match::Equals(value)) => {
                sql.push("(u.email_key = ")
                    .bind_text(value)
                    .push(" OR (u.email IS NULL AND LOWER(u.employee_id) = ")
                    .bind_text(value)
                    .push(") OR (u.scim_user_name IS NOT NULL AND LOWER(u.scim_user_name) = ")
                    .bind_text(value)
                    .push("))");
            }
            Narrow::Text(column, text) => {
                let escaped = like_escape(text.needle());
                let pattern = match text {
                    Match::Equals(value) => {
                        sql.push(column.sql()).push(" = ").bind_text(value);
                        return;
                    }
                    Match::Contains(_) => format!("%{escaped}%"),
                    Match::StartsWith(_) => format!("{escaped}%"),
                    Match::EndsWith(_) => format!("%{escaped}"),
                };
                sql.push(column.sql()).push(" LIKE ").bind_text(&pattern).push(" ESCAPE '\\'");
            }
            Narrow::Present(column) => {
                sql.push(column.sql()).push(" IS NOT NULL AND ").push(column.sql()).push(" <> ''");
            }
            Narrow::Active(true) => {
                sql.push("u.status <> 'deactivated'");
            }
            Narrow::Active(false) => {
                sql.push("u.status = 'deactivated'");
            }
            Narrow::Id(id) => {
                sql.push("u.id = ").bind(*id);
            }
            Narrow::Among(ids) if ids.is_empty() => {
                sql.push("1 = 0");
            }
            Narrow::Among(ids) => {
                sql.push("u.id IN ").bind_list(ids.iter().copied());
            }
            Narrow::Modified(ordering, or_equal, at) => {
                let op = match (ordering, or_equal) {
                    (Ordering::Greater, false) => " > ",
                    (Ordering::Greater, true) => " >= ",
                    (Ordering::Less, false) => " < ",
                    (Ordering::Less, true) => " <= ",
                    (Ordering::Equal, _) => " = ",
                };
                sql.push("u.updated_at").push(op).bind(*at);
            }
            Narrow::And(a, b) | Narrow::Or(a, b) => {
                let joint = if matches!(self, Narrow::And(..)) { ") AND (" } else { ") OR (" };
                sql.push("((");
                a.push(sql);
                sql.push(joint);
                b.push(sql);
                sql.push("))");
            }
        }
    }
}

impl SqlStore {
    /// `narrow` ready for this database, once for every statement it will narrow: each needle the
    /// trigram index may answer is looked up in it ([`Backend::holders`]) and held to the users
    /// holding it, unless more than [`HOLDERS_AT_MOST`] do.
    pub async fn ready(&self, narrow: Narrow) -> Result<Narrow, StoreError> {
        let mut needles = Vec::new();
        narrow.trigram_needles(&mut needles);
        if needles.is_empty() {
            return Ok(narrow);
        }
        let holders = db(async {
            let mut holders = HashMap::new();
            for needle in needles {
                if let Some(ids) = self.backend.holders(&self.pool, needle, HOLDERS_AT_MOST).await? {
                    holders.insert(needle.to_owned(), ids);
                }
            }
            Ok(holders)
        })
        .await?;
        Ok(narrow.among(&holders))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_of(backend: Backend, narrow: &Narrow) -> String {
        let mut sql = Sql::new(backend, "");
        narrow.push(&mut sql);
        sql.text().to_owned()
    }

    fn family(text: Match) -> Narrow {
        Narrow::Text(UserText::FamilyName, text)
    }

    #[test]
    fn what_another_index_answers_or_no_trigram_holds_is_asked_of_the_column_alone() {
        for narrow in [
            Narrow::Text(UserText::UserName, Match::Equals("ada@acme.test".into())),
            Narrow::Text(UserText::Email, Match::Equals("ada@acme.test".into())),
            Narrow::Text(UserText::EmployeeNumber, Match::Equals("0042".into())),
            Narrow::Text(UserText::ExternalId, Match::Contains("00u".into())),
            family(Match::Contains("ka".into())),
        ] {
            let mut needles = Vec::new();
            narrow.trigram_needles(&mut needles);
            assert!(needles.is_empty(), "{narrow:?}");
        }
    }

    #[test]
    fn a_needle_is_looked_up_once_and_held_to_its_holders_where_it_is_compared() {
        let narrow = Narrow::Or(
            Box::new(family(Match::Contains("kafo".into()))),
            Box::new(Narrow::And(
                Box::new(Narrow::Active(true)),
                Box::new(Narrow::Text(UserText::GivenName, Match::StartsWith("kafo".into()))),
            )),
        );
        let mut needles = Vec::new();
        narrow.trigram_needles(&mut needles);
        assert_eq!(needles, ["kafo"]);
        let holders = HashMap::from([("kafo".to_owned(), vec![3, 9])]);
        let held = narrow.clone().among(&holders);
        assert_eq!(sql_of(Backend::Sqlite, &held).matches("u.id IN (?, ?)").count(), 2);
        assert_eq!(narrow.clone().among(&HashMap::new()), narrow, "a needle too many hold narrows nothing");
        let nobody = family(Match::Contains("zzz".into())).among(&HashMap::from([("zzz".to_owned(), vec![])]));
        assert!(sql_of(Backend::Sqlite, &nobody).starts_with("((1 = 0) AND"));
    }
}
