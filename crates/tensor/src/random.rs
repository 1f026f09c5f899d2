//! Seeded randomness: [`Rng`], random tensors, and the Glorot / He / LeCun initializer ranges.
//!
//! Everything random in Kerosene flows from a `u64` seed through [`Rng`] (xoshiro256++), so a
//! run is reproducible from its seed on every platform.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng as _, RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::{DType, Tensor};

/// Keras' correction that makes a normal truncated at two standard deviations have the wanted
/// standard deviation: the std of a standard normal truncated to `[-2, 2]`.
pub const TRUNCATED_NORMAL_STD: f64 = 0.879_625_661_034_239_8;

/// A seeded, portable pseudo-random generator (xoshiro256++).
///
/// ```
/// use kerosene_tensor::Rng;
/// let mut a = Rng::new(42);
/// let mut b = Rng::new(42);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Clone, Debug)]
pub struct Rng {
    inner: Xoshiro256PlusPlus,
}

impl Rng {
    /// A generator seeded from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { inner: Xoshiro256PlusPlus::seed_from_u64(seed) }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform `f64` in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        self.inner.random::<f64>()
    }

    /// A standard normal `f64`.
    pub fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.inner)
    }

    /// A uniform integer in `0..n`.
    ///
    /// # Panics
    /// If `n == 0`.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below: n must be positive");
        self.inner.random_range(0..n)
    }

    /// Shuffles a slice in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v
    }

    /// A new generator with its own stream, derived from this one (advances `self`).
    pub fn fork(&mut self) -> Rng {
        Rng::new(self.next_u64())
    }
}

/// How an initializer's scale is divided among fans (Keras `VarianceScaling` mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanMode {
    /// Scale by the number of inputs.
    FanIn,
    /// Scale by the number of outputs.
    FanOut,
    /// Scale by the mean of both.
    FanAvg,
}

impl Tensor {
    fn from_f64_fn(shape: &[usize], dtype: DType, mut f: impl FnMut() -> f64) -> Tensor {
        let n: usize = shape.iter().product();
        match dtype {
            DType::F32 => Tensor::from_vec((0..n).map(|_| f() as f32).collect(), shape),
            DType::F64 => Tensor::from_vec((0..n).map(|_| f()).collect(), shape),
        }
    }

    /// Uniform values in `[low, high)` (`f32`).
    ///
    /// ```
    /// use kerosene_tensor::{Rng, Tensor};
    /// let t = Tensor::rand_uniform(&[1000], -1.0, 1.0, &mut Rng::new(0));
    /// assert!(t.max_all().item() < 1.0 && t.min_all().item() >= -1.0);
    /// ```
    pub fn rand_uniform(shape: &[usize], low: f64, high: f64, rng: &mut Rng) -> Tensor {
        Tensor::from_f64_fn(shape, DType::F32, || low + (high - low) * rng.uniform())
    }

    /// Standard normal values (`f32`).
    pub fn randn(shape: &[usize], rng: &mut Rng) -> Tensor {
        Tensor::rand_normal(shape, 0.0, 1.0, rng)
    }

    /// Normal values with the given mean and standard deviation (`f32`).
    pub fn rand_normal(shape: &[usize], mean: f64, std: f64, rng: &mut Rng) -> Tensor {
        Tensor::from_f64_fn(shape, DType::F32, || mean + std * rng.normal())
    }

    /// Normal values redrawn until within two standard deviations of the mean (Keras `TruncatedNormal`).
    pub fn truncated_normal(shape: &[usize], mean: f64, std: f64, rng: &mut Rng) -> Tensor {
        Tensor::from_f64_fn(shape, DType::F32, || {
            loop {
                let z = rng.normal();
                if z.abs() <= 2.0 {
                    break mean + std * z;
                }
            }
        })
    }

    /// `1` with probability `p`, else `0` (`f32`).
    pub fn bernoulli(shape: &[usize], p: f64, rng: &mut Rng) -> Tensor {
        Tensor::from_f64_fn(shape, DType::F32, || if rng.uniform() < p { 1.0 } else { 0.0 })
    }

    /// Keras `VarianceScaling`: variance `scale / n` where `n` is chosen by `mode`; uniform in
    /// `±sqrt(3 scale / n)` or a truncated normal with standard deviation `sqrt(scale / n)`.
    pub fn variance_scaling(
        shape: &[usize],
        scale: f64,
        mode: FanMode,
        uniform: bool,
        (fan_in, fan_out): (usize, usize),
        rng: &mut Rng,
    ) -> Tensor {
        let n = match mode {
            FanMode::FanIn => fan_in as f64,
            FanMode::FanOut => fan_out as f64,
            FanMode::FanAvg => (fan_in + fan_out) as f64 / 2.0,
        }
        .max(1.0);
        if uniform {
            let limit = (3.0 * scale / n).sqrt();
            Tensor::rand_uniform(shape, -limit, limit, rng)
        } else {
            Tensor::truncated_normal(shape, 0.0, (scale / n).sqrt() / TRUNCATED_NORMAL_STD, rng)
        }
    }

    /// Glorot (Xavier) uniform, Keras' default kernel initializer: `U(±sqrt(6 / (fan_in + fan_out)))`.
    pub fn glorot_uniform(shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        Tensor::variance_scaling(shape, 1.0, FanMode::FanAvg, true, fans, rng)
    }

    /// Glorot normal: truncated normal with std `sqrt(2 / (fan_in + fan_out))`.
    pub fn glorot_normal(shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        Tensor::variance_scaling(shape, 1.0, FanMode::FanAvg, false, fans, rng)
    }

    /// He uniform: `U(±sqrt(6 / fan_in))`.
    pub fn he_uniform(shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        Tensor::variance_scaling(shape, 2.0, FanMode::FanIn, true, fans, rng)
    }

    /// He normal: truncated normal with std `sqrt(2 / fan_in)`.
    pub fn he_normal(shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        Tensor::variance_scaling(shape, 2.0, FanMode::FanIn, false, fans, rng)
    }

    /// LeCun uniform: `U(±sqrt(3 / fan_in))`.
    pub fn lecun_uniform(shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        Tensor::variance_scaling(shape, 1.0, FanMode::FanIn, true, fans, rng)
    }

    /// LeCun normal: truncated normal with std `sqrt(1 / fan_in)`.
    pub fn lecun_normal(shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        Tensor::variance_scaling(shape, 1.0, FanMode::FanIn, false, fans, rng)
    }
}

/// Keras' fans of a kernel shape `[..receptive field.., in, out]`: a dense kernel `[in, out]`
/// gives `(in, out)`, a conv kernel `[kh, kw, cin, cout]` gives `(kh kw cin, kh kw cout)`.
pub fn keras_fans(shape: &[usize]) -> (usize, usize) {
    match shape.len() {
        0 => (1, 1),
        1 => (shape[0], shape[0]),
        n => {
            let rf: usize = shape[..n - 2].iter().product();
            (shape[n - 2] * rf, shape[n - 1] * rf)
        }
    }
}
