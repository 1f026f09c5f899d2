//! # kerosene-losses
//!
//! Loss functions over autograd variables (work in progress): MSE, MAE, Huber, binary /
//! categorical / sparse categorical cross-entropy, KL divergence, with reductions.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
