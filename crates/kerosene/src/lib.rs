//! # kerosene
//!
//! The umbrella crate: re-exports of every Kerosene crate and (work in progress) the Keras-like
//! model API.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

/// N-dimensional tensors: [`kerosene_tensor`].
pub mod tensor {
    pub use kerosene_tensor::*;
}

/// Reverse-mode automatic differentiation: [`kerosene_autograd`].
pub mod autograd {
    pub use kerosene_autograd::*;
}

/// Datasets, data loaders and readers: [`kerosene_datasets`].
pub mod datasets {
    pub use kerosene_datasets::*;
}
