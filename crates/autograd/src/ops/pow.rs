//! Powers: `a ^ b` (tensor exponent), `x ^ p` (scalar), `sqrt`, `square`, `recip`.
//!
//! `d(a^b) = (g b a^(b-1), g a^b ln a)`, `d(x^p) = g p x^(p-1)`, `d sqrt(x) = g / (2 sqrt x)`,
//! `d x² = 2 g x`, `d(1/x) = -g / x²`.

use crate::Var;

impl Var {
    /// `self ^ rhs` elementwise with broadcasting. The gradient for the exponent uses `ln(self)`,
    /// so it is defined for positive bases.
    #[track_caller]
    pub fn pow(&self, rhs: &Var) -> Var {
        let (a, b) = (self.value(), rhs.value());
        let y = a.pow(&b);
        let yc = y.clone();
        Var::from_op("pow", y, &[self, rhs], move |g, need| {
            let ga = need[0].then(|| g.mul(&b).mul(&a.pow(&b.add_scalar(-1.0))).sum_to_shape(a.shape()));
            let gb = need[1].then(|| g.mul(&yc).mul(&a.ln()).sum_to_shape(b.shape()));
            vec![ga, gb]
        })
    }

    /// `self ^ p` for a scalar exponent.
    pub fn powf(&self, p: f64) -> Var {
        let x = self.value();
        Var::from_op("powf", x.powf(p), &[self], move |g, _| vec![Some(g.mul(&x.powf(p - 1.0)).mul_scalar(p))])
    }

    /// `sqrt(self)`
    pub fn sqrt(&self) -> Var {
        let y = self.value().sqrt();
        let yc = y.clone();
        Var::from_op("sqrt", y, &[self], move |g, _| vec![Some(g.zip_map_f64(&yc, |g, y| g / (2.0 * y)))])
    }

    /// `self²`
    pub fn square(&self) -> Var {
        let x = self.value();
        Var::from_op("square", x.square(), &[self], move |g, _| vec![Some(g.zip_map_f64(&x, |g, x| 2.0 * g * x))])
    }

    /// `1 / self`
    pub fn recip(&self) -> Var {
        let y = self.value().recip();
        let yc = y.clone();
        Var::from_op("recip", y, &[self], move |g, _| vec![Some(g.zip_map_f64(&yc, |g, y| -g * y * y))])
    }
}
