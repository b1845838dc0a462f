//! Where the gate heatmap's cells are: one layout, so that the drawing (`web::charts`) and
//! the pointer's read-out on the page (which cell is under the pointer, where to outline
//! it) can never disagree. Device pixels throughout; no canvas needed, so it is tested here.

/// The heatmap's grid inside a canvas: a title line, a head row of expert numbers, one row
/// per task, a gap, then the utilisation ("use") row; task labels on the left and the
/// entropy column on the right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeatmapLayout {
    pub experts: usize,
    pub tasks: usize,
    pub pad: i32,
    pub title_h: i32,
    pub head_h: i32,
    /// The grid's left edge and width (column `e` spans `col(e)..col(e + 1)`).
    pub x0: i32,
    pub grid_w: i32,
    /// The first task row's top, each row's height and the gap above the use row.
    pub y0: i32,
    pub cell_h: i32,
    pub gap: i32,
}

impl HeatmapLayout {
    /// The layout of a `width` × `height` canvas for `experts` columns and `tasks` task
    /// rows at type sizes `font` and `small` (device pixels, `px` per CSS pixel), with
    /// `label_w` for the task labels and `side_w` for the entropy column.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        width: i32,
        height: i32,
        experts: usize,
        tasks: usize,
        font: f64,
        small: f64,
        px: f64,
        label_w: i32,
        side_w: i32,
    ) -> HeatmapLayout {
        let pad = (6.0 * px).round() as i32;
        let title_h = (font * 1.8).round() as i32;
        let head_h = (small * 1.6).round() as i32;
        let grid_w = (width - label_w - side_w - pad).max(experts as i32);
        let gap = pad;
        let y0 = title_h + head_h;
        let rows = tasks as i32 + 1;
        let cell_h = ((height - y0 - gap - pad) / rows).max(4);
        HeatmapLayout {
            experts,
            tasks,
            pad,
            title_h,
            head_h,
            x0: label_w,
            grid_w,
            y0,
            cell_h,
            gap,
        }
    }

    /// The left edge of column `e` (`col(experts)` is the grid's right edge): the grid's
    /// whole width is shared out, however many experts.
    pub fn col(&self, e: usize) -> i32 {
        self.x0 + (self.grid_w as i64 * e as i64 / self.experts.max(1) as i64) as i32
    }

    /// The top of row `r`: the task rows, then (`r == tasks`) the use row below a gap.
    pub fn row_y(&self, r: usize) -> i32 {
        self.y0 + self.cell_h * r as i32 + if r >= self.tasks { self.gap } else { 0 }
    }

    /// Cell (`row`, `expert`) as `[x, y, width, height]`.
    pub fn cell(&self, row: usize, expert: usize) -> [i32; 4] {
        let x = self.col(expert);
        [x, self.row_y(row), self.col(expert + 1) - x, self.cell_h]
    }

    /// Every cell, row by row (the task rows, then the use row), each `[x, y, w, h]`.
    pub fn cells(&self) -> Vec<[i32; 4]> {
        (0..=self.tasks)
            .flat_map(|r| (0..self.experts).map(move |e| self.cell(r, e)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(experts: usize) -> HeatmapLayout {
        HeatmapLayout::new(400, 160, experts, 2, 13.0, 11.5, 1.0, 50, 60)
    }

    #[test]
    fn cells_tile_the_grid_without_overlap() {
        for experts in [1, 3, 8, 16] {
            let l = layout(experts);
            let cells = l.cells();
            assert_eq!(cells.len(), 3 * experts);
            // Columns touch and together span the grid exactly.
            for r in 0..3 {
                let row = &cells[r * experts..(r + 1) * experts];
                assert_eq!(row[0][0], l.x0);
                for pair in row.windows(2) {
                    assert_eq!(pair[0][0] + pair[0][2], pair[1][0]);
                    assert_eq!(pair[0][1], pair[1][1]);
                }
                let last = row[experts - 1];
                assert_eq!(last[0] + last[2], l.x0 + l.grid_w);
            }
            // The task rows touch; the use row sits a gap below them; all inside the canvas.
            assert_eq!(cells[0][1] + l.cell_h, cells[experts][1]);
            assert_eq!(cells[experts][1] + l.cell_h + l.gap, cells[2 * experts][1]);
            for c in &cells {
                assert!(c[2] > 0 && c[3] > 0);
                assert!(c[0] >= 0 && c[0] + c[2] <= 400 && c[1] >= 0 && c[1] + c[3] <= 160);
            }
        }
    }

    #[test]
    fn the_grid_leaves_room_for_the_labels_and_scales_with_the_pixel_ratio() {
        let l = layout(8);
        assert_eq!(l.x0, 50);
        assert_eq!(l.grid_w, 400 - 50 - 60 - 6);
        assert!(l.row_y(0) >= l.title_h + l.head_h);
        let hi = HeatmapLayout::new(800, 320, 8, 2, 26.0, 23.0, 2.0, 100, 120);
        assert_eq!(hi.pad, 2 * l.pad);
        assert!((hi.cell(1, 3)[0] - 2 * l.cell(1, 3)[0]).abs() <= 1);
        // A canvas too small for its rows still gets rows of 4 px, never negative.
        assert_eq!(
            HeatmapLayout::new(40, 10, 8, 2, 13.0, 11.5, 1.0, 50, 60).cell_h,
            4
        );
    }
}
