//! `mmoe`: the native command line over the trainer core (see `cli.rs`). The binary is
//! empty on wasm32, where the page is the front end.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
