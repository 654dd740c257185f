//! Passwords, session tokens and the session cookie.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "roster_session";

/// Failed sign-ins allowed per account within [`THROTTLE_WINDOW`] seconds.
pub const MAX_FAILURES: usize = 5;
pub const THROTTLE_WINDOW: i64 = 15 * 60;

/// Hashes a password with Argon2id and a random salt (a PHC string).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string())
}

/// Checks a password against a stored hash. A missing or unreadable hash never matches, but the
/// work of a real check is still done so that timing does not reveal which accounts exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DECOY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let decoy = DECOY.get_or_init(|| hash_password("decoy password for timing").ok());
    let real = stored.and_then(|s| PasswordHash::new(s).ok());
    let checked = real.clone().or_else(|| decoy.as_deref().and_then(|d| PasswordHash::new(d).ok()));
    match checked {
        Some(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok() && real.is_some(),
        None => false,
    }
}

/// A new random session token (sent in the cookie) and its SHA-256 (stored).
pub fn new_session_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// A new organisation API key, `roster_` and 256 random bits in hex, and its SHA-256 (all that is
/// stored).
pub fn new_api_key() -> (String, String) {
    let key = format!("roster_{}", new_session_token().0);
    let hash = token_hash(&key);
    (key, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that ends a session.
pub fn clearing_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// Finds the session token in a `Cookie` header.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// The key failed sign-ins are counted under.
pub fn account_key(org_slug: &str, email_key: &str) -> String {
    format!("{}\u{1f}{}", org_slug.trim().to_lowercase(), email_key)
}

/// Minutes until an account may try again, when it has had too many recent failures.
pub fn throttled_minutes(failures: &[i64], now: i64) -> Option<u32> {
    if failures.len() < MAX_FAILURES {
        return None;
    }
    let oldest_counted = failures.iter().rev().take(MAX_FAILURES).min().copied()?;
    let wait = (oldest_counted + THROTTLE_WINDOW - now).max(1);
    Some(((wait + 59) / 60) as u32)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong horse battery", Some(&hash)));
        assert!(!verify_password("anything", None));
        assert!(!verify_password("anything", Some("not a hash")));
    }

    #[test]
    fn session_tokens_are_random_and_only_their_hash_is_kept() {
        let (a, a_hash) = new_session_token();
        let (b, _) = new_session_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), a_hash);
        assert_ne!(a, a_hash);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site() {
        let cookie = session_cookie("abc", 60, false);
        assert_eq!(cookie, "roster_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
        assert!(session_cookie("abc", 60, true).ends_with("; Secure"));
        assert_eq!(token_from_cookie_header("a=1; roster_session=abc; b=2"), Some("abc"));
        assert_eq!(token_from_cookie_header("roster_session="), None);
    }

    #[test]
    fn five_recent_failures_lock_the_account_until_the_window_passes() {
        let now = 10_000;
        assert_eq!(throttled_minutes(&[now - 10; 4], now), None);
        assert_eq!(throttled_minutes(&[now - 60; 5], now), Some(14));
    }
}
