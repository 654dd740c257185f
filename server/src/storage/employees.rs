//! The provisioning API's reads: users with every field, their team leader's reference and their
//! groups, paged by id so that a page never skips or repeats anyone, whatever changes meanwhile.

use std::collections::HashMap;

use app::model::UserStatus;
use app::provisioning::{Employee, EmployeeFilter};
use app::ssr::StoreError;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::sql::{Sql, Value, like_escape};
use super::users::audit;
use super::{flag, internal, now};

const SELECT: &str =
    "SELECT u.id, u.email, u.employee_id, u.first_name, u.last_name, r.name AS role, u.can_manage_teams,
        u.home_town, u.state_or_country, u.bio, u.phone_channel, u.chat_channel, u.email_channel,
        COALESCE(l.email, l.employee_id) AS team_leader, u.leader_id, u.employment_status, u.start_date, u.status,
        u.external_id, u.version, u.updated_at
    FROM users u JOIN roles r ON r.id = u.role_id LEFT JOIN users l ON l.id = u.leader_id";

fn read_employee(row: &AnyRow) -> Result<Employee, sqlx::Error> {
    Ok(Employee {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        employee_id: row.try_get("employee_id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        role: row.try_get("role")?,
        can_manage_teams: flag(row, "can_manage_teams")?,
        home_town: row.try_get("home_town")?,
        state_or_country: row.try_get("state_or_country")?,
        profile: row.try_get("bio")?,
        phone_channel: flag(row, "phone_channel")?,
        chat_channel: flag(row, "chat_channel")?,
        email_channel: flag(row, "email_channel")?,
        team_leader: row.try_get("team_leader")?,
        team_leader_id: row.try_get("leader_id")?,
        employment_status: row.try_get("employment_status")?,
        start_date: row.try_get("start_date")?,
        groups: Vec::new(),
        status: UserStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(UserStatus::Created),
        external_id: row.try_get("external_id")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Reads the rows and fills in each one's groups, by name.
async fn with_groups(pool: &AnyPool, org_id: i64, rows: Vec<AnyRow>) -> Result<Vec<Employee>, StoreError> {
    let mut employees: Vec<Employee> = rows.iter().map(read_employee).collect::<Result<_, _>>().map_err(internal)?;
    if employees.is_empty() {
        return Ok(employees);
    }
    let mut sql = Sql::new(
        "SELECT ug.user_id, g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.org_id = ",
    );
    sql.bind(Value::Int(org_id)).push(" AND ug.user_id IN (");
    for (i, e) in employees.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Value::Int(e.id));
    }
    sql.push(") ORDER BY g.name");
    let memberships = sql.query().map_err(internal)?.fetch_all(pool).await.map_err(internal)?;
    let mut groups: HashMap<i64, Vec<String>> = HashMap::new();
    for row in &memberships {
        groups.entry(row.try_get(0).map_err(internal)?).or_default().push(row.try_get(1).map_err(internal)?);
    }
    for e in &mut employees {
        e.groups = groups.remove(&e.id).unwrap_or_default();
    }
    Ok(employees)
}

pub async fn employees(
    pool: &AnyPool,
    org_id: i64,
    filter: &EmployeeFilter,
    after: i64,
    limit: i64,
) -> Result<Vec<Employee>, StoreError> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE u.org_id = ").bind(Value::Int(org_id)).push(" AND u.id > ").bind(Value::Int(after));
    if let Some(status) = filter.status {
        sql.push(" AND u.status = ").bind(Value::Text(status.as_str().to_owned()));
    }
    if let Some(employment) = filter.employment_status {
        sql.push(" AND u.employment_status = ").bind(Value::Text(employment.as_str().to_owned()));
    }
    if let Some(leader) = &filter.team_leader {
        let reference = leader.trim();
        sql.push(" AND (l.email_key = ")
            .bind(Value::Text(roster::fields::email_key(reference).into_owned()))
            .push(" OR l.employee_id = ")
            .bind(Value::Text(reference.to_owned()))
            .push(")");
    }
    if let Some(group) = &filter.group {
        sql.push(
            " AND EXISTS (SELECT 1 FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = u.id AND g.name = ",
        )
        .bind(Value::Text(group.clone()))
        .push(")");
    }
    if let Some(role) = &filter.role {
        sql.push(" AND LOWER(r.name) = ").bind(Value::Text(role.trim().to_lowercase()));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        sql.push(" AND u.search_text LIKE ")
            .bind(Value::Text(format!("%{}%", like_escape(&text.to_lowercase()))))
            .push(" ESCAPE '\\'");
    }
    sql.push(" ORDER BY u.id LIMIT ").bind(Value::Int(limit));
    let rows = sql.query().map_err(internal)?.fetch_all(pool).await.map_err(internal)?;
    with_groups(pool, org_id, rows).await
}

pub async fn employee(pool: &AnyPool, org_id: i64, reference: &str) -> Result<Option<Employee>, StoreError> {
    let reference = reference.trim();
    let key = roster::fields::email_key(reference).into_owned();
    let sql = format!(
        "{SELECT} WHERE u.org_id = $1 AND (u.email_key = $2 OR u.employee_id = $3)
         ORDER BY CASE WHEN u.email_key = $2 THEN 0 ELSE 1 END LIMIT 1"
    );
    let rows = sqlx::query(&sql).bind(org_id).bind(key).bind(reference).fetch_all(pool).await.map_err(internal)?;
    Ok(with_groups(pool, org_id, rows).await?.pop())
}

/// Users by id from the `offset`-th (SCIM's `startIndex` paging), and how many there are.
pub async fn employees_from(
    pool: &AnyPool,
    org_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Employee>, i64), StoreError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await
        .map_err(internal)?;
    let sql = format!("{SELECT} WHERE u.org_id = $1 ORDER BY u.id LIMIT $2 OFFSET $3");
    let rows = sqlx::query(&sql).bind(org_id).bind(limit).bind(offset).fetch_all(pool).await.map_err(internal)?;
    Ok((with_groups(pool, org_id, rows).await?, total))
}

pub async fn employee_by_id(pool: &AnyPool, org_id: i64, id: i64) -> Result<Option<Employee>, StoreError> {
    let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2");
    let rows = sqlx::query(&sql).bind(org_id).bind(id).fetch_all(pool).await.map_err(internal)?;
    Ok(with_groups(pool, org_id, rows).await?.pop())
}

/// The user an identity provider knows by `external_id`.
pub async fn employee_by_external_id(
    pool: &AnyPool,
    org_id: i64,
    external_id: &str,
) -> Result<Option<Employee>, StoreError> {
    let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.external_id = $2 ORDER BY u.id LIMIT 1");
    let rows = sqlx::query(&sql).bind(org_id).bind(external_id).fetch_all(pool).await.map_err(internal)?;
    Ok(with_groups(pool, org_id, rows).await?.pop())
}

pub async fn audit_api_call(
    pool: &AnyPool,
    org_id: i64,
    key_id: i64,
    call: &str,
    status: u16,
) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await.map_err(internal)?;
    let detail = serde_json::json!({ "api_key": key_id, "call": call, "status": status });
    audit(&mut conn, org_id, None, "api.call", None, &detail.to_string(), now()).await
}
