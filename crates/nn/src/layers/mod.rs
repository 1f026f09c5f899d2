//! The layers, one per file.

mod activation_layers;
mod average_pooling2d;
mod batch_norm;
mod bidirectional;
mod conv1d;
mod conv2d;
mod dense;
mod dropout;
mod embedding;
mod flatten;
mod global_average_pooling2d;
mod global_max_pooling2d;
mod layer_norm;
mod linear;
mod max_pooling2d;
mod pooling2d;
mod recurrent;
mod seq2seq;
mod spatial_dropout2d;
mod time_distributed;

pub use activation_layers::{ActivationLayer, ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh};
pub use average_pooling2d::AveragePooling2D;
pub use batch_norm::BatchNormalization;
pub use bidirectional::{Bidirectional, MergeMode};
pub use conv1d::Conv1D;
pub use conv2d::{Conv2D, ConvWeights};
pub use dense::{Dense, DenseWeights};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::Flatten;
pub use global_average_pooling2d::GlobalAveragePooling2D;
pub use global_max_pooling2d::GlobalMaxPooling2D;
/// Padding of convolutions and pooling layers (re-exported from `kerosene-tensor`).
pub use kerosene_tensor::Padding;
pub use layer_norm::LayerNormalization;
pub use linear::Linear;
pub use max_pooling2d::MaxPooling2D;
pub use recurrent::{
    GRU, GRUCell, LSTM, LSTMCell, RecurrentLayer, RecurrentOutput, RecurrentSpec, RnnWeights, SimpleRNN, SimpleRNNCell,
    padding_mask,
};
pub use seq2seq::{Seq2Seq, Seq2SeqCell, Seq2SeqConfig};
pub use spatial_dropout2d::SpatialDropout2D;
pub use time_distributed::{RepeatVector, TimeDistributed};
