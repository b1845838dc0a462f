//! Your own data: a CSV file with a header row, two of its columns named as the tasks'
//! labels, every other column an input. It becomes the same table the census data is
//! (`census::Table`, one-hot categories and standardised numbers), so every model, the
//! replica engine and the inspector's people table work on it unchanged.
//!
//! Hostile files are refused with the reason: too large, malformed rows, no data, cells
//! that look like spreadsheet formulas, a label that does not fit its task. What is
//! dropped (columns that are neither numbers nor a few categories, rows without a label)
//! is reported.

use crate::core::census::{Column, Encoded, Table, Values};
use crate::core::rng::{Rng, Stream};
use crate::core::settings::TaskKind;
use std::sync::{Arc, RwLock};

/// The largest file the page reads (the browser holds it twice while parsing).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
pub const MAX_ROWS: usize = 200_000;
pub const MAX_COLUMNS: usize = 200;
/// Fewer rows than this cannot fill a training batch and a test set.
pub const MIN_ROWS: usize = 40;
/// A text column with more distinct values than this is an id or free text, not a category.
const MAX_LEVELS: usize = 64;
/// Of the rows, this share is held out (halved per seed into validation and test).
const HELD_OUT: f64 = 0.2;

/// Which columns are the tasks' labels, and of which kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub labels: [String; 2],
    pub kinds: [TaskKind; 2],
}

/// What was made of a file: its rows and columns, and what was dropped and why.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Report {
    pub rows: usize,
    pub train_rows: usize,
    pub numeric: Vec<String>,
    pub categorical: Vec<String>,
    /// (column, why) for every column left out.
    pub dropped: Vec<(String, String)>,
    /// Rows left out because a label was missing.
    pub rows_without_label: usize,
    /// Missing input cells (numbers: the column's training mean; categories: a level of their own).
    pub missing_cells: usize,
    /// For a binary task, the label value read as 1.
    pub positive: [Option<String>; 2],
}

/// The header row's column names (for choosing the labels).
pub fn header(text: &str) -> Result<Vec<String>, String> {
    let mut rows = Records::new(text);
    let names = rows
        .next()
        .ok_or_else(|| "the file is empty".to_string())??;
    if names.len() < 3 {
        return Err(format!(
            "the header has {} column(s): at least two labels and one input are needed",
            names.len()
        ));
    }
    if names.len() > MAX_COLUMNS {
        return Err(format!("{} columns, at most {MAX_COLUMNS}", names.len()));
    }
    Ok(names)
}

/// Reads `text` with `choice`'s label columns into model inputs and labels.
pub fn load(text: &str, choice: &Choice) -> Result<(Encoded, Report), String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "the file is {} MB, at most 20 MB",
            text.len() / (1 << 20)
        ));
    }
    let names = header(text)?;
    let label_at = |k: usize| {
        names
            .iter()
            .position(|n| *n == choice.labels[k])
            .ok_or_else(|| format!("no column named '{}'", shorten(&choice.labels[k])))
    };
    let labels = [label_at(0)?, label_at(1)?];
    if labels[0] == labels[1] {
        return Err("the two tasks need two different label columns".into());
    }
    let mut cells: Vec<Vec<String>> = Vec::new();
    for (i, record) in Records::new(text).enumerate().skip(1) {
        let record = record?;
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        if record.len() != names.len() {
            return Err(format!(
                "row {}: {} fields, the header has {}",
                i + 1,
                record.len(),
                names.len()
            ));
        }
        if let Some((j, cell)) = record.iter().enumerate().find(|(_, c)| formula(c)) {
            return Err(format!(
                "row {}, column '{}': '{}' looks like a spreadsheet formula; the page does not read such files",
                i + 1,
                shorten(&names[j]),
                shorten(cell)
            ));
        }
        if cells.len() == MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows"));
        }
        cells.push(record);
    }
    let mut report = Report::default();
    let before = cells.len();
    cells.retain(|row| labels.iter().all(|&j| !missing(&row[j])));
    report.rows_without_label = before - cells.len();
    if cells.len() < MIN_ROWS {
        return Err(format!(
            "{} rows with both labels, at least {MIN_ROWS} are needed",
            cells.len()
        ));
    }
    // A fixed shuffle, so that the held-out rows are a random sample whatever the
    // file's order; each seed then halves them into validation and test.
    Rng::new(0, Stream::Samples, 1).shuffle(&mut cells);
    let rows = cells.len();
    let train_rows = rows - ((rows as f64 * HELD_OUT).round() as usize).max(2);
    report.rows = rows;
    report.train_rows = train_rows;

    let mut targets = [Vec::new(), Vec::new()];
    for k in 0..2 {
        let column: Vec<&str> = cells.iter().map(|r| r[labels[k]].as_str()).collect();
        let (values, positive) = label(&column, choice.kinds[k], train_rows)
            .map_err(|e| format!("label column '{}': {e}", shorten(&names[labels[k]])))?;
        targets[k] = values;
        report.positive[k] = positive;
    }

    let mut columns = Vec::new();
    for (j, name) in names.iter().enumerate() {
        if labels.contains(&j) {
            continue;
        }
        let column: Vec<&str> = cells.iter().map(|r| r[j].as_str()).collect();
        match input(&column, train_rows) {
            Ok((values, levels, gaps)) => {
                report.missing_cells += gaps;
                match values {
                    Values::Codes(_) => report.categorical.push(name.clone()),
                    _ => report.numeric.push(name.clone()),
                }
                columns.push(Column {
                    name: name.clone(),
                    levels,
                    values,
                });
            }
            Err(why) => report.dropped.push((name.clone(), why)),
        }
    }
    if columns.is_empty() {
        return Err("no column can be an input (see what was dropped)".into());
    }
    let table = Arc::new(Table {
        train_rows,
        test_rows: rows - train_rows,
        columns,
    });
    Ok((Encoded::with_inputs(table, |_| true, targets), report))
}

/// The CSV the page loaded last (each worker loads it once), which `csv` settings train on.
static LOADED: RwLock<Option<Arc<Encoded>>> = RwLock::new(None);

/// Makes `data` the data of `csv` settings from now on.
pub fn install(data: Encoded) {
    *LOADED.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(data));
}

/// The loaded CSV's data, or why there is none.
pub fn installed() -> Result<Arc<Encoded>, String> {
    let guard = LOADED.read().unwrap_or_else(|e| e.into_inner());
    guard
        .clone()
        .ok_or_else(|| "no CSV file is loaded".to_string())
}

/// A label column as targets: 0/1 for a binary task (two distinct values; the larger
/// number, or "1", "yes", "true", or else the later in sorted order, reads as 1), or a
/// number standardised over the training rows for a regression task.
fn label(
    column: &[&str],
    kind: TaskKind,
    train_rows: usize,
) -> Result<(Vec<f32>, Option<String>), String> {
    match kind {
        TaskKind::Regression => {
            let numbers = column
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    number(v)
                        .ok_or_else(|| {
                            format!(
                                "'{}' is not a number (a regression label must be)",
                                shorten(v)
                            )
                        })
                        .map(|x| (i, x))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let train = &numbers[..train_rows];
            let n = train.len() as f64;
            let mean = train.iter().map(|(_, x)| x).sum::<f64>() / n;
            let sd = (train.iter().map(|(_, x)| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            if sd == 0.0 {
                return Err("every training row has the same value".into());
            }
            Ok((
                numbers
                    .iter()
                    .map(|(_, x)| ((x - mean) / sd) as f32)
                    .collect(),
                None,
            ))
        }
        TaskKind::Binary => {
            let mut levels: Vec<&str> = column.to_vec();
            levels.sort_unstable();
            levels.dedup();
            if levels.len() != 2 {
                return Err(format!(
                    "{} distinct values; a binary label has exactly two",
                    levels.len()
                ));
            }
            let truthy = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "1" | "yes" | "true");
            let positive = match (number(levels[0]), number(levels[1])) {
                (Some(a), Some(b)) => levels[(b > a) as usize],
                _ if truthy(levels[0]) => levels[0],
                _ => levels[1],
            };
            let values = column
                .iter()
                .map(|&v| (v == positive) as u8 as f32)
                .collect();
            Ok((values, Some(positive.to_string())))
        }
    }
}

/// An input column: numbers (missing ones set to the training mean), a few categories
/// (missing ones a level of their own), or why it cannot be an input; with the count of
/// missing cells.
fn input(column: &[&str], train_rows: usize) -> Result<(Values, Vec<String>, usize), String> {
    let gaps = column.iter().filter(|v| missing(v)).count();
    if gaps == column.len() {
        return Err("every cell is empty".into());
    }
    let parsed: Vec<Option<f64>> = column
        .iter()
        .map(|v| if missing(v) { None } else { number(v) })
        .collect();
    let numeric = column
        .iter()
        .zip(&parsed)
        .all(|(v, x)| missing(v) || x.is_some());
    if numeric {
        let known: Vec<f64> = parsed[..train_rows].iter().flatten().copied().collect();
        let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
        let values = parsed.iter().map(|x| x.unwrap_or(mean) as f32).collect();
        return Ok((Values::Reals(values), Vec::new(), gaps));
    }
    let mut levels: Vec<String> = column
        .iter()
        .map(|v| {
            if missing(v) {
                MISSING.to_string()
            } else {
                v.to_string()
            }
        })
        .collect();
    levels.sort_unstable();
    levels.dedup();
    if levels.len() > MAX_LEVELS {
        return Err(format!(
            "{} distinct texts: an id or free text, not a category (at most {MAX_LEVELS})",
            levels.len()
        ));
    }
    let codes = column
        .iter()
        .map(|v| {
            let v = if missing(v) { MISSING } else { v };
            levels
                .binary_search_by(|l| l.as_str().cmp(v))
                .expect("a level of the column") as u8
        })
        .collect();
    Ok((Values::Codes(codes), levels, gaps))
}

const MISSING: &str = "(missing)";

fn missing(v: &str) -> bool {
    matches!(v.trim(), "" | "NA" | "N/A" | "NaN" | "nan" | "null" | "?")
}

fn number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A cell a spreadsheet would run as a formula (=, @, or + / − not starting a number).
fn formula(cell: &str) -> bool {
    let c = cell.trim_start();
    match c.chars().next() {
        Some('=') | Some('@') => true,
        Some('+') | Some('-') => number(c).is_none() && c.len() > 1,
        _ => false,
    }
}

/// At most 40 characters of a cell, for messages.
fn shorten(v: &str) -> String {
    let mut s: String = v.chars().take(40).collect();
    if v.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// The records of a CSV text (RFC 4180: comma-separated, fields in double quotes may hold
/// commas, newlines and doubled quotes; LF or CRLF line ends), each a row's fields.
struct Records<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Records<'a> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Records {
            text,
            at: 0,
            line: 0,
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Vec<String>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        if self.at >= bytes.len() {
            return None;
        }
        self.line += 1;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut i = self.at;
        let start_line = self.line;
        while i < bytes.len() {
            let c = self.text[i..].chars().next().expect("in bounds");
            let n = c.len_utf8();
            match (quoted, c) {
                (true, '"') if bytes.get(i + 1) == Some(&b'"') => {
                    field.push('"');
                    i += 1;
                }
                (true, '"') => quoted = false,
                (true, _) => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    field.push(c);
                }
                (false, '"') if field.is_empty() => quoted = true,
                (false, ',') => fields.push(std::mem::take(&mut field)),
                (false, '\n') => {
                    i += n;
                    break;
                }
                (false, '\r') if bytes.get(i + 1) == Some(&b'\n') => {}
                (false, _) => field.push(c),
            }
            i += n;
        }
        self.at = i;
        if quoted {
            self.at = bytes.len();
            return Some(Err(format!("row {start_line}: a quoted field never ends")));
        }
        fields.push(field);
        Some(Ok(fields
            .into_iter()
            .map(|f| f.trim().to_string())
            .collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(rows: usize) -> String {
        let mut text = String::from("age,city,id,score,bought\n");
        for i in 0..rows {
            let city = ["Paris", "\"Lyon, FR\"", ""][i % 3];
            text += &format!(
                "{},{city},u{i},{}.5,{}\n",
                20 + i % 50,
                i % 7,
                ["no", "yes"][(i % 4 == 0) as usize]
            );
        }
        text
    }

    fn choice(a: &str, b: &str, kinds: [TaskKind; 2]) -> Choice {
        Choice {
            labels: [a.into(), b.into()],
            kinds,
        }
    }

    #[test]
    fn reads_numbers_categories_and_labels_and_says_what_it_dropped() {
        let text = csv(100);
        assert_eq!(
            header(&text).unwrap(),
            ["age", "city", "id", "score", "bought"]
        );
        let (e, report) = load(
            &text,
            &choice("score", "bought", [TaskKind::Regression, TaskKind::Binary]),
        )
        .unwrap();
        assert_eq!((report.rows, report.train_rows), (100, 80));
        assert_eq!(report.numeric, ["age"]);
        assert_eq!(report.categorical, ["city"]);
        assert_eq!(report.dropped.len(), 1);
        assert!(report.dropped[0].0 == "id" && report.dropped[0].1.contains("100 distinct"));
        assert_eq!(report.positive, [None, Some("yes".into())]);
        // The quoted "Lyon, FR" is one level; empty cities a level of their own.
        assert_eq!(e.inputs[0].levels, ["(missing)", "Lyon, FR", "Paris"]);
        assert_eq!(report.missing_cells, 33);
        // One-hot city (3) + age.
        assert_eq!(e.width, 4);
        let positives = e.labels[1].iter().filter(|&&v| v == 1.0).count();
        assert_eq!(positives, 25);
        // The regression label is standardised over the training rows.
        let mean: f32 = e.labels[0][..80].iter().sum::<f32>() / 80.0;
        assert!(mean.abs() < 1e-5, "{mean}");
    }

    #[test]
    fn refuses_hostile_and_broken_files_with_the_reason() {
        let kinds = [TaskKind::Regression, TaskKind::Binary];
        let ok = choice("score", "bought", kinds);
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty"),
            ("a,b\n1,2\n".into(), "at least two labels and one input"),
            (
                csv(100).replace("u7,", "u7,=HYPERLINK(\"x\"),"),
                "fields, the header has 5",
            ),
            (
                csv(100).replace("u7,", "=cmd|' /C calc'!A0,"),
                "looks like a spreadsheet formula",
            ),
            (
                csv(100).replace("u9,", "@SUM(1),"),
                "looks like a spreadsheet formula",
            ),
            (csv(100) + "1,\"open,2,3,4\n", "never ends"),
            (csv(10), "at least 40"),
            (csv(100).replace("6.5", "nine"), "'nine' is not a number"),
            (
                csv(100).replacen(",yes\n", ",maybe\n", 1),
                "3 distinct values",
            ),
        ];
        for (text, want) in cases {
            let err = load(&text, &ok).unwrap_err();
            assert!(err.contains(want), "{want}: {err}");
        }
        let err = load(&csv(100), &choice("score", "nope", kinds)).unwrap_err();
        assert!(err.contains("no column named 'nope'"), "{err}");
        let err = load(&csv(100), &choice("score", "score", kinds)).unwrap_err();
        assert!(err.contains("two different"), "{err}");
        assert!(load(&"x".repeat(MAX_BYTES + 1), &ok)
            .unwrap_err()
            .contains("at most 20 MB"));
        // Negative numbers are numbers, not formulas.
        assert!(load(&csv(100).replace(",2", ",-2"), &ok).is_ok());
    }

    #[test]
    fn rows_without_a_label_are_dropped_and_counted() {
        let text = csv(120).replace(",yes\n", ",\n");
        let (_, report) = load(&text, &choice("score", "age", [TaskKind::Regression; 2])).unwrap();
        assert_eq!((report.rows_without_label, report.rows), (0, 120));
        let (_, report) = load(
            &csv(120).replacen("3.5,", ",", 2),
            &choice("score", "bought", [TaskKind::Regression, TaskKind::Binary]),
        )
        .unwrap();
        assert_eq!(report.rows_without_label, 2);
    }
}
