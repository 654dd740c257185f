//! SCIM filters (RFC 7644 §3.4.2.2) and attribute paths: parsed once into a [`Filter`], then
//! evaluated against resources as JSON. `eq ne co sw ew gt ge lt le pr`, `and`, `or`, `not (…)`,
//! parentheses and value paths such as `emails[type eq "work"]`. Attribute names are
//! case-insensitive and may carry their schema (`urn:…:enterprise:2.0:User:employeeNumber`).
//! Anything else is an error that says where: never a panic, and nesting is bounded.

use serde_json::Value;

/// Longest filter read, and deepest nesting of parentheses, brackets and `not`.
const MAX_LENGTH: usize = 4096;
const MAX_DEPTH: usize = 32;

/// An attribute, optionally within a schema, optionally a sub-attribute: `name.givenName`.
#[derive(Clone, Debug, PartialEq)]
pub struct AttrPath {
    pub schema: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Compare(AttrPath, Op, Value),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work"]`: some value of a multi-valued attribute matches.
    Within(AttrPath, Box<Filter>),
}

/// A PATCH operation's `path`: an attribute, or some values of one, or a sub-attribute of those.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// `emails[type eq "work"].value`
    pub sub: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokens(input: &str) -> Result<Vec<Token>, String> {
    if input.len() > MAX_LENGTH {
        return Err(format!("The filter is longer than {MAX_LENGTH} characters."));
    }
    let invisible = |text: &str| text.chars().any(|c| c.is_control() && !c.is_whitespace());
    if invisible(input) {
        return Err("The filter contains an invisible control character; remove it.".into());
    }
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                // A JSON string, escapes and all.
                chars.next();
                let mut end = None;
                let mut escaped = false;
                for (i, c) in chars.by_ref() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let end =
                    end.ok_or_else(|| format!("The string starting at character {} is not closed.", start + 1))?;
                let text: String = serde_json::from_str(&input[start..=end])
                    .map_err(|_| format!("The string starting at character {} is not a valid string.", start + 1))?;
                if text.chars().any(char::is_control) {
                    return Err("The filter contains an invisible control character; remove it.".into());
                }
                out.push(Token::Text(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Ok(out)
}

/// Reads `urn:…:User:name.givenName`, `name.givenName` or `userName`.
pub fn attr_path(word: &str) -> Result<AttrPath, String> {
    let (schema, rest) = match word.rfind(':') {
        Some(i) if word[..i].to_ascii_lowercase().starts_with("urn:") => (Some(word[..i].to_owned()), &word[i + 1..]),
        Some(_) => return Err(format!("\"{word}\" is not an attribute name.")),
        None => (None, word),
    };
    let mut parts = rest.splitn(2, '.');
    let name = parts.next().unwrap_or_default();
    let sub = parts.next();
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    };
    if !valid(name) || sub.is_some_and(|s| !valid(s)) {
        return Err(format!("\"{word}\" is not an attribute name."));
    }
    Ok(AttrPath { schema, name: name.to_owned(), sub: sub.map(str::to_owned) })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(format!("The filter nests deeper than {MAX_DEPTH} levels.")) } else { Ok(()) }
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek_word().as_deref() == Some("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek_word().as_deref() == Some("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        self.deeper()?;
        let filter = match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "a closing parenthesis")?;
                inner
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("not") => {
                self.expect(Token::Open, "\"(\" after not")?;
                let inner = self.or()?;
                self.expect(Token::Close, "a closing parenthesis")?;
                Filter::Not(Box::new(inner))
            }
            Some(Token::Word(word)) => {
                let path = attr_path(&word)?;
                if self.tokens.get(self.at) == Some(&Token::OpenBracket) {
                    self.at += 1;
                    let inner = self.or()?;
                    self.expect(Token::CloseBracket, "a closing bracket")?;
                    Filter::Within(path, Box::new(inner))
                } else {
                    self.comparison(path)?
                }
            }
            Some(other) => return Err(format!("Expected an attribute name, found {}.", describe(&other))),
            None => return Err("The filter ends where an attribute name was expected.".into()),
        };
        self.depth -= 1;
        Ok(filter)
    }

    fn comparison(&mut self, path: AttrPath) -> Result<Filter, String> {
        let Some(Token::Word(op)) = self.next() else {
            return Err("Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after the attribute.".into());
        };
        let op = match op.to_ascii_lowercase().as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => {
                return Err(format!("\"{other}\" is not an operator; use eq, ne, co, sw, ew, gt, ge, lt, le or pr."));
            }
        };
        let value = match self.next() {
            Some(Token::Text(text)) => Value::String(text),
            Some(Token::Word(word)) => match word.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&word)
                    .map(Value::Number)
                    .map_err(|_| format!("\"{word}\" is not a value; quote strings: \"{word}\"."))?,
            },
            _ => return Err("Expected a value (a quoted string, a number, true, false or null).".into()),
        };
        Ok(Filter::Compare(path, op, value))
    }

    fn expect(&mut self, wanted: Token, what: &str) -> Result<(), String> {
        match self.next() {
            Some(token) if token == wanted => Ok(()),
            Some(other) => Err(format!("Expected {what}, found {}.", describe(&other))),
            None => Err(format!("The filter ends where {what} was expected.")),
        }
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => format!("\"{w}\""),
        Token::Text(t) => format!("the string \"{t}\""),
        Token::Open => "\"(\"".into(),
        Token::Close => "\")\"".into(),
        Token::OpenBracket => "\"[\"".into(),
        Token::CloseBracket => "\"]\"".into(),
    }
}

/// Parses a whole filter.
pub fn parse(input: &str) -> Result<Filter, String> {
    let mut parser = Parser { tokens: tokens(input)?, at: 0, depth: 0 };
    if parser.tokens.is_empty() {
        return Err("The filter is empty.".into());
    }
    let filter = parser.or()?;
    match parser.next() {
        None => Ok(filter),
        Some(extra) => Err(format!("Expected \"and\", \"or\" or the end of the filter, found {}.", describe(&extra))),
    }
}

/// Parses a PATCH path: `active`, `name.givenName`, `members[value eq "7"]`,
/// `emails[type eq "work"].value`, or any of them with a schema.
pub fn parse_path(input: &str) -> Result<PatchPath, String> {
    let input = input.trim();
    let Some(open) = input.find('[') else {
        return Ok(PatchPath { attr: attr_path(input)?, filter: None, sub: None });
    };
    let close = input.rfind(']').ok_or_else(|| format!("The path \"{input}\" opens a bracket it does not close."))?;
    if close < open {
        return Err(format!("The path \"{input}\" is not an attribute path."));
    }
    let attr = attr_path(&input[..open])?;
    let filter = parse(&input[open + 1..close])?;
    let sub = match &input[close + 1..] {
        "" => None,
        rest => {
            let name =
                rest.strip_prefix('.').ok_or_else(|| format!("The path \"{input}\" is not an attribute path."))?;
            attr_path(name)?;
            Some(name.to_owned())
        }
    };
    Ok(PatchPath { attr, filter: Some(filter), sub })
}

/// Attributes compared exactly, case and all (RFC 7643: `caseExact`). Every other one, `userName`
/// and `emails.value` among them, is compared ignoring case. (A `value` that is a member's,
/// group's or manager's id is digits, so its case never matters.)
fn case_exact(name: &str) -> bool {
    name.eq_ignore_ascii_case("id") || name.eq_ignore_ascii_case("externalId")
}

/// A member of a JSON object by name, ignoring case.
pub fn member<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// Where an attribute lives in a resource: the resource itself, or its schema's extension object.
pub fn container<'a>(resource: &'a Value, path: &AttrPath) -> Option<&'a Value> {
    match &path.schema {
        Some(schema)
            if !resource.get("schemas").and_then(Value::as_array).is_some_and(|core| {
                core.first().and_then(Value::as_str).is_some_and(|first| first.eq_ignore_ascii_case(schema))
            }) =>
        {
            member(resource, schema)
        }
        _ => Some(resource),
    }
}

/// The values an attribute path reaches in a resource (several for multi-valued attributes).
fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let Some(value) = container(resource, path).and_then(|c| member(c, &path.name)) else { return Vec::new() };
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    match &path.sub {
        Some(sub) => items.into_iter().filter_map(|item| member(item, sub)).collect(),
        // A complex multi-valued attribute compares by its `value`.
        None => items
            .into_iter()
            .map(|item| if item.is_object() { member(item, "value").unwrap_or(item) } else { item })
            .collect(),
    }
}

fn present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(found: &Value, op: Op, wanted: &Value, exact: bool) -> bool {
    use std::cmp::Ordering;
    let ordering = |ordering: Option<Ordering>| match (op, ordering) {
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        _ => false,
    };
    match (found, wanted) {
        (Value::String(found), Value::String(wanted)) => {
            let (found, wanted) =
                if exact { (found.clone(), wanted.clone()) } else { (found.to_lowercase(), wanted.to_lowercase()) };
            match op {
                Op::Eq => found == wanted,
                Op::Ne => found != wanted,
                Op::Co => found.contains(&wanted),
                Op::Sw => found.starts_with(&wanted),
                Op::Ew => found.ends_with(&wanted),
                _ => ordering(Some(found.cmp(&wanted))),
            }
        }
        (Value::Number(found), Value::Number(wanted)) => {
            let (found, wanted) = (found.as_f64(), wanted.as_f64());
            match op {
                Op::Eq => found == wanted,
                Op::Ne => found != wanted,
                _ => ordering(found.zip(wanted).and_then(|(a, b)| a.partial_cmp(&b))),
            }
        }
        (Value::Bool(found), Value::Bool(wanted)) => match op {
            Op::Eq => found == wanted,
            Op::Ne => found != wanted,
            _ => false,
        },
        (Value::Bool(found), Value::String(wanted)) => {
            // "True" and "False" as strings, as some identity providers send them.
            let wanted = wanted.eq_ignore_ascii_case("true");
            match op {
                Op::Eq => *found == wanted,
                Op::Ne => *found != wanted,
                _ => false,
            }
        }
        (_, Value::Null) => match op {
            Op::Eq => !present(found),
            Op::Ne => present(found),
            _ => false,
        },
        _ => op == Op::Ne,
    }
}

impl Filter {
    /// Whether `resource` (a SCIM resource as JSON) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::Compare(path, op, wanted) => {
                let found = values(resource, path);
                let exact = case_exact(path.sub.as_deref().unwrap_or(&path.name));
                if found.is_empty() {
                    return match (op, wanted) {
                        (Op::Eq, Value::Null) => true,
                        (Op::Ne, Value::Null) => false,
                        (Op::Ne, _) => true,
                        _ => false,
                    };
                }
                if *op == Op::Ne {
                    found.iter().all(|v| compare(v, Op::Ne, wanted, exact))
                } else {
                    found.iter().any(|v| compare(v, *op, wanted, exact))
                }
            }
            Filter::Present(path) => values(resource, path).into_iter().any(present),
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(inner) => !inner.matches(resource),
            Filter::Within(path, inner) => {
                let Some(value) = container(resource, path).and_then(|c| member(c, &path.name)) else { return false };
                match value {
                    Value::Array(items) => items.iter().any(|item| inner.matches(item)),
                    item => inner.matches(item),
                }
            }
        }
    }

    /// Whether the filter reads attribute `name` anywhere.
    pub fn mentions(&self, name: &str) -> bool {
        match self {
            Filter::Compare(path, ..) | Filter::Present(path) => path.name.eq_ignore_ascii_case(name),
            Filter::And(a, b) | Filter::Or(a, b) => a.mentions(name) || b.mentions(name),
            Filter::Not(inner) => inner.mentions(name),
            Filter::Within(path, inner) => path.name.eq_ignore_ascii_case(name) || inner.mentions(name),
        }
    }

    /// `attribute eq "value"` at the top of the filter, on one of `names`: a lookup, not a scan.
    pub fn equality_on(&self, names: &[&str]) -> Option<(String, String)> {
        match self {
            Filter::Compare(path, Op::Eq, Value::String(value)) if path.sub.is_none() => {
                names.iter().find(|n| n.eq_ignore_ascii_case(&path.name)).map(|n| ((*n).to_owned(), value.clone()))
            }
            Filter::And(a, b) => a.equality_on(names).or_else(|| b.equality_on(names)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ada() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "7",
            "externalId": "00uAbC",
            "userName": "Ada@Acme.test",
            "name": { "givenName": "Ada", "familyName": "Lovelace" },
            "emails": [{ "value": "ada@acme.test", "type": "work", "primary": true }],
            "active": true,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "employeeNumber": "0042", "manager": { "value": "3" } },
        })
    }

    fn matches(filter: &str) -> bool {
        parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}")).matches(&ada())
    }

    #[test]
    fn each_operator_matches_as_the_rfc_says() {
        for yes in [
            r#"userName eq "ada@acme.test""#,
            r#"USERNAME Eq "ADA@ACME.TEST""#,
            r#"name.familyName co "love""#,
            r#"name.givenName sw "A""#,
            r#"userName ew ".test""#,
            r#"name.givenName gt "A" and name.givenName lt "B""#,
            "title pr or active eq true",
            "active eq \"True\"",
            r#"emails[type eq "work" and value co "acme"]"#,
            r#"emails co "ada@""#,
            r#"emails.value eq "ADA@ACME.TEST""#,
            r#"emails[type eq "work" and value eq "Ada@Acme.Test"]"#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "0042""#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "3""#,
            r#"not (userName eq "grace@acme.test")"#,
            r#"(userName eq "x" or externalId eq "00uAbC") and active eq true"#,
            "title eq null",
            r#"title ne "Boss""#,
        ] {
            assert!(matches(yes), "{yes}");
        }
        for no in [
            r#"externalId eq "00uabc""#,
            r#"userName eq "grace@acme.test""#,
            "title pr",
            r#"userName eq "x" or externalId eq "y" and active eq true"#,
            "active eq false",
            r#"emails[type eq "home"]"#,
        ] {
            assert!(!matches(no), "{no}");
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let filter = parse(r#"a eq "1" or b eq "2" and c eq "3""#).unwrap();
        assert!(matches!(filter, Filter::Or(_, ref right) if matches!(**right, Filter::And(..))));
    }

    #[test]
    fn broken_filters_say_what_is_wrong() {
        for (filter, says) in [
            ("", "empty"),
            ("userName", "operator"),
            (r#"userName equals "x""#, "not an operator"),
            ("userName eq ada", "quote strings"),
            ("userName eq \"a\\u0000\"", "control character"),
            ("userName eq \"a\u{1}\"", "control character"),
            (r#"userName eq "ada"#, "not closed"),
            (r#"(userName eq "a""#, "closing parenthesis"),
            (r#"userName eq "a" userName"#, "end of the filter"),
            (r#"not userName eq "a""#, "after not"),
            (r#"us er eq "a""#, "operator"),
            (r#"1userName eq "a""#, "not an attribute"),
        ] {
            let error = parse(filter).unwrap_err();
            assert!(error.contains(says), "{filter}: {error}");
        }
        let deep = format!("{}a pr{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().contains("deeper"));
        assert!(parse(&"a pr or ".repeat(1000)).unwrap_err().contains("longer"));
    }

    #[test]
    fn arbitrary_text_never_panics() {
        // A cheap deterministic fuzz: every prefix and mangling of real filters.
        let seeds = [
            r#"emails[type eq "work" and value co "@"].value"#,
            r#"not ((a eq "x\"y") or b pr) and urn:x:y:z:c.d ge 1.5e3"#,
            "[[[]]]((()))\"\\\"",
        ];
        for seed in seeds {
            for end in 0..=seed.len() {
                if let Some(prefix) = seed.get(..end) {
                    let _ = parse(prefix).map(|f| f.matches(&ada()));
                    let _ = parse_path(prefix);
                }
            }
        }
    }

    #[test]
    fn patch_paths_name_an_attribute_some_of_its_values_and_a_sub_attribute() {
        let path = parse_path(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!((path.attr.name.as_str(), path.sub.as_deref()), ("emails", Some("value")));
        assert!(path.filter.is_some());
        let path = parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").unwrap();
        assert_eq!(path.attr.schema.as_deref(), Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"));
        assert_eq!(parse_path("name.givenName").unwrap().attr.sub.as_deref(), Some("givenName"));
        assert!(parse_path("members[value eq \"1\"").is_err());
    }

    #[test]
    fn an_equality_at_the_top_is_a_lookup() {
        let filter = parse(r#"userName eq "ada@acme.test" and active eq true"#).unwrap();
        assert_eq!(filter.equality_on(&["userName"]), Some(("userName".into(), "ada@acme.test".into())));
        assert_eq!(parse(r#"userName co "ada""#).unwrap().equality_on(&["userName"]), None);
    }
}
