//! The standard workloads of the speed comparison (docs/performance.md), one JSON line each.
//!
//! ```text
//! cargo run --release --example workloads -- w1 [--epochs 5] [--threads 2]   # default: one thread per CPU
//! cargo run --release --example workloads -- all
//! ```
//!
//! - W1: MLP 784-64-64-10 (ReLU), sparse CE on logits, Adam 1e-3, batch 32, one epoch of 60,000
//!   Fashion-MNIST images; median seconds per epoch.
//! - W2: the same at batch 128.
//! - W3: CNN Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool 2 -> Flatten ->
//!   Dense 128 relu -> Dense 10, batch 64, one epoch over the first 10,000 images.
//! - W4: LSTM(128) over 28 rows of 28 pixels -> last hidden state -> Dense 10, batch 64, one epoch
//!   over the first 10,000 images.
//! - W5: inference of the W1 model: images/s at batch 1000 over the 10,000 test images, and the
//!   median microseconds of a single-image forward over 1000 calls.
//! - W6: sgemm C = A B for square n = 256, 512, 1024, 2048, in GFLOP/s.
//!
//! The PyTorch reference with the same definitions is `benches/peers/torch_workloads.py`.

#[path = "common/args.rs"]
mod args;

use std::time::Instant;

use kerosene::autograd::{Var, no_grad};
use kerosene::datasets::ImageDataset;
use kerosene::losses::cross_entropy;
use kerosene::nn::{
    Activation, Conv2D, Dense, Flatten, LSTM, Layer, Linear, MaxPooling2D, Module, Visitor, visit_modules,
};
use kerosene::optim::{Adam, Optimizer};
use kerosene::tensor::{Rng, Tensor, gemm};
use serde_json::{Value, json};

struct Mlp {
    l1: Linear,
    l2: Linear,
    l3: Linear,
}

impl Mlp {
    fn new(rng: &mut Rng) -> Mlp {
        Mlp { l1: Linear::new(784, 64, rng), l2: Linear::new(64, 64, rng), l3: Linear::new(64, 10, rng) }
    }
}

impl Module for Mlp {
    fn forward(&self, x: &Var) -> Var {
        let h = self.l1.forward(x).relu();
        let h = self.l2.forward(&h).relu();
        self.l3.forward(&h)
    }
    fn visit(&self, v: &mut Visitor) {
        visit_modules!(v, self, l1, l2, l3);
    }
}

/// W3's network, as Keras layers built for `[28, 28, 1]` images.
struct Cnn {
    layers: Vec<Box<dyn Layer>>,
}

impl Cnn {
    fn new() -> Cnn {
        let mut layers: Vec<Box<dyn Layer>> = vec![
            Box::new(Conv2D::new(32, (3, 3)).activation(Activation::Relu)),
            Box::new(MaxPooling2D::new((2, 2))),
            Box::new(Conv2D::new(64, (3, 3)).activation(Activation::Relu)),
            Box::new(MaxPooling2D::new((2, 2))),
            Box::new(Flatten::new()),
            Box::new(Dense::new(128).activation(Activation::Relu)),
            Box::new(Dense::new(10)),
        ];
        let mut rng = Rng::new(42);
        let mut shape = vec![28, 28, 1];
        for l in &mut layers {
            shape = l.build(&shape, &mut rng).expect("W3 shapes fit");
        }
        Cnn { layers }
    }
}

impl Module for Cnn {
    fn forward(&self, x: &Var) -> Var {
        let x = x.reshape(&[-1, 28, 28, 1]);
        self.layers.iter().fold(x, |h, l| l.forward(&h))
    }
    fn visit(&self, v: &mut Visitor) {
        for (i, l) in self.layers.iter().enumerate() {
            v.module(&i.to_string(), l.as_ref());
        }
    }
}

/// W4's network: an LSTM over the image rows, its last hidden state into a Dense layer.
struct Rnn {
    lstm: LSTM,
    fc: Dense,
}

impl Rnn {
    fn new() -> Rnn {
        let mut rng = Rng::new(42);
        let mut lstm = LSTM::new(128);
        let mut fc = Dense::new(10);
        lstm.build(&[28, 28], &mut rng).expect("W4 shapes fit");
        fc.build(&[128], &mut rng).expect("W4 shapes fit");
        Rnn { lstm, fc }
    }
}

impl Module for Rnn {
    fn forward(&self, x: &Var) -> Var {
        self.fc.forward(&self.lstm.forward(&x.reshape(&[-1, 28, 28])))
    }
    fn visit(&self, v: &mut Visitor) {
        visit_modules!(v, self, lstm, fc);
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 }
}

fn round(v: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (v * p).round() / p
}

/// Peak resident set size of this process in MiB (Linux), the `VmHWM` line of /proc/self/status.
fn max_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round(kb / 1024.0, 1))
}

fn accuracy(model: &dyn Module, x: &Tensor, y: &Tensor) -> f64 {
    model.eval();
    let n = x.shape()[0];
    let labels = y.to_vec::<f32>();
    let mut correct = 0;
    no_grad(|| {
        for s in (0..n).step_by(1000) {
            let e = (s + 1000).min(n);
            let pred = model.forward(&Var::new(x.slice(0, s, e, 1))).value().argmax_indices(-1);
            correct += pred.iter().zip(&labels[s..e]).filter(|&(&p, &l)| p == l as usize).count();
        }
    });
    correct as f64 / n as f64
}

/// W1 to W4: one epoch per repetition of the PyTorch-style training loop over the first `n`
/// training images.
fn train(
    model: &dyn Module,
    data: &ImageDataset,
    n: usize,
    batch: usize,
    epochs: usize,
    threads: usize,
    name: &str,
) -> Value {
    let (x, y) = data.train();
    let (x, y) = (x.slice(0, 0, n, 1), y.slice(0, 0, n, 1));
    let mut opt = Adam::new(model.parameters(), 1e-3);
    let mut shuffle = Rng::new(42);
    let mut times = Vec::new();
    let mut last_loss = f64::NAN;
    for _ in 0..epochs {
        let t0 = Instant::now();
        let perm = shuffle.permutation(n);
        model.train();
        for idx in perm.chunks(batch) {
            let (xb, yb) = (x.index_select(0, idx), y.index_select(0, idx));
            opt.zero_grad();
            let loss = cross_entropy(&model.forward(&Var::new(xb)), &yb);
            loss.backward();
            opt.step();
            last_loss = loss.item();
        }
        times.push(t0.elapsed().as_secs_f64());
    }
    let (xt, yt) = data.test();
    let acc = accuracy(model, xt, yt);
    let med = median(&times);
    json!({
        "framework": "kerosene", "workload": name, "threads": threads, "batch": batch, "n_train": n,
        "epochs": epochs, "epoch_s": times.iter().map(|t| round(*t, 4)).collect::<Vec<_>>(),
        "median_epoch_s": round(med, 4), "samples_per_s": round(n as f64 / med, 1),
        "last_loss": round(last_loss, 4), "test_acc": round(acc, 4), "max_rss_mib": max_rss_mib(),
    })
}

/// W5: inference throughput at batch 1000 and single-image latency.
fn inference(data: &ImageDataset, threads: usize) -> Value {
    let model = Mlp::new(&mut Rng::new(42));
    model.eval();
    let (xt, _) = data.test();
    let batches: Vec<Var> = (0..10).map(|i| Var::new(xt.slice(0, i * 1000, (i + 1) * 1000, 1).contiguous())).collect();
    let singles: Vec<Var> = (0..1000).map(|i| Var::new(xt.slice(0, i, i + 1, 1).contiguous())).collect();
    let passes = 10;
    let mut runs = Vec::new();
    no_grad(|| {
        for rep in 0..6 {
            let t0 = Instant::now();
            for _ in 0..passes {
                for b in &batches {
                    std::hint::black_box(model.forward(b));
                }
            }
            if rep > 0 {
                runs.push((passes * 10_000) as f64 / t0.elapsed().as_secs_f64());
            }
        }
    });
    let mut meds = Vec::new();
    no_grad(|| {
        for rep in 0..4 {
            let lat: Vec<f64> = singles
                .iter()
                .map(|s| {
                    let t0 = Instant::now();
                    std::hint::black_box(model.forward(s));
                    t0.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            if rep > 0 {
                meds.push(median(&lat));
            }
        }
    });
    json!({
        "framework": "kerosene", "workload": "w5", "threads": threads, "mode": "no_grad eval",
        "batch1000_img_per_s_runs": runs.iter().map(|r| r.round()).collect::<Vec<_>>(),
        "batch1000_img_per_s_median": median(&runs).round(),
        "batch1_median_us_runs": meds.iter().map(|m| round(*m, 2)).collect::<Vec<_>>(),
        "batch1_median_us": round(median(&meds), 2),
    })
}

/// W6: square sgemm into a preallocated output (as `torch.mm(a, b, out=c)`).
fn sgemm(threads: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for n in [256usize, 512, 1024, 2048] {
        let mut rng = Rng::new(n as u64);
        let a = Tensor::randn(&[n, n], &mut rng);
        let b = Tensor::randn(&[n, n], &mut rng);
        let mut c = ndarray::Array2::<f32>::zeros((n, n));
        let (av, bv) = (a.view::<f32>(), b.view::<f32>());
        let (a2, b2) =
            (av.into_dimensionality::<ndarray::Ix2>().unwrap(), bv.into_dimensionality::<ndarray::Ix2>().unwrap());
        let flop = 2.0 * (n * n * n) as f64;
        let reps = ((0.2e9 * 50.0 / flop) as usize).clamp(1, 1000);
        let mut res = Vec::new();
        for trial in 0..6 {
            let t0 = Instant::now();
            for _ in 0..reps {
                gemm::gemm(1.0, &a2, &b2, 0.0, &mut c.view_mut());
            }
            let dt = t0.elapsed().as_secs_f64() / reps as f64;
            if trial > 0 {
                res.push(flop / dt / 1e9);
            }
        }
        out.push(json!({
            "framework": "kerosene", "workload": "w6", "threads": threads, "op": "gemm f32", "n": n, "reps": reps,
            "gflops_best": round(res.iter().cloned().fold(0.0, f64::max), 2), "gflops_median": round(median(&res), 2),
        }));
    }
    out
}

fn main() -> kerosene::Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let args = args::Args::parse();
    // The pool (`--threads`, default one per CPU) was set up by `Args::parse`.
    let threads = args.threads();
    // What `fit` does: keep the training working set mapped between steps.
    kerosene::tensor::memory::keep_freed_memory();
    let which: Vec<String> = match argv.first().map(|s| s.as_str()) {
        None | Some("all") => ["w1", "w2", "w3", "w4", "w5", "w6"].iter().map(|s| s.to_string()).collect(),
        Some(w) => vec![w.to_string()],
    };
    let needs_data = which.iter().any(|w| w != "w6");
    let data = if needs_data { Some(kerosene::datasets::fashion_mnist()?) } else { None };
    for w in which {
        let epochs = |d| args.usize("epochs", d);
        match w.as_str() {
            "w1" => println!(
                "{}",
                train(
                    &Mlp::new(&mut Rng::new(42)),
                    data.as_ref().expect("loaded"),
                    60_000,
                    32,
                    epochs(5),
                    threads,
                    "w1"
                )
            ),
            "w2" => println!(
                "{}",
                train(
                    &Mlp::new(&mut Rng::new(42)),
                    data.as_ref().expect("loaded"),
                    60_000,
                    128,
                    epochs(3),
                    threads,
                    "w2"
                )
            ),
            "w3" => {
                println!("{}", train(&Cnn::new(), data.as_ref().expect("loaded"), 10_000, 64, epochs(3), threads, "w3"))
            }
            "w4" => {
                println!("{}", train(&Rnn::new(), data.as_ref().expect("loaded"), 10_000, 64, epochs(3), threads, "w4"))
            }
            "w5" => println!("{}", inference(data.as_ref().expect("loaded"), threads)),
            "w6" => sgemm(threads).into_iter().for_each(|v| println!("{v}")),
            other => {
                return Err(kerosene::Error::Config(format!(
                    "unknown workload {other}; known: w1, w2, w3, w4, w5, w6, all"
                )));
            }
        }
    }
    Ok(())
}
