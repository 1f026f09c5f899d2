//! Keeping optimizer state out of the subnormal range.
//!
//! Moment buffers decay geometrically wherever a parameter's gradient stays zero (for example the
//! first-layer weights of pixels that are black in almost every image): Adam's `m ← 0.9 m` falls
//! below `f32::MIN_POSITIVE` (1.2e-38) after about 800 such steps and stays subnormal for another
//! 150. On x86 every arithmetic operation with a subnormal operand or result takes a microcode
//! assist of about a hundred cycles, and that made the seed MLP's Adam steps ten times slower
//! after its first epoch (1.1 s instead of 0.33 s per epoch for `mnist_mlp`).
//!
//! So the fused updates store moments below [`STATE_MIN`] as zero and leave gradients below
//! [`GRAD_MIN`] out of the moments (so that `(1 - beta) * g * g` cannot go subnormal either).
//! Both are far below anything that moves a parameter: a moment of 1e-36 or a gradient of 1e-17
//! changes an Adam step by less than `lr * 1e-9` with the default epsilon, and not at all at f32
//! precision next to any gradient of ordinary size. Results are otherwise unchanged, and identical
//! on every CPU (no floating-point mode is touched).

use kerosene_tensor::Element;

/// Moments smaller than this in magnitude are stored as zero (f32's smallest normal number is
/// 1.2e-38, so `beta * m` of a stored moment stays normal for every `beta >= 0.02`).
pub const STATE_MIN: f64 = 1e-36;

/// Gradients smaller than this in magnitude do not enter the moments (so that `g * g` is at least
/// 1e-34 and `(1 - beta2) * g * g` stays normal for `beta2 <= 0.999`).
pub const GRAD_MIN: f64 = 1e-17;

/// `x`, or zero when `|x| < tiny` (branch-free: a compare and a select in vector loops).
#[inline(always)]
pub(crate) fn or_zero<E: Element>(x: E, tiny: E) -> E {
    if x.abs() < tiny { E::zero() } else { x }
}
