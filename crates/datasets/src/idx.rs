//! The IDX format of MNIST-like datasets: a strict reader for `idx1` (labels) and `idx3`
//! (images) files of unsigned bytes, raw or gzip-compressed.
//!
//! Layout (big-endian): a magic number `0x0000TTRR` (`TT` = element type, `0x08` for `u8`;
//! `RR` = rank), `RR` dimension sizes as `u32`, then the elements in row-major order.
//!
//! Every declared size is checked against the bytes actually present **before** anything is
//! allocated, so a truncated or corrupt file (or one whose header claims 2^31 images) gives an
//! error naming the file and the problem, never a panic or a huge allocation. A gzip file is
//! decompressed at most to the declared size plus one byte, and a declared size that the
//! compressed file cannot possibly hold (deflate expands at most about 1032:1) is rejected
//! up front, so a gzip bomb cannot allocate without bound either.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::GzDecoder;

use crate::error::{DatasetError, Result};

/// The magic number of an IDX file of `u8` labels: type `0x08`, rank 1.
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;
/// The magic number of an IDX file of `u8` images: type `0x08`, rank 3 (count, rows, columns).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;

/// The largest expansion of a deflate stream (a run of zeros compresses about 1032:1), with
/// some headroom; a gzip file of `n` bytes cannot decompress to more than `n * this + 1 KiB`.
const MAX_GZIP_RATIO: u64 = 1100;

/// A decoded IDX array of unsigned bytes: its dimensions and its elements in row-major order.
///
/// ```
/// use kerosene_datasets::parse_idx;
///
/// // Three labels: magic 0x00000801, one dimension of size 3, then the bytes.
/// let bytes = [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1];
/// let idx = parse_idx(&bytes, "labels")?;
/// assert_eq!(idx.dims(), &[3]);
/// assert_eq!(idx.data(), &[7, 2, 1]);
///
/// let err = parse_idx(&bytes[..10], "labels").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "labels: truncated IDX file: the header declares 3 labels (3 bytes) but 2 bytes follow it"
/// );
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    dims: Vec<usize>,
    data: Vec<u8>,
}

impl IdxArray {
    /// The dimension sizes, e.g. `[60000, 28, 28]`.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The elements, by value.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }
}

/// Reads an IDX file of `u8` labels (magic `0x00000801`), raw or gzip-compressed.
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<IdxArray> {
    read_file(path.as_ref(), Some(IDX_LABELS_MAGIC))
}

/// Reads an IDX file of `u8` images (magic `0x00000803`: count, rows, columns), raw or
/// gzip-compressed. Rows and columns must be non-zero.
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<IdxArray> {
    read_file(path.as_ref(), Some(IDX_IMAGES_MAGIC))
}

/// Reads an IDX file of `u8` labels or images (rank 1 or 3), raw or gzip-compressed.
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    read_file(path.as_ref(), None)
}

/// Parses IDX bytes held in memory (raw or gzip, rank 1 or 3); `name` labels the error messages.
pub fn parse_idx(bytes: &[u8], name: impl AsRef<Path>) -> Result<IdxArray> {
    let gzip = is_gzip(bytes);
    decode(bytes, name.as_ref(), bytes.len() as u64, gzip, None)
}

fn is_gzip(head: &[u8]) -> bool {
    head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b
}

fn read_file(path: &Path, expect: Option<u32>) -> Result<IdxArray> {
    let file = File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let len = file.metadata().map_err(|e| DatasetError::io(path, e))?.len();
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = std::io::BufRead::fill_buf(&mut reader).map_err(|e| DatasetError::io(path, e))?;
    let gzip = is_gzip(head);
    decode(reader, path, len, gzip, expect)
}

fn decode<R: Read>(reader: R, path: &Path, file_len: u64, gzip: bool, expect: Option<u32>) -> Result<IdxArray> {
    if gzip {
        decode_stream(GzDecoder::new(reader), path, file_len, true, expect)
    } else {
        decode_stream(reader, path, file_len, false, expect)
    }
}

fn describe(magic: u32) -> &'static str {
    match magic {
        IDX_LABELS_MAGIC => "labels (0x00000801)",
        IDX_IMAGES_MAGIC => "images (0x00000803)",
        _ => "labels (0x00000801) or images (0x00000803)",
    }
}

/// Reads exactly `buf.len()` bytes, or reports how the file ended early.
fn read_header<R: Read>(r: &mut R, buf: &mut [u8], path: &Path, gzip: bool, what: &str) -> Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => {
                return Err(DatasetError::bad_file(
                    path,
                    format!("truncated IDX header: the file ends after {got} bytes of the {what}"),
                ));
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(stream_error(path, gzip, e)),
        }
    }
    Ok(())
}

fn stream_error(path: &Path, gzip: bool, e: std::io::Error) -> DatasetError {
    if gzip {
        DatasetError::bad_file(path, format!("corrupt or truncated gzip stream: {e}"))
    } else {
        DatasetError::io(path, e)
    }
}

fn decode_stream<R: Read>(mut r: R, path: &Path, file_len: u64, gzip: bool, expect: Option<u32>) -> Result<IdxArray> {
    let mut magic = [0u8; 4];
    read_header(&mut r, &mut magic, path, gzip, "magic number")?;
    let m = u32::from_be_bytes(magic);
    let want = describe(expect.unwrap_or(0));
    if magic[0] != 0 || magic[1] != 0 {
        return Err(DatasetError::bad_file(
            path,
            format!("not an IDX file: bad magic number 0x{m:08x} (expected {want})"),
        ));
    }
    if magic[2] != 0x08 {
        return Err(DatasetError::bad_file(
            path,
            format!(
                "unsupported IDX element type 0x{:02x} in magic number 0x{m:08x}: only unsigned bytes (0x08) are supported",
                magic[2]
            ),
        ));
    }
    let rank = magic[3] as usize;
    match expect {
        Some(e) if e != m => {
            return Err(DatasetError::bad_file(
                path,
                format!("wrong IDX magic number 0x{m:08x} (rank {rank}): expected {want}"),
            ));
        }
        None if rank != 1 && rank != 3 => {
            return Err(DatasetError::bad_file(
                path,
                format!("unsupported IDX rank {rank} (magic 0x{m:08x}): expected {want}"),
            ));
        }
        _ => {}
    }
    let mut raw_dims = vec![0u8; 4 * rank];
    read_header(&mut r, &mut raw_dims, path, gzip, "dimensions")?;
    let dims: Vec<usize> =
        raw_dims.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize).collect();
    if rank == 3 && (dims[1] == 0 || dims[2] == 0) {
        return Err(DatasetError::bad_file(path, format!("empty images: dimensions {dims:?}")));
    }
    let count = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
    let shown = describe_payload(&dims, count);
    let Some(count) = count else {
        return Err(DatasetError::bad_file(path, format!("the header declares {shown}, which overflows")));
    };
    let header_len = 4 + 4 * rank as u64;

    if gzip {
        let bound = file_len.saturating_mul(MAX_GZIP_RATIO).saturating_add(1024);
        if count > bound {
            return Err(DatasetError::bad_file(
                path,
                format!(
                    "the header declares {shown}, more than a gzip file of {file_len} bytes can hold \
                     (a corrupt header or a gzip bomb)"
                ),
            ));
        }
    } else {
        let present = file_len.saturating_sub(header_len);
        if count > present {
            return Err(DatasetError::bad_file(
                path,
                format!("truncated IDX file: the header declares {shown} but {present} bytes follow it"),
            ));
        }
        if count < present {
            return Err(DatasetError::bad_file(
                path,
                format!(
                    "the header declares {shown} but {present} bytes follow it ({} bytes of trailing data)",
                    present - count
                ),
            ));
        }
    }

    // `count` is now bounded by the real size (raw) or by the compression bound (gzip); reserve
    // no more than a small multiple of the file for gzip and let real data grow the buffer.
    let count_usize = usize::try_from(count)
        .map_err(|_| DatasetError::bad_file(path, format!("the header declares {shown}, too large for memory")))?;
    let reserve = if gzip { count.min(file_len.saturating_mul(16).saturating_add(1 << 16)) } else { count };
    let mut data = Vec::with_capacity(reserve as usize);
    (&mut r).take(count + 1).read_to_end(&mut data).map_err(|e| stream_error(path, gzip, e))?;
    if data.len() < count_usize {
        let what = if gzip { "decompressed payload" } else { "payload" };
        return Err(DatasetError::bad_file(
            path,
            format!("truncated IDX file: the header declares {shown} but the {what} has {} bytes", data.len()),
        ));
    }
    if data.len() > count_usize {
        return Err(DatasetError::bad_file(
            path,
            format!("the header declares {shown} but more data follows (trailing bytes after the payload)"),
        ));
    }
    Ok(IdxArray { dims, data })
}

fn describe_payload(dims: &[usize], count: Option<u64>) -> String {
    let bytes = match count {
        Some(c) => format!("{c} bytes"),
        None => "more than 2^64 bytes".to_string(),
    };
    match dims {
        [n, h, w] => format!("{n} images of {h}x{w} ({bytes})"),
        [n] => format!("{n} labels ({bytes})"),
        _ => format!("{} elements ({dims:?}, {bytes})", count.map(|c| c.to_string()).unwrap_or_default()),
    }
}
