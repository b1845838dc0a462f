//! A gated model's gate heatmap: the tasks × experts mean gate weights, the experts'
//! utilisation and each gate's entropy.

use super::{ramp, words, Theme, Words, GRID, INK, MUTED};
use crate::core::axis::text_width;
use crate::core::heatmap::HeatmapLayout;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Draws a gated model's mean gate weights (`gates`: tasks × experts, row-major), a row
/// with each expert's utilisation (its mean weight over the tasks), and each task's gate
/// entropy in nats beside the maximum possible (`entropy`: one per task). A weight of
/// exactly 0 marks an expert the task's gate cannot choose (CGC) and is drawn as "–".
#[wasm_bindgen(js_name = drawGateHeatmap)]
pub fn draw_gate_heatmap(
    canvas: HtmlCanvasElement,
    gates: &[f32],
    experts: usize,
    title: String,
    entropy: &[f32],
    lecture: bool,
    pixel_ratio: f64,
) -> Result<(), JsError> {
    let t = Theme::new(lecture, pixel_ratio);
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the canvas has no 2d context"))?;
    let root = backend.into_drawing_area();
    draw_heatmap_on(&root, t, gates, experts, &title, entropy).map_err(|e| JsError::new(&e))
}

/// Where `drawGateHeatmap` puts each cell on a canvas of `width` × `height` device pixels,
/// for the pointer's read-out: `[x, y, w, h]` per cell in CSS pixels, flattened, row by row
/// (each task's gate, then the use row), `experts` cells a row.
#[wasm_bindgen(js_name = gateHeatmapCells)]
pub fn gate_heatmap_cells(
    width: u32,
    height: u32,
    experts: usize,
    tasks: usize,
    lecture: bool,
    pixel_ratio: f64,
) -> Vec<f64> {
    let t = Theme::new(lecture, pixel_ratio);
    let l = layout(t, width as i32, height as i32, experts, tasks, &words());
    l.cells()
        .iter()
        .flat_map(|c| c.map(|v| v as f64 / t.px))
        .collect()
}

/// The heatmap's layout at theme `t`, with room for the task labels in the chart's words.
fn layout(t: Theme, w: i32, h: i32, experts: usize, tasks: usize, words: &Words) -> HeatmapLayout {
    let pad = t.scaled(6.0);
    let task2 = words.task.replace("{}", "2");
    let label_w = text_width(&task2, t.small) + pad * 2;
    let side_w = text_width("H≤0.00", t.small) + pad * 2;
    HeatmapLayout::new(w, h, experts, tasks, t.font, t.small, t.px, label_w, side_w)
}

fn draw_heatmap_on(
    root: &DrawingArea<CanvasBackend, Shift>,
    t: Theme,
    gates: &[f32],
    experts: usize,
    title: &str,
    entropy: &[f32],
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let (pad, title_h) = (t.scaled(6.0), (t.font * 1.8).round() as i32);
    // Smaller type when the title is wider than a narrow heatmap.
    let title_size = t.font
        * f64::min(
            1.0,
            (w - 2 * pad) as f64 / text_width(title, t.font).max(1) as f64,
        );
    root.draw(&Text::new(
        title.to_string(),
        (pad, title_h / 2),
        t.text(title_size, INK, HPos::Left, VPos::Center),
    ))
    .map_err(err)?;
    if experts == 0 || gates.len() < experts {
        return Ok(());
    }
    let tasks = gates.len() / experts;

    let words = words();
    let task_label = |k: usize| words.task.replace("{}", &k.to_string());
    let l = layout(t, w, h, experts, tasks, &words);
    let (head_h, x0, cell_h) = (l.head_h, l.x0, l.cell_h);
    let col = |e: usize| l.col(e);
    let cell_w = l.grid_w as f64 / experts as f64;

    let small = t.text(t.small, MUTED, HPos::Center, VPos::Center);
    let right_label = t.text(t.small, MUTED, HPos::Right, VPos::Center);
    let show_numbers = cell_w >= t.small * 1.95 && cell_h as f64 >= t.small * 1.3;
    let short_numbers = cell_w < t.small * 2.6;

    // Expert numbers above the columns, thinned when the columns are narrow, and none that
    // would run past the grid into the entropy column.
    let every = ((t.small * 1.6) / cell_w).ceil().max(1.0) as usize;
    for e in (0..experts).filter(|e| e % every == 0) {
        let label = format!("{}", e + 1);
        let centre = (col(e) + col(e + 1)) / 2;
        if centre + text_width(&label, t.small) / 2 > col(experts) {
            continue;
        }
        root.draw(&Text::new(
            label,
            (centre, title_h + head_h / 2),
            small.clone(),
        ))
        .map_err(err)?;
    }

    let row_y = |r: usize| l.row_y(r);
    let mut utilisation = vec![0f32; experts];
    let mut max_entropy = 0f32;
    for task in 0..tasks {
        let row = &gates[task * experts..(task + 1) * experts];
        let y = row_y(task);
        root.draw(&Text::new(
            task_label(task + 1),
            (x0 - pad, y + cell_h / 2),
            right_label.clone(),
        ))
        .map_err(err)?;
        let mut choices = 0usize;
        for (e, &v) in row.iter().enumerate() {
            utilisation[e] += v / tasks as f32;
            if v > 0.0 {
                choices += 1;
            }
            let (x, w) = (col(e), col(e + 1) - col(e));
            draw_cell(root, t, (x, y), (w, cell_h), v, None)?;
            if show_numbers {
                draw_number(root, t, (x, y), (w, cell_h), v, short_numbers)?;
            }
        }
        max_entropy = max_entropy.max((choices.max(1) as f32).ln());
        if let Some(&hv) = entropy.get(task) {
            root.draw(&Text::new(
                format!("H {hv:.2}"),
                (col(experts) + pad, y + cell_h / 2),
                t.text(t.small, MUTED, HPos::Left, VPos::Center),
            ))
            .map_err(err)?;
        }
    }
    // Utilisation row: the mean over tasks, drawn as bars in the cells.
    let y = row_y(tasks);
    root.draw(&Text::new(
        words.utilisation.clone(),
        (x0 - pad, y + cell_h / 2),
        right_label,
    ))
    .map_err(err)?;
    let peak = utilisation.iter().cloned().fold(0.0f32, f32::max).max(1e-6);
    for (e, &u) in utilisation.iter().enumerate() {
        let (x, w) = (col(e), col(e + 1) - col(e));
        draw_cell(root, t, (x, y), (w, cell_h), -1.0, Some(u / peak))?;
        if show_numbers {
            draw_number(root, t, (x, y), (w, cell_h), u, short_numbers)?;
        }
    }
    root.draw(&Text::new(
        format!("H≤{max_entropy:.2}"),
        (col(experts) + pad, title_h + head_h / 2),
        t.text(t.small, MUTED, HPos::Left, VPos::Center),
    ))
    .map_err(err)?;
    Ok(())
}

/// One cell: a colour for a weight `v`, or (with `bar`) a bar of that height in [0, 1].
fn draw_cell(
    root: &DrawingArea<CanvasBackend, Shift>,
    t: Theme,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    v: f32,
    bar: Option<f32>,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    // A gap between cells, unless the cells are too narrow to spare it.
    let inset = if w >= t.scaled(6.0) { t.scaled(1.0) } else { 0 };
    let (x0, y0, x1, y1) = (x + inset, y + inset, x + w - inset, y + h - inset);
    match bar {
        Some(frac) => {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                GRID.mix(0.6).filled(),
            ))
            .map_err(err)?;
            let top = y1 - ((y1 - y0) as f32 * frac.clamp(0.0, 1.0)).round() as i32;
            root.draw(&Rectangle::new(
                [(x0, top), (x1, y1)],
                RGBColor(0xb7, 0xc3, 0xd0).filled(),
            ))
            .map_err(err)?;
        }
        None if v == 0.0 => {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                RGBColor(0xf1, 0xf2, 0xf4).filled(),
            ))
            .map_err(err)?;
        }
        None => {
            // Square root: uniform weights (1/n) stay visible, full weight is darkest.
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                ramp(v.max(0.0).sqrt()).filled(),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

fn draw_number(
    root: &DrawingArea<CanvasBackend, Shift>,
    t: Theme,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    v: f32,
    short: bool,
) -> Result<(), String> {
    let text = if v == 0.0 {
        "–".to_string()
    } else if short {
        let s = format!("{v:.2}");
        s.strip_prefix('0').unwrap_or(&s).to_string()
    } else {
        format!("{v:.2}")
    };
    let colour = if v.max(0.0).sqrt() > 0.62 { WHITE } else { INK };
    root.draw(&Text::new(
        text,
        (x + w / 2, y + h / 2),
        t.text(t.small, colour, HPos::Center, VPos::Center),
    ))
    .map_err(|e| e.to_string())
}
