//! The fused simple (Elman) RNN sequence: `h_t = φ(x_t K + h_{t-1} R + b)`.
//!
//! Forward: the gate buffer row holds `x_t K` (projected for all steps at once), the step's
//! GEMM adds `h_{t-1} R` in place, one pass applies `φ(· + b)` and leaves `h_t` there.
//! Backward, per step in reverse: `dz = dh φ'(h_t)`, `dh_{t-1} = dz Rᵀ`; then
//! `dR = Σ_t h_{t-1}ᵀ dz_t`, `dK = Σ_t x_tᵀ dz_t`, `db = Σ_t dz_t`, `dx = dz Kᵀ`.

use kerosene_tensor::ndarray::ArrayView2;
use kerosene_tensor::{DType, Tensor};

use super::common::{
    Act, Args, Bufs, DynAct, Pooled, RnnFloat, TanhAct, Values, add_assign, map_bias_act, mat, mat_mut, multiversion,
    row_parts, rows, run_parts, slice_of, split_rows_mut, step_gemm, take, transposed, view2,
};
use crate::{FusedActivation, Var};

struct Saved<E: RnnFloat> {
    hs: Pooled<E>,    // [N, T, U]: h_t at unmasked steps (the activated gate buffer)
    hprev: Pooled<E>, // [N, T, U]: h before step t
}

/// Runs `$body` with `$a` bound to the activation of `$cfg` (tanh as a compile-time type).
macro_rules! with_act {
    ($cfg:expr, |$a:ident| $body:expr) => {
        match $cfg.activation {
            FusedActivation::Tanh => {
                let $a = TanhAct;
                $body
            }
            other => {
                let $a = DynAct(other);
                $body
            }
        }
    };
}

/// The op: its value is `[N, T + 1, U]` (outputs, last h).
#[track_caller]
pub(super) fn simple_rnn_op(a: Args) -> Var {
    const OP: &str = "simple_rnn_sequence";
    let (vals, inputs) = Values::new(OP, 1, &a);
    let (packed, saved) = match vals.dtype {
        DType::F32 => {
            let (p, s) = forward::<f32>(&vals);
            (p, Bufs::F32(s))
        }
        DType::F64 => {
            let (p, s) = forward::<f64>(&vals);
            (p, Bufs::F64(s))
        }
    };
    if !Var::needs_graph(&inputs) {
        return Var::new(packed);
    }
    let n_inputs = inputs.len();
    Var::from_op(OP, packed, &inputs, move |g, need| {
        let g = g.contiguous();
        match &saved {
            Bufs::F32(s) => backward::<f32>(&g, s, &vals, need, n_inputs),
            Bufs::F64(s) => backward::<f64>(&g, s, &vals, need, n_inputs),
        }
    })
}

struct FwdPiece<'a, E> {
    nb: usize,
    h0: Option<&'a [E]>,
    mask: Option<&'a [bool]>,
    hs: &'a mut [E],
    hprev: &'a mut [E],
    out: &'a mut [E],
}

fn forward<E: RnnFloat>(v: &Values) -> (Tensor, Saved<E>) {
    let (n, t, u) = (v.n, v.t, v.u);
    let mut hs = Pooled::<E>::new(n * t * u);
    v.project(&mut hs.0, u);
    let mut hprev = Pooled::<E>::new(n * t * u);
    let so = if v.cfg.return_sequences { t } else { 0 };
    let mut out = vec![E::zero(); n * (so + 1) * u];
    let bias = v.summed_bias::<E>(u);
    let parts = row_parts(n, t * u * u);
    {
        let h0 = v.h0.as_ref().map(slice_of::<E>);
        let sp = split_rows_mut(&mut hs.0, &parts, t * u);
        let hp = split_rows_mut(&mut hprev.0, &parts, t * u);
        let op = split_rows_mut(&mut out, &parts, (so + 1) * u);
        let mut pieces = Vec::with_capacity(parts.len());
        for (((&range, hs), hprev), out) in parts.iter().zip(sp).zip(hp).zip(op) {
            pieces.push(FwdPiece {
                nb: range.1 - range.0,
                h0: h0.map(|s| rows(s, range, u)),
                mask: v.mask.as_deref().map(|m| rows(m, range, t)),
                hs,
                hprev,
                out,
            });
        }
        let wv = view2::<E>(&v.rec);
        let reverse = v.cfg.reverse;
        with_act!(v.cfg, |act| run_parts(pieces, |p| forward_piece(p, &wv, &bias, t, so, u, reverse, act)));
    }
    (Tensor::from_vec(out, &[n, so + 1, u]), Saved { hs, hprev })
}

multiversion!(fn forward_piece<E: RnnFloat, A: Act>(
    p: FwdPiece<'_, E>, w: &ArrayView2<'_, E>, b: &[E], t: usize, so: usize, u: usize, reverse: bool, act: A,
) => forward_piece_impl);

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn forward_piece_impl<E: RnnFloat, A: Act>(
    p: FwdPiece<E>,
    w: &ArrayView2<E>,
    b: &[E],
    t: usize,
    so: usize,
    u: usize,
    reverse: bool,
    act: A,
) {
    let nb = p.nb;
    let mut h = p.h0.map_or_else(|| vec![E::zero(); nb * u], |s| s.to_vec());
    for s in 0..t {
        let ts = if reverse { t - 1 - s } else { s };
        for k in 0..nb {
            p.hprev[(k * t + ts) * u..][..u].copy_from_slice(&h[k * u..][..u]);
        }
        if s > 0 || p.h0.is_some() {
            step_gemm(E::one(), &mat(&h, nb, u, u), w, E::one(), &mut mat_mut(&mut p.hs[ts * u..], nb, u, t * u));
        }
        for k in 0..nb {
            let row = k * t + ts;
            let hk = &mut h[k * u..][..u];
            if p.mask.is_none_or(|m| m[row]) {
                let z = &mut p.hs[row * u..][..u];
                map_bias_act(z, b, |v| act.f(v));
                hk.copy_from_slice(z);
            }
            if so == t {
                p.out[(k * (so + 1) + ts) * u..][..u].copy_from_slice(hk);
            }
        }
    }
    for k in 0..nb {
        p.out[(k * (so + 1) + so) * u..][..u].copy_from_slice(&h[k * u..][..u]);
    }
}

struct BwdPiece<'a, E> {
    g: &'a [E],
    hs: &'a [E],
    mask: Option<&'a [bool]>,
    dz: &'a mut [E],
    dh0: &'a mut [E],
}

fn backward<E: RnnFloat>(g: &Tensor, s: &Saved<E>, v: &Values, need: &[bool], n_inputs: usize) -> Vec<Option<Tensor>> {
    let (n, t, u) = (v.n, v.t, v.u);
    let want_state = v.slots.h0.is_some_and(|i| need[i]);
    let mut dz = take::<E>(n * t * u);
    let mut dh0 = vec![E::zero(); n * u];
    let so = if v.cfg.return_sequences { t } else { 0 };
    let parts = row_parts(n, t * u * u);
    {
        let gs = slice_of::<E>(g);
        let zp = split_rows_mut(&mut dz, &parts, t * u);
        let dhp = split_rows_mut(&mut dh0, &parts, u);
        let mut pieces = Vec::with_capacity(parts.len());
        for ((&range, dz), dh0) in parts.iter().zip(zp).zip(dhp) {
            pieces.push(BwdPiece {
                g: rows(gs, range, (so + 1) * u),
                hs: rows(&s.hs.0, range, t * u),
                mask: v.mask.as_deref().map(|m| rows(m, range, t)),
                dz,
                dh0,
            });
        }
        let rt = transposed::<E>(&v.rec);
        let rtv = mat(&rt, u, u, u);
        let reverse = v.cfg.reverse;
        with_act!(v.cfg, |act| run_parts(pieces, |p| backward_piece(p, &rtv, t, so, u, reverse, want_state, act)));
    }
    let dh0 = Tensor::from_vec(dh0, &[n, u]);
    v.gradients(need, n_inputs, dz, None, &s.hprev.0, Some(dh0), None)
}

/// `dz = dh φ'(h)`, then `dh = 0` (the GEMM adds `dz Rᵀ`).
#[inline(always)]
fn grad_act<E: RnnFloat, A: Act>(dz: &mut [E], dh: &mut [E], h: &[E], act: A) {
    for ((z, d), &y) in dz.iter_mut().zip(dh.iter_mut()).zip(h) {
        *z = *d * act.d(y);
        *d = E::zero();
    }
}

multiversion!(fn backward_piece<E: RnnFloat, A: Act>(
    p: BwdPiece<'_, E>, rt: &ArrayView2<'_, E>, t: usize, so: usize, u: usize, reverse: bool, want_state: bool, act: A,
) => backward_piece_impl);

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn backward_piece_impl<E: RnnFloat, A: Act>(
    p: BwdPiece<E>,
    rt: &ArrayView2<E>,
    t: usize,
    so: usize,
    u: usize,
    reverse: bool,
    want_state: bool,
    act: A,
) {
    let nb = p.dh0.len() / u;
    let dh = p.dh0;
    for k in 0..nb {
        dh[k * u..][..u].copy_from_slice(&p.g[(k * (so + 1) + so) * u..][..u]);
    }
    for s in (0..t).rev() {
        let ts = if reverse { t - 1 - s } else { s };
        for k in 0..nb {
            let row = k * t + ts;
            let dhk = &mut dh[k * u..][..u];
            if so == t {
                add_assign(dhk, &p.g[(k * (so + 1) + ts) * u..][..u]);
            }
            let dz = &mut p.dz[row * u..][..u];
            if p.mask.is_some_and(|m| !m[row]) {
                dz.fill(E::zero());
                continue;
            }
            grad_act(dz, dhk, &p.hs[row * u..][..u], act);
        }
        if s > 0 || want_state {
            step_gemm(E::one(), &mat(&p.dz[ts * u..], nb, u, t * u), rt, E::one(), &mut mat_mut(dh, nb, u, u));
        }
    }
}
