//! Roster users as SCIM Users (RFC 7643 §4.1), and back. `userName` is the email address (the
//! employee ID for someone without one; a login of the provider's own that is neither is kept as
//! sent); the enterprise extension carries `employeeNumber` (the employee ID) and `manager` (the
//! team leader); `externalId` is kept exactly as the identity provider sent it; `active` is "not
//! deactivated"; the rest of the profile is in Roster's own extension. Reading a resource gives
//! the spreadsheet's cells, for the spreadsheet's rules.

use std::collections::HashMap;

use app::ssr::users::{self as one_user, Writer};
use app::ssr::{OrganisationStore, ProviderIds, StoreError, UserStore};
use app::user::UserStatus;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::time::rfc3339;
use roster::{Column, ProfileInput, UserId};
use serde_json::{Map, Value, json};

use super::filter::member;
use super::narrow::{is_exact, narrowing};
use super::query::{ListQuery, Listing, Projection, SearchQuery, list_response, project};
use super::{Change, ResourceId, ScimError, ScimJson, scim_json};
use crate::api::key::{Caller, if_match_allows, with_etag};
use crate::storage::{Activation, Employee, Narrow, ProfileChange, SqlStore};

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

/// The SCIM resource of a user; `group_ids` gives each of their groups' id by name.
pub fn resource(user: &Employee, group_ids: &dyn Fn(&str) -> Option<i64>) -> Value {
    let id = user.id.to_string();
    let mut resource = Map::new();
    resource.insert("schemas".into(), json!([USER, ENTERPRISE, ROSTER]));
    resource.insert("id".into(), json!(id));
    if let Some(external) = &user.external_id {
        resource.insert("externalId".into(), json!(external));
    }
    let user_name = user.scim_user_name.clone().or(user.email.clone()).or(user.employee_id.clone());
    resource.insert("userName".into(), json!(user_name.unwrap_or_default()));
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
    /// The identity provider's userName, kept when it is neither an email address nor the
    /// employee ID (an Okta login beside an employeeNumber); `None`: userName is one of them.
    pub user_name: Option<String>,
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

/// What an attribute a resource leaves out means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// A new user: left to the organisation's provisioning defaults (or blank).
    Unsaid,
    /// The whole resource as it should be (after a PATCH, or a PUT merged over the current one):
    /// an attribute of Roster's extension, `employeeNumber` or `externalId` no longer in it was
    /// removed, so it is cleared (a flag becomes false).
    Removed,
}

/// Reads a resource (a whole one: created, replaced, or patched) into what it asks for.
pub fn read(resource: &Value, absent: Absent) -> Result<UserWrite, String> {
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
    } else if employee_number.as_deref().map(str::trim) == Some(user_name)
        || (employee_number.is_none() && primary_email.is_none())
    {
        // userName is the employee ID: someone without an email address goes by it.
        write.cells.push((Column::EmailAddress, primary_email.unwrap_or_default()));
        if employee_number.is_none() {
            write.cells.push((Column::EmployeeId, user_name.to_owned()));
        }
    } else {
        // A login of the provider's own ("jdoe") beside an email address or an employee ID: kept
        // as sent, for SCIM to answer and find them by.
        write.cells.push((Column::EmailAddress, primary_email.unwrap_or_default()));
        write.user_name = Some(user_name.to_owned());
    }
    match employee_number {
        Some(number) => write.cells.push((Column::EmployeeId, number)),
        None if absent == Absent::Removed && !write.cells.iter().any(|(c, _)| *c == Column::EmployeeId) => {
            write.cells.push((Column::EmployeeId, String::new()));
        }
        None => {}
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
    let extension = member(resource, ROSTER);
    for (attribute, column) in EXTENSION {
        let value = match (extension.and_then(|e| member(e, attribute)), absent) {
            (Some(value), _) => value,
            (None, Absent::Removed) => &Value::Null,
            (None, Absent::Unsaid) => continue,
        };
        let cell = if column.is_flag() {
            match (value, flag(value)) {
                // A new user's flag left blank takes the default; a flag removed is off.
                (Value::Null, _) if absent == Absent::Unsaid => String::new(),
                (Value::Null, _) => "n".to_owned(),
                (_, Some(on)) => if on { "y" } else { "n" }.to_owned(),
                _ => return Err(format!("{attribute} must be true or false.")),
            }
        } else {
            text(value, attribute)?
        };
        write.cells.push((column, cell));
    }
    write.external_id = match (member(resource, "externalId"), absent) {
        (Some(value), _) => Some(external_id(value)?),
        (None, Absent::Removed) => Some(String::new()),
        (None, Absent::Unsaid) => None,
    };
    write.active = match member(resource, "active") {
        None | Some(Value::Null) => None,
        Some(value) => Some(flag(value).ok_or("active must be true or false.")?),
    };
    Ok(write)
}

// ----- Handlers -----

async fn group_ids(store: &SqlStore, org_id: i64) -> Result<HashMap<String, i64>, ScimError> {
    Ok(store.scim_groups(org_id).await?.into_iter().map(|g| (g.name, g.id)).collect())
}

async fn user_resource(store: &SqlStore, org_id: i64, user: &Employee) -> Result<Value, ScimError> {
    let ids = group_ids(store, org_id).await?;
    Ok(resource(user, &|name| ids.get(name).copied()))
}

async fn user_by_id(store: &SqlStore, org_id: i64, id: &ResourceId) -> Result<Employee, ScimError> {
    let Some(number) = id.number else { return Err(ScimError::not_found("user", &id.text)) };
    store
        .employee_by_id(org_id, number)
        .await?
        .filter(|user| !user.scim_deleted)
        .ok_or_else(|| ScimError::not_found("user", &id.text))
}

/// One user's resource, with its ETag.
async fn user_answer(store: &SqlStore, org_id: i64, id: i64, status: StatusCode) -> Result<Response, ScimError> {
    let user = store
        .employee_by_id(org_id, id)
        .await?
        .ok_or_else(|| ScimError::internal(format!("user {id}, just written, is missing")))?;
    let resource = project(user_resource(store, org_id, &user).await?, &Projection::default());
    let mut response = with_etag(scim_json(status, &resource), user.version);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/scim/v2/Users/{id}"))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn list_users(
    State(store): State<SqlStore>,
    caller: Caller,
    query: ListQuery,
) -> Result<Response, ScimError> {
    let org_id = caller.org_id;
    let ids = group_ids(&store, org_id).await?;
    let to_resource = |user: &Employee| resource(user, &|name| ids.get(name).copied());
    // Without a filter, or with one SQL reads exactly (`narrow`): one page by offset and a count.
    // An equality on userName, externalId or id is a lookup; any other filter reads the users
    // its SQL narrowing may match, a thousand at a time, keeping one page.
    const LOOKUPS: [&str; 3] = ["userName", "externalId", "id"];
    let filter = match &query.filter {
        Some(filter) if !is_exact(filter) || filter.equality_on(&LOOKUPS).is_some() => filter,
        exact => {
            let narrow = store.ready(exact.as_ref().map_or(Narrow::All, narrowing)).await?;
            let offset = i64::try_from(query.start_index - 1).unwrap_or(i64::MAX);
            let limit = i64::try_from(query.count).unwrap_or(0);
            let (page, total) = store.employees_from(org_id, &narrow, offset, limit).await?;
            let resources = page.iter().map(|user| project(to_resource(user), &query.attributes)).collect();
            return Ok(list_response(usize::try_from(total).unwrap_or(0), query.start_index, resources));
        }
    };
    let mut listing = Listing::new(&query);
    match filter.equality_on(&LOOKUPS) {
        Some((attribute, value)) => {
            let found = match attribute.as_str() {
                "userName" => store.employee_by_user_name(org_id, &value).await?,
                "externalId" => store.employee_by_external_id(org_id, &value).await?,
                _ => match value.parse::<i64>() {
                    Ok(id) => store.employee_by_id(org_id, id).await?,
                    Err(_) => None,
                },
            };
            if let Some(user) = found.filter(|user| !user.scim_deleted) {
                listing.offer(to_resource(&user));
            }
        }
        None => {
            // SQL reads only the users the filter may match; the filter then decides each.
            let narrow = store.ready(narrowing(filter)).await?;
            let mut after = 0;
            loop {
                let batch = store.employees_narrowed(org_id, &narrow, after, 1000).await?;
                let Some(last) = batch.last() else { break };
                after = last.id;
                for user in batch.iter().filter(|user| !user.scim_deleted) {
                    listing.offer(to_resource(user));
                }
            }
        }
    }
    Ok(listing.response())
}

/// `POST /Users/.search`: the list, its parameters in the body.
pub async fn search_users(
    store: State<SqlStore>,
    caller: Caller,
    SearchQuery(query): SearchQuery,
) -> Result<Response, ScimError> {
    list_users(store, caller, query).await
}

pub async fn get_user(
    State(store): State<SqlStore>,
    caller: Caller,
    id: ResourceId,
    projection: Projection,
) -> Result<Response, ScimError> {
    let user = user_by_id(&store, caller.org_id, &id).await?;
    let resource = project(user_resource(&store, caller.org_id, &user).await?, &projection);
    Ok(with_etag(scim_json(StatusCode::OK, &resource), user.version))
}

/// Refuses (409 `uniqueness`) a login that someone other than user `me` already goes by. The
/// unique index says so too; asking first keeps a refused create from creating anyone.
async fn user_name_free(store: &SqlStore, org_id: i64, name: &str, me: Option<i64>) -> Result<(), ScimError> {
    match store.employee_by_user_name(org_id, name).await? {
        Some(other) if Some(other.id) != me => Err(StoreError::Taken("userName").into()),
        _ => Ok(()),
    }
}

/// The team leader's reference (email or employee ID) for a `manager` id.
async fn manager_reference(store: &SqlStore, org_id: i64, manager: Option<i64>) -> Result<String, ScimError> {
    let Some(id) = manager else { return Ok(String::new()) };
    let leader = store
        .employee_by_id(org_id, id)
        .await?
        .ok_or_else(|| ScimError::bad("invalidValue", format!("manager: no user has the id \"{id}\".")))?;
    Ok(leader.email.or(leader.employee_id).unwrap_or_default())
}

pub async fn create_user(
    State(store): State<SqlStore>,
    caller: Caller,
    ScimJson(body): ScimJson,
) -> Result<Response, ScimError> {
    let org_id = caller.org_id;
    let write = read(&body, Absent::Unsaid).map_err(|e| ScimError::bad("invalidValue", e))?;
    // Identity providers know nothing of Roster's flags nor, often, of a manager: a new user they
    // send without them takes the organisation's provisioning defaults.
    let provisioning = store.provisioning(org_id).await?;
    let mut input = ProfileInput::new();
    for (column, cell) in &write.cells {
        input.set(*column, cell.clone());
    }
    provisioning
        .defaults
        .fill_flags(&mut input, |column| write.cells.iter().any(|(c, v)| *c == column && !v.is_empty()));
    input.set(Column::TeamLeader, manager_reference(&store, org_id, write.manager.flatten()).await?);
    if let Some(name) = &write.user_name {
        user_name_free(&store, org_id, name, None).await?;
    }
    let ids = ProviderIds { external_id: write.external_id.as_deref(), user_name: write.user_name.as_deref() };
    let id =
        one_user::create_user::<ScimError>(&store, org_id, None, &input, ids, Writer::Provider(&provisioning)).await?;
    if write.active == Some(false) {
        let deactivate = Some(Activation::Deactivate { new_leader: None });
        store.provision_user(org_id, caller.key_id, id, None, deactivate).await?;
    }
    user_answer(&store, org_id, id, StatusCode::CREATED).await
}

/// Saves `desired` (a whole resource) over `user` in one transaction: the profile if it changed,
/// checked by the rules at the version read, then `active`.
async fn save_user(
    store: &SqlStore,
    caller: Caller,
    headers: &HeaderMap,
    user: &Employee,
    desired: &Value,
) -> Result<Response, ScimError> {
    let org_id = caller.org_id;
    let write = read(desired, Absent::Removed).map_err(|e| ScimError::bad("invalidValue", e))?;
    let (form, _) =
        store.user_form(org_id, user.id).await?.ok_or_else(|| ScimError::not_found("user", &user.id.to_string()))?;
    let version = form.version.unwrap_or_default();
    if !if_match_allows(headers, version) {
        return Err(StoreError::Stale.into());
    }
    let before = form.to_input();
    let mut input = before.clone();
    for (column, cell) in &write.cells {
        input.set(*column, cell.clone());
    }
    // `desired` is the whole resource as it should be: no manager in it means none (Entra's
    // `remove` of the manager, or a replace that leaves it out of a resource that had none).
    input.set(Column::TeamLeader, manager_reference(store, org_id, write.manager.flatten()).await?);
    let external_changed = write
        .external_id
        .as_deref()
        .is_some_and(|e| Some(e) != user.external_id.as_deref() && !(e.is_empty() && user.external_id.is_none()));
    let user_name_changed = write.user_name != user.scim_user_name;
    if let (true, Some(name)) = (user_name_changed, &write.user_name) {
        user_name_free(store, org_id, name, Some(user.id)).await?;
    }
    let checked = if input != before || external_changed || user_name_changed {
        let provisioning = store.provisioning(org_id).await?;
        Some(
            one_user::checked_update::<ScimError>(store, org_id, user.id, &input, Writer::Provider(&provisioning))
                .await?,
        )
    } else {
        None
    };
    let deactivated = user.status == UserStatus::Deactivated;
    let activation = match write.active {
        Some(false) if !deactivated => Some(Activation::Deactivate { new_leader: user.team_leader_id.map(UserId) }),
        Some(true) if deactivated => Some(Activation::Reactivate),
        _ => None,
    };
    let change = checked.as_ref().map(|checked| ProfileChange {
        checked,
        external_id: write.external_id.as_deref(),
        scim_user_name: Some(write.user_name.as_deref()),
        version,
        key: Some(caller.key_id),
    });
    if change.is_some() || activation.is_some() {
        store.provision_user(org_id, caller.key_id, user.id, change.as_ref(), activation).await?;
    }
    user_answer(store, org_id, user.id, StatusCode::OK).await
}

pub async fn replace_user(
    State(store): State<SqlStore>,
    caller: Caller,
    headers: HeaderMap,
    id: ResourceId,
    ScimJson(body): ScimJson,
) -> Result<Response, ScimError> {
    change_user(&store, caller, &headers, &id, Change::read(body, false)?).await
}

pub async fn patch_user(
    State(store): State<SqlStore>,
    caller: Caller,
    headers: HeaderMap,
    id: ResourceId,
    ScimJson(body): ScimJson,
) -> Result<Response, ScimError> {
    change_user(&store, caller, &headers, &id, Change::read(body, true)?).await
}

async fn change_user(
    store: &SqlStore,
    caller: Caller,
    headers: &HeaderMap,
    id: &ResourceId,
    change: Change,
) -> Result<Response, ScimError> {
    let user = user_by_id(store, caller.org_id, id).await?;
    let current = user_resource(store, caller.org_id, &user).await?;
    save_user(store, caller, headers, &user, &change.apply(&current)?).await
}

/// Deletes a user: Roster deactivates them (everyone's history is kept; their team moves to their
/// own team leader) and SCIM answers 404 for them from now on, until an admin reactivates them.
pub async fn delete_user(State(store): State<SqlStore>, caller: Caller, id: ResourceId) -> Result<Response, ScimError> {
    let user = user_by_id(&store, caller.org_id, &id).await?;
    if user.status != UserStatus::Deactivated {
        let activation = Activation::Deactivate { new_leader: user.team_leader_id.map(UserId) };
        store.provision_user(caller.org_id, caller.key_id, user.id, None, Some(activation)).await?;
    }
    store.mark_scim_deleted(caller.org_id, user.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
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
            scim_user_name: None,
            version: 4,
            updated_at: 1_795_000_000,
            scim_deleted: false,
        }
    }

    #[test]
    fn a_user_reads_back_as_the_cells_it_was_written_from() {
        let resource = resource(&ada(), &|name| (name == "Night").then_some(9));
        assert_eq!(resource["userName"], "ada@acme.test");
        assert_eq!(resource[ENTERPRISE]["manager"]["value"], "3");
        assert_eq!(resource["groups"][0]["value"], "9");
        assert_eq!(resource["meta"]["version"], "W/\"4\"");
        let write = read(&resource, Absent::Removed).unwrap();
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
        let write =
            read(&json!({ "userName": "0099", "name": { "givenName": "Al", "familyName": "Bo" } }), Absent::Unsaid)
                .unwrap();
        assert!(write.cells.contains(&(Column::EmployeeId, "0099".into())));
        assert!(write.cells.contains(&(Column::EmailAddress, String::new())));
    }

    #[test]
    fn strings_for_booleans_and_a_bare_manager_id_are_understood() {
        let write = read(
            &json!({
                "userName": "a@b.test",
                "active": "False",
                ENTERPRISE: { "manager": "12" },
                ROSTER: { "canManageTeams": "True" },
            }),
            Absent::Unsaid,
        )
        .unwrap();
        assert_eq!((write.active, write.manager), (Some(false), Some(Some(12))));
        assert!(write.cells.contains(&(Column::CanManageTeams, "y".into())));
    }

    #[test]
    fn what_a_whole_resource_no_longer_holds_was_removed_and_is_cleared() {
        let mut patched = resource(&ada(), &|_| None);
        let roster = patched[ROSTER].as_object_mut().unwrap();
        roster.remove("homeTown");
        roster.remove("phoneChannel");
        patched.as_object_mut().unwrap().remove("externalId");
        patched[ENTERPRISE].as_object_mut().unwrap().remove("employeeNumber");
        let write = read(&patched, Absent::Removed).unwrap();
        let cell = |column| write.cells.iter().rev().find(|(c, _)| *c == column).map(|(_, v)| v.as_str());
        assert_eq!((cell(Column::HomeTown), cell(Column::PhoneChannel)), (Some(""), Some("n")));
        assert_eq!((cell(Column::EmployeeId), write.external_id.as_deref()), (Some(""), Some("")));
        // A new user's missing attributes are unsaid: the defaults decide.
        let new = read(&json!({ "userName": "a@b.test" }), Absent::Unsaid).unwrap();
        assert_eq!((new.external_id, new.cells.iter().any(|(c, _)| *c == Column::HomeTown)), (None, false));
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
            let error = read(&body, Absent::Unsaid).unwrap_err();
            assert!(error.contains(says), "{body}: {error}");
        }
    }

    #[test]
    fn a_replacement_keeps_what_it_leaves_out_and_merges_extensions() {
        let current = resource(&ada(), &|_| None);
        let merged = crate::api::scim::patch::replace(
            &current,
            &json!({ "id": "99", "userName": "ada@new.test", ENTERPRISE: { "employeeNumber": "0043" } }),
        );
        assert_eq!((merged["id"].as_str(), merged["userName"].as_str()), (Some("7"), Some("ada@new.test")));
        assert_eq!(merged[ENTERPRISE]["employeeNumber"], "0043");
        assert_eq!(merged[ENTERPRISE]["manager"]["value"], "3");
        assert_eq!(merged["name"]["givenName"], "Ada");
    }
}
