// The messages between the page and its workers, defined once. Every message is an
// object with a `type`; the fields each type carries are listed beside it.
//
// The page talks to `Trainers` (trainers.js) as to one trainer; it fans each message
// out to its worker.js instances and merges their answers into one stream.

/** Page → trainer. */
export const ToTrainer = Object.freeze({
  MODULE: 'module', // {module}: the compiled trainer (worker.js queues the rest until it has it)
  // {settings, models, generation, comparison, costs}: build the models, then 'ready'. To
  // Trainers: comparison {correlations, seeds, on} (the live Figure 4), costs {model: FLOPs
  // per step}; to a worker: its share of the plan, comparison {on, cells: [{id, model,
  // correlation, seed}], aliases: [{id, model}]} (cells that are its live models). Both
  // take census: the un-gzipped census data (an ArrayBuffer) with census settings, else null,
  // and csv: the CSV trained on ({bytes, labels, kinds}) with csv settings, else null
  INIT: 'init',
  PLAY: 'play',
  PAUSE: 'pause',
  STEP: 'step', // {steps}: train this many steps now
  RUN_TO: 'runTo', // {step}: play, then pause at exactly this step
  INSPECT: 'inspect', // {column}: per-sample test-set gates, projections, read-out R², expert outputs (and census rows' groups by `column`), for the inspector and the architecture
  CORRELATION: 'correlation', // {value}: new labels for task correlation `value`, same inputs
  LR: 'lr', // {value}: new learning rate, same weights
  COMPARE: 'compare', // {on, id, seeds (, cells)}: drop the live Figure 4, or start it again from step 0 (as `id`; a worker gets its cells)
  SPEED: 'speed', // {value}: steps per second, 0 = as fast as possible
  LIMIT: 'limit', // {step}: do not train past this step until told more (lockstep)
  CRASH: 'crash', // tests: throw outside any handler
  DIAGNOSE: 'diagnose', // {model}: why the model's run broke (the worker holding it answers 'diagnosis')
});

/** Trainer → page. */
export const FromTrainer = Object.freeze({
  // {generation, models: [{name, experts, parameters}], comparison: [{id, model, correlation,
  //  seed}], pearson, constant, columns, width, rows} (constant: each task's loss when predicting a
  //  constant, for the stall warning; comparison: the live Figure 4's cells, empty if none
  //  was asked for; columns: census data's input columns, else null; width: a model's input
  //  columns; rows: training rows, 0 when streaming)
  READY: 'ready',
  // {generation, step, testStride, models: [{index, train, test, gates, entropy, testGates,
  //  testEntropy, trail, steps}], comparison: {id, cells: [{id, train, diverged}]} or null}:
  //  what happened since the last 'data', as typed arrays (step: the worker's own)
  DATA: 'data',
  STATE: 'state', // {running, allDiverged}
  CORRELATION: 'correlation', // {value, pearson, constant, step}
  LR: 'lr', // {value, step}
  DIVERGED: 'diverged', // {model, message, step, diagnosis}: the model's loss stopped being finite
  // {generation, model, diagnosis}: why its run broke, measured (Playground.diagnose: cause,
  //  onset step, gate logits, dead units, weight growth, …; diagnosis.js words it)
  DIAGNOSIS: 'diagnosis',
  INSPECT: 'inspect', // {generation, step, gates, projections, readout, outputs, groups, column} (outputs: each expert's mean unit, samples × experts; groups: census {groups: [name], rows: Uint16Array})
  ERROR: 'error', // {request, message}: a request failed; the trainer is fine
  FATAL: 'fatal', // {message}: the trainer is gone
});

/** Page → experiment worker. */
export const ToExperiment = Object.freeze({
  INIT: 'init', // {module, config}: compile the page's module, keep the sweep's configuration
  SEED: 'seed', // {seed}: train every cell of this seed (the replica engine)
});

/** Experiment worker → page. */
export const FromExperiment = Object.freeze({
  READY: 'ready', // {}: ask for a seed
  PROGRESS: 'progress', // {seed, step}: the seed in flight reached this step
  SEED_DONE: 'seed-done', // {seed, cells}: the seed's cells, as JSON
  ERROR: 'error', // {message}
});

/** Page → label-curve worker. */
export const ToLabels = Object.freeze({
  MODULE: 'module', // {module}: the page's compiled module
  CURVE: 'curve', // {id, settings, seeds, samples, ps}: the label correlation at each p
});

/** Label-curve worker → page. */
export const FromLabels = Object.freeze({
  CURVE: 'curve', // {id, points: [{p, mean, sd}], ms}
  ERROR: 'error', // {id, message}
});

/** A message of `type` with `fields`. */
export const message = (type, fields = {}) => ({ type, ...fields });
