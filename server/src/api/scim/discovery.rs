//! What this SCIM service supports (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and
//! Schemas, so that an identity provider can find out rather than be told.

use app::ssr::UserStore;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use roster::fields::EmploymentStatus;
use serde_json::{Value, json};

use super::groups::GROUP;
use super::query::{MAX_COUNT, list_response};
use super::users::{ENTERPRISE, ROSTER, USER};
use super::{ResourceId, ScimError, scim_json};
use crate::api::key::Caller;
use crate::storage::SqlStore;

pub const SERVICE_PROVIDER_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

pub fn service_provider_config() -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": "/api/v2/openapi.json",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_COUNT },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API key",
            "description": "An organisation API key from Manage Team → API keys, sent as Authorization: Bearer <key>.",
            "primary": true,
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": "/scim/v2/ServiceProviderConfig" },
    })
}

fn resource_types() -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users", "schema": USER,
            "description": "A person in the organisation's roster.",
            "schemaExtensions": [{ "schema": ENTERPRISE, "required": false }, { "schema": ROSTER, "required": false }],
            "meta": { "resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/User" },
        }),
        json!({
            "schemas": [RESOURCE_TYPE], "id": "Group", "name": "Group", "endpoint": "/Groups", "schema": GROUP,
            "description": "A group of users, as on the Groups tab.",
            "meta": { "resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/Group" },
        }),
    ]
}

fn attribute(name: &str, kind: &str, required: bool, mutability: &str, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "required": required, "caseExact": false,
        "mutability": mutability, "returned": "default", "uniqueness": "none", "description": description,
    })
}

/// The values an attribute takes (RFC 7643 §7 `canonicalValues`).
fn canonical(mut attribute: Value, values: &[&str]) -> Value {
    attribute["canonicalValues"] = json!(values);
    attribute
}

/// Returned only when a request's `attributes` names it (see [`super::query::ON_REQUEST`]).
fn on_request(mut attribute: Value) -> Value {
    attribute["returned"] = json!("request");
    attribute
}

fn required(mut attribute: Value) -> Value {
    attribute["required"] = json!(true);
    attribute
}

/// A reference to a user (RFC 7643 §2.3.7), by its URI.
fn reference(name: &str, description: &str, mutability: &str) -> Value {
    let mut value = attribute(name, "reference", false, mutability, description);
    value["referenceTypes"] = json!(["User"]);
    value["caseExact"] = json!(true);
    value
}

fn complex(name: &str, multi: bool, mutability: &str, description: &str, subs: Vec<Value>) -> Value {
    let mut value = attribute(name, "complex", false, mutability, description);
    value["multiValued"] = json!(multi);
    value["subAttributes"] = Value::Array(subs);
    value
}

fn schema(id: &str, name: &str, description: &str, attributes: Vec<Value>) -> Value {
    json!({
        "schemas": [SCHEMA], "id": id, "name": name, "description": description, "attributes": attributes,
        "meta": { "resourceType": "Schema", "location": format!("/scim/v2/Schemas/{id}") },
    })
}

/// The schemas, with the roles the caller's organisation has (active ones) as `role`'s values.
fn schemas(roles: &[&str]) -> Vec<Value> {
    let rw = "readWrite";
    let mut user_name = attribute(
        "userName",
        "string",
        true,
        rw,
        "The email address (the employee ID for someone without one); any other login is kept as sent.",
    );
    user_name["uniqueness"] = json!("server");
    let mut external_id = attribute("externalId", "string", false, rw, "The identity provider's own id, kept as sent.");
    external_id["caseExact"] = json!(true);
    let flag = |name: &str, description: &str| attribute(name, "boolean", false, rw, description);
    let text = |name: &str, description: &str| attribute(name, "string", false, rw, description);
    vec![
        schema(
            USER,
            "User",
            "A person in the roster.",
            vec![
                user_name,
                external_id,
                required(complex(
                    "name",
                    false,
                    rw,
                    "The person's name. Roster needs both parts (RFC 7643 makes them optional); without a name, the two words of displayName are used.",
                    vec![
                        required(text("givenName", "First Name")),
                        required(text("familyName", "Last Name")),
                        on_request(attribute("formatted", "string", false, "readOnly", "First and last name.")),
                    ],
                )),
                attribute("displayName", "string", false, "readOnly", "First and last name."),
                complex(
                    "emails",
                    true,
                    rw,
                    "The work email address (the same as userName).",
                    vec![
                        text("value", "The address."),
                        canonical(text("type", "work"), &["work"]),
                        flag("primary", "true"),
                    ],
                ),
                flag("active", "false when the user is deactivated."),
                complex(
                    "groups",
                    true,
                    "readOnly",
                    "The user's groups; change them through Groups.",
                    vec![
                        attribute("value", "string", false, "readOnly", "The group's id."),
                        attribute("display", "string", false, "readOnly", "The group's name."),
                    ],
                ),
            ],
        ),
        schema(
            ENTERPRISE,
            "EnterpriseUser",
            "Enterprise User",
            vec![
                text("employeeNumber", "Employee ID: letters and digits, leading zeros kept."),
                complex(
                    "manager",
                    false,
                    rw,
                    "The team leader (a user who can manage teams).",
                    vec![
                        text("value", "The team leader's id."),
                        reference("$ref", "The team leader's URI.", rw),
                        attribute("displayName", "string", false, "readOnly", "The team leader's name."),
                    ],
                ),
            ],
        ),
        schema(
            ROSTER,
            "RosterUser",
            "The rest of a Roster profile, checked by the spreadsheet's rules.",
            vec![
                canonical(
                    text(
                        "role",
                        "Role: one of the organisation's active roles; blank derives it from Can Manage Teams.",
                    ),
                    roles,
                ),
                flag("canManageTeams", "Can Manage Teams"),
                text("homeTown", "Home Town"),
                text("stateOrCountry", "State or Country"),
                text("profile", "Profile (bio)"),
                flag("phoneChannel", "Phone Channel"),
                flag("chatChannel", "Chat Channel"),
                flag("emailChannel", "Email Channel"),
                canonical(
                    text("employmentStatus", "Employment Status"),
                    &EmploymentStatus::ALL.map(EmploymentStatus::as_str),
                ),
                text("startDate", "Start Date, YYYY-MM-DD"),
                on_request(attribute("status", "string", false, "readOnly", "created, invited, active or deactivated")),
            ],
        ),
        schema(
            GROUP,
            "Group",
            "A group of users.",
            vec![
                attribute("displayName", "string", true, rw, "The group's name: unique, no braces."),
                complex(
                    "members",
                    true,
                    rw,
                    "The group's users.",
                    vec![
                        attribute("value", "string", false, "immutable", "The user's id."),
                        reference("$ref", "The user's URI.", "immutable"),
                        on_request(attribute("display", "string", false, "readOnly", "The user's name.")),
                        canonical(
                            attribute("type", "string", false, "immutable", "User: groups hold users only."),
                            &["User"],
                        ),
                    ],
                ),
            ],
        ),
    ]
}

fn find(list: Vec<Value>, id: &str, what: &str) -> Result<Value, ScimError> {
    list.into_iter()
        .find(|item| item["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .ok_or_else(|| ScimError::not_found(what, id))
}

fn listed(list: Vec<Value>) -> Response {
    list_response(list.len(), 1, list)
}

pub async fn get_service_provider_config() -> Response {
    scim_json(StatusCode::OK, &service_provider_config())
}

pub async fn list_resource_types() -> Response {
    listed(resource_types())
}

pub async fn get_resource_type(id: ResourceId) -> Result<Response, ScimError> {
    Ok(scim_json(StatusCode::OK, &find(resource_types(), &id.text, "resource type")?))
}

async fn organisation_schemas(store: &SqlStore, caller: &Caller) -> Result<Vec<Value>, ScimError> {
    let rules = store.org_rules(caller.org_id).await?;
    Ok(schemas(&rules.active_role_names()))
}

pub async fn list_schemas(State(store): State<SqlStore>, caller: Caller) -> Result<Response, ScimError> {
    Ok(listed(organisation_schemas(&store, &caller).await?))
}

pub async fn get_schema(State(store): State<SqlStore>, caller: Caller, id: ResourceId) -> Result<Response, ScimError> {
    Ok(scim_json(StatusCode::OK, &find(organisation_schemas(&store, &caller).await?, &id.text, "schema")?))
}
