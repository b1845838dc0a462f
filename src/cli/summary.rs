//! The Markdown tables `mmoe sweep` prints: per (model, correlation) means ± s.e., then
//! the paper's findings as paired-per-seed differences against MMoE (docs/reproduction.md
//! quotes them).

use mmoe::core::settings::Source;
use mmoe::experiment::census;
use mmoe::experiment::grid::FINAL_WINDOW;
use mmoe::experiment::results::{Metric, SweepResults};
use mmoe::experiment::stats::Stat;
use mmoe::ModelKind;

/// Prints the summary of `r` on stdout.
pub fn print(r: &SweepResults) {
    let c = &r.config;
    println!(
        "steps {}, seeds {}, lr {}, batch {}, c {}, m {}, alpha {} ({}, {}), beta {} ({}, {}), streaming {}, train {}",
        c.steps,
        c.seeds,
        c.base.lr,
        c.base.batch_size,
        c.base.scale,
        c.base.sinusoids,
        c.base.choice("alpha_law").unwrap_or(""),
        c.base.alpha_a,
        c.base.alpha_b,
        c.base.choice("beta_law").unwrap_or(""),
        c.base.beta_a,
        c.base.beta_b,
        c.base.choice("streaming").unwrap_or(""),
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
            .filter(|&s| s <= c.steps && s >= FINAL_WINDOW)
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

/// Prints a census sweep's table (`experiment::census`) beside the paper's Table 2 or 3.
pub fn census(source: Source, seeds: u32, first: u32, rows: &[census::Row]) {
    let [t1, t2] = source.group().expect("census data").task_names();
    println!(
        "\nTest AUC over seeds {first}-{}, steps chosen per model on the mean validation AUC of {t1}; best = the seed with the best validation AUC of {t1}\n",
        first + seeds - 1
    );
    println!("| model | steps | {t1}: mean ± s.e. | best | paper best / mean | {t2}: mean ± s.e. | best | paper best / mean | − MMoE, {t1} | − MMoE, {t2} |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let paper = |t: usize| {
            census::paper(source, r.model)
                .map_or("–".into(), |p| format!("{:.4} / {:.4}", p[t][0], p[t][1]))
        };
        let diff = |t: usize| {
            r.minus_mmoe.map_or("–".into(), |d| {
                format!("{:+.4} ± {:.4}", d[t].mean, d[t].se)
            })
        };
        println!(
            "| {} | {} | {:.4} ± {:.4} | {:.4} | {} | {:.4} ± {:.4} | {:.4} | {} | {} | {} |",
            r.model.label(),
            r.step,
            r.mean[0].mean,
            r.mean[0].se,
            r.best[0],
            paper(0),
            r.mean[1].mean,
            r.mean[1].se,
            r.best[1],
            paper(1),
            diff(0),
            diff(1)
        );
    }
}
