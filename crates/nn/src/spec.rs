//! [`LayerSpec`]: a serializable description of a built-in layer, to save and rebuild whole
//! models (architecture here, weights in the state dict).

use serde::{Deserialize, Serialize};

use kerosene_tensor::Rng;

use crate::activation::Activation;
use crate::init::Initializer;
use crate::layer::Layer;
use crate::layers::{
    ActivationLayer, BatchNormalization, Dense, Dropout, Embedding, Flatten, LayerNormalization, Linear,
};

/// The configuration of a built-in layer (no weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum LayerSpec {
    /// [`Dense`]
    Dense {
        /// Outputs.
        units: usize,
        /// Activation.
        activation: Activation,
        /// Bias on or off.
        use_bias: bool,
        /// Kernel initializer.
        kernel_initializer: Initializer,
        /// Bias initializer.
        bias_initializer: Initializer,
    },
    /// [`Linear`]
    Linear {
        /// Inputs.
        in_features: usize,
        /// Outputs.
        out_features: usize,
        /// Bias on or off.
        bias: bool,
    },
    /// An activation layer ([`ActivationLayer`] and the named ones).
    Activation {
        /// The function.
        activation: Activation,
        /// The Keras class name (`"ReLU"`, `"Softmax"`, `"Activation"`).
        kind: String,
    },
    /// [`Dropout`]
    Dropout {
        /// Drop probability.
        rate: f64,
        /// Mask seed.
        seed: u64,
    },
    /// [`Flatten`]
    Flatten,
    /// [`Embedding`]
    Embedding {
        /// Vocabulary size.
        input_dim: usize,
        /// Vector size.
        output_dim: usize,
        /// Padding id.
        padding_idx: Option<usize>,
        /// Initializer.
        initializer: Initializer,
    },
    /// [`BatchNormalization`]
    BatchNormalization {
        /// Moving-average momentum.
        momentum: f64,
        /// Epsilon.
        epsilon: f64,
        /// With beta.
        center: bool,
        /// With gamma.
        scale: bool,
    },
    /// [`LayerNormalization`]
    LayerNormalization {
        /// Epsilon.
        epsilon: f64,
        /// With beta.
        center: bool,
        /// With gamma.
        scale: bool,
    },
}

impl LayerSpec {
    /// A fresh, unbuilt layer with this configuration.
    pub fn instantiate(&self) -> Box<dyn Layer> {
        match self.clone() {
            LayerSpec::Dense { units, activation, use_bias, kernel_initializer, bias_initializer } => Box::new(
                Dense::new(units)
                    .activation(activation)
                    .use_bias(use_bias)
                    .kernel_initializer(kernel_initializer)
                    .bias_initializer(bias_initializer),
            ),
            LayerSpec::Linear { in_features, out_features, bias } => {
                Box::new(Linear::with_bias(in_features, out_features, bias, &mut Rng::new(0)))
            }
            LayerSpec::Activation { activation, kind } => Box::new(ActivationLayer::from_spec(activation, &kind)),
            LayerSpec::Dropout { rate, seed } => Box::new(Dropout::new(rate).seed(seed)),
            LayerSpec::Flatten => Box::new(Flatten::new()),
            LayerSpec::Embedding { input_dim, output_dim, padding_idx, initializer } => {
                let e = Embedding::new(input_dim, output_dim).initializer(initializer);
                Box::new(match padding_idx {
                    Some(p) => e.padding_idx(p),
                    None => e,
                })
            }
            LayerSpec::BatchNormalization { momentum, epsilon, center, scale } => {
                Box::new(BatchNormalization::new().momentum(momentum).epsilon(epsilon).center(center).scale(scale))
            }
            LayerSpec::LayerNormalization { epsilon, center, scale } => {
                Box::new(LayerNormalization::new().epsilon(epsilon).center(center).scale(scale))
            }
        }
    }
}
