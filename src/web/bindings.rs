//! The browser binding: a thin layer over the core for the page's worker (`Playground`)
//! and for its main thread (query parsing, the settings table).
//!
//! Settings cross the boundary once, as plain objects (serde-wasm-bindgen); the data
//! read every frame leaves as typed arrays.

use crate::core::data::{label_correlations, label_view, FIGURE_2};
use crate::core::diagnosis::{diagnose, LossTrack, ROWS};
use crate::core::mixture::GateStats;
use crate::core::readout::expert_means;
use crate::core::settings::{
    shorten, Choice, DataPreset, ModelInfo, ModelKind, Notice, Query, Settings, TaskKind,
    CATALOGUE, CHOICES, DATA_PRESETS, EXPERT_COLOURS, FIELDS,
};
use crate::core::train::{Diverged, Session, Trainer};
use crate::experiment::stats::Stat;
use crate::TASKS;
use js_sys::{Float32Array, Float64Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("plain data serialises")
}

pub(crate) fn violations_error(violations: Vec<crate::core::settings::Violation>) -> JsError {
    let lines: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    JsError::new(&lines.join("\n"))
}

/// Models by name (sb, omoe, mmoe, cgc); an unknown name is an error.
pub(crate) fn model_kinds(names: &[String]) -> Result<Vec<ModelKind>, JsError> {
    names
        .iter()
        .map(|m| m.parse::<ModelKind>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| JsError::new(&e))
}

/// Makes the census data file's bytes (un-gzipped by the page) the data of census
/// settings in this thread. Returns the input columns people can be grouped by; a file
/// that is not whole and sound is refused with the reason.
#[wasm_bindgen(js_name = loadCensus)]
pub fn load_census(bytes: &[u8]) -> Result<JsValue, JsError> {
    let table = crate::core::census::Table::decode(bytes).map_err(|e| JsError::new(&e))?;
    crate::core::census::install(table);
    let encoded = crate::core::census::installed(crate::core::census::Group::IncomeMarital)
        .map_err(|e| JsError::new(&e))?;
    let columns: Vec<&str> = encoded.inputs.iter().map(|c| c.name.as_str()).collect();
    Ok(to_js(&columns))
}

/// A CSV file's column names (its header row), or why it cannot be read. `bytes` must be
/// UTF-8 text.
#[wasm_bindgen(js_name = csvHeader)]
pub fn csv_header(bytes: &[u8]) -> Result<Vec<String>, JsError> {
    crate::core::csv::header(utf8(bytes)?).map_err(|e| JsError::new(&e))
}

/// Reads a CSV file with `labels` (two column names) as the tasks of `kinds` (regression
/// or binary) and makes it the data of `csv` settings in this thread. Returns what was
/// made of it (`core::csv::Report`); a file that cannot be read is refused with the reason.
#[wasm_bindgen(js_name = loadCsv)]
pub fn load_csv(bytes: &[u8], labels: Vec<String>, kinds: Vec<String>) -> Result<JsValue, JsError> {
    let pair = |v: &[String], what: &str| -> Result<[String; 2], JsError> {
        <[String; 2]>::try_from(v.to_vec())
            .map_err(|_| JsError::new(&format!("two {what} are needed")))
    };
    let [k1, k2] = pair(&kinds, "task kinds")?;
    let parse = |k: &str| k.parse::<TaskKind>().map_err(|e| JsError::new(&e));
    let choice = crate::core::csv::Choice {
        labels: pair(&labels, "label columns")?,
        kinds: [parse(&k1)?, parse(&k2)?],
    };
    let (data, report) =
        crate::core::csv::load(utf8(bytes)?, &choice).map_err(|e| JsError::new(&e))?;
    crate::core::csv::install(data);
    Ok(to_js(&report))
}

fn utf8(bytes: &[u8]) -> Result<&str, JsError> {
    std::str::from_utf8(bytes).map_err(|e| {
        JsError::new(&format!(
            "the file is not UTF-8 text (byte {} is not): save it as UTF-8 CSV",
            e.valid_up_to() + 1
        ))
    })
}

/// The numeric settings table: name, min, max, integer, help.
#[wasm_bindgen]
pub fn fields() -> JsValue {
    to_js(&FIELDS)
}

/// The model catalogue (`[{name, label, colour, gated, description}]`, in the order the
/// page lists models) and the experts' own palette: the page reads every model name and
/// colour from here, so Rust, the page and the figures agree.
#[wasm_bindgen(js_name = modelCatalogue)]
pub fn model_catalogue() -> JsValue {
    #[derive(Serialize)]
    struct Catalogue {
        models: &'static [ModelInfo],
        expert_colours: &'static [&'static str],
    }
    to_js(&Catalogue {
        models: &CATALOGUE,
        expert_colours: &EXPERT_COLOURS,
    })
}

/// The default settings object.
#[wasm_bindgen(js_name = defaultSettings)]
pub fn default_settings() -> JsValue {
    to_js(&Settings::default())
}

/// A notice for the page: its kind and fields (for the page's own wording) and the
/// English text.
#[derive(Serialize)]
struct ShownNotice {
    #[serde(flatten)]
    notice: Notice,
    text: String,
}

impl From<Notice> for ShownNotice {
    fn from(notice: Notice) -> Self {
        let text = notice.to_string();
        ShownNotice { notice, text }
    }
}

/// A pair that names no setting, for the page to handle (its own options) or report, with
/// the key and value cut short for a message.
#[derive(Serialize)]
struct Unknown {
    key: String,
    value: String,
    shown_key: String,
    shown_value: String,
}

#[derive(Serialize)]
struct ParsedQuery {
    settings: Settings,
    models: Option<Vec<ModelKind>>,
    notices: Vec<ShownNotice>,
    unknown: Vec<Unknown>,
}

/// Reads `[key, value]` pairs (from `URLSearchParams` or a loaded file) into settings,
/// clamping or dropping bad values; returns `{settings, models, notices, unknown}`.
/// `models` is null when the pairs do not name any; each notice is `{kind, text, …}`;
/// each unknown pair is `{key, value, shown_key, shown_value}`.
#[wasm_bindgen(js_name = parsePairs)]
pub fn parse_pairs(pairs: JsValue) -> Result<JsValue, JsError> {
    let pairs: Vec<(String, String)> = serde_wasm_bindgen::from_value(pairs)?;
    let query = Query::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok(to_js(&ParsedQuery {
        settings: query.settings,
        models: query.models,
        notices: query.notices.into_iter().map(ShownNotice::from).collect(),
        unknown: query
            .unknown
            .into_iter()
            .map(|(key, value)| Unknown {
                shown_key: shorten(&key),
                shown_value: shorten(&value),
                key,
                value,
            })
            .collect(),
    }))
}

/// The word-valued settings (`[{name, options, help}]`) and the data presets
/// (`[{name, label, description}]`), for the page's settings panel.
#[wasm_bindgen]
pub fn choices() -> JsValue {
    #[derive(Serialize)]
    struct Choices {
        choices: &'static [Choice],
        data_presets: &'static [DataPreset],
    }
    to_js(&Choices {
        choices: CHOICES,
        data_presets: DATA_PRESETS,
    })
}

/// `settings` with a data preset applied (the page's data menu).
#[wasm_bindgen(js_name = withDataPreset)]
pub fn with_data_preset(settings: JsValue, name: &str) -> Result<JsValue, JsError> {
    let settings: Settings = serde_wasm_bindgen::from_value(settings)?;
    let s = settings
        .with_data_preset(name)
        .map_err(|e| JsError::new(&e))?;
    Ok(to_js(&s))
}

/// The label correlation against p at the paper's Figure 2 read-offs, for seeds
/// `settings.seed ..` (`[{p, mean, sd, paper}]`), as `mmoe labels` prints it.
#[wasm_bindgen(js_name = labelCurve)]
pub fn label_curve(settings: JsValue, seeds: u32, samples: usize) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Point {
        p: f64,
        mean: f64,
        sd: f64,
        paper: f64,
    }
    let ps: Vec<f64> = FIGURE_2.iter().map(|f| f.0).collect();
    let stats = label_stats(settings, seeds, samples, &ps)?;
    let points: Vec<Point> = FIGURE_2
        .iter()
        .zip(stats)
        .map(|(&(p, paper), stat)| Point {
            p,
            mean: stat.mean,
            sd: stat.sd,
            paper,
        })
        .collect();
    Ok(to_js(&points))
}

/// The label correlation at any task correlations `ps` (each clamped to -1..=1), over
/// seeds `settings.seed ..`: `[{p, mean, sd}]`, for the curve beside the page's slider.
#[wasm_bindgen(js_name = labelCurveAt)]
pub fn label_curve_at(
    settings: JsValue,
    seeds: u32,
    samples: usize,
    ps: Vec<f64>,
) -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Point {
        p: f64,
        mean: f64,
        sd: f64,
    }
    let ps: Vec<f64> = ps
        .into_iter()
        .filter(|p| p.is_finite())
        .map(|p| p.clamp(-1.0, 1.0))
        .collect();
    let stats = label_stats(settings, seeds, samples, &ps)?;
    let points: Vec<Point> = ps
        .iter()
        .zip(stats)
        .map(|(&p, stat)| Point {
            p,
            mean: stat.mean,
            sd: stat.sd,
        })
        .collect();
    Ok(to_js(&points))
}

/// Mean and sd over `seeds` seeds of the label correlation at each of `ps`.
fn label_stats(
    settings: JsValue,
    seeds: u32,
    samples: usize,
    ps: &[f64],
) -> Result<Vec<Stat>, JsError> {
    let settings: Settings = serde_wasm_bindgen::from_value(settings)?;
    settings.validate().map_err(violations_error)?;
    let runs: Vec<Vec<f64>> = (0..seeds.clamp(1, 100))
        .map(|i| {
            let s = Settings {
                seed: settings.seed.wrapping_add(i),
                ..settings.clone()
            };
            label_correlations(&s, ps, samples.clamp(16, 100_000))
        })
        .collect();
    Ok((0..ps.len())
        .map(|j| Stat::of(&runs.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .collect())
}

/// The paper's Figure 2 read-offs, `[{p, r}]`.
#[wasm_bindgen(js_name = figure2)]
pub fn figure_2() -> JsValue {
    #[derive(Serialize)]
    struct ReadOff {
        p: f64,
        r: f64,
    }
    let points: Vec<ReadOff> = FIGURE_2.iter().map(|&(p, r)| ReadOff { p, r }).collect();
    to_js(&points)
}

/// The data view's rows (`data::label_view`, at most 5,000): `[w1·x for every row, y1 …,
/// w2·x …, y2 …]`, each block `rows` long.
#[wasm_bindgen(js_name = dataView)]
pub fn data_view(settings: JsValue, rows: usize) -> Result<Float32Array, JsError> {
    let settings: Settings = serde_wasm_bindgen::from_value(settings)?;
    settings.validate().map_err(violations_error)?;
    let view = label_view(&settings, rows.min(5000));
    let blocks = [
        view.projection[0].as_slice(),
        view.label[0].as_slice(),
        view.projection[1].as_slice(),
        view.label[1].as_slice(),
    ];
    Ok(Float32Array::from(blocks.concat().as_slice()))
}

/// Per-model record of what happened since the page last asked.
#[derive(Default)]
struct Pending {
    /// Interleaved per-step training losses: [step, task 1, task 2, ...].
    train: Vec<f64>,
    /// Interleaved evaluations: [step, loss 1, loss 2, auc 1, auc 2, ...] (NaN for no AUC).
    test: Vec<f64>,
    /// Mean gate weights on the test set at the last evaluation, tasks × experts.
    test_gates: Vec<f32>,
    /// Mean per-sample gate entropy of each task on the test set at the last evaluation.
    test_entropy: Vec<f32>,
    /// Every step's losses, kept in O(1) for `diagnose`.
    track: LossTrack,
}

/// Several models training side by side; lives in the page's worker.
/// Test rows the inspector's per-sample views read.
const INSPECTED: usize = 5000;

#[wasm_bindgen]
pub struct Playground {
    session: Session,
    pending: Vec<Pending>,
    /// Each model's losses of the step just taken (kept: no allocation per step).
    losses: Vec<Result<[f64; TASKS], Diverged>>,
}

#[wasm_bindgen]
impl Playground {
    /// Validates `settings`, generates the data and builds `models` (names: sb, omoe,
    /// mmoe, cgc). Fails with every violation, one per line.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue, models: Vec<String>) -> Result<Playground, JsError> {
        let settings: Settings = serde_wasm_bindgen::from_value(settings)?;
        let kinds = model_kinds(&models)?;
        let session = Session::new(settings, &kinds).map_err(violations_error)?;
        let pending = kinds.iter().map(|_| Pending::default()).collect();
        let mut playground = Playground {
            session,
            pending,
            losses: Vec::with_capacity(kinds.len()),
        };
        playground.evaluate_all();
        Ok(playground)
    }

    /// Trains every model that has not diverged for up to `steps` steps, evaluating on the
    /// test set every `eval_every` steps. Returns the step count of the first model.
    pub fn step(&mut self, steps: u32) -> u32 {
        let every = self.session.settings.eval_every;
        for _ in 0..steps {
            self.session.train_step(&mut self.losses);
            let data = &self.session.data;
            let trainers = self.session.trainers.iter_mut().zip(&mut self.pending);
            for ((trainer, pending), losses) in trainers.zip(&self.losses) {
                let losses = match losses {
                    Ok(losses) => losses,
                    Err(d) => {
                        pending.track.push(d.step, &[f64::NAN; TASKS]);
                        continue;
                    }
                };
                pending.track.push(trainer.step, losses);
                pending.train.push(trainer.step as f64);
                pending.train.extend_from_slice(losses);
                if trainer.step % every == 0 {
                    record_evaluation(trainer, data, pending);
                }
            }
        }
        self.steps()
    }

    /// Training steps taken so far (by the first model; a diverged model stops early).
    pub fn steps(&self) -> u32 {
        self.session.trainers.first().map_or(0, |t| t.step as u32)
    }

    #[wasm_bindgen(js_name = modelCount)]
    pub fn model_count(&self) -> usize {
        self.session.trainers.len()
    }

    #[wasm_bindgen(js_name = modelName)]
    pub fn model_name(&self, i: usize) -> String {
        self.session.trainers[i].model.kind.name().into()
    }

    #[wasm_bindgen(js_name = modelSteps)]
    pub fn model_steps(&self, i: usize) -> u32 {
        self.session.trainers[i].step as u32
    }

    #[wasm_bindgen(js_name = expertCount)]
    pub fn expert_count(&self, i: usize) -> usize {
        self.session.trainers[i].model.expert_count()
    }

    #[wasm_bindgen(js_name = parameterCount)]
    pub fn parameter_count(&self, i: usize) -> usize {
        self.session.trainers[i].model.parameter_count()
    }

    /// Per-step training losses since the last call, as [step, loss 1, loss 2, ...].
    #[wasm_bindgen(js_name = takeTrainLosses)]
    pub fn take_train_losses(&mut self, i: usize) -> Float64Array {
        let out = Float64Array::from(self.pending[i].train.as_slice());
        self.pending[i].train.clear();
        out
    }

    /// Test evaluations since the last call, as [step, loss 1, loss 2, auc 1, auc 2, ...].
    #[wasm_bindgen(js_name = takeTestLosses)]
    pub fn take_test_losses(&mut self, i: usize) -> Float64Array {
        let out = Float64Array::from(self.pending[i].test.as_slice());
        self.pending[i].test.clear();
        out
    }

    /// Mean gate weights of the last batch, tasks × experts row-major (empty for sb).
    pub fn gates(&self, i: usize) -> Float32Array {
        last_batch_gates(&self.session.trainers[i], |s| s.weights.concat())
    }

    /// Mean per-sample gate entropy of each task (empty for sb).
    #[wasm_bindgen(js_name = gateEntropy)]
    pub fn gate_entropy(&self, i: usize) -> Float32Array {
        last_batch_gates(&self.session.trainers[i], |s| s.entropy.to_vec())
    }

    /// Mean gate weights on the test set at the last evaluation (what the CLI reports),
    /// tasks × experts row-major (empty for sb).
    #[wasm_bindgen(js_name = testGates)]
    pub fn test_gates(&self, i: usize) -> Float32Array {
        Float32Array::from(self.pending[i].test_gates.as_slice())
    }

    /// Mean per-sample gate entropy of each task on the test set at the last evaluation.
    #[wasm_bindgen(js_name = testGateEntropy)]
    pub fn test_gate_entropy(&self, i: usize) -> Float32Array {
        Float32Array::from(self.pending[i].test_entropy.as_slice())
    }

    /// Per-sample gate weights of model `i` on the test set: samples × tasks × experts,
    /// row-major (empty for sb). For the page's gate inspector.
    #[wasm_bindgen(js_name = testGateWeights)]
    pub fn test_gate_weights(&mut self, i: usize) -> Float32Array {
        let test = self.inspected();
        Float32Array::from(
            self.session.trainers[i]
                .split_gate_weights(&test)
                .as_slice(),
        )
    }

    /// R² of each expert's linear read-out of each task's target on the test set, experts ×
    /// tasks row-major (empty for sb): the inspector's "which task does each expert serve".
    #[wasm_bindgen(js_name = testReadout)]
    pub fn test_readout(&mut self, i: usize) -> Float32Array {
        let test = self.inspected();
        Float32Array::from(self.session.trainers[i].split_readout(&test).as_slice())
    }

    /// For census data: the test rows' groups by input column `column` (the inspector's
    /// "which experts serve which people"): `{groups: [name], rows: Uint16Array}`, each
    /// test row's group in test-set order; `undefined` for synthetic data or an unknown
    /// column.
    #[wasm_bindgen(js_name = testGroups)]
    pub fn test_groups(&self, column: &str) -> JsValue {
        let test = self.inspected();
        let crate::core::data::Inputs::Census { table, rows } = &test.x else {
            return JsValue::UNDEFINED;
        };
        let Some((groups, all)) = table.groups(column) else {
            return JsValue::UNDEFINED;
        };
        let picked: Vec<u16> = rows.iter().map(|&i| all[i as usize]).collect();
        let out = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&out, &"groups".into(), &to_js(&groups));
        let _ = js_sys::Reflect::set(
            &out,
            &"rows".into(),
            &js_sys::Uint16Array::from(picked.as_slice()),
        );
        out.into()
    }

    /// Each expert's output on the test set as the mean of its ReLU units, samples ×
    /// experts row-major (empty for sb): the architecture view's "what an expert computes".
    #[wasm_bindgen(js_name = testExpertMeans)]
    pub fn test_expert_means(&mut self, i: usize) -> Float32Array {
        let test = self.inspected();
        let trainer = &mut self.session.trainers[i];
        let outputs = trainer.split_expert_outputs(&test);
        let (experts, units) = (trainer.model.expert_count(), trainer.model.expert_units());
        Float32Array::from(expert_means(&outputs, experts, units).as_slice())
    }

    /// The test samples' latent projections: [w1·x for every sample, then w2·x].
    #[wasm_bindgen(js_name = testProjections)]
    pub fn test_projections(&self) -> Float32Array {
        let p = &self.inspected().projection;
        Float32Array::from([p[0].as_slice(), p[1].as_slice()].concat().as_slice())
    }

    /// The test rows the inspector reads (every per-sample view uses the same ones): the
    /// first INSPECTED; a census test split has ~50,000, too many to route every second.
    fn inspected(&self) -> crate::core::data::Split {
        self.session.data.test.head(INSPECTED)
    }

    /// A message when model `i` has diverged, else `undefined`.
    pub fn diverged(&self, i: usize) -> Option<String> {
        self.session.trainers[i]
            .diverged
            .map(|d: Diverged| d.to_string())
    }

    /// Why model `i`'s run broke (`core::diagnosis`), read on the first `diagnosis::ROWS` test
    /// rows with its loss track: `{cause, step, onset, diverged_at, spike_at, loss_ratio,
    /// gate_logits, gate_top, dead_units, dead_experts, dead_tower, weight_growth,
    /// nonfinite_weights, rows}`; `cause` is null when the numbers show nothing wrong.
    pub fn diagnose(&self, i: usize) -> JsValue {
        let track = &self.pending[i].track;
        let model = &self.session.trainers[i].model;
        to_js(&diagnose(model, &self.session.data.test, ROWS, track))
    }

    /// Each task's loss when predicting a constant (`metrics::constant_loss`), on the
    /// training set (the test set when streaming: there is no fixed training set): the
    /// page warns when a model's loss stays at this level.
    #[wasm_bindgen(js_name = constantLosses)]
    pub fn constant_losses(&self) -> Vec<f64> {
        let kinds = self.session.settings.task_kinds();
        let data = &self.session.data;
        let y = if data.train.is_empty() {
            &data.test.y
        } else {
            &data.train.y
        };
        (0..TASKS)
            .map(|t| crate::core::metrics::constant_loss(&y[t], kinds[t] == TaskKind::Binary))
            .collect()
    }

    /// Columns of a model's input (the synthetic data's d; census: one-hot columns and
    /// numbers) and rows of the training set (0 when streaming).
    #[wasm_bindgen(js_name = dataShape)]
    pub fn data_shape(&self) -> Vec<f64> {
        let data = &self.session.data;
        vec![data.width() as f64, data.train.len() as f64]
    }

    /// Pearson correlation of the two regression labels on the training set.
    #[wasm_bindgen(js_name = labelPearson)]
    pub fn label_pearson(&self) -> f64 {
        self.session.data.label_pearson
    }

    /// Regenerates the labels for task correlation `p` with the same seed; the models
    /// keep their weights and go on training. Returns the new label Pearson.
    #[wasm_bindgen(js_name = setCorrelation)]
    pub fn set_correlation(&mut self, p: f64) -> Result<f64, JsError> {
        self.session.set_correlation(p).map_err(violations_error)?;
        self.evaluate_all();
        Ok(self.session.data.label_pearson)
    }

    /// Changes every model's learning rate without rebuilding.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), JsError> {
        let settings = Settings {
            lr,
            ..self.session.settings.clone()
        };
        settings.validate().map_err(violations_error)?;
        self.session.settings = settings;
        for trainer in &mut self.session.trainers {
            trainer.set_learning_rate(lr);
        }
        Ok(())
    }

    /// Each model's cost of one training step, in FLOPs at `settings`' sizes: what the
    /// page's plan balances its workers by.
    #[wasm_bindgen(js_name = stepCosts)]
    pub fn step_costs(settings: JsValue, models: Vec<String>) -> Result<Vec<f64>, JsError> {
        let settings: Settings = serde_wasm_bindgen::from_value(settings)?;
        settings.validate().map_err(violations_error)?;
        let mut init = crate::core::rng::Rng::new(0, crate::core::rng::Stream::Init, 0);
        // The page's own thread has no census data loaded: any common width ranks the
        // models' costs alike.
        let inputs = settings.input_dim;
        Ok(model_kinds(&models)?
            .into_iter()
            .map(|kind| {
                crate::Model::new(kind, &settings, inputs, &mut init)
                    .flops_per_step(settings.batch_size) as f64
            })
            .collect())
    }

    fn evaluate_all(&mut self) {
        let data = &self.session.data;
        for (trainer, pending) in self.session.trainers.iter_mut().zip(&mut self.pending) {
            if trainer.diverged.is_none() {
                record_evaluation(trainer, data, pending);
            }
        }
    }
}

impl Playground {
    /// Live model `i`'s exact state, its data and its cell (model, correlation, seed):
    /// what the live Figure 4 keeps training when the slider moves the model on.
    pub(crate) fn fork(
        &self,
        i: usize,
    ) -> Option<(Trainer, crate::Dataset, crate::experiment::grid::Cell)> {
        let trainer = self.session.fork(i)?;
        let cell = crate::experiment::grid::Cell {
            model: trainer.model.kind,
            correlation: self.session.settings.correlation,
            seed: self.session.settings.seed,
        };
        Some((trainer, self.session.data.clone(), cell))
    }
}

/// One of the gate statistics of `trainer`'s last batch (empty for sb).
fn last_batch_gates(trainer: &Trainer, read: impl FnOnce(GateStats) -> Vec<f32>) -> Float32Array {
    Float32Array::from(
        trainer
            .gate_stats()
            .map(read)
            .unwrap_or_default()
            .as_slice(),
    )
}

fn record_evaluation(trainer: &mut Trainer, data: &crate::Dataset, pending: &mut Pending) {
    let eval = trainer.evaluate(&data.test);
    pending.test.push(trainer.step as f64);
    pending.test.extend_from_slice(&eval.loss);
    pending.test.extend(eval.auc.map(|a| a.unwrap_or(f64::NAN)));
    if let Some(g) = eval.gates {
        pending.test_entropy = g.entropy.to_vec();
        pending.test_gates = g.weights.concat();
    }
}

/// L1 distance between the two tasks' rows of a tasks × experts gate matrix (row-major):
/// the page's gate-difference numbers, by the same function as the sweep's.
#[wasm_bindgen(js_name = gateL1)]
pub fn gate_l1(gates: &[f32]) -> f64 {
    let (a, b) = gates.split_at(gates.len() / 2);
    let wide = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
    crate::experiment::stats::l1_distance(&wide(a), &wide(b))
}

/// Benchmark hook: GFLOP/s of our forward kernel (`matmul_bias`) on an n×n×n product,
/// the best of `reps` timed runs after one warm-up (timed with `performance.now()`).
#[wasm_bindgen(js_name = benchMatmul)]
pub fn bench_matmul(n: usize, reps: u32) -> f64 {
    let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let bias = vec![0.0f32; n];
    let mut c = vec![0.0f32; n * n];
    let now = || {
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| js_sys::Reflect::get(&p, &"now".into()).ok().map(|f| (p, f)))
            .and_then(|(p, f)| js_sys::Function::from(f).call0(&p).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    crate::core::kernels::matmul_bias(&a, &b, &bias, &mut c, n, n, n);
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = now();
        crate::core::kernels::matmul_bias(&a, &b, &bias, &mut c, n, n, n);
        best = best.min(now() - t);
    }
    std::hint::black_box(&c);
    2.0 * (n * n * n) as f64 / (best / 1e3) / 1e9
}

/// Benchmark hook: the size in bytes of this module's `WebAssembly.Memory`.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}
