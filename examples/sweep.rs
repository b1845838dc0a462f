//! Runs a sweep before (and beside) the CLI's `mmoe sweep`, with `key=value` arguments:
//!
//! ```text
//! cargo run --release --example sweep -- models=sb,omoe,mmoe,cgc correlations=1,0.5,0.1 \
//!     seeds=20 steps=2000 out=target/sweep threads=2 [curve_every=20] [any setting=value]
//! cargo run --release --example sweep -- redraw=target/sweep   # figures from results.json
//! ```
//! It prints a Markdown summary (mean ± s.e., paired differences against MMoE).

use mmoe::settings::{parse_models, Settings};
use mmoe::sweep::{Metric, Stat, SweepConfig, SweepResults};
use mmoe::sweep_native::{run_parallel, write_outputs};
use mmoe::ModelKind;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pairs: Vec<(&str, &str)> = args.iter().filter_map(|a| a.split_once('=')).collect();
    let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);

    if let Some(dir) = get("redraw") {
        let dir = PathBuf::from(dir);
        let json = std::fs::read_to_string(dir.join("results.json")).expect("read results.json");
        let results = SweepResults::from_json(&json).expect("parse results.json");
        write_outputs(&results, &dir).expect("write outputs");
        print_summary(&results);
        return;
    }

    let own = [
        "models",
        "correlations",
        "seeds",
        "first_seed",
        "steps",
        "out",
        "threads",
        "curve_every",
    ];
    let (base, notices, unknown) =
        Settings::from_pairs(pairs.iter().copied().filter(|(k, _)| !own.contains(k)));
    for n in notices {
        eprintln!("note: {n}");
    }
    if let Some((k, _)) = unknown.first() {
        panic!("unknown argument '{k}'");
    }
    let mut config = SweepConfig {
        base,
        ..SweepConfig::default()
    };
    if let Some(m) = get("models") {
        let mut notices = Vec::new();
        config.models = parse_models(m, &mut notices);
    }
    if let Some(c) = get("correlations") {
        config.correlations = c.split(',').map(|p| p.parse().expect("a number")).collect();
    }
    let num = |k: &str, d: usize| get(k).map_or(d, |v| v.parse().expect("a whole number"));
    config.seeds = num("seeds", config.seeds);
    config.first_seed = num("first_seed", config.first_seed as usize) as u32;
    config.steps = num("steps", config.steps);
    config.curve_every = num("curve_every", (config.steps / 100).max(1));
    let threads = num("threads", 2);
    let out = PathBuf::from(get("out").unwrap_or("target/sweep"));
    config.validate().expect("valid sweep");

    let start = Instant::now();
    let results = run_parallel(&config, threads, |done, total| {
        if done % 20 == 0 || done == total {
            eprintln!(
                "{done}/{total} cells, {:.0} s",
                start.elapsed().as_secs_f64()
            );
        }
    });
    eprintln!("sweep took {:.1} s", start.elapsed().as_secs_f64());
    std::fs::create_dir_all(&out).expect("create out dir");
    std::fs::write(out.join("results.json"), results.to_json()).expect("write json");
    write_outputs(&results, &out).expect("write outputs");
    print_summary(&results);
}

fn print_summary(r: &SweepResults) {
    let c = &r.config;
    println!(
        "steps {}, seeds {}, lr {}, batch {}, c {}, m {}, alpha_std {}, train {}",
        c.steps,
        c.seeds,
        c.base.lr,
        c.base.batch_size,
        c.base.scale,
        c.base.sinusoids,
        c.base.alpha_std,
        c.base.train_samples
    );
    println!("\n| model | p | label r | train loss 1 | test loss 1 | sd train 1 | diverged | gate JSD | gate L1 |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for g in r.summaries() {
        let opt = |s: Option<Stat>| s.map_or("–".into(), |s| s.show());
        println!(
            "| {} | {} | {:.3} | {} | {} | {:.4} | {} | {} | {} |",
            g.model,
            g.correlation,
            g.label_pearson.mean,
            g.train_loss[0].show(),
            g.test_loss[0].show(),
            g.train_loss[0].sd,
            g.diverged,
            opt(g.gate_jsd),
            opt(g.gate_l1)
        );
    }
    println!(
        "\nPaired per seed, other − MMoE (mean ± s.e.; median ratio; seeds where MMoE is lower):"
    );
    println!("| model | p | train 1 | test 1 | train mean | test mean |");
    println!("|---|---|---|---|---|---|");
    for &a in c.models.iter().filter(|&&m| m != ModelKind::Mmoe) {
        if !c.models.contains(&ModelKind::Mmoe) {
            break;
        }
        for &p in &c.correlations {
            let cell = |m: Metric| {
                let s = r.paired(a, ModelKind::Mmoe, p, m);
                format!(
                    "{} (×{:.2}, {}/{})",
                    s.diff.show(),
                    s.median_ratio,
                    s.diff.n - s.a_lower,
                    s.diff.n
                )
            };
            println!(
                "| {a} − mmoe | {p} | {} | {} | {} | {} |",
                cell(Metric::TrainLoss(0)),
                cell(Metric::TestLoss(0)),
                cell(Metric::TrainLossMean),
                cell(Metric::TestLossMean)
            );
        }
    }
    if let (Some(&hi), true) = (c.correlations.first(), c.models.contains(&ModelKind::Mmoe)) {
        println!("\nFinding (b), difference in differences from p = {hi}, paired per seed: [x − mmoe](p) − [x − mmoe]({hi}) (> 0: x degrades more than MMoE)");
        let mut steps: Vec<usize> = [500, 1000, c.steps / 2, c.steps]
            .into_iter()
            .filter(|&s| s <= c.steps && s >= 100)
            .collect();
        steps.dedup();
        println!(
            "| model | to p | final train 1 | test 1 | {} |",
            steps
                .iter()
                .map(|s| format!("train 1 at {s}"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        println!("|---|---|---|---|{}", "---|".repeat(steps.len()));
        for &m in c.models.iter().filter(|&&m| m != ModelKind::Mmoe) {
            for &p in c.correlations.iter().skip(1) {
                let at: Vec<String> = steps
                    .iter()
                    .map(|&s| {
                        r.interaction(m, ModelKind::Mmoe, hi, p, Metric::TrainLossAt(0, s))
                            .show()
                    })
                    .collect();
                println!(
                    "| {m} | {p} | {} | {} | {} |",
                    r.interaction(m, ModelKind::Mmoe, hi, p, Metric::TrainLoss(0))
                        .show(),
                    r.interaction(m, ModelKind::Mmoe, hi, p, Metric::TestLoss(0))
                        .show(),
                    at.join(" | ")
                );
            }
        }
        println!("\nFinding (d), spread over seeds: paired Brown–Forsythe |x − med| − |mmoe − med| of final train loss 1 (> 0: x varies more); sd ratio");
        println!("| model | p | spread diff | sd x / sd mmoe |");
        println!("|---|---|---|---|");
        for &m in c.models.iter().filter(|&&m| m != ModelKind::Mmoe) {
            for &p in &c.correlations {
                let sx = Stat::of(&r.values(m, p, Metric::TrainLoss(0))).sd;
                let sm = Stat::of(&r.values(ModelKind::Mmoe, p, Metric::TrainLoss(0))).sd;
                println!(
                    "| {m} | {p} | {} | {:.2} |",
                    r.spread_difference(m, ModelKind::Mmoe, p, Metric::TrainLoss(0))
                        .show(),
                    sx / sm
                );
            }
        }
    }
    if let Some(&hi) = c.correlations.first() {
        println!("\nChange from p = {hi}, paired per seed (task 1 train / test loss):");
        println!("| model | to p | Δ train 1 | Δ test 1 | Δ train mean | Δ test mean |");
        println!("|---|---|---|---|---|---|");
        for &m in &c.models {
            for &p in c.correlations.iter().skip(1) {
                println!(
                    "| {m} | {p} | {} | {} | {} | {} |",
                    r.change(m, hi, p, Metric::TrainLoss(0)).show(),
                    r.change(m, hi, p, Metric::TestLoss(0)).show(),
                    r.change(m, hi, p, Metric::TrainLossMean).show(),
                    r.change(m, hi, p, Metric::TestLossMean).show()
                );
            }
        }
    }
}
