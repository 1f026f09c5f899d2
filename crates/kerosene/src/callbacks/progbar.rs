//! [`ProgbarLogger`]: Keras' progress line,
//! `1875/1875 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - accuracy: 0.8812 - loss: 0.3301`.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Callback, FitInfo, Logs};
use crate::error::Result;
use crate::model::Sequential;

/// Prints progress to stderr: with `verbose = 1` a live bar per epoch (when stderr is a
/// terminal) and the finished line; with `verbose = 2` one line per epoch.
pub struct ProgbarLogger {
    verbose: u8,
    info: Option<FitInfo>,
    bar: Option<ProgressBar>,
    start: Instant,
    last_msg: Instant,
}

impl ProgbarLogger {
    /// A logger for the given verbosity (0 prints nothing).
    pub fn new(verbose: u8) -> ProgbarLogger {
        ProgbarLogger { verbose, info: None, bar: None, start: Instant::now(), last_msg: Instant::now() }
    }
}

/// `accuracy: 0.8812 - loss: 0.3301`
pub(crate) fn format_logs(logs: &Logs) -> String {
    logs.iter().map(|(k, v)| format!("{k}: {v:.4}")).collect::<Vec<_>>().join(" - ")
}

fn format_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 { format!("{}s", s.round() as u64) } else { format!("{}ms", (s * 1e3).round() as u64) }
}

fn per_step(d: Duration, steps: usize) -> String {
    let s = d.as_secs_f64() / steps.max(1) as f64;
    if s >= 1.0 {
        format!("{:.0}s/step", s)
    } else if s >= 1e-3 {
        format!("{:.0}ms/step", s * 1e3)
    } else {
        format!("{:.0}us/step", s * 1e6)
    }
}

const FILLED: &str = "━━━━━━━━━━━━━━━━━━━━";

impl Callback for ProgbarLogger {
    fn on_train_begin(&mut self, info: &FitInfo, _model: &mut Sequential) -> Result<()> {
        self.info = Some(*info);
        Ok(())
    }

    fn on_epoch_begin(&mut self, epoch: usize, _model: &mut Sequential) -> Result<()> {
        let Some(info) = self.info else { return Ok(()) };
        if self.verbose == 0 {
            return Ok(());
        }
        self.start = Instant::now();
        if self.verbose == 1 {
            eprintln!("Epoch {}/{}", epoch + 1, info.epochs);
            let bar = ProgressBar::with_draw_target(Some(info.steps as u64), ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                ProgressStyle::with_template("{pos}/{len} {bar:20.green/white} {elapsed} {msg}")
                    .expect("valid template")
                    .progress_chars("━━━"),
            );
            self.bar = Some(bar);
        }
        Ok(())
    }

    fn on_train_batch_end(&mut self, batch: usize, logs: &Logs, _model: &mut Sequential) -> Result<()> {
        if let Some(bar) = &self.bar {
            bar.set_position(batch as u64 + 1);
            // Formatting the message costs more than a small training step; refresh it at the
            // bar's own rate.
            if self.last_msg.elapsed() >= Duration::from_millis(100) {
                self.last_msg = Instant::now();
                bar.set_message(format!("{} - {}", per_step(self.start.elapsed(), batch + 1), format_logs(logs)));
            }
        }
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, _model: &mut Sequential) -> Result<()> {
        let Some(info) = self.info else { return Ok(()) };
        let took = self.start.elapsed();
        let line = format!(
            "{}/{} {FILLED} {} {} - {}",
            info.steps,
            info.steps,
            format_duration(took),
            per_step(took, info.steps),
            format_logs(logs)
        );
        match self.verbose {
            1 => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                eprintln!("{line}");
            }
            2 => eprintln!("Epoch {}/{}\n{line}", epoch + 1, info.epochs),
            _ => {}
        }
        Ok(())
    }
}
