//! Issuer, holder and PKI tools for a file-based exchange (see `cargo run --example mdoc-tool --
//! help`, and docs/tools.md). The whole tool is `zhengzhao_examples::mdoc_tool`,
//! which the tests call directly.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = zhengzhao_examples::mdoc_tool::run(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
