//! [`Dropout`]: inverted dropout, the identity in evaluation mode.

use kerosene_autograd::Var;
use kerosene_tensor::{Rng, Tensor};

use crate::error::{NnError, Result};
use crate::layer::Layer;
use crate::mode::ModeFlag;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// In training, zeroes each element with probability `rate` and scales the others by
/// `1 / (1 - rate)`; in evaluation, returns the input unchanged.
///
/// The masks are reproducible and resumable: call `k` draws its mask from a generator seeded
/// by `(seed, k)`, and `k` is kept in the buffer `seed_generator_state` (as Keras keeps its
/// seed generator's state among the weights), so a model restored from a checkpoint draws the
/// same masks an uninterrupted run would.
///
/// # Shapes
/// Output shape = input shape.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Dropout, Module};
/// use kerosene_tensor::Tensor;
/// let d = Dropout::new(0.5).seed(1);
/// let x = Var::new(Tensor::ones(&[1000]));
/// let y = d.forward(&x).value();
/// assert!(y.to_vec::<f32>().iter().all(|&v| v == 0.0 || v == 2.0));
/// d.eval();
/// assert_eq!(d.forward(&x).value(), x.value());
/// ```
pub struct Dropout {
    rate: f64,
    seed: u64,
    calls: Var,
    mode: ModeFlag,
    name: String,
}

/// The call counter as three 16-bit digits, exact in f32 and f64 alike.
fn counter_tensor(k: u64) -> Tensor {
    Tensor::from_vec(vec![(k & 0xffff) as f32, ((k >> 16) & 0xffff) as f32, ((k >> 32) & 0xffff) as f32], &[3])
}

fn counter_value(t: &Tensor) -> u64 {
    let d = t.to_vec::<f64>();
    d[0] as u64 | ((d[1] as u64) << 16) | ((d[2] as u64) << 32)
}

impl Dropout {
    /// Dropout with probability `rate`, seeded with 0 (see [`Dropout::seed`]).
    ///
    /// # Panics
    /// If `rate` is not in `[0, 1)`.
    #[track_caller]
    pub fn new(rate: f64) -> Dropout {
        Dropout::try_new(rate).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Fallible [`Dropout::new`].
    pub fn try_new(rate: f64) -> Result<Dropout> {
        if !(0.0..1.0).contains(&rate) {
            return Err(NnError::Config(format!("Dropout: rate must be in [0, 1), got {rate}")));
        }
        Ok(Dropout { rate, seed: 0, calls: Var::new(counter_tensor(0)), mode: ModeFlag::new(), name: "dropout".into() })
    }

    /// Seeds the masks.
    pub fn seed(mut self, seed: u64) -> Dropout {
        self.seed = seed;
        self
    }

    /// The drop probability.
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

impl Module for Dropout {
    fn forward(&self, x: &Var) -> Var {
        if !self.mode.is_training() || self.rate == 0.0 {
            return x.clone();
        }
        let k = counter_value(&self.calls.value());
        self.calls.set_value(counter_tensor(k + 1).to_dtype(self.calls.dtype()));
        let mut rng = Rng::new(self.seed ^ (k.wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        x.dropout(self.rate, &mut rng)
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        v.mode(&self.mode);
        v.state("seed_generator_state", &self.calls);
    }
}

impl Layer for Dropout {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Dropout"
    }
    fn build(&mut self, input_shape: &[usize], rng: &mut Rng) -> Result<Vec<usize>> {
        // Take the mask seed from the model's generator, so the whole model follows one seed.
        self.seed = rng.next_u64();
        Ok(input_shape.to_vec())
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Dropout { rate: self.rate, seed: self.seed })
    }
}
