//! Corrections made in the preview, kept in the browser (`localStorage`) until the file is
//! committed or they are discarded, so that a reload of the page loses none. A file small enough
//! for the browser's storage is kept with them, and its preview comes back by itself; a larger
//! one is chosen again, and the corrections are laid over the same bytes.

use roster::edit::Edits;
use roster::parse::Table;
use roster::sheet::Mode;
use serde::{Deserialize, Serialize};

/// The corrections to one file, as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub file_name: String,
    /// Which bytes they correct ([`fingerprint`]).
    pub fingerprint: String,
    /// (row, column index, value).
    pub cells: Vec<(usize, usize, String)>,
    /// The file as uploaded (decoded), when it is at most [`MAX_KEPT_TEXT`] characters.
    #[serde(default)]
    pub file: Option<String>,
}

/// The largest file kept beside its corrections, in characters: `localStorage` holds about five
/// million UTF-16 units per site, shared with everything else the site keeps.
pub const MAX_KEPT_TEXT: usize = 1_000_000;

impl Kept {
    /// The corrections `edits` of the file `source` (its text), named `file_name`.
    pub fn new(file_name: &str, fingerprint: &str, edits: &Edits, source: &str) -> Kept {
        Kept {
            file_name: file_name.to_owned(),
            fingerprint: fingerprint.to_owned(),
            cells: edits.iter().map(|(row, column, value)| (row, column, value.to_owned())).collect(),
            file: (source.chars().count() <= MAX_KEPT_TEXT).then(|| source.to_owned()),
        }
    }

    /// The storage key for a flow's corrections: one file's at a time per flow.
    pub fn key(mode: Mode) -> &'static str {
        match mode {
            Mode::Create => "roster.corrections.bulk-create",
            Mode::Update => "roster.corrections.bulk-update",
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Kept corrections read back; anything unreadable is none.
    pub fn from_json(text: &str) -> Option<Kept> {
        serde_json::from_str(text).ok()
    }

    /// The corrections, checked again against the file they were made to.
    pub fn edits(&self, table: &Table<'_>) -> Edits {
        Edits::restore(table, self.cells.iter().cloned())
    }
}

/// A file's bytes, recognised again: their length and FNV-1a 64-bit hash (not for security; a
/// different file that collided would only have corrections offered that its check then judges).
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{}-{hash:016x}", bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_corrections_read_back_and_apply_only_to_the_same_bytes() {
        let text = "Home Town\r\nLeeds\r\nYork\r\n";
        let table = Table::parse(text);
        let mut edits = Edits::default();
        edits.set(&table, 3, 0, "Porto").unwrap();
        let kept = Kept::new("team.txt", &fingerprint(text.as_bytes()), &edits, text);
        let read = Kept::from_json(&kept.to_json()).expect("read back");
        assert_eq!(read.file.as_deref(), Some(text), "a small file is kept with its corrections");
        let large = "x".repeat(MAX_KEPT_TEXT + 1);
        assert_eq!(Kept::new("big.txt", "f", &edits, &large).file, None, "a large one is chosen again");
        assert_eq!(read.edits(&table), edits);
        assert_eq!(read.fingerprint, fingerprint(text.as_bytes()));
        assert_ne!(fingerprint(b"Home Town\r\nLeeds\r\nYorK\r\n"), read.fingerprint);
        assert_eq!(Kept::from_json("{not json"), None);
        let shorter = Table::parse("Home Town\r\nLeeds\r\n");
        assert!(read.edits(&shorter).is_empty(), "a correction to a row the file lacks is dropped");
    }
}
