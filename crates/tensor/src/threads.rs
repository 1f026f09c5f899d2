//! The threads of Kerosene's parallel kernels: rayon's global pool.
//!
//! Products above [`crate::gemm::PAR_GEMM_MIN_FLOPS`], large elementwise ops, convolutions,
//! pooling and recurrent layers split their work across rayon's global pool. Results never
//! depend on the number of threads (docs/performance.md, "Determinism").

use crate::{Result, TensorError};

/// Sets up rayon's global pool with `n` threads, **the calling thread being one of them**, as
/// `torch.set_num_threads(n)` does for PyTorch (whose OpenMP master thread works too). Call it
/// once, at the start of the program, from the thread that runs the training loop.
///
/// Why it matters: a parallel kernel called from a thread outside the pool hands its work to the
/// pool and sleeps until it is done, so every split product costs the caller a sleep and a
/// wake-up while its core idles. Called from a pool thread, a split is a local fork-join: the
/// caller computes one part while the other workers take the rest. On the speed workloads this
/// was 8–25 % faster for the MLP at batch 128 and batch-1000 inference (docs/performance.md).
///
/// Of the `n` threads, `n - 1` are rayon's own workers; the calling thread works for the pool only
/// while it is inside a parallel call of its own (so parallel work started from other threads,
/// e.g. a data-loading thread, gets `n - 1` threads).
///
/// Without this call rayon builds its default pool (one thread per CPU, the calling thread not
/// part of it) on first use, and everything works the same, a little slower.
///
/// # Errors
/// [`TensorError::Invalid`] when `n` is 0 or when rayon's global pool already exists (it can
/// be set up once per process, and any earlier parallel call creates the default one).
///
/// ```
/// // First thing in main():
/// kerosene_tensor::threads::set_num_threads(2).unwrap();
/// assert_eq!(rayon::current_num_threads(), 2);
/// assert!(kerosene_tensor::threads::set_num_threads(2).is_err()); // only once per process
/// ```
pub fn set_num_threads(n: usize) -> Result<()> {
    let invalid = |message: String| TensorError::Invalid { op: "set_num_threads", message };
    if n == 0 {
        return Err(invalid("the number of threads must be at least 1".into()));
    }
    rayon::ThreadPoolBuilder::new().num_threads(n).use_current_thread().build_global().map_err(|e| {
        invalid(format!("rayon's global pool is already set up ({e}); call set_num_threads before any parallel work"))
    })
}
