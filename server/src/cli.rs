//! The command line: serve the app, and set up organisations and admins from scripts.

use std::io::Read;

use anyhow::{Context, bail};
use app::ssr::{Store, StoreError, auth, setup};
use clap::{Parser, Subcommand};

use crate::storage::SqlStore;
use crate::{Application, Config};

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
            let org_id = store.org_id_by_slug(&org).await?.with_context(|| {
                format!("There is no organisation with the short name {org}; create it with `server org create`.")
            })?;
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
