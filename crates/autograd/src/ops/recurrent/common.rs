//! What the three recurrent kernels share: gate activations (a fast, vectorizable `exp` for
//! `f32`, the standard library's for `f64` so gradient checks see exact math), the split of
//! the batch across threads, strided matrix views for the GEMMs, and argument checks.

use std::sync::Mutex;

use kerosene_tensor::gemm::gemm;
use kerosene_tensor::ndarray::{ArrayView2, ArrayViewMut2, Ix2, ShapeBuilder};
use kerosene_tensor::{DType, Element, Tensor};

use super::RnnConfig;
use crate::FusedActivation;
use crate::Var;

/// An element type the recurrent kernels run on, with its gate functions.
pub(super) trait RnnFloat: Element {
    /// `1 / (1 + e^-x)`
    fn sigmoid(self) -> Self;
    /// `tanh x`
    fn tanh_(self) -> Self;
    /// The pool of recycled work buffers of this type (see [`take`]).
    fn pool() -> &'static Mutex<Vec<Vec<Self>>>;
}

impl RnnFloat for f64 {
    fn pool() -> &'static Mutex<Vec<Vec<f64>>> {
        static POOL: Mutex<Vec<Vec<f64>>> = Mutex::new(Vec::new());
        &POOL
    }
    #[inline(always)]
    fn sigmoid(self) -> f64 {
        if self >= 0.0 {
            1.0 / (1.0 + (-self).exp())
        } else {
            let e = self.exp();
            e / (1.0 + e)
        }
    }
    #[inline(always)]
    fn tanh_(self) -> f64 {
        self.tanh()
    }
}

/// `e^x` for `f32` without branches or calls, so that loops over it vectorize: `x = n ln 2 + r`
/// with `|r| <= ln 2 / 2`, `e^r` by Cephes' degree-7 minimax polynomial (relative error below
/// 2e-7 in single precision), `2^n` assembled in the exponent bits. Inputs are clamped to
/// `[-87, 87]`, where `e^x` and `1 / (1 + e^x)` are normal `f32`s.
#[inline(always)]
pub(super) fn exp_f32(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 87.0);
    let t = x * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1)
        * r
        + 0.5;
    let e_r = p * r * r + r + 1.0;
    let ni = t.to_bits() as i32 - MAGIC.to_bits() as i32;
    e_r * f32::from_bits(((ni + 127) << 23) as u32)
}

impl RnnFloat for f32 {
    fn pool() -> &'static Mutex<Vec<Vec<f32>>> {
        static POOL: Mutex<Vec<Vec<f32>>> = Mutex::new(Vec::new());
        &POOL
    }
    #[inline(always)]
    fn sigmoid(self) -> f32 {
        1.0 / (1.0 + exp_f32(-self))
    }
    #[inline(always)]
    fn tanh_(self) -> f32 {
        // 1 - 2 / (e^2x + 1): exact limits ±1, absolute error ~1e-7 near 0.
        1.0 - 2.0 / (exp_f32(2.0 * self) + 1.0)
    }
}

/// A gate activation known at compile time (the default tanh / sigmoid pair, so the gate loops
/// vectorize), or chosen at run time (`Dyn`).
pub(super) trait Act: Copy + Send + Sync {
    fn f<E: RnnFloat>(self, z: E) -> E;
    /// The derivative from the output `y = f(z)`.
    fn d<E: RnnFloat>(self, y: E) -> E;
}

#[derive(Clone, Copy)]
pub(super) struct TanhAct;
#[derive(Clone, Copy)]
pub(super) struct SigmoidAct;
#[derive(Clone, Copy)]
pub(super) struct DynAct(pub(super) FusedActivation);

impl Act for TanhAct {
    #[inline(always)]
    fn f<E: RnnFloat>(self, z: E) -> E {
        z.tanh_()
    }
    #[inline(always)]
    fn d<E: RnnFloat>(self, y: E) -> E {
        E::one() - y * y
    }
}

impl Act for SigmoidAct {
    #[inline(always)]
    fn f<E: RnnFloat>(self, z: E) -> E {
        z.sigmoid()
    }
    #[inline(always)]
    fn d<E: RnnFloat>(self, y: E) -> E {
        y * (E::one() - y)
    }
}

impl Act for DynAct {
    #[inline(always)]
    fn f<E: RnnFloat>(self, z: E) -> E {
        match self.0 {
            FusedActivation::Identity => z,
            FusedActivation::Relu => {
                if z < E::zero() {
                    E::zero()
                } else {
                    z
                }
            }
            FusedActivation::Sigmoid => z.sigmoid(),
            FusedActivation::Tanh => z.tanh_(),
        }
    }
    #[inline(always)]
    fn d<E: RnnFloat>(self, y: E) -> E {
        match self.0 {
            FusedActivation::Identity => E::one(),
            FusedActivation::Relu => {
                if y > E::zero() {
                    E::one()
                } else {
                    E::zero()
                }
            }
            FusedActivation::Sigmoid => y * (E::one() - y),
            FusedActivation::Tanh => E::one() - y * y,
        }
    }
}

/// Runs `$body` with `$a` and `$r` bound to the activation and recurrent activation of `$cfg`,
/// as compile-time types for the default (tanh, sigmoid) pair.
macro_rules! with_acts {
    ($cfg:expr, |$a:ident, $r:ident| $body:expr) => {
        match ($cfg.activation, $cfg.recurrent_activation) {
            (FusedActivation::Tanh, FusedActivation::Sigmoid) => {
                let ($a, $r) = ($crate::ops::recurrent::common::TanhAct, $crate::ops::recurrent::common::SigmoidAct);
                $body
            }
            (x, y) => {
                let ($a, $r) = ($crate::ops::recurrent::common::DynAct(x), $crate::ops::recurrent::common::DynAct(y));
                $body
            }
        }
    };
}
pub(super) use with_acts;

/// Defines `$name` calling the `#[inline(always)]` function `$inner` compiled for the best
/// vector extension of this CPU (AVX-512, AVX2, or the baseline; [`kerosene_tensor::simd`]):
/// the gate loops are plain slice loops that the compiler vectorizes to the width it is allowed.
macro_rules! multiversion {
    (fn $name:ident<$($g:ident : $b:path),*>($($arg:ident : $ty:ty),* $(,)?) => $inner:ident) => {
        #[allow(clippy::too_many_arguments)]
        fn $name<$($g: $b),*>($($arg: $ty),*) {
            kerosene_tensor::simd::dispatch(#[inline(always)] || $inner($($arg),*))
        }
    };
}
pub(super) use multiversion;

/// `y = f(y + b)` over a slice.
#[inline(always)]
pub(super) fn map_bias_act<E: Copy + std::ops::Add<Output = E>>(y: &mut [E], b: &[E], f: impl Fn(E) -> E) {
    for (v, &bb) in y.iter_mut().zip(b) {
        *v = f(*v + bb);
    }
}

// Slice kernels of the gate passes. Each loop is its own function so that its slices arrive as
// separate parameters: their no-alias guarantee survives inlining and the loops vectorize (two
// halves of one `split_at_mut` buffer inside one function body do not).

/// `d += g`
#[inline(always)]
pub(super) fn add_assign<E: Element>(d: &mut [E], g: &[E]) {
    for (d, &g) in d.iter_mut().zip(g) {
        *d += g;
    }
}

/// `dst = a + b`
#[inline(always)]
pub(super) fn add_to<E: Element>(dst: &mut [E], a: &[E], b: &[E]) {
    for ((d, &a), &b) in dst.iter_mut().zip(a).zip(b) {
        *d = a + b;
    }
}

/// `dst = f(src)`
#[inline(always)]
pub(super) fn map_to<E: Element>(dst: &mut [E], src: &[E], f: impl Fn(E) -> E) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f(s);
    }
}

/// `dst = a ⊙ b`
#[inline(always)]
pub(super) fn mul_to<E: Element>(dst: &mut [E], a: &[E], b: &[E]) {
    for ((d, &a), &b) in dst.iter_mut().zip(a).zip(b) {
        *d = a * b;
    }
}

/// A row-major copy of the transpose of a 2-D tensor.
pub(super) fn transposed<E: Element>(t: &Tensor) -> Vec<E> {
    let c = t.contiguous();
    let (rows, cols) = (t.shape()[0], t.shape()[1]);
    let src = slice_of::<E>(&c);
    let mut out = vec![E::zero(); rows * cols];
    for (i, row) in src.chunks_exact(cols.max(1)).enumerate() {
        for (j, &v) in row.iter().enumerate() {
            out[j * rows + i] = v;
        }
    }
    out
}

/// Fewer rows than this per thread are not worth a split.
const MIN_ROWS_PER_PART: usize = 8;
/// Below this many multiply-adds in the recurrent products, one thread does the whole batch.
const PAR_MIN_MACS: usize = 1 << 20;

/// Row ranges of the batch, one per thread. Every sample's recurrence is independent of the
/// others, so each thread runs all time steps for its rows; per row, the arithmetic does not
/// depend on the split, so results do not depend on the number of threads.
pub(super) fn row_parts(n: usize, macs_per_row: usize) -> Vec<(usize, usize)> {
    let threads = rayon::current_num_threads();
    let parts = if threads <= 1 || n < 2 * MIN_ROWS_PER_PART || n.saturating_mul(macs_per_row) < PAR_MIN_MACS {
        1
    } else {
        threads.min(n / MIN_ROWS_PER_PART)
    };
    let per = n.div_ceil(parts).max(1);
    (0..parts).map(|k| ((k * per).min(n), ((k + 1) * per).min(n))).collect()
}

/// Cuts `s` into consecutive pieces of `(r1 - r0) * row_len` elements for the row ranges.
pub(super) fn split_rows_mut<'a, E>(mut s: &'a mut [E], parts: &[(usize, usize)], row_len: usize) -> Vec<&'a mut [E]> {
    let mut out = Vec::with_capacity(parts.len());
    for &(r0, r1) in parts {
        let (head, tail) = std::mem::take(&mut s).split_at_mut((r1 - r0) * row_len);
        out.push(head);
        s = tail;
    }
    out
}

/// The rows `r0..r1` of a buffer of rows of `row_len` elements.
pub(super) fn rows<E>(s: &[E], (r0, r1): (usize, usize), row_len: usize) -> &[E] {
    &s[r0 * row_len..r1 * row_len]
}

/// Runs `f` on every piece, on rayon's pool when there is more than one.
pub(super) fn run_parts<T: Send>(pieces: Vec<T>, f: impl Fn(T) + Sync + Send) {
    if pieces.len() <= 1 {
        pieces.into_iter().for_each(f);
    } else {
        use rayon::prelude::*;
        pieces.into_par_iter().for_each(f);
    }
}

/// The per-step product of a piece: on the calling thread when the pieces already run on the
/// pool's threads ([`run_parts`] split the batch), so that each piece stays on its core instead
/// of splitting every small product again; otherwise the GEMM may use the pool itself.
#[inline]
pub(super) fn step_gemm<E: Element>(alpha: E, a: &ArrayView2<E>, b: &ArrayView2<E>, beta: E, c: &mut ArrayViewMut2<E>) {
    if rayon::current_thread_index().is_some() {
        kerosene_tensor::gemm::gemm_serial(alpha, a, b, beta, c)
    } else {
        kerosene_tensor::gemm::gemm(alpha, a, b, beta, c)
    }
}

/// A `rows x cols` matrix view of `s` whose rows are `row_stride` elements apart.
#[inline]
pub(super) fn mat<E: Element>(s: &[E], rows: usize, cols: usize, row_stride: usize) -> ArrayView2<'_, E> {
    let len = if rows == 0 { 0 } else { (rows - 1) * row_stride + cols };
    ArrayView2::from_shape((rows, cols).strides((row_stride, 1)), &s[..len]).expect("view within the buffer")
}

/// Mutable [`mat`].
#[inline]
pub(super) fn mat_mut<E: Element>(s: &mut [E], rows: usize, cols: usize, row_stride: usize) -> ArrayViewMut2<'_, E> {
    let len = if rows == 0 { 0 } else { (rows - 1) * row_stride + cols };
    ArrayViewMut2::from_shape((rows, cols).strides((row_stride, 1)), &mut s[..len]).expect("view within the buffer")
}

/// The 2-D typed view of a 2-D tensor.
pub(super) fn view2<E: Element>(t: &Tensor) -> ArrayView2<'_, E> {
    t.view::<E>().into_dimensionality::<Ix2>().expect("a 2-D tensor")
}

/// Pooled buffers kept at most (per element type), and their total size at most.
const POOL_MAX_BUFFERS: usize = 24;
const POOL_MAX_BYTES: usize = 256 << 20;

/// A work buffer of `len` elements, recycled from earlier calls when one is large enough. Its
/// contents are arbitrary (initialized, but stale): the kernels write every element they later
/// read. Reuse is what keeps a training loop from faulting in fresh pages for the gate buffers
/// of every batch.
pub(super) fn take<E: RnnFloat>(len: usize) -> Vec<E> {
    let found = {
        let mut pool = E::pool().lock().unwrap_or_else(|e| e.into_inner());
        let best = pool.iter().enumerate().filter(|(_, v)| v.capacity() >= len).min_by_key(|(_, v)| v.capacity());
        best.map(|(i, _)| i).map(|i| pool.swap_remove(i))
    };
    match found {
        Some(mut v) => {
            if v.len() >= len {
                v.truncate(len);
            } else {
                v.resize(len, E::zero());
            }
            v
        }
        None => vec![E::zero(); len],
    }
}

/// Returns a buffer to the pool (or frees it when the pool is full).
pub(super) fn give<E: RnnFloat>(v: Vec<E>) {
    if v.capacity() == 0 {
        return;
    }
    let mut pool = E::pool().lock().unwrap_or_else(|e| e.into_inner());
    let bytes: usize = pool.iter().map(|b| b.capacity()).sum::<usize>() * std::mem::size_of::<E>();
    if pool.len() < POOL_MAX_BUFFERS && bytes + v.capacity() * std::mem::size_of::<E>() <= POOL_MAX_BYTES {
        pool.push(v);
    }
}

/// A buffer that goes back to the pool when dropped (what the forward saves for backward).
pub(super) struct Pooled<E: RnnFloat>(pub(super) Vec<E>);

impl<E: RnnFloat> Pooled<E> {
    pub(super) fn new(len: usize) -> Pooled<E> {
        Pooled(take(len))
    }
}

impl<E: RnnFloat> Drop for Pooled<E> {
    fn drop(&mut self) {
        give(std::mem::take(&mut self.0));
    }
}

/// Saved buffers of either element type.
pub(super) enum Bufs<S32, S64> {
    F32(S32),
    F64(S64),
}

/// Where the input part of the gate pre-activations comes from.
#[derive(Clone, Copy)]
pub(super) enum Source<'a> {
    /// `x_proj: [N, T, G U]`, projected outside the op.
    Projected(&'a Var),
    /// `x: [N, T, F]` and the input kernel `[F, G U]`: the op projects all steps with one GEMM
    /// straight into its gate buffer.
    Input { x: &'a Var, kernel: &'a Var },
}

/// The arguments of a fused recurrent op.
pub(super) struct Args<'a> {
    pub(super) src: Source<'a>,
    pub(super) recurrent_kernel: &'a Var,
    /// `[G U]`, added to the input part.
    pub(super) bias: Option<&'a Var>,
    /// `[G U]`, added to the recurrent part (the GRU's `b_rec`; the LSTM and simple RNN add it
    /// to `bias`, as PyTorch's `b_hh`).
    pub(super) recurrent_bias: Option<&'a Var>,
    pub(super) h0: Option<&'a Var>,
    pub(super) c0: Option<&'a Var>,
    pub(super) mask: Option<&'a Tensor>,
    pub(super) cfg: RnnConfig,
}

/// The values an op computes with, captured for its backward, and where each differentiable
/// input sits in the op's input list.
pub(super) struct Values {
    pub(super) n: usize,
    pub(super) t: usize,
    pub(super) u: usize,
    /// Input features (`G U` for a projected source).
    pub(super) f: usize,
    pub(super) dtype: DType,
    /// `x_proj` or `x`, contiguous.
    pub(super) x: Tensor,
    pub(super) kernel: Option<Tensor>,
    pub(super) rec: Tensor,
    pub(super) bias: Option<Tensor>,
    pub(super) rec_bias: Option<Tensor>,
    pub(super) h0: Option<Tensor>,
    pub(super) c0: Option<Tensor>,
    pub(super) mask: Option<Vec<bool>>,
    pub(super) cfg: RnnConfig,
    pub(super) slots: Slots,
}

/// Positions in the op's input list (`None`: not an input).
#[derive(Clone, Copy, Default)]
pub(super) struct Slots {
    pub(super) x: usize,
    pub(super) kernel: Option<usize>,
    pub(super) rec: usize,
    pub(super) bias: Option<usize>,
    pub(super) rec_bias: Option<usize>,
    pub(super) h0: Option<usize>,
    pub(super) c0: Option<usize>,
}

impl Values {
    /// Checks the arguments (panicking with the shapes) and captures their values; returns
    /// them with the op's input list.
    #[track_caller]
    pub(super) fn new<'a>(op: &str, gates: usize, a: &Args<'a>) -> (Values, Vec<&'a Var>) {
        let rs = a.recurrent_kernel.shape();
        if rs.len() != 2 || rs[1] != gates * rs[0] || rs[0] == 0 {
            panic!("{op}: the recurrent kernel must be [units, {gates} * units] with units > 0, got {rs:?}");
        }
        let (u, gu) = (rs[0], gates * rs[0]);
        let (xv, kernel) = match a.src {
            Source::Projected(xp) => {
                let xs = xp.shape();
                if xs.len() != 3 || xs[2] != gu {
                    panic!(
                        "{op}: the projected input must be [batch, time, {gates} * units] = [.., .., {gu}], got {xs:?} (recurrent kernel {rs:?})"
                    );
                }
                (xp, None)
            }
            Source::Input { x, kernel } => {
                let (xs, ks) = (x.shape(), kernel.shape());
                if xs.len() != 3 {
                    panic!("{op}: the input must be [batch, time, features], got {xs:?}");
                }
                if ks.len() != 2 || ks[0] != xs[2] || ks[1] != gu {
                    panic!(
                        "{op}: the kernel must be [features, {gates} * units] = [{}, {gu}], got {ks:?} (input {xs:?}, recurrent kernel {rs:?})",
                        xs[2]
                    );
                }
                (x, Some(kernel))
            }
        };
        let (n, t, f) = (xv.shape()[0], xv.shape()[1], xv.shape()[2]);
        let dtype = xv.dtype();
        let named: [(&str, Option<&Var>); 6] = [
            ("kernel", kernel),
            ("recurrent kernel", Some(a.recurrent_kernel)),
            ("bias", a.bias),
            ("recurrent bias", a.recurrent_bias),
            ("initial h", a.h0),
            ("initial c", a.c0),
        ];
        for (name, v) in named {
            if let Some(v) = v
                && v.dtype() != dtype
            {
                panic!("{op}: the {name} is {} but the input is {dtype}", v.dtype());
            }
        }
        for (name, b) in [("bias", a.bias), ("recurrent bias", a.recurrent_bias)] {
            if let Some(b) = b
                && b.shape() != [gu]
            {
                panic!("{op}: the {name} must be [{gu}], got {:?}", b.shape());
            }
        }
        for (name, s) in [("h0", a.h0), ("c0", a.c0)] {
            if let Some(s) = s
                && s.shape() != [n, u]
            {
                panic!("{op}: the initial {name} must be [batch, units] = [{n}, {u}], got {:?}", s.shape());
            }
        }
        let mask = mask_bools(op, a.mask, n, t);
        let mut inputs: Vec<&'a Var> = vec![xv];
        let mut push = |v: Option<&'a Var>| {
            v.map(|v| {
                inputs.push(v);
                inputs.len() - 1
            })
        };
        let kernel_slot = push(kernel);
        let rec_slot = push(Some(a.recurrent_kernel)).expect("pushed");
        let slots = Slots {
            x: 0,
            kernel: kernel_slot,
            rec: rec_slot,
            bias: push(a.bias),
            rec_bias: push(a.recurrent_bias),
            h0: push(a.h0),
            c0: push(a.c0),
        };
        let value = |v: Option<&Var>| v.map(|v| v.value().contiguous());
        let vals = Values {
            n,
            t,
            u,
            f,
            dtype,
            x: xv.value().contiguous(),
            kernel: value(kernel),
            rec: a.recurrent_kernel.value(),
            bias: value(a.bias),
            rec_bias: value(a.recurrent_bias),
            h0: value(a.h0),
            c0: value(a.c0),
            mask,
            cfg: a.cfg,
            slots,
        };
        (vals, inputs)
    }

    /// Fills `g: [N, T, G U]` with the input part of every step's pre-activations: a copy of
    /// `x_proj`, or `x K` as one GEMM over all `N T` rows (without bias).
    pub(super) fn project<E: RnnFloat>(&self, g: &mut [E], gu: usize) {
        let x = slice_of::<E>(&self.x);
        match &self.kernel {
            None => g.copy_from_slice(x),
            Some(k) => {
                let rows = self.n * self.t;
                gemm(E::one(), &mat(x, rows, self.f, self.f), &view2::<E>(k), E::zero(), &mut mat_mut(g, rows, gu, gu));
            }
        }
    }

    /// A `[len]` bias, or zeros.
    pub(super) fn bias_or_zeros<E: RnnFloat>(b: Option<&Tensor>, len: usize) -> Vec<E> {
        b.map_or_else(|| vec![E::zero(); len], |b| slice_of::<E>(b).to_vec())
    }

    /// `bias + recurrent bias` (the LSTM and the simple RNN add both to the pre-activations).
    pub(super) fn summed_bias<E: RnnFloat>(&self, gu: usize) -> Vec<E> {
        let mut b = Values::bias_or_zeros::<E>(self.bias.as_ref(), gu);
        if let Some(r) = &self.rec_bias {
            b.iter_mut().zip(slice_of::<E>(r)).for_each(|(a, &r)| *a += r);
        }
        b
    }

    /// Every input's gradient from the gate gradients: `dz` (of the input part, `[N T, G U]`)
    /// and `da` (of the recurrent part; the same as `dz` unless given), `hprev` (`h_{t-1}` of
    /// every row) and the initial-state gradients. Recycles `dz` unless it becomes `dx_proj`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn gradients<E: RnnFloat>(
        &self,
        need: &[bool],
        n_inputs: usize,
        dz: Vec<E>,
        da: Option<&[E]>,
        hprev: &[E],
        dh0: Option<Tensor>,
        dc0: Option<Tensor>,
    ) -> Vec<Option<Tensor>> {
        let (rows, u, f) = (self.n * self.t, self.u, self.f);
        let gu = self.rec.shape()[1];
        let s = self.slots;
        let wants = |slot: Option<usize>| slot.is_some_and(|i| need[i]);
        let da_ref: &[E] = da.unwrap_or(&dz);
        let mut out: Vec<Option<Tensor>> = vec![None; n_inputs];
        let ((d_rec, d_kernel), (d_bias, d_rec_bias)) = rayon::join(
            || {
                rayon::join(
                    || need[s.rec].then(|| at_b(hprev, da_ref, rows, u, gu)),
                    || wants(s.kernel).then(|| at_b(slice_of::<E>(&self.x), &dz, rows, f, gu)),
                )
            },
            || (wants(s.bias).then(|| col_sums(&dz, gu)), wants(s.rec_bias).then(|| col_sums(da_ref, gu))),
        );
        out[s.rec] = d_rec;
        if let Some(i) = s.kernel {
            out[i] = d_kernel;
        }
        if let Some(i) = s.bias {
            out[i] = d_bias;
        }
        if let Some(i) = s.rec_bias {
            out[i] = d_rec_bias;
        }
        if let Some(i) = s.h0 {
            out[i] = if need[i] { dh0 } else { None };
        }
        if let Some(i) = s.c0 {
            out[i] = if need[i] { dc0 } else { None };
        }
        if need[s.x] {
            match &self.kernel {
                // dx_proj is dz itself.
                None => {
                    out[s.x] = Some(Tensor::from_vec(dz, &[self.n, self.t, gu]));
                    return out;
                }
                Some(k) => {
                    let mut dx = vec![E::zero(); rows * f];
                    let kt = view2::<E>(k);
                    gemm(E::one(), &mat(&dz, rows, gu, gu), &kt.t(), E::zero(), &mut mat_mut(&mut dx, rows, f, f));
                    out[s.x] = Some(Tensor::from_vec(dx, &[self.n, self.t, f]));
                }
            }
        }
        give(dz);
        out
    }
}

/// `C = Aᵀ B` for row-major `A: [rows, m]`, `B: [rows, n]`: the sum over all time steps and
/// samples of `h_{t-1}ᵀ dz_t` (or `x_tᵀ dz_t`), as one GEMM. When `m` is too small for the GEMM
/// to split its rows across threads, the columns are split instead.
pub(super) fn at_b<E: Element>(a: &[E], b: &[E], rows: usize, m: usize, n: usize) -> Tensor {
    let mut c = vec![E::zero(); m * n];
    let av = mat(a, rows, m, m);
    let threads = rayon::current_num_threads();
    if threads > 1 && m < 128 && n >= 64 * threads && rows * m * n >= 1 << 21 {
        // Column blocks of C are disjoint; each element gets the same arithmetic as unsplit.
        let per = n.div_ceil(threads).div_ceil(16) * 16;
        let mut pieces = Vec::with_capacity(threads);
        let mut rest = mat_mut(&mut c, m, n, n);
        let mut j0 = 0;
        while j0 < n {
            let w = per.min(n - j0);
            let (left, right) = rest.split_at(kerosene_tensor::ndarray::Axis(1), w);
            pieces.push((j0, w, left));
            rest = right;
            j0 += w;
        }
        run_parts(pieces, |(j0, w, mut cv)| {
            step_gemm(E::one(), &av.t(), &mat(&b[j0..], rows, w, n), E::zero(), &mut cv)
        });
    } else {
        let bv = mat(b, rows, n, n);
        gemm(E::one(), &av.t(), &bv, E::zero(), &mut mat_mut(&mut c, m, n, n));
    }
    Tensor::from_vec(c, &[m, n])
}

/// Column sums of a row-major `[rows, n]` buffer (a bias gradient).
pub(super) fn col_sums<E: Element>(a: &[E], n: usize) -> Tensor {
    let mut acc = vec![E::zero(); n];
    if n > 0 {
        for row in a.chunks_exact(n) {
            for (s, &v) in acc.iter_mut().zip(row) {
                *s += v;
            }
        }
    }
    Tensor::from_vec(acc, &[n])
}

/// The values of a contiguous tensor of element type `E` (after the dtype checks).
pub(super) fn slice_of<E: Element>(t: &Tensor) -> &[E] {
    t.as_slice::<E>().expect("contiguous, of the checked element type")
}

/// `mask[n, t] != 0` as booleans, checked to be `[N, T]`.
#[track_caller]
pub(super) fn mask_bools(op: &str, mask: Option<&Tensor>, n: usize, t: usize) -> Option<Vec<bool>> {
    let m = mask?;
    if m.shape() != [n, t] {
        panic!("{op}: the mask must be [batch, time] = [{n}, {t}], got {:?}", m.shape());
    }
    Some(m.to_vec_f64().into_iter().map(|v| v != 0.0).collect())
}

#[cfg(test)]
mod tests {
    use super::{RnnFloat, exp_f32};

    #[test]
    fn fast_f32_exp_sigmoid_tanh_are_accurate() {
        let mut worst = (0.0f64, 0.0f64, 0.0f64);
        for i in -200_000..=200_000 {
            let x = i as f32 * 4.35e-4; // [-87, 87]
            let e = exp_f32(x) as f64;
            let want = (x as f64).exp();
            worst.0 = worst.0.max(((e - want) / want).abs());
            let s = (x / 4.0).sigmoid() as f64;
            worst.1 = worst.1.max((s - (x as f64 / 4.0).sigmoid()).abs());
            let t = (x / 8.0).tanh_() as f64;
            worst.2 = worst.2.max((t - (x as f64 / 8.0).tanh()).abs());
        }
        assert!(worst.0 < 3e-7, "exp relative error {}", worst.0);
        assert!(worst.1 < 2e-7, "sigmoid absolute error {}", worst.1);
        assert!(worst.2 < 3e-7, "tanh absolute error {}", worst.2);
        // Clamped outside [-87, 87]: finite and positive, exact limits for the gates.
        assert!(exp_f32(-1000.0) > 0.0 && exp_f32(1000.0).is_finite());
        assert_eq!(1000.0f32.sigmoid(), 1.0);
        assert!((0.0..1e-37).contains(&(-1000.0f32).sigmoid()));
        assert_eq!((1000.0f32.tanh_(), (-1000.0f32).tanh_()), (1.0, -1.0));
        // NaN stays visible.
        assert!(exp_f32(f32::NAN).is_nan() && f32::NAN.sigmoid().is_nan() && f32::NAN.tanh_().is_nan());
    }
}
