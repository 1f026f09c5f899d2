//! Run-time instruction-set dispatch for hot elementwise loops.
//!
//! Rust builds for a baseline x86-64 (SSE2) unless told otherwise, so a plain loop over `f32`
//! is vectorized 4 wide. [`dispatch`] runs a closure inside a function compiled with AVX-512 (or
//! AVX2 + FMA) enabled when this CPU has it, so the loops inlined into it are vectorized 16 (or
//! 8) wide. Each element is still computed with the same IEEE operations (Rust never contracts
//! `a * b + c` into an FMA on its own), so results are identical whichever path runs.

use std::sync::atomic::{AtomicU8, Ordering};

/// The instruction set [`dispatch`] compiles for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 and FMA.
    Avx2,
    /// AVX-512 F / VL / DQ / BW.
    Avx512,
}

static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The best level this CPU supports (detected once). `KEROSENE_SIMD=baseline|avx2|avx512` caps it,
/// for measurements and tests of the fallback paths.
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        1 => Level::Baseline,
        2 => Level::Avx2,
        3 => Level::Avx512,
        _ => {
            let l = detect();
            LEVEL.store(
                match l {
                    Level::Baseline => 1,
                    Level::Avx2 => 2,
                    Level::Avx512 => 3,
                },
                Ordering::Relaxed,
            );
            l
        }
    }
}

fn detect() -> Level {
    let cap = match std::env::var("KEROSENE_SIMD").ok().as_deref() {
        Some("baseline") => Level::Baseline,
        Some("avx2") => Level::Avx2,
        _ => Level::Avx512,
    };
    #[cfg(target_arch = "x86_64")]
    {
        let avx512 = is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("fma");
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        if avx512 && cap == Level::Avx512 {
            return Level::Avx512;
        }
        if avx2 && cap != Level::Baseline {
            return Level::Avx2;
        }
    }
    let _ = cap;
    Level::Baseline
}

/// Runs `f` compiled for the best instruction set of this CPU. Mark the closure
/// `#[inline(always)]` (and the functions it calls too), so that its body is compiled inside the
/// dispatched function rather than as a separate baseline function.
///
/// ```
/// use kerosene_tensor::simd::dispatch;
/// let mut v = vec![1.0f32; 1000];
/// dispatch(#[inline(always)] || v.iter_mut().for_each(|x| *x = x.sqrt() * 2.0));
/// assert_eq!(v[999], 2.0);
/// ```
#[inline(always)]
pub fn dispatch<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        match level() {
            // SAFETY: the features were detected on this CPU.
            Level::Avx512 => unsafe { avx512(f) },
            // SAFETY: as above.
            Level::Avx2 => unsafe { avx2(f) },
            Level::Baseline => f(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        f()
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512dq,avx512bw,avx2,avx,fma,bmi1,bmi2,lzcnt,popcnt,sse4.2")]
unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx,fma,bmi1,bmi2,lzcnt,popcnt,sse4.2")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
