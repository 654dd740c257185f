//! SCIM 2.0 under `/scim/v2`, as Okta and Microsoft Entra ID call it: discovery, users and groups
//! created, found, replaced, patched (atomically) and deleted; lists filtered, paged and projected;
//! SCIM error bodies for everything refused, never a 500 for a malformed filter; one organisation
//! per key.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, Org, TestApp, api_key};
use crate::on_both_backends;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ROSTER: &str = "urn:roster:params:scim:schemas:extension:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

struct Scim<'a> {
    app: &'a TestApp,
    key: String,
}

struct Answer {
    status: StatusCode,
    etag: Option<String>,
    location: Option<String>,
    body: Value,
}

impl Scim<'_> {
    async fn of<'a>(app: &'a TestApp, org: &Org) -> Scim<'a> {
        Scim { app, key: api_key(app, org, "identity provider").await }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>, if_match: Option<&str>) -> Answer {
        let mut request =
            self.app.client().request(method, format!("{}/scim/v2{path}", self.app.address)).bearer_auth(&self.key);
        if let Some(body) = body {
            // Identity providers send SCIM's own media type.
            request = request.header("content-type", "application/scim+json").body(body.to_string());
        }
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        let (etag, location) = (header("etag"), header("location"));
        if status != StatusCode::NO_CONTENT {
            let kind = header("content-type").unwrap_or_default();
            assert!(kind.starts_with("application/scim+json"), "{path}: {status} as {kind}");
        }
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        if !status.is_success() {
            assert_error_body(&body, status);
        }
        Answer { status, etag, location, body }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, None).await
    }

    async fn patch(&self, path: &str, operations: Value) -> Answer {
        self.send(Method::PATCH, path, Some(json!({ "schemas": [PATCH_OP], "Operations": operations })), None).await
    }
}

/// Every refusal is a SCIM error with its status as a string.
fn assert_error_body(body: &Value, status: StatusCode) {
    assert_eq!(body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]), "{body}");
    assert_eq!(body["status"].as_str(), Some(status.as_str()), "{body}");
    assert!(!body["detail"].as_str().unwrap_or_default().is_empty(), "{body}");
}

/// A user as Okta creates them.
fn okta_user(email: &str, given: &str, family: &str, external: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": email,
        "name": { "givenName": given, "familyName": family },
        "emails": [{ "primary": true, "value": email, "type": "work" }],
        "displayName": format!("{given} {family}"),
        "externalId": external,
        "active": true,
        ENTERPRISE: { "employeeNumber": "0042" },
        ROSTER: { "phoneChannel": true, "chatChannel": false, "emailChannel": "True" },
    })
}

async fn okta_finds_creates_replaces_and_deactivates_a_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let scim = Scim::of(&app, &org).await;
    let lookup = "/Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100";
    let found = scim.get(lookup).await;
    assert_eq!((found.status, found.body["totalResults"].as_u64()), (StatusCode::OK, Some(0)));

    let mut ada = okta_user("ada@acme.test", "Ada", "Lovelace", "00uAda");
    ada[ENTERPRISE]["manager"] = json!({ "value": org.admin_id.to_string() });
    let created = scim.send(Method::POST, "/Users", Some(ada.clone()), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.location.as_deref(), Some(format!("/scim/v2/Users/{id}").as_str()));
    assert_eq!(created.body["externalId"], "00uAda");
    assert_eq!(created.body["userName"], "ada@acme.test");
    assert_eq!(created.body[ENTERPRISE]["employeeNumber"], "0042");
    assert_eq!(created.body[ENTERPRISE]["manager"]["value"], org.admin_id.to_string());
    assert_eq!(created.body[ROSTER]["emailChannel"], true);
    assert_eq!(
        created.etag.as_deref(),
        Some(
            format!(
                "\"{}\"",
                created.body["meta"]["version"].as_str().unwrap().trim_start_matches("W/\"").trim_end_matches('"')
            )
            .as_str()
        )
    );
    let found = scim.get(lookup).await;
    assert_eq!(found.body["totalResults"], 1);
    assert_eq!(found.body["Resources"][0]["id"], id.as_str());

    // Creating her again is a uniqueness conflict.
    let again = scim.send(Method::POST, "/Users", Some(ada.clone()), None).await;
    assert_eq!((again.status, again.body["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));

    // PUT replaces what it sends; the REST API sees the same person.
    let mut replaced = ada.clone();
    replaced["name"]["givenName"] = json!("Augusta");
    replaced["id"] = json!(id);
    let answer = scim.send(Method::PUT, &format!("/Users/{id}"), Some(replaced), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["name"]["givenName"], "Augusta");
    let rest =
        app.client().get(format!("{}/api/v2/employees/0042", app.address)).bearer_auth(&scim.key).send().await.unwrap();
    let rest: Value = rest.json().await.unwrap();
    assert_eq!((rest["first_name"].as_str(), rest["external_id"].as_str()), (Some("Augusta"), Some("00uAda")));

    // Okta deactivates with a replace without a path, and reactivates the same way.
    let off = scim.patch(&format!("/Users/{id}"), json!([{ "op": "replace", "value": { "active": false } }])).await;
    assert_eq!((off.status, off.body["active"].as_bool()), (StatusCode::OK, Some(false)), "{}", off.body);
    // Roster's status is returned when asked for (`returned: "request"`), as is name.formatted.
    assert_eq!((off.body[ROSTER].get("status"), off.body["name"].get("formatted")), (None, None), "{}", off.body);
    let asked = scim.get(&format!("/Users/{id}?attributes={ROSTER}:status,name.formatted")).await;
    assert_eq!(asked.body[ROSTER]["status"], "deactivated", "{}", asked.body);
    assert_eq!(asked.body["name"]["formatted"], "Augusta Lovelace", "{}", asked.body);
    let on = scim.patch(&format!("/Users/{id}"), json!([{ "op": "replace", "value": { "active": true } }])).await;
    assert_eq!((on.status, on.body["active"].as_bool()), (StatusCode::OK, Some(true)), "{}", on.body);

    // DELETE deactivates (Roster keeps everyone's history) and SCIM sees her no more.
    let deleted = scim.send(Method::DELETE, &format!("/Users/{id}"), None, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(scim.get(&format!("/Users/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(scim.get(lookup).await.body["totalResults"], 0);
    assert_eq!(scim.get("/Users").await.body["Resources"].as_array().unwrap().len(), 1, "the admin only");
    let again = scim.send(Method::DELETE, &format!("/Users/{id}"), None, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let rest: Value = app
        .client()
        .get(format!("{}/api/v2/employees/0042", app.address))
        .bearer_auth(&scim.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["status"], "deactivated", "Roster keeps her, deactivated: {rest}");
    // Reactivated by an admin, she is visible to the identity provider again.
    let back = app
        .client()
        .post(format!("{}/api/v2/employees/0042/activate", app.address))
        .bearer_auth(&scim.key)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(scim.get(&format!("/Users/{id}")).await.body["active"], true);
    let unknown = scim.get("/Nothing/here").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "a SCIM error body, checked by send");
    assert_eq!(scim.get("/Users/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(scim.get("/Users/not-a-number").await.status, StatusCode::NOT_FOUND);
}

async fn entra_patches_with_its_own_shapes_and_a_patch_is_all_or_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let lead = app.insert_user(&org, "Lena", "Lead", "lena@acme.test", true, Some(org.admin_id)).await;
    let scim = Scim::of(&app, &org).await;
    // Entra creates people without a manager and sends it in a later PATCH: created, needing one.
    let ada = okta_user("ada@acme.test", "Ada", "Lovelace", "e-7f3a");
    let created = scim.send(Method::POST, "/Users", Some(ada), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body[ENTERPRISE].get("manager"), None, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let by_external = scim.get("/Users?filter=externalId+eq+%22e-7f3a%22").await;
    assert_eq!(by_external.body["Resources"][0]["id"], id.as_str());

    let entra = scim
        .patch(
            &format!("/Users/{id}"),
            json!([
                { "op": "Replace", "path": "userName", "value": "augusta@acme.test" },
                { "op": "Replace", "path": "name.givenName", "value": "Augusta" },
                { "op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": lead.to_string() },
                { "op": "Replace", "path": format!("{ROSTER}:homeTown"), "value": "London" },
                { "op": "Replace", "path": "active", "value": "False" },
            ]),
        )
        .await;
    assert_eq!(entra.status, StatusCode::OK, "{}", entra.body);
    assert_eq!(entra.body["userName"], "augusta@acme.test");
    assert_eq!(entra.body["name"]["givenName"], "Augusta");
    assert_eq!(entra.body[ENTERPRISE]["manager"]["value"], lead.to_string());
    assert_eq!(entra.body[ROSTER]["homeTown"], "London");
    assert_eq!(entra.body["active"], false);
    let version = entra.etag.clone().unwrap();

    // One operation the rules refuse: none applies.
    let refused = scim
        .patch(
            &format!("/Users/{id}"),
            json!([
                { "op": "replace", "path": "active", "value": true },
                { "op": "replace", "path": "name.familyName", "value": "" },
            ]),
        )
        .await;
    assert_eq!((refused.status, refused.body["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")));
    assert!(refused.body["detail"].as_str().unwrap().contains("name.familyName"), "{}", refused.body);
    let unchanged = scim.get(&format!("/Users/{id}")).await;
    assert_eq!((unchanged.body["active"].as_bool(), unchanged.etag.as_deref()), (Some(false), Some(version.as_str())));
    for (operations, scim_type) in [
        (json!([{ "op": "replace", "path": "id", "value": "1" }]), "mutability"),
        (json!([{ "op": "replace", "path": "emails[type eq ]", "value": "x" }]), "invalidPath"),
        (json!([{ "op": "jump", "path": "active" }]), "invalidSyntax"),
        (json!([{ "op": "replace", "path": "active", "value": "perhaps" }]), "invalidValue"),
        (json!([{ "op": "add", "path": format!("{ENTERPRISE}:manager"), "value": "424242" }]), "invalidValue"),
    ] {
        let answer = scim.patch(&format!("/Users/{id}"), operations.clone()).await;
        assert_eq!(
            (answer.status, answer.body["scimType"].as_str()),
            (StatusCode::BAD_REQUEST, Some(scim_type)),
            "{operations}"
        );
    }

    // A stale version is refused with 412; the current one is accepted.
    let operations =
        json!({ "schemas": [PATCH_OP], "Operations": [{ "op": "replace", "path": "active", "value": true }] });
    let stale = scim.send(Method::PATCH, &format!("/Users/{id}"), Some(operations.clone()), Some("\"1\"")).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let fresh = scim.send(Method::PATCH, &format!("/Users/{id}"), Some(operations), Some(&version)).await;
    assert_eq!((fresh.status, fresh.body["active"].as_bool()), (StatusCode::OK, Some(true)), "{}", fresh.body);
}

async fn groups_are_created_patched_replaced_and_deleted_with_their_members(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let ada = app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(org.admin_id)).await;
    let bob = app.insert_user(&org, "Bob", "Builder", "bob@acme.test", false, Some(org.admin_id)).await;
    let scim = Scim::of(&app, &org).await;
    let created = scim
        .send(
            Method::POST,
            "/Groups",
            Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Night Shift", "externalId": "g-1", "members": [{ "value": ada.to_string() }] })),
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    // A member's name is returned when asked for (`returned: "request"`).
    assert_eq!(created.body["members"][0].get("display"), None, "{}", created.body);
    let named = scim.get(&format!("/Groups/{id}?attributes=members.display")).await;
    assert_eq!(named.body["members"][0]["display"], "Ada Lovelace", "{}", named.body);
    let ada_user = scim.get(&format!("/Users/{ada}")).await;
    assert_eq!(ada_user.body["groups"][0]["value"], id.as_str());

    // Entra: add Bob, remove Ada by filter, rename.
    let patched = scim
        .patch(
            &format!("/Groups/{id}"),
            json!([
                { "op": "Add", "path": "members", "value": [{ "value": bob.to_string() }] },
                { "op": "Remove", "path": format!("members[value eq \"{ada}\"]") },
                { "op": "Replace", "path": "displayName", "value": "Nights" },
            ]),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["displayName"], "Nights");
    let members: Vec<&str> =
        patched.body["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, [bob.to_string()]);
    let rest = app
        .client()
        .get(format!("{}/api/v2/employees/bob@acme.test", app.address))
        .bearer_auth(&scim.key)
        .send()
        .await
        .unwrap();
    assert_eq!(rest.json::<Value>().await.unwrap()["groups"], json!(["Nights"]));

    // A member who is not a user here, a duplicate name, a bad name: refused, nothing changed.
    let stranger = scim
        .patch(&format!("/Groups/{id}"), json!([{ "op": "add", "path": "members", "value": [{ "value": "999999" }] }]))
        .await;
    assert_eq!((stranger.status, stranger.body["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")));
    let second = scim.send(Method::POST, "/Groups", Some(json!({ "displayName": "Nights" })), None).await;
    assert_eq!((second.status, second.body["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));
    let braces = scim.send(Method::POST, "/Groups", Some(json!({ "displayName": "{Nights}" })), None).await;
    assert_eq!(braces.status, StatusCode::BAD_REQUEST);
    assert_eq!(scim.get(&format!("/Groups/{id}")).await.body["members"].as_array().unwrap().len(), 1);

    // PUT without members keeps them; listing without members, as Entra asks.
    let put =
        scim.send(Method::PUT, &format!("/Groups/{id}"), Some(json!({ "displayName": "Late Nights" })), None).await;
    assert_eq!((put.status, put.body["members"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{}", put.body);
    let listed = scim.get("/Groups?excludedAttributes=members&filter=displayName%20eq%20%22late%20nights%22").await;
    assert_eq!(listed.body["totalResults"], 1);
    assert!(listed.body["Resources"][0].get("members").is_none());

    assert_eq!(scim.send(Method::DELETE, &format!("/Groups/{id}"), None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(scim.get(&format!("/Groups/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(scim.get(&format!("/Users/{bob}")).await.body.get("groups").is_none());
}

/// Group pushes exactly as Okta and Entra send them (Okta's SCIM 2.0 guide; Entra's SCIM
/// provisioning reference): every membership shape, and Okta's rename carrying the group's own id.
async fn group_pushes_take_every_shape_okta_and_entra_send(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let ada = app.insert_user(&org, "Ada", "Lovelace", "ada@acme.test", false, Some(org.admin_id)).await;
    let bob = app.insert_user(&org, "Bob", "Builder", "bob@acme.test", false, Some(org.admin_id)).await;
    let cy = app.insert_user(&org, "Cy", "Clerk", "cy@acme.test", false, Some(org.admin_id)).await;
    let scim = Scim::of(&app, &org).await;
    let members = |answer: &Answer| -> Vec<String> {
        let mut ids: Vec<String> = answer.body["members"]
            .as_array()
            .map(|m| m.iter().map(|m| m["value"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    };
    let created = scim
        .send(Method::POST, "/Groups", Some(json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Tier 1", "members": [] })), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{id}");

    // Entra adds members with "$ref": null.
    let added = scim
        .patch(&path, json!([{ "op": "Add", "path": "members", "value": [
            { "$ref": null, "value": ada.to_string() }, { "$ref": null, "value": bob.to_string() }, { "$ref": null, "value": cy.to_string() },
        ] }]))
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(members(&added), {
        let mut v = vec![ada.to_string(), bob.to_string(), cy.to_string()];
        v.sort();
        v
    });

    // Entra removes with a list of values: only those go.
    let removed = scim
        .patch(&path, json!([{ "op": "Remove", "path": "members", "value": [{ "value": ada.to_string() }] }]))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(members(&removed), {
        let mut v = vec![bob.to_string(), cy.to_string()];
        v.sort();
        v
    });

    // Okta removes one member by a value filter.
    let filtered = scim.patch(&path, json!([{ "op": "remove", "path": format!("members[value eq \"{bob}\"]") }])).await;
    assert_eq!(members(&filtered), [cy.to_string()]);

    // Okta replaces the whole list.
    let replaced = scim
        .patch(&path, json!([{ "op": "replace", "path": "members", "value": [{ "value": ada.to_string(), "display": "Ada Lovelace" }] }]))
        .await;
    assert_eq!(members(&replaced), [ada.to_string()]);

    // Okta renames with a replace without a path whose value carries the group's own id.
    let renamed =
        scim.patch(&path, json!([{ "op": "replace", "value": { "id": id, "displayName": "Tier One" } }])).await;
    assert_eq!(
        (renamed.status, renamed.body["displayName"].as_str()),
        (StatusCode::OK, Some("Tier One")),
        "{}",
        renamed.body
    );
    assert_eq!(members(&renamed), [ada.to_string()], "a rename keeps the members");
    // Another id in the same place is refused, and nothing changes.
    let other =
        scim.patch(&path, json!([{ "op": "replace", "value": { "id": "424242", "displayName": "Tier Two" } }])).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST, "{}", other.body);
    assert_eq!(scim.get(&path).await.body["displayName"], "Tier One");
}

async fn lists_filter_page_and_project_and_no_malformed_request_gets_a_500(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    for (first, email) in
        [("Ada", "ada"), ("Alan", "alan"), ("Bob", "bob"), ("Cleo", "cleo"), ("Dan", "dan"), ("Eve", "eve")]
    {
        app.insert_user(&org, first, "Tester", &format!("{email}@acme.test"), false, Some(org.admin_id)).await;
    }
    let scim = Scim::of(&app, &org).await;

    // Pages of 3 by startIndex: everyone once, in order.
    let mut seen = Vec::new();
    for start in [1, 4, 7, 10] {
        let page = scim.get(&format!("/Users?startIndex={start}&count=3")).await;
        assert_eq!((page.body["totalResults"].as_u64(), page.body["startIndex"].as_u64()), (Some(7), Some(start)));
        seen.extend(page.body["Resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()));
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (7, 7), "{seen:?}");
    assert_eq!(scim.get("/Users?count=0").await.body["Resources"], json!([]));
    assert_eq!(scim.get("/Users?count=-5&startIndex=-2").await.body["itemsPerPage"], 0);

    for (filter, expected) in [
        (r#"userName sw "a""#, 3),
        (r#"name.givenName co "A""#, 4),
        (r#"userName ew "@acme.test" and not (name.givenName eq "Eve")"#, 6),
        (r#"name.givenName eq "Bob" or name.givenName eq "cleo""#, 2),
        ("emails pr", 7),
        (r#"emails[type eq "work" and value co "dan"]"#, 1),
        (&format!(r#"{ENTERPRISE}:manager.value pr"#), 6),
        ("active eq true", 7),
        ("title pr", 0),
        // Read by SQL first (`scim::narrow`), so these also hold the SQL to SCIM's rules: case
        // ignored but for externalId, LIKE's own wildcards taken literally, dates compared.
        (r#"emails.value eq "ADA@ACME.TEST""#, 1),
        (r#"emails[value sw "ALA"]"#, 1),
        (r#"name.familyName sw "TEST""#, 6),
        (r#"userName co "_""#, 0),
        (r#"userName co "%""#, 0),
        (r#"displayName eq "bob tester""#, 1),
        (r#"displayName co "o t" or userName eq "eve@acme.test""#, 2),
        (r#"meta.lastModified gt "2000-01-01T00:00:00Z""#, 7),
        (r#"meta.lastModified lt "2000-01-01T00:00:00.5Z""#, 0),
        ("active eq false", 0),
        (r#"externalId pr"#, 0),
    ] {
        let page = scim.get(&format!("/Users?filter={}", urlencoding(filter))).await;
        assert_eq!(
            (page.status, page.body["totalResults"].as_u64()),
            (StatusCode::OK, Some(expected)),
            "{filter}: {}",
            page.body
        );
    }

    let only = scim.get("/Users?attributes=userName,name.givenName&count=1").await;
    let resource = only.body["Resources"][0].as_object().unwrap();
    let mut keys: Vec<&str> = resource.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "schemas", "userName"]);
    assert_eq!(resource["name"].as_object().unwrap().len(), 1);
    let without = scim.get("/Users?excludedAttributes=emails,meta,name.familyName&count=1").await;
    let resource = &without.body["Resources"][0];
    assert!(resource.get("emails").is_none() && resource.get("meta").is_none());
    assert!(resource["name"].get("familyName").is_none() && resource["name"].get("givenName").is_some());

    // Malformed filters and parameters: a 400 with a SCIM error, never a 500 (a deterministic fuzz).
    let pieces = [
        "userName",
        " eq ",
        "\"a\"",
        "(",
        ")",
        "[",
        "]",
        " and ",
        " or ",
        "not",
        " pr",
        "\\",
        "\"",
        "urn:x:y",
        ".",
        "1e999",
        r#""\u0000""#,
        "ü",
        " ",
        "ne",
        "co",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..150 {
        let mut filter = String::new();
        for _ in 0..(state % 9 + 1) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            filter.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        let answer = scim.get(&format!("/Users?filter={}", urlencoding(&filter))).await;
        assert!(matches!(answer.status, StatusCode::OK | StatusCode::BAD_REQUEST), "{filter:?}: {}", answer.status);
        let groups = scim.get(&format!("/Groups?filter={}", urlencoding(&filter))).await;
        assert!(matches!(groups.status, StatusCode::OK | StatusCode::BAD_REQUEST), "{filter:?}: {}", groups.status);
    }
    for path in
        ["/Users?count=lots", "/Users?attributes=1bad", "/Users?filter=userName%20eq", "/Users?filter=%28%28%28"]
    {
        assert_eq!(scim.get(path).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
    for body in ["not json", "[]", "{\"userName\": 5}", "{}"] {
        let response = scim
            .app
            .client()
            .post(format!("{}/scim/v2/Users", app.address))
            .bearer_auth(&scim.key)
            .header("content-type", "application/scim+json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let huge = json!({ "userName": "big@acme.test", ROSTER: { "profile": "x".repeat(300 * 1024) } });
    assert_eq!(scim.send(Method::POST, "/Users", Some(huge), None).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn discovery_describes_the_service_and_a_key_sees_only_its_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let acme = app.org_with_admin("acme").await;
    let globex = app.org_with_admin("globex").await;
    let scim = Scim::of(&app, &acme).await;
    let config = scim.get("/ServiceProviderConfig").await;
    assert_eq!(
        (config.body["patch"]["supported"].as_bool(), config.body["filter"]["maxResults"].as_u64()),
        (Some(true), Some(500))
    );
    assert_eq!(config.body["etag"]["supported"], true);
    let types = scim.get("/ResourceTypes").await;
    let names: Vec<&str> =
        types.body["Resources"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["User", "Group"]);
    assert_eq!(scim.get("/ResourceTypes/User").await.body["schema"], "urn:ietf:params:scim:schemas:core:2.0:User");
    let schemas = scim.get("/Schemas").await;
    assert_eq!(schemas.body["totalResults"], 4);
    assert_eq!(scim.get(&format!("/Schemas/{ENTERPRISE}")).await.body["name"], "EnterpriseUser");
    assert_eq!(scim.get("/Schemas/urn:nothing").await.status, StatusCode::NOT_FOUND);

    // Another organisation's key finds nobody of Acme's, by id or by filter.
    let other = Scim::of(&app, &globex).await;
    assert_eq!(other.get(&format!("/Users/{}", acme.admin_id)).await.status, StatusCode::NOT_FOUND);
    let search = other.get("/Users?filter=userName%20eq%20%22admin%40acme.test%22").await;
    assert_eq!(search.body["totalResults"], 0);
    let everyone = other.get("/Users").await;
    let ids: Vec<&str> =
        everyone.body["Resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [globex.admin_id.to_string()]);
    let patch = other
        .patch(&format!("/Users/{}", acme.admin_id), json!([{ "op": "replace", "value": { "active": false } }]))
        .await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);
    assert_eq!(scim.get(&format!("/Users/{}", acme.admin_id)).await.body["active"], true);

    // No key, or a revoked one: 401 in SCIM's shape.
    for key in ["", "roster_unknown"] {
        let anonymous = Scim { app: &app, key: key.to_owned() };
        let answer = anonymous.get("/Users").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let audited = crate::helpers::audited_calls(&app, "/scim/v2/", 11).await;
    assert_eq!(audited, 11, "every call a key made is audited, none without one");
}

/// RFC 7644 §3.4.3's `POST /.search`, PATCH paths that name a whole extension, `remove` that
/// clears, and the organisation's own roles in the schema, as scim2-tester exercises them.
async fn searches_by_post_patches_whole_extensions_and_offers_the_organisations_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, admin) = app.admin_of("acme").await;
    assert_eq!(app.call(&admin, "create_role", &[("name", "Tier 2")]).await.status(), StatusCode::OK);
    let scim = Scim::of(&app, &org).await;
    let mut ada = okta_user("ada@acme.test", "Ada", "Lovelace", "00uAda");
    ada[ROSTER] = json!({ "homeTown": "London", "phoneChannel": true, "role": "Tier 2" });
    let created = scim.send(Method::POST, "/Users", Some(ada), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName eq \"ADA@acme.test\"",
        "attributes": ["userName", "name.givenName"],
        "startIndex": 1,
        "count": 10,
    });
    let found = scim.send(Method::POST, "/Users/.search", Some(search), None).await;
    assert_eq!((found.status, found.body["totalResults"].as_u64()), (StatusCode::OK, Some(1)), "{}", found.body);
    assert_eq!(found.body["Resources"][0]["name"], json!({ "givenName": "Ada" }), "{}", found.body);
    assert_eq!(found.body["Resources"][0].get("emails"), None, "projected");
    let groups = scim.send(Method::POST, "/Groups/.search", Some(json!({ "count": 5 })), None).await;
    assert_eq!((groups.status, groups.body["totalResults"].as_u64()), (StatusCode::OK, Some(0)));
    let everything = scim.send(Method::POST, "/.search", Some(json!({ "filter": "id pr" })), None).await;
    assert_eq!(everything.status, StatusCode::NOT_IMPLEMENTED);
    let bad = scim.send(Method::POST, "/Users/.search", Some(json!({ "attributes": [1] })), None).await;
    assert_eq!((bad.status, bad.body["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")));

    // A path naming the whole extension sets its attributes; remove clears one (a flag turns off).
    let whole = scim
        .patch(&format!("/Users/{id}"), json!([{ "op": "add", "path": ROSTER, "value": { "stateOrCountry": "Kent" } }]))
        .await;
    assert_eq!((whole.status, whole.body[ROSTER]["stateOrCountry"].as_str()), (StatusCode::OK, Some("Kent")));
    let removed = scim
        .patch(
            &format!("/Users/{id}"),
            json!([
                { "op": "remove", "path": format!("{ROSTER}:homeTown") },
                { "op": "remove", "path": format!("{ROSTER}:phoneChannel") },
                { "op": "remove", "path": "externalId" },
            ]),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(
        (removed.body[ROSTER]["homeTown"].clone(), removed.body[ROSTER]["phoneChannel"].clone()),
        (Value::Null, json!(false))
    );
    assert_eq!((removed.body.get("externalId"), removed.body[ROSTER]["role"].as_str()), (None, Some("Tier 2")));

    let schema = scim.get(&format!("/Schemas/{ROSTER}")).await;
    let role = schema.body["attributes"].as_array().unwrap().iter().find(|a| a["name"] == "role").unwrap().clone();
    assert_eq!(role["canonicalValues"], json!(["Admin", "Team Leader", "Team Member", "Tier 2"]), "{role}");
}

/// Okta tenants whose logins are not email addresses ("jdoe") send them as userName beside the
/// email and an employeeNumber: Roster keeps that userName as sent and finds the user by it.
async fn a_login_that_is_neither_email_nor_employee_id_is_kept_as_the_user_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let scim = Scim::of(&app, &org).await;
    let mut jdoe = okta_user("jane@acme.test", "Jane", "Doe", "00uJane");
    jdoe["userName"] = json!("jdoe");
    jdoe[ENTERPRISE] = json!({ "employeeNumber": "0042" });
    let created = scim.send(Method::POST, "/Users", Some(jdoe.clone()), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["userName"], "jdoe");
    assert_eq!(created.body["emails"][0]["value"], "jane@acme.test");
    assert_eq!(created.body[ENTERPRISE]["employeeNumber"], "0042");
    let id = created.body["id"].as_str().unwrap().to_owned();

    // Okta looks people up by userName before creating them: found ignoring case, once.
    let found = scim.get("/Users?filter=userName+eq+%22JDoe%22").await;
    assert_eq!(
        (found.body["totalResults"].as_u64(), found.body["Resources"][0]["id"].as_str()),
        (Some(1), Some(id.as_str()))
    );
    let by_email = scim.get("/Users?filter=userName+eq+%22jane%40acme.test%22").await;
    assert_eq!(by_email.body["totalResults"], 0, "her userName is jdoe: {}", by_email.body);
    let sw = scim.get("/Users?filter=userName+sw+%22jd%22").await;
    assert_eq!(sw.body["totalResults"], 1, "{}", sw.body);

    // Another person with the same login is a 409, and nothing is created.
    let mut twin = okta_user("jd@acme.test", "John", "Doe", "00uJohn");
    twin["userName"] = json!("JDOE");
    let refused = scim.send(Method::POST, "/Users", Some(twin), None).await;
    assert_eq!((refused.status, refused.body["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")));
    assert_eq!(scim.get("/Users").await.body["totalResults"], 2, "the admin and Jane only");

    // A later userName that is her email address is her email again; the login is forgotten.
    let renamed = scim
        .patch(&format!("/Users/{id}"), json!([{ "op": "replace", "path": "userName", "value": "jane@acme.test" }]))
        .await;
    assert_eq!(
        (renamed.status, renamed.body["userName"].as_str()),
        (StatusCode::OK, Some("jane@acme.test")),
        "{}",
        renamed.body
    );
    assert_eq!(scim.get("/Users?filter=userName+eq+%22jdoe%22").await.body["totalResults"], 0);
}

/// Substring, prefix and name filters are answered through a trigram index of each user's texts
/// (migration 0010): it must follow every create, rename and change of login, hold another
/// organisation's users apart, and take needles with quotes and LIKE's wildcards literally.
async fn substring_filters_follow_every_change_and_stay_within_the_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (acme, other) = (app.org_with_admin("acme").await, app.org_with_admin("other").await);
    let (scim, theirs) = (Scim::of(&app, &acme).await, Scim::of(&app, &other).await);
    let mut kept = okta_user("jane@acme.test", "Jane", "O\"Brien", "00uJane");
    kept["userName"] = json!("jdoe_42");
    let jane = scim.send(Method::POST, "/Users", Some(kept), None).await;
    assert_eq!(jane.status, StatusCode::CREATED, "{}", jane.body);
    let id = jane.body["id"].as_str().unwrap().to_owned();
    let twin = okta_user("jane@other.test", "Jane", "O\"Brien", "00uTwin");
    assert_eq!(theirs.send(Method::POST, "/Users", Some(twin), None).await.status, StatusCode::CREATED);

    let count = |filter: &'static str| {
        let scim = &scim;
        async move { scim.get(&format!("/Users?filter={}", urlencoding(filter))).await.body["totalResults"].clone() }
    };
    for (filter, expected) in [
        (r#"userName co "DOE_4""#, 1),
        (r#"userName sw "jdoe_""#, 1),
        (r#"userName ew "e_42""#, 1),
        (r#"userName co "e%4""#, 0),
        (r#"userName co "jane@""#, 0),
        (r#"emails.value co "jane@""#, 1),
        (r#"name.familyName co "o\"bri""#, 1),
        (r#"name.familyName eq "O\"BRIEN""#, 1),
        (r#"displayName eq "jane o\"brien""#, 1),
        (r#"displayName co "ne o""#, 1),
        (r#"name.givenName co "ne o""#, 0),
        (r#"name.givenName eq "jan""#, 0),
    ] {
        assert_eq!(count(filter).await, expected, "{filter}");
    }

    let renamed = scim
        .patch(
            &format!("/Users/{id}"),
            json!([
                { "op": "replace", "path": "name.familyName", "value": "Okafor" },
                { "op": "replace", "path": "userName", "value": "jokafor" }
            ]),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    for (filter, expected) in [
        (r#"name.familyName co "kafo""#, 1),
        (r#"name.familyName co "brie""#, 0),
        (r#"userName sw "jokaf""#, 1),
        (r#"userName co "doe_""#, 0),
    ] {
        assert_eq!(count(filter).await, expected, "{filter}");
    }
    // The other organisation's Jane is still found by her own key alone.
    let found = theirs.get(&format!("/Users?filter={}", urlencoding(r#"name.familyName co "brie""#))).await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
}

/// A filter SQL reads exactly is counted and paged by SQL (`scim::narrow::is_exact`); the same
/// filter beside `not (title pr)`, which nobody has, is read in memory. Both must answer alike.
async fn a_filter_counted_by_sql_answers_as_the_same_filter_read_in_memory(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let scim = Scim::of(&app, &org).await;
    let people = [
        ("ada@acme.test", "Ada", "Lovelace", "00uAda", Some("0001")),
        ("ALAN@ACME.TEST", "Alan", "Turing", "00uAlan", None),
        ("jdoe_42", "Jane", "Mary Doe", "00uJane", Some("0042")),
        ("0099", "Émile", "Zola", "00uEmile", Some("0099")),
        ("grace@acme.test", "Grace", "Hopper", "00UGRACE", Some("0100")),
        ("gone@acme.test", "Gone", "Away", "00uGone", Some("0200")),
    ];
    let mut ids = Vec::new();
    for (login, given, family, external, number) in people {
        let mut user = okta_user(login, given, family, external);
        user[ENTERPRISE] = json!({ "employeeNumber": number });
        if login == "jdoe_42" {
            user["emails"] = json!([{ "value": "jane@acme.test", "type": "work" }]);
        } else if !login.contains('@') {
            user.as_object_mut().unwrap().remove("emails");
        }
        let created = scim.send(Method::POST, "/Users", Some(user), None).await;
        assert_eq!(created.status, StatusCode::CREATED, "{login}: {}", created.body);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    let grace = &ids[4];
    let off = scim.patch(&format!("/Users/{grace}"), json!([{ "op": "replace", "value": { "active": false } }])).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let gone = &ids[5];
    assert_eq!(scim.send(Method::DELETE, &format!("/Users/{gone}"), None, None).await.status, StatusCode::NO_CONTENT);

    let ids_of = |answer: &Answer| -> Vec<String> {
        answer.body["Resources"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    };
    for filter in [
        r#"userName co "a""#,
        r#"userName sw "JDOE""#,
        r#"userName ew "@acme.test""#,
        r#"emails.value co "jane""#,
        r#"emails.value ew "ACME.TEST""#,
        r#"name.givenName sw "a""#,
        r#"name.familyName co "y d""#,
        r#"displayName eq "jane mary doe""#,
        r#"name.formatted co "e m""#,
        r#"externalId eq "00UGRACE""#,
        r#"externalId eq "00ugrace""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber sw "00""#,
        r#"active eq false or userName co "alan""#,
        r#"active eq "True" and name.familyName ew "e""#,
        r#"userName co "gone""#,
        r#"name.givenName co "mile""#,
    ] {
        for page in ["", "&startIndex=2&count=2"] {
            let exact = scim.get(&format!("/Users?filter={}{page}", urlencoding(filter))).await;
            let in_memory = format!("({filter}) and not (title pr)");
            let read = scim.get(&format!("/Users?filter={}{page}", urlencoding(&in_memory))).await;
            assert_eq!(exact.status, StatusCode::OK, "{filter}: {}", exact.body);
            assert_eq!(
                (&exact.body["totalResults"], ids_of(&exact)),
                (&read.body["totalResults"], ids_of(&read)),
                "{filter}{page}"
            );
        }
    }
    let everyone = scim.get(&format!("/Users?filter={}", urlencoding(r#"userName co "a" or userName co "9""#))).await;
    assert_eq!(everyone.body["totalResults"], 5, "not the user the identity provider deleted: {}", everyone.body);
}

/// OneLogin's "SCIM Provisioner with SAML (SCIM v2 Enterprise)" app as its documentation shows
/// it: the SCIM JSON template (core user, emails, the enterprise extension with attributes Roster
/// does not keep), every update a PUT of the whole template, `Content-Type: application/json`,
/// the scheme written `BEARER`; Suspend sends `active: false`, Delete a DELETE.
async fn onelogin_creates_and_updates_by_put_suspends_and_deletes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = app.org_with_admin("acme").await;
    let key = api_key(&app, &org, "OneLogin").await;
    let send = |method: Method, path: String, body: Option<Value>| {
        let (app, key) = (&app, key.clone());
        async move {
            let mut request = app
                .client()
                .request(method, format!("{}/scim/v2{path}", app.address))
                .header("AUTHORIZATION", format!("BEARER {key}"));
            if let Some(body) = body {
                request = request.header("Content-Type", "application/json").body(body.to_string());
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            (status, if text.is_empty() { Value::Null } else { serde_json::from_str::<Value>(&text).unwrap() })
        }
    };
    let template = |given: &str, active: bool| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "grace@acme.test",
            "name": { "givenName": given, "familyName": "Hopper" },
            "emails": [{ "value": "grace@acme.test", "type": "work", "primary": true }],
            "active": active,
            ENTERPRISE: { "department": "Support", "employeeNumber": "0007", "manager": { "value": org.admin_id.to_string() } },
        })
    };
    let (status, created) = send(Method::POST, "/Users".into(), Some(template("Grace", true))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created[ENTERPRISE]["employeeNumber"], "0007");
    assert_eq!(created[ENTERPRISE]["manager"]["value"], org.admin_id.to_string());
    assert_eq!(created[ENTERPRISE].get("department"), None, "not kept, not refused");

    let (status, renamed) = send(Method::PUT, format!("/Users/{id}"), Some(template("Amazing Grace", true))).await;
    assert_eq!((status, renamed["name"]["givenName"].as_str()), (StatusCode::OK, Some("Amazing Grace")), "{renamed}");
    let (status, suspended) = send(Method::PUT, format!("/Users/{id}"), Some(template("Amazing Grace", false))).await;
    assert_eq!((status, suspended["active"].as_bool()), (StatusCode::OK, Some(false)), "{suspended}");
    let (status, back) = send(Method::PUT, format!("/Users/{id}"), Some(template("Amazing Grace", true))).await;
    assert_eq!((status, back["active"].as_bool()), (StatusCode::OK, Some(true)), "{back}");

    let (status, _) = send(Method::DELETE, format!("/Users/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, gone) = send(Method::GET, format!("/Users/{id}"), None).await;
    assert_eq!((status, gone["status"].as_str()), (StatusCode::NOT_FOUND, Some("404")), "{gone}");
    // A scheme that is not Bearer is no key at all.
    let basic = app
        .client()
        .get(format!("{}/scim/v2/Users", app.address))
        .header("Authorization", format!("Basic {key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

on_both_backends!(
    a_filter_counted_by_sql_answers_as_the_same_filter_read_in_memory,
    substring_filters_follow_every_change_and_stay_within_the_organisation,
    onelogin_creates_and_updates_by_put_suspends_and_deletes,
    a_login_that_is_neither_email_nor_employee_id_is_kept_as_the_user_name,
    searches_by_post_patches_whole_extensions_and_offers_the_organisations_roles,
    group_pushes_take_every_shape_okta_and_entra_send,
    okta_finds_creates_replaces_and_deactivates_a_user,
    entra_patches_with_its_own_shapes_and_a_patch_is_all_or_nothing,
    groups_are_created_patched_replaced_and_deleted_with_their_members,
    lists_filter_page_and_project_and_no_malformed_request_gets_a_500,
    discovery_describes_the_service_and_a_key_sees_only_its_organisation,
);
