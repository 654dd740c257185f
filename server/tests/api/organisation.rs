//! Team leaders' rosters, the hierarchy, the Roles and Groups tabs, Deactivate Users and session
//! security.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{Backend, Org, PASSWORD, TestApp, agent_form, error_of};
use crate::on_both_backends;

/// acme: the admin leads Lena and Otto; Lena leads Sam, who leads Ann; Otto leads Bea.
struct Acme {
    org: Org,
    lena: i64,
    sam: i64,
    ann: i64,
    otto: i64,
    bea: i64,
}

async fn acme(app: &TestApp) -> Acme {
    let org = app.org_with_admin("acme").await;
    let lena = app.insert_user(&org, "Lena", "Lead", "lena@acme.test", true, Some(org.admin_id)).await;
    let sam = app.insert_user(&org, "Sam", "Sub", "sam@acme.test", true, Some(lena)).await;
    let ann = app.insert_user(&org, "Ann", "Agent", "ann@acme.test", false, Some(sam)).await;
    let otto = app.insert_user(&org, "Otto", "Other", "otto@acme.test", true, Some(org.admin_id)).await;
    let bea = app.insert_user(&org, "Bea", "Beyond", "bea@acme.test", false, Some(otto)).await;
    Acme { org, lena, sam, ann, otto, bea }
}

fn names(page: &Value) -> Vec<String> {
    page["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
}

async fn tree(app: &TestApp, client: &Client, parent: Option<i64>) -> Result<Value, (StatusCode, Value)> {
    let parent = parent.map(|p| p.to_string());
    let form: Vec<(&str, &str)> = parent.iter().map(|p| ("parent", p.as_str())).collect();
    let response = app.call(client, "team_tree", &form).await;
    if response.status() == StatusCode::OK { Ok(response.json().await.unwrap()) } else { Err(error_of(response).await) }
}

async fn download(app: &TestApp, client: &Client) -> (StatusCode, String) {
    let response = client.get(format!("{}/api/export/current-team", app.address)).send().await.unwrap();
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    (status, app::roster::decode::decode(&bytes).unwrap_or_default())
}

async fn a_team_leader_reads_searches_and_downloads_only_their_own_team(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = acme(&app).await;
    let lena = app.signed_in("acme", "lena@acme.test").await;

    assert_eq!(names(&app.list(&lena, json!({})).await), ["Ann Agent", "Sam Sub"], "direct and indirect reports");
    assert_eq!(app.list(&lena, json!({"q": "bea"})).await["total"], 0, "search stays inside the team");
    assert_eq!(app.list(&lena, json!({"leader": t.otto})).await["total"], 0, "so do the filters");
    assert_eq!(names(&app.list(&lena, json!({"leader": t.sam})).await), ["Ann Agent"]);
    let sorted = app.list(&lena, json!({"sort": "email", "descending": true})).await;
    assert_eq!(names(&sorted), ["Sam Sub", "Ann Agent"]);
    let options: Value = app.call(&lena, "team_options", &[]).await.json().await.unwrap();
    let leaders: Vec<&str> =
        options["leaders"].as_array().unwrap().iter().map(|l| l["label"].as_str().unwrap()).collect();
    assert_eq!(leaders, ["Lena Lead", "Sam Sub"], "the leader filter offers only leaders in the team");

    // Read-only: nothing to open or change.
    let ann = t.ann.to_string();
    assert_eq!(app.call(&lena, "load_user", &[("id", &ann)]).await.status(), StatusCode::FORBIDDEN);
    let save = app.call(&lena, "save_user", &agent_form("Eve", "Il", "eve@acme.test", "lena@acme.test")).await;
    assert_eq!(save.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.call(&lena, "groups", &[]).await.status(), StatusCode::FORBIDDEN);

    let (status, file) = download(&app, &lena).await;
    assert_eq!(status, StatusCode::OK);
    assert!(file.starts_with("User ID\t"), "the current-team format: {file}");
    assert_eq!(file.lines().count(), 3, "the header, Sam and Ann: {file}");
    assert!(file.contains("sam@acme.test") && file.contains("ann@acme.test"));
    assert!(!file.contains("bea@acme.test") && !file.contains("admin@acme.test"));

    let member = app.signed_in("acme", "ann@acme.test").await;
    let query = json!({"query": {"q": "", "role": null, "leader": null, "status": null, "group": null, "sort": "name", "descending": false, "page": 0}});
    assert_eq!(app.call_json(&member, "list_team", query).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(download(&app, &member).await.0, StatusCode::FORBIDDEN);
    assert_eq!(tree(&app, &member, None).await.unwrap_err().0, StatusCode::FORBIDDEN);
}

async fn the_hierarchy_counts_each_leaders_team_per_channel_and_leaders_see_only_their_branch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = acme(&app).await;
    // Ann works chat only.
    sqlx::query("UPDATE users SET phone_channel = FALSE, email_channel = FALSE WHERE id = $1")
        .bind(t.ann)
        .execute(&app.store.pool)
        .await
        .unwrap();
    let admin = app.signed_in("acme", "admin@acme.test").await;

    let top = tree(&app, &admin, None).await.unwrap();
    assert_eq!(top["nodes"].as_array().unwrap().len(), 1, "the admin is the only root: {top}");
    assert_eq!(top["nodes"][0]["team"], json!({"people": 5, "phone": 4, "chat": 5, "email": 4}));
    assert_eq!(top["nodes"][0]["reports"], 2);
    let under_admin = tree(&app, &admin, Some(t.org.admin_id)).await.unwrap();
    let lena = &under_admin["nodes"][0];
    assert_eq!((lena["name"].as_str(), lena["reports"].as_i64()), (Some("Lena Lead"), Some(1)));
    assert_eq!(lena["team"], json!({"people": 2, "phone": 1, "chat": 2, "email": 1}));

    let leader = app.signed_in("acme", "lena@acme.test").await;
    let mine = tree(&app, &leader, None).await.unwrap();
    assert_eq!(mine["nodes"][0]["id"], t.lena, "a leader's tree starts at themselves");
    assert_eq!(tree(&app, &leader, Some(t.sam)).await.unwrap()["nodes"][0]["id"], t.ann);
    for outside in [t.otto, t.org.admin_id, t.bea] {
        assert_eq!(tree(&app, &leader, Some(outside)).await.unwrap_err().0, StatusCode::NOT_FOUND);
    }
}

/// The audited actions matching `condition`, oldest first.
async fn audit_actions(app: &TestApp, condition: &str) -> Vec<String> {
    let sql = format!("SELECT action FROM audit_events WHERE {condition} ORDER BY id");
    let rows = sqlx::query(&sql).fetch_all(&app.store.pool).await.unwrap();
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

async fn roles(app: &TestApp, admin: &Client) -> Value {
    app.call(admin, "roles", &[]).await.json().await.unwrap()
}

fn role_id(tab: &Value, name: &str) -> i64 {
    tab["roles"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn an_admin_shapes_custom_roles_and_a_role_in_use_is_only_deactivated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    assert_eq!(app.call(&admin, "create_role", &[("name", "  Tier 2 ")]).await.status(), StatusCode::OK);
    let (status, body) = error_of(app.call(&admin, "create_role", &[("name", "tier 2")]).await).await;
    assert_eq!(
        (status, body["Conflict"].as_str()),
        (StatusCode::CONFLICT, Some("That role name is already taken; choose another."))
    );
    let (status, body) = error_of(app.call(&admin, "create_role", &[("name", "")]).await).await;
    assert_eq!((status, body), (StatusCode::UNPROCESSABLE_ENTITY, json!({"Form": ["Enter a name."]})));

    let tab = roles(&app, &admin).await;
    let tier = role_id(&tab, "Tier 2");
    assert_eq!(
        app.call(&admin, "rename_role", &[("id", &tier.to_string()), ("name", "Tier II")]).await.status(),
        StatusCode::OK
    );
    let built_in = role_id(&tab, "Team Member").to_string();
    let (status, body) =
        error_of(app.call(&admin, "rename_role", &[("id", &built_in), ("name", "Agents")]).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["Conflict"].as_str().unwrap().contains("built in"), "{body}");

    let mut form = agent_form("Ada", "Lovelace", "ada@acme.test", "admin@acme.test");
    form.push(("form[role]", "tier ii"));
    assert_eq!(app.call(&admin, "save_user", &form).await.status(), StatusCode::OK, "roles match ignoring case");
    let tier = tier.to_string();
    let (status, body) = error_of(app.call(&admin, "change_role", &[("id", &tier), ("change", "delete")]).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["Conflict"].as_str().unwrap().starts_with("1 user holds the role Tier II, so it cannot be deleted"),
        "{body}"
    );
    assert_eq!(
        app.call(&admin, "change_role", &[("id", &tier), ("change", "deactivate")]).await.status(),
        StatusCode::OK
    );
    let row = roles(&app, &admin).await["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Tier II")
        .cloned()
        .unwrap();
    assert_eq!((row["active"].as_bool(), row["holders"].as_i64()), (Some(false), Some(1)));
    let mut form = agent_form("Bob", "B", "bob@acme.test", "admin@acme.test");
    form.push(("form[role]", "Tier II"));
    let (_, body) = error_of(app.call(&admin, "save_user", &form).await).await;
    assert_eq!(body["Invalid"][0]["code"], "inactive_role");

    // With custom roles on, Role is required.
    assert_eq!(app.call(&admin, "set_custom_roles", &[("on", "true")]).await.status(), StatusCode::OK);
    assert_eq!(roles(&app, &admin).await["uses_custom_roles"], true);
    let (_, body) =
        error_of(app.call(&admin, "save_user", &agent_form("Cy", "C", "cy@acme.test", "admin@acme.test")).await).await;
    assert_eq!(body["Invalid"][0]["code"], "role_required");

    // An unused custom role can be deleted; every change is audited.
    app.call(&admin, "create_role", &[("name", "Trainee")]).await;
    let trainee = role_id(&roles(&app, &admin).await, "Trainee").to_string();
    assert_eq!(
        app.call(&admin, "change_role", &[("id", &trainee), ("change", "delete")]).await.status(),
        StatusCode::OK
    );
    let actions = audit_actions(&app, "action LIKE 'role.%' OR action = 'organisation.settings'").await;
    assert_eq!(
        actions,
        ["role.created", "role.renamed", "role.deactivated", "organisation.settings", "role.created", "role.deleted"]
    );
}

async fn groups(app: &TestApp, admin: &Client) -> Vec<(String, i64)> {
    let rows: Value = app.call(admin, "groups", &[]).await.json().await.unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_owned(), g["members"].as_i64().unwrap()))
        .collect()
}

async fn an_admin_creates_renames_and_deletes_groups_with_exact_unique_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    for name in ["Nights", "nights", "Tier 1"] {
        assert_eq!(app.call(&admin, "create_group", &[("name", name)]).await.status(), StatusCode::OK, "{name}");
    }
    let (status, body) = error_of(app.call(&admin, "create_group", &[("name", "Nights")]).await).await;
    assert_eq!(
        (status, body["Conflict"].as_str()),
        (StatusCode::CONFLICT, Some("That group name is already taken; choose another."))
    );
    let (status, body) = error_of(app.call(&admin, "create_group", &[("name", "EU {west}")]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["Form"][0].as_str().unwrap().starts_with("Group names cannot contain braces"), "{body}");

    let mut form = agent_form("Ada", "Lovelace", "ada@acme.test", "admin@acme.test");
    form.push(("form[group_assignments]", "{Nights},{Tier 1}"));
    let ada: i64 = app.call(&admin, "save_user", &form).await.json().await.unwrap();
    assert_eq!(
        groups(&app, &admin).await,
        [("Nights".to_owned(), 1), ("Tier 1".to_owned(), 1), ("nights".to_owned(), 0)]
    );

    let rows: Value = app.call(&admin, "groups", &[]).await.json().await.unwrap();
    let id_of = |name: &str| rows.as_array().unwrap().iter().find(|g| g["name"] == name).unwrap()["id"].to_string();
    assert_eq!(
        app.call(&admin, "rename_group", &[("id", &id_of("Tier 1")), ("name", "Tier One")]).await.status(),
        StatusCode::OK
    );
    let loaded: Value = app.call(&admin, "load_user", &[("id", &ada.to_string())]).await.json().await.unwrap();
    assert_eq!(loaded[0]["group_assignments"], "{Nights},{Tier One}", "the user's page shows the new name");
    let deleted: i64 = app.call(&admin, "delete_group", &[("id", &id_of("Nights"))]).await.json().await.unwrap();
    assert_eq!(deleted, 1);
    let loaded: Value = app.call(&admin, "load_user", &[("id", &ada.to_string())]).await.json().await.unwrap();
    assert_eq!(loaded[0]["group_assignments"], "{Tier One}");
    let (status, _) =
        error_of(app.call(&admin, "rename_group", &[("id", &id_of("nights")), ("name", "Tier One")]).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "renaming onto another group's name is refused");
}

async fn deactivate(app: &TestApp, admin: &Client, ids: &[i64], replacements: &[(i64, i64)]) -> reqwest::Response {
    app.call_json(admin, "deactivate_users", json!({ "ids": ids, "replacements": replacements })).await
}

async fn status_and_leader(app: &TestApp, id: i64) -> (String, Option<i64>) {
    let row = sqlx::query("SELECT status, leader_id FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

async fn a_leader_is_deactivated_only_after_their_team_gets_a_new_leader_and_is_signed_out_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = acme(&app).await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    let sam = app.signed_in("acme", "sam@acme.test").await;

    let review: Value =
        app.call_json(&admin, "review_deactivation", json!({ "ids": [t.sam, t.bea] })).await.json().await.unwrap();
    assert_eq!(review["teams"], json!([{"leader_id": t.sam, "leader_name": "Sam Sub", "reports": 1}]));
    let candidates: Vec<&str> =
        review["candidates"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert_eq!(candidates, ["Admin acme", "Lena Lead", "Otto Other"]);

    let (status, body) = error_of(deactivate(&app, &admin, &[t.sam, t.bea], &[]).await).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"Form": ["Sam Sub leads 1 person who stays; choose a new team leader for them."]})
        )
    );
    assert_eq!(status_and_leader(&app, t.bea).await.0, "active", "nothing changed");

    let response = deactivate(&app, &admin, &[t.sam, t.bea], &[(t.sam, t.otto)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<i64>().await.unwrap(), 2);
    assert_eq!(status_and_leader(&app, t.sam).await.0, "deactivated");
    assert_eq!(status_and_leader(&app, t.bea).await.0, "deactivated");
    assert_eq!(status_and_leader(&app, t.ann).await, ("active".to_owned(), Some(t.otto)), "Ann moved to Otto");
    assert_eq!(app.call(&sam, "current_viewer", &[]).await.json::<Value>().await.unwrap(), Value::Null, "signed out");
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(t.sam)
        .fetch_one(&app.store.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "ended server-side");
    assert_eq!(app.sign_in(&app.client(), "acme", "sam@acme.test", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    let audited = audit_actions(&app, "action IN ('user.deactivated', 'user.reassigned')").await;
    assert_eq!(audited, ["user.reassigned", "user.deactivated", "user.deactivated"]);

    // Reactivation lets Sam back in; Bea's leader is still active, so she keeps him.
    assert_eq!(app.call(&admin, "reactivate_user", &[("id", &t.sam.to_string())]).await.status(), StatusCode::OK);
    assert_eq!(status_and_leader(&app, t.sam).await, ("active".to_owned(), Some(t.lena)));
    assert_eq!(app.sign_in(&app.client(), "acme", "sam@acme.test", PASSWORD).await.status(), StatusCode::OK);
    let (status, _) = error_of(app.call(&admin, "reactivate_user", &[("id", &t.sam.to_string())]).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "only the deactivated are reactivated");
}

async fn a_deputy_takes_the_old_leaders_place_and_an_admin_cannot_deactivate_themselves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = acme(&app).await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    assert_eq!(deactivate(&app, &admin, &[t.lena], &[(t.lena, t.sam)]).await.status(), StatusCode::OK);
    assert_eq!(status_and_leader(&app, t.sam).await, ("active".to_owned(), Some(t.org.admin_id)));
    assert_eq!(status_and_leader(&app, t.ann).await.1, Some(t.sam), "Sam's own team is untouched");

    let (status, body) = error_of(deactivate(&app, &admin, &[t.org.admin_id, t.otto], &[(t.otto, t.sam)]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["Form"][0], "You cannot deactivate yourself; ask another admin to do it.");
    let (_, body) = error_of(deactivate(&app, &admin, &[t.otto], &[(t.otto, t.ann)]).await).await;
    assert_eq!(
        body["Form"][0],
        "Ann Agent cannot take over Otto Other's team: they cannot manage teams; set Can Manage Teams to y for them first."
    );
    assert_eq!(status_and_leader(&app, t.otto).await.0, "active");
    assert_eq!(status_and_leader(&app, t.bea).await.1, Some(t.otto));
}

async fn the_session_id_changes_at_sign_in_and_sign_out_ends_it_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let client = app.client();
    let cookie = |response: &reqwest::Response| -> String {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("roster_session="))
            .expect("a session cookie")
    };
    let first = app.sign_in(&client, "acme", "admin@acme.test", PASSWORD).await;
    let first_cookie = cookie(&first);
    assert!(first_cookie.contains("; HttpOnly") && first_cookie.contains("; SameSite=Lax"), "{first_cookie}");
    assert!(!first_cookie.contains("Secure"), "plain HTTP in tests");
    let second = app.sign_in(&client, "acme", "admin@acme.test", PASSWORD).await;
    let second_cookie = cookie(&second);
    assert_ne!(first_cookie.split(';').next(), second_cookie.split(';').next(), "a new id at every sign-in");

    let replay = app.client();
    let old = first_cookie.split(';').next().unwrap().to_owned();
    let viewer =
        replay.post(format!("{}/api/current_viewer", app.address)).header("cookie", &old).send().await.unwrap();
    assert_eq!(viewer.json::<Value>().await.unwrap(), Value::Null, "the session the request carried ended");

    let current = second_cookie.split(';').next().unwrap().to_owned();
    app.call(&client, "sign_out", &[]).await;
    let viewer =
        replay.post(format!("{}/api/current_viewer", app.address)).header("cookie", &current).send().await.unwrap();
    assert_eq!(viewer.json::<Value>().await.unwrap(), Value::Null, "a copied cookie is dead after sign-out");
}

async fn behind_https_the_session_cookie_is_secure(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.secure_cookies = true).await;
    app.org_with_admin("acme").await;
    let response = app.sign_in(&app.client(), "acme", "admin@acme.test", PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

async fn pages_carry_a_nonce_policy_and_nothing_may_frame_or_sniff_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.client().get(format!("{}/sign-in", app.address)).send().await.unwrap();
    let headers = page.headers().clone();
    let policy = headers["content-security-policy"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
    assert!(!policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let again = app.client().get(format!("{}/sign-in", app.address)).send().await.unwrap();
    assert_ne!(again.headers()["content-security-policy"].to_str().unwrap(), policy, "a fresh nonce per response");

    let api = app.client().post(format!("{}/api/needs_setup", app.address)).send().await.unwrap();
    assert_eq!(api.headers()["content-security-policy"], app::ssr::security::NOT_A_PAGE);
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

async fn deactivate_users_selects_everyone_not_signed_in_since_a_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = acme(&app).await;
    let admin = app.signed_in("acme", "admin@acme.test").await;
    app.signed_in("acme", "lena@acme.test").await;
    sqlx::query("UPDATE users SET last_sign_in_at = 946684800 WHERE id = $1")
        .bind(t.otto)
        .execute(&app.store.pool)
        .await
        .unwrap();
    let select = |idle_since: &str| {
        let query = json!({"query": {"q": "", "role": null, "leader": null, "status": null, "group": null,
            "idle_since": idle_since, "sort": "name", "descending": false, "page": 0}});
        let (app, admin) = (&app, &admin);
        async move {
            let users: Value = app.call_json(admin, "select_matching", query).await.json().await.unwrap();
            users.as_array().unwrap().iter().map(|u| u["label"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    // Otto last signed in on 2000-01-01; Ann, Bea and Sam never did; Lena and the admin just did.
    assert_eq!(select("2000-06-01").await, ["Ann Agent", "Bea Beyond", "Otto Other", "Sam Sub"]);
    assert_eq!(select("1999-06-01").await, ["Ann Agent", "Bea Beyond", "Sam Sub"]);
    deactivate(&app, &admin, &[t.bea], &[]).await;
    assert_eq!(select("1999-06-01").await, ["Ann Agent", "Sam Sub"], "the deactivated are not offered again");
    let page = app.list(&admin, json!({"idle_since": "1999-06-01", "status": "deactivated"})).await;
    assert_eq!(names(&page), ["Bea Beyond"], "the roster filters by last sign-in too");
    assert_eq!(page["rows"][0]["last_sign_in"], Value::Null);
}

on_both_backends!(
    deactivate_users_selects_everyone_not_signed_in_since_a_day,
    a_team_leader_reads_searches_and_downloads_only_their_own_team,
    the_hierarchy_counts_each_leaders_team_per_channel_and_leaders_see_only_their_branch,
    an_admin_shapes_custom_roles_and_a_role_in_use_is_only_deactivated,
    an_admin_creates_renames_and_deletes_groups_with_exact_unique_names,
    a_leader_is_deactivated_only_after_their_team_gets_a_new_leader_and_is_signed_out_at_once,
    a_deputy_takes_the_old_leaders_place_and_an_admin_cannot_deactivate_themselves,
    the_session_id_changes_at_sign_in_and_sign_out_ends_it_on_the_server,
    behind_https_the_session_cookie_is_secure,
    pages_carry_a_nonce_policy_and_nothing_may_frame_or_sniff_them,
);
