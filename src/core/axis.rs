//! Axis ticks, number formats and text widths shared by the page's charts and the figures.

/// Round tick values within [lo, hi] on a log axis: powers of ten, else 1-2-5, else 1..9.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let sets: [&[f64]; 3] = [
        &[1.0],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ];
    let mut best = Vec::new();
    for set in sets {
        let mut ticks = Vec::new();
        let mut p = lo.log10().floor() as i32;
        while p <= hi.log10().ceil() as i32 {
            for m in set {
                let v = m * 10f64.powi(p);
                if v >= lo && v <= hi {
                    ticks.push(v);
                }
            }
            p += 1;
        }
        best = ticks;
        if best.len() >= 4 {
            break;
        }
    }
    best
}

/// The next "round" number at or above `v` (1, 2, 2.5, 5 × a power of ten).
pub fn nice_ceiling(v: f64) -> f64 {
    let v = v.max(1.0);
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

/// A step count for an axis: 2500, 12.5k.
pub fn format_step(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{}k", trim_float(v / 1000.0, 1))
    } else {
        format!("{}", v.round())
    }
}

/// A loss for an axis, with the digits its size needs: 1e12, 120, 1.25, 0.034.
pub fn format_loss(v: f64) -> String {
    if v >= 1e6 {
        // A diverging run's axis spans many decades: "1e12", not thirteen digits.
        format!("{v:.0e}")
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        trim_float(v, 2)
    } else {
        let digits = (-v.log10().floor()) as usize + 1;
        trim_float(v, digits.min(8))
    }
}

/// `v` with at most `digits` decimals and no trailing zeros.
pub fn trim_float(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A rough width in pixels of `text` drawn at `size` pixels. plotters measures text in
/// the browser by inserting a styled element into the page, which the page's
/// Content-Security-Policy forbids, so nothing drawn here asks it to: titles, legends and
/// captions are placed with this estimate instead.
pub fn text_width(text: &str, size: f64) -> i32 {
    // CJK glyphs (the page's Chinese) are about twice as wide as Latin ones.
    let ems: f64 = text
        .chars()
        .map(|c| if c >= '\u{2E80}' { 1.0 } else { 0.56 })
        .sum();
    (ems * size).ceil() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_width_counts_cjk_glyphs_double() {
        assert_eq!(text_width("abcd", 10.0), 23);
        assert_eq!(text_width("任务", 10.0), 20);
        assert_eq!(text_width("", 10.0), 0);
    }

    #[test]
    fn log_ticks_prefer_powers_of_ten_then_finer_sets() {
        assert_eq!(log_ticks(0.001, 10.0), vec![0.001, 0.01, 0.1, 1.0, 10.0]);
        assert_eq!(log_ticks(0.1, 1.0), vec![0.1, 0.2, 0.5, 1.0]);
        let t = log_ticks(0.05, 0.6);
        assert!(
            t.len() >= 4 && t.iter().all(|v| (0.05..=0.6).contains(v)),
            "{t:?}"
        );
        assert!(t.contains(&0.1) && t.contains(&0.5));
    }

    #[test]
    fn nice_ceiling_rounds_up_to_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(1500.0), 2000.0);
        assert_eq!(nice_ceiling(2100.0), 2500.0);
        assert_eq!(nice_ceiling(6000.0), 10_000.0);
    }

    #[test]
    fn numbers_are_formatted_for_axes() {
        assert_eq!(format_step(2500.0), "2500");
        assert_eq!(format_step(12_500.0), "12.5k");
        assert_eq!(format_step(20_000.0), "20k");
        assert_eq!(format_loss(123.4), "123");
        assert_eq!(format_loss(1e12), "1e12");
        assert_eq!(format_loss(2e7), "2e7");
        assert_eq!(format_loss(1.25), "1.25");
        assert_eq!(format_loss(1.0), "1");
        assert_eq!(format_loss(0.034), "0.034");
        assert_eq!(format_loss(0.3), "0.3");
        assert_eq!(trim_float(2.50, 2), "2.5");
    }
}
