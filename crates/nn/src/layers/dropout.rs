//! [`Dropout`]: inverted dropout, the identity in evaluation mode.

use std::sync::Mutex;

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::error::{NnError, Result};
use crate::layer::Layer;
use crate::mode::ModeFlag;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// In training, zeroes each element with probability `rate` and scales the others by
/// `1 / (1 - rate)`; in evaluation, returns the input unchanged.
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
    rng: Mutex<Rng>,
    mode: ModeFlag,
    name: String,
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
        Ok(Dropout { rate, seed: 0, rng: Mutex::new(Rng::new(0)), mode: ModeFlag::new(), name: "dropout".into() })
    }

    /// Seeds the masks.
    pub fn seed(mut self, seed: u64) -> Dropout {
        self.seed = seed;
        self.rng = Mutex::new(Rng::new(seed));
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
        let mut rng = self.rng.lock().expect("dropout rng poisoned");
        x.dropout(self.rate, &mut rng)
    }
    fn visit(&self, v: &mut Visitor<'_>) {
        v.mode(&self.mode);
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
        // Draw the mask stream from the model's generator, so the whole model follows one seed.
        self.rng = Mutex::new(rng.fork());
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
