//! `uniffi-bindgen`: generates the Kotlin, Swift and Python bindings of `zhengzhao-bindings`
//! from the built library (library mode). Run it from inside the workspace, e.g.
//!
//! ```sh
//! cargo run -p uniffi-bindgen -- generate --no-format \
//!     --library target/release/libzhengzhao_ffi.so --language kotlin --out-dir out/kotlin
//! ```
//!
//! It is its own crate so that uniffi's `cli` feature (clap, askama, goblin, cargo_metadata…)
//! never ends up in the library apps ship.

fn main() {
    uniffi::uniffi_bindgen_main()
}
