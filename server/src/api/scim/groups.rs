//! Roster's groups as SCIM Groups (RFC 7643 §4.2): `displayName` is the group's name (checked by
//! the same rule as the Groups tab), `members` its users by id, `externalId` the identity
//! provider's own id. A group is written whole (name, id and members) in one transaction.

use app::ssr::{OrganisationStore, StoreError};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::organisation::GroupName;
use serde_json::{Value, json};

use super::filter::{AttrPath, member};
use super::query::{ListQuery, Listing, Projection, SearchQuery, project};
use super::{Change, ResourceId, ScimError, ScimJson, scim_json};
use crate::api::key::Caller;
use crate::storage::{GroupMember, ScimGroup, SqlStore};

pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// The SCIM resource of a group; members when they were read.
pub fn resource(group: &ScimGroup, members: Option<&[GroupMember]>) -> Value {
    let id = group.id.to_string();
    let mut resource = json!({
        "schemas": [GROUP],
        "id": id,
        "displayName": group.name,
        "meta": { "resourceType": "Group", "location": format!("/scim/v2/Groups/{id}") },
    });
    if let Some(external) = &group.external_id {
        resource["externalId"] = json!(external);
    }
    if let Some(members) = members {
        resource["members"] = members
            .iter()
            .map(|m| json!({ "value": m.id.to_string(), "display": m.name, "$ref": format!("/scim/v2/Users/{}", m.id), "type": "User" }))
            .collect();
    }
    resource
}

/// What a Group resource asks for.
#[derive(Debug, PartialEq)]
pub struct GroupWrite {
    pub name: GroupName,
    pub external_id: Option<String>,
    pub members: Vec<i64>,
}

pub fn read(resource: &Value) -> Result<GroupWrite, String> {
    let name =
        member(resource, "displayName").and_then(Value::as_str).ok_or("displayName is required: the group's name.")?;
    let name = GroupName::parse(name).map_err(|e| format!("displayName: {e}"))?;
    let external_id = match member(resource, "externalId") {
        None | Some(Value::Null) => None,
        Some(value) => Some(super::users::external_id(value)?),
    };
    let members = match member(resource, "members") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                let value = member(item, "value").unwrap_or(item);
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                };
                text.trim().parse::<i64>().map_err(|_| format!("members: \"{text}\" is not the id of a user here."))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("members must be a list of {\"value\": \"<user id>\"}.".into()),
    };
    Ok(GroupWrite { name, external_id, members })
}

fn write_error(error: StoreError) -> ScimError {
    match error {
        StoreError::NotFound => ScimError::bad("invalidValue", "members: a member is not a user of this organisation."),
        StoreError::Taken(_) => ScimError::new(
            StatusCode::CONFLICT,
            Some("uniqueness"),
            "A group already has that displayName; choose another.",
        ),
        other => other.into(),
    }
}

async fn find(store: &SqlStore, org_id: i64, id: &ResourceId) -> Result<ScimGroup, ScimError> {
    let groups = store.scim_groups(org_id).await?;
    groups.into_iter().find(|g| Some(g.id) == id.number).ok_or_else(|| ScimError::not_found("group", &id.text))
}

async fn full_resource(store: &SqlStore, org_id: i64, group: &ScimGroup) -> Result<Value, ScimError> {
    let members = store.group_members(org_id, group.id).await?;
    Ok(resource(group, Some(&members)))
}

async fn answer(store: &SqlStore, org_id: i64, id: i64, status: StatusCode) -> Result<Response, ScimError> {
    let group = find(store, org_id, &ResourceId { text: id.to_string(), number: Some(id) }).await?;
    let resource = project(full_resource(store, org_id, &group).await?, &Projection::default());
    let mut response = scim_json(status, &resource);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/scim/v2/Groups/{id}"))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn write(store: &SqlStore, org_id: i64, id: Option<i64>, desired: &Value) -> Result<i64, ScimError> {
    let write = read(desired).map_err(|e| ScimError::bad("invalidValue", e))?;
    store.write_group(org_id, id, &write.name, write.external_id.as_deref(), &write.members).await.map_err(write_error)
}

pub async fn list_groups(
    State(store): State<SqlStore>,
    caller: Caller,
    query: ListQuery,
) -> Result<Response, ScimError> {
    // Members are read only when they are asked for: Entra lists with excludedAttributes=members.
    let named = |paths: &[AttrPath]| paths.iter().any(|p| p.name.eq_ignore_ascii_case("members"));
    let wants_members = !named(&query.attributes.excluded)
        && (query.attributes.only.is_empty() || named(&query.attributes.only))
        || query.filter.as_ref().is_some_and(|f| f.mentions("members"));
    let mut listing = Listing::new(&query);
    for group in store.scim_groups(caller.org_id).await? {
        listing.offer(if wants_members {
            full_resource(&store, caller.org_id, &group).await?
        } else {
            resource(&group, None)
        });
    }
    Ok(listing.response())
}

/// `POST /Groups/.search`: the list, its parameters in the body.
pub async fn search_groups(
    store: State<SqlStore>,
    caller: Caller,
    SearchQuery(query): SearchQuery,
) -> Result<Response, ScimError> {
    list_groups(store, caller, query).await
}

pub async fn get_group(
    State(store): State<SqlStore>,
    caller: Caller,
    id: ResourceId,
    projection: Projection,
) -> Result<Response, ScimError> {
    let group = find(&store, caller.org_id, &id).await?;
    Ok(scim_json(StatusCode::OK, &project(full_resource(&store, caller.org_id, &group).await?, &projection)))
}

pub async fn create_group(
    State(store): State<SqlStore>,
    caller: Caller,
    ScimJson(body): ScimJson,
) -> Result<Response, ScimError> {
    let id = write(&store, caller.org_id, None, &body).await?;
    answer(&store, caller.org_id, id, StatusCode::CREATED).await
}

pub async fn replace_group(
    State(store): State<SqlStore>,
    caller: Caller,
    id: ResourceId,
    ScimJson(body): ScimJson,
) -> Result<Response, ScimError> {
    change_group(&store, caller, &id, Change::read(body, false)?).await
}

pub async fn patch_group(
    State(store): State<SqlStore>,
    caller: Caller,
    id: ResourceId,
    ScimJson(body): ScimJson,
) -> Result<Response, ScimError> {
    change_group(&store, caller, &id, Change::read(body, true)?).await
}

/// A PUT (a replacement without members keeps them: an attribute it does not assert) or a PATCH.
async fn change_group(
    store: &SqlStore,
    caller: Caller,
    id: &ResourceId,
    change: Change,
) -> Result<Response, ScimError> {
    let group = find(store, caller.org_id, id).await?;
    let desired = change.apply(&full_resource(store, caller.org_id, &group).await?)?;
    write(store, caller.org_id, Some(group.id), &desired).await?;
    answer(store, caller.org_id, group.id, StatusCode::OK).await
}

pub async fn delete_group(
    State(store): State<SqlStore>,
    caller: Caller,
    id: ResourceId,
) -> Result<Response, ScimError> {
    let group = find(&store, caller.org_id, &id).await?;
    store.delete_group(caller.org_id, None, group.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_reads_its_name_id_and_members_as_identity_providers_send_them() {
        let write = read(
            &json!({ "displayName": "Night Shift", "externalId": "g1", "members": [{ "value": "7" }, { "value": 8 }] }),
        )
        .unwrap();
        assert_eq!(write.name.as_str(), "Night Shift");
        assert_eq!((write.external_id.as_deref(), write.members), (Some("g1"), vec![7, 8]));
    }

    #[test]
    fn a_group_that_breaks_a_rule_is_refused_by_name() {
        for (body, says) in [
            (json!({}), "displayName"),
            (json!({ "displayName": "{Night}" }), "displayName"),
            (json!({ "displayName": "Night", "members": [{ "value": "Ada" }] }), "members"),
            (json!({ "displayName": "Night", "members": "7" }), "members"),
            (json!({ "displayName": "Night", "externalId": [5] }), "externalId"),
            (json!({ "displayName": "Night", "externalId": "g\u{7}" }), "externalId"),
        ] {
            assert!(read(&body).unwrap_err().contains(says), "{body}");
        }
    }
}
