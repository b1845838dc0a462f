//! A seeded, portable random number generator.
//!
//! Every random draw in the project (data, initial weights, mini-batches, gate
//! dropout) comes from here, so that the same settings and seed give the same bits
//! natively and in the browser. SplitMix64 is tiny, passes BigCrush, and uses only
//! integer arithmetic. Normal draws use Marsaglia and Tsang's ziggurat (2000): nearly
//! every draw is one integer, one multiply and one comparison, several times cheaper
//! than Box–Muller's log, sqrt, sin and cos — it matters because streaming data draws
//! d = 100 normals per training row. Its tables and rare slow paths use `libm`, a
//! pure-Rust maths library whose results do not depend on the platform's C library.
//! Square roots use the CPU's instruction (IEEE 754 rounds it exactly, on x86-64 and in
//! wasm alike).

use std::sync::OnceLock;

/// Independent streams derived from one seed: changing how many numbers one stream
/// consumes never shifts another (e.g. the batches do not depend on the model size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// The task directions u1, u2 and the sinusoid constants alpha, beta.
    Directions = 1,
    /// The inputs x and the label noise.
    Samples = 2,
    /// Initial weights (mixed with the model's id so each model starts its own way).
    Init = 3,
    /// Mini-batch order (shared by all models so they see the same batches).
    Batches = 4,
    /// Gate dropout masks.
    Dropout = 5,
    /// Streaming training rows (shared by all models so they see the same rows).
    Rows = 6,
}

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Clone, Debug, PartialEq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for one stream of one seed; `salt` separates sub-streams (a model id).
    pub fn new(seed: u32, stream: Stream, salt: u64) -> Self {
        let mut mixer = Rng {
            state: (seed as u64)
                ^ ((stream as u64) << 40)
                ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        };
        // Warm up so that nearby seeds give unrelated sequences.
        let state = mixer.next_u64() ^ mixer.next_u64().rotate_left(17);
        Rng { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in 0..n (n > 0), by Lemire's multiply-shift; the bias is below 2^-32
    /// for every n this project uses.
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Standard normal draw by the ziggurat method: the density is covered by `LAYERS`
    /// strips of equal area; a draw picks a strip and a point in it, and is accepted at
    /// once when the point lies inside the strip's inner rectangle (98.8% of draws).
    pub fn normal(&mut self) -> f64 {
        let z = ziggurat();
        loop {
            let bits = self.next_u64();
            let layer = (bits & (LAYERS as u64 - 1)) as usize;
            // Bit 7 of the draw is the sign, set without a branch: flipping the sign bit
            // of x ≥ 0 is exactly -1.0 * x (a coin-flip branch mispredicts half the time).
            let sign = (bits & LAYERS as u64) << (63 - LAYERS.trailing_zeros());
            // Below 2^53, so the signed conversion (one instruction) gives the same value.
            let u = ((bits >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64);
            let x = u * z.x[layer];
            if x < z.x[layer + 1] {
                return f64::from_bits(x.to_bits() | sign);
            }
            let sign = if sign != 0 { -1.0 } else { 1.0 };
            if layer == 0 {
                // The base strip's part beyond r: the tail, by Marsaglia's 1964 method.
                loop {
                    let a = -libm::log(1.0 - self.uniform()) / z.x[1];
                    let b = -libm::log(1.0 - self.uniform());
                    if 2.0 * b > a * a {
                        return sign * (z.x[1] + a);
                    }
                }
            }
            // Between the inner rectangle and the curve: accept under the density.
            let y = z.f[layer] + self.uniform() * (z.f[layer + 1] - z.f[layer]);
            if y < libm::exp(-0.5 * x * x) {
                return sign * x;
            }
        }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Strips of the ziggurat (a power of two: the low bits of a draw pick one).
const LAYERS: usize = 128;

/// Strip edges x_0 > x_1 = r > … > x_LAYERS = 0 and the density f(x_i) = exp(−x_i²/2).
struct Ziggurat {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

/// The tables, computed once from r and the strip area v that make 128 strips fit
/// (Marsaglia and Tsang 2000). x_0 = v / f(r) is the base strip's width, counting its
/// tail beyond r as if it were a rectangle.
fn ziggurat() -> &'static Ziggurat {
    static TABLES: OnceLock<Ziggurat> = OnceLock::new();
    TABLES.get_or_init(|| {
        const R: f64 = 3.442_619_855_899;
        const V: f64 = 9.912_563_035_262_17e-3;
        let density = |x: f64| libm::exp(-0.5 * x * x);
        let mut z = Ziggurat {
            x: [0.0; LAYERS + 1],
            f: [0.0; LAYERS + 1],
        };
        z.x[0] = V / density(R);
        z.x[1] = R;
        for i in 1..LAYERS - 1 {
            z.x[i + 1] = (-2.0 * libm::log(V / z.x[i] + density(z.x[i]))).sqrt();
        }
        z.x[LAYERS] = 0.0;
        for i in 0..=LAYERS {
            z.f[i] = density(z.x[i]);
        }
        z
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_and_seeds_differ_and_repeat() {
        let a: Vec<u64> = (0..4)
            .map(|_| Rng::new(1, Stream::Init, 0).next_u64())
            .collect();
        assert!(a.iter().all(|&x| x == a[0]), "same seed must repeat");
        let mut s = Rng::new(1, Stream::Init, 0);
        let mut t = Rng::new(2, Stream::Init, 0);
        let mut u = Rng::new(1, Stream::Batches, 0);
        let (x, y, z) = (s.next_u64(), t.next_u64(), u.next_u64());
        assert!(x != y && x != z && y != z);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut rng = Rng::new(7, Stream::Samples, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        let kurtosis = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / var.powi(2);
        assert!((kurtosis - 3.0).abs() < 0.1, "kurtosis {kurtosis}");
    }

    #[test]
    fn normal_matches_the_gaussian_cdf_and_tail() {
        // Φ at a few points (from tables) and the share beyond r = 3.44 (the tail path).
        let mut rng = Rng::new(11, Stream::Samples, 0);
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let share = |t: f64| xs.iter().filter(|&&x| x < t).count() as f64 / n as f64;
        for (t, phi) in [
            (-2.0, 0.02275),
            (-1.0, 0.158_66),
            (0.0, 0.5),
            (0.5, 0.691_46),
            (1.5, 0.933_19),
        ] {
            assert!(
                (share(t) - phi).abs() < 0.003,
                "P(x < {t}) = {} vs {phi}",
                share(t)
            );
        }
        let tail = xs.iter().filter(|x| x.abs() > 3.442_619_855_899).count() as f64 / n as f64;
        assert!((tail - 5.76e-4).abs() < 1.5e-4, "tail share {tail}");
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Rng::new(3, Stream::Batches, 0);
        let mut seen = [0usize; 10];
        for _ in 0..10_000 {
            seen[rng.below(10)] += 1;
        }
        assert!(seen.iter().all(|&c| (800..1200).contains(&c)), "{seen:?}");
    }
}
