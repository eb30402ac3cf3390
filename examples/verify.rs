//! Verifies a DeviceResponse received from a wallet, offline, against issuing-authority CAs.
//!
//! ```sh
//! cargo run --release --example verify -- \
//!     --response FILE            # DeviceResponse, raw CBOR or hex text
//!     --trust FILE               # issuer CA certificate, PEM or DER; repeatable
//!     --transcript FILE          # SessionTranscriptBytes (tag 24) or the bare SessionTranscript, raw or hex
//!     [--reader-key FILE]        # reader ephemeral P-256 private key, hex, for deviceMac
//!     [--at RFC3339]             # verification time; default now
//!     [--json]
//!     [--pinned FILE]            # document-signer certificate trusted without its CA; repeatable
//! ```
//!
//! Exit status 0 only if every document verified (1: a check failed, 2: unusable input). The
//! whole tool is `zhengzhao_examples::verify_tool`, which the tests call directly.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = zhengzhao_examples::verify_tool::run(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
