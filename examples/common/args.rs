//! A tiny `--flag value` parser shared by the examples (no dependency needed for four flags).

use std::collections::HashMap;

pub struct Args(HashMap<String, String>);

impl Args {
    /// Parses `--name value` pairs and bare `--flag`s from the command line, and sets up
    /// Kerosene's thread pool with `--threads N` threads (default: one per CPU), this thread
    /// among them (see `kerosene::set_num_threads`).
    pub fn parse() -> Args {
        let argv: Vec<String> = std::env::args().skip(1).collect();
        let mut map = HashMap::new();
        let mut i = 0;
        while i < argv.len() {
            if let Some(name) = argv[i].strip_prefix("--") {
                let value = argv.get(i + 1).filter(|v| !v.starts_with("--")).cloned();
                i += if value.is_some() { 2 } else { 1 };
                map.insert(name.to_string(), value.unwrap_or_else(|| "true".into()));
            } else {
                i += 1; // positional arguments are read by the example itself
            }
        }
        let args = Args(map);
        kerosene::set_num_threads(args.threads()).expect("the thread pool is set up first");
        args
    }

    /// `--threads N`, default one per CPU.
    pub fn threads(&self) -> usize {
        self.usize("threads", std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    pub fn usize(&self, name: &str, default: usize) -> usize {
        self.0
            .get(name)
            .map(|v| v.parse().unwrap_or_else(|_| panic!("--{name} expects a number, got {v}")))
            .unwrap_or(default)
    }

    #[allow(dead_code)]
    pub fn f64(&self, name: &str, default: f64) -> f64 {
        self.0
            .get(name)
            .map(|v| v.parse().unwrap_or_else(|_| panic!("--{name} expects a number, got {v}")))
            .unwrap_or(default)
    }

    pub fn string(&self, name: &str, default: &str) -> String {
        self.0.get(name).cloned().unwrap_or_else(|| default.to_string())
    }
}

/// Fashion-MNIST (default) or MNIST (`--dataset mnist`), from `--data-dir` if given, else from
/// the usual places (see `kerosene::datasets::mnist`).
#[allow(dead_code)]
pub fn load_images(args: &Args) -> kerosene::Result<(String, kerosene::datasets::ImageDataset)> {
    use kerosene::datasets;
    let name = args.string("dataset", "fashion-mnist");
    let dir = args.0.get("data-dir");
    let data = match (name.as_str(), dir) {
        ("mnist", Some(d)) => datasets::mnist_from_dir(d)?,
        ("mnist", None) => datasets::mnist()?,
        ("fashion-mnist", Some(d)) => datasets::fashion_mnist_from_dir(d)?,
        ("fashion-mnist", None) => datasets::fashion_mnist()?,
        (other, _) => {
            return Err(kerosene::Error::Config(format!("--dataset must be mnist or fashion-mnist, got {other}")));
        }
    };
    Ok((name, data))
}
