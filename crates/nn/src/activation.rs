//! [`Activation`]: the activation functions by name, as Dense and the activation layers use them.

use serde::{Deserialize, Serialize};

use kerosene_autograd::{FusedActivation, Var};

use crate::error::{NnError, Result};

/// An elementwise (or, for softmax, per-row) activation function.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Activation {
    /// `x` (Keras' `"linear"`, the default).
    #[default]
    Linear,
    /// `max(x, 0)`
    Relu,
    /// `x` if `x > 0`, else `alpha x`.
    LeakyRelu(f64),
    /// `x` if `x > 0`, else `alpha (e^x - 1)`.
    Elu(f64),
    /// `x Φ(x)` (exact erf form).
    Gelu,
    /// `1 / (1 + e^-x)`
    Sigmoid,
    /// `tanh x`
    Tanh,
    /// `e^x / Σ e^x` over the last axis.
    Softmax,
    /// `x - ln Σ e^x` over the last axis.
    LogSoftmax,
    /// `ln(1 + e^x)`
    Softplus,
    /// `x σ(x)` (swish).
    Silu,
}

impl Activation {
    /// Looks up a Keras name: `"relu"`, `"softmax"`, `"sigmoid"`, `"tanh"`, `"linear"`, `"gelu"`,
    /// `"elu"`, `"leaky_relu"`, `"softplus"`, `"silu"` / `"swish"`, `"log_softmax"`.
    ///
    /// ```
    /// use kerosene_nn::Activation;
    /// assert_eq!(Activation::from_name("relu").unwrap(), Activation::Relu);
    /// assert!(Activation::from_name("rellu").unwrap_err().to_string().contains("unknown activation \"rellu\""));
    /// ```
    pub fn from_name(name: &str) -> Result<Activation> {
        Ok(match name {
            "linear" | "none" => Activation::Linear,
            "relu" => Activation::Relu,
            "leaky_relu" => Activation::LeakyRelu(0.2),
            "elu" => Activation::Elu(1.0),
            "gelu" => Activation::Gelu,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "softmax" => Activation::Softmax,
            "log_softmax" => Activation::LogSoftmax,
            "softplus" => Activation::Softplus,
            "silu" | "swish" => Activation::Silu,
            _ => {
                return Err(NnError::Config(format!(
                    "unknown activation \"{name}\"; known: linear, relu, leaky_relu, elu, gelu, sigmoid, tanh, softmax, log_softmax, softplus, silu"
                )));
            }
        })
    }

    /// The Keras name.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Elu(_) => "elu",
            Activation::Gelu => "gelu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
            Activation::LogSoftmax => "log_softmax",
            Activation::Softplus => "softplus",
            Activation::Silu => "silu",
        }
    }

    /// Applies the activation.
    pub fn apply(&self, x: &Var) -> Var {
        match *self {
            Activation::Linear => x.clone(),
            Activation::Relu => x.relu(),
            Activation::LeakyRelu(a) => x.leaky_relu(a),
            Activation::Elu(a) => x.elu(a),
            Activation::Gelu => x.gelu(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Softmax => x.softmax(-1),
            Activation::LogSoftmax => x.log_softmax(-1),
            Activation::Softplus => x.softplus(),
            Activation::Silu => x.mul(&x.sigmoid()),
        }
    }

    /// The fused form for [`Var::dense`], if this activation has one.
    pub fn fused(&self) -> Option<FusedActivation> {
        match self {
            Activation::Linear => Some(FusedActivation::Identity),
            Activation::Relu => Some(FusedActivation::Relu),
            Activation::Sigmoid => Some(FusedActivation::Sigmoid),
            Activation::Tanh => Some(FusedActivation::Tanh),
            _ => None,
        }
    }
}
