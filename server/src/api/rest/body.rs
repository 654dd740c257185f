//! The JSON bodies of the REST API, read into the spreadsheet's cells for the rules: a user's
//! fields by the columns' keys (`groups` for Group Assignments; the flags as booleans), and the
//! optional body of a deactivation.

use roster::{Column, ProfileInput};
use serde_json::Value;

use super::ApiError;

/// The fields a body may carry: the spreadsheet's columns by their keys, `groups` for Group
/// Assignments.
fn body_column(field: &str) -> Option<Column> {
    Column::ALL.into_iter().find(|c| *c != Column::GroupAssignments && c.key() == field)
}

/// Reads a body into the cells it sets, as the rules read them; a field that is unknown or of the
/// wrong JSON type is refused by name (the rules then judge the values).
pub fn body_cells(body: &Value) -> Result<Vec<(Column, String)>, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::body("body", "Send the user as a JSON object of their fields.".into()));
    };
    let mut cells = Vec::new();
    for (field, value) in fields {
        if field == "groups" {
            let names = match value {
                Value::Null => Vec::new(),
                Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| ApiError::body("groups", "groups must be a list of group names.".into()))?,
                _ => return Err(ApiError::body("groups", "groups must be a list of group names.".into())),
            };
            if names.iter().any(|n| n.contains(['{', '}'])) {
                return Err(ApiError::body("groups", "A group name cannot contain braces; no group has one.".into()));
            }
            let cell: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
            cells.push((Column::GroupAssignments, cell.join(",")));
            continue;
        }
        let Some(column) = body_column(field) else {
            let known: Vec<&str> =
                Column::ALL.iter().map(|c| if *c == Column::GroupAssignments { "groups" } else { c.key() }).collect();
            return Err(ApiError::body(
                field,
                format!("There is no field \"{field}\"; a user has {}.", known.join(", ")),
            ));
        };
        let cell = match (value, column.is_flag()) {
            (Value::Null, _) => String::new(),
            (Value::Bool(flag), true) => if *flag { "y" } else { "n" }.to_owned(),
            (Value::String(text), _) => text.clone(),
            (_, true) => return Err(ApiError::body(field, format!("{field} must be true or false."))),
            (_, false) => {
                return Err(ApiError::body(
                    field,
                    format!("{field} must be a string (an employee ID keeps its leading zeros as text)."),
                ));
            }
        };
        cells.push((column, cell));
    }
    Ok(cells)
}

/// Reads a create body into the cells the rules read.
pub fn employee_input(body: &Value) -> Result<ProfileInput, ApiError> {
    let mut input = ProfileInput::new();
    for (column, cell) in body_cells(body)? {
        input.set(column, cell);
    }
    Ok(input)
}

/// Reads the optional body of a deactivation: nothing, `{}` or `{"new_team_leader": "<reference>"}`.
pub fn new_team_leader(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let shape = || {
        ApiError::body(
            "body",
            "Send nothing, or {\"new_team_leader\": \"<email address or employee ID>\"} for the team they leave."
                .into(),
        )
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| shape())?;
    let fields = value.as_object().ok_or_else(shape)?;
    if let Some(unknown) = fields.keys().find(|k| *k != "new_team_leader") {
        return Err(ApiError::body(
            unknown,
            format!("There is no field \"{unknown}\"; a deactivation takes new_team_leader."),
        ));
    }
    match fields.get("new_team_leader") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(reference)) if !reference.trim().is_empty() && !reference.chars().any(char::is_control) => {
            Ok(Some(reference.trim().to_owned()))
        }
        Some(_) => {
            Err(ApiError::body("new_team_leader", "new_team_leader must be an email address or employee ID.".into()))
        }
    }
}
