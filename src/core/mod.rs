//! The trainer core: everything that computes, nothing that touches the outside world.
//! Settings → data (section 3.2) → models built from layers (section 4) → training.

pub mod axis;
pub mod catalogue;
pub mod census;
pub mod choices;
pub mod csv;
pub mod data;
pub mod diagnosis;
pub mod heatmap;
pub mod kernels;
pub mod layers;
pub mod losses;
pub mod metrics;
pub mod mixture;
pub mod model;
pub mod optim;
pub mod query;
pub mod readout;
pub mod replicas;
pub mod rng;
pub mod series;
pub mod settings;
pub mod tower;
pub mod train;
