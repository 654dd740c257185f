//! The command line: serve the app, set up organisations and admins, and import and export
//! spreadsheets from scripts.

use std::io::Read;

use anyhow::{Context, bail};
use app::bulk::job::ImportJob;
use app::bulk::{ImportFile, ImportResult, ImportStatus};
use app::plural::users;
use app::ssr::{AccountStore, ApiKeyStore, ImportStore, Importer, StoreError, auth, import, setup};
use clap::{Parser, Subcommand};
use roster::sheet::Mode;

use crate::jobs::run_claimed;
use crate::startup::Shutdown;
use crate::storage::SqlStore;
use crate::{Application, Config};

/// The import found errors in the file; they have been printed.
#[derive(Debug, thiserror::Error)]
#[error("the file has errors; nothing was saved")]
pub struct FileHasErrors;

#[derive(Parser, Debug)]
#[command(name = "server", about = "Roster: bulk user profiles for support teams", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Manage organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage admins.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import a spreadsheet (UTF-16 Unicode Text) exactly as the browser's bulk upload does: all of
    /// it or nothing, as an import job. Waits for the job and prints its progress (running it here
    /// unless a server's worker takes it first). Exits with status 1 when the file has errors or
    /// nothing could be saved.
    Import {
        /// The organisation's short name.
        #[arg(long)]
        org: String,
        #[arg(long, value_enum)]
        mode: ImportMode,
        /// Check the file and report, without saving anything.
        #[arg(long)]
        dry_run: bool,
        /// Hold the new users' welcome emails until an admin sends them.
        #[arg(long)]
        delay_welcome_emails: bool,
        /// A retry with the same key creates nothing twice.
        #[arg(long)]
        idempotency_key: Option<String>,
        /// Submit the job and print its id without waiting (a server's import worker runs it).
        #[arg(long)]
        no_wait: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        file: std::path::PathBuf,
    },
    /// Write Download Current Team: every user of the organisation, deactivated ones included, as
    /// UTF-16 Unicode Text ready to edit and import with `--mode update`.
    Export {
        /// The organisation's short name.
        #[arg(long)]
        org: String,
        /// Where to write the file.
        file: std::path::PathBuf,
    },
    /// Manage the organisation API keys that automation uses.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ImportMode {
    /// Every row a new user (the Bulk Create template).
    Create,
    /// Every row an existing user, by User ID (a Download Current Team file, edited).
    Update,
}

impl From<ImportMode> for Mode {
    fn from(mode: ImportMode) -> Mode {
        match mode {
            ImportMode::Create => Mode::Create,
            ImportMode::Update => Mode::Update,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key and print it once; only its SHA-256 is stored.
    Create {
        #[arg(long)]
        org: String,
        /// What the key is for, e.g. "Okta sync".
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Create an organisation with the default roles.
    Create {
        /// Short name used to sign in, e.g. acme-support.
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin. The password comes from ROSTER_ADMIN_PASSWORD or, if unset, standard input.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Admin")]
        first_name: String,
        #[arg(long, default_value = "User")]
        last_name: String,
    },
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Import { org, mode, dry_run, delay_welcome_emails, idempotency_key, no_wait, format, file } => {
            let options =
                ImportOptions { mode: mode.into(), dry_run, delay_welcome_emails, idempotency_key, no_wait, format };
            if import(&config, &org, &file, options).await? { Ok(()) } else { Err(FileHasErrors.into()) }
        }
        Command::Export { org, file } => {
            let store = SqlStore::connect(&config.database_url).await?;
            let org_id = org_id(&store, &org).await?;
            let team = store.current_team(org_id).await?.team;
            let count = team.users().len();
            let bytes = tokio::task::spawn_blocking(move || roster::current::export(&team)).await?;
            std::fs::write(&file, bytes).with_context(|| format!("could not write {}", file.display()))?;
            println!("Wrote {count} users of {org} to {}.", file.display());
            Ok(())
        }
        Command::ApiKey { command: ApiKeyCommand::Create { org, name } } => {
            let store = SqlStore::connect(&config.database_url).await?;
            let org_id = org_id(&store, &org).await?;
            let name = roster::organisation::ApiKeyName::parse(&name)
                .map_err(|error| anyhow::anyhow!("{error} Name the key with --name, e.g. --name \"Okta sync\"."))?;
            let (token, hash) = auth::new_api_key();
            store.create_api_key(org_id, None, &name, &hash).await?;
            println!("{token}");
            eprintln!(
                "Created API key \"{}\" for {org}. It is shown only now: store it in your secret manager.",
                name.as_str()
            );
            Ok(())
        }
        Command::Serve => serve(config).await,
        Command::Org { command: OrgCommand::Create { slug, name } } => {
            let store = SqlStore::connect(&config.database_url).await?;
            let slug = setup::parse_slug(&slug).map_err(anyhow::Error::msg)?;
            let name = setup::parse_org_name(&name).map_err(anyhow::Error::msg)?;
            match store.create_org(&slug, &name).await {
                Ok(_) => {
                    println!("Created organisation {name} ({slug}).");
                    Ok(())
                }
                Err(StoreError::Taken(_)) => bail!("An organisation with the short name {slug} already exists."),
                Err(error) => Err(anyhow::Error::new(error)),
            }
        }
        Command::Admin { command: AdminCommand::Create { org, email, first_name, last_name } } => {
            let store = SqlStore::connect(&config.database_url).await?;
            let password = match std::env::var("ROSTER_ADMIN_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    let mut input = String::new();
                    std::io::stdin().read_to_string(&mut input).context("reading the password from standard input")?;
                    input.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let org_id = org_id(&store, &org).await?;
            let draft = setup::parse_admin(&first_name, &last_name, &email, &password).map_err(|problems| {
                anyhow::anyhow!(problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("\n"))
            })?;
            let hash =
                auth::hash_password(&draft.password).map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
            let admin = app::ssr::NewUser { password_hash: Some(hash), ..draft.user };
            match store.create_admin(org_id, &admin).await {
                Ok(_) => {
                    println!("Created admin {} in {org}.", email.trim());
                    Ok(())
                }
                Err(StoreError::Taken(what)) => bail!("That {what} is already used in {org}."),
                Err(error) => Err(anyhow::Error::new(error)),
            }
        }
    }
}

async fn org_id(store: &SqlStore, slug: &str) -> anyhow::Result<i64> {
    store.org_id_by_slug(slug).await?.with_context(|| {
        format!("There is no organisation with the short name {slug}; create it with `server org create`.")
    })
}

/// Imports a file; `Ok(false)` when it has errors or nothing could be saved (reported).
async fn import(config: &Config, org: &str, file: &std::path::Path, options: ImportOptions) -> anyhow::Result<bool> {
    let store = SqlStore::connect(&config.database_url).await?.with_jobs(config.jobs);
    let org_id = org_id(&store, org).await?;
    let bytes = std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let upload = ImportFile {
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        bytes,
        delay_welcome_emails: options.delay_welcome_emails,
        idempotency_key: options.idempotency_key,
    };
    let (mode, format) = (options.mode, options.format);
    if options.dry_run {
        let result =
            import::dry_run(&store, org_id, mode, &upload).await.map_err(|error| anyhow::anyhow!("{error}"))?;
        print_result(mode, format, &result, false)?;
        return Ok(result.is_success());
    }
    let job = import::submit(&store, org_id, Importer::CommandLine, mode, &upload)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    // A job already ended when it is submitted was made before with this idempotency key.
    let replayed = job.state.has_ended() && job.result.as_ref().is_some_and(|r| r.batch_id.is_some());
    if options.no_wait {
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&job)?),
            Format::Text => println!("Submitted import job {}; a server's import worker runs it.", job.id),
        }
        return Ok(true);
    }
    let job = follow(&store, org_id, job).await?;
    match (&job.result, job.state) {
        (Some(result), _) => {
            print_result(mode, format, result, replayed)?;
            Ok(result.is_success())
        }
        (None, _) => {
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&job)?),
                Format::Text => println!("{}", job.describe()),
            }
            Ok(false)
        }
    }
}

/// Waits for a job to end, printing where it is every second: runs it in this process whenever
/// no server's worker holds it (a failed attempt with attempts left is run again here too).
async fn follow(store: &SqlStore, org_id: i64, job: ImportJob) -> anyhow::Result<ImportJob> {
    let id = job.id;
    let printer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut last = String::new();
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                let Ok(Some(now)) = store.import_job(org_id, id).await else { continue };
                let line = format!("{} ({})", now.describe(), timing(&now));
                if line != last && !now.state.has_ended() {
                    eprintln!("{line}");
                    last = line;
                }
            }
        })
    };
    let worker = format!("command line {}", std::process::id());
    let mut current = job;
    while !current.state.has_ended() {
        match store.claim_import_job(&worker, Some(id)).await? {
            Some(claimed) => {
                run_claimed(store, claimed, &Shutdown::new()).await;
            }
            None => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
        }
        current = store.import_job(org_id, id).await?.context("the import job vanished")?;
    }
    printer.abort();
    Ok(current)
}

/// "running for 12 s, about 30 s left".
fn timing(job: &ImportJob) -> String {
    let elapsed = ImportJob::duration_text(job.elapsed());
    match job.seconds_left() {
        Some(left) if !job.state.has_ended() => {
            format!("running for {elapsed}, about {} left", ImportJob::duration_text(left))
        }
        _ => format!("running for {elapsed}"),
    }
}

fn print_result(mode: Mode, format: Format, result: &ImportResult, replayed: bool) -> anyhow::Result<()> {
    let result = if replayed {
        ImportResult { status: ImportStatus::AlreadyCommitted, ..result.clone() }
    } else {
        result.clone()
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        Format::Text => print!("{}", import_summary(mode, &result)),
    }
    Ok(())
}

struct ImportOptions {
    mode: Mode,
    dry_run: bool,
    delay_welcome_emails: bool,
    idempotency_key: Option<String>,
    no_wait: bool,
    format: Format,
}

/// The import's outcome for a person at a terminal.
fn import_summary(mode: Mode, result: &ImportResult) -> String {
    let counts = result.counts;
    let batch = result.batch_id.unwrap_or_default();
    let mut text = match (result.status, mode) {
        (ImportStatus::Committed, Mode::Create) => format!("Created {} (batch {batch}).\n", users(counts.new)),
        (ImportStatus::Committed, Mode::Update) => {
            format!("Updated {}; {} unchanged (batch {batch}).\n", users(counts.changed), counts.unchanged)
        }
        (ImportStatus::AlreadyCommitted, _) => format!(
            "This file was already imported with this idempotency key (batch {batch}); nothing was saved again.\n"
        ),
        (ImportStatus::DryRun, Mode::Create) => {
            format!("Dry run: the file is valid; {} users would be created. Nothing was saved.\n", counts.new)
        }
        (ImportStatus::DryRun, Mode::Update) => format!(
            "Dry run: the file is valid; {} would be updated, {} unchanged. Nothing was saved.\n",
            users(counts.changed),
            counts.unchanged
        ),
        (ImportStatus::Rejected, _) => {
            format!("The file has errors; nothing was saved. Rows with errors: {}.\n", counts.errors)
        }
    };
    for error in &result.errors {
        let place = match (error.row, &error.column) {
            (Some(row), Some(column)) => format!("Row {row}, {column}: "),
            (Some(row), None) => format!("Row {row}: "),
            _ => String::new(),
        };
        text.push_str(&format!("  {place}{}\n", error.message));
    }
    text
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config.clone()).await?;
    let needs_setup = app.store.needs_setup().await?;
    let url = format!("http://{}:{}", config.addr.ip(), app.port());
    tracing::info!("Roster is listening on {url}");
    if needs_setup {
        println!(
            "\nRoster is ready at {url}\nThe database is empty: open {url}/setup to create your organisation and first admin.\n"
        );
    } else {
        println!(
            "\nRoster is ready at {url}\nSign in at {url}/sign-in with your organisation's short name, email address and password.\n"
        );
    }
    app.run_until_stopped().await.context("the server stopped")
}
