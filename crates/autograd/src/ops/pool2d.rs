//! 2-D pooling over channels-last (NHWC) images: max, average, and the global forms.
//!
//! With `x: [N, H, W, C]`, a `PH x PW` window, strides `(sh, sw)` and top / left padding
//! `(ph, pw)`, output position `(i, j)` covers the input rows `i·sh - ph .. i·sh - ph + PH` and
//! columns `j·sw - pw .. j·sw - pw + PW`; `V(i, j)` is the set of those positions that fall inside
//! the input (padding is never part of a window, as in Keras / TensorFlow).
//!
//! ```text
//! max:  y[n, i, j, c] = max_{(p, q) ∈ V(i, j)} x[n, p, q, c]
//!       ∂L/∂x[n, p, q, c] = Σ_{(i, j) : a(n, i, j, c) = (p, q)} g[n, i, j, c]
//!       where a(n, i, j, c) is the first position (row-major in the window) holding the maximum,
//!       recorded by the forward (ties do not split the gradient; NaN wins, as in PyTorch)
//! avg:  y[n, i, j, c] = (1 / |V(i, j)|) Σ_{(p, q) ∈ V(i, j)} x[n, p, q, c]
//!       ∂L/∂x[n, p, q, c] = Σ_{(i, j) : (p, q) ∈ V(i, j)} g[n, i, j, c] / |V(i, j)|
//! ```
//!
//! With [`Padding::Same`] an average near the border divides by the number of real elements
//! (Keras; PyTorch's `count_include_pad=False`). Global pooling reduces axes 1 and 2:
//! `[N, H, W, C] -> [N, C]`, through [`Var::mean`] / [`Var::max`].
//!
//! Channels are contiguous in NHWC, so every window tap is a run of `C` elements compared or
//! added elementwise. Images are pooled in parallel above a size threshold.

use std::mem::MaybeUninit;

use kerosene_tensor::{DType, Element, Padding, Tensor, Window2d};
use rayon::prelude::*;

use crate::Var;
use crate::ops::conv2d::simd_fn;
use crate::ops::scratch::{Buf, zero_init};

/// Window reads (output elements times window size) below which pooling stays on one thread.
const PAR_MIN_READS: usize = 1 << 16;

impl Var {
    /// Max pooling over `pool` windows of an NHWC input (Keras `MaxPooling2D`, PyTorch
    /// `max_pool2d` on channels-last data). The gradient goes to the first maximum of each window.
    ///
    /// ```
    /// use kerosene_autograd::Var;
    /// use kerosene_tensor::{Padding, Tensor};
    /// let x = Var::param(Tensor::from_vec((1..=16).map(|v| v as f32).collect(), &[1, 4, 4, 1]));
    /// let y = x.max_pool2d((2, 2), (2, 2), Padding::Valid);
    /// assert_eq!(y.value().to_vec::<f32>(), vec![6.0, 8.0, 14.0, 16.0]);
    /// ```
    ///
    /// # Panics
    /// If the input is not rank 4, the window or strides are zero, the window does not fit the
    /// padded input, or explicit padding is as large as the window (a window of padding only).
    #[track_caller]
    pub fn max_pool2d(&self, pool: (usize, usize), stride: (usize, usize), padding: Padding) -> Var {
        pool2d(self, "max_pool2d", Kind::Max, pool, stride, padding)
    }

    /// Average pooling over `pool` windows of an NHWC input (Keras `AveragePooling2D`): with
    /// padding, only the elements inside the input are averaged.
    ///
    /// ```
    /// use kerosene_autograd::Var;
    /// use kerosene_tensor::{Padding, Tensor};
    /// let x = Var::new(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 2, 3, 1]));
    /// // "same" with a 2x2 window, stride 2 on a 2x3 input: windows {1, 2, 4, 5} and {3, 6}.
    /// let y = x.avg_pool2d((2, 2), (2, 2), Padding::Same);
    /// assert_eq!(y.value().to_vec::<f32>(), vec![3.0, 4.5]);
    /// ```
    ///
    /// # Panics
    /// As [`Var::max_pool2d`].
    #[track_caller]
    pub fn avg_pool2d(&self, pool: (usize, usize), stride: (usize, usize), padding: Padding) -> Var {
        pool2d(self, "avg_pool2d", Kind::Avg, pool, stride, padding)
    }

    /// Mean over the spatial axes: `[N, H, W, C] -> [N, C]` (Keras `GlobalAveragePooling2D`).
    ///
    /// # Panics
    /// If the input is not rank 4.
    #[track_caller]
    pub fn global_avg_pool2d(&self) -> Var {
        expect_nhwc("global_avg_pool2d", self.shape());
        self.mean(&[1, 2], false)
    }

    /// Maximum over the spatial axes: `[N, H, W, C] -> [N, C]` (Keras `GlobalMaxPooling2D`);
    /// tied maxima share the gradient, as in [`Var::max`].
    ///
    /// # Panics
    /// If the input is not rank 4.
    #[track_caller]
    pub fn global_max_pool2d(&self) -> Var {
        expect_nhwc("global_max_pool2d", self.shape());
        self.max(&[1, 2], false)
    }
}

#[track_caller]
fn expect_nhwc(op: &str, shape: &[usize]) {
    if shape.len() != 4 {
        panic!("{op}: expected an NHWC input [N, H, W, C], got shape {shape:?}");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Max,
    Avg,
}

/// The valid input range `lo..hi` of window `o` along one axis.
#[inline(always)]
fn span(o: usize, stride: usize, pad: usize, k: usize, len: usize) -> (usize, usize) {
    let start = o * stride;
    (start.saturating_sub(pad), (start + k).saturating_sub(pad).min(len))
}

#[track_caller]
fn pool2d(
    x: &Var,
    op: &'static str,
    kind: Kind,
    pool: (usize, usize),
    stride: (usize, usize),
    padding: Padding,
) -> Var {
    let xv = x.value();
    expect_nhwc(op, xv.shape());
    if let Padding::Explicit(t, b, l, r) = padding
        && (t.max(b) >= pool.0 || l.max(r) >= pool.1)
    {
        panic!("{op}: explicit padding {padding:?} must be smaller than the window {pool:?} on each side");
    }
    let g = Window2d::new(op, xv.shape(), pool, stride, (1, 1), padding).unwrap_or_else(|e| panic!("{e}"));
    if g.h * g.w * g.c > u32::MAX as usize {
        panic!("{op}: images of more than 2^32 elements are not supported, got shape {:?}", xv.shape());
    }
    let graph = Var::needs_graph(&[x]);
    let xc = xv.contiguous();
    let (y, arg) = match xc.dtype() {
        DType::F32 => forward::<f32>(&xc, &g, kind, graph),
        DType::F64 => forward::<f64>(&xc, &g, kind, graph),
    };
    if !graph {
        return Var::new(y);
    }
    Var::from_op(op, y, &[x], move |grad, _| {
        let dx = match grad.dtype() {
            DType::F32 => backward::<f32>(grad, &g, kind, arg.as_deref()),
            DType::F64 => backward::<f64>(grad, &g, kind, arg.as_deref()),
        };
        vec![Some(dx)]
    })
}

fn parallel(g: &Window2d) -> bool {
    rayon::current_num_threads() > 1
        && g.n > 1
        && g.n * g.out.0 * g.out.1 * g.c * g.kernel.0 * g.kernel.1 >= PAR_MIN_READS
}

/// Runs `f(image, out_chunk, arg_chunk)` over images, in parallel when large.
fn per_image<E: Element>(
    g: &Window2d,
    out: &mut [E],
    arg: Option<&mut [u32]>,
    f: impl Fn(usize, &mut [E], Option<&mut [u32]>) + Sync + Send,
) {
    let per = g.out.0 * g.out.1 * g.c;
    if per == 0 {
        return;
    }
    match (arg, parallel(g)) {
        (Some(a), true) => {
            out.par_chunks_mut(per).zip(a.par_chunks_mut(per)).enumerate().for_each(|(b, (o, a))| f(b, o, Some(a)))
        }
        (Some(a), false) => {
            out.chunks_mut(per).zip(a.chunks_mut(per)).enumerate().for_each(|(b, (o, a))| f(b, o, Some(a)))
        }
        (None, true) => out.par_chunks_mut(per).enumerate().for_each(|(b, o)| f(b, o, None)),
        (None, false) => out.chunks_mut(per).enumerate().for_each(|(b, o)| f(b, o, None)),
    }
}

/// The pooled output and, for max pooling with a graph, the argmax of every output element (an
/// offset into its image).
fn forward<E: Element>(x: &Tensor, g: &Window2d, kind: Kind, record: bool) -> (Tensor, Option<Buf<u32>>) {
    let xs = x.as_slice::<E>().expect("contiguous");
    let img = g.h * g.w * g.c;
    let mut y = vec![E::zero(); g.n * g.out.0 * g.out.1 * g.c];
    // Every index is written (the first tap of each window initializes it).
    let mut arg = (record && kind == Kind::Max).then(|| Buf::<u32>::dirty(y.len()));
    per_image(g, &mut y, arg.as_deref_mut(), |b, yo, am| pool_image(&xs[b * img..(b + 1) * img], yo, am, g, kind));
    (Tensor::from_vec(y, &[g.n, g.out.0, g.out.1, g.c]), arg)
}

simd_fn!(fn pool_image<E: Element>(src: &[E], yo: &mut [E], am: Option<&mut [u32]>, g: &Window2d, kind: Kind) => pool_image_inner);

/// Pools one image `src` into `yo`, recording the argmax offsets into `am` if given.
#[inline(always)]
fn pool_image_inner<E: Element>(src: &[E], yo: &mut [E], mut am: Option<&mut [u32]>, g: &Window2d, kind: Kind) {
    let (oh, ow) = g.out;
    let c = g.c;
    for oy in 0..oh {
        let (y0, y1) = span(oy, g.stride.0, g.pad.0, g.kernel.0, g.h);
        for ox in 0..ow {
            let (x0, x1) = span(ox, g.stride.1, g.pad.1, g.kernel.1, g.w);
            let o = (oy * ow + ox) * c;
            let out = &mut yo[o..o + c];
            match kind {
                Kind::Max => {
                    let first = (y0 * g.w + x0) * c;
                    out.copy_from_slice(&src[first..first + c]);
                    let mut a = am.as_deref_mut().map(|a| &mut a[o..o + c]);
                    if let Some(a) = a.as_deref_mut() {
                        a.iter_mut().enumerate().for_each(|(ch, ai)| *ai = (first + ch) as u32);
                    }
                    for iy in y0..y1 {
                        for ix in x0..x1 {
                            let base = (iy * g.w + ix) * c;
                            if base == first {
                                continue;
                            }
                            let s = &src[base..base + c];
                            match a.as_deref_mut() {
                                Some(a) => max_with_arg(out, a, s, base as u32),
                                None => out.iter_mut().zip(s).for_each(|(m, &v)| {
                                    *m = if v > *m || v.is_nan() { v } else { *m };
                                }),
                            }
                        }
                    }
                }
                Kind::Avg => {
                    for iy in y0..y1 {
                        for ix in x0..x1 {
                            let base = (iy * g.w + ix) * c;
                            out.iter_mut().zip(&src[base..base + c]).for_each(|(m, &v)| *m += v);
                        }
                    }
                    let inv = E::one() / E::of(((y1 - y0) * (x1 - x0)) as f64);
                    out.iter_mut().for_each(|m| *m *= inv);
                }
            }
        }
    }
}

/// `m = max(m, s)` per channel, recording `base + channel` where `s` wins (strictly greater, or
/// NaN), branch-free so that it vectorizes.
#[inline(always)]
fn max_with_arg<E: Element>(m: &mut [E], a: &mut [u32], s: &[E], base: u32) {
    for (i, ((m, a), &v)) in m.iter_mut().zip(a.iter_mut()).zip(s).enumerate() {
        let take = v > *m || v.is_nan();
        *m = if take { v } else { *m };
        *a = if take { base + i as u32 } else { *a };
    }
}

fn backward<E: Element>(grad: &Tensor, g: &Window2d, kind: Kind, arg: Option<&[u32]>) -> Tensor {
    let gc = grad.contiguous();
    let gs = gc.as_slice::<E>().expect("gradient in the output's dtype");
    let c = g.c;
    let img = g.h * g.w * c;
    let per = g.out.0 * g.out.1 * c;
    // Uninitialized: each image is zeroed right before its gradients are added, while in cache.
    let mut dx: Vec<E> = Vec::with_capacity(g.n * img);
    let fold = |(b, d): (usize, &mut [MaybeUninit<E>])| {
        let d = zero_init(d);
        if per > 0 {
            let a = arg.map(|a| &a[b * per..(b + 1) * per]);
            unpool_image(&gs[b * per..(b + 1) * per], a, d, g, kind)
        }
    };
    if img > 0 {
        let chunks = &mut dx.spare_capacity_mut()[..g.n * img];
        if parallel(g) {
            chunks.par_chunks_mut(img).enumerate().for_each(fold);
        } else {
            chunks.chunks_mut(img).enumerate().for_each(fold);
        }
    }
    // SAFETY: the chunks cover all `n * img` elements (none when `img == 0`), each zero-filled.
    unsafe { dx.set_len(g.n * img) };
    Tensor::from_vec(dx, &[g.n, g.h, g.w, c])
}

simd_fn!(fn unpool_image<E: Element>(go: &[E], arg: Option<&[u32]>, d: &mut [E], g: &Window2d, kind: Kind) => unpool_image_inner);

/// Sends one image's output gradient `go` back to its input gradient `d` (zeros on entry).
#[inline(always)]
fn unpool_image_inner<E: Element>(go: &[E], arg: Option<&[u32]>, d: &mut [E], g: &Window2d, kind: Kind) {
    let (oh, ow) = g.out;
    let c = g.c;
    match kind {
        Kind::Max => {
            for (&i, &v) in arg.expect("recorded by the forward").iter().zip(go) {
                d[i as usize] += v;
            }
        }
        Kind::Avg => {
            for oy in 0..oh {
                let (y0, y1) = span(oy, g.stride.0, g.pad.0, g.kernel.0, g.h);
                for ox in 0..ow {
                    let (x0, x1) = span(ox, g.stride.1, g.pad.1, g.kernel.1, g.w);
                    let inv = E::one() / E::of(((y1 - y0) * (x1 - x0)) as f64);
                    let gv = &go[(oy * ow + ox) * c..(oy * ow + ox + 1) * c];
                    for iy in y0..y1 {
                        for ix in x0..x1 {
                            let base = (iy * g.w + ix) * c;
                            d[base..base + c].iter_mut().zip(gv).for_each(|(o, &v)| *o += v * inv);
                        }
                    }
                }
            }
        }
    }
}
