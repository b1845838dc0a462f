//! The gating unit: the experts' ReLU, each task's softmax gate, gate dropout, and the
//! mixing of the experts by the gates (paper section 4.2):
//!
//! ```text
//!   f_i(x)   = ReLU(x·W_i + b_i)                    expert i
//!   g^k(x)   = softmax(x·W_gk + b_gk)               gate of task k       (eq. 7)
//!   f^k(x)   = Σ_i g^k(x)_i · f_i(x)                task k's mixture     (eq. 6)
//! ```
//! and task k's tower reads f^k(x) (eq. 5). The experts' and gates' pre-activations are
//! columns of one input layer, computed outside this unit (by the model's own product, or
//! by the replica engine's product over many models), so every method here takes the
//! matrix of those columns and where this model's columns sit in it (`Columns`).
//!
//! The four models differ only in the gate topology built in `Mixture::new`:
//! - MMoE (eqs. 5–7): n experts, gate k for task k over all experts.
//! - OMoE (eq. 4): the same experts, one gate shared by both tasks.
//! - Shared-Bottom (eq. 1): one "expert" of `bottom_units`, mixed with the fixed weight 1.
//! - CGC (Tang et al. 2020, eqs. 1–3): per task `task_experts` own experts plus
//!   `shared_experts` shared ones; gate k mixes only its own and the shared experts.

use crate::core::kernels::dot;
use crate::core::layers::{relu, relu_backward, softmax};
use crate::core::metrics::entropy;
use crate::core::model::TASKS;
use crate::core::rng::Rng;
use crate::core::settings::{ModelKind, Settings};
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

/// Where one model's input-layer columns sit in a row-major activation matrix of which
/// the first `rows` rows are in use: row b's columns are
/// `[b·stride + offset, b·stride + offset + width)`. A model alone has
/// `stride = width, offset = 0`; in the replica engine the matrix holds every replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub rows: usize,
    pub stride: usize,
    pub offset: usize,
}

impl Columns {
    /// Index of row `b`'s first column.
    fn at(self, b: usize) -> usize {
        b * self.stride + self.offset
    }
}

/// Gate statistics over a forward pass, task-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GateStats {
    /// Each task's mean gate weight per expert (0 for experts its gate cannot choose).
    pub weights: [Vec<f32>; TASKS],
    /// Mean per-sample entropy (nats) of each task's gate.
    pub entropy: [f32; TASKS],
}

/// A softmax gate over a subset of the experts.
#[derive(Clone, Debug)]
struct Gate {
    /// Column of the gate's first logit in the input layer; `None` is Shared-Bottom's
    /// fixed weight 1 on its only expert.
    column: Option<usize>,
    /// Indices of the experts this gate mixes.
    experts: Vec<usize>,
}

/// The gates and the mixing, with their activations and gradients allocated once.
#[derive(Clone, Debug)]
pub struct Mixture {
    expert_count: usize,
    expert_units: usize,
    gates: Vec<Gate>,
    /// Which gate each task uses (OMoE: both use gate 0).
    task_gate: [usize; TASKS],
    gate_dropout: f32,
    /// Columns of the input layer this unit reads: the experts', then the gates'.
    width: usize,
    rows: usize,
    /// Per gate: the weights actually used to mix (after gate dropout), dropout's
    /// rescaling m_j / Σ_k p_k m_k, and the gradient w.r.t. the mixing weights.
    mix: Vec<Array2<f32>>,
    keep: Vec<Array2<f32>>,
    dmix: Vec<Array2<f32>>,
    dropped: bool,
    /// Each task's mixture f^k(x) (its tower's input) and its gradient.
    mixed: [Array2<f32>; TASKS],
    dmixed: [Array2<f32>; TASKS],
}

impl Mixture {
    /// The gate topology of `kind` at the sizes in `settings`, with buffers for a batch.
    pub fn new(kind: ModelKind, settings: &Settings) -> Mixture {
        let n = settings.experts;
        let all = |count: usize| (0..count).collect::<Vec<_>>();
        let (expert_count, expert_units, gate_sets, task_gate) = match kind {
            ModelKind::Sb => (1, settings.bottom_units, vec![vec![0]], [0, 0]),
            // Each task's own bottom, mixed with the fixed weight 1: two networks.
            ModelKind::Single => (2, settings.bottom_units, vec![vec![0], vec![1]], [0, 1]),
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
        let gated = kind.info().gated;
        let mut column = expert_count * expert_units;
        let gates: Vec<Gate> = gate_sets
            .into_iter()
            .map(|experts: Vec<usize>| {
                let first = gated.then_some(column);
                if gated {
                    column += experts.len();
                }
                Gate {
                    column: first,
                    experts,
                }
            })
            .collect();
        let mut mixture = Mixture {
            expert_count,
            expert_units,
            gates,
            task_gate,
            gate_dropout: settings.gate_dropout as f32,
            width: column,
            rows: 0,
            mix: Vec::new(),
            keep: Vec::new(),
            dmix: Vec::new(),
            dropped: false,
            mixed: [Array2::zeros((0, 0)), Array2::zeros((0, 0))],
            dmixed: [Array2::zeros((0, 0)), Array2::zeros((0, 0))],
        };
        mixture.allocate(settings.batch_size);
        mixture
    }

    fn allocate(&mut self, rows: usize) {
        let per_gate = |gates: &[Gate]| {
            gates
                .iter()
                .map(|g| Array2::zeros((rows, g.experts.len())))
                .collect::<Vec<_>>()
        };
        self.mix = per_gate(&self.gates);
        self.keep = per_gate(&self.gates);
        self.dmix = per_gate(&self.gates);
        let u = self.expert_units;
        self.mixed = std::array::from_fn(|_| Array2::zeros((rows, u)));
        self.dmixed = std::array::from_fn(|_| Array2::zeros((rows, u)));
    }

    pub fn expert_count(&self) -> usize {
        self.expert_count
    }

    /// Units of each expert, i.e. of each task's mixture (the towers' input width).
    pub fn expert_units(&self) -> usize {
        self.expert_units
    }

    pub fn is_gated(&self) -> bool {
        self.gates[0].column.is_some()
    }

    /// The input layer's column blocks, each with its own Glorot limit: all experts'
    /// units, then each gate's logits.
    pub fn blocks(&self) -> Vec<usize> {
        std::iter::once(self.expert_count * self.expert_units)
            .chain(
                self.gates
                    .iter()
                    .filter(|g| g.column.is_some())
                    .map(|g| g.experts.len()),
            )
            .collect()
    }

    /// Each gate's logit columns in the input layer (the x·W_gk + b_gk of eq. 7, before
    /// the softmax); none for Shared-Bottom and Single-Task, whose weights are fixed.
    pub fn gate_columns(&self) -> Vec<std::ops::Range<usize>> {
        self.gates
            .iter()
            .filter_map(|g| g.column.map(|c| c..c + g.experts.len()))
            .collect()
    }

    /// Columns of the input layer this unit reads.
    pub fn width(&self) -> usize {
        self.width
    }

    /// FLOPs of the mixing, forward and backward, on `batch` rows.
    pub fn flops_per_step(&self, batch: usize) -> u64 {
        self.task_gate
            .iter()
            .map(|&g| 3 * 2 * (batch * self.expert_units * self.gates[g].experts.len()) as u64)
            .sum()
    }

    /// Applies the experts' ReLU and the gates' softmax in place on this model's `cols`
    /// of `z` (the input layer's pre-activations), then mixes each task's experts. With
    /// `dropout` given (training), gate dropout drops each expert's gate weight with
    /// probability `gate_dropout` and renormalises the rest.
    pub fn forward(&mut self, z: &mut [f32], cols: Columns, dropout: Option<&mut Rng>) {
        let rows = cols.rows;
        if rows > self.mixed[0].nrows() {
            self.allocate(rows);
        }
        self.rows = rows;
        let u = self.expert_units;
        let expert_width = self.expert_count * u;
        for b in 0..rows {
            let row = &mut z[cols.at(b)..];
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
        self.dropped = drop_p.is_some();
        let mut dropout = dropout;
        for (g, gate) in self.gates.iter().enumerate() {
            let k = gate.experts.len();
            let mix = rows_of(&mut self.mix[g], rows);
            for (b, m) in mix.chunks_exact_mut(k).enumerate() {
                match gate.column {
                    Some(c) => m.copy_from_slice(&z[cols.at(b) + c..cols.at(b) + c + k]),
                    None => m.fill(1.0),
                }
            }
            if let (Some(q), Some(rng)) = (drop_p, dropout.as_deref_mut()) {
                drop_gate_weights(q, rng, mix, rows_of(&mut self.keep[g], rows), k);
            }
        }

        for t in 0..TASKS {
            let gate = &self.gates[self.task_gate[t]];
            let k = gate.experts.len();
            let mix = self.mix[self.task_gate[t]].as_slice().expect("contiguous");
            let mixed = rows_of(&mut self.mixed[t], rows);
            for (b, out) in mixed.chunks_exact_mut(u).enumerate() {
                out.fill(0.0);
                for (j, &e) in gate.experts.iter().enumerate() {
                    let weight = mix[b * k + j];
                    let expert = &z[cols.at(b) + e * u..cols.at(b) + (e + 1) * u];
                    out.iter_mut()
                        .zip(expert)
                        .for_each(|(o, &f)| *o += weight * f);
                }
            }
        }
    }

    /// Task `t`'s mixture f^t(x) of the last forward pass: its tower's input.
    pub fn mixed(&self, t: usize) -> ArrayView2<'_, f32> {
        self.mixed[t].slice(s![..self.rows, ..])
    }

    /// Task `t`'s mixture and where its tower writes dL/df^t.
    pub fn mixed_and_grad(&mut self, t: usize) -> (ArrayView2<'_, f32>, ArrayViewMut2<'_, f32>) {
        let rows = self.rows;
        (
            self.mixed[t].slice(s![..rows, ..]),
            self.dmixed[t].slice_mut(s![..rows, ..]),
        )
    }

    /// From dL/df^t of every task (written by the towers), writes dL/dz for this model's
    /// columns of `dz`: through the mixing, gate dropout, the softmax and the ReLU.
    pub fn backward(&mut self, z: &[f32], dz: &mut [f32], cols: Columns) {
        let rows = self.rows;
        let u = self.expert_units;
        let width = self.width;
        let expert_width = self.expert_count * u;
        for b in 0..rows {
            dz[cols.at(b)..cols.at(b) + width].fill(0.0);
        }
        for dmix in self.dmix.iter_mut() {
            rows_of(dmix, rows).fill(0.0);
        }
        // Mixing: dL/dmix_j = dL/df^t · f_j, and dL/df_j += mix_j · dL/df^t.
        for t in 0..TASKS {
            let g = self.task_gate[t];
            let k = self.gates[g].experts.len();
            let mix = self.mix[g].as_slice().expect("contiguous");
            let dmix = self.dmix[g].as_slice_mut().expect("contiguous");
            let dmixed = self.dmixed[t].as_slice().expect("contiguous");
            for b in 0..rows {
                let dm = &dmixed[b * u..(b + 1) * u];
                for (j, &e) in self.gates[g].experts.iter().enumerate() {
                    let at = cols.at(b) + e * u;
                    dmix[b * k + j] += dot(dm, &z[at..at + u]);
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
            let mix = self.mix[g].as_slice().expect("contiguous");
            let keep = self.keep[g].as_slice().expect("contiguous");
            let dmix = rows_of(&mut self.dmix[g], rows);
            for (b, d) in dmix.chunks_exact_mut(k).enumerate() {
                if self.dropped {
                    // mix_j = p_j·s_j with s_j = m_j / Σ_k p_k m_k, so
                    // dL/dp_j = s_j · (dL/dmix_j − Σ_k mix_k · dL/dmix_k).
                    let m = &mix[b * k..(b + 1) * k];
                    let centre = dot(d, m);
                    d.iter_mut()
                        .zip(&keep[b * k..(b + 1) * k])
                        .for_each(|(dj, &kj)| *dj = kj * (*dj - centre));
                }
                // Softmax: dL/dz_j = p_j · (dL/dp_j − Σ_k p_k · dL/dp_k).
                let at = cols.at(b) + c;
                let p = &z[at..at + k];
                let centre = dot(d, p);
                for ((out, &dj), &pj) in dz[at..at + k].iter_mut().zip(d.iter()).zip(p) {
                    *out = pj * (dj - centre);
                }
            }
        }

        // The experts' ReLU.
        for b in 0..rows {
            let at = cols.at(b);
            relu_backward(&mut dz[at..at + expert_width], &z[at..at + expert_width]);
        }
    }

    /// Mean gate weights and entropies over this model's `cols` of `z` after `forward`
    /// (before gate dropout); `None` for Shared-Bottom, which has no gate.
    pub fn stats(&self, z: &[f32], cols: Columns) -> Option<GateStats> {
        if !self.is_gated() {
            return None;
        }
        let rows = cols.rows;
        let mut stats = GateStats {
            weights: std::array::from_fn(|_| vec![0.0; self.expert_count]),
            entropy: [0.0; TASKS],
        };
        for t in 0..TASKS {
            let gate = &self.gates[self.task_gate[t]];
            let c = gate.column.expect("gated models have gate columns");
            let k = gate.experts.len();
            for b in 0..rows {
                let p = &z[cols.at(b) + c..cols.at(b) + c + k];
                for (&e, &pj) in gate.experts.iter().zip(p) {
                    stats.weights[t][e] += pj / rows as f32;
                }
                stats.entropy[t] += entropy(p) / rows as f32;
            }
        }
        Some(stats)
    }

    /// Per-sample gate weights of this model's `cols` of `z` after `forward` (before gate
    /// dropout), appended to `out` as rows × tasks × experts (0 for experts a task's gate
    /// cannot choose); nothing for Shared-Bottom.
    pub fn gate_weights_into(&self, z: &[f32], cols: Columns, out: &mut Vec<f32>) {
        if !self.is_gated() {
            return;
        }
        for b in 0..cols.rows {
            for t in 0..TASKS {
                let gate = &self.gates[self.task_gate[t]];
                let c = gate.column.expect("gated models have gate columns");
                let start = out.len();
                out.resize(start + self.expert_count, 0.0);
                let p = &z[cols.at(b) + c..cols.at(b) + c + gate.experts.len()];
                for (&e, &pj) in gate.experts.iter().zip(p) {
                    out[start + e] = pj;
                }
            }
        }
    }

    /// Expert outputs (after ReLU) of this model's `cols` of `z` after `forward`, appended
    /// to `out` as rows × experts × expert units; nothing for Shared-Bottom.
    pub fn expert_outputs_into(&self, z: &[f32], cols: Columns, out: &mut Vec<f32>) {
        if !self.is_gated() {
            return;
        }
        let experts = self.expert_count * self.expert_units;
        for b in 0..cols.rows {
            out.extend_from_slice(&z[cols.at(b)..cols.at(b) + experts]);
        }
    }
}

fn rows_of(a: &mut Array2<f32>, rows: usize) -> &mut [f32] {
    let cols = a.ncols();
    &mut a.as_slice_mut().expect("contiguous")[..rows * cols]
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
