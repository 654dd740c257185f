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
