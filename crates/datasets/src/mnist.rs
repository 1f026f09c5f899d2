//! MNIST and Fashion-MNIST: finding the IDX files, downloading them if allowed, decoding them
//! into an [`ImageDataset`].

use std::path::{Path, PathBuf};

use kerosene_tensor::Tensor;

use crate::download::{self, RemoteFile};
use crate::error::{DatasetError, Result};
use crate::idx::{read_idx_images, read_idx_labels};
use crate::image_dataset::ImageDataset;
use crate::load_options::{DATA_ENV, LoadOptions};

/// The MNIST-format datasets this crate knows: their file names, mirrors, checksums and classes.
///
/// ```
/// use kerosene_datasets::MnistFamily;
/// assert_eq!(MnistFamily::FashionMnist.name(), "fashion-mnist");
/// assert_eq!(MnistFamily::FashionMnist.class_names()[9], "Ankle boot");
/// assert_eq!(MnistFamily::Mnist.files()[0].name, "train-images-idx3-ubyte");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MnistFamily {
    /// Handwritten digits (LeCun, Cortes, Burges): 60,000 train and 10,000 test 28x28 images.
    Mnist,
    /// Zalando's article images (Xiao, Rasul, Vollgraf 2017, MIT licence), same layout as MNIST.
    FashionMnist,
}

const MNIST_FILES: [RemoteFile; 4] = [
    RemoteFile {
        name: "train-images-idx3-ubyte",
        gz_sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        len: 47_040_016,
    },
    RemoteFile {
        name: "train-labels-idx1-ubyte",
        gz_sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        len: 60_008,
    },
    RemoteFile {
        name: "t10k-images-idx3-ubyte",
        gz_sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        len: 7_840_016,
    },
    RemoteFile {
        name: "t10k-labels-idx1-ubyte",
        gz_sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        len: 10_008,
    },
];

const FASHION_FILES: [RemoteFile; 4] = [
    RemoteFile {
        name: "train-images-idx3-ubyte",
        gz_sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        len: 47_040_016,
    },
    RemoteFile {
        name: "train-labels-idx1-ubyte",
        gz_sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        len: 60_008,
    },
    RemoteFile {
        name: "t10k-images-idx3-ubyte",
        gz_sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        len: 7_840_016,
    },
    RemoteFile {
        name: "t10k-labels-idx1-ubyte",
        gz_sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        len: 10_008,
    },
];

const MNIST_CLASSES: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const FASHION_CLASSES: [&str; 10] =
    ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

impl MnistFamily {
    /// The directory name: `"mnist"` or `"fashion-mnist"`.
    pub fn name(self) -> &'static str {
        match self {
            MnistFamily::Mnist => "mnist",
            MnistFamily::FashionMnist => "fashion-mnist",
        }
    }

    /// The display name: `"MNIST"` or `"Fashion-MNIST"`.
    pub fn title(self) -> &'static str {
        match self {
            MnistFamily::Mnist => "MNIST",
            MnistFamily::FashionMnist => "Fashion-MNIST",
        }
    }

    /// The ten class names, indexed by label.
    pub fn class_names(self) -> &'static [&'static str; 10] {
        match self {
            MnistFamily::Mnist => &MNIST_CLASSES,
            MnistFamily::FashionMnist => &FASHION_CLASSES,
        }
    }

    /// The four files (train images, train labels, test images, test labels) and their SHA-256s.
    pub fn files(self) -> &'static [RemoteFile; 4] {
        match self {
            MnistFamily::Mnist => &MNIST_FILES,
            MnistFamily::FashionMnist => &FASHION_FILES,
        }
    }

    /// The canonical mirrors, tried in order.
    pub fn mirrors(self) -> &'static [&'static str] {
        match self {
            MnistFamily::Mnist => &[
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                "https://storage.googleapis.com/cvdf-datasets/mnist/",
            ],
            MnistFamily::FashionMnist => &["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        }
    }

    /// The Debian package that installs the dataset, if there is one.
    pub fn debian_package(self) -> Option<&'static str> {
        match self {
            MnistFamily::Mnist => None,
            MnistFamily::FashionMnist => Some("dataset-fashion-mnist"),
        }
    }

    /// Finds (or downloads) and decodes the dataset; see [`LoadOptions`] for where it looks.
    pub fn load(self, opts: &LoadOptions) -> Result<ImageDataset> {
        let candidates = opts.candidates(self.name());
        let mut notes = Vec::new();
        for dir in &candidates {
            match self.find_in(dir) {
                Found::All(paths) => return self.decode(dir, &paths),
                Found::Some(missing) => {
                    notes.push(format!("{} is incomplete: missing {}", dir.display(), missing.join(", ")))
                }
                Found::None => {}
            }
        }
        match self.try_download(opts) {
            Ok(dir) => match self.find_in(&dir) {
                Found::All(paths) => return self.decode(&dir, &paths),
                _ => notes.push(format!("the download into {} did not leave the four files there", dir.display())),
            },
            Err(reason) => notes.push(reason),
        }
        Err(DatasetError::NotFound {
            dataset: self.name().to_string(),
            message: self.not_found(opts, &candidates, &notes.join(".\n")),
        })
    }

    /// Decodes the dataset from the four files in `dir` (no other location, no download).
    pub fn load_dir(self, dir: impl AsRef<Path>) -> Result<ImageDataset> {
        self.load(&LoadOptions::default().dir(dir.as_ref()))
    }

    /// Which of the four files are in `dir`.
    fn find_in(self, dir: &Path) -> Found {
        let found: Vec<Option<PathBuf>> = self.files().iter().map(|f| find_file(dir, f.name)).collect();
        if found.iter().all(Option::is_none) {
            return Found::None;
        }
        let missing: Vec<String> = self
            .files()
            .iter()
            .zip(&found)
            .filter(|(_, p)| p.is_none())
            .map(|(f, _)| format!("{}[.gz]", f.name))
            .collect();
        if !missing.is_empty() {
            return Found::Some(missing);
        }
        let mut it = found.into_iter().flatten();
        let mut next = || it.next().unwrap_or_default();
        Found::All([next(), next(), next(), next()])
    }

    /// Downloads the four files into the cache directory, or says why not.
    fn try_download(self, opts: &LoadOptions) -> std::result::Result<PathBuf, String> {
        if opts.explicit_dir().is_some() {
            return Err("an explicit directory was given, so nothing was downloaded".to_string());
        }
        if !opts.downloads() {
            return Err("downloading is off (LoadOptions::download(false)), so nothing was downloaded".to_string());
        }
        if !cfg!(feature = "download") {
            return Err(
                "kerosene-datasets was built without the `download` feature, so nothing was downloaded".to_string()
            );
        }
        let Some(dir) = opts.cache_dir(self.name()) else {
            return Err(
                "there is no cache directory to download into (set HOME, XDG_CACHE_HOME or KEROSENE_DATA)".to_string()
            );
        };
        let mirrors: Vec<String> = match opts.mirror_override() {
            Some(m) => m.to_vec(),
            None => self.mirrors().iter().map(|m| m.to_string()).collect(),
        };
        for file in self.files() {
            if find_file(&dir, file.name).is_some() {
                continue;
            }
            download::fetch(&mirrors, file, &dir, opts).map_err(|e| e.to_string())?;
        }
        Ok(dir)
    }

    fn not_found(self, opts: &LoadOptions, candidates: &[PathBuf], why: &str) -> String {
        let names: Vec<String> = self.files().iter().map(|f| format!("{}[.gz]", f.name)).collect();
        let looked: Vec<String> = candidates.iter().map(|c| format!("  - {}", c.display())).collect();
        let name = self.name();
        let cache = opts
            .cache_dir(name)
            .map(|d| d.display().to_string())
            .unwrap_or_else(|| format!("~/.cache/kerosene/{name}"));
        let loader = match self {
            MnistFamily::Mnist => "mnist_from_dir",
            MnistFamily::FashionMnist => "fashion_mnist_from_dir",
        };
        let mut how = Vec::new();
        match self.debian_package() {
            Some(pkg) => how.push(format!(
                "  - on Debian or Ubuntu: `sudo apt-get install {pkg}` (installs /usr/share/datasets/{name}/)"
            )),
            None => how.push(format!("  - {} has no Debian package.", self.title())),
        }
        how.push(format!(
            "  - or download the four files from {} into {cache}/ (gzipped or not)",
            self.mirrors().join(" or ")
        ));
        how.push(format!("  - or put them in a directory and set {DATA_ENV} to its parent: ${DATA_ENV}/{name}/"));
        how.push(format!("  - or pass the directory explicitly: kerosene_datasets::{loader}(\"path/to/dir\")"));
        format!(
            "{} not found: looked for {} in:\n{}\n{why}.\nTo get it:\n{}",
            self.title(),
            names.join(", "),
            if looked.is_empty() { "  (no directory)".to_string() } else { looked.join("\n") },
            how.join("\n")
        )
    }

    fn decode(self, dir: &Path, paths: &[PathBuf; 4]) -> Result<ImageDataset> {
        let [train_x, train_y, test_x, test_y] = paths;
        // Train and test decode on two threads: gzip inflation dominates and is sequential.
        let (train, test) = std::thread::scope(|s| {
            let test = s.spawn(|| read_split(test_x, test_y));
            let train = read_split(train_x, train_y);
            (train, test.join().unwrap_or_else(|_| Err(DatasetError::invalid("mnist", "decoder thread panicked"))))
        });
        let (x_train, y_train, size) = train?;
        let (x_test, y_test, test_size) = test?;
        if size != test_size {
            return Err(DatasetError::bad_file(
                test_x,
                format!(
                    "test images are {}x{} but train images ({}) are {}x{}",
                    test_size.0,
                    test_size.1,
                    train_x.display(),
                    size.0,
                    size.1
                ),
            ));
        }
        let classes = self.class_names().iter().map(|c| c.to_string()).collect();
        Ok(ImageDataset::new(self.name(), x_train, y_train, x_test, y_test, size, classes)?.with_source(dir))
    }
}

/// What a directory holds of a dataset's four files.
enum Found {
    All([PathBuf; 4]),
    Some(Vec<String>),
    None,
}

/// `name`, `name.gz`, or the `train-images.idx3-ubyte` spelling of some copies, in `dir`.
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let dotted = name.replacen("-idx", ".idx", 1);
    [name.to_string(), format!("{name}.gz"), dotted.clone(), format!("{dotted}.gz")]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Reads one images + labels pair: `[N, H * W]` pixels / 255, `[N]` labels, `(H, W)`.
fn read_split(images: &Path, labels: &Path) -> Result<(Tensor, Tensor, (usize, usize))> {
    let img = read_idx_images(images)?;
    let lab = read_idx_labels(labels)?;
    let (n, h, w) = (img.dims()[0], img.dims()[1], img.dims()[2]);
    if lab.dims()[0] != n {
        return Err(DatasetError::bad_file(
            labels,
            format!("{} labels for {n} images in {}", lab.dims()[0], images.display()),
        ));
    }
    if let Some(i) = lab.data().iter().position(|&l| l >= 10) {
        return Err(DatasetError::bad_file(
            labels,
            format!("label {} at index {i} is out of range 0..10", lab.data()[i]),
        ));
    }
    let x = u8_to_unit_f32(img.data());
    let y: Vec<f32> = lab.data().iter().map(|&l| l as f32).collect();
    Ok((Tensor::try_from_vec(x, &[n, h * w])?, Tensor::try_from_vec(y, &[n])?, (h, w)))
}

/// `b / 255` for every byte: a plain loop the compiler vectorises.
fn u8_to_unit_f32(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&b| b as f32 / 255.0).collect()
}

/// MNIST from the first location that has it (see [`LoadOptions`]), downloading it into the
/// cache if needed and allowed.
///
/// ```no_run
/// let mnist = kerosene_datasets::mnist()?;
/// let (x, y) = mnist.train();
/// assert_eq!(x.shape(), &[60000, 784]);
/// assert_eq!(y.shape(), &[60000]);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub fn mnist() -> Result<ImageDataset> {
    MnistFamily::Mnist.load(&LoadOptions::default())
}

/// MNIST with explicit [`LoadOptions`].
pub fn mnist_with(opts: &LoadOptions) -> Result<ImageDataset> {
    MnistFamily::Mnist.load(opts)
}

/// MNIST from the four IDX files (gzipped or not) in `dir`.
pub fn mnist_from_dir(dir: impl AsRef<Path>) -> Result<ImageDataset> {
    MnistFamily::Mnist.load_dir(dir)
}

/// Fashion-MNIST from the first location that has it (see [`LoadOptions`]; on Debian,
/// `apt-get install dataset-fashion-mnist`), downloading it into the cache if needed and allowed.
///
/// ```no_run
/// let fashion = kerosene_datasets::fashion_mnist()?;
/// assert_eq!(fashion.x_train().shape(), &[60000, 784]);
/// assert_eq!(fashion.test_images_nhwc().shape(), &[10000, 28, 28, 1]);
/// assert_eq!(fashion.class_names()[0], "T-shirt/top");
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub fn fashion_mnist() -> Result<ImageDataset> {
    MnistFamily::FashionMnist.load(&LoadOptions::default())
}

/// Fashion-MNIST with explicit [`LoadOptions`].
pub fn fashion_mnist_with(opts: &LoadOptions) -> Result<ImageDataset> {
    MnistFamily::FashionMnist.load(opts)
}

/// Fashion-MNIST from the four IDX files (gzipped or not) in `dir`.
pub fn fashion_mnist_from_dir(dir: impl AsRef<Path>) -> Result<ImageDataset> {
    MnistFamily::FashionMnist.load_dir(dir)
}
