//! Learning-rate schedules against hand-computed values, and how optimizers use them.

use std::f64::consts::PI;

use kerosene_autograd::Var;
use kerosene_optim::{
    CosineDecay, ExponentialDecay, LambdaLr, LrSchedule, OptimError, Optimizer, ScheduleConfig, Sgd, StepDecay,
};
use kerosene_tensor::Tensor;

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-15 + 1e-12 * b.abs(), "{a} vs {b}");
}

// 0.1 * 0.5^floor(t / 3)
#[test]
fn step_decay() {
    let s = StepDecay::new(0.1, 3, 0.5);
    let expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025];
    for (t, e) in expected.iter().enumerate() {
        close(s.lr(t as u64), *e);
    }
    close(s.lr(30), 0.1 / 1024.0);
}

// Keras: initial * rate^(t / decay_steps), floored exponent with staircase.
#[test]
fn exponential_decay() {
    let s = ExponentialDecay::new(0.5, 4, 0.1);
    close(s.lr(0), 0.5);
    close(s.lr(2), 0.5 * 0.1f64.sqrt());
    close(s.lr(4), 0.05);
    close(s.lr(6), 0.05 * 0.1f64.sqrt());
    close(s.lr(8), 0.005);
    let s = s.staircase(true);
    close(s.lr(3), 0.5);
    close(s.lr(4), 0.05);
    close(s.lr(7), 0.05);
    close(s.lr(8), 0.005);
}

// Keras CosineDecay(0.1, 1000): 0.1 * 0.5 (1 + cos(pi t / 1000)), constant after 1000;
// with alpha = 0.2: 0.1 * (0.8 * cosine + 0.2).
#[test]
fn cosine_decay() {
    let s = CosineDecay::new(0.1, 1000);
    close(s.lr(0), 0.1);
    close(s.lr(250), 0.1 * 0.5 * (1.0 + (PI / 4.0).cos())); // 0.08535533905932738
    close(s.lr(500), 0.05);
    assert!(s.lr(1000).abs() < 1e-17);
    assert!(s.lr(5000).abs() < 1e-17);
    let s = CosineDecay::new(0.1, 1000).alpha(0.2);
    close(s.lr(500), 0.1 * (0.8 * 0.5 + 0.2));
    close(s.lr(2000), 0.02);
}

// Keras CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10): linear 0 -> 0.1 over 10 steps,
// then cosine from 0.1 to 0 over 100 steps (step 60 is halfway), then 0.
#[test]
fn cosine_decay_with_warmup() {
    let s = CosineDecay::new(0.0, 100).warmup(10, 0.1);
    close(s.lr(0), 0.0);
    close(s.lr(1), 0.01);
    close(s.lr(5), 0.05);
    close(s.lr(10), 0.1);
    close(s.lr(60), 0.05);
    assert!(s.lr(110).abs() < 1e-17);
    assert!(s.lr(1000).abs() < 1e-17);
    // Warmup from a non-zero start, with a floor.
    let s = CosineDecay::new(0.02, 10).alpha(0.5).warmup(4, 0.1);
    close(s.lr(2), 0.06);
    close(s.lr(14), 0.05);
}

#[test]
fn lambda_lr_multiplies_the_base_rate() {
    let s = LambdaLr::new(0.5, |t| 1.0 / (t + 1) as f64);
    close(s.lr(0), 0.5);
    close(s.lr(4), 0.1);
    assert!(s.config().is_none());
}

#[test]
fn schedule_hyper_parameters_are_checked() {
    assert_eq!(StepDecay::try_new(0.1, 0, 0.5).unwrap_err().to_string(), "Invalid step_size value: 0");
    assert_eq!(StepDecay::try_new(-0.1, 1, 0.5).unwrap_err().to_string(), "Invalid learning rate: -0.1");
    assert_eq!(ExponentialDecay::try_new(0.1, 0, 0.5).unwrap_err().to_string(), "Invalid decay_steps value: 0");
    assert_eq!(
        ExponentialDecay::try_new(0.1, 1, -0.5).unwrap_err(),
        OptimError::InvalidHyperParameter("Invalid decay_rate value: -0.5".into())
    );
    assert_eq!(CosineDecay::try_new(0.1, 0).unwrap_err().to_string(), "Invalid decay_steps value: 0");
}

#[test]
#[should_panic(expected = "Invalid alpha value: -1.0")]
fn cosine_alpha_must_be_non_negative() {
    let _ = CosineDecay::new(0.1, 10).alpha(-1.0);
}

// With a constant gradient of 1, SGD moves the parameter by exactly the learning rate of each step,
// so the parameter after n steps is -sum_{t < n} schedule.lr(t).
#[test]
fn optimizers_use_the_schedule_at_the_current_step() {
    let w = Var::param(Tensor::from_vec(vec![0.0f64], &[1]));
    let mut opt = Sgd::new(vec![w.clone()], 123.0).schedule(StepDecay::new(1.0, 2, 0.5));
    let mut expected = 0.0;
    for t in 0..6u64 {
        assert_eq!(opt.learning_rate(), StepDecay::new(1.0, 2, 0.5).lr(t));
        w.set_grad(Some(Tensor::from_vec(vec![1.0f64], &[1])));
        opt.step();
        expected -= StepDecay::new(1.0, 2, 0.5).lr(t);
        close(w.item(), expected);
    }
    // set_learning_rate replaces the schedule by a constant.
    opt.set_learning_rate(0.01);
    for _ in 0..3 {
        assert_eq!(opt.learning_rate(), 0.01);
        w.set_grad(Some(Tensor::from_vec(vec![1.0f64], &[1])));
        opt.step();
    }
    close(w.item(), expected - 0.03);
}

#[test]
fn configs_keep_serializable_schedules() {
    let cosine = CosineDecay::new(0.0, 100).warmup(10, 0.1).alpha(0.1);
    let opt = Sgd::new(vec![], 0.1).schedule(cosine.clone());
    let cfg = opt.config();
    let kerosene_optim::OptimizerConfig::Sgd { schedule, hyper, .. } = &cfg else { panic!("{cfg:?}") };
    assert_eq!(schedule, &Some(ScheduleConfig::CosineDecay(cosine.clone())));
    assert_eq!(hyper.lr, 0.0, "the schedule's initial value");
    let rebuilt = cfg.build(vec![]).unwrap();
    assert_eq!(rebuilt.config(), cfg);

    // A closure cannot be saved: the config holds the current rate as a constant.
    let w = Var::param(Tensor::zeros(&[1]));
    let mut opt = Sgd::new(vec![w.clone()], 0.1).schedule(LambdaLr::new(0.1, |t| 0.5f64.powi(t as i32)));
    w.set_grad(Some(Tensor::zeros(&[1])));
    opt.step();
    let cfg = opt.config();
    assert_eq!(cfg.learning_rate(), 0.05);
    let kerosene_optim::OptimizerConfig::Sgd { schedule, .. } = &cfg else { panic!("{cfg:?}") };
    assert!(schedule.is_none());
}

#[test]
fn schedule_configs_are_checked_when_built() {
    // A file could hold anything: bincode writes a struct as its fields in order, so this tuple
    // reads back as StepDecay { initial_lr: 0.1, step_size: 0, gamma: 0.5 }, which `new` forbids.
    let cfg = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec((0.1f64, 0u64, 0.5f64), cfg).unwrap();
    let s: StepDecay = bincode::serde::decode_from_slice(&bytes, cfg).unwrap().0;
    let err = ScheduleConfig::StepDecay(s).build().err().unwrap();
    assert_eq!(err.to_string(), "Invalid step_size value: 0");

    let bytes = bincode::serde::encode_to_vec((0.1f64, 5u64, 0.5f64), cfg).unwrap();
    let s: StepDecay = bincode::serde::decode_from_slice(&bytes, cfg).unwrap().0;
    assert_eq!(ScheduleConfig::StepDecay(s).build().unwrap().lr(5), 0.05);
}
