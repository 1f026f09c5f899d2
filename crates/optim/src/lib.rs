//! # kerosene-optim
//!
//! Optimizers (work in progress): the `Optimizer` trait, SGD, Adagrad, RMSprop, Adam, AdamW,
//! learning-rate schedules and gradient clipping.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
