//! The training step allocates nothing after warm-up: every buffer lives in the model's
//! workspace or the trainer. Counted with a global allocator that tallies calls.

use mmoe::{ModelKind, Session, Settings};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..50 {
            trainer.train_step(data).unwrap();
        }
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(
            during, 0,
            "{}: {during} allocations in 50 steps",
            trainer.model.kind
        );
    }
}
