//! Seeded random splits: [`train_test_split`] of tensors and [`validation_split`] of a
//! [`TensorDataset`].

use kerosene_tensor::{Rng, Tensor};

use crate::dataset::{Dataset, TensorDataset};
use crate::error::{DatasetError, Result};

/// Shuffles `0..n` with `seed` and splits it into `(kept, held_out)` index lists, the held-out
/// part holding `round(n * fraction)` indices.
///
/// An error if `fraction` is not in `(0, 1)` or either side would be empty.
///
/// ```
/// use kerosene_datasets::split_indices;
/// let (train, test) = split_indices(10, 0.3, 7)?;
/// assert_eq!((train.len(), test.len()), (7, 3));
/// let err = split_indices(3, 0.1, 7).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "split: a fraction of 0.1 of 3 samples leaves the held-out side empty"
/// );
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub fn split_indices(n: usize, fraction: f64, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(fraction.is_finite() && fraction > 0.0 && fraction < 1.0) {
        return Err(DatasetError::invalid("split", format!("the fraction must be in (0, 1), got {fraction}")));
    }
    let k = (n as f64 * fraction).round() as usize;
    if k == 0 {
        return Err(DatasetError::invalid(
            "split",
            format!("a fraction of {fraction} of {n} samples leaves the held-out side empty"),
        ));
    }
    if k >= n {
        return Err(DatasetError::invalid(
            "split",
            format!("a fraction of {fraction} of {n} samples leaves the training side empty"),
        ));
    }
    let mut order = Rng::new(seed).permutation(n);
    let held = order.split_off(n - k);
    Ok((order, held))
}

/// Splits the rows of `x` and `y` at random (seeded) into a training and a test dataset, the test
/// part holding `round(n * test_fraction)` samples.
///
/// An error if the first axes of `x` and `y` differ, `test_fraction` is not in `(0, 1)`, or
/// either side would be empty.
///
/// ```
/// use kerosene_datasets::{Dataset, train_test_split};
/// use kerosene_tensor::Tensor;
///
/// let x = Tensor::arange(0.0, 20.0, 1.0).reshape(&[10, 2]);
/// let y = Tensor::arange(0.0, 10.0, 1.0);
/// let (train, test) = train_test_split(&x, &y, 0.2, 42)?;
/// assert_eq!((train.len(), test.len()), (8, 2));
/// assert_eq!(test.x().shape(), &[2, 2]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub fn train_test_split(
    x: &Tensor,
    y: &Tensor,
    test_fraction: f64,
    seed: u64,
) -> Result<(TensorDataset, TensorDataset)> {
    let all = TensorDataset::new(x.clone(), y.clone())?;
    split_dataset(&all, test_fraction, seed)
}

/// Holds out a random (seeded) `fraction` of a training set for validation: returns
/// `(train, validation)`.
///
/// An error if `fraction` is not in `(0, 1)` or either side would be empty.
pub fn validation_split(data: &TensorDataset, fraction: f64, seed: u64) -> Result<(TensorDataset, TensorDataset)> {
    split_dataset(data, fraction, seed)
}

fn split_dataset(data: &TensorDataset, fraction: f64, seed: u64) -> Result<(TensorDataset, TensorDataset)> {
    let (keep, held) = split_indices(data.len(), fraction, seed)?;
    Ok((data.subset(&keep)?, data.subset(&held)?))
}
