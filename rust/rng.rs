//! A small seeded generator (xoshiro256**, seeded through SplitMix64) for weights, shuffles and dropout.
//!
//! One generator per purpose per model keeps results reproducible: the same seed gives the same
//! weights and the same shuffle order, bit for bit, on every machine.

/// xoshiro256** state.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for `seed`; `stream` separates independent uses of one seed (init, shuffle, dropout).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut sm = seed ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        Rng { s: [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)] }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform f32 in [0, 1) with 24 random bits.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }

    /// A uniform integer in [0, n) (Lemire's multiply-shift; the bias is below 2^-32 for our sizes).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32).wrapping_mul(n as u64) >> 32) as usize
    }

    /// Fill `out` with samples of U[-limit, limit].
    pub fn fill_uniform(&mut self, out: &mut [f32], limit: f32) {
        for v in out {
            *v = (self.next_f32() * 2.0 - 1.0) * limit;
        }
    }

    /// Overwrite `perm` with a uniformly random permutation of 0..perm.len() (Fisher-Yates).
    pub fn permutation(&mut self, perm: &mut [u32]) {
        for (i, p) in perm.iter_mut().enumerate() {
            *p = i as u32;
        }
        for i in (1..perm.len()).rev() {
            let j = self.below(i + 1);
            perm.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 1);
        let mut c = Rng::new(7, 2);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn uniform_in_range_and_permutation_complete() {
        let mut r = Rng::new(1, 0);
        let mut v = vec![0.0f32; 10_000];
        r.fill_uniform(&mut v, 0.25);
        assert!(v.iter().all(|x| x.abs() <= 0.25));
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        assert!(mean.abs() < 0.01);
        let mut p = vec![0u32; 1000];
        r.permutation(&mut p);
        let mut s = p.clone();
        s.sort_unstable();
        assert!(s.iter().enumerate().all(|(i, &x)| x == i as u32));
        assert_ne!(p, s);
    }
}
