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
    Activation, ActivationLayer, AveragePooling2D, BatchNormalization, Bidirectional, Conv1D, Conv2D, Dense, Dropout,
    ELU, Embedding, Flatten, GELU, GRU, GlobalAveragePooling2D, GlobalMaxPooling2D, Initializer, LSTM, Layer,
    LayerNormalization, LeakyReLU, Linear, MaxPooling2D, Module, Padding, ReLU, RepeatVector, Seq2Seq, Sigmoid,
    SimpleRNN, Softmax, Softplus, SpatialDropout2D, Tanh, TimeDistributed, Visitor, visit_modules,
};
pub use kerosene_optim::{Adagrad, Adam, AdamW, Optimizer, RmsProp, Sgd};
pub use kerosene_tensor::{DType, Rng, Tensor};
