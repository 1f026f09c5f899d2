//! [`Initializer`]: how a layer's weights start, seeded and reproducible.

use serde::{Deserialize, Serialize};

use kerosene_tensor::{Rng, Tensor, keras_fans};

use crate::error::{NnError, Result};

/// A weight initializer (Keras names and formulas). Fans follow Keras' kernel layout
/// `[..receptive field.., in, out]` unless given explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Initializer {
    /// `U(±sqrt(6 / (fan_in + fan_out)))`, Keras' default kernel initializer.
    GlorotUniform,
    /// Truncated normal with std `sqrt(2 / (fan_in + fan_out))`.
    GlorotNormal,
    /// `U(±sqrt(6 / fan_in))`.
    HeUniform,
    /// Truncated normal with std `sqrt(2 / fan_in)`.
    HeNormal,
    /// `U(±sqrt(3 / fan_in))`.
    LecunUniform,
    /// Truncated normal with std `sqrt(1 / fan_in)`.
    LecunNormal,
    /// All zeros, Keras' default bias initializer.
    Zeros,
    /// All ones.
    Ones,
    /// A constant.
    Constant(f64),
    /// `N(mean, std)`.
    RandomNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// `U(min, max)`.
    RandomUniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal truncated at two standard deviations.
    TruncatedNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation (before truncation).
        std: f64,
    },
    /// A (semi-)orthogonal matrix times `gain` (Keras' default recurrent initializer).
    Orthogonal {
        /// Scale factor.
        gain: f64,
    },
}

impl Initializer {
    /// Looks up a Keras name (`"glorot_uniform"`, `"he_normal"`, `"zeros"`, `"orthogonal"`, ...).
    pub fn from_name(name: &str) -> Result<Initializer> {
        Ok(match name {
            "glorot_uniform" | "xavier_uniform" => Initializer::GlorotUniform,
            "glorot_normal" | "xavier_normal" => Initializer::GlorotNormal,
            "he_uniform" => Initializer::HeUniform,
            "he_normal" => Initializer::HeNormal,
            "lecun_uniform" => Initializer::LecunUniform,
            "lecun_normal" => Initializer::LecunNormal,
            "zeros" => Initializer::Zeros,
            "ones" => Initializer::Ones,
            "orthogonal" => Initializer::Orthogonal { gain: 1.0 },
            "random_normal" => Initializer::RandomNormal { mean: 0.0, std: 0.05 },
            "random_uniform" => Initializer::RandomUniform { min: -0.05, max: 0.05 },
            "truncated_normal" => Initializer::TruncatedNormal { mean: 0.0, std: 0.05 },
            _ => return Err(NnError::Config(format!("unknown initializer \"{name}\""))),
        })
    }

    /// A tensor of `shape` with Keras' fans for that shape.
    ///
    /// ```
    /// use kerosene_nn::Initializer;
    /// use kerosene_tensor::Rng;
    /// let w = Initializer::GlorotUniform.init(&[784, 64], &mut Rng::new(0));
    /// let limit = (6.0f64 / (784.0 + 64.0)).sqrt();
    /// assert!(w.max_all().item() <= limit && w.min_all().item() >= -limit);
    /// ```
    pub fn init(&self, shape: &[usize], rng: &mut Rng) -> Tensor {
        self.init_with_fans(shape, keras_fans(shape), rng)
    }

    /// A tensor of `shape` with explicit `(fan_in, fan_out)` (e.g. PyTorch's `[out, in]` layout).
    pub fn init_with_fans(&self, shape: &[usize], fans: (usize, usize), rng: &mut Rng) -> Tensor {
        match *self {
            Initializer::GlorotUniform => Tensor::glorot_uniform(shape, fans, rng),
            Initializer::GlorotNormal => Tensor::glorot_normal(shape, fans, rng),
            Initializer::HeUniform => Tensor::he_uniform(shape, fans, rng),
            Initializer::HeNormal => Tensor::he_normal(shape, fans, rng),
            Initializer::LecunUniform => Tensor::lecun_uniform(shape, fans, rng),
            Initializer::LecunNormal => Tensor::lecun_normal(shape, fans, rng),
            Initializer::Zeros => Tensor::zeros(shape),
            Initializer::Ones => Tensor::ones(shape),
            Initializer::Constant(c) => Tensor::full(shape, c),
            Initializer::RandomNormal { mean, std } => Tensor::rand_normal(shape, mean, std, rng),
            Initializer::RandomUniform { min, max } => Tensor::rand_uniform(shape, min, max, rng),
            Initializer::TruncatedNormal { mean, std } => Tensor::truncated_normal(shape, mean, std, rng),
            Initializer::Orthogonal { gain } => orthogonal(shape, gain, rng),
        }
    }
}

/// Keras' orthogonal initializer: the Q factor of a Gaussian matrix `[prod(shape[..-1]), shape[-1]]`
/// (transposed when it has fewer rows than columns), with signs fixed by R's diagonal.
fn orthogonal(shape: &[usize], gain: f64, rng: &mut Rng) -> Tensor {
    let cols = *shape.last().unwrap_or(&1);
    let rows: usize = shape[..shape.len().saturating_sub(1)].iter().product();
    let (r, c) = if rows < cols { (cols, rows) } else { (rows, cols) };
    // Modified Gram-Schmidt on the columns of a Gaussian r x c matrix (r >= c), in f64.
    let mut a: Vec<Vec<f64>> = (0..c).map(|_| (0..r).map(|_| rng.normal()).collect()).collect();
    for j in 0..c {
        for k in 0..j {
            let (head, tail) = a.split_at_mut(j);
            let qk = &head[k];
            let d: f64 = qk.iter().zip(&tail[0]).map(|(x, y)| x * y).sum();
            tail[0].iter_mut().zip(qk).for_each(|(y, x)| *y -= d * x);
        }
        let norm = a[j].iter().map(|x| x * x).sum::<f64>().sqrt();
        // R's diagonal entry is `norm` > 0 here, so no sign flip is needed.
        a[j].iter_mut().for_each(|x| *x /= norm);
    }
    let mut out = vec![0.0f32; rows * cols];
    for (j, col) in a.iter().enumerate() {
        for (i, &v) in col.iter().enumerate() {
            // q is r x c with q[i][j] = col j, row i. Transposed when rows < cols.
            let (row, colx) = if rows < cols { (j, i) } else { (i, j) };
            out[row * cols + colx] = (gain * v) as f32;
        }
    }
    Tensor::from_vec(out, shape)
}
