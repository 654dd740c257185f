//! The Manage Team table: search, filters, sorting and paging in SQL, and the choices the
//! filters and the form offer.

use app::session::Scope;
use app::ssr::{StoreError, TeamStore};
use app::team::{Choice, PAGE_SIZE, SortKey, TeamChoices, TeamPage, TeamQuery, TeamRow, day_start};
use app::user::UserStatus;
use async_trait::async_trait;
use roster::UserId;
use roster::hierarchy::Member;
use roster::provisioning::needs_team_leader;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::sql::{Sql, like_escape};
use super::{Backend, SqlStore, db, flag};

/// Starts a query over the users in `scope`: `select` names them `u` in `FROM {users}`. A team
/// leader's team is the recursive common table expression `team(id)`, walked down the
/// (organisation, leader) index, and the query starts from it rather than from every user.
///
/// PostgreSQL estimates a recursive query at about ten times its first step and then hash-joins
/// every user, three times a query (170 ms at 100,000 users); `LATERAL … OFFSET 0` keeps it to one
/// index lookup per person (see BENCHMARKS.md). SQLite has no `LATERAL` and needs none.
fn scoped(backend: Backend, org_id: i64, scope: Scope, select: &str) -> Sql {
    let mut sql = Sql::new(backend, "");
    let users = match (scope, backend) {
        (Scope::Organisation, _) => "users u",
        (Scope::TeamOf(leader), backend) => {
            sql.push("WITH RECURSIVE team(id) AS (SELECT id FROM users WHERE org_id = ")
                .bind(org_id)
                .push(" AND leader_id = ")
                .bind(leader);
            if backend == Backend::Postgres {
                sql.push(" UNION SELECT r.id FROM team t CROSS JOIN LATERAL (SELECT id FROM users WHERE org_id = ")
                    .bind(org_id)
                    .push(" AND leader_id = t.id OFFSET 0) r) ");
                "team CROSS JOIN LATERAL (SELECT * FROM users WHERE id = team.id OFFSET 0) u"
            } else {
                sql.push(" UNION SELECT u.id FROM users u JOIN team t ON u.org_id = ")
                    .bind(org_id)
                    .push(" AND u.leader_id = t.id) ");
                "team JOIN users u ON u.id = team.id"
            }
        }
    };
    sql.push(&select.replace("{users}", users));
    sql
}

/// Who needs a team leader (`roster::provisioning::needs_team_leader`), as the partial index
/// `users_needing_leader` (migration 0008) reads it.
const NEEDS_LEADER: &str = " AND u.leader_id IS NULL AND u.can_manage_teams = FALSE AND u.status <> 'deactivated'";

/// Appends the WHERE clause of a roster query.
fn filters(sql: &mut Sql, org_id: i64, query: &TeamQuery) {
    sql.push(" WHERE u.org_id = ").bind(org_id);
    if let Some(since) = query.idle_since.as_deref().and_then(day_start) {
        sql.push(" AND (u.last_sign_in_at IS NULL OR u.last_sign_in_at < ").bind(since).push(")");
    }
    let text = query.q.trim().to_lowercase();
    if !text.is_empty() {
        sql.push(" AND u.search_text LIKE ").bind_text(&format!("%{}%", like_escape(&text))).push(" ESCAPE '\\'");
    }
    if let Some(role) = query.role {
        sql.push(" AND u.role_id = ").bind(role);
    }
    if let Some(leader) = query.leader {
        sql.push(" AND u.leader_id = ").bind(leader);
    }
    if let Some(status) = query.status {
        sql.push(" AND u.status = ").bind(status.as_str().to_owned());
    }
    if query.needs_leader {
        sql.push(NEEDS_LEADER);
    }
    if let Some(group) = query.group {
        sql.push(" AND EXISTS (SELECT 1 FROM user_groups ug WHERE ug.user_id = u.id AND ug.group_id = ")
            .bind(group)
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

fn choices(rows: &[AnyRow]) -> Result<Vec<Choice>, sqlx::Error> {
    rows.iter()
        .map(|row| {
            Ok(Choice { id: row.try_get("id")?, label: row.try_get("label")?, reference: row.try_get("reference")? })
        })
        .collect()
}

fn team_row(row: &AnyRow) -> Result<TeamRow, sqlx::Error> {
    let leader_first: Option<String> = row.try_get("leader_first")?;
    let leader_last: Option<String> = row.try_get("leader_last")?;
    let status = UserStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(UserStatus::Created);
    let has_leader = leader_first.is_some();
    Ok(TeamRow {
        needs_leader: needs_team_leader(flag(row, "can_manage_teams")?, has_leader, status == UserStatus::Deactivated),
        id: row.try_get("id")?,
        name: format!("{} {}", row.try_get::<String, _>("first_name")?, row.try_get::<String, _>("last_name")?),
        email: row.try_get("email")?,
        employee_id: row.try_get("employee_id")?,
        role: row.try_get("role")?,
        team_leader: leader_first.zip(leader_last).map(|(f, l)| format!("{f} {l}")),
        status,
        last_sign_in: row.try_get("last_sign_in_at")?,
    })
}

/// For Download Roster (a team leader's own team).
impl SqlStore {
    /// The ids of everyone in `leader`'s team, direct and indirect reports, deactivated or not.
    pub async fn team_ids(&self, org_id: i64, leader: i64) -> Result<Vec<i64>, StoreError> {
        db(async {
            let mut sql = scoped(self.backend, org_id, Scope::TeamOf(leader), "SELECT id FROM team");
            let rows = sql.query()?.fetch_all(&self.pool).await?;
            Ok(rows.iter().map(|row| row.try_get::<i64, _>(0)).collect::<Result<_, _>>()?)
        })
        .await
    }
}

#[async_trait]
impl TeamStore for SqlStore {
    async fn team_options(&self, org_id: i64, scope: Scope) -> Result<TeamChoices, StoreError> {
        db(async {
            let roles = sqlx::query(
                "SELECT id, name AS label, NULL AS reference FROM roles WHERE org_id = $1 AND active = TRUE ORDER BY id",
            )
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
            let groups =
                sqlx::query("SELECT id, name AS label, NULL AS reference FROM groups WHERE org_id = $1 ORDER BY name")
                    .bind(org_id)
                    .fetch_all(&self.pool)
                    .await?;
            let mut leaders = scoped(
                self.backend,
                org_id,
                scope,
                "SELECT u.id, u.first_name || ' ' || u.last_name AS label, COALESCE(u.email, u.employee_id) AS reference
                 FROM users u",
            );
            leaders.push(" WHERE u.org_id = ").bind(org_id);
            if let Scope::TeamOf(leader) = scope {
                leaders.push(" AND (u.id IN (SELECT id FROM team) OR u.id = ").bind(leader).push(")");
            }
            leaders.push(
                " AND u.can_manage_teams = TRUE AND u.status <> 'deactivated' ORDER BY u.last_name, u.first_name, u.id",
            );
            let leaders = leaders.query()?.fetch_all(&self.pool).await?;
            let uses_custom_roles = super::organisation::uses_custom_roles(&self.pool, org_id).await?;
            Ok(TeamChoices {
                roles: choices(&roles)?,
                groups: choices(&groups)?,
                leaders: choices(&leaders)?,
                uses_custom_roles,
            })
        })
        .await
    }

    async fn list_team(&self, org_id: i64, scope: Scope, query: &TeamQuery) -> Result<TeamPage, StoreError> {
        db(async {
            let mut count = scoped(self.backend, org_id, scope, "SELECT COUNT(*) FROM {users}");
            filters(&mut count, org_id, query);
            let total: i64 = count.query()?.fetch_one(&self.pool).await?.try_get(0)?;
            let pages = (total.max(1) as u64).div_ceil(u64::from(PAGE_SIZE)) as u32;
            let page = query.page.min(pages.saturating_sub(1));
            let mut select = scoped(
                self.backend,
                org_id,
                scope,
                "SELECT u.id, u.first_name, u.last_name, u.email, u.employee_id, r.name AS role, u.status,
                        u.last_sign_in_at, u.can_manage_teams, l.first_name AS leader_first, l.last_name AS leader_last
                 FROM {users} JOIN roles r ON r.id = u.role_id LEFT JOIN users l ON l.id = u.leader_id",
            );
            filters(&mut select, org_id, query);
            select.push(&order_by(query));
            select.push(" LIMIT ").bind(i64::from(PAGE_SIZE));
            select.push(" OFFSET ").bind(i64::from(page) * i64::from(PAGE_SIZE));
            let rows = select.query()?.fetch_all(&self.pool).await?;
            let rows = rows.iter().map(team_row).collect::<Result<Vec<_>, _>>()?;
            // A leader's team all have a leader; only the organisation can hold people who need one.
            let needs_leader: i64 = match scope {
                Scope::Organisation => {
                    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users u WHERE u.org_id = $1{NEEDS_LEADER}"))
                        .bind(org_id)
                        .fetch_one(&self.pool)
                        .await?
                }
                Scope::TeamOf(_) => 0,
            };
            Ok(TeamPage { rows, total: total as u64, page, needs_leader: needs_leader as u64 })
        })
        .await
    }

    async fn matching_users(&self, org_id: i64, query: &TeamQuery, limit: i64) -> Result<Vec<Choice>, StoreError> {
        db(async {
            let mut select = Sql::new(
                self.backend,
                "SELECT u.id, u.first_name || ' ' || u.last_name AS label, COALESCE(u.email, u.employee_id) AS reference
                 FROM users u",
            );
            filters(&mut select, org_id, query);
            select.push(" AND u.status <> 'deactivated' ORDER BY u.last_name, u.first_name, u.id LIMIT ").bind(limit);
            Ok(choices(&select.query()?.fetch_all(&self.pool).await?)?)
        })
        .await
    }

    async fn hierarchy(&self, org_id: i64) -> Result<Vec<Member>, StoreError> {
        db(async {
            let rows = sqlx::query(
                "SELECT id, leader_id, first_name || ' ' || last_name AS name, can_manage_teams, phone_channel,
                        chat_channel, email_channel
                 FROM users WHERE org_id = $1 AND status <> 'deactivated'",
            )
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
            let member = |row: &AnyRow| -> Result<Member, sqlx::Error> {
                Ok(Member {
                    id: UserId(row.try_get("id")?),
                    leader: row.try_get::<Option<i64>, _>("leader_id")?.map(UserId),
                    name: row.try_get("name")?,
                    can_manage_teams: flag(row, "can_manage_teams")?,
                    phone: flag(row, "phone_channel")?,
                    chat: flag(row, "chat_channel")?,
                    email: flag(row, "email_channel")?,
                })
            };
            Ok(rows.iter().map(member).collect::<Result<_, _>>()?)
        })
        .await
    }
}
