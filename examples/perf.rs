//! Performance report: `cargo run --release --example perf -- [--quick] [--json]`.
//!
//! Prints, per operation, the median time, its floor (the ECDSA and ECDH operations it needs,
//! or AES-GCM for session messages, measured directly in the same run) and their ratio, then
//! batch verification throughput on 1 and 2 threads. `--quick` takes well under a minute;
//! `--json` prints `{"operations": [{"name", "median_us", "floor_us", "ratio"}], ...}`. See
//! `zhengzhao_examples::perf`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = zhengzhao_examples::perf::main_with(&args) {
        eprintln!("perf: {e}");
        std::process::exit(2);
    }
}
