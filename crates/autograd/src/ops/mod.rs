//! The differentiable operations, one concept per file: each forward sits beside its backward,
//! and the derivative is written as math in the file's header.

mod activation;
mod arith;
mod dropout;
mod exp_log;
mod index;
mod linear;
mod log_softmax_nll;
mod matmul;
mod minmax;
mod pow;
mod reduce;
mod reshape;
mod slice;
mod softmax;

pub use linear::FusedActivation;
