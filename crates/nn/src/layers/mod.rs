//! The layers, one per file.

mod activation_layers;
mod batch_norm;
mod dense;
mod dropout;
mod embedding;
mod flatten;
mod layer_norm;
mod linear;

pub use activation_layers::{ActivationLayer, ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh};
pub use batch_norm::BatchNormalization;
pub use dense::{Dense, DenseWeights};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::Flatten;
pub use layer_norm::LayerNormalization;
pub use linear::Linear;
