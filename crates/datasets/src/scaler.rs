//! Feature scaling fitted on training data and applied to any split: [`StandardScaler`]
//! (zero mean, unit variance) and [`MinMaxScaler`] (a fixed range).
//!
//! Both work column-wise on `[n, f]` tensors, compute their statistics in `f64`, and treat a
//! constant column as having scale 1, so it maps to 0 (standard) or to the range's low end
//! (min-max) instead of dividing by zero.

use kerosene_tensor::{DType, Tensor};

use crate::error::{DatasetError, Result};

/// Columns as `f64` rows of a 2-D tensor, checked to be `[n, f]` with `n >= 1`.
fn columns(what: &'static str, x: &Tensor) -> Result<(usize, usize, Vec<f64>)> {
    if x.ndim() != 2 {
        return Err(DatasetError::invalid(
            what,
            format!("expected a [samples, features] tensor, got shape {:?}", x.shape()),
        ));
    }
    let (n, f) = (x.shape()[0], x.shape()[1]);
    if n == 0 {
        return Err(DatasetError::invalid(what, format!("cannot fit on zero samples (shape {:?})", x.shape())));
    }
    Ok((n, f, x.to_vec_f64()))
}

fn check_width(what: &'static str, x: &Tensor, f: usize) -> Result<()> {
    if x.ndim() != 2 || x.shape()[1] != f {
        return Err(DatasetError::invalid(
            what,
            format!("fitted on {f} features, got a tensor of shape {:?}", x.shape()),
        ));
    }
    Ok(())
}

/// `(x - offset) * scale + shift` column-wise, in `x`'s element type.
fn affine(x: &Tensor, offset: &[f64], scale: &[f64], shift: f64) -> Tensor {
    let f = offset.len();
    let v: Vec<f64> = x
        .to_vec_f64()
        .chunks_exact(f.max(1))
        .flat_map(|row| (0..f).map(move |j| (row[j] - offset[j]) * scale[j] + shift))
        .collect();
    let shape = x.shape().to_vec();
    match x.dtype() {
        DType::F64 => Tensor::from_vec(v, &shape),
        _ => Tensor::from_vec(v.into_iter().map(|a| a as f32).collect::<Vec<f32>>(), &shape),
    }
}

/// Standardization: `(x - mean) / std` per column, with `mean` and `std` (population, like
/// scikit-learn) fitted on training data.
///
/// ```
/// use kerosene_datasets::StandardScaler;
/// use kerosene_tensor::Tensor;
///
/// let train = Tensor::from_vec(vec![1.0f32, 5.0, 3.0, 5.0], &[2, 2]); // column 1 is constant
/// let scaler = StandardScaler::fit(&train)?;
/// assert_eq!(scaler.transform(&train)?.to_vec::<f32>(), vec![-1.0, 0.0, 1.0, 0.0]);
/// let test = Tensor::from_vec(vec![4.0f32, 6.0], &[1, 2]);
/// assert_eq!(scaler.transform(&test)?.to_vec::<f32>(), vec![2.0, 1.0]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler {
    mean: Vec<f64>,
    std: Vec<f64>,
}

impl StandardScaler {
    /// Fits the column means and standard deviations of `x` (`[n, f]`, `n >= 1`).
    pub fn fit(x: &Tensor) -> Result<StandardScaler> {
        let (n, f, v) = columns("StandardScaler", x)?;
        let mut mean = vec![0.0; f];
        for row in v.chunks_exact(f.max(1)) {
            for j in 0..f {
                mean[j] += row[j];
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut var = vec![0.0; f];
        for row in v.chunks_exact(f.max(1)) {
            for j in 0..f {
                var[j] += (row[j] - mean[j]).powi(2);
            }
        }
        let std = var.iter().map(|s| (s / n as f64).sqrt()).collect();
        Ok(StandardScaler { mean, std })
    }

    /// Fits on `x` and returns it transformed.
    pub fn fit_transform(x: &Tensor) -> Result<(StandardScaler, Tensor)> {
        let s = StandardScaler::fit(x)?;
        let t = s.transform(x)?;
        Ok((s, t))
    }

    /// `(x - mean) / std`; a column with zero (or non-finite) std is only centred.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        check_width("StandardScaler", x, self.mean.len())?;
        Ok(affine(x, &self.mean, &self.scales(), 0.0))
    }

    /// Undoes [`transform`](StandardScaler::transform).
    pub fn inverse_transform(&self, x: &Tensor) -> Result<Tensor> {
        check_width("StandardScaler", x, self.mean.len())?;
        let unscale: Vec<f64> = self.scales().iter().map(|s| 1.0 / s).collect();
        let neg: Vec<f64> = self.mean.iter().zip(&self.scales()).map(|(m, s)| -m * s).collect();
        Ok(affine(x, &neg, &unscale, 0.0))
    }

    fn scales(&self) -> Vec<f64> {
        self.std.iter().map(|&s| if s > 0.0 && s.is_finite() { 1.0 / s } else { 1.0 }).collect()
    }

    /// The fitted column means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The fitted column standard deviations (0 for a constant column).
    pub fn std(&self) -> &[f64] {
        &self.std
    }
}

/// Min-max scaling: maps each column's fitted `[min, max]` to `[low, high]` (default `[0, 1]`).
///
/// ```
/// use kerosene_datasets::MinMaxScaler;
/// use kerosene_tensor::Tensor;
///
/// let train = Tensor::from_vec(vec![0.0f32, 7.0, 10.0, 7.0], &[2, 2]); // column 1 is constant
/// let scaler = MinMaxScaler::fit(&train)?;
/// assert_eq!(scaler.transform(&train)?.to_vec::<f32>(), vec![0.0, 0.0, 1.0, 0.0]);
/// let test = Tensor::from_vec(vec![5.0f32, 8.0], &[1, 2]);
/// assert_eq!(scaler.transform(&test)?.to_vec::<f32>(), vec![0.5, 1.0]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxScaler {
    min: Vec<f64>,
    max: Vec<f64>,
    low: f64,
    high: f64,
}

impl MinMaxScaler {
    /// Fits the column minima and maxima of `x`, to map them to `[0, 1]`.
    pub fn fit(x: &Tensor) -> Result<MinMaxScaler> {
        MinMaxScaler::fit_range(x, 0.0, 1.0)
    }

    /// Fits to map each column's `[min, max]` to `[low, high]` (`low < high`, both finite).
    pub fn fit_range(x: &Tensor, low: f64, high: f64) -> Result<MinMaxScaler> {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(DatasetError::invalid(
                "MinMaxScaler",
                format!("the range [{low}, {high}] must have low < high"),
            ));
        }
        let (_, f, v) = columns("MinMaxScaler", x)?;
        let mut min = vec![f64::INFINITY; f];
        let mut max = vec![f64::NEG_INFINITY; f];
        for row in v.chunks_exact(f.max(1)) {
            for j in 0..f {
                min[j] = min[j].min(row[j]);
                max[j] = max[j].max(row[j]);
            }
        }
        Ok(MinMaxScaler { min, max, low, high })
    }

    /// Fits on `x` (to `[0, 1]`) and returns it transformed.
    pub fn fit_transform(x: &Tensor) -> Result<(MinMaxScaler, Tensor)> {
        let s = MinMaxScaler::fit(x)?;
        let t = s.transform(x)?;
        Ok((s, t))
    }

    fn scales(&self) -> Vec<f64> {
        let width = self.high - self.low;
        self.min
            .iter()
            .zip(&self.max)
            .map(|(lo, hi)| {
                let r = hi - lo;
                if r > 0.0 && r.is_finite() { width / r } else { 1.0 }
            })
            .collect()
    }

    /// `(x - min) / (max - min) * (high - low) + low`; a constant column maps to `low`
    /// (plus its offset from the fitted value). Test data may fall outside `[low, high]`.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        check_width("MinMaxScaler", x, self.min.len())?;
        Ok(affine(x, &self.min, &self.scales(), self.low))
    }

    /// Undoes [`transform`](MinMaxScaler::transform).
    pub fn inverse_transform(&self, x: &Tensor) -> Result<Tensor> {
        check_width("MinMaxScaler", x, self.min.len())?;
        let scales = self.scales();
        let unscale: Vec<f64> = scales.iter().map(|s| 1.0 / s).collect();
        // x' = (x - low) / s + min  ==  (x - (low - min * s)) / s
        let offset: Vec<f64> = self.min.iter().zip(&scales).map(|(m, s)| self.low - m * s).collect();
        Ok(affine(x, &offset, &unscale, 0.0))
    }

    /// The fitted column minima.
    pub fn data_min(&self) -> &[f64] {
        &self.min
    }

    /// The fitted column maxima.
    pub fn data_max(&self) -> &[f64] {
        &self.max
    }
}
