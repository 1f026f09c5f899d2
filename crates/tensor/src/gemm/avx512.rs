//! The AVX-512 f32 GEMM: a register-blocked microkernel with cache blocking and packing.
//!
//! All of Kerosene's SIMD `unsafe` code lives in this module. The caller ([`super::gemm_raw`])
//! checks [`available`] once (cached) and handles threading, `m == 0`, `n == 0` and `k == 0`.
//!
//! # Design
//! - **Microkernel**: an `MR x NR` block of C (`NR = 16 * NV`; vectors run along the rows of C)
//!   lives in `MR * NV` zmm accumulators, 12 x 32 = 24 registers. Each step of k loads `NV`
//!   vectors of B and broadcasts `MR` scalars of A, for `MR * NV` FMAs. One call sweeps a row of
//!   such blocks across the columns of C while the A micro-panel stays in L1 and B streams from
//!   L2 (prefetched a few rows ahead). Edges use fewer rows (8, 4, 2, 1) and fewer vectors, the
//!   last one masked; masked AVX-512 loads and stores mean no edge ever goes through a buffer.
//! - **Blocking**: k is cut into `ceil(k / KC)` blocks of equal size. For each block of rows of
//!   A (`MC` when A is packed, else all of them) and each k block, B is packed `NC` columns at a
//!   time into `KC x NR` micro-panels (the block stays in L2).
//! - **Packing** is where strides are handled, and it is skipped where it does not pay. A B with
//!   contiguous rows is copied with vector loads, or read in place when at most
//!   `PACK_B_MIN_M` rows of C reuse it; a transposed B goes through 16 x 16 in-register
//!   transposes. A row-major A is never packed (the kernel broadcasts from its rows in place); a
//!   transposed A (contiguous columns) is copied into `MR`-tall panels when more than
//!   `PACK_A_MIN_N` columns of C reuse it, else read in place; other strides are gathered.
//!
//! # Determinism
//! Every element of C gets the same sequence of operations whichever kernel, edge case, packing
//! decision or thread computes it: for each k block in order, `acc = 0` then
//! `acc = fma(a_ip, b_pj, acc)` for p in the block in order, then `c = alpha * acc` (first block
//! with `beta == 0`: C is not read), `c = alpha * acc + beta * c` (first block otherwise) or
//! `c = alpha * acc + 1 * c` (later blocks), each product and sum rounded separately. The k blocks
//! depend only on k. So any split of C across threads gives bit-identical results.

#![allow(clippy::too_many_arguments)]

use std::arch::x86_64::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};

/// Rows of the main register block.
pub(crate) const MR: usize = 12;
/// zmm vectors (of 16 f32) across the main register block: `NR = 16 * NV` columns.
pub(crate) const NV: usize = 2;
const NR: usize = 16 * NV;

/// Whether to pack an operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pack {
    /// Decide from the shape and strides (the default).
    Auto,
    /// Always pack (tests and tuning).
    #[cfg_attr(not(test), allow(dead_code))]
    Always,
    /// Read the operand in place whenever its strides allow (tests and tuning).
    #[cfg_attr(not(test), allow(dead_code))]
    Never,
}

/// Cache blocking and packing parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    /// Largest k block (the k blocks are `ceil(k / kc)` equal pieces).
    pub kc: usize,
    /// Rows of A packed at once, when A is packed (rounded down to a multiple of [`MR`]).
    pub mc: usize,
    /// Columns of B packed at once (rounded down to a multiple of `NR`).
    pub nc: usize,
    /// Packing policy for A.
    pub pack_a: Pack,
    /// Packing policy for B.
    pub pack_b: Pack,
}

/// The tuned parameters (see docs/performance.md, section "GEMM").
pub(crate) const PARAMS: Params = Params { kc: 512, mc: 960, nc: 512, pack_a: Pack::Auto, pack_b: Pack::Auto };

/// Rows of B the microkernel prefetches ahead.
const PREFETCH_B: isize = 8;
/// B is packed when more than this many rows of C reuse it (or its columns are not contiguous).
const PACK_B_MIN_M: usize = 256;
/// A transposed A (columns contiguous) is packed when more than this many columns of C reuse it;
/// a row-major A is never packed (its rows are broadcast in place), other strides always are.
const PACK_A_MIN_N: usize = 2 * NR;

/// Whether this CPU runs the AVX-512 kernel (detected once).
pub(crate) fn available() -> bool {
    static STATE: AtomicU8 = AtomicU8::new(0); // 0 unknown, 1 no, 2 yes
    match STATE.load(Ordering::Relaxed) {
        0 => {
            let yes = is_x86_feature_detected!("avx512f");
            STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
            yes
        }
        s => s == 2,
    }
}

/// A microkernel: `kc, a, lda, b, ldb, b_next, tiles, c, rsc, csc, alpha, beta, mask`.
type Ukr = unsafe fn(usize, *const f32, isize, *const f32, isize, isize, usize, *mut f32, isize, isize, f32, f32, u16);

#[inline(always)]
fn lane_mask(lanes: usize) -> u16 {
    if lanes >= 16 { 0xFFFF } else { ((1u32 << lanes) - 1) as u16 }
}

/// For `t < tiles`: `C_t[0..R, 0..16*V] = alpha * A B_t + beta * C_t` for one k block, where
/// `C_t` starts at column `16 * V * t` of `c` and `B_t` at `b + t * b_next`, with:
/// - A(i, p) at `a[p * lda + i]` (`AROW == false`: packed panels or a transposed view) or at
///   `a[i * lda + p]` (`AROW == true`: a row-major view read in place);
/// - B_t(p, j) at `b_t[p * ldb + j]`, the last of the `V` vectors masked by `mask` (for loads and
///   for C; `mask` is all ones when `tiles > 1`);
/// - C(i, j) at `c[i * rsc + j * csc]`; with `beta == 0` C is only written.
///
/// # Safety
/// The CPU has AVX-512F; A must be readable at the `R x kc` positions above, each B_t at the `kc`
/// rows of `16 * (V - 1) + popcount(mask)` columns, C readable (unless `beta == 0`) and writable
/// at the `R x` that many columns of each tile, not aliasing A or B.
#[target_feature(enable = "avx512f")]
#[allow(clippy::needless_range_loop)]
unsafe fn ukr<const R: usize, const V: usize, const AROW: bool>(
    kc: usize,
    a: *const f32,
    lda: isize,
    b: *const f32,
    ldb: isize,
    b_next: isize,
    tiles: usize,
    c: *mut f32,
    rsc: isize,
    csc: isize,
    alpha: f32,
    beta: f32,
    mask: u16,
) {
    let (astep, arow) = if AROW { (1, lda) } else { (lda, 1) };
    let (va, vb) = (_mm512_set1_ps(alpha), _mm512_set1_ps(beta));
    for t in 0..tiles {
        let mut acc = [[_mm512_setzero_ps(); V]; R];
        // SAFETY: every pointer below stays within the A, B and C regions the caller vouched for:
        // A(i, p) for i < R, p < kc; B_t rows p < kc, the last vector masked to the valid columns
        // (masked-off lanes are neither read nor faulted on); C likewise. Prefetches use wrapping
        // arithmetic and never fault.
        unsafe {
            let c = c.offset((16 * V * t) as isize * csc);
            let mut ap = a;
            let mut bp = b.offset(t as isize * b_next);
            // One step of k: V vectors of B (the last one masked unless FULL), R broadcasts of A.
            macro_rules! step {
                ($full:expr) => {{
                    let mut bv = [_mm512_setzero_ps(); V];
                    for v in 0..V {
                        bv[v] = if v + 1 == V && !$full {
                            _mm512_maskz_loadu_ps(mask, bp.add(16 * v))
                        } else {
                            _mm512_loadu_ps(bp.add(16 * v))
                        };
                    }
                    for i in 0..R {
                        let av = _mm512_set1_ps(*ap.offset(i as isize * arow));
                        for v in 0..V {
                            acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
                        }
                    }
                    ap = ap.offset(astep);
                    bp = bp.offset(ldb);
                }};
            }
            if mask == 0xFFFF {
                for _ in 0..kc {
                    // B streams from L2: fetch its row PREFETCH_B steps ahead.
                    for v in 0..V {
                        _mm_prefetch::<_MM_HINT_T0>(bp.wrapping_offset(PREFETCH_B * ldb + 16 * v as isize) as *const i8);
                    }
                    step!(true);
                }
            } else {
                for _ in 0..kc {
                    step!(false);
                }
            }

            if csc == 1 {
                // Two branch-free loops, so that they unroll and `acc` stays in registers.
                let mut row = c;
                if beta == 0.0 {
                    for i in 0..R {
                        for v in 0..V {
                            let m = if v + 1 == V { mask } else { 0xFFFF };
                            _mm512_mask_storeu_ps(row.add(16 * v), m, _mm512_mul_ps(va, acc[i][v]));
                        }
                        row = row.offset(rsc);
                    }
                } else {
                    for i in 0..R {
                        for v in 0..V {
                            let m = if v + 1 == V { mask } else { 0xFFFF };
                            let p = row.add(16 * v);
                            let old = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m, p));
                            _mm512_mask_storeu_ps(p, m, _mm512_add_ps(_mm512_mul_ps(va, acc[i][v]), old));
                        }
                        row = row.offset(rsc);
                    }
                }
            } else {
                // Strided C: the same operations, one lane at a time. (acc is copied out first,
                // so that it is only ever indexed by constants and stays in registers.)
                let mut lanes_out = [[[0f32; 16]; V]; R];
                for i in 0..R {
                    for v in 0..V {
                        _mm512_storeu_ps(lanes_out[i][v].as_mut_ptr(), acc[i][v]);
                    }
                }
                for (i, row) in lanes_out.iter().enumerate() {
                    for (v, vec) in row.iter().enumerate() {
                        let lanes = if v + 1 == V { mask.count_ones() as usize } else { 16 };
                        for (l, &x) in vec.iter().enumerate().take(lanes) {
                            let p = c.offset(i as isize * rsc + (16 * v + l) as isize * csc);
                            *p = if beta == 0.0 { alpha * x } else { alpha * x + beta * *p };
                        }
                    }
                }
            }
        }
    }
}

/// The kernel for `rows` rows (one of MR, 8, 4, 2, 1) and `v` vectors.
fn pick(rows: usize, v: usize, arow: bool) -> Ukr {
    fn by_rows<const V: usize, const AROW: bool>(rows: usize) -> Ukr {
        match rows {
            MR => ukr::<MR, V, AROW>,
            8 => ukr::<8, V, AROW>,
            4 => ukr::<4, V, AROW>,
            2 => ukr::<2, V, AROW>,
            _ => ukr::<1, V, AROW>,
        }
    }
    const { assert!(NV == 2, "pick() instantiates V = 1 and V = 2 only") };
    match (v, arow) {
        (1, false) => by_rows::<1, false>(rows),
        (1, true) => by_rows::<1, true>(rows),
        (_, false) => by_rows::<NV, false>(rows),
        (_, true) => by_rows::<NV, true>(rows),
    }
}

/// Rows for the next kernel call when `left` rows remain.
fn step_rows(left: usize) -> usize {
    match left {
        l if l >= MR => MR,
        l if l >= 8 => 8,
        l if l >= 4 => 4,
        l if l >= 2 => 2,
        _ => 1,
    }
}

/// Transposes a 16x16 block held as 16 row vectors.
#[target_feature(enable = "avx512f")]
fn transpose16(r: &mut [__m512; 16]) {
    let mut t = [_mm512_setzero_ps(); 16];
    for i in 0..8 {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for g in 0..4 {
        let (t0, t1, t2, t3) = (
            _mm512_castps_pd(t[4 * g]),
            _mm512_castps_pd(t[4 * g + 1]),
            _mm512_castps_pd(t[4 * g + 2]),
            _mm512_castps_pd(t[4 * g + 3]),
        );
        r[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        r[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        r[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        r[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    // Now r[4g + c] holds, in 128-bit block b, column 4b + c of rows 4g..4g+4.
    for c in 0..4 {
        t[c] = _mm512_shuffle_f32x4::<0x88>(r[c], r[4 + c]);
        t[4 + c] = _mm512_shuffle_f32x4::<0xdd>(r[c], r[4 + c]);
        t[8 + c] = _mm512_shuffle_f32x4::<0x88>(r[8 + c], r[12 + c]);
        t[12 + c] = _mm512_shuffle_f32x4::<0xdd>(r[8 + c], r[12 + c]);
    }
    for c in 0..4 {
        r[c] = _mm512_shuffle_f32x4::<0x88>(t[c], t[8 + c]);
        r[4 + c] = _mm512_shuffle_f32x4::<0x88>(t[4 + c], t[12 + c]);
        r[8 + c] = _mm512_shuffle_f32x4::<0xdd>(t[c], t[8 + c]);
        r[12 + c] = _mm512_shuffle_f32x4::<0xdd>(t[4 + c], t[12 + c]);
    }
}

/// Copies the `rows x cols` block `src(i, p) = src[i * ld + p]` (rows, cols <= 16; contiguous
/// along p) transposed into `dst[p * dld + i]`, writing `width` lanes of each of the `cols` rows
/// of `dst` (lanes `rows..width` get zeros).
///
/// # Safety
/// AVX-512F; `src` readable at the block, `dst` writable at `cols` rows of `width <= 16` lanes.
#[target_feature(enable = "avx512f")]
unsafe fn transpose_block(
    rows: usize,
    cols: usize,
    src: *const f32,
    ld: isize,
    dst: *mut f32,
    dld: usize,
    width: usize,
) {
    let mut r = [_mm512_setzero_ps(); 16];
    let m = lane_mask(cols);
    // SAFETY: rows < `rows` read `cols` lanes of their row (masked); stores write `width` lanes
    // of `cols` rows of dst, as the caller vouched.
    unsafe {
        for (i, ri) in r.iter_mut().enumerate().take(rows) {
            *ri = _mm512_maskz_loadu_ps(m, src.offset(i as isize * ld));
        }
        transpose16(&mut r);
        let wm = lane_mask(width);
        for (p, rp) in r.iter().enumerate().take(cols) {
            _mm512_mask_storeu_ps(dst.add(p * dld), wm, *rp);
        }
    }
}

/// Packs B[0..kc, 0..nc] (B(p, j) at `b[p * rsb + j * csb]`) into `NR`-wide micro-panels
/// `dst[jp * kc * NR + p * NR + jj]`, zero-padded to a multiple of `NR` columns.
///
/// # Safety
/// AVX-512F; B readable at the block; `dst` writable for `kc * nc.next_multiple_of(NR)` floats.
#[target_feature(enable = "avx512f")]
unsafe fn pack_b(kc: usize, nc: usize, b: *const f32, rsb: isize, csb: isize, dst: *mut f32) {
    // SAFETY: all reads are within the kc x nc block of B, all writes within the panels of dst.
    unsafe {
        let mut j0 = 0;
        let mut d = dst;
        while j0 < nc {
            let nr = NR.min(nc - j0);
            if csb == 1 {
                for p in 0..kc {
                    let src = b.offset(p as isize * rsb + j0 as isize);
                    for v in 0..NV {
                        let lanes = nr.saturating_sub(16 * v);
                        let x = _mm512_maskz_loadu_ps(lane_mask(lanes), src.add(16 * v));
                        _mm512_storeu_ps(d.add(p * NR + 16 * v), x);
                    }
                }
            } else if rsb == 1 {
                // Columns of B are contiguous: transpose 16 x 16 blocks.
                for v in 0..NV {
                    let cols = nr.saturating_sub(16 * v).min(16);
                    if cols == 0 {
                        for p in 0..kc {
                            _mm512_storeu_ps(d.add(p * NR + 16 * v), _mm512_setzero_ps());
                        }
                        continue;
                    }
                    let mut p0 = 0;
                    while p0 < kc {
                        let pn = 16.min(kc - p0);
                        let src = b.offset((j0 + 16 * v) as isize * csb + p0 as isize);
                        transpose_block(cols, pn, src, csb, d.add(p0 * NR + 16 * v), NR, 16);
                        p0 += 16;
                    }
                }
            } else {
                for p in 0..kc {
                    for jj in 0..NR {
                        *d.add(p * NR + jj) =
                            if jj < nr { *b.offset(p as isize * rsb + (j0 + jj) as isize * csb) } else { 0.0 };
                    }
                }
            }
            d = d.add(kc * NR);
            j0 += NR;
        }
    }
}

/// Packs A[0..mc, 0..kc] (A(i, p) at `a[i * rsa + p * csa]`) into `MR`-tall micro-panels
/// `dst[ip * kc * MR + p * MR + ii]` (the rows past `mc` of the last panel are zeros).
///
/// # Safety
/// AVX-512F; A readable at the block; `dst` writable for `kc * mc.next_multiple_of(MR)` floats.
#[target_feature(enable = "avx512f")]
unsafe fn pack_a(mc: usize, kc: usize, a: *const f32, rsa: isize, csa: isize, dst: *mut f32) {
    const { assert!(MR <= 16) };
    // SAFETY: all reads are within the mc x kc block of A, all writes within the panels of dst
    // (each row of a panel is MR lanes).
    unsafe {
        let mut i0 = 0;
        let mut d = dst;
        while i0 < mc {
            let mr = MR.min(mc - i0);
            let src = a.offset(i0 as isize * rsa);
            if rsa == 1 {
                let (lm, wm) = (lane_mask(mr), lane_mask(MR));
                for p in 0..kc {
                    let x = _mm512_maskz_loadu_ps(lm, src.offset(p as isize * csa));
                    _mm512_mask_storeu_ps(d.add(p * MR), wm, x);
                }
            } else {
                for p in 0..kc {
                    for ii in 0..MR {
                        *d.add(p * MR + ii) =
                            if ii < mr { *src.offset(ii as isize * rsa + p as isize * csa) } else { 0.0 };
                    }
                }
            }
            d = d.add(kc * MR);
            i0 += MR;
        }
    }
}

thread_local! {
    /// Packing buffers (A, B), kept per thread between calls: at most `KC * MC` and `KC * NC`
    /// floats, 2 MiB and 1 MiB.
    static BUFFERS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Runs `f` with this thread's packing buffers (or fresh ones, should a call ever nest).
fn with_buffers<R>(f: impl FnOnce(&mut Vec<f32>, &mut Vec<f32>) -> R) -> R {
    BUFFERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut bufs) => {
            let (a, b) = &mut *bufs;
            f(a, b)
        }
        Err(_) => f(&mut Vec::new(), &mut Vec::new()),
    })
}

/// A 64-byte aligned pointer to at least `len` floats of `buf` (grown as needed).
fn aligned(buf: &mut Vec<f32>, len: usize) -> *mut f32 {
    if buf.len() < len + 16 {
        buf.resize(len + 16, 0.0);
    }
    let off = buf.as_ptr().align_offset(64);
    buf[off..].as_mut_ptr()
}

/// Single-threaded `C = alpha * A B + beta * C` with the tuned [`PARAMS`].
///
/// # Safety
/// As [`super::gemm_raw`], with `m, n, k > 0`, and [`available`] must be true.
pub(crate) unsafe fn sgemm(
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
    // SAFETY: forwarded.
    unsafe { sgemm_with(&PARAMS, m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
}

/// [`sgemm`] with explicit blocking parameters (for tuning).
///
/// # Safety
/// As [`sgemm`].
pub(crate) unsafe fn sgemm_with(
    params: &Params,
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
    debug_assert!(m > 0 && n > 0 && k > 0 && available());
    let kblocks = k.div_ceil(params.kc.max(1));
    let kc_len = k.div_ceil(kblocks);
    let nc_max = (params.nc / NR).max(1) * NR;

    // B is read in place when its rows are contiguous and few rows of C reuse it.
    let packs_b = match params.pack_b {
        _ if csb != 1 => true,
        Pack::Always => true,
        Pack::Never => false,
        Pack::Auto => m > PACK_B_MIN_M,
    };
    // A row-major A is broadcast in place: its micro-panel stays in L1 while the kernel sweeps
    // across B. A transposed A is read in place only when few columns of C reuse it.
    let packs_a = match params.pack_a {
        _ if rsa != 1 && csa != 1 => true,
        Pack::Always => true,
        Pack::Never => false,
        Pack::Auto => csa != 1 && n > PACK_A_MIN_N,
    };
    // Rows of A per packed block; without packing, one block (so that B is packed once).
    let mc_max = if packs_a { (params.mc / MR).max(1) * MR } else { m };

    with_buffers(|buf_a, buf_b| {
        let bb = if packs_b { aligned(buf_b, kc_len * nc_max.min(n.next_multiple_of(NR))) } else { b as *mut f32 };
        let ab = if packs_a { aligned(buf_a, kc_len * mc_max.min(m.next_multiple_of(MR))) } else { a as *mut f32 };
        // SAFETY: the blocks below partition the m x n x k product; every pointer handed to
        // the packers and kernels addresses a sub-block of A, B or C, or of the buffers sized
        // above for the largest block.
        unsafe {
            let mut ic = 0;
            while ic < m {
                let mc = mc_max.min(m - ic);
                let mut pc = 0;
                while pc < k {
                    let kc = kc_len.min(k - pc);
                    let beta_blk = if pc == 0 { beta } else { 1.0 };
                    let a_blk = a.offset(ic as isize * rsa + pc as isize * csa);
                    if packs_a {
                        pack_a(mc, kc, a_blk, rsa, csa, ab);
                    }
                    let mut jc = 0;
                    while jc < n {
                        let nc = nc_max.min(n - jc);
                        let b_blk = b.offset(pc as isize * rsb + jc as isize * csb);
                        if packs_b {
                            pack_b(kc, nc, b_blk, rsb, csb, bb);
                        }
                        let mut ir = 0;
                        while ir < mc {
                            let rows = step_rows(mc - ir);
                            let (ap, lda, arow) = if packs_a {
                                (ab.add((ir / MR) * kc * MR + ir % MR) as *const f32, MR as isize, false)
                            } else if rsa == 1 {
                                (a_blk.add(ir), csa, false)
                            } else {
                                (a_blk.offset(ir as isize * rsa), rsa, true)
                            };
                            let c_row = c.offset((ic + ir) as isize * rsc + jc as isize * csc);
                            let (b_panel, ldb, b_next) = if packs_b {
                                (bb as *const f32, NR as isize, (kc * NR) as isize)
                            } else {
                                (b_blk, rsb, NR as isize)
                            };
                            let (full, rest) = (nc / NR, nc % NR);
                            if full > 0 {
                                let f = pick(rows, NV, arow);
                                f(kc, ap, lda, b_panel, ldb, b_next, full, c_row, rsc, csc, alpha, beta_blk, 0xFFFF);
                            }
                            if rest > 0 {
                                let v = rest.div_ceil(16);
                                let mask = lane_mask(rest - 16 * (v - 1));
                                let (bp, cp) =
                                    (b_panel.offset(full as isize * b_next), c_row.offset((full * NR) as isize * csc));
                                let f = pick(rows, v, arow);
                                f(kc, ap, lda, bp, ldb, b_next, 1, cp, rsc, csc, alpha, beta_blk, mask);
                            }
                            ir += rows;
                        }
                        jc += nc;
                    }
                    pc += kc;
                }
                ic += mc;
            }
        }
    });
}

/// `Σ x[i] y[i]` over `n` contiguous f32s, with four 16-lane FMA accumulators reduced in a fixed
/// order (the vector-matrix path of `gemm_raw` for one-row products).
///
/// # Safety
/// AVX-512F must be available; `x` and `y` must be valid for `n` reads.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot(n: usize, x: *const f32, y: *const f32) -> f32 {
    // SAFETY: every load stays below n (full vectors) or is masked to the tail.
    unsafe {
        let mut acc = [_mm512_setzero_ps(); 4];
        let mut i = 0;
        while i + 64 <= n {
            for (u, a) in acc.iter_mut().enumerate() {
                let o = i + 16 * u;
                *a = _mm512_fmadd_ps(_mm512_loadu_ps(x.add(o)), _mm512_loadu_ps(y.add(o)), *a);
            }
            i += 64;
        }
        while i + 16 <= n {
            acc[0] = _mm512_fmadd_ps(_mm512_loadu_ps(x.add(i)), _mm512_loadu_ps(y.add(i)), acc[0]);
            i += 16;
        }
        if i < n {
            let m: __mmask16 = (1u32 << (n - i)) as u16 - 1;
            acc[1] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x.add(i)), _mm512_maskz_loadu_ps(m, y.add(i)), acc[1]);
        }
        let s = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
        _mm512_reduce_add_ps(s)
    }
}

/// `acc[j] += s * row[j]` for `n` contiguous f32s (the row-major vector-matrix path).
///
/// # Safety
/// AVX-512F must be available; `acc` and `row` must be valid for `n` elements.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn axpy(n: usize, s: f32, row: *const f32, acc: *mut f32) {
    // SAFETY: full vectors below n, the tail masked.
    unsafe {
        let sv = _mm512_set1_ps(s);
        let mut j = 0;
        while j + 16 <= n {
            let r = _mm512_fmadd_ps(sv, _mm512_loadu_ps(row.add(j)), _mm512_loadu_ps(acc.add(j)));
            _mm512_storeu_ps(acc.add(j), r);
            j += 16;
        }
        if j < n {
            let m: __mmask16 = (1u32 << (n - j)) as u16 - 1;
            let r = _mm512_fmadd_ps(sv, _mm512_maskz_loadu_ps(m, row.add(j)), _mm512_maskz_loadu_ps(m, acc.add(j)));
            _mm512_mask_storeu_ps(acc.add(j), m, r);
        }
    }
}

/// `c[j] = Σ x[i] y_j[i]` for the `n` columns `y_j = y + j * stride` of a matrix (each `k`
/// contiguous elements): four columns per pass by [`dot4`], the last few by [`dot`].
///
/// # Safety
/// AVX-512F must be available; `x` and every column valid for `k` reads, `c` for `n` writes.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot_columns(k: usize, x: *const f32, y: *const f32, stride: isize, n: usize, c: *mut f32) {
    // SAFETY: the caller's promises, column by column.
    unsafe {
        let mut j = 0;
        while j + 4 <= n {
            let d = dot4(k, x, y.offset(j as isize * stride), stride);
            std::ptr::copy_nonoverlapping(d.as_ptr(), c.add(j), 4);
            j += 4;
        }
        for j in j..n {
            *c.add(j) = dot(k, x, y.offset(j as isize * stride));
        }
    }
}

/// Four dot products `Σ x[i] y_r[i]` (`y_r = y + r * stride`) sharing each load of `x`, so that
/// four rows of a matrix stream at once.
///
/// # Safety
/// AVX-512F must be available; `x` valid for `n` reads and each `y_r` too.
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn dot4(n: usize, x: *const f32, y: *const f32, stride: isize) -> [f32; 4] {
    // SAFETY: full vectors below n, the tail masked; each row pointer stays inside its row.
    unsafe {
        let rows = [y, y.offset(stride), y.offset(2 * stride), y.offset(3 * stride)];
        let mut acc = [[_mm512_setzero_ps(); 2]; 4];
        let mut i = 0;
        while i + 32 <= n {
            let (x0, x1) = (_mm512_loadu_ps(x.add(i)), _mm512_loadu_ps(x.add(i + 16)));
            for r in 0..4 {
                acc[r][0] = _mm512_fmadd_ps(x0, _mm512_loadu_ps(rows[r].add(i)), acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(x1, _mm512_loadu_ps(rows[r].add(i + 16)), acc[r][1]);
            }
            i += 32;
        }
        while i < n {
            let m: __mmask16 = if n - i >= 16 { 0xffff } else { ((1u32 << (n - i)) - 1) as u16 };
            let x0 = _mm512_maskz_loadu_ps(m, x.add(i));
            for r in 0..4 {
                acc[r][0] = _mm512_fmadd_ps(x0, _mm512_maskz_loadu_ps(m, rows[r].add(i)), acc[r][0]);
            }
            i += 16;
        }
        let mut out = [0.0f32; 4];
        for r in 0..4 {
            out[r] = _mm512_reduce_add_ps(_mm512_add_ps(acc[r][0], acc[r][1]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every packing decision, forced, against an f64 triple loop (the public API only reaches
    /// some of them with small shapes; tests/integration/gemm_kernel.rs covers the rest).
    #[test]
    fn forced_packing_policies() {
        if !available() {
            return;
        }
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        };
        let small = Params { kc: 16, mc: 24, nc: 64, ..PARAMS };
        for (m, n, k) in [(1, 1, 1), (13, 33, 17), (25, 70, 40), (40, 65, 33), (7, 100, 5), (70, 17, 70)] {
            let a: Vec<f32> = (0..m * k).map(|_| next()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| next()).collect();
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
                let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
                for pack_a in [Pack::Auto, Pack::Always, Pack::Never] {
                    for pack_b in [Pack::Auto, Pack::Always, Pack::Never] {
                        for base in [PARAMS, small] {
                            let params = Params { pack_a, pack_b, ..base };
                            let mut c = vec![f32::NAN; m * n];
                            // SAFETY: A, B and C are m x k, k x n and m x n with the strides above,
                            // and the CPU has AVX-512F.
                            unsafe {
                                sgemm_with(
                                    &params,
                                    m,
                                    k,
                                    n,
                                    1.0,
                                    a.as_ptr(),
                                    rsa,
                                    csa,
                                    b.as_ptr(),
                                    rsb,
                                    csb,
                                    0.0,
                                    c.as_mut_ptr(),
                                    n as isize,
                                    1,
                                )
                            };
                            for i in 0..m {
                                for j in 0..n {
                                    let (mut want, mut mag) = (0f64, 0f64);
                                    for p in 0..k {
                                        let x = a[(i as isize * rsa + p as isize * csa) as usize] as f64
                                            * b[(p as isize * rsb + j as isize * csb) as usize] as f64;
                                        want += x;
                                        mag += x.abs();
                                    }
                                    let got = c[i * n + j] as f64;
                                    let tol = 2.0 * (k as f64 + 2.0) * f32::EPSILON as f64 * mag + 1e-30;
                                    assert!(
                                        (got - want).abs() <= tol,
                                        "{m}x{k}x{n} ta={ta} tb={tb} {params:?}: C[{i},{j}] = {got}, want {want}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn transpose16_transposes() {
        if !available() {
            return;
        }
        let src: Vec<f32> = (0..256).map(|x| x as f32).collect();
        let mut dst = vec![-1f32; 256];
        // SAFETY: 16 x 16 in and out, AVX-512F available.
        unsafe { transpose_block(16, 16, src.as_ptr(), 16, dst.as_mut_ptr(), 16, 16) };
        for i in 0..16 {
            for j in 0..16 {
                assert_eq!(dst[j * 16 + i], src[i * 16 + j]);
            }
        }
    }
}
