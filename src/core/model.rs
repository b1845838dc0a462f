//! The four multi-task models, composed from the same parts (so no model has its own
//! copy of the layer, gating or tower code):
//!
//! ```text
//!   x ──► input layer: experts' and gates' pre-activations, one product x·W + b
//!     ──► Mixture: ReLU experts f_i, softmax gates g^k, f^k = Σ_i g^k_i f_i  (eqs. 6–7)
//!     ──► Tower h^k: ŷ_k = h^k(f^k)                                           (eq. 5)
//!     ──► losses, per task
//! ```
//! Experts and gates all read the input, so their weights are stored side by side in one
//! `input` layer and computed by one matrix product: columns [0, n·u) are the experts'
//! units, then each gate's logits. Which columns a gate reads and mixes is the
//! `Mixture`'s topology, the only thing that differs between Shared-Bottom, OMoE, MMoE and
//! CGC. Everything above the input layer is a `Top`, which the replica engine
//! (`replicas`) reuses over its wider product of many models' input layers.

use crate::core::layers::{Dense, Param};
use crate::core::losses::{task_loss, Objective};
use crate::core::mixture::{Columns, GateStats, Mixture};
use crate::core::rng::Rng;
use crate::core::settings::{ModelKind, Settings};
use crate::core::tower::Tower;
use ndarray::{s, Array2, ArrayView2};

/// Number of tasks (the paper's experiment and the page have two).
pub const TASKS: usize = 2;

/// Everything above the input layer: the gating unit, one tower per task, and the losses.
#[derive(Clone, Debug)]
pub struct Top {
    pub mixture: Mixture,
    pub towers: [Tower; TASKS],
}

impl Top {
    /// The towers' weights are drawn from `rng` after the input layer's, task by task.
    fn new(mixture: Mixture, settings: &Settings, rng: &mut Rng) -> Top {
        let (inputs, rows) = (mixture.expert_units(), settings.batch_size);
        let towers = std::array::from_fn(|_| Tower::new(inputs, settings.tower_units, rows, rng));
        Top { mixture, towers }
    }

    /// From the input layer's pre-activations (this model's `cols` of `z`): the mixing,
    /// then each task's tower.
    pub fn forward(&mut self, z: &mut [f32], cols: Columns, dropout: Option<&mut Rng>) {
        self.mixture.forward(z, cols, dropout);
        for (t, tower) in self.towers.iter_mut().enumerate() {
            tower.forward(self.mixture.mixed(t));
        }
    }

    /// Mean loss of each task on the last forward pass, and dL/dŷ for `backward`.
    pub fn loss(&mut self, targets: [&[f32]; TASKS], objective: Objective) -> [f64; TASKS] {
        let Objective { kinds, weights } = objective;
        std::array::from_fn(|t| {
            let (outputs, grad) = self.towers[t].outputs_and_grad();
            task_loss(kinds[t], outputs, targets[t], weights[t], grad)
        })
    }

    /// Back-propagates the gradient set by `loss` into the towers' parameters and into
    /// this model's `cols` of `dz` (the input layer's pre-activations).
    pub fn backward(&mut self, z: &[f32], dz: &mut [f32], cols: Columns) {
        for (t, tower) in self.towers.iter_mut().enumerate() {
            let (mixed, dmixed) = self.mixture.mixed_and_grad(t);
            tower.backward(mixed, dmixed);
        }
        self.mixture.backward(z, dz, cols);
    }
}

/// A multi-task model: its input layer and its `Top`.
#[derive(Clone, Debug)]
pub struct Model {
    pub kind: ModelKind,
    /// Experts and gate logits side by side (see the module comment).
    input: Dense,
    top: Top,
    rows: usize,
    /// The input layer's output (activated in place by the mixture) and its gradient.
    z: Array2<f32>,
    dz: Array2<f32>,
}

impl Model {
    /// Builds `kind` for `inputs` input columns at the sizes in `settings`, with weights
    /// drawn from `rng`.
    pub fn new(kind: ModelKind, settings: &Settings, inputs: usize, rng: &mut Rng) -> Model {
        let mixture = Mixture::new(kind, settings);
        let input = Dense::side_by_side(inputs, &mixture.blocks(), rng);
        let top = Top::new(mixture, settings, rng);
        let shape = (settings.batch_size, input.outputs());
        Model {
            kind,
            input,
            top,
            rows: 0,
            z: Array2::zeros(shape),
            dz: Array2::zeros(shape),
        }
    }

    /// The input layer and the top, for the replica engine to train side by side.
    pub fn into_parts(self) -> (Dense, Top) {
        (self.input, self.top)
    }

    /// Number of experts (1 for Shared-Bottom).
    pub fn expert_count(&self) -> usize {
        self.top.mixture.expert_count()
    }

    /// Units of each expert (Shared-Bottom: of its bottom).
    pub fn expert_units(&self) -> usize {
        self.top.mixture.expert_units()
    }

    pub fn is_gated(&self) -> bool {
        self.kind.info().gated
    }

    pub fn parameter_count(&self) -> usize {
        let input = self.input.w.value.len() + self.input.b.value.len();
        input
            + self
                .top
                .towers
                .iter()
                .map(Tower::parameter_count)
                .sum::<usize>()
    }

    /// Floating-point operations of one training step on `batch` rows (multiply and add
    /// counted separately): the input layer forward and its weight gradient, the towers
    /// forward, weight and input gradients, and the expert mixing forward and backward.
    pub fn flops_per_step(&self, batch: usize) -> u64 {
        let input = 2 * 2 * (batch * self.input.inputs() * self.input.outputs()) as u64;
        let towers: u64 = self
            .top
            .towers
            .iter()
            .map(|t| t.flops_per_step(batch))
            .sum();
        input + towers + self.top.mixture.flops_per_step(batch)
    }

    fn columns(&self) -> Columns {
        Columns {
            rows: self.rows,
            stride: self.input.outputs(),
            offset: 0,
        }
    }

    /// Computes every activation for the rows of `x`. With `dropout` given (training),
    /// gate dropout drops each expert's gate weight with probability `gate_dropout` and
    /// renormalises the rest.
    pub fn forward(&mut self, x: ArrayView2<f32>, dropout: Option<&mut Rng>) {
        let rows = x.nrows();
        if rows > self.z.nrows() {
            self.z = Array2::zeros((rows, self.input.outputs()));
            self.dz = Array2::zeros((rows, self.input.outputs()));
        }
        self.rows = rows;
        self.input.forward(x, self.z.slice_mut(s![..rows, ..]));
        let cols = self.columns();
        let z = self.z.as_slice_mut().expect("contiguous");
        self.top.forward(z, cols, dropout);
    }

    /// The input layer's raw output x·W + b for the rows of `x`: the experts' units before
    /// their ReLU and the gates' logits before their softmax (which `forward` overwrites
    /// in place), for the diagnosis of a broken run. Allocates.
    pub fn pre_activations(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut z = Array2::zeros((x.nrows(), self.input.outputs()));
        self.input.forward(x, z.view_mut());
        z
    }

    /// Task `task`'s tower's hidden ReLU units in the last forward pass, rows × units.
    pub fn tower_hidden(&self, task: usize) -> ArrayView2<'_, f32> {
        self.top.towers[task].hidden_outputs()
    }

    /// The gating unit (where each expert's units and each gate's logits sit).
    pub fn mixture(&self) -> &Mixture {
        &self.top.mixture
    }

    /// Every weight matrix (no biases) with the widths of its column blocks, each block
    /// drawn with its own Glorot limit: the input layer's, then each tower's two layers.
    pub fn weight_blocks(&self) -> Vec<(ArrayView2<'_, f32>, Vec<usize>)> {
        let towers = self.top.towers.iter().flat_map(Tower::weights);
        std::iter::once((self.input.w.value.view(), self.top.mixture.blocks()))
            .chain(towers.map(|w| {
                let width = w.ncols();
                (w, vec![width])
            }))
            .collect()
    }

    /// The last forward pass's outputs for `task` (logits for binary tasks).
    pub fn outputs(&self, task: usize) -> &[f32] {
        self.top.towers[task].outputs()
    }

    /// Mean loss of each task on the last forward pass, and dL/dŷ for `backward`.
    /// Regression: squared error; binary: log-loss on a logit.
    pub fn loss(&mut self, targets: [&[f32]; TASKS], objective: Objective) -> [f64; TASKS] {
        self.top.loss(targets, objective)
    }

    /// Back-propagates the gradient set by `loss` into every parameter's `grad`.
    pub fn backward(&mut self, x: ArrayView2<f32>) {
        let cols = self.columns();
        let z = self.z.as_slice().expect("contiguous");
        let dz = self.dz.as_slice_mut().expect("contiguous");
        self.top.backward(z, dz, cols);
        self.input
            .backward(x, self.dz.slice(s![..self.rows, ..]), None);
    }

    /// Mean gate weights and entropies over the last forward pass (before gate dropout);
    /// `None` for Shared-Bottom, which has no gate.
    pub fn gate_stats(&self) -> Option<GateStats> {
        let z = self.z.as_slice().expect("contiguous");
        self.top.mixture.stats(z, self.columns())
    }

    /// Per-sample gate weights of the last forward pass (before gate dropout), appended
    /// to `out` as rows × tasks × experts (0 for experts a task's gate cannot choose);
    /// nothing for Shared-Bottom.
    pub fn gate_weights_into(&self, out: &mut Vec<f32>) {
        let z = self.z.as_slice().expect("contiguous");
        self.top.mixture.gate_weights_into(z, self.columns(), out)
    }

    /// Expert outputs of the last forward pass (after ReLU), appended to `out` as
    /// rows × experts × expert units; nothing for Shared-Bottom.
    pub fn expert_outputs_into(&self, out: &mut Vec<f32>) {
        let z = self.z.as_slice().expect("contiguous");
        self.top.mixture.expert_outputs_into(z, self.columns(), out)
    }

    /// Calls `f(part, index, param)` for every parameter tensor, in a fixed order.
    pub fn visit_params_mut(&mut self, f: &mut dyn FnMut(&'static str, usize, &mut Param)) {
        let [w, b] = self.input.params_mut();
        f("experts_and_gates.w", 0, w);
        f("experts_and_gates.b", 0, b);
        for (i, tower) in self.top.towers.iter_mut().enumerate() {
            let [hw, hb, ow, ob] = tower.params_mut();
            f("tower.hidden.w", i, hw);
            f("tower.hidden.b", i, hb);
            f("tower.out.w", i, ow);
            f("tower.out.b", i, ob);
        }
    }
}
