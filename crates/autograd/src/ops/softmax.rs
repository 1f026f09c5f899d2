//! `softmax`, `log_softmax` and `logsumexp` along an axis, each with its own stable backward:
//! - softmax `y`: `dx = y (g - Σ g y)`
//! - log_softmax `y`: `dx = g - e^y Σ g`
//! - logsumexp: `dx = g · softmax(x)`

use crate::Var;

impl Var {
    /// Softmax along `axis`.
    #[track_caller]
    pub fn softmax(&self, axis: isize) -> Var {
        let y = self.value().softmax(axis);
        let yc = y.clone();
        Var::from_op("softmax", y, &[self], move |g, _| {
            let s = g.mul(&yc).sum(&[axis], true);
            vec![Some(yc.mul(&g.sub(&s)))]
        })
    }

    /// Log-softmax along `axis` (stable for any magnitude of logits).
    #[track_caller]
    pub fn log_softmax(&self, axis: isize) -> Var {
        let y = self.value().log_softmax(axis);
        let yc = y.clone();
        Var::from_op("log_softmax", y, &[self], move |g, _| {
            let s = g.sum(&[axis], true);
            vec![Some(g.sub(&yc.exp().mul(&s)))]
        })
    }

    /// `ln Σ e^x` along `axis`, stable.
    #[track_caller]
    pub fn logsumexp(&self, axis: isize, keepdims: bool) -> Var {
        let x = self.value();
        let y = x.logsumexp(axis, keepdims);
        Var::from_op("logsumexp", y, &[self], move |g, _| {
            let gk = if keepdims { g.clone() } else { g.unsqueeze(axis) };
            vec![Some(x.softmax(axis).mul(&gk))]
        })
    }
}
