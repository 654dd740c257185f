//! Decode + parse + validate of generated bulk-create files of 10k, 100k and 1M rows, and of
//! bulk-update files against a team of the same size (untouched, and with every row changed),
//! natively. `cargo bench -p roster --bench rules`. Peak memory is the heap high-water mark during
//! the check, measured by a counting allocator, against the file's size in bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use roster::create::check_create;
use roster::current::{CurrentTeam, CurrentUser, export};
use roster::update::check_update;
use roster::write::utf16le;
use roster::{Column, Directory, KnownUser, OrgRules, ProfileInput, UserId};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// Counting allocations needs a global allocator, which is unsafe by its nature; it only forwards.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }
    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const HEADER: &str = "*Role (conditional)\t*Can Manage Teams\tEmail Address\tEmployee ID (if applicable)\t*First Name\t*Last Name\tHome Town\tState or Country\tProfile\t*Phone Channel\t*Chat Channel\t*Email Channel\t*Team Leader\tEmployment Status\tStart Date\tGroup Assignments";

/// A file of `rows` new users: one in 50 can manage teams and leads the next 49 (named by email
/// or employee ID); leaders report to an existing admin.
fn file(rows: usize) -> Vec<u8> {
    let mut text = String::with_capacity(rows * 200);
    text.push_str(HEADER);
    text.push_str("\r\n");
    for i in 0..rows {
        let leads = i % 50 == 0;
        let leader = if leads {
            "admin@acme.test".to_owned()
        } else if i % 2 == 0 {
            format!("user{}@acme.test", i - i % 50)
        } else {
            format!("E{:07}", i - i % 50)
        };
        let (role, manage) = if leads { ("Team Leader", "y") } else { ("", "n") };
        text.push_str(&format!(
            "{role}\t{manage}\tuser{i}@acme.test\tE{i:07}\tFirst{}\tLast{i}\tSpringfield\tOregon\tLikes \"quotes\" and tabs\ty\tn\ty\t{leader}\tFull Time\t2025-03-31\t{{Tier 1}}\r\n",
            i % 1000
        ));
    }
    utf16le(&text)
}

/// The team that [`file`] would create, as Download Current Team sees it, under an admin (id 1).
fn team(rows: usize) -> CurrentTeam {
    let id = |i: usize| UserId(i as i64 + 2);
    let mut users = vec![CurrentUser {
        id: UserId(1),
        version: 1,
        cells: ProfileInput::new()
            .with(Column::Role, "Admin")
            .with(Column::CanManageTeams, "y")
            .with(Column::EmailAddress, "admin@acme.test")
            .with(Column::FirstName, "Ada")
            .with(Column::LastName, "Admin")
            .with(Column::PhoneChannel, "y")
            .with(Column::ChatChannel, "y")
            .with(Column::EmailChannel, "y"),
        leader: None,
        deactivated: false,
        changed_by: "Ada Admin".into(),
        changed_at: "2026-11-21 09:00 UTC".into(),
        history: Vec::new(),
    }];
    for i in 0..rows {
        let leads = i % 50 == 0;
        let (role, manage, leader_ref, leader) = if leads {
            ("Team Leader", "y", "admin@acme.test".to_owned(), UserId(1))
        } else {
            ("Team Member", "n", format!("user{}@acme.test", i - i % 50), id(i - i % 50))
        };
        let cells = ProfileInput::new()
            .with(Column::Role, role)
            .with(Column::CanManageTeams, manage)
            .with(Column::EmailAddress, format!("user{i}@acme.test"))
            .with(Column::EmployeeId, format!("E{i:07}"))
            .with(Column::FirstName, format!("First{}", i % 1000))
            .with(Column::LastName, format!("Last{i}"))
            .with(Column::HomeTown, "Springfield")
            .with(Column::StateOrCountry, "Oregon")
            .with(Column::Profile, "Likes \"quotes\" and tabs")
            .with(Column::PhoneChannel, "y")
            .with(Column::ChatChannel, "n")
            .with(Column::EmailChannel, "y")
            .with(Column::TeamLeader, leader_ref)
            .with(Column::EmploymentStatus, "Full Time")
            .with(Column::StartDate, "2025-03-31")
            .with(Column::GroupAssignments, "{Tier 1}");
        users.push(CurrentUser {
            id: id(i),
            version: 1,
            cells,
            leader: Some(leader),
            deactivated: false,
            changed_by: "Ada Admin".into(),
            changed_at: "2026-11-21 09:00 UTC".into(),
            history: Vec::new(),
        });
    }
    CurrentTeam::from(users)
}

/// Runs `check` three times on `bytes`; prints a table row with the best time and the peak heap.
fn measure(label: &str, rows: usize, bytes: &[u8], check: impl Fn(&[u8])) {
    let mut best = f64::MAX;
    let mut peak = 0;
    for _ in 0..3 {
        let before = CURRENT.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let started = Instant::now();
        check(bytes);
        best = best.min(started.elapsed().as_secs_f64());
        peak = peak.max(PEAK.load(Ordering::Relaxed) - before);
    }
    let mb = |b: usize| b as f64 / 1_048_576.0;
    println!(
        "| {label} | {rows} | {:.1} MB | {:.0} ms | {:.0} | {:.1} MB | {:.1}× |",
        mb(bytes.len()),
        best * 1000.0,
        rows as f64 / best,
        mb(peak),
        peak as f64 / bytes.len() as f64
    );
}

fn main() {
    let org = OrgRules { groups: vec!["Tier 1".into()], ..OrgRules::with_default_roles() };
    let directory = Directory::new(vec![KnownUser {
        id: UserId(1),
        email_key: Some("admin@acme.test".into()),
        employee_id: None,
        display_name: "Admin".into(),
        can_manage_teams: true,
        deactivated: false,
        leader: None,
        has_reports: false,
    }]);
    println!("| file | rows | file size | time (best of 3) | rows per second | peak heap | peak / file size |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    // ROSTER_BENCH_ROWS=100000 measures one size (for profiling).
    let sizes: Vec<usize> = match std::env::var("ROSTER_BENCH_ROWS").ok().and_then(|v| v.parse().ok()) {
        Some(rows) => vec![rows],
        None => vec![10_000, 100_000, 1_000_000],
    };
    for &rows in &sizes {
        measure("bulk create", rows, &file(rows), |bytes| {
            let checked = check_create(bytes, &org, &directory);
            assert!(checked.report.is_clean(), "{:?}", &checked.report.errors[..checked.report.errors.len().min(3)]);
            assert_eq!(checked.report.counts.new, rows);
        });
    }
    for &rows in &sizes {
        let team = team(rows);
        let untouched = export(&team);
        measure("bulk update, untouched", rows, &untouched, |bytes| {
            let checked = check_update(bytes, &org, &team);
            assert!(checked.report.is_clean(), "{:?}", &checked.report.errors[..checked.report.errors.len().min(3)]);
            assert_eq!(checked.report.counts.unchanged, rows + 1);
        });
        let text = roster::decode::decode(&untouched).expect("an export decodes");
        let changed = utf16le(&text.replace("\tSpringfield\t", "\tShelbyville\t"));
        measure("bulk update, every row changed", rows, &changed, |bytes| {
            let checked = check_update(bytes, &org, &team);
            assert!(checked.report.is_clean(), "{:?}", &checked.report.errors[..checked.report.errors.len().min(3)]);
            assert_eq!(checked.report.counts.changed, rows);
        });
    }
}
