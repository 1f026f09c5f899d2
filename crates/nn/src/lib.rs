//! # kerosene-nn
//!
//! Layers and the `Module` trait (work in progress): `Linear`, `Dense`, activations,
//! `Dropout`, `Flatten`, `Embedding`, normalization, convolution and recurrent layers,
//! initializers.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
