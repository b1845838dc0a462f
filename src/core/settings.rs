//! One settings type for the CLI, the page and the tests.
//!
//! Every numeric setting is declared once, in the table at the bottom of this file, with
//! its default, its allowed range and a one-sentence explanation. From that table come
//! the struct, `validate()`, the clamping of URL parameters and the page's tooltips, so
//! a range can never disagree between the CLI and the page. The word-valued settings and
//! data presets are in `choices`; reading settings from a URL or file is in `query`.

pub use crate::core::catalogue::{rgb, ModelInfo, ModelKind, CATALOGUE, EXPERT_COLOURS};
pub use crate::core::choices::{Choice, DataPreset, Law, Source, TaskKind, CHOICES, DATA_PRESETS};
pub use crate::core::query::{parse_models, shorten, Notice, Query};
use serde::{Deserialize, Serialize};
use std::fmt;

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
            /// The data: synthetic, or a census task group.
            pub source: Source,
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
                    source: Source::Synthetic,
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
    lr: f64 = 0.001, 0.000001, 1.0, "Adam learning rate (the paper searched 1e-4, 1e-3, 1e-2).";
    beta1: f64 = 0.9, 0.0, 0.9999, "Adam decay of the gradient mean.";
    beta2: f64 = 0.999, 0.0, 0.999999, "Adam decay of the squared-gradient mean.";
    epsilon: f64 = 1e-8, 1e-12, 1.0, "Adam epsilon, added to the root of the squared-gradient mean.";
    batch_size: usize = 128, 1, 4096, "Samples per training step.";
    weight1: f64 = 1.0, 0.0, 100.0, "Weight of task 1's loss in the summed training loss.";
    weight2: f64 = 1.0, 0.0, 100.0, "Weight of task 2's loss in the summed training loss.";
    eval_every: usize = 50, 1, 100_000, "Steps between evaluations on the test set.";
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
            "source" => self.source.name(),
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
            "source" => self.source = value.parse()?,
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

    /// The settings of a data preset (`DATA_PRESETS`), everything else left as it is —
    /// but for what the census presets set, which returns to its default when leaving
    /// census data.
    pub fn with_data_preset(mut self, name: &str) -> Result<Settings, String> {
        let d = Settings::default();
        let name = name.trim().to_ascii_lowercase();
        if let Some(source) = ["census1", "census2"].iter().position(|&c| c == name) {
            self = self.census_training();
            self.source = [Source::Census1, Source::Census2][source];
            return Ok(self);
        }
        if self.source != Source::Synthetic {
            let census = self.clone();
            self = d.clone();
            (self.seed, self.correlation) = (census.seed, census.correlation);
        }
        let (scale, m, noise) = (d.scale, d.sinusoids, d.noise_std);
        (self.scale, self.sinusoids, self.noise_std) = (scale, m, noise);
        match name.as_str() {
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
                    "unknown data preset '{}' (expected paper, ple, google, census1 or census2)",
                    shorten(other)
                ))
            }
        }
        Ok(self)
    }

    /// The training the census presets use: binary tasks on a fixed training set, and the
    /// learning rate, sizes and batch chosen on group 1's validation AUC
    /// (docs/reproduction.md, "Census-income").
    fn census_training(self) -> Settings {
        Settings {
            task1: TaskKind::Binary,
            task2: TaskKind::Binary,
            streaming: false,
            // An evaluation reads ~50,000 test rows: every 500 steps costs the page about
            // a fifth of its training time, every 50 would cost twice it.
            eval_every: 500,
            ..self
        }
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
        if self.source != Source::Synthetic {
            // A CSV's tasks are whatever its label columns are; census tasks are binary.
            let census = self.source.group().is_some();
            let problems = [
                (
                    self.streaming,
                    "streaming",
                    "census and CSV data are fixed sets: streaming must be off",
                ),
                (
                    census && self.task1 != TaskKind::Binary,
                    "task1",
                    "census tasks are binary",
                ),
                (
                    census && self.task2 != TaskKind::Binary,
                    "task2",
                    "census tasks are binary",
                ),
            ];
            violations.extend(problems.into_iter().filter(|p| p.0).map(|(_, field, m)| {
                Violation {
                    field,
                    message: m.into(),
                }
            }));
        } else if !self.streaming && self.batch_size > self.train_samples {
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
        let mut rng = crate::core::rng::Rng::new(1, crate::core::rng::Stream::Directions, 0);
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
            "lr: 'abc' is not a number; kept the default 0.001"
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
