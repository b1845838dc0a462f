//! `mmoe bench --replicas`: replica-steps per second on a sweep grid (issue 11), measured
//! side by side in one run: every cell trained alone (what separate `mmoe train` runs
//! do), the replica engine on one thread (one seed's cells as one computation), and the
//! engine on more threads (one seed per thread, as `mmoe sweep` splits the work).
//! Training steps only: data generation and evaluation are the same for both and small.

use mmoe::core::settings::{parse_models, ModelKind, Settings};
use mmoe::experiment::grid::{SeedRun, SweepConfig};
use mmoe::{Dataset, Trainer};
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

/// Untimed steps before the first repeat.
const WARM_UP: usize = 30;

/// One way of training the grid, and the replica-steps per second of each repeat.
struct Way {
    name: String,
    threads: usize,
    rates: Vec<f64>,
}

fn solo(config: &SweepConfig, seed: u32, steps: usize) -> impl FnMut() -> f64 {
    let mut trainers: Vec<(Trainer, Dataset)> = config
        .correlations
        .iter()
        .flat_map(|&p| {
            let settings = config.settings_for(p, seed);
            config.models.iter().map(move |&kind| {
                let data = Dataset::generate(&settings);
                (Trainer::new(kind, &settings, &data), data)
            })
        })
        .collect();
    let mut run = move |n: usize| {
        for (trainer, data) in trainers.iter_mut() {
            for _ in 0..n {
                trainer.train_step(data).expect("bench runs do not diverge");
            }
        }
        (trainers.len() * n) as f64
    };
    run(WARM_UP);
    move || run(steps)
}

fn engine(config: &SweepConfig, seed: u32, steps: usize) -> impl FnMut() -> f64 {
    let mut run = SeedRun::new(config, seed);
    run.advance(WARM_UP);
    move || {
        run.advance(steps);
        (run.cells() * steps) as f64
    }
}

/// Replica-steps per second of `threads` copies of a way, one seed each, in parallel.
fn measure<F: FnMut() -> f64 + Send>(runs: &mut [F]) -> f64 {
    let started = Instant::now();
    let done: f64 = std::thread::scope(|scope| {
        let handles: Vec<_> = runs.iter_mut().map(|r| scope.spawn(r)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    });
    done / started.elapsed().as_secs_f64()
}

pub fn run(
    models: &str,
    correlations: &[f64],
    threads: usize,
    steps: usize,
    repeats: usize,
    json_out: bool,
) -> ExitCode {
    let mut notices = Vec::new();
    let models: Vec<ModelKind> = parse_models(models, &mut notices);
    if !notices.is_empty() || models.is_empty() {
        let notices: Vec<String> = notices.iter().map(ToString::to_string).collect();
        eprintln!("error: --models: {}", notices.join("; "));
        return ExitCode::from(2);
    }
    let config = SweepConfig {
        models,
        correlations: correlations.to_vec(),
        seeds: threads,
        steps: WARM_UP + repeats * steps,
        base: Settings::default(),
        ..SweepConfig::default()
    };
    if let Err(e) = config.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let seeds = |t: usize| (0..t as u32).map(|s| config.first_seed + s);
    let mut solos: Vec<Vec<_>> = [1, threads]
        .iter()
        .map(|&t| seeds(t).map(|s| solo(&config, s, steps)).collect())
        .collect();
    let mut engines: Vec<Vec<_>> = [1, threads]
        .iter()
        .map(|&t| seeds(t).map(|s| engine(&config, s, steps)).collect())
        .collect();
    let mut ways: Vec<Way> = [
        ("solo", 1),
        ("solo", threads),
        ("engine", 1),
        ("engine", threads),
    ]
    .iter()
    .map(|&(name, t)| Way {
        name: name.into(),
        threads: t,
        rates: Vec::new(),
    })
    .collect();
    // Interleaved, the starting way rotating, so that load from other jobs spreads evenly.
    for repeat in 0..repeats {
        for k in 0..ways.len() {
            let w = (k + repeat) % ways.len();
            let rate = match w {
                0 => measure(&mut solos[0]),
                1 => measure(&mut solos[1]),
                2 => measure(&mut engines[0]),
                _ => measure(&mut engines[1]),
            };
            ways[w].rates.push(rate);
        }
    }
    let cells = config.models.len() * config.correlations.len();
    let ratio = |a: usize, b: usize| -> Vec<f64> {
        ways[a]
            .rates
            .iter()
            .zip(&ways[b].rates)
            .map(|(x, y)| x / y)
            .collect()
    };
    let ratios = [
        ("engine 1 thread / solo 1 thread", ratio(2, 0)),
        ("engine threads / engine 1 thread", ratio(3, 2)),
        ("solo threads / solo 1 thread", ratio(1, 0)),
    ];
    if json_out {
        let out = json!({
            "grid": { "models": config.models, "correlations": config.correlations, "cells_per_seed": cells },
            "steps": steps,
            "repeats": repeats,
            "results": ways.iter().map(|w| json!({
                "way": w.name, "threads": w.threads, "replica_steps_per_sec": w.rates,
                "per_thread": w.rates.iter().map(|r| r / w.threads as f64).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "ratios": ratios.iter().map(|(k, v)| json!({ "ratio": k, "values": v })).collect::<Vec<_>>(),
        });
        println!("{out}");
        return ExitCode::SUCCESS;
    }
    println!(
        "grid: {} x p {:?} = {cells} cells per seed, {steps} steps x {repeats} repeats, paper sizes (batch {})\n",
        config
            .models
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join(","),
        config.correlations,
        config.base.batch_size
    );
    println!(
        "{:<8} {:>7} {:>34} {:>12}",
        "way", "threads", "replica-steps/s min / median / max", "per thread"
    );
    for w in &ways {
        let s = summary(&w.rates);
        println!(
            "{:<8} {:>7} {:>10.0} / {:>9.0} / {:>9.0} {:>12.0}",
            w.name,
            w.threads,
            s[0],
            s[1],
            s[2],
            s[1] / w.threads as f64
        );
    }
    println!();
    for (name, values) in &ratios {
        let s = summary(values);
        println!(
            "{name:<34} {:.2} / {:.2} / {:.2}  (min / median / max, paired per repeat)",
            s[0], s[1], s[2]
        );
    }
    ExitCode::SUCCESS
}

fn summary(values: &[f64]) -> [f64; 3] {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    [v[0], v[v.len() / 2], v[v.len() - 1]]
}
