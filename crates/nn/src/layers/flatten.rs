//! [`Flatten`]: `[N, d1, d2, ...] -> [N, d1 d2 ...]`.

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::error::Result;
use crate::layer::Layer;
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// Collapses every axis but the batch axis (Keras `layers.Flatten`). A view when contiguous.
///
/// # Shapes
/// Input `[N, d1, .., dk]`, output `[N, d1 · .. · dk]`.
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Flatten, Module};
/// use kerosene_tensor::Tensor;
/// let y = Flatten::new().forward(&Var::new(Tensor::zeros(&[8, 5, 5, 64])));
/// assert_eq!(y.shape(), &[8, 1600]);
/// ```
#[derive(Debug, Clone)]
pub struct Flatten {
    name: String,
}

impl Flatten {
    /// The layer.
    pub fn new() -> Flatten {
        Flatten { name: "flatten".into() }
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten::new()
    }
}

impl Module for Flatten {
    fn forward(&self, x: &Var) -> Var {
        x.flatten_batch()
    }
    fn visit(&self, _v: &mut Visitor<'_>) {}
}

impl Layer for Flatten {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Flatten"
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(vec![input_shape.iter().product()])
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Flatten)
    }
}
