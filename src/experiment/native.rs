//! Running a sweep natively: the cells spread over threads, and the outputs written to a
//! folder (`results.json`, `results.csv`, the four figures). Not built for wasm32, where
//! the page's worker runs `grid::run_cell` one cell at a time instead.

use crate::core::data::Dataset;
use crate::experiment::grid::{run_cell, Cell, CellResult, SweepConfig};
use crate::experiment::results::SweepResults;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs every cell of `config` on `threads` threads (at least 1) and returns the results
/// in the configuration's cell order, whatever order they finished in.
///
/// Work is handed out per (correlation, seed) so one thread generates each data set once
/// and trains every model on it; `on_cell_done(done, total)` is called after each cell
/// (from the worker threads, hence `Sync`), e.g. to move a progress bar.
pub fn run_parallel(
    config: &SweepConfig,
    threads: usize,
    on_cell_done: impl Fn(usize, usize) + Sync,
) -> SweepResults {
    let cells = config.cells();
    let total = cells.len();
    // Cells are seed-major, then correlation, then model: consecutive runs of
    // `models.len()` cells share one data set.
    let per_data = config.models.len().max(1);
    let jobs: Vec<&[Cell]> = cells.chunks(per_data).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<CellResult>>> = Mutex::new(vec![None; total]);
    let threads = threads.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(j) else { break };
                let first = job[0];
                let data = Dataset::generate(&config.settings_for(first.correlation, first.seed));
                for (k, &cell) in job.iter().enumerate() {
                    let result = run_cell(config, cell, Some(&data));
                    slots.lock().expect("no thread panics while holding it")[j * per_data + k] =
                        Some(result);
                    on_cell_done(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                }
            });
        }
    });
    SweepResults {
        config: config.clone(),
        cells: slots
            .into_inner()
            .expect("threads joined")
            .into_iter()
            .map(|c| c.expect("every cell ran"))
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
