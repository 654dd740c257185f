//! What Roster's emails say: the welcome email (plain text and HTML alternatives with the
//! set-password link), and to the admin who started an import job, how it ended: rejected (with
//! the error report attached), failed (what happened, what to do next), or done after a long run.

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use roster::report::Report;
use roster::sheet::Mode;

use crate::storage::outbox::JobFacts;

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

/// How an import job ended, for the email to its admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEmail {
    Rejected,
    Failed,
    Done,
}

impl JobEmail {
    pub fn of(kind: &str) -> Option<JobEmail> {
        match kind {
            "import_rejected" => Some(JobEmail::Rejected),
            "import_failed" => Some(JobEmail::Failed),
            "import_done" => Some(JobEmail::Done),
            _ => None,
        }
    }
}

/// Errors listed in the body of a rejection; the attached report has them all.
const LISTED: usize = 20;

/// The email that tells an admin how their import job ended. `base` is where people open Roster.
pub fn job_outcome(
    from: &Mailbox,
    to: Mailbox,
    first_name: &str,
    kind: JobEmail,
    job: &JobFacts,
    base: &str,
) -> Result<Message, lettre::error::Error> {
    let (what, page) = match job.mode {
        Mode::Create => ("bulk create", "/team/bulk-create"),
        Mode::Update => ("bulk update", "/team/bulk-update"),
    };
    let file = &job.file_name;
    let page = format!("{base}{page}");
    let took = match (job.started_at, job.finished_at) {
        (Some(start), Some(end)) => app::bulk::job::ImportJob::duration_text(u64::try_from(end - start).unwrap_or(0)),
        _ => "a while".to_owned(),
    };
    let (subject, lines) = match kind {
        JobEmail::Rejected => {
            let errors = job.result.as_ref().map(|r| r.errors.as_slice()).unwrap_or_default();
            let mut lines = vec![
                format!(
                    "Roster checked {file} again against your team as it is now and found {}, so nothing was saved. Your team changed after you previewed the file (or the file was not previewed).",
                    app::plural::count(errors.len(), "error", "errors")
                ),
                String::new(),
            ];
            for error in errors.iter().take(LISTED) {
                let place = match (error.row, &error.column) {
                    (Some(row), Some(column)) => format!("Row {row}, {column}: "),
                    (Some(row), None) => format!("Row {row}: "),
                    _ => String::new(),
                };
                lines.push(format!("  - {place}{}", error.message));
            }
            if errors.len() > LISTED {
                lines.push(format!("  …and {} more.", errors.len() - LISTED));
            }
            lines.extend([
                String::new(),
                "What to do next: the attached file is yours with an Errors column. Fix the rows it marks in your spreadsheet, save it as Unicode Text, and upload it again:".into(),
                page.clone(),
            ]);
            (format!("Your {what} of {file} was not saved"), lines)
        }
        JobEmail::Failed => (
            format!("Your {what} of {file} could not be saved"),
            vec![
                format!(
                    "Nothing of {file} was saved: {}",
                    job.failure.as_deref().unwrap_or("the import stopped before it finished.")
                ),
                String::new(),
                format!(
                    "Roster tried {}; none of the changes were applied, so your team is exactly as it was and you can simply upload the file again:",
                    app::plural::count(usize::try_from(job.attempts).unwrap_or(0), "time", "times")
                ),
                page.clone(),
            ],
        ),
        JobEmail::Done => {
            let counts = job.result.as_ref().map(|r| r.counts).unwrap_or_default();
            let done = match job.mode {
                Mode::Create => format!("{} created", app::plural::users(counts.new)),
                Mode::Update => {
                    format!("{} updated, {} unchanged", app::plural::users(counts.changed), counts.unchanged)
                }
            };
            let batch = job.result.as_ref().and_then(|r| r.batch_id);
            let mut lines = vec![format!("Your {what} of {file} is done: {done}, in {took}.")];
            if let Some(batch) = batch {
                lines.extend([String::new(), "See the batch:".into(), format!("{base}/team/batches/{batch}")]);
            }
            (format!("Your {what} of {file} is done"), lines)
        }
    };
    let mut text = format!("Hello {first_name},\r\n\r\n");
    for line in &lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("\r\nRoster\r\n");
    let html_lines: String = lines
        .iter()
        .map(|line| {
            if line.starts_with("http") {
                format!("<p><a href=\"{0}\">{0}</a></p>", escape(line))
            } else if let Some(item) = line.strip_prefix("  - ") {
                format!("<p style=\"margin-left: 1em\">• {}</p>", escape(item))
            } else if line.is_empty() {
                String::new()
            } else {
                format!("<p>{}</p>", escape(line))
            }
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family: sans-serif\"><p>Hello {},</p>{html_lines}<p>Roster</p></body></html>",
        escape(first_name)
    );
    let body = MultiPart::alternative_plain_html(text, html);
    let builder = Message::builder().from(from.clone()).to(to).subject(subject);
    match (kind, error_report(job)) {
        (JobEmail::Rejected, Some(report)) => {
            let name = format!("errors - {file}");
            let kind = ContentType::parse("text/plain; charset=utf-16").unwrap_or(ContentType::TEXT_PLAIN);
            let attachment = Attachment::new(name).body(report, kind);
            builder.multipart(MultiPart::mixed().multipart(body).singlepart(attachment))
        }
        _ => builder.multipart(body),
    }
}

/// The job's file with an Errors column, as Excel's Unicode Text.
fn error_report(job: &JobFacts) -> Option<Vec<u8>> {
    let result = job.result.as_ref()?;
    let text = roster::decode::decode(&job.bytes).ok()?;
    let report = Report { counts: result.counts, errors: result.errors.clone(), ..Report::default() };
    Some(roster::write::error_report(&text, &report))
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
