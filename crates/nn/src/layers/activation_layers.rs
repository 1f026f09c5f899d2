//! Activation layers: [`ActivationLayer`] (Keras `Activation("relu")`) and the named ones,
//! [`ReLU`], [`LeakyReLU`], [`ELU`], [`GELU`], [`Sigmoid`], [`Tanh`], [`Softmax`], [`Softplus`].
//! Each applies its [`Activation`] elementwise (softmax over the last axis); no parameters.
//!
//! # Shapes
//! Output shape = input shape.
//!
//! # Example
//! ```
//! use kerosene_autograd::Var;
//! use kerosene_nn::{Module, ReLU};
//! use kerosene_tensor::Tensor;
//! let y = ReLU::new().forward(&Var::new(Tensor::from_vec(vec![-1.0f32, 2.0], &[1, 2])));
//! assert_eq!(y.value().to_vec::<f32>(), vec![0.0, 2.0]);
//! ```

use kerosene_autograd::Var;
use kerosene_tensor::Rng;

use crate::activation::Activation;
use crate::error::Result;
use crate::layer::{Layer, snake_case};
use crate::module::{Module, Visitor};
use crate::spec::LayerSpec;

/// Applies an [`Activation`] (Keras `layers.Activation`).
#[derive(Debug, Clone)]
pub struct ActivationLayer {
    activation: Activation,
    kind: &'static str,
    name: String,
}

impl ActivationLayer {
    /// A layer applying `activation`.
    pub fn new(activation: Activation) -> ActivationLayer {
        ActivationLayer::with_kind(activation, "Activation")
    }

    fn with_kind(activation: Activation, kind: &'static str) -> ActivationLayer {
        ActivationLayer { activation, kind, name: snake_case(kind) }
    }

    /// The activation applied.
    pub fn activation(&self) -> Activation {
        self.activation
    }
}

impl Module for ActivationLayer {
    fn forward(&self, x: &Var) -> Var {
        self.activation.apply(x)
    }
    fn visit(&self, _v: &mut Visitor<'_>) {}
}

impl Layer for ActivationLayer {
    fn name(&self) -> &str {
        &self.name
    }
    fn set_name(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn build(&mut self, input_shape: &[usize], _rng: &mut Rng) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }
    fn is_built(&self) -> bool {
        true
    }
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }
    fn output_activation(&self) -> Activation {
        self.activation
    }
    fn forward_logits(&self, x: &Var) -> Var {
        x.clone()
    }
    fn spec(&self) -> Option<LayerSpec> {
        Some(LayerSpec::Activation { activation: self.activation, kind: self.kind.to_string() })
    }
}

impl ActivationLayer {
    /// Rebuilds a layer from its spec fields.
    pub(crate) fn from_spec(activation: Activation, kind: &str) -> ActivationLayer {
        let kind = KINDS.iter().find(|k| **k == kind).copied().unwrap_or("Activation");
        ActivationLayer::with_kind(activation, kind)
    }
}

const KINDS: [&str; 9] = ["Activation", "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "Softplus"];

macro_rules! named_activation {
    ($(#[$m:meta])* $ty:ident, $kind:literal, ($($arg:ident: $argty:ty),*) => $act:expr) => {
        $(#[$m])*
        #[allow(clippy::upper_case_acronyms)]
        pub struct $ty;

        impl $ty {
            /// The layer (see the type's docs for the formula).
            #[allow(clippy::new_ret_no_self)]
            pub fn new($($arg: $argty),*) -> ActivationLayer {
                ActivationLayer::with_kind($act, $kind)
            }
        }
    };
}

named_activation!(
    /// `max(x, 0)` (PyTorch `nn.ReLU`, Keras `layers.ReLU`).
    ReLU, "ReLU", () => Activation::Relu);
named_activation!(
    /// `x` if `x > 0`, else `alpha x` (PyTorch's default alpha is 0.01, Keras' 0.3).
    LeakyReLU, "LeakyReLU", (alpha: f64) => Activation::LeakyRelu(alpha));
named_activation!(
    /// `x` if `x > 0`, else `alpha (e^x - 1)`.
    ELU, "ELU", (alpha: f64) => Activation::Elu(alpha));
named_activation!(
    /// `x Φ(x)`.
    GELU, "GELU", () => Activation::Gelu);
named_activation!(
    /// `1 / (1 + e^-x)`.
    Sigmoid, "Sigmoid", () => Activation::Sigmoid);
named_activation!(
    /// `tanh x`.
    Tanh, "Tanh", () => Activation::Tanh);
named_activation!(
    /// Softmax over the last axis.
    Softmax, "Softmax", () => Activation::Softmax);
named_activation!(
    /// `ln(1 + e^x)`.
    Softplus, "Softplus", () => Activation::Softplus);
