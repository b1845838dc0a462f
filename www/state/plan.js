// One plan for all of the page's training: the live models and the live Figure 4's
// cells in one list, split over the trainer workers by cost, nothing trained twice.
//
// A Figure 4 cell equal to a live model (the same model, seed and correlation, from step
// 0) is that live model: its worker reports the live model's losses for the cell, and
// hands the model's state over to the cell when the slider moves (worker.js, `adopt`).
// Every other cell is placed on the least-loaded worker, largest first (longest
// processing time first), where its worker trains it with the replica engine beside
// its live models. Costs are each model's FLOPs per step (Playground.stepCosts).

/** The most seeds the live Figure 4 averages (`fig4_seeds`, its menu). */
export const FIGURE4_MAX_SEEDS = 4;

/**
 * Seeds averaged per cell, by the machine's cores: each seed adds 2 × models cells to
 * train. At 2 the page still trains the three paper models at ≥ 5× TensorFlow.js on two
 * cores (bench/README.md); more cores carry more seeds at the same speed.
 */
export function figure4Seeds(cores = navigator.hardwareConcurrency || 1) {
  return Math.max(2, Math.min(FIGURE4_MAX_SEEDS, Math.floor(cores)));
}

/**
 * The live Figure 4's cells: every model at every correlation for seeds `seed` …
 * `seed + seeds - 1`, each with an id (its index), correlation-major, then by seed.
 */
export function figure4Cells(models, correlations, seed, seeds) {
  const cells = [];
  for (const correlation of correlations) {
    for (const model of models) {
      for (let k = 0; k < seeds; k++) cells.push({ id: cells.length, model, correlation, seed: seed + k });
    }
  }
  return cells;
}

/** A model's FLOPs per step from `costs` (by name), 1 when unknown: every model alike. */
export const costOf = (costs, name) => (Number.isFinite(costs?.[name]) && costs[name] > 0 ? costs[name] : 1);

/** Puts each item ({cost}) on the least-loaded of `loads`, largest first; returns worker indices. */
function place(items, loads) {
  const order = items.map((_, i) => i).sort((a, b) => items[b].cost - items[a].cost || a - b);
  const where = new Array(items.length);
  for (const i of order) {
    let w = 0;
    for (let j = 1; j < loads.length; j++) if (loads[j] < loads[w]) w = j;
    where[i] = w;
    loads[w] += items[i].cost;
  }
  return where;
}

/**
 * The plan for `workers` workers: `models` (names, in the page's order) with `costs` (per
 * name), the Figure 4 `cells` (or none) and the live models' `correlation` and `seed`.
 * Returns per worker `{models: [global model index], cells: [cell], aliases: [{id, model
 * (index among that worker's models)}], load}`; a cell aliased to a live model is not
 * among `cells`.
 */
export function planTraining({ models, costs, cells = [], correlation, seed, workers }) {
  const count = Math.max(1, Math.min(workers, models.length + cells.length));
  const plan = Array.from({ length: count }, () => ({ models: [], cells: [], aliases: [], load: 0 }));
  const cost = (name) => costOf(costs, name);
  const loads = plan.map(() => 0);
  const live = place(models.map((name) => ({ cost: cost(name) })), loads);
  models.forEach((name, i) => plan[live[i]].models.push(i));
  const rest = [];
  for (const cell of cells) {
    const twin = cell.correlation === correlation && cell.seed === seed ? models.indexOf(cell.model) : -1;
    if (twin < 0) {
      rest.push(cell);
      continue;
    }
    const slot = plan[live[twin]];
    slot.aliases.push({ id: cell.id, model: slot.models.indexOf(twin) });
  }
  placeCells(rest, cost, loads).forEach((w, i) => plan[w].cells.push(rest[i]));
  plan.forEach((p, w) => (p.load = loads[w]));
  return plan;
}

/** Places `cells` onto workers already carrying `loads` (updated); returns worker indices. */
export function placeCells(cells, cost, loads) {
  return place(cells.map((c) => ({ cost: cost(c.model) })), loads);
}
