//! `OptimizerConfig`: Keras names with Keras defaults, serde round trips (bincode 2), and building
//! optimizers back from configs.

use kerosene_autograd::Var;
use kerosene_optim::{
    Adagrad, Adam, AdamW, Adamax, Clip, ExponentialDecay, Lion, NAdam, OPTIMIZER_NAMES, OptimError, Optimizer,
    OptimizerConfig, RmsProp, Sgd, StepDecay,
};
use kerosene_tensor::Tensor;

fn round_trip(cfg: &OptimizerConfig) -> OptimizerConfig {
    let c = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(cfg, c).unwrap();
    let (back, read) = bincode::serde::decode_from_slice::<OptimizerConfig, _>(&bytes, c).unwrap();
    assert_eq!(read, bytes.len());
    back
}

fn configured() -> Vec<Box<dyn Optimizer>> {
    vec![
        Box::new(Sgd::new(vec![], 0.1).momentum(0.9).nesterov(true).weight_decay(1e-4)),
        Box::new(Adam::new(vec![], 3e-4).betas(0.8, 0.99).eps(1e-6).amsgrad(true).clip(Clip::GlobalNorm(1.0))),
        Box::new(AdamW::new(vec![], 1e-3).weight_decay(0.05).schedule(StepDecay::new(1e-3, 100, 0.1))),
        Box::new(RmsProp::new(vec![], 0.01).centered(true).momentum(0.5).clip(Clip::Value(0.5))),
        Box::new(Adagrad::new(vec![], 0.1).lr_decay(0.01).initial_accumulator_value(0.1)),
        Box::new(Adamax::new(vec![], 0.002).weight_decay(0.01)),
        Box::new(NAdam::new(vec![], 0.002).momentum_decay(0.01).clip(Clip::Norm(2.0))),
        Box::new(
            Lion::new(vec![], 1e-4).weight_decay(1.0).schedule(ExponentialDecay::new(1e-4, 10, 0.9).staircase(true)),
        ),
    ]
}

#[test]
fn configs_round_trip_through_bincode_and_build() {
    for opt in configured() {
        let cfg = opt.config();
        assert_eq!(round_trip(&cfg), cfg);
        let rebuilt = cfg.build(vec![Var::param(Tensor::zeros(&[2]))]).unwrap();
        assert_eq!(rebuilt.config(), cfg, "{}", cfg.name());
        assert_eq!(rebuilt.learning_rate(), opt.learning_rate());
        assert_eq!(rebuilt.params().len(), 1);
    }
}

// A model saved and reloaded trains identically: same config, same state, same updates.
#[test]
fn config_plus_state_dict_rebuild_an_identical_optimizer() {
    for opt in configured() {
        let name = opt.config().name();
        let (a, b) = (
            Var::param(Tensor::from_vec(vec![1.0f32, -2.0], &[2])),
            Var::param(Tensor::from_vec(vec![1.0f32, -2.0], &[2])),
        );
        let mut first = opt.config().build(vec![a.clone()]).unwrap();
        let grad = |p: &Var| p.set_grad(Some(p.value().mul_scalar(2.0).add_scalar(0.5)));
        for _ in 0..3 {
            grad(&a);
            first.step();
        }
        let cfg = round_trip(&first.config());
        let c = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(first.state_dict(), c).unwrap();
        let state: Vec<(String, Tensor)> = bincode::serde::decode_from_slice(&bytes, c).unwrap().0;

        b.set_value(a.value());
        let mut second = cfg.build(vec![b.clone()]).unwrap();
        second.load_state_dict(&state).unwrap();
        for _ in 0..3 {
            grad(&a);
            first.step();
            grad(&b);
            second.step();
        }
        assert_eq!(a.value().to_vec::<f32>(), b.value().to_vec::<f32>(), "{name}");
    }
}

#[test]
fn from_name_has_keras_defaults() {
    for &name in OPTIMIZER_NAMES {
        let cfg = OptimizerConfig::from_name(name).unwrap();
        assert_eq!(cfg.name(), name);
        assert_eq!(round_trip(&cfg), cfg);
        let opt = cfg.build(vec![]).unwrap();
        assert_eq!(opt.config(), cfg);
    }
    let lr = |name: &str| OptimizerConfig::from_name(name).unwrap().learning_rate();
    assert_eq!(lr("sgd"), 0.01);
    for name in ["adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam", "lion"] {
        assert_eq!(lr(name), 0.001, "{name}");
    }
    assert_eq!(OptimizerConfig::from_name("adam").unwrap(), Adam::default().config());
    assert_eq!(OptimizerConfig::from_name("AdamW").unwrap(), AdamW::default().config());
    assert_eq!(OptimizerConfig::from_name("RMSprop").unwrap(), RmsProp::default().config());
    assert_eq!(OptimizerConfig::from_name("adagrad").unwrap(), Adagrad::default().config());
    assert_eq!(OptimizerConfig::from_name("sgd").unwrap(), Sgd::default().config());
    let OptimizerConfig::Adam { hyper, .. } = OptimizerConfig::from_name("adam").unwrap() else { unreachable!() };
    assert_eq!((hyper.beta1, hyper.beta2, hyper.eps), (0.9, 0.999, 1e-7));
    let OptimizerConfig::RmsProp { hyper, .. } = OptimizerConfig::from_name("rmsprop").unwrap() else { unreachable!() };
    assert_eq!((hyper.alpha, hyper.eps), (0.9, 1e-7));
    let OptimizerConfig::Adagrad { hyper, .. } = OptimizerConfig::from_name("adagrad").unwrap() else { unreachable!() };
    assert_eq!((hyper.initial_accumulator_value, hyper.eps), (0.1, 1e-7));
}

#[test]
fn unknown_names_list_the_known_ones() {
    let err = OptimizerConfig::from_name("sgdd").unwrap_err();
    assert!(matches!(&err, OptimError::UnknownOptimizer { name, known } if name == "sgdd" && known.len() == 8));
    assert_eq!(
        err.to_string(),
        "unknown optimizer \"sgdd\"; known optimizers: sgd, adam, adamw, rmsprop, adagrad, adamax, nadam, lion"
    );
}

#[test]
fn with_learning_rate_and_invalid_configs() {
    let cfg = OptimizerConfig::from_name("adam").unwrap().with_learning_rate(0.05);
    assert_eq!(cfg.build(vec![]).unwrap().learning_rate(), 0.05);
    let bad = cfg.with_learning_rate(-1.0);
    assert_eq!(bad.build(vec![]).err().unwrap().to_string(), "Invalid learning rate: -1.0");
    // AdamW stays decoupled whatever the file says.
    let OptimizerConfig::AdamW { mut hyper, schedule, clip } = AdamW::default().config() else { unreachable!() };
    hyper.decoupled_weight_decay = false;
    let opt = OptimizerConfig::AdamW { hyper, schedule, clip }.build(vec![]).unwrap();
    let OptimizerConfig::AdamW { hyper, .. } = opt.config() else { unreachable!() };
    assert!(hyper.decoupled_weight_decay);
}

#[test]
fn box_dyn_optimizer_is_an_optimizer() {
    fn train(opt: &mut impl Optimizer, w: &Var) {
        w.set_grad(Some(Tensor::ones(&[1])));
        opt.step();
    }
    let w = Var::param(Tensor::zeros(&[1]));
    let mut opt = OptimizerConfig::from_name("sgd").unwrap().build(vec![w.clone()]).unwrap();
    train(&mut opt, &w);
    assert!((w.item() + 0.01).abs() < 1e-9);
    assert_eq!(opt.iterations(), 1);
}
