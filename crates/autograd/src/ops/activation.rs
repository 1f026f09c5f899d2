//! Activations and their derivatives, each written from the output `y` where that is cheaper:
//! - `relu`: `g · [y > 0]`
//! - `leaky_relu(α)`: `g · (x > 0 ? 1 : α)`
//! - `elu(α)`: `g · (x > 0 ? 1 : y + α)`
//! - `gelu` (exact): `g · (Φ(x) + x φ(x))`
//! - `sigmoid`: `g · y (1 - y)`
//! - `tanh`: `g · (1 - y²)`
//! - `softplus`: `g · sigmoid(x)`

use crate::Var;

impl Var {
    /// `max(x, 0)`; the gradient at exactly 0 is 0 (PyTorch's convention).
    pub fn relu(&self) -> Var {
        let y = self.value().relu();
        let yc = y.clone();
        Var::from_op("relu", y, &[self], move |g, _| {
            vec![Some(g.zip_map_f64(&yc, |g, y| if y > 0.0 { g } else { 0.0 }))]
        })
    }

    /// `x` for `x > 0`, else `alpha x`.
    pub fn leaky_relu(&self, alpha: f64) -> Var {
        let x = self.value();
        let y = x.leaky_relu(alpha);
        Var::from_op("leaky_relu", y, &[self], move |g, _| {
            vec![Some(g.zip_map_f64(&x, move |g, x| if x > 0.0 { g } else { alpha * g }))]
        })
    }

    /// `x` for `x > 0`, else `alpha (e^x - 1)`.
    pub fn elu(&self, alpha: f64) -> Var {
        let x = self.value();
        let y = x.elu(alpha);
        let yc = y.clone();
        Var::from_op("elu", y, &[self], move |g, _| {
            vec![Some(g.zip3_map_f64(&x, &yc, move |g, x, y| if x > 0.0 { g } else { g * (y + alpha) }))]
        })
    }

    /// GELU, exact form `x Φ(x)` (PyTorch's and Keras' default).
    pub fn gelu(&self) -> Var {
        let x = self.value();
        Var::from_op("gelu", x.gelu(), &[self], move |g, _| {
            // Φ(x) = (1 + erf(x/√2)) / 2, φ(x) = e^(-x²/2) / √(2π)
            let cdf = x.mul_scalar(std::f64::consts::FRAC_1_SQRT_2).erf().add_scalar(1.0).mul_scalar(0.5);
            let d = x.zip_map_f64(&cdf, |x, c| c + x * (-0.5 * x * x).exp() * 0.398_942_280_401_432_7);
            vec![Some(g.mul(&d))]
        })
    }

    /// `1 / (1 + e^-x)`
    pub fn sigmoid(&self) -> Var {
        let y = self.value().sigmoid();
        let yc = y.clone();
        Var::from_op("sigmoid", y, &[self], move |g, _| vec![Some(g.zip_map_f64(&yc, |g, y| g * y * (1.0 - y)))])
    }

    /// Hyperbolic tangent.
    pub fn tanh(&self) -> Var {
        let y = self.value().tanh();
        let yc = y.clone();
        Var::from_op("tanh", y, &[self], move |g, _| vec![Some(g.zip_map_f64(&yc, |g, y| g * (1.0 - y * y)))])
    }

    /// `ln(1 + e^x)`, stable for large `|x|`.
    pub fn softplus(&self) -> Var {
        let x = self.value();
        Var::from_op("softplus", x.softplus(), &[self], move |g, _| vec![Some(g.mul(&x.sigmoid()))])
    }
}
