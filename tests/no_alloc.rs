//! The training step allocates nothing after warm-up, alone or in the replica engine:
//! every buffer lives in the model, the trainer or the engine. Counted with a global
//! allocator that tallies each thread's calls.

use mmoe::core::replicas::Replicas;
use mmoe::{Dataset, ModelKind, Session, Settings, Trainer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread (the tests run on parallel threads).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the slot may already be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_do_not_allocate_after_warm_up() {
    let settings = Settings {
        train_samples: 1000,
        test_samples: 100,
        gate_dropout: 0.1,
        ..Settings::default()
    };
    let mut session = Session::new(settings, &ModelKind::ALL).unwrap();
    let data = &session.data;
    for trainer in &mut session.trainers {
        for _ in 0..20 {
            trainer.train_step(data).unwrap();
        }
        let before = allocations();
        for _ in 0..50 {
            trainer.train_step(data).unwrap();
        }
        let during = allocations() - before;
        assert_eq!(
            during, 0,
            "{}: {during} allocations in 50 steps",
            trainer.model.kind
        );
    }
}

#[test]
fn a_session_step_on_its_shared_batch_does_not_allocate_after_warm_up() {
    let mut session = Session::new(Settings::default(), &ModelKind::ALL).unwrap();
    let mut losses = Vec::new();
    for _ in 0..20 {
        session.train_step(&mut losses);
    }
    let before = allocations();
    for _ in 0..50 {
        session.train_step(&mut losses);
    }
    assert_eq!(allocations() - before, 0);
    assert!(losses.iter().all(Result::is_ok));
}

#[test]
fn replica_engine_steps_do_not_allocate_after_warm_up() {
    let settings = |correlation| Settings {
        correlation,
        train_samples: 1000,
        test_samples: 100,
        gate_dropout: 0.1,
        ..Settings::default()
    };
    let all = [settings(1.0), settings(0.5)];
    let data: Vec<Dataset> = all.iter().map(Dataset::generate).collect();
    let refs: Vec<&Dataset> = data.iter().collect();
    let trainers = (0..all.len())
        .flat_map(|d| ModelKind::ALL.map(|kind| (kind, d)))
        .map(|(kind, d)| (Trainer::new(kind, &all[d], &data[d]), d))
        .collect();
    let mut engine = Replicas::new(trainers, &refs);
    for _ in 0..20 {
        engine.train_step(&refs);
    }
    let before = allocations();
    for _ in 0..50 {
        engine.train_step(&refs);
    }
    let during = allocations() - before;
    assert_eq!(during, 0, "{during} allocations in 50 steps");
}
