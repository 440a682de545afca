//! The processor's handling of subnormal floats (below 2⁻¹²⁶ in magnitude) for a thread: IEEE gradual
//! underflow, the default, or flushed to zero on input and output (x86-64's MXCSR FTZ and DAZ bits,
//! AArch64's FPCR FZ bit). On other processors nothing changes.
//!
//! A training loop's steps run flushed (`Flushed::for_loop`), as TensorFlow's and XLA's CPU kernels always
//! do (their thread pools set these bits); what the loop calls out to runs in the thread's own mode
//! (`outside`), and so do the validation passes, as `evaluate` and `predict`. Arithmetic on subnormals is slow on many CPUs: a softmax's gradient is full of
//! them once its probabilities are confident, and Adam's first moment of a unit that no longer learns decays
//! into them and stays there. Flushed, each such value costs what any other does. A job's parts run in the
//! caller's mode wherever they run (team.rs), so the bits do not depend on which thread took which part.

/// The thread's floating-point control word (`0` where this module changes nothing).
#[inline]
pub(crate) fn get() -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut csr: u32 = 0;
        // SAFETY: `stmxcsr` stores the 32-bit MXCSR to the given address, which is `csr`'s.
        unsafe {
            std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags));
        }
        csr
    }
    #[cfg(target_arch = "aarch64")]
    {
        let fpcr: u64;
        // SAFETY: reading FPCR has no side effect.
        unsafe {
            std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack, preserves_flags));
        }
        // The control bits all lie in the low 32.
        fpcr as u32
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    0
}

/// Set the thread's control word to `word`: a value `get` returned, or `flushing` made of one (another value
/// could set a reserved bit, which faults).
#[inline]
pub(crate) fn set(word: u32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `ldmxcsr` loads MXCSR from `word`'s address. A value from `get`, with at most the FTZ bit and
    // (where the CPU has it, see `daz`) the DAZ bit changed, has no reserved bit set (which would fault), and
    // changes only rounding, flushing and exception masks, none of which Rust's semantics depend on for f32
    // values being well-formed.
    unsafe {
        std::arch::asm!("ldmxcsr [{}]", in(reg) &word, options(nostack, preserves_flags, readonly));
    }
    #[cfg(target_arch = "aarch64")]
    // SAFETY: as above, for FPCR; the bits above 31 are reserved and written as zero.
    unsafe {
        std::arch::asm!("msr fpcr, {}", in(reg) u64::from(word), options(nomem, nostack, preserves_flags));
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    let _ = word;
}

/// The status flags in a control word (MXCSR's six exception flags; FPCR has none): they record what has
/// happened, and do not change how anything is computed.
#[cfg(target_arch = "x86_64")]
const STATUS: u32 = 0x3f;
#[cfg(not(target_arch = "x86_64"))]
const STATUS: u32 = 0;

/// Whether two control words compute alike (their status flags aside).
#[inline]
pub(crate) fn same(a: u32, b: u32) -> bool {
    (a ^ b) & !STATUS == 0
}

/// `word` with subnormals flushed to zero.
fn flushing(word: u32) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        /// MXCSR: flush to zero (bit 15), denormals are zero (bit 6).
        const FTZ: u32 = 1 << 15;
        word | FTZ | daz()
    }
    #[cfg(target_arch = "aarch64")]
    {
        /// FPCR: flush to zero (bit 24), inputs and outputs.
        const FZ: u32 = 1 << 24;
        word | FZ
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    word
}

/// MXCSR's denormals-are-zero bit (6) where the CPU has it, else 0: on a CPU without it the bit is reserved and
/// setting it faults. Whether it has it is the MXCSR mask that `fxsave` stores (bytes 28 to 31; zero means
/// the default mask, 0xFFBF, which lacks the bit), read once.
#[cfg(target_arch = "x86_64")]
fn daz() -> u32 {
    /// Denormals are zero.
    const DAZ: u32 = 1 << 6;
    static BIT: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *BIT.get_or_init(|| {
        #[repr(C, align(16))]
        struct Area([u8; 512]);
        let mut area = Area([0; 512]);
        // SAFETY: `fxsave` stores 512 bytes of FPU and SSE state at a 16-byte aligned address, which `area` is
        // (its alignment and size are the type's); it changes no register.
        unsafe {
            std::arch::asm!("fxsave [{}]", in(reg) area.0.as_mut_ptr(), options(nostack, preserves_flags));
        }
        let mask = u32::from_le_bytes([area.0[28], area.0[29], area.0[30], area.0[31]]);
        let mask = if mask == 0 { 0xffbf } else { mask };
        mask & DAZ
    })
}

thread_local! {
    /// While this thread runs a training loop flushed (`Flushed::for_loop`): its mode from before, in which
    /// `outside` runs what the loop calls out to.
    static BEFORE_LOOP: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Subnormals flushed to zero on this thread until dropped, when the thread's mode is put back.
pub struct Flushed {
    /// Puts the mode back when dropped (after `drop` below).
    _mode: Mode,
    /// What `BEFORE_LOOP` held before, put back when dropped.
    outer: Option<u32>,
}

impl Flushed {
    /// Flush subnormals to zero on this thread for a whole training loop, whose calls out of the core (a
    /// Python callback) go through `outside`. Once per fit rather than per step: reading and setting the
    /// mode waits for the floating-point work before it (a step's Adam pass, with its square roots and
    /// divisions) to finish, where the next step's work could otherwise start beside it. Measured with
    /// `rbench/fitbench.rs small` (five pairs alternated on the Intel Xeon host): 2.05-2.10 µs a step
    /// against 2.17-2.21 with the mode set and put back around each step.
    pub fn for_loop() -> Self {
        let word = get();
        let outer = BEFORE_LOOP.replace(Some(word));
        Flushed { _mode: Mode::enter(flushing(word)), outer }
    }
}

impl Drop for Flushed {
    fn drop(&mut self) {
        BEFORE_LOOP.set(self.outer);
    }
}

/// Run `f`, code that is not the core's own (a Python callback), in the mode this thread had before the
/// training loop it runs (`Flushed::for_loop`), so that the loop's mode never reaches it; outside a loop,
/// as it is.
pub fn outside<R>(f: impl FnOnce() -> R) -> R {
    /// Puts `BEFORE_LOOP` back, also in a panic's unwinding.
    struct Back(Option<u32>);
    impl Drop for Back {
        fn drop(&mut self) {
            BEFORE_LOOP.set(self.0);
        }
    }
    let Some(word) = BEFORE_LOOP.get() else { return f() };
    // No loop is flushed while `f` runs here (a loop it starts saves the mode `f` runs in).
    let _back = Back(BEFORE_LOOP.replace(None));
    with(word, f)
}

/// Run `f` in control word `word` (a value `get` returned, on any thread), this thread's own put back after,
/// also when `f` panics.
pub(crate) fn with<R>(word: u32, f: impl FnOnce() -> R) -> R {
    let _mode = Mode::enter(word);
    f()
}

/// This thread in control word `word` until dropped, when its own is put back (also in a panic's unwinding).
struct Mode {
    saved: u32,
}

impl Mode {
    fn enter(word: u32) -> Self {
        let saved = get();
        if !same(word, saved) {
            set(word);
        }
        Mode { saved }
    }
}

impl Drop for Mode {
    fn drop(&mut self) {
        if !same(get(), self.saved) {
            set(self.saved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest positive subnormal, as a value the compiler cannot fold.
    fn tiny() -> f32 {
        std::hint::black_box(f32::from_bits(1))
    }

    #[test]
    fn subnormals_are_flushed_inside_and_kept_outside() {
        let before = get();
        let half_min = || std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5f32);
        assert!(half_min() > 0.0 && tiny() + tiny() > 0.0, "gradual underflow by default");
        {
            let _flushed = Flushed::for_loop();
            if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
                assert_eq!(half_min(), 0.0, "a subnormal result is flushed");
                let daz = cfg!(target_arch = "aarch64") || cfg!(target_arch = "x86_64") && flushing(0) & (1 << 6) != 0;
                if daz {
                    assert_eq!(tiny() + tiny(), 0.0, "a subnormal input is read as zero");
                }
            }
            assert_eq!(with(before, half_min), f32::MIN_POSITIVE * 0.5, "`with` runs in the given mode");
        }
        assert!(same(get(), before), "the mode is put back");
        assert!(half_min() > 0.0);
    }

    /// A loop's calls out run in the mode from before the loop, also one that panics, and a loop started
    /// from one of them saves that mode; outside a loop, `outside` changes nothing.
    #[test]
    fn a_loop_is_flushed_and_its_calls_out_are_not() {
        let before = get();
        // The product's bits: compared as a float in a loop's mode (denormals are zero), a subnormal equals 0.
        // (Through `black_box`, so that it is computed where the closure runs.)
        let half_min = || {
            let v = std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5f32);
            std::hint::black_box(v).to_bits()
        };
        let flushed = if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) { 0 } else { half_min() };
        let gradual = half_min();
        assert_ne!(gradual, 0, "gradual underflow by default");
        assert_eq!(outside(half_min), gradual, "no loop: as it is");
        {
            let _flushed = Flushed::for_loop();
            assert_eq!(half_min(), flushed, "the loop is flushed");
            assert_eq!(outside(half_min), gradual, "its call out is not");
            assert_eq!(half_min(), flushed, "and the loop is flushed again after it");
            let caught = std::panic::catch_unwind(|| outside(|| panic!("a callback's panic")));
            assert!(caught.is_err());
            assert_eq!(half_min(), flushed, "also after a call out that panicked");
            outside(|| {
                let _inner = Flushed::for_loop();
                assert_eq!(half_min(), flushed, "a loop started from a call out is flushed");
                assert_eq!(outside(half_min), gradual, "its own calls out are not");
            });
            assert_eq!(outside(half_min), gradual, "the outer loop's calls out still run unflushed");
        }
        assert!(same(get(), before), "the mode is put back");
        assert_eq!((outside(half_min), half_min()), (gradual, gradual));
    }

    #[test]
    fn with_puts_the_mode_back_after_a_panic() {
        let before = get();
        let caught = std::panic::catch_unwind(|| with(flushing(before), || panic!("inside")));
        assert!(caught.is_err());
        assert!(same(get(), before), "the mode is put back");
    }
}
