//! `use kerosene::prelude::*;` brings in what a Keras-style or PyTorch-style program needs.

pub use crate::callbacks::{
    Callback, CsvLogger, EarlyStopping, History, LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
    TerminateOnNaN,
};
pub use crate::datasets;
pub use crate::error::{Error, Result};
pub use crate::metrics::Metric;
pub use crate::model::{Fit, Scores, Sequential};
pub use kerosene_autograd::{Var, no_grad};
pub use kerosene_losses::{Loss, Reduction, cross_entropy};
pub use kerosene_nn::{
    Activation, ActivationLayer, BatchNormalization, Dense, Dropout, ELU, Embedding, Flatten, GELU, Initializer, Layer,
    LayerNormalization, LeakyReLU, Linear, Module, ReLU, Sigmoid, Softmax, Softplus, Tanh, Visitor, visit_modules,
};
pub use kerosene_optim::{Adagrad, Adam, AdamW, Optimizer, RmsProp, Sgd};
pub use kerosene_tensor::{DType, Rng, Tensor};
