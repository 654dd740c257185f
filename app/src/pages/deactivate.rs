//! Deactivate Users (Bulk Actions): filter (including by last sign-in), tick users across pages,
//! review, choose a new leader for each team left behind, then deactivate all of them or none.
//! Deactivated users are reactivated from the same list.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::feedback::{Messages, Outcome};
use super::options::options_html;
use super::team::Filters;
use crate::api::{DeactivateUsers, ReactivateUser, ReviewDeactivation, SelectMatching, list_team, team_options};
use crate::layout::{Guarded, admins};
use crate::plural;
use crate::team::DeactivationReview;
use crate::team::TeamQuery;
use crate::user::UserStatus;
use roster::time::utc_time;

const PAGE: &str = "/team/deactivate";

/// The replacements chosen so far, for the teams of `review` that have one.
pub fn chosen_replacements(review: &DeactivationReview, chosen: &BTreeMap<i64, i64>) -> Vec<(i64, i64)> {
    review.teams.iter().filter_map(|team| chosen.get(&team.leader_id).map(|new| (team.leader_id, *new))).collect()
}

#[component]
pub fn DeactivateUsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| TeamQuery::from_params(|key| p.get(key))));
    let selected = RwSignal::new(BTreeMap::<i64, String>::new());
    let review = ServerAction::<ReviewDeactivation>::new();
    let deactivate = ServerAction::<DeactivateUsers>::new();
    let reactivate = ServerAction::<ReactivateUser>::new();
    let select_all = ServerAction::<SelectMatching>::new();
    Effect::new(move |_| {
        if let Some(Ok(users)) = select_all.value().get() {
            selected.update(|s| s.extend(users.into_iter().map(|u| (u.id, u.label))));
        }
    });
    let options = Resource::new(|| (), |_| team_options());
    let page = Resource::new(
        move || (query.get(), deactivate.version().get(), reactivate.version().get()),
        |(query, _, _)| list_team(query),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = deactivate.value().get() {
            selected.set(BTreeMap::new());
            review.value().set(None);
        }
    });
    let messages = Messages::new();
    messages.follow(
        move || deactivate.value().get(),
        |n| {
            let verb = if n == 1 { "was" } else { "were" };
            format!("{} {verb} deactivated and signed out.", plural::users(n))
        },
    );
    messages.follow(move || reactivate.value().get(), |_| "The user was reactivated.".into());
    messages.follow(move || select_all.value().get(), |users| format!("{} selected.", plural::users(users.len())));

    view! {
        <Guarded allow=admins>
            <div class="page-head"><h1>"Deactivate Users"</h1><A href="/team">"Back to Manage Team"</A></div>
            <p class="hint">"Deactivated users cannot sign in and are signed out at once. Their profiles and history are kept, and they can be reactivated here."</p>
            <Outcome message=messages.signal() />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = options.await.unwrap_or_default();
                    view! { <Filters query=query.get_untracked() options page=PAGE /> }
                })}
            </Suspense>
            <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            let total = page.total;
                            let current = page.page;
                            let pages = page.page_count();
                            let query = query.get_untracked();
                            view! {
                                                <p class="summary">{if total == 1 { "1 user matches.".to_owned() } else { format!("{total} users match.") }}</p>
                                <table class="roster">
                                    <thead><tr><th>"Select"</th><th>"Name"</th><th>"Email Address"</th><th>"Employee ID"</th><th>"Last sign-in"</th><th>"Status"</th></tr></thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|row| {
                                            let id = row.id;
                                            let name = row.name.clone();
                                            let deactivated = row.status == UserStatus::Deactivated;
                                            view! {
                                                <tr data-user=id.to_string()>
                                                    <td>{if deactivated {
                                                        view! { <button type="button" on:click=move |_| { reactivate.dispatch(ReactivateUser { id }); }>"Reactivate"</button> }.into_any()
                                                    } else {
                                                        view! {
                                                            <input type="checkbox" aria-label=format!("Select {name}")
                                                                prop:checked=move || selected.with(|s| s.contains_key(&id))
                                                                on:change=move |ev| {
                                                                    let on = event_target_checked(&ev);
                                                                    let name = name.clone();
                                                                    selected.update(|s| { if on { s.insert(id, name); } else { s.remove(&id); } });
                                                                } />
                                                        }.into_any()
                                                    }}</td>
                                                    <td>{row.name}</td>
                                                    <td>{row.email.unwrap_or_default()}</td>
                                                    <td>{row.employee_id.unwrap_or_default()}</td>
                                                    <td>{row.last_sign_in.map(utc_time).unwrap_or_else(|| "Never".into())}</td>
                                                    <td>{row.status.label()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <nav class="pager" aria-label="Pages">
                                    {(current > 0).then(|| view! { <A href=query.at_page(current - 1).href_on(PAGE)>"← Previous"</A> })}
                                    <span>{format!("Page {} of {}", current + 1, pages)}</span>
                                    {(current + 1 < pages).then(|| view! { <A href=query.at_page(current + 1).href_on(PAGE)>"Next →"</A> })}
                                </nav>
                            }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <div class="actions">
                <button type="button" class="primary" disabled=move || selected.with(BTreeMap::is_empty)
                    on:click=move |_| { review.dispatch(ReviewDeactivation { ids: selected.with(|s| s.keys().copied().collect()) }); }>
                    {move || format!("Review {} selected", selected.with(BTreeMap::len))}
                </button>
                <button type="button" on:click=move |_| { select_all.dispatch(SelectMatching { query: query.get_untracked() }); }>
                    "Select everyone who matches"
                </button>
                <button type="button" on:click=move |_| selected.set(BTreeMap::new())>"Clear selection"</button>
            </div>
            {move || match review.value().get() {
                Some(Ok(found)) => view! { <Review review=found deactivate /> }.into_any(),
                Some(Err(error)) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </Guarded>
    }
}

/// The chosen users, the teams that need a new leader, and the button that deactivates.
#[component]
fn Review(review: DeactivationReview, deactivate: ServerAction<DeactivateUsers>) -> impl IntoView {
    let chosen = RwSignal::new(BTreeMap::<i64, i64>::new());
    let ids: Vec<i64> = review.users.iter().map(|u| u.id).collect();
    let count = ids.len();
    let needs = review.teams.len();
    let review = StoredValue::new(review);
    let ready = move || chosen.with(|c| review.with_value(|r| chosen_replacements(r, c).len() == needs));
    view! {
        <section class="review" aria-label="Review deactivation">
            <h2>{format!("Deactivate {}?", plural::users(count))}</h2>
            <p>{review.with_value(|r| r.users.iter().map(|u| u.label.clone()).collect::<Vec<_>>().join(", "))}</p>
            {(needs > 0).then(|| view! {
                <p>"These team leaders have reports who stay. Choose who leads each team; a direct report you choose takes their leader's place."</p>
                {review.with_value(|r| r.teams.clone()).into_iter().map(|team| {
                    let leader = team.leader_id;
                    let options = review.with_value(|r| {
                        options_html("Choose a new team leader", r.candidates.iter().map(|c| (c.id.to_string(), c.label.as_str(), false)))
                    });
                    view! {
                        <label class="field">
                            {format!("New team leader for {}'s team ({})", team.leader_name, plural::count(team.reports, "report", "reports"))}
                            <select data-leader=leader.to_string() inner_html=options on:change=move |ev| {
                                let value = event_target_value(&ev).parse::<i64>().ok();
                                chosen.update(|c| match value { Some(v) => { c.insert(leader, v); } None => { c.remove(&leader); } });
                            }></select>
                        </label>
                    }
                }).collect_view()}
            })}
            <button type="button" class="danger" disabled=move || !ready()
                on:click=move |_| {
                    let replacements = chosen.with(|c| review.with_value(|r| chosen_replacements(r, c)));
                    deactivate.dispatch(DeactivateUsers { ids: ids.clone(), replacements });
                }>
                {format!("Deactivate {}", plural::users(count))}
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::TeamToReassign;

    #[test]
    fn only_teams_of_this_review_with_a_choice_are_sent() {
        let review = DeactivationReview {
            teams: vec![
                TeamToReassign { leader_id: 1, leader_name: "A".into(), reports: 2 },
                TeamToReassign { leader_id: 2, leader_name: "B".into(), reports: 1 },
            ],
            ..DeactivationReview::default()
        };
        let chosen = BTreeMap::from([(1, 10), (99, 11)]);
        assert_eq!(chosen_replacements(&review, &chosen), [(1, 10)]);
    }
}
