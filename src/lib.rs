//! MMoE Playground's trainer core: the synthetic data of Ma et al., "Modeling Task
//! Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts" (KDD 2018),
//! and four multi-task models trained on it with Adam.
//!
//! Nothing here knows about the browser: `wasm` (built only for wasm32) is a thin
//! binding layer over this core, and `src/main.rs` a CLI over the same core.

#[cfg(target_arch = "wasm32")]
pub mod charts;
pub mod data;
pub mod figures;
pub mod kernels;
pub mod layers;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod rng;
pub mod settings;
pub mod sweep;
#[cfg(not(target_arch = "wasm32"))]
pub mod sweep_native;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
pub mod wasm_sweep;

pub use data::Dataset;
pub use model::{Model, TASKS};
pub use settings::{ModelKind, Settings, TaskKind};
pub use train::{Diverged, Evaluation, Session, Trainer};
