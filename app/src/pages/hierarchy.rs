//! Hierarchy: the team as a collapsible tree, leader → reports, with head counts per leader and
//! per channel. Each level is loaded when it is opened, so a large organisation opens at once.

use leptos::prelude::*;

use super::team::TeamTabs;
use crate::api::load_team_tree;
use crate::layout::{Guarded, readers};
use crate::team::head_count_label;
use roster::hierarchy::Node;

#[component]
pub fn Hierarchy() -> impl IntoView {
    view! {
        <Guarded allow=readers>
            <div class="page-head">
                <h1>"Hierarchy"</h1>
            </div>
            <TeamTabs current="/team/hierarchy" />
            <p class="hint">"Open a team leader to see their reports. Counts include everyone below them, not themselves; deactivated users are left out."</p>
            <ul class="tree" role="tree" aria-label="Team hierarchy">
                <Branch parent=None />
            </ul>
        </Guarded>
    }
}

/// The people under `parent` (or at the top), loaded from the server.
#[component]
fn Branch(parent: Option<i64>) -> impl IntoView {
    let level = Resource::new(move || parent, load_team_tree);
    view! {
        <Suspense fallback=|| view! { <li class="loading">"Loading…"</li> }>
            {move || Suspend::new(async move {
                match level.await {
                    Ok(level) if level.nodes.is_empty() => view! { <li class="hint">"Nobody here yet."</li> }.into_any(),
                    Ok(level) => level.nodes.into_iter().map(|node| view! { <TreeItem node /> }).collect_view().into_any(),
                    Err(error) => view! { <li class="error" role="alert">{error.to_string()}</li> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a person's channels are, e.g. "phone, chat".
fn channels(node: &Node) -> String {
    let names: Vec<&str> = [(node.phone, "phone"), (node.chat, "chat"), (node.email, "email")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| n)
        .collect();
    if names.is_empty() { "no channel".to_owned() } else { names.join(", ") }
}

#[component]
fn TreeItem(node: Node) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = node.id.0;
    let has_reports = node.reports > 0;
    let summary = has_reports.then(|| {
        let direct =
            if node.reports == 1 { "1 direct report".to_owned() } else { format!("{} direct reports", node.reports) };
        format!("{direct} · team: {}", head_count_label(&node.team))
    });
    view! {
        <li role="treeitem" aria-expanded=move || has_reports.then(|| open.get().to_string()) data-user=id.to_string()>
            <div class="node">
                {has_reports.then(|| view! {
                    <button type="button" class="toggle" aria-label=move || if open.get() { "Close team" } else { "Open team" }
                        on:click=move |_| open.update(|o| *o = !*o)>
                        {move || if open.get() { "▾" } else { "▸" }}
                    </button>
                })}
                <span class="name">{node.name.clone()}</span>
                <span class="channels">{channels(&node)}</span>
                {summary.map(|s| view! { <span class="counts">{s}</span> })}
            </div>
            {move || open.get().then(|| view! { <ul role="group"><Branch parent=Some(id) /></ul> }.into_any())}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::UserId;
    use roster::hierarchy::HeadCount;

    #[test]
    fn a_persons_channels_are_listed_by_name() {
        let node = Node {
            id: UserId(1),
            name: "Ada".into(),
            can_manage_teams: true,
            phone: true,
            chat: false,
            email: true,
            reports: 0,
            team: HeadCount::default(),
        };
        assert_eq!(channels(&node), "phone, email");
        assert_eq!(channels(&Node { phone: false, email: false, ..node }), "no channel");
    }
}
