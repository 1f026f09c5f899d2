//! The fused GRU sequence (Keras `reset_after=True`, gate order `z, r, h`).
//!
//! Forward, per step (`σ` = recurrent activation, `φ` = activation), with the input part
//! `x_t K` of the gate buffer row (projected for all steps at once) and the step's GEMM
//! `a = h_{t-1} R + b_rec`:
//! `z = σ(x_z + b_z + a_z)`, `r = σ(x_r + b_r + a_r)`, `ĥ = φ(x_h + b_h + r a_h)`,
//! `h_t = z h_{t-1} + (1 - z) ĥ`.
//!
//! Backward, per step in reverse, with `dh`:
//! ```text
//! dz_z = dh (h_{t-1} - ĥ) σ'(z)    dz_h = dh (1 - z) φ'(ĥ)    dz_r = dz_h a_h σ'(r)
//! dx_part = (dz_z, dz_r, dz_h)     da = (dz_z, dz_r, dz_h r)
//! dh_{t-1} = dh z + da Rᵀ
//! ```
//! Then `dR = Σ_t h_{t-1}ᵀ da_t`, `db_rec = Σ_t da_t`, `dK = Σ_t x_tᵀ dx_part_t`,
//! `db = Σ_t dx_part_t`, `dx = dx_part Kᵀ` (or `dx_proj = dx_part`).

use kerosene_tensor::ndarray::ArrayView2;
use kerosene_tensor::{DType, Tensor};

use super::common::{
    Act, Args, Bufs, Pooled, RnnFloat, Values, add_assign, add_to, give, mat, mat_mut, multiversion, row_parts, rows,
    run_parts, slice_of, split_rows_mut, step_gemm, take, transposed, view2, with_acts,
};
use crate::{FusedActivation, Var};

struct Saved<E: RnnFloat> {
    gates: Pooled<E>, // [N, T, 3U]: z, r, ĥ after activation
    ah: Pooled<E>,    // [N, T, U]: a_h = (h_{t-1} R + b_rec)_h
    hprev: Pooled<E>, // [N, T, U]: h before step t
}

/// The op: its value is `[N, T + 1, U]` (outputs, last h).
#[track_caller]
pub(super) fn gru_op(a: Args) -> Var {
    const OP: &str = "gru_sequence";
    let (vals, inputs) = Values::new(OP, 3, &a);
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
    gates: &'a mut [E],
    ah: &'a mut [E],
    hprev: &'a mut [E],
    out: &'a mut [E],
}

fn forward<E: RnnFloat>(v: &Values) -> (Tensor, Saved<E>) {
    let (n, t, u) = (v.n, v.t, v.u);
    let g3 = 3 * u;
    let mut gates = Pooled::<E>::new(n * t * g3);
    v.project(&mut gates.0, g3);
    let mut ah = Pooled::<E>::new(n * t * u);
    let mut hprev = Pooled::<E>::new(n * t * u);
    let so = if v.cfg.return_sequences { t } else { 0 };
    let mut out = vec![E::zero(); n * (so + 1) * u];
    let b_in = Values::bias_or_zeros::<E>(v.bias.as_ref(), g3);
    let b_rec = Values::bias_or_zeros::<E>(v.rec_bias.as_ref(), g3);
    let parts = row_parts(n, t * u * g3);
    {
        let h0 = v.h0.as_ref().map(slice_of::<E>);
        let gp = split_rows_mut(&mut gates.0, &parts, t * g3);
        let ap = split_rows_mut(&mut ah.0, &parts, t * u);
        let hp = split_rows_mut(&mut hprev.0, &parts, t * u);
        let op = split_rows_mut(&mut out, &parts, (so + 1) * u);
        let mut pieces = Vec::with_capacity(parts.len());
        for ((((&range, gates), ah), hprev), out) in parts.iter().zip(gp).zip(ap).zip(hp).zip(op) {
            pieces.push(FwdPiece {
                nb: range.1 - range.0,
                h0: h0.map(|s| rows(s, range, u)),
                mask: v.mask.as_deref().map(|m| rows(m, range, t)),
                gates,
                ah,
                hprev,
                out,
            });
        }
        let wv = view2::<E>(&v.rec);
        let (bi, br) = (&b_in[..], &b_rec[..]);
        let reverse = v.cfg.reverse;
        with_acts!(v.cfg, |act, rec| run_parts(pieces, |p| forward_piece(p, &wv, bi, br, t, so, u, reverse, act, rec)));
    }
    (Tensor::from_vec(out, &[n, so + 1, u]), Saved { gates, ah, hprev })
}

multiversion!(fn forward_piece<E: RnnFloat, A: Act, R: Act>(
    p: FwdPiece<'_, E>, w: &ArrayView2<'_, E>, b_in: &[E], b_rec: &[E], t: usize, so: usize, u: usize, reverse: bool, act: A,
    rec: R,
) => forward_piece_impl);

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn forward_piece_impl<E: RnnFloat, A: Act, R: Act>(
    p: FwdPiece<E>,
    w: &ArrayView2<E>,
    b_in: &[E],
    b_rec: &[E],
    t: usize,
    so: usize,
    u: usize,
    reverse: bool,
    act: A,
    rec: R,
) {
    let (g3, nb) = (3 * u, p.nb);
    let mut h = p.h0.map_or_else(|| vec![E::zero(); nb * u], |s| s.to_vec());
    let mut acc = vec![E::zero(); nb * g3];
    for s in 0..t {
        let ts = if reverse { t - 1 - s } else { s };
        for k in 0..nb {
            p.hprev[(k * t + ts) * u..][..u].copy_from_slice(&h[k * u..][..u]);
        }
        if s > 0 || p.h0.is_some() {
            step_gemm(E::one(), &mat(&h, nb, u, u), w, E::zero(), &mut mat_mut(&mut acc, nb, g3, g3));
        }
        for k in 0..nb {
            let row = k * t + ts;
            let hk = &mut h[k * u..][..u];
            if p.mask.is_none_or(|m| m[row]) {
                cell_forward(
                    &mut p.gates[row * g3..][..g3],
                    &acc[k * g3..][..g3],
                    b_in,
                    b_rec,
                    &mut p.ah[row * u..][..u],
                    hk,
                    act,
                    rec,
                );
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

/// One sample's gates (in place over the input part) and state update, as simple slice loops.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn cell_forward<E: RnnFloat, A: Act, R: Act>(
    z: &mut [E],
    a: &[E],
    b_in: &[E],
    b_rec: &[E],
    ah_out: &mut [E],
    h: &mut [E],
    act: A,
    rec: R,
) {
    let u = h.len();
    let (zr, gh) = z[..3 * u].split_at_mut(2 * u);
    add3_act(zr, &a[..2 * u], &b_in[..2 * u], &b_rec[..2 * u], |v| rec.f(v));
    let (gz, gr) = zr.split_at(u);
    add_to(&mut ah_out[..u], &a[2 * u..3 * u], &b_rec[2 * u..3 * u]);
    candidate(gh, &b_in[2 * u..3 * u], gr, &ah_out[..u], |v| act.f(v));
    blend(h, gz, gh);
}

/// `z = f(z + a + b1 + b2)`
#[inline(always)]
fn add3_act<E: RnnFloat>(z: &mut [E], a: &[E], b1: &[E], b2: &[E], f: impl Fn(E) -> E) {
    for (((zv, &av), &b1), &b2) in z.iter_mut().zip(a).zip(b1).zip(b2) {
        *zv = f(*zv + b1 + av + b2);
    }
}

/// `ĥ = f(ĥ + b + r ⊙ a_h)`
#[inline(always)]
fn candidate<E: RnnFloat>(gh: &mut [E], b: &[E], r: &[E], ah: &[E], f: impl Fn(E) -> E) {
    for (((g, &bv), &r), &a) in gh.iter_mut().zip(b).zip(r).zip(ah) {
        *g = f(*g + bv + r * a);
    }
}

/// `h = z ⊙ h + (1 - z) ⊙ ĥ`
#[inline(always)]
fn blend<E: RnnFloat>(h: &mut [E], z: &[E], hh: &[E]) {
    for ((hv, &z), &hh) in h.iter_mut().zip(z).zip(hh) {
        *hv = z * *hv + (E::one() - z) * hh;
    }
}

struct BwdPiece<'a, E> {
    g: &'a [E],
    gates: &'a [E],
    ah: &'a [E],
    hprev: &'a [E],
    mask: Option<&'a [bool]>,
    dxp: &'a mut [E],
    da: &'a mut [E],
    dh0: &'a mut [E],
}

fn backward<E: RnnFloat>(g: &Tensor, s: &Saved<E>, v: &Values, need: &[bool], n_inputs: usize) -> Vec<Option<Tensor>> {
    let (n, t, u) = (v.n, v.t, v.u);
    let g3 = 3 * u;
    let want_state = v.slots.h0.is_some_and(|i| need[i]);
    let mut dxp = take::<E>(n * t * g3);
    let mut da = take::<E>(n * t * g3);
    let mut dh0 = vec![E::zero(); n * u];
    let so = if v.cfg.return_sequences { t } else { 0 };
    let parts = row_parts(n, t * u * g3);
    {
        let gs = slice_of::<E>(g);
        let xpp = split_rows_mut(&mut dxp, &parts, t * g3);
        let dap = split_rows_mut(&mut da, &parts, t * g3);
        let dhp = split_rows_mut(&mut dh0, &parts, u);
        let mut pieces = Vec::with_capacity(parts.len());
        for (((&range, dxp), da), dh0) in parts.iter().zip(xpp).zip(dap).zip(dhp) {
            pieces.push(BwdPiece {
                g: rows(gs, range, (so + 1) * u),
                gates: rows(&s.gates.0, range, t * g3),
                ah: rows(&s.ah.0, range, t * u),
                hprev: rows(&s.hprev.0, range, t * u),
                mask: v.mask.as_deref().map(|m| rows(m, range, t)),
                dxp,
                da,
                dh0,
            });
        }
        let rt = transposed::<E>(&v.rec);
        let rtv = mat(&rt, g3, u, u);
        let reverse = v.cfg.reverse;
        with_acts!(v.cfg, |act, rec| run_parts(pieces, |p| backward_piece(
            p, &rtv, t, so, u, reverse, want_state, act, rec
        )));
    }
    let dh0 = Tensor::from_vec(dh0, &[n, u]);
    let grads = v.gradients(need, n_inputs, dxp, Some(&da), &s.hprev.0, Some(dh0), None);
    give(da);
    grads
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
    let g3 = 3 * u;
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
            if p.mask.is_some_and(|m| !m[row]) {
                p.dxp[row * g3..][..g3].fill(E::zero());
                p.da[row * g3..][..g3].fill(E::zero());
                continue;
            }
            cell_backward(
                dhk,
                &p.gates[row * g3..][..g3],
                &p.ah[row * u..][..u],
                &p.hprev[row * u..][..u],
                &mut p.dxp[row * g3..][..g3],
                &mut p.da[row * g3..][..g3],
                act,
                rec,
            );
        }
        if s > 0 || want_state {
            step_gemm(E::one(), &mat(&p.da[ts * g3..], nb, g3, t * g3), rt, E::one(), &mut mat_mut(dh, nb, u, u));
        }
    }
}

/// One sample's gate gradients; leaves `dh = dh z` (the GEMM adds `da Rᵀ`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn cell_backward<E: RnnFloat, A: Act, R: Act>(
    dh: &mut [E],
    gates: &[E],
    ah: &[E],
    hprev: &[E],
    dxp: &mut [E],
    da: &mut [E],
    act: A,
    rec: R,
) {
    let u = dh.len();
    let (gz, g) = gates[..3 * u].split_at(u);
    let (gr, gh) = g.split_at(u);
    let (xz, x) = dxp[..3 * u].split_at_mut(u);
    let (xr, xh) = x.split_at_mut(u);
    let (az, a) = da[..3 * u].split_at_mut(u);
    let (ar, ahd) = a.split_at_mut(u);
    grad_z_h(xz, xh, dh, gz, gh, &hprev[..u], act, rec);
    az.copy_from_slice(xz);
    grad_r(xr, ar, ahd, xh, gr, &ah[..u], rec);
    for (d, &z) in dh.iter_mut().zip(gz) {
        *d *= z;
    }
}

/// `dz_z = dh (h_{t-1} - ĥ) σ'(z)`, `dz_h = dh (1 - z) φ'(ĥ)`
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn grad_z_h<E: RnnFloat, A: Act, R: Act>(
    dzz: &mut [E],
    dzh: &mut [E],
    dh: &[E],
    z: &[E],
    hh: &[E],
    hprev: &[E],
    act: A,
    rec: R,
) {
    for (((((zv, hv), &d), &z), &hh), &hp) in dzz.iter_mut().zip(dzh.iter_mut()).zip(dh).zip(z).zip(hh).zip(hprev) {
        *zv = d * (hp - hh) * rec.d(z);
        *hv = d * (E::one() - z) * act.d(hh);
    }
}

/// `dz_r = dz_h a_h σ'(r)` (input and recurrent parts), `da_h = dz_h r`
#[inline(always)]
fn grad_r<E: RnnFloat, R: Act>(dzr: &mut [E], dar: &mut [E], dah: &mut [E], dzh: &[E], r: &[E], ah: &[E], rec: R) {
    for (((((xr, ar), ahd), &dh), &r), &a) in
        dzr.iter_mut().zip(dar.iter_mut()).zip(dah.iter_mut()).zip(dzh).zip(r).zip(ah)
    {
        let d = dh * a * rec.d(r);
        *xr = d;
        *ar = d;
        *ahd = dh * r;
    }
}
