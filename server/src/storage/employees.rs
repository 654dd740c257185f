//! The provisioning API's reads: users with every field, their team leader's reference and their
//! groups, paged by id so that a page never skips or repeats anyone, whatever changes meanwhile.

use std::collections::HashMap;

use app::ssr::StoreError;
use app::user::UserStatus;
use roster::fields::EmploymentStatus;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::narrow::Narrow;
use super::sql::{Sql, like_escape};
use super::{DbResult, SqlStore, db, flag};

/// A user as the API answers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    pub id: i64,
    pub email: Option<String>,
    pub employee_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub can_manage_teams: bool,
    pub home_town: Option<String>,
    pub state_or_country: Option<String>,
    pub profile: Option<String>,
    pub phone_channel: bool,
    pub chat_channel: bool,
    pub email_channel: bool,
    /// The team leader's email address, or their employee ID when they have none.
    pub team_leader: Option<String>,
    /// The team leader's id.
    pub team_leader_id: Option<i64>,
    pub employment_status: Option<String>,
    pub start_date: Option<String>,
    pub groups: Vec<String>,
    pub status: UserStatus,
    /// The identity provider's own id for the user (SCIM `externalId`), when one provisioned them.
    pub external_id: Option<String>,
    /// Incremented on every change; the ETag is this number in quotes.
    pub version: i64,
    pub updated_at: i64,
    /// Deleted by an identity provider (SCIM `DELETE`) and still deactivated: SCIM no longer sees them.
    #[serde(skip)]
    pub scim_deleted: bool,
    /// The identity provider's userName when it is neither their email nor their employee ID.
    #[serde(skip)]
    pub scim_user_name: Option<String>,
}

/// What the list is narrowed to; every present filter must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmployeeFilter {
    pub status: Option<UserStatus>,
    pub employment_status: Option<EmploymentStatus>,
    /// A team leader's email address or employee ID: their direct reports.
    pub team_leader: Option<String>,
    /// A group's exact name.
    pub group: Option<String>,
    /// A role's name, in any case.
    pub role: Option<String>,
    /// Free text over name, email address and employee ID.
    pub text: Option<String>,
}

const SELECT: &str =
    "SELECT u.id, u.email, u.employee_id, u.first_name, u.last_name, r.name AS role, u.can_manage_teams,
        u.home_town, u.state_or_country, u.bio, u.phone_channel, u.chat_channel, u.email_channel,
        COALESCE(l.email, l.employee_id) AS team_leader, u.leader_id, u.employment_status, u.start_date, u.status,
        u.external_id, u.version, u.updated_at, u.scim_user_name,
        CASE WHEN u.scim_deleted_at IS NOT NULL AND u.status = 'deactivated' THEN 1 ELSE 0 END AS scim_deleted
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
        scim_deleted: row.try_get::<i32, _>("scim_deleted")? == 1,
        scim_user_name: row.try_get("scim_user_name")?,
    })
}

/// ` WHERE` the users of `org_id` that SCIM can see (all but those an identity provider deleted,
/// while they stay deactivated) and `narrow` matches.
fn push_scim_users(sql: &mut Sql, org_id: i64, narrow: &Narrow) {
    sql.push(" WHERE u.org_id = ").bind(org_id);
    sql.push(" AND (u.scim_deleted_at IS NULL OR u.status <> 'deactivated') AND (");
    narrow.push(sql);
    sql.push(")");
}

/// Reads the rows and fills in each one's groups, by name.
async fn with_groups(store: &SqlStore, org_id: i64, rows: Vec<AnyRow>) -> DbResult<Vec<Employee>> {
    let mut employees: Vec<Employee> = rows.iter().map(read_employee).collect::<Result<_, _>>()?;
    if employees.is_empty() {
        return Ok(employees);
    }
    let mut sql = Sql::new(
        store.backend,
        "SELECT ug.user_id, g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.org_id = ",
    );
    sql.bind(org_id).push(" AND ug.user_id IN ").bind_list(employees.iter().map(|e| e.id)).push(" ORDER BY g.name");
    let memberships = sql.query()?.fetch_all(&store.pool).await?;
    let mut groups: HashMap<i64, Vec<String>> = HashMap::new();
    for row in &memberships {
        groups.entry(row.try_get(0)?).or_default().push(row.try_get(1)?);
    }
    for e in &mut employees {
        e.groups = groups.remove(&e.id).unwrap_or_default();
    }
    Ok(employees)
}

/// The provisioning APIs' reads.
impl SqlStore {
    /// Marks a user deleted by their identity provider (they are deactivated already).
    pub async fn mark_scim_deleted(&self, org_id: i64, id: i64) -> Result<(), StoreError> {
        db(async {
            sqlx::query("UPDATE users SET scim_deleted_at = $1 WHERE org_id = $2 AND id = $3")
                .bind(super::now())
                .bind(org_id)
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    /// The users SCIM can see that `narrow` may match, after id `after`, by id, at most `limit`.
    pub async fn employees_narrowed(
        &self,
        org_id: i64,
        narrow: &Narrow,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Employee>, StoreError> {
        db(async {
            let mut sql = Sql::new(self.backend, SELECT);
            push_scim_users(&mut sql, org_id, narrow);
            sql.push(" AND u.id > ").bind(after).push(" ORDER BY u.id LIMIT ").bind(limit);
            let rows = sql.query()?.fetch_all(&self.pool).await?;
            with_groups(self, org_id, rows).await
        })
        .await
    }

    /// One page of the REST list: users after id `after`, by id, at most `limit`.
    pub async fn employees(
        &self,
        org_id: i64,
        filter: &EmployeeFilter,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Employee>, StoreError> {
        db(async {
            let mut sql = Sql::new(self.backend, SELECT);
            sql.push(" WHERE u.org_id = ").bind(org_id).push(" AND u.id > ").bind(after);
            if let Some(status) = filter.status {
                sql.push(" AND u.status = ").bind(status.as_str().to_owned());
            }
            if let Some(employment) = filter.employment_status {
                sql.push(" AND u.employment_status = ").bind(employment.as_str().to_owned());
            }
            if let Some(leader) = &filter.team_leader {
                let reference = leader.trim();
                sql.push(" AND (l.email_key = ")
                    .bind_text(&roster::fields::email_key(reference))
                    .push(" OR l.employee_id = ")
                    .bind_text(reference)
                    .push(")");
            }
            if let Some(group) = &filter.group {
                sql.push(
                    " AND EXISTS (SELECT 1 FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = u.id AND g.name = ",
                )
                .bind_text(group)
                .push(")");
            }
            if let Some(role) = &filter.role {
                sql.push(" AND LOWER(r.name) = ").bind_text(&role.trim().to_lowercase());
            }
            if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                sql.push(" AND u.search_text LIKE ")
                    .bind_text(&format!("%{}%", like_escape(&text.to_lowercase())))
                    .push(" ESCAPE '\\'");
            }
            sql.push(" ORDER BY u.id LIMIT ").bind(limit);
            let rows = sql.query()?.fetch_all(&self.pool).await?;
            with_groups(self, org_id, rows).await
        })
        .await
    }

    /// A user by email address (any case) or employee ID; an email address wins over someone
    /// else's equal employee ID.
    pub async fn employee(&self, org_id: i64, reference: &str) -> Result<Option<Employee>, StoreError> {
        db(async {
            let reference = reference.trim();
            let key = roster::fields::email_key(reference).into_owned();
            let sql = format!(
                "{SELECT} WHERE u.org_id = $1 AND (u.email_key = $2 OR u.employee_id = $3)
                 ORDER BY CASE WHEN u.email_key = $2 THEN 0 ELSE 1 END LIMIT 1"
            );
            let rows = sqlx::query(&sql).bind(org_id).bind(key).bind(reference).fetch_all(&self.pool).await?;
            Ok(with_groups(self, org_id, rows).await?.pop())
        })
        .await
    }

    /// A user by SCIM `userName`, in one query (Okta asks before every create): the identity
    /// provider's own login when one was kept (any case), or else the email address or employee
    /// ID of someone without a kept login ([`SqlStore::employee`]'s order).
    pub async fn employee_by_user_name(&self, org_id: i64, name: &str) -> Result<Option<Employee>, StoreError> {
        db(async {
            let name = name.trim();
            // `IS NOT NULL` lets both databases use the partial index users_scim_user_name.
            let sql = format!(
                "{SELECT} WHERE u.org_id = $1
                   AND ((u.scim_user_name IS NOT NULL AND LOWER(u.scim_user_name) = $2)
                        OR (u.email_key = $3 AND u.scim_user_name IS NULL)
                        OR (u.employee_id = $4 AND u.scim_user_name IS NULL))
                 ORDER BY CASE WHEN u.scim_user_name IS NOT NULL THEN 0 WHEN u.email_key = $3 THEN 1 ELSE 2 END
                 LIMIT 1"
            );
            let rows = sqlx::query(&sql)
                .bind(org_id)
                .bind(name.to_lowercase())
                .bind(roster::fields::email_key(name).into_owned())
                .bind(name)
                .fetch_all(&self.pool)
                .await?;
            Ok(with_groups(self, org_id, rows).await?.pop())
        })
        .await
    }

    /// The users SCIM can see that `narrow` matches, by id from the `offset`-th (SCIM's
    /// `startIndex` paging), and how many there are.
    pub async fn employees_from(
        &self,
        org_id: i64,
        narrow: &Narrow,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Employee>, i64), StoreError> {
        db(async {
            let mut count = Sql::new(self.backend, "SELECT COUNT(*) FROM users u");
            push_scim_users(&mut count, org_id, narrow);
            let total: i64 = count.query()?.fetch_one(&self.pool).await?.try_get(0)?;
            let mut page = Sql::new(self.backend, SELECT);
            push_scim_users(&mut page, org_id, narrow);
            page.push(" ORDER BY u.id LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
            let rows = page.query()?.fetch_all(&self.pool).await?;
            Ok((with_groups(self, org_id, rows).await?, total))
        })
        .await
    }

    pub async fn employee_by_id(&self, org_id: i64, id: i64) -> Result<Option<Employee>, StoreError> {
        db(async {
            let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2");
            let rows = sqlx::query(&sql).bind(org_id).bind(id).fetch_all(&self.pool).await?;
            Ok(with_groups(self, org_id, rows).await?.pop())
        })
        .await
    }

    /// The user an identity provider knows by `external_id`.
    pub async fn employee_by_external_id(
        &self,
        org_id: i64,
        external_id: &str,
    ) -> Result<Option<Employee>, StoreError> {
        db(async {
            let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.external_id = $2 ORDER BY u.id LIMIT 1");
            let rows = sqlx::query(&sql).bind(org_id).bind(external_id).fetch_all(&self.pool).await?;
            Ok(with_groups(self, org_id, rows).await?.pop())
        })
        .await
    }
}
