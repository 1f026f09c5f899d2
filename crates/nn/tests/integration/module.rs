//! The Module protocol: names, state dicts, modes, dtype, and the specs of built-in layers.

use kerosene_autograd::{Var, no_grad};
use kerosene_nn::*;
use kerosene_tensor::{DType, Rng, Tensor};

struct Net {
    fc1: Linear,
    drop: Dropout,
    fc2: Linear,
}

impl Module for Net {
    fn forward(&self, x: &Var) -> Var {
        self.fc2.forward(&self.drop.forward(&self.fc1.forward(x).relu()))
    }
    fn visit(&self, v: &mut Visitor) {
        visit_modules!(v, self, fc1, drop, fc2);
    }
}

fn net(seed: u64) -> Net {
    let mut rng = Rng::new(seed);
    Net { fc1: Linear::new(4, 8, &mut rng), drop: Dropout::new(0.5), fc2: Linear::new(8, 3, &mut rng) }
}

#[test]
fn dotted_names_and_counts() {
    let n = net(0);
    let names: Vec<String> = n.named_parameters().into_iter().map(|(k, _)| k).collect();
    assert_eq!(names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    assert_eq!(n.num_parameters(), 4 * 8 + 8 + 8 * 3 + 3);
    // The state dict adds buffers: here Dropout's mask-generator state (as Keras keeps it).
    assert_eq!(
        n.state_dict().names(),
        vec!["fc1.weight", "fc1.bias", "drop.seed_generator_state", "fc2.weight", "fc2.bias"]
    );
}

#[test]
fn eval_reaches_nested_layers() {
    let n = net(0);
    let x = Var::new(Tensor::randn(&[16, 4], &mut Rng::new(3)));
    n.eval();
    let a = no_grad(|| n.forward(&x).value());
    let b = no_grad(|| n.forward(&x).value());
    assert_eq!(a, b, "dropout must be off in eval mode");
    n.train();
    let c = no_grad(|| n.forward(&x).value());
    let d = no_grad(|| n.forward(&x).value());
    assert_ne!(c, d, "dropout must be on in training mode");
}

#[test]
fn state_dict_round_trip_and_mismatch_report() {
    let (a, b) = (net(1), net(2));
    let x = Var::new(Tensor::ones(&[2, 4]));
    a.eval();
    b.eval();
    assert_ne!(a.forward(&x).value(), b.forward(&x).value());
    b.load_state_dict(&a.state_dict()).unwrap();
    assert_eq!(a.forward(&x).value(), b.forward(&x).value());

    let mut sd = a.state_dict();
    sd.insert("fc3.weight", Tensor::zeros(&[1]));
    sd.insert("fc1.bias", Tensor::zeros(&[9]));
    let sd: StateDict = sd.into_iter().filter(|(n, _)| n != "fc2.bias").collect();
    let before = b.state_dict();
    let err = b.load_state_dict(&sd).unwrap_err();
    assert_eq!(
        err.to_string(),
        "weights do not match the model:\n  missing: fc2.bias\n  unexpected: fc3.weight\n  wrong shape: fc1.bias: model has [8], file has [9]"
    );
    assert_eq!(b.state_dict(), before, "a failed load must change nothing");
}

#[test]
fn to_dtype_converts_parameters_and_buffers() {
    let bn = BatchNormalization::new();
    bn.forward(&Var::new(Tensor::ones(&[2, 3])));
    bn.to_dtype(DType::F64);
    assert!(bn.state_dict().iter().all(|(_, t)| t.dtype() == DType::F64));
    assert_eq!(bn.parameters()[0].dtype(), DType::F64);
}

#[test]
fn batch_norm_moving_statistics_follow_keras() {
    let bn = BatchNormalization::new().momentum(0.9);
    let x = Var::new(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 6.0], &[2, 2]));
    bn.forward(&x);
    let sd = bn.state_dict();
    // batch mean [2, 4], biased var [1, 4]; moving = 0.9 * init + 0.1 * batch
    assert!(sd.get("moving_mean").unwrap().allclose(&Tensor::from_vec(vec![0.2f32, 0.4], &[2]), 1e-6, 1e-6));
    assert!(sd.get("moving_variance").unwrap().allclose(&Tensor::from_vec(vec![1.0f32, 1.3], &[2]), 1e-6, 1e-6));
    bn.eval();
    let y = bn.forward(&x).value();
    let want = (1.0 - 0.2) / (1.0f64 + 1e-3).sqrt();
    assert!((y.at(&[0, 0]) - want).abs() < 1e-5);
}

#[test]
fn dense_errors_name_the_layer_and_shapes() {
    let mut d = Dense::new(10).name("dense_2");
    d.build(&[64], &mut Rng::new(0)).unwrap();
    let e = d.output_shape(&[128]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "layer \"dense_2\" expected axis -1 of input shape to have value 64, but received input with shape [128]"
    );
    let r = std::panic::catch_unwind(|| d.forward(&Var::new(Tensor::zeros(&[32, 128]))));
    let msg = r.unwrap_err().downcast_ref::<String>().cloned().unwrap();
    assert!(msg.contains("layer \"dense_2\" expected axis -1 of input shape to have value 64"), "{msg}");
}

#[test]
fn specs_rebuild_equivalent_layers() {
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(Dense::new(3).activation(Activation::Tanh).use_bias(false)),
        Box::new(Dropout::new(0.25).seed(4)),
        Box::new(Flatten::new()),
        Box::new(Softmax::new()),
        Box::new(LeakyReLU::new(0.1)),
        Box::new(Embedding::new(9, 2).padding_idx(3)),
        Box::new(BatchNormalization::new().momentum(0.5)),
        Box::new(LayerNormalization::new().epsilon(1e-5)),
        Box::new(Linear::new(3, 2, &mut Rng::new(0))),
    ];
    for l in layers {
        let spec = l.spec().expect("built-in layers have a spec");
        let rebuilt = spec.instantiate();
        assert_eq!(rebuilt.spec().unwrap(), spec);
        assert_eq!(rebuilt.kind(), l.kind());
    }
}

#[test]
fn initializers_are_seeded_and_orthogonal_is_orthogonal() {
    let a = Initializer::HeNormal.init(&[30, 20], &mut Rng::new(5));
    let b = Initializer::HeNormal.init(&[30, 20], &mut Rng::new(5));
    assert_eq!(a, b);
    for shape in [[8usize, 8], [16, 4], [4, 16]] {
        let q = Initializer::Orthogonal { gain: 1.0 }.init(&shape, &mut Rng::new(3)).to_f64();
        let g = if shape[0] >= shape[1] { q.t().matmul(&q) } else { q.matmul(&q.t()) };
        let n = shape[0].min(shape[1]);
        assert!(g.allclose(&Tensor::eye(n).to_f64(), 1e-5, 1e-5), "{shape:?}: {g:?}");
    }
    let c = Initializer::Constant(0.5).init(&[3], &mut Rng::new(0));
    assert_eq!(c.to_vec::<f32>(), vec![0.5; 3]);
}
