//! The one builder for dynamic SQL: text with a placeholder for each value, in the backend's style
//! ([`Backend::placeholder`]), and the values bound in the same order, for conditions that depend
//! on a request and for multi-row `VALUES` lists.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, Encode, Type};

use super::Backend;

/// A value of one of the column types Roster stores, for code that binds a row's values in a loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Flag(bool),
}

pub struct Sql {
    backend: Backend,
    pub text: String,
    arguments: AnyArguments<'static>,
    count: usize,
    rows: usize,
    /// The first value that could not be encoded; the statement is then refused as a whole.
    error: Option<sqlx::error::BoxDynError>,
}

impl Sql {
    pub fn new(backend: Backend, text: &str) -> Self {
        Sql { backend, text: text.to_owned(), arguments: AnyArguments::default(), count: 0, rows: 0, error: None }
    }

    /// The statement so far.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        if let Err(error) = self.arguments.add(value)
            && self.error.is_none()
        {
            self.error = Some(error);
        }
        self.count += 1;
        let placeholder = self.backend.placeholder(self.count);
        self.text.push_str(&placeholder);
        self
    }

    /// Appends a placeholder for a [`Value`].
    pub fn bind_value(&mut self, value: Value) -> &mut Self {
        match value {
            Value::Int(v) => self.bind(v),
            Value::Text(v) => self.bind(v),
            Value::Flag(v) => self.bind(v),
        }
    }

    /// Appends a placeholder for a text. A NUL is dropped: PostgreSQL cannot hold one (it refuses
    /// the whole statement) and no stored value has one (the rules refuse control characters), so
    /// in a search or a filter it could only ever match nothing, differently per database.
    pub fn bind_text(&mut self, text: &str) -> &mut Self {
        self.bind(text.replace('\0', ""))
    }

    /// Appends `(p, p, …)` for each value.
    pub fn bind_list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        self.push("(");
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    /// Appends one row of a `VALUES` list, `(p, p, …)`, with the values `fill` binds.
    pub fn row(&mut self, fill: impl FnOnce(&mut Row<'_>)) -> &mut Self {
        self.push(if self.rows == 0 { "(" } else { ", (" });
        self.rows += 1;
        fill(&mut Row { sql: self, first: true });
        self.push(")")
    }

    /// The statement with its values; refused when a value could not be encoded.
    pub fn query(&mut self) -> Result<sqlx::query::Query<'_, Any, AnyArguments<'_>>, sqlx::Error> {
        if let Some(error) = self.error.take() {
            return Err(sqlx::Error::Encode(error));
        }
        let arguments: AnyArguments<'_> = std::mem::take(&mut self.arguments);
        Ok(sqlx::query_with(&self.text, arguments))
    }
}

/// The values of one row of a `VALUES` list.
pub struct Row<'s> {
    sql: &'s mut Sql,
    first: bool,
}

impl Row<'_> {
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any> + 'static,
    {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.bind(value);
        self
    }

    pub fn value(&mut self, value: Value) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.bind_value(value);
        self
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
    fn placeholders_are_numbered_in_order_on_postgres_and_anonymous_on_sqlite() {
        let mut sql = Sql::new(Backend::Postgres, "SELECT 1 WHERE a = ");
        sql.bind(1_i64).push(" AND b IN ").bind_list([2_i64, 3]);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        let mut sql = Sql::new(Backend::Sqlite, "SELECT 1 WHERE a = ");
        sql.bind_text("x\0y");
        assert_eq!(sql.text, "SELECT 1 WHERE a = ?");
    }

    #[test]
    fn rows_of_a_values_list_are_separated() {
        let mut sql = Sql::new(Backend::Postgres, "INSERT INTO t (a, b) VALUES ");
        for n in [1_i64, 2] {
            sql.row(|row| {
                row.bind(n).bind(format!("v{n}"));
            });
        }
        assert_eq!(sql.text, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
