//! [`CsvLogger`]: one CSV row per epoch.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use super::{Callback, FitInfo, Logs};
use crate::error::{Error, Result};
use crate::model::Sequential;

/// Writes `epoch,<log names...>` and one row per epoch to a CSV file (Keras' `CSVLogger`).
///
/// ```
/// use kerosene::callbacks::CsvLogger;
/// let c = CsvLogger::new("training.csv").append(false);
/// # let _ = c;
/// ```
pub struct CsvLogger {
    path: PathBuf,
    separator: char,
    append: bool,
    file: Option<File>,
    columns: Option<Vec<String>>,
}

impl CsvLogger {
    /// Logs to `path` (truncated at the start of training unless `append`).
    pub fn new(path: impl Into<PathBuf>) -> CsvLogger {
        CsvLogger { path: path.into(), separator: ',', append: false, file: None, columns: None }
    }

    /// The field separator.
    pub fn separator(mut self, s: char) -> Self {
        self.separator = s;
        self
    }

    /// Append to an existing file instead of truncating it.
    pub fn append(mut self, on: bool) -> Self {
        self.append = on;
        self
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::Io { path: self.path.clone(), source: e }
    }
}

impl Callback for CsvLogger {
    fn on_train_begin(&mut self, _info: &FitInfo, _model: &mut Sequential) -> Result<()> {
        let exists = self.path.exists();
        let f = OpenOptions::new()
            .create(true)
            .write(true)
            .append(self.append)
            .truncate(!self.append)
            .open(&self.path)
            .map_err(|e| self.io(e))?;
        // Appending to a file that has rows: its header is already there.
        self.columns = None;
        if self.append && exists && std::fs::metadata(&self.path).map(|m| m.len() > 0).unwrap_or(false) {
            self.columns = Some(Vec::new());
        }
        self.file = Some(f);
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, _model: &mut Sequential) -> Result<()> {
        let sep = self.separator.to_string();
        let mut out = String::new();
        if self.columns.is_none() {
            let names: Vec<String> = logs.keys().cloned().collect();
            out.push_str(&format!("epoch{sep}{}\n", names.join(&sep)));
            self.columns = Some(names);
        }
        let cols = self.columns.clone().unwrap_or_default();
        let cols: Vec<String> = if cols.is_empty() { logs.keys().cloned().collect() } else { cols };
        let vals: Vec<String> = cols.iter().map(|c| logs.get(c).map(|v| format!("{v}")).unwrap_or_default()).collect();
        out.push_str(&format!("{epoch}{sep}{}\n", vals.join(&sep)));
        let r = self.file.as_mut().map(|f| f.write_all(out.as_bytes()).and_then(|_| f.flush()));
        if let Some(Err(e)) = r {
            return Err(self.io(e));
        }
        Ok(())
    }

    fn on_train_end(&mut self, _logs: &Logs, _model: &mut Sequential) -> Result<()> {
        self.file = None;
        Ok(())
    }
}
