//! 2-D convolution over channels-last (NHWC) images with a Keras kernel, fused with the bias and
//! an activation, forward and backward.
//!
//! With `x: [N, H, W, C]`, kernel `K: [KH, KW, C, O]`, bias `b: [O]`, strides `(sh, sw)`,
//! dilation `(dh, dw)` and top / left padding `(ph, pw)` (see [`Padding`]):
//!
//! ```text
//! z[n, i, j, o] = b[o] + Σ_{ky, kx, c} x[n, i·sh + ky·dh - ph, j·sw + kx·dw - pw, c] · K[ky, kx, c, o]
//! y = act(z)
//! ```
//!
//! where reads outside the input are zero. Unfolding the receptive fields into the im2col
//! matrix `X̂: [N·OH·OW, KH·KW·C]`, one row per output position in `(ky, kx, c)` order, turns it
//! into one GEMM with the kernel read as `K̂: [KH·KW·C, O]` (a reshape of the contiguous kernel,
//! no copy): `Z = X̂ K̂ + 1 bᵀ`, whose rows are already the NHWC output.
//!
//! Backward, with `G = ∂L/∂y` read as `[N·OH·OW, O]` and `dZ = G ⊙ act'(y)`:
//!
//! ```text
//! ∂L/∂K̂ = X̂ᵀ dZ              one GEMM over the im2col matrix the forward saved
//! ∂L/∂b = Σ_rows dZ           column sums
//! ∂L/∂x = col2im(dZ K̂ᵀ)      row r of dZ K̂ᵀ is the gradient of receptive field r; col2im adds
//!                             every field back onto the pixels it read (the adjoint of im2col)
//! ```
//!
//! Performance: the forward runs in blocks of output rows (one rayon task each above a size
//! threshold) that write their slice of `X̂`, multiply it by `K̂` straight into the (never
//! zero-filled) output and add bias + activation while the block is hot in cache. The backward
//! is one blocked pass by groups of images: per block of rows it writes `dZ` into scratch, adds
//! its column sums, accumulates `X̂ᵀ dZ` into the task's partial kernel gradient and folds
//! `dZ K̂ᵀ` into `dx`, so neither `dZ` nor `dZ K̂ᵀ` is ever stored whole. A 1x1 convolution with
//! unit strides and no padding uses `x` itself as `X̂`. The im2col matrix, scratch blocks and
//! partial gradients are recycled buffers (see `scratch.rs`); under [`no_grad`](crate::no_grad)
//! the im2col blocks live in scratch instead of being kept for backward. Results do not depend
//! on the number of threads.

use std::any::Any;
use std::mem::MaybeUninit;

use kerosene_tensor::gemm::gemm_raw;
use kerosene_tensor::{DType, Element, Padding, Tensor, Window2d};
use rayon::prelude::*;

use crate::Var;
use crate::ops::linear::FusedActivation;
use crate::ops::scratch::{Buf, Recycle, zero_init};

/// Multiply-adds below which a convolution stays on the calling thread.
const PAR_MIN_MACS: usize = 1 << 20;
/// Target number of elements in one block of the im2col matrix (a task's working set).
const BLOCK_ELEMS: usize = 1 << 15;
/// Target number of elements in one block of the backward's scratch (`dX̂` rows for col2im).
const BACKWARD_BLOCK_ELEMS: usize = 1 << 17;

/// The widest SIMD level of this CPU: 2 = AVX-512 (F, VL, BW, DQ), 1 = AVX2 + FMA, 0 = baseline.
pub(crate) fn simd_level() -> u8 {
    use std::sync::atomic::{AtomicU8, Ordering};
    static LEVEL: AtomicU8 = AtomicU8::new(u8::MAX);
    let l = LEVEL.load(Ordering::Relaxed);
    if l != u8::MAX {
        return l;
    }
    #[cfg(target_arch = "x86_64")]
    let l = if std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512dq")
    {
        2
    } else if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        1
    } else {
        0
    };
    #[cfg(not(target_arch = "x86_64"))]
    let l = 0;
    LEVEL.store(l, Ordering::Relaxed);
    l
}

/// Defines `fn $name<E: Element>(args)` that runs the `#[inline(always)]` function `$inner`
/// compiled for the widest SIMD level of the CPU (the crate builds for baseline x86-64, where
/// the selects and compares of these loops do not vectorize).
macro_rules! simd_fn {
    ($vis:vis fn $name:ident<E: Element>($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? => $inner:ident) => {
        #[allow(clippy::too_many_arguments)]
        $vis fn $name<E: Element>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
                unsafe fn wide<E: Element>($($arg: $ty),*) $(-> $ret)? {
                    $inner($($arg),*)
                }
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx2,fma")]
                unsafe fn medium<E: Element>($($arg: $ty),*) $(-> $ret)? {
                    $inner($($arg),*)
                }
                match $crate::ops::conv2d::simd_level() {
                    // SAFETY: the CPU has the features (checked by simd_level).
                    2 => return unsafe { wide($($arg),*) },
                    // SAFETY: as above.
                    1 => return unsafe { medium($($arg),*) },
                    _ => {}
                }
            }
            $inner($($arg),*)
        }
    };
}
pub(crate) use simd_fn;

impl Var {
    /// Keras `Conv2D` on channels-last images: `x: [N, H, W, C]`, kernel `[KH, KW, C, O]`,
    /// optional bias `[O]`, output `[N, OH, OW, O]`. `stride` and `dilation` are (vertical,
    /// horizontal); [`Padding::Same`] follows TensorFlow (the odd extra row / column of padding
    /// goes to the bottom / right, so even kernels work). PyTorch's NCHW input converts with
    /// `x.permute(&[0, 2, 3, 1])`, and its `[O, C, KH, KW]` weight with `w.permute(&[2, 3, 1, 0])`.
    ///
    /// ```
    /// use kerosene_autograd::Var;
    /// use kerosene_tensor::{Padding, Tensor};
    /// // A 3x3 image, one channel, and a 2x2 kernel of ones: each output sums a 2x2 window.
    /// let x = Var::new(Tensor::from_vec((1..=9).map(|v| v as f32).collect(), &[1, 3, 3, 1]));
    /// let k = Var::param(Tensor::ones(&[2, 2, 1, 1]));
    /// let y = x.conv2d(&k, None, (1, 1), Padding::Valid, (1, 1));
    /// assert_eq!(y.shape(), &[1, 2, 2, 1]);
    /// assert_eq!(y.value().to_vec::<f32>(), vec![12.0, 16.0, 24.0, 28.0]); // 1+2+4+5, ...
    /// ```
    ///
    /// # Panics
    /// If the input is not rank 4, the kernel is not `[KH, KW, C, O]` with the input's `C`, the
    /// bias is not `[O]`, the dtypes differ, or the (dilated) kernel does not fit the padded input.
    #[track_caller]
    pub fn conv2d(
        &self,
        kernel: &Var,
        bias: Option<&Var>,
        stride: (usize, usize),
        padding: Padding,
        dilation: (usize, usize),
    ) -> Var {
        conv2d_impl("conv2d", self, kernel, bias, (stride, dilation, padding), FusedActivation::Identity)
    }

    /// [`Var::conv2d`] followed by a fused activation, applied to each output block right after
    /// its GEMM (no extra pass, no extra node).
    ///
    /// # Panics
    /// As [`Var::conv2d`].
    #[track_caller]
    pub fn conv2d_act(
        &self,
        kernel: &Var,
        bias: Option<&Var>,
        stride: (usize, usize),
        padding: Padding,
        dilation: (usize, usize),
        act: FusedActivation,
    ) -> Var {
        conv2d_impl("conv2d", self, kernel, bias, (stride, dilation, padding), act)
    }
}

/// Strides, dilation, padding.
pub(crate) type ConvParams = ((usize, usize), (usize, usize), Padding);

/// The geometry of one convolution call.
#[derive(Debug, Clone, Copy)]
struct Conv {
    g: Window2d,
    co: usize,
    /// 1x1 kernel, unit strides, no padding: the im2col matrix is `x` itself.
    identity: bool,
}

impl Conv {
    fn pl(&self) -> usize {
        self.g.patch_len()
    }
    fn rows(&self) -> usize {
        self.g.rows()
    }
    /// Output rows per block: the block of the im2col matrix holds about `BLOCK_ELEMS` elements.
    fn block_rows(&self) -> usize {
        (BLOCK_ELEMS / self.pl().max(1)).clamp(32, 4096)
    }
    /// Rows per block of the backward, whose scratch `dX̂` block holds about
    /// `BACKWARD_BLOCK_ELEMS` elements.
    fn backward_block_rows(&self) -> usize {
        (BACKWARD_BLOCK_ELEMS / self.pl().max(1)).clamp(32, 4096)
    }
    fn parallel(&self) -> bool {
        rayon::current_num_threads() > 1 && self.rows() * self.pl() * self.co >= PAR_MIN_MACS
    }
}

#[track_caller]
pub(crate) fn conv2d_impl(
    op: &'static str,
    x: &Var,
    k: &Var,
    b: Option<&Var>,
    (stride, dilation, padding): ConvParams,
    act: FusedActivation,
) -> Var {
    let (xv, kv) = (x.value(), k.value());
    let bv = b.map(|b| b.value());
    if xv.ndim() != 4 {
        panic!("{op}: expected an NHWC input [N, H, W, C], got shape {:?}", xv.shape());
    }
    if kv.ndim() != 4 {
        panic!("{op}: expected a kernel [KH, KW, C_in, C_out], got shape {:?}", kv.shape());
    }
    let (c, kc, co) = (xv.shape()[3], kv.shape()[2], kv.shape()[3]);
    if c != kc {
        panic!(
            "{op}: the kernel's input channels differ from the input's: input {:?} (C = {c}), kernel {:?} (C_in = {kc})",
            xv.shape(),
            kv.shape()
        );
    }
    if c == 0 || co == 0 {
        panic!("{op}: channels must be positive: input {:?}, kernel {:?}", xv.shape(), kv.shape());
    }
    if let Some(bt) = &bv
        && bt.shape() != [co]
    {
        panic!("{op}: bias must have shape [{co}], got {:?}", bt.shape());
    }
    let dtype = xv.dtype();
    if kv.dtype() != dtype || bv.as_ref().is_some_and(|b| b.dtype() != dtype) {
        panic!(
            "{op}: input, kernel and bias must have the same dtype: input {dtype}, kernel {}, bias {:?}",
            kv.dtype(),
            bv.as_ref().map(|b| b.dtype())
        );
    }
    let kernel = (kv.shape()[0], kv.shape()[1]);
    let g = Window2d::new(op, xv.shape(), kernel, stride, dilation, padding).unwrap_or_else(|e| panic!("{e}"));
    let identity = kernel == (1, 1) && stride == (1, 1) && g.pad == (0, 0) && g.out == (g.h, g.w);
    let cv = Conv { g, co, identity };

    let inputs: Vec<&Var> = match b {
        Some(b) => vec![x, k, b],
        None => vec![x, k],
    };
    let graph = Var::needs_graph(&inputs);
    let (xc, kc) = (xv.contiguous(), kv.contiguous());
    let bc = bv.map(|b| b.contiguous());
    let (y, cols) = match dtype {
        DType::F32 => forward::<f32>(&xc, &kc, bc.as_ref(), &cv, act, graph),
        DType::F64 => forward::<f64>(&xc, &kc, bc.as_ref(), &cv, act, graph),
    };
    if !graph {
        return Var::new(y);
    }
    let cols = cols.expect("kept when recording");
    let y_saved = (act != FusedActivation::Identity).then(|| y.clone());
    let x_shape = xv.shape().to_vec();
    Var::from_op(op, y, &inputs, move |grad, need| {
        let s = Saved { cols: &cols, y: y_saved.as_ref(), kernel: &kc, x_shape: &x_shape };
        match grad.dtype() {
            DType::F32 => backward::<f32>(grad, &s, &cv, act, need),
            DType::F64 => backward::<f64>(grad, &s, &cv, act, need),
        }
    })
}

/// The im2col matrix kept for backward: `x` itself (1x1 kernels), or a recycled buffer.
enum Cols {
    Input(Tensor),
    Owned(Box<dyn Any + Send + Sync>),
}

impl Cols {
    fn slice<E: Element + Recycle>(&self) -> &[E] {
        match self {
            Cols::Input(t) => t.as_slice::<E>().expect("contiguous input"),
            Cols::Owned(b) => b.downcast_ref::<Buf<E>>().expect("same dtype as the forward"),
        }
    }
}

/// The forward: `y` as `[N, OH, OW, O]`, and the im2col matrix if `keep_cols` (for backward).
fn forward<E: Element + Recycle>(
    x: &Tensor,
    k: &Tensor,
    b: Option<&Tensor>,
    cv: &Conv,
    act: FusedActivation,
    keep_cols: bool,
) -> (Tensor, Option<Cols>) {
    let g = &cv.g;
    let (rows, pl, co) = (cv.rows(), cv.pl(), cv.co);
    let out_shape = [g.n, g.out.0, g.out.1, co];
    if rows == 0 {
        let cols = keep_cols.then(|| Cols::Owned(Box::new(Buf::<E>::dirty(0))));
        return (Tensor::from_vec(Vec::<E>::new(), &out_shape), cols);
    }
    let xs = x.as_slice::<E>().expect("contiguous, dtype checked");
    let ks = k.as_slice::<E>().expect("contiguous, dtype checked");
    let bs = b.map(|b| b.as_slice::<E>().expect("contiguous, dtype checked"));
    // The output is written block by block by the GEMM (beta = 0 never reads it), so it starts
    // uninitialized: no zero-fill pass over the largest buffer of the layer.
    let mut y: Vec<E> = Vec::with_capacity(rows * co);
    let br = cv.block_rows();
    // One block: `yb = act(cols_b K̂ + b)`.
    let mul = |cols_b: &[E], yb: &mut [MaybeUninit<E>]| {
        let m = yb.len() / co;
        debug_assert_eq!(cols_b.len(), m * pl);
        // SAFETY: `cols_b` is an m x pl row-major matrix, `ks` a pl x co one, `yb` an m x co
        // block of writable memory that aliases neither; with beta = 0 the GEMM writes every
        // element of C without reading it.
        unsafe {
            gemm_raw(
                m,
                pl,
                co,
                E::one(),
                cols_b.as_ptr(),
                pl as isize,
                1,
                ks.as_ptr(),
                co as isize,
                1,
                E::zero(),
                yb.as_mut_ptr().cast::<E>(),
                co as isize,
                1,
            )
        };
        // SAFETY: every element of the block was initialized by the GEMM above.
        let yb = unsafe { std::slice::from_raw_parts_mut(yb.as_mut_ptr().cast::<E>(), yb.len()) };
        bias_act(yb, bs, act, co);
    };
    let par = cv.parallel();
    let out = &mut y.spare_capacity_mut()[..rows * co];
    let cols = if cv.identity {
        let run = |(i, yb): (usize, &mut [MaybeUninit<E>])| {
            let r0 = i * br;
            mul(&xs[r0 * pl..(r0 + yb.len() / co) * pl], yb)
        };
        if par {
            out.par_chunks_mut(br * co).enumerate().for_each(run);
        } else {
            out.chunks_mut(br * co).enumerate().for_each(run);
        }
        keep_cols.then(|| Cols::Input(x.clone()))
    } else if keep_cols {
        // Every element is written (zeros in the padding), so a recycled buffer needs no clearing.
        let mut cols = Buf::<E>::dirty(rows * pl);
        let run = |(i, (cb, yb)): (usize, (&mut [E], &mut [MaybeUninit<E>]))| {
            im2col_rows(xs, g, i * br, cb);
            mul(cb, yb)
        };
        if par {
            cols.par_chunks_mut(br * pl).zip(out.par_chunks_mut(br * co)).enumerate().for_each(run);
        } else {
            cols.chunks_mut(br * pl).zip(out.chunks_mut(br * co)).enumerate().for_each(run);
        }
        Some(Cols::Owned(Box::new(cols)))
    } else {
        let run = |scratch: &mut Buf<E>, (i, yb): (usize, &mut [MaybeUninit<E>])| {
            let cb = &mut scratch[..yb.len() / co * pl];
            im2col_rows(xs, g, i * br, cb);
            mul(cb, yb)
        };
        if par {
            out.par_chunks_mut(br * co).enumerate().for_each_init(|| Buf::dirty(br * pl), run);
        } else {
            let mut scratch = Buf::dirty(br.min(rows) * pl);
            out.chunks_mut(br * co).enumerate().for_each(|item| run(&mut scratch, item));
        }
        None
    };
    // SAFETY: the blocks above cover all `rows * co` elements and each was written by its GEMM.
    unsafe { y.set_len(rows * co) };
    (Tensor::from_vec(y, &out_shape), cols)
}

/// What the backward needs from the forward.
struct Saved<'a> {
    cols: &'a Cols,
    y: Option<&'a Tensor>,
    kernel: &'a Tensor,
    x_shape: &'a [usize],
}

/// One backward task: its index, its images of `dx` (if wanted) and its partial gradients.
type TaskItem<'a, E> = (usize, (Option<&'a mut [MaybeUninit<E>]>, &'a mut [E]));

/// The backward in one blocked pass. Tasks own groups of whole images (so they write disjoint
/// parts of `dx`); each walks its rows in blocks that stay in cache and, per block, writes
/// `dZ = G ⊙ act'(y)` into scratch, adds its column sums (the bias gradient), accumulates
/// `X̂ᵀ dZ` into the task's partial kernel gradient, and folds `col2im(dZ K̂ᵀ)` into `dx`. The
/// partial gradients are added in task order, and tasks depend only on the sizes, so results do
/// not depend on the number of threads. The full `dZ` is never stored.
fn backward<E: Element + Recycle>(
    grad: &Tensor,
    s: &Saved<'_>,
    cv: &Conv,
    act: FusedActivation,
    need: &[bool],
) -> Vec<Option<Tensor>> {
    let g = &cv.g;
    let (rows, pl, co) = (cv.rows(), cv.pl(), cv.co);
    let (want_dx, want_dk, want_db) = (need[0], need[1], need.get(2) == Some(&true));
    let grad = grad.contiguous();
    let gs = grad.as_slice::<E>().expect("gradient in the output's dtype");
    let ys = s.y.map(|y| y.as_slice::<E>().expect("fresh contiguous output"));
    let ks = s.kernel.as_slice::<E>().expect("contiguous kernel");
    let cols = s.cols.slice::<E>();
    let img = g.h * g.w * g.c;
    let per_img = g.out.0 * g.out.1;
    let br = cv.backward_block_rows();
    let imgs_per_task = (br / per_img.max(1)).max(1);
    let tasks = g.n.div_ceil(imgs_per_task);
    // Per task: the partial kernel gradient [pl, co], then the partial bias gradient [co].
    let part_len = if want_dk { pl * co } else { 0 } + if want_db { co } else { 0 };
    let mut parts = Buf::<E>::dirty(tasks * part_len);
    // Uninitialized: each task zeroes its own images right before folding into them.
    let mut dx: Vec<E> = Vec::with_capacity(if want_dx { g.n * img } else { 0 });

    let task = |scratch: &mut (Buf<E>, Buf<E>), t: usize, dxt: Option<&mut [MaybeUninit<E>]>, part: &mut [E]| {
        let mut dxt = dxt.map(zero_init);
        let (dk_part, db_part) = part.split_at_mut(if want_dk { pl * co } else { 0 });
        db_part.fill(E::zero());
        let b0 = t * imgs_per_task;
        let (r_begin, r_end) = (b0 * per_img, ((t + 1) * imgs_per_task).min(g.n) * per_img);
        let mut r0 = r_begin;
        while r0 < r_end {
            let r1 = (r0 + br).min(r_end);
            let m = r1 - r0;
            let gb = &gs[r0 * co..r1 * co];
            let dz: &[E] = match ys {
                Some(ys) => {
                    let d = &mut scratch.0[..m * co];
                    dz_block(d, gb, &ys[r0 * co..r1 * co], act, co, want_db, db_part);
                    d
                }
                None => {
                    if want_db {
                        add_column_sums(gb, co, db_part);
                    }
                    gb
                }
            };
            if want_dk {
                // dK_part (+)= X̂_bᵀ dZ_b
                let beta = if r0 == r_begin { E::zero() } else { E::one() };
                // SAFETY: `cols` rows r0..r1 are an m x pl matrix read transposed (pl x m with
                // strides (1, pl)), `dz` is m x co, `dk_part` a separate pl x co buffer.
                unsafe {
                    gemm_raw(
                        pl,
                        m,
                        co,
                        E::one(),
                        cols[r0 * pl..r1 * pl].as_ptr(),
                        1,
                        pl as isize,
                        dz.as_ptr(),
                        co as isize,
                        1,
                        beta,
                        dk_part.as_mut_ptr(),
                        co as isize,
                        1,
                    )
                };
            }
            if let Some(dxt) = dxt.as_deref_mut() {
                // dX̂_b = dZ_b K̂ᵀ, folded back onto the images (or, for 1x1 kernels, dX itself).
                let target: &mut [E] = if cv.identity {
                    &mut dxt[(r0 - r_begin) * pl..(r1 - r_begin) * pl]
                } else {
                    &mut scratch.1[..m * pl]
                };
                // SAFETY: `dz` is m x co, the kernel read transposed is co x pl (strides (1, co)),
                // `target` a separate m x pl buffer, written (beta = 0).
                unsafe {
                    gemm_raw(
                        m,
                        co,
                        pl,
                        E::one(),
                        dz.as_ptr(),
                        co as isize,
                        1,
                        ks.as_ptr(),
                        1,
                        co as isize,
                        E::zero(),
                        target.as_mut_ptr(),
                        pl as isize,
                        1,
                    )
                };
                if !cv.identity {
                    col2im_rows(&scratch.1[..m * pl], g, r0, b0, dxt);
                }
            }
            r0 = r1;
        }
    };
    let scratch = || {
        let dz_len = if ys.is_some() { br.min(rows) * co } else { 0 };
        let cols_len = if want_dx && !cv.identity { br.min(rows) * pl } else { 0 };
        (Buf::dirty(dz_len), Buf::dirty(cols_len))
    };
    // One (task, dx chunk, partial) triple per group of images.
    let mut dx_chunks: Vec<Option<&mut [MaybeUninit<E>]>> = if want_dx {
        dx.spare_capacity_mut()[..g.n * img].chunks_mut((imgs_per_task * img).max(1)).map(Some).collect()
    } else {
        (0..tasks).map(|_| None).collect()
    };
    let items: Vec<TaskItem<'_, E>> = if part_len > 0 {
        dx_chunks.drain(..).zip(parts.chunks_mut(part_len)).enumerate().collect()
    } else {
        dx_chunks.drain(..).map(|d| (d, &mut [][..])).enumerate().collect()
    };
    if cv.parallel() && tasks > 1 {
        items.into_par_iter().for_each_init(scratch, |sc, (t, (d, p))| task(sc, t, d, p));
    } else {
        let mut sc = scratch();
        items.into_iter().for_each(|(t, (d, p))| task(&mut sc, t, d, p));
    }

    if want_dx {
        // SAFETY: the tasks' chunks cover all `n * img` elements, and each task zero-filled its own.
        unsafe { dx.set_len(g.n * img) };
    }
    let (mut dk, mut db) =
        (vec![E::zero(); if want_dk { pl * co } else { 0 }], vec![E::zero(); if want_db { co } else { 0 }]);
    if part_len > 0 {
        for p in parts.chunks(part_len) {
            let (pk, pb) = p.split_at(dk.len());
            dk.iter_mut().zip(pk).for_each(|(d, &v)| *d += v);
            db.iter_mut().zip(pb).for_each(|(d, &v)| *d += v);
        }
    }
    let mut out =
        vec![want_dx.then(|| Tensor::from_vec(dx, s.x_shape)), want_dk.then(|| Tensor::from_vec(dk, s.kernel.shape()))];
    if need.len() == 3 {
        out.push(want_db.then(|| Tensor::from_vec(db, &[co])));
    }
    out
}

simd_fn!(fn dz_block<E: Element>(d: &mut [E], g: &[E], y: &[E], act: FusedActivation, co: usize, sums: bool, acc: &mut [E]) => dz_block_inner);

/// One block of rows: `d = g · act'(y)`, and `acc += Σ_rows d` if `sums`.
#[inline(always)]
fn dz_block_inner<E: Element>(
    d: &mut [E],
    g: &[E],
    y: &[E],
    act: FusedActivation,
    co: usize,
    sums: bool,
    acc: &mut [E],
) {
    #[inline(always)]
    fn block<E: Element>(d: &mut [E], g: &[E], y: &[E], f: impl Fn(E, E) -> E) {
        d.iter_mut().zip(g).zip(y).for_each(|((d, &g), &y)| *d = f(g, y));
    }
    match act {
        FusedActivation::Identity => d.copy_from_slice(g),
        FusedActivation::Relu => block(d, g, y, |g, y| if y > E::zero() { g } else { E::zero() }),
        FusedActivation::Sigmoid => block(d, g, y, |g, y| g * y * (E::one() - y)),
        FusedActivation::Tanh => block(d, g, y, |g, y| g * (E::one() - y * y)),
    }
    if sums {
        add_column_sums_inner(d, co, acc);
    }
}

simd_fn!(fn add_column_sums<E: Element>(d: &[E], co: usize, acc: &mut [E]) => add_column_sums_inner);

/// `acc += Σ_rows d` for a row-major `d` with rows of `co`.
#[inline(always)]
fn add_column_sums_inner<E: Element>(d: &[E], co: usize, acc: &mut [E]) {
    for row in d.chunks_exact(co) {
        acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v);
    }
}

simd_fn!(fn bias_act<E: Element>(y: &mut [E], b: Option<&[E]>, act: FusedActivation, co: usize) => bias_act_inner);

/// Adds the bias to every row of an output block and applies the activation, in one pass.
#[inline(always)]
fn bias_act_inner<E: Element>(y: &mut [E], b: Option<&[E]>, act: FusedActivation, co: usize) {
    #[inline(always)]
    fn run<E: Element>(y: &mut [E], b: Option<&[E]>, co: usize, f: impl Fn(E) -> E) {
        match b {
            Some(b) => {
                for row in y.chunks_exact_mut(co) {
                    row.iter_mut().zip(b).for_each(|(v, &bb)| *v = f(*v + bb));
                }
            }
            None => y.iter_mut().for_each(|v| *v = f(*v)),
        }
    }
    match (act, b) {
        (FusedActivation::Identity, None) => {}
        (FusedActivation::Identity, _) => run(y, b, co, |z| z),
        (FusedActivation::Relu, _) => run(y, b, co, |z| FusedActivation::Relu.apply(z)),
        (FusedActivation::Sigmoid, _) => run(y, b, co, |z| FusedActivation::Sigmoid.apply(z)),
        (FusedActivation::Tanh, _) => run(y, b, co, |z| FusedActivation::Tanh.apply(z)),
    }
}

/// The input row / column read by output position `o` at tap `k`, or `None` in the padding.
#[inline(always)]
fn tap(o: usize, k: usize, stride: usize, dil: usize, pad: usize, len: usize) -> Option<usize> {
    (o * stride + k * dil).checked_sub(pad).filter(|&p| p < len)
}

simd_fn!(fn im2col_rows<E: Element>(x: &[E], g: &Window2d, r0: usize, dst: &mut [E]) => im2col_rows_inner);

/// Writes rows `r0..` of the im2col matrix (as many as fit `dst`), zeros in the padding. With one
/// input channel a kernel row is a run of 3 or 5 elements, so the copy length is made a
/// compile-time constant for short runs (one dispatch per call, not per run).
#[inline(always)]
fn im2col_rows_inner<E: Element>(x: &[E], g: &Window2d, r0: usize, dst: &mut [E]) {
    match g.kernel.1 * g.c {
        1 => im2col_runs::<E, 1>(x, g, r0, dst),
        2 => im2col_runs::<E, 2>(x, g, r0, dst),
        3 => im2col_runs::<E, 3>(x, g, r0, dst),
        4 => im2col_runs::<E, 4>(x, g, r0, dst),
        5 => im2col_runs::<E, 5>(x, g, r0, dst),
        6 => im2col_runs::<E, 6>(x, g, r0, dst),
        7 => im2col_runs::<E, 7>(x, g, r0, dst),
        8 => im2col_runs::<E, 8>(x, g, r0, dst),
        9 => im2col_runs::<E, 9>(x, g, r0, dst),
        _ => im2col_runs::<E, 0>(x, g, r0, dst),
    }
}

/// [`im2col_rows`] with kernel rows of `RUN` elements (`0`: any length). Works one output line
/// (fixed image and output row) at a time: the vertical taps are resolved once per line, and the
/// positions whose window lies inside the input horizontally copy each kernel row as one run
/// with no per-tap checks.
#[inline(always)]
fn im2col_runs<E: Element, const RUN: usize>(x: &[E], g: &Window2d, r0: usize, dst: &mut [E]) {
    let pl = g.patch_len();
    let (oh, ow) = g.out;
    let (kh, kw) = g.kernel;
    let (sw, dw, pw) = (g.stride.1, g.dilation.1, g.pad.1);
    let c = g.c;
    let (img, line, run) = (g.h * g.w * c, g.w * c, kw * c);
    let copy = |d: &mut [E], s: &[E]| {
        if RUN > 0 {
            let d: &mut [E; RUN] = (&mut d[..RUN]).try_into().expect("run length");
            *d = *<&[E; RUN]>::try_from(&s[..RUN]).expect("run length");
        } else {
            d.copy_from_slice(&s[..d.len()])
        }
    };
    // Output columns whose window is inside the input horizontally (unit dilation only):
    // ox·sw ≥ pw and ox·sw - pw + kw ≤ w.
    let (lo, hi) =
        if dw == 1 && g.w + pw >= kw { (pw.div_ceil(sw), ((g.w + pw - kw) / sw + 1).min(ow)) } else { (0, 0) };
    // Rows r0.. may start and end mid-line: split at line ends.
    let (mut r, mut seg) = (r0, dst);
    while seg.len() >= pl {
        let (b, oy, ox0) = (r / (oh * ow), r % (oh * ow) / ow, r % ow);
        let n = (ow - ox0).min(seg.len() / pl);
        let (cur, rest) = seg.split_at_mut(n * pl);
        let src = &x[b * img..(b + 1) * img];
        for ky in 0..kh {
            let rows = cur.chunks_exact_mut(pl).map(|row| &mut row[ky * run..(ky + 1) * run]);
            let Some(iy) = tap(oy, ky, g.stride.0, g.dilation.0, g.pad.0, g.h) else {
                rows.for_each(|d| d.fill(E::zero()));
                continue;
            };
            let sl = &src[iy * line..(iy + 1) * line];
            for (j, d) in rows.enumerate() {
                let ox = ox0 + j;
                if ox >= lo && ox < hi {
                    copy(d, &sl[(ox * sw - pw) * c..]);
                } else {
                    for kx in 0..kw {
                        let dd = &mut d[kx * c..(kx + 1) * c];
                        match tap(ox, kx, sw, dw, pw, g.w) {
                            Some(ix) => dd.copy_from_slice(&sl[ix * c..(ix + 1) * c]),
                            None => dd.fill(E::zero()),
                        }
                    }
                }
            }
        }
        r += n;
        seg = rest;
    }
}

simd_fn!(fn col2im_rows<E: Element>(cols: &[E], g: &Window2d, r0: usize, b0: usize, dx: &mut [E]) => col2im_rows_inner);

/// Adds rows `r0..` of an im2col-shaped matrix back onto the images they came from; `dx` holds
/// images `b0..`.
#[inline(always)]
fn col2im_rows_inner<E: Element>(cols: &[E], g: &Window2d, r0: usize, b0: usize, dx: &mut [E]) {
    let pl = g.patch_len();
    let (oh, ow) = g.out;
    let (kh, kw) = g.kernel;
    let c = g.c;
    let (img, line, run) = (g.h * g.w * c, g.w * c, kw * c);
    for (i, row) in cols.chunks_exact(pl).enumerate() {
        let r = r0 + i;
        let (b, oy, ox) = (r / (oh * ow) - b0, r % (oh * ow) / ow, r % ow);
        let dst = &mut dx[b * img..(b + 1) * img];
        let left = (ox * g.stride.1).checked_sub(g.pad.1).filter(|&l| g.dilation.1 == 1 && l + kw <= g.w);
        for ky in 0..kh {
            let Some(iy) = tap(oy, ky, g.stride.0, g.dilation.0, g.pad.0, g.h) else { continue };
            let s = &row[ky * run..(ky + 1) * run];
            let d = &mut dst[iy * line..(iy + 1) * line];
            if let Some(l) = left {
                d[l * c..l * c + run].iter_mut().zip(s).for_each(|(o, &v)| *o += v);
            } else {
                for kx in 0..kw {
                    if let Some(ix) = tap(ox, kx, g.stride.1, g.dilation.1, g.pad.1, g.w) {
                        d[ix * c..(ix + 1) * c].iter_mut().zip(&s[kx * c..(kx + 1) * c]).for_each(|(o, &v)| *o += v);
                    }
                }
            }
        }
    }
}
