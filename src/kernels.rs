//! The three matrix products a dense layer needs, on row-major slices.
//!
//! Every output element is accumulated in the same order (ascending index of the summed
//! dimension) however the loops are vectorised, and Rust never fuses or reorders float
//! operations on its own, so these give the same bits on x86-64 and wasm32. The fast
//! versions keep a tile of the output in registers; `reference` holds the plain
//! triple loops the tests compare them against.

/// Rows × columns of the register tile: 4×8 accumulators fill eight 128-bit registers,
/// leaving room for the loaded row of B on both SSE2 and wasm SIMD.
const MR: usize = 4;
const NR: usize = 8;

/// The one tiled product behind the forward and weight-gradient kernels:
///   c[r·n + j] = init[j] + Σ_p a[r·a_row + p·a_step] · b[p·n + j]   for r < rows, j < n,
/// with p ascending for every element, so tiling never changes the result.
#[allow(clippy::too_many_arguments)]
fn gemm(
    a: &[f32],
    a_row: usize,
    a_step: usize,
    b: &[f32],
    init: Option<&[f32]>,
    c: &mut [f32],
    rows: usize,
    n: usize,
    depth: usize,
) {
    let start = |j: usize| init.map_or(0.0, |bias| bias[j]);
    let full_rows = rows - rows % MR;
    let full_cols = n - n % NR;
    // Column panels outermost: one k×NR panel of B stays in L1 while every row tile
    // streams past it.
    for j in (0..full_cols).step_by(NR) {
        for i in (0..full_rows).step_by(MR) {
            let mut acc = [[0.0f32; NR]; MR];
            for row in acc.iter_mut() {
                for (jj, v) in row.iter_mut().enumerate() {
                    *v = start(j + jj);
                }
            }
            for p in 0..depth {
                let brow: &[f32; NR] = b[p * n + j..p * n + j + NR].try_into().unwrap();
                for (r, row) in acc.iter_mut().enumerate() {
                    let av = a[(i + r) * a_row + p * a_step];
                    for (v, &bv) in row.iter_mut().zip(brow) {
                        *v += av * bv;
                    }
                }
            }
            for (r, row) in acc.iter().enumerate() {
                c[(i + r) * n + j..(i + r) * n + j + NR].copy_from_slice(row);
            }
        }
    }
    // The edges: rows below the last full tile, and columns right of it.
    let edge = |i: usize, j: usize| {
        let mut v = start(j);
        for p in 0..depth {
            v += a[i * a_row + p * a_step] * b[p * n + j];
        }
        v
    };
    for i in 0..rows {
        let cols = if i < full_rows { full_cols..n } else { 0..n };
        for j in cols {
            c[i * n + j] = edge(i, j);
        }
    }
}

/// c (m×n) = a (m×k) · b (k×n) + bias (n): the forward pass of a dense layer.
pub fn matmul_bias(
    a: &[f32],
    b: &[f32],
    bias: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
) {
    assert!(a.len() >= m * k && b.len() >= k * n && bias.len() >= n && c.len() >= m * n);
    gemm(a, k, 1, b, Some(bias), c, m, n, k);
}

/// c (k×n) = aᵀ · d, with a (m×k) and d (m×n): the weight gradient of a dense layer.
pub fn matmul_tn(a: &[f32], d: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(a.len() >= m * k && d.len() >= m * n && c.len() >= k * n);
    gemm(a, 1, k, d, None, c, k, n, m);
}

/// c (m×k) = d (m×n) · bᵀ, with b (k×n): the input gradient of a dense layer.
pub fn matmul_nt(d: &[f32], b: &[f32], c: &mut [f32], m: usize, n: usize, k: usize) {
    assert!(d.len() >= m * n && b.len() >= k * n && c.len() >= m * k);
    for i in 0..m {
        let drow = &d[i * n..(i + 1) * n];
        for kk in 0..k {
            let brow = &b[kk * n..(kk + 1) * n];
            c[i * k + kk] = drow.iter().zip(brow).fold(0.0, |s, (&x, &y)| s + x * y);
        }
    }
}

/// c (n) = column sums of d (m×n): the bias gradient.
pub fn column_sums(d: &[f32], c: &mut [f32], m: usize, n: usize) {
    c[..n].fill(0.0);
    for row in d[..m * n].chunks_exact(n) {
        for (cv, &dv) in c.iter_mut().zip(row) {
            *cv += dv;
        }
    }
}

/// The plain triple loops, in the same summation order: what the fast kernels must equal.
#[cfg(test)]
pub mod reference {
    pub fn matmul_bias(
        a: &[f32],
        b: &[f32],
        bias: &[f32],
        m: usize,
        k: usize,
        n: usize,
    ) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = bias[j];
                for kk in 0..k {
                    s += a[i * k + kk] * b[kk * n + j];
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    pub fn matmul_tn(a: &[f32], d: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; k * n];
        for kk in 0..k {
            for j in 0..n {
                let mut s = 0.0;
                for i in 0..m {
                    s += a[i * k + kk] * d[i * n + j];
                }
                c[kk * n + j] = s;
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Rng, Stream};

    fn random(rng: &mut Rng, len: usize, zeros: bool) -> Vec<f32> {
        (0..len)
            .map(|_| {
                let v = rng.normal() as f32;
                if zeros && v < 0.0 {
                    0.0
                } else {
                    v
                }
            })
            .collect()
    }

    #[test]
    fn fast_kernels_equal_the_reference_bit_for_bit() {
        let mut rng = Rng::new(11, Stream::Init, 0);
        for &(m, k, n) in &[
            (1, 1, 1),
            (4, 3, 16),
            (7, 5, 33),
            (128, 100, 128),
            (13, 17, 8),
            (9, 2, 40),
        ] {
            let a = random(&mut rng, m * k, true);
            let b = random(&mut rng, k * n, false);
            let bias = random(&mut rng, n, false);
            let mut c = vec![f32::NAN; m * n];
            matmul_bias(&a, &b, &bias, &mut c, m, k, n);
            assert_eq!(
                c,
                reference::matmul_bias(&a, &b, &bias, m, k, n),
                "{m}x{k}x{n}"
            );

            let d = random(&mut rng, m * n, false);
            let mut g = vec![f32::NAN; k * n];
            matmul_tn(&a, &d, &mut g, m, k, n);
            assert_eq!(g, reference::matmul_tn(&a, &d, m, k, n), "{m}x{k}x{n}");
        }
    }

    #[test]
    fn transposed_products_are_correct() {
        // d (2×3) · bᵀ with b (2×3)
        let d = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 0.0, -1.0, 2.0, 1.0, 0.0];
        let mut c = [0.0; 4];
        matmul_nt(&d, &b, &mut c, 2, 3, 2);
        assert_eq!(c, [-2.0, 4.0, -2.0, 13.0]);
        let mut s = [0.0; 3];
        column_sums(&d, &mut s, 2, 3);
        assert_eq!(s, [5.0, 7.0, 9.0]);
    }
}
