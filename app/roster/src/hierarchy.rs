//! The organisation as a tree of team leaders and their reports: who is in whose team (direct and
//! indirect reports), and head counts per leader and per channel.

use crate::hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::UserId;

/// One active person, as the tree needs them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub leader: Option<UserId>,
    pub name: String,
    pub can_manage_teams: bool,
    pub phone: bool,
    pub chat: bool,
    pub email: bool,
}

/// How many people a team holds, and how many of them work each channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadCount {
    pub people: u32,
    pub phone: u32,
    pub chat: u32,
    pub email: u32,
}

impl HeadCount {
    fn of(member: &Member) -> HeadCount {
        HeadCount { people: 1, phone: member.phone.into(), chat: member.chat.into(), email: member.email.into() }
    }

    fn add(&mut self, other: HeadCount) {
        self.people += other.people;
        self.phone += other.phone;
        self.chat += other.chat;
        self.email += other.email;
    }
}

/// A person in the tree with the size of the team under them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: UserId,
    pub name: String,
    pub can_manage_teams: bool,
    pub phone: bool,
    pub chat: bool,
    pub email: bool,
    /// Direct reports.
    pub reports: u32,
    /// Everyone under them, direct and indirect, not counting themselves.
    pub team: HeadCount,
}

/// The tree, built once from a flat list in linear time.
#[derive(Debug, Default)]
pub struct Hierarchy {
    members: Vec<Member>,
    index: FxHashMap<UserId, usize>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    /// Per member: their team (everyone below them).
    teams: Vec<HeadCount>,
}

impl Hierarchy {
    /// Builds the tree. A member whose leader is not in the list (none, deactivated, or outside
    /// the scope) is a root. Members caught in a cycle, which the rules never let in, are left
    /// out rather than looped over.
    pub fn new(mut members: Vec<Member>) -> Self {
        members.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let index: FxHashMap<UserId, usize> = members.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        let mut children = vec![Vec::new(); members.len()];
        let mut roots = Vec::new();
        for (i, member) in members.iter().enumerate() {
            match member.leader.and_then(|leader| index.get(&leader)) {
                Some(&parent) if parent != i => children[parent].push(i),
                _ => roots.push(i),
            }
        }
        // Breadth-first from the roots, then fold the counts upwards in reverse order.
        let mut order = roots.clone();
        let mut next = 0;
        while next < order.len() {
            order.extend_from_slice(&children[order[next]]);
            next += 1;
        }
        let mut teams = vec![HeadCount::default(); members.len()];
        for &i in order.iter().rev() {
            let mut team = HeadCount::default();
            for &child in &children[i] {
                team.add(HeadCount::of(&members[child]));
                team.add(teams[child]);
            }
            teams[i] = team;
        }
        Hierarchy { members, index, children, roots, teams }
    }

    fn node(&self, i: usize) -> Node {
        let m = &self.members[i];
        Node {
            id: m.id,
            name: m.name.clone(),
            can_manage_teams: m.can_manage_teams,
            phone: m.phone,
            chat: m.chat,
            email: m.email,
            reports: self.children[i].len() as u32,
            team: self.teams[i],
        }
    }

    /// The people at the top: nobody they report to is in the tree.
    pub fn roots(&self) -> Vec<Node> {
        self.roots.iter().map(|&i| self.node(i)).collect()
    }

    /// One person with their team's counts.
    pub fn get(&self, id: UserId) -> Option<Node> {
        self.index.get(&id).map(|&i| self.node(i))
    }

    /// A person's direct reports, by name.
    pub fn reports_of(&self, id: UserId) -> Vec<Node> {
        self.index.get(&id).map(|&i| self.children[i].iter().map(|&c| self.node(c)).collect()).unwrap_or_default()
    }

    /// Everyone below `id`, direct and indirect.
    pub fn team_of(&self, id: UserId) -> Vec<UserId> {
        let Some(&start) = self.index.get(&id) else { return Vec::new() };
        let mut seen = vec![false; self.members.len()];
        seen[start] = true;
        let mut team = Vec::new();
        let mut stack = self.children[start].clone();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            team.push(self.members[i].id);
            stack.extend_from_slice(&self.children[i]);
        }
        team
    }

    /// True when `member` is `leader` or anywhere in their team.
    pub fn is_within(&self, leader: UserId, member: UserId) -> bool {
        let mut current = self.index.get(&member).copied();
        let mut steps = 0;
        while let Some(i) = current {
            if self.members[i].id == leader {
                return true;
            }
            steps += 1;
            if steps > self.members.len() {
                return false;
            }
            current = self.members[i].leader.and_then(|l| self.index.get(&l)).copied().filter(|&p| p != i);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, leader: Option<i64>, name: &str, channels: (bool, bool, bool)) -> Member {
        Member {
            id: UserId(id),
            leader: leader.map(UserId),
            name: name.into(),
            can_manage_teams: false,
            phone: channels.0,
            chat: channels.1,
            email: channels.2,
        }
    }

    /// Ada leads Grace and Linus; Grace leads Alan and Barbara. Zed stands alone.
    fn org() -> Hierarchy {
        Hierarchy::new(vec![
            member(1, None, "Ada", (true, false, false)),
            member(2, Some(1), "Grace", (true, true, false)),
            member(3, Some(1), "Linus", (false, false, true)),
            member(4, Some(2), "Alan", (true, false, false)),
            member(5, Some(2), "Barbara", (false, true, true)),
            member(6, None, "Zed", (false, false, false)),
        ])
    }

    #[test]
    fn a_leaders_head_count_includes_indirect_reports_but_not_themselves() {
        let ada = org().get(UserId(1)).unwrap();
        assert_eq!(ada.reports, 2);
        assert_eq!(ada.team, HeadCount { people: 4, phone: 2, chat: 2, email: 2 });
        let grace = org().get(UserId(2)).unwrap();
        assert_eq!(grace.team, HeadCount { people: 2, phone: 1, chat: 1, email: 1 });
    }

    #[test]
    fn roots_and_reports_come_in_name_order() {
        let tree = org();
        let names = |nodes: Vec<Node>| nodes.into_iter().map(|n| n.name).collect::<Vec<_>>();
        assert_eq!(names(tree.roots()), ["Ada", "Zed"]);
        assert_eq!(names(tree.reports_of(UserId(2))), ["Alan", "Barbara"]);
        assert!(tree.reports_of(UserId(99)).is_empty());
    }

    #[test]
    fn a_team_is_every_direct_and_indirect_report() {
        let mut team = org().team_of(UserId(1));
        team.sort();
        assert_eq!(team, [UserId(2), UserId(3), UserId(4), UserId(5)]);
        assert!(org().team_of(UserId(6)).is_empty());
        assert!(org().is_within(UserId(1), UserId(5)));
        assert!(org().is_within(UserId(2), UserId(2)));
        assert!(!org().is_within(UserId(2), UserId(3)));
    }

    #[test]
    fn someone_whose_leader_is_out_of_scope_becomes_a_root() {
        let tree = Hierarchy::new(vec![member(4, Some(2), "Alan", (true, false, false))]);
        assert_eq!(tree.roots().len(), 1);
    }

    #[test]
    fn a_cycle_never_loops_forever() {
        let tree = Hierarchy::new(vec![
            member(1, Some(2), "A", (true, true, true)),
            member(2, Some(1), "B", (true, true, true)),
        ]);
        assert!(tree.roots().is_empty());
        assert!(!tree.is_within(UserId(3), UserId(1)));
        assert_eq!(tree.team_of(UserId(1)).len(), 1);
    }
}
