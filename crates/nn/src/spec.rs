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
use crate::layers::{
    AveragePooling2D, Conv1D, Conv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, SpatialDropout2D,
};
use crate::layers::{Bidirectional, GRU, LSTM, MergeMode, RecurrentSpec, RepeatVector, SimpleRNN, TimeDistributed};
use kerosene_tensor::Padding;

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
    /// [`Conv2D`]
    Conv2D {
        /// Output channels.
        filters: usize,
        /// Kernel height and width.
        kernel_size: (usize, usize),
        /// Strides.
        strides: (usize, usize),
        /// Padding.
        padding: Padding,
        /// Dilation.
        dilation_rate: (usize, usize),
        /// Activation.
        activation: Activation,
        /// Bias on or off.
        use_bias: bool,
        /// Kernel initializer.
        kernel_initializer: Initializer,
        /// Bias initializer.
        bias_initializer: Initializer,
    },
    /// [`Conv1D`]
    Conv1D {
        /// Output channels.
        filters: usize,
        /// Kernel length.
        kernel_size: usize,
        /// Stride.
        strides: usize,
        /// Padding.
        padding: Padding,
        /// Dilation.
        dilation_rate: usize,
        /// Activation.
        activation: Activation,
        /// Bias on or off.
        use_bias: bool,
        /// Kernel initializer.
        kernel_initializer: Initializer,
        /// Bias initializer.
        bias_initializer: Initializer,
    },
    /// [`MaxPooling2D`]
    MaxPooling2D {
        /// Window height and width.
        pool_size: (usize, usize),
        /// Strides (`None`: the pool size).
        strides: Option<(usize, usize)>,
        /// Padding.
        padding: Padding,
    },
    /// [`AveragePooling2D`]
    AveragePooling2D {
        /// Window height and width.
        pool_size: (usize, usize),
        /// Strides (`None`: the pool size).
        strides: Option<(usize, usize)>,
        /// Padding.
        padding: Padding,
    },
    /// [`GlobalAveragePooling2D`]
    GlobalAveragePooling2D {
        /// Output `[N, 1, 1, C]` instead of `[N, C]`.
        keepdims: bool,
    },
    /// [`GlobalMaxPooling2D`]
    GlobalMaxPooling2D {
        /// Output `[N, 1, 1, C]` instead of `[N, C]`.
        keepdims: bool,
    },
    /// [`SpatialDropout2D`]
    SpatialDropout2D {
        /// Drop probability of a channel.
        rate: f64,
        /// Mask seed.
        seed: u64,
    },
    /// [`LSTM`]
    LSTM(RecurrentSpec),
    /// [`GRU`]
    GRU(RecurrentSpec),
    /// [`SimpleRNN`]
    SimpleRNN(RecurrentSpec),
    /// [`Bidirectional`]
    Bidirectional {
        /// The wrapped recurrent layer (the backward copy has the same configuration).
        layer: Box<LayerSpec>,
        /// How the directions are combined.
        merge_mode: MergeMode,
    },
    /// [`TimeDistributed`]
    TimeDistributed {
        /// The layer applied at every step.
        layer: Box<LayerSpec>,
    },
    /// [`RepeatVector`]
    RepeatVector {
        /// Repeats.
        n: usize,
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
            LayerSpec::Conv2D {
                filters,
                kernel_size,
                strides,
                padding,
                dilation_rate,
                activation,
                use_bias,
                kernel_initializer,
                bias_initializer,
            } => Box::new(
                Conv2D::new(filters, kernel_size)
                    .strides(strides)
                    .padding(padding)
                    .dilation_rate(dilation_rate)
                    .activation(activation)
                    .use_bias(use_bias)
                    .kernel_initializer(kernel_initializer)
                    .bias_initializer(bias_initializer),
            ),
            LayerSpec::Conv1D {
                filters,
                kernel_size,
                strides,
                padding,
                dilation_rate,
                activation,
                use_bias,
                kernel_initializer,
                bias_initializer,
            } => Box::new(
                Conv1D::new(filters, kernel_size)
                    .strides(strides)
                    .dilation_rate(dilation_rate)
                    .padding(padding)
                    .activation(activation)
                    .use_bias(use_bias)
                    .kernel_initializer(kernel_initializer)
                    .bias_initializer(bias_initializer),
            ),
            LayerSpec::MaxPooling2D { pool_size, strides, padding } => {
                let p = MaxPooling2D::new(pool_size).padding(padding);
                Box::new(match strides {
                    Some(s) => p.strides(s),
                    None => p,
                })
            }
            LayerSpec::AveragePooling2D { pool_size, strides, padding } => {
                let p = AveragePooling2D::new(pool_size).padding(padding);
                Box::new(match strides {
                    Some(s) => p.strides(s),
                    None => p,
                })
            }
            LayerSpec::GlobalAveragePooling2D { keepdims } => {
                Box::new(GlobalAveragePooling2D::new().keepdims(keepdims))
            }
            LayerSpec::GlobalMaxPooling2D { keepdims } => Box::new(GlobalMaxPooling2D::new().keepdims(keepdims)),
            LayerSpec::SpatialDropout2D { rate, seed } => Box::new(SpatialDropout2D::new(rate).seed(seed)),
            LayerSpec::LSTM(s) => Box::new(LSTM::from_spec(&s)),
            LayerSpec::GRU(s) => Box::new(GRU::from_spec(&s)),
            LayerSpec::SimpleRNN(s) => Box::new(SimpleRNN::from_spec(&s)),
            LayerSpec::Bidirectional { layer, merge_mode } => Box::new(Bidirectional::from_spec(&layer, merge_mode)),
            LayerSpec::TimeDistributed { layer } => Box::new(TimeDistributed::from_boxed(layer.instantiate())),
            LayerSpec::RepeatVector { n } => Box::new(RepeatVector::new(n)),
        }
    }
}
