//! One settings type for the CLI, the page and the tests.
//!
//! Every numeric setting is declared once, in the table at the bottom of this file, with
//! its default, its allowed range and a one-sentence explanation. From that table come
//! the struct, `validate()`, the clamping of URL parameters and the page's tooltips, so
//! a range can never disagree between the CLI and the page.

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
}

impl ModelKind {
    pub const ALL: [ModelKind; 4] = [
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
    /// Whether the model has gates (everything but Shared-Bottom).
    pub gated: bool,
    /// One line on what the model is.
    pub description: &'static str,
}

/// The catalogue, in `ModelKind` order.
pub const CATALOGUE: [ModelInfo; 4] = [
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
            .ok_or_else(|| format!("unknown model '{s}' (expected sb, omoe, mmoe or cgc)"))
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a task predicts (the seed's example: "will the user buy" beside "what rating").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// Predict the paper's regression target y_k; mean squared error.
    #[default]
    Regression,
    /// Predict whether y_k is above its training median; log-loss, with AUC reported.
    Binary,
}

impl FromStr for TaskKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "regression" => Ok(TaskKind::Regression),
            "binary" => Ok(TaskKind::Binary),
            _ => Err(format!(
                "unknown task type '{s}' (expected regression or binary)"
            )),
        }
    }
}

/// A numeric setting's metadata, from the table below.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    pub integer: bool,
    pub help: &'static str,
}

impl Field {
    pub fn range(&self) -> String {
        format!("{}..={}", self.min, self.max)
    }
}

/// One rule broken by a settings value.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Whether a numeric field holds whole numbers (for parsing and messages).
trait Number: Copy {
    const INTEGER: bool;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
}

impl Number for f64 {
    const INTEGER: bool = false;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(v: f64) -> Self {
        v
    }
}

macro_rules! impl_integer {
    ($($t:ty),*) => {$(
        impl Number for $t {
            const INTEGER: bool = true;
            fn to_f64(self) -> f64 { self as f64 }
            fn from_f64(v: f64) -> Self { v as $t }
        }
    )*};
}
impl_integer!(usize, u32);

/// Declares the numeric settings once: the struct fields, their defaults, ranges and help.
macro_rules! numeric_settings {
    ($( $name:ident : $ty:ty = $default:expr, $min:expr, $max:expr, $help:literal; )*) => {
        /// All settings of a run. Field names are the CLI flags (with `-` for `_`) and the
        /// page's URL parameters.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Settings {
            $( #[doc = $help] pub $name: $ty, )*
            /// Type of task 1.
            pub task1: TaskKind,
            /// Type of task 2.
            pub task2: TaskKind,
        }

        impl Default for Settings {
            fn default() -> Self {
                Settings { $( $name: $default, )* task1: TaskKind::Regression, task2: TaskKind::Regression }
            }
        }

        /// The numeric settings, in declaration order.
        pub const FIELDS: &[Field] = &[
            $( Field { name: stringify!($name), min: $min as f64, max: $max as f64,
                       integer: <$ty as Number>::INTEGER, help: $help }, )*
        ];

        impl Settings {
            /// A numeric setting by name, as f64.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name { $( stringify!($name) => Some(Number::to_f64(self.$name)), )* _ => None }
            }

            /// Sets a numeric setting by name (no range check: see `validate`).
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name { $( stringify!($name) => { self.$name = <$ty as Number>::from_f64(value); true } )* _ => false }
            }
        }
    };
}

numeric_settings! {
    // Data (paper section 3.2).
    input_dim: usize = 100, 2, 1000, "Input dimension d of the synthetic data.";
    scale: f64 = 1.0, 0.01, 100.0, "Scale c of the task weight vectors w1, w2.";
    correlation: f64 = 0.5, -1.0, 1.0, "Task correlation p: the cosine between w1 and w2.";
    sinusoids: usize = 10, 0, 100, "Number m of sine terms added to each label.";
    alpha_std: f64 = 1.0, 0.0, 10.0, "Standard deviation of the sine frequencies alpha_i ~ N(0, s^2).";
    beta_std: f64 = 1.0, 0.0, 10.0, "Standard deviation of the sine phases beta_i ~ N(0, s^2).";
    noise_std: f64 = 0.1, 0.0, 10.0, "Standard deviation of the label noise (the paper: variance 0.01).";
    train_samples: usize = 10000, 16, 1_000_000, "Number of training samples.";
    test_samples: usize = 2000, 16, 100_000, "Number of held-out test samples.";
    seed: u32 = 1, 0, u32::MAX, "Seed for data, initial weights, batches and dropout.";
    // Architecture (paper section 5.1 sizes by default).
    experts: usize = 8, 1, 64, "Number of experts n in OMoE and MMoE.";
    expert_units: usize = 16, 1, 512, "Units in each expert's ReLU layer (also CGC's experts).";
    bottom_units: usize = 113, 1, 2048, "Units in Shared-Bottom's shared ReLU layer (113 matches MMoE's parameter count).";
    tower_units: usize = 8, 1, 256, "Units in each task tower's ReLU layer.";
    task_experts: usize = 2, 0, 32, "CGC: experts owned by each task.";
    shared_experts: usize = 4, 0, 32, "CGC: experts shared by both tasks.";
    gate_dropout: f64 = 0.0, 0.0, 0.9, "Probability of dropping an expert's gate weight during training (fixes gate collapse).";
    // Training.
    lr: f64 = 0.01, 0.000001, 1.0, "Adam learning rate.";
    beta1: f64 = 0.9, 0.0, 0.9999, "Adam decay of the gradient mean.";
    beta2: f64 = 0.999, 0.0, 0.999999, "Adam decay of the squared-gradient mean.";
    epsilon: f64 = 1e-8, 1e-12, 1.0, "Adam epsilon, added to the root of the squared-gradient mean.";
    batch_size: usize = 128, 1, 4096, "Samples per training step.";
    weight1: f64 = 1.0, 0.0, 100.0, "Weight of task 1's loss in the summed training loss.";
    weight2: f64 = 1.0, 0.0, 100.0, "Weight of task 2's loss in the summed training loss.";
    eval_every: usize = 50, 1, 100_000, "Steps between evaluations on the test set.";
}

/// What was done to one value while reading settings from a URL, a file or a flag list.
/// Serialised with its `kind` (snake case) and fields, so the page can word it in its
/// own language; `Display` is the English text. Quoted values are cut short (`shorten`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// Not a number: the default was kept.
    NotANumber {
        key: String,
        shown: String,
        fixed: f64,
    },
    /// Outside the setting's range (or not whole): the nearest allowed value was used.
    OutOfRange {
        key: String,
        shown: String,
        min: f64,
        max: f64,
        fixed: f64,
    },
    /// Not a task type: the default was kept.
    UnknownTask { key: String, shown: String },
    /// CGC had no expert at all: one shared expert was set.
    NoCgcExpert,
    /// The batch was larger than the training set: it was cut to the training set.
    BatchTooLarge { fixed: usize },
    /// Not a model name: ignored.
    UnknownModel { shown: String },
    /// A model list naming no known model: the default models are shown.
    NoModels,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::NotANumber { key, shown, fixed } => {
                write!(f, "{key}: '{shown}' is not a number; kept the default {fixed}")
            }
            Notice::OutOfRange {
                key,
                shown,
                min,
                max,
                fixed,
            } => write!(
                f,
                "{key}: {shown} is out of range {}; set to {fixed}",
                readable_range(*min, *max)
            ),
            Notice::UnknownTask { key, shown } => write!(
                f,
                "{key}: unknown task type '{shown}' (expected regression or binary); kept the default"
            ),
            Notice::NoCgcExpert => {
                f.write_str("shared_experts: CGC needs at least one expert; set to 1")
            }
            Notice::BatchTooLarge { fixed } => {
                write!(f, "batch_size: larger than train_samples; set to {fixed}")
            }
            Notice::UnknownModel { shown } => write!(
                f,
                "models: unknown model '{shown}' (expected sb, omoe, mmoe or cgc); ignored it"
            ),
            Notice::NoModels => f.write_str(
                "models: none of the listed models exist; showing the default models",
            ),
        }
    }
}

/// A range as people write it: "1–64", or "-1 to 1" when the low end is negative.
fn readable_range(min: f64, max: f64) -> String {
    if min < 0.0 {
        format!("{min} to {max}")
    } else {
        format!("{min}–{max}")
    }
}

impl Settings {
    pub fn field(name: &str) -> Option<&'static Field> {
        FIELDS.iter().find(|f| f.name == name)
    }

    pub fn task_kinds(&self) -> [TaskKind; 2] {
        [self.task1, self.task2]
    }

    pub fn task_weights(&self) -> [f32; 2] {
        [self.weight1 as f32, self.weight2 as f32]
    }

    /// Every broken rule at once, each naming the field, the value and what is allowed.
    pub fn validate(&self) -> Result<(), Vec<Violation>> {
        let mut violations = Vec::new();
        for field in FIELDS {
            let value = self.get(field.name).expect("every field has a value");
            if !value.is_finite() {
                violations.push(Violation {
                    field: field.name,
                    message: format!("{value} is not a finite number"),
                });
            } else if value < field.min || value > field.max {
                violations.push(Violation {
                    field: field.name,
                    message: format!("{value} is out of range {}", field.range()),
                });
            }
        }
        if self.task_experts + self.shared_experts == 0 {
            violations.push(Violation {
                field: "task_experts",
                message: "CGC needs at least one expert: task_experts + shared_experts is 0".into(),
            });
        }
        if self.batch_size > self.train_samples {
            violations.push(Violation {
                field: "batch_size",
                message: format!(
                    "{} is larger than train_samples ({})",
                    self.batch_size, self.train_samples
                ),
            });
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    /// Reads settings from `key=value` pairs (a URL query, a loaded file), never failing:
    /// malformed values are dropped and out-of-range ones clamped, each with a notice.
    /// Returns the keys it does not know, for the caller to handle or report.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Settings, Vec<Notice>, Vec<(&'a str, &'a str)>) {
        let mut settings = Settings::default();
        let mut notices = Vec::new();
        let mut unknown = Vec::new();
        for (key, raw) in pairs {
            if key == "task1" || key == "task2" {
                match raw.parse::<TaskKind>() {
                    Ok(kind) if key == "task1" => settings.task1 = kind,
                    Ok(kind) => settings.task2 = kind,
                    Err(_) => notices.push(Notice::UnknownTask {
                        key: key.into(),
                        shown: shorten(raw),
                    }),
                }
                continue;
            }
            let Some(field) = Settings::field(key) else {
                unknown.push((key, raw));
                continue;
            };
            let default = Settings::default().get(key).expect("known field");
            let shown = shorten(raw);
            let value = match raw.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    notices.push(Notice::NotANumber {
                        key: key.into(),
                        shown,
                        fixed: default,
                    });
                    continue;
                }
            };
            let mut fixed = value.clamp(field.min, field.max);
            if field.integer {
                fixed = fixed.round();
            }
            if fixed != value {
                notices.push(Notice::OutOfRange {
                    key: key.into(),
                    shown,
                    min: field.min,
                    max: field.max,
                    fixed,
                });
            }
            settings.set(key, fixed);
        }
        if settings.task_experts + settings.shared_experts == 0 {
            settings.shared_experts = 1;
            notices.push(Notice::NoCgcExpert);
        }
        if settings.batch_size > settings.train_samples {
            settings.batch_size = settings.train_samples;
            notices.push(Notice::BatchTooLarge {
                fixed: settings.train_samples,
            });
        }
        (settings, notices, unknown)
    }
}

/// Cuts an untrusted value down for a message, so a long URL cannot flood the notice.
pub fn shorten(raw: &str) -> String {
    if raw.chars().count() <= 24 {
        raw.to_string()
    } else {
        format!("{}…", raw.chars().take(24).collect::<String>())
    }
}

/// Parses a comma-separated model list, dropping unknown or repeated names with a notice.
pub fn parse_models(raw: &str, notices: &mut Vec<Notice>) -> Vec<ModelKind> {
    let mut models = Vec::new();
    for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
        match part.parse::<ModelKind>() {
            Ok(m) if !models.contains(&m) => models.push(m),
            Ok(_) => {}
            Err(_) => notices.push(Notice::UnknownModel {
                shown: shorten(part),
            }),
        }
    }
    models
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_paper_sizes() {
        let s = Settings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!((s.input_dim, s.experts, s.expert_units), (100, 8, 16));
        assert_eq!((s.bottom_units, s.tower_units), (113, 8));
    }

    #[test]
    fn validate_reports_every_violation_with_field_value_and_range() {
        let s = Settings {
            experts: 0,
            lr: f64::NAN,
            correlation: 1.5,
            scale: f64::INFINITY,
            ..Settings::default()
        };
        let messages: Vec<String> = s
            .validate()
            .unwrap_err()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(
            messages,
            vec![
                "scale: inf is not a finite number",
                "correlation: 1.5 is out of range -1..=1",
                "experts: 0 is out of range 1..=64",
                "lr: NaN is not a finite number",
            ]
        );
    }

    #[test]
    fn each_field_rejects_a_value_below_and_above_its_range() {
        for field in FIELDS {
            for bad in [field.min - 1.0, field.max + 1.0] {
                let mut s = Settings::default();
                s.set(field.name, bad);
                let got = s.get(field.name).unwrap();
                if got >= field.min && got <= field.max {
                    continue; // the integer type cannot hold it (u32 seed, usize 0 - 1)
                }
                let errs = s.validate().unwrap_err();
                assert!(
                    errs.iter()
                        .any(|v| v.field == field.name && v.message.contains(&field.range())),
                    "{}: {errs:?}",
                    field.name
                );
            }
        }
    }

    #[test]
    fn cross_field_rules() {
        let s = Settings {
            task_experts: 0,
            shared_experts: 0,
            batch_size: 500,
            train_samples: 100,
            ..Settings::default()
        };
        let fields: Vec<&str> = s.validate().unwrap_err().iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["task_experts", "batch_size"]);
    }

    #[test]
    fn pairs_are_clamped_or_dropped_with_notices() {
        let pairs = [
            ("experts", "500"),
            ("lr", "abc"),
            ("correlation", "-0.25"),
            ("tower_units", "3.6"),
            ("task2", "binary"),
            ("task1", "<script>"),
            ("seed", "NaN"),
            ("autoplay", "1"),
        ];
        let (s, notices, unknown) = Settings::from_pairs(pairs);
        assert_eq!(s.experts, 64);
        assert_eq!(s.lr, Settings::default().lr);
        assert_eq!(s.correlation, -0.25);
        assert_eq!(s.tower_units, 4);
        assert_eq!(s.task2, TaskKind::Binary);
        assert_eq!(s.task1, TaskKind::Regression);
        assert_eq!(unknown, vec![("autoplay", "1")]);
        assert_eq!(notices.len(), 5, "{notices:?}");
        assert_eq!(
            notices[0].to_string(),
            "experts: 500 is out of range 1–64; set to 64"
        );
        assert_eq!(
            notices[1].to_string(),
            "lr: 'abc' is not a number; kept the default 0.01"
        );
        assert!(s.validate().is_ok());
    }

    #[test]
    fn model_lists_parse_leniently() {
        let mut notices = vec![];
        let models = parse_models("mmoe,SB,foo,mmoe,,cgc", &mut notices);
        assert_eq!(models, vec![ModelKind::Mmoe, ModelKind::Sb, ModelKind::Cgc]);
        assert_eq!(notices.len(), 1);
    }
}
