//! The provisioning API's reads: users with every field, their team leader's reference and their
//! groups, paged by id so that a page never skips or repeats anyone, whatever changes meanwhile.

use std::collections::HashMap;

use app::ssr::StoreError;
use app::user::UserStatus;
use roster::fields::EmploymentStatus;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

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

/// A condition on users that a SCIM filter implies, for SQL to narrow a list before the filter
/// itself is applied to each resource (`api::scim::query::narrowing`). Texts are compared as SCIM
/// does (ignoring case, but for `externalId`): the values here are lowercased already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Narrow {
    /// Everyone (what a filter SQL cannot read narrows to).
    All,
    Text(UserText, Match),
    Present(UserText),
    /// Not deactivated (`true`) or deactivated.
    Active(bool),
    Id(i64),
    /// `meta.lastModified` against a Unix time.
    Modified(std::cmp::Ordering, bool, i64),
    And(Box<Narrow>, Box<Narrow>),
    Or(Box<Narrow>, Box<Narrow>),
}

/// A text of a user as SCIM names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserText {
    /// The email address, or the employee ID of someone without one.
    UserName,
    Email,
    ExternalId,
    GivenName,
    FamilyName,
    DisplayName,
    EmployeeNumber,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    Equals(String),
    /// A `LIKE` pattern, escaped with `\\`.
    Like(String),
}

impl UserText {
    fn sql(self) -> &'static str {
        match self {
            UserText::UserName => "LOWER(COALESCE(u.scim_user_name, u.email, u.employee_id))",
            UserText::Email => "u.email_key",
            UserText::ExternalId => "u.external_id",
            UserText::GivenName => "LOWER(u.first_name)",
            UserText::FamilyName => "LOWER(u.last_name)",
            UserText::DisplayName => "LOWER(u.first_name || ' ' || u.last_name)",
            UserText::EmployeeNumber => "LOWER(u.employee_id)",
        }
    }
}

impl Narrow {
    fn push(&self, sql: &mut Sql) {
        use std::cmp::Ordering;
        match self {
            Narrow::All => {
                sql.push("1 = 1");
            }
            // Equalities the indexes answer: (org_id, email_key), (org_id, LOWER(employee_id)) and the
            // partial users_scim_user_name.
            Narrow::Text(UserText::UserName, Match::Equals(value)) => {
                sql.push("(u.email_key = ")
                    .bind_text(value)
                    .push(" OR (u.email IS NULL AND LOWER(u.employee_id) = ")
                    .bind_text(value)
                    .push(") OR (u.scim_user_name IS NOT NULL AND LOWER(u.scim_user_name) = ")
                    .bind_text(value)
                    .push("))");
            }
            Narrow::Text(column, Match::Equals(value)) => {
                sql.push(column.sql()).push(" = ").bind_text(value);
            }
            Narrow::Text(column, Match::Like(pattern)) => {
                sql.push(column.sql()).push(" LIKE ").bind_text(pattern).push(" ESCAPE '\\'");
            }
            Narrow::Present(column) => {
                sql.push(column.sql()).push(" IS NOT NULL AND ").push(column.sql()).push(" <> ''");
            }
            Narrow::Active(true) => {
                sql.push("u.status <> 'deactivated'");
            }
            Narrow::Active(false) => {
                sql.push("u.status = 'deactivated'");
            }
            Narrow::Id(id) => {
                sql.push("u.id = ").bind(*id);
            }
            Narrow::Modified(ordering, or_equal, at) => {
                let op = match (ordering, or_equal) {
                    (Ordering::Greater, false) => " > ",
                    (Ordering::Greater, true) => " >= ",
                    (Ordering::Less, false) => " < ",
                    (Ordering::Less, true) => " <= ",
                    (Ordering::Equal, _) => " = ",
                };
                sql.push("u.updated_at").push(op).bind(*at);
            }
            Narrow::And(a, b) | Narrow::Or(a, b) => {
                let joint = if matches!(self, Narrow::And(..)) { ") AND (" } else { ") OR (" };
                sql.push("((");
                a.push(sql);
                sql.push(joint);
                b.push(sql);
                sql.push("))");
            }
        }
    }
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
            sql.push(" WHERE u.org_id = ").bind(org_id).push(" AND u.id > ").bind(after);
            sql.push(" AND (u.scim_deleted_at IS NULL OR u.status <> 'deactivated') AND (");
            narrow.push(&mut sql);
            sql.push(") ORDER BY u.id LIMIT ").bind(limit);
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

    /// Keeps (or with `None` forgets) the identity provider's userName of user `id`; `Taken`
    /// when another user of the organisation has it.
    pub async fn set_scim_user_name(&self, org_id: i64, id: i64, name: Option<&str>) -> Result<(), StoreError> {
        db(async {
            sqlx::query("UPDATE users SET scim_user_name = $1 WHERE org_id = $2 AND id = $3")
                .bind(name.map(str::to_owned))
                .bind(org_id)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(super::error::user_write)?;
            Ok(())
        })
        .await
    }

    /// Users by id from the `offset`-th (SCIM's `startIndex` paging), and how many there are.
    pub async fn employees_from(
        &self,
        org_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Employee>, i64), StoreError> {
        db(async {
            // SCIM's list: without the users an identity provider deleted.
            let visible = "(u.scim_deleted_at IS NULL OR u.status <> 'deactivated')";
            let total: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users u WHERE u.org_id = $1 AND {visible}"))
                    .bind(org_id)
                    .fetch_one(&self.pool)
                    .await?;
            let sql = format!("{SELECT} WHERE u.org_id = $1 AND {visible} ORDER BY u.id LIMIT $2 OFFSET $3");
            let rows = sqlx::query(&sql).bind(org_id).bind(limit).bind(offset).fetch_all(&self.pool).await?;
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
