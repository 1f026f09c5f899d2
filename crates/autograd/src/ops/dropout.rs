//! Inverted dropout: `y = x · m / (1 - p)` with a Bernoulli(1 - p) mask `m`, so that the
//! expected value is unchanged and evaluation needs no scaling. `dx = g · m / (1 - p)`.

use kerosene_tensor::{Rng, Tensor};

use crate::Var;

impl Var {
    /// Zeroes each element with probability `rate` and scales the rest by `1 / (1 - rate)`.
    /// `rate == 0` returns `self` unchanged.
    ///
    /// # Panics
    /// If `rate` is not in `[0, 1)`.
    #[track_caller]
    pub fn dropout(&self, rate: f64, rng: &mut Rng) -> Var {
        if !(0.0..1.0).contains(&rate) {
            panic!("dropout: rate must be in [0, 1), got {rate}");
        }
        if rate == 0.0 {
            return self.clone();
        }
        let mask =
            Tensor::bernoulli(self.shape(), 1.0 - rate, rng).mul_scalar(1.0 / (1.0 - rate)).to_dtype(self.dtype());
        self.mul_mask(&mask)
    }

    /// `self · mask` for a constant mask of the same shape (dropout with a given mask).
    #[track_caller]
    pub fn mul_mask(&self, mask: &Tensor) -> Var {
        let y = self.value().mul(mask);
        let m = mask.clone();
        Var::from_op("dropout", y, &[self], move |g, _| vec![Some(g.mul(&m))])
    }
}
