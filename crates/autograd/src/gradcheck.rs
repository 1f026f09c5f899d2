//! [`gradcheck`]: compares backward with central finite differences, in `f64`.

use kerosene_tensor::{DType, Rng, Tensor};

use crate::error::{AutogradError, Result};
use crate::no_grad::no_grad;
use crate::var::Var;

/// Tolerances of [`gradcheck`]. The defaults are PyTorch's (`eps 1e-6, atol 1e-5, rtol 1e-3`),
/// which assume `f64`; gradcheck always evaluates in `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// Finite-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance (relative to the numerical derivative).
    pub rtol: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances { eps: 1e-6, atol: 1e-5, rtol: 1e-3 }
    }
}

/// Checks the gradients of `f` at `inputs` against central finite differences, in `f64`.
///
/// `f` receives one leaf [`Var`] per input (converted to `f64`, requiring grad) and returns a
/// result of any shape. With a fixed random projection `v` (seeded, so the check is
/// reproducible), the analytical vector-Jacobian product `vᵀ J` from backward is compared with
/// `(vᵀ f(x + eps e_i) - vᵀ f(x - eps e_i)) / 2 eps` for every input element `i`; they must agree
/// within `atol + rtol * |numerical|`. This is PyTorch's fast gradcheck mode; a wrong backward
/// escapes it only for a measure-zero set of `v`.
///
/// `f` must be deterministic (seed any dropout inside it).
///
/// ```
/// use kerosene_autograd::{gradcheck, Tolerances};
/// use kerosene_tensor::Tensor;
/// let a = Tensor::from_vec(vec![0.3f64, -1.2, 2.0, 0.7], &[2, 2]);
/// let b = Tensor::from_vec(vec![1.5f64, -0.4], &[2]);
/// // a tanh, a broadcast multiply, and `a` used twice:
/// gradcheck(|v| v[0].tanh().mul(&v[1]).add(&v[0]), &[a, b], Tolerances::default()).unwrap();
/// ```
///
/// # Errors
/// [`AutogradError::Gradcheck`] naming the input, the element, and both values, at the first
/// mismatch.
pub fn gradcheck(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor], tol: Tolerances) -> Result<()> {
    gradcheck_with_params(f, inputs, &[], tol)
}

/// [`gradcheck`] that also checks the gradients of `params`: leaves (already `f64`) that `f`
/// uses through its closure, such as the weights of a layer. Each is perturbed in place with
/// [`Var::set_value`] for the finite differences and restored afterwards.
///
/// ```
/// use kerosene_autograd::{Var, gradcheck_with_params, Tolerances};
/// use kerosene_tensor::Tensor;
/// let w = Var::param(Tensor::from_vec(vec![0.5f64, -1.0, 2.0], &[3]));
/// let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], &[3]);
/// gradcheck_with_params(|v| v[0].mul(&w).tanh(), &[x], &[w.clone()], Tolerances::default()).unwrap();
/// ```
///
/// # Errors
/// As [`gradcheck`]; a mismatch in a parameter's gradient names it as `parameter k`.
pub fn gradcheck_with_params(
    f: impl Fn(&[Var]) -> Var,
    inputs: &[Tensor],
    params: &[Var],
    tol: Tolerances,
) -> Result<()> {
    if let Some(p) = params.iter().find(|p| p.dtype() != DType::F64 || !p.is_leaf()) {
        return Err(AutogradError::Gradcheck(format!(
            "gradcheck: parameters must be f64 leaves; got {:?} (convert the module to f64 first)",
            p
        )));
    }
    let x64: Vec<Tensor> = inputs.iter().map(|t| t.to_dtype(DType::F64).contiguous()).collect();
    let vars: Vec<Var> = x64.iter().map(|t| Var::param(t.clone())).collect();
    for p in params {
        p.zero_grad();
    }
    let y = f(&vars);
    if y.dtype() != DType::F64 {
        return Err(AutogradError::Gradcheck(format!(
            "gradcheck: the function returned {} values; everything it uses must be f64 (convert constants and parameters)",
            y.dtype()
        )));
    }
    let mut rng = Rng::new(0x6772_6164);
    let proj = Tensor::randn(y.shape(), &mut rng).to_f64();
    if y.requires_grad() {
        y.backward_with(&proj, false)?;
    }
    let analytical: Vec<Tensor> = vars
        .iter()
        .chain(params)
        .map(|v| v.grad().unwrap_or_else(|| Tensor::zeros_dtype(v.shape(), DType::F64)))
        .collect();
    for p in params {
        p.zero_grad();
    }

    let project = |xs: &[Tensor]| -> Result<f64> {
        let vs: Vec<Var> = xs.iter().map(|t| Var::new(t.clone())).collect();
        let out = no_grad(|| f(&vs)).value();
        if out.shape() != proj.shape() {
            return Err(AutogradError::Gradcheck(format!(
                "gradcheck: the output shape changed from {:?} to {:?} between evaluations",
                proj.shape(),
                out.shape()
            )));
        }
        Ok(out.to_vec_f64().iter().zip(proj.to_vec_f64()).map(|(a, b)| a * b).sum())
    };

    let n_inputs = x64.len();
    let originals: Vec<Tensor> = params.iter().map(|p| p.value()).collect();
    let restore = || {
        for (p, v) in params.iter().zip(&originals) {
            p.set_value(v.clone());
        }
    };
    let all: Vec<Tensor> = x64.iter().cloned().chain(originals.iter().cloned()).collect();
    for (k, x) in all.iter().enumerate() {
        let base = x.to_vec_f64();
        let ana = analytical[k].to_vec_f64();
        for i in 0..base.len() {
            let eval_at = |delta: f64| -> Result<f64> {
                let mut moved = base.clone();
                moved[i] += delta;
                let t = Tensor::from_vec(moved, x.shape());
                if k < n_inputs {
                    let mut xs = x64.clone();
                    xs[k] = t;
                    project(&xs)
                } else {
                    params[k - n_inputs].set_value(t);
                    let r = project(&x64);
                    restore();
                    r
                }
            };
            let fp = eval_at(tol.eps)?;
            let fm = eval_at(-tol.eps)?;
            let num = (fp - fm) / (2.0 * tol.eps);
            let a = ana[i];
            let within = (a - num).abs() <= tol.atol + tol.rtol * num.abs();
            if !within {
                let pos = kerosene_tensor::unravel(i, x.shape());
                let what = if k < n_inputs { format!("input {k}") } else { format!("parameter {}", k - n_inputs) };
                return Err(AutogradError::Gradcheck(format!(
                    "gradcheck: {what} (shape {:?}) element {pos:?}: backward gives {a:.8e}, finite differences give {num:.8e} (|diff| {:.3e} > atol {:.0e} + rtol {:.0e} * |numerical|)",
                    x.shape(),
                    (a - num).abs(),
                    tol.atol,
                    tol.rtol
                )));
            }
        }
    }
    Ok(())
}
