//! The replica engine: many models of one seed trained as one computation.
//!
//! Every (model, correlation) cell of a seed shares the seed's inputs and batch order
//! (`BatchOrder`; the correlation moves task 2's labels only, section 3.2), so one
//! batch x feeds them all. Their input layers (every replica's experts and gates) are
//! stored side by side as one wide layer, and one product x·[W_1 … W_R] computes all of
//! their pre-activations; one product xᵀ·[dZ_1 … dZ_R] computes all weight gradients.
//! Each replica's `Top` (gating unit, towers, losses) and its Adam step stay its own.
//!
//! Why every replica's numbers equal its solo run bit for bit: the kernels accumulate each
//! output element over the summed dimension in ascending order whatever the matrix width
//! (`kernels`), so a column of x·[W_1 … W_R] is the same sum as that column of x·W_r; the
//! weight gradient and the bias gradient are column-wise sums over the batch rows in the
//! same order too; Adam updates each entry from its own value, gradient and moments; and
//! each replica keeps its own initial weights and gate-dropout stream, taken from the very
//! `Trainer` a solo run would build.

use crate::core::data::{Dataset, Split};
use crate::core::layers::Dense;
use crate::core::losses::Objective;
use crate::core::mixture::Columns;
use crate::core::model::{Top, TASKS};
use crate::core::optim::Adam;
use crate::core::rng::Rng;
use crate::core::settings::ModelKind;
use crate::core::train::{
    check_finite, chunks, BatchOrder, Diverged, EvalSums, Evaluation, Trainer,
};
use ndarray::{s, Array2};
use std::ops::Range;

/// One model inside the engine: everything of its `Trainer` but the input layer, which
/// lives in the engine's wide layer at `columns`.
#[derive(Clone, Debug)]
pub struct Replica {
    pub kind: ModelKind,
    top: Top,
    adam: Adam,
    objective: Objective,
    dropout: Rng,
    /// This replica's columns of the wide input layer.
    columns: Range<usize>,
    /// Which data set (correlation) its labels come from.
    data: usize,
    /// Training steps taken.
    pub step: usize,
    /// Each task's loss on the last training batch.
    pub losses: [f64; TASKS],
    pub diverged: Option<Diverged>,
}

impl Replica {
    /// Index of the data set (as given to `Replicas::new`) its labels come from.
    pub fn data_set(&self) -> usize {
        self.data
    }

    /// Its columns of the first `rows` rows of a matrix `stride` wide.
    fn cols(&self, rows: usize, stride: usize) -> Columns {
        Columns {
            rows,
            stride,
            offset: self.columns.start,
        }
    }
}

/// Replicas of one seed training in lockstep.
#[derive(Clone, Debug)]
pub struct Replicas {
    /// Every replica's input layer, side by side.
    input: Dense,
    pub replicas: Vec<Replica>,
    batches: BatchOrder,
    x: Array2<f32>,
    /// The batch's targets, per data set.
    y: Vec<[Vec<f32>; TASKS]>,
    /// The wide input layer's output and its gradient.
    z: Array2<f32>,
    dz: Array2<f32>,
}

impl Replicas {
    /// Joins fresh trainers of one seed, `(trainer, index of its data set)`; the data
    /// sets must share their inputs (the same seed and sizes, any correlation and tasks).
    pub fn new(trainers: Vec<(Trainer, usize)>, data: &[&Dataset]) -> Replicas {
        let first = &trainers[0].0;
        let batches = first.batches.clone();
        let (rows, inputs) = first.batch_x_dim();
        assert!(
            data.iter()
                .all(|d| d.train.x == data[0].train.x && d.test.x == data[0].test.x),
            "replicas must share their inputs"
        );
        let mut layers = Vec::with_capacity(trainers.len());
        let mut replicas = Vec::with_capacity(trainers.len());
        let mut width = 0;
        for (trainer, data_index) in trainers {
            assert!(
                trainer.step == 0 && trainer.batches == batches,
                "replicas start together with one batch order"
            );
            let kind = trainer.model.kind;
            let (input, top) = trainer.model.into_parts();
            let columns = width..width + input.outputs();
            width = columns.end;
            layers.push(input);
            replicas.push(Replica {
                kind,
                top,
                adam: trainer.adam,
                objective: trainer.objective,
                dropout: trainer.dropout,
                columns,
                data: data_index,
                step: 0,
                losses: [0.0; TASKS],
                diverged: None,
            });
        }
        Replicas {
            input: Dense::concat(&layers),
            replicas,
            batches,
            x: Array2::zeros((rows, inputs)),
            y: data
                .iter()
                .map(|_| [vec![0.0; rows], vec![0.0; rows]])
                .collect(),
            z: Array2::zeros((rows, width)),
            dz: Array2::zeros((rows, width)),
        }
    }

    /// Columns of the wide input layer (the width of the one product).
    pub fn width(&self) -> usize {
        self.input.outputs()
    }

    /// Changes every replica's learning rate, as `Trainer::set_learning_rate` does.
    pub fn set_learning_rate(&mut self, lr: f64) {
        for r in &mut self.replicas {
            r.adam.lr = lr as f32;
        }
    }

    /// One Adam step of every replica that has not diverged, each exactly as its
    /// `Trainer::train_step` would take it; a replica whose loss stops being finite is
    /// marked diverged and trains no further. `data` as given to `new`.
    pub fn train_step(&mut self, data: &[&Dataset]) {
        self.batches.advance();
        for (y, d) in self.y.iter_mut().zip(data) {
            self.batches.gather_y(d, y);
        }
        let x = self.batches.inputs(data[0], &mut self.x);
        let rows = x.nrows();
        let stride = self.input.outputs();
        self.input.forward(x, self.z.view_mut());
        let z = self.z.as_slice_mut().expect("contiguous");
        let dz = self.dz.as_slice_mut().expect("contiguous");
        for r in self.replicas.iter_mut().filter(|r| r.diverged.is_none()) {
            let cols = r.cols(rows, stride);
            r.top.forward(z, cols, Some(&mut r.dropout));
            let y = &self.y[r.data];
            r.losses = r.top.loss([&y[0], &y[1]], r.objective);
            r.step += 1;
            if let Err(d) = check_finite(&r.losses, r.step) {
                // Its columns of dz keep stale values: their gradient is never applied.
                r.diverged = Some(d);
                continue;
            }
            r.top.backward(z, dz, cols);
        }
        self.input.backward(x, self.dz.view(), None);
        let [w, b] = self.input.params_mut();
        for r in self.replicas.iter_mut().filter(|r| r.diverged.is_none()) {
            r.adam.begin_step();
            r.adam.update_columns(w, r.columns.clone());
            r.adam.update_columns(b, r.columns.clone());
            for tower in r.top.towers.iter_mut() {
                for p in tower.params_mut() {
                    r.adam.update(p);
                }
            }
        }
    }

    /// Every replica's test metrics on its data set's `test` split (as
    /// `Trainer::evaluate`), `None` for replicas that diverged; one wide product per chunk.
    pub fn evaluate(&mut self, data: &[&Dataset]) -> Vec<Option<Evaluation>> {
        self.evaluate_on(data, |d| &d.test)
    }

    /// `evaluate` on another split of each data set (census data's validation split).
    pub fn evaluate_on(
        &mut self,
        data: &[&Dataset],
        split: fn(&Dataset) -> &Split,
    ) -> Vec<Option<Evaluation>> {
        let test: Vec<&Split> = data.iter().map(|d| split(d)).collect();
        let n = test[0].len();
        let mut sums: Vec<Option<EvalSums>> = self
            .replicas
            .iter()
            .map(|r| r.diverged.is_none().then(|| EvalSums::new(n)))
            .collect();
        let stride = self.width();
        for (start, end) in chunks(n, self.x.nrows()) {
            let rows = end - start;
            let x = test[0].x.chunk(start, end, &mut self.x);
            self.input.forward(x, self.z.slice_mut(s![..rows, ..]));
            let z = self.z.as_slice_mut().expect("contiguous");
            for (r, sums) in self.replicas.iter_mut().zip(&mut sums) {
                let Some(sums) = sums else { continue };
                let cols = r.cols(rows, stride);
                r.top.forward(z, cols, None);
                let y = &test[r.data].y;
                let losses = r
                    .top
                    .loss([&y[0][start..end], &y[1][start..end]], r.objective);
                let outputs = [r.top.towers[0].outputs(), r.top.towers[1].outputs()];
                sums.add(losses, outputs, r.top.mixture.stats(z, cols));
            }
        }
        sums.into_iter()
            .zip(&self.replicas)
            .map(|(s, r)| s.map(|s| s.finish(r.objective.kinds, test[r.data])))
            .collect()
    }
}
