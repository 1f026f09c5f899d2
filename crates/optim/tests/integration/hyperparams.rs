//! Invalid hyper-parameters are rejected with PyTorch's messages: `try_new` / `try_` builders
//! return them as `OptimError::InvalidHyperParameter`, `new` and the builders panic with them.
//! (Floats print in Rust's `Debug` form, which matches Python's `repr` for these values.)

use kerosene_optim::{
    Adagrad, AdagradParams, Adam, AdamParams, AdamW, Adamax, Lion, NAdam, OptimError, Optimizer, RmsProp, Sgd,
    SgdParams,
};

fn msg<T>(r: Result<T, OptimError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(OptimError::InvalidHyperParameter(m)) => m,
        Err(e) => panic!("wrong kind of error: {e:?}"),
    }
}

#[test]
fn learning_rate() {
    let expected = "Invalid learning rate: -0.1";
    assert_eq!(msg(Sgd::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(Adam::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(AdamW::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(RmsProp::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(Adagrad::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(Adamax::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(NAdam::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(Lion::try_new(vec![], -0.1)), expected);
    assert_eq!(msg(Adam::try_new(vec![], f64::NAN)), "Invalid learning rate: NaN");
    assert_eq!(Adam::try_new(vec![], -0.1).err().unwrap(), OptimError::InvalidHyperParameter(expected.into()));
    assert!(Sgd::try_new(vec![], 0.0).is_ok(), "0 is allowed, as in PyTorch");
}

#[test]
fn keras_style_learning_rate_builder() {
    // Adam(learning_rate=0.01): Keras' other defaults (eps 1e-7) are kept.
    let adam = Adam::default().lr(0.01);
    assert_eq!(adam.learning_rate(), 0.01);
    assert_eq!(adam.hyper().eps, 1e-7);
    assert_eq!(Sgd::default().lr(0.5).learning_rate(), 0.5);
    let panic = std::panic::catch_unwind(|| Adam::default().lr(-1.0)).unwrap_err();
    assert_eq!(panic.downcast_ref::<String>().map(String::as_str), Some("Invalid learning rate: -1.0"));
}

#[test]
fn sgd() {
    let sgd = || Sgd::new(vec![], 0.1);
    assert_eq!(msg(sgd().try_momentum(-0.5)), "Invalid momentum value: -0.5");
    assert_eq!(msg(sgd().try_weight_decay(-1.0)), "Invalid weight_decay value: -1.0");
    let nesterov = "Nesterov momentum requires a momentum and zero dampening";
    assert_eq!(msg(sgd().try_nesterov(true)), nesterov);
    assert_eq!(msg(sgd().momentum(0.9).dampening(0.1).try_nesterov(true)), nesterov);
    assert_eq!(msg(sgd().momentum(0.9).nesterov(true).try_dampening(0.1)), nesterov);
    assert_eq!(msg(sgd().momentum(0.9).nesterov(true).try_momentum(0.0)), nesterov);
    let bad = SgdParams { nesterov: true, ..SgdParams::default() };
    assert_eq!(msg(Sgd::from_hyper(vec![], bad)), nesterov);
    assert!(sgd().momentum(0.9).try_nesterov(true).is_ok());
}

#[test]
fn adam_family() {
    let adam = || Adam::new(vec![], 0.1);
    assert_eq!(msg(adam().try_betas(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0");
    assert_eq!(msg(adam().try_betas(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0");
    assert_eq!(msg(adam().try_betas(-0.1, 0.999)), "Invalid beta parameter at index 0: -0.1");
    assert_eq!(msg(adam().try_eps(-1e-8)), "Invalid epsilon value: -1e-8");
    assert_eq!(msg(adam().try_weight_decay(-0.01)), "Invalid weight_decay value: -0.01");
    assert_eq!(msg(AdamW::new(vec![], 0.1).try_betas(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5");
    assert_eq!(msg(Adamax::new(vec![], 0.1).try_eps(-1.0)), "Invalid epsilon value: -1.0");
    assert_eq!(msg(NAdam::new(vec![], 0.1).try_momentum_decay(-1.0)), "Invalid momentum_decay value: -1.0");
    assert_eq!(msg(Lion::new(vec![], 0.1).try_betas(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0");
    let bad = AdamParams { beta2: 2.0, ..AdamParams::default() };
    assert_eq!(msg(Adam::from_hyper(vec![], bad)), "Invalid beta parameter at index 1: 2.0");
}

#[test]
fn rmsprop_and_adagrad() {
    let rms = || RmsProp::new(vec![], 0.1);
    assert_eq!(msg(rms().try_alpha(-0.9)), "Invalid alpha value: -0.9");
    assert_eq!(msg(rms().try_eps(-1.0)), "Invalid epsilon value: -1.0");
    assert_eq!(msg(rms().try_momentum(-1.0)), "Invalid momentum value: -1.0");
    assert_eq!(msg(rms().try_weight_decay(-1.0)), "Invalid weight_decay value: -1.0");
    let ada = || Adagrad::new(vec![], 0.1);
    assert_eq!(msg(ada().try_lr_decay(-1.0)), "Invalid lr_decay value: -1.0");
    assert_eq!(msg(ada().try_initial_accumulator_value(-1.0)), "Invalid initial_accumulator_value value: -1.0");
    assert_eq!(msg(ada().try_eps(-1.0)), "Invalid epsilon value: -1.0");
    let bad = AdagradParams { weight_decay: -2.0, ..AdagradParams::default() };
    assert_eq!(msg(Adagrad::from_hyper(vec![], bad)), "Invalid weight_decay value: -2.0");
}

#[test]
#[should_panic(expected = "Invalid learning rate: -0.1")]
fn new_panics_with_the_message() {
    let _ = Adam::new(vec![], -0.1);
}

#[test]
#[should_panic(expected = "Invalid beta parameter at index 1: 1.0")]
fn builders_panic_with_the_message() {
    let _ = Adam::new(vec![], 0.1).betas(0.9, 1.0);
}

#[test]
#[should_panic(expected = "Nesterov momentum requires a momentum and zero dampening")]
fn nesterov_without_momentum_panics() {
    let _ = Sgd::new(vec![], 0.1).nesterov(true);
}

#[test]
#[should_panic(expected = "Invalid learning rate: -1.0")]
fn set_learning_rate_is_checked() {
    Sgd::new(vec![], 0.1).set_learning_rate(-1.0);
}

// `new` follows PyTorch, `Default` follows Keras.
#[test]
fn pytorch_and_keras_defaults() {
    let torch = Adam::new(vec![], 0.001).hyper();
    let keras = Adam::default().hyper();
    assert_eq!((torch.eps, keras.eps), (1e-8, 1e-7));
    assert_eq!((keras.lr, keras.beta1, keras.beta2), (0.001, 0.9, 0.999));
    let (torch, keras) = (AdamW::new(vec![], 0.001).hyper(), AdamW::default().hyper());
    assert_eq!((torch.weight_decay, keras.weight_decay), (0.01, 0.004));
    assert!(torch.decoupled_weight_decay && keras.decoupled_weight_decay);
    let (torch, keras) = (RmsProp::new(vec![], 0.01).hyper(), RmsProp::default().hyper());
    assert_eq!((torch.alpha, torch.eps, keras.alpha, keras.eps, keras.lr), (0.99, 1e-8, 0.9, 1e-7, 0.001));
    let (torch, keras) = (Adagrad::new(vec![], 0.01).hyper(), Adagrad::default().hyper());
    assert_eq!((torch.initial_accumulator_value, torch.eps), (0.0, 1e-10));
    assert_eq!((keras.initial_accumulator_value, keras.eps, keras.lr), (0.1, 1e-7, 0.001));
    assert_eq!(Sgd::default().learning_rate(), 0.01);
    assert_eq!(Sgd::new(vec![], 0.5).hyper(), SgdParams { lr: 0.5, ..SgdParams::default() });
}
