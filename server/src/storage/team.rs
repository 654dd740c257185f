//! The Manage Team table: search, filters, sorting and paging in SQL, and the choices the
//! filters and the form offer.

use app::model::{Choice, PAGE_SIZE, SortKey, TeamChoices, TeamPage, TeamQuery, TeamRow, UserStatus};
use app::ssr::StoreError;
use sqlx::{AnyPool, Row};

use super::sql::{Sql, Value, like_escape};
use super::{flag, internal};

/// Appends the WHERE clause of a roster query.
fn filters(sql: &mut Sql, org_id: i64, query: &TeamQuery) {
    sql.push(" WHERE u.org_id = ").bind(Value::Int(org_id));
    let text = query.q.trim().to_lowercase();
    if !text.is_empty() {
        sql.push(" AND u.search_text LIKE ")
            .bind(Value::Text(format!("%{}%", like_escape(&text))))
            .push(" ESCAPE '\\'");
    }
    if let Some(role) = query.role {
        sql.push(" AND u.role_id = ").bind(Value::Int(role));
    }
    if let Some(leader) = query.leader {
        sql.push(" AND u.leader_id = ").bind(Value::Int(leader));
    }
    if let Some(status) = query.status {
        sql.push(" AND u.status = ").bind(Value::Text(status.as_str().to_owned()));
    }
    if let Some(group) = query.group {
        sql.push(" AND EXISTS (SELECT 1 FROM user_groups ug WHERE ug.user_id = u.id AND ug.group_id = ")
            .bind(Value::Int(group))
            .push(")");
    }
}

fn order_by(query: &TeamQuery) -> String {
    let direction = if query.descending { "DESC" } else { "ASC" };
    let columns: &[&str] = match query.sort {
        SortKey::Name => &["u.last_name", "u.first_name"],
        SortKey::Email => &["u.email_key"],
        SortKey::EmployeeId => &["u.employee_id"],
        SortKey::Role => &["r.name"],
        SortKey::Status => &["u.status"],
    };
    let mut parts: Vec<String> = columns.iter().map(|c| format!("{c} {direction}")).collect();
    parts.push(format!("u.id {direction}"));
    format!(" ORDER BY {}", parts.join(", "))
}

pub async fn list_team(pool: &AnyPool, org_id: i64, query: &TeamQuery) -> Result<TeamPage, StoreError> {
    let mut count = Sql::new("SELECT COUNT(*) FROM users u");
    filters(&mut count, org_id, query);
    let total: i64 =
        count.query().map_err(internal)?.fetch_one(pool).await.map_err(internal)?.try_get(0).map_err(internal)?;

    let pages = (total.max(1) as u64).div_ceil(u64::from(PAGE_SIZE)) as u32;
    let page = query.page.min(pages.saturating_sub(1));
    let mut select = Sql::new(
        "SELECT u.id, u.first_name, u.last_name, u.email, u.employee_id, r.name AS role, u.status,
                l.first_name AS leader_first, l.last_name AS leader_last
         FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN users l ON l.id = u.leader_id",
    );
    filters(&mut select, org_id, query);
    select.push(&order_by(query));
    select.push(" LIMIT ").bind(Value::Int(i64::from(PAGE_SIZE)));
    select.push(" OFFSET ").bind(Value::Int(i64::from(page) * i64::from(PAGE_SIZE)));
    let rows = select.query().map_err(internal)?.fetch_all(pool).await.map_err(internal)?;
    let rows = rows
        .iter()
        .map(|row| -> Result<TeamRow, sqlx::Error> {
            let leader_first: Option<String> = row.try_get("leader_first")?;
            let leader_last: Option<String> = row.try_get("leader_last")?;
            Ok(TeamRow {
                id: row.try_get("id")?,
                name: format!("{} {}", row.try_get::<String, _>("first_name")?, row.try_get::<String, _>("last_name")?),
                email: row.try_get("email")?,
                employee_id: row.try_get("employee_id")?,
                role: row.try_get("role")?,
                team_leader: leader_first.zip(leader_last).map(|(f, l)| format!("{f} {l}")),
                status: UserStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(UserStatus::Created),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    Ok(TeamPage { rows, total: total as u64, page })
}

pub async fn team_options(pool: &AnyPool, org_id: i64) -> Result<TeamChoices, StoreError> {
    let choices = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<Choice>, StoreError> {
        rows.iter()
            .map(|row| {
                Ok(Choice {
                    id: row.try_get("id")?,
                    label: row.try_get("label")?,
                    reference: row.try_get("reference")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(internal)
    };
    let roles = sqlx::query(
        "SELECT id, name AS label, NULL AS reference FROM roles WHERE org_id = $1 AND active = TRUE ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    let groups = sqlx::query("SELECT id, name AS label, NULL AS reference FROM groups WHERE org_id = $1 ORDER BY name")
        .bind(org_id)
        .fetch_all(pool)
        .await
        .map_err(internal)?;
    let leaders = sqlx::query(
        "SELECT id, first_name || ' ' || last_name AS label, COALESCE(email, employee_id) AS reference FROM users
         WHERE org_id = $1 AND can_manage_teams = TRUE AND status <> 'deactivated' ORDER BY last_name, first_name, id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
    .map_err(internal)?;
    let org = sqlx::query("SELECT uses_custom_roles FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await
        .map_err(internal)?;
    let uses_custom_roles = flag(&org, "uses_custom_roles").map_err(internal)?;
    Ok(TeamChoices { roles: choices(roles)?, groups: choices(groups)?, leaders: choices(leaders)?, uses_custom_roles })
}
