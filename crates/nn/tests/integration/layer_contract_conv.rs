//! The convolution and pooling layers against the layer contract (`check_layer`), their specs,
//! and their shape errors.

use kerosene_autograd::Var;
use kerosene_nn::testing::check_layer;
use kerosene_nn::*;
use kerosene_tensor::{Rng, Tensor};

fn randn(shape: &'static [usize]) -> impl Fn(&mut Rng) -> Tensor {
    move |rng| Tensor::randn(shape, rng)
}

#[test]
fn conv2d_contract() {
    // valid 3x3, 2 -> 3 channels: 3*3*2*3 + 3 parameters
    check_layer(|| Conv2D::new(3, (3, 3)), &[2, 5, 6, 2], &[2, 3, 4, 3], 57, randn(&[2, 5, 6, 2]), false, false);
    // fused relu, "same" even kernel, stride 2
    check_layer(
        || Conv2D::new(2, (2, 2)).strides((2, 2)).padding(Padding::Same).activation(Activation::Relu),
        &[2, 5, 5, 3],
        &[2, 3, 3, 2],
        2 * 2 * 3 * 2 + 2,
        randn(&[2, 5, 5, 3]),
        false,
        false,
    );
    // dilation 2, no bias, an unfused activation
    check_layer(
        || Conv2D::new(2, (3, 3)).dilation_rate((2, 2)).use_bias(false).activation(Activation::Gelu),
        &[1, 7, 6, 2],
        &[1, 3, 2, 2],
        3 * 3 * 2 * 2,
        randn(&[1, 7, 6, 2]),
        false,
        false,
    );
}

#[test]
fn conv1d_contract() {
    check_layer(|| Conv1D::new(4, 3), &[2, 7, 3], &[2, 5, 4], 3 * 3 * 4 + 4, randn(&[2, 7, 3]), false, false);
    check_layer(
        || Conv1D::new(2, 2).padding(Padding::Same).activation(Activation::Tanh).strides(2),
        &[2, 7, 3],
        &[2, 4, 2],
        2 * 3 * 2 + 2,
        randn(&[2, 7, 3]),
        false,
        false,
    );
    check_layer(
        || Conv1D::new(2, 3).dilation_rate(2).causal(),
        &[2, 6, 1],
        &[2, 6, 2],
        3 * 2 + 2,
        randn(&[2, 6, 1]),
        false,
        false,
    );
}

#[test]
fn pooling_contract() {
    check_layer(|| MaxPooling2D::new((2, 2)), &[2, 5, 4, 3], &[2, 2, 2, 3], 0, randn(&[2, 5, 4, 3]), false, false);
    check_layer(
        || MaxPooling2D::new((3, 3)).strides((2, 2)).padding(Padding::Same),
        &[2, 5, 4, 3],
        &[2, 3, 2, 3],
        0,
        randn(&[2, 5, 4, 3]),
        false,
        false,
    );
    check_layer(|| AveragePooling2D::new((2, 2)), &[2, 5, 4, 3], &[2, 2, 2, 3], 0, randn(&[2, 5, 4, 3]), false, false);
    check_layer(
        || AveragePooling2D::new((2, 2)).strides((1, 1)).padding(Padding::Same),
        &[2, 3, 4, 2],
        &[2, 3, 4, 2],
        0,
        randn(&[2, 3, 4, 2]),
        false,
        false,
    );
    check_layer(GlobalAveragePooling2D::new, &[2, 3, 4, 5], &[2, 5], 0, randn(&[2, 3, 4, 5]), false, false);
    check_layer(
        || GlobalAveragePooling2D::new().keepdims(true),
        &[2, 3, 4, 5],
        &[2, 1, 1, 5],
        0,
        randn(&[2, 3, 4, 5]),
        false,
        false,
    );
    check_layer(GlobalMaxPooling2D::new, &[2, 3, 4, 5], &[2, 5], 0, randn(&[2, 3, 4, 5]), false, false);
}

#[test]
fn spatial_dropout2d_contract() {
    check_layer(|| SpatialDropout2D::new(0.3), &[3, 4, 4, 5], &[3, 4, 4, 5], 0, randn(&[3, 4, 4, 5]), false, true);
}

#[test]
fn spatial_dropout2d_drops_whole_channels_and_scales() {
    let d = SpatialDropout2D::new(0.25).seed(7);
    let x = Var::param(Tensor::ones(&[8, 3, 3, 32]));
    let y = d.forward(&x);
    let v = y.value().to_vec::<f32>();
    let (mut kept, mut dropped) = (0, 0);
    for n in 0..8 {
        for c in 0..32 {
            let first = v[n * 9 * 32 + c];
            assert!((0..9).all(|p| v[(n * 9 + p) * 32 + c] == first), "channel {c} of image {n} is not uniform");
            if first == 0.0 {
                dropped += 1
            } else {
                kept += 1
            }
            assert!(first == 0.0 || (first - 1.0 / 0.75).abs() < 1e-6);
        }
    }
    assert!(dropped > 30 && kept > 150, "kept {kept}, dropped {dropped} of 256 at rate 0.25");
    // The gradient goes through the same mask.
    y.sum_all().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), v);
}

#[test]
fn specs_round_trip() {
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(
            Conv2D::new(8, (3, 2))
                .strides((2, 1))
                .padding(Padding::Explicit(1, 0, 2, 1))
                .dilation_rate((1, 2))
                .activation(Activation::Relu)
                .use_bias(false)
                .kernel_initializer(Initializer::HeNormal)
                .bias_initializer(Initializer::Ones),
        ),
        Box::new(Conv1D::new(4, 5).strides(2).dilation_rate(2).causal().activation(Activation::Tanh)),
        Box::new(MaxPooling2D::new((3, 3)).strides((2, 2)).padding(Padding::Same)),
        Box::new(MaxPooling2D::new((2, 2))),
        Box::new(AveragePooling2D::new((2, 3)).padding(Padding::Same)),
        Box::new(GlobalAveragePooling2D::new().keepdims(true)),
        Box::new(GlobalMaxPooling2D::new()),
        Box::new(SpatialDropout2D::new(0.2).seed(5)),
    ];
    for l in &layers {
        let spec = l.spec().expect("built-in layers have a spec");
        let rebuilt = spec.instantiate();
        assert_eq!(rebuilt.spec().unwrap(), spec);
        assert_eq!(rebuilt.kind(), l.kind());
        assert_eq!(rebuilt.name(), snake_case(l.kind()), "default name of {}", l.kind());
    }
}

#[test]
fn shape_errors_name_the_layer_and_both_shapes() {
    let e = Conv2D::new(4, (3, 3)).output_shape(&[2, 2, 1]).unwrap_err().to_string();
    assert_eq!(
        e,
        "layer \"conv2d\" cannot apply a 3x3 kernel (Valid padding, strides (1, 1)) to input shape [2, 2, 1]: \
         the kernel is larger than the (padded) input"
    );
    let mut c = Conv2D::new(4, (3, 3));
    c.build(&[8, 8, 3], &mut Rng::new(0)).unwrap();
    let e = c.output_shape(&[8, 8, 1]).unwrap_err().to_string();
    assert_eq!(
        e,
        "layer \"conv2d\" expected axis -1 of input shape to have value 3, but received input with shape [8, 8, 1]"
    );
    let e = Conv2D::new(4, (3, 3)).output_shape(&[8, 8]).unwrap_err().to_string();
    assert!(e.contains("\"conv2d\"") && e.contains("rank 3") && e.contains("[8, 8]"), "{e}");
    let e = Conv1D::new(4, 5).dilation_rate(2).output_shape(&[6, 2]).unwrap_err().to_string();
    assert!(
        e.starts_with("layer \"conv1d\" cannot apply a kernel of size 5 (dilation 2") && e.contains("[6, 2]"),
        "{e}"
    );
    let e = MaxPooling2D::new((3, 3)).output_shape(&[2, 5, 1]).unwrap_err().to_string();
    assert!(e.starts_with("layer \"max_pooling2d\" cannot apply a 3x3 pool") && e.contains("[2, 5, 1]"), "{e}");
    let e = GlobalMaxPooling2D::new().output_shape(&[5, 1]).unwrap_err().to_string();
    assert!(e.contains("global_max_pooling2d") && e.contains("[5, 1]"), "{e}");
    // forward panics with the same message
    let conv = Conv2D::new(2, (3, 3)).name("first");
    let r = std::panic::catch_unwind(|| conv.forward(&Var::new(Tensor::zeros(&[1, 2, 2, 1]))));
    let m = r.err().unwrap().downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(m.starts_with("layer \"first\" cannot apply a 3x3 kernel"), "{m}");
}

#[test]
fn conv_kernel_init_uses_keras_conv_fans() {
    // glorot uniform limit sqrt(6 / (fan_in + fan_out)), fan_in = 3*3*16, fan_out = 3*3*32
    let mut c = Conv2D::new(32, (3, 3));
    c.build(&[10, 10, 16], &mut Rng::new(0)).unwrap();
    let k = c.weights().unwrap().kernel.value();
    assert_eq!(k.shape(), &[3, 3, 16, 32]);
    let limit = (6.0f64 / (144.0 + 288.0)).sqrt();
    assert!(k.max_all().item() <= limit && k.min_all().item() >= -limit);
    assert!(k.max_all().item() > 0.9 * limit, "the range should be used");
    assert_eq!(c.declared_input_shape(), None);
    assert_eq!(Conv2D::new(1, (1, 1)).input_shape(&[28, 28, 1]).declared_input_shape(), Some(vec![28, 28, 1]));
}

#[test]
fn w3_network_shapes() {
    // The W3 benchmark network: conv 32 3x3 relu -> pool 2 -> conv 64 3x3 relu -> pool 2 -> flatten
    // -> dense 128 relu -> dense 10.
    let mut rng = Rng::new(1);
    let mut layers: Vec<Box<dyn Layer>> = vec![
        Box::new(Conv2D::new(32, (3, 3)).activation(Activation::Relu)),
        Box::new(MaxPooling2D::new((2, 2))),
        Box::new(Conv2D::new(64, (3, 3)).activation(Activation::Relu)),
        Box::new(MaxPooling2D::new((2, 2))),
        Box::new(Flatten::new()),
        Box::new(Dense::new(128).activation(Activation::Relu)),
        Box::new(Dense::new(10)),
    ];
    let mut shape = vec![28, 28, 1];
    let mut shapes = vec![];
    for l in &mut layers {
        shape = l.build(&shape, &mut rng).unwrap();
        shapes.push(shape.clone());
    }
    assert_eq!(
        shapes,
        vec![vec![26, 26, 32], vec![13, 13, 32], vec![11, 11, 64], vec![5, 5, 64], vec![1600], vec![128], vec![10]]
    );
    let mut x = Var::new(Tensor::randn(&[4, 28, 28, 1], &mut rng));
    for l in &layers {
        x = l.forward(&x);
    }
    assert_eq!(x.shape(), &[4, 10]);
    let params: usize = layers.iter().map(|l| l.num_parameters()).sum();
    assert_eq!(params, 320 + 18_496 + 204_928 + 1_290);
}
