//! Training: mini-batches, Adam, evaluation, divergence, and a session that trains
//! several models side by side on one data set (the page's view, and the CLI's).

use crate::core::data::{Dataset, Generator, Split};
use crate::core::losses::Objective;
use crate::core::metrics::auc;
use crate::core::mixture::GateStats;
use crate::core::model::{Model, TASKS};
use crate::core::optim::Adam;
use crate::core::readout::expert_readout;
use crate::core::rng::{Rng, Stream};
use crate::core::settings::{ModelKind, Settings, TaskKind};
use ndarray::{Array2, ArrayView2};
use std::fmt;

/// A training run stopped because a task's loss stopped being a finite number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Diverged {
    /// The step (1-based) whose loss was not finite.
    pub step: usize,
    /// The task (0-based) whose loss was not finite.
    pub task: usize,
}

impl fmt::Display for Diverged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "diverged at step {}: task {}'s loss is not a finite number (try a lower learning rate)",
            self.step,
            self.task + 1
        )
    }
}

/// Test-set metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub loss: [f64; TASKS],
    /// AUC for binary tasks.
    pub auc: [Option<f64>; TASKS],
    /// Gate statistics averaged over the split (`None` for Shared-Bottom).
    pub gates: Option<GateStats>,
}

/// Which training rows each step uses, shared by every model of a seed so that they all
/// see the same batches: a shuffle of the fixed training set once per epoch, or, with
/// streaming data, fresh rows drawn from the seed's row stream (inputs and noise only:
/// each data set turns them into its own labels, so replicas at different correlations
/// still share their inputs, as section 3.2's p changes the labels alone).
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOrder {
    rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    /// The rows of the current batch.
    pub(crate) rows: Vec<usize>,
    /// Streaming: the current batch's inputs and each row's two standard-normal noise
    /// draws; `None` for a fixed training set.
    streamed: Option<(Array2<f32>, Vec<[f64; TASKS]>)>,
}

impl BatchOrder {
    pub fn new(settings: &Settings, train_rows: usize) -> BatchOrder {
        let batch = settings.batch_size;
        let stream = if settings.streaming {
            Stream::Rows
        } else {
            Stream::Batches
        };
        BatchOrder {
            rng: Rng::new(settings.seed, stream, 0),
            order: (0..train_rows).collect(),
            cursor: train_rows, // shuffle before the first batch
            rows: vec![0; batch],
            streamed: settings.streaming.then(|| {
                (
                    Array2::zeros((batch, settings.input_dim)),
                    vec![[0.0; TASKS]; batch],
                )
            }),
        }
    }

    /// Draws the next batch's rows.
    pub(crate) fn advance(&mut self) {
        if let Some((x, noise)) = &mut self.streamed {
            for (mut row, e) in x.rows_mut().into_iter().zip(noise.iter_mut()) {
                *e = Generator::draw_inputs(&mut self.rng, row.as_slice_mut().expect("rows"));
            }
            return;
        }
        for r in self.rows.iter_mut() {
            if self.cursor == self.order.len() {
                self.rng.shuffle(&mut self.order);
                self.cursor = 0;
            }
            *r = self.order[self.cursor];
            self.cursor += 1;
        }
    }

    /// The current batch's inputs: the streamed rows themselves, or the training set's
    /// rows copied into `x`.
    pub(crate) fn inputs<'a>(
        &'a self,
        data: &Dataset,
        x: &'a mut Array2<f32>,
    ) -> ArrayView2<'a, f32> {
        if let Some((streamed, _)) = &self.streamed {
            return streamed.view();
        }
        for (r, &i) in self.rows.iter().enumerate() {
            data.train
                .x
                .write_row(i, x.row_mut(r).into_slice().expect("rows"));
        }
        x.view()
    }

    /// Writes the current batch's targets under `data`'s labels into `y`.
    pub(crate) fn gather_y(&self, data: &Dataset, y: &mut [Vec<f32>; TASKS]) {
        if let Some((x, noise)) = &self.streamed {
            let g = &data.generator;
            for (r, (row, e)) in x.rows().into_iter().zip(noise).enumerate() {
                let (labels, _) = g.labels(row.as_slice().expect("rows"), *e);
                for (t, target) in y.iter_mut().enumerate() {
                    target[r] = g.target(t, labels[t]);
                }
            }
            return;
        }
        for (y, source) in y.iter_mut().zip(&data.train.y) {
            for (v, &i) in y.iter_mut().zip(&self.rows) {
                *v = source[i];
            }
        }
    }
}

/// The running sums of one evaluation over a split's batch-sized chunks: what
/// `Trainer::evaluate` and the replica engine's evaluation share.
pub(crate) struct EvalSums {
    rows: usize,
    loss: [f64; TASKS],
    scores: [Vec<f32>; TASKS],
    gates: Option<GateStats>,
}

impl EvalSums {
    pub(crate) fn new(rows: usize) -> EvalSums {
        EvalSums {
            rows,
            loss: [0.0; TASKS],
            scores: std::array::from_fn(|_| Vec::with_capacity(rows)),
            gates: None,
        }
    }

    /// Adds one chunk: its mean losses, its outputs and its gate statistics.
    pub(crate) fn add(
        &mut self,
        losses: [f64; TASKS],
        outputs: [&[f32]; TASKS],
        stats: Option<GateStats>,
    ) {
        let chunk = outputs[0].len();
        for t in 0..TASKS {
            self.loss[t] += losses[t] * chunk as f64;
            self.scores[t].extend_from_slice(outputs[t]);
        }
        if let Some(chunk_stats) = stats {
            let share = chunk as f32 / self.rows as f32;
            let total = self.gates.get_or_insert_with(|| GateStats {
                weights: chunk_stats.weights.clone().map(|w| vec![0.0; w.len()]),
                entropy: [0.0; TASKS],
            });
            for t in 0..TASKS {
                for (sum, &w) in total.weights[t].iter_mut().zip(&chunk_stats.weights[t]) {
                    *sum += share * w;
                }
                total.entropy[t] += share * chunk_stats.entropy[t];
            }
        }
    }

    /// Mean loss per task, and AUC for binary tasks against `split`'s targets.
    pub(crate) fn finish(self, kinds: [TaskKind; TASKS], split: &Split) -> Evaluation {
        Evaluation {
            loss: self.loss.map(|s| s / self.rows as f64),
            auc: std::array::from_fn(|t| {
                (kinds[t] == TaskKind::Binary).then(|| auc(&self.scores[t], &split.y[t]))
            }),
            gates: self.gates,
        }
    }
}

/// `Err` naming the first task whose loss is not finite at `step`.
pub(crate) fn check_finite(losses: &[f64; TASKS], step: usize) -> Result<(), Diverged> {
    match losses.iter().position(|l| !l.is_finite()) {
        Some(task) => Err(Diverged { step, task }),
        None => Ok(()),
    }
}

/// One model with its optimiser and batch order.
#[derive(Clone, Debug)]
pub struct Trainer {
    pub model: Model,
    pub(crate) adam: Adam,
    pub(crate) objective: Objective,
    pub(crate) batches: BatchOrder,
    pub(crate) dropout: Rng,
    batch_x: Array2<f32>,
    batch_y: [Vec<f32>; TASKS],
    /// Training steps taken.
    pub step: usize,
    pub diverged: Option<Diverged>,
}

impl Trainer {
    /// A fresh model of `kind`. Its initial weights depend on (seed, kind) and its batch
    /// order on the seed alone, so every model sees the same batches, and a model trained
    /// alone (the CLI) or beside others (the page) follows the same path.
    pub fn new(kind: ModelKind, settings: &Settings, data: &Dataset) -> Trainer {
        let mut init = Rng::new(settings.seed, Stream::Init, kind.id());
        let model = Model::new(kind, settings, data.width(), &mut init);
        let b = settings.batch_size;
        Trainer {
            model,
            adam: Adam::new(
                settings.lr,
                settings.beta1,
                settings.beta2,
                settings.epsilon,
            ),
            objective: Objective::new(settings),
            batches: BatchOrder::new(settings, data.train.len()),
            dropout: Rng::new(settings.seed, Stream::Dropout, kind.id()),
            batch_x: Array2::zeros((b, data.width())),
            batch_y: [vec![0.0; b], vec![0.0; b]],
            step: 0,
            diverged: None,
        }
    }

    /// Rows and columns of a training batch's inputs.
    pub(crate) fn batch_x_dim(&self) -> (usize, usize) {
        self.batch_x.dim()
    }

    /// Changes the learning rate without resetting Adam's moments (the page's "fix" for a
    /// diverging model, and its learning-rate control).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.adam.lr = lr as f32;
    }

    /// One step of Adam on the summed task losses; returns each task's batch loss.
    /// After a divergence it refuses to step until the model is rebuilt.
    pub fn train_step(&mut self, data: &Dataset) -> Result<[f64; TASKS], Diverged> {
        if let Some(d) = self.diverged {
            return Err(d);
        }
        self.batches.advance();
        self.batches.gather_y(data, &mut self.batch_y);
        let x = self.batches.inputs(data, &mut self.batch_x);
        let y = [self.batch_y[0].as_slice(), self.batch_y[1].as_slice()];
        learn(
            &mut self.model,
            &mut self.adam,
            self.objective,
            &mut self.dropout,
            (&mut self.step, &mut self.diverged),
            (x, y),
        )
    }

    /// Mean loss per task over a whole split (in batch-sized chunks), and AUC for binary tasks.
    pub fn evaluate(&mut self, split: &Split) -> Evaluation {
        let mut sums = EvalSums::new(split.len());
        for (start, end) in chunks(split.len(), self.batch_x.nrows()) {
            let x = split.x.chunk(start, end, &mut self.batch_x);
            self.model.forward(x, None);
            let targets = [&split.y[0][start..end], &split.y[1][start..end]];
            let losses = self.model.loss(targets, self.objective);
            let outputs = [self.model.outputs(0), self.model.outputs(1)];
            sums.add(losses, outputs, self.model.gate_stats());
        }
        sums.finish(self.objective.kinds, split)
    }

    /// Per-sample gate weights on a whole split (samples × tasks × experts, row-major;
    /// empty for Shared-Bottom), computed in batch-sized chunks without dropout.
    pub fn split_gate_weights(&mut self, split: &Split) -> Vec<f32> {
        self.on_split(split, Model::gate_weights_into)
    }

    /// Expert outputs on a whole split (samples × experts × expert units, row-major;
    /// empty for Shared-Bottom), computed in batch-sized chunks.
    pub fn split_expert_outputs(&mut self, split: &Split) -> Vec<f32> {
        self.on_split(split, Model::expert_outputs_into)
    }

    /// R² of each expert's linear read-out of each task's target on a whole split,
    /// experts × tasks row-major (`readout::expert_readout`; empty for Shared-Bottom).
    pub fn split_readout(&mut self, split: &Split) -> Vec<f32> {
        let outputs = self.split_expert_outputs(split);
        if outputs.is_empty() {
            return outputs;
        }
        let (experts, units) = (self.model.expert_count(), self.model.expert_units());
        expert_readout(&outputs, [&split.y[0], &split.y[1]], experts, units)
    }

    fn on_split(&mut self, split: &Split, read: fn(&Model, &mut Vec<f32>)) -> Vec<f32> {
        let mut out = Vec::new();
        for (start, end) in chunks(split.len(), self.batch_x.nrows()) {
            let x = split.x.chunk(start, end, &mut self.batch_x);
            self.model.forward(x, None);
            read(&self.model, &mut out);
        }
        out
    }

    /// Gate statistics of the last forward pass (a training batch, or the last chunk of
    /// an evaluation).
    pub fn gate_stats(&self) -> Option<GateStats> {
        self.model.gate_stats()
    }
}

/// One Adam step of a trainer's parts on the batch `(x, y)` (its own order's, or a
/// `Session`'s shared one: the same rows); `progress` is its step count and divergence.
/// A free function over the parts so that the batch may borrow the trainer's buffers.
fn learn(
    model: &mut Model,
    adam: &mut Adam,
    objective: Objective,
    dropout: &mut Rng,
    progress: (&mut usize, &mut Option<Diverged>),
    (x, y): (ArrayView2<f32>, [&[f32]; TASKS]),
) -> Result<[f64; TASKS], Diverged> {
    let (step, diverged) = progress;
    if let Some(d) = *diverged {
        return Err(d);
    }
    model.forward(x, Some(dropout));
    let losses = model.loss(y, objective);
    *step += 1;
    if let Err(d) = check_finite(&losses, *step) {
        *diverged = Some(d);
        return Err(d);
    }
    model.backward(x);
    adam.begin_step();
    let adam = &*adam;
    model.visit_params_mut(&mut |_, _, p| adam.update(p));
    Ok(losses)
}

/// The batch-sized chunks `(start, end)` of `rows` rows, in order.
pub(crate) fn chunks(rows: usize, chunk: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..rows)
        .step_by(chunk)
        .map(move |start| (start, (start + chunk).min(rows)))
}

/// Several models training in lockstep on one data set, on one shared batch per step:
/// every trainer's own batch order would draw the same rows (they share the seed), and
/// drawing streamed rows costs about as much as a small model's step.
#[derive(Clone, Debug)]
pub struct Session {
    pub settings: Settings,
    pub data: Dataset,
    pub trainers: Vec<Trainer>,
    /// The batch order every trainer follows (their own copies are not advanced).
    batches: BatchOrder,
    batch_x: Array2<f32>,
    batch_y: [Vec<f32>; TASKS],
}

impl Session {
    /// Validates the settings, generates the data and builds the models.
    pub fn new(
        settings: Settings,
        models: &[ModelKind],
    ) -> Result<Session, Vec<crate::core::settings::Violation>> {
        settings.validate()?;
        let data = Dataset::load(&settings).map_err(|message| {
            vec![crate::core::settings::Violation {
                field: "source",
                message,
            }]
        })?;
        let trainers = models
            .iter()
            .map(|&m| Trainer::new(m, &settings, &data))
            .collect();
        let b = settings.batch_size;
        Ok(Session {
            batches: BatchOrder::new(&settings, data.train.len()),
            batch_x: Array2::zeros((b, data.width())),
            batch_y: [vec![0.0; b], vec![0.0; b]],
            settings,
            data,
            trainers,
        })
    }

    /// One step of every trainer on the shared batch, each exactly as its own
    /// `train_step` would take it; `losses[i]` is trainer i's (an `Err` once diverged).
    pub fn train_step(&mut self, losses: &mut Vec<Result<[f64; TASKS], Diverged>>) {
        self.batches.advance();
        self.batches.gather_y(&self.data, &mut self.batch_y);
        let x = self.batches.inputs(&self.data, &mut self.batch_x);
        let y = [self.batch_y[0].as_slice(), self.batch_y[1].as_slice()];
        losses.clear();
        losses.extend(self.trainers.iter_mut().map(|t| {
            learn(
                &mut t.model,
                &mut t.adam,
                t.objective,
                &mut t.dropout,
                (&mut t.step, &mut t.diverged),
                (x, y),
            )
        }));
    }

    /// Trainer `i` as it stands, with the batch order it follows: a copy that trains on
    /// alone exactly as it would have here.
    pub fn fork(&self, i: usize) -> Option<Trainer> {
        let mut trainer = self.trainers.get(i)?.clone();
        trainer.batches = self.batches.clone();
        Some(trainer)
    }

    /// Regenerates the labels for a new task correlation (same seed, so the same inputs)
    /// and lets the models keep training from where they are.
    pub fn set_correlation(&mut self, p: f64) -> Result<(), Vec<crate::core::settings::Violation>> {
        let settings = Settings {
            correlation: p,
            ..self.settings.clone()
        };
        settings.validate()?;
        self.settings = settings;
        self.data = Dataset::generate(&self.settings);
        Ok(())
    }
}
