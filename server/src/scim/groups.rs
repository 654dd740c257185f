//! Roster's groups as SCIM Groups (RFC 7643 §4.2): `displayName` is the group's name (checked by
//! the same rule as the Groups tab), `members` its users by id, `externalId` the identity
//! provider's own id. A group is written whole (name, id and members) in one transaction.

use std::collections::HashMap;

use app::provisioning::{GroupMember, ScimGroup};
use app::ssr::StoreError;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::organisation::GroupName;
use serde_json::{Value, json};

use super::filter::member;
use super::{
    Change, Listing, ScimError, body_json, call, internal, path_id, project, projection_only, read_query, scim_json,
};
use crate::api_call::Api;

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
        other => internal(other),
    }
}

async fn find(api: &Api, org_id: i64, id: &str, number: Option<i64>) -> Result<ScimGroup, ScimError> {
    let groups = api.store().scim_groups(org_id).await.map_err(internal)?;
    groups.into_iter().find(|g| Some(g.id) == number).ok_or_else(|| ScimError::not_found("group", id))
}

async fn full_resource(api: &Api, org_id: i64, group: &ScimGroup) -> Result<Value, ScimError> {
    let members = api.store().group_members(org_id, group.id).await.map_err(internal)?;
    Ok(resource(group, Some(&members)))
}

async fn answer(api: &Api, org_id: i64, id: i64, status: StatusCode) -> Result<Response, ScimError> {
    let group = find(api, org_id, &id.to_string(), Some(id)).await?;
    let mut response = scim_json(status, &full_resource(api, org_id, &group).await?);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/scim/v2/Groups/{id}"))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn write(api: &Api, org_id: i64, id: Option<i64>, desired: &Value) -> Result<i64, ScimError> {
    let write = read(desired).map_err(|e| ScimError::bad("invalidValue", e))?;
    api.store()
        .write_group(org_id, id, &write.name, write.external_id.as_deref(), &write.members)
        .await
        .map_err(write_error)
}

pub async fn list_groups(
    api: Api,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "GET /scim/v2/Groups".into(), |org_id| async move {
        let query = read_query(query)?;
        // Members are read only when they are asked for: Entra lists with excludedAttributes=members.
        let wants_members = {
            let named =
                |paths: &[super::filter::AttrPath]| paths.iter().any(|p| p.name.eq_ignore_ascii_case("members"));
            !named(&query.attributes.excluded) && (query.attributes.only.is_empty() || named(&query.attributes.only))
                || query.filter.as_ref().is_some_and(|f| f.mentions("members"))
        };
        let mut listing = Listing::new(&query);
        for group in api.store().scim_groups(org_id).await.map_err(internal)? {
            listing.offer(if wants_members {
                full_resource(api, org_id, &group).await?
            } else {
                resource(&group, None)
            });
        }
        Ok(listing.response())
    })
    .await
}

pub async fn get_group(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "GET /scim/v2/Groups/{id}".into(), |org_id| async move {
        let (id, number) = path_id(path, "group")?;
        let projection = projection_only(query)?;
        let group = find(api, org_id, &id, number).await?;
        Ok(scim_json(StatusCode::OK, &project(full_resource(api, org_id, &group).await?, &projection)))
    })
    .await
}

pub async fn create_group(api: Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "POST /scim/v2/Groups".into(), |org_id| async move {
        let body = body_json(body)?;
        let id = write(api, org_id, None, &body).await?;
        answer(api, org_id, id, StatusCode::CREATED).await
    })
    .await
}

pub async fn replace_group(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    change_group(api, headers, path, body, false).await
}

pub async fn patch_group(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    change_group(api, headers, path, body, true).await
}

/// A PUT (a replacement without members keeps them: an attribute it does not assert) or a PATCH.
async fn change_group(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
    patching: bool,
) -> Response {
    let (api, headers) = (&api, &headers);
    let name = format!("{} /scim/v2/Groups/{{id}}", if patching { "PATCH" } else { "PUT" });
    call(api, headers, name, |org_id| async move {
        let (id, number) = path_id(path, "group")?;
        let change = Change::read(body, patching)?;
        let group = find(api, org_id, &id, number).await?;
        let desired = change.apply(&full_resource(api, org_id, &group).await?)?;
        write(api, org_id, Some(group.id), &desired).await?;
        answer(api, org_id, group.id, StatusCode::OK).await
    })
    .await
}

pub async fn delete_group(api: Api, headers: HeaderMap, path: Result<Path<String>, PathRejection>) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "DELETE /scim/v2/Groups/{id}".into(), |org_id| async move {
        let (id, number) = path_id(path, "group")?;
        let group = find(api, org_id, &id, number).await?;
        api.store().delete_group(org_id, None, group.id).await.map_err(internal)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
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
