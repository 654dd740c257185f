//! A `<select>`'s options as one HTML string, for its `inner_html`. A list of views inside a
//! `<select>` carries hydration markers (comments) that Chromium did not always keep, which broke
//! the whole page's hydration (and with it every link) about one load in four; a string has none.

/// The options: `none` (the empty value) first, then each `(value, label, selected)`.
pub fn options_html<'a>(none: &str, choices: impl IntoIterator<Item = (String, &'a str, bool)>) -> String {
    let mut html = format!("<option value=\"\">{}</option>", escape_html(none));
    for (value, label, selected) in choices {
        let selected = if selected { " selected" } else { "" };
        html.push_str(&format!("<option value=\"{}\"{selected}>{}</option>", escape_html(&value), escape_html(label)));
    }
    html
}

/// Text made safe for HTML content and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_values_are_escaped_and_the_selected_one_is_marked() {
        let html = options_html("—", [("a\"b".to_owned(), "Ada <Admin> & 'co'", true)]);
        assert_eq!(
            html,
            "<option value=\"\">—</option><option value=\"a&quot;b\" selected>Ada &lt;Admin&gt; &amp; &#39;co&#39;</option>"
        );
    }
}
