//! Rebuilds the server when a migration changes: `sqlx::migrate!` embeds them at compile time, and
//! stable Rust cannot tell cargo which files a macro read.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
