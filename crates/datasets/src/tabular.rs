//! [`TabularDataset`]: a small table of features with a class or regression target.

use kerosene_tensor::Tensor;

use crate::dataset::TensorDataset;
use crate::error::Result;

/// Features `x` `[n, f]` (`f32`) and a target `y` `[n]`: class indices (whole numbers, see
/// [`class_names`](TabularDataset::class_names)) or a regression value.
///
/// The embedded datasets ([`iris`](crate::iris), [`wine`](crate::wine),
/// [`breast_cancer`](crate::breast_cancer), [`diabetes`](crate::diabetes),
/// [`digits`](crate::digits)) come in this form.
///
/// ```
/// let iris = kerosene_datasets::iris();
/// assert_eq!(iris.x.shape(), &[150, 4]);
/// assert_eq!(iris.num_classes(), 3);
/// let (train, test) = iris.train_test_split(0.2, 42)?;
/// assert_eq!(train.x().shape(), &[120, 4]);
/// assert_eq!(test.x().shape(), &[30, 4]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct TabularDataset {
    /// A short name, e.g. `"iris"`.
    pub name: String,
    /// The features, `[n, f]`.
    pub x: Tensor,
    /// The target, `[n]`: class indices, or the regression target.
    pub y: Tensor,
    /// The feature names, `f` of them.
    pub feature_names: Vec<String>,
    /// The class names indexed by label; empty for a regression target.
    pub class_names: Vec<String>,
    /// `(rows, cols)` if each sample is an image flattened row by row (digits: `(8, 8)`).
    pub image_size: Option<(usize, usize)>,
}

impl TabularDataset {
    /// The number of samples.
    pub fn len(&self) -> usize {
        self.x.shape()[0]
    }

    /// True if there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of classes (0 for regression).
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// True if the target is a class index.
    pub fn is_classification(&self) -> bool {
        !self.class_names.is_empty()
    }

    /// The samples as a [`TensorDataset`] (O(1), storage is shared).
    pub fn dataset(&self) -> Result<TensorDataset> {
        TensorDataset::new(self.x.clone(), self.y.clone())
    }

    /// A seeded random split into `(train, test)`; see [`train_test_split`](crate::train_test_split).
    pub fn train_test_split(&self, test_fraction: f64, seed: u64) -> Result<(TensorDataset, TensorDataset)> {
        crate::split::train_test_split(&self.x, &self.y, test_fraction, seed)
    }

    /// The samples as images `[n, rows, cols]` (a view), if they are images.
    pub fn images(&self) -> Option<Tensor> {
        self.image_size.map(|(h, w)| self.x.reshape_to(&[self.len(), h, w]))
    }
}
