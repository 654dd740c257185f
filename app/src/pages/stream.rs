//! The Stream: a member's home page with their profile, their team leader and their teammates.

use leptos::prelude::*;

use crate::api::load_stream;
use crate::layout::{Guarded, everyone};
use crate::welcome::{COMPLETE_PROFILE, MemberCard, StreamPage};

#[component]
pub fn Stream() -> impl IntoView {
    let page = Resource::new(|| (), |_| load_stream());
    view! {
        <Guarded allow=everyone>
            <h1>"Stream"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <StreamView page /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

#[component]
fn StreamView(page: StreamPage) -> impl IntoView {
    let StreamPage { me, leader, teammates, teammate_count, missing } = page;
    let more = teammate_count - teammates.len() as i64;
    view! {
        {(!missing.is_empty()).then(|| view! {
            <p class="notice">"Your profile is missing a few things. " <a href=COMPLETE_PROFILE>"Complete your profile"</a></p>
        })}
        <section class="me" aria-label="Your profile"><Card card=me /></section>
        <h2>"Your team leader"</h2>
        {match leader {
            Some(leader) => view! { <Card card=leader /> }.into_any(),
            None => view! { <p>"You have no team leader."</p> }.into_any(),
        }}
        <h2>{format!("Your teammates ({teammate_count})")}</h2>
        <ul class="cards">
            {teammates.into_iter().map(|card| view! { <li><Card card /></li> }).collect_view()}
        </ul>
        {(more > 0).then(|| view! { <p class="hint">{format!("and {more} more")}</p> })}
    }
}

#[component]
fn Card(card: MemberCard) -> impl IntoView {
    let place = card.place();
    view! {
        <article class="card">
            {match card.photo_url() {
                Some(url) => view! { <img class="avatar" src=url alt=format!("Photo of {}", card.name) /> }.into_any(),
                None => view! { <span class="avatar initials" aria-hidden="true">{initials(&card.name)}</span> }.into_any(),
            }}
            <div>
                <h3>{card.name.clone()}</h3>
                <p class="role">{card.role.clone()}</p>
                {(!place.is_empty()).then(|| view! { <p class="place">{place}</p> })}
                {card.email.clone().map(|email| view! { <p class="email">{email}</p> })}
                {card.bio.clone().map(|bio| view! { <p class="bio">{bio}</p> })}
            </div>
        </article>
    }
}

/// "Ada Lovelace" → "AL".
fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|word| word.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(super::initials("ada mary lovelace"), "AM");
        assert_eq!(super::initials("Ada"), "A");
    }
}
