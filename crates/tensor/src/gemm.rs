//! The GEMM backend: `C = alpha * A B + beta * C` on strided matrices.
//!
//! Every matrix product in Kerosene ends here, so a faster kernel (or another device) plugs in
//! at this one place. Operands are read through their strides, so transposed views are never
//! copied by the caller.
//!
//! Two backends ([`Backend`]): on x86-64 CPUs with AVX-512F, f32 products run Kerosene's own
//! AVX-512 kernel (register-blocked FMA microkernel, cache blocking, packing of strided operands
//! into contiguous panels); everything else (f64, other CPUs) runs matrixmultiply's portable
//! kernels. The choice is made once per process ([`backend`]); docs/performance.md ("GEMM") has
//! the design and the measurements.
//!
//! Threads: products with at least [`PAR_GEMM_MIN_FLOPS`] multiply-adds are split across
//! rayon's pool: by blocks of rows of `C` on the portable backend; on the AVX-512 backend by
//! blocks of columns, or of rows when `C` is much taller than wide. Each element of `C` is
//! computed by the same sequence of operations whatever the split (the k loop is never split, and
//! its blocking depends only on k), so results do not depend on the number of threads. They can
//! differ between the two backends. Callers that already run one product per thread use
//! [`gemm_serial`] / [`gemm_raw_serial`], which never split (same results, bit for bit).

use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

use crate::{DType, Element};

#[cfg(target_arch = "x86_64")]
mod avx512;

/// Products with at least this many multiply-adds (`m * k * n`) are split across threads.
pub const PAR_GEMM_MIN_FLOPS: usize = 1 << 21;
/// Each thread gets at least this many rows of `C` (matrixmultiply backend).
const PAR_GEMM_MIN_ROWS: usize = 64;

/// A GEMM implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// matrixmultiply's portable kernels: every CPU, and always for f64.
    Portable,
    /// Kerosene's AVX-512 f32 kernel: x86-64 CPUs with AVX-512F.
    Avx512,
}

impl Backend {
    /// Whether this backend can run f32 products on this CPU.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => avx512::available(),
            #[cfg(not(target_arch = "x86_64"))]
            Backend::Avx512 => false,
        }
    }
}

/// The backend that f32 products use on this CPU: [`Backend::Avx512`] where available, else
/// [`Backend::Portable`]. Detected once per process.
pub fn backend() -> Backend {
    if Backend::Avx512.is_available() { Backend::Avx512 } else { Backend::Portable }
}

/// `C = alpha * A B + beta * C` through raw strided pointers (strides in elements, any sign).
/// With `beta == 0`, `C` is only written, never read (NaN in `C` does not propagate).
///
/// # Safety
/// `a` must be valid for reads of an `m x k` matrix with strides `(rsa, csa)`, `b` of a `k x n`
/// matrix with `(rsb, csb)`, and `c` valid for reads and writes of an `m x n` matrix with
/// `(rsc, csc)` whose elements do not alias each other or `a` / `b`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_raw<E: Element>(
    m: usize,
    k: usize,
    n: usize,
    alpha: E,
    a: *const E,
    rsa: isize,
    csa: isize,
    b: *const E,
    rsb: isize,
    csb: isize,
    beta: E,
    c: *mut E,
    rsc: isize,
    csc: isize,
) {
    // SAFETY: forwarded from the caller.
    unsafe { gemm_raw_with(backend(), m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
}

/// [`gemm_raw`] on a chosen backend, for benchmarks and tests. f64 always runs
/// [`Backend::Portable`], and so does [`Backend::Avx512`] where it is not available.
///
/// # Safety
/// As [`gemm_raw`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_raw_with<E: Element>(
    backend: Backend,
    m: usize,
    k: usize,
    n: usize,
    alpha: E,
    a: *const E,
    rsa: isize,
    csa: isize,
    b: *const E,
    rsb: isize,
    csb: isize,
    beta: E,
    c: *mut E,
    rsc: isize,
    csc: isize,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        gemm_threads(backend, rayon::current_num_threads(), m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
    }
}

/// [`gemm_raw`] on the calling thread only: for callers that already split their work across
/// threads (one GEMM per thread, e.g. the batch pieces of a recurrent layer), where splitting
/// each product again would only add synchronization.
///
/// # Safety
/// As [`gemm_raw`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_raw_serial<E: Element>(
    m: usize,
    k: usize,
    n: usize,
    alpha: E,
    a: *const E,
    rsa: isize,
    csa: isize,
    b: *const E,
    rsb: isize,
    csb: isize,
    beta: E,
    c: *mut E,
    rsc: isize,
    csc: isize,
) {
    // SAFETY: forwarded from the caller.
    unsafe { gemm_threads(backend(), 1, m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
}

/// The GEMM on at most `threads` threads.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_threads<E: Element>(
    backend: Backend,
    threads: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: E,
    a: *const E,
    rsa: isize,
    csa: isize,
    b: *const E,
    rsb: isize,
    csb: isize,
    beta: E,
    c: *mut E,
    rsc: isize,
    csc: isize,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for i in 0..m as isize {
            for j in 0..n as isize {
                // SAFETY: within the m x n matrix the caller promised.
                unsafe {
                    let p = c.offset(i * rsc + j * csc);
                    *p = if beta == E::zero() { E::zero() } else { beta * *p };
                }
            }
        }
        return;
    }
    if m == 1 && (csb == 1 || rsb == 1) {
        // SAFETY: forwarded from the caller.
        unsafe { gemv(k, n, alpha, a, csa, b, rsb, csb, beta, c, csc) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if E::DTYPE == DType::F32 && backend == Backend::Avx512 && avx512::available() {
        // SAFETY: E is f32 (checked above), so the casts are identities; the rest is forwarded.
        unsafe {
            avx512_parallel(
                threads,
                m,
                k,
                n,
                alpha.f64() as f32,
                a as *const f32,
                rsa,
                csa,
                b as *const f32,
                rsb,
                csb,
                beta.f64() as f32,
                c as *mut f32,
                rsc,
                csc,
            )
        };
        return;
    }
    let _ = backend;
    if threads > 1 && m * k * n >= PAR_GEMM_MIN_FLOPS && m >= 2 * PAR_GEMM_MIN_ROWS {
        let parts = threads.min(m / PAR_GEMM_MIN_ROWS);
        let rows = m.div_ceil(parts);
        let (ap, cp) = (a as usize, c as usize);
        let bp = b as usize;
        (0..parts).into_par_iter().for_each(|p| {
            let r0 = p * rows;
            let r1 = (r0 + rows).min(m);
            if r0 < r1 {
                // SAFETY: the row blocks of C are disjoint; A and B are only read.
                unsafe {
                    kernel(
                        r1 - r0,
                        k,
                        n,
                        alpha,
                        (ap as *const E).offset(r0 as isize * rsa),
                        rsa,
                        csa,
                        bp as *const E,
                        rsb,
                        csb,
                        beta,
                        (cp as *mut E).offset(r0 as isize * rsc),
                        rsc,
                        csc,
                    )
                }
            }
        });
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { kernel(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
    }
}

/// The AVX-512 path: above [`PAR_GEMM_MIN_FLOPS`], split `C` into blocks of columns, or of rows
/// when `C` is much taller than wide (see `avx512_split`), which the threads claim in turn.
///
/// # Safety
/// As [`gemm_raw`], with `m, n, k > 0` and the AVX-512 backend available.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::too_many_arguments)]
unsafe fn avx512_parallel(
    threads: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: *const f32,
    rsa: isize,
    csa: isize,
    b: *const f32,
    rsb: isize,
    csb: isize,
    beta: f32,
    c: *mut f32,
    rsc: isize,
    csc: isize,
) {
    let split = if threads > 1 && m * k * n >= PAR_GEMM_MIN_FLOPS { avx512_split(m, k, n, threads) } else { None };
    let Some((by_rows, parts, step)) = split else {
        // SAFETY: forwarded from the caller.
        unsafe { avx512::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) };
        return;
    };
    let (ap, bp, cp) = (a as usize, b as usize, c as usize);
    // The blocks are claimed from a counter rather than dealt out: a thread that arrives late
    // (a pool worker still waking up, which can take longer than the whole product on a VM)
    // finds fewer blocks left instead of making the others wait for its share. Which thread
    // computes a block does not change its bits.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let block = |p: usize| {
        let (a, b, c) = (ap as *const f32, bp as *const f32, cp as *mut f32);
        let lo = p * step;
        // SAFETY: the blocks of C (rows lo..hi, or columns lo..hi) are disjoint and inside C, and
        // the matching blocks of A (rows) or B (columns) are inside A or B, which are only read.
        unsafe {
            if by_rows {
                let hi = (lo + step).min(m);
                let (ao, co) = (lo as isize * rsa, lo as isize * rsc);
                avx512::sgemm(hi - lo, k, n, alpha, a.offset(ao), rsa, csa, b, rsb, csb, beta, c.offset(co), rsc, csc);
            } else {
                let hi = (lo + step).min(n);
                let (bo, co) = (lo as isize * csb, lo as isize * csc);
                avx512::sgemm(m, k, hi - lo, alpha, a, rsa, csa, b.offset(bo), rsb, csb, beta, c.offset(co), rsc, csc);
            }
        }
    };
    (0..threads.min(parts)).into_par_iter().for_each(|_| {
        loop {
            let p = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if p >= parts {
                break;
            }
            block(p);
        }
    });
}

/// How to split an `m x n` result across `threads`: `(by rows?, parts, rows or columns per
/// part)`, blocks aligned to the register block; `None` when it is too small to split.
#[cfg(target_arch = "x86_64")]
fn avx512_split(m: usize, k: usize, n: usize, threads: usize) -> Option<(bool, usize, usize)> {
    let (mr, nr) = (avx512::MR, 16 * avx512::NV);
    let (row_tiles, col_tiles) = (m.div_ceil(mr), n.div_ceil(16));
    // By columns each thread packs only its part of B (a row-major A is never packed), by rows
    // each one packs all of B: columns win unless C is much taller than wide (measured, see
    // docs/performance.md).
    let by_rows = match (row_tiles, col_tiles) {
        (0..2, 0..2) => return None,
        (0..2, _) => false,
        (_, 0..2) => true,
        _ => m > 2 * n,
    };
    let (len, tiles, tile) = if by_rows { (m, row_tiles, mr) } else { (n, col_tiles, 16) };
    // One block per thread, except for a tall product with a small B (the second layer of an
    // MLP on a big batch): up to BLOCKS_PER_THREAD row blocks of at least MIN_BLOCK_ROWS rows,
    // claimed dynamically (see `avx512_parallel`). Extra blocks cost packing: each row block
    // packs all of B again (cheap only when B is small), each column block all of a packed A.
    // (Measured on 1000x64x64, 2 threads: median 71-81 -> 56-58 us; its best time unchanged.)
    let parts = threads.min(tiles);
    let parts = if by_rows && k * n <= SMALL_B_ELEMS {
        (threads * BLOCKS_PER_THREAD).min(tiles).min(m / MIN_BLOCK_ROWS).max(parts)
    } else {
        parts
    };
    let align = if !by_rows && len.div_ceil(parts) >= nr { nr } else { tile };
    let step = len.div_ceil(parts).next_multiple_of(align);
    Some((by_rows, len.div_ceil(step), step))
}

/// Blocks per thread of a split AVX-512 product (see `avx512_split`).
#[cfg(target_arch = "x86_64")]
const BLOCKS_PER_THREAD: usize = 4;
/// The fewest rows in a row block of a split AVX-512 product, beyond the first `threads` blocks.
#[cfg(target_arch = "x86_64")]
const MIN_BLOCK_ROWS: usize = 192;
/// The largest B (`k * n`, 64 KB of f32) that row blocks pack again beyond one per thread.
#[cfg(target_arch = "x86_64")]
const SMALL_B_ELEMS: usize = 1 << 14;

/// One single-threaded GEMM call on the best kernel for this element type and CPU.
#[allow(clippy::too_many_arguments)]
unsafe fn kernel<E: Element>(
    m: usize,
    k: usize,
    n: usize,
    alpha: E,
    a: *const E,
    rsa: isize,
    csa: isize,
    b: *const E,
    rsb: isize,
    csb: isize,
    beta: E,
    c: *mut E,
    rsc: isize,
    csc: isize,
) {
    // SAFETY: E is sealed to f32 / f64 and DTYPE names which, so the casts are identities.
    unsafe {
        match E::DTYPE {
            DType::F32 => matrixmultiply::sgemm(
                m,
                k,
                n,
                alpha.f64() as f32,
                a as *const f32,
                rsa,
                csa,
                b as *const f32,
                rsb,
                csb,
                beta.f64() as f32,
                c as *mut f32,
                rsc,
                csc,
            ),
            DType::F64 => matrixmultiply::dgemm(
                m,
                k,
                n,
                alpha.f64(),
                a as *const f64,
                rsa,
                csa,
                b as *const f64,
                rsb,
                csb,
                beta.f64(),
                c as *mut f64,
                rsc,
                csc,
            ),
        }
    }
}

/// `C = alpha * A B + beta * C` on ndarray views (any strides).
///
/// # Panics
/// If the shapes do not fit: `A` is `m x k`, `B` is `k x n`, `C` is `m x n`.
///
/// ```
/// use kerosene_tensor::gemm::gemm;
/// use ndarray::array;
/// let a = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let b = array![[5.0f32, 6.0], [7.0, 8.0]];
/// let mut c = ndarray::Array2::<f32>::zeros((2, 2));
/// gemm(1.0, &a.view(), &b.t(), 0.0, &mut c.view_mut()); // A Bᵀ, no copy of Bᵀ
/// assert_eq!(c, array![[17.0, 23.0], [39.0, 53.0]]);
/// ```
#[track_caller]
pub fn gemm<E: Element>(alpha: E, a: &ArrayView2<E>, b: &ArrayView2<E>, beta: E, c: &mut ArrayViewMut2<E>) {
    gemm_with(backend(), alpha, a, b, beta, c)
}

/// [`gemm`] on a chosen backend, for benchmarks and tests (see [`gemm_raw_with`]).
///
/// # Panics
/// As [`gemm`].
#[track_caller]
pub fn gemm_with<E: Element>(
    backend: Backend,
    alpha: E,
    a: &ArrayView2<E>,
    b: &ArrayView2<E>,
    beta: E,
    c: &mut ArrayViewMut2<E>,
) {
    gemm_views(backend, rayon::current_num_threads(), alpha, a, b, beta, c)
}

/// [`gemm`] on the calling thread only (see [`gemm_raw_serial`]); the same bits as [`gemm`].
///
/// ```
/// use kerosene_tensor::gemm::{gemm, gemm_serial};
/// use ndarray::Array2;
/// let a = Array2::from_shape_fn((300, 200), |(i, j)| (i * 3 + j) as f32 * 1e-3);
/// let b = Array2::from_shape_fn((200, 100), |(i, j)| (i + 2 * j) as f32 * 1e-3);
/// let (mut c1, mut c2) = (Array2::zeros((300, 100)), Array2::zeros((300, 100)));
/// gemm(1.0, &a.view(), &b.view(), 0.0, &mut c1.view_mut());
/// gemm_serial(1.0, &a.view(), &b.view(), 0.0, &mut c2.view_mut());
/// assert_eq!(c1, c2);
/// ```
///
/// # Panics
/// As [`gemm`].
#[track_caller]
pub fn gemm_serial<E: Element>(alpha: E, a: &ArrayView2<E>, b: &ArrayView2<E>, beta: E, c: &mut ArrayViewMut2<E>) {
    gemm_views(backend(), 1, alpha, a, b, beta, c)
}

#[track_caller]
fn gemm_views<E: Element>(
    backend: Backend,
    threads: usize,
    alpha: E,
    a: &ArrayView2<E>,
    b: &ArrayView2<E>,
    beta: E,
    c: &mut ArrayViewMut2<E>,
) {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    if k != k2 || c.dim() != (m, n) {
        panic!("gemm: shapes do not fit: a [{m}, {k}], b [{k2}, {n}], c {:?}", c.shape());
    }
    let (sa, sb, sc) = (a.strides(), b.strides(), c.strides());
    let (sc0, sc1) = (sc[0], sc[1]);
    // SAFETY: the views guarantee valid strided memory; `c` is a unique mutable view.
    unsafe {
        gemm_threads(
            backend,
            threads,
            m,
            k,
            n,
            alpha,
            a.as_ptr(),
            sa[0],
            sa[1],
            b.as_ptr(),
            sb[0],
            sb[1],
            beta,
            c.as_mut_ptr(),
            sc0,
            sc1,
        )
    }
}

/// `c = alpha * a B + beta * c` for a single row `a` (a vector-matrix product), when `B` is
/// contiguous along one axis: as `k` AXPYs over the rows of `B`, or as `n` dot products with its
/// columns. Packing `B` for a one-row product would copy all of `B` to use each element once;
/// this reads it once, in place. Every element is computed the same way whatever the thread
/// count (this path is single-threaded).
///
/// # Safety
/// As [`gemm_raw`] with `m = 1`; additionally `csb == 1` or `rsb == 1`.
#[allow(clippy::too_many_arguments)]
unsafe fn gemv<E: Element>(
    k: usize,
    n: usize,
    alpha: E,
    a: *const E,
    csa: isize,
    b: *const E,
    rsb: isize,
    csb: isize,
    beta: E,
    c: *mut E,
    csc: isize,
) {
    #[cfg(target_arch = "x86_64")]
    if E::DTYPE == DType::F32
        && csb != 1
        && csa == 1
        && csc == 1
        && alpha == E::one()
        && beta == E::zero()
        && avx512::available()
    {
        // The common one-row case (a Linear layer on one sample): read the row in place and
        // write the dot products straight into C, no buffers.
        let (ap, bf, cp) = (a as *const f32, b as *const f32, c as *mut f32);
        // SAFETY: E is f32; `a` holds k contiguous elements, each column of B k contiguous
        // elements (rsb == 1), and `c` n contiguous outputs.
        unsafe { avx512::dot_columns(k, ap, bf, csb, n, cp) };
        return;
    }
    // SAFETY: the caller guarantees a 1 x k row at `a` and a k x n matrix at `b`.
    let av: Vec<E> = (0..k as isize).map(|i| unsafe { *a.offset(i * csa) }).collect();
    let mut acc = vec![E::zero(); n];
    #[cfg(target_arch = "x86_64")]
    if E::DTYPE == DType::F32 && avx512::available() {
        let (ap, accp, bf) = (av.as_ptr() as *const f32, acc.as_mut_ptr() as *mut f32, b as *const f32);
        // SAFETY: E is f32; the rows / columns of B are contiguous as the caller promised.
        unsafe {
            if csb == 1 {
                for kk in 0..k {
                    avx512::axpy(n, *ap.add(kk), bf.offset(kk as isize * rsb), accp);
                }
            } else {
                avx512::dot_columns(k, ap, bf, csb, n, accp);
            }
        }
    } else {
        gemv_portable(&av, &mut acc, b, rsb, csb);
    }
    #[cfg(not(target_arch = "x86_64"))]
    gemv_portable(&av, &mut acc, b, rsb, csb);
    for (j, &v) in acc.iter().enumerate() {
        // SAFETY: element j of the 1 x n output row.
        unsafe {
            let p = c.offset(j as isize * csc);
            *p = if beta == E::zero() { alpha * v } else { alpha * v + beta * *p };
        }
    }
}

/// The vector-matrix product without intrinsics (other element types and CPUs).
fn gemv_portable<E: Element>(av: &[E], acc: &mut [E], b: *const E, rsb: isize, csb: isize) {
    let (k, n) = (av.len(), acc.len());
    if csb == 1 {
        for (kk, &x) in av.iter().enumerate() {
            // SAFETY: row kk of B is n contiguous elements.
            let row = unsafe { std::slice::from_raw_parts(b.offset(kk as isize * rsb), n) };
            for (o, &v) in acc.iter_mut().zip(row) {
                *o += x * v;
            }
        }
    } else {
        for (j, o) in acc.iter_mut().enumerate() {
            // SAFETY: column j of B is k contiguous elements (rsb == 1).
            let col = unsafe { std::slice::from_raw_parts(b.offset(j as isize * csb), k) };
            *o = dot(av, col);
        }
    }
}

/// A dot product with 16 independent partial sums (so it vectorizes), reduced in a fixed order.
#[inline(always)]
fn dot<E: Element>(x: &[E], y: &[E]) -> E {
    let mut acc = [E::zero(); 16];
    let (xc, yc) = (x.chunks_exact(16), y.chunks_exact(16));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        let (a, b): (&[E; 16], &[E; 16]) = (a.try_into().expect("16"), b.try_into().expect("16"));
        for i in 0..16 {
            acc[i] += a[i] * b[i];
        }
    }
    let mut tail = E::zero();
    for (&a, &b) in xr.iter().zip(yr) {
        tail += a * b;
    }
    // Pairwise, fixed order.
    let mut w = 16;
    while w > 1 {
        w /= 2;
        for i in 0..w {
            acc[i] += acc[i + w];
        }
    }
    acc[0] + tail
}
