//! Reading the roster: the Manage Team table, its filters' choices and the hierarchy tree.

use async_trait::async_trait;

use super::StoreError;
use crate::session::Scope;
use crate::team::{Choice, TeamChoices, TeamPage, TeamQuery};

#[async_trait]
pub trait TeamStore: Send + Sync + 'static {
    /// The filters' choices; a team leader's filter offers only the leaders in their team.
    async fn team_options(&self, org_id: i64, scope: Scope) -> Result<TeamChoices, StoreError>;
    async fn list_team(&self, org_id: i64, scope: Scope, query: &TeamQuery) -> Result<TeamPage, StoreError>;
    /// The users who are not deactivated and match `query` (its sort and page ignored), at most
    /// `limit` of them, by name.
    async fn matching_users(&self, org_id: i64, query: &TeamQuery, limit: i64) -> Result<Vec<Choice>, StoreError>;
    /// Every active user, as the tree view needs them.
    async fn hierarchy(&self, org_id: i64) -> Result<Vec<roster::hierarchy::Member>, StoreError>;
}
