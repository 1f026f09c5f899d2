//! # kerosene
//!
//! A deep-learning framework in Rust with Keras' ease and PyTorch's control. This umbrella crate
//! re-exports every crate of the stack and adds the Keras-like model API.
//!
//! | module | crate | what |
//! | --- | --- | --- |
//! | [`tensor`] | `kerosene-tensor` | n-d f32 / f64 tensors, broadcasting, matmul, seeded init |
//! | [`autograd`] | `kerosene-autograd` | `Var`, backward, `no_grad`, `gradcheck` |
//! | [`nn`] | `kerosene-nn` | `Module`, layers, initializers |
//! | [`losses`] | `kerosene-losses` | MSE ... cross-entropy, reductions |
//! | [`optim`] | `kerosene-optim` | SGD, Adam, ... schedules, clipping |
//! | [`datasets`] | `kerosene-datasets` | DataLoader, MNIST / Fashion-MNIST, CSV, embedded sets |
//! | [`model`], [`callbacks`], [`metrics`] | here | `Sequential`, `compile` / `fit` / `evaluate` / `predict`, callbacks, save / load |
//!
//! The seed program, Keras style:
//!
//! ```no_run
//! use kerosene::prelude::*;
//!
//! fn main() -> kerosene::Result<()> {
//!     let data = datasets::fashion_mnist()?;
//!     let (x_train, y_train) = data.train();
//!     let (x_test, y_test) = data.test();
//!     let mut model = Sequential::new()
//!         .add(Dense::new(64).activation(Activation::Relu).input_shape(&[28 * 28]))
//!         .add(Dense::new(64).activation(Activation::Relu))
//!         .add(Dense::new(10).activation(Activation::Softmax));
//!     model.compile(Adam::default(), Loss::SparseCategoricalCrossentropy, &[Metric::Accuracy])?;
//!     model.fit(x_train, y_train, Fit::epochs(5))?;
//!     let scores = model.evaluate(x_test, y_test)?;
//!     println!("Test accuracy: {}", scores["accuracy"]);
//!     Ok(())
//! }
//! ```
//!
//! A runnable miniature on the embedded iris data:
//!
//! ```
//! use kerosene::prelude::*;
//!
//! # fn main() -> kerosene::Result<()> {
//! let iris = datasets::iris();
//! let mut model = Sequential::new()
//!     .add(Dense::new(16).activation(Activation::Relu).input_shape(&[4]))
//!     .add(Dense::new(3).activation(Activation::Softmax));
//! model.compile("adam", "sparse_categorical_crossentropy", &["accuracy"])?;
//! model.fit(&iris.x, &iris.y, Fit::epochs(3).verbose(0))?;
//! let scores = model.evaluate(&iris.x, &iris.y)?;
//! assert!(scores["accuracy"] > 0.0);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod callbacks;
mod error;
pub mod metrics;
pub mod model;
pub mod prelude;

pub use error::{Error, Result};
pub use kerosene_tensor::threads::set_num_threads;

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

/// Optimizers, learning-rate schedules and gradient clipping: [`kerosene_optim`].
pub mod optim {
    pub use kerosene_optim::*;
}

/// Layers and modules: [`kerosene_nn`].
pub mod nn {
    pub use kerosene_nn::*;
}

/// Loss functions: [`kerosene_losses`].
pub mod losses {
    pub use kerosene_losses::*;
}
