//! People sent by identity providers (SCIM) and scripts (REST) without Roster's own attributes:
//! created, never refused for lacking a team leader or a channel flag; the organisation's
//! provisioning defaults decide where they land; Manage Team counts and filters those who need a
//! team leader; a later `manager` moves them; the user form still asks for one.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Org, TestApp, api_key, error_of};
use crate::on_both_backends;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ROSTER: &str = "urn:roster:params:scim:schemas:extension:2.0:User";

/// A user exactly as Okta's default SCIM 2.0 app creates one (Okta's SCIM guide): no manager, no
/// Roster attribute.
fn okta_create(email: &str, given: &str, family: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": { "givenName": given, "familyName": family },
        "emails": [{ "primary": true, "value": email, "type": "work" }],
        "displayName": format!("{given} {family}"),
        "locale": "en-US",
        "externalId": format!("00u{given}"),
        "groups": [],
        "password": "1mz050nq",
        "active": true,
    })
}

async fn scim(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.client().request(method, format!("{}/scim/v2{path}", app.address)).bearer_auth(key);
    if let Some(body) = body {
        request = request.header("Content-Type", "application/scim+json; charset=utf-8").body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

/// Manage Team's count of people needing a team leader, and whom its filter shows.
async fn waiting(app: &TestApp, admin: &reqwest::Client) -> (u64, Vec<String>) {
    let page = app.list(admin, json!({ "needs_leader": true })).await;
    let names = page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect();
    (page["needs_leader"].as_u64().unwrap(), names)
}

async fn an_identity_provider_creates_people_without_a_manager_who_then_wait_for_a_team_leader(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, admin) = app.admin_of("acme").await;
    let lena = app.insert_user(&org, "Lena", "Lead", "lena@acme.test", true, Some(org.admin_id)).await;
    let key = api_key(&app, &org, "Okta").await;

    let (status, ada) =
        scim(&app, &key, reqwest::Method::POST, "/Users", Some(okta_create("ada@acme.test", "Ada", "Lovelace"))).await;
    assert_eq!(status, StatusCode::CREATED, "{ada}");
    assert_eq!(ada[ENTERPRISE].get("manager"), None);
    // A new organisation's defaults: no channel, cannot manage teams.
    for flag in ["phoneChannel", "chatChannel", "emailChannel", "canManageTeams"] {
        assert_eq!(ada[ROSTER][flag], false, "{flag}: {ada}");
    }
    // A script over REST may leave the flags and the team leader out too.
    let rest = app
        .client()
        .post(format!("{}/api/v2/employees", app.address))
        .bearer_auth(&key)
        .json(&json!({ "email": "bob@acme.test", "first_name": "Bob", "last_name": "Babbage" }))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::CREATED, "{}", rest.text().await.unwrap());

    let page = app.list(&admin, json!({})).await;
    let row = page["rows"].as_array().unwrap().iter().find(|r| r["name"] == "Ada Lovelace").unwrap().clone();
    assert_eq!((row["team_leader"].clone(), row["needs_leader"].clone()), (Value::Null, json!(true)), "{row}");
    assert_eq!(waiting(&app, &admin).await, (2, vec!["Bob Babbage".to_owned(), "Ada Lovelace".to_owned()]));

    // Entra sends the manager later, as a bare id: she moves under Lena and waits no more.
    let id = ada["id"].as_str().unwrap();
    let manager = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": lena.to_string() }],
    });
    let (status, moved) = scim(&app, &key, reqwest::Method::PATCH, &format!("/Users/{id}"), Some(manager)).await;
    assert_eq!(
        (status, moved[ENTERPRISE]["manager"]["value"].as_str()),
        (StatusCode::OK, Some(lena.to_string().as_str()))
    );
    assert_eq!(waiting(&app, &admin).await, (1, vec!["Bob Babbage".to_owned()]));

    // Entra clears a manager with a remove: she waits again rather than being refused.
    let remove = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Remove", "path": format!("{ENTERPRISE}:manager") }],
    });
    let (status, body) = scim(&app, &key, reqwest::Method::PATCH, &format!("/Users/{id}"), Some(remove)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(waiting(&app, &admin).await.0, 2);

    // The user form keeps the spreadsheet's rule: saving her asks for a team leader.
    let (form, _): (Value, Value) = app.call(&admin, "load_user", &[("id", id)]).await.json().await.unwrap();
    let fields = form_with(&form, "home_town", "London");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = error_of(app.call(&admin, "save_user", &pairs).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["Invalid"][0]["column"], "TeamLeader", "{body}");
    assert!(body["Invalid"][0]["message"].as_str().unwrap().starts_with("Team Leader is required"), "{body}");
}

/// The user form as `load_user` gave it, with `field` set to `value`, as `save_user` takes it.
fn form_with(form: &Value, field: &str, value: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = form
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.as_str() != field)
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((format!("form[{k}]"), s.clone())),
            Value::Number(n) => Some((format!("form[{k}]"), n.to_string())),
            _ => None,
        })
        .collect();
    fields.push((format!("form[{field}]"), value.to_owned()));
    fields
}

async fn set_defaults(app: &TestApp, admin: &reqwest::Client, fields: &[(&str, &str)]) -> reqwest::Response {
    app.call(admin, "set_provisioning", fields).await
}

async fn the_organisation_chooses_the_team_leader_and_flags_of_people_sent_without_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, admin) = app.admin_of("acme").await;
    let lena = app.insert_user(&org, "Lena", "Lead", "lena@acme.test", true, Some(org.admin_id)).await;
    let ann = app.insert_user(&org, "Ann", "Agent", "ann@acme.test", false, Some(lena)).await;
    let key = api_key(&app, &org, "Entra").await;

    // Someone who cannot manage teams cannot be the default leader; nothing changes.
    let refused = set_defaults(&app, &admin, &[("form[team_leader]", &ann.to_string())]).await;
    let (status, body) = error_of(refused).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("Ann Agent cannot manage teams"), "{body}");
    let garbage = set_defaults(&app, &admin, &[("form[team_leader]", "Lena")]).await;
    assert_eq!(garbage.status(), StatusCode::UNPROCESSABLE_ENTITY, "the form's own message");
    let other = app.org_with_admin("globex").await;
    let stranger = app.insert_user(&other, "Gus", "Globex", "gus@globex.test", true, Some(other.admin_id)).await;
    let foreign = set_defaults(&app, &admin, &[("form[team_leader]", &stranger.to_string())]).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "another organisation's user is no one here");
    let unchanged: Value = app.call(&admin, "provisioning", &[]).await.json().await.unwrap();
    assert_eq!(unchanged["defaults"]["team_leader"], Value::Null, "{unchanged}");

    let saved = set_defaults(
        &app,
        &admin,
        &[("form[team_leader]", &lena.to_string()), ("form[chat_channel]", "y"), ("form[email_channel]", "y")],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK, "{}", saved.text().await.unwrap());
    let (status, ada) =
        scim(&app, &key, reqwest::Method::POST, "/Users", Some(okta_create("ada@acme.test", "Ada", "Lovelace"))).await;
    assert_eq!(status, StatusCode::CREATED, "{ada}");
    assert_eq!(ada[ENTERPRISE]["manager"]["value"], lena.to_string());
    assert_eq!((ada[ROSTER]["chatChannel"].clone(), ada[ROSTER]["phoneChannel"].clone()), (json!(true), json!(false)));
    // What the provider sends wins over the defaults.
    let mut bob = okta_create("bob@acme.test", "Bob", "Babbage");
    bob[ROSTER] = json!({ "chatChannel": false, "phoneChannel": "True" });
    let (_, bob) = scim(&app, &key, reqwest::Method::POST, "/Users", Some(bob)).await;
    assert_eq!((bob[ROSTER]["chatChannel"].clone(), bob[ROSTER]["phoneChannel"].clone()), (json!(false), json!(true)));

    // Once the default leader is deactivated, people wait for a team leader instead of being refused,
    // and the API Keys tab says why.
    let deactivate = app
        .client()
        .post(format!("{}/api/v2/employees/lena@acme.test/deactivate", app.address))
        .bearer_auth(&key)
        .json(&json!({ "new_team_leader": format!("admin@acme.test") }))
        .send()
        .await
        .unwrap();
    assert_eq!(deactivate.status(), StatusCode::OK, "{}", deactivate.text().await.unwrap());
    let (status, cy) =
        scim(&app, &key, reqwest::Method::POST, "/Users", Some(okta_create("cy@acme.test", "Cy", "Clerk"))).await;
    assert_eq!((status, cy[ENTERPRISE].get("manager")), (StatusCode::CREATED, None), "{cy}");
    assert_eq!(waiting(&app, &admin).await, (1, vec!["Cy Clerk".to_owned()]));
    let settings: Value = app.call(&admin, "provisioning", &[]).await.json().await.unwrap();
    assert_eq!(settings["leader"]["deactivated"], true, "{settings}");
}

async fn another_organisation_never_counts_among_those_waiting(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_acme, admin) = app.admin_of("acme").await;
    let globex: Org = app.org_with_admin("globex").await;
    let key = api_key(&app, &globex, "Okta").await;
    let (status, _) =
        scim(&app, &key, reqwest::Method::POST, "/Users", Some(okta_create("gus@globex.test", "Gus", "G"))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(waiting(&app, &admin).await, (0, Vec::new()));
}

async fn a_manager_the_provider_names_who_cannot_lead_yet_is_made_able_to_in_the_same_write(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (org, admin) = app.admin_of("acme").await;
    let key = api_key(&app, &org, "Entra").await;
    let users = |body: Value| scim(&app, &key, reqwest::Method::POST, "/Users", Some(body));
    let (_, grace) = users(okta_create("grace@acme.test", "Grace", "Hopper")).await;
    let grace_id = grace["id"].as_str().unwrap().to_owned();
    assert_eq!(grace[ROSTER]["canManageTeams"], false);

    // Entra names Grace as Ada's manager: Ada is created under her, and Grace can now manage teams.
    let mut ada = okta_create("ada@acme.test", "Ada", "Lovelace");
    ada[ENTERPRISE] = json!({ "manager": { "value": grace_id } });
    let (status, ada) = users(ada).await;
    assert_eq!((status, ada[ENTERPRISE]["manager"]["value"].as_str()), (StatusCode::CREATED, Some(grace_id.as_str())));
    let (_, grace) = scim(&app, &key, reqwest::Method::GET, &format!("/Users/{grace_id}"), None).await;
    assert_eq!(
        (grace[ROSTER]["canManageTeams"].clone(), grace[ROSTER]["role"].clone()),
        (json!(true), json!("Team Member"))
    );
    let page = app.list(&admin, json!({})).await;
    let row = |name: &str| page["rows"].as_array().unwrap().iter().find(|r| r["name"] == name).cloned().unwrap();
    assert_eq!(row("Ada Lovelace")["team_leader"], "Grace Hopper", "{page}");

    // A later manager PATCH promotes too; refusals (a deactivated manager, oneself) change no one.
    let (_, bob) = users(okta_create("bob@acme.test", "Bob", "Babbage")).await;
    let (_, cy) = users(okta_create("cy@acme.test", "Cy", "Clerk")).await;
    let (bob_id, cy_id) = (bob["id"].as_str().unwrap().to_owned(), cy["id"].as_str().unwrap().to_owned());
    let manager = |id: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": id }],
        })
    };
    let patch = |who: String, body: Value| {
        let (app, key) = (&app, key.clone());
        async move { scim(app, &key, reqwest::Method::PATCH, &format!("/Users/{who}"), Some(body)).await }
    };
    let (status, body) = patch(bob_id.clone(), manager(&cy_id)).await;
    assert_eq!((status, body[ENTERPRISE]["manager"]["value"].as_str()), (StatusCode::OK, Some(cy_id.as_str())));
    let (_, cy) = scim(&app, &key, reqwest::Method::GET, &format!("/Users/{cy_id}"), None).await;
    assert_eq!(cy[ROSTER]["canManageTeams"], true, "{cy}");

    let (status, body) = patch(cy_id.clone(), manager(&cy_id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let deactivate = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": "active", "value": false }],
    });
    let (_, dee) = users(okta_create("dee@acme.test", "Dee", "Parted")).await;
    let dee_id = dee["id"].as_str().unwrap().to_owned();
    assert_eq!(patch(dee_id.clone(), deactivate).await.0, StatusCode::OK);
    let (status, body) = patch(bob_id.clone(), manager(&dee_id)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("Dee Parted is deactivated"), "{body}");
    let (_, dee) = scim(&app, &key, reqwest::Method::GET, &format!("/Users/{dee_id}"), None).await;
    let (_, bob) = scim(&app, &key, reqwest::Method::GET, &format!("/Users/{bob_id}"), None).await;
    assert_eq!(
        (dee[ROSTER]["canManageTeams"].clone(), bob[ENTERPRISE]["manager"]["value"].as_str()),
        (json!(false), Some(cy_id.as_str()))
    );

    // The spreadsheet's rule stays for admins: the user form refuses a leader who cannot manage teams.
    let (form, _): (Value, Value) = app.call(&admin, "load_user", &[("id", &bob_id)]).await.json().await.unwrap();
    assert_eq!(users(okta_create("eve@acme.test", "Eve", "Early")).await.0, StatusCode::CREATED);
    let fields = form_with(&form, "team_leader", "eve@acme.test");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = error_of(app.call(&admin, "save_user", &pairs).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("Eve Early cannot manage teams"), "{body}");
}

on_both_backends!(
    an_identity_provider_creates_people_without_a_manager_who_then_wait_for_a_team_leader,
    a_manager_the_provider_names_who_cannot_lead_yet_is_made_able_to_in_the_same_write,
    the_organisation_chooses_the_team_leader_and_flags_of_people_sent_without_them,
    another_organisation_never_counts_among_those_waiting,
);
