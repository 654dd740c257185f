//! The batch history: every committed import with who, when, which file and its counts, and the
//! users each batch created.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{batch_detail, list_batches};
use crate::bulk::{BATCH_PAGE_SIZE, BatchRow};
use crate::layout::{Guarded, admins};
use crate::pages::bulk_flow::or_blank;
use roster::sheet::Mode;
use roster::time::utc_time;

#[component]
pub fn BatchHistory() -> impl IntoView {
    let batches = Resource::new(|| (), |_| list_batches(0));
    view! {
        <Guarded allow=admins>
            <div class="page-head">
                <h1>"Batch History"</h1>
                <A href="/team/bulk-create">"Bulk Create Users"</A>
            </div>
            <Suspense fallback=|| view! { <p class="loading">"Loading the history…"</p> }>
                {move || Suspend::new(async move {
                    match batches.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No batches yet: bulk uploads appear here once they are saved."</p> }.into_any(),
                        Ok(rows) => view! { <BatchTable rows /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

#[component]
fn BatchTable(rows: Vec<BatchRow>) -> impl IntoView {
    view! {
        <table class="roster">
            <thead>
                <tr>
                    <th scope="col">"Batch"</th>
                    <th scope="col">"When"</th>
                    <th scope="col">"By"</th>
                    <th scope="col">"File"</th>
                    <th scope="col">"New"</th>
                    <th scope="col">"Changed"</th>
                    <th scope="col">"Welcome emails"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|b| {
                    let welcome_emails = b.welcome_emails();
                    view! {
                    <tr>
                        <td><A href=format!("/team/batches/{}", b.id)>{format!("#{}", b.id)}</A></td>
                        <td>{utc_time(b.created_at)}</td>
                        <td>{b.committed_by}</td>
                        <td>{b.file_name}</td>
                        <td>{b.counts.new}</td>
                        <td>{b.counts.changed}</td>
                        <td>{welcome_emails}</td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn BatchView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let wanted = move || {
        let id = params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())).unwrap_or(-1);
        let page = query.with(|q| q.get("page").and_then(|v| v.parse::<i64>().ok())).unwrap_or(0);
        (id, page)
    };
    let detail = Resource::new(wanted, |(id, page)| batch_detail(id, page));
    view! {
        <Guarded allow=admins>
            <p><A href="/team/batches">"← Batch History"</A></p>
            <Transition fallback=|| view! { <p class="loading">"Loading the batch…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => {
                            let b = detail.batch;
                            let pages = (detail.total_users + BATCH_PAGE_SIZE - 1) / BATCH_PAGE_SIZE;
                            let page = detail.page;
                            let link = move |p: i64| format!("/team/batches/{}?page={p}", b.id);
                            view! {
                                <h1>{format!("Batch #{}: {}", b.id, b.file_name)}</h1>
                                <dl class="facts">
                                    <dt>"When"</dt><dd>{utc_time(b.created_at)}</dd>
                                    <dt>"By"</dt><dd>{b.committed_by}" ("{b.source.label()}")"</dd>
                                    <dt>"Counts"</dt><dd>{format!("{} new, {} changed, {} unchanged", b.counts.new, b.counts.changed, b.counts.unchanged)}</dd>
                                    <dt>"File SHA-256"</dt><dd><code>{b.file_sha256}</code></dd>
                                    <dt>"Welcome emails"</dt><dd>{match (b.mode, b.delay_welcome_emails) {
                                        (Mode::Update, _) => "None (an update)",
                                        (Mode::Create, true) => "Delayed until sent from Send Delayed Welcome Emails",
                                        (Mode::Create, false) => "Sent to each new user with an email address",
                                    }}</dd>
                                </dl>
                                <table class="roster">
                                    <thead><tr><th scope="col">"Row"</th><th scope="col">"User"</th><th scope="col">"Email Address"</th><th scope="col">"Employee ID"</th><th scope="col">"What"</th></tr></thead>
                                    <tbody>
                                        {detail.users.into_iter().map(|u| view! {
                                            <tr>
                                                <td>{u.row_number}</td>
                                                <td><A href=format!("/team/users/{}", u.user_id)>{u.name}</A></td>
                                                <td>{u.email}</td>
                                                <td>{u.employee_id}</td>
                                                <td>{u.action}{(!u.changes.is_empty()).then(|| view! {
                                                    <ul class="changes">
                                                        {u.changes.into_iter().map(|(column, old, new)| view! {
                                                            <li>{column}": "<del class="old">{or_blank(old, "(empty)")}</del>" → "<ins class="new">{or_blank(new, "(cleared)")}</ins></li>
                                                        }).collect_view()}
                                                    </ul>
                                                })}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <nav class="pager" aria-label="Pages of this batch">
                                    {(page > 0).then(|| view! { <A href=link(page - 1)>"← Previous"</A> })}
                                    <span>{format!("Page {} of {}", page + 1, pages.max(1))}</span>
                                    {(page + 1 < pages).then(|| view! { <A href=link(page + 1)>"Next →"</A> })}
                                </nav>
                            }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </Guarded>
    }
}
