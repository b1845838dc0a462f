//! `mmoe sweep`: the paper's experiment grid (models × correlations × seeds) on both
//! cores, with results.json, results.csv and the four figures written to a folder and a
//! Markdown summary printed; `--redraw DIR` redoes the figures and the summary from a
//! folder's results.json without training.

use super::summary;
use super::{settings_args, settings_from, usage_error, whole};
use clap::{Arg, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use mmoe::core::settings::{parse_models, ModelKind, Settings};
use mmoe::experiment::census;
use mmoe::experiment::grid::SweepConfig;
use mmoe::experiment::native::{run_parallel, write_outputs};
use mmoe::experiment::results::SweepResults;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub fn command() -> Command {
    Command::new("sweep")
        .about("Run the paper's experiment: every model at every correlation over many seeds")
        .arg(
            Arg::new("models")
                .long("models")
                .default_value("sb,omoe,mmoe")
                .help("Models to compare (comma-separated)"),
        )
        .arg(
            Arg::new("correlations")
                .long("correlations")
                .default_value("1,0.9,0.5,0.1,-0.5")
                .allow_negative_numbers(true)
                .help("Task correlations (comma-separated, each in -1..=1)"),
        )
        .arg(
            whole(
                "seeds",
                1..=10_000,
                "Seeds; each redraws the data and the initial weights",
            )
            .default_value("20"),
        )
        .arg(
            Arg::new("first-seed")
                .long("first-seed")
                .default_value("1")
                .value_parser(clap::value_parser!(u32))
                .help("First seed"),
        )
        .arg(whole("steps", 1..=1_000_000, "Training steps per run").default_value("20000"))
        .arg(
            Arg::new("out")
                .long("out")
                .default_value("results")
                .help("Output folder"),
        )
        .arg(
            Arg::new("redraw")
                .long("redraw")
                .value_name("DIR")
                .help("Redraw the figures and the summary from DIR/results.json, without training"),
        )
        .arg(whole("threads", 1..=256, "Threads [default: all cores]"))
        .arg(whole("checkpoints", 1..=100, "Census data: validation and test AUC measured this many times over the run; each model's steps are chosen among them on validation").default_value("8"))
        .arg(super::census::file_arg())
        .args(settings_args())
}

pub fn run(m: &ArgMatches) -> ExitCode {
    if let Some(dir) = m.get_one::<String>("redraw") {
        return redraw(&PathBuf::from(dir));
    }
    let mut errors = Vec::new();
    let mut notices = Vec::new();
    let models: Vec<ModelKind> = parse_models(m.get_one::<String>("models").unwrap(), &mut notices);
    errors.extend(notices.iter().map(ToString::to_string));
    let correlations: Vec<f64> = m
        .get_one::<String>("correlations")
        .unwrap()
        .split(',')
        .filter_map(|p| match p.trim().parse::<f64>() {
            Ok(v) if (-1.0..=1.0).contains(&v) => Some(v),
            _ => {
                errors.push(format!("correlations: '{p}' is not a number in -1..=1"));
                None
            }
        })
        .collect();
    let base = match settings_from(m) {
        Ok(s) => s,
        Err(e) => {
            errors.extend(e);
            Default::default()
        }
    };
    let steps = *m.get_one::<u64>("steps").unwrap() as usize;
    if base.source == mmoe::core::settings::Source::Csv {
        errors.push(
            "source: the sweep reads the synthetic or census data (mmoe train --csv reads a CSV)"
                .into(),
        );
    }
    if errors.is_empty() && base.source.group().is_some() {
        return census_sweep(m, &base, &models, steps);
    }
    let config = SweepConfig {
        models,
        correlations,
        seeds: *m.get_one::<u64>("seeds").unwrap() as usize,
        first_seed: *m.get_one::<u32>("first-seed").unwrap(),
        steps,
        base,
        curve_every: (steps / 100).max(1),
    };
    if let Err(e) = config.validate() {
        errors.push(e);
    }
    if !errors.is_empty() {
        return usage_error(&errors);
    }
    let threads = m
        .get_one::<u64>("threads")
        .map(|&t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let total = config.cells().len();
    let progress = ProgressBar::new((total * config.steps) as u64);
    progress.set_style(
        ProgressStyle::with_template(
            "{bar:40} {percent}% of {msg} runs, {elapsed} elapsed, about {eta} left",
        )
        .expect("valid template"),
    );
    progress.set_message(total.to_string());
    let results = run_parallel(&config, threads, |done, _| {
        progress.set_position(done as u64)
    });
    progress.finish_and_clear();
    let out = PathBuf::from(m.get_one::<String>("out").unwrap());
    if let Err(e) = write_outputs(&results, &out) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {}/results.json, results.csv and four figures ({total} runs)",
        out.display()
    );
    summary::print(&results);
    ExitCode::SUCCESS
}

fn redraw(dir: &std::path::Path) -> ExitCode {
    let file = dir.join("results.json");
    let results = std::fs::read_to_string(&file)
        .map_err(|e| e.to_string())
        .and_then(|json| SweepResults::from_json(&json).map_err(|e| e.to_string()));
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: reading {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = write_outputs(&results, dir) {
        eprintln!("error: writing {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    eprintln!("redrew the figures in {}", dir.display());
    summary::print(&results);
    ExitCode::SUCCESS
}

/// Section 6's experiment (`experiment::census`): every model on every seed's split of a
/// census group, seeds spread over the threads; prints the table beside the paper's and
/// writes census.json.
fn census_sweep(m: &ArgMatches, base: &Settings, models: &[ModelKind], steps: usize) -> ExitCode {
    if let Err(e) = super::census::load_for(&mut base.clone(), m) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let seeds = *m.get_one::<u64>("seeds").unwrap() as u32;
    let first = *m.get_one::<u32>("first-seed").unwrap();
    let every = steps.div_ceil(*m.get_one::<u64>("checkpoints").unwrap() as usize);
    let threads = m
        .get_one::<u64>("threads")
        .map(|&t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let progress = ProgressBar::new(seeds as u64);
    progress.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} seeds, {elapsed} elapsed, about {eta} left",
        )
        .expect("valid template"),
    );
    let next = AtomicU32::new(0);
    let all = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, seeds as usize) {
            scope.spawn(|| loop {
                let s = next.fetch_add(1, Ordering::Relaxed);
                if s >= seeds {
                    break;
                }
                let points = census::run_seed(base, models, first + s, steps, every);
                all.lock().expect("no panics holding it").extend(points);
                progress.inc(1);
            });
        }
    });
    progress.finish_and_clear();
    let mut points = all.into_inner().expect("threads joined");
    points.sort_by_key(|c| (c.seed, c.step));
    let rows = census::table(&points, models);
    let out = PathBuf::from(m.get_one::<String>("out").unwrap());
    let json = serde_json::json!({
        "settings": base, "seeds": seeds, "first_seed": first, "steps": steps,
        "seconds": started.elapsed().as_secs_f64(), "rows": rows, "checkpoints": points,
    });
    let written = std::fs::create_dir_all(&out)
        .and_then(|_| std::fs::write(out.join("census.json"), json.to_string()));
    if let Err(e) = written {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {}/census.json", out.display());
    summary::census(base.source, seeds, first, &rows);
    ExitCode::SUCCESS
}
