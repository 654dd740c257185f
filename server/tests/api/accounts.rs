//! Set-up, sign-in, sessions, throttling and the Origin check.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, error_of};
use crate::on_both_backends;

async fn the_setup_page_creates_the_first_organisation_and_then_closes(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let needs: bool = app.call(&client, "needs_setup", &[]).await.json().await.unwrap();
    assert!(needs);

    let form = [
        ("organisation", "Acme Support"),
        ("slug", "acme"),
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("email", "grace@acme.test"),
        ("password", PASSWORD),
    ];
    let response = app.call(&client, "set_up", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let viewer: serde_json::Value = app.call(&client, "current_viewer", &[]).await.json().await.unwrap();
    assert_eq!(viewer["display_name"], "Grace Hopper");
    assert_eq!(viewer["permission"], "Admin");

    let mut second = form.to_vec();
    second[1] = ("slug", "other");
    let again = app.call(&app.client(), "set_up", &second).await;
    let (status, body) = error_of(again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, json!({"Conflict": "Roster is already set up; sign in instead."}));
}

async fn the_setup_page_refuses_bad_input_and_creates_nothing(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let form = [
        ("organisation", "Acme"),
        ("slug", "Not A Slug!"),
        ("first_name", ""),
        ("last_name", "Hopper"),
        ("email", "grace@"),
        ("password", "short"),
    ];
    let (status, body) = error_of(app.call(&app.client(), "set_up", &form).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["Form"],
        json!([
            "\"Not A Slug!\" cannot be an organisation's short name; use 2 to 40 lowercase letters, digits and hyphens, like acme-support.",
            "\"grace@\" is not a valid email address; use the form name@example.com.",
            "First Name is required; enter the person's name as it should be displayed.",
            "Password must be at least 10 characters long; a short phrase of a few words works well.",
        ])
    );
    let needs: bool = app.call(&app.client(), "needs_setup", &[]).await.json().await.unwrap();
    assert!(needs, "nothing was created");
}

async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let client = app.client();
    let wrong_password = error_of(app.sign_in(&client, "acme", "admin@acme.test", "not the password").await).await;
    let unknown_email = error_of(app.sign_in(&client, "acme", "nobody@acme.test", PASSWORD).await).await;
    let unknown_org = error_of(app.sign_in(&client, "nope", "admin@acme.test", PASSWORD).await).await;
    let invisible = error_of(app.sign_in(&client, "acme\u{0}", "admin\u{0}@acme.test", PASSWORD).await).await;
    for (status, body) in [wrong_password, unknown_email, unknown_org, invisible] {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, json!("BadCredentials"));
    }
    let viewer: serde_json::Value = app.call(&client, "current_viewer", &[]).await.json().await.unwrap();
    assert_eq!(viewer, json!(null));
}

async fn signing_in_ignores_the_case_of_the_email_address(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let response = app.sign_in(&app.client(), "ACME", "Admin@Acme.TEST", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn the_session_cookie_is_http_only_and_same_site(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let response = app.sign_in(&app.client(), "acme", "admin@acme.test", PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("roster_session="));
    assert!(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax"), "{cookie}");
}

async fn five_failed_sign_ins_lock_the_account_even_against_the_right_password(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let client = app.client();
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&client, "acme", "admin@acme.test", "wrong password!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = error_of(app.sign_in(&client, "acme", "admin@acme.test", PASSWORD).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, json!({"Throttled": {"minutes": 15}}));
    // Another account is not affected.
    app.org_with_admin("other").await;
    assert_eq!(app.sign_in(&client, "other", "admin@other.test", PASSWORD).await.status(), StatusCode::OK);
}

async fn signing_out_ends_the_session_on_the_server(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let response = app.sign_in(&app.client(), "acme", "admin@acme.test", PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let with_cookie = |endpoint: &'static str| {
        app.client().post(format!("{}/api/{endpoint}", app.address)).header("cookie", cookie.clone()).send()
    };
    let viewer: serde_json::Value = with_cookie("current_viewer").await.unwrap().json().await.unwrap();
    assert_eq!(viewer["display_name"], "Admin acme");

    let signed_out = with_cookie("sign_out").await.unwrap();
    assert!(signed_out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    // The old cookie, replayed, no longer works.
    let viewer: serde_json::Value = with_cookie("current_viewer").await.unwrap().json().await.unwrap();
    assert_eq!(viewer, json!(null));
}

async fn a_cross_site_post_is_refused_before_any_server_function_runs(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    app.org_with_admin("acme").await;
    let response = app
        .client()
        .post(format!("{}/api/sign_in", app.address))
        .header("origin", "https://evil.example")
        .form(&[("organisation", "acme"), ("email", "admin@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("set-cookie").is_none());
    let same_site = app
        .client()
        .post(format!("{}/api/sign_in", app.address))
        .header("origin", &app.address)
        .form(&[("organisation", "acme"), ("email", "admin@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::OK);
}

async fn pages_are_served_with_security_headers(backend: crate::helpers::Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client().get(format!("{}/sign-in", app.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert!(response.text().await.unwrap().contains("Sign in to Roster"));
}

on_both_backends!(
    the_setup_page_creates_the_first_organisation_and_then_closes,
    the_setup_page_refuses_bad_input_and_creates_nothing,
    a_wrong_password_is_refused_without_saying_which_part_was_wrong,
    signing_in_ignores_the_case_of_the_email_address,
    the_session_cookie_is_http_only_and_same_site,
    five_failed_sign_ins_lock_the_account_even_against_the_right_password,
    signing_out_ends_the_session_on_the_server,
    a_cross_site_post_is_refused_before_any_server_function_runs,
    pages_are_served_with_security_headers,
);
