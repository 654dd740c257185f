//! Welcome emails for admins: Send Delayed Welcome Emails, and one user's welcome email on their page.

use leptos::prelude::*;
use leptos_router::components::A;

use super::account::ActionError;
use crate::api::{SendDelayedWelcomeEmails, SendWelcomeEmail, held_welcome_emails, welcome_email_state};
use crate::layout::{Guarded, admins};

/// `/team/delayed-welcome-emails`: how many are held, and sending them all after confirmation.
#[component]
pub fn DelayedWelcomeEmails() -> impl IntoView {
    let send = ServerAction::<SendDelayedWelcomeEmails>::new();
    let held = Resource::new(move || send.version().get(), |_| held_welcome_emails());
    let error = Signal::derive(move || send.value().get().and_then(Result::err).map(|e| e.to_string()));
    let sent = move || send.value().get().and_then(Result::ok);
    view! {
        <Guarded allow=admins>
            <h1>"Send Delayed Welcome Emails"</h1>
            {move || sent().map(|n| view! { <p class="success" role="status">{format!("Sending {}. Each person's page shows when theirs went out.", emails(n))}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match held.await {
                        Ok(0) => view! { <p>"No welcome emails are delayed."</p> }.into_any(),
                        Ok(count) => view! {
                            <p>{held_sentence(count)}</p>
                            <ActionForm action=send attr:class="stacked">
                                <input type="hidden" name="expected" value=count.to_string() />
                                <label class="check"><input type="checkbox" required />
                                    {format!("Yes, send {} now", emails(count))}
                                </label>
                                <ActionError error />
                                <button type="submit" class="primary">{format!("Send {}", emails(count))}</button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p><A href="/team">"Back to Manage Team"</A></p>
        </Guarded>
    }
}

/// "1 welcome email", "3 welcome emails".
pub fn emails(count: i64) -> String {
    if count == 1 { "1 welcome email".into() } else { format!("{count} welcome emails") }
}

/// "3 welcome emails are delayed…"
pub fn held_sentence(count: i64) -> String {
    let (verb, them) = if count == 1 { ("is", "it") } else { ("are", "them") };
    format!(
        "{} {verb} delayed. Sending {them} invites these people to set their password and sign in; each email goes out once.",
        emails(count)
    )
}

/// A user's welcome email on their page: where it is, and sending it (again).
#[component]
pub fn WelcomeEmailPanel(user_id: i64) -> impl IntoView {
    let send = ServerAction::<SendWelcomeEmail>::new();
    let state = Resource::new(move || send.version().get(), move |_| welcome_email_state(user_id));
    let error = Signal::derive(move || send.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <section class="welcome-email" aria-label="Welcome email">
            <h2>"Welcome email"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(state) => {
                            let class = if state.failed() { "error" } else { "" };
                            view! { <p class=class data-testid="welcome-state">{state.describe()}</p> }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=send>
                <input type="hidden" name="user_id" value=user_id.to_string() />
                <ActionError error />
                <button type="submit">"Send welcome email"</button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_held_count_reads_as_a_sentence() {
        assert!(super::held_sentence(1).starts_with("1 welcome email is delayed. Sending it"));
        assert!(super::held_sentence(3).starts_with("3 welcome emails are delayed. Sending them"));
    }
}
