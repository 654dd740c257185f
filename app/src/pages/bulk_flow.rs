//! The bulk flows' shared page: choose a file, preview it (checked in the browser by the rules
//! crate against a snapshot of the organisation), then commit it all or nothing. Bulk Create and
//! Bulk Update differ only in their snapshot, their check, their counts and what a row shows.
//! The preview's table renders only the rows in view, so 100,000 rows scroll smoothly; the check
//! runs in steps with the progress painted between them. Continue / Confirm submits a job that a
//! server worker runs; the page watches it (phase, users written, time elapsed and left), and
//! every admin sees the organisation's recent jobs, so closing the tab loses nothing.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use roster::create::report_create_table;
use roster::current::TeamSnapshot;
use roster::edit::{EditError, Edits, Matching};
use roster::fields::DateFormat;
use roster::merge::Keep;
use roster::parse::Table;
use roster::report::{Counts, Report, RowKind};
use roster::sheet::{FileProblem, Mode, column_letter};
use roster::stray::{ColumnName, StrayColumn};
use roster::update::report_update_table;
use roster::{Directory, OrgRules};

use crate::api::{
    bulk_create, bulk_snapshot, bulk_update, bulk_update_snapshot, column_names, forget_column_name, load_import_job,
    recent_import_jobs, remember_column_name,
};
use crate::browser::{self, ChosenFile};
use crate::bulk::corrections::{self, Kept};
use crate::bulk::job::{ImportJob, JobState};
use crate::bulk::preview::{Choice, Filter, Heading, Preview, PreviewCell, PreviewRow, RowLine, window};
use crate::bulk::{ImportFile, ImportResult, ImportStatus};
use crate::layout::{Guarded, admins};
use crate::mark::{Icon, Mark};
use crate::plural::users;

/// Height of a preview row in pixels (the CSS gives rows exactly this height).
const ROW_HEIGHT: f64 = 48.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 10;
/// Problems listed above the table; the error report has them all.
const LISTED_PROBLEMS: usize = 200;
const FILE_INPUT: &str = "bulk-file";
const TABLE_SCROLLER: &str = "preview-rows";

/// What the rules check a file against.
#[derive(Clone)]
pub enum Context {
    Create(OrgRules, Directory),
    Update(TeamSnapshot),
}

impl Context {
    async fn load(mode: Mode) -> Result<Arc<Context>, crate::AppError> {
        let context = match mode {
            Mode::Create => {
                let (org, directory) = bulk_snapshot().await?.into_parts();
                Context::Create(org, directory)
            }
            Mode::Update => Context::Update(bulk_update_snapshot().await?),
        };
        Ok(Arc::new(context))
    }

    fn org(&self) -> &OrgRules {
        match self {
            Context::Create(org, _) => org,
            Context::Update(snapshot) => &snapshot.org,
        }
    }

    /// The same context with the organisation's header names as they are now.
    fn with_column_names(&self, names: Vec<ColumnName>) -> Context {
        let mut context = self.clone();
        match &mut context {
            Context::Create(org, _) => org.column_names = names,
            Context::Update(snapshot) => snapshot.org.column_names = names,
        }
        context
    }

    fn check(&self, table: &Table<'_>) -> Report {
        match self {
            Context::Create(org, directory) => report_create_table(table, org, directory),
            Context::Update(snapshot) => report_update_table(table, &snapshot.org, &snapshot.team),
        }
    }
}

/// The checked file, with its bytes for the commit and what it was checked against.
#[derive(Clone)]
struct Checked {
    preview: Preview,
    /// The file to commit: as uploaded, with the corrections made in the preview.
    bytes: Vec<u8>,
    context: Arc<Context>,
    /// The file as uploaded, and the corrections made to it in the preview.
    source: Arc<Table<'static>>,
    edits: Edits,
    /// The uploaded bytes' fingerprint, under which the corrections are kept in the browser.
    fingerprint: String,
    idempotency_key: String,
    /// Milliseconds per step, e.g. "read 20, decode 31, split 12, check 180, index 9".
    timings: String,
    /// Milliseconds from Preview to the checked file, painting included.
    total_ms: f64,
}

impl Checked {
    /// The same file to submit again after its job ended without saving it: with `preview`, and a
    /// new idempotency key (the old one names the job that ended).
    fn resubmitted(&self, preview: Preview) -> Checked {
        Checked { preview, idempotency_key: browser::random_key(), ..self.clone() }
    }
}

async fn commit(mode: Mode, file: ImportFile) -> Result<ImportJob, crate::AppError> {
    match mode {
        Mode::Create => bulk_create(file).await,
        Mode::Update => bulk_update(file).await,
    }
}

/// How often a page asks how a job it watches is doing.
const POLL_MS: u32 = 500;

/// Asks how job `id` is doing until it ends, showing each answer; the last one is returned.
async fn watch(id: i64, watching: RwSignal<Option<ImportJob>>) -> Result<ImportJob, crate::AppError> {
    let mut failures = 0;
    loop {
        browser::sleep_ms(POLL_MS).await;
        match load_import_job(id).await {
            Ok(job) => {
                failures = 0;
                let ended = job.state.has_ended();
                watching.set(Some(job.clone()));
                if ended {
                    return Ok(job);
                }
            }
            // A dropped connection: the job goes on; ask again, a little later each time.
            Err(crate::AppError::Transport(_)) if failures < 20 => {
                failures += 1;
                browser::sleep_ms(POLL_MS * failures).await;
            }
            Err(error) => return Err(error),
        }
    }
}

/// A bulk page for admins: its title, its steps (`children`), then the flow.
#[component]
pub fn BulkPage(title: &'static str, mode: Mode, children: ChildrenFn) -> impl IntoView {
    let children = StoredValue::new(children);
    view! {
        <Guarded allow=admins>
            <div class="page-head">
                <h1>{title}</h1>
                <A href="/team/batches">"Batch History"</A>
            </div>
            <BulkFlow mode>{children.read_value()()}</BulkFlow>
        </Guarded>
    }
}

/// Upload, preview and commit. `children` are the page's steps; Bulk Create adds "Delay welcome
/// emails" to the form.
#[component]
fn BulkFlow(mode: Mode, children: Children) -> impl IntoView {
    let snapshot = LocalResource::new(move || Context::load(mode));
    let checked: RwSignal<Option<Arc<Checked>>> = RwSignal::new(None);
    let progress: RwSignal<Option<String>> = RwSignal::new(None);
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let delay = RwSignal::new(false);
    let committing = RwSignal::new(false);
    let committed: RwSignal<Option<ImportResult>> = RwSignal::new(None);
    let watching: RwSignal<Option<ImportJob>> = RwSignal::new(None);
    // Bumped when the organisation's header names change, so that their list is read again.
    let names_changed = RwSignal::new(0u32);
    // What the preview shows, kept while the same file is checked again after a correction.
    let view_state = ViewState::new(mode);
    // Corrections kept before the page was reloaded, for a file not chosen again yet.
    let kept_before: RwSignal<Option<Kept>> = RwSignal::new(None);
    // After a reload: a file kept with its corrections is previewed again at once; for a larger
    // one the page says how to go on.
    Effect::new(move |_| match kept_corrections(mode) {
        Some(kept) if kept.file.is_some() => spawn_local(async move {
            let count = kept.cells.len();
            match restore_kept(mode, kept, snapshot, progress).await {
                Ok(result) => {
                    notice.set(Some(format!(
                        "Your {} to {} {} kept while the page reloaded.",
                        corrections_text(count),
                        result.preview.file_name,
                        if count == 1 { "was" } else { "were" },
                    )));
                    checked.set(Some(Arc::new(result)));
                }
                Err(message) => problem.set(Some(message)),
            }
            progress.set(None);
        }),
        kept => kept_before.set(kept),
    });

    let run_preview = move || {
        let Some(file) = browser::chosen_file(FILE_INPUT) else {
            problem.set(Some("Choose the file to upload first.".into()));
            return;
        };
        problem.set(None);
        notice.set(None);
        committed.set(None);
        checked.set(None);
        view_state.reset(mode);
        spawn_local(async move {
            match check_file(mode, file, snapshot, progress).await {
                Ok(result) => {
                    browser::scroll_to(TABLE_SCROLLER, 0.0);
                    if !result.edits.is_empty() {
                        kept_before.set(None);
                        notice.set(Some(format!(
                            "The {} you made to this file before the page was reloaded {} applied again.",
                            corrections_text(result.edits.len()),
                            if result.edits.len() == 1 { "was" } else { "were" },
                        )));
                    }
                    checked.set(Some(Arc::new(result)));
                }
                Err(message) => problem.set(Some(message)),
            }
            progress.set(None);
        });
    };

    // A stray column's meaning chosen in the preview: remembered for the organisation, then the
    // same file checked again with it.
    let teach = move |header: String, meaning: String| {
        let Some(current) = checked.get_untracked() else { return };
        problem.set(None);
        spawn_local(async move {
            match remember_column_name(header, meaning).await {
                Ok(names) => {
                    names_changed.update(|n| *n += 1);
                    snapshot.refetch(); // the next file is read with the new name too
                    let context = Arc::new(current.context.with_column_names(names));
                    let (name, bytes) = (current.preview.file_name.clone(), current.bytes.clone());
                    let origin = Origin::Corrected {
                        source: current.source.clone(),
                        edits: current.edits.clone(),
                        fingerprint: current.fingerprint.clone(),
                    };
                    let started = browser::now_ms();
                    let again =
                        check_bytes(mode, name, bytes, context, progress, started, Timings::default(), origin).await;
                    checked.set(Some(Arc::new(again)));
                    progress.set(None);
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        });
    };

    // Corrections made in the preview: the file as uploaded with them, checked again from the
    // start, and kept in the browser until the file is committed or they are discarded.
    let correct = move |edits: Edits| {
        let Some(current) = checked.get_untracked() else { return };
        problem.set(None);
        spawn_local(async move {
            let started = browser::now_ms();
            let name = current.preview.file_name.clone();
            keep_corrections(mode, &name, &current.fingerprint, &edits, &current.source);
            kept_before.set(None);
            let bytes = roster::write::utf16le(&edits.apply(&current.source));
            let origin =
                Origin::Corrected { source: current.source.clone(), edits, fingerprint: current.fingerprint.clone() };
            let context = current.context.clone();
            let again = check_bytes(mode, name, bytes, context, progress, started, Timings::default(), origin).await;
            checked.set(Some(Arc::new(again)));
            progress.set(None);
        });
    };

    let run_commit = move || {
        let Some(current) = checked.get_untracked() else { return };
        if !current.preview.is_clean() || committing.get_untracked() {
            return;
        }
        committing.set(true);
        problem.set(None);
        notice.set(None);
        let file = ImportFile {
            file_name: current.preview.file_name.clone(),
            bytes: current.bytes.clone(),
            delay_welcome_emails: mode == Mode::Create && delay.get_untracked(),
            idempotency_key: Some(current.idempotency_key.clone()),
        };
        spawn_local(async move {
            let ended = match commit(mode, file).await {
                Ok(job) if job.state.has_ended() => Ok(job),
                Ok(job) => {
                    let id = job.id;
                    watching.set(Some(job));
                    watch(id, watching).await
                }
                Err(error) => Err(error),
            };
            match ended {
                Ok(job) => match (job.state, job.result.clone()) {
                    (JobState::Done, Some(result)) => {
                        browser::forget(Kept::key(mode)); // committed: the corrections are in the batch
                        checked.set(None);
                        committed.set(Some(result));
                        snapshot.refetch(); // the next file is checked against the team as it is now
                    }
                    (JobState::Rejected, Some(result)) => {
                        let preview = current.preview.with_server_errors(result.counts, result.errors);
                        checked.set(Some(Arc::new(current.resubmitted(preview))));
                        snapshot.refetch(); // the next preview checks against the team as it is now
                        notice.set(Some(
                            "The team changed since your preview: the server found the errors shown below, and nothing was saved. Fix them and upload the file again."
                                .into(),
                        ));
                    }
                    _ => {
                        // Failed: nothing was saved. Continue again submits a new job.
                        checked.set(Some(Arc::new(current.resubmitted(current.preview.clone()))));
                        problem.set(Some(job.describe()));
                    }
                },
                Err(error) => problem.set(Some(error.to_string())),
            }
            watching.set(None);
            committing.set(false);
        });
    };

    // Reads in this view use `try_get`: during server rendering, Leptos's Suspense occasionally
    // disposes of a component's signals while a previous render of it is still being resolved
    // (leptos-rs/leptos#3595), and a plain `get` then panicked one request in forty.
    view! {
        <section class="panel">
            {children()}
            <form class="upload" on:submit=move |event| { event.prevent_default(); run_preview(); }>
                <label>
                    "Spreadsheet (Unicode Text, .txt)"
                    <input id=FILE_INPUT type="file" accept=".txt,.tsv,.csv,text/plain" required />
                </label>
                {(mode == Mode::Create).then(|| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || delay.try_get().unwrap_or_default() on:change=move |e| delay.set(event_target_checked(&e)) />
                        "Delay welcome emails"
                    </label>
                })}
                <button type="submit" class="primary" disabled=move || progress.try_get().flatten().is_some()>"Preview"</button>
            </form>
            <RememberedColumns names_changed on_change=move || snapshot.refetch() />
            // The snapshot is a local resource, always pending on the server: read only under a
            // Suspense of its own, so that the page's Suspense (the viewer's) never waits on it and
            // the server and the browser agree on what it rendered.
            <Suspense fallback=|| ()>
                <Show when=move || matches!(snapshot.try_get().flatten(), Some(Err(_)))>
                    <p class="error" role="alert">
                        {move || match snapshot.try_get().flatten() {
                            Some(Err(error)) => format!("Your team could not be loaded to check the file: {error}"),
                            _ => String::new(),
                        }}
                    </p>
                </Show>
            </Suspense>
        </section>
        <div aria-live="polite" class="progress-line">
            {move || progress.try_get().flatten().map(|text| view! { <p class="working"><progress></progress>" "{text}</p> })}
            {move || watching.try_get().flatten().map(|job| view! { <JobCard job /> })}
        </div>
        <p class="error" role="alert">{move || problem.try_get().flatten()}</p>
        {move || notice.try_get().flatten().map(|text| view! { <p class="notice" role="alert">{text}</p> })}
        {move || kept_before.try_get().flatten().filter(|_| checked.try_get().flatten().is_none()).map(|kept| view! {
            <p class="notice" role="status">
                {format!(
                    "You made {} to {} before this page was reloaded. Choose that file again and Preview to go on with them, or ",
                    corrections_text(kept.cells.len()),
                    kept.file_name,
                )}
                <button type="button" class="link" on:click=move |_| { browser::forget(Kept::key(mode)); kept_before.set(None); }>"discard them"</button>
                "."
            </p>
        })}
        {move || committed.try_get().flatten().map(|result| view! { <Committed mode result /> }.into_any())}
        <RecentJobs watching />
        {move || checked.try_get().flatten().map(|current| {
            view! { <PreviewPanel mode current delay committing run_commit teach correct view_state notice /> }.into_any()
        })}
    }
}

/// Reads, decodes, parses and checks the file, painting progress between the steps. Corrections
/// kept in the browser for these very bytes (the page was reloaded) are laid over them again.
async fn check_file(
    mode: Mode,
    file: ChosenFile,
    snapshot: LocalResource<Result<Arc<Context>, crate::AppError>>,
    progress: RwSignal<Option<String>>,
) -> Result<Checked, String> {
    let started = browser::now_ms();
    let mut timings = Timings::default();
    progress.set(Some(format!("Reading {} ({})…", file.name, browser::size_text(file.size))));
    browser::next_paint().await;
    let bytes = timings.time("read", browser::read(&file)).await?;
    progress.set(Some("Loading your team to check the file against…".into()));
    let context = snapshot.await.map_err(|error| format!("Your team could not be loaded: {error}"))?;
    let fingerprint = corrections::fingerprint(&bytes);
    let kept = kept_corrections(mode).filter(|kept| kept.fingerprint == fingerprint);
    let origin = Origin::Uploaded { fingerprint, kept };
    Ok(check_bytes(mode, file.name, bytes, context, progress, started, timings, origin).await)
}

/// Where the bytes a check reads come from.
enum Origin {
    /// Just read from the chosen file, with the corrections kept for those bytes, if any.
    Uploaded { fingerprint: String, kept: Option<Kept> },
    /// The uploaded file (`source`) with `edits` made in the preview, already applied to the bytes.
    Corrected { source: Arc<Table<'static>>, edits: Edits, fingerprint: String },
}

/// Decodes, parses and checks a file's bytes against `context`, painting progress between the
/// steps: a file just read, one corrected in the preview, or one checked again with the header
/// names just taught. Every row is checked, so every row a correction affects is judged again.
#[allow(clippy::too_many_arguments)]
async fn check_bytes(
    mode: Mode,
    file_name: String,
    mut bytes: Vec<u8>,
    context: Arc<Context>,
    progress: RwSignal<Option<String>>,
    started: f64,
    mut timings: Timings,
    origin: Origin,
) -> Checked {
    let step = |text: String| progress.set(Some(text));
    step("Decoding the file…".into());
    browser::next_paint().await;
    let idempotency_key = browser::random_key();
    let decoded = timings.time_now("decode", || roster::decode::decode(&bytes));
    let (preview, source, edits, fingerprint) = match decoded {
        Ok(text) => {
            step("Reading the rows…".into());
            browser::next_paint().await;
            let mut table = timings.time_now("split", || Table::parse_owned(text));
            let (source, edits, fingerprint) = match origin {
                Origin::Corrected { source, edits, fingerprint } => (source, edits, fingerprint),
                Origin::Uploaded { fingerprint, kept } => {
                    let edits = kept.map(|kept| kept.edits(&table)).unwrap_or_default();
                    let source = Arc::new(table.clone());
                    if !edits.is_empty() {
                        let corrected = edits.apply(&source);
                        bytes = roster::write::utf16le(&corrected);
                        table = Table::parse_owned(corrected);
                    }
                    (source, edits, fingerprint)
                }
            };
            step(format!("Checking {} rows…", table.len().saturating_sub(1)));
            browser::next_paint().await;
            let report = timings.time_now("check", || context.check(&table));
            let preview = timings.time_now("index", || {
                let heading = Heading::read(&table, mode, context.org());
                Preview::from_report(file_name, table, heading, report)
            });
            (preview, source, edits, fingerprint)
        }
        Err(error) => {
            let report = Report::file_errors(vec![FileProblem::new(error.code(), error.to_string())]);
            let preview =
                Preview::from_report(file_name, Table::parse_owned(String::new()), Heading::default(), report);
            (preview, Arc::new(Table::parse_owned(String::new())), Edits::default(), String::new())
        }
    };
    Checked {
        preview,
        bytes,
        context,
        source,
        edits,
        fingerprint,
        idempotency_key,
        timings: timings.text(),
        total_ms: browser::now_ms() - started,
    }
}

/// The corrections kept in this browser for a flow's file, if any.
fn kept_corrections(mode: Mode) -> Option<Kept> {
    browser::stored(Kept::key(mode)).and_then(|text| Kept::from_json(&text))
}

/// Keeps a file's corrections in the browser until it is committed or they are discarded.
fn keep_corrections(mode: Mode, file_name: &str, fingerprint: &str, edits: &Edits, source: &Table<'_>) {
    if edits.is_empty() {
        browser::forget(Kept::key(mode));
    } else {
        browser::store(Kept::key(mode), &Kept::new(file_name, fingerprint, edits, source.text()).to_json());
    }
}

/// The preview of a file kept with its corrections before the page was reloaded.
async fn restore_kept(
    mode: Mode,
    kept: Kept,
    snapshot: LocalResource<Result<Arc<Context>, crate::AppError>>,
    progress: RwSignal<Option<String>>,
) -> Result<Checked, String> {
    let started = browser::now_ms();
    let text = kept.file.clone().unwrap_or_default();
    progress.set(Some("Loading your team to check the file against…".into()));
    let context = snapshot.await.map_err(|error| format!("Your team could not be loaded: {error}"))?;
    let (name, bytes) = (kept.file_name.clone(), roster::write::utf16le(&text));
    let origin = Origin::Uploaded { fingerprint: kept.fingerprint.clone(), kept: Some(kept) };
    Ok(check_bytes(mode, name, bytes, context, progress, started, Timings::default(), origin).await)
}

/// How long each step of a preview took, for the benchmark (kept on the preview as a data attribute).
#[derive(Default)]
struct Timings(Vec<(&'static str, f64)>);

impl Timings {
    async fn time<T>(&mut self, name: &'static str, work: impl Future<Output = T>) -> T {
        let started = browser::now_ms();
        let result = work.await;
        self.0.push((name, browser::now_ms() - started));
        result
    }

    fn time_now<T>(&mut self, name: &'static str, work: impl FnOnce() -> T) -> T {
        let started = browser::now_ms();
        let result = work();
        self.0.push((name, browser::now_ms() - started));
        result
    }

    fn text(&self) -> String {
        self.0.iter().map(|(name, ms)| format!("{name} {ms:.0}")).collect::<Vec<_>>().join(", ")
    }
}

/// "3 new · 1 row with errors", each part with its mark: said in words, not colour alone.
/// Rows with notices are told only when there are some.
fn counts_parts(mode: Mode, counts: Counts, noted: usize) -> Vec<(Mark, String)> {
    let rows = |n: usize| if n == 1 { "row" } else { "rows" };
    let errors = (Mark::Error, format!("{} {} with errors", counts.errors, rows(counts.errors)));
    let mut parts = match mode {
        Mode::Create => vec![(Mark::New, format!("{} new", counts.new)), errors],
        Mode::Update => vec![
            (Mark::Changed, format!("{} changed", counts.changed)),
            (Mark::Unchanged, format!("{} unchanged", counts.unchanged)),
            errors,
        ],
    };
    if noted > 0 {
        parts.push((Mark::Warning, format!("{noted} {} with notices", rows(noted))));
    }
    parts
}

/// What a row's status cell says, in a word beside its mark.
fn status_of(kind: RowKind) -> (Mark, &'static str) {
    match kind {
        RowKind::New => (Mark::New, "New"),
        RowKind::Changed => (Mark::Changed, "Changed"),
        RowKind::Unchanged => (Mark::Unchanged, "Unchanged"),
        RowKind::Error => (Mark::Error, "Error"),
    }
}

#[component]
fn PreviewPanel(
    mode: Mode,
    current: Arc<Checked>,
    delay: RwSignal<bool>,
    committing: RwSignal<bool>,
    run_commit: impl Fn() + Copy + Send + Sync + 'static,
    teach: impl Fn(String, String) + Copy + Send + Sync + 'static,
    correct: impl Fn(Edits) + Copy + Send + Sync + 'static,
    view_state: ViewState,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let ViewState { filter, selected, scroll_top, focus_after, replacing } = view_state;
    let viewport = RwSignal::new(480.0);
    // The cell being edited: (row, column index).
    let editing: RwSignal<Option<(usize, usize)>> = RwSignal::new(None);
    // Checked again after a correction: back where the admin was.
    Effect::new(move |_| {
        browser::scroll_to(TABLE_SCROLLER, scroll_top.get_untracked());
        if let Some(id) = focus_after.get_untracked() {
            browser::focus(&id);
            focus_after.set(None);
        }
    });
    let for_edit = current.clone();
    let commit_edit = Callback::new(move |(row, column, value, focus): (usize, usize, String, Option<String>)| {
        editing.set(None);
        let mut edits = for_edit.edits.clone();
        match edits.set(&for_edit.source, row, column, &value) {
            Ok(()) if edits != for_edit.edits => {
                focus_after.set(focus);
                correct(edits);
            }
            Ok(()) => {
                if let Some(id) = focus {
                    browser::focus(&id);
                }
            }
            Err(error) => notice.set(Some(error.to_string())),
        }
    });
    // Where both the file and someone else changed a field: keep theirs or yours, as corrections
    // of the file (the Version becomes the current one), which the server judges again.
    let for_settle = current.clone();
    let settle = Callback::new(move |(keep, rows): (Keep, Option<Vec<usize>>)| {
        let Context::Update(snapshot) = for_settle.context.as_ref() else { return };
        let table = for_settle.preview.table();
        let found = roster::merge::settle(table, &snapshot.org, &snapshot.team, keep, rows.as_deref());
        let mut edits = for_settle.edits.clone();
        for (row, column, value) in found {
            if let Err(error) = edits.set(&for_settle.source, row, column, &value) {
                notice.set(Some(error.to_string()));
                return;
            }
        }
        let side = if keep == Keep::Theirs { "theirs" } else { "yours" };
        let place = match rows.as_deref() {
            Some([row]) => format!("row {row}"),
            _ => "every row changed on both sides".to_owned(),
        };
        notice.set(Some(format!("Kept {side} in {place}; the file is checked again against your team as it is.")));
        correct(edits);
    });
    let to_settle = current.preview.rows_to_settle();
    let for_replace = current.clone();
    let replace = Callback::new(move |change: ColumnChange| {
        let mut edits = for_replace.edits.clone();
        let names = for_replace.preview.heading.names();
        let header =
            names.into_iter().find(|(index, _)| *index == change.column()).map(|(_, name)| name).unwrap_or_default();
        match change.apply(&mut edits, &for_replace.source) {
            Ok(0) => notice.set(Some(format!("No cell of {header} {}; nothing was changed.", change.found()))),
            Ok(count) => {
                notice.set(Some(format!("Changed {} in {header}.", cells_text(count))));
                correct(edits);
            }
            Err(error) => notice.set(Some(error.to_string())),
        }
    });
    let preview = &current.preview;
    let clean = preview.is_clean();
    let ready = clean && (mode == Mode::Create || preview.counts.changed > 0);
    let action = match mode {
        Mode::Create => "Continue",
        Mode::Update => "Confirm",
    };
    let file_errors: Vec<String> = preview.file_errors.iter().map(|p| p.message.clone()).collect();
    let listed: Vec<(usize, String)> = preview
        .row_problems()
        .iter()
        .take(LISTED_PROBLEMS)
        .map(|p| {
            let row = p.row.unwrap_or_default();
            let place = match &p.column {
                Some(column) => format!("Row {row}, {column}"),
                None => format!("Row {row}"),
            };
            (row, format!("{place}: {}", p.message))
        })
        .collect();
    let unlisted = preview.row_problems().len().saturating_sub(LISTED_PROBLEMS);
    let header = preview.heading.cells.clone();
    let strays: Vec<(StrayColumn, Vec<Choice>)> =
        preview.heading.strays.iter().map(|stray| (stray.clone(), preview.heading.choices(mode, stray))).collect();
    let has_rows = !preview.is_empty(Filter::All);
    let corrected = !current.edits.is_empty();
    let for_corrected = current.clone();
    let replace_columns = preview.heading.names();
    let for_report = current.clone();
    let for_rows = current.clone();
    let for_jump = current.clone();
    let for_len = current.clone();
    let for_detail = current.clone();
    let jump_to = move |row: usize| {
        selected.set(Some(row));
        filter.set(Filter::All);
        if let Some(position) = for_jump.preview.position_of(Filter::All, row) {
            let top = position as f64 * ROW_HEIGHT;
            browser::scroll_to(TABLE_SCROLLER, top);
            scroll_top.set(top);
        }
    };
    let total = move || for_len.preview.len(filter.get());

    view! {
        <section class="panel preview" aria-labelledby="preview-title" data-preview-ms=format!("{:.0}", current.total_ms) data-timings=current.timings.clone()>
            <h2 id="preview-title">"Preview of " {preview.file_name.clone()}</h2>
            <p class="counts" data-testid="counts">
                {counts_parts(mode, preview.counts, preview.noted()).into_iter().enumerate().map(|(index, (mark, text))| view! {
                    {(index > 0).then_some(" · ")}
                    <span class="count"><Icon mark />{text}</span>
                }).collect_view()}
            </p>
            {(!file_errors.is_empty()).then(|| view! {
                <div class="file-errors" role="alert">
                    <p><strong><Icon mark=Mark::Error />"This file cannot be uploaded:"</strong></p>
                    <ul>{file_errors.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            }.into_any())}
            {(!strays.is_empty()).then(|| view! {
                <section class="strays" aria-labelledby="strays-title">
                    <h3 id="strays-title">"Columns Roster does not know"</h3>
                    <p class="hint">"Say what each one holds and the file is checked again. Roster remembers the choice for your organisation's next files; "
                        "the list of remembered names is above, under the file."</p>
                    <ul>
                        {strays.into_iter().map(|(stray, choices)| view! { <StrayChoice stray choices teach /> }).collect_view()}
                    </ul>
                </section>
            }.into_any())}
            {(!listed.is_empty()).then(|| view! {
                <details class="problems" open>
                    <summary><Icon mark=Mark::Error />"Errors to fix (select one to show its row)"</summary>
                    <ul>
                        {listed.into_iter().map(|(row, text)| {
                            let jump_to = jump_to.clone();
                            view! { <li><button type="button" class="link" on:click=move |_| jump_to(row)>{text}</button></li> }
                        }).collect_view()}
                    </ul>
                    {(unlisted > 0).then(|| view! { <p class="hint">"…and " {unlisted} " more: download the error report to see them all."</p> })}
                </details>
            }.into_any())}
            {(!to_settle.is_empty()).then(|| view! {
                <section class="both-sides" aria-labelledby="both-sides-title">
                    <h3 id="both-sides-title"><Icon mark=Mark::Error />{format!("Changed on both sides: {}", rows_text(to_settle.len()))}</h3>
                    <p class="hint">"Someone else changed these fields after the file was downloaded, and so does the file; each error says whose value is whose. Fields only one side changed are merged already."</p>
                    <button type="button" on:click=move |_| settle.run((Keep::Theirs, None))>"Keep theirs in every row"</button>
                    " "
                    <button type="button" on:click=move |_| settle.run((Keep::Yours, None))>"Keep yours in every row"</button>
                </section>
            }.into_any())}
            <div class="preview-tools">
                {has_rows.then(|| view! {
                    <label>
                        "Show "
                        <select on:change=move |e| {
                            filter.set(Filter::from_value(&event_target_value(&e)));
                            browser::scroll_to(TABLE_SCROLLER, 0.0);
                            scroll_top.set(0.0);
                        }>
                            {filters(mode).into_iter().map(|(choice, label)| view! {
                                <option value=choice.value() selected=move || filter.get() == choice>{label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                }.into_any())}
                {(!clean).then(|| view! {
                    <button type="button" on:click=move |_| {
                        let name = format!("errors - {}", for_report.preview.file_name);
                        browser::download(&name, "text/plain", &for_report.preview.error_report());
                    }>"Download error report"</button>
                }.into_any())}
                {corrected.then(|| view! {
                    <span class="corrections">{corrections_text(for_corrected.edits.len())} " made in the preview"</span>
                    <button type="button" on:click=move |_| {
                        let name = format!("corrected - {}", for_corrected.preview.file_name);
                        browser::download(&name, "text/plain", &for_corrected.bytes);
                    }>"Download corrected file"</button>
                    <button type="button" on:click=move |_| correct(Edits::default())>"Discard corrections"</button>
                }.into_any())}
            </div>
            {has_rows.then(|| view! { <FindReplace columns=replace_columns replace open=replacing /> })}
            {has_rows.then(|| view! {
                <p class="hint">"To correct a cell, select it and press Enter or F2 (or double-click it); Enter saves, Escape cancels, Tab saves and moves on. The file is checked again at once."</p>
            })}
            {move || selected.get().and_then(|number| for_detail.preview.row_numbered(number)).map(|row| {
                let both = for_detail.preview.rows_to_settle().contains(&row.row);
                view! { <RowInFull lines=for_detail.preview.row_lines(row) number=row.row selected settle=both.then_some(settle) /> }
            })}
            {has_rows.then(|| view! {
                <div
                    id=TABLE_SCROLLER
                    class="preview-rows"
                    tabindex="0"
                    role="region"
                    aria-label="Rows of the file; scroll with the arrow and page keys"
                    on:scroll=move |e| {
                        let element = event_target::<leptos::web_sys::Element>(&e);
                        scroll_top.set(element.scroll_top() as f64);
                        viewport.set(element.client_height() as f64);
                    }
                >
                    <table class="preview-table" aria-rowcount=move || total() + 1>
                        <thead>
                            <tr aria-rowindex="1">
                                <th scope="col">"Row"</th>
                                <th scope="col">"Status"</th>
                                {header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                let filter = filter.get();
                                let total = for_rows.preview.len(filter);
                                let shown = window(scroll_top.get(), viewport.get(), ROW_HEIGHT, total, OVERSCAN);
                                let before = shown.start as f64 * ROW_HEIGHT;
                                let after = (total - shown.end) as f64 * ROW_HEIGHT;
                                let rows = shown.clone().filter_map(|i| Some((i, for_rows.preview.row(filter, i)?)));
                                view! {
                                    <tr class="spacer" aria-hidden="true" style:height=format!("{before}px")></tr>
                                    {rows.map(|(index, row)| {
                                        let editor = CellEditor { edits: &for_rows.edits, editing, commit: commit_edit, heading: &for_rows.preview.heading };
                                        preview_row(&for_rows.preview, index, row, selected, editor)
                                    }).collect_view()}
                                    <tr class="spacer" aria-hidden="true" style:height=format!("{after}px")></tr>
                                }
                            }}
                        </tbody>
                    </table>
                </div>
            }.into_any())}
            <div class="actions">
                <button
                    type="button"
                    class="primary"
                    disabled=move || !ready || committing.get()
                    on:click=move |_| run_commit()
                >
                    {action}
                </button>
                <span class="hint">
                    {match (mode, clean) {
                        (_, false) => view! { {action} " is available once the file has no errors: fix them in the spreadsheet and upload it again." }.into_any(),
                        (Mode::Create, true) => view! { {move || if delay.get() { "Welcome emails will be held until you send them." } else { "Each new user with an email address will get a welcome email." }} }.into_any(),
                        (Mode::Update, true) if ready => view! { "All the changes shown are saved together, or none of them." }.into_any(),
                        (Mode::Update, true) => view! { "This file changes nothing: every row matches your team as it is." }.into_any(),
                    }}
                </span>
            </div>
        </section>
    }
}

/// A stray column and what the admin says it holds.
#[component]
fn StrayChoice(
    stray: StrayColumn,
    choices: Vec<Choice>,
    teach: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let chosen = RwSignal::new(choices.first().map(|c| c.key).unwrap_or_default().to_owned());
    let id = format!("stray-{}", stray.index);
    let header = stray.header.clone();
    view! {
        <li>
            <label for=id.clone()>{format!("Column {}, \"{}\", holds ", column_letter(stray.index), stray.header)}</label>
            <select id=id on:change=move |e| chosen.set(event_target_value(&e))>
                {choices.into_iter().map(|choice| view! { <option value=choice.key>{choice.label}</option> }).collect_view()}
            </select>
            " "
            <button type="button" on:click=move |_| teach(header.clone(), chosen.get_untracked())>"Use and check again"</button>
        </li>
    }
}

/// The header names the organisation has taught Roster, each of which can be forgotten.
#[component]
fn RememberedColumns(
    names_changed: RwSignal<u32>,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let names = LocalResource::new(move || {
        names_changed.track();
        column_names()
    });
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let forget = move |header: String| {
        spawn_local(async move {
            match forget_column_name(header).await {
                Ok(()) => {
                    problem.set(None);
                    names_changed.update(|n| *n += 1);
                    on_change();
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        });
    };
    let listed = move || names.try_get().flatten().and_then(Result::ok).filter(|names| !names.is_empty());
    view! {
        <Suspense fallback=|| ()>
            {move || listed().map(|names| view! {
                <details class="remembered">
                    <summary>{format!("Column names Roster remembers ({})", names.len())}</summary>
                    <p class="hint">"Your organisation's files are read with these names. Forget one and its column is unknown again."</p>
                    <table>
                        <thead><tr><th scope="col">"Header in your files"</th><th scope="col">"Read as"</th><th scope="col">"Change"</th></tr></thead>
                        <tbody>
                            {names.into_iter().map(|name| {
                                let header = name.header().to_owned();
                                let label = format!("Forget \"{header}\"");
                                view! {
                                    <tr>
                                        <td>{header.clone()}</td>
                                        <td>{name.meaning().label()}</td>
                                        <td><button type="button" aria-label=label on:click=move |_| forget(header.clone())>"Forget"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="error" role="alert">{move || problem.try_get().flatten()}</p>
                </details>
            })}
        </Suspense>
    }
}

/// A row's problems and changes in full, for reading without hovering.
#[component]
fn RowInFull(
    lines: Vec<RowLine>,
    number: usize,
    selected: RwSignal<Option<usize>>,
    /// Offered when the row changes a field someone else changed too.
    settle: Option<Callback<(Keep, Option<Vec<usize>>)>>,
) -> impl IntoView {
    let empty = lines.is_empty();
    view! {
        <section class="row-in-full" aria-labelledby="row-in-full-title" aria-live="polite">
            <h3 id="row-in-full-title">{format!("Row {number} in full")}</h3>
            {empty.then(|| view! { <p class="hint">"This row has no errors and changes nothing."</p> })}
            <ul>
                {lines.into_iter().map(|line| match line {
                    RowLine::Problem { place, message } => view! {
                        <li class="bad"><Icon mark=Mark::Error /><strong>{place}": "</strong>{message}</li>
                    }.into_any(),
                    RowLine::Notice { place, message } => view! {
                        <li class="noted"><Icon mark=Mark::Warning /><strong>{place}": "</strong>{message}</li>
                    }.into_any(),
                    RowLine::Change { column, old, new } => view! {
                        <li><Icon mark=Mark::Changed /><strong>{column}": "</strong>{change_text(&old, &new)}</li>
                    }.into_any(),
                }).collect_view()}
            </ul>
            {settle.map(|settle| view! {
                <button type="button" on:click=move |_| settle.run((Keep::Theirs, Some(vec![number])))>"Keep theirs in this row"</button>
                " "
                <button type="button" on:click=move |_| settle.run((Keep::Yours, Some(vec![number])))>"Keep yours in this row"</button>
                " "
            })}
            <button type="button" on:click=move |_| selected.set(None)>"Close"</button>
        </section>
    }
}

/// What a row of the table needs to let its cells be corrected.
struct CellEditor<'a> {
    edits: &'a Edits,
    /// The cell being edited: (row, column index).
    editing: RwSignal<Option<(usize, usize)>>,
    /// Saves a cell's new value: (row, column index, value, the element to focus afterwards).
    commit: Callback<(usize, usize, String, Option<String>)>,
    heading: &'a Heading,
}

/// The id of a cell of the table, for moving the focus to it.
fn cell_id(row: usize, column: usize) -> String {
    format!("cell-{row}-{column}")
}

/// One row of the preview table. Each cell can be corrected: Enter or F2 (or a double click)
/// edits it, Enter saves, Escape cancels, Tab saves and moves on to the next cell.
fn preview_row(
    preview: &Preview,
    index: usize,
    row: PreviewRow,
    selected: RwSignal<Option<usize>>,
    editor: CellEditor<'_>,
) -> impl IntoView + use<> {
    let failed = row.has_errors();
    let changed = row.kind == RowKind::Changed;
    let row_messages = preview.row_messages(row).join(" ");
    let row_notices = preview.row_notices(row).join(" ");
    let row_title = row_messages.clone();
    let cells = preview.cells(row);
    let status = status_of(row.kind);
    let width = cells.len();
    let CellEditor { edits, editing, commit, heading } = editor;
    view! {
        <tr class:bad=failed class:changed=changed aria-rowindex=index + 2>
            <th scope="row">
                <button type="button" class="link" aria-label=format!("Row {} in full", row.row) on:click=move |_| selected.set(Some(row.row))>
                    {row.row}
                </button>
            </th>
            <td class="status-cell" title=row_title>
                <Icon mark=status.0 />{status.1}
                {(!row_messages.is_empty()).then(|| view! { <span class="cell-problem">{row_messages}</span> })}
                {(!row_notices.is_empty()).then(|| view! { <span class="cell-notice"><Icon mark=Mark::Warning />{row_notices}</span> })}
            </td>
            {cells.into_iter().enumerate().map(|(column, cell)| {
                let here = (row.row, column);
                let id = cell_id(row.row, column);
                let next = (column + 1 < width).then(|| cell_id(row.row, column + 1));
                let edited = edits.get(row.row, column).is_some();
                let label = format!("Row {}, {}", row.row, heading.name(column));
                let bad = !cell.problems.is_empty();
                let noted = !bad && !cell.notices.is_empty();
                let is_change = cell.old.is_some();
                let title = match (&cell.old, edited) {
                    (Some(old), _) if !bad => change_text(old, &cell.value),
                    (_, true) if !bad => "Corrected in the preview".to_owned(),
                    _ => cell.problems.join(" "),
                };
                let start_editing = move || {
                    editing.set(Some(here));
                    // The input is in the page once this change is rendered.
                    spawn_local(async move {
                        browser::next_paint().await;
                        browser::focus(&format!("edit-{}-{}", here.0, here.1));
                    });
                };
                let shown = cell.clone();
                let dom_id = id.clone();
                view! {
                    <td
                        id=dom_id
                        tabindex="0"
                        class:bad=bad
                        class:noted=noted
                        class:changed=is_change
                        class:edited=edited
                        title=title
                        on:keydown=move |e| {
                            if editing.get_untracked() != Some(here) && matches!(e.key().as_str(), "Enter" | "F2") {
                                e.prevent_default();
                                start_editing();
                            }
                        }
                        on:dblclick=move |_| start_editing()
                    >
                        {move || if editing.get() == Some(here) {
                            let (id, next) = (id.clone(), next.clone());
                            view! {
                                <input
                                    id=format!("edit-{}-{}", here.0, here.1)
                                    class="cell-edit"
                                    type="text"
                                    aria-label=label.clone()
                                    prop:value=shown.value.clone()
                                    on:keydown=move |e| match e.key().as_str() {
                                        "Enter" => {
                                            e.prevent_default();
                                            commit.run((here.0, here.1, event_target_value(&e), Some(id.clone())));
                                        }
                                        "Tab" => {
                                            e.prevent_default();
                                            commit.run((here.0, here.1, event_target_value(&e), next.clone().or(Some(id.clone()))));
                                        }
                                        "Escape" => {
                                            e.prevent_default();
                                            editing.set(None);
                                            browser::focus(&id);
                                        }
                                        _ => {}
                                    }
                                />
                            }.into_any()
                        } else {
                            cell_view(shown.clone()).into_any()
                        }}
                    </td>
                }
            }).collect_view()}
        </tr>
    }
}

/// What a cell shows when it is not being edited: its value (old → new for a change), and its
/// problems and notices in words beside their marks.
fn cell_view(cell: PreviewCell) -> impl IntoView {
    let bad = !cell.problems.is_empty();
    let noted = !bad && !cell.notices.is_empty();
    let (message, notice) = (cell.problems.join(" "), cell.notices.join(" "));
    view! {
        {match cell.old {
            Some(old) => view! {
                <span class="value">
                    <del class="old">{or_blank(old, "(empty)")}</del>" → "<ins class="new">{or_blank(cell.value, "(cleared)")}</ins>
                </span>
            }.into_any(),
            None => view! { <span class="value">{cell.value}</span> }.into_any(),
        }}
        {bad.then(|| view! { <span class="cell-problem"><Icon mark=Mark::Error />{message}</span> })}
        {noted.then(|| view! { <span class="cell-notice"><Icon mark=Mark::Warning />{notice}</span> })}
    }
}

/// A find and replace in one column, or its dates written as ISO.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ColumnChange {
    Replace { column: usize, find: String, with: String, matching: Matching },
    DatesToIso { column: usize, format: DateFormat },
}

impl ColumnChange {
    fn column(&self) -> usize {
        match self {
            ColumnChange::Replace { column, .. } | ColumnChange::DatesToIso { column, .. } => *column,
        }
    }

    fn apply(&self, edits: &mut Edits, source: &Table<'_>) -> Result<usize, EditError> {
        match self {
            ColumnChange::Replace { column, find, with, matching } => {
                edits.replace_in_column(source, *column, find, with, *matching)
            }
            ColumnChange::DatesToIso { column, format } => edits.dates_to_iso(source, *column, *format),
        }
    }

    /// "holds "Yes"", "has a date to rewrite": what no cell matched.
    fn found(&self) -> String {
        match self {
            ColumnChange::Replace { find, matching: Matching::WholeCell, .. } => format!("is \"{find}\""),
            ColumnChange::Replace { find, .. } => format!("holds \"{find}\""),
            ColumnChange::DatesToIso { .. } => "has a date written another way".to_owned(),
        }
    }
}

/// Find and replace in one column, with a count of the cells it changed.
#[component]
fn FindReplace(columns: Vec<(usize, String)>, replace: Callback<ColumnChange>, open: RwSignal<bool>) -> impl IntoView {
    let column = RwSignal::new(columns.first().map(|(index, _)| *index).unwrap_or_default());
    let find = RwSignal::new(String::new());
    let with = RwSignal::new(String::new());
    let within = RwSignal::new(false);
    let dates = RwSignal::new("day_month_year".to_owned());
    let run = move || {
        let matching = if within.get_untracked() { Matching::Within } else { Matching::WholeCell };
        let column = column.get_untracked();
        replace.run(ColumnChange::Replace { column, find: find.get_untracked(), with: with.get_untracked(), matching });
    };
    view! {
        <details class="find-replace" prop:open=move || open.get()>
            <summary on:click=move |e| {
                e.prevent_default();
                open.update(|open| *open = !*open);
            }>"Find and replace in a column"</summary>
            <form on:submit=move |e| { e.prevent_default(); run(); }>
                <label for="find-column">"Column to change"</label>
                <select id="find-column" on:change=move |e| column.set(event_target_value(&e).parse().unwrap_or_default())>
                    {columns.into_iter().map(|(index, header)| view! { <option value=index.to_string()>{header}</option> }).collect_view()}
                </select>
                <label for="find-text">"Find"</label>
                <input id="find-text" type="text" prop:value=move || find.get() on:input=move |e| find.set(event_target_value(&e)) />
                <label for="replace-text">"Replace with"</label>
                <input id="replace-text" type="text" prop:value=move || with.get() on:input=move |e| with.set(event_target_value(&e)) />
                <label class="check">
                    <input type="checkbox" prop:checked=move || within.get() on:change=move |e| within.set(event_target_checked(&e)) />
                    "Inside cells too (otherwise whole cells, any case)"
                </label>
                <button type="submit">"Replace in this column"</button>
            </form>
            <p>
                <label for="date-order">"Dates in this column are written"</label>
                <select id="date-order" on:change=move |e| dates.set(event_target_value(&e))>
                    <option value="day_month_year">"day/month/year"</option>
                    <option value="month_day_year">"month/day/year"</option>
                </select>
                <button type="button" on:click=move |_| {
                    let format = if dates.get_untracked() == "month_day_year" { DateFormat::MonthDayYear } else { DateFormat::DayMonthYear };
                    replace.run(ColumnChange::DatesToIso { column: column.get_untracked(), format });
                }>"Write them as YYYY-MM-DD"</button>
            </p>
        </details>
    }
}

/// What the preview shows, kept while the same file is checked again after a correction: the
/// filter, the row in full, where the table is scrolled to and which cell has the focus.
#[derive(Clone, Copy)]
struct ViewState {
    filter: RwSignal<Filter>,
    selected: RwSignal<Option<usize>>,
    scroll_top: RwSignal<f64>,
    focus_after: RwSignal<Option<String>>,
    /// Whether find and replace is open.
    replacing: RwSignal<bool>,
}

impl ViewState {
    fn first_filter(mode: Mode) -> Filter {
        if mode == Mode::Update { Filter::ChangesAndErrors } else { Filter::All }
    }

    fn new(mode: Mode) -> ViewState {
        ViewState {
            filter: RwSignal::new(ViewState::first_filter(mode)),
            selected: RwSignal::new(None),
            scroll_top: RwSignal::new(0.0),
            focus_after: RwSignal::new(None),
            replacing: RwSignal::new(false),
        }
    }

    /// As a new file starts.
    fn reset(self, mode: Mode) {
        self.filter.set(ViewState::first_filter(mode));
        self.selected.set(None);
        self.scroll_top.set(0.0);
        self.focus_after.set(None);
        self.replacing.set(false);
    }
}

/// "1 correction", "3 corrections".
fn corrections_text(count: usize) -> String {
    if count == 1 { "1 correction".to_owned() } else { format!("{count} corrections") }
}

/// "1 row", "12 rows".
fn rows_text(count: usize) -> String {
    if count == 1 { "1 row".to_owned() } else { format!("{count} rows") }
}

/// "1 cell", "12 cells".
fn cells_text(count: usize) -> String {
    if count == 1 { "1 cell".to_owned() } else { format!("{count} cells") }
}

/// The table's filters for a flow, with their labels.
fn filters(mode: Mode) -> Vec<(Filter, &'static str)> {
    match mode {
        Mode::Create => vec![
            (Filter::All, "All rows"),
            (Filter::Errors, "Only rows with errors"),
            (Filter::Notices, "Only rows with notices"),
        ],
        Mode::Update => vec![
            (Filter::ChangesAndErrors, "Changes and errors"),
            (Filter::Changes, "Only changes"),
            (Filter::Errors, "Only rows with errors"),
            (Filter::Notices, "Only rows with notices"),
            (Filter::All, "All rows, unchanged ones too"),
        ],
    }
}

/// A changed cell's old or new value, or `blank` when it is empty ("(empty)" before, "(cleared)"
/// after).
pub fn or_blank(value: String, blank: &str) -> String {
    if value.trim().is_empty() { blank.to_owned() } else { value }
}

/// "Was Leeds, becomes (cleared)": a changed cell's tooltip.
fn change_text(old: &str, new: &str) -> String {
    format!("Was {}, becomes {}", or_blank(old.to_owned(), "(empty)"), or_blank(new.to_owned(), "(cleared)"))
}
/// What a committed file did.
fn headline(mode: Mode, result: &ImportResult) -> String {
    let counts = result.counts;
    match (mode, result.status) {
        (Mode::Create, ImportStatus::AlreadyCommitted) => {
            format!("These {} were already created from this file; nothing was created twice.", users(counts.new))
        }
        (Mode::Create, _) => format!("Created {}.", users(counts.new)),
        (Mode::Update, ImportStatus::AlreadyCommitted) => {
            "This file was already saved; nothing was changed twice.".to_owned()
        }
        (Mode::Update, _) => format!("Updated {}; {} unchanged.", users(counts.changed), counts.unchanged),
    }
}

#[component]
fn Committed(mode: Mode, result: ImportResult) -> impl IntoView {
    let headline = headline(mode, &result);
    let batch = result.batch_id.map(|id| format!("/team/batches/{id}"));
    view! {
        <section class="panel done" role="status">
            <h2><Icon mark=Mark::Done />{headline}</h2>
            <p>
                <A href="/team">"See them in Manage Team"</A>
                {batch.map(|href| view! { " · " <A href=href>"See this batch in the history"</A> })}
            </p>
        </section>
    }
}

/// How often the list of recent jobs is read again while one of them runs.
const RECENT_POLL_MS: u32 = 1_000;

/// One job as it stands: what it does, where it is, how long it has run and has left.
#[component]
fn JobCard(job: ImportJob) -> impl IntoView {
    let running = !job.state.has_ended();
    let (value, max) = (job.rows_written.min(job.rows_total), job.rows_total.max(1));
    let timing = job_timing(&job);
    let batch = job.result.as_ref().and_then(|r| r.batch_id).map(|id| format!("/team/batches/{id}"));
    let ended_badly = matches!(job.state, JobState::Rejected | JobState::Failed);
    view! {
        <div class="job" class:bad=ended_badly data-job-state=job.state.as_str() role="status">
            <p class="job-head">
                <strong>{job.file_name.clone()}</strong>
                {format!(" · {} · by {}", mode_label(job.mode), job.submitted_by)}
            </p>
            <p class="job-state">{job.describe()}</p>
            {running.then(|| view! { <progress max=max value=value aria-label="Users written"></progress> })}
            <p class="hint">{timing}</p>
            {batch.map(|href| view! { <A href=href>"See this batch in the history"</A> })}
        </div>
    }
}

/// "Bulk create", "Bulk update".
fn mode_label(mode: Mode) -> &'static str {
    match mode {
        Mode::Create => "Bulk create",
        Mode::Update => "Bulk update",
    }
}

/// "Running for 12 s, about 30 s left", "Took 42 s".
fn job_timing(job: &ImportJob) -> String {
    let elapsed = ImportJob::duration_text(job.elapsed());
    match (job.state, job.seconds_left()) {
        (JobState::Queued, _) => "Queued.".to_owned(),
        (JobState::Running, Some(left)) => {
            format!("Running for {elapsed}, about {} left.", ImportJob::duration_text(left))
        }
        (JobState::Running, None) => format!("Running for {elapsed}."),
        _ => format!("Took {elapsed}."),
    }
}

/// The organisation's jobs under way or ended in the last day, read again every second while one
/// of them runs: an admin who closed the page, or another admin, sees where they are.
#[component]
fn RecentJobs(watching: RwSignal<Option<ImportJob>>) -> impl IntoView {
    let jobs: RwSignal<Vec<ImportJob>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        spawn_local(async move {
            loop {
                let Ok(latest) = recent_import_jobs().await else { break };
                let running = latest.iter().any(|job| !job.state.has_ended());
                if jobs.try_set(latest).is_some() {
                    break; // the page has gone
                }
                browser::sleep_ms(if running { RECENT_POLL_MS } else { RECENT_POLL_MS * 5 }).await;
            }
        });
    });
    // The job this page watches is shown above, as it goes; the others here.
    let shown = move || {
        let own = watching.try_get().flatten().map(|job| job.id);
        jobs.try_get().unwrap_or_default().into_iter().filter(|job| Some(job.id) != own).collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !shown().is_empty()>
            <section class="panel jobs" aria-labelledby="jobs-title">
                <h2 id="jobs-title">"Recent imports"</h2>
                <p class="hint">"Imports run on the server: you can close this page and come back."</p>
                {move || shown().into_iter().map(|job| view! { <JobCard job /> }).collect_view()}
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_told_in_words_each_beside_its_mark() {
        let counts = Counts { new: 3, errors: 1, ..Default::default() };
        let said = counts_parts(Mode::Create, counts, 0);
        assert_eq!(said, [(Mark::New, "3 new".into()), (Mark::Error, "1 row with errors".into())]);
        let counts = Counts { changed: 2, unchanged: 98, ..Default::default() };
        let said: Vec<String> = counts_parts(Mode::Update, counts, 2).into_iter().map(|(_, text)| text).collect();
        assert_eq!(said, ["2 changed", "98 unchanged", "0 rows with errors", "2 rows with notices"]);
        assert_eq!(status_of(RowKind::New), (Mark::New, "New"));
    }

    #[test]
    fn a_changed_cell_says_what_it_was_and_a_cleared_one_says_so() {
        assert_eq!(change_text("Leeds", ""), "Was Leeds, becomes (cleared)");
        assert_eq!(change_text("", "Paris"), "Was (empty), becomes Paris");
    }

    #[test]
    fn the_headline_says_what_the_commit_did() {
        let result = |counts, status| ImportResult { status, batch_id: Some(1), counts, errors: Vec::new() };
        let created = result(Counts { new: 1, ..Default::default() }, ImportStatus::Committed);
        assert_eq!(headline(Mode::Create, &created), "Created 1 user.");
        let updated = result(Counts { changed: 2, unchanged: 5, ..Default::default() }, ImportStatus::Committed);
        assert_eq!(headline(Mode::Update, &updated), "Updated 2 users; 5 unchanged.");
    }
}
