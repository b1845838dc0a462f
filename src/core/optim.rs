//! Adam (Kingma & Ba 2015), with bias correction.

use crate::core::layers::Param;
use std::ops::Range;

#[derive(Clone, Debug)]
pub struct Adam {
    pub lr: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    /// beta1^t and beta2^t, kept as running products (not `powi`) so every platform
    /// computes the same bits.
    beta1_t: f32,
    beta2_t: f32,
}

impl Adam {
    pub fn new(lr: f64, beta1: f64, beta2: f64, epsilon: f64) -> Adam {
        Adam {
            lr: lr as f32,
            beta1: beta1 as f32,
            beta2: beta2 as f32,
            epsilon: epsilon as f32,
            beta1_t: 1.0,
            beta2_t: 1.0,
        }
    }

    /// Advances the step count; call once per training step before `update`.
    pub fn begin_step(&mut self) {
        self.beta1_t *= self.beta1;
        self.beta2_t *= self.beta2;
    }

    /// θ ← θ − lr · m̂ / (sqrt(v̂) + ε), on every entry of `p`.
    pub fn update(&self, p: &mut Param) {
        self.apply(
            p.value.as_slice_mut().expect("contiguous"),
            p.grad.as_slice().expect("contiguous"),
            p.m.as_slice_mut().expect("contiguous"),
            p.v.as_slice_mut().expect("contiguous"),
        );
    }

    /// The same update on columns `cols` of every row of `p` only: one replica's block of
    /// the replica engine's wide input layer. Each entry's update reads nothing but its
    /// own value, gradient and moments, so the bits equal those of `update` on the
    /// replica's own layer.
    pub fn update_columns(&self, p: &mut Param, cols: Range<usize>) {
        let n = p.value.ncols();
        let values = p.value.as_slice_mut().expect("contiguous");
        let grads = p.grad.as_slice().expect("contiguous");
        let ms = p.m.as_slice_mut().expect("contiguous");
        let vs = p.v.as_slice_mut().expect("contiguous");
        for row in 0..values.len() / n {
            let at = row * n + cols.start..row * n + cols.end;
            self.apply(
                &mut values[at.clone()],
                &grads[at.clone()],
                &mut ms[at.clone()],
                &mut vs[at],
            );
        }
    }

    fn apply(&self, values: &mut [f32], grads: &[f32], ms: &mut [f32], vs: &mut [f32]) {
        let (b1, b2) = (self.beta1, self.beta2);
        let step = self.lr / (1.0 - self.beta1_t);
        let v_correction = 1.0 / (1.0 - self.beta2_t);
        for (((w, &g), m), v) in values.iter_mut().zip(grads).zip(ms).zip(vs) {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *w -= step * *m / ((*v * v_correction).sqrt() + self.epsilon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::layers::Dense;
    use crate::core::rng::{Rng, Stream};

    #[test]
    fn first_step_moves_each_weight_by_lr_against_its_gradient_sign() {
        let mut layer = Dense::new(3, 2, &mut Rng::new(1, Stream::Init, 0));
        let before = layer.w.value.clone();
        layer.w.grad.fill(0.5);
        layer.w.grad[[0, 0]] = -2.0;
        let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8);
        adam.begin_step();
        adam.update(&mut layer.w);
        let moved = &before - &layer.w.value;
        assert!((moved[[0, 0]] + 0.1).abs() < 1e-5, "{moved}");
        assert!((moved[[1, 1]] - 0.1).abs() < 1e-5, "{moved}");
    }
}
