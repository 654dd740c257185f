//! Decoding the uploaded bytes. Only UTF-16 ("Unicode Text") is accepted, little- or big-endian,
//! with or without a byte-order mark. Anything else is named for what it is, with how to re-save it
//! as Unicode Text. Malformed UTF-16 is an error with its position; nothing is ever replaced with
//! U+FFFD.

use serde::{Deserialize, Serialize};

/// How to save "Unicode Text" from the spreadsheet programs people use.
pub const HOW_TO_SAVE: &str = "Save it as Unicode Text: in Excel for Windows, File › Save As › \"Unicode Text (*.txt)\"; \
in Excel for Mac, File › Save As › File Format \"UTF-16 Unicode Text (.txt)\"; in Numbers, File › Export To › CSV… \
with Advanced Options › Text Encoding \"Unicode (UTF-16)\", then open that file in Excel or LibreOffice and save it \
as Unicode Text; in LibreOffice Calc, File › Save As… › \"Text CSV\" with \"Edit filter settings\", character set \
\"Unicode (UTF-16)\" and field delimiter {Tab}; from Google Sheets, File › Download › Tab-separated values (.tsv), \
then open the download in Excel or LibreOffice and save it as Unicode Text.";

/// What the uploaded file turned out to be, when it is not UTF-16.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Empty,
    Utf8Text,
    AnsiText,
    Xlsx,
    Xls,
    Pdf,
    Binary,
}

impl FileKind {
    fn describe(self) -> &'static str {
        match self {
            FileKind::Empty => "The file is empty.",
            FileKind::Utf8Text => "This file is UTF-8 text (such as a CSV or \"Text\" export), not Unicode Text.",
            FileKind::AnsiText => "This file is plain ANSI text (such as a CSV from Excel), not Unicode Text.",
            FileKind::Xlsx => "This is an Excel workbook (.xlsx) or another zipped file, not Unicode Text.",
            FileKind::Xls => "This is a legacy Excel workbook (.xls), not Unicode Text.",
            FileKind::Pdf => "This is a PDF document, not a spreadsheet saved as Unicode Text.",
            FileKind::Binary => "This file is not text; it may be an image or another program's file.",
        }
    }
}

/// Why the bytes could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DecodeError {
    /// Not UTF-16 at all.
    #[error("{} {HOW_TO_SAVE}", .0.describe())]
    WrongFormat(FileKind),
    /// UTF-16 with an odd number of bytes: the file was cut short.
    #[error(
        "The file ends in the middle of a character (it has an odd number of bytes, {length}); it may have been cut short. Save it again as Unicode Text and upload the new file."
    )]
    OddLength { length: usize },
    /// A surrogate without its partner.
    #[error(
        "The file has a broken character at byte {offset} (line {line}); it is not valid Unicode Text. Save it again as Unicode Text and upload the new file."
    )]
    LoneSurrogate { offset: usize, line: usize },
}

impl DecodeError {
    /// A stable code for reports.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::WrongFormat(_) => "wrong_file_format",
            DecodeError::OddLength { .. } => "truncated_utf16",
            DecodeError::LoneSurrogate { .. } => "malformed_utf16",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

/// Decodes a UTF-16 spreadsheet file to text.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    let (endian, body, offset) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (Endian::Little, rest, 2),
        [0xFE, 0xFF, rest @ ..] => (Endian::Big, rest, 2),
        _ => match guess_endian(bytes) {
            Some(endian) => (endian, bytes, 0),
            None => return Err(DecodeError::WrongFormat(diagnose(bytes))),
        },
    };
    if body.len() % 2 != 0 {
        return Err(DecodeError::OddLength { length: bytes.len() });
    }
    let mut units = body.chunks_exact(2).map(|pair| match endian {
        Endian::Little => u16::from_le_bytes([pair[0], pair[1]]),
        Endian::Big => u16::from_be_bytes([pair[0], pair[1]]),
    });
    // One pass straight to UTF-8, with a fast path for ASCII (nearly every character of a roster).
    let mut utf8: Vec<u8> = Vec::with_capacity(body.len() / 2 + body.len() / 16);
    let mut index = 0;
    let mut pending: Option<u16> = None;
    while let Some(first) = pending.take().or_else(|| units.next()) {
        if first < 0x80 {
            utf8.push(first as u8);
            index += 1;
            continue;
        }
        let (c, width) = match first {
            0xD800..=0xDBFF => match units.next() {
                Some(second @ 0xDC00..=0xDFFF) => {
                    let scalar = 0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00);
                    (char::from_u32(scalar), 2)
                }
                other => {
                    pending = other;
                    (None, 1)
                }
            },
            0xDC00..=0xDFFF => (None, 1),
            _ => (char::from_u32(u32::from(first)), 1),
        };
        let Some(c) = c else {
            let line = 1 + utf8.iter().filter(|&&b| b == b'\n').count();
            return Err(DecodeError::LoneSurrogate { offset: offset + index * 2, line });
        };
        let mut buffer = [0u8; 4];
        utf8.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
        index += width;
    }
    // Every byte above came from a valid scalar value, so this cannot fail; the check is cheap.
    String::from_utf8(utf8).map_err(|_| DecodeError::LoneSurrogate { offset, line: 1 })
}

/// Without a byte-order mark, spreadsheet text is mostly ASCII, so every other byte is zero:
/// the odd ones in little-endian, the even ones in big-endian.
fn guess_endian(bytes: &[u8]) -> Option<Endian> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 2 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if zero_odd * 10 >= pairs * 6 && zero_even * 10 < pairs {
        Some(Endian::Little)
    } else if zero_even * 10 >= pairs * 6 && zero_odd * 10 < pairs {
        Some(Endian::Big)
    } else {
        None
    }
}

/// Names what a non-UTF-16 file is.
pub fn diagnose(bytes: &[u8]) -> FileKind {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return FileKind::Empty;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return FileKind::Xlsx;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return FileKind::Xls;
    }
    if bytes.starts_with(b"%PDF") {
        return FileKind::Pdf;
    }
    let text_like = |b: &u8| *b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r');
    if bytes.contains(&0) || bytes.iter().filter(|b| !text_like(b)).count() * 100 > bytes.len() {
        return FileKind::Binary;
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) || std::str::from_utf8(bytes).is_ok() {
        FileKind::Utf8Text
    } else {
        FileKind::AnsiText
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    fn utf16be(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        bytes
    }

    #[test]
    fn utf16_in_either_byte_order_with_or_without_a_bom_decodes() {
        let text = "First Name\tLast Name\r\nZoë\t𝔘nicode 😀\r\n";
        assert_eq!(decode(&utf16le(text, true)).unwrap(), text);
        assert_eq!(decode(&utf16le(text, false)).unwrap(), text);
        assert_eq!(decode(&utf16be(text, true)).unwrap(), text);
        assert_eq!(decode(&utf16be(text, false)).unwrap(), text);
    }

    #[test]
    fn other_files_are_named_for_what_they_are() {
        let cases: [(&[u8], FileKind); 8] = [
            (b"", FileKind::Empty),
            (b"First Name,Last Name\nAda,Lovelace\n", FileKind::Utf8Text),
            (b"\xEF\xBB\xBFFirst Name\tLast Name\n", FileKind::Utf8Text),
            (b"Zo\xEB\tM\xFCller\r\n", FileKind::AnsiText),
            (b"PK\x03\x04\x14\x00\x06\x00", FileKind::Xlsx),
            (&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], FileKind::Xls),
            (b"%PDF-1.7\n%\xE2\xE3", FileKind::Pdf),
            (&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D], FileKind::Binary),
        ];
        for (bytes, kind) in cases {
            assert_eq!(decode(bytes), Err(DecodeError::WrongFormat(kind)), "{bytes:?}");
        }
    }

    #[test]
    fn the_refusal_says_how_to_save_unicode_text_from_every_program() {
        let message = DecodeError::WrongFormat(FileKind::Xlsx).to_string();
        assert!(message.starts_with("This is an Excel workbook (.xlsx)"));
        for program in ["Excel for Windows", "Excel for Mac", "Numbers", "LibreOffice", "Google Sheets"] {
            assert!(message.contains(program), "{program}");
        }
    }

    #[test]
    fn a_truncated_file_is_an_error_not_a_guess() {
        let mut bytes = utf16le("Name\r\n", true);
        bytes.push(b'A');
        assert_eq!(decode(&bytes), Err(DecodeError::OddLength { length: 15 }));
    }

    #[test]
    fn a_lone_surrogate_is_reported_with_its_byte_offset_and_line() {
        let mut bytes = utf16le("a\nb", true);
        bytes.extend(0xD800u16.to_le_bytes()); // a high surrogate with no partner
        bytes.extend(utf16le("c", false));
        assert_eq!(decode(&bytes), Err(DecodeError::LoneSurrogate { offset: 8, line: 2 }));
        let message = decode(&bytes).unwrap_err().to_string();
        assert!(message.contains("byte 8 (line 2)"), "{message}");
        assert!(!decode(&utf16le("fine", true)).unwrap().contains('\u{FFFD}'));
    }
}
