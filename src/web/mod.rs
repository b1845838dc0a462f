//! The wasm-bindgen layer: a thin shell over the core for the page's workers
//! (`bindings`), the Experiment panel's runner (`experiment`) and the canvas charts.

pub mod bindings;
pub mod charts;
pub mod experiment;
