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
    fn apply<E: Element>(self, z: E) -> E {
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
    fn derivative<E: Element>(self, y: E) -> E {
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
    // The weight as the [in, out] right operand, a strided view in PyTorch layout.
    let wm = if transposed { wv.t() } else { wv.clone() };
    let (fin, fout) = (wm.shape()[0], wm.shape()[1]);
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
        && bt.shape() != [fout]
    {
        panic!("{op}: bias must have shape [{fout}], got {:?}", bt.shape());
    }
    let lead: Vec<usize> = xv.shape()[..xv.ndim() - 1].to_vec();
    let x2 = xv.reshape(&[-1, fin as isize]);
    let mut y = x2.matmul(&wm);
    match y.dtype() {
        DType::F32 => bias_act::<f32>(&mut y, bv.as_ref(), act),
        DType::F64 => bias_act::<f64>(&mut y, bv.as_ref(), act),
    }
    let mut out_shape = lead.clone();
    out_shape.push(fout);
    let y = y.reshape_to(&out_shape);
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
        let dx = need[0].then(|| dz.matmul(&wm.t()).reshape_to(&x_shape));
        let dw = need[1].then(|| if transposed { dz.t().matmul(&x2) } else { x2.t().matmul(&dz) });
        let mut out = vec![dx, dw];
        if need.len() == 3 {
            out.push(db);
        }
        out
    })
}

/// Adds the bias row to every row of `y` and applies the activation, in place, in one pass.
fn bias_act<E: Element>(y: &mut Tensor, b: Option<&Tensor>, act: FusedActivation) {
    let n = y.shape()[1];
    let b: Option<Vec<E>> = b.map(|b| b.contiguous().as_slice::<E>().expect("same dtype as the product").to_vec());
    let ys = y.as_slice_mut::<E>().expect("fresh contiguous product");
    if n == 0 {
        return;
    }
    match (&b, act) {
        (None, FusedActivation::Identity) => {}
        (Some(b), _) => {
            for row in ys.chunks_exact_mut(n) {
                for (v, &bb) in row.iter_mut().zip(b) {
                    *v = act.apply(*v + bb);
                }
            }
        }
        (None, _) => ys.iter_mut().for_each(|v| *v = act.apply(*v)),
    }
}

/// `dz = g · act'(y)` and, if asked, `db = Σ_rows dz`, in one pass.
fn dz_db<E: Element>(g: &Tensor, y: &Tensor, act: FusedActivation, want_db: bool) -> (Tensor, Option<Tensor>) {
    let n = g.shape()[1];
    let (g, y) = (g.contiguous(), y.contiguous());
    let gs = g.as_slice::<E>().expect("contiguous");
    let dz: Tensor = if act == FusedActivation::Identity {
        g.clone()
    } else {
        let ys = y.as_slice::<E>().expect("contiguous");
        let v: Vec<E> = gs.iter().zip(ys).map(|(&g, &y)| g * act.derivative(y)).collect();
        Tensor::from_vec(v, g.shape())
    };
    let db = want_db.then(|| {
        let mut acc = vec![E::zero(); n];
        if n > 0 {
            for row in dz.as_slice::<E>().expect("contiguous").chunks_exact(n) {
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += v;
                }
            }
        }
        Tensor::from_vec(acc, &[n])
    });
    (dz, db)
}
