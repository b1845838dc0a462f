//! Training: mini-batches, Adam, evaluation, divergence, and a session that trains
//! several models side by side on one data set (the page's view, and the CLI's).

use crate::core::data::{Dataset, Split};
use crate::core::metrics::auc;
use crate::core::mixture::GateStats;
use crate::core::model::{Model, TASKS};
use crate::core::optim::Adam;
use crate::core::rng::{Rng, Stream};
use crate::core::settings::{ModelKind, Settings, TaskKind};
use ndarray::{s, Array2};
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

/// One model with its optimiser and batch order.
#[derive(Clone, Debug)]
pub struct Trainer {
    pub model: Model,
    adam: Adam,
    kinds: [TaskKind; TASKS],
    weights: [f32; TASKS],
    batches: Rng,
    dropout: Rng,
    order: Vec<usize>,
    cursor: usize,
    batch_x: Array2<f32>,
    batch_y: [Vec<f32>; TASKS],
    scores: [Vec<f32>; TASKS],
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
        let model = Model::new(kind, settings, &mut init);
        let b = settings.batch_size;
        Trainer {
            model,
            adam: Adam::new(
                settings.lr,
                settings.beta1,
                settings.beta2,
                settings.epsilon,
            ),
            kinds: settings.task_kinds(),
            weights: settings.task_weights(),
            batches: Rng::new(settings.seed, Stream::Batches, 0),
            dropout: Rng::new(settings.seed, Stream::Dropout, kind.id()),
            order: (0..data.train.len()).collect(),
            cursor: data.train.len(), // shuffle before the first batch
            batch_x: Array2::zeros((b, settings.input_dim)),
            batch_y: [vec![0.0; b], vec![0.0; b]],
            scores: [Vec::new(), Vec::new()],
            step: 0,
            diverged: None,
        }
    }

    /// Changes the learning rate without resetting Adam's moments (the page's "fix" for a
    /// diverging model, and its learning-rate control).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.adam.lr = lr as f32;
    }

    /// Next mini-batch: the training set is shuffled once per epoch with the batch stream.
    fn fill_batch(&mut self, train: &Split) {
        let b = self.batch_x.nrows();
        for r in 0..b {
            if self.cursor == self.order.len() {
                self.batches.shuffle(&mut self.order);
                self.cursor = 0;
            }
            let i = self.order[self.cursor];
            self.cursor += 1;
            self.batch_x.row_mut(r).assign(&train.x.row(i));
            for t in 0..TASKS {
                self.batch_y[t][r] = train.y[t][i];
            }
        }
    }

    /// One step of Adam on the summed task losses; returns each task's batch loss.
    /// After a divergence it refuses to step until the model is rebuilt.
    pub fn train_step(&mut self, data: &Dataset) -> Result<[f64; TASKS], Diverged> {
        if let Some(d) = self.diverged {
            return Err(d);
        }
        self.fill_batch(&data.train);
        self.model
            .forward(self.batch_x.view(), Some(&mut self.dropout));
        let targets = [self.batch_y[0].as_slice(), self.batch_y[1].as_slice()];
        let losses = self.model.loss(targets, self.kinds, self.weights);
        self.step += 1;
        if let Some(task) = losses.iter().position(|l| !l.is_finite()) {
            let d = Diverged {
                step: self.step,
                task,
            };
            self.diverged = Some(d);
            return Err(d);
        }
        self.model.backward(self.batch_x.view());
        self.adam.begin_step();
        let adam = &self.adam;
        self.model.visit_params_mut(&mut |_, _, p| adam.update(p));
        Ok(losses)
    }

    /// Mean loss per task over a whole split (in batch-sized chunks), and AUC for binary tasks.
    pub fn evaluate(&mut self, split: &Split) -> Evaluation {
        let chunk = self.batch_x.nrows();
        let n = split.len();
        let mut sums = [0.0f64; TASKS];
        for scores in self.scores.iter_mut() {
            scores.clear();
        }
        let mut gates: Option<GateStats> = None;
        let mut start = 0;
        while start < n {
            let end = (start + chunk).min(n);
            let x = split.x.slice(s![start..end, ..]);
            self.model.forward(x, None);
            let targets = [&split.y[0][start..end], &split.y[1][start..end]];
            let losses = self.model.loss(targets, self.kinds, self.weights);
            for t in 0..TASKS {
                sums[t] += losses[t] * (end - start) as f64;
                self.scores[t].extend_from_slice(self.model.outputs(t));
            }
            if let Some(chunk_stats) = self.model.gate_stats() {
                let share = (end - start) as f32 / n as f32;
                let total = gates.get_or_insert_with(|| GateStats {
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
            start = end;
        }
        Evaluation {
            loss: sums.map(|s| s / n as f64),
            auc: std::array::from_fn(|t| {
                (self.kinds[t] == TaskKind::Binary).then(|| auc(&self.scores[t], &split.y[t]))
            }),
            gates,
        }
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

    fn on_split(&mut self, split: &Split, read: fn(&Model, &mut Vec<f32>)) -> Vec<f32> {
        let chunk = self.batch_x.nrows();
        let mut out = Vec::new();
        let mut start = 0;
        while start < split.len() {
            let end = (start + chunk).min(split.len());
            self.model.forward(split.x.slice(s![start..end, ..]), None);
            read(&self.model, &mut out);
            start = end;
        }
        out
    }

    /// Gate statistics of the last forward pass (a training batch, or the last chunk of
    /// an evaluation).
    pub fn gate_stats(&self) -> Option<GateStats> {
        self.model.gate_stats()
    }
}

/// Several models training in lockstep on one data set.
#[derive(Clone, Debug)]
pub struct Session {
    pub settings: Settings,
    pub data: Dataset,
    pub trainers: Vec<Trainer>,
}

impl Session {
    /// Validates the settings, generates the data and builds the models.
    pub fn new(
        settings: Settings,
        models: &[ModelKind],
    ) -> Result<Session, Vec<crate::core::settings::Violation>> {
        settings.validate()?;
        let data = Dataset::generate(&settings);
        let trainers = models
            .iter()
            .map(|&m| Trainer::new(m, &settings, &data))
            .collect();
        Ok(Session {
            settings,
            data,
            trainers,
        })
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
