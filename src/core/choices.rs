//! The word-valued settings (task types, the sine laws, streaming) and the data presets:
//! each listed once, so the CLI's flags, the URL parameters and the page's menus agree.

use crate::core::census::Group;
use crate::core::query::shorten;
use crate::core::rng::Rng;
use serde::{Deserialize, Serialize};
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

/// Where the data comes from: the paper's synthetic data (section 3.2), or one of the
/// two task groups of the UCI Census-income data (section 6.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    #[default]
    Synthetic,
    /// Group 1: income > 50K and never married.
    Census1,
    /// Group 2: education at least college and never married.
    Census2,
    /// A CSV file loaded in the page (`core::csv`): its label columns are the tasks.
    Csv,
}

impl Source {
    pub const NAMES: [&'static str; 4] = ["synthetic", "census1", "census2", "csv"];

    pub(crate) fn name(self) -> &'static str {
        Source::NAMES[self as usize]
    }

    /// The census task group, for census data.
    pub fn group(self) -> Option<Group> {
        match self {
            Source::Synthetic | Source::Csv => None,
            Source::Census1 => Some(Group::IncomeMarital),
            Source::Census2 => Some(Group::EducationMarital),
        }
    }
}

impl FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        Source::NAMES
            .iter()
            .position(|&n| n == s)
            .map(|i| {
                [
                    Source::Synthetic,
                    Source::Census1,
                    Source::Census2,
                    Source::Csv,
                ][i]
            })
            .ok_or_else(|| {
                format!(
                    "unknown data source '{}' (expected synthetic, census1, census2 or csv)",
                    shorten(&s)
                )
            })
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

    pub(crate) fn name(self) -> &'static str {
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
        name: "source",
        options: &Source::NAMES,
        help: "The data: the paper's synthetic data (section 3.2), the UCI Census-income data's task group 1 (income, never married) or 2 (education, never married) of section 6, or a CSV file loaded in the page (csv).",
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
    DataPreset {
        name: "census1",
        label: "Census-income, group 1: income, never married",
        description: "UCI Census-income (KDD), 199,523 training rows; task 1 income > 50K, task 2 never married (section 6.2); both binary, AUC; education and marital status are not inputs.",
    },
    DataPreset {
        name: "census2",
        label: "Census-income, group 2: education, never married",
        description: "UCI Census-income (KDD); task 1 education at least college, task 2 never married (section 6.2); both binary, AUC; education and marital status are not inputs.",
    },
];
