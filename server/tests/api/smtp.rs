//! A real SMTP server for the tests: `scripts/smtp_sink.py` (Python's aiosmtpd, which the test
//! command installs into `target/smtp-venv`) on a free loopback port, and the messages it received.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use std::io::{BufRead, BufReader};

use crate::helpers::TempDir;

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    folder: TempDir,
}

/// A message the sink accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope recipient.
    pub to: String,
    pub subject: String,
    /// The text/plain part, decoded.
    pub text: String,
    pub html: String,
    /// Each attachment: its file name, MIME type and bytes.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

impl Received {
    /// The set-password link's token.
    pub fn token(&self) -> String {
        let start =
            self.text.find("/set-password/").expect("the email has a set-password link") + "/set-password/".len();
        self.text[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = std::env::var("ROSTER_SMTP_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("target/smtp-venv/bin/python"));
        assert!(python.exists(), "{} is missing: run ./scripts/install (the test command does)", python.display());
        let folder = TempDir::new();
        let mut child = Command::new(python)
            .arg(root.join("scripts/smtp_sink.py"))
            .args(["--port", "0", "--dir"])
            .arg(&folder.0)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP sink starts");
        let stdout = child.stdout.take().expect("the sink's output");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the sink says it is ready");
        let port = line.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()).expect("READY <port>");
        SmtpSink { port, child, folder }
    }

    /// The URL the app's configuration names this server by.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.folder.0)
            .expect("the sink's folder")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        paths.iter().map(|path| parse(&std::fs::read(path).expect("a message"))).collect()
    }

    /// Waits until at least `count` messages arrived (or fails after a minute).
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "expected {count} messages, the SMTP server received {}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(raw: &[u8]) -> Received {
    let mail = mailparse::parse_mail(raw).expect("a well-formed message");
    let header = |name: &str| {
        mail.headers.iter().find(|h| h.get_key().eq_ignore_ascii_case(name)).map(|h| h.get_value()).unwrap_or_default()
    };
    let mut received = Received {
        to: header("X-Sink-To"),
        subject: header("Subject"),
        text: String::new(),
        html: String::new(),
        attachments: Vec::new(),
    };
    collect(&mail, &mut received);
    received
}

/// Walks a message's parts (an alternative inside a mixed one, as a message with an attachment
/// is): the first text and HTML bodies, and every attachment.
fn collect(part: &mailparse::ParsedMail<'_>, received: &mut Received) {
    let disposition = part.get_content_disposition();
    if disposition.disposition == mailparse::DispositionType::Attachment {
        let name = disposition.params.get("filename").cloned().unwrap_or_default();
        let body = part.get_body_raw().expect("a decodable attachment");
        received.attachments.push((name, part.ctype.mimetype.clone(), body));
        return;
    }
    match part.ctype.mimetype.as_str() {
        "text/plain" if received.text.is_empty() => received.text = part.get_body().expect("a decodable part"),
        "text/html" if received.html.is_empty() => received.html = part.get_body().expect("a decodable part"),
        _ => {}
    }
    for sub in &part.subparts {
        collect(sub, received);
    }
}
