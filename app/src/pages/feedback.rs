//! How a page tells the admin what an action did: one message line per page, showing whichever of
//! its actions finished last.

use leptos::prelude::*;

use crate::AppError;

/// A finished action as a message: its error, or `done` on success.
pub fn outcome<T>(result: Option<Result<T, AppError>>, done: impl FnOnce(T) -> String) -> Option<(bool, String)> {
    match result? {
        Ok(value) => Some((true, done(value))),
        Err(error) => Some((false, error.to_string())),
    }
}

/// The page's message line: `(succeeded, text)` of the action that finished last.
#[derive(Clone, Copy)]
pub struct Messages(RwSignal<Option<(bool, String)>>);

impl Messages {
    pub fn new() -> Self {
        Messages(RwSignal::new(None))
    }

    /// Reports every result of an action (read by `value`, e.g. `move || action.value().get()`),
    /// a success through `done`.
    pub fn follow<T>(
        self,
        value: impl Fn() -> Option<Result<T, AppError>> + 'static,
        done: impl Fn(T) -> String + 'static,
    ) {
        Effect::new(move |_| {
            if let Some(message) = outcome(value(), &done) {
                self.0.set(Some(message));
            }
        });
    }

    /// Reports only the failures of an action whose success the page shows in its own way.
    pub fn follow_failures<T>(self, value: impl Fn() -> Option<Result<T, AppError>> + 'static) {
        Effect::new(move |_| {
            if let Some(Err(error)) = value() {
                self.0.set(Some((false, error.to_string())));
            }
        });
    }

    pub fn signal(self) -> Signal<Option<(bool, String)>> {
        self.0.into()
    }
}

impl Default for Messages {
    fn default() -> Self {
        Messages::new()
    }
}

/// Shows a message: a status line on success, an alert on failure.
#[component]
pub fn Outcome(message: Signal<Option<(bool, String)>>) -> impl IntoView {
    move || {
        message.get().map(|(ok, text)| {
            if ok {
                view! { <p class="notice" role="status">{text}</p> }.into_any()
            } else {
                view! { <p class="error" role="alert">{text}</p> }.into_any()
            }
        })
    }
}
