//! Plays the scenario files in `examples/scenarios/` (or the files and folders given) and prints
//! a table of expected and actual outcomes. Exit status non-zero if any scenario differs.
//!
//! ```sh
//! cargo run --example scenarios
//! cargo run --example scenarios -- examples/scenarios/06-tampered-element-value.json
//! ```

use std::path::Path;
use std::process::ExitCode;

use zhengzhao_examples::scenario::{load_dir, run_all, scenarios_dir, table, Scenario};
use zhengzhao_examples::Error;

fn load(args: &[String]) -> Result<Vec<Scenario>, Error> {
    if args.is_empty() {
        return load_dir(scenarios_dir());
    }
    let mut all = Vec::new();
    for a in args {
        if Path::new(a).is_dir() {
            all.extend(load_dir(a)?);
        } else {
            all.push(Scenario::load(a)?);
        }
    }
    Ok(all)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenarios = match load(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scenarios: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = run_all(scenarios);
    print!("{}", table(&rows));
    for r in rows.iter().filter(|r| !r.passed()) {
        match &r.outcome {
            Ok(zhengzhao_examples::scenario::Outcome::Rejected { message, .. }) => {
                eprintln!("{}: {message}", r.scenario.file.display())
            }
            Ok(other) => eprintln!("{}: {other}", r.scenario.file.display()),
            Err(e) => eprintln!("{}: {e}", r.scenario.file.display()),
        }
    }
    if rows.iter().all(|r| r.passed()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
