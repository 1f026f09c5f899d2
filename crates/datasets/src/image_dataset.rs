//! [`ImageDataset`]: a train / test pair of labelled grey-scale images (MNIST, Fashion-MNIST).

use std::path::{Path, PathBuf};

use kerosene_tensor::Tensor;

use crate::dataset::TensorDataset;
use crate::error::{DatasetError, Result};

/// Labelled grey-scale images split into train and test sets, Keras style.
///
/// - `x_train` is `[N, H * W]` `f32` in `[0, 1]` (pixel / 255), one flattened image per row,
///   ready for a dense layer; [`train_images`](ImageDataset::train_images) gives `[N, H, W]` and
///   [`train_images_nhwc`](ImageDataset::train_images_nhwc) `[N, H, W, 1]` for channels-last
///   convolutions (views, no copy).
/// - `y_train` is `[N]` `f32` holding class indices `0..num_classes` (whole numbers).
///
/// Built by [`mnist`](crate::mnist()) and [`fashion_mnist`](crate::fashion_mnist()), or by
/// [`ImageDataset::new`] from tensors:
///
/// ```
/// use kerosene_datasets::ImageDataset;
/// use kerosene_tensor::Tensor;
///
/// let ds = ImageDataset::new(
///     "tiny",
///     Tensor::zeros(&[3, 4]),
///     Tensor::from_vec(vec![0.0f32, 1.0, 1.0], &[3]),
///     Tensor::zeros(&[1, 4]),
///     Tensor::from_vec(vec![1.0f32], &[1]),
///     (2, 2),
///     vec!["zero".into(), "one".into()],
/// )?;
/// assert_eq!(ds.train_images().shape(), &[3, 2, 2]);
/// assert_eq!(ds.test_images_nhwc().shape(), &[1, 2, 2, 1]);
/// assert_eq!(ds.num_classes(), 2);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ImageDataset {
    name: String,
    x_train: Tensor,
    y_train: Tensor,
    x_test: Tensor,
    y_test: Tensor,
    image_size: (usize, usize),
    class_names: Vec<String>,
    source: Option<PathBuf>,
}

impl ImageDataset {
    /// Checks and assembles a dataset: `x_*` must be `[N, rows * cols]`, `y_*` `[N]` with whole
    /// numbers in `0..class_names.len()`.
    pub fn new(
        name: impl Into<String>,
        x_train: Tensor,
        y_train: Tensor,
        x_test: Tensor,
        y_test: Tensor,
        image_size: (usize, usize),
        class_names: Vec<String>,
    ) -> Result<ImageDataset> {
        let pixels = image_size.0 * image_size.1;
        for (what, x, y) in [("train", &x_train, &y_train), ("test", &x_test, &y_test)] {
            if x.ndim() != 2 || x.shape()[1] != pixels {
                return Err(DatasetError::invalid(
                    "ImageDataset",
                    format!(
                        "x_{what} must be [N, {pixels}] for {}x{} images, got {:?}",
                        image_size.0,
                        image_size.1,
                        x.shape()
                    ),
                ));
            }
            if y.ndim() != 1 || y.shape()[0] != x.shape()[0] {
                return Err(DatasetError::invalid(
                    "ImageDataset",
                    format!("y_{what} must be [{}], got {:?}", x.shape()[0], y.shape()),
                ));
            }
            kerosene_tensor::indices_in_range("ImageDataset", y, class_names.len())?;
        }
        Ok(ImageDataset {
            name: name.into(),
            x_train: x_train.contiguous(),
            y_train: y_train.contiguous(),
            x_test: x_test.contiguous(),
            y_test: y_test.contiguous(),
            image_size,
            class_names,
            source: None,
        })
    }

    pub(crate) fn with_source(mut self, dir: &Path) -> Self {
        self.source = Some(dir.to_path_buf());
        self
    }

    /// The dataset's name, e.g. `"fashion-mnist"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The directory the files were read from, if loaded from files.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// `(x_train, y_train)`: `[N, H * W]` pixels in `[0, 1]` and `[N]` class indices.
    pub fn train(&self) -> (&Tensor, &Tensor) {
        (&self.x_train, &self.y_train)
    }

    /// `(x_test, y_test)`.
    pub fn test(&self) -> (&Tensor, &Tensor) {
        (&self.x_test, &self.y_test)
    }

    /// The training images, `[N, H * W]`.
    pub fn x_train(&self) -> &Tensor {
        &self.x_train
    }

    /// The training labels, `[N]`.
    pub fn y_train(&self) -> &Tensor {
        &self.y_train
    }

    /// The test images, `[N, H * W]`.
    pub fn x_test(&self) -> &Tensor {
        &self.x_test
    }

    /// The test labels, `[N]`.
    pub fn y_test(&self) -> &Tensor {
        &self.y_test
    }

    /// `(rows, cols)` of one image, e.g. `(28, 28)`.
    pub fn image_size(&self) -> (usize, usize) {
        self.image_size
    }

    /// The class names, indexed by label.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The training images as `[N, H, W]` (a view, no copy).
    pub fn train_images(&self) -> Tensor {
        self.images(&self.x_train, false)
    }

    /// The test images as `[N, H, W]`.
    pub fn test_images(&self) -> Tensor {
        self.images(&self.x_test, false)
    }

    /// The training images as `[N, H, W, 1]`, channels last, for 2-D convolutions.
    pub fn train_images_nhwc(&self) -> Tensor {
        self.images(&self.x_train, true)
    }

    /// The test images as `[N, H, W, 1]`.
    pub fn test_images_nhwc(&self) -> Tensor {
        self.images(&self.x_test, true)
    }

    fn images(&self, x: &Tensor, channel: bool) -> Tensor {
        let (h, w) = self.image_size;
        let n = x.shape()[0];
        if channel { x.reshape_to(&[n, h, w, 1]) } else { x.reshape_to(&[n, h, w]) }
    }

    /// The training set as a [`TensorDataset`] (O(1): storage is shared).
    pub fn train_dataset(&self) -> TensorDataset {
        TensorDataset::new(self.x_train.clone(), self.y_train.clone()).expect("shapes checked in new")
    }

    /// The test set as a [`TensorDataset`].
    pub fn test_dataset(&self) -> TensorDataset {
        TensorDataset::new(self.x_test.clone(), self.y_test.clone()).expect("shapes checked in new")
    }
}
