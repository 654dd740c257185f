//! # roster: the rules of a Roster profile
//!
//! Pure code, no I/O and no Leptos: the browser (as WebAssembly) and the server run exactly this
//! crate, so what the browser previews is what the server commits.
//!
//! * [`column`]: the spreadsheet's columns and how their headers are recognised.
//! * [`fields`]: one type per constrained field; its constructor is the only place its rule lives.
//! * [`problem`]: what is wrong with an input, as a stable code and a message a person can act on.
//! * [`directory`]: what the rules need to know about the organisation (the context snapshot).
//! * [`profile`]: a whole profile, checked field by field and against the directory.
//! * [`decode`], [`parse`], [`sheet`]: from uploaded bytes to rows under a recognised header.
//! * [`stray`]: what an unknown header most likely means, and the names an organisation taught.
//! * [`leader`]: who may be someone's team leader, and what each refusal says.
//! * [`create`]: a bulk-create file checked row by row and across rows, into a report and a plan.
//! * [`edit`]: corrections made to a file inside the preview, written over the file.
//! * [`merge`]: a stale bulk-update row merged field by field with what changed since.
//! * [`current`], [`update`]: Download Current Team, and a bulk-update file checked against it.
//! * [`organisation`]: role and group names.
//! * [`provisioning`]: people sent by identity providers and scripts, and which rule applies where.
//! * [`hierarchy`]: teams as a tree, with head counts per leader and per channel.
//! * [`deactivate`]: who can be deactivated, and who leads the teams they leave behind.
//! * [`notice`]: what an admin should know about a row that does not stop the file.
//! * [`report`]: counts and every problem at its row and column.
//! * [`welcome`]: a newcomer's own password, photo and what their profile misses.
//! * [`write`]: the template, exports and the error report, as Excel's Unicode Text.
//! * [`time`]: civil dates and Unix times, for people and for RFC 3339.

pub mod column;
pub mod directory;
pub mod fields;
pub mod hash;
pub mod problem;
pub mod profile;

pub use column::Column;
pub use directory::{Directory, KnownUser, OrgRules, Snapshot, UserId};
pub use problem::{Code, Problem};
pub use profile::{Cells, Profile, ProfileInput};
pub mod create;
pub mod current;
pub mod deactivate;
pub mod decode;
pub mod edit;
pub mod hierarchy;
pub mod leader;
pub mod merge;
pub mod notice;
pub mod organisation;
pub mod parse;
pub mod provisioning;
pub mod report;
pub mod sheet;
pub mod stray;
pub mod time;
pub mod update;
pub mod welcome;
pub mod write;
