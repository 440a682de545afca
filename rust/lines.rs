//! `Lines`: a growable run of `f32` values that starts on a 64-byte boundary (a cache line, and an
//! AVX-512 vector), for the buffers that the thread team's passes write: a step's activations and
//! gradients, the weights, their gradients and the optimizer's slots, inference's intermediate values.
//!
//! Why: a product split between threads by columns (gemm::split) gives each thread a range of every row
//! of C, a multiple of 32 columns wide, so from a line boundary no line of a row is written by both threads.
//! A `Vec<f32>` starts wherever the allocator puts it: 16 bytes into a line for a large one (glibc maps it
//! after a 16-byte header), so every row's boundary fell inside a line that the two cores then passed back
//! and forth; and each 64-byte vector of Adam's pass over the weights and their slots spanned two lines.
//! Measured with `rbench/fitbench` (best of 3 fits, 4 rounds alternating with the build before) on an Intel
//! Xeon machine of this project's kind: multiclass 0.72-0.77 -> 0.63-0.67 s, tabular 0.61-0.66 -> 0.56-0.61 s, wine
//! 0.175-0.188 -> 0.165-0.170 s; a 256x32x256 product with its C 16 bytes into a line took 23.5 µs on two
//! threads, 15.7 µs from a line boundary.

use std::ops::{Deref, DerefMut};

use crate::error::{out_of_memory, Result};

/// Sixteen values on one cache line.
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug)]
struct Line([f32; 16]);

/// Values in a cache line.
const PER_LINE: usize = 16;

/// `len` values on whole cache lines, from a line boundary; reads as a `[f32]` of `len` values.
#[derive(Clone, Default)]
pub struct Lines {
    lines: Vec<Line>,
    len: usize,
}

impl Lines {
    /// `len` zeros, or `Error::Memory` naming `what`.
    pub fn zeros(len: usize, what: &str) -> Result<Self> {
        let mut v = Lines::default();
        v.resize(len, what)?;
        Ok(v)
    }

    /// `len` copies of `value` (aborting the process if the memory cannot be had, as `vec!` does).
    pub fn filled(len: usize, value: f32) -> Self {
        let mut v = Lines { lines: vec![Line([value; PER_LINE]); len.div_ceil(PER_LINE)], len };
        let end = v.lines.len() * PER_LINE;
        v.as_all_mut()[len..end].fill(0.0);
        v
    }

    /// Grow to `len` values (the new ones zero) or shrink to it; `Error::Memory` naming `what` if the memory
    /// cannot be had, instead of aborting the process as a failed `Vec` allocation would.
    pub fn resize(&mut self, len: usize, what: &str) -> Result<()> {
        let need = len.div_ceil(PER_LINE);
        if need > self.lines.len() {
            self.lines.try_reserve_exact(need - self.lines.len()).map_err(|_| out_of_memory(what, len))?;
        }
        // Values past `len` are zero, so that a later growth reads zeros there as `Vec::resize` would give.
        if len < self.len {
            let end = self.len.min(need * PER_LINE);
            self.as_all_mut()[len..end].fill(0.0);
        }
        self.lines.resize(need, Line([0.0; PER_LINE]));
        self.len = len;
        Ok(())
    }

    /// Every value of the lines, `len` and the last line's tail.
    fn as_all_mut(&mut self) -> &mut [f32] {
        let n = self.lines.len() * PER_LINE;
        // SAFETY: `Line` is `repr(C)` around `[f32; 16]` and exactly 64 bytes (its alignment adds no padding),
        // so the lines are `n` initialized, contiguous `f32` values, borrowed mutably through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f32>(), n) }
    }
}

impl Deref for Lines {
    type Target = [f32];

    fn deref(&self) -> &[f32] {
        // SAFETY: as in `as_all_mut`; `len` is at most the lines' `16 * lines.len()` values (kept by `resize`).
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.len) }
    }
}

impl DerefMut for Lines {
    fn deref_mut(&mut self) -> &mut [f32] {
        let len = self.len;
        &mut self.as_all_mut()[..len]
    }
}

/// Printed as its values are, like a `Vec<f32>`.
impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Equal when the values are (as two `Vec<f32>`s would be: a NaN equals nothing).
impl PartialEq for Lines {
    fn eq(&self, other: &Lines) -> bool {
        self[..] == other[..]
    }
}

impl PartialEq<Vec<f32>> for Lines {
    fn eq(&self, other: &Vec<f32>) -> bool {
        self[..] == other[..]
    }
}

/// Ask the cache for the lines holding `data[start..start + len]` (at most the first 64 values). Only a
/// hint: nothing is read, and a range outside `data` is ignored.
#[inline(always)]
pub(crate) fn prefetch(data: &[f32], start: usize, len: usize) {
    let len = len.min(4 * PER_LINE);
    #[cfg(target_arch = "x86_64")]
    if len > 0 && start + len <= data.len() {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let last = start + len - 1;
        // SAFETY: every index lies in `data` (`start..=last`, checked); a prefetch reads nothing and cannot
        // fault.
        unsafe {
            for at in (start..last).step_by(PER_LINE) {
                _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().add(at).cast());
            }
            _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().add(last).cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, start, len);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn starts_on_a_line_and_reads_as_its_values() {
        for len in [0, 1, 15, 16, 17, 1000, 65_536 + 3] {
            let mut v = Lines::zeros(len, "a test buffer").unwrap_or_default();
            assert_eq!(v.len(), len);
            assert!((v.as_ptr() as usize).is_multiple_of(64), "{len} values");
            assert!(v.iter().all(|&x| x == 0.0));
            v.iter_mut().enumerate().for_each(|(i, x)| *x = i as f32);
            assert!(v.iter().enumerate().all(|(i, &x)| x == i as f32));
        }
    }

    #[test]
    fn shrinking_then_growing_reads_zeros_as_a_vec_does() {
        let mut v = Lines::zeros(40, "a test buffer").unwrap_or_default();
        v.fill(7.0);
        v.resize(5, "a test buffer").unwrap_or_default();
        assert_eq!(&v[..], &[7.0; 5]);
        v.resize(40, "a test buffer").unwrap_or_default();
        assert_eq!(&v[..5], &[7.0; 5]);
        assert!(v[5..].iter().all(|&x| x == 0.0), "{:?}", &v[..]);
    }

    #[test]
    fn an_impossible_size_is_a_memory_error() {
        let r = Lines::zeros(usize::MAX / 2, "the batch buffers");
        assert!(matches!(r, Err(Error::Memory(ref m)) if m.contains("the batch buffers")), "{r:?}");
    }
}
