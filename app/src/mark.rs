//! Status marks, drawn as SVG so that they need no font (Debian's Chromium has none with "＋"),
//! always beside the words that say the same: the mark helps the eye, the words carry the meaning,
//! and screen readers hear only the words.

use leptos::prelude::*;

/// What a mark says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    New,
    Changed,
    Unchanged,
    Error,
    Warning,
    Done,
}

impl Mark {
    fn name(self) -> &'static str {
        match self {
            Mark::New => "new",
            Mark::Changed => "changed",
            Mark::Unchanged => "unchanged",
            Mark::Error => "error",
            Mark::Warning => "warning",
            Mark::Done => "done",
        }
    }

    /// The mark's strokes on a 16 × 16 grid.
    fn path(self) -> &'static str {
        match self {
            Mark::New => "M8 3v10M3 8h10",
            Mark::Changed => "M3 13l1-3.5L10.5 3l2.5 2.5L6.5 12zM9 4.5l2.5 2.5",
            Mark::Unchanged => "M3.5 6h9M3.5 10h9",
            Mark::Error => "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13zM8 4.5v4.5M8 11v.5",
            Mark::Warning => "M8 1.8L15 14H1zM8 6v4M8 11.8v.4",
            Mark::Done => "M3 8.5l3.2 3.2L13 4.8",
        }
    }
}

/// A mark, hidden from assistive technology (the words beside it are read instead).
#[component]
pub fn Icon(mark: Mark) -> impl IntoView {
    view! {
        <svg class=format!("mark mark-{}", mark.name()) viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path d=mark.path() />
        </svg>
    }
}
