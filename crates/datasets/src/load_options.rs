//! [`LoadOptions`]: where file-based datasets (MNIST, Fashion-MNIST) are looked for, and whether
//! and how they may be downloaded.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable naming a directory of datasets: `$KEROSENE_DATA/<name>/`.
pub const DATA_ENV: &str = "KEROSENE_DATA";

/// Where a dataset named `name` (e.g. `"fashion-mnist"`) is looked for, in order, and whether it
/// may be downloaded when it is found nowhere.
///
/// 1. an explicit directory ([`dir`](LoadOptions::dir)), and then **only** there;
/// 2. `$KEROSENE_DATA/<name>/` ([`data_root`](LoadOptions::data_root));
/// 3. the user cache, `$XDG_CACHE_HOME/kerosene/<name>/` or `~/.cache/kerosene/<name>/`
///    ([`cache_root`](LoadOptions::cache_root)), where downloads go;
/// 4. the Debian location `/usr/share/datasets/<name>/`
///    ([`system_root`](LoadOptions::system_root)), filled by
///    `apt-get install dataset-fashion-mnist`.
///
/// [`LoadOptions::default`] reads the environment; every location can be overridden (tests point
/// them at temporary directories).
///
/// ```
/// use kerosene_datasets::LoadOptions;
/// use std::time::Duration;
///
/// let opts = LoadOptions::default().download(false).timeout(Duration::from_secs(5));
/// assert!(!opts.downloads());
/// assert_eq!(
///     LoadOptions::default().system_root(Some("/srv/data".into())).candidates("mnist").last().unwrap(),
///     &std::path::PathBuf::from("/srv/data/mnist")
/// );
/// ```
#[derive(Clone, Debug)]
pub struct LoadOptions {
    dir: Option<PathBuf>,
    data_root: Option<PathBuf>,
    cache_root: Option<PathBuf>,
    system_root: Option<PathBuf>,
    download: bool,
    mirrors: Option<Vec<String>>,
    timeout: Duration,
    progress: bool,
}

impl Default for LoadOptions {
    /// The locations from the environment; downloading on if the `download` feature is
    /// compiled in; a 30 s connect / response timeout; a progress bar.
    fn default() -> Self {
        LoadOptions {
            dir: None,
            data_root: std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()).map(PathBuf::from),
            cache_root: default_cache_root(),
            system_root: Some(PathBuf::from("/usr/share/datasets")),
            download: cfg!(feature = "download"),
            mirrors: None,
            timeout: Duration::from_secs(30),
            progress: true,
        }
    }
}

/// `$XDG_CACHE_HOME/kerosene` (if set and absolute) or `$HOME/.cache/kerosene`.
fn default_cache_root() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
    let base =
        xdg.or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| Path::new(&h).join(".cache")))?;
    Some(base.join("kerosene"))
}

impl LoadOptions {
    /// Looks only in `dir` (no other location, no download).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The root holding `<name>/` directories (default: `$KEROSENE_DATA`), or none.
    pub fn data_root(mut self, root: Option<PathBuf>) -> Self {
        self.data_root = root;
        self
    }

    /// The cache root holding `<name>/` directories, where downloads go (default:
    /// `$XDG_CACHE_HOME/kerosene` or `~/.cache/kerosene`), or none.
    pub fn cache_root(mut self, root: Option<PathBuf>) -> Self {
        self.cache_root = root;
        self
    }

    /// The system root holding `<name>/` directories (default: `/usr/share/datasets`), or none.
    pub fn system_root(mut self, root: Option<PathBuf>) -> Self {
        self.system_root = root;
        self
    }

    /// Whether to download a dataset found nowhere (default: on with the `download` feature;
    /// without the feature, asking for it gives an error saying so when a download is needed).
    pub fn download(mut self, download: bool) -> Self {
        self.download = download;
        self
    }

    /// Replaces the dataset's mirror URLs (each ending in `/`; the file name is appended).
    pub fn mirrors(mut self, mirrors: Vec<String>) -> Self {
        self.mirrors = Some(mirrors);
        self
    }

    /// The connect and response timeout of a download (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether a download shows a progress bar on standard error (default: yes; it is hidden
    /// anyway when standard error is not a terminal).
    pub fn progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// The explicit directory, if any.
    pub fn explicit_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Whether downloading is asked for.
    pub fn downloads(&self) -> bool {
        self.download
    }

    /// The mirror override, if any.
    pub fn mirror_override(&self) -> Option<&[String]> {
        self.mirrors.as_deref()
    }

    /// The download timeout.
    pub fn download_timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether to show a progress bar.
    pub fn shows_progress(&self) -> bool {
        self.progress
    }

    /// The directories to look in for dataset `name`, in order.
    pub fn candidates(&self, name: &str) -> Vec<PathBuf> {
        if let Some(dir) = &self.dir {
            return vec![dir.clone()];
        }
        [&self.data_root, &self.cache_root, &self.system_root].into_iter().flatten().map(|r| r.join(name)).collect()
    }

    /// The directory downloads of dataset `name` go to: `<cache root>/<name>`.
    pub fn cache_dir(&self, name: &str) -> Option<PathBuf> {
        self.cache_root.as_ref().map(|r| r.join(name))
    }
}
