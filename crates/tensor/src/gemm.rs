//! The GEMM backend: `C = alpha * A B + beta * C` on strided matrices.
//!
//! Every matrix product in Kerosene ends here, so a faster kernel (or another device) plugs in
//! at this one place. Operands are read through their strides, so transposed views are never
//! copied. Large products are split by rows of `C` across rayon threads; each element of `C` is
//! computed by the same sequence of operations whatever the split, so results do not depend on
//! the number of threads.

use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

use crate::{DType, Element};

/// Products with at least this many multiply-adds (`m * k * n`) are split across threads.
pub const PAR_GEMM_MIN_FLOPS: usize = 1 << 21;
/// Each thread gets at least this many rows of `C`.
const PAR_GEMM_MIN_ROWS: usize = 64;

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
    let threads = rayon::current_num_threads();
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
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    if k != k2 || c.dim() != (m, n) {
        panic!("gemm: shapes do not fit: a [{m}, {k}], b [{k2}, {n}], c {:?}", c.shape());
    }
    let (sa, sb, sc) = (a.strides(), b.strides(), c.strides());
    let (sc0, sc1) = (sc[0], sc[1]);
    // SAFETY: the views guarantee valid strided memory; `c` is a unique mutable view.
    unsafe {
        gemm_raw(m, k, n, alpha, a.as_ptr(), sa[0], sa[1], b.as_ptr(), sb[0], sb[1], beta, c.as_mut_ptr(), sc0, sc1)
    }
}
