//! `exp`, `ln`, `ln_1p`: `d e^x = g e^x`, `d ln x = g / x`, `d ln(1+x) = g / (1 + x)`.

use crate::Var;

impl Var {
    /// `e^self`
    pub fn exp(&self) -> Var {
        let y = self.value().exp();
        let yc = y.clone();
        Var::from_op("exp", y, &[self], move |g, _| vec![Some(g.mul(&yc))])
    }

    /// Natural logarithm.
    pub fn ln(&self) -> Var {
        let x = self.value();
        Var::from_op("ln", x.ln(), &[self], move |g, _| vec![Some(g.div(&x))])
    }

    /// `ln(1 + self)`, accurate near 0.
    pub fn ln_1p(&self) -> Var {
        let x = self.value();
        Var::from_op("ln_1p", x.ln_1p(), &[self], move |g, _| vec![Some(g.zip_map_f64(&x, |g, x| g / (1.0 + x)))])
    }
}
