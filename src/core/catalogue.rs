//! The model catalogue: the one place that says what each model is called, what colour
//! it is drawn in and whether it has gates. The page, the charts, the figures and the
//! CLI all read it (the page through the `modelCatalogue` wasm export).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The four multi-task architectures compared on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Shared-Bottom: one shared ReLU layer, then a tower per task.
    Sb,
    /// One-gate Mixture-of-Experts: one softmax gate shared by all tasks.
    Omoe,
    /// Multi-gate Mixture-of-Experts (Ma et al. 2018): one softmax gate per task.
    Mmoe,
    /// Customized Gate Control, single-level PLE (Tang et al. 2020).
    Cgc,
    /// Single-Task: a separate network per task (the paper's first baseline, section 6.3).
    Single,
}

impl ModelKind {
    pub const ALL: [ModelKind; 5] = [
        ModelKind::Sb,
        ModelKind::Omoe,
        ModelKind::Mmoe,
        ModelKind::Cgc,
        ModelKind::Single,
    ];

    /// The multi-task models the synthetic experiments compare (the paper's section 5).
    pub const MULTI_TASK: [ModelKind; 4] = [
        ModelKind::Sb,
        ModelKind::Omoe,
        ModelKind::Mmoe,
        ModelKind::Cgc,
    ];

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// A small stable number, used to give each model its own initial weights.
    pub fn id(self) -> u64 {
        self as u64 + 1
    }

    /// This model's entry in the catalogue: the one place that says what a model is.
    pub fn info(self) -> &'static ModelInfo {
        &CATALOGUE[self as usize]
    }
}

/// What the page, the charts, the figures and the CLI show of a model.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ModelInfo {
    /// The short name used in flags, URLs and files.
    pub name: &'static str,
    /// The name shown to people.
    pub label: &'static str,
    /// The model's colour (Okabe–Ito, safe for the common colour-vision deficiencies),
    /// as `#rrggbb`; the same in the live charts, the page and the figures.
    pub colour: &'static str,
    /// Whether the model has gates (everything but Shared-Bottom and Single-Task).
    pub gated: bool,
    /// One line on what the model is.
    pub description: &'static str,
}

/// The catalogue, in `ModelKind` order.
pub const CATALOGUE: [ModelInfo; 5] = [
    ModelInfo {
        name: "sb",
        label: "Shared-Bottom",
        colour: "#e69f00",
        gated: false,
        description: "One shared ReLU bottom, then a tower per task (section 4.1, eq. 1).",
    },
    ModelInfo {
        name: "omoe",
        label: "OMoE",
        colour: "#56b4e9",
        gated: true,
        description: "Experts mixed by one softmax gate shared by both tasks (section 4.2, eq. 5).",
    },
    ModelInfo {
        name: "mmoe",
        label: "MMoE",
        colour: "#009e73",
        gated: true,
        description: "Experts mixed by one softmax gate per task (section 4.3, eqs. 6-7).",
    },
    ModelInfo {
        name: "cgc",
        label: "CGC",
        colour: "#cc79a7",
        gated: true,
        description: "Task-specific plus shared experts, each task's gate over its own and the shared ones (Tang et al. 2020).",
    },
    ModelInfo {
        name: "single",
        label: "Single-Task",
        colour: "#d55e00",
        gated: false,
        description: "A separate network per task, each as large as Shared-Bottom's (section 6.3's first baseline): nothing shared.",
    },
];

/// Colours for experts, distinct from the models' colours so that "expert 3" never looks
/// like a model (Tableau's muted palette minus the hues the models use).
pub const EXPERT_COLOURS: [&str; 8] = [
    "#4e79a7", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
];

/// Parses `#rrggbb` into its three channels (the catalogue's colours, for plotters).
pub fn rgb(hex: &str) -> (u8, u8, u8) {
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    (channel(1), channel(3), channel(5))
}

impl FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown model '{s}' (expected sb, omoe, mmoe, cgc or single)"))
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
