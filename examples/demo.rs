//! The main demo: an issuing authority issues a driving licence (ISO mDL and the Chinese
//! profile credential) and a resident ID card; the wallet stores them in its embedded file
//! store; a car-rental company asks for the name, "may drive C1" and age over 18 with a purpose
//! of use; the wallet shows who asks and what, the holder consents, and the wallet answers over
//! a proximity session started from a QR code printed in the terminal; the company verifies
//! everything and answers its questions from the disclosed data only.
//!
//! ```sh
//! cargo run --example demo
//! cargo run --example demo -- --out DIR        # also write the exchange's artefacts
//! cargo run --example demo -- --device-mac     # deviceMac instead of deviceSignature
//! cargo run --example demo -- --wallet DIR     # keep the wallet (store and host key) in DIR
//! ```
//!
//! Exit status 0 only if every step and check passed (1: a step failed, 2: unusable command
//! line). The whole demo is `zhengzhao_examples::demo`, which the tests call directly.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = zhengzhao_examples::demo::run(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
