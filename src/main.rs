//! The `k8sec` command line; everything but the entry point is in `cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
