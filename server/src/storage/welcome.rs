//! The welcome flow's storage: scheduling and releasing welcome emails, set-password links,
//! passwords people choose, the newcomer's own profile and the Stream.

use app::ssr::{PersonalWords, StoreError, WelcomeStore};
use app::welcome::{LinkOwner, MemberCard, OwnProfile, StreamPage, TEAMMATES_SHOWN, WelcomeState};
use async_trait::async_trait;
use roster::welcome::missing;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::users::audit;
use super::{DbResult, SqlStore, db, flag, now};

pub async fn schedule(conn: &mut AnyConnection, org_id: i64, user_id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO outbox_emails (org_id, user_id, kind, held, created_at, next_attempt_at)
         SELECT org_id, id, 'welcome', FALSE, $3, $3 FROM users WHERE org_id = $1 AND id = $2 AND email IS NOT NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn user_of_org(conn: &mut AnyConnection, org_id: i64, user_id: i64) -> DbResult<()> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    exists.map(|_| ()).ok_or(StoreError::NotFound.into())
}

async fn store_password(
    conn: &mut AnyConnection,
    org_id: i64,
    user_id: i64,
    password_hash: &str,
    keep_session: Option<&str>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $3, must_change_password = FALSE, updated_at = $4,
             status = CASE WHEN status IN ('created', 'invited') THEN 'active' ELSE status END
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(password_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM password_links WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_session.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

const PENDING: &str = "kind = 'welcome' AND sent_at IS NULL AND failed_at IS NULL";

const LIVE_LINK: &str = "FROM password_links p JOIN users u ON u.id = p.user_id AND u.org_id = p.org_id
     JOIN organisations o ON o.id = p.org_id
     WHERE p.token_hash = $1 AND p.used_at IS NULL AND p.expires_at > $2 AND u.status <> 'deactivated'";

const HAS_PHOTO: &str = "EXISTS (SELECT 1 FROM user_photos ph WHERE ph.user_id = u.id)";

fn personal_words(row: &AnyRow) -> Result<PersonalWords, sqlx::Error> {
    Ok(PersonalWords {
        email: row.try_get("email")?,
        names: vec![row.try_get("first_name")?, row.try_get("last_name")?],
    })
}

/// The people of the Stream that match `filter`, as cards.
fn cards(filter: &str) -> String {
    format!(
        "SELECT u.id, u.first_name, u.last_name, r.name AS role_name, u.email, u.home_town, u.state_or_country,
             u.bio, u.leader_id, {HAS_PHOTO} AS has_photo
         FROM users u JOIN roles r ON r.id = u.role_id WHERE {filter}"
    )
}

fn card(row: &AnyRow) -> Result<MemberCard, sqlx::Error> {
    Ok(MemberCard {
        user_id: row.try_get("id")?,
        name: format!("{} {}", row.try_get::<String, _>("first_name")?, row.try_get::<String, _>("last_name")?),
        role: row.try_get("role_name")?,
        email: row.try_get("email")?,
        home_town: row.try_get("home_town")?,
        state_or_country: row.try_get("state_or_country")?,
        bio: row.try_get("bio")?,
        has_photo: flag(row, "has_photo")?,
    })
}

#[async_trait]
impl WelcomeStore for SqlStore {
    async fn held_welcome_emails(&self, org_id: i64) -> Result<i64, StoreError> {
        db(async {
            let sql = format!("SELECT COUNT(*) FROM outbox_emails WHERE org_id = $1 AND held = TRUE AND {PENDING}");
            Ok(sqlx::query_scalar(&sql).bind(org_id).fetch_one(&self.pool).await?)
        })
        .await
    }

    async fn send_held_welcome_emails(&self, org_id: i64, actor: i64) -> Result<i64, StoreError> {
        let released = db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            let released = sqlx::query(&format!(
                "UPDATE outbox_emails SET held = FALSE, released_at = $2, next_attempt_at = $2
                 WHERE org_id = $1 AND held = TRUE AND {PENDING}"
            ))
            .bind(org_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
            if released > 0 {
                let detail = serde_json::json!({ "emails": released }).to_string();
                audit(&mut tx, org_id, Some(actor), "welcome_emails.sent_delayed", None, &detail, now).await?;
            }
            tx.commit().await?;
            Ok(released)
        })
        .await?;
        if released > 0 {
            self.wake_mail();
        }
        Ok(released)
    }

    async fn queue_welcome_email(&self, org_id: i64, actor: Option<i64>, user_id: i64) -> Result<(), StoreError> {
        db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            user_of_org(&mut tx, org_id, user_id).await?;
            let released = sqlx::query(&format!(
                "UPDATE outbox_emails SET held = FALSE, released_at = $3, next_attempt_at = $3
                 WHERE org_id = $1 AND user_id = $2 AND {PENDING}"
            ))
            .bind(org_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if released == 0 {
                schedule(&mut tx, org_id, user_id, now).await?;
            }
            audit(&mut tx, org_id, actor, "welcome_email.sent", Some(user_id), "{}", now).await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
        self.wake_mail();
        Ok(())
    }

    async fn welcome_state(&self, org_id: i64, user_id: i64) -> Result<WelcomeState, StoreError> {
        db(async {
            let row = sqlx::query(
                "SELECT held, attempts, sent_at, failed_at, last_error FROM outbox_emails
                 WHERE org_id = $1 AND user_id = $2 AND kind = 'welcome' ORDER BY id DESC LIMIT 1",
            )
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else { return Ok(WelcomeState::None) };
            let read = || -> Result<WelcomeState, sqlx::Error> {
                let last_error: Option<String> = row.try_get("last_error")?;
                Ok(if let Some(at) = row.try_get::<Option<i64>, _>("sent_at")? {
                    WelcomeState::Sent { at }
                } else if let Some(at) = row.try_get::<Option<i64>, _>("failed_at")? {
                    WelcomeState::Failed { at, error: last_error.unwrap_or_default() }
                } else if flag(&row, "held")? {
                    WelcomeState::Held
                } else {
                    WelcomeState::Queued { attempts: row.try_get("attempts")?, last_error }
                })
            };
            Ok(read()?)
        })
        .await
    }

    async fn link_owner(&self, token_hash: &str, now: i64) -> Result<Option<(LinkOwner, PersonalWords)>, StoreError> {
        db(async {
            let row =
                sqlx::query(&format!("SELECT u.first_name, u.last_name, u.email, o.name AS org_name {LIVE_LINK}"))
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
            let read = |row: AnyRow| -> Result<(LinkOwner, PersonalWords), sqlx::Error> {
                let owner = LinkOwner { first_name: row.try_get("first_name")?, org_name: row.try_get("org_name")? };
                Ok((owner, personal_words(&row)?))
            };
            Ok(row.map(read).transpose()?)
        })
        .await
    }

    async fn set_password_with_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        db(async {
            let mut tx = self.begin_write().await?;
            let owner = sqlx::query(&format!("SELECT p.org_id, p.user_id {LIVE_LINK}"))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(owner) = owner else { return Ok(None) };
            let (org_id, user_id): (i64, i64) = (owner.try_get("org_id")?, owner.try_get("user_id")?);
            // Claiming the link is the single-use check: of two concurrent uses, one updates no row.
            let claimed =
                sqlx::query("UPDATE password_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
                    .bind(token_hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if claimed != 1 {
                return Ok(None);
            }
            store_password(&mut tx, org_id, user_id, password_hash, None, now).await?;
            audit(&mut tx, org_id, Some(user_id), "password.set_from_link", Some(user_id), "{}", now).await?;
            tx.commit().await?;
            Ok(Some((org_id, user_id)))
        })
        .await
    }

    async fn consume_temporary_password(&self, user_id: i64, password_hash: &str) -> Result<bool, StoreError> {
        db(async {
            let done = sqlx::query(
                "UPDATE users SET password_hash = NULL WHERE id = $1 AND password_hash = $2 AND must_change_password = TRUE",
            )
            .bind(user_id)
            .bind(password_hash)
            .execute(&self.pool)
            .await
            ?
            .rows_affected();
            Ok(done == 1)
        })
        .await
    }

    async fn set_own_password(
        &self,
        org_id: i64,
        user_id: i64,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<(), StoreError> {
        db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            store_password(&mut tx, org_id, user_id, password_hash, Some(keep_session), now).await?;
            audit(&mut tx, org_id, Some(user_id), "password.changed", Some(user_id), "{}", now).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn personal_words(&self, org_id: i64, user_id: i64) -> Result<PersonalWords, StoreError> {
        db(async {
            let row = sqlx::query("SELECT email, first_name, last_name FROM users WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(personal_words(&row)?)
        })
        .await
    }

    async fn own_profile(&self, org_id: i64, user_id: i64) -> Result<OwnProfile, StoreError> {
        db(async {
            let row = sqlx::query(&format!(
                "SELECT u.first_name, u.bio, u.state_or_country, {HAS_PHOTO} AS has_photo FROM users u
                 WHERE u.org_id = $1 AND u.id = $2"
            ))
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
            let read = || -> Result<OwnProfile, sqlx::Error> {
                Ok(OwnProfile {
                    user_id,
                    first_name: row.try_get("first_name")?,
                    bio: row.try_get("bio")?,
                    state_or_country: row.try_get("state_or_country")?,
                    has_photo: flag(&row, "has_photo")?,
                })
            };
            Ok(read()?)
        })
        .await
    }

    async fn complete_profile(
        &self,
        org_id: i64,
        user_id: i64,
        bio: Option<&str>,
        state_or_country: Option<&str>,
    ) -> Result<(), StoreError> {
        db(async {
            let now = now();
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "UPDATE users SET bio = COALESCE($3, bio), state_or_country = COALESCE($4, state_or_country),
                     version = version + 1, updated_at = $5, updated_by = $2
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(user_id)
            .bind(bio)
            .bind(state_or_country)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit(&mut tx, org_id, Some(user_id), "profile.completed", Some(user_id), "{}", now).await?;
            Ok(tx.commit().await?)
        })
        .await
    }

    async fn stream(&self, org_id: i64, user_id: i64) -> Result<StreamPage, StoreError> {
        db(async {
            let me_row = sqlx::query(&cards("u.org_id = $1 AND u.id = $2"))
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            let me = card(&me_row)?;
            let leader_id: Option<i64> = me_row.try_get("leader_id")?;
            let mut leader = None;
            let mut teammates = Vec::new();
            let mut teammate_count = 0;
            if let Some(leader_id) = leader_id {
                let row = sqlx::query(&cards("u.org_id = $1 AND u.id = $2"))
                    .bind(org_id)
                    .bind(leader_id)
                    .fetch_optional(&self.pool)
                    .await?;
                leader = row.as_ref().map(card).transpose()?;
                const TEAM: &str = "u.org_id = $1 AND u.leader_id = $2 AND u.id <> $3 AND u.status <> 'deactivated'";
                teammate_count = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users u WHERE {TEAM}"))
                    .bind(org_id)
                    .bind(leader_id)
                    .bind(user_id)
                    .fetch_one(&self.pool)
                    .await?;
                let rows = sqlx::query(&cards(&format!("{TEAM} ORDER BY u.last_name, u.first_name, u.id LIMIT $4")))
                    .bind(org_id)
                    .bind(leader_id)
                    .bind(user_id)
                    .bind(TEAMMATES_SHOWN)
                    .fetch_all(&self.pool)
                    .await?;
                teammates = rows.iter().map(card).collect::<Result<_, _>>()?;
            }
            let missing = missing(me.bio.as_deref(), me.state_or_country.as_deref(), me.has_photo);
            Ok(StreamPage { me, leader, teammates, teammate_count, missing })
        })
        .await
    }
}
