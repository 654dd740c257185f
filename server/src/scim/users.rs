//! Roster users as SCIM Users (RFC 7643 §4.1), and back. `userName` is the email address (the
//! employee ID for someone without one); the enterprise extension carries `employeeNumber` (the
//! employee ID) and `manager` (the team leader); `externalId` is kept exactly as the identity
//! provider sent it; `active` is "not deactivated"; the rest of the profile is in Roster's own
//! extension. Reading a resource gives the spreadsheet's cells, for the spreadsheet's rules.

use app::model::UserStatus;
use app::provisioning::Employee;
use roster::Column;
use serde_json::{Map, Value, json};

use super::filter::member;

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const ROSTER: &str = "urn:roster:params:scim:schemas:extension:2.0:User";

/// Roster's extension: each attribute and the column it holds. Flags are booleans.
pub const EXTENSION: [(&str, Column); 10] = [
    ("role", Column::Role),
    ("canManageTeams", Column::CanManageTeams),
    ("homeTown", Column::HomeTown),
    ("stateOrCountry", Column::StateOrCountry),
    ("profile", Column::Profile),
    ("phoneChannel", Column::PhoneChannel),
    ("chatChannel", Column::ChatChannel),
    ("emailChannel", Column::EmailChannel),
    ("employmentStatus", Column::EmploymentStatus),
    ("startDate", Column::StartDate),
];

pub const FLAGS: [Column; 4] =
    [Column::CanManageTeams, Column::PhoneChannel, Column::ChatChannel, Column::EmailChannel];

/// `2026-11-22T09:30:00Z` from Unix seconds.
pub fn rfc3339(unix: i64) -> String {
    // Civil from days (Howard Hinnant's algorithm).
    let (days, seconds) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

/// The SCIM resource of a user; `group_ids` gives each of their groups' id by name.
pub fn resource(user: &Employee, group_ids: &dyn Fn(&str) -> Option<i64>) -> Value {
    let id = user.id.to_string();
    let mut resource = Map::new();
    resource.insert("schemas".into(), json!([USER, ENTERPRISE, ROSTER]));
    resource.insert("id".into(), json!(id));
    if let Some(external) = &user.external_id {
        resource.insert("externalId".into(), json!(external));
    }
    resource.insert("userName".into(), json!(user.email.clone().or(user.employee_id.clone()).unwrap_or_default()));
    resource.insert(
        "name".into(),
        json!({
            "givenName": user.first_name,
            "familyName": user.last_name,
            "formatted": format!("{} {}", user.first_name, user.last_name),
        }),
    );
    resource.insert("displayName".into(), json!(format!("{} {}", user.first_name, user.last_name)));
    if let Some(email) = &user.email {
        resource.insert("emails".into(), json!([{ "value": email, "type": "work", "primary": true }]));
    }
    resource.insert("active".into(), json!(user.status != UserStatus::Deactivated));
    let groups: Vec<Value> = user
        .groups
        .iter()
        .filter_map(|name| {
            group_ids(name).map(
                |gid| json!({ "value": gid.to_string(), "display": name, "$ref": format!("/scim/v2/Groups/{gid}") }),
            )
        })
        .collect();
    if !groups.is_empty() {
        resource.insert("groups".into(), Value::Array(groups));
    }
    let mut enterprise = Map::new();
    if let Some(number) = &user.employee_id {
        enterprise.insert("employeeNumber".into(), json!(number));
    }
    if let Some(leader) = user.team_leader_id {
        enterprise.insert(
            "manager".into(),
            json!({ "value": leader.to_string(), "$ref": format!("/scim/v2/Users/{leader}") }),
        );
    }
    resource.insert(ENTERPRISE.into(), Value::Object(enterprise));
    let text = |value: &Option<String>| value.clone().map_or(Value::Null, Value::String);
    resource.insert(
        ROSTER.into(),
        json!({
            "role": user.role,
            "canManageTeams": user.can_manage_teams,
            "homeTown": text(&user.home_town),
            "stateOrCountry": text(&user.state_or_country),
            "profile": text(&user.profile),
            "phoneChannel": user.phone_channel,
            "chatChannel": user.chat_channel,
            "emailChannel": user.email_channel,
            "employmentStatus": text(&user.employment_status),
            "startDate": text(&user.start_date),
            "status": user.status.as_str(),
        }),
    );
    resource.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "lastModified": rfc3339(user.updated_at),
            "location": format!("/scim/v2/Users/{id}"),
            "version": format!("W/\"{}\"", user.version),
        }),
    );
    Value::Object(resource)
}

/// What a SCIM User asks for, in the spreadsheet's terms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserWrite {
    /// Cells to set; columns not listed keep their value (or stay blank for a new user).
    pub cells: Vec<(Column, String)>,
    /// The team leader's id: `Some(None)` clears it, `None` leaves it.
    pub manager: Option<Option<i64>>,
    pub external_id: Option<String>,
    pub active: Option<bool>,
}

/// A boolean as identity providers send it: `true`, or `"True"`/`"False"` strings.
pub fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn text(value: &Value, attribute: &str) -> Result<String, String> {
    match value {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        _ => Err(format!("{attribute} must be a string.")),
    }
}

/// The identity provider's own id: kept as sent, but one line of visible text.
pub fn external_id(value: &Value) -> Result<String, String> {
    let id = identifier(value, "externalId")?;
    if id.chars().any(char::is_control) || id.chars().count() > 255 {
        return Err("externalId must be at most 255 characters, without control characters.".into());
    }
    Ok(id)
}

/// An identifier, which some identity providers send as a number.
fn identifier(value: &Value, attribute: &str) -> Result<String, String> {
    match value {
        Value::Number(n) => Ok(n.to_string()),
        other => text(other, attribute),
    }
}

/// Reads a resource (a whole one: created, replaced, or patched) into what it asks for.
pub fn read(resource: &Value) -> Result<UserWrite, String> {
    if !resource.is_object() {
        return Err("Send the user as a JSON object.".into());
    }
    let mut write = UserWrite::default();
    let enterprise = member(resource, ENTERPRISE);
    let employee_number = match enterprise.and_then(|e| member(e, "employeeNumber")) {
        Some(number) => Some(identifier(number, "employeeNumber")?),
        None => None,
    };
    let user_name = text(member(resource, "userName").unwrap_or(&Value::Null), "userName")?;
    let user_name = user_name.trim();
    if user_name.is_empty() {
        return Err("userName is required: the user's email address.".into());
    }
    let primary_email = member(resource, "emails").and_then(Value::as_array).and_then(|emails| {
        emails
            .iter()
            .find(|e| member(e, "primary").and_then(flag) == Some(true))
            .or_else(|| emails.first())
            .and_then(|e| member(e, "value"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    if user_name.contains('@') {
        write.cells.push((Column::EmailAddress, user_name.to_owned()));
    } else if employee_number.as_deref().is_none_or(|n| n.trim() == user_name) {
        // Someone without an email address goes by their employee ID.
        write.cells.push((Column::EmailAddress, primary_email.unwrap_or_default()));
        if employee_number.is_none() {
            write.cells.push((Column::EmployeeId, user_name.to_owned()));
        }
    } else {
        // Neither an email address nor the employee ID: the rules will say so by name.
        write.cells.push((Column::EmailAddress, user_name.to_owned()));
    }
    if let Some(number) = employee_number {
        write.cells.push((Column::EmployeeId, number));
    }
    let name = member(resource, "name");
    for (attribute, column) in [("givenName", Column::FirstName), ("familyName", Column::LastName)] {
        let value = name.and_then(|n| member(n, attribute)).unwrap_or(&Value::Null);
        write.cells.push((column, text(value, &format!("name.{attribute}"))?));
    }
    if let Some(manager) = enterprise.and_then(|e| member(e, "manager")) {
        // {"value": "7"}, or the bare "7" Entra sends, or nothing.
        let id = match manager {
            Value::Object(_) => member(manager, "value").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let id = identifier(&id, "manager")?;
        write.manager = Some(match id.trim() {
            "" => None,
            id => Some(id.parse::<i64>().map_err(|_| format!("manager \"{id}\" is not the id of a user here."))?),
        });
    }
    if let Some(extension) = member(resource, ROSTER) {
        for (attribute, column) in EXTENSION {
            let Some(value) = member(extension, attribute) else { continue };
            let cell = if FLAGS.contains(&column) {
                match (value, flag(value)) {
                    (Value::Null, _) => String::new(),
                    (_, Some(on)) => if on { "y" } else { "n" }.to_owned(),
                    _ => return Err(format!("{attribute} must be true or false.")),
                }
            } else {
                text(value, attribute)?
            };
            write.cells.push((column, cell));
        }
    }
    write.external_id = match member(resource, "externalId") {
        Some(value) => Some(external_id(value)?),
        None => None,
    };
    write.active = match member(resource, "active") {
        None | Some(Value::Null) => None,
        Some(value) => Some(flag(value).ok_or("active must be true or false.")?),
    };
    Ok(write)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> Employee {
        Employee {
            id: 7,
            email: Some("ada@acme.test".into()),
            employee_id: Some("0042".into()),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            role: "Team Member".into(),
            can_manage_teams: false,
            home_town: Some("London".into()),
            state_or_country: None,
            profile: None,
            phone_channel: true,
            chat_channel: false,
            email_channel: false,
            team_leader: Some("grace@acme.test".into()),
            team_leader_id: Some(3),
            employment_status: Some("Full Time".into()),
            start_date: Some("2026-01-05".into()),
            groups: vec!["Night".into()],
            status: UserStatus::Active,
            external_id: Some("00uAbC".into()),
            version: 4,
            updated_at: 1_795_000_000,
        }
    }

    #[test]
    fn a_user_reads_back_as_the_cells_it_was_written_from() {
        let resource = resource(&ada(), &|name| (name == "Night").then_some(9));
        assert_eq!(resource["userName"], "ada@acme.test");
        assert_eq!(resource[ENTERPRISE]["manager"]["value"], "3");
        assert_eq!(resource["groups"][0]["value"], "9");
        assert_eq!(resource["meta"]["version"], "W/\"4\"");
        let write = read(&resource).unwrap();
        assert_eq!(write.manager, Some(Some(3)));
        assert_eq!((write.external_id.as_deref(), write.active), (Some("00uAbC"), Some(true)));
        let cell = |column| write.cells.iter().rev().find(|(c, _)| *c == column).map(|(_, v)| v.as_str());
        assert_eq!(cell(Column::EmailAddress), Some("ada@acme.test"));
        assert_eq!(cell(Column::EmployeeId), Some("0042"));
        assert_eq!(cell(Column::FirstName), Some("Ada"));
        assert_eq!(cell(Column::PhoneChannel), Some("y"));
        assert_eq!(cell(Column::StartDate), Some("2026-01-05"));
    }

    #[test]
    fn someone_without_an_email_goes_by_their_employee_id() {
        let write = read(&json!({ "userName": "0099", "name": { "givenName": "Al", "familyName": "Bo" } })).unwrap();
        assert!(write.cells.contains(&(Column::EmployeeId, "0099".into())));
        assert!(write.cells.contains(&(Column::EmailAddress, String::new())));
    }

    #[test]
    fn strings_for_booleans_and_a_bare_manager_id_are_understood() {
        let write = read(&json!({
            "userName": "a@b.test",
            "active": "False",
            ENTERPRISE: { "manager": "12" },
            ROSTER: { "canManageTeams": "True" },
        }))
        .unwrap();
        assert_eq!((write.active, write.manager), (Some(false), Some(Some(12))));
        assert!(write.cells.contains(&(Column::CanManageTeams, "y".into())));
    }

    #[test]
    fn what_cannot_be_read_is_named() {
        for (body, says) in [
            (json!({}), "userName"),
            (json!({ "userName": 5 }), "userName"),
            (json!({ "userName": "a@b.test", "active": "maybe" }), "active"),
            (json!({ "userName": "a@b.test", ENTERPRISE: { "manager": { "value": "Grace" } } }), "manager"),
            (json!({ "userName": "a@b.test", ROSTER: { "phoneChannel": 1 } }), "phoneChannel"),
            (json!({ "userName": "a@b.test", "name": { "givenName": ["A"] } }), "name.givenName"),
            (json!([1]), "object"),
            (json!({ "userName": "a@b.test", "externalId": "a\u{0}b" }), "externalId"),
        ] {
            let error = read(&body).unwrap_err();
            assert!(error.contains(says), "{body}: {error}");
        }
    }

    #[test]
    fn a_replacement_keeps_what_it_leaves_out_and_merges_extensions() {
        let current = resource(&ada(), &|_| None);
        let merged = crate::scim::patch::replace(
            &current,
            &json!({ "id": "99", "userName": "ada@new.test", ENTERPRISE: { "employeeNumber": "0043" } }),
        );
        assert_eq!((merged["id"].as_str(), merged["userName"].as_str()), (Some("7"), Some("ada@new.test")));
        assert_eq!(merged[ENTERPRISE]["employeeNumber"], "0043");
        assert_eq!(merged[ENTERPRISE]["manager"]["value"], "3");
        assert_eq!(merged["name"]["givenName"], "Ada");
    }

    #[test]
    fn times_are_written_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }
}
