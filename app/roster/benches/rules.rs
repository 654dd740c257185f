//! Decode + parse + validate of generated bulk-create files of 10k, 100k and 1M rows, natively.
//! `cargo bench -p roster --bench rules`. Peak memory is the heap high-water mark during the
//! check, measured by a counting allocator, against the file's size in bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use roster::create::check_create;
use roster::write::utf16le;
use roster::{Directory, KnownUser, OrgRules, UserId};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

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
    println!("| rows | file size | time (best of 3) | rows per second | peak heap | peak / file size |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    // ROSTER_BENCH_ROWS=100000 measures one size (for profiling).
    let sizes: Vec<usize> = match std::env::var("ROSTER_BENCH_ROWS").ok().and_then(|v| v.parse().ok()) {
        Some(rows) => vec![rows],
        None => vec![10_000, 100_000, 1_000_000],
    };
    for rows in sizes {
        let bytes = file(rows);
        let mut best = f64::MAX;
        let mut peak = 0;
        for _ in 0..3 {
            let before = CURRENT.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let started = Instant::now();
            let checked = check_create(&bytes, &org, &directory);
            let seconds = started.elapsed().as_secs_f64();
            assert!(checked.report.is_clean(), "{:?}", &checked.report.errors[..checked.report.errors.len().min(3)]);
            assert_eq!(checked.report.counts.new, rows);
            drop(checked);
            best = best.min(seconds);
            peak = peak.max(PEAK.load(Ordering::Relaxed) - before);
        }
        let mb = |b: usize| b as f64 / 1_048_576.0;
        println!(
            "| {rows} | {:.1} MB | {:.0} ms | {:.0} | {:.1} MB | {:.1}× |",
            mb(bytes.len()),
            best * 1000.0,
            rows as f64 / best,
            mb(peak),
            peak as f64 / bytes.len() as f64
        );
    }
}
