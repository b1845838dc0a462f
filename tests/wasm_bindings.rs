//! The browser binding layer, tested in headless Chromium with wasm-bindgen-test:
//!   cargo test --target wasm32-unknown-unknown --test wasm_bindings
//! (natively this file compiles to nothing).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Float32Array, Reflect};
use mmoe::web::bindings::{
    choices, data_view, default_settings, fields, figure_2, label_curve, label_curve_at,
    parse_pairs, with_data_preset, Playground,
};
use mmoe::web::charts::{draw_gate_heatmap, gate_heatmap_cells, LossChart};
use mmoe::web::experiment::Comparison;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("object")
}

fn set(obj: &JsValue, key: &str, value: JsValue) {
    Reflect::set(obj, &JsValue::from_str(key), &value).expect("object");
}

/// PLE's smooth data with a fixed training set: the binding's mechanics, where a few
/// hundred steps are enough to see the loss fall.
fn small_settings() -> JsValue {
    let s = with_data_preset(default_settings(), "ple").unwrap();
    set(&s, "train_samples", 1000.into());
    set(&s, "test_samples", 200.into());
    set(&s, "eval_every", 10.into());
    set(&s, "batch_size", 64.into());
    set(&s, "lr", 0.01.into());
    s
}

fn models(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn pairs(list: &[(&str, &str)]) -> JsValue {
    list.iter()
        .map(|(k, v)| {
            let pair = Array::new();
            pair.push(&JsValue::from_str(k));
            pair.push(&JsValue::from_str(v));
            pair
        })
        .collect::<Array>()
        .into()
}

fn mean_of(losses: &[f64], task: usize, range: std::ops::Range<usize>) -> f64 {
    let n = range.len() as f64;
    range.map(|s| losses[s * 3 + 1 + task]).sum::<f64>() / n
}

#[wasm_bindgen_test]
fn playground_trains_and_losses_fall() {
    let mut pg = Playground::new(small_settings(), models(&["sb", "omoe", "mmoe", "cgc"])).unwrap();
    assert_eq!(pg.model_count(), 4);
    assert_eq!(pg.model_name(2), "mmoe");
    assert_eq!(pg.steps(), 0);
    // The evaluation at step 0 is waiting to be taken.
    let test0: Vec<f64> = pg.take_test_losses(2).to_vec();
    assert_eq!(test0.len(), 5);
    assert_eq!(test0[0], 0.0);

    assert_eq!(pg.step(200), 200);
    for i in 0..4 {
        assert_eq!(pg.model_steps(i), 200);
        assert!(pg.diverged(i).is_none());
        let train: Vec<f64> = pg.take_train_losses(i).to_vec();
        assert_eq!(train.len(), 200 * 3, "[step, loss 1, loss 2] per step");
        assert_eq!(train[0], 1.0);
        assert_eq!(train[199 * 3], 200.0);
        for task in 0..2 {
            let first = mean_of(&train, task, 0..20);
            let last = mean_of(&train, task, 180..200);
            assert!(
                last < 0.5 * first,
                "model {i} task {task}: {first} -> {last}"
            );
        }
        // Taken means gone.
        assert_eq!(pg.take_train_losses(i).length(), 0);
        // Evaluations every 10 steps.
        let test: Vec<f64> = pg.take_test_losses(i).to_vec();
        let evals = if i == 2 { 20 } else { 21 };
        assert_eq!(test.len(), evals * 5, "model {i}");
    }
    // Gates: none for sb; tasks × experts rows summing to 1 for the gated models.
    assert_eq!(pg.gates(0).length(), 0);
    for i in 1..4 {
        let experts = pg.expert_count(i);
        let gates: Vec<f32> = pg.gates(i).to_vec();
        assert_eq!(gates.len(), 2 * experts);
        for row in gates.chunks(experts) {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-3, "model {i}: {sum}");
        }
        let entropy: Vec<f32> = pg.gate_entropy(i).to_vec();
        assert_eq!(entropy.len(), 2);
        assert!(entropy
            .iter()
            .all(|h| *h >= 0.0 && *h <= (experts as f32).ln() + 1e-4));
        // The experts' read-out R² on the test set: experts × tasks, each in [0, 1].
        let readout: Vec<f32> = pg.test_readout(i).to_vec();
        assert_eq!(readout.len(), experts * 2, "model {i}");
        assert!(
            readout.iter().all(|r| (0.0..=1.0).contains(r)),
            "{readout:?}"
        );
        // Each expert's mean unit per test sample: samples × experts, never negative (ReLU).
        let means: Vec<f32> = pg.test_expert_means(i).to_vec();
        assert_eq!(
            means.len(),
            pg.test_projections().length() as usize / 2 * experts
        );
        assert!(means.iter().all(|v| *v >= 0.0), "model {i}");
    }
    assert_eq!(pg.test_expert_means(0).length(), 0);
    assert_eq!(pg.test_readout(0).length(), 0);
}

#[wasm_bindgen_test]
fn parse_pairs_clamps_and_reports_notices() {
    let parsed = parse_pairs(pairs(&[
        ("experts", "500"),
        ("lr", "abc"),
        ("correlation", "-0.25"),
        ("models", "mmoe,foo,sb"),
        ("autoplay", "1"),
    ]))
    .unwrap();
    let settings = get(&parsed, "settings");
    assert_eq!(get(&settings, "experts").as_f64(), Some(64.0));
    // A bad value falls back to the default, whatever the default is.
    assert_eq!(
        get(&settings, "lr").as_f64(),
        get(&default_settings(), "lr").as_f64()
    );
    assert_eq!(get(&settings, "correlation").as_f64(), Some(-0.25));
    let models: Vec<String> = Array::from(&get(&parsed, "models"))
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(models, vec!["mmoe", "sb"]);
    let notices: Vec<String> = Array::from(&get(&parsed, "notices"))
        .iter()
        .map(|v| get(&v, "text").as_string().unwrap())
        .collect();
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert!(notices[0].starts_with("experts: 500 is out of range 1–64; set to 64"));
    let first = Array::from(&get(&parsed, "notices")).get(0);
    assert_eq!(get(&first, "kind").as_string().unwrap(), "out_of_range");
    assert_eq!(get(&first, "max").as_f64(), Some(64.0));
    assert!(notices
        .iter()
        .any(|n| n.starts_with("lr: 'abc' is not a number")));
    assert!(notices.iter().any(|n| n.contains("unknown model 'foo'")));
    let unknown = Array::from(&get(&parsed, "unknown"));
    assert_eq!(unknown.length(), 1);
    assert_eq!(get(&unknown.get(0), "key").as_string().unwrap(), "autoplay");
    assert_eq!(
        get(&unknown.get(0), "shown_value").as_string().unwrap(),
        "1"
    );

    // No models named: null, so the page shows its default set.
    let parsed = parse_pairs(pairs(&[("seed", "3")])).unwrap();
    assert!(get(&parsed, "models").is_null());
    // Not an array of pairs: an error, not a panic.
    assert!(parse_pairs(JsValue::from_str("experts=3")).is_err());
}

#[wasm_bindgen_test]
fn set_correlation_changes_the_label_pearson_and_training_goes_on() {
    let mut pg = Playground::new(small_settings(), models(&["mmoe"])).unwrap();
    let at_half = pg.label_pearson();
    pg.step(5);
    let at_one = pg.set_correlation(1.0).unwrap();
    assert_eq!(at_one, pg.label_pearson());
    assert!(at_one > at_half + 0.2, "{at_half} -> {at_one}");
    let at_minus = pg.set_correlation(-0.9).unwrap();
    assert!(at_minus < 0.0, "{at_minus}");
    assert_eq!(pg.steps(), 5, "the models keep their steps");
    assert_eq!(pg.step(5), 10);
    assert!(pg.set_correlation(1.5).is_err());
    assert!(pg.set_learning_rate(0.001).is_ok());
    assert!(pg.set_learning_rate(-1.0).is_err());
}

#[wasm_bindgen_test]
fn bad_settings_give_errors_not_panics() {
    let s = small_settings();
    set(&s, "experts", 0.into());
    set(&s, "lr", JsValue::from_f64(f64::NAN));
    let err = Playground::new(s.clone(), models(&["mmoe"]))
        .err()
        .expect("invalid");
    let message = JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message()
        .as_string()
        .unwrap();
    assert!(
        message.contains("experts: 0 is out of range 1..=64"),
        "{message}"
    );
    assert!(
        message.contains("lr: NaN is not a finite number"),
        "{message}"
    );
    assert!(
        label_curve(s, 1, 100).is_err(),
        "invalid settings are refused"
    );

    // Wrong types and unknown models are errors too.
    let s = small_settings();
    set(&s, "experts", JsValue::from_str("eight"));
    assert!(Playground::new(s, models(&["mmoe"])).is_err());
    assert!(Playground::new(small_settings(), models(&["mmoe", "transformer"])).is_err());
    assert!(label_curve(JsValue::from_str("nope"), 1, 100).is_err());
}

#[wasm_bindgen_test]
fn label_curve_rises_to_one_beside_the_papers_points() {
    let curve = Array::from(&label_curve(small_settings(), 2, 2000).unwrap());
    assert_eq!(curve.length(), 9);
    let at = |i: u32, key: &str| get(&curve.get(i), key).as_f64().unwrap();
    assert_eq!((at(5, "p"), at(5, "paper")), (0.9, 0.3));
    assert!(at(8, "mean") > 0.99, "identical tasks differ only by noise");
    assert!((0..8).all(|i| at(i, "mean") < at(i + 1, "mean")));
    let ple = with_data_preset(small_settings(), "ple").unwrap();
    assert!(get(&label_curve(ple, 2, 2000).unwrap(), "5").is_object());
    let table = choices();
    let names: Vec<String> = Array::from(&get(&table, "choices"))
        .iter()
        .map(|c| get(&c, "name").as_string().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "task1",
            "task2",
            "alpha_law",
            "beta_law",
            "source",
            "streaming"
        ]
    );
    assert!(with_data_preset(small_settings(), "nope").is_err());
}

/// `[{id, model, correlation, seed}]` for `Comparison::new`.
fn cell_specs(list: &[(u32, &str, f64, u32)]) -> JsValue {
    let out = Array::new();
    for &(id, model, correlation, seed) in list {
        let c = js_sys::Object::new();
        set(&c, "id", id.into());
        set(&c, "model", model.into());
        set(&c, "correlation", correlation.into());
        set(&c, "seed", seed.into());
        out.push(&c);
    }
    out.into()
}

#[wasm_bindgen_test]
fn comparison_cells_equal_the_live_models_and_take_them_over_when_the_slider_moves() {
    // A worker's share of the live Figure 4 at seeds 7 and 8: its seed-7 cells at p = 0.5
    // are the page's own runs at p = 0.5, bit for bit.
    let s = small_settings();
    set(&s, "correlation", 0.5.into());
    set(&s, "seed", 7.into());
    let specs = cell_specs(&[(4, "sb", 0.5, 7), (9, "mmoe", 1.0, 8), (5, "mmoe", 0.5, 7)]);
    let mut cmp = Comparison::new(s.clone(), specs).unwrap();
    assert_eq!(cmp.cells(), 3);
    assert_eq!((cmp.cell_id(0), cmp.cell_id(1), cmp.cell_id(2)), (4, 5, 9));
    let mut pg = Playground::new(s.clone(), models(&["sb", "mmoe"])).unwrap();
    cmp.advance(40);
    pg.step(40);
    for i in 0..2 {
        assert_eq!(
            cmp.take_train_losses(i).to_vec(),
            pg.take_train_losses(i).to_vec()
        );
    }
    assert_eq!(cmp.take_train_losses(2).length(), 3 * 40);
    assert!(!cmp.diverged(0));
    assert_eq!(cmp.take_train_losses(0).length(), 0);
    assert_eq!(cmp.take_train_losses(99).length(), 0);
    assert_eq!(cmp.cell_id(99), u32::MAX);

    // The slider moves: a worker whose live MMoE stood for its p = 0.5 cell hands it over
    // first. That cell goes on exactly as a p = 0.5 run that was never touched.
    let mut taken = Comparison::new(s.clone(), cell_specs(&[])).unwrap();
    taken.adopt(5, &pg, 1).unwrap();
    assert!(taken.adopt(6, &pg, 9).is_err());
    pg.set_correlation(0.9).unwrap();
    taken.advance(10);
    cmp.advance(10);
    assert_eq!(taken.cell_id(0), 5);
    assert_eq!(
        taken.take_train_losses(0).to_vec(),
        cmp.take_train_losses(1).to_vec()
    );
    // Step costs for the plan: each model its own, in FLOPs.
    let costs = Playground::step_costs(s.clone(), models(&["sb", "mmoe"])).unwrap();
    assert!(costs.iter().all(|&c| c > 0.0) && costs[0] != costs[1]);
    assert!(Playground::step_costs(s.clone(), models(&["nope"])).is_err());
    // Bad input is an error, never a panic.
    assert!(Comparison::new(s.clone(), cell_specs(&[(0, "nope", 1.0, 1)])).is_err());
    assert!(Comparison::new(s.clone(), cell_specs(&[(0, "sb", 2.0, 1)])).is_err());
    assert!(Comparison::new(s, JsValue::from(3)).is_err());
}

#[wasm_bindgen_test]
fn label_curve_at_any_p_and_the_data_view() {
    let curve = Array::from(
        &label_curve_at(small_settings(), 2, 500, vec![-1.0, 1.0, 7.0, f64::NAN]).unwrap(),
    );
    assert_eq!(curve.length(), 3, "NaN dropped, 7 clamped to 1");
    assert_eq!(get(&curve.get(2), "p").as_f64(), Some(1.0));
    assert!(get(&curve.get(1), "mean").as_f64().unwrap() > 0.99);
    let paper = Array::from(&figure_2());
    assert_eq!(paper.length(), 9);
    assert_eq!(get(&paper.get(5), "r").as_f64(), Some(0.3));
    let rows = data_view(small_settings(), 50).unwrap();
    assert_eq!(rows.length(), 200);
    assert_eq!(
        data_view(small_settings(), 1_000_000).unwrap().length(),
        4 * 5000
    );
    assert!(data_view(JsValue::from_str("nope"), 10).is_err());
}

#[wasm_bindgen_test]
fn fields_table_lists_every_numeric_setting_with_help() {
    let table = Array::from(&fields());
    assert!(table.length() >= 20);
    let first = table.get(0);
    assert!(get(&first, "name").is_string());
    assert!(get(&first, "help").as_string().unwrap().len() > 10);
    let defaults = default_settings();
    for f in table.iter() {
        let name = get(&f, "name").as_string().unwrap();
        assert!(get(&defaults, &name).as_f64().is_some(), "{name}");
    }
}

fn canvas(width: u32, height: u32) -> web_sys::HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas.set_width(width);
    canvas.set_height(height);
    canvas
}

/// How much a canvas's PNG grew over a blank one of the same size (drawn detail compresses
/// far worse than white).
fn ink(canvas: &web_sys::HtmlCanvasElement) -> f64 {
    let blank = self::canvas(canvas.width(), canvas.height());
    let drawn = canvas.to_data_url().unwrap().len() as f64;
    drawn / blank.to_data_url().unwrap().len() as f64
}

#[wasm_bindgen_test]
fn loss_chart_draws_and_stays_bounded() {
    let mut chart = LossChart::new();
    chart.reset(models(&["sb", "mmoe"]));
    let mut data = Vec::new();
    for step in 1..=50_000 {
        let l = 3.0 / (1.0 + step as f64 / 100.0);
        data.extend_from_slice(&[step as f64, l, l * 1.5]);
    }
    chart.push_train(0, &data);
    chart.push_train(1, &data);
    chart.push_test(1, &[0.0, 3.0, 4.0, f64::NAN, f64::NAN], 5);
    chart.mark(20_000.0, "p=0.20".into());
    assert!(chart.dirty());
    assert!(chart.stored_points(0) < 1000, "{}", chart.stored_points(0));
    let c = canvas(800, 360);
    chart.draw(c.clone()).unwrap();
    assert!(!chart.dirty());
    assert!(ink(&c) > 1.5, "{}", ink(&c));
    // Non-finite and non-positive losses are skipped, not drawn or panicked on.
    chart.push_train(0, &[50_001.0, f64::NAN, 0.0]);
    chart.set_lecture(true);
    chart.draw(c).unwrap();
}

#[wasm_bindgen_test]
fn gate_heatmap_draws_numbers_on_cells() {
    let gates = Float32Array::from(&[0.5f32, 0.25, 0.25, 0.0, 0.0, 0.1, 0.2, 0.7][..]);
    let entropy = Float32Array::from(&[1.04f32, 0.8][..]);
    let c = canvas(360, 160);
    draw_gate_heatmap(
        c.clone(),
        &gates.to_vec(),
        4,
        "test".into(),
        &entropy.to_vec(),
        false,
        1.0,
    )
    .unwrap();
    assert!(ink(&c) > 5.0, "{}", ink(&c));
    // Too few weights for the experts: draws the title only, no panic.
    draw_gate_heatmap(c, &[0.5], 4, "short".into(), &[], true, 2.0).unwrap();
}

/// The cells the read-out reports are where the heatmap draws them: a dark cell for a large
/// weight, the pale "cannot choose" fill for a zero; in CSS pixels at any pixel ratio.
#[wasm_bindgen_test]
fn gate_heatmap_cells_are_where_the_cells_are_drawn() {
    let gates = [0.5f32, 0.25, 0.25, 0.0, 0.0, 0.1, 0.2, 0.7];
    let c = canvas(360, 160);
    draw_gate_heatmap(c.clone(), &gates, 4, "test".into(), &[1.0, 0.8], false, 1.0).unwrap();
    let cells = gate_heatmap_cells(360, 160, 4, 2, false, 1.0);
    assert_eq!(
        cells.len(),
        4 * 3 * 4,
        "[x, y, w, h] for 4 experts × (2 tasks + use)"
    );
    let ctx: web_sys::CanvasRenderingContext2d =
        c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    // Just inside a cell's top-left corner (clear of its number): its fill colour.
    let fill = |k: usize| {
        let (x, y) = (cells[4 * k] + 3.0, cells[4 * k + 1] + 3.0);
        let px = ctx.get_image_data(x, y, 1.0, 1.0).unwrap().data();
        (px[0], px[1], px[2])
    };
    let dark = fill(7); // task 2, expert 4: 0.7
    assert!(dark.0 < 120 && dark.1 < 200, "{dark:?}");
    assert_eq!(
        fill(3),
        (0xf1, 0xf2, 0xf4),
        "task 1, expert 4: cannot choose"
    );
    // At pixel ratio 2 the same cells, in CSS pixels, within a device pixel's rounding.
    let hi = gate_heatmap_cells(720, 320, 4, 2, false, 2.0);
    for (a, b) in cells.iter().zip(&hi) {
        assert!((a - b).abs() <= 1.0, "{a} vs {b}");
    }
}

/// A run rebuilt elsewhere joins the loss chart as a pinned ghost, its curves pushed in.
#[wasm_bindgen_test]
fn loss_chart_takes_a_rebuilt_pin() {
    let mut chart = LossChart::new();
    chart.reset(models(&["mmoe"]));
    chart.add_pin("pin 1".into());
    chart.push_pinned("sb".into(), &[1.0, 2.0, 3.0, 2.0, 1.5, 2.5]);
    chart.push_pinned("mmoe".into(), &[1.0, 1.0, 1.0]);
    assert_eq!(chart.pinned_count(), 1);
    assert_eq!(
        chart.loss_range(),
        vec![1.0, 3.0],
        "the ghost's losses set the range"
    );
    let c = canvas(600, 300);
    chart.draw(c.clone()).unwrap();
    assert!(ink(&c) > 1.2, "{}", ink(&c));
}

/// Census data through the binding: a small table in the compact format is loaded (its
/// input columns listed, education and marital status not among them), census settings
/// train on it with AUC, the test rows group by a column; a cut-short file is refused.
#[wasm_bindgen_test]
fn census_data_loads_trains_and_refuses_a_broken_file() {
    use mmoe::core::census::Table;
    use mmoe::web::bindings::load_census;
    let row = |i: usize| {
        let mut f: Vec<String> = (0..42).map(|_| "Not in universe".to_string()).collect();
        for j in [0, 5, 16, 17, 18, 24, 30, 39] {
            f[j] = "0".into();
        }
        f[0] = (10 + i % 60).to_string();
        f[4] = ["Children", "Bachelors degree(BA AB BS)"][i % 2].into();
        f[7] = ["Never married", "Divorced"][i % 3 % 2].into();
        f[12] = ["Female", "Male"][i % 2].into();
        f[41] = ["- 50000.", "50000+."][(i % 5 == 0) as usize].into();
        f.join(", ")
    };
    let text = |range: std::ops::Range<usize>| range.map(row).collect::<Vec<_>>().join("\n");
    let bytes = Table::convert(&text(0..40), &text(40..60))
        .unwrap()
        .encode();
    assert!(load_census(&bytes[..bytes.len() - 1]).is_err());
    let columns: Vec<String> =
        serde_wasm_bindgen::from_value(load_census(&bytes).unwrap()).unwrap();
    assert!(columns.contains(&"sex".to_string()) && !columns.contains(&"education".to_string()));

    let settings = with_data_preset(default_settings(), "census1").unwrap();
    set(&settings, "batch_size", 16.into());
    set(&settings, "eval_every", 10.into());
    let mut p = Playground::new(settings, vec!["mmoe".into(), "single".into()]).unwrap();
    p.step(20);
    let test = p.take_test_losses(0).to_vec();
    // [step, loss 1, loss 2, auc 1, auc 2] at steps 0, 10 and 20.
    assert_eq!(test.len(), 15);
    assert!(test[13].is_finite() && test[14].is_finite(), "{test:?}");
    let groups = p.test_groups("sex");
    let names: Vec<String> = serde_wasm_bindgen::from_value(get(&groups, "groups")).unwrap();
    assert_eq!(names, ["Female", "Male"]);
    let rows: js_sys::Uint16Array = get(&groups, "rows").dyn_into().unwrap();
    assert_eq!(rows.length(), 10, "the test half of the 20 held-out rows");
    assert!(p.test_groups("education").is_undefined());
}

#[wasm_bindgen_test]
fn diagnose_names_no_cause_for_a_healthy_model_and_exploding_gate_logits_for_a_diverged_one() {
    let mut pg = Playground::new(small_settings(), models(&["mmoe"])).unwrap();
    pg.step(50);
    let healthy = pg.diagnose(0);
    assert!(get(&healthy, "cause").is_null());
    assert_eq!(get(&healthy, "step").as_f64(), Some(50.0));
    assert_eq!(get(&healthy, "rows").as_f64(), Some(200.0)); // the whole small test set
    let logits = js_sys::Array::from(&get(&healthy, "gate_logits"));
    assert_eq!(logits.length(), 2);

    // Labels a hundred times larger, a huge learning rate and Adam without second-moment
    // averaging.
    let s = small_settings();
    set(&s, "scale", 100.into());
    set(&s, "lr", 1.into());
    set(&s, "beta2", 0.into());
    let mut pg = Playground::new(s, models(&["mmoe"])).unwrap();
    pg.step(200);
    assert!(pg.diverged(0).is_some());
    let d = pg.diagnose(0);
    assert_eq!(get(&d, "cause").as_string().as_deref(), Some("gate-logits"));
    let at = get(&d, "diverged_at").as_f64();
    assert_eq!(at, Some(pg.model_steps(0) as f64));
    assert_eq!(get(&d, "onset").as_f64(), at);
}
