//! MNIST and Fashion-MNIST: the real Fashion-MNIST files (Debian's `dataset-fashion-mnist`),
//! damaged copies of them, small synthetic MNIST directories, and the not-found messages.
//! Nothing here touches the network (downloads go to 127.0.0.1:9 or are switched off).

use crate::common;

use std::path::Path;

use common::{TempDir, fake_mnist_dir, gzip, idx_bytes, images, labels, require_fashion};
use kerosene_datasets::{
    DatasetError, ImageDataset, LoadOptions, MnistFamily, fashion_mnist_from_dir, fashion_mnist_with, mnist_from_dir,
    mnist_with,
};

/// Options that look only in `root/<name>` and never download.
fn offline(root: &Path) -> LoadOptions {
    LoadOptions::default()
        .data_root(Some(root.join("data")))
        .cache_root(Some(root.join("cache")))
        .system_root(Some(root.join("system")))
        .download(false)
        .progress(false)
}

fn histogram(y: &kerosene_tensor::Tensor) -> Vec<usize> {
    let mut h = vec![0; 10];
    for v in y.to_vec::<f32>() {
        assert_eq!(v.fract(), 0.0);
        h[v as usize] += 1;
    }
    h
}

fn check_fashion(ds: &ImageDataset) {
    let (x, y) = ds.train();
    assert_eq!(x.shape(), &[60000, 784]);
    assert_eq!(y.shape(), &[60000]);
    assert_eq!(ds.x_test().shape(), &[10000, 784]);
    assert_eq!(ds.y_test().shape(), &[10000]);
    assert_eq!(histogram(y), vec![6000; 10]);
    assert_eq!(histogram(ds.y_test()), vec![1000; 10]);
    // Known first labels: train starts 9 (Ankle boot), 0, 0, 3; test starts 9, 2, 1, 1.
    assert_eq!(&y.to_vec::<f32>()[..4], &[9.0, 0.0, 0.0, 3.0]);
    assert_eq!(&ds.y_test().to_vec::<f32>()[..4], &[9.0, 2.0, 1.0, 1.0]);
    assert_eq!(ds.class_names()[y.to_vec::<f32>()[0] as usize], "Ankle boot");
    // Pixels in [0, 1] with both ends reached; the first image's bytes sum to 76247.
    let px = x.as_slice::<f32>().unwrap();
    let (lo, hi) = px.iter().fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert_eq!((lo, hi), (0.0, 1.0));
    let first: f64 = px[..784].iter().map(|&v| (v * 255.0).round() as f64).sum();
    assert_eq!(first, 76247.0);
    assert_eq!(ds.image_size(), (28, 28));
    assert_eq!(ds.num_classes(), 10);
    assert_eq!(
        ds.class_names(),
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    );
    assert_eq!(ds.name(), "fashion-mnist");
}

#[test]
fn fashion_mnist_from_the_debian_package() {
    let dir = require_fashion();
    let t = std::time::Instant::now();
    let ds = fashion_mnist_from_dir(dir).unwrap();
    eprintln!("Fashion-MNIST loaded in {:.0} ms (test profile)", t.elapsed().as_secs_f64() * 1e3);
    check_fashion(&ds);
    assert_eq!(ds.source(), Some(dir));

    // Image views: [N, 28, 28] and [N, 28, 28, 1], sharing the pixels.
    let img = ds.train_images();
    assert_eq!(img.shape(), &[60000, 28, 28]);
    assert_eq!(ds.test_images().shape(), &[10000, 28, 28]);
    assert_eq!(ds.train_images_nhwc().shape(), &[60000, 28, 28, 1]);
    assert_eq!(ds.test_images_nhwc().shape(), &[10000, 28, 28, 1]);
    assert_eq!(img.at(&[0, 5, 7]), ds.x_train().at(&[0, 5 * 28 + 7]));
    assert_eq!(ds.train_dataset().x().shape(), &[60000, 784]);
}

#[test]
fn fashion_mnist_is_found_in_the_system_location() {
    let fashion = require_fashion();
    let tmp = TempDir::new("mnist-system");
    let opts = offline(tmp.path()).system_root(fashion.parent().map(Path::to_path_buf));
    let ds = fashion_mnist_with(&opts).unwrap();
    assert_eq!(ds.source(), Some(fashion));
    assert_eq!(ds.x_train().shape(), &[60000, 784]);
}

#[cfg(feature = "download")]
#[test]
fn debian_files_match_the_published_content_checksums() {
    let dir = require_fashion();
    for f in MnistFamily::FashionMnist.files() {
        kerosene_datasets::verify_file(dir.join(format!("{}.gz", f.name)), f).unwrap();
    }
    // And a wrong file is caught.
    let f = &MnistFamily::FashionMnist.files()[0];
    let err = kerosene_datasets::verify_file(dir.join("t10k-images-idx3-ubyte.gz"), f).unwrap_err();
    assert!(err.to_string().contains("content is longer than") || err.to_string().contains("checksum mismatch"));
}

#[test]
fn data_root_is_searched_before_the_cache_and_system() {
    let tmp = TempDir::new("mnist-order");
    for sub in ["data/mnist", "cache/mnist", "system/mnist"] {
        std::fs::create_dir_all(tmp.join(sub)).unwrap();
    }
    fake_mnist_dir(&tmp.join("cache/mnist"), 30, 10, true);
    fake_mnist_dir(&tmp.join("system/mnist"), 20, 10, false);
    let ds = mnist_with(&offline(tmp.path())).unwrap();
    assert_eq!(ds.x_train().shape(), &[30, 784]);
    fake_mnist_dir(&tmp.join("data/mnist"), 40, 10, false);
    let ds = mnist_with(&offline(tmp.path())).unwrap();
    assert_eq!(ds.x_train().shape(), &[40, 784]);
    assert_eq!(ds.source(), Some(tmp.join("data/mnist").as_path()));
}

#[test]
fn synthetic_mnist_raw_gzip_and_dotted_names() {
    let tmp = TempDir::new("mnist-fake");
    fake_mnist_dir(tmp.path(), 25, 5, false);
    let ds = mnist_from_dir(tmp.path()).unwrap();
    assert_eq!(ds.x_train().shape(), &[25, 784]);
    assert_eq!(ds.y_test().to_vec::<f32>(), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(ds.class_names()[7], "7");
    assert_eq!(ds.name(), "mnist");
    // Pixel i of the payload is i % 256, scaled by 1/255.
    assert_eq!(ds.x_train().at(&[0, 255]), 1.0);
    assert_eq!(ds.x_train().at(&[0, 51]), (51.0f32 / 255.0) as f64);

    let tmp = TempDir::new("mnist-fake-gz");
    fake_mnist_dir(tmp.path(), 12, 3, true);
    assert_eq!(mnist_from_dir(tmp.path()).unwrap().x_test().shape(), &[3, 784]);

    // Some copies spell the files train-images.idx3-ubyte.
    let tmp = TempDir::new("mnist-dotted");
    tmp.write("train-images.idx3-ubyte", &images(4, 28, 28));
    tmp.write("train-labels.idx1-ubyte", &labels(&[1, 2, 3, 4]));
    tmp.write("t10k-images.idx3-ubyte", &images(2, 28, 28));
    tmp.write("t10k-labels.idx1-ubyte", &labels(&[5, 6]));
    assert_eq!(mnist_from_dir(tmp.path()).unwrap().y_train().to_vec::<f32>(), vec![1.0, 2.0, 3.0, 4.0]);
}

/// Copies the real test split and a tiny train split into a temp dir, then lets `damage` edit it.
fn damaged_fashion(tag: &str, damage: impl FnOnce(&TempDir)) -> (TempDir, DatasetError) {
    let src = require_fashion();
    let tmp = TempDir::new(tag);
    for f in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
        std::fs::copy(src.join(f), tmp.join(f)).unwrap();
    }
    tmp.write("train-images-idx3-ubyte.gz", &gzip(&images(10, 28, 28)));
    tmp.write("train-labels-idx1-ubyte.gz", &gzip(&labels(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9])));
    fashion_mnist_from_dir(tmp.path()).unwrap();
    damage(&tmp);
    let err = fashion_mnist_from_dir(tmp.path()).unwrap_err();
    (tmp, err)
}

#[test]
fn truncated_real_gzip_is_an_error_naming_the_file() {
    let (tmp, err) = damaged_fashion("mnist-cut", |t| {
        let p = t.join("t10k-images-idx3-ubyte.gz");
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    });
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}: ", tmp.join("t10k-images-idx3-ubyte.gz").display())), "{msg}");
    assert!(msg.contains("corrupt or truncated gzip stream"), "{msg}");
}

#[test]
fn truncated_real_payload_is_an_error() {
    let (tmp, err) = damaged_fashion("mnist-cut-raw", |t| {
        // Decompress, drop the last image's last row, store raw.
        let p = t.join("t10k-images-idx3-ubyte.gz");
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(std::fs::File::open(&p).unwrap()), &mut raw)
            .unwrap();
        std::fs::remove_file(&p).unwrap();
        std::fs::write(t.join("t10k-images-idx3-ubyte"), &raw[..raw.len() - 28]).unwrap();
    });
    assert_eq!(
        err.to_string(),
        format!(
            "{}: truncated IDX file: the header declares 10000 images of 28x28 (7840000 bytes) but 7839972 bytes follow it",
            tmp.join("t10k-images-idx3-ubyte").display()
        )
    );
}

#[test]
fn bad_magic_in_a_real_file_is_an_error() {
    let (tmp, err) = damaged_fashion("mnist-magic", |t| {
        // Swap the labels and images of the test split.
        let (a, b) = (t.join("t10k-images-idx3-ubyte.gz"), t.join("t10k-labels-idx1-ubyte.gz"));
        let (ia, ib) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        std::fs::write(&a, ib).unwrap();
        std::fs::write(&b, ia).unwrap();
    });
    assert_eq!(
        err.to_string(),
        format!(
            "{}: wrong IDX magic number 0x00000801 (rank 1): expected images (0x00000803)",
            tmp.join("t10k-images-idx3-ubyte.gz").display()
        )
    );
}

#[test]
fn header_claiming_2_pow_31_images_is_an_error() {
    let (tmp, err) = damaged_fashion("mnist-huge", |t| {
        let claim = idx_bytes(0x0803, &[1 << 31, 28, 28], &[0; 784 * 3]);
        t.write("t10k-images-idx3-ubyte.gz", &gzip(&claim));
    });
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}: ", tmp.join("t10k-images-idx3-ubyte.gz").display())), "{msg}");
    assert!(msg.contains("declares 2147483648 images of 28x28"), "{msg}");
    assert!(msg.contains("(a corrupt header or a gzip bomb)"), "{msg}");
}

#[test]
fn label_count_mismatch_and_bad_labels_are_errors() {
    let (tmp, err) = damaged_fashion("mnist-count", |t| {
        t.write("train-labels-idx1-ubyte.gz", &gzip(&labels(&[0; 9])));
    });
    assert_eq!(
        err.to_string(),
        format!(
            "{}: 9 labels for 10 images in {}",
            tmp.join("train-labels-idx1-ubyte.gz").display(),
            tmp.join("train-images-idx3-ubyte.gz").display()
        )
    );
    let (tmp, err) = damaged_fashion("mnist-label", |t| {
        t.write("train-labels-idx1-ubyte.gz", &gzip(&labels(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 12])));
    });
    assert_eq!(
        err.to_string(),
        format!("{}: label 12 at index 9 is out of range 0..10", tmp.join("train-labels-idx1-ubyte.gz").display())
    );
    let (_tmp, err) = damaged_fashion("mnist-size", |t| {
        t.write("train-images-idx3-ubyte.gz", &gzip(&images(10, 20, 20)));
    });
    assert!(err.to_string().contains("test images are 28x28 but train images"), "{err}");
}

#[test]
fn incomplete_directory_names_the_missing_files() {
    let tmp = TempDir::new("mnist-incomplete");
    fake_mnist_dir(tmp.path(), 5, 5, true);
    std::fs::remove_file(tmp.join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let msg = mnist_from_dir(tmp.path()).unwrap_err().to_string();
    assert!(
        msg.contains(&format!("{} is incomplete: missing t10k-labels-idx1-ubyte[.gz]", tmp.path().display())),
        "{msg}"
    );
}

#[test]
fn not_found_without_download_says_how_to_get_fashion_mnist() {
    let tmp = TempDir::new("mnist-nf");
    let err = fashion_mnist_with(&offline(tmp.path())).unwrap_err();
    assert!(matches!(err, DatasetError::NotFound { .. }));
    let msg = err.to_string();
    for needle in [
        "Fashion-MNIST not found: looked for train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] in:",
        &format!("  - {}", tmp.join("data/fashion-mnist").display()),
        &format!("  - {}", tmp.join("cache/fashion-mnist").display()),
        &format!("  - {}", tmp.join("system/fashion-mnist").display()),
        "downloading is off (LoadOptions::download(false)), so nothing was downloaded",
        "`sudo apt-get install dataset-fashion-mnist` (installs /usr/share/datasets/fashion-mnist/)",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "$KEROSENE_DATA/fashion-mnist/",
        "kerosene_datasets::fashion_mnist_from_dir(\"path/to/dir\")",
    ] {
        assert!(msg.contains(needle), "missing {needle:?} in:\n{msg}");
    }
}

#[test]
fn not_found_for_mnist_says_there_is_no_debian_package() {
    let tmp = TempDir::new("mnist-nf2");
    let msg = mnist_with(&offline(tmp.path())).unwrap_err().to_string();
    assert!(msg.starts_with("MNIST not found"), "{msg}");
    assert!(msg.contains("MNIST has no Debian package."), "{msg}");
    assert!(
        msg.contains(
            "https://ossci-datasets.s3.amazonaws.com/mnist/ or https://storage.googleapis.com/cvdf-datasets/mnist/"
        ),
        "{msg}"
    );
    assert!(msg.contains(&format!("into {}/", tmp.join("cache/mnist").display())), "{msg}");
}

#[test]
fn explicit_directory_is_the_only_place_looked() {
    let tmp = TempDir::new("mnist-explicit");
    let msg = fashion_mnist_from_dir(tmp.path()).unwrap_err().to_string();
    assert!(msg.contains(&format!("in:\n  - {}\n", tmp.path().display())), "{msg}");
    assert!(msg.contains("an explicit directory was given, so nothing was downloaded"), "{msg}");
}

#[cfg(feature = "download")]
#[test]
fn offline_download_fails_fast_with_instructions() {
    let tmp = TempDir::new("mnist-offline");
    let opts = offline(tmp.path())
        .download(true)
        .mirrors(vec!["http://127.0.0.1:9/".to_string()])
        .timeout(std::time::Duration::from_secs(2));
    let t = std::time::Instant::now();
    let msg = fashion_mnist_with(&opts).unwrap_err().to_string();
    assert!(t.elapsed() < std::time::Duration::from_secs(10));
    assert!(msg.contains("download of http://127.0.0.1:9/train-images-idx3-ubyte.gz failed"), "{msg}");
    assert!(msg.contains("sudo apt-get install dataset-fashion-mnist"), "{msg}");
    // Nothing half-written is left in the cache.
    let cache = tmp.join("cache/fashion-mnist");
    let left: Vec<_> =
        std::fs::read_dir(&cache).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(not(feature = "download"))]
#[test]
fn without_the_feature_the_message_says_so() {
    let tmp = TempDir::new("mnist-nofeature");
    let msg = fashion_mnist_with(&offline(tmp.path()).download(true)).unwrap_err().to_string();
    assert!(msg.contains("built without the `download` feature"), "{msg}");
    assert!(msg.contains("sudo apt-get install dataset-fashion-mnist"), "{msg}");
}

#[test]
fn family_metadata() {
    assert_eq!(MnistFamily::Mnist.class_names().len(), 10);
    assert_eq!(MnistFamily::Mnist.debian_package(), None);
    assert_eq!(MnistFamily::FashionMnist.debian_package(), Some("dataset-fashion-mnist"));
    for fam in [MnistFamily::Mnist, MnistFamily::FashionMnist] {
        for f in fam.files() {
            assert_eq!(f.sha256.len(), 64);
            assert_eq!(f.gz_sha256.len(), 64);
        }
    }
}
