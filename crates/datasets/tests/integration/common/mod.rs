//! Helpers shared by the integration tests: temporary directories and IDX file builders.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::Compression;
use flate2::write::GzEncoder;

/// Where the Debian package `dataset-fashion-mnist` installs Fashion-MNIST.
pub const FASHION_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kerosene-datasets-{tag}-{}-{nanos}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// IDX bytes: the magic number, the dimensions, the payload.
pub fn idx_bytes(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut v = magic.to_be_bytes().to_vec();
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(payload);
    v
}

/// A well-formed images file: `n` images of `h x w`, pixel `i` of the payload = `i % 256`.
pub fn images(n: u32, h: u32, w: u32) -> Vec<u8> {
    let payload: Vec<u8> = (0..(n * h * w) as usize).map(|i| (i % 256) as u8).collect();
    idx_bytes(0x0803, &[n, h, w], &payload)
}

/// A well-formed labels file.
pub fn labels(values: &[u8]) -> Vec<u8> {
    idx_bytes(0x0801, &[values.len() as u32], values)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// True if the Fashion-MNIST Debian package is installed; tests needing it fail loudly if not,
/// with the command that installs it.
pub fn require_fashion() -> &'static Path {
    let p = Path::new(FASHION_DIR);
    assert!(
        p.join("train-images-idx3-ubyte.gz").is_file(),
        "Fashion-MNIST is not installed: run `apt-get install -y dataset-fashion-mnist`"
    );
    p
}

/// Writes a small MNIST-layout directory: `n_train` / `n_test` 28x28 images with labels `i % 10`.
pub fn fake_mnist_dir(dir: &Path, n_train: u32, n_test: u32, gz: bool) {
    let write = |name: &str, bytes: Vec<u8>| {
        let (name, bytes) = if gz { (format!("{name}.gz"), gzip(&bytes)) } else { (name.to_string(), bytes) };
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let lab = |n: u32| labels(&(0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>());
    write("train-images-idx3-ubyte", images(n_train, 28, 28));
    write("train-labels-idx1-ubyte", lab(n_train));
    write("t10k-images-idx3-ubyte", images(n_test, 28, 28));
    write("t10k-labels-idx1-ubyte", lab(n_test));
}
