//! SCIM 2.0 (RFC 7643 and 7644) under `/scim/v2`, for identity providers: Okta, Microsoft Entra ID
//! and OneLogin provision users and groups without a spreadsheet. Authorised by an organisation
//! API key (`Authorization: Bearer …`) within its rate limit, and every call audited, like the
//! REST API. Users are checked by the spreadsheet's rules, with the same messages.
//!
//! * `ServiceProviderConfig`, `Schemas`, `ResourceTypes`: what this service supports.
//! * `Users` and `Groups`: create (POST), read (GET), replace (PUT), PATCH (atomic: every
//!   operation or none), delete, and list with `filter`, `startIndex`/`count` (at most 500),
//!   `attributes` and `excludedAttributes`. A user's `meta.version` is their ETag; `If-Match` with
//!   a stale one is a 412.
//! * Deleting a user deactivates them (Roster keeps everyone's history), as `active: false` does;
//!   their team moves to their own team leader.
//!
//! Every error is a SCIM error body with a string status, e.g.
//! `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
//! "scimType": "invalidFilter", "detail": "…"}`.

pub mod discovery;
pub mod filter;
pub mod groups;
pub mod patch;
pub mod users;

use std::collections::HashMap;

use app::AppError;
use app::model::UserStatus;
use app::provisioning::{Employee, EmployeeFilter};
use app::ssr::{Provisioning, StoreError, store_error};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::{Column, ProfileInput, UserId};
use serde_json::{Value, json};

use self::filter::{AttrPath, Filter};
use crate::api_call::{Api, BODY_LIMIT, Refusal, audited, if_match_allows, retry_after, with_etag};

pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The largest page of a list, and the default.
pub const MAX_COUNT: usize = 500;
pub const DEFAULT_COUNT: usize = 100;
const CONTENT_TYPE: &str = "application/scim+json";

/// A SCIM error (RFC 7644 §3.12).
#[derive(Debug)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> ScimError {
        ScimError { status, scim_type, detail: detail.into() }
    }

    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    pub fn not_found(what: &str, id: &str) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("No {what} has the id \"{id}\"."))
    }

    fn from_app(error: AppError) -> ScimError {
        match error {
            AppError::Invalid(problems) => {
                let duplicate = problems.iter().any(|p| p.code.as_str().starts_with("duplicate"));
                let detail = problems
                    .iter()
                    .map(|p| format!("{}: {}", scim_name(p.column), p.message))
                    .collect::<Vec<_>>()
                    .join(" ");
                if duplicate {
                    ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
                } else {
                    ScimError::bad("invalidValue", detail)
                }
            }
            AppError::Conflict(message) => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), message),
            AppError::BadRequest(message) => ScimError::bad("invalidValue", message),
            other => ScimError::new(other.status(), None, other.to_string()),
        }
    }

    fn refused(refusal: Refusal) -> Response {
        match refusal {
            Refusal::Key(error) => ScimError::new(error.status(), None, error.to_string()).into_response(),
            Refusal::RateLimited { retry_after: seconds } => retry_after(
                ScimError::new(StatusCode::TOO_MANY_REQUESTS, None, refusal.message()).into_response(),
                seconds,
            ),
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({ "schemas": [ERROR], "status": self.status.as_u16().to_string(), "detail": self.detail });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        scim_json(self.status, &body)
    }
}

/// The SCIM attribute a column is written in, for messages.
fn scim_name(column: Column) -> String {
    match column {
        Column::EmailAddress => "userName".into(),
        Column::EmployeeId => "employeeNumber".into(),
        Column::FirstName => "name.givenName".into(),
        Column::LastName => "name.familyName".into(),
        Column::TeamLeader => "manager".into(),
        column => users::EXTENSION
            .iter()
            .find(|(_, c)| *c == column)
            .map_or_else(|| column.header().to_owned(), |(name, _)| (*name).to_owned()),
    }
}

/// A SCIM answer: JSON as `application/scim+json`.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// Storage errors as SCIM tells them: a user changed since the caller's version is a 412.
fn scim_store_error(error: StoreError) -> AppError {
    match error {
        StoreError::Stale => {
            AppError::VersionChanged("The user changed since you read them; read them again and retry.".into())
        }
        other => store_error(other),
    }
}

fn internal(error: impl std::fmt::Display) -> ScimError {
    let error = app::error::internal(error);
    ScimError::new(error.status(), None, error.to_string())
}

/// Runs a SCIM call: key, rate limit, audit, errors in SCIM's shape.
async fn call<F, Fut>(api: &Api, headers: &HeaderMap, name: String, body: F) -> Response
where
    F: FnOnce(i64) -> Fut,
    Fut: Future<Output = Result<Response, ScimError>>,
{
    audited(api, headers, name, ScimError::refused, |org_id| async move {
        body(org_id).await.unwrap_or_else(IntoResponse::into_response)
    })
    .await
}

/// A JSON body, whatever its content type (identity providers send `application/scim+json`).
fn body_json(body: Result<Bytes, BytesRejection>) -> Result<Value, ScimError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ScimError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Some("tooMany"),
                format!("The body is larger than the {} KB this service reads.", BODY_LIMIT / 1024),
            )
        } else {
            ScimError::bad("invalidSyntax", format!("The body could not be read: {rejection}"))
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ScimError::bad("invalidSyntax", format!("The body is not JSON: {e}")))
}

fn path_id(path: Result<Path<String>, PathRejection>, what: &str) -> Result<(String, Option<i64>), ScimError> {
    let Path(id) = path.map_err(|_| ScimError::bad("invalidValue", format!("The {what} id could not be read.")))?;
    let number = id.parse::<i64>().ok().filter(|n| *n > 0);
    Ok((id, number))
}

/// A list's parameters (RFC 7644 §3.4.2), names in any case.
pub struct ListQuery {
    pub filter: Option<Filter>,
    pub start_index: usize,
    pub count: usize,
    pub attributes: Projection,
}

/// `attributes` / `excludedAttributes`.
#[derive(Default)]
pub struct Projection {
    pub only: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
}

fn query_value<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
}

fn paths(list: Option<&str>, parameter: &str) -> Result<Vec<AttrPath>, ScimError> {
    list.map(|l| l.split(',').map(|p| p.trim()).filter(|p| !p.is_empty()).map(filter::attr_path).collect())
        .transpose()
        .map_err(|e| ScimError::bad("invalidValue", format!("{parameter}: {e}")))
        .map(Option::unwrap_or_default)
}

fn read_query(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<ListQuery, ScimError> {
    let Query(query) =
        query.map_err(|e| ScimError::bad("invalidValue", format!("The query could not be read: {e}")))?;
    let filter =
        query_value(&query, "filter").map(filter::parse).transpose().map_err(|e| ScimError::bad("invalidFilter", e))?;
    let number = |name: &str, default: i64| -> Result<i64, ScimError> {
        query_value(&query, name).map_or(Ok(default), |v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ScimError::bad("invalidValue", format!("{name} must be a whole number.")))
        })
    };
    // RFC 7644 §3.4.2.4: below 1 is 1; a negative count is 0.
    let start_index = usize::try_from(number("startIndex", 1)?.max(1)).unwrap_or(usize::MAX);
    let count = usize::try_from(number("count", DEFAULT_COUNT as i64)?.max(0)).unwrap_or(0).min(MAX_COUNT);
    Ok(ListQuery {
        filter,
        start_index,
        count,
        attributes: Projection {
            only: paths(query_value(&query, "attributes"), "attributes")?,
            excluded: paths(query_value(&query, "excludedAttributes"), "excludedAttributes")?,
        },
    })
}

fn projection_only(query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<Projection, ScimError> {
    let Query(query) =
        query.map_err(|e| ScimError::bad("invalidValue", format!("The query could not be read: {e}")))?;
    Ok(Projection {
        only: paths(query_value(&query, "attributes"), "attributes")?,
        excluded: paths(query_value(&query, "excludedAttributes"), "excludedAttributes")?,
    })
}

/// The resource with only the asked-for attributes (`id` and `schemas` always).
pub fn project(resource: Value, projection: &Projection) -> Value {
    let Value::Object(mut all) = resource else { return resource };
    let key = |object: &serde_json::Map<String, Value>, name: &str| {
        object.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
    };
    let located = |path: &AttrPath| -> Option<String> {
        match &path.schema {
            Some(schema)
                if !schema.eq_ignore_ascii_case(users::USER) && !schema.eq_ignore_ascii_case(groups::GROUP) =>
            {
                Some(schema.clone())
            }
            _ => None,
        }
    };
    if !projection.only.is_empty() {
        let mut kept = serde_json::Map::new();
        for always in ["schemas", "id"] {
            if let Some(v) = all.get(always) {
                kept.insert(always.into(), v.clone());
            }
        }
        for path in &projection.only {
            let (source, target): (Option<&Value>, Option<String>) = match located(path) {
                Some(schema) => (key(&all, &schema).and_then(|k| all.get(&k)), key(&all, &schema)),
                None => (Some(&Value::Object(all.clone())), None),
            };
            let Some(Value::Object(source)) = source.cloned() else { continue };
            let Some(name) = key(&source, &path.name) else { continue };
            let mut value = source[&name].clone();
            if let (Some(sub), Value::Object(fields)) = (&path.sub, &value) {
                value = json!({ sub: fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(sub)).map(|(_, v)| v.clone()).unwrap_or(Value::Null) });
            }
            let destination = match target {
                Some(schema) => kept.entry(schema).or_insert_with(|| json!({})),
                None => {
                    kept.insert(name, value);
                    continue;
                }
            };
            if let Value::Object(d) = destination {
                d.insert(name, value);
            }
        }
        all = kept;
    }
    for path in &projection.excluded {
        if ["id", "schemas"].iter().any(|n| n.eq_ignore_ascii_case(&path.name)) && path.schema.is_none() {
            continue;
        }
        let container = match located(path) {
            Some(schema) => key(&all, &schema).and_then(|k| all.get_mut(&k)).and_then(Value::as_object_mut),
            None => Some(&mut all),
        };
        let Some(container) = container else { continue };
        let Some(name) = key(container, &path.name) else { continue };
        match &path.sub {
            None => {
                container.remove(&name);
            }
            Some(sub) => {
                if let Some(Value::Object(fields)) = container.get_mut(&name)
                    && let Some(k) = key(fields, sub)
                {
                    fields.remove(&k);
                }
            }
        }
    }
    Value::Object(all)
}

/// A list being answered: every resource is offered in order; those the filter accepts are
/// counted, and those on the asked-for page are kept, projected.
pub struct Listing<'a> {
    query: &'a ListQuery,
    total: usize,
    page: Vec<Value>,
}

impl<'a> Listing<'a> {
    pub fn new(query: &'a ListQuery) -> Listing<'a> {
        Listing { query, total: 0, page: Vec::new() }
    }

    pub fn offer(&mut self, resource: Value) {
        if self.query.filter.as_ref().is_none_or(|f| f.matches(&resource)) {
            self.total += 1;
            if self.total >= self.query.start_index && self.page.len() < self.query.count {
                self.page.push(project(resource, &self.query.attributes));
            }
        }
    }

    pub fn response(self) -> Response {
        list_response(self.total, self.query.start_index, self.page)
    }
}

/// A page of resources as a ListResponse.
pub fn list_response(total: usize, start_index: usize, resources: Vec<Value>) -> Response {
    let body = json!({
        "schemas": [LIST],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    scim_json(StatusCode::OK, &body)
}

// ----- Users -----

async fn group_ids(api: &Api, org_id: i64) -> Result<HashMap<String, i64>, ScimError> {
    let groups = api.store().scim_groups(org_id).await.map_err(internal)?;
    Ok(groups.into_iter().map(|g| (g.name, g.id)).collect())
}

async fn user_resource(api: &Api, org_id: i64, user: &Employee) -> Result<Value, ScimError> {
    let ids = group_ids(api, org_id).await?;
    Ok(users::resource(user, &|name| ids.get(name).copied()))
}

async fn user_by_id(api: &Api, org_id: i64, id: &str, number: Option<i64>) -> Result<Employee, ScimError> {
    let Some(number) = number else { return Err(ScimError::not_found("user", id)) };
    api.store().employee_by_id(org_id, number).await.map_err(internal)?.ok_or_else(|| ScimError::not_found("user", id))
}

/// One user's resource, with its ETag.
async fn user_answer(api: &Api, org_id: i64, id: i64, status: StatusCode) -> Result<Response, ScimError> {
    let user = api
        .store()
        .employee_by_id(org_id, id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("a user just written is missing"))?;
    let resource = user_resource(api, org_id, &user).await?;
    let mut response = with_etag(scim_json(status, &resource), user.version);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/scim/v2/Users/{id}"))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn list_users(
    api: Api,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "GET /scim/v2/Users".into(), |org_id| async move {
        let query = read_query(query)?;
        let ids = group_ids(api, org_id).await?;
        let to_resource = |user: &Employee| users::resource(user, &|name| ids.get(name).copied());
        // No filter: one page by offset and a count. An equality on userName, externalId or id is
        // a lookup; any other filter reads every user, a thousand at a time, keeping one page.
        let lookup = query.filter.as_ref().and_then(|f| f.equality_on(&["userName", "externalId", "id"]));
        if query.filter.is_none() {
            let offset = i64::try_from(query.start_index - 1).unwrap_or(i64::MAX);
            let limit = i64::try_from(query.count).unwrap_or(0);
            let (page, total) = api.store().employees_from(org_id, offset, limit).await.map_err(internal)?;
            let resources = page.iter().map(|user| project(to_resource(user), &query.attributes)).collect();
            return Ok(list_response(usize::try_from(total).unwrap_or(0), query.start_index, resources));
        }
        let mut listing = Listing::new(&query);
        match lookup {
            Some((attribute, value)) => {
                let store = api.store();
                let found = match attribute.as_str() {
                    "userName" => store.employee(org_id, &value).await,
                    "externalId" => store.employee_by_external_id(org_id, &value).await,
                    _ => match value.parse::<i64>() {
                        Ok(id) => store.employee_by_id(org_id, id).await,
                        Err(_) => Ok(None),
                    },
                }
                .map_err(internal)?;
                if let Some(user) = found {
                    listing.offer(to_resource(&user));
                }
            }
            None => {
                let mut after = 0;
                loop {
                    let batch = api
                        .store()
                        .employees(org_id, &EmployeeFilter::default(), after, 1000)
                        .await
                        .map_err(internal)?;
                    let Some(last) = batch.last() else { break };
                    after = last.id;
                    for user in &batch {
                        listing.offer(to_resource(user));
                    }
                }
            }
        }
        Ok(listing.response())
    })
    .await
}

pub async fn get_user(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "GET /scim/v2/Users/{id}".into(), |org_id| async move {
        let (id, number) = path_id(path, "user")?;
        let projection = projection_only(query)?;
        let user = user_by_id(api, org_id, &id, number).await?;
        let resource = project(user_resource(api, org_id, &user).await?, &projection);
        Ok(with_etag(scim_json(StatusCode::OK, &resource), user.version))
    })
    .await
}

/// The team leader's reference (email or employee ID) for a `manager` id.
async fn manager_reference(api: &Api, org_id: i64, manager: Option<i64>) -> Result<String, ScimError> {
    let Some(id) = manager else { return Ok(String::new()) };
    let leader = api
        .store()
        .employee_by_id(org_id, id)
        .await
        .map_err(internal)?
        .ok_or_else(|| ScimError::bad("invalidValue", format!("manager: no user has the id \"{id}\".")))?;
    Ok(leader.email.or(leader.employee_id).unwrap_or_default())
}

pub async fn create_user(api: Api, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "POST /scim/v2/Users".into(), |org_id| async move {
        let body = body_json(body)?;
        let write = users::read(&body).map_err(|e| ScimError::bad("invalidValue", e))?;
        // Identity providers know nothing of Roster's flags: a new user they send without them
        // cannot manage teams and has no channels until someone sets them.
        let mut input = ProfileInput::new();
        for column in users::FLAGS {
            input.set(column, "n");
        }
        for (column, cell) in &write.cells {
            input.set(*column, cell.clone());
        }
        input.set(Column::TeamLeader, manager_reference(api, org_id, write.manager.flatten()).await?);
        let id = app::ssr::users::create_user(
            api.store(),
            org_id,
            None,
            &input,
            write.external_id.as_deref(),
            scim_store_error,
        )
        .await
        .map_err(ScimError::from_app)?;
        api.state.mail_wake.notify_one();
        if write.active == Some(false) {
            let change = Provisioning { profile: None, active: Some((false, None)) };
            api.store()
                .provision_user(org_id, id, &change)
                .await
                .map_err(internal)?
                .map_err(|m| ScimError::new(StatusCode::CONFLICT, None, m))?;
        }
        user_answer(api, org_id, id, StatusCode::CREATED).await
    })
    .await
}

/// Saves `desired` (a whole resource) over `user` in one transaction: the profile if it changed,
/// checked by the rules at the version read, then `active`.
async fn save_user(
    api: &Api,
    org_id: i64,
    headers: &HeaderMap,
    user: &Employee,
    desired: &Value,
) -> Result<Response, ScimError> {
    let write = users::read(desired).map_err(|e| ScimError::bad("invalidValue", e))?;
    let (form, _) = api
        .store()
        .user_form(org_id, user.id)
        .await
        .map_err(internal)?
        .ok_or_else(|| ScimError::not_found("user", &user.id.to_string()))?;
    let version = form.version.unwrap_or_default();
    if !if_match_allows(headers, version) {
        return Err(ScimError::new(
            StatusCode::PRECONDITION_FAILED,
            None,
            "The user changed since that version; read them again and retry.",
        ));
    }
    let before = form.to_input();
    let mut input = before.clone();
    for (column, cell) in &write.cells {
        input.set(*column, cell.clone());
    }
    if let Some(manager) = write.manager {
        input.set(Column::TeamLeader, manager_reference(api, org_id, manager).await?);
    }
    let external_changed = write
        .external_id
        .as_deref()
        .is_some_and(|e| Some(e) != user.external_id.as_deref() && !(e.is_empty() && user.external_id.is_none()));
    let checked = if input != before || external_changed {
        Some(
            app::ssr::users::checked_update(api.store(), org_id, user.id, &input, scim_store_error)
                .await
                .map_err(ScimError::from_app)?,
        )
    } else {
        None
    };
    let deactivated = user.status == UserStatus::Deactivated;
    let active = match write.active {
        Some(false) if !deactivated => Some((false, user.team_leader_id.map(UserId))),
        Some(true) if deactivated => Some((true, None)),
        _ => None,
    };
    let change = Provisioning {
        profile: checked.as_ref().map(|(profile, leader)| (profile, *leader, write.external_id.as_deref(), version)),
        active,
    };
    if change.profile.is_some() || change.active.is_some() {
        api.store()
            .provision_user(org_id, user.id, &change)
            .await
            .map_err(|e| ScimError::from_app(scim_store_error(e)))?
            .map_err(|m| ScimError::new(StatusCode::CONFLICT, None, m))?;
    }
    user_answer(api, org_id, user.id, StatusCode::OK).await
}

/// What a PUT or a PATCH body asks: the current resource becomes the desired one.
pub enum Change {
    Replace(Value),
    Patch(Vec<patch::Operation>),
}

impl Change {
    pub fn read(body: Result<Bytes, BytesRejection>, patching: bool) -> Result<Change, ScimError> {
        let body = body_json(body)?;
        if patching {
            patch::operations(&body).map(Change::Patch).map_err(|e| ScimError::bad(e.scim_type, e.detail))
        } else if body.is_object() {
            Ok(Change::Replace(body))
        } else {
            Err(ScimError::bad("invalidSyntax", "Send the whole resource as a JSON object."))
        }
    }

    pub fn apply(&self, current: &Value) -> Result<Value, ScimError> {
        match self {
            Change::Replace(body) => Ok(patch::replace(current, body)),
            Change::Patch(operations) => {
                patch::apply(current, operations).map_err(|e| ScimError::bad(e.scim_type, e.detail))
            }
        }
    }
}

pub async fn replace_user(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    change_user(api, headers, path, body, false).await
}

pub async fn patch_user(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    change_user(api, headers, path, body, true).await
}

async fn change_user(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
    patching: bool,
) -> Response {
    let (api, headers) = (&api, &headers);
    let name = format!("{} /scim/v2/Users/{{id}}", if patching { "PATCH" } else { "PUT" });
    call(api, headers, name, |org_id| async move {
        let (id, number) = path_id(path, "user")?;
        let change = Change::read(body, patching)?;
        let user = user_by_id(api, org_id, &id, number).await?;
        let current = user_resource(api, org_id, &user).await?;
        save_user(api, org_id, headers, &user, &change.apply(&current)?).await
    })
    .await
}

pub async fn delete_user(api: Api, headers: HeaderMap, path: Result<Path<String>, PathRejection>) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "DELETE /scim/v2/Users/{id}".into(), |org_id| async move {
        let (id, number) = path_id(path, "user")?;
        let user = user_by_id(api, org_id, &id, number).await?;
        if user.status != UserStatus::Deactivated {
            let change = Provisioning { profile: None, active: Some((false, user.team_leader_id.map(UserId))) };
            api.store()
                .provision_user(org_id, user.id, &change)
                .await
                .map_err(internal)?
                .map_err(|m| ScimError::new(StatusCode::CONFLICT, None, m))?;
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}
