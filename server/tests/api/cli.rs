//! The command line that scripts use to set up organisations and admins.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::TempDir;

fn server(data: &TempDir, args: &[&str], stdin: Option<&str>, password_env: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(args)
        .env("ROSTER_DATA_DIR", &data.0)
        .env_remove("DATABASE_URL")
        .env_remove("ROSTER_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password_env {
        command.env("ROSTER_ADMIN_PASSWORD", password);
    }
    let mut child = command.spawn().expect("the server binary runs");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.unwrap_or_default().as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("the server binary finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn scripts_create_an_organisation_and_admins_with_the_password_from_env_or_stdin() {
    let data = TempDir::new();
    let created = server(&data, &["org", "create", "--slug", "acme", "--name", "Acme Support"], None, None);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert_eq!(text(&created.stdout), "Created organisation Acme Support (acme).\n");
    assert!(data.0.join("roster.db").exists(), "the embedded database lives in the data folder");

    let from_env = server(
        &data,
        &["admin", "create", "--org", "acme", "--email", "grace@acme.test"],
        None,
        Some("a long enough password"),
    );
    assert!(from_env.status.success(), "{}", text(&from_env.stderr));
    let from_stdin = server(
        &data,
        &["admin", "create", "--org", "acme", "--email", "ada@acme.test"],
        Some("another long password\n"),
        None,
    );
    assert!(from_stdin.status.success(), "{}", text(&from_stdin.stderr));
}

#[test]
fn scripts_get_a_clear_error_and_a_failing_status_for_bad_input() {
    let data = TempDir::new();
    assert!(server(&data, &["org", "create", "--slug", "acme", "--name", "Acme"], None, None).status.success());

    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (
            &["org", "create", "--slug", "acme", "--name", "Again"],
            None,
            "An organisation with the short name acme already exists.",
        ),
        (&["org", "create", "--slug", "Bad Slug", "--name", "X"], None, "cannot be an organisation's short name"),
        (
            &["admin", "create", "--org", "nope", "--email", "a@b.test"],
            Some("a long enough password"),
            "There is no organisation with the short name nope",
        ),
        (
            &["admin", "create", "--org", "acme", "--email", "a@b.test"],
            Some("short"),
            "Password must be at least 10 characters long",
        ),
    ];
    for (args, password, message) in cases {
        let output = server(&data, args, None, password);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(text(&output.stderr).contains(message), "{args:?}: {}", text(&output.stderr));
    }
    let duplicate = server(
        &data,
        &["admin", "create", "--org", "acme", "--email", "a@b.test"],
        None,
        Some("a long enough password"),
    );
    assert!(duplicate.status.success());
    let again = server(
        &data,
        &["admin", "create", "--org", "acme", "--email", "A@B.test"],
        None,
        Some("a long enough password"),
    );
    assert!(text(&again.stderr).contains("That email address is already used in acme."), "{}", text(&again.stderr));
}

/// A bulk-create file with one leader and `agents` reports (plus `extra` rows as written).
fn team_file(agents: usize, extra: &[&str]) -> Vec<u8> {
    let mut text = String::from(
        "Can Manage Teams\tEmail Address\tFirst Name\tLast Name\tPhone Channel\tChat Channel\tEmail Channel\tTeam Leader\r\n",
    );
    text.push_str("y\tlee@acme.test\tLee\tLeader\ty\ty\ty\t\r\n");
    for n in 0..agents {
        text.push_str(&format!("n\tagent{n}@acme.test\tAgent\t{n}\ty\ty\ty\tlee@acme.test\r\n"));
    }
    for row in extra {
        text.push_str(row);
        text.push_str("\r\n");
    }
    app::roster::write::utf16le(&text)
}

#[test]
fn import_checks_a_file_reports_json_and_fails_when_it_has_errors() {
    let data = TempDir::new();
    assert!(server(&data, &["org", "create", "--slug", "acme", "--name", "Acme"], None, None).status.success());
    let bad = data.0.join("bad.txt");
    std::fs::write(&bad, team_file(3, &["n\tagent1@acme.test\t\tDup\ty\ty\ty\tnobody@acme.test"])).unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let rejected =
        server(&data, &["import", "--org", "acme", "--mode", "create", "--format", "json", &bad], None, None);
    assert_eq!(rejected.status.code(), Some(1), "errors make a failing status");
    let report: serde_json::Value = serde_json::from_slice(&rejected.stdout).expect("a JSON report on stdout");
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["counts"]["errors"], 1);
    let codes: Vec<&str> = report["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["required", "duplicate_email"]);
    assert!(report["errors"].as_array().unwrap().iter().all(|e| e["row"] == 6));

    let good = data.0.join("good.txt");
    std::fs::write(&good, team_file(3, &[])).unwrap();
    let good = good.to_string_lossy().into_owned();
    let dry = server(&data, &["import", "--org", "acme", "--mode", "create", "--dry-run", &good], None, None);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("Dry run: the file is valid; 4 users would be created."),
        "{}",
        text(&dry.stdout)
    );
    let args =
        ["import", "--org", "acme", "--mode", "create", "--delay-welcome-emails", "--idempotency-key", "k1", &good];
    let created = server(&data, &args, None, None);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert_eq!(text(&created.stdout), "Created 4 users (batch 1).\n");
    let again = server(&data, &args, None, None);
    assert!(again.status.success());
    assert!(text(&again.stdout).contains("already imported"), "{}", text(&again.stdout));

    let missing = server(&data, &["import", "--org", "acme", "--mode", "create", "/no/such/file.txt"], None, None);
    assert!(text(&missing.stderr).contains("could not read /no/such/file.txt"), "{}", text(&missing.stderr));
}

#[test]
fn an_api_key_is_printed_once_and_stored_only_as_a_hash() {
    let data = TempDir::new();
    assert!(server(&data, &["org", "create", "--slug", "acme", "--name", "Acme"], None, None).status.success());
    let created = server(&data, &["api-key", "create", "--org", "acme", "--name", "Okta sync"], None, None);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let key = text(&created.stdout).trim().to_owned();
    assert!(key.starts_with("roster_") && key.len() > 60, "{key}");
    let mut stored = std::fs::read(data.0.join("roster.db")).unwrap();
    stored.extend(std::fs::read(data.0.join("roster.db-wal")).unwrap_or_default());
    let stored = String::from_utf8_lossy(&stored);
    assert!(!stored.contains(&key[7..]), "the key itself is not in the database");
    assert!(stored.contains(&app::ssr::auth::token_hash(&key)), "its SHA-256 is");
}

#[test]
fn export_writes_the_current_team_and_import_mode_update_applies_the_edited_file() {
    let data = TempDir::new();
    assert!(server(&data, &["org", "create", "--slug", "acme", "--name", "Acme"], None, None).status.success());
    let created = data.0.join("created.txt");
    std::fs::write(&created, team_file(2, &[])).unwrap();
    let created = created.to_string_lossy().into_owned();
    assert!(server(&data, &["import", "--org", "acme", "--mode", "create", &created], None, None).status.success());

    let exported = data.0.join("team.txt");
    let exported_arg = exported.to_string_lossy().into_owned();
    let written = server(&data, &["export", "--org", "acme", &exported_arg], None, None);
    assert!(written.status.success(), "{}", text(&written.stderr));
    assert_eq!(text(&written.stdout), format!("Wrote 3 users of acme to {exported_arg}.\n"));

    let file = app::roster::decode::decode(&std::fs::read(&exported).unwrap()).unwrap();
    assert!(file.starts_with("User ID\tRole\tCan Manage Teams\t"), "{file}");
    let edited = file.replace("\tAgent\t0\t", "\tAgnes\t0\t");
    std::fs::write(&exported, app::roster::write::utf16le(&edited)).unwrap();
    let updated = server(&data, &["import", "--org", "acme", "--mode", "update", &exported_arg], None, None);
    assert!(updated.status.success(), "{}", text(&updated.stdout));
    assert_eq!(text(&updated.stdout), "Updated 1 user; 2 unchanged (batch 2).\n");

    let missing = server(&data, &["export", "--org", "nope", &exported_arg], None, None);
    assert!(text(&missing.stderr).contains("There is no organisation with the short name nope"));
    let unwritable = server(&data, &["export", "--org", "acme", "/no/such/folder/team.txt"], None, None);
    assert!(!unwritable.status.success());
    assert!(
        text(&unwritable.stderr).contains("could not write /no/such/folder/team.txt"),
        "{}",
        text(&unwritable.stderr)
    );
    let utf8 = data.0.join("utf8.txt");
    std::fs::write(&utf8, "User ID,First Name\n1,Ada\n").unwrap();
    let utf8 = utf8.to_string_lossy().into_owned();
    let refused =
        server(&data, &["import", "--org", "acme", "--mode", "update", "--format", "json", &utf8], None, None);
    assert_eq!(refused.status.code(), Some(1), "errors make a failing status");
    let report: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("a JSON report");
    assert_eq!((report["status"].as_str(), report["errors"][0]["row"].is_null()), (Some("rejected"), true));
}

#[test]
fn a_bad_setting_stops_the_server_before_it_touches_anything_and_names_the_setting() {
    let data = TempDir::new();
    for (name, value) in [("ROSTER_API_CALLS_PER_MINUTE", "lots"), ("ROSTER_API_CALLS_PER_MINUTE", "0")] {
        let output = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["org", "create", "--slug", "acme", "--name", "Acme"])
            .env("ROSTER_DATA_DIR", &data.0)
            .env_remove("DATABASE_URL")
            .env(name, value)
            .output()
            .expect("the server binary runs");
        assert!(!output.status.success(), "{name}={value}");
        let message = text(&output.stderr);
        assert!(message.contains(&format!("{name} \"{value}\" is not a positive whole number")), "{message}");
    }
    assert!(!data.0.join("roster.db").exists(), "no database was made");
}
