//! A task's tower h^k (paper eq. 5): one ReLU layer of `tower_units`, then a linear output,
//! with its own activations and their gradients allocated once.

use crate::core::layers::{relu, relu_backward, Dense, Param};
use crate::core::rng::Rng;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

#[derive(Clone, Debug)]
pub struct Tower {
    hidden: Dense,
    out: Dense,
    rows: usize,
    h: Array2<f32>,
    dh: Array2<f32>,
    y: Array2<f32>,
    dy: Array2<f32>,
}

impl Tower {
    /// Draws the hidden layer's weights, then the output layer's, from `rng`.
    pub fn new(inputs: usize, units: usize, rows: usize, rng: &mut Rng) -> Tower {
        let hidden = Dense::new(inputs, units, rng);
        let out = Dense::new(units, 1, rng);
        Tower {
            hidden,
            out,
            rows: 0,
            h: Array2::zeros((rows, units)),
            dh: Array2::zeros((rows, units)),
            y: Array2::zeros((rows, 1)),
            dy: Array2::zeros((rows, 1)),
        }
    }

    /// ŷ = out(ReLU(hidden(input))) for every row of `input`.
    pub fn forward(&mut self, input: ArrayView2<f32>) {
        let rows = input.nrows();
        if rows > self.h.nrows() {
            let units = self.hidden.outputs();
            self.h = Array2::zeros((rows, units));
            self.dh = Array2::zeros((rows, units));
            self.y = Array2::zeros((rows, 1));
            self.dy = Array2::zeros((rows, 1));
        }
        self.rows = rows;
        let mut h = self.h.slice_mut(s![..rows, ..]);
        self.hidden.forward(input, h.view_mut());
        h.mapv_inplace(relu);
        self.out.forward(h.view(), self.y.slice_mut(s![..rows, ..]));
    }

    /// The last forward pass's hidden ReLU units, rows × units.
    pub fn hidden_outputs(&self) -> ArrayView2<'_, f32> {
        self.h.slice(s![..self.rows, ..])
    }

    /// The last forward pass's outputs, one per row.
    pub fn outputs(&self) -> &[f32] {
        &self.y.as_slice().expect("contiguous")[..self.rows]
    }

    /// The outputs and where the loss writes dL/dŷ.
    pub fn outputs_and_grad(&mut self) -> (&[f32], &mut [f32]) {
        let rows = self.rows;
        (
            &self.y.as_slice().expect("contiguous")[..rows],
            &mut self.dy.as_slice_mut().expect("contiguous")[..rows],
        )
    }

    /// From dL/dŷ (set by the loss), sets every parameter's gradient and writes dL/dinput.
    pub fn backward(&mut self, input: ArrayView2<f32>, dinput: ArrayViewMut2<f32>) {
        let rows = self.rows;
        let h = self.h.slice(s![..rows, ..]);
        let mut dh = self.dh.slice_mut(s![..rows, ..]);
        self.out
            .backward(h, self.dy.slice(s![..rows, ..]), Some(dh.view_mut()));
        relu_backward(
            dh.as_slice_mut().expect("contiguous"),
            h.as_slice().expect("contiguous"),
        );
        self.hidden.backward(input, dh.view(), Some(dinput));
    }

    /// The four parameter tensors: hidden w, b, then output w, b.
    pub fn params_mut(&mut self) -> [&mut Param; 4] {
        let [hw, hb] = self.hidden.params_mut();
        let [ow, ob] = self.out.params_mut();
        [hw, hb, ow, ob]
    }

    /// The weight matrices (hidden, then output), each one Glorot block.
    pub fn weights(&self) -> [ArrayView2<'_, f32>; 2] {
        [self.hidden.w.value.view(), self.out.w.value.view()]
    }

    pub fn parameter_count(&self) -> usize {
        [&self.hidden, &self.out]
            .iter()
            .map(|l| l.w.value.len() + l.b.value.len())
            .sum()
    }

    /// FLOPs of forward, weight and input gradients on `batch` rows.
    pub fn flops_per_step(&self, batch: usize) -> u64 {
        [&self.hidden, &self.out]
            .iter()
            .map(|l| 3 * 2 * (batch * l.inputs() * l.outputs()) as u64)
            .sum()
    }
}
