//! Running a sweep natively: the seeds spread over threads, each seed's cells trained
//! together by the replica engine (`grid::SeedRun`), and the outputs written to a folder
//! (`results.json`, `results.csv`, the four figures). Not built for wasm32, where the
//! page's workers run `SeedRun`s instead.

use crate::experiment::grid::{CellResult, SeedRun, SweepConfig};
use crate::experiment::results::SweepResults;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Steps a thread trains between two progress reports.
const REPORT_EVERY: usize = 100;

/// Runs every cell of `config` on `threads` threads (at least 1) and returns the results
/// in the configuration's cell order, whatever order they finished in.
///
/// Work is handed out per seed: a thread takes the next seed, generates its data sets
/// and trains all its cells as one computation. `on_progress(done, total)` counts
/// replica-steps (a cell's step); it is called from the worker threads, hence `Sync`.
pub fn run_parallel(
    config: &SweepConfig,
    threads: usize,
    on_progress: impl Fn(usize, usize) + Sync,
) -> SweepResults {
    let per_seed = config.models.len() * config.correlations.len();
    let total = per_seed * config.seeds * config.steps;
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Vec<CellResult>>>> = Mutex::new(vec![None; config.seeds]);
    let threads = threads.clamp(1, config.seeds.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let s = next.fetch_add(1, Ordering::Relaxed);
                if s >= config.seeds {
                    break;
                }
                let mut run = SeedRun::new(config, config.first_seed + s as u32);
                loop {
                    let before = run.step();
                    let finished = run.advance(REPORT_EVERY);
                    let steps = (run.step() - before) * run.cells();
                    on_progress(done.fetch_add(steps, Ordering::Relaxed) + steps, total);
                    if finished {
                        break;
                    }
                }
                slots.lock().expect("no thread panics while holding it")[s] = Some(run.finish());
            });
        }
    });
    SweepResults {
        config: config.clone(),
        cells: slots
            .into_inner()
            .expect("threads joined")
            .into_iter()
            .flat_map(|c| c.expect("every seed ran"))
            .collect(),
    }
}

/// Writes `results.json`, `results.csv` and the four figures into `out_dir` (created if
/// missing). The figures need a TrueType font: see `figures::load_font`.
pub fn write_outputs(results: &SweepResults, out_dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(out_dir)?;
    std::fs::write(out_dir.join("results.json"), results.to_json())?;
    std::fs::write(out_dir.join("results.csv"), results.to_csv())?;
    crate::experiment::figures::draw_all(results, out_dir)
}
