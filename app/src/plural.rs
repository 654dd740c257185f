//! Counts in words: "1 user", "3 users".

/// A count and the noun that fits it: `count(1, "person", "people")` is "1 person".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// "1 user", "3 users".
pub fn users(n: usize) -> String {
    count(n, "user", "users")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(users(1), "1 user");
        assert_eq!(users(0), "0 users");
        assert_eq!(count(2, "person", "people"), "2 people");
    }
}
