//! `abs`, `clamp`, `maximum`, `minimum`, `where_cond`: the piecewise ops.
//!
//! - `abs`: `g · sign(x)` (0 at 0)
//! - `clamp(lo, hi)`: `g` where `lo <= x <= hi`, else 0 (PyTorch's convention at the bounds)
//! - `maximum(a, b)`: `g` to the larger input; on a tie each gets `g / 2` (as PyTorch)
//! - `where_cond(c, a, b)`: `g` to `a` where `c` holds, else to `b`

use kerosene_tensor::Tensor;

use crate::Var;

impl Var {
    /// `|x|`
    pub fn abs(&self) -> Var {
        let x = self.value();
        Var::from_op("abs", x.abs(), &[self], move |g, _| vec![Some(g.mul(&x.sign()))])
    }

    /// Clamps into `[lo, hi]`.
    ///
    /// # Panics
    /// If `lo > hi`.
    #[track_caller]
    pub fn clamp(&self, lo: f64, hi: f64) -> Var {
        let x = self.value();
        let y = x.clamp(lo, hi);
        Var::from_op("clamp", y, &[self], move |g, _| {
            vec![Some(g.zip_map_f64(&x, move |g, x| if x >= lo && x <= hi { g } else { 0.0 }))]
        })
    }

    /// Elementwise maximum with broadcasting.
    #[track_caller]
    pub fn maximum(&self, rhs: &Var) -> Var {
        minmax(self, rhs, true)
    }

    /// Elementwise minimum with broadcasting.
    #[track_caller]
    pub fn minimum(&self, rhs: &Var) -> Var {
        minmax(self, rhs, false)
    }

    /// `cond ? a : b` elementwise (`cond` nonzero), broadcasting all three. `cond` is a constant.
    #[track_caller]
    pub fn where_cond(cond: &Tensor, a: &Var, b: &Var) -> Var {
        let (av, bv) = (a.value(), b.value());
        let y = Tensor::where_cond(cond, &av, &bv);
        let mask = cond.ne_elem(&Tensor::scalar_dtype(0.0, cond.dtype())).to_dtype(av.dtype());
        let (sa, sb) = (av.shape().to_vec(), bv.shape().to_vec());
        Var::from_op("where", y, &[a, b], move |g, need| {
            let ga = need[0].then(|| g.mul(&mask).sum_to_shape(&sa));
            let gb = need[1].then(|| g.mul(&mask.rsub_scalar(1.0)).sum_to_shape(&sb));
            vec![ga, gb]
        })
    }
}

fn minmax(a: &Var, b: &Var, max: bool) -> Var {
    let (av, bv) = (a.value(), b.value());
    let y = if max { av.maximum(&bv) } else { av.minimum(&bv) };
    Var::from_op(if max { "maximum" } else { "minimum" }, y, &[a, b], move |g, need| {
        // Share of the gradient going to `a`: 1 where a wins, 1/2 on ties, 0 where b wins.
        let wa = av.zip_map_f64(&bv, move |x, y| {
            if x == y {
                0.5
            } else if (x > y) == max {
                1.0
            } else {
                0.0
            }
        });
        let ga = need[0].then(|| g.mul(&wa).sum_to_shape(av.shape()));
        let gb = need[1].then(|| g.mul(&wa.rsub_scalar(1.0)).sum_to_shape(bv.shape()));
        vec![ga, gb]
    })
}
