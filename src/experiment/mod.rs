//! The paper's experiment (section 5) over the core: every model at every task
//! correlation over many seeds (`grid`), the statistics the findings rest on (`stats`),
//! the summaries and results files (`results`) and the figures. `native` runs the grid
//! on every core; the page runs it in a worker. `census` is section 6's experiment on
//! the census-income data.

pub mod census;
pub mod figures;
pub mod grid;
pub mod live;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod results;
pub mod stats;
