//! SCIM PATCH (RFC 7644 §3.5.2): operations applied to a resource as JSON, all or none. Accepts
//! the shapes identity providers really send: `"op": "Replace"` in any case, a replace without a
//! path whose value holds the attributes (with dotted or schema-qualified names, as Entra sends),
//! a multi-valued `remove` whose value lists the members to drop, and values filtered by path
//! (`members[value eq "7"]`, `emails[type eq "work"].value`).

use serde_json::{Map, Value};

use super::filter::{self, AttrPath, PatchPath, member};

pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Most operations one PATCH may carry.
const MAX_OPERATIONS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Add,
    Replace,
    Remove,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub kind: Kind,
    pub path: Option<PatchPath>,
    pub value: Value,
}

/// Why a PATCH cannot be applied: the SCIM `scimType` and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchError {
    pub scim_type: &'static str,
    pub detail: String,
}

fn invalid(scim_type: &'static str, detail: impl Into<String>) -> PatchError {
    PatchError { scim_type, detail: detail.into() }
}

/// Reads a PATCH body's operations.
pub fn operations(body: &Value) -> Result<Vec<Operation>, PatchError> {
    let syntax = |detail: &str| invalid("invalidSyntax", detail);
    let object = body.as_object().ok_or_else(|| syntax("Send a PatchOp message: {\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"], \"Operations\": […]}."))?;
    if let Some(schemas) = member(body, "schemas") {
        let named = schemas
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP))));
        if !named {
            return Err(syntax("The schemas of a PATCH must include urn:ietf:params:scim:api:messages:2.0:PatchOp."));
        }
    }
    let list = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))
        .and_then(|(_, v)| v.as_array())
        .ok_or_else(|| syntax("A PATCH needs \"Operations\": a list of {\"op\", \"path\", \"value\"}."))?;
    if list.is_empty() || list.len() > MAX_OPERATIONS {
        return Err(syntax(&format!("A PATCH carries from 1 to {MAX_OPERATIONS} operations.")));
    }
    list.iter()
        .enumerate()
        .map(|(i, op)| {
            let n = i + 1;
            let kind = match member(op, "op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
                Some("add") => Kind::Add,
                Some("replace") => Kind::Replace,
                Some("remove") => Kind::Remove,
                _ => return Err(syntax(&format!("Operation {n}: \"op\" must be add, replace or remove."))),
            };
            let path = match member(op, "path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if p.trim().is_empty() => None,
                Some(Value::String(p)) => {
                    Some(filter::parse_path(p).map_err(|e| invalid("invalidPath", format!("Operation {n}: {e}")))?)
                }
                Some(_) => return Err(syntax(&format!("Operation {n}: \"path\" must be a string."))),
            };
            let value = member(op, "value").cloned().unwrap_or(Value::Null);
            if kind == Kind::Remove && path.is_none() {
                return Err(invalid("noTarget", format!("Operation {n}: remove needs a path.")));
            }
            if kind != Kind::Remove && path.is_none() && !value.is_object() {
                return Err(syntax(&format!(
                    "Operation {n}: without a path, the value must be an object of attributes."
                )));
            }
            Ok(Operation { kind, path, value })
        })
        .collect()
}

/// Attributes a PATCH may not change.
fn read_only(path: &AttrPath) -> bool {
    path.schema.is_none() && ["id", "meta", "schemas", "groups"].iter().any(|n| n.eq_ignore_ascii_case(&path.name))
}

/// The object an attribute lives in, created when missing: the resource or its extension.
fn container_mut<'a>(resource: &'a mut Value, path: &AttrPath) -> Result<&'a mut Map<String, Value>, PatchError> {
    let core = resource
        .get("schemas")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(Value::as_str)
        .map(str::to_owned);
    let object = resource.as_object_mut().ok_or_else(|| invalid("invalidValue", "The resource is not an object."))?;
    match &path.schema {
        Some(schema) if !core.as_deref().is_some_and(|core| core.eq_ignore_ascii_case(schema)) => {
            let key = object.keys().find(|k| k.eq_ignore_ascii_case(schema)).cloned().unwrap_or_else(|| schema.clone());
            let extension = object.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !extension.is_object() {
                *extension = Value::Object(Map::new());
            }
            extension.as_object_mut().ok_or_else(|| invalid("invalidValue", "The extension is not an object."))
        }
        _ => Ok(object),
    }
}

/// The key of `name` in `object`, ignoring case, or `name` itself.
fn key_in(object: &Map<String, Value>, name: &str) -> String {
    object.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_owned())
}

/// Puts `value` at `name`: replaces, or for `add` merges objects and appends to lists.
fn put(object: &mut Map<String, Value>, name: &str, value: Value, kind: Kind) {
    let key = key_in(object, name);
    match (object.get_mut(&key), value, kind) {
        (Some(Value::Array(items)), Value::Array(new), Kind::Add) => {
            for item in new {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
        }
        (Some(Value::Array(items)), item, Kind::Add) if !item.is_array() && !item.is_null() => {
            if !items.contains(&item) {
                items.push(item);
            }
        }
        (Some(Value::Object(existing)), Value::Object(new), _) => {
            for (k, v) in new {
                let k = key_in(existing, &k);
                existing.insert(k, v);
            }
        }
        (_, value, _) => {
            object.insert(key, value);
        }
    }
}

/// The schema a path names as a whole (`urn:…:enterprise:2.0:User`), when it is one of the
/// resource's own extensions: the path then designates the extension object.
fn whole_extension(resource: &Value, path: &PatchPath) -> Option<String> {
    let schema = path.attr.schema.as_ref().filter(|_| path.filter.is_none() && path.attr.sub.is_none())?;
    let urn = format!("{schema}:{}", path.attr.name);
    let schemas = resource.get("schemas").and_then(Value::as_array)?;
    schemas.iter().skip(1).filter_map(Value::as_str).find(|s| s.eq_ignore_ascii_case(&urn)).map(str::to_owned)
}

fn apply_one(resource: &mut Value, op: &Operation) -> Result<(), PatchError> {
    if let Some(urn) = op.path.as_ref().and_then(|path| whole_extension(resource, path)) {
        // A path naming an extension: its value holds the extension's attributes.
        let whole = PatchPath { attr: AttrPath { schema: None, name: urn, sub: None }, filter: None, sub: None };
        return match op.kind {
            Kind::Remove => remove(resource, &whole, &Value::Null),
            _ if !op.value.is_object() => Err(invalid(
                "invalidValue",
                format!("The value for {} must be an object of its attributes.", whole.attr.name),
            )),
            kind => set(resource, &whole, op.value.clone(), kind),
        };
    }
    let Some(path) = &op.path else {
        // No path: each attribute of the value, by its (possibly dotted or qualified) name.
        let Value::Object(attributes) = &op.value else { return Ok(()) };
        for (name, value) in attributes {
            let path = filter::parse_path(name).map_err(|e| invalid("invalidPath", e))?;
            // Okta's group rename sends the group's own `id` beside the new name: a read-only
            // attribute given its current value changes nothing, so it is accepted (another id
            // is still refused).
            if read_only(&path.attr)
                && path.filter.is_none()
                && path.attr.sub.is_none()
                && filter::member(resource, &path.attr.name) == Some(value)
            {
                continue;
            }
            if path.attr.schema.is_some() && path.attr.sub.is_none() && value.is_object() && path.filter.is_none() {
                // {"urn:…:enterprise:2.0:User": {"employeeNumber": "1"}}: an extension's attributes.
                let extension = PatchPath {
                    attr: AttrPath { schema: None, name: name.clone(), sub: None },
                    filter: None,
                    sub: None,
                };
                set(resource, &extension, value.clone(), op.kind)?;
            } else {
                set(resource, &path, value.clone(), op.kind)?;
            }
        }
        return Ok(());
    };
    match op.kind {
        Kind::Remove => remove(resource, path, &op.value),
        kind => set(resource, path, op.value.clone(), kind),
    }
}

fn set(resource: &mut Value, path: &PatchPath, value: Value, kind: Kind) -> Result<(), PatchError> {
    if read_only(&path.attr) {
        return Err(invalid("mutability", format!("{} is read-only.", path.attr.name)));
    }
    let object = container_mut(resource, &path.attr)?;
    match (&path.filter, &path.attr.sub) {
        (None, None) => put(object, &path.attr.name, value, kind),
        (None, Some(sub)) => {
            let key = key_in(object, &path.attr.name);
            let parent = object.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !parent.is_object() {
                *parent = Value::Object(Map::new());
            }
            if let Value::Object(parent) = parent {
                put(parent, sub, value, kind);
            }
        }
        (Some(filter), _) => {
            let key = key_in(object, &path.attr.name);
            let items = object.get_mut(&key).and_then(Value::as_array_mut);
            let matched: Vec<&mut Value> =
                items.map(|items| items.iter_mut().filter(|item| filter.matches(item)).collect()).unwrap_or_default();
            if matched.is_empty() {
                return Err(invalid("noTarget", format!("No value of {} matches the path's filter.", path.attr.name)));
            }
            for item in matched {
                match (&path.sub, item) {
                    (Some(sub), Value::Object(fields)) => put(fields, sub, value.clone(), kind),
                    (None, Value::Object(fields)) => {
                        if let Value::Object(new) = &value {
                            for (k, v) in new {
                                let k = key_in(fields, k);
                                fields.insert(k, v.clone());
                            }
                        }
                    }
                    (_, item) => *item = value.clone(),
                }
            }
        }
    }
    Ok(())
}

fn remove(resource: &mut Value, path: &PatchPath, value: &Value) -> Result<(), PatchError> {
    if read_only(&path.attr) {
        return Err(invalid("mutability", format!("{} is read-only.", path.attr.name)));
    }
    let object = container_mut(resource, &path.attr)?;
    let key = key_in(object, &path.attr.name);
    match (&path.filter, &path.attr.sub) {
        (Some(filter), _) => {
            if let Some(Value::Array(items)) = object.get_mut(&key) {
                match &path.sub {
                    Some(sub) => {
                        for item in items.iter_mut().filter(|item| filter.matches(item)) {
                            if let Value::Object(fields) = item {
                                let sub = key_in(fields, sub);
                                fields.remove(&sub);
                            }
                        }
                    }
                    None => items.retain(|item| !filter.matches(item)),
                }
            }
        }
        (None, Some(sub)) => {
            if let Some(Value::Object(parent)) = object.get_mut(&key) {
                let sub = key_in(parent, sub);
                parent.remove(&sub);
            }
        }
        (None, None) => match (object.get_mut(&key), value) {
            // {"op": "remove", "path": "members", "value": [{"value": "7"}]}: those members only.
            (Some(Value::Array(items)), Value::Array(gone)) if !gone.is_empty() => {
                let ids: Vec<&Value> = gone.iter().map(|g| member(g, "value").unwrap_or(g)).collect();
                items.retain(|item| !ids.contains(&member(item, "value").unwrap_or(item)));
            }
            _ => {
                object.remove(&key);
            }
        },
    }
    Ok(())
}

/// Applies every operation to a copy of `resource`; the copy is returned only if all apply.
pub fn apply(resource: &Value, operations: &[Operation]) -> Result<Value, PatchError> {
    let mut patched = resource.clone();
    for op in operations {
        apply_one(&mut patched, op)?;
    }
    Ok(patched)
}

/// A replacement (PUT) over the current resource: the attributes it sends replace theirs, an
/// extension's attributes one by one; what it leaves out keeps its value (RFC 7644 §3.5.1 lets a
/// service provider keep attributes a client does not assert). Read-only attributes are ignored.
pub fn replace(current: &Value, body: &Value) -> Value {
    let mut merged = current.clone();
    let (Some(target), Some(fields)) = (merged.as_object_mut(), body.as_object()) else { return merged };
    for (key, value) in fields {
        if ["id", "meta", "schemas", "groups"].iter().any(|k| k.eq_ignore_ascii_case(key)) {
            continue;
        }
        let existing = target.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned().unwrap_or_else(|| key.clone());
        match (target.get_mut(&existing), value) {
            (Some(Value::Object(old)), Value::Object(new)) if key.to_ascii_lowercase().starts_with("urn:") => {
                for (k, v) in new {
                    let k = old.keys().find(|o| o.eq_ignore_ascii_case(k)).cloned().unwrap_or_else(|| k.clone());
                    old.insert(k, v.clone());
                }
            }
            _ => {
                target.insert(existing, value.clone());
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": "7",
            "userName": "ada@acme.test",
            "name": { "givenName": "Ada", "familyName": "Lovelace" },
            "emails": [{ "value": "ada@acme.test", "type": "work", "primary": true }],
            "active": true,
            ENTERPRISE: { "employeeNumber": "0042" },
        })
    }

    fn patch(resource: &Value, ops: Value) -> Result<Value, PatchError> {
        let body = json!({ "schemas": [PATCH_OP], "Operations": ops });
        apply(resource, &operations(&body)?)
    }

    #[test]
    fn a_path_naming_a_whole_extension_sets_its_attributes() {
        let added =
            patch(&user(), json!([{ "op": "add", "path": ENTERPRISE, "value": { "manager": { "value": "8" } } }]))
                .unwrap();
        assert_eq!(added[ENTERPRISE], json!({ "employeeNumber": "0042", "manager": { "value": "8" } }));
        let removed = patch(&user(), json!([{ "op": "remove", "path": ENTERPRISE }])).unwrap();
        assert_eq!(removed.get(ENTERPRISE), None);
        let refused = patch(&user(), json!([{ "op": "replace", "path": ENTERPRISE, "value": "8" }])).unwrap_err();
        assert_eq!(refused.scim_type, "invalidValue");
    }

    #[test]
    fn okta_deactivates_with_a_replace_without_a_path() {
        let patched = patch(&user(), json!([{ "op": "replace", "value": { "active": false } }])).unwrap();
        assert_eq!(patched["active"], json!(false));
        assert_eq!(patched["userName"], json!("ada@acme.test"));
    }

    #[test]
    fn entra_sends_capitalised_ops_string_booleans_dotted_names_and_a_bare_manager_id() {
        let patched = patch(
            &user(),
            json!([
                { "op": "Replace", "path": "active", "value": "False" },
                { "op": "Replace", "value": { "name.givenName": "Augusta", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "0043" } },
                { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "3" },
                { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "augusta@acme.test" },
            ]),
        )
        .unwrap();
        assert_eq!(patched["active"], json!("False"));
        assert_eq!(patched["name"], json!({ "givenName": "Augusta", "familyName": "Lovelace" }));
        assert_eq!(patched[ENTERPRISE], json!({ "employeeNumber": "0043", "manager": "3" }));
        assert_eq!(patched["emails"][0]["value"], json!("augusta@acme.test"));
    }

    #[test]
    fn members_are_added_and_removed_by_filter_or_by_list() {
        let group = json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Night", "members": [{ "value": "1" }] });
        let added = patch(&group, json!([{ "op": "add", "path": "members", "value": [{ "value": "2" }, { "value": "3" }, { "value": "1" }] }])).unwrap();
        assert_eq!(added["members"], json!([{ "value": "1" }, { "value": "2" }, { "value": "3" }]));
        let removed = patch(&added, json!([{ "op": "remove", "path": "members[value eq \"2\"]" }])).unwrap();
        assert_eq!(removed["members"], json!([{ "value": "1" }, { "value": "3" }]));
        let removed =
            patch(&removed, json!([{ "op": "Remove", "path": "members", "value": [{ "value": "3" }] }])).unwrap();
        assert_eq!(removed["members"], json!([{ "value": "1" }]));
        let cleared = patch(&removed, json!([{ "op": "remove", "path": "members" }])).unwrap();
        assert!(cleared.get("members").is_none());
    }

    #[test]
    fn one_bad_operation_applies_none() {
        let original = user();
        let error = patch(
            &original,
            json!([{ "op": "replace", "path": "active", "value": false }, { "op": "replace", "path": "id", "value": "8" }]),
        )
        .unwrap_err();
        assert_eq!(error.scim_type, "mutability");
        assert_eq!(original["active"], json!(true));
        for (ops, scim_type) in [
            (json!([]), "invalidSyntax"),
            (json!([{ "op": "move", "path": "active" }]), "invalidSyntax"),
            (json!([{ "op": "remove" }]), "noTarget"),
            (json!([{ "op": "replace", "value": false }]), "invalidSyntax"),
            (json!([{ "op": "replace", "path": "emails[type eq ]", "value": 1 }]), "invalidPath"),
            (json!([{ "op": "replace", "path": "emails[type eq \"home\"].value", "value": "x" }]), "noTarget"),
        ] {
            assert_eq!(patch(&original, ops.clone()).unwrap_err().scim_type, scim_type, "{ops}");
        }
        assert_eq!(operations(&json!({ "schemas": ["x"], "Operations": [] })).unwrap_err().scim_type, "invalidSyntax");
    }
}
