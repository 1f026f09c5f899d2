//! `a + b`, `a - b`, `a * b`, `a / b` with broadcasting, negation, and scalar variants.
//!
//! Gradients (before summing over broadcast axes with `sum_to_shape`):
//! `d(a+b) = (g, g)`, `d(a-b) = (g, -g)`, `d(a*b) = (g b, g a)`, `d(a/b) = (g / b, -g a / b²)`.

use kerosene_tensor::Tensor;

use crate::Var;

impl Var {
    /// `self + rhs` with broadcasting.
    #[track_caller]
    pub fn add(&self, rhs: &Var) -> Var {
        let (sa, sb) = (self.shape().to_vec(), rhs.shape().to_vec());
        let y = self.value().add(&rhs.value());
        Var::from_op("add", y, &[self, rhs], move |g, need| {
            vec![need[0].then(|| g.sum_to_shape(&sa)), need[1].then(|| g.sum_to_shape(&sb))]
        })
    }

    /// `self - rhs` with broadcasting.
    #[track_caller]
    pub fn sub(&self, rhs: &Var) -> Var {
        let (sa, sb) = (self.shape().to_vec(), rhs.shape().to_vec());
        let y = self.value().sub(&rhs.value());
        Var::from_op("sub", y, &[self, rhs], move |g, need| {
            vec![need[0].then(|| g.sum_to_shape(&sa)), need[1].then(|| g.neg().sum_to_shape(&sb))]
        })
    }

    /// `self * rhs` elementwise with broadcasting.
    #[track_caller]
    pub fn mul(&self, rhs: &Var) -> Var {
        let (a, b) = (self.value(), rhs.value());
        let y = a.mul(&b);
        Var::from_op("mul", y, &[self, rhs], move |g, need| {
            vec![need[0].then(|| g.mul(&b).sum_to_shape(a.shape())), need[1].then(|| g.mul(&a).sum_to_shape(b.shape()))]
        })
    }

    /// `self / rhs` elementwise with broadcasting.
    #[track_caller]
    pub fn div(&self, rhs: &Var) -> Var {
        let (a, b) = (self.value(), rhs.value());
        let y = a.div(&b);
        let yc = y.clone();
        Var::from_op("div", y, &[self, rhs], move |g, need| {
            let ga = need[0].then(|| g.div(&b).sum_to_shape(a.shape()));
            // d(a/b)/db = -a/b² = -y/b
            let gb = need[1].then(|| g.mul(&yc).div(&b).neg().sum_to_shape(b.shape()));
            vec![ga, gb]
        })
    }

    /// `-self`
    pub fn neg(&self) -> Var {
        Var::from_op("neg", self.value().neg(), &[self], |g, _| vec![Some(g.neg())])
    }

    /// `self + s` for a scalar.
    pub fn add_scalar(&self, s: f64) -> Var {
        Var::from_op("add_scalar", self.value().add_scalar(s), &[self], |g, _| vec![Some(g.clone())])
    }

    /// `self * s` for a scalar.
    pub fn mul_scalar(&self, s: f64) -> Var {
        Var::from_op("mul_scalar", self.value().mul_scalar(s), &[self], move |g, _| vec![Some(g.mul_scalar(s))])
    }

    /// `s - self` for a scalar.
    pub fn rsub_scalar(&self, s: f64) -> Var {
        Var::from_op("rsub_scalar", self.value().rsub_scalar(s), &[self], |g, _| vec![Some(g.neg())])
    }

    /// A constant tensor of the same element type, for mixing constants into expressions.
    pub fn constant_like(&self, t: &Tensor) -> Var {
        Var::new(t.to_dtype(self.dtype()))
    }
}

macro_rules! var_binop {
    ($trait:ident, $method:ident, $scalar:expr) => {
        impl std::ops::$trait<&Var> for &Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: &Var) -> Var {
                Var::$method(self, rhs)
            }
        }
        impl std::ops::$trait<Var> for Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: Var) -> Var {
                Var::$method(&self, &rhs)
            }
        }
        impl std::ops::$trait<&Var> for Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: &Var) -> Var {
                Var::$method(&self, rhs)
            }
        }
        impl std::ops::$trait<Var> for &Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: Var) -> Var {
                Var::$method(self, &rhs)
            }
        }
        impl std::ops::$trait<f64> for &Var {
            type Output = Var;
            fn $method(self, rhs: f64) -> Var {
                #[allow(clippy::redundant_closure_call)]
                ($scalar)(self, rhs)
            }
        }
        impl std::ops::$trait<f64> for Var {
            type Output = Var;
            fn $method(self, rhs: f64) -> Var {
                #[allow(clippy::redundant_closure_call)]
                ($scalar)(&self, rhs)
            }
        }
    };
}

var_binop!(Add, add, |v: &Var, s: f64| v.add_scalar(s));
var_binop!(Sub, sub, |v: &Var, s: f64| v.add_scalar(-s));
var_binop!(Mul, mul, |v: &Var, s: f64| v.mul_scalar(s));
var_binop!(Div, div, |v: &Var, s: f64| v.mul_scalar(1.0 / s));

impl std::ops::Neg for &Var {
    type Output = Var;
    fn neg(self) -> Var {
        Var::neg(self)
    }
}

impl std::ops::Neg for Var {
    type Output = Var;
    fn neg(self) -> Var {
        Var::neg(&self)
    }
}
