//! # kerosene-nn
//!
//! Layers and the [`Module`] trait, over `kerosene-autograd`. No training loop here (that is the
//! umbrella crate's `fit`, or your own loop with `kerosene-optim`).
//!
//! - [`Module`]: `forward` + `visit`; parameters with dotted names (`fc1.weight`), state dicts,
//!   `train()` / `eval()` are derived from the visitor. [`visit_modules!`] makes a user's
//!   network one line per field.
//! - [`Layer`]: what Keras' `Sequential` needs on top — names, lazy `build`, `output_shape`
//!   without data, a [`LayerSpec`] to save architectures.
//! - Layers: [`Linear`] (PyTorch, eager, `[out, in]` weight) and [`Dense`] (Keras, lazy, `[in,
//!   out]` kernel), activation layers ([`ReLU`], [`Softmax`], ...), [`Dropout`], [`Flatten`],
//!   [`Embedding`], [`BatchNormalization`], [`LayerNormalization`].
//! - Convolutional layers (channels last, NHWC): [`Conv2D`], [`Conv1D`], [`MaxPooling2D`],
//!   [`AveragePooling2D`], [`GlobalAveragePooling2D`], [`GlobalMaxPooling2D`], [`SpatialDropout2D`].
//! - Recurrent layers (batch first, `[batch, time, features]`, each one fused autograd op):
//!   [`LSTM`], [`GRU`], [`SimpleRNN`] with initial states and masks ([`padding_mask`]), their
//!   cells ([`LSTMCell`], [`GRUCell`], [`SimpleRNNCell`]) for decoding loops, [`Bidirectional`],
//!   [`TimeDistributed`], [`RepeatVector`], and the encoder-decoder [`Seq2Seq`].
//! - [`Initializer`] (Glorot, He, LeCun, orthogonal, ...) and [`Activation`] by Keras name.
//! - [`testing::check_layer`]: the layer contract every built-in layer is tested against.
//!
//! ```
//! use kerosene_autograd::Var;
//! use kerosene_nn::{Activation, Dense, Dropout, Module};
//! use kerosene_tensor::Tensor;
//!
//! let hidden = Dense::new(64).activation(Activation::Relu).seed(1);
//! let drop = Dropout::new(0.2);
//! let out = Dense::new(10).seed(2);
//! let x = Var::new(Tensor::ones(&[32, 784]));
//! let logits = out.forward(&drop.forward(&hidden.forward(&x)));
//! assert_eq!(logits.shape(), &[32, 10]);
//! assert_eq!(hidden.num_parameters() + out.num_parameters(), 784 * 64 + 64 + 64 * 10 + 10);
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod activation;
mod error;
mod init;
mod layer;
mod layers;
mod mode;
mod module;
mod spec;
mod state_dict;
pub mod testing;

pub use activation::Activation;
pub use error::{NnError, Result, StateDictMismatch};
pub use init::Initializer;
pub use layer::{Layer, snake_case};
pub use layers::*;
pub use mode::ModeFlag;
pub use module::{Entry, Module, Visitor};
pub use spec::LayerSpec;
pub use state_dict::StateDict;
