//! Per-parameter state: parameters without a gradient are skipped, state is created lazily in the
//! parameter's element type, and `state_dict` / `load_state_dict` resume bit-identically and
//! reject states that do not fit.

use kerosene_autograd::Var;
use kerosene_optim::{
    Adagrad, Adam, AdamW, Adamax, Clip, CosineDecay, Lion, NAdam, OptimError, Optimizer, RmsProp, Sgd, ShapeMismatch,
};
use kerosene_tensor::{DType, Rng, Tensor};

type Factory = fn(Vec<Var>) -> Box<dyn Optimizer>;

/// Every optimizer, with every option that adds state switched on.
fn factories() -> Vec<(&'static str, Factory)> {
    vec![
        ("sgd", |p| Box::new(Sgd::new(p, 0.05))),
        ("sgd momentum nesterov wd", |p| Box::new(Sgd::new(p, 0.05).momentum(0.9).nesterov(true).weight_decay(1e-3))),
        ("sgd momentum dampening", |p| Box::new(Sgd::new(p, 0.05).momentum(0.9).dampening(0.1))),
        ("adam", |p| Box::new(Adam::new(p, 0.01))),
        ("adam amsgrad wd", |p| Box::new(Adam::new(p, 0.01).amsgrad(true).weight_decay(1e-2))),
        ("adamw amsgrad", |p| Box::new(AdamW::new(p, 0.01).amsgrad(true))),
        ("rmsprop centered momentum", |p| Box::new(RmsProp::new(p, 0.01).centered(true).momentum(0.9))),
        ("adagrad lr_decay", |p| Box::new(Adagrad::new(p, 0.05).lr_decay(0.01).initial_accumulator_value(0.1))),
        ("adamax", |p| Box::new(Adamax::new(p, 0.01))),
        ("nadam", |p| Box::new(NAdam::new(p, 0.01))),
        ("lion wd", |p| Box::new(Lion::new(p, 0.1).weight_decay(0.1))),
        ("adam scheduled clipped", |p| {
            Box::new(Adam::new(p, 0.01).schedule(CosineDecay::new(0.0, 20).warmup(4, 0.05)).clip(Clip::GlobalNorm(1.0)))
        }),
    ]
}

/// A small regression problem in `f32`: `w` [3, 2] and `b` [2] get gradients every step, `late`
/// only from step 3 on, and `frozen` never.
struct Problem {
    x: Var,
    y: Var,
    w: Var,
    b: Var,
    late: Var,
    frozen: Var,
}

impl Problem {
    fn new() -> Problem {
        let mut rng = Rng::new(7);
        Problem {
            x: Var::new(Tensor::randn(&[8, 3], &mut rng)),
            y: Var::new(Tensor::randn(&[8, 2], &mut rng)),
            w: Var::param(Tensor::randn(&[3, 2], &mut rng)),
            b: Var::param(Tensor::zeros(&[2])),
            late: Var::param(Tensor::randn(&[2], &mut rng)),
            frozen: Var::param(Tensor::ones(&[4])),
        }
    }

    fn params(&self) -> Vec<Var> {
        vec![self.w.clone(), self.b.clone(), self.late.clone(), self.frozen.clone()]
    }

    /// Runs the steps `from..to` (0-based step numbers) of the training loop.
    fn train(&self, opt: &mut dyn Optimizer, from: usize, to: usize) {
        for step in from..to {
            opt.zero_grad();
            let mut pred = self.x.matmul(&self.w).add(&self.b);
            if step >= 2 {
                pred = pred.add(&self.late);
            }
            pred.sub(&self.y).square().mean_all().backward();
            opt.step();
        }
    }

    fn values(&self) -> Vec<Vec<f32>> {
        self.params().iter().map(|p| p.value().to_vec::<f32>()).collect()
    }

    fn set_values(&self, values: &[Vec<f32>]) {
        for (p, v) in self.params().iter().zip(values) {
            p.set_value(Tensor::from_vec(v.clone(), p.shape()));
        }
    }
}

#[test]
fn resuming_from_a_state_dict_is_bit_identical() {
    for (name, make) in factories() {
        let problem = Problem::new();
        let start = problem.values();

        // Uninterrupted: 10 steps, remembering the parameters and state after 5.
        let mut opt = make(problem.params());
        problem.train(&mut *opt, 0, 5);
        let mid_values = problem.values();
        let state = opt.state_dict();
        problem.train(&mut *opt, 5, 10);
        let end = problem.values();
        assert_ne!(end, mid_values, "{name}: training moved nothing");

        // Restored: a fresh optimizer, the parameters as after 5 steps, the saved state, 5 steps.
        problem.set_values(&mid_values);
        let mut restored = make(problem.params());
        restored.load_state_dict(&state).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(restored.iterations(), 5, "{name}");
        assert_eq!(restored.learning_rate().to_bits(), state_lr(&state).to_bits(), "{name}");
        problem.train(&mut *restored, 5, 10);
        assert_eq!(problem.values(), end, "{name}: resumed run differs");

        // And a fresh optimizer without the state does differ (the test can fail).
        problem.set_values(&mid_values);
        let mut fresh = make(problem.params());
        problem.train(&mut *fresh, 5, 10);
        if !name.starts_with("sgd") || name.contains("momentum") {
            assert_ne!(problem.values(), end, "{name}: state made no difference");
        }
        problem.set_values(&start);
    }
}

fn state_lr(state: &[(String, Tensor)]) -> f64 {
    state.iter().find(|(n, _)| n == "lr").unwrap().1.item()
}

#[test]
fn state_dict_names_shapes_and_types() {
    let problem = Problem::new();
    let mut opt = Adam::new(problem.params(), 0.01).amsgrad(true);
    let names = |opt: &Adam| opt.state_dict().into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    assert_eq!(names(&opt), ["step", "lr"], "no state before the first step");

    problem.train(&mut opt, 0, 2);
    assert_eq!(
        names(&opt),
        [
            "step",
            "lr",
            "0.step",
            "0.exp_avg",
            "0.exp_avg_sq",
            "0.max_exp_avg_sq",
            "1.step",
            "1.exp_avg",
            "1.exp_avg_sq",
            "1.max_exp_avg_sq"
        ],
        "`late` and `frozen` had no gradient yet"
    );
    let state = opt.state_dict();
    let get = |name: &str| state.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(get("step").dtype(), DType::F64);
    assert_eq!(get("step").shape(), &[] as &[usize]);
    assert_eq!(get("step").item(), 2.0);
    assert_eq!(get("lr").item(), 0.01);
    assert_eq!(get("0.exp_avg").shape(), &[3, 2]);
    assert_eq!(get("0.exp_avg").dtype(), DType::F32, "state follows the parameter's type");

    problem.train(&mut opt, 2, 5);
    let state = opt.state_dict();
    let get = |name: &str| state.iter().find(|(n, _)| n == name).map(|(_, t)| t.item());
    assert_eq!(get("step"), Some(5.0));
    assert_eq!(get("0.step"), Some(5.0));
    assert_eq!(get("2.step"), Some(3.0), "`late` was updated from step 3 on");
    assert_eq!(get("3.step"), None, "`frozen` never had a gradient");
}

#[test]
fn state_is_kept_in_f64_for_f64_parameters() {
    let w = Var::param(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    let mut opt = RmsProp::new(vec![w.clone()], 0.01).momentum(0.5);
    w.set_grad(Some(Tensor::from_vec(vec![1.0f64, 1.0], &[2])));
    opt.step();
    for (name, t) in opt.state_dict() {
        assert_eq!(t.dtype(), DType::F64, "{name}");
    }
}

#[test]
fn parameters_without_gradients_are_skipped() {
    let a = Var::param(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    let b = Var::param(Tensor::from_vec(vec![3.0f64], &[1]));
    let mut opt = Adam::new(vec![a.clone(), b.clone()], 0.1);
    a.set_grad(Some(Tensor::from_vec(vec![1.0f64, -1.0], &[2])));
    opt.step();
    assert_eq!(b.value().to_vec::<f64>(), vec![3.0], "b had no gradient");
    assert_ne!(a.value().to_vec::<f64>(), vec![1.0, 2.0]);
    assert_eq!(opt.iterations(), 1);
    assert!(opt.state_dict().iter().all(|(n, _)| !n.starts_with("1.")), "no state for b");
}

// A parameter first updated at global step 3 gets Adam's first-step bias correction then: its
// trajectory equals that of an optimizer over it alone started at that point.
#[test]
fn late_parameters_get_their_own_step_count() {
    let run = |skip: usize| {
        let a = Var::param(Tensor::from_vec(vec![1.0f64], &[1]));
        let b = Var::param(Tensor::from_vec(vec![-1.0f64], &[1]));
        let mut opt = Adam::new(vec![a.clone(), b.clone()], 0.1);
        for step in 0..skip + 3 {
            a.set_grad(Some(Tensor::from_vec(vec![1.0f64], &[1])));
            b.set_grad((step >= skip).then(|| b.value().mul_scalar(2.0)));
            opt.step();
        }
        b.item()
    };
    assert_eq!(run(2), run(0));
}

#[test]
fn add_params_attaches_later_and_skips_duplicates() {
    let w = Var::param(Tensor::from_vec(vec![1.0f32], &[1]));
    let mut opt = Adam::default();
    assert!(opt.params().is_empty());
    opt.step(); // nothing to do, still counts
    assert_eq!(opt.iterations(), 1);
    opt.add_params(vec![w.clone(), w.clone()]);
    opt.add_params(vec![w.clone()]);
    assert_eq!(opt.params().len(), 1);
    w.set_grad(Some(Tensor::from_vec(vec![1.0f32], &[1])));
    opt.step();
    assert!(w.item() < 1.0);
}

#[test]
fn zero_grad_clears_every_gradient() {
    let problem = Problem::new();
    let mut opt = Sgd::new(problem.params(), 0.1);
    problem.train(&mut opt, 0, 3);
    assert!(problem.w.grad().is_some());
    opt.zero_grad();
    assert!(problem.params().iter().all(|p| p.grad().is_none()));
}

#[test]
fn non_contiguous_and_shared_parameter_values() {
    // A transposed (strided) value is made contiguous; a clone the user kept is not changed.
    let base = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let w = Var::param(base.t());
    assert!(!w.value().is_contiguous());
    let kept = w.value();
    let mut opt = Sgd::new(vec![w.clone()], 0.5);
    w.set_grad(Some(Tensor::ones(&[3, 2])));
    opt.step();
    assert_eq!(w.value().to_vec::<f32>(), vec![0.5, 3.5, 1.5, 4.5, 2.5, 5.5]);
    assert_eq!(kept.to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    assert_eq!(base.to_vec::<f32>(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

#[test]
fn a_saved_state_is_a_snapshot() {
    let w = Var::param(Tensor::from_vec(vec![1.0f32], &[1]));
    let mut opt = Adam::new(vec![w.clone()], 0.1);
    w.set_grad(Some(Tensor::from_vec(vec![1.0f32], &[1])));
    opt.step();
    let saved = opt.state_dict();
    let before: Vec<Vec<f64>> = saved.iter().map(|(_, t)| t.to_vec::<f64>()).collect();
    opt.step();
    let after: Vec<Vec<f64>> = saved.iter().map(|(_, t)| t.to_vec::<f64>()).collect();
    assert_eq!(before, after, "later steps must not write into a returned state");
}

#[test]
fn switching_amsgrad_on_later_adds_its_buffer() {
    let w = Var::param(Tensor::from_vec(vec![1.0f32], &[1]));
    let mut opt = Adam::new(vec![w.clone()], 0.1);
    w.set_grad(Some(Tensor::from_vec(vec![1.0f32], &[1])));
    opt.step();
    assert!(!opt.state_dict().iter().any(|(n, _)| n == "0.max_exp_avg_sq"));
    let mut opt = opt.amsgrad(true);
    opt.step();
    assert!(opt.state_dict().iter().any(|(n, _)| n == "0.max_exp_avg_sq"));
}

fn adam_state() -> (Var, Vec<(String, Tensor)>) {
    let w = Var::param(Tensor::zeros(&[2, 3]));
    let mut opt = Adam::new(vec![w.clone()], 0.1);
    w.set_grad(Some(Tensor::ones(&[2, 3])));
    opt.step();
    (w, opt.state_dict())
}

fn load_err(opt: &mut dyn Optimizer, state: &[(String, Tensor)]) -> OptimError {
    let before = opt.state_dict();
    let err = opt.load_state_dict(state).unwrap_err();
    let after = opt.state_dict();
    assert_eq!(before.len(), after.len(), "a failed load changes nothing");
    assert_eq!(opt.iterations(), before[0].1.item() as u64);
    err
}

#[test]
fn load_state_dict_lists_missing_unexpected_and_misshaped_entries() {
    let (w, mut state) = adam_state();
    state.retain(|(n, _)| n != "0.exp_avg_sq");
    for (n, t) in state.iter_mut() {
        if n == "0.exp_avg" {
            *t = Tensor::zeros(&[3]);
        }
    }
    state.push(("5.exp_avg".into(), Tensor::zeros(&[2, 3])));
    state.push(("0.momentum_buffer".into(), Tensor::zeros(&[2, 3])));
    let mut opt = Adam::new(vec![w], 0.1);
    let err = load_err(&mut opt, &state);
    assert_eq!(
        err,
        OptimError::StateDict {
            missing: vec!["0.exp_avg_sq".into()],
            unexpected: vec!["5.exp_avg".into(), "0.momentum_buffer".into()],
            mismatched: vec![ShapeMismatch { name: "0.exp_avg".into(), expected: vec![2, 3], found: vec![3] }],
        }
    );
    assert_eq!(
        err.to_string(),
        "load_state_dict: missing 0.exp_avg_sq; unexpected 5.exp_avg, 0.momentum_buffer; \
         wrong shape: 0.exp_avg has shape [3], expected [2, 3]"
    );
}

#[test]
fn load_state_dict_rejects_other_optimizers_and_options() {
    let (w, state) = adam_state();
    // Adam's buffers mean nothing to SGD with momentum. (No `0.momentum_buffer` is missing: a
    // parameter without any state is valid, it just never had a gradient.)
    let mut sgd = Sgd::new(vec![w.clone()], 0.1).momentum(0.9);
    let err = load_err(&mut sgd, &state);
    let OptimError::StateDict { missing, unexpected, .. } = err else { panic!("{err:?}") };
    assert!(missing.is_empty());
    assert_eq!(unexpected, ["0.step", "0.exp_avg", "0.exp_avg_sq"]);

    // AMSGrad needs its maximum buffer.
    let mut ams = Adam::new(vec![w.clone()], 0.1).amsgrad(true);
    let err = load_err(&mut ams, &state);
    assert_eq!(err.to_string(), "load_state_dict: missing 0.max_exp_avg_sq");

    // Fewer parameters: the extra index is unexpected.
    let mut none = Adam::new(vec![], 0.1);
    let err = load_err(&mut none, &state);
    assert_eq!(err.to_string(), "load_state_dict: unexpected 0.step, 0.exp_avg, 0.exp_avg_sq");
}

#[test]
fn load_state_dict_checks_the_counters() {
    let (w, state) = adam_state();
    let mut opt = Adam::new(vec![w], 0.1);

    let without_step: Vec<_> = state.iter().filter(|(n, _)| n != "step").cloned().collect();
    assert_eq!(load_err(&mut opt, &without_step).to_string(), "load_state_dict: missing step");

    let mut bad = state.clone();
    bad[0].1 = Tensor::scalar_dtype(2.5, DType::F64);
    assert_eq!(load_err(&mut opt, &bad).to_string(), "load_state_dict: step must be a non-negative integer, got 2.5");

    let mut bad = state.clone();
    bad[0].1 = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
    assert_eq!(load_err(&mut opt, &bad).to_string(), "load_state_dict: wrong shape: step has shape [2], expected []");

    let mut twice = state.clone();
    twice.push(twice[0].clone());
    assert_eq!(load_err(&mut opt, &twice).to_string(), "load_state_dict: unexpected step (given twice)");

    opt.load_state_dict(&state).unwrap();
    assert_eq!(opt.iterations(), 1);
}

#[test]
fn load_state_dict_converts_buffers_to_the_parameter_type() {
    let (_, state) = adam_state(); // f32 state
    let w64 = Var::param(Tensor::zeros(&[2, 3]).to_f64());
    let mut opt = Adam::new(vec![w64.clone()], 0.1);
    opt.load_state_dict(&state).unwrap();
    assert!(
        opt.state_dict()
            .iter()
            .filter(|(n, _)| n.starts_with("0.") && n != "0.step")
            .all(|(_, t)| t.dtype() == DType::F64)
    );
    w64.set_grad(Some(Tensor::ones(&[2, 3]).to_f64()));
    opt.step();
    assert_eq!(opt.state_dict()[2].1.item(), 2.0, "0.step continued from the loaded 1");
}

#[test]
fn loading_restores_a_constant_lr_but_keeps_a_schedule() {
    let w = Var::param(Tensor::zeros(&[1]));
    let mut opt = Sgd::new(vec![w.clone()], 0.1);
    opt.set_learning_rate(0.025); // e.g. ReduceLROnPlateau
    let state = opt.state_dict();

    let mut constant = Sgd::new(vec![w.clone()], 0.1);
    constant.load_state_dict(&state).unwrap();
    assert_eq!(constant.learning_rate(), 0.025);

    let mut scheduled = Sgd::new(vec![w], 0.1).schedule(kerosene_optim::StepDecay::new(1.0, 1, 0.5));
    let mut state = state;
    state[0].1 = Tensor::scalar_dtype(3.0, DType::F64);
    scheduled.load_state_dict(&state).unwrap();
    assert_eq!(scheduled.learning_rate(), 0.125, "the schedule at the restored step 3");
}

#[test]
fn optimizers_are_send() {
    fn send<T: Send>() {}
    send::<Box<dyn Optimizer>>();
    send::<Adam>();
    send::<Sgd>();
}

#[test]
fn a_gradient_of_another_type_is_converted() {
    let w = Var::param(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    let mut opt = Sgd::new(vec![w.clone()], 0.5).momentum(0.9);
    w.set_grad(Some(Tensor::from_vec(vec![1.0f32, 4.0], &[2]).t())); // f32, a (trivial) view
    opt.step();
    assert_eq!(w.value().to_vec::<f64>(), vec![0.5, 0.0]);
    assert_eq!(w.value().dtype(), DType::F64);
}
