//! The four multi-task models, built from one structure (so no model has its own copy of
//! the layer or gating code):
//!
//! ```text
//!   x ──► experts (one fused d × n·u ReLU layer) ──► mix_t = Σ_j g_t(x)_j · f_j(x) ──► tower_t ──► ŷ_t
//!   x ──► gate g (linear + softmax over its experts) ─┘
//! ```
//! MMoE (paper eq. 5–6): n experts, gate t for task t over all experts.
//! OMoE (eq. 4): the same experts, one gate shared by both tasks.
//! Shared-Bottom (eq. 1): one "expert" of `bottom_units`, mixed with the fixed weight 1.
//! CGC (Tang et al. 2020, eq. 1–3): per task `task_experts` own experts plus
//! `shared_experts` shared ones; gate t mixes only its own and the shared experts.

use crate::layers::{relu, relu_backward, softmax_rows, Dense, Param};
use crate::metrics::entropy;
use crate::rng::Rng;
use crate::settings::{ModelKind, Settings, TaskKind};
use ndarray::{s, Array2, ArrayView2};

/// Number of tasks (the paper's experiment and the page have two).
pub const TASKS: usize = 2;

/// A softmax gate over a subset of the experts.
#[derive(Clone, Debug)]
struct Gate {
    /// Linear layer on the input; `None` is Shared-Bottom's fixed weight 1 on its only expert.
    dense: Option<Dense>,
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
    h: Array2<f32>,
    dh: Array2<f32>,
    /// Per gate: softmax output, the weights actually used to mix (after gate dropout),
    /// dropout's rescaling m_j / Σ_k p_k m_k, and the gradient w.r.t. the mixing weights.
    probs: Vec<Array2<f32>>,
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
        experts: &Dense,
        gates: &[Gate],
        mix_units: usize,
        tower_units: usize,
    ) -> Self {
        let z = |cols: usize| Array2::zeros((rows, cols));
        let per_gate = || gates.iter().map(|g| z(g.experts.len())).collect::<Vec<_>>();
        Workspace {
            rows,
            h: z(experts.outputs()),
            dh: z(experts.outputs()),
            probs: per_gate(),
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
    /// Mean gate weight, tasks × experts (0 for experts a task's gate cannot choose).
    pub weights: Vec<[f32; TASKS]>,
    /// Mean per-sample entropy (nats) of each task's gate.
    pub entropy: [f32; TASKS],
}

/// A multi-task model: experts, gates and towers.
#[derive(Clone, Debug)]
pub struct Model {
    pub kind: ModelKind,
    experts: Dense,
    expert_units: usize,
    gates: Vec<Gate>,
    /// Which gate each task uses (OMoE: both use gate 0).
    task_gate: [usize; TASKS],
    towers: [Tower; TASKS],
    gate_dropout: f32,
    ws: Workspace,
}

impl Model {
    /// Builds `kind` at the sizes in `settings`, with weights drawn from `rng`.
    pub fn new(kind: ModelKind, settings: &Settings, rng: &mut Rng) -> Model {
        let d = settings.input_dim;
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
        let experts = Dense::new(d, expert_count * expert_units, rng);
        let gates: Vec<Gate> = gate_sets
            .into_iter()
            .map(|experts| Gate {
                dense: (kind != ModelKind::Sb).then(|| Dense::new(d, experts.len(), rng)),
                experts,
            })
            .collect();
        let towers = std::array::from_fn(|_| Tower {
            hidden: Dense::new(expert_units, settings.tower_units, rng),
            out: Dense::new(settings.tower_units, 1, rng),
        });
        let ws = Workspace::new(
            settings.batch_size,
            &experts,
            &gates,
            expert_units,
            settings.tower_units,
        );
        Model {
            kind,
            experts,
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
        self.experts.outputs() / self.expert_units
    }

    pub fn is_gated(&self) -> bool {
        self.kind != ModelKind::Sb
    }

    pub fn parameter_count(&self) -> usize {
        let gates = self.gates.iter().filter_map(|g| g.dense.as_ref());
        std::iter::once(&self.experts)
            .chain(gates)
            .chain(self.towers.iter().flat_map(|t| [&t.hidden, &t.out]))
            .map(|layer| layer.w.value.len() + layer.b.value.len())
            .sum()
    }

    /// Floating-point operations of one training step on `batch` rows (multiply and add
    /// counted separately): every dense layer forward and its weight gradient, the towers'
    /// input gradients, and the expert mixing forward and backward.
    pub fn flops_per_step(&self, batch: usize) -> u64 {
        let dense = |l: &Dense| 2 * (batch * l.inputs() * l.outputs()) as u64;
        let input_side: u64 = std::iter::once(&self.experts)
            .chain(self.gates.iter().filter_map(|g| g.dense.as_ref()))
            .map(|l| 2 * dense(l))
            .sum();
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
        input_side + towers + mixing
    }

    /// Computes every activation for the rows of `x`. With `dropout` given (training),
    /// gate dropout drops each expert's gate weight with probability `gate_dropout` and
    /// renormalises the rest.
    pub fn forward(&mut self, x: ArrayView2<f32>, dropout: Option<&mut Rng>) {
        let rows = x.nrows();
        if rows > self.ws.h.nrows() {
            self.ws = Workspace::new(
                rows,
                &self.experts,
                &self.gates,
                self.expert_units,
                self.towers[0].hidden.outputs(),
            );
        }
        let ws = &mut self.ws;
        ws.rows = rows;
        let u = self.expert_units;

        let mut h = ws.h.slice_mut(s![..rows, ..]);
        self.experts.forward(x, h.view_mut());
        relu(h);

        let drop_p = dropout
            .is_some()
            .then_some(self.gate_dropout)
            .filter(|&q| q > 0.0);
        ws.dropped = drop_p.is_some();
        let mut dropout = dropout;
        for (g, gate) in self.gates.iter().enumerate() {
            let mut probs = ws.probs[g].slice_mut(s![..rows, ..]);
            match &gate.dense {
                Some(dense) => {
                    dense.forward(x, probs.view_mut());
                    softmax_rows(probs.view_mut());
                }
                None => probs.fill(1.0),
            }
            let mut mix = ws.mix[g].slice_mut(s![..rows, ..]);
            mix.assign(&probs);
            if let (Some(q), Some(rng)) = (drop_p, dropout.as_deref_mut()) {
                let mut keep = ws.keep[g].slice_mut(s![..rows, ..]);
                drop_gate_weights(q, rng, mix.view_mut(), keep.view_mut());
            }
        }

        for t in 0..TASKS {
            let g = self.task_gate[t];
            let mix = ws.mix[g].slice(s![..rows, ..]);
            let mut mixed = ws.mixed[t].slice_mut(s![..rows, ..]);
            mixed.fill(0.0);
            for (b, mut out_row) in mixed.rows_mut().into_iter().enumerate() {
                for (j, &e) in self.gates[g].experts.iter().enumerate() {
                    let weight = mix[[b, j]];
                    let expert = ws.h.slice(s![b, e * u..(e + 1) * u]);
                    out_row.zip_mut_with(&expert, |o, &f| *o += weight * f);
                }
            }
            let tower = &self.towers[t];
            let mut hidden = ws.hidden[t].slice_mut(s![..rows, ..]);
            tower.hidden.forward(mixed.view(), hidden.view_mut());
            relu(hidden.view_mut());
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
        let u = self.expert_units;
        for t in 0..TASKS {
            let tower = &mut self.towers[t];
            let hidden = ws.hidden[t].slice(s![..rows, ..]);
            let mut dhidden = ws.dhidden[t].slice_mut(s![..rows, ..]);
            tower.out.backward(
                hidden,
                ws.dout[t].slice(s![..rows, ..]),
                Some(dhidden.view_mut()),
            );
            relu_backward(hidden, dhidden.view_mut());
            tower.hidden.backward(
                ws.mixed[t].slice(s![..rows, ..]),
                dhidden.view(),
                Some(ws.dmixed[t].slice_mut(s![..rows, ..])),
            );
        }

        ws.dh.slice_mut(s![..rows, ..]).fill(0.0);
        for dmix in ws.dmix.iter_mut() {
            dmix.slice_mut(s![..rows, ..]).fill(0.0);
        }
        for t in 0..TASKS {
            let g = self.task_gate[t];
            for b in 0..rows {
                let dmixed = ws.dmixed[t].slice(s![b, ..]);
                for (j, &e) in self.gates[g].experts.iter().enumerate() {
                    let expert = ws.h.slice(s![b, e * u..(e + 1) * u]);
                    ws.dmix[g][[b, j]] += dmixed.dot(&expert);
                    let weight = ws.mix[g][[b, j]];
                    ws.dh
                        .slice_mut(s![b, e * u..(e + 1) * u])
                        .zip_mut_with(&dmixed, |d, &v| *d += weight * v);
                }
            }
        }

        for (g, gate) in self.gates.iter_mut().enumerate() {
            let Some(dense) = gate.dense.as_mut() else {
                continue;
            };
            let mut grad = ws.dmix[g].slice_mut(s![..rows, ..]);
            let probs = ws.probs[g].slice(s![..rows, ..]);
            if ws.dropped {
                // mix_j = p_j·s_j with s_j = m_j / Σ_k p_k m_k, so
                // dL/dp_j = s_j · (dL/dmix_j − Σ_k mix_k · dL/dmix_k).
                let mix = ws.mix[g].slice(s![..rows, ..]);
                let keep = ws.keep[g].slice(s![..rows, ..]);
                for ((mut d, m), k) in grad.rows_mut().into_iter().zip(mix.rows()).zip(keep.rows())
                {
                    let centre = d.dot(&m);
                    d.zip_mut_with(&k, |dj, &kj| *dj = kj * (*dj - centre));
                }
            }
            // Softmax: dL/dz_j = p_j · (dL/dp_j − Σ_k p_k · dL/dp_k).
            for (mut d, p) in grad.rows_mut().into_iter().zip(probs.rows()) {
                let centre = d.dot(&p);
                d.zip_mut_with(&p, |dj, &pj| *dj = pj * (*dj - centre));
            }
            dense.backward(x, grad.view(), None);
        }

        let h = ws.h.slice(s![..rows, ..]);
        let mut dh = ws.dh.slice_mut(s![..rows, ..]);
        relu_backward(h, dh.view_mut());
        self.experts.backward(x, dh.view(), None);
    }

    /// Mean gate weights and entropies over the last forward pass (before gate dropout);
    /// `None` for Shared-Bottom, which has no gate.
    pub fn gate_stats(&self) -> Option<GateStats> {
        if !self.is_gated() {
            return None;
        }
        let rows = self.ws.rows;
        let mut stats = GateStats {
            weights: vec![[0.0; TASKS]; self.expert_count()],
            entropy: [0.0; TASKS],
        };
        for t in 0..TASKS {
            let g = self.task_gate[t];
            let probs = self.ws.probs[g].slice(s![..rows, ..]);
            for (j, &e) in self.gates[g].experts.iter().enumerate() {
                stats.weights[e][t] = probs.column(j).sum() / rows as f32;
            }
            stats.entropy[t] = probs
                .rows()
                .into_iter()
                .map(|p| entropy(p.as_slice().expect("contiguous")))
                .sum::<f32>()
                / rows as f32;
        }
        Some(stats)
    }

    /// Calls `f(part, index, param)` for every parameter tensor, in a fixed order.
    pub fn visit_params_mut(&mut self, f: &mut dyn FnMut(&'static str, usize, &mut Param)) {
        let [w, b] = self.experts.params_mut();
        f("experts.w", 0, w);
        f("experts.b", 0, b);
        for (i, gate) in self.gates.iter_mut().enumerate() {
            if let Some(dense) = gate.dense.as_mut() {
                let [w, b] = dense.params_mut();
                f("gate.w", i, w);
                f("gate.b", i, b);
            }
        }
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
fn drop_gate_weights(
    q: f32,
    rng: &mut Rng,
    mut mix: ndarray::ArrayViewMut2<f32>,
    mut keep: ndarray::ArrayViewMut2<f32>,
) {
    for (mut p, mut k) in mix.rows_mut().into_iter().zip(keep.rows_mut()) {
        let mut kept_mass = 0.0f32;
        for (kj, &pj) in k.iter_mut().zip(p.iter()) {
            let kept = rng.uniform() as f32 >= q;
            *kj = if kept { 1.0 } else { 0.0 };
            kept_mass += *kj * pj;
        }
        if kept_mass <= 0.0 {
            k.fill(1.0);
            kept_mass = p.sum();
        }
        k.mapv_inplace(|m| m / kept_mass);
        p.zip_mut_with(&k, |pj, &kj| *pj *= kj);
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-z))
}

/// −[y·log σ(z) + (1 − y)·log(1 − σ(z))], computed without overflow.
fn log_loss(z: f32, y: f32) -> f32 {
    z.max(0.0) - z * y + libm::log1pf(libm::expf(-z.abs()))
}
