//! [`keep_freed_memory`]: stop the C allocator from handing a training loop's working set back to
//! the kernel between steps.
//!
//! A training step frees and reallocates the same large buffers (activations, gradients,
//! im2col matrices) every iteration. glibc's malloc serves allocations above its mmap threshold
//! with fresh `mmap`s and trims the heap top when much of it is free, so each step pays page
//! faults, page zeroing and TLB shootdowns for memory it just released: on the small CNN of the
//! speed workloads this was about a quarter of the CPU time. Raising both thresholds keeps freed
//! memory in the process for reuse. The cost is that the peak working set stays resident.

use std::sync::Once;

static ONCE: Once = Once::new();

/// Keeps freed memory in the process for reuse (glibc: `M_MMAP_THRESHOLD` raised to its maximum,
/// 32 MiB, and `M_TRIM_THRESHOLD` to 1 GiB). Kerosene calls it when it creates its first tensor,
/// so nothing needs to be done; set `KEROSENE_KEEP_FREED_MEMORY=0` in the environment to leave the
/// allocator's defaults alone. Idempotent; a no-op on other C libraries.
///
/// ```
/// kerosene_tensor::memory::keep_freed_memory();
/// ```
pub fn keep_freed_memory() {
    ONCE.call_once(|| {
        if std::env::var("KEROSENE_KEEP_FREED_MEMORY").is_ok_and(|v| v == "0") {
            return;
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            const M_TRIM_THRESHOLD: i32 = -1;
            const M_MMAP_THRESHOLD: i32 = -3;
            unsafe extern "C" {
                fn mallopt(param: i32, value: i32) -> i32;
            }
            // SAFETY: mallopt only adjusts allocator tuning parameters; both values are valid.
            unsafe {
                // glibc refuses mmap thresholds above 32 MiB (HEAP_MAX_SIZE / 2) on 64-bit.
                mallopt(M_MMAP_THRESHOLD, 32 << 20);
                mallopt(M_TRIM_THRESHOLD, 1 << 30);
            }
        }
    });
}
