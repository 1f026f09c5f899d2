//! The differentiable operations, one concept per file: each forward sits beside its backward,
//! and the derivative is written as math in the file's header.

mod activation;
mod arith;
mod conv1d;
mod conv2d;
mod dropout;
mod exp_log;
mod index;
mod linear;
mod log_softmax_nll;
mod matmul;
mod minmax;
mod pool2d;
mod pow;
mod recurrent;
mod reduce;
mod reshape;
mod scratch;
mod slice;
mod softmax;

pub use linear::FusedActivation;
pub use recurrent::{RecurrentSequence, RnnConfig, RnnParams};
