//! Storage set-up that every deployment depends on.

use sqlx::Row;

use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Ask several pooled connections, not just the first.
    for _ in 0..3 {
        let mut conn = app.store.pool.acquire().await.unwrap();
        let journal: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap().get(0);
        let foreign_keys: i64 = sqlx::query("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap().get(0);
        let busy_timeout: i64 = sqlx::query("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap().get(0);
        assert_eq!((journal.as_str(), foreign_keys, busy_timeout), ("wal", 1, 5000));
    }
}

#[tokio::test]
async fn a_row_that_names_a_missing_organisation_is_refused_by_the_database() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let refused =
        sqlx::query("INSERT INTO groups (org_id, name) VALUES (999, 'Orphans')").execute(&app.store.pool).await;
    assert!(refused.is_err(), "foreign keys are enforced");
}
