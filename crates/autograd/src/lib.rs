//! # kerosene-autograd
//!
//! Define-by-run reverse-mode differentiation over `kerosene-tensor` (work in progress):
//! `Var`, `backward`, `grad`, `no_grad`, `detach`, the differentiable ops with each forward
//! beside its backward, and a public `gradcheck`.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
