//! The API Keys tab: keys for the HTTP import and provisioning APIs, each named, shown once when
//! created, listed with when it was last used, and revoked at once.

use leptos::prelude::*;

use super::feedback::{Messages, Outcome};
use super::team::TeamTabs;
use crate::api::{AddApiKey, RevokeApiKey, load_api_keys};
use crate::keys::{ApiKeyRow, last_used};
use crate::layout::{Guarded, admins};
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
        </Guarded>
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
