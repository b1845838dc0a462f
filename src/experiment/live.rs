//! The live Figure 4's share of one trainer worker: any (model, correlation, seed) cells
//! the page's plan gives it, trained step for step beside its live models.
//!
//! The page plans all of its training as one list of cells split over its workers by
//! cost (`www/workers/plan.js`); a worker's Figure 4 cells are one replica engine per
//! seed (`grid::cells_engine`). A cell equal to a live model (same model, seed and
//! correlation, from step 0) is not trained twice: the worker reports the live model's
//! losses for it. When the slider moves that live model to another correlation, its exact
//! state (weights, Adam moments, batch order, dropout stream) is handed over here with its
//! data (`adopt`) and trains on alone at the old correlation, so every cell still equals
//! its solo run bit for bit (tests/live.rs).

use crate::core::data::Dataset;
use crate::core::model::TASKS;
use crate::core::replicas::Replicas;
use crate::core::settings::Settings;
use crate::core::train::Trainer;
use crate::experiment::grid::{cells_engine, Cell};

/// Where a cell trains.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// Replica `1` of engine `0`.
    Engine(usize, usize),
    /// Solo trainer `0` (a live model handed over mid-run).
    Solo(usize),
}

/// A cell's identity on the page and in the plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveCell {
    /// The page's name for the cell, unique among all workers.
    pub id: u32,
    pub cell: Cell,
}

/// A live model handed over mid-run: its trainer, its data and its last batch losses.
#[derive(Clone, Debug)]
struct Solo {
    trainer: Trainer,
    data: Dataset,
    losses: [f64; TASKS],
}

/// Figure 4 cells of one worker in training.
#[derive(Clone, Debug)]
pub struct LiveCells {
    engines: Vec<(Vec<Dataset>, Replicas)>,
    solo: Vec<Solo>,
    cells: Vec<(LiveCell, Place)>,
    /// Per cell, the training losses since the last take: [step, loss 1, loss 2]*.
    pending: Vec<Vec<f64>>,
}

impl LiveCells {
    /// Builds `cells` over `base` (its correlation and seed are each cell's own): one
    /// engine per seed, in first-seen order. The caller validates `base` at every
    /// correlation first (the settings checks).
    pub fn new(base: &Settings, cells: &[LiveCell]) -> LiveCells {
        let mut seeds: Vec<u32> = cells.iter().map(|c| c.cell.seed).collect();
        seeds.sort_unstable();
        seeds.dedup();
        let mut engines = Vec::with_capacity(seeds.len());
        let mut placed = Vec::with_capacity(cells.len());
        for seed in seeds {
            let mine: Vec<&LiveCell> = cells.iter().filter(|c| c.cell.seed == seed).collect();
            let grid: Vec<Cell> = mine.iter().map(|c| c.cell).collect();
            let e = engines.len();
            engines.push(cells_engine(base, &grid));
            placed.extend(
                mine.iter()
                    .enumerate()
                    .map(|(r, &&c)| (c, Place::Engine(e, r))),
            );
        }
        LiveCells {
            engines,
            solo: Vec::new(),
            pending: vec![Vec::new(); placed.len()],
            cells: placed,
        }
    }

    /// Number of cells held.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Cell `i` (in the order they are held: engines by seed, then handed-over cells).
    pub fn cell(&self, i: usize) -> Option<LiveCell> {
        self.cells.get(i).map(|&(c, _)| c)
    }

    /// Takes over a live model as cell `id`: `trainer` and `data` are its exact state, to
    /// train on alone from its own step.
    pub fn adopt(&mut self, id: u32, cell: Cell, trainer: Trainer, data: Dataset) {
        self.solo.push(Solo {
            trainer,
            data,
            losses: [f64::NAN; TASKS],
        });
        self.cells
            .push((LiveCell { id, cell }, Place::Solo(self.solo.len() - 1)));
        self.pending.push(Vec::new());
    }

    /// Trains every cell that has not diverged `steps` more steps, keeping its losses.
    pub fn advance(&mut self, steps: usize) {
        for _ in 0..steps {
            for (data, engine) in &mut self.engines {
                engine.train_step(&data.iter().collect::<Vec<_>>());
            }
            for solo in &mut self.solo {
                // A diverged trainer refuses to step; its cell reports it.
                if let Ok(losses) = solo.trainer.train_step(&solo.data) {
                    solo.losses = losses;
                }
            }
            for ((_, place), pending) in self.cells.iter().zip(&mut self.pending) {
                if let Some((step, losses)) = progress(&self.engines, &self.solo, *place) {
                    pending.extend([step as f64, losses[0], losses[1]]);
                }
            }
        }
    }

    /// Whether cell `i` stopped because its loss stopped being finite.
    pub fn diverged(&self, i: usize) -> bool {
        self.cells
            .get(i)
            .is_some_and(|&(_, place)| progress(&self.engines, &self.solo, place).is_none())
    }

    /// Cell `i`'s training losses since the last call, [step, loss 1, loss 2]*.
    pub fn take_losses(&mut self, i: usize) -> Vec<f64> {
        self.pending
            .get_mut(i)
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Changes every cell's learning rate (the page's live learning-rate control).
    pub fn set_learning_rate(&mut self, lr: f64) {
        for (_, engine) in &mut self.engines {
            engine.set_learning_rate(lr);
        }
        for solo in &mut self.solo {
            solo.trainer.set_learning_rate(lr);
        }
    }
}

/// A cell's step and last batch losses, `None` once it diverged.
fn progress(
    engines: &[(Vec<Dataset>, Replicas)],
    solo: &[Solo],
    place: Place,
) -> Option<(usize, [f64; TASKS])> {
    match place {
        Place::Engine(e, r) => {
            let r = &engines[e].1.replicas[r];
            r.diverged.is_none().then_some((r.step, r.losses))
        }
        Place::Solo(s) => {
            let s = &solo[s];
            s.trainer
                .diverged
                .is_none()
                .then_some((s.trainer.step, s.losses))
        }
    }
}
