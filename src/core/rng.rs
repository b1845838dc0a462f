//! A seeded, portable random number generator.
//!
//! Every random draw in the project (data, initial weights, mini-batches, gate
//! dropout) comes from here, so that the same settings and seed give the same bits
//! natively and in the browser. SplitMix64 is tiny, passes BigCrush, and uses only
//! integer arithmetic; the normal draws use `libm`, a pure-Rust maths library whose
//! results do not depend on the platform's C library, for log, sin and cos. Square
//! roots use the CPU's instruction (IEEE 754 rounds it exactly, on x86-64 and in wasm
//! alike), which is several times faster than libm's software one.

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
}

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Clone, Debug, PartialEq)]
pub struct Rng {
    state: u64,
    spare_normal: Option<f64>,
}

impl Rng {
    /// A generator for one stream of one seed; `salt` separates sub-streams (a model id).
    pub fn new(seed: u32, stream: Stream, salt: u64) -> Self {
        let mut mixer = Rng {
            state: (seed as u64)
                ^ ((stream as u64) << 40)
                ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            spare_normal: None,
        };
        // Warm up so that nearby seeds give unrelated sequences.
        let state = mixer.next_u64() ^ mixer.next_u64().rotate_left(17);
        Rng {
            state,
            spare_normal: None,
        }
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

    /// Standard normal draw by the Box–Muller transform.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // in (0, 1], so ln is finite
        let u2 = self.uniform();
        let r = (-2.0 * libm::log(u1)).sqrt();
        let theta = 2.0 * core::f64::consts::PI * u2;
        self.spare_normal = Some(r * libm::sin(theta));
        r * libm::cos(theta)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
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
