//! A small builder for portable dynamic SQL: `$n` placeholders (understood by SQLite and
//! PostgreSQL alike) and the values bound to them, in order.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments};

#[derive(Clone, Debug)]
pub enum Value {
    Int(i64),
    Text(String),
}

#[derive(Default)]
pub struct Sql {
    pub text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_owned(), values: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`. A NUL is dropped from text: PostgreSQL cannot hold one
    /// (it refuses the whole statement) and no stored value has one (the rules refuse control
    /// characters), so in a search or a filter it could only ever match nothing, differently per
    /// database.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        let value = match value {
            Value::Text(text) if text.contains('\0') => Value::Text(text.replace('\0', "")),
            other => other,
        };
        self.values.push(value);
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    pub fn arguments<'q>(&self) -> Result<AnyArguments<'q>, sqlx::Error> {
        let mut arguments = AnyArguments::default();
        for value in &self.values {
            match value {
                Value::Int(v) => arguments.add(*v),
                Value::Text(v) => arguments.add(v.clone()),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(arguments)
    }

    pub fn query(&self) -> Result<sqlx::query::Query<'_, Any, AnyArguments<'_>>, sqlx::Error> {
        Ok(sqlx::query_with(&self.text, self.arguments()?))
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(Value::Int(1)).push(" AND b = ").bind(Value::Text("x".into()));
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b = $2");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
