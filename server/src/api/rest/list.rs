//! `GET /api/v2/employees`: one page of users by id, `limit` 1–500 (100 by default), then
//! `cursor` = the previous page's `next_cursor`; filters `status`, `employment_status`,
//! `team_leader` (email address or employee ID), `group` (exact name), `role`, `q` (name, email,
//! employee ID). Paging by id never skips or repeats anyone while the roster changes.

use std::collections::HashMap;

use app::user::UserStatus;
use axum::Json;
use axum::extract::State;
use roster::fields::EmploymentStatus;
use serde::{Deserialize, Serialize};

use super::{ApiError, Params};
use crate::api::key::Caller;
use crate::storage::{Employee, EmployeeFilter, SqlStore};

/// Largest page of the list, and the default.
pub const MAX_PAGE: i64 = 500;
pub const DEFAULT_PAGE: i64 = 100;

/// One page of the list and where the next one starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeePage {
    pub data: Vec<Employee>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

pub async fn list(
    State(store): State<SqlStore>,
    caller: Caller,
    Params(query): Params<HashMap<String, String>>,
) -> Result<Json<EmployeePage>, ApiError> {
    let (filter, after, limit) = list_parameters(&query)?;
    // One more than asked tells whether another page follows.
    let mut data = store.employees(caller.org_id, &filter, after, limit + 1).await?;
    let more = data.len() as i64 > limit;
    data.truncate(limit as usize);
    let next_cursor = if more { data.last().map(|e| cursor_after(e.id)) } else { None };
    Ok(Json(EmployeePage { data, next_cursor }))
}

/// The parameters the list takes.
const LIST_PARAMETERS: [&str; 8] =
    ["cursor", "limit", "status", "employment_status", "team_leader", "group", "role", "q"];

/// Reads the list's parameters; anything unknown or unreadable is refused by name.
fn list_parameters(query: &HashMap<String, String>) -> Result<(EmployeeFilter, i64, i64), ApiError> {
    if let Some(unknown) = query.keys().find(|k| !LIST_PARAMETERS.contains(&k.as_str())) {
        return Err(ApiError::parameter(
            unknown,
            format!("There is no parameter \"{unknown}\"; the list takes {}.", LIST_PARAMETERS.join(", ")),
        ));
    }
    if let Some((key, _)) = query.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        return Err(ApiError::parameter(key, format!("{key} contains an invisible control character; remove it.")));
    }
    let text = |key: &str| query.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
    let limit = match text("limit") {
        None => DEFAULT_PAGE,
        Some(v) => v.parse::<i64>().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
            ApiError::parameter("limit", format!("limit must be a whole number from 1 to {MAX_PAGE}; \"{v}\" is not."))
        })?,
    };
    let after = match text("cursor") {
        None => 0,
        Some(v) => read_cursor(&v).ok_or_else(|| {
            ApiError::parameter(
                "cursor",
                "That cursor was not given by this API; pass the next_cursor of the previous page, or none for the first."
                    .into(),
            )
        })?,
    };
    let status = match text("status") {
        None => None,
        Some(v) => Some(UserStatus::parse(&v.to_lowercase()).ok_or_else(|| {
            ApiError::parameter(
                "status",
                format!("status must be created, invited, active or deactivated; \"{v}\" is not."),
            )
        })?),
    };
    let employment_status = match text("employment_status") {
        None => None,
        Some(v) => {
            EmploymentStatus::parse(&v).map_err(|problem| ApiError::parameter("employment_status", problem.message))?
        }
    };
    let filter = EmployeeFilter {
        status,
        employment_status,
        team_leader: text("team_leader"),
        group: text("group"),
        role: text("role"),
        text: text("q"),
    };
    Ok((filter, after, limit))
}

/// The cursor after `id`: opaque to callers, the last id seen in base 36.
pub fn cursor_after(id: i64) -> String {
    let mut n = id.max(0) as u64;
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

/// Reads a cursor back; `None` for anything [`cursor_after`] did not write.
pub fn read_cursor(cursor: &str) -> Option<i64> {
    if cursor.is_empty() || cursor.len() > 13 {
        return None;
    }
    i64::from_str_radix(cursor, 36).ok().filter(|id| *id >= 0 && cursor_after(*id) == cursor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_list_defaults_to_the_first_hundred() {
        let (filter, after, limit) = list_parameters(&query(&[])).unwrap();
        assert_eq!((filter, after, limit), (EmployeeFilter::default(), 0, 100));
    }

    #[test]
    fn each_unreadable_parameter_is_named() {
        for (key, value) in [
            ("limit", "0"),
            ("limit", "501"),
            ("limit", "ten"),
            ("cursor", "not-ours"),
            ("status", "retired"),
            ("employment_status", "Seasonal"),
            ("colour", "blue"),
        ] {
            let error = list_parameters(&query(&[(key, value)])).unwrap_err();
            assert_eq!((error.status, error.field.as_deref()), (StatusCode::BAD_REQUEST, Some(key)), "{key}={value}");
        }
    }

    #[test]
    fn filters_are_read_as_given() {
        let (filter, after, limit) = list_parameters(&query(&[
            ("status", "Active"),
            ("employment_status", "Part Time"),
            ("team_leader", " lead@acme.test "),
            ("q", "ada"),
            ("limit", "500"),
            ("cursor", &cursor_after(41)),
        ]))
        .unwrap();
        assert_eq!(filter.status, Some(UserStatus::Active));
        assert_eq!(filter.employment_status, Some(EmploymentStatus::PartTime));
        assert_eq!(filter.team_leader.as_deref(), Some("lead@acme.test"));
        assert_eq!((filter.text.as_deref(), after, limit), (Some("ada"), 41, 500));
    }

    #[test]
    fn a_cursor_reads_back_as_the_id_it_was_made_from() {
        for id in [0, 1, 35, 36, 123_456_789, i64::MAX] {
            assert_eq!(read_cursor(&cursor_after(id)), Some(id), "{id}");
        }
        assert_eq!(cursor_after(36), "10");
    }

    #[test]
    fn a_cursor_nobody_made_is_refused() {
        for bad in ["", "-1", "ZZ", "0010", "a b", "zzzzzzzzzzzzzz"] {
            assert_eq!(read_cursor(bad), None, "{bad}");
        }
    }
}
