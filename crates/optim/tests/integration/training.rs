//! Convergence: least-squares fits and the Rosenbrock function reach their minima.

use kerosene_autograd::Var;
use kerosene_optim::{Adagrad, Adam, AdamW, Adamax, Lion, NAdam, Optimizer, RmsProp, Sgd};
use kerosene_tensor::{Rng, Tensor};

const W_STAR: [f64; 3] = [1.5, -2.0, 0.5];

type Factory = fn(Vec<Var>) -> Box<dyn Optimizer>;

/// Fits `w` to `y = X w*` (64 samples, 3 features, f64) with mean squared error; returns the
/// largest error in `w` after `steps` steps.
fn least_squares(make: impl FnOnce(Vec<Var>) -> Box<dyn Optimizer>, steps: usize) -> f64 {
    let mut rng = Rng::new(3);
    let x = Tensor::randn(&[64, 3], &mut rng).to_f64();
    let y = x.matmul(&Tensor::from_vec(W_STAR.to_vec(), &[3, 1]));
    let (x, y) = (Var::new(x), Var::new(y));
    let w = Var::param(Tensor::zeros(&[3, 1]).to_f64());
    let mut opt = make(vec![w.clone()]);
    for _ in 0..steps {
        opt.zero_grad();
        x.matmul(&w).sub(&y).square().mean_all().backward();
        opt.step();
    }
    w.value().to_vec::<f64>().iter().zip(W_STAR).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

#[test]
fn adam_fits_least_squares() {
    let err = least_squares(|p| Box::new(Adam::new(p, 0.05)), 400);
    assert!(err < 1e-3, "{err}");
}

#[test]
fn sgd_momentum_fits_least_squares() {
    let err = least_squares(|p| Box::new(Sgd::new(p, 0.05).momentum(0.9)), 300);
    assert!(err < 1e-3, "{err}");
    let err = least_squares(|p| Box::new(Sgd::new(p, 0.05).momentum(0.9).nesterov(true)), 300);
    assert!(err < 1e-3, "{err}");
}

#[test]
fn every_optimizer_fits_least_squares() {
    let cases: Vec<(&str, Factory, f64)> = vec![
        ("sgd", |p| Box::new(Sgd::new(p, 0.1)), 1e-3),
        ("adamw", |p| Box::new(AdamW::new(p, 0.05).weight_decay(0.0)), 1e-3),
        ("adam amsgrad", |p| Box::new(Adam::new(p, 0.05).amsgrad(true)), 1e-3),
        ("rmsprop", |p| Box::new(RmsProp::new(p, 0.01).momentum(0.5)), 1e-2),
        ("rmsprop centered", |p| Box::new(RmsProp::new(p, 0.01).centered(true)), 1e-2),
        ("adagrad", |p| Box::new(Adagrad::new(p, 0.5)), 1e-3),
        ("adamax", |p| Box::new(Adamax::new(p, 0.05)), 1e-3),
        ("nadam", |p| Box::new(NAdam::new(p, 0.05)), 1e-3),
        // Lion moves every coordinate by lr each step, so it settles within about lr.
        ("lion", |p| Box::new(Lion::new(p, 0.002)), 1e-2),
    ];
    for (name, make, tol) in cases {
        let err = least_squares(make, 1500);
        assert!(err < tol, "{name}: {err}");
    }
}

/// Rosenbrock `(1 - x)^2 + 100 (y - x^2)^2` from (-1.5, 2), gradient by hand; returns the distance
/// to the minimum (1, 1).
fn rosenbrock(opt: &mut dyn Optimizer, p: &Var, steps: usize) -> f64 {
    for _ in 0..steps {
        let v = p.value().to_vec::<f64>();
        let (x, y) = (v[0], v[1]);
        let gx = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x);
        let gy = 200.0 * (y - x * x);
        p.set_grad(Some(Tensor::from_vec(vec![gx, gy], &[2])));
        opt.step();
    }
    let v = p.value().to_vec::<f64>();
    ((v[0] - 1.0).powi(2) + (v[1] - 1.0).powi(2)).sqrt()
}

#[test]
fn adam_minimizes_rosenbrock() {
    let p = Var::param(Tensor::from_vec(vec![-1.5f64, 2.0], &[2]));
    let mut opt = Adam::new(vec![p.clone()], 0.02);
    let dist = rosenbrock(&mut opt, &p, 10_000);
    assert!(dist < 1e-3, "{dist}");
}

#[test]
fn f32_training_converges_too() {
    let mut rng = Rng::new(5);
    let x = Tensor::randn(&[64, 3], &mut rng);
    let y = x.matmul(&Tensor::from_vec(W_STAR.iter().map(|&v| v as f32).collect(), &[3, 1]));
    let (x, y) = (Var::new(x), Var::new(y));
    let w = Var::param(Tensor::zeros(&[3, 1]));
    let mut opt = Adam::new(vec![w.clone()], 0.05);
    for _ in 0..400 {
        opt.zero_grad();
        x.matmul(&w).sub(&y).square().mean_all().backward();
        opt.step();
    }
    for (a, b) in w.value().to_vec::<f32>().iter().zip(W_STAR) {
        assert!((*a as f64 - b).abs() < 1e-3, "{a} vs {b}");
    }
}
