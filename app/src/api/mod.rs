//! Server functions, one file per feature. Each is thin: find out who is asking and whether they
//! may ([`guard`]), run the rules, call storage, and let `?` turn storage's refusals into the wire
//! error. Endpoints are explicit so that their URLs are stable.

mod account;
mod bulk;
#[cfg(feature = "ssr")]
mod guard;
mod keys;
mod organisation;
mod team;
mod users;
mod welcome;

pub use account::*;
pub use bulk::*;
pub use keys::*;
pub use organisation::*;
pub use team::*;
pub use users::*;
pub use welcome::*;
