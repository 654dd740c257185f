//! A SCIM list's parameters (RFC 7644 §3.4.2: `filter`, `startIndex`, `count`, `attributes`,
//! `excludedAttributes`, names in any case), the projection of a resource onto the asked-for
//! attributes, and the ListResponse.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Value, json};

use super::filter::{self, AttrPath, Filter};
use super::{ScimError, ScimJson, groups, scim_json, users};

pub const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The largest page of a list, and the default.
pub const MAX_COUNT: usize = 500;
pub const DEFAULT_COUNT: usize = 100;

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

/// The query string's parameters, or a SCIM error that says why they could not be read.
async fn parameters(parts: &mut Parts) -> Result<HashMap<String, String>, ScimError> {
    let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, &())
        .await
        .map_err(|e| ScimError::bad("invalidValue", format!("The query could not be read: {e}")))?;
    Ok(query)
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        ListQuery::read(&parameters(parts).await?)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Projection {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Projection::read(&parameters(parts).await?)
    }
}

impl Projection {
    fn read(query: &HashMap<String, String>) -> Result<Projection, ScimError> {
        Ok(Projection {
            only: paths(query_value(query, "attributes"), "attributes")?,
            excluded: paths(query_value(query, "excludedAttributes"), "excludedAttributes")?,
        })
    }
}

/// A list asked for with `POST /Users/.search` or `POST /Groups/.search` (RFC 7644 §3.4.3): the
/// same parameters as the query string's, in a SearchRequest body (`attributes` as a list).
pub struct SearchQuery(pub ListQuery);

impl<S: Send + Sync> FromRequest<S> for SearchQuery {
    type Rejection = ScimError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ScimJson(body) = ScimJson::from_request(request, state).await?;
        let Value::Object(fields) = body else {
            return Err(ScimError::bad(
                "invalidSyntax",
                "Send a SearchRequest: {\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"], \"filter\": \"…\"}.",
            ));
        };
        let mut parameters = HashMap::new();
        for (name, value) in fields {
            let text = match value {
                _ if name.eq_ignore_ascii_case("schemas") => continue,
                Value::Null => continue,
                Value::String(text) => text,
                Value::Number(number) => number.to_string(),
                Value::Array(names) => names
                    .iter()
                    .map(|n| n.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        ScimError::bad("invalidValue", format!("{name} must be a list of attribute names."))
                    })?
                    .join(","),
                _ => {
                    return Err(ScimError::bad(
                        "invalidValue",
                        format!("{name} must be a string, a number or a list of attribute names."),
                    ));
                }
            };
            parameters.insert(name, text);
        }
        ListQuery::read(&parameters).map(SearchQuery)
    }
}

impl ListQuery {
    fn read(query: &HashMap<String, String>) -> Result<ListQuery, ScimError> {
        let filter = query_value(query, "filter")
            .map(filter::parse)
            .transpose()
            .map_err(|e| ScimError::bad("invalidFilter", e))?;
        let number = |name: &str, default: i64| -> Result<i64, ScimError> {
            query_value(query, name).map_or(Ok(default), |v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| ScimError::bad("invalidValue", format!("{name} must be a whole number.")))
            })
        };
        // RFC 7644 §3.4.2.4: below 1 is 1; a negative count is 0.
        let start_index = usize::try_from(number("startIndex", 1)?.max(1)).unwrap_or(usize::MAX);
        let count = usize::try_from(number("count", DEFAULT_COUNT as i64)?.max(0)).unwrap_or(0).min(MAX_COUNT);
        Ok(ListQuery { filter, start_index, count, attributes: Projection::read(query)? })
    }
}

/// Attributes returned only when `attributes` names them (RFC 7643 §7 `returned: "request"`):
/// values Roster derives rather than keeps, which a client that wrote the resource never sent
/// and so would see as a difference. Each is (the extension it lives in, attribute, sub-attribute).
pub const ON_REQUEST: [(Option<&str>, &str, Option<&str>); 3] =
    [(None, "name", Some("formatted")), (None, "members", Some("display")), (Some(users::ROSTER), "status", None)];

fn key(object: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    object.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Removes the [`ON_REQUEST`] attributes that `projection` does not name.
fn drop_unrequested(all: &mut serde_json::Map<String, Value>, projection: &Projection) {
    for (schema, name, sub) in ON_REQUEST {
        let in_place = |path: &AttrPath| match (schema, path.schema.as_deref()) {
            (Some(schema), Some(named)) => named.eq_ignore_ascii_case(schema),
            (Some(_), None) => false,
            (None, named) => {
                named.is_none_or(|n| n.eq_ignore_ascii_case(users::USER) || n.eq_ignore_ascii_case(groups::GROUP))
            }
        };
        let named = projection.only.iter().any(|path| {
            in_place(path)
                && path.name.eq_ignore_ascii_case(name)
                && path.sub.as_deref().is_none_or(|s| sub.is_some_and(|sub| sub.eq_ignore_ascii_case(s)))
        });
        let container = match schema {
            Some(schema) => key(all, schema).and_then(|k| all.get_mut(&k)).and_then(Value::as_object_mut),
            None => Some(&mut *all),
        };
        let (false, Some(container)) = (named, container) else { continue };
        let Some(attribute) = key(container, name) else { continue };
        let Some(sub) = sub else {
            container.remove(&attribute);
            continue;
        };
        let remove_sub = |item: &mut Value| {
            if let Value::Object(fields) = item
                && let Some(k) = key(fields, sub)
            {
                fields.remove(&k);
            }
        };
        match container.get_mut(&attribute) {
            Some(Value::Array(items)) => items.iter_mut().for_each(remove_sub),
            Some(item) => remove_sub(item),
            None => {}
        }
    }
}

/// The resource with only the asked-for attributes (`id` and `schemas` always; the
/// [`ON_REQUEST`] ones only when named).
pub fn project(resource: Value, projection: &Projection) -> Value {
    let Value::Object(mut all) = resource else { return resource };
    drop_unrequested(&mut all, projection);
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
