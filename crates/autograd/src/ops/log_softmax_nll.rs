//! Fused log-softmax + negative log-likelihood: per-row cross-entropy from logits and class
//! indices, the loss of every classifier.
//!
//! Forward, per row: `loss = logsumexp(z) - z[t]`, computed stably (the max is subtracted
//! first), keeping `p = softmax(z)` for backward. Backward: `dz = g_row · (p - onehot(t))`.
//! One pass over the logits each way, no `[N, C]` intermediates besides `p`.

use kerosene_tensor::{DType, Element, Tensor, TensorError, indices_in_range, softmax_row};

use crate::Var;

impl Var {
    /// Per-row cross-entropy `-log softmax(z)[t]` of logits `[.., C]` against class indices `t`
    /// of shape `[..]` (whole numbers in `0..C`). Returns shape `[..]`.
    ///
    /// ```
    /// use kerosene_autograd::Var;
    /// use kerosene_tensor::Tensor;
    /// let z = Var::param(Tensor::from_vec(vec![2.0f32, 0.0, 0.0, 1.0, 1.0, 1.0], &[2, 3]));
    /// let t = Tensor::from_vec(vec![0.0f32, 2.0], &[2]);
    /// let loss = z.log_softmax_nll(&t).unwrap();
    /// // row 0: ln(e² + 2) - 2 = 0.2395; row 1: ln 3 = 1.0986
    /// let l = loss.value().to_vec::<f32>();
    /// assert!((l[0] - 0.23954).abs() < 1e-4 && (l[1] - 1.09861).abs() < 1e-4);
    /// ```
    ///
    /// # Errors
    /// If `t`'s shape is not the logits' shape without the last axis, or a target is not a
    /// whole number in `0..C` (the message names the target and its position).
    pub fn log_softmax_nll(&self, targets: &Tensor) -> Result<Var, TensorError> {
        let z = self.value();
        let shape = z.shape().to_vec();
        if shape.is_empty() || targets.shape() != &shape[..shape.len() - 1] {
            return Err(TensorError::Shapes {
                op: "cross_entropy",
                reason: "targets must have the logits' shape without the class axis".into(),
                lhs: shape.as_slice().into(),
                rhs: targets.shape().into(),
                detail: String::new(),
            });
        }
        let c = shape[shape.len() - 1];
        let t = indices_in_range("cross_entropy", targets, c)?;
        let z = z.contiguous();
        let (loss, probs) = match z.dtype() {
            DType::F32 => forward::<f32>(&z, &t, c),
            DType::F64 => forward::<f64>(&z, &t, c),
        };
        let out_shape = shape[..shape.len() - 1].to_vec();
        let loss = loss.reshape_to(&out_shape);
        Ok(Var::from_op("log_softmax_nll", loss, &[self], move |g, _| {
            let g = g.contiguous();
            let dz = match probs.dtype() {
                DType::F32 => backward::<f32>(&probs, &t, &g, c),
                DType::F64 => backward::<f64>(&probs, &t, &g, c),
            };
            vec![Some(dz.reshape_to(&shape))]
        }))
    }
}

fn forward<E: Element>(z: &Tensor, t: &[usize], c: usize) -> (Tensor, Tensor) {
    let zs = z.as_slice::<E>().expect("contiguous");
    let rows = t.len();
    let mut p = vec![E::zero(); rows * c];
    let mut loss = Vec::with_capacity(rows);
    if c > 0 {
        for ((zr, pr), &ti) in zs.chunks_exact(c).zip(p.chunks_exact_mut(c)).zip(t) {
            softmax_row(zr, pr, true); // log-probabilities
            loss.push(-pr[ti]);
            pr.iter_mut().for_each(|v| *v = v.exp());
        }
    }
    (Tensor::from_vec(loss, &[rows]), Tensor::from_vec(p, &[rows, c]))
}

fn backward<E: Element>(p: &Tensor, t: &[usize], g: &Tensor, c: usize) -> Tensor {
    let ps = p.as_slice::<E>().expect("contiguous");
    let gs = g.as_slice::<E>().expect("contiguous");
    let mut dz = vec![E::zero(); ps.len()];
    if c > 0 {
        for (((pr, dr), &ti), &gi) in ps.chunks_exact(c).zip(dz.chunks_exact_mut(c)).zip(t).zip(gs) {
            for (d, &pv) in dr.iter_mut().zip(pr) {
                *d = gi * pv;
            }
            dr[ti] -= gi;
        }
    }
    Tensor::from_vec(dz, p.shape())
}
