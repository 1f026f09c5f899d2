//! `y = a @ b` (2-D, batched with broadcast batch axes, matrix-vector, dot).
//!
//! Gradients: `da = g @ bᵀ`, `db = aᵀ @ g`, summed over broadcast batch axes. The transposes
//! are strided views: the GEMM reads them in place, nothing is copied.

use crate::Var;

impl Var {
    /// Matrix product with NumPy `matmul` semantics (see `Tensor::matmul`).
    ///
    /// # Panics
    /// If the inner dimensions differ or the batch axes do not broadcast; the message names
    /// both shapes.
    #[track_caller]
    pub fn matmul(&self, rhs: &Var) -> Var {
        let (a, b) = (self.value(), rhs.value());
        let y = a.matmul(&b);
        Var::from_op("matmul", y, &[self, rhs], move |g, need| {
            // Promote vectors as the forward did: lhs [k] -> [1, k], rhs [k] -> [k, 1].
            let a2 = if a.ndim() == 1 { a.unsqueeze(0) } else { a.clone() };
            let b2 = if b.ndim() == 1 { b.unsqueeze(1) } else { b.clone() };
            let mut g2 = g.clone();
            if a.ndim() == 1 {
                g2 = g2.unsqueeze(if b.ndim() == 1 { 0 } else { -2 });
            }
            if b.ndim() == 1 {
                g2 = g2.unsqueeze(-1);
            }
            let ga = need[0].then(|| g2.matmul(&b2.t()).sum_to_shape(a2.shape()).reshape_to(a.shape()));
            let gb = need[1].then(|| {
                if b2.ndim() == 2 && a2.ndim() > 2 {
                    // Σ_batch aᵀ g as one GEMM over the flattened batch: [k, B m] @ [B m, n].
                    let k = a2.shape()[a2.ndim() - 1] as isize;
                    let n = g2.shape()[g2.ndim() - 1] as isize;
                    let af = a2.reshape(&[-1, k]);
                    let gf = g2.reshape(&[-1, n]);
                    af.t().matmul(&gf).reshape_to(b.shape())
                } else {
                    a2.t().matmul(&g2).sum_to_shape(b2.shape()).reshape_to(b.shape())
                }
            });
            vec![ga, gb]
        })
    }
}
