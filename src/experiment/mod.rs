//! The paper's experiment (section 5) over the core: every model at every task
//! correlation over many seeds, the statistics the findings rest on, results files and
//! the figures. `native` runs the grid on every core; the page runs it in a worker.

pub mod figures;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod sweep;
