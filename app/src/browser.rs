//! The few browser APIs the pages use directly (the chosen file, downloads, yielding to the page,
//! timing and waiting, random keys, focus, local storage), as plain functions. On the server they
//! are inert: they only ever run in event handlers, after hydration.

/// A file the person chose in a file input.
pub struct ChosenFile {
    pub name: String,
    pub size: u64,
    #[cfg(feature = "hydrate")]
    file: web_sys::File,
}

#[cfg(feature = "hydrate")]
mod imp {
    use wasm_bindgen::JsCast;

    use super::ChosenFile;

    pub fn chosen_file(input_id: &str) -> Option<ChosenFile> {
        let input: web_sys::HtmlInputElement =
            leptos::prelude::document().get_element_by_id(input_id)?.dyn_into().ok()?;
        let file = input.files()?.get(0)?;
        Some(ChosenFile { name: file.name(), size: file.size() as u64, file })
    }

    pub async fn read(file: &ChosenFile) -> Result<Vec<u8>, String> {
        gloo_file::futures::read_as_bytes(&gloo_file::Blob::from(file.file.clone()))
            .await
            .map_err(|error| format!("The browser could not read {}: {error}. Choose the file again.", file.name))
    }

    pub fn download(name: &str, mime: &str, bytes: &[u8]) {
        let save = || -> Result<(), wasm_bindgen::JsValue> {
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
            let options = web_sys::BlobPropertyBag::new();
            options.set_type(mime);
            let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
            let url = web_sys::Url::create_object_url_with_blob(&blob)?;
            let link: web_sys::HtmlAnchorElement = leptos::prelude::document().create_element("a")?.dyn_into()?;
            link.set_href(&url);
            link.set_download(name);
            link.click();
            web_sys::Url::revoke_object_url(&url)
        };
        if let Err(error) = save() {
            leptos::logging::error!("download failed: {error:?}");
        }
    }

    pub async fn next_paint() {
        let frame = js_sys::Promise::new(&mut |resolve, _| {
            let _ = leptos::prelude::window().request_animation_frame(&resolve);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }

    pub fn now_ms() -> f64 {
        leptos::prelude::window().performance().map(|p| p.now()).unwrap_or_default()
    }

    pub async fn sleep_ms(ms: u32) {
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }

    pub fn random_key() -> String {
        let mut bytes = [0u8; 16];
        if let Ok(crypto) = leptos::prelude::window().crypto() {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn scroll_to(element_id: &str, top: f64) {
        if let Some(element) = leptos::prelude::document().get_element_by_id(element_id) {
            element.set_scroll_top(top as i32);
        }
    }

    pub fn focus(element_id: &str) {
        let element = leptos::prelude::document().get_element_by_id(element_id);
        if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    pub fn stored(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    /// Keeps `value` under `key`; a browser that refuses (private mode, quota) keeps nothing.
    pub fn store(key: &str, value: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(key, value);
        }
    }

    pub fn forget(key: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(key);
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::ChosenFile;

    pub fn chosen_file(_: &str) -> Option<ChosenFile> {
        None
    }
    pub async fn read(_: &ChosenFile) -> Result<Vec<u8>, String> {
        Err("Files are read in the browser.".into())
    }
    pub fn download(_: &str, _: &str, _: &[u8]) {}
    pub async fn next_paint() {}
    pub async fn sleep_ms(_: u32) {}
    pub fn now_ms() -> f64 {
        0.0
    }
    pub fn random_key() -> String {
        String::new()
    }
    pub fn scroll_to(_: &str, _: f64) {}
    pub fn focus(_: &str) {}
    pub fn stored(_: &str) -> Option<String> {
        None
    }
    pub fn store(_: &str, _: &str) {}
    pub fn forget(_: &str) {}
}

/// The file chosen in the file input with this id.
pub use imp::chosen_file;
/// Offers bytes as a file download.
pub use imp::download;
/// Moves the keyboard focus to an element.
pub use imp::focus;
/// Lets the page paint (progress) before the next step of long work.
pub use imp::next_paint;
/// Milliseconds since the page loaded.
pub use imp::now_ms;
/// A random 128-bit key in hex, from the browser's cryptographic generator.
pub use imp::random_key;
/// Reads a chosen file's bytes.
pub use imp::read;
/// Scrolls an element to `top` pixels.
pub use imp::scroll_to;
/// Waits (in the browser; at once elsewhere, where nothing polls).
pub use imp::sleep_ms;
/// `localStorage`: what is kept under a key, keeping it, forgetting it.
pub use imp::{forget, store, stored};

/// A size for people: "812 KB", "31.4 MB".
pub fn size_text(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_naturally() {
        assert_eq!(super::size_text(512), "512 bytes");
        assert_eq!(super::size_text(812_400), "812 KB");
        assert_eq!(super::size_text(31_400_000), "31.4 MB");
    }
}
