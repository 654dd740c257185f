//! Bulk-create files as Excel saves them ("Unicode Text"), for the tests of imports.

pub const HEADER: &str = "*Can Manage Teams\tEmail Address\tEmployee ID\t*First Name\t*Last Name\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader\tGroup Assignments\tTemporary Password";

/// A bulk-create file as Excel saves "Unicode Text".
pub fn sheet(rows: &[String]) -> Vec<u8> {
    app::roster::write::utf16le(&format!("{HEADER}\r\n{}\r\n", rows.join("\r\n")))
}

/// A valid agent row reporting to `leader`.
pub fn agent(n: usize, leader: &str) -> String {
    format!("n\tagent{n}@acme.test\tE{n:05}\tAgent\tNumber {n}\ty\ty\tn\t{leader}\t\t")
}

pub fn leader_row(email: &str) -> String {
    format!("y\t{email}\t\tLee\tLeader\ty\ty\ty\t\t\t")
}

/// A file of one team leader and `agents` agents who report to them.
pub fn team(leader: &str, agents: usize) -> Vec<u8> {
    let mut rows = vec![leader_row(leader)];
    rows.extend((0..agents).map(|n| agent(n, leader)));
    sheet(&rows)
}
