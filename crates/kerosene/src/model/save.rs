//! Saving and loading: whole models (architecture, weights, optimizer state) and weights alone.
//!
//! File layout: an 8-byte magic `KEROSENE`, a little-endian `u16` format version, a `u8` kind
//! (1 model, 2 weights), the `u64` payload length, the payload's SHA-256, then the payload:
//! bincode 2 (standard config, with a decode size limit) of a serde record. Files are written to
//! a temporary file in the same directory, fsynced, then renamed over the target, so a crash
//! never leaves half a model. Loading checks each part in turn and says which one failed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kerosene_losses::Loss;
use kerosene_nn::{LayerSpec, Module, StateDict};
use kerosene_optim::OptimizerConfig;
use kerosene_tensor::Tensor;

use super::sequential::{Compiled, Sequential};
use crate::error::{Error, Result};
use crate::metrics::Metric;

/// The file format version this build writes (and the newest it reads).
pub const FORMAT_VERSION: u16 = 1;
const MAGIC: &[u8; 8] = b"KEROSENE";
const HEADER: usize = 8 + 2 + 1 + 8 + 32;
/// The largest payload bincode may decode (also the largest file accepted): 4 GiB.
const DECODE_LIMIT: usize = 1 << 32;
const KIND_MODEL: u8 = 1;
const KIND_WEIGHTS: u8 = 2;

#[derive(Serialize, Deserialize)]
struct LayerRecord {
    name: String,
    spec: LayerSpec,
}

#[derive(Serialize, Deserialize)]
struct OptimizerRecord {
    config: OptimizerConfig,
    state: Vec<(String, Tensor)>,
}

#[derive(Serialize, Deserialize)]
struct ModelRecord {
    name: String,
    seed: u64,
    input_shape: Option<Vec<usize>>,
    layers: Vec<LayerRecord>,
    weights: StateDict,
    loss: Option<Loss>,
    metrics: Vec<Metric>,
    optimizer: Option<OptimizerRecord>,
}

fn file_err(path: &Path, message: impl Into<String>) -> Error {
    Error::File { path: path.to_path_buf(), message: message.into() }
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), source: e }
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<DECODE_LIMIT>()
}

/// Writes header + payload to `path` atomically.
fn write_atomic(path: &Path, kind: u8, payload: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path.file_name().ok_or_else(|| file_err(path, "not a file path"))?.to_string_lossy().to_string();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let mut bytes = Vec::with_capacity(HEADER + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.push(kind);
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&Sha256::digest(payload));
    bytes.extend_from_slice(payload);
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_err(path, e)
    })
}

/// Reads and checks a file; returns its payload.
fn read_checked(path: &Path, kind: u8) -> Result<Vec<u8>> {
    let meta = fs::metadata(path).map_err(|e| io_err(path, e))?;
    if meta.len() > (DECODE_LIMIT + HEADER) as u64 {
        return Err(file_err(
            path,
            format!("too large: {} bytes (the limit is {} bytes)", meta.len(), DECODE_LIMIT + HEADER),
        ));
    }
    let bytes = fs::read(path).map_err(|e| io_err(path, e))?;
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(file_err(path, "not a Kerosene file (the magic bytes \"KEROSENE\" are missing)"));
    }
    if bytes.len() < HEADER {
        return Err(file_err(path, format!("truncated: {} bytes, shorter than the {HEADER}-byte header", bytes.len())));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version > FORMAT_VERSION {
        return Err(file_err(
            path,
            format!("written by a newer Kerosene (format version {version}; this build reads up to {FORMAT_VERSION})"),
        ));
    }
    if version == 0 {
        return Err(file_err(path, "corrupted: format version 0"));
    }
    let file_kind = bytes[10];
    if file_kind != kind {
        let what = |k: u8| match k {
            KIND_MODEL => "a model file (use Sequential::load)",
            KIND_WEIGHTS => "a weights file (use load_weights)",
            _ => "of an unknown kind",
        };
        return Err(file_err(path, format!("is {}, not {}", what(file_kind), what(kind))));
    }
    let len = u64::from_le_bytes(bytes[11..19].try_into().expect("8 bytes"));
    let have = (bytes.len() - HEADER) as u64;
    if len > have {
        return Err(file_err(
            path,
            format!("truncated: the header announces {len} bytes of data, the file has {have}"),
        ));
    }
    if len < have {
        return Err(file_err(path, format!("corrupted: {} unexpected bytes after the data", have - len)));
    }
    let payload = &bytes[HEADER..];
    if Sha256::digest(payload).as_slice() != &bytes[19..51] {
        return Err(file_err(path, "corrupted: the checksum of the data does not match"));
    }
    Ok(payload.to_vec())
}

fn decode<T: serde::de::DeserializeOwned>(path: &Path, payload: &[u8]) -> Result<T> {
    let (v, used) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| file_err(path, format!("corrupted: cannot decode the data: {e}")))?;
    if used != payload.len() {
        return Err(file_err(path, "corrupted: the data has trailing bytes"));
    }
    Ok(v)
}

fn encode<T: Serialize>(path: &Path, v: &T) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(v, config()).map_err(|e| file_err(path, format!("cannot encode: {e}")))
}

impl Sequential {
    /// Saves the whole model: architecture, weights, and (if compiled) the loss, metrics and the
    /// optimizer's configuration and state, so that training resumes exactly after [`Sequential::load`].
    ///
    /// # Errors
    /// If a layer has no [`LayerSpec`] (a user-defined layer: use [`Sequential::save_weights`]),
    /// or on I/O errors.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let layers = self
            .layers
            .iter()
            .map(|l| match l.spec() {
                Some(spec) => Ok(LayerRecord { name: l.name().to_string(), spec }),
                None => Err(Error::Config(format!(
                    "layer \"{}\" ({}) cannot be saved as architecture; save its weights with save_weights instead",
                    l.name(),
                    l.kind()
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        let record = ModelRecord {
            name: self.name.clone(),
            seed: self.seed,
            input_shape: self.input_shape.clone(),
            layers,
            weights: self.state_dict(),
            loss: self.compiled.as_ref().map(|c| c.loss),
            metrics: self.compiled.as_ref().map(|c| c.metrics.clone()).unwrap_or_default(),
            optimizer: self
                .compiled
                .as_ref()
                .map(|c| OptimizerRecord { config: c.optimizer.config(), state: c.optimizer.state_dict() }),
        };
        write_atomic(path, KIND_MODEL, &encode(path, &record)?)
    }

    /// Loads a model saved by [`Sequential::save`], compiled again if it was compiled.
    ///
    /// # Errors
    /// If the file is missing, not a Kerosene file, from a newer version, a weights file,
    /// truncated, or corrupted (each reported as such), or its contents are inconsistent.
    pub fn load(path: impl AsRef<Path>) -> Result<Sequential> {
        let path = path.as_ref();
        let record: ModelRecord = decode(path, &read_checked(path, KIND_MODEL)?)?;
        let mut model = Sequential::new().seed(record.seed).name(&record.name);
        for l in record.layers {
            let mut layer = l.spec.instantiate();
            layer.set_name(&l.name);
            model.push(layer);
        }
        if let Some(s) = &record.input_shape {
            model.build(s).map_err(|e| file_err(path, format!("inconsistent model: {e}")))?;
        }
        model.load_state_dict(&record.weights).map_err(|e| file_err(path, format!("inconsistent model: {e}")))?;
        if let Some(loss) = record.loss {
            let optimizer = match record.optimizer {
                Some(o) => {
                    let mut opt = o.config.build(model.parameters())?;
                    opt.load_state_dict(&o.state)?;
                    opt
                }
                None => return Err(file_err(path, "inconsistent model: a loss without an optimizer")),
            };
            model.compiled = Some(Compiled { optimizer, loss, metrics: record.metrics });
        }
        Ok(model)
    }

    /// Saves the weights (parameters and buffers by name) only.
    ///
    /// # Errors
    /// On I/O errors.
    pub fn save_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        write_atomic(path, KIND_WEIGHTS, &encode(path, &self.state_dict())?)
    }

    /// Loads weights saved by [`Sequential::save_weights`] into this (built) model. Nothing is
    /// changed unless every weight fits; the error lists every missing, extra or wrongly shaped
    /// weight at once.
    ///
    /// # Errors
    /// As [`Sequential::load`] for the file, or the mismatch report.
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let sd: StateDict = decode(path, &read_checked(path, KIND_WEIGHTS)?)?;
        self.build_from_declared()?;
        self.load_state_dict(&sd)?;
        Ok(())
    }
}
