//! The four multi-task models, built from one structure (so no model has its own copy of
//! the layer or gating code):
//!
//! ```text
//!   x ──► experts f_e: ReLU(x·W_e + b_e) ──► mix_t = Σ_e g_t(x)_e · f_e(x) ──► tower_t ──► ŷ_t
//!   x ──► gate g_t: softmax(x·W_g + b_g) ──┘
//! ```
//! MMoE (paper eq. 5–6): n experts, gate t for task t over all experts.
//! OMoE (eq. 4): the same experts, one gate shared by both tasks.
//! Shared-Bottom (eq. 1): one "expert" of `bottom_units`, mixed with the fixed weight 1.
//! CGC (Tang et al. 2020, eq. 1–3): per task `task_experts` own experts plus
//! `shared_experts` shared ones; gate t mixes only its own and the shared experts.
//!
//! Experts and gates all read the input, so their weights are stored side by side in one
//! `input` layer and computed by one matrix product: columns [0, n·u) are the experts'
//! units, then each gate's logits. The buffers are plain row-major slices.

use crate::core::kernels::dot;
use crate::core::layers::{relu, softmax, Dense, Param};
use crate::core::metrics::entropy;
use crate::core::rng::Rng;
use crate::core::settings::{ModelKind, Settings, TaskKind};
use ndarray::{s, Array2, ArrayView2};

/// Number of tasks (the paper's experiment and the page have two).
pub const TASKS: usize = 2;

/// A softmax gate over a subset of the experts.
#[derive(Clone, Debug)]
struct Gate {
    /// Column of the gate's first logit in the input layer; `None` is Shared-Bottom's
    /// fixed weight 1 on its only expert.
    column: Option<usize>,
    /// Indices of the experts this gate mixes.
    experts: Vec<usize>,
}

/// One ReLU layer, then a linear output.
#[derive(Clone, Debug)]
struct Tower {
    hidden: Dense,
    out: Dense,
}

/// Activations and their gradients for one batch, allocated once.
#[derive(Clone, Debug)]
struct Workspace {
    rows: usize,
    /// Input layer output: experts' ReLU units, then each gate's softmax probabilities.
    z: Array2<f32>,
    dz: Array2<f32>,
    /// Per gate: the weights actually used to mix (after gate dropout), dropout's
    /// rescaling m_j / Σ_k p_k m_k, and the gradient w.r.t. the mixing weights.
    mix: Vec<Array2<f32>>,
    keep: Vec<Array2<f32>>,
    dmix: Vec<Array2<f32>>,
    dropped: bool,
    mixed: [Array2<f32>; TASKS],
    dmixed: [Array2<f32>; TASKS],
    hidden: [Array2<f32>; TASKS],
    dhidden: [Array2<f32>; TASKS],
    out: [Array2<f32>; TASKS],
    dout: [Array2<f32>; TASKS],
}

impl Workspace {
    fn new(
        rows: usize,
        width: usize,
        gates: &[Gate],
        mix_units: usize,
        tower_units: usize,
    ) -> Self {
        let z = |cols: usize| Array2::zeros((rows, cols));
        let per_gate = || gates.iter().map(|g| z(g.experts.len())).collect::<Vec<_>>();
        Workspace {
            rows,
            z: z(width),
            dz: z(width),
            mix: per_gate(),
            keep: per_gate(),
            dmix: per_gate(),
            dropped: false,
            mixed: [z(mix_units), z(mix_units)],
            dmixed: [z(mix_units), z(mix_units)],
            hidden: [z(tower_units), z(tower_units)],
            dhidden: [z(tower_units), z(tower_units)],
            out: [z(1), z(1)],
            dout: [z(1), z(1)],
        }
    }
}

/// Gate statistics over the last forward pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GateStats {
    /// Mean gate weight per expert, for each task (0 for experts a task's gate cannot choose).
    pub weights: Vec<[f32; TASKS]>,
    /// Mean per-sample entropy (nats) of each task's gate.
    pub entropy: [f32; TASKS],
}

/// A multi-task model: experts, gates and towers.
#[derive(Clone, Debug)]
pub struct Model {
    pub kind: ModelKind,
    /// Experts and gate logits side by side (see the module comment).
    input: Dense,
    expert_count: usize,
    expert_units: usize,
    gates: Vec<Gate>,
    /// Which gate each task uses (OMoE: both use gate 0).
    task_gate: [usize; TASKS],
    towers: [Tower; TASKS],
    gate_dropout: f32,
    ws: Workspace,
}

fn rows_of(a: &mut Array2<f32>, rows: usize) -> &mut [f32] {
    let cols = a.ncols();
    &mut a.as_slice_mut().expect("contiguous")[..rows * cols]
}

impl Model {
    /// Builds `kind` at the sizes in `settings`, with weights drawn from `rng`.
    pub fn new(kind: ModelKind, settings: &Settings, rng: &mut Rng) -> Model {
        let n = settings.experts;
        let all = |count: usize| (0..count).collect::<Vec<_>>();
        let (expert_count, expert_units, gate_sets, task_gate) = match kind {
            ModelKind::Sb => (1, settings.bottom_units, vec![vec![0]], [0, 0]),
            ModelKind::Omoe => (n, settings.expert_units, vec![all(n)], [0, 0]),
            ModelKind::Mmoe => (n, settings.expert_units, vec![all(n), all(n)], [0, 1]),
            ModelKind::Cgc => {
                let (own, shared) = (settings.task_experts, settings.shared_experts);
                let shared_ids = (TASKS * own)..(TASKS * own + shared);
                let sets = (0..TASKS)
                    .map(|t| (t * own..(t + 1) * own).chain(shared_ids.clone()).collect())
                    .collect();
                (TASKS * own + shared, settings.expert_units, sets, [0, 1])
            }
        };
        let gated = kind != ModelKind::Sb;
        let mut blocks = vec![expert_count * expert_units];
        let mut column = expert_count * expert_units;
        let gates: Vec<Gate> = gate_sets
            .into_iter()
            .map(|experts| {
                let gate = Gate {
                    column: gated.then_some(column),
                    experts,
                };
                if gated {
                    blocks.push(gate.experts.len());
                    column += gate.experts.len();
                }
                gate
            })
            .collect();
        let input = Dense::side_by_side(settings.input_dim, &blocks, rng);
        let towers = std::array::from_fn(|_| Tower {
            hidden: Dense::new(expert_units, settings.tower_units, rng),
            out: Dense::new(settings.tower_units, 1, rng),
        });
        let ws = Workspace::new(
            settings.batch_size,
            column,
            &gates,
            expert_units,
            settings.tower_units,
        );
        Model {
            kind,
            input,
            expert_count,
            expert_units,
            gates,
            task_gate,
            towers,
            gate_dropout: settings.gate_dropout as f32,
            ws,
        }
    }

    /// Number of experts (1 for Shared-Bottom).
    pub fn expert_count(&self) -> usize {
        self.expert_count
    }

    pub fn is_gated(&self) -> bool {
        self.kind != ModelKind::Sb
    }

    pub fn parameter_count(&self) -> usize {
        std::iter::once(&self.input)
            .chain(self.towers.iter().flat_map(|t| [&t.hidden, &t.out]))
            .map(|layer| layer.w.value.len() + layer.b.value.len())
            .sum()
    }

    /// Floating-point operations of one training step on `batch` rows (multiply and add
    /// counted separately): the input layer forward and its weight gradient, the towers
    /// forward, weight and input gradients, and the expert mixing forward and backward.
    pub fn flops_per_step(&self, batch: usize) -> u64 {
        let dense = |l: &Dense| 2 * (batch * l.inputs() * l.outputs()) as u64;
        let towers: u64 = self
            .towers
            .iter()
            .flat_map(|t| [&t.hidden, &t.out])
            .map(|l| 3 * dense(l))
            .sum();
        let mixing: u64 = self
            .task_gate
            .iter()
            .map(|&g| 3 * 2 * (batch * self.expert_units * self.gates[g].experts.len()) as u64)
            .sum();
        2 * dense(&self.input) + towers + mixing
    }

    /// Computes every activation for the rows of `x`. With `dropout` given (training),
    /// gate dropout drops each expert's gate weight with probability `gate_dropout` and
    /// renormalises the rest.
    pub fn forward(&mut self, x: ArrayView2<f32>, dropout: Option<&mut Rng>) {
        let rows = x.nrows();
        if rows > self.ws.z.nrows() {
            let tower_units = self.towers[0].hidden.outputs();
            self.ws = Workspace::new(
                rows,
                self.input.outputs(),
                &self.gates,
                self.expert_units,
                tower_units,
            );
        }
        let ws = &mut self.ws;
        ws.rows = rows;
        let (u, width) = (self.expert_units, self.input.outputs());
        let expert_width = self.expert_count * u;

        self.input.forward(x, ws.z.slice_mut(s![..rows, ..]));
        for row in rows_of(&mut ws.z, rows).chunks_exact_mut(width) {
            row[..expert_width].iter_mut().for_each(|v| *v = relu(*v));
            for gate in &self.gates {
                if let Some(c) = gate.column {
                    softmax(&mut row[c..c + gate.experts.len()]);
                }
            }
        }

        let drop_p = dropout
            .is_some()
            .then_some(self.gate_dropout)
            .filter(|&q| q > 0.0);
        ws.dropped = drop_p.is_some();
        let mut dropout = dropout;
        let z = ws.z.as_slice().expect("contiguous");
        for (g, gate) in self.gates.iter().enumerate() {
            let k = gate.experts.len();
            let mix = rows_of(&mut ws.mix[g], rows);
            for (b, m) in mix.chunks_exact_mut(k).enumerate() {
                match gate.column {
                    Some(c) => m.copy_from_slice(&z[b * width + c..b * width + c + k]),
                    None => m.fill(1.0),
                }
            }
            if let (Some(q), Some(rng)) = (drop_p, dropout.as_deref_mut()) {
                drop_gate_weights(q, rng, mix, rows_of(&mut ws.keep[g], rows), k);
            }
        }

        for t in 0..TASKS {
            let gate = &self.gates[self.task_gate[t]];
            let k = gate.experts.len();
            let mix = ws.mix[self.task_gate[t]].as_slice().expect("contiguous");
            let mixed = rows_of(&mut ws.mixed[t], rows);
            for (b, out) in mixed.chunks_exact_mut(u).enumerate() {
                out.fill(0.0);
                for (j, &e) in gate.experts.iter().enumerate() {
                    let weight = mix[b * k + j];
                    let expert = &z[b * width + e * u..b * width + (e + 1) * u];
                    out.iter_mut()
                        .zip(expert)
                        .for_each(|(o, &f)| *o += weight * f);
                }
            }
            let tower = &self.towers[t];
            let mut hidden = ws.hidden[t].slice_mut(s![..rows, ..]);
            tower
                .hidden
                .forward(ws.mixed[t].slice(s![..rows, ..]), hidden.view_mut());
            hidden.mapv_inplace(relu);
            tower
                .out
                .forward(hidden.view(), ws.out[t].slice_mut(s![..rows, ..]));
        }
    }

    /// The last forward pass's outputs for `task` (logits for binary tasks).
    pub fn outputs(&self, task: usize) -> &[f32] {
        &self.ws.out[task].as_slice().expect("contiguous")[..self.ws.rows]
    }

    /// Mean loss of each task on the last forward pass, and dL/dŷ for `backward`, where
    /// L = Σ_t weight_t · loss_t. Regression: squared error; binary: log-loss on a logit.
    pub fn loss(
        &mut self,
        targets: [&[f32]; TASKS],
        kinds: [TaskKind; TASKS],
        weights: [f32; TASKS],
    ) -> [f64; TASKS] {
        let rows = self.ws.rows;
        let scale = 1.0 / rows as f32;
        std::array::from_fn(|t| {
            let out = &self.ws.out[t].as_slice().expect("contiguous")[..rows];
            let dout = &mut self.ws.dout[t].as_slice_mut().expect("contiguous")[..rows];
            let mut total = 0.0f64;
            for ((&z, &y), d) in out.iter().zip(&targets[t][..rows]).zip(dout) {
                let (loss, grad) = match kinds[t] {
                    TaskKind::Regression => ((z - y) * (z - y), 2.0 * (z - y)),
                    TaskKind::Binary => (log_loss(z, y), sigmoid(z) - y),
                };
                total += loss as f64;
                *d = weights[t] * grad * scale;
            }
            total / rows as f64
        })
    }

    /// Back-propagates the gradient set by `loss` into every parameter's `grad`.
    pub fn backward(&mut self, x: ArrayView2<f32>) {
        let ws = &mut self.ws;
        let rows = ws.rows;
        let (u, width) = (self.expert_units, self.input.outputs());
        let expert_width = self.expert_count * u;
        for t in 0..TASKS {
            let tower = &mut self.towers[t];
            let hidden = ws.hidden[t].slice(s![..rows, ..]);
            let mut dhidden = ws.dhidden[t].slice_mut(s![..rows, ..]);
            tower.out.backward(
                hidden,
                ws.dout[t].slice(s![..rows, ..]),
                Some(dhidden.view_mut()),
            );
            dhidden.zip_mut_with(&hidden, |d, &h| {
                if h <= 0.0 {
                    *d = 0.0
                }
            });
            let dmixed = ws.dmixed[t].slice_mut(s![..rows, ..]);
            tower.hidden.backward(
                ws.mixed[t].slice(s![..rows, ..]),
                dhidden.view(),
                Some(dmixed),
            );
        }

        // Mixing: dL/dmix_j = dL/dmixed · f_j, and dL/df_j += mix_j · dL/dmixed.
        let z = ws.z.as_slice().expect("contiguous");
        let dz = rows_of(&mut ws.dz, rows);
        dz.fill(0.0);
        for dmix in ws.dmix.iter_mut() {
            rows_of(dmix, rows).fill(0.0);
        }
        for t in 0..TASKS {
            let g = self.task_gate[t];
            let k = self.gates[g].experts.len();
            let mix = ws.mix[g].as_slice().expect("contiguous");
            let dmix = ws.dmix[g].as_slice_mut().expect("contiguous");
            let dmixed = ws.dmixed[t].as_slice().expect("contiguous");
            for b in 0..rows {
                let dm = &dmixed[b * u..(b + 1) * u];
                for (j, &e) in self.gates[g].experts.iter().enumerate() {
                    let at = b * width + e * u;
                    let expert = &z[at..at + u];
                    dmix[b * k + j] += dot(dm, expert);
                    let weight = mix[b * k + j];
                    dz[at..at + u]
                        .iter_mut()
                        .zip(dm)
                        .for_each(|(d, &v)| *d += weight * v);
                }
            }
        }

        for (g, gate) in self.gates.iter().enumerate() {
            let Some(c) = gate.column else { continue };
            let k = gate.experts.len();
            let mix = ws.mix[g].as_slice().expect("contiguous");
            let keep = ws.keep[g].as_slice().expect("contiguous");
            let dmix = rows_of(&mut ws.dmix[g], rows);
            for (b, d) in dmix.chunks_exact_mut(k).enumerate() {
                if ws.dropped {
                    // mix_j = p_j·s_j with s_j = m_j / Σ_k p_k m_k, so
                    // dL/dp_j = s_j · (dL/dmix_j − Σ_k mix_k · dL/dmix_k).
                    let m = &mix[b * k..(b + 1) * k];
                    let centre = dot(d, m);
                    d.iter_mut()
                        .zip(&keep[b * k..(b + 1) * k])
                        .for_each(|(dj, &kj)| *dj = kj * (*dj - centre));
                }
                // Softmax: dL/dz_j = p_j · (dL/dp_j − Σ_k p_k · dL/dp_k).
                let p = &z[b * width + c..b * width + c + k];
                let centre = dot(d, p);
                for ((out, &dj), &pj) in dz[b * width + c..b * width + c + k]
                    .iter_mut()
                    .zip(d.iter())
                    .zip(p)
                {
                    *out = pj * (dj - centre);
                }
            }
        }

        // ReLU of the experts, then one weight gradient for experts and gates together.
        for (drow, zrow) in dz.chunks_exact_mut(width).zip(z.chunks_exact(width)) {
            for (d, &v) in drow[..expert_width].iter_mut().zip(&zrow[..expert_width]) {
                if v <= 0.0 {
                    *d = 0.0;
                }
            }
        }
        self.input.backward(x, ws.dz.slice(s![..rows, ..]), None);
    }

    /// Mean gate weights and entropies over the last forward pass (before gate dropout);
    /// `None` for Shared-Bottom, which has no gate.
    pub fn gate_stats(&self) -> Option<GateStats> {
        if !self.is_gated() {
            return None;
        }
        let (rows, width) = (self.ws.rows, self.input.outputs());
        let z = self.ws.z.as_slice().expect("contiguous");
        let mut stats = GateStats {
            weights: vec![[0.0; TASKS]; self.expert_count],
            entropy: [0.0; TASKS],
        };
        for t in 0..TASKS {
            let gate = &self.gates[self.task_gate[t]];
            let c = gate.column.expect("gated models have gate columns");
            let k = gate.experts.len();
            for row in z[..rows * width].chunks_exact(width) {
                let p = &row[c..c + k];
                for (&e, &pj) in gate.experts.iter().zip(p) {
                    stats.weights[e][t] += pj / rows as f32;
                }
                stats.entropy[t] += entropy(p) / rows as f32;
            }
        }
        Some(stats)
    }

    /// Per-sample gate weights of the last forward pass (before gate dropout), appended
    /// to `out` as rows × tasks × experts (0 for experts a task's gate cannot choose);
    /// nothing for Shared-Bottom.
    pub fn gate_weights_into(&self, out: &mut Vec<f32>) {
        if !self.is_gated() {
            return;
        }
        let (rows, width) = (self.ws.rows, self.input.outputs());
        let z = self.ws.z.as_slice().expect("contiguous");
        for row in z[..rows * width].chunks_exact(width) {
            for t in 0..TASKS {
                let gate = &self.gates[self.task_gate[t]];
                let c = gate.column.expect("gated models have gate columns");
                let start = out.len();
                out.resize(start + self.expert_count, 0.0);
                for (&e, &p) in gate.experts.iter().zip(&row[c..c + gate.experts.len()]) {
                    out[start + e] = p;
                }
            }
        }
    }

    /// Expert outputs of the last forward pass (after ReLU), appended to `out` as
    /// rows × experts × expert units; nothing for Shared-Bottom.
    pub fn expert_outputs_into(&self, out: &mut Vec<f32>) {
        if !self.is_gated() {
            return;
        }
        let (rows, width) = (self.ws.rows, self.input.outputs());
        let experts = self.expert_count * self.expert_units;
        let z = self.ws.z.as_slice().expect("contiguous");
        for row in z[..rows * width].chunks_exact(width) {
            out.extend_from_slice(&row[..experts]);
        }
    }

    /// Calls `f(part, index, param)` for every parameter tensor, in a fixed order.
    pub fn visit_params_mut(&mut self, f: &mut dyn FnMut(&'static str, usize, &mut Param)) {
        let [w, b] = self.input.params_mut();
        f("experts_and_gates.w", 0, w);
        f("experts_and_gates.b", 0, b);
        for (i, tower) in self.towers.iter_mut().enumerate() {
            let [w, b] = tower.hidden.params_mut();
            f("tower.hidden.w", i, w);
            f("tower.hidden.b", i, b);
            let [w, b] = tower.out.params_mut();
            f("tower.out.w", i, w);
            f("tower.out.b", i, b);
        }
    }
}

/// Gate dropout (as in YouTube's multitask ranking, Zhao et al. 2019): zero each gate
/// weight with probability q and renormalise; if every weight of a row is dropped, the
/// row is kept whole. Writes the rescaling s_j = m_j / Σ_k p_k m_k into `keep`.
fn drop_gate_weights(q: f32, rng: &mut Rng, mix: &mut [f32], keep: &mut [f32], k: usize) {
    for (p, s) in mix.chunks_exact_mut(k).zip(keep.chunks_exact_mut(k)) {
        let mut kept_mass = 0.0f32;
        for (sj, &pj) in s.iter_mut().zip(p.iter()) {
            *sj = if rng.uniform() as f32 >= q { 1.0 } else { 0.0 };
            kept_mass += *sj * pj;
        }
        if kept_mass <= 0.0 {
            s.fill(1.0);
            kept_mass = p.iter().sum();
        }
        for (pj, sj) in p.iter_mut().zip(s.iter_mut()) {
            *sj /= kept_mass;
            *pj *= *sj;
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-z))
}

/// −[y·log σ(z) + (1 − y)·log(1 − σ(z))], computed without overflow.
fn log_loss(z: f32, y: f32) -> f32 {
    relu(z) - z * y + libm::log1pf(libm::expf(-z.abs()))
}
