//! Every loss against hand-computed values, gradchecked, stable at the edges, and with clear
//! errors for bad targets.

use kerosene_autograd::{Tolerances, Var, gradcheck};
use kerosene_losses::*;
use kerosene_tensor::{Rng, Tensor};

fn t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape)
}

type Case<'a> = (&'a str, Tensor, Box<dyn Fn(&Var) -> Var + 'a>);

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

#[test]
fn regression_values_by_hand() {
    let p = Var::new(t(&[1.0, 2.0, 3.0, 5.0], &[2, 2]));
    let y = t(&[0.0, 2.0, 1.0, 1.0], &[2, 2]);
    // squared errors [1, 0, 4, 16] -> per sample [0.5, 10]
    assert_eq!(mse(&p, &y, Reduction::None).unwrap().value().to_vec::<f64>(), vec![0.5, 10.0]);
    close(mse(&p, &y, Reduction::Mean).unwrap().item(), 5.25);
    close(mse(&p, &y, Reduction::Sum).unwrap().item(), 10.5);
    // absolute errors [1, 0, 2, 4] -> per sample [0.5, 3]
    close(mae(&p, &y, Reduction::Mean).unwrap().item(), 1.75);
    // huber δ=1: e = [1, 0, 2, 4] -> [0.5, 0, 1.5, 3.5] -> per sample [0.25, 2.5]
    assert_eq!(huber(&p, &y, 1.0, Reduction::None).unwrap().value().to_vec::<f64>(), vec![0.25, 2.5]);
    // weighted mean divides by the count: (0.5 * 2 + 10 * 0) / 2
    close(mse_weighted(&p, &y, Some(&t(&[2.0, 0.0], &[2])), Reduction::Mean).unwrap().item(), 0.5);
}

#[test]
fn target_without_final_unit_axis_is_accepted() {
    let p = Var::new(t(&[1.0, 2.0], &[2, 1]));
    close(mse(&p, &t(&[0.0, 0.0], &[2]), Reduction::Mean).unwrap().item(), 2.5);
    let e = mse(&p, &t(&[0.0, 0.0, 0.0], &[3]), Reduction::Mean).unwrap_err();
    assert_eq!(e.to_string(), "mse: targets must have the predictions' shape: predictions [2, 1], targets [3]");
}

#[test]
fn cross_entropies_by_hand() {
    // logits [ln 1, ln 3] -> softmax [0.25, 0.75]
    let z = Var::new(t(&[0.0, 3f64.ln()], &[1, 2]));
    let y = t(&[1.0], &[1]);
    close(cross_entropy(&z, &y).item(), -(0.75f64).ln());
    let p = Var::new(t(&[0.25, 0.75], &[1, 2]));
    close(sparse_categorical_cross_entropy(&p, &y, false, None, Reduction::Mean).unwrap().item(), -(0.75f64).ln());
    let onehot = t(&[0.0, 1.0], &[1, 2]);
    close(categorical_cross_entropy(&z, &onehot, true, None, Reduction::Mean).unwrap().item(), -(0.75f64).ln());
    close(categorical_cross_entropy(&p, &onehot, false, None, Reduction::Mean).unwrap().item(), -(0.75f64).ln());
    // labels as [N, 1] (Keras) work too
    close(
        sparse_categorical_cross_entropy(&z, &t(&[1.0], &[1, 1]), true, None, Reduction::Mean).unwrap().item(),
        -(0.75f64).ln(),
    );
    // KL(t || p) with t = [0.5, 0.5], p = [0.25, 0.75]
    let kl = kl_divergence(&p, &t(&[0.5, 0.5], &[1, 2]), None, Reduction::Mean).unwrap().item();
    close(kl, 0.5 * (0.5f64 / 0.25).ln() + 0.5 * (0.5f64 / 0.75).ln());
    // binary: p = 0.8, t = 1 -> -ln 0.8; logit z = ln 4 gives p = 0.8
    let bp = Var::new(t(&[0.8], &[1, 1]));
    close(binary_cross_entropy(&bp, &t(&[1.0], &[1, 1]), false, Reduction::Mean).unwrap().item(), -(0.8f64).ln());
    let bz = Var::new(t(&[4f64.ln()], &[1, 1]));
    close(binary_cross_entropy(&bz, &t(&[1.0], &[1, 1]), true, Reduction::Mean).unwrap().item(), -(0.8f64).ln());
}

#[test]
fn every_loss_is_gradchecked() {
    let mut rng = Rng::new(4);
    let pred = Tensor::randn(&[4, 3], &mut rng).to_f64();
    let probs = pred.softmax(-1);
    let sig = pred.sigmoid();
    let target = Tensor::randn(&[4, 3], &mut rng).to_f64();
    let onehot = t(&[1.0, 0.0, 2.0, 1.0], &[4]).one_hot(3);
    let labels = t(&[1.0, 0.0, 2.0, 1.0], &[4]);
    let bin = t(&[1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0], &[4, 3]);
    let w = t(&[1.0, 0.5, 2.0, 0.0], &[4]);
    let tol = Tolerances::default();
    let cases: Vec<Case> = vec![
        ("mse", pred.clone(), Box::new(|p: &Var| mse(p, &target, Reduction::Mean).unwrap())),
        ("mae", pred.clone(), Box::new(|p: &Var| mae(p, &target, Reduction::Sum).unwrap())),
        ("huber", pred.clone(), Box::new(|p: &Var| huber(p, &target, 0.7, Reduction::None).unwrap())),
        ("bce logits", pred.clone(), Box::new(|p: &Var| binary_cross_entropy(p, &bin, true, Reduction::Mean).unwrap())),
        ("bce probs", sig.clone(), Box::new(|p: &Var| binary_cross_entropy(p, &bin, false, Reduction::Mean).unwrap())),
        (
            "cce logits",
            pred.clone(),
            Box::new(|p: &Var| categorical_cross_entropy(p, &onehot, true, Some(&w), Reduction::Mean).unwrap()),
        ),
        (
            "cce probs",
            probs.clone(),
            Box::new(|p: &Var| categorical_cross_entropy(p, &onehot, false, None, Reduction::Mean).unwrap()),
        ),
        (
            "scce logits",
            pred.clone(),
            Box::new(|p: &Var| sparse_categorical_cross_entropy(p, &labels, true, Some(&w), Reduction::Sum).unwrap()),
        ),
        (
            "scce probs",
            probs.clone(),
            Box::new(|p: &Var| sparse_categorical_cross_entropy(p, &labels, false, None, Reduction::Mean).unwrap()),
        ),
        (
            "kl",
            probs.clone(),
            Box::new(|p: &Var| kl_divergence(p, &probs.sqrt().softmax(-1), None, Reduction::Mean).unwrap()),
        ),
    ];
    for (name, x, f) in cases {
        if let Err(e) = gradcheck(|v| f(&v[0]), &[x], tol) {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn probabilities_of_exactly_zero_and_one_stay_finite() {
    let p = Var::param(t(&[0.0, 1.0, 1.0, 0.0], &[2, 2]));
    let y = t(&[1.0, 0.0, 0.0, 1.0], &[2, 2]); // maximally wrong
    for l in [
        binary_cross_entropy(&p, &y, false, Reduction::Mean).unwrap(),
        categorical_cross_entropy(&p, &y, false, None, Reduction::Mean).unwrap(),
        sparse_categorical_cross_entropy(&p, &t(&[0.0, 1.0], &[2]), false, None, Reduction::Mean).unwrap(),
        kl_divergence(&p, &y, None, Reduction::Mean).unwrap(),
    ] {
        assert!(l.item().is_finite(), "{l:?}");
        l.backward();
        assert!(p.grad().unwrap().all_finite());
        p.zero_grad();
    }
    // ... and huge logits too.
    let z = Var::param(t(&[1e4, -1e4, 0.0, 0.0], &[2, 2]));
    let l = categorical_cross_entropy(&z, &y, true, None, Reduction::Mean).unwrap();
    assert!(l.item().is_finite());
    let b = binary_cross_entropy(&z, &y, true, Reduction::Mean).unwrap();
    assert!(b.item().is_finite());
    b.backward();
    assert!(z.grad().unwrap().all_finite());
}

#[test]
fn labels_out_of_range_are_errors_naming_label_and_index() {
    let z = Var::new(Tensor::zeros(&[3, 10]));
    let e = sparse_categorical_cross_entropy(
        &z,
        &Tensor::from_vec(vec![1.0f32, 10.0, 2.0], &[3]),
        true,
        None,
        Reduction::Mean,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "sparse_categorical_crossentropy: label 10 at index 1 is out of range for 10 classes (0..10)"
    );
    let e = try_cross_entropy(&z, &Tensor::from_vec(vec![-1.0f32, 0.0, 2.0], &[3])).unwrap_err();
    assert!(matches!(e, LossError::Label { index: 0, classes: 10, .. }));
    let e = try_cross_entropy(&z, &Tensor::from_vec(vec![0.0f32, 0.5, 2.0], &[3])).unwrap_err();
    assert!(e.to_string().contains("label 0.5 at index 1"));
    let e = try_cross_entropy(&z, &Tensor::from_vec(vec![0.0f32, 1.0], &[2])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "sparse_categorical_crossentropy: labels must have the predictions' shape without the class axis: predictions [3, 10], targets [2]"
    );
    let r = std::panic::catch_unwind(|| cross_entropy(&z, &Tensor::from_vec(vec![0.0f32, 1.0, 11.0], &[3])));
    assert!(r.unwrap_err().downcast_ref::<String>().unwrap().contains("label 11 at index 2"));
}

#[test]
fn weights_must_fit() {
    let p = Var::new(Tensor::zeros(&[3, 2]));
    let e = mse_weighted(&p, &Tensor::zeros(&[3, 2]), Some(&Tensor::ones(&[4])), Reduction::Mean).unwrap_err();
    assert_eq!(e.to_string(), "mse: sample weights of shape [4] do not fit per-sample losses of shape [3]");
}

#[test]
fn loss_enum_by_name_and_value() {
    for (name, want) in [
        ("mse", Loss::MeanSquaredError),
        ("mae", Loss::MeanAbsoluteError),
        ("huber", Loss::Huber(1.0)),
        ("binary_crossentropy", Loss::BinaryCrossentropy),
        ("categorical_crossentropy", Loss::CategoricalCrossentropy),
        ("sparse_categorical_crossentropy", Loss::SparseCategoricalCrossentropy),
        ("kl_divergence", Loss::KLDivergence),
    ] {
        assert_eq!(Loss::from_name(name).unwrap(), want);
    }
    assert!(Loss::from_name("msee").unwrap_err().to_string().starts_with("unknown loss \"msee\""));
    let z = Var::new(t(&[0.0, 3f64.ln()], &[1, 2]));
    let l = Loss::CategoricalCrossentropy.from_logits().compute(&z, &t(&[0.0, 1.0], &[1, 2]), None, Reduction::Mean);
    close(l.unwrap().item(), -(0.75f64).ln());
    // the fused sparse path equals the composed one-hot path
    let zz = Var::new(Tensor::randn(&[5, 4], &mut Rng::new(1)).to_f64());
    let lab = t(&[0.0, 3.0, 2.0, 1.0, 3.0], &[5]);
    let a = Loss::SparseCategoricalCrossentropyFromLogits.compute(&zz, &lab, None, Reduction::Mean).unwrap().item();
    let b =
        Loss::CategoricalCrossentropyFromLogits.compute(&zz, &lab.one_hot(4), None, Reduction::Mean).unwrap().item();
    assert!((a - b).abs() < 1e-12);
}
