//! The `mmoe` command line (native only).
//!
//! Every setting in `settings::FIELDS` becomes a flag (`--input-dim`, `--lr`, ...), so the
//! CLI, the page's URL parameters and the settings file share one list of names.

use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use mmoe::core::diagnosis::{diagnose, LossTrack, ROWS};
use mmoe::core::settings::{ModelKind, Settings, CHOICES, DATA_PRESETS, FIELDS};
use mmoe::experiment::grid::FINAL_WINDOW;
use mmoe::{Session, TASKS};
use serde_json::json;
use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Instant;

mod bench;
mod census;
mod labels;
mod replica_bench;
mod summary;
mod sweep;

fn flag(name: &str) -> String {
    name.replace('_', "-")
}

/// A flag `--name` that is either given or not.
fn switch(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .action(ArgAction::SetTrue)
        .help(help)
}

/// A flag `--name N` taking a whole number in `range`.
fn whole(name: &'static str, range: RangeInclusive<u64>, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .value_parser(clap::value_parser!(u64).range(range))
        .help(help)
}

/// The settings flags, built from the settings table.
fn settings_args() -> Vec<Arg> {
    let mut args: Vec<Arg> = FIELDS
        .iter()
        .map(|f| {
            Arg::new(f.name)
                .long(flag(f.name))
                .value_name(if f.integer { "INT" } else { "NUM" })
                .allow_negative_numbers(true)
                .value_parser(clap::value_parser!(f64))
                .help(format!(
                    "{} [{}; default {}]",
                    f.help,
                    f.range(),
                    Settings::default().get(f.name).unwrap()
                ))
                .help_heading("Settings")
        })
        .collect();
    let defaults = Settings::default();
    for c in CHOICES {
        args.push(
            Arg::new(c.name)
                .long(flag(c.name))
                .value_parser(c.options.to_vec())
                .help(format!(
                    "{} [default {}]",
                    c.help,
                    defaults.choice(c.name).expect("every choice has a value")
                ))
                .help_heading("Settings"),
        );
    }
    let presets: Vec<&str> = DATA_PRESETS.iter().map(|p| p.name).collect();
    let described: Vec<String> = DATA_PRESETS
        .iter()
        .map(|p| format!("{}: {}", p.name, p.description))
        .collect();
    args.push(
        Arg::new("data")
            .long("data")
            .value_parser(presets)
            .help(format!(
                "Start from a data preset; other flags override it. {}",
                described.join(" ")
            ))
            .help_heading("Settings"),
    );
    args
}

/// Reads the settings flags; every violation is reported at once.
fn settings_from(matches: &ArgMatches) -> Result<Settings, Vec<String>> {
    let mut settings = Settings::default();
    if let Some(preset) = matches.get_one::<String>("data") {
        settings = settings
            .with_data_preset(preset)
            .expect("clap checked the value");
    }
    let mut errors = Vec::new();
    for f in FIELDS {
        if let Some(&v) = matches.get_one::<f64>(f.name) {
            if f.integer && v.fract() != 0.0 {
                errors.push(format!("{}: {v} is not a whole number", f.name));
            }
            // Values outside the integer type are kept out of range rather than wrapped.
            let stored = if f.integer && (v < 0.0 || v > f.max) {
                f.max + 1.0
            } else {
                v
            };
            settings.set(f.name, stored);
            if stored.to_bits() != v.to_bits() {
                errors.push(format!("{}: {v} is out of range {}", f.name, f.range()));
            }
        }
    }
    for c in CHOICES {
        if let Some(value) = matches.get_one::<String>(c.name) {
            settings
                .set_choice(c.name, value)
                .expect("clap checked the value");
        }
    }
    if let Err(violations) = settings.validate() {
        let already: Vec<String> = errors.clone();
        errors.extend(
            violations
                .iter()
                .filter(|v| !already.iter().any(|e| e.starts_with(v.field)))
                .map(|v| v.to_string()),
        );
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

fn cli() -> Command {
    Command::new("mmoe")
        .about("Train multi-task models (Shared-Bottom, OMoE, MMoE, CGC, Single-Task) on the MMoE paper's synthetic data or its census-income data")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("train")
                .about("Train one model and print a JSON summary on stdout")
                .arg(
                    Arg::new("model")
                        .long("model")
                        .default_value("mmoe")
                        .value_parser(["sb", "omoe", "mmoe", "cgc", "single"])
                        .help("Model to train"),
                )
                .arg(whole("steps", 1..=10_000_000, "Training steps").default_value("2000"))
                .arg(Arg::new("curve").long("curve").value_name("FILE.csv").help("Write every step's training losses, and the test losses every --eval-every steps, to a CSV file"))
                .arg(switch("quiet", "No progress bar").short('q'))
                .arg(census::file_arg())
                .args(census::csv_args())
                .args(settings_args()),
        )
        .subcommand(census::command())
        .subcommand(labels::command())
        .subcommand(sweep::command())
        .subcommand(bench::command())
}

pub fn main() -> ExitCode {
    let matches = match cli().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match matches.subcommand() {
        Some(("train", m)) => train(m),
        Some(("census-data", m)) => census::run(m),
        Some(("labels", m)) => labels::run(m),
        Some(("sweep", m)) => sweep::run(m),
        Some(("bench", m)) => bench::run(m),
        _ => unreachable!("clap requires a subcommand"),
    }
}

fn usage_error(errors: &[String]) -> ExitCode {
    eprintln!("error: invalid settings:");
    for e in errors {
        eprintln!("  {e}");
    }
    ExitCode::from(2)
}

fn train(m: &ArgMatches) -> ExitCode {
    let mut settings = match settings_from(m) {
        Ok(s) => s,
        Err(errors) => return usage_error(&errors),
    };
    let kind: ModelKind = m
        .get_one::<String>("model")
        .unwrap()
        .parse()
        .expect("clap checked the value");
    let steps = *m.get_one::<u64>("steps").unwrap() as usize;
    if let Err(e) = census::load_for(&mut settings, m) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let mut session = Session::new(settings, &[kind]).expect("settings were validated");
    let progress = if m.get_flag("quiet") {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(steps as u64)
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps {per_sec} {msg}")
            .expect("valid template"),
    );

    let curve_path = m.get_one::<String>("curve");
    let eval_every = session.settings.eval_every;
    let mut curve = String::from("step,train_loss_1,train_loss_2,test_loss_1,test_loss_2\n");
    let mut history: Vec<[f64; TASKS]> = Vec::with_capacity(steps);
    let mut diverged = None;
    let mut track = LossTrack::default();
    let started = Instant::now();
    let data = &session.data;
    let trainer = &mut session.trainers[0];
    for _ in 0..steps {
        match trainer.train_step(data) {
            Ok(losses) => {
                if curve_path.is_some() {
                    let _ = write!(curve, "{},{},{}", trainer.step, losses[0], losses[1]);
                    if trainer.step % eval_every == 0 {
                        let test = trainer.evaluate(&data.test).loss;
                        let _ = write!(curve, ",{},{}", test[0], test[1]);
                    } else {
                        curve.push_str(",,");
                    }
                    curve.push('\n');
                }
                history.push(losses);
                track.push(trainer.step, &losses);
            }
            Err(d) => {
                track.push(d.step, &[f64::NAN; TASKS]);
                diverged = Some(d);
                break;
            }
        }
        if trainer.step % 64 == 0 {
            progress.set_position(trainer.step as u64);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    progress.finish_and_clear();

    if let Some(path) = curve_path {
        if let Err(e) = std::fs::write(path, &curve) {
            eprintln!("error: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let last = &history[history.len().saturating_sub(FINAL_WINDOW)..];
    let train_loss: Vec<f64> = (0..TASKS)
        .map(|t| last.iter().map(|l| l[t]).sum::<f64>() / last.len().max(1) as f64)
        .collect();
    let mut out = json!({
        "model": kind.name(),
        "correlation": session.settings.correlation,
        "label_pearson": session.data.label_pearson,
        "steps": trainer.step,
        "train_loss": train_loss,
        "steps_per_sec": history.len() as f64 / elapsed,
        "parameters": trainer.model.parameter_count(),
        "settings": &session.settings,
    });
    // Why a run broke, as the page words it: its cause (null when healthy) and numbers.
    let diagnosis = diagnose(&trainer.model, &session.data.test, ROWS, &track);
    out["diagnosis"] = json!(diagnosis);
    if let Some(d) = diverged {
        eprintln!("error: {d}");
        if let Some(cause) = diagnosis.cause {
            eprintln!(
                "cause: {} (\"diagnosis\" in the JSON has the numbers)",
                json!(cause)
            );
        }
        out["diverged"] = json!({ "step": d.step, "task": d.task + 1 });
        println!("{out}");
        return ExitCode::from(3);
    }
    let eval = trainer.evaluate(&session.data.test);
    out["test_loss"] = json!(eval.loss);
    if eval.auc.iter().any(Option::is_some) {
        out["test_auc"] = json!(eval.auc);
    }
    if !session.data.validation.is_empty() {
        out["validation_auc"] = json!(trainer.evaluate(&session.data.validation).auc);
    }
    if let Some(stats) = eval.gates {
        out["gates"] = json!(stats.weights);
        out["gate_entropy"] = json!(stats.entropy);
    }
    println!("{out}");
    ExitCode::SUCCESS
}
