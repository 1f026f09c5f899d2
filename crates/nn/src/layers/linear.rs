//! [`Linear`]: PyTorch's fully connected layer, built eagerly with explicit sizes.

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::error::{NnError, Result};
use crate::layer::{Layer, expect_rank};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// `y = x Wᵀ + b` (PyTorch `nn.Linear`).
///
/// # Shapes
/// - input `[.., in_features]`, output `[.., out_features]`
/// - `weight: [out_features, in_features]`, `bias: [out_features]`
///
/// # Parameters
/// Both drawn from `U(-1/sqrt(in_features), 1/sqrt(in_features))`, PyTorch's default
/// (`kaiming_uniform_(a=sqrt(5))` for the weight).
///
/// # Example
/// ```
/// use kerosene_autograd::Var;
/// use kerosene_nn::{Linear, Module};
/// use kerosene_tensor::{Rng, Tensor};
/// let fc = Linear::new(784, 64, &mut Rng::new(0));
/// let y = fc.forward(&Var::new(Tensor::zeros(&[32, 784])));
/// assert_eq!(y.shape(), &[32, 64]);
/// assert_eq!(fc.weight.shape(), &[64, 784]);
/// ```
pub struct Linear {
    /// `[out_features, in_features]`
    pub weight: Var,
    /// `[out_features]`, if any.
    pub bias: Option<Var>,
    name: String,
}

impl Linear {
    /// A layer with bias, initialized from `rng`.
    pub fn new(in_features: usize, out_features: usize, rng: &mut Rng) -> Linear {
        Linear::with_bias(in_features, out_features, true, rng)
    }

    /// A layer with or without bias.
    pub fn with_bias(in_features: usize, out_features: usize, bias: bool, rng: &mut Rng) -> Linear {
        let bound = 1.0 / (in_features.max(1) as f64).sqrt();
        let weight =
            Var::param(kerosene_tensor::Tensor::rand_uniform(&[out_features, in_features], -bound, bound, rng));
        let bias = bias.then(|| Var::param(kerosene_tensor::Tensor::rand_uniform(&[out_features], -bound, bound, rng)));
        Linear { weight, bias, name: "linear".into() }
    }

    /// `in_features`
    pub fn in_features(&self) -> usize {
        self.weight.shape()[1]
    }

    /// `out_features`
    pub fn out_features(&self) -> usize {
        self.weight.shape()[0]
    }
}

impl Module for Linear {
    fn forward(&self, x: &Var) -> Var {
        x.linear(&self.weight, self.bias.as_ref())
    }

    fn visit(&self, v: &mut Visitor<'_>) {
        v.param("weight", &self.weight);
        if let Some(b) = &self.bias {
            v.param("bias", b);
        }
    }
}

impl Layer for Linear {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        "Linear"
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        self.output_shape(input_shape)
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        expect_rank(&self.name, input_shape, 1, true)?;
        let last = *input_shape.last().expect("rank checked");
        if last != self.in_features() {
            return Err(NnError::InputShape {
                layer: self.name.clone(),
                message: format!(
                    "expected axis -1 of input shape to have value {}, but received input with shape {input_shape:?}",
                    self.in_features()
                ),
            });
        }
        let mut out = input_shape.to_vec();
        *out.last_mut().expect("rank checked") = self.out_features();
        Ok(out)
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Linear {
            in_features: self.in_features(),
            out_features: self.out_features(),
            bias: self.bias.is_some(),
        })
    }
}
