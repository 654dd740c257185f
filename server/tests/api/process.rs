//! A real server process (the `server` binary the tests are built with), for what only a whole
//! process shows: signals, and being killed in the middle of work.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `server serve`, its address, and what it logged.
pub struct ServerProcess {
    child: Child,
    pub address: String,
    logs: mpsc::Receiver<String>,
}

impl ServerProcess {
    /// Starts `server serve` on a free port with `DATABASE_URL` and `environment` (name, value),
    /// and waits until it listens.
    pub fn start(database_url: &str, data_dir: &std::path::Path, environment: &[(&str, &str)]) -> ServerProcess {
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("ROSTER_DATA_DIR", data_dir)
            .env("ROSTER_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in environment {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let (sender, logs) = mpsc::channel();
        for stream in [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let mut process = ServerProcess { child, address: String::new(), logs };
        let ready = process.wait_for_log("Roster is ready at ", Duration::from_secs(60));
        let address = ready.split("Roster is ready at ").nth(1).unwrap_or_default().trim().to_owned();
        assert!(address.starts_with("http://127.0.0.1:"), "the server says where it listens: {ready}");
        process.address = address;
        process
    }

    /// The first log line that contains `text`, waiting at most `timeout`; panics otherwise.
    pub fn wait_for_log(&mut self, text: &str, timeout: Duration) -> String {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.logs.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("the server did not log {text:?} within {timeout:?}"),
            }
        }
    }

    /// Sends SIGTERM, as a service manager does.
    pub fn terminate(&self) {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().expect("kill runs");
        assert!(status.success(), "SIGTERM was sent");
    }

    /// Kills the process at once (SIGKILL): nothing of it runs any more.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit, at most `timeout`: its exit status.
    pub fn wait(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("the process can be waited for") {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "the server did not exit within {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
