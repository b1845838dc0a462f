//! MMoE Playground: the synthetic data of Ma et al., "Modeling Task Relationships in
//! Multi-task Learning with Multi-gate Mixture-of-Experts" (KDD 2018), and four multi-task
//! models trained on it with Adam.
//!
//! The layers, each a folder:
//! - [`core`]: settings, data, kernels, layers, models, training. Pure computation: no
//!   browser, threads, clocks or files, so all of it is tested with plain `cargo test`.
//! - [`experiment`]: the paper's experiment over the core (the grid of runs, statistics,
//!   results files and figures); its native parallel runner is the only part with threads.
//! - `web` (wasm32 only): the thin wasm-bindgen layer the page's workers call, and the
//!   charts drawn with plotters-canvas.
//! - `src/cli/` (the `mmoe` binary): the command line over the same core.

pub mod core;
pub mod experiment;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use crate::core::data::Dataset;
pub use crate::core::model::{Model, TASKS};
pub use crate::core::settings::{ModelKind, Settings, TaskKind};
pub use crate::core::train::{Diverged, Evaluation, Session, Trainer};
