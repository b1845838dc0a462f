//! Parameters and the dense layer every model is built from.

use crate::core::kernels;
use crate::core::rng::Rng;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// A trainable tensor with its gradient and Adam's two moment estimates.
#[derive(Clone, Debug)]
pub struct Param {
    pub value: Array2<f32>,
    pub grad: Array2<f32>,
    pub(crate) m: Array2<f32>,
    pub(crate) v: Array2<f32>,
}

impl Param {
    fn new(value: Array2<f32>) -> Param {
        let zeros = Array2::zeros(value.raw_dim());
        Param {
            grad: zeros.clone(),
            m: zeros.clone(),
            v: zeros,
            value,
        }
    }
}

/// y = x·W + b. Weights are Glorot-uniform, U(±sqrt(6 / (fan_in + fan_out))), which keeps
/// activation variance roughly constant through ReLU stacks this shallow; biases start at 0.
#[derive(Clone, Debug)]
pub struct Dense {
    pub w: Param,
    pub b: Param,
    /// Scratch for Wᵀ in the input gradient, allocated once.
    wt: Vec<f32>,
}

impl Dense {
    pub fn new(inputs: usize, outputs: usize, rng: &mut Rng) -> Dense {
        Dense::side_by_side(inputs, &[outputs], rng)
    }

    /// Several layers on the same input stored as one (their weight matrices side by
    /// side), so one matrix product computes them all; each block keeps its own Glorot
    /// limit, exactly as if it were built alone.
    pub fn side_by_side(inputs: usize, blocks: &[usize], rng: &mut Rng) -> Dense {
        let outputs: usize = blocks.iter().sum();
        let mut w = Array2::zeros((inputs, outputs));
        let mut first = 0;
        for &width in blocks {
            let limit = (6.0 / (inputs + width) as f64).sqrt();
            let mut block = w.slice_mut(ndarray::s![.., first..first + width]);
            block
                .iter_mut()
                .for_each(|v| *v = ((2.0 * rng.uniform() - 1.0) * limit) as f32);
            first += width;
        }
        Dense {
            w: Param::new(w),
            b: Param::new(Array2::zeros((1, outputs))),
            wt: vec![0.0; inputs * outputs],
        }
    }

    /// Layers on the same input joined into one, their columns side by side in order
    /// (values, gradients and Adam's moments alike): the replica engine's input layer, so
    /// that one product computes every replica's experts and gates.
    pub fn concat(layers: &[Dense]) -> Dense {
        let inputs = layers[0].inputs();
        let outputs: usize = layers.iter().map(Dense::outputs).sum();
        let join = |part: fn(&Dense) -> &Array2<f32>| {
            let mut joined = Array2::zeros((part(&layers[0]).nrows(), outputs));
            let mut first = 0;
            for layer in layers {
                let block = part(layer);
                let cols = first..first + block.ncols();
                joined.slice_mut(ndarray::s![.., cols]).assign(block);
                first += block.ncols();
            }
            joined
        };
        let w = Param {
            value: join(|l| &l.w.value),
            grad: join(|l| &l.w.grad),
            m: join(|l| &l.w.m),
            v: join(|l| &l.w.v),
        };
        let b = Param {
            value: join(|l| &l.b.value),
            grad: join(|l| &l.b.grad),
            m: join(|l| &l.b.m),
            v: join(|l| &l.b.v),
        };
        Dense {
            w,
            b,
            wt: vec![0.0; inputs * outputs],
        }
    }

    pub fn inputs(&self) -> usize {
        self.w.value.nrows()
    }

    pub fn outputs(&self) -> usize {
        self.w.value.ncols()
    }

    /// y = x·W + b for every row of x (by the sparse product when x is mostly zeros:
    /// one-hot census rows).
    pub fn forward(&self, x: ArrayView2<f32>, mut y: ArrayViewMut2<f32>) {
        let (m, k, n) = (x.nrows(), self.inputs(), self.outputs());
        debug_assert_eq!((x.ncols(), y.dim()), (k, (m, n)));
        let product = if kernels::mostly_zero(slice(&x)) {
            kernels::sparse_matmul_bias
        } else {
            kernels::matmul_bias
        };
        product(
            slice(&x),
            slice(&self.w.value.view()),
            slice(&self.b.value.view()),
            slice_mut(&mut y),
            m,
            k,
            n,
        );
    }

    /// Sets the gradients from dL/dy, and writes dL/dx when asked (the input layer
    /// does not need it).
    pub fn backward(
        &mut self,
        x: ArrayView2<f32>,
        dy: ArrayView2<f32>,
        dx: Option<ArrayViewMut2<f32>>,
    ) {
        let (m, k, n) = (x.nrows(), self.inputs(), self.outputs());
        let product = if kernels::mostly_zero(slice(&x)) {
            kernels::sparse_matmul_tn
        } else {
            kernels::matmul_tn
        };
        product(
            slice(&x),
            slice(&dy),
            slice_mut(&mut self.w.grad.view_mut()),
            m,
            k,
            n,
        );
        kernels::column_sums(slice(&dy), slice_mut(&mut self.b.grad.view_mut()), m, n);
        if let Some(mut dx) = dx {
            kernels::matmul_nt(
                slice(&dy),
                slice(&self.w.value.view()),
                &mut self.wt,
                slice_mut(&mut dx),
                m,
                n,
                k,
            );
        }
    }

    pub fn params_mut(&mut self) -> [&mut Param; 2] {
        [&mut self.w, &mut self.b]
    }
}

/// max(v, 0). Written as a comparison because `f32::max` becomes a call to libm's
/// `fmaxf` on wasm32 (the instruction's NaN rule differs from Rust's); same result.
#[inline]
pub fn relu(v: f32) -> f32 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// The ReLU's backward pass: dL/dx = 0 wherever the output `y` is ≤ 0, else dL/dy.
/// Written as a select, not a conditional store: the signs of ReLU outputs are random, and
/// branching on them mispredicted often enough to be a fifth of the replica step.
#[inline]
pub fn relu_backward(grad: &mut [f32], y: &[f32]) {
    for (d, &v) in grad.iter_mut().zip(y) {
        *d = if v <= 0.0 { 0.0 } else { *d };
    }
}

/// Softmax in place, shifted by the maximum so exp never overflows.
pub fn softmax(z: &mut [f32]) {
    let max = z
        .iter()
        .fold(f32::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = libm::expf(*v - max);
        sum += *v;
    }
    z.iter_mut().for_each(|v| *v /= sum);
}

/// A standard-layout view as a slice (all our buffers are row-major and contiguous).
pub(crate) fn slice<'a>(a: &'a ArrayView2<f32>) -> &'a [f32] {
    a.as_slice().expect("row-major contiguous array")
}

pub(crate) fn slice_mut<'a>(a: &'a mut ArrayViewMut2<f32>) -> &'a mut [f32] {
    a.as_slice_mut().expect("row-major contiguous array")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::{Rng, Stream};

    #[test]
    fn dense_backward_matches_linear_function() {
        let mut rng = Rng::new(1, Stream::Init, 0);
        let mut layer = Dense::new(5, 6, &mut rng);
        let x = Array2::from_shape_simple_fn((7, 5), || rng.normal() as f32);
        let c = Array2::from_shape_simple_fn((7, 6), || rng.normal() as f32);
        // L = Σ c ⊙ (xW + b): dL/dW = xᵀc.
        layer.backward(x.view(), c.view(), None);
        let expected = x.t().dot(&c);
        let diff = (&expected - &layer.w.grad)
            .mapv(f32::abs)
            .fold(0.0f32, |a, &b| a.max(b));
        assert!(diff < 1e-5, "{diff}\n{expected}\n{}", layer.w.grad);
    }
}
