//! `mmoe bench`: training steps per second of each model, FLOPs per step and the share
//! of the machine's single-thread matmul peak (measured with our own kernel);
//! `--replicas`: the sweep grid trained alone vs by the replica engine (`replica_bench`).

use super::{switch, whole};
use clap::{Arg, ArgMatches, Command};
use mmoe::core::kernels::matmul_bias;
use mmoe::core::settings::{ModelKind, Settings};
use mmoe::Session;
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

pub fn command() -> Command {
    Command::new("bench")
        .about("Measure training speed per model at the paper's sizes and at a larger size")
        .arg(whole("steps", 10..=1_000_000, "Timed steps per repeat").default_value("500"))
        .arg(whole("repeats", 1..=100, "Repeats per model (min/median/max are reported)").default_value("5"))
        .arg(switch("json", "Print JSON instead of a table"))
        .arg(switch(
            "replicas",
            "Replica-steps/s of a sweep grid: solo runs vs the replica engine, 1 and --threads threads",
        ))
        .arg(
            Arg::new("models")
                .long("models")
                .default_value("sb,omoe,mmoe")
                .help("With --replicas: the grid's models"),
        )
        .arg(
            Arg::new("correlations")
                .long("correlations")
                .default_value("1,0.5")
                .allow_negative_numbers(true)
                .value_delimiter(',')
                .value_parser(clap::value_parser!(f64))
                .help("With --replicas: the grid's correlations"),
        )
        .arg(whole("threads", 1..=256, "With --replicas: threads of the parallel runs [default: all cores]"))
}

/// The two configurations of issue 5: the paper's sizes, and 16 experts × 64 at batch 512.
fn configs() -> [(&'static str, Settings); 2] {
    let paper = Settings {
        train_samples: 10_000,
        ..Settings::default()
    };
    let large = Settings {
        experts: 16,
        expert_units: 64,
        bottom_units: 1024,
        task_experts: 4,
        shared_experts: 8,
        batch_size: 512,
        ..paper.clone()
    };
    [
        ("paper (batch 128)", paper),
        ("large (16x64, batch 512)", large),
    ]
}

/// GFLOP/s of our forward kernel on a square n×n×n product: the peak we compare with.
fn matmul_peak(n: usize, repeats: usize) -> f64 {
    let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let bias = vec![0.0f32; n];
    let mut c = vec![0.0f32; n * n];
    matmul_bias(&a, &b, &bias, &mut c, n, n, n);
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let t = Instant::now();
        matmul_bias(&a, &b, &bias, &mut c, n, n, n);
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&c);
    2.0 * (n * n * n) as f64 / best / 1e9
}

pub fn run(m: &ArgMatches) -> ExitCode {
    let steps = *m.get_one::<u64>("steps").unwrap() as usize;
    let repeats = *m.get_one::<u64>("repeats").unwrap() as usize;
    if m.get_flag("replicas") {
        let threads = m
            .get_one::<u64>("threads")
            .map(|&t| t as usize)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let correlations: Vec<f64> = m
            .get_many::<f64>("correlations")
            .unwrap()
            .copied()
            .collect();
        return super::replica_bench::run(
            m.get_one::<String>("models").unwrap(),
            &correlations,
            threads,
            steps,
            repeats,
            m.get_flag("json"),
        );
    }
    let peak = matmul_peak(512, 5);
    let mut rows = Vec::new();
    for (config, settings) in configs() {
        for kind in ModelKind::ALL {
            let mut session =
                Session::new(settings.clone(), &[kind]).expect("bench settings are valid");
            let data = &session.data;
            let trainer = &mut session.trainers[0];
            for _ in 0..50 {
                trainer
                    .train_step(data)
                    .expect("bench run does not diverge");
            }
            let mut rates: Vec<f64> = (0..repeats)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..steps {
                        trainer
                            .train_step(data)
                            .expect("bench run does not diverge");
                    }
                    steps as f64 / t.elapsed().as_secs_f64()
                })
                .collect();
            rates.sort_by(f64::total_cmp);
            let median = rates[rates.len() / 2];
            let flops = trainer.model.flops_per_step(settings.batch_size);
            rows.push(json!({
                "config": config,
                "model": kind.name(),
                "steps_per_sec": { "min": rates[0], "median": median, "max": rates[rates.len() - 1] },
                "ns_per_step": 1e9 / median,
                "flops_per_step": flops,
                "gflops": flops as f64 * median / 1e9,
                "share_of_peak": flops as f64 * median / 1e9 / peak,
            }));
        }
    }
    if m.get_flag("json") {
        println!("{}", json!({ "matmul_peak_gflops": peak, "results": rows }));
        return ExitCode::SUCCESS;
    }
    println!("single-thread matmul peak (our kernel, 512x512x512): {peak:.1} GFLOP/s\n");
    println!(
        "{:<26} {:<5} {:>28} {:>11} {:>12} {:>8} {:>7}",
        "config",
        "model",
        "steps/s min / median / max",
        "us/step",
        "MFLOP/step",
        "GFLOP/s",
        "% peak"
    );
    for r in &rows {
        let s = &r["steps_per_sec"];
        println!(
            "{:<26} {:<5} {:>8.0} / {:>8.0} / {:>8.0} {:>11.1} {:>12.2} {:>8.2} {:>6.1}%",
            r["config"].as_str().unwrap(),
            r["model"].as_str().unwrap(),
            s["min"].as_f64().unwrap(),
            s["median"].as_f64().unwrap(),
            s["max"].as_f64().unwrap(),
            r["ns_per_step"].as_f64().unwrap() / 1000.0,
            r["flops_per_step"].as_f64().unwrap() / 1e6,
            r["gflops"].as_f64().unwrap(),
            100.0 * r["share_of_peak"].as_f64().unwrap(),
        );
    }
    ExitCode::SUCCESS
}
