//! Fused affine layer: `y = act(x W + b)` in one op, forward and backward.
//!
//! Forward: one GEMM into a fresh buffer, then bias and activation in a single pass over it.
//! Backward: `dz = g · act'(y)` and `db = Σ_rows dz` in one pass, then `dW = xᵀ dz` and
//! `dx = dz Wᵀ` as two GEMMs reading the transposes as strided views. `x` may have any number
//! of leading axes (`[.., in]`), which are flattened into rows without a copy when contiguous.
//!
//! PyTorch's `F.linear` (weight `[out, in]`, `y = x Wᵀ + b`) and Keras' `Dense` (kernel
//! `[in, out]`, `y = x K + b`) are the same op with the weight read through different strides.

use kerosene_tensor::{DType, Element, Tensor};

use crate::Var;

/// Activations that can be fused into [`Var::dense`] because their derivative is a function of
/// the output alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FusedActivation {
    /// `y = z`
    #[default]
    Identity,
    /// `y = max(z, 0)`, `dy/dz = [y > 0]`
    Relu,
    /// `y = σ(z)`, `dy/dz = y (1 - y)`
    Sigmoid,
    /// `y = tanh z`, `dy/dz = 1 - y²`
    Tanh,
}

impl FusedActivation {
    #[inline(always)]
    pub(crate) fn apply<E: Element>(self, z: E) -> E {
        match self {
            FusedActivation::Identity => z,
            // NaN passes through (z < 0 is false), so divergence stays visible.
            FusedActivation::Relu => {
                if z < E::zero() {
                    E::zero()
                } else {
                    z
                }
            }
            FusedActivation::Sigmoid => {
                if z >= E::zero() {
                    E::one() / (E::one() + (-z).exp())
                } else {
                    let e = z.exp();
                    e / (E::one() + e)
                }
            }
            FusedActivation::Tanh => z.tanh(),
        }
    }

    #[inline(always)]
    pub(crate) fn derivative<E: Element>(self, y: E) -> E {
        match self {
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

impl Var {
    /// Keras `Dense`: `act(x K + b)` with kernel `K: [in, out]`, bias `b: [out]`, `x: [.., in]`.
    ///
    /// ```
    /// use kerosene_autograd::{FusedActivation, Var};
    /// use kerosene_tensor::Tensor;
    /// let x = Var::new(Tensor::from_vec(vec![1.0f32, 2.0], &[1, 2]));
    /// let k = Var::param(Tensor::from_vec(vec![1.0f32, -1.0, 1.0, -1.0], &[2, 2]));
    /// let b = Var::param(Tensor::from_vec(vec![0.5f32, 0.5], &[2]));
    /// let y = x.dense(&k, Some(&b), FusedActivation::Relu);
    /// assert_eq!(y.value().to_vec::<f32>(), vec![3.5, 0.0]); // relu([1+2+0.5, -1-2+0.5])
    /// ```
    ///
    /// # Panics
    /// If `x`'s last axis differs from the kernel's first, or the bias is not `[out]`.
    #[track_caller]
    pub fn dense(&self, kernel: &Var, bias: Option<&Var>, act: FusedActivation) -> Var {
        fused_linear(self, kernel, false, bias, act)
    }

    /// PyTorch `F.linear`: `x Wᵀ + b` with weight `W: [out, in]`, bias `b: [out]`, `x: [.., in]`.
    ///
    /// # Panics
    /// If `x`'s last axis differs from the weight's second, or the bias is not `[out]`.
    #[track_caller]
    pub fn linear(&self, weight: &Var, bias: Option<&Var>) -> Var {
        fused_linear(self, weight, true, bias, FusedActivation::Identity)
    }

    /// [`Var::linear`] followed by a fused activation.
    #[track_caller]
    pub fn linear_act(&self, weight: &Var, bias: Option<&Var>, act: FusedActivation) -> Var {
        fused_linear(self, weight, true, bias, act)
    }
}

#[track_caller]
fn fused_linear(x: &Var, w: &Var, transposed: bool, b: Option<&Var>, act: FusedActivation) -> Var {
    let op = if transposed { "linear" } else { "dense" };
    let (xv, wv) = (x.value(), w.value());
    if wv.ndim() != 2 || xv.ndim() == 0 {
        panic!(
            "{op}: expected a 2-D weight and an input with a feature axis: input {:?}, weight {:?}",
            xv.shape(),
            wv.shape()
        );
    }
    if xv.dtype() != wv.dtype() {
        panic!("{op}: element types differ: input {}, weight {}", xv.dtype(), wv.dtype());
    }
    let (fin, fout) = if transposed { (wv.shape()[1], wv.shape()[0]) } else { (wv.shape()[0], wv.shape()[1]) };
    let xin = *xv.shape().last().expect("ndim checked");
    if xin != fin {
        panic!(
            "{op}: input features differ from the weight's: input {:?}, weight {:?} ({xin} != {fin})",
            xv.shape(),
            wv.shape()
        );
    }
    let bv = b.map(|b| b.value());
    if let Some(bt) = &bv
        && (bt.shape() != [fout] || bt.dtype() != wv.dtype())
    {
        panic!("{op}: bias must have shape [{fout}] and type {}, got {:?} {}", wv.dtype(), bt.shape(), bt.dtype());
    }
    let mut out_shape = xv.shape()[..xv.ndim() - 1].to_vec();
    out_shape.push(fout);
    let y = match xv.dtype() {
        DType::F32 => forward::<f32>(&xv, &wv, transposed, bv.as_ref(), act, &out_shape),
        DType::F64 => forward::<f64>(&xv, &wv, transposed, bv.as_ref(), act, &out_shape),
    };
    let inputs: Vec<&Var> = match b {
        Some(b) => vec![x, w, b],
        None => vec![x, w],
    };
    if !Var::needs_graph(&inputs) {
        return Var::new(y);
    }
    let (yc, x_shape) = (y.clone(), xv.shape().to_vec());
    Var::from_op(op, y, &inputs, move |g, need| {
        let g2 = g.reshape(&[-1, fout as isize]);
        let y2 = yc.reshape(&[-1, fout as isize]);
        let (dz, db) = match g2.dtype() {
            DType::F32 => dz_db::<f32>(&g2, &y2, act, need.get(2) == Some(&true)),
            DType::F64 => dz_db::<f64>(&g2, &y2, act, need.get(2) == Some(&true)),
        };
        // The weight as the [in, out] right operand: a strided view in PyTorch layout.
        let wm = if transposed { wv.t() } else { wv.clone() };
        let dx = need[0].then(|| dz.matmul(&wm.t()).reshape_to(&x_shape));
        let dw = need[1].then(|| {
            let x2 = xv.reshape(&[-1, fin as isize]);
            if transposed { dz.t().matmul(&x2) } else { x2.t().matmul(&dz) }
        });
        let mut out = vec![dx, dw];
        if need.len() == 3 {
            out.push(db);
        }
        out
    })
}

/// `act(x W + b)` into a fresh buffer: one GEMM that reads `W` through its strides (transposed
/// in PyTorch layout, no copy) and writes every output element, then bias and activation in
/// one pass over the rows while they are in cache.
fn forward<E: Element>(
    x: &Tensor,
    w: &Tensor,
    transposed: bool,
    b: Option<&Tensor>,
    act: FusedActivation,
    out_shape: &[usize],
) -> Tensor {
    let x = x.contiguous();
    let xs = x.as_slice::<E>().expect("contiguous, dtype checked");
    let wa = w.array::<E>().expect("dtype checked");
    let (ws0, ws1) = (wa.strides()[0], wa.strides()[1]);
    let (rsb, csb) = if transposed { (ws1, ws0) } else { (ws0, ws1) };
    let fout = *out_shape.last().expect("has a feature axis");
    let fin = if transposed { wa.shape()[1] } else { wa.shape()[0] };
    let rows: usize = out_shape[..out_shape.len() - 1].iter().product();
    let mut out: Vec<E> = Vec::with_capacity(rows * fout);
    // SAFETY: x is a contiguous rows x fin matrix, W a strided fin x fout view; with beta = 0 the
    // GEMM writes every element of the rows x fout output without reading it, so the buffer is
    // fully initialized before set_len.
    unsafe {
        kerosene_tensor::gemm::gemm_raw(
            rows,
            fin,
            fout,
            E::one(),
            xs.as_ptr(),
            fin as isize,
            1,
            wa.as_ptr(),
            rsb,
            csb,
            E::zero(),
            out.as_mut_ptr(),
            fout as isize,
            1,
        );
        out.set_len(rows * fout);
    }
    let bias: Option<Vec<E>> = b.map(|b| b.contiguous().as_slice::<E>().expect("dtype checked").to_vec());
    bias_act(&mut out, fout, bias.as_deref(), act);
    Tensor::from_vec(out, out_shape)
}

/// Adds the bias row to every row of `ys` (rows of `n`) and applies the activation, in place, in
/// one pass.
fn bias_act<E: Element>(ys: &mut [E], n: usize, b: Option<&[E]>, act: FusedActivation) {
    if n == 0 {
        return;
    }
    kerosene_tensor::simd::dispatch(
        #[inline(always)]
        || match (b, act) {
            (None, FusedActivation::Identity) => {}
            (Some(b), _) => {
                for row in ys.chunks_exact_mut(n) {
                    for (v, &bb) in row.iter_mut().zip(b) {
                        *v = act.apply(*v + bb);
                    }
                }
            }
            (None, _) => ys.iter_mut().for_each(|v| *v = act.apply(*v)),
        },
    );
}

/// `dz = g · act'(y)` and, if asked, `db = Σ_rows dz`, in one pass.
fn dz_db<E: Element>(g: &Tensor, y: &Tensor, act: FusedActivation, want_db: bool) -> (Tensor, Option<Tensor>) {
    let n = g.shape()[1];
    let (g, y) = (g.contiguous(), y.contiguous());
    let gs = g.as_slice::<E>().expect("contiguous");
    let mut acc = vec![E::zero(); if want_db { n } else { 0 }];
    let dz: Tensor = if act == FusedActivation::Identity {
        if want_db && n > 0 {
            kerosene_tensor::simd::dispatch(
                #[inline(always)]
                || {
                    for row in gs.chunks_exact(n) {
                        acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v);
                    }
                },
            );
        }
        g.clone()
    } else {
        let ys = y.as_slice::<E>().expect("contiguous");
        let mut v: Vec<E> = vec![E::zero(); gs.len()];
        if n > 0 {
            kerosene_tensor::simd::dispatch(
                #[inline(always)]
                || {
                    for ((d, gr), yr) in v.chunks_exact_mut(n).zip(gs.chunks_exact(n)).zip(ys.chunks_exact(n)) {
                        for ((d, &g), &y) in d.iter_mut().zip(gr).zip(yr) {
                            *d = g * act.derivative(y);
                        }
                        if want_db {
                            acc.iter_mut().zip(d.iter()).for_each(|(a, &v)| *a += v);
                        }
                    }
                },
            );
        }
        Tensor::from_vec(v, g.shape())
    };
    (dz, want_db.then(|| Tensor::from_vec(acc, &[n])))
}
