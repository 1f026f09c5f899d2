//! [`DatasetError`]: every failure of this crate, naming the file, line or argument at fault.

use std::path::{Path, PathBuf};

use kerosene_tensor::TensorError;

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, DatasetError>;

/// Why loading, parsing or batching data failed.
///
/// Messages name what is at fault: the file (and for CSV the line and column), the argument and
/// its value, or, for a missing dataset, where it was looked for and how to get it.
///
/// ```
/// use kerosene_datasets::TensorDataset;
/// use kerosene_tensor::Tensor;
///
/// let err = TensorDataset::new(Tensor::zeros(&[4, 2]), Tensor::zeros(&[3])).unwrap_err();
/// assert_eq!(err.to_string(), "TensorDataset: x has 4 samples, y has 3");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A tensor operation failed.
    #[error(transparent)]
    Tensor(#[from] TensorError),

    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A file is not what it should be: a bad IDX header, a truncated payload, a corrupt gzip
    /// stream, a checksum mismatch.
    #[error("{}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },

    /// A CSV value that is not a number, or a row with the wrong number of fields.
    #[error("{source_name}: line {line}{}: {message}", column_suffix(*column, column_name.as_deref()))]
    Csv {
        /// The file (or the name given to in-memory text).
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// 1-based column number, if the problem is in one field.
        column: Option<usize>,
        /// The column's header, if known.
        column_name: Option<String>,
        /// What is wrong.
        message: String,
    },

    /// A dataset was not found locally and could not be downloaded; the message says where it
    /// was looked for and how to get it.
    #[error("{message}")]
    NotFound {
        /// The dataset's name, e.g. `"fashion-mnist"`.
        dataset: String,
        /// Where it was looked for and how to get it.
        message: String,
    },

    /// A download failed (network error, HTTP status, checksum mismatch).
    #[error("download of {url} failed: {message}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },

    /// An invalid argument: a zero batch size, a split that would leave a side empty, mismatched
    /// sample counts.
    #[error("{what}: {message}")]
    Invalid {
        /// The function or type, e.g. `"DataLoader"`.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
}

fn column_suffix(column: Option<usize>, name: Option<&str>) -> String {
    match (column, name) {
        (Some(c), Some(n)) => format!(", column {c} ({n:?})"),
        (Some(c), None) => format!(", column {c}"),
        _ => String::new(),
    }
}

impl DatasetError {
    pub(crate) fn invalid(what: &'static str, message: impl Into<String>) -> Self {
        DatasetError::Invalid { what, message: message.into() }
    }

    pub(crate) fn bad_file(path: &Path, message: impl Into<String>) -> Self {
        DatasetError::BadFile { path: path.to_path_buf(), message: message.into() }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        DatasetError::Io { path: path.to_path_buf(), source }
    }
}
