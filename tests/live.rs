//! The live Figure 4's cells in one worker (`experiment::live`): any subset of models,
//! correlations and seeds, and a live model handed over when the slider moves, each
//! train exactly as the same cell alone (`mmoe train`), bit for bit.

use mmoe::experiment::grid::Cell;
use mmoe::experiment::live::{LiveCell, LiveCells};
use mmoe::{Dataset, ModelKind, Session, Settings, Trainer};

fn base() -> Settings {
    Settings {
        test_samples: 300,
        ..Settings::default()
    }
}

fn at(settings: &Settings, cell: Cell) -> Settings {
    Settings {
        correlation: cell.correlation,
        seed: cell.seed,
        ..settings.clone()
    }
}

/// Every step's losses of `cell` trained alone for `steps` steps, [step, loss 1, loss 2]*.
fn solo(cell: Cell, steps: usize) -> Vec<f64> {
    let s = at(&base(), cell);
    let data = Dataset::generate(&s);
    let mut trainer = Trainer::new(cell.model, &s, &data);
    (1..=steps)
        .flat_map(|step| {
            let l = trainer.train_step(&data).expect("finite");
            [step as f64, l[0], l[1]]
        })
        .collect()
}

fn cell(model: ModelKind, correlation: f64, seed: u32) -> Cell {
    Cell {
        model,
        correlation,
        seed,
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn any_cells_of_several_seeds_train_as_they_would_alone() {
    use ModelKind::*;
    // A worker's share from the page's plan: not a full grid, seeds interleaved.
    let cells = [
        cell(Mmoe, 0.5, 2),
        cell(Sb, 1.0, 1),
        cell(Omoe, 1.0, 2),
        cell(Cgc, 0.5, 1),
        cell(Mmoe, 1.0, 1),
    ];
    let live: Vec<LiveCell> = cells
        .iter()
        .enumerate()
        .map(|(i, &cell)| LiveCell {
            id: 10 + i as u32,
            cell,
        })
        .collect();
    let mut held = LiveCells::new(&base(), &live);
    assert_eq!(held.len(), 5);
    held.advance(12);
    held.advance(13);
    for i in 0..held.len() {
        let c = held.cell(i).unwrap();
        assert!(live.contains(&c), "cell {i} is one of those asked for");
        assert!(!held.diverged(i));
        assert_eq!(
            bits(&held.take_losses(i)),
            bits(&solo(c.cell, 25)),
            "{:?}",
            c.cell
        );
        assert!(held.take_losses(i).is_empty(), "taken once");
    }
    assert!(held.cell(5).is_none());
}

#[test]
fn a_live_model_handed_over_when_the_slider_moves_goes_on_as_its_cell() {
    let start = at(&base(), cell(ModelKind::Mmoe, 0.5, 3));
    let mut session = Session::new(start, &[ModelKind::Sb, ModelKind::Mmoe]).unwrap();
    let mut held = LiveCells::new(&base(), &[]);
    assert!(held.is_empty());
    for _ in 0..20 {
        for t in &mut session.trainers {
            t.train_step(&session.data).unwrap();
        }
    }
    // The slider moves: MMoE's cell at p = 0.5 takes the live model's state and data.
    let handed = cell(ModelKind::Mmoe, 0.5, 3);
    held.adopt(7, handed, session.trainers[1].clone(), session.data.clone());
    session.set_correlation(0.9).unwrap();
    held.advance(15);
    let alone = solo(handed, 35);
    assert_eq!(held.cell(0).unwrap().id, 7);
    assert_eq!(bits(&held.take_losses(0)), bits(&alone[3 * 20..]));
    // The live model really moved on to p = 0.9: its next loss differs from the cell's.
    let live = session.trainers[1].train_step(&session.data).unwrap();
    assert_ne!(live[1].to_bits(), alone[3 * 20 + 2].to_bits());
}

#[test]
fn the_learning_rate_reaches_every_cell() {
    let c = cell(ModelKind::Omoe, 1.0, 4);
    let mut held = LiveCells::new(&base(), &[LiveCell { id: 0, cell: c }]);
    let s = at(&base(), c);
    let data = Dataset::generate(&s);
    held.adopt(1, c, Trainer::new(c.model, &s, &data), data.clone());
    held.set_learning_rate(0.05);
    held.advance(5);
    let fast = Settings { lr: 0.05, ..s };
    let expected: Vec<f64> = {
        let mut t = Trainer::new(c.model, &fast, &data);
        (1..=5)
            .flat_map(|step| {
                let l = t.train_step(&data).unwrap();
                [step as f64, l[0], l[1]]
            })
            .collect()
    };
    assert_eq!(bits(&held.take_losses(0)), bits(&expected));
    assert_eq!(bits(&held.take_losses(1)), bits(&expected));
}
