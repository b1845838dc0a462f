//! The three matrix products a dense layer needs, on row-major slices.
//!
//! Every output element is accumulated in the same order (ascending index of the summed
//! dimension, one multiply then one add per term) however the loops are tiled, blocked
//! or vectorised, and Rust never fuses or reorders float operations on its own, so these
//! give the same bits on x86-64 and wasm32, and a column of a wider product (the replica
//! engine's x·[W_1 … W_R]) is the same sum as in its own narrower product. The fast
//! versions keep a tile of the output in registers; `reference` holds the plain triple
//! loops the tests compare them against.

use std::mem::MaybeUninit;

/// Rows of the summed dimension per block: a block's panel of B (at most `KC` × 16
/// floats, 8 KB) stays in L1 while every row tile streams past it. Blocking the sum does
/// not reorder it: each element's running sum is stored and picked up again in order.
const KC: usize = 128;

/// The operands of the one tiled product behind every kernel:
///   c[r·n + j] = init[j] + Σ_p a[r·a_row + p·a_step] · b[p·n + j]   for r < rows, j < n,
/// with p ascending for every element, so tiling never changes the result.
#[derive(Clone, Copy)]
struct Gemm<'a> {
    a: &'a [f32],
    a_row: usize,
    a_step: usize,
    b: &'a [f32],
    init: Option<&'a [f32]>,
    rows: usize,
    n: usize,
    depth: usize,
}

impl Gemm<'_> {
    /// Natively on x86-64 with AVX, a 6 × 16 tile in 256-bit registers (12 independent
    /// accumulators, enough to keep two add pipes busy despite their latency; 65–75
    /// GFLOP/s per core at the paper's shapes on the Zen 4 of bench/README.md), still a
    /// multiply then an add per term (no FMA), so the bits equal the portable build's and
    /// the browser's.
    /// Elsewhere (SSE2, wasm SIMD) a 4 × 8 tile: eight 128-bit accumulators. A product with
    /// one column (a tower's output) takes 8 rows × 1 column instead of wasting a padded
    /// tile's lanes.
    fn run(self, c: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX, checked just above.
            return unsafe { self.tiled_avx(c) };
        }
        match self.n {
            1 => self.tiled::<8, 1>(c),
            _ => self.tiled::<4, 8>(c),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn tiled_avx(self, c: &mut [f32]) {
        match self.n {
            1 => self.tiled::<8, 1>(c),
            2..=8 => self.tiled::<6, 8>(c),
            _ => self.tiled::<6, 16>(c),
        }
    }

    /// Column panels of NR outermost, then blocks of KC of the summed dimension (the
    /// block's panel of B copied contiguous, zero-padded past the last column, so the
    /// edges need no scalar loop), then row tiles of MR (the last one reading its missing
    /// rows from the last row and storing only the real ones).
    #[inline(always)]
    fn tiled<const MR: usize, const NR: usize>(self, c: &mut [f32]) {
        let Gemm {
            a,
            a_row,
            a_step,
            b,
            init,
            rows,
            n,
            depth,
        } = self;
        assert!(MR <= 8 && c.len() >= rows * n);
        if rows == 0 {
            return;
        }
        // Uninitialised (zeroing 8 KB per product was 2% of the replica step): each block
        // writes its first `kc` rows before the loop below reads them.
        let mut panel = [const { MaybeUninit::<[f32; NR]>::uninit() }; KC];
        for j in (0..n).step_by(NR) {
            let cols = NR.min(n - j);
            for k0 in (0..depth.max(1)).step_by(KC) {
                let kc = KC.min(depth - k0);
                for (p, slot) in panel.iter_mut().take(kc).enumerate() {
                    let at = (k0 + p) * n + j;
                    // A full row is one fixed-length copy (vector moves, not a loop).
                    let row: [f32; NR] = match b[at..at + cols].try_into() {
                        Ok(full) => full,
                        Err(_) => {
                            std::array::from_fn(|jj| if jj < cols { b[at + jj] } else { 0.0 })
                        }
                    };
                    slot.write(row);
                }
                for i in (0..rows).step_by(MR) {
                    let row = |r: usize| (i + r).min(rows - 1);
                    // `tile` takes the loads and stores of dynamic extent, so that `acc`,
                    // only ever indexed statically, lives in registers.
                    let mut tile = [[0.0f32; NR]; MR];
                    for (r, tile_row) in tile.iter_mut().enumerate() {
                        for (jj, v) in tile_row[..cols].iter_mut().enumerate() {
                            *v = match (k0, init) {
                                (0, Some(bias)) => bias[j + jj],
                                (0, None) => 0.0,
                                _ => c[row(r) * n + j + jj],
                            };
                        }
                    }
                    let mut acc = tile;
                    let base: [usize; MR] = std::array::from_fn(|r| row(r) * a_row + k0 * a_step);
                    // The last element the loop below reads from each operand; checking these
                    // once per tile instead of on every load makes the kernel ~1.4× faster in
                    // wasm (V8 keeps every bounds check).
                    if kc > 0 {
                        assert!(base.iter().all(|&o| o + (kc - 1) * a_step < a.len()));
                    }
                    for (p, slot) in panel.iter().take(kc).enumerate() {
                        // SAFETY: p < kc, so this panel row was written above; the A offsets
                        // are at most the last ones asserted above.
                        let brow = unsafe { slot.assume_init_ref() };
                        let av: [f32; MR] = std::array::from_fn(|r| unsafe {
                            *a.get_unchecked(base[r] + p * a_step)
                        });
                        rank_one(&mut acc, &av, brow);
                    }
                    tile = acc;
                    for (r, tile_row) in tile.iter().enumerate().take(rows - i) {
                        let at = (i + r) * n + j;
                        // A full tile row is stored with a fixed length (inline, not a call
                        // to memcpy, which was 7% of the replica step).
                        if cols == NR {
                            c[at..at + NR].copy_from_slice(tile_row);
                        } else {
                            c[at..at + cols].copy_from_slice(&tile_row[..cols]);
                        }
                    }
                }
            }
        }
    }
}

/// acc[r] += av[r] · brow for every row r < MR ≤ 8 of a register tile: one term of each
/// element's sum. Written out row by row rather than as a loop over r: LLVM's full-unroll
/// cost model left the 6 × 16 loop rolled in the release build (LTO, one codegen unit),
/// its accumulators in memory, at 60% of this speed. The `r < MR` tests are constants.
#[inline(always)]
fn rank_one<const MR: usize, const NR: usize>(
    acc: &mut [[f32; NR]; MR],
    av: &[f32; MR],
    brow: &[f32; NR],
) {
    macro_rules! row {
        ($($r:literal)*) => {$(
            if $r < MR {
                for (v, &bv) in acc[$r].iter_mut().zip(brow) {
                    *v += av[$r] * bv;
                }
            }
        )*};
    }
    row!(0 1 2 3 4 5 6 7);
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
    Gemm {
        a,
        a_row: k,
        a_step: 1,
        b,
        init: Some(bias),
        rows: m,
        n,
        depth: k,
    }
    .run(c);
}

/// c (k×n) = aᵀ · d, with a (m×k) and d (m×n): the weight gradient of a dense layer.
pub fn matmul_tn(a: &[f32], d: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(a.len() >= m * k && d.len() >= m * n && c.len() >= k * n);
    Gemm {
        a,
        a_row: 1,
        a_step: k,
        b: d,
        init: None,
        rows: k,
        n,
        depth: m,
    }
    .run(c);
}

/// c (m×k) = d (m×n) · bᵀ, with b (k×n): the input gradient of a dense layer. `bt`
/// (at least n·k) receives bᵀ first, so the product runs on the tiled kernel: a dot
/// product per element was a fifth of Shared-Bottom's step (its tower inputs are wide).
pub fn matmul_nt(
    d: &[f32],
    b: &[f32],
    bt: &mut [f32],
    c: &mut [f32],
    m: usize,
    n: usize,
    k: usize,
) {
    assert!(d.len() >= m * n && b.len() >= k * n && bt.len() >= n * k && c.len() >= m * k);
    for (kk, brow) in b[..k * n].chunks_exact(n).enumerate() {
        for (j, &v) in brow.iter().enumerate() {
            bt[j * k + kk] = v;
        }
    }
    Gemm {
        a: d,
        a_row: n,
        a_step: 1,
        b: bt,
        init: None,
        rows: m,
        n: k,
        depth: n,
    }
    .run(c);
}

/// Whether at most one entry in eight of `a` is non-zero: a batch of one-hot census rows
/// (~38 of 486), which the sparse products below take ~10× faster.
pub fn mostly_zero(a: &[f32]) -> bool {
    a.iter().filter(|&&v| v != 0.0).count() * 8 <= a.len()
}

/// `matmul_bias` for a mostly-zero `a`: each row of c starts at the bias and adds
/// a[r, p]·b[p, ·] for the non-zero a[r, p] in ascending p. That is the dense kernel's sum
/// without its zero terms, so the same bits (adding ±0 never changes a sum, but for the
/// sign of an exact zero, which no later step tells apart).
pub fn sparse_matmul_bias(
    a: &[f32],
    b: &[f32],
    bias: &[f32],
    c: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
) {
    assert!(a.len() >= m * k && b.len() >= k * n && bias.len() >= n && c.len() >= m * n);
    for r in 0..m {
        let out = &mut c[r * n..(r + 1) * n];
        out.copy_from_slice(&bias[..n]);
        for (p, &v) in a[r * k..(r + 1) * k].iter().enumerate() {
            if v != 0.0 {
                axpy(out, v, &b[p * n..(p + 1) * n]);
            }
        }
    }
}

/// `matmul_tn` for a mostly-zero `a`: c[p, ·] gathers a[r, p]·d[r, ·] over the rows r in
/// ascending order, skipping zero a[r, p] (the same bits, as above).
pub fn sparse_matmul_tn(a: &[f32], d: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(a.len() >= m * k && d.len() >= m * n && c.len() >= k * n);
    c[..k * n].fill(0.0);
    for r in 0..m {
        let dr = &d[r * n..(r + 1) * n];
        for (p, &v) in a[r * k..(r + 1) * k].iter().enumerate() {
            if v != 0.0 {
                axpy(&mut c[p * n..(p + 1) * n], v, dr);
            }
        }
    }
}

/// y += a·x, one multiply then one add per element.
#[inline(always)]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (yv, &xv) in y.iter_mut().zip(x) {
        *yv += a * xv;
    }
}

/// Σ a_i·b_i over the shorter slice, summed in four interleaved lanes (lane = i mod 4)
/// and then (l0 + l1) + (l2 + l3). The order is fixed, so every target gives the same
/// bits, and unlike one running sum it vectorises.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail = a4.remainder().iter().zip(b4.remainder());
    for (x, y) in a4.zip(b4) {
        for l in 0..4 {
            lanes[l] += x[l] * y[l];
        }
    }
    for (l, (&x, &y)) in tail.enumerate() {
        lanes[l] += x * y;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
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
    /// c[i·n + j] = init(j) + Σ_p term(i, j, p) for p < depth, one term at a time in
    /// ascending p.
    fn sums(
        rows: usize,
        n: usize,
        depth: usize,
        init: impl Fn(usize) -> f32,
        term: impl Fn(usize, usize, usize) -> f32,
    ) -> Vec<f32> {
        let mut c = vec![0.0; rows * n];
        for i in 0..rows {
            for j in 0..n {
                c[i * n + j] = (0..depth).fold(init(j), |s, p| s + term(i, j, p));
            }
        }
        c
    }

    pub fn matmul_bias(
        a: &[f32],
        b: &[f32],
        bias: &[f32],
        m: usize,
        k: usize,
        n: usize,
    ) -> Vec<f32> {
        sums(m, n, k, |j| bias[j], |i, j, p| a[i * k + p] * b[p * n + j])
    }

    pub fn matmul_nt(d: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
        sums(m, k, n, |_| 0.0, |i, kk, j| d[i * n + j] * b[kk * n + j])
    }

    pub fn matmul_tn(a: &[f32], d: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        sums(k, n, m, |_| 0.0, |kk, j, i| a[i * k + kk] * d[i * n + j])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::{Rng, Stream};

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
            // Sums longer than a block, rows not a multiple of either tile, one column.
            (131, 300, 37),
            (128, 8, 1),
            (100, 128, 786),
            (0, 3, 5),
            (3, 0, 5),
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

            // The portable loops too, whichever ones this CPU dispatches to.
            let forward = Gemm {
                a: &a,
                a_row: k,
                a_step: 1,
                b: &b,
                init: Some(&bias),
                rows: m,
                n,
                depth: k,
            };
            for tile in [
                Gemm::tiled::<4, 8>,
                Gemm::tiled::<6, 8>,
                Gemm::tiled::<6, 16>,
                Gemm::tiled::<8, 1>,
            ] {
                let mut portable = vec![f32::NAN; m * n];
                tile(forward, &mut portable);
                assert_eq!(portable, c, "{m}x{k}x{n}");
            }

            // The sparse products on a one-hot-like a (one entry in ten non-zero).
            let sparse: Vec<f32> = a
                .iter()
                .enumerate()
                .map(|(i, &v)| if i % 10 == 3 { v + 1.0 } else { 0.0 })
                .collect();
            assert!(mostly_zero(&sparse) && (a.is_empty() || !mostly_zero(&b)));
            let mut c = vec![f32::NAN; m * n];
            sparse_matmul_bias(&sparse, &b, &bias, &mut c, m, k, n);
            let want = reference::matmul_bias(&sparse, &b, &bias, m, k, n);
            assert_eq!(c, want, "sparse {m}x{k}x{n}");
            let mut g = vec![f32::NAN; k * n];
            sparse_matmul_tn(&sparse, &d, &mut g, m, k, n);
            let want = reference::matmul_tn(&sparse, &d, m, k, n);
            assert_eq!(g, want, "sparse {m}x{k}x{n}");

            let mut bt = vec![f32::NAN; k * n];
            let mut dx = vec![f32::NAN; m * k];
            matmul_nt(&d, &b, &mut bt, &mut dx, m, n, k);
            assert_eq!(dx, reference::matmul_nt(&d, &b, m, n, k), "{m}x{k}x{n}");
        }
    }

    #[test]
    fn transposed_products_are_correct() {
        // d (2×3) · bᵀ with b (2×3)
        let d = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 0.0, -1.0, 2.0, 1.0, 0.0];
        let (mut bt, mut c) = ([0.0; 6], [0.0; 4]);
        matmul_nt(&d, &b, &mut bt, &mut c, 2, 3, 2);
        assert_eq!(c, [-2.0, 4.0, -2.0, 13.0]);
        let mut s = [0.0; 3];
        column_sums(&d, &mut s, 2, 3);
        assert_eq!(s, [5.0, 7.0, 9.0]);
        // Lanes: (1·1 + 5·5) + (2·2 + 6·6) + (3·3) + (4·4) for lengths 6 and 7.
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        assert_eq!(dot(&v[..6], &v[..6]), 91.0);
        assert_eq!(dot(&v, &v), 140.0);
        assert_eq!(dot(&v, &v[..2]), 5.0);
    }
}
