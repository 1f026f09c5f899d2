//! Downloading dataset files from their mirrors, verified by SHA-256 and written atomically
//! (a temporary file in the target directory, renamed into place once verified).
//!
//! A downloaded `.gz` file is accepted if the SHA-256 of its bytes matches the published one,
//! or, failing that, if the SHA-256 of its decompressed content does: the same data re-packed
//! by another gzip (Debian's copy of Fashion-MNIST differs from the upstream archives only in
//! its gzip header) is then still recognised, and the content hash is the one checked against
//! local copies. Everything here needs the `download` feature, on by default.

use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};
use crate::load_options::LoadOptions;

/// A file of a remote dataset and its published checksums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    /// The file name without `.gz`, e.g. `"train-images-idx3-ubyte"`; mirrors serve `<name>.gz`.
    pub name: &'static str,
    /// SHA-256 of the `.gz` file as the mirrors serve it (hex).
    pub gz_sha256: &'static str,
    /// SHA-256 of the decompressed content (hex).
    pub sha256: &'static str,
    /// The length of the decompressed content in bytes.
    pub len: u64,
}

/// Downloads `file` into `dest_dir` from the first mirror that serves a verified copy, and
/// returns the path of the `.gz` file.
#[cfg(feature = "download")]
pub(crate) fn fetch(mirrors: &[String], file: &RemoteFile, dest_dir: &Path, opts: &LoadOptions) -> Result<PathBuf> {
    std::fs::create_dir_all(dest_dir).map_err(|e| DatasetError::io(dest_dir, e))?;
    let dest = dest_dir.join(format!("{}.gz", file.name));
    let mut failures = Vec::new();
    for base in mirrors {
        let sep = if base.ends_with('/') { "" } else { "/" };
        let url = format!("{base}{sep}{}.gz", file.name);
        match fetch_one(&url, file, &dest, opts) {
            Ok(()) => return Ok(dest),
            Err(e) => failures.push(e.to_string()),
        }
    }
    let urls: Vec<String> = mirrors.iter().map(|m| format!("{m}{}.gz", file.name)).collect();
    Err(DatasetError::Download { url: urls.join(", "), message: failures.join("; ") })
}

/// Without the `download` feature: an error saying so.
#[cfg(not(feature = "download"))]
pub(crate) fn fetch(_mirrors: &[String], file: &RemoteFile, _dest: &Path, _opts: &LoadOptions) -> Result<PathBuf> {
    Err(DatasetError::Download {
        url: format!("{}.gz", file.name),
        message: "kerosene-datasets was built without the `download` feature".to_string(),
    })
}

#[cfg(feature = "download")]
fn fetch_one(url: &str, file: &RemoteFile, dest: &Path, opts: &LoadOptions) -> Result<()> {
    use std::io::{Read, Write};

    let fail = |message: String| DatasetError::Download { url: url.to_string(), message };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.download_timeout()))
        .timeout_recv_response(Some(opts.download_timeout()))
        .timeout_per_read(Some(opts.download_timeout()))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| fail(e.to_string()))?;
    let total = response.body().content_length();
    // A gzip file is never much larger than its content: refuse to read far beyond that.
    let limit = file.len + (1 << 20);
    if let Some(t) = total.filter(|&t| t > limit) {
        return Err(fail(format!("the server announces {t} bytes, more than the {limit} expected at most")));
    }

    let tmp = TempFile::new(dest)?;
    let mut out = std::fs::File::create(&tmp.0).map_err(|e| DatasetError::io(&tmp.0, e))?;
    let bar = progress_bar(opts.shows_progress(), total, file.name);
    let mut hasher = Sha256Hex::default();
    let mut reader = response.body_mut().with_config().limit(limit).reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                bar.abandon();
                return Err(fail(e.to_string()));
            }
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| DatasetError::io(&tmp.0, e))?;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    out.sync_all().map_err(|e| DatasetError::io(&tmp.0, e))?;
    drop(out);

    let got = hasher.finish();
    if got != file.gz_sha256 {
        let content = content_sha256(&tmp.0, file.len)?;
        if content != file.sha256 {
            return Err(fail(format!(
                "checksum mismatch: SHA-256 {got} (content {content}), expected {} (content {})",
                file.gz_sha256, file.sha256
            )));
        }
    }
    std::fs::rename(&tmp.0, dest).map_err(|e| DatasetError::io(dest, e))?;
    tmp.keep();
    Ok(())
}

/// Checks a local copy of `file` (gzip or raw) against its published content checksum.
///
/// ```no_run
/// use kerosene_datasets::{MnistFamily, verify_file};
/// for f in MnistFamily::FashionMnist.files() {
///     verify_file(format!("/usr/share/datasets/fashion-mnist/{}.gz", f.name), f)?;
/// }
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[cfg(feature = "download")]
pub fn verify_file(path: impl AsRef<Path>, file: &RemoteFile) -> Result<()> {
    let path = path.as_ref();
    let got = content_sha256(path, file.len)?;
    if got == file.sha256 {
        Ok(())
    } else {
        Err(DatasetError::bad_file(
            path,
            format!("checksum mismatch: content SHA-256 {got}, expected {} ({})", file.sha256, file.name),
        ))
    }
}

/// The SHA-256 of a file's content, decompressed if it is gzip, reading at most `len + 1`
/// content bytes.
#[cfg(feature = "download")]
fn content_sha256(path: &Path, len: u64) -> Result<String> {
    use std::io::{BufRead, Read};

    let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let head = reader.fill_buf().map_err(|e| DatasetError::io(path, e))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let mut source: Box<dyn Read> =
        if gzip { Box::new(flate2::read::GzDecoder::new(reader)) } else { Box::new(reader) };
    let mut hasher = Sha256Hex::default();
    let mut buf = vec![0u8; 1 << 16];
    let mut seen = 0u64;
    loop {
        let n = source.read(&mut buf).map_err(|e| DatasetError::bad_file(path, format!("unreadable: {e}")))?;
        if n == 0 {
            break;
        }
        seen += n as u64;
        if seen > len {
            return Err(DatasetError::bad_file(path, format!("content is longer than the expected {len} bytes")));
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

#[cfg(feature = "download")]
#[derive(Default)]
struct Sha256Hex(sha2::Sha256);

#[cfg(feature = "download")]
impl Sha256Hex {
    fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }

    fn finish(self) -> String {
        sha2::Digest::finalize(self.0).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A temporary file next to `dest`, removed on drop unless [`TempFile::keep`] is called.
#[cfg(feature = "download")]
struct TempFile(PathBuf, bool);

#[cfg(feature = "download")]
impl TempFile {
    fn new(dest: &Path) -> Result<TempFile> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.part-{}-{nanos}", std::process::id()));
        Ok(TempFile(tmp, false))
    }

    fn keep(mut self) {
        self.1 = true;
    }
}

#[cfg(feature = "download")]
impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[cfg(feature = "download")]
fn progress_bar(show: bool, total: Option<u64>, name: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t),
        None => indicatif::ProgressBar::no_length(),
    };
    let template = "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}";
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("{name}.gz"));
    bar
}
