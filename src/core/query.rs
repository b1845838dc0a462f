//! Reading settings from `key=value` pairs (a URL query, a settings file): never failing,
//! every bad value clamped or dropped with a `Notice` the page can word in its language.

use crate::core::choices::CHOICES;
use crate::core::settings::{ModelKind, Settings};
use serde::Serialize;
use std::fmt;

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
                "models: unknown model '{shown}' (expected sb, omoe, mmoe, cgc or single); ignored it"
            ),
            Notice::NoModels => f.write_str(
                "models: none of the listed models exist; showing the default models",
            ),
            Notice::UnknownDataPreset { shown } => write!(
                f,
                "data: unknown data preset '{shown}' (expected paper, ple, google, census1 or census2); kept the default data"
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
