//! The API Keys tab: keys for the HTTP import and provisioning APIs, each named, shown once when
//! created, listed with when it was last used, and revoked at once; and where the people that
//! identity providers and scripts send land.

use leptos::prelude::*;

use super::feedback::{Messages, Outcome};
use super::options::options_html;
use super::team::TeamTabs;
use crate::api::{AddApiKey, RevokeApiKey, SaveProvisioning, load_api_keys, load_provisioning, team_options};
use crate::keys::{ApiKeyRow, last_used};
use crate::layout::{Guarded, admins};
use crate::organisation::Provisioning;
use crate::team::Choice;
use roster::time::utc_time;

#[component]
pub fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<AddApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| load_api_keys());
    let messages = Messages::new();
    messages.follow(move || revoke.value().get(), |_| "Key revoked: it is refused from now on.".into());
    messages.follow_failures(move || create.value().get());
    view! {
        <Guarded allow=admins>
            <div class="page-head"><h1>"API Keys"</h1></div>
            <TeamTabs current="/team/api-keys" />
            <p class="hint">"Scripts and identity providers call Roster with a key: " <code>"Authorization: Bearer <key>"</code> ". Each key belongs to this organisation and can do what an admin can through the API."</p>
            <Outcome message=messages.signal() />
            {move || create.value().get().and_then(Result::ok).map(|key| view! {
                <section class="new-key" aria-label="New key">
                    <p>{format!("The key \"{}\" was created. Copy it now: it is shown only this once, and Roster keeps only a fingerprint of it.", key.name)}</p>
                    <input class="secret" readonly value=key.secret aria-label="The new key" />
                </section>
            })}
            <Suspense fallback=|| view! { <p class="loading">"Loading keys…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No keys yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="roster keys">
                                <thead><tr><th>"Name"</th><th>"Created"</th><th>"Last used"</th><th>"Status"</th><th>"Actions"</th></tr></thead>
                                <tbody>{rows.into_iter().map(|row| view! { <KeyLine row revoke /> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Create a key"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label>"Name" <input name="name" required maxlength="60" placeholder="Okta sync" /></label>
                <button type="submit" class="primary">"Create Key"</button>
            </ActionForm>
            <ProvisioningSettings />
        </Guarded>
    }
}

/// The organisation's provisioning defaults: the team leader and flags of someone an identity
/// provider or a script sends without them (`roster::provisioning`).
#[component]
fn ProvisioningSettings() -> impl IntoView {
    let save = ServerAction::<SaveProvisioning>::new();
    let settings = Resource::new(
        move || save.version().get(),
        |_| async { Ok::<_, crate::AppError>((load_provisioning().await?, team_options().await?.leaders)) },
    );
    let messages = Messages::new();
    messages.follow(move || save.value().get(), |_| "Provisioning defaults saved.".into());
    view! {
        <h2 id="provisioning">"People from identity providers and scripts"</h2>
        <p class="hint">"Okta, Microsoft Entra ID, OneLogin and scripts send people without Roster's own fields. Roster creates them with these values for whatever they leave out; spreadsheets and the user form still ask for every field."</p>
        <Outcome message=messages.signal() />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok((provisioning, leaders)) => view! { <ProvisioningForm provisioning leaders save /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProvisioningForm(
    provisioning: Provisioning,
    leaders: Vec<Choice>,
    save: ServerAction<SaveProvisioning>,
) -> impl IntoView {
    let warning = provisioning.leader_warning();
    let defaults = provisioning.defaults;
    let chosen = defaults.team_leader.map(|id| id.0);
    let options = options_html(
        "Nobody: they wait in \"Needs a team leader\" on Manage Team",
        leaders.iter().map(|l| (l.id.to_string(), l.label.as_str(), chosen == Some(l.id))),
    );
    let flag = |name: &'static str, label: &'static str, checked: bool| {
        view! {
            <label class="check">
                <input type="checkbox" name=format!("form[{name}]") value="y" checked=checked />
                {label}
            </label>
        }
    };
    view! {
        <ActionForm action=save attr:class="stacked provisioning">
            <label>"Team leader of someone who cannot manage teams and arrives without one"
                <select name="form[team_leader]" inner_html=options></select>
            </label>
            {warning.map(|w| view! { <p class="warning" role="status">{w}</p> })}
            <fieldset>
                <legend>"Left out, these are"</legend>
                {flag("phone_channel", "Phone Channel: y", defaults.phone_channel)}
                {flag("chat_channel", "Chat Channel: y", defaults.chat_channel)}
                {flag("email_channel", "Email Channel: y", defaults.email_channel)}
                {flag("can_manage_teams", "Can Manage Teams: y", defaults.can_manage_teams)}
                <p class="hint">"Unticked means n."</p>
            </fieldset>
            <button type="submit" class="primary">"Save defaults"</button>
        </ActionForm>
    }
}

#[component]
fn KeyLine(row: ApiKeyRow, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let id = row.id;
    let used = last_used(&row);
    let question = format!("Revoke the key {}? Whatever uses it stops working at once.", row.name);
    view! {
        <tr data-key=row.name.clone()>
            <td>{row.name.clone()}</td>
            <td>{utc_time(row.created_at)}</td>
            <td>{used}</td>
            <td>{row.revoked_at.map_or_else(|| "Active".to_owned(), |at| format!("Revoked {}", utc_time(at)))}</td>
            <td class="actions">
                {row.revoked_at.is_none().then(|| view! {
                    <button type="button" class="danger" on:click=move |_| {
                        if window().confirm_with_message(&question).unwrap_or(false) {
                            revoke.dispatch(RevokeApiKey { id });
                        }
                    }>"Revoke"</button>
                })}
            </td>
        </tr>
    }
}
