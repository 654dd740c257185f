//! The audit trail of API calls: every call made with a valid key is written as `api.call` (the
//! key, the method and path, the status it got), in the order the calls were answered, by one task
//! beside the server. No answer waits for its line: on SQLite a write waits behind a running
//! import, and a status read of that import must not. A line that cannot be written is retried,
//! then logged; the server drains what is left when it stops.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::storage::SqlStore;

/// Calls waiting to be written before a new one waits for room.
const BACKLOG: usize = 10_000;
/// Tries per line before it is given up (and logged).
const TRIES: u32 = 5;

/// One answered call.
#[derive(Debug)]
struct Call {
    org_id: i64,
    key_id: i64,
    call: String,
    status: u16,
    at: i64,
}

/// Where the key's gate records calls.
#[derive(Clone, Debug)]
pub struct CallLog {
    sender: mpsc::Sender<Call>,
}

/// The task that writes the recorded calls; it ends once every [`CallLog`] is gone and the
/// backlog is written.
pub struct CallLogWriter {
    store: SqlStore,
    receiver: mpsc::Receiver<Call>,
}

/// A call log and its writer.
pub fn call_log(store: SqlStore) -> (CallLog, CallLogWriter) {
    let (sender, receiver) = mpsc::channel(BACKLOG);
    (CallLog { sender }, CallLogWriter { store, receiver })
}

impl CallLog {
    /// Records that `key_id` of `org_id` made `call` and got `status`.
    pub async fn record(&self, org_id: i64, key_id: i64, call: String, status: u16) {
        let line = Call { org_id, key_id, call, status, at: app::ssr::auth::now() };
        if let Err(lost) = self.sender.send(line).await {
            tracing::error!(call = ?lost.0, "the API call log has stopped; this call is not audited");
        }
    }
}

impl CallLogWriter {
    pub async fn run(mut self) {
        while let Some(line) = self.receiver.recv().await {
            for attempt in 1..=TRIES {
                match self.store.audit_api_call(line.org_id, line.key_id, &line.call, line.status, line.at).await {
                    Ok(()) => break,
                    Err(error) if attempt == TRIES => {
                        tracing::error!(%error, call = %line.call, key_id = line.key_id, "an API call could not be audited");
                    }
                    Err(error) => {
                        tracing::warn!(%error, attempt, "the API call log will try again");
                        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                    }
                }
            }
        }
        tracing::info!("the API call log is written");
    }
}
