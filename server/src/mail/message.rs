//! The welcome email itself: plain text and HTML alternatives with the set-password link.

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

/// What a welcome email says to whom.
#[derive(Clone, Debug)]
pub struct Welcome<'a> {
    pub to: Mailbox,
    pub first_name: &'a str,
    pub org_name: &'a str,
    pub link: &'a str,
    /// When the link stops working, already formatted for people.
    pub expires: &'a str,
}

pub fn welcome(from: &Mailbox, welcome: &Welcome<'_>) -> Result<Message, lettre::error::Error> {
    let Welcome { first_name, org_name, link, expires, .. } = welcome;
    let text = format!(
        "Hello {first_name},\r\n\r\n\
         {org_name} has created your Roster profile. Set your password to sign in:\r\n\r\n\
         {link}\r\n\r\n\
         The link works once and until {expires}. If it has expired, ask your admin to send a new welcome email.\r\n\r\n\
         Roster\r\n"
    );
    let (first_name, org_name, link, expires) = (escape(first_name), escape(org_name), escape(link), escape(expires));
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family: sans-serif\">\
         <p>Hello {first_name},</p>\
         <p>{org_name} has created your Roster profile. Set your password to sign in:</p>\
         <p><a href=\"{link}\">Set your password</a></p>\
         <p>The link works once and until {expires}. If it has expired, ask your admin to send a new welcome email.</p>\
         <p>Roster</p></body></html>"
    );
    Message::builder()
        .from(from.clone())
        .to(welcome.to.clone())
        .subject(format!("Welcome to Roster, {}", welcome.first_name))
        .multipart(MultiPart::alternative_plain_html(text, html))
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_email_greets_by_name_and_escapes_names_in_its_html() {
        let from: Mailbox = "Roster <roster@example.test>".parse().unwrap();
        let to: Mailbox = "ada@acme.test".parse().unwrap();
        let message = welcome(
            &from,
            &Welcome {
                to,
                first_name: "Ada <b>",
                org_name: "Acme & Co",
                link: "http://localhost/welcome/abc",
                expires: "2026-11-28 10:00 UTC",
            },
        )
        .unwrap();
        let raw = message.formatted();
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let subject = parsed.headers.iter().find(|h| h.get_key() == "Subject").unwrap().get_value();
        assert_eq!(subject, "Welcome to Roster, Ada <b>");
        let (text, html) = (parsed.subparts[0].get_body().unwrap(), parsed.subparts[1].get_body().unwrap());
        assert!(text.starts_with("Hello Ada <b>,"));
        assert!(text.contains("http://localhost/welcome/abc"));
        assert!(html.contains("Hello Ada &lt;b&gt;,"));
        assert!(html.contains("Acme &amp; Co has created"));
    }
}
