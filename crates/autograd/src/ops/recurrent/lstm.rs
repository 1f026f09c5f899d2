//! The fused LSTM sequence (Keras gate order `i, f, c, o`).
//!
//! Forward, per step `t` (`σ` = recurrent activation, `φ` = activation): the gate buffer row
//! holds the input part `x_t K` (projected for all steps at once), the step's GEMM adds
//! `h_{t-1} R` in place, then one pass computes
//! `i = σ(z_i + b_i)`, `f = σ(z_f + b_f)`, `g = φ(z_c + b_c)`, `o = σ(z_o + b_o)`,
//! `c_t = f c_{t-1} + i g`, `h_t = o φ(c_t)`, leaving the activations in the buffer.
//!
//! Backward, per step in reverse, with `dh` (from the outputs and from step `t + 1`) and `dc`:
//! ```text
//! dz_o = dh φ(c_t) σ'(o)          dc += dh o φ'(φ(c_t))
//! dz_i = dc g σ'(i)    dz_f = dc c_{t-1} σ'(f)    dz_c = dc i φ'(g)
//! dc_{t-1} = dc f      dh_{t-1} = dz Rᵀ
//! ```
//! Then `dR = Σ_t h_{t-1}ᵀ dz_t`, `dK = Σ_t x_tᵀ dz_t`, `db = Σ_t dz_t`, `dx = dz Kᵀ` (or
//! `dx_proj = dz`), each one GEMM or pass over all `N T` rows.

use kerosene_tensor::ndarray::ArrayView2;
use kerosene_tensor::{DType, Tensor};

use super::common::{
    Act, Args, Bufs, Pooled, RnnFloat, Values, add_assign, map_bias_act, map_to, mat, mat_mut, mul_to, multiversion,
    row_parts, rows, run_parts, slice_of, split_rows_mut, step_gemm, take, transposed, view2, with_acts,
};
use crate::{FusedActivation, Var};

/// What the forward saves for backward, all batch-major (`[N, T, ..]`), in recycled buffers.
struct Saved<E: RnnFloat> {
    gates: Pooled<E>, // [N, T, 4U]: i, f, g, o after activation
    cs: Pooled<E>,    // [N, T, U]: c after step t (carried at masked steps)
    acs: Pooled<E>,   // [N, T, U]: φ(c_t)
    hprev: Pooled<E>, // [N, T, U]: h before step t
}

/// The op: its value is `[N, T + 2, U]` (outputs, last h, last c).
#[track_caller]
pub(super) fn lstm_op(a: Args) -> Var {
    const OP: &str = "lstm_sequence";
    let (vals, inputs) = Values::new(OP, 4, &a);
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
    c0: Option<&'a [E]>,
    mask: Option<&'a [bool]>,
    gates: &'a mut [E],
    cs: &'a mut [E],
    acs: &'a mut [E],
    hprev: &'a mut [E],
    out: &'a mut [E],
}

fn forward<E: RnnFloat>(v: &Values) -> (Tensor, Saved<E>) {
    let (n, t, u) = (v.n, v.t, v.u);
    let g4 = 4 * u;
    let mut gates = Pooled::<E>::new(n * t * g4);
    v.project(&mut gates.0, g4);
    let mut cs = Pooled::<E>::new(n * t * u);
    let mut acs = Pooled::<E>::new(n * t * u);
    let mut hprev = Pooled::<E>::new(n * t * u);
    let so = if v.cfg.return_sequences { t } else { 0 };
    let mut out = vec![E::zero(); n * (so + 2) * u];
    let bias = v.summed_bias::<E>(g4);
    let parts = row_parts(n, t * u * g4);
    {
        let (h0, c0) = (v.h0.as_ref().map(slice_of::<E>), v.c0.as_ref().map(slice_of::<E>));
        let gp = split_rows_mut(&mut gates.0, &parts, t * g4);
        let cp = split_rows_mut(&mut cs.0, &parts, t * u);
        let ap = split_rows_mut(&mut acs.0, &parts, t * u);
        let hp = split_rows_mut(&mut hprev.0, &parts, t * u);
        let op = split_rows_mut(&mut out, &parts, (so + 2) * u);
        let mut pieces: Vec<FwdPiece<E>> = Vec::with_capacity(parts.len());
        for (((((&range, gates), cs), acs), hprev), out) in parts.iter().zip(gp).zip(cp).zip(ap).zip(hp).zip(op) {
            pieces.push(FwdPiece {
                nb: range.1 - range.0,
                h0: h0.map(|s| rows(s, range, u)),
                c0: c0.map(|s| rows(s, range, u)),
                mask: v.mask.as_deref().map(|m| rows(m, range, t)),
                gates,
                cs,
                acs,
                hprev,
                out,
            });
        }
        let wv = view2::<E>(&v.rec);
        let reverse = v.cfg.reverse;
        with_acts!(v.cfg, |act, rec| run_parts(pieces, |p| forward_piece(p, &wv, &bias, t, so, u, reverse, act, rec)));
    }
    (Tensor::from_vec(out, &[n, so + 2, u]), Saved { gates, cs, acs, hprev })
}

multiversion!(fn forward_piece<E: RnnFloat, A: Act, R: Act>(
    p: FwdPiece<'_, E>, w: &ArrayView2<'_, E>, b: &[E], t: usize, so: usize, u: usize, reverse: bool, act: A, rec: R,
) => forward_piece_impl);

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn forward_piece_impl<E: RnnFloat, A: Act, R: Act>(
    p: FwdPiece<E>,
    w: &ArrayView2<E>,
    b: &[E],
    t: usize,
    so: usize,
    u: usize,
    reverse: bool,
    act: A,
    rec: R,
) {
    let (g4, nb) = (4 * u, p.nb);
    let mut h = p.h0.map_or_else(|| vec![E::zero(); nb * u], |s| s.to_vec());
    let mut c = p.c0.map_or_else(|| vec![E::zero(); nb * u], |s| s.to_vec());
    for s in 0..t {
        let ts = if reverse { t - 1 - s } else { s };
        for k in 0..nb {
            p.hprev[(k * t + ts) * u..][..u].copy_from_slice(&h[k * u..][..u]);
        }
        // z_t = x_t K (already there) + h_{t-1} R
        if s > 0 || p.h0.is_some() {
            step_gemm(E::one(), &mat(&h, nb, u, u), w, E::one(), &mut mat_mut(&mut p.gates[ts * g4..], nb, g4, t * g4));
        }
        for k in 0..nb {
            let row = k * t + ts;
            let (hk, ck) = (&mut h[k * u..][..u], &mut c[k * u..][..u]);
            if p.mask.is_some_and(|m| !m[row]) {
                p.cs[row * u..][..u].copy_from_slice(ck);
            } else {
                cell_forward(
                    &mut p.gates[row * g4..][..g4],
                    b,
                    ck,
                    hk,
                    &mut p.cs[row * u..][..u],
                    &mut p.acs[row * u..][..u],
                    act,
                    rec,
                );
            }
            if so == t {
                p.out[(k * (so + 2) + ts) * u..][..u].copy_from_slice(hk);
            }
        }
    }
    for k in 0..nb {
        p.out[(k * (so + 2) + so) * u..][..u].copy_from_slice(&h[k * u..][..u]);
        p.out[(k * (so + 2) + so + 1) * u..][..u].copy_from_slice(&c[k * u..][..u]);
    }
}

/// One sample's gates (in place over their pre-activations) and state update, as simple slice
/// loops (which vectorize).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn cell_forward<E: RnnFloat, A: Act, R: Act>(
    z: &mut [E],
    b: &[E],
    c: &mut [E],
    h: &mut [E],
    cs: &mut [E],
    acs: &mut [E],
    act: A,
    rec: R,
) {
    let u = c.len();
    let (ifg, go) = z[..4 * u].split_at_mut(2 * u);
    let (bif, bgo) = b[..4 * u].split_at(2 * u);
    map_bias_act(ifg, bif, |v| rec.f(v));
    let (gg, go) = go.split_at_mut(u);
    map_bias_act(gg, &bgo[..u], |v| act.f(v));
    map_bias_act(go, &bgo[u..], |v| rec.f(v));
    let (gi, gf) = ifg.split_at(u);
    cell_state(c, cs, gi, gf, gg);
    map_to(acs, cs, |v| act.f(v));
    mul_to(h, go, acs);
}

/// `c = f ⊙ c + i ⊙ g`, also into `cs`.
#[inline(always)]
fn cell_state<E: RnnFloat>(c: &mut [E], cs: &mut [E], i: &[E], f: &[E], g: &[E]) {
    for ((((cv, csv), &i), &f), &g) in c.iter_mut().zip(cs.iter_mut()).zip(i).zip(f).zip(g) {
        let cn = f * *cv + i * g;
        *cv = cn;
        *csv = cn;
    }
}

struct BwdPiece<'a, E> {
    g: &'a [E],
    gates: &'a [E],
    cs: &'a [E],
    acs: &'a [E],
    c0: Option<&'a [E]>,
    mask: Option<&'a [bool]>,
    dz: &'a mut [E],
    dh0: &'a mut [E],
    dc0: &'a mut [E],
}

fn backward<E: RnnFloat>(g: &Tensor, s: &Saved<E>, v: &Values, need: &[bool], n_inputs: usize) -> Vec<Option<Tensor>> {
    let (n, t, u) = (v.n, v.t, v.u);
    let g4 = 4 * u;
    let want_state = [v.slots.h0, v.slots.c0].iter().any(|i| i.is_some_and(|i| need[i]));
    let mut dz = take::<E>(n * t * g4);
    let mut dh0 = vec![E::zero(); n * u];
    let mut dc0 = vec![E::zero(); n * u];
    let so = if v.cfg.return_sequences { t } else { 0 };
    let parts = row_parts(n, t * u * g4);
    {
        let gs = slice_of::<E>(g);
        let c0 = v.c0.as_ref().map(slice_of::<E>);
        let zp = split_rows_mut(&mut dz, &parts, t * g4);
        let hp = split_rows_mut(&mut dh0, &parts, u);
        let cp = split_rows_mut(&mut dc0, &parts, u);
        let mut pieces = Vec::with_capacity(parts.len());
        for (((&range, dz), dh0), dc0) in parts.iter().zip(zp).zip(hp).zip(cp) {
            pieces.push(BwdPiece {
                g: rows(gs, range, (so + 2) * u),
                gates: rows(&s.gates.0, range, t * g4),
                cs: rows(&s.cs.0, range, t * u),
                acs: rows(&s.acs.0, range, t * u),
                c0: c0.map(|c| rows(c, range, u)),
                mask: v.mask.as_deref().map(|m| rows(m, range, t)),
                dz,
                dh0,
                dc0,
            });
        }
        // Rᵀ, contiguous, so that every step's GEMM reads it in place.
        let rt = transposed::<E>(&v.rec);
        let rtv = mat(&rt, g4, u, u);
        let reverse = v.cfg.reverse;
        with_acts!(v.cfg, |act, rec| run_parts(pieces, |p| backward_piece(
            p, &rtv, t, so, u, reverse, want_state, act, rec
        )));
    }
    let (dh0, dc0) = (Tensor::from_vec(dh0, &[n, u]), Tensor::from_vec(dc0, &[n, u]));
    v.gradients(need, n_inputs, dz, None, &s.hprev.0, Some(dh0), Some(dc0))
}

multiversion!(fn backward_piece<E: RnnFloat, A: Act, R: Act>(
    p: BwdPiece<'_, E>, rt: &ArrayView2<'_, E>, t: usize, so: usize, u: usize, reverse: bool, want_state: bool, act: A, rec: R,
) => backward_piece_impl);

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn backward_piece_impl<E: RnnFloat, A: Act, R: Act>(
    p: BwdPiece<E>,
    rt: &ArrayView2<E>,
    t: usize,
    so: usize,
    u: usize,
    reverse: bool,
    want_state: bool,
    act: A,
    rec: R,
) {
    let g4 = 4 * u;
    let nb = p.dh0.len() / u;
    let (dh, dc) = (p.dh0, p.dc0);
    // The gradients of the last h and c.
    for k in 0..nb {
        dh[k * u..][..u].copy_from_slice(&p.g[(k * (so + 2) + so) * u..][..u]);
        dc[k * u..][..u].copy_from_slice(&p.g[(k * (so + 2) + so + 1) * u..][..u]);
    }
    let zeros = vec![E::zero(); u];
    for s in (0..t).rev() {
        let ts = if reverse { t - 1 - s } else { s };
        let prev = (s > 0).then(|| if reverse { ts + 1 } else { ts - 1 });
        for k in 0..nb {
            let row = k * t + ts;
            let dhk = &mut dh[k * u..][..u];
            if so == t {
                add_assign(dhk, &p.g[(k * (so + 2) + ts) * u..][..u]);
            }
            if p.mask.is_some_and(|m| !m[row]) {
                // The state and its gradient pass through; nothing reaches the gates.
                p.dz[row * g4..][..g4].fill(E::zero());
                continue;
            }
            let c_prev = match prev {
                Some(tp) => &p.cs[(k * t + tp) * u..][..u],
                None => p.c0.map_or(&zeros[..], |c| &c[k * u..][..u]),
            };
            cell_backward(
                dhk,
                &mut dc[k * u..][..u],
                &p.gates[row * g4..][..g4],
                &p.acs[row * u..][..u],
                c_prev,
                &mut p.dz[row * g4..][..g4],
                act,
                rec,
            );
        }
        // dh_{t-1} = dz_t Rᵀ, added to the carried gradient of masked rows (whose dz is 0 and
        // whose dh was kept); the others were zeroed by cell_backward.
        if s > 0 || want_state {
            step_gemm(E::one(), &mat(&p.dz[ts * g4..], nb, g4, t * g4), rt, E::one(), &mut mat_mut(dh, nb, u, u));
        }
    }
}

/// One sample's gate gradients; leaves `dc = dc_{t-1}` and `dh = 0` (the GEMM adds `dz Rᵀ`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn cell_backward<E: RnnFloat, A: Act, R: Act>(
    dh: &mut [E],
    dc: &mut [E],
    gates: &[E],
    acs: &[E],
    c_prev: &[E],
    dz: &mut [E],
    act: A,
    rec: R,
) {
    let u = dh.len();
    let (gi, g) = gates[..4 * u].split_at(u);
    let (gf, g) = g.split_at(u);
    let (gg, go) = g.split_at(u);
    let (di, d) = dz[..4 * u].split_at_mut(u);
    let (df, d) = d.split_at_mut(u);
    let (dg, do_) = d.split_at_mut(u);
    grad_o(dc, do_, dh, go, acs, act, rec);
    grad_i_c(di, dg, dc, gi, gg, act, rec);
    grad_f(df, dc, gf, c_prev, rec);
    dh.fill(E::zero());
}

/// `dc += dh o φ'(φ(c))`, `dz_o = dh φ(c) σ'(o)`
#[inline(always)]
fn grad_o<E: RnnFloat, A: Act, R: Act>(dc: &mut [E], dzo: &mut [E], dh: &[E], o: &[E], ac: &[E], act: A, rec: R) {
    for ((((dcv, dov), &dhv), &o), &ac) in dc.iter_mut().zip(dzo.iter_mut()).zip(dh).zip(o).zip(ac) {
        *dcv += dhv * o * act.d(ac);
        *dov = dhv * ac * rec.d(o);
    }
}

/// `dz_i = dc g σ'(i)`, `dz_c = dc i φ'(g)`
#[inline(always)]
fn grad_i_c<E: RnnFloat, A: Act, R: Act>(dzi: &mut [E], dzc: &mut [E], dc: &[E], i: &[E], g: &[E], act: A, rec: R) {
    for ((((div, dgv), &dcv), &i), &gv) in dzi.iter_mut().zip(dzc.iter_mut()).zip(dc).zip(i).zip(g) {
        *div = dcv * gv * rec.d(i);
        *dgv = dcv * i * act.d(gv);
    }
}

/// `dz_f = dc c_{t-1} σ'(f)`, `dc_{t-1} = dc f`
#[inline(always)]
fn grad_f<E: RnnFloat, R: Act>(dzf: &mut [E], dc: &mut [E], f: &[E], c_prev: &[E], rec: R) {
    for (((dfv, dcv), &f), &cp) in dzf.iter_mut().zip(dc.iter_mut()).zip(f).zip(c_prev) {
        *dfv = *dcv * cp * rec.d(f);
        *dcv *= f;
    }
}
