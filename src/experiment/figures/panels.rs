//! The four figures' panels.

use super::look::{bar_style, captioned, draw_task_line, fill, Look, CAPTION, LABEL};
use super::{colour, plot_err};
use crate::core::settings::ModelKind;
use crate::experiment::results::{Metric, SweepResults};
use crate::experiment::stats::Stat;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;

/// A y-range that shows the interesting part of loss curves: from the lowest point to a
/// little above the level most curves reach after the first tenth of training (the first
/// steps' losses are several times larger and would flatten everything else).
fn curve_range(curves: &[Vec<[f64; 3]>]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for c in curves {
        let skip = c.len() / 10;
        for p in c.iter().skip(skip) {
            lo = lo.min(p[1] - p[2]);
            hi = hi.max(p[1] + p[2]);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = 0.05 * (hi - lo).max(1e-6);
    ((lo - pad).max(0.0), hi + pad)
}

/// Figure 1: the paper's figure 4, both tasks.
pub(super) fn loss_curves<DB: DrawingBackend>(
    results: &SweepResults,
    panels: &[DrawingArea<DB, Shift>],
    look: &Look,
) -> io::Result<()> {
    let config = &results.config;
    // [correlation][model][task] → curve
    let curves: Vec<Vec<[Vec<[f64; 3]>; 2]>> = config
        .correlations
        .iter()
        .map(|&p| {
            config
                .models
                .iter()
                .map(|&m| [0, 1].map(|t| results.mean_curve(m, p, t)))
                .collect()
        })
        .collect();
    let all: Vec<Vec<[f64; 3]>> = curves.iter().flatten().flatten().cloned().collect();
    let (y0, y1) = curve_range(&all);
    let x1 = config.steps as f64;
    for (area, (&p, models)) in panels.iter().zip(config.correlations.iter().zip(&curves)) {
        let caption = fill(&look.words.correlation_panel, &[("p", p.to_string())]);
        let area = captioned(area, &caption, CAPTION, look)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(look.px(8.0))
            .margin_right(look.px(16.0))
            .x_label_area_size(look.px(34.0))
            .y_label_area_size(look.px(52.0))
            .build_cartesian_2d(0.0..x1, y0..y1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(look.words.step.as_str())
            .y_desc(look.words.loss.as_str())
            .x_labels(5)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .label_style(look.font(LABEL))
            .axis_desc_style(look.font(LABEL))
            .draw()
            .map_err(plot_err)?;
        let clip = |v: f64| v.clamp(y0, y1);
        for (m, tasks) in config.models.iter().zip(models) {
            let c = colour(*m);
            for (t, curve) in tasks.iter().enumerate() {
                let mut band: Vec<(f64, f64)> =
                    curve.iter().map(|q| (q[0], clip(q[1] + q[2]))).collect();
                band.extend(curve.iter().rev().map(|q| (q[0], clip(q[1] - q[2]))));
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.mix(0.15))))
                    .map_err(plot_err)?;
                let points = curve.iter().map(|q| (q[0], clip(q[1]))).collect();
                draw_task_line(&mut chart, points, t, look.dash(), look.stroke(c))
                    .map_err(plot_err)?;
            }
        }
    }
    Ok(())
}

/// Figure 2: histograms of each task's final training loss over seeds.
pub(super) fn trainability<DB: DrawingBackend>(
    results: &SweepResults,
    body: &DrawingArea<DB, Shift>,
    look: &Look,
) -> io::Result<()> {
    let config = &results.config;
    let (rows, cols) = (config.models.len(), config.correlations.len());
    let bins = 12usize;
    let areas = body.split_evenly((rows, cols));
    for (ci, &p) in config.correlations.iter().enumerate() {
        // One x-range per column, shared by every model and both tasks, so widths compare.
        let column: Vec<[Vec<f64>; 2]> = config
            .models
            .iter()
            .map(|&m| {
                [0, 1].map(|t| {
                    results
                        .values(m, p, Metric::TrainLoss(t))
                        .into_iter()
                        .filter(|v| v.is_finite())
                        .collect()
                })
            })
            .collect();
        let every = || column.iter().flatten().flatten().copied();
        let lo = every().fold(f64::INFINITY, f64::min);
        let hi = every().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        let width = (hi - lo) / bins as f64;
        let histogram = |vals: &[f64]| {
            let mut c = vec![0usize; bins];
            for &v in vals {
                c[(((v - lo) / width) as usize).min(bins - 1)] += 1;
            }
            c
        };
        let counts: Vec<[Vec<usize>; 2]> = column
            .iter()
            .map(|tasks| [histogram(&tasks[0]), histogram(&tasks[1])])
            .collect();
        let top = counts
            .iter()
            .flatten()
            .flatten()
            .copied()
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        for (ri, &m) in config.models.iter().enumerate() {
            let [sd1, sd2] = [0, 1].map(|t| format!("{:.3}", Stat::of(&column[ri][t]).sd));
            let caption = fill(
                &look.words.histogram_panel,
                &[
                    ("model", m.label().to_string()),
                    ("p", p.to_string()),
                    ("sd1", sd1),
                    ("sd2", sd2),
                ],
            );
            let area = captioned(&areas[ri * cols + ci], &caption, LABEL, look)?;
            let mut chart = ChartBuilder::on(&area)
                .margin(look.px(5.0))
                .margin_right(look.px(12.0))
                .x_label_area_size(look.px(22.0))
                .y_label_area_size(look.px(28.0))
                .build_cartesian_2d(lo..hi, 0.0..top.max(2.0) * 1.1)
                .map_err(plot_err)?;
            chart
                .configure_mesh()
                .x_labels(4)
                .y_labels(3)
                .light_line_style(WHITE.mix(0.0))
                .label_style(look.font(LABEL - 2.0))
                .x_label_formatter(&|v| format!("{v:.2}"))
                .y_label_formatter(&|v| {
                    if v.fract() == 0.0 {
                        format!("{v:.0}")
                    } else {
                        String::new()
                    }
                })
                .draw()
                .map_err(plot_err)?;
            let c = colour(m);
            for (t, task) in counts[ri].iter().enumerate() {
                let style = bar_style(t, c, look);
                chart
                    .draw_series(
                        task.iter()
                            .enumerate()
                            .filter(|(_, &n)| n > 0)
                            .map(|(b, &n)| {
                                let x0 = lo + b as f64 * width;
                                Rectangle::new([(x0, 0.0), (x0 + width, n as f64)], style)
                            }),
                    )
                    .map_err(plot_err)?;
            }
        }
    }
    Ok(())
}

/// One line of a metric panel: the model, the task (0, 1; 0 for a metric of both) and
/// the mean ± s.e. at each correlation.
type Series = (ModelKind, usize, Vec<(f64, Stat)>);

/// Draws mean ± s.e. of one metric per task (or one overall) vs correlation.
fn metric_panel<DB: DrawingBackend>(
    results: &SweepResults,
    area: &DrawingArea<DB, Shift>,
    models: &[ModelKind],
    metrics: &[Metric],
    caption: &str,
    y_desc: &str,
    look: &Look,
) -> io::Result<()> {
    let ps = &results.config.correlations;
    let series: Vec<Series> = models
        .iter()
        .flat_map(|&m| {
            metrics.iter().enumerate().map(move |(t, &metric)| {
                let points = ps
                    .iter()
                    .map(|&p| (p, Stat::of(&results.values(m, p, metric))))
                    .filter(|(_, s)| s.n > 0)
                    .collect();
                (m, t, points)
            })
        })
        .collect();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (_, _, pts) in &series {
        for (_, s) in pts {
            lo = lo.min(s.mean - s.se);
            hi = hi.max(s.mean + s.se);
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = 0.08 * (hi - lo).max(1e-3);
    let (x0, x1) = ps
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &p| {
            (a.min(p), b.max(p))
        });
    let xpad = 0.06 * (x1 - x0).max(0.1);
    let area = captioned(area, caption, CAPTION, look)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(look.px(10.0))
        .margin_right(look.px(16.0))
        .x_label_area_size(look.px(36.0))
        .y_label_area_size(look.px(58.0))
        .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (lo - pad).max(0.0)..(hi + pad))
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(look.words.correlation.as_str())
        .y_desc(y_desc)
        .light_line_style(WHITE.mix(0.0))
        .label_style(look.font(LABEL))
        .axis_desc_style(look.font(LABEL))
        .draw()
        .map_err(plot_err)?;
    let bar = look.px(8.0).max(2) as u32;
    for (m, t, pts) in &series {
        let c = colour(*m);
        let line = pts.iter().map(|(p, s)| (*p, s.mean)).collect();
        draw_task_line(&mut chart, line, *t, look.dash(), look.stroke(c)).map_err(plot_err)?;
        chart
            .draw_series(pts.iter().map(|(p, s)| {
                ErrorBar::new_vertical(
                    *p,
                    s.mean - s.se,
                    s.mean,
                    s.mean + s.se,
                    look.stroke(c),
                    bar,
                )
            }))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Figure 3: final loss of both tasks vs correlation.
pub(super) fn loss_vs_correlation<DB: DrawingBackend>(
    results: &SweepResults,
    panels: &[DrawingArea<DB, Shift>],
    look: &Look,
) -> io::Result<()> {
    let models = &results.config.models;
    let n = results.config.seeds.to_string();
    let words = &look.words;
    metric_panel(
        results,
        &panels[0],
        models,
        &[Metric::TrainLoss(0), Metric::TrainLoss(1)],
        &fill(&words.train_panel, &[("n", n.clone())]),
        &words.training_loss,
        look,
    )?;
    metric_panel(
        results,
        &panels[1],
        models,
        &[Metric::TestLoss(0), Metric::TestLoss(1)],
        &fill(&words.test_panel, &[("n", n)]),
        &words.test_loss,
        look,
    )
}

/// Figure 4: the two tasks' gates, how different they are vs correlation.
pub(super) fn gate_difference<DB: DrawingBackend>(
    results: &SweepResults,
    panels: &[DrawingArea<DB, Shift>],
    look: &Look,
) -> io::Result<()> {
    let gated: Vec<ModelKind> = results
        .config
        .models
        .iter()
        .copied()
        .filter(|&m| m.info().gated)
        .collect();
    let words = &look.words;
    metric_panel(
        results,
        &panels[0],
        &gated,
        &[Metric::GateJsd],
        &words.jsd_panel,
        &words.jsd,
        look,
    )?;
    metric_panel(
        results,
        &panels[1],
        &gated,
        &[Metric::GateL1],
        &words.l1_panel,
        &words.l1,
        look,
    )
}
