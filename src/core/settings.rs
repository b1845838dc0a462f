//! One settings type for the CLI, the page and the tests.
//!
//! Every numeric setting is declared once, in the table at the bottom of this file, with
//! its default, its allowed range and a one-sentence explanation. From that table come
//! the struct, `validate()`, the clamping of URL parameters and the page's tooltips, so
//! a range can never disagree between the CLI and the page.

pub use crate::core::catalogue::{rgb, ModelInfo, ModelKind, CATALOGUE, EXPERT_COLOURS};
use crate::core::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

/// How the m sine constants α_i (or β_i) of section 3.2 are chosen. The paper calls them
/// "given parameters" and does not say how; each law takes two numbers, `a` and `b`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Law {
    /// Drawn from N(a, b²) with the seed: a mean and a standard deviation.
    #[default]
    Normal,
    /// Drawn uniformly from [a, b] with the seed.
    Uniform,
    /// Fixed and evenly spaced from a to b (a alone when m = 1).
    Spaced,
    /// Fixed: a + b·i² for i = 1..m (google-research's phases β_i = i²).
    Quadratic,
}

impl Law {
    pub const NAMES: [&'static str; 4] = ["normal", "uniform", "spaced", "quadratic"];

    /// The m values of this law; only the random laws use `rng`.
    pub fn values(self, a: f64, b: f64, m: usize, rng: &mut Rng) -> Vec<f64> {
        (0..m)
            .map(|i| match self {
                Law::Normal => a + b * rng.normal(),
                Law::Uniform => a + (b - a) * rng.uniform(),
                Law::Spaced if m == 1 => a,
                Law::Spaced => a + (b - a) * i as f64 / (m - 1) as f64,
                Law::Quadratic => a + b * ((i + 1) * (i + 1)) as f64,
            })
            .collect()
    }

    fn name(self) -> &'static str {
        Law::NAMES[self as usize]
    }
}

impl FromStr for Law {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "normal" => Ok(Law::Normal),
            "uniform" => Ok(Law::Uniform),
            "spaced" => Ok(Law::Spaced),
            "quadratic" => Ok(Law::Quadratic),
            _ => Err(format!(
                "unknown law '{}' (expected normal, uniform, spaced or quadratic)",
                shorten(&s)
            )),
        }
    }
}

/// A setting chosen from a list of words (a task type, a law, on/off), from the table
/// `CHOICES`, so the CLI, the URL and the page list the same options.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Choice {
    pub name: &'static str,
    pub options: &'static [&'static str],
    pub help: &'static str,
}

/// The word-valued settings.
pub const CHOICES: &[Choice] = &[
    Choice {
        name: "task1",
        options: &["regression", "binary"],
        help: "Type of task 1: regression (MSE) or binary (y above its median; log-loss, AUC).",
    },
    Choice {
        name: "task2",
        options: &["regression", "binary"],
        help: "Type of task 2: regression (MSE) or binary (y above its median; log-loss, AUC).",
    },
    Choice {
        name: "alpha_law",
        options: &Law::NAMES,
        help: "How the sine frequencies alpha_i are chosen: normal N(a, b^2), uniform [a, b], spaced from a to b, or quadratic a + b*i^2.",
    },
    Choice {
        name: "beta_law",
        options: &Law::NAMES,
        help: "How the sine phases beta_i are chosen: normal N(a, b^2), uniform [a, b], spaced from a to b, or quadratic a + b*i^2.",
    },
    Choice {
        name: "streaming",
        options: &["on", "off"],
        help: "on: every training row is a fresh seeded sample (the paper's data 'generated until enough'; no overfitting); off: a fixed training set of train_samples rows.",
    },
];

/// A named data setting: the constants the paper leaves open, as someone chose them.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DataPreset {
    pub name: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

/// The data presets (`data=NAME` in a URL, `--data NAME` on the command line).
pub const DATA_PRESETS: &[DataPreset] = &[
    DataPreset {
        name: "paper",
        label: "Fit to the paper's Figure 2 (default)",
        description: "c = 1, m = 10, alpha evenly spaced from 2 to 8, beta ~ N(0, 1), streaming: label correlation within 0.03 of every read-off of Figure 2.",
    },
    DataPreset {
        name: "ple",
        label: "PLE 2020's guess",
        description: "c = 1, m = 10, alpha, beta ~ N(0, 1), 10,000 fixed training samples: smooth, closely related tasks (label r = 0.81 at p = 0.9 over seeds 1-20; the paper's 0.30).",
    },
    DataPreset {
        name: "google",
        label: "google-research's generator",
        description: "c = 1, m = 10, alpha_i = i, beta_i = i^2, noise std 0.01 (generate_task_pairs).",
    },
];

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
            /// How the sine frequencies α_i are chosen (with `alpha_a`, `alpha_b`).
            pub alpha_law: Law,
            /// How the sine phases β_i are chosen (with `beta_a`, `beta_b`).
            pub beta_law: Law,
            /// A fresh sample for every training row, instead of a fixed training set.
            pub streaming: bool,
        }

        impl Default for Settings {
            fn default() -> Self {
                Settings {
                    $( $name: $default, )*
                    task1: TaskKind::Regression,
                    task2: TaskKind::Regression,
                    alpha_law: Law::Spaced,
                    beta_law: Law::Normal,
                    streaming: true,
                }
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
    alpha_a: f64 = 2.0, -100.0, 100.0, "First number of alpha_law: the mean (normal), the low end (uniform), the first value (spaced) or the offset (quadratic).";
    alpha_b: f64 = 8.0, -100.0, 100.0, "Second number of alpha_law: the standard deviation (normal), the high end (uniform), the last value (spaced) or the factor of i^2 (quadratic).";
    beta_a: f64 = 0.0, -100.0, 100.0, "First number of beta_law: the mean (normal), the low end (uniform), the first value (spaced) or the offset (quadratic).";
    beta_b: f64 = 1.0, -100.0, 100.0, "Second number of beta_law: the standard deviation (normal), the high end (uniform), the last value (spaced) or the factor of i^2 (quadratic).";
    noise_std: f64 = 0.1, 0.0, 10.0, "Standard deviation of the label noise (the paper: variance 0.01).";
    train_samples: usize = 10000, 16, 1_000_000, "Number of training samples (when streaming is off).";
    test_samples: usize = 2000, 16, 100_000, "Number of held-out test samples (fixed, also when streaming).";
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
    /// Not a data preset: the default data was kept.
    UnknownDataPreset { shown: String },
    /// Not one of a word-valued setting's options: the current value was kept.
    BadChoice {
        key: String,
        shown: String,
        options: String,
        kept: String,
    },
    /// A link from before the sine laws: `alpha_std = s` now reads as a normal law.
    OldLawKey { key: String, law: String },
    /// A normal law's negative standard deviation: its absolute value was used.
    NegativeStd { key: String, fixed: f64 },
    /// A uniform law's ends in the wrong order: they were swapped.
    SwappedEnds { low: String, high: String },
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
            Notice::UnknownDataPreset { shown } => write!(
                f,
                "data: unknown data preset '{shown}' (expected paper, ple or google); kept the default data"
            ),
            Notice::BadChoice {
                key,
                shown,
                options,
                kept,
            } => write!(f, "{key}: '{shown}' is not one of {options}; kept {kept}"),
            Notice::OldLawKey { key, law } => write!(
                f,
                "{key}: now {law}_law = normal with {law}_a = 0 and {law}_b = the standard deviation"
            ),
            Notice::NegativeStd { key, fixed } => write!(
                f,
                "{key}: a standard deviation cannot be negative; set to {fixed}"
            ),
            Notice::SwappedEnds { low, high } => write!(
                f,
                "{low}, {high}: the low end was above the high end; swapped them"
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

    /// A word-valued setting (see `CHOICES`) by name.
    pub fn choice(&self, name: &str) -> Option<&'static str> {
        let task = |k: TaskKind| match k {
            TaskKind::Regression => "regression",
            TaskKind::Binary => "binary",
        };
        Some(match name {
            "task1" => task(self.task1),
            "task2" => task(self.task2),
            "alpha_law" => self.alpha_law.name(),
            "beta_law" => self.beta_law.name(),
            "streaming" => ["off", "on"][self.streaming as usize],
            _ => return None,
        })
    }

    /// Sets a word-valued setting; `Ok(false)` if `name` is not one.
    pub fn set_choice(&mut self, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "task1" => self.task1 = value.parse()?,
            "task2" => self.task2 = value.parse()?,
            "alpha_law" => self.alpha_law = value.parse()?,
            "beta_law" => self.beta_law = value.parse()?,
            "streaming" => {
                self.streaming = match value.trim().to_ascii_lowercase().as_str() {
                    "on" | "1" | "true" => true,
                    "off" | "0" | "false" => false,
                    _ => return Err(format!("'{}' is not on or off", shorten(value.trim()))),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The settings of a data preset (`DATA_PRESETS`), everything else left as it is.
    pub fn with_data_preset(mut self, name: &str) -> Result<Settings, String> {
        let d = Settings::default();
        let (scale, m, noise) = (d.scale, d.sinusoids, d.noise_std);
        (self.scale, self.sinusoids, self.noise_std) = (scale, m, noise);
        match name.trim().to_ascii_lowercase().as_str() {
            "paper" => {
                (self.alpha_law, self.alpha_a, self.alpha_b) = (d.alpha_law, d.alpha_a, d.alpha_b);
                (self.beta_law, self.beta_a, self.beta_b) = (d.beta_law, d.beta_a, d.beta_b);
                self.streaming = d.streaming;
            }
            "ple" => {
                (self.alpha_law, self.alpha_a, self.alpha_b) = (Law::Normal, 0.0, 1.0);
                (self.beta_law, self.beta_a, self.beta_b) = (Law::Normal, 0.0, 1.0);
                self.streaming = false;
                self.train_samples = 10_000;
            }
            "google" => {
                (self.alpha_law, self.alpha_a, self.alpha_b) = (Law::Spaced, 1.0, 10.0);
                (self.beta_law, self.beta_a, self.beta_b) = (Law::Quadratic, 0.0, 1.0);
                self.noise_std = 0.01;
            }
            other => {
                return Err(format!(
                    "unknown data preset '{}' (expected paper, ple or google)",
                    shorten(other)
                ))
            }
        }
        Ok(self)
    }

    /// The data preset these settings equal, if any (for the page's data menu).
    pub fn data_preset(&self) -> Option<&'static str> {
        DATA_PRESETS.iter().map(|p| p.name).find(|name| {
            self.clone()
                .with_data_preset(name)
                .is_ok_and(|s| s == *self)
        })
    }

    /// Both sine laws with their numbers, and the field a problem is reported on.
    fn laws(&self) -> [(Law, f64, f64, &'static str); 2] {
        [
            (self.alpha_law, self.alpha_a, self.alpha_b, "alpha_b"),
            (self.beta_law, self.beta_a, self.beta_b, "beta_b"),
        ]
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
        for (law, a, b, field) in self.laws() {
            if let Some(message) = law_problem(law, a, b) {
                violations.push(Violation { field, message });
            }
        }
        if self.task_experts + self.shared_experts == 0 {
            violations.push(Violation {
                field: "task_experts",
                message: "CGC needs at least one expert: task_experts + shared_experts is 0".into(),
            });
        }
        if !self.streaming && self.batch_size > self.train_samples {
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
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        // A data preset is the starting point; the other keys then override it.
        for &(_, raw) in pairs.iter().filter(|(key, _)| *key == "data") {
            match settings.clone().with_data_preset(raw) {
                Ok(s) => settings = s,
                Err(_) => notices.push(Notice::UnknownDataPreset {
                    shown: shorten(raw),
                }),
            }
        }
        for (key, raw) in pairs {
            if key == "data" {
                continue;
            }
            match settings.set_choice(key, raw) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(_) if key == "task1" || key == "task2" => {
                    notices.push(Notice::UnknownTask {
                        key: key.into(),
                        shown: shorten(raw),
                    });
                    continue;
                }
                Err(_) => {
                    let choice = CHOICES.iter().find(|c| c.name == key).expect("a choice");
                    notices.push(Notice::BadChoice {
                        key: key.into(),
                        shown: shorten(raw),
                        options: choice.options.join(", "),
                        kept: settings.choice(key).unwrap_or("").into(),
                    });
                    continue;
                }
            }
            // Links made before the laws existed: alpha_std = s meant alpha_i ~ N(0, s²).
            let key = match key {
                "alpha_std" | "beta_std" => {
                    let law = if key == "alpha_std" { "alpha" } else { "beta" };
                    settings
                        .set_choice(&format!("{law}_law"), "normal")
                        .expect("a law");
                    settings.set(&format!("{law}_a"), 0.0);
                    notices.push(Notice::OldLawKey {
                        key: key.into(),
                        law: law.into(),
                    });
                    if law == "alpha" {
                        "alpha_b"
                    } else {
                        "beta_b"
                    }
                }
                key => key,
            };
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
        for law in ["alpha", "beta"] {
            let (a, b) = (format!("{law}_a"), format!("{law}_b"));
            let (va, vb) = (settings.get(&a).expect("a"), settings.get(&b).expect("b"));
            match settings.choice(&format!("{law}_law")) {
                Some("normal") if vb < 0.0 => {
                    settings.set(&b, -vb);
                    notices.push(Notice::NegativeStd { key: b, fixed: -vb });
                }
                Some("uniform") if va > vb => {
                    settings.set(&a, vb);
                    settings.set(&b, va);
                    notices.push(Notice::SwappedEnds { low: a, high: b });
                }
                _ => {}
            }
        }
        if !settings.streaming && settings.batch_size > settings.train_samples {
            settings.batch_size = settings.train_samples;
            notices.push(Notice::BatchTooLarge {
                fixed: settings.train_samples,
            });
        }
        (settings, notices, unknown)
    }
}

/// What is wrong with a law's two numbers, if anything.
fn law_problem(law: Law, a: f64, b: f64) -> Option<String> {
    match law {
        Law::Normal if b < 0.0 => Some(format!(
            "{b} is negative: the normal law's standard deviation must be ≥ 0"
        )),
        Law::Uniform if a > b => Some(format!(
            "the uniform law's low end {a} is above its high end {b}"
        )),
        _ => None,
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

/// A URL query or settings file read: the settings, the models it names (`models=`),
/// what was done to bad values, and the keys neither knows (the page's own: `autoplay`,
/// `lang`, ...).
#[derive(Clone, Debug, Serialize)]
pub struct Query {
    pub settings: Settings,
    /// `None` when the pairs name no models.
    pub models: Option<Vec<ModelKind>>,
    pub notices: Vec<Notice>,
    pub unknown: Vec<(String, String)>,
}

impl Query {
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Query {
        let (settings, mut notices, rest) = Settings::from_pairs(pairs);
        let mut models = None;
        let mut unknown = Vec::new();
        for (key, value) in rest {
            if key != "models" {
                unknown.push((key.to_string(), value.to_string()));
                continue;
            }
            let parsed = parse_models(value, &mut notices);
            if parsed.is_empty() {
                notices.push(Notice::NoModels);
            } else {
                models = Some(parsed);
            }
        }
        Query {
            settings,
            models,
            notices,
            unknown,
        }
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
            streaming: false,
            ..Settings::default()
        };
        let fields: Vec<&str> = s.validate().unwrap_err().iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["task_experts", "batch_size"]);
        // Streaming draws every row afresh: the training-set size no longer limits a batch.
        let streaming = Settings {
            task_experts: 1,
            streaming: true,
            ..s
        };
        assert_eq!(streaming.validate(), Ok(()));
    }

    #[test]
    fn laws_are_checked_and_repaired() {
        let s = Settings {
            alpha_law: Law::Normal,
            alpha_b: -1.0,
            beta_law: Law::Uniform,
            beta_a: 2.0,
            beta_b: 1.0,
            ..Settings::default()
        };
        let fields: Vec<&str> = s.validate().unwrap_err().iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["alpha_b", "beta_b"]);
        let pairs = [
            ("alpha_law", "normal"),
            ("alpha_b", "-3"),
            ("beta_law", "UNIFORM"),
            ("beta_a", "2"),
            ("beta_b", "1"),
        ];
        let (s, notices, _) = Settings::from_pairs(pairs);
        assert_eq!((s.alpha_b, s.beta_a, s.beta_b), (3.0, 1.0, 2.0));
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(s.validate().is_ok());
    }

    #[test]
    fn law_values_follow_their_definitions() {
        let mut rng = Rng::new(1, crate::core::rng::Stream::Directions, 0);
        assert_eq!(
            Law::Spaced.values(2.0, 8.0, 4, &mut rng),
            vec![2.0, 4.0, 6.0, 8.0]
        );
        assert_eq!(Law::Spaced.values(2.0, 8.0, 1, &mut rng), vec![2.0]);
        assert_eq!(
            Law::Quadratic.values(0.0, 1.0, 3, &mut rng),
            vec![1.0, 4.0, 9.0]
        );
        let u = Law::Uniform.values(-1.0, 3.0, 1000, &mut rng);
        assert!(u.iter().all(|v| (-1.0..3.0).contains(v)));
        let n = Law::Normal.values(5.0, 0.0, 3, &mut rng);
        assert_eq!(n, vec![5.0; 3]);
    }

    #[test]
    fn data_presets_and_choices_come_from_pairs() {
        let (s, notices, _) =
            Settings::from_pairs([("alpha_b", "7"), ("data", "ple"), ("streaming", "on")]);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((s.alpha_law, s.alpha_a, s.alpha_b), (Law::Normal, 0.0, 7.0));
        assert!(s.streaming, "later keys override the preset");
        let (s, notices, _) = Settings::from_pairs([("data", "nope"), ("streaming", "maybe")]);
        assert_eq!(s, Settings::default());
        assert_eq!(notices.len(), 2, "{notices:?}");
        for preset in DATA_PRESETS {
            let s = Settings::default().with_data_preset(preset.name).unwrap();
            assert!(s.validate().is_ok(), "{}", preset.name);
            assert_eq!(s.data_preset(), Some(preset.name));
        }
        // Old links: alpha_std = s meant alpha_i ~ N(0, s²).
        let (s, notices, _) = Settings::from_pairs([("alpha_std", "5")]);
        assert_eq!((s.alpha_law, s.alpha_a, s.alpha_b), (Law::Normal, 0.0, 5.0));
        assert_eq!(notices.len(), 1);
        for c in CHOICES {
            let mut s = Settings::default();
            for option in c.options {
                assert_eq!(s.set_choice(c.name, option), Ok(true));
                assert_eq!(s.choice(c.name), Some(*option));
            }
        }
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
    fn queries_name_models_or_fall_back_with_a_notice() {
        let q = Query::parse([("models", "mmoe,sb"), ("lang", "zh"), ("experts", "4")]);
        assert_eq!(q.models, Some(vec![ModelKind::Mmoe, ModelKind::Sb]));
        assert_eq!(q.unknown, vec![("lang".to_string(), "zh".to_string())]);
        assert_eq!(q.settings.experts, 4);
        let q = Query::parse([("models", "foo")]);
        assert_eq!(q.models, None);
        assert_eq!(q.notices.len(), 2, "{:?}", q.notices);
    }

    #[test]
    fn model_lists_parse_leniently() {
        let mut notices = vec![];
        let models = parse_models("mmoe,SB,foo,mmoe,,cgc", &mut notices);
        assert_eq!(models, vec![ModelKind::Mmoe, ModelKind::Sb, ModelKind::Cgc]);
        assert_eq!(notices.len(), 1);
    }
}
