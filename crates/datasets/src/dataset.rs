//! The [`Dataset`] trait (indexable `(x, y)` samples) and the in-memory [`TensorDataset`].

use kerosene_tensor::Tensor;

use crate::error::{DatasetError, Result};

/// A finite, indexable collection of `(x, y)` samples.
///
/// Implement [`len`](Dataset::len) and [`get`](Dataset::get); [`get_batch`](Dataset::get_batch)
/// has a default that stacks the items along a new axis 0, which in-memory datasets override
/// with a cheaper gather ([`TensorDataset`] copies whole rows).
///
/// ```
/// use kerosene_datasets::{Dataset, Result};
/// use kerosene_tensor::Tensor;
///
/// /// `x` is `[i, i^2]`, `y` is `i` (computed on demand).
/// struct Squares(usize);
///
/// impl Dataset for Squares {
///     fn len(&self) -> usize {
///         self.0
///     }
///     fn get(&self, index: usize) -> Result<(Tensor, Tensor)> {
///         let i = index as f32;
///         Ok((Tensor::from_vec(vec![i, i * i], &[2]), Tensor::scalar(i as f64)))
///     }
/// }
///
/// let (x, y) = Squares(10).get_batch(&[3, 1])?;
/// assert_eq!(x.shape(), &[2, 2]);
/// assert_eq!(x.to_vec::<f32>(), vec![3.0, 9.0, 1.0, 1.0]);
/// assert_eq!(y.to_vec::<f32>(), vec![3.0, 1.0]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub trait Dataset {
    /// The number of samples.
    fn len(&self) -> usize;

    /// True if there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sample at `index` as `(x, y)`, without a batch axis; an error if `index >= len()`.
    fn get(&self, index: usize) -> Result<(Tensor, Tensor)>;

    /// The samples at `indices`, stacked along a new axis 0: `x` is `[indices.len(), ...]`.
    ///
    /// The default calls [`get`](Dataset::get) for each index and stacks; it is an error if
    /// `indices` is empty or the items differ in shape.
    fn get_batch(&self, indices: &[usize]) -> Result<(Tensor, Tensor)> {
        if indices.is_empty() {
            return Err(DatasetError::invalid("get_batch", "no indices"));
        }
        let mut xs = Vec::with_capacity(indices.len());
        let mut ys = Vec::with_capacity(indices.len());
        for &i in indices {
            let (x, y) = self.get(i)?;
            xs.push(x);
            ys.push(y);
        }
        let xr: Vec<&Tensor> = xs.iter().collect();
        let yr: Vec<&Tensor> = ys.iter().collect();
        Ok((Tensor::try_stack(&xr, 0)?, Tensor::try_stack(&yr, 0)?))
    }
}

impl<D: Dataset + ?Sized> Dataset for &D {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn get(&self, index: usize) -> Result<(Tensor, Tensor)> {
        (**self).get(index)
    }
    fn get_batch(&self, indices: &[usize]) -> Result<(Tensor, Tensor)> {
        (**self).get_batch(indices)
    }
}

/// An in-memory dataset: sample `i` is row `i` of `x` and of `y`.
///
/// Both tensors are stored contiguously, so [`get_batch`](Dataset::get_batch) is one row copy
/// per sample ([`Tensor::index_select`] on axis 0). Cloning is O(1) (tensor storage is shared).
///
/// ```
/// use kerosene_datasets::{Dataset, TensorDataset};
/// use kerosene_tensor::Tensor;
///
/// let x = Tensor::from_vec(vec![0.0f32, 1.0, 10.0, 11.0, 20.0, 21.0], &[3, 2]);
/// let y = Tensor::from_vec(vec![0.0f32, 1.0, 2.0], &[3]);
/// let ds = TensorDataset::new(x, y)?;
/// assert_eq!(ds.len(), 3);
/// let (xb, yb) = ds.get_batch(&[2, 0])?;
/// assert_eq!(xb.to_vec::<f32>(), vec![20.0, 21.0, 0.0, 1.0]);
/// assert_eq!(yb.to_vec::<f32>(), vec![2.0, 0.0]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct TensorDataset {
    x: Tensor,
    y: Tensor,
}

impl TensorDataset {
    /// A dataset of the rows of `x` and `y`; an error if either is a scalar or their first axes
    /// differ (`"TensorDataset: x has 60000 samples, y has 59999"`).
    pub fn new(x: Tensor, y: Tensor) -> Result<TensorDataset> {
        if x.ndim() == 0 || y.ndim() == 0 {
            return Err(DatasetError::invalid(
                "TensorDataset",
                format!("x and y need a sample axis, got shapes {:?} and {:?}", x.shape(), y.shape()),
            ));
        }
        let (n, m) = (x.shape()[0], y.shape()[0]);
        if n != m {
            return Err(DatasetError::invalid("TensorDataset", format!("x has {n} samples, y has {m}")));
        }
        Ok(TensorDataset { x: x.contiguous(), y: y.contiguous() })
    }

    /// The inputs, `[N, ...]`.
    pub fn x(&self) -> &Tensor {
        &self.x
    }

    /// The targets, `[N, ...]`.
    pub fn y(&self) -> &Tensor {
        &self.y
    }

    /// The inputs and targets.
    pub fn into_parts(self) -> (Tensor, Tensor) {
        (self.x, self.y)
    }

    /// A new dataset of the samples at `indices` (copied, in that order).
    pub fn subset(&self, indices: &[usize]) -> Result<TensorDataset> {
        self.check_indices(indices)?;
        Ok(TensorDataset { x: self.x.try_index_select(0, indices)?, y: self.y.try_index_select(0, indices)? })
    }

    fn check_indices(&self, indices: &[usize]) -> Result<()> {
        let n = self.len();
        match indices.iter().position(|&i| i >= n) {
            Some(p) => Err(DatasetError::invalid(
                "TensorDataset",
                format!("index {} at position {p} is out of range for {n} samples", indices[p]),
            )),
            None => Ok(()),
        }
    }
}

impl Dataset for TensorDataset {
    fn len(&self) -> usize {
        self.x.shape()[0]
    }

    fn get(&self, index: usize) -> Result<(Tensor, Tensor)> {
        self.check_indices(&[index])?;
        Ok((self.x.select(0, index), self.y.select(0, index)))
    }

    fn get_batch(&self, indices: &[usize]) -> Result<(Tensor, Tensor)> {
        if indices.is_empty() {
            return Err(DatasetError::invalid("get_batch", "no indices"));
        }
        self.check_indices(indices)?;
        Ok((self.x.try_index_select(0, indices)?, self.y.try_index_select(0, indices)?))
    }
}
