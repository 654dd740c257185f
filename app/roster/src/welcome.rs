//! The rules of a newcomer's first sign-in: the password they choose, the photo they upload and
//! what their profile still misses before the Stream.

use serde::{Deserialize, Serialize};

use crate::fields::{MAX_PASSWORD, MIN_PASSWORD, Password};

/// Why a chosen password is refused. Each message says what to do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Your password must be at least {MIN_PASSWORD} characters long; a short phrase of a few words works well.")]
    TooShort,
    #[error("Your password must be at most {MAX_PASSWORD} characters long.")]
    TooLong,
    #[error("The two passwords are not the same; type the same password in both boxes.")]
    Mismatch,
    #[error("Your password must not contain your email address or your name; choose something only you would know.")]
    Personal,
    #[error("That password is one of the most common ones and is guessed first; choose another.")]
    Common,
}

/// Passwords attackers try first (all at least [`MIN_PASSWORD`] characters, lower case).
const COMMON: [&str; 16] = [
    "1234567890",
    "12345678910",
    "123456789a",
    "0123456789",
    "1q2w3e4r5t",
    "qwertyuiop",
    "1qaz2wsx3edc",
    "password123",
    "password1234",
    "passwordpassword",
    "iloveyou123",
    "welcome123",
    "welcome1234",
    "letmein123",
    "changeme123",
    "qwerty123456",
];

/// Checks a password someone chooses for themselves: the length policy, the confirmation, and
/// neither their email address, their name nor a well-known password.
pub fn choose_password(
    password: &str,
    confirmation: &str,
    email: Option<&str>,
    names: &[&str],
) -> Result<Password, PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_PASSWORD {
        return Err(PasswordProblem::TooLong);
    }
    if password != confirmation {
        return Err(PasswordProblem::Mismatch);
    }
    let lower = password.to_lowercase();
    let local_part = email.and_then(|e| e.split('@').next()).filter(|p| p.chars().count() >= 3);
    let personal = local_part
        .into_iter()
        .chain(names.iter().copied().filter(|n| n.chars().count() >= 3))
        .any(|part| lower.contains(&part.to_lowercase()));
    if personal {
        return Err(PasswordProblem::Personal);
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    Ok(Password::trusted(password))
}

/// The largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// The image formats a photo may have, recognised by their first bytes (never by the file name or
/// the type the browser claims).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    Webp,
}

impl PhotoType {
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Webp => "image/webp",
        }
    }

    /// The format of stored bytes' declared type, for serving them.
    pub fn from_content_type(value: &str) -> Option<PhotoType> {
        [PhotoType::Jpeg, PhotoType::Png, PhotoType::Webp].into_iter().find(|t| t.content_type() == value)
    }

    fn sniff(bytes: &[u8]) -> Option<PhotoType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoType::Png)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(PhotoType::Webp)
        } else {
            None
        }
    }
}

/// Why an uploaded photo is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PhotoProblem {
    #[error("Choose a photo to upload.")]
    Empty,
    #[error("That photo is larger than 2 MB; make it smaller and upload it again.")]
    TooLarge,
    #[error("That file is not a JPEG, PNG or WebP image; save the photo in one of these formats and upload it again.")]
    NotAnImage,
}

impl PhotoProblem {
    /// A stable code, for URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            PhotoProblem::Empty => "photo_missing",
            PhotoProblem::TooLarge => "photo_too_large",
            PhotoProblem::NotAnImage => "photo_not_an_image",
        }
    }

    pub fn from_code(code: &str) -> Option<PhotoProblem> {
        [PhotoProblem::Empty, PhotoProblem::TooLarge, PhotoProblem::NotAnImage].into_iter().find(|p| p.code() == code)
    }
}

/// A profile photo: at most [`MAX_PHOTO_BYTES`] of JPEG, PNG or WebP.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    kind: PhotoType,
    bytes: Vec<u8>,
}

impl Photo {
    pub fn parse(bytes: Vec<u8>) -> Result<Photo, PhotoProblem> {
        if bytes.is_empty() {
            return Err(PhotoProblem::Empty);
        }
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(PhotoProblem::TooLarge);
        }
        let kind = PhotoType::sniff(&bytes).ok_or(PhotoProblem::NotAnImage)?;
        Ok(Photo { kind, bytes })
    }

    pub fn kind(&self) -> PhotoType {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl std::fmt::Debug for Photo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Photo({:?}, {} bytes)", self.kind, self.bytes.len())
    }
}

/// What a newcomer completes before the Stream, in the order the page asks for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Missing {
    Bio,
    StateOrCountry,
    Photo,
}

/// What a profile still misses: the bio, the state or country, the photo.
pub fn missing(bio: Option<&str>, state_or_country: Option<&str>, has_photo: bool) -> Vec<Missing> {
    let blank = |value: Option<&str>| value.is_none_or(|v| v.trim().is_empty());
    let mut missing = Vec::new();
    if blank(bio) {
        missing.push(Missing::Bio);
    }
    if blank(state_or_country) {
        missing.push(Missing::StateOrCountry);
    }
    if !has_photo {
        missing.push(Missing::Photo);
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(password: &str) -> Result<Password, PasswordProblem> {
        choose_password(password, password, Some("ada.lovelace@acme.test"), &["Ada", "Lovelace"])
    }

    #[test]
    fn a_long_personal_free_password_typed_twice_is_accepted() {
        assert_eq!(choose("tea at the analytical engine").unwrap().expose(), "tea at the analytical engine");
    }

    #[test]
    fn short_long_mismatched_personal_and_common_passwords_are_refused_with_what_to_do() {
        assert_eq!(choose("short").unwrap_err(), PasswordProblem::TooShort);
        assert_eq!(choose(&"x".repeat(MAX_PASSWORD + 1)).unwrap_err(), PasswordProblem::TooLong);
        assert_eq!(
            choose_password("tea at the engine", "tea at the engin", None, &[]).unwrap_err(),
            PasswordProblem::Mismatch
        );
        assert_eq!(choose("my name is LOVELACE!").unwrap_err(), PasswordProblem::Personal);
        assert_eq!(choose("ada.lovelace-2026").unwrap_err(), PasswordProblem::Personal);
        assert_eq!(choose("Password123").unwrap_err(), PasswordProblem::Common);
        assert!(PasswordProblem::TooShort.to_string().contains("at least 10 characters"));
    }

    #[test]
    fn photos_are_recognised_by_their_bytes_and_limited_in_size() {
        let png = b"\x89PNG\r\n\x1a\n rest of the image".to_vec();
        assert_eq!(Photo::parse(png).unwrap().kind().content_type(), "image/png");
        assert_eq!(Photo::parse(vec![0xFF, 0xD8, 0xFF, 0xE0]).unwrap().kind(), PhotoType::Jpeg);
        assert_eq!(Photo::parse(b"RIFF\0\0\0\0WEBPVP8 ".to_vec()).unwrap().kind(), PhotoType::Webp);
        assert_eq!(Photo::parse(b"<svg onload=alert(1)>".to_vec()).unwrap_err(), PhotoProblem::NotAnImage);
        assert_eq!(Photo::parse(Vec::new()).unwrap_err(), PhotoProblem::Empty);
        let mut huge = vec![0xFF, 0xD8, 0xFF];
        huge.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(Photo::parse(huge).unwrap_err(), PhotoProblem::TooLarge);
        assert_eq!(PhotoProblem::from_code("photo_too_large"), Some(PhotoProblem::TooLarge));
    }

    #[test]
    fn a_profile_misses_each_blank_field_and_the_photo() {
        assert_eq!(missing(None, Some(" "), false), vec![Missing::Bio, Missing::StateOrCountry, Missing::Photo]);
        assert_eq!(missing(Some("Hi"), Some("Ohio"), true), vec![]);
        assert_eq!(missing(Some("Hi"), None, true), vec![Missing::StateOrCountry]);
    }
}
