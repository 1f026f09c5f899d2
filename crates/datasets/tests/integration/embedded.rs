//! The embedded datasets: shapes, names, class counts and known values.

use kerosene_datasets::{DataLoader, TabularDataset, breast_cancer, diabetes, digits, iris, wine};

fn class_counts(d: &TabularDataset) -> Vec<usize> {
    let mut h = vec![0; d.num_classes()];
    for v in d.y.to_vec::<f32>() {
        assert_eq!(v.fract(), 0.0);
        h[v as usize] += 1;
    }
    h
}

#[test]
fn iris_is_complete() {
    let d = iris();
    assert_eq!(d.name, "iris");
    assert_eq!(d.x.shape(), &[150, 4]);
    assert_eq!(d.y.shape(), &[150]);
    assert_eq!(class_counts(&d), vec![50, 50, 50]);
    assert_eq!(&d.x.to_vec::<f32>()[..4], &[5.1, 3.5, 1.4, 0.2]);
    assert_eq!(d.feature_names.len(), 4);
    assert!(d.is_classification());
    assert!(d.images().is_none());
}

#[test]
fn wine_is_complete() {
    let d = wine();
    assert_eq!(d.x.shape(), &[178, 13]);
    assert_eq!(class_counts(&d), vec![59, 71, 48]);
    assert_eq!(d.class_names, ["class_0", "class_1", "class_2"]);
    assert_eq!(d.feature_names[12], "proline");
    assert_eq!(d.x.at(&[0, 12]), 1065.0);
}

#[test]
fn breast_cancer_is_complete() {
    let d = breast_cancer();
    assert_eq!(d.x.shape(), &[569, 30]);
    assert_eq!(class_counts(&d), vec![212, 357]);
    assert_eq!(d.class_names, ["malignant", "benign"]);
    assert_eq!(d.feature_names.len(), 30);
    assert_eq!(d.feature_names[0], "mean radius");
    assert_eq!(d.x.at(&[0, 0]), 17.99f32 as f64);
}

#[test]
fn diabetes_is_a_regression_set() {
    let d = diabetes();
    assert_eq!(d.x.shape(), &[442, 10]);
    assert_eq!(d.y.shape(), &[442]);
    assert!(!d.is_classification());
    assert_eq!(d.num_classes(), 0);
    let y = d.y.to_vec::<f32>();
    assert_eq!(y[0], 151.0);
    let (lo, hi) = y.iter().fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert_eq!((lo, hi), (25.0, 346.0));
    assert_eq!(&d.x.to_vec::<f32>()[..4], &[59.0, 2.0, 32.1, 101.0]);
    assert_eq!(d.feature_names, ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]);
}

#[test]
fn digits_are_8x8_images() {
    let d = digits();
    assert_eq!(d.x.shape(), &[1797, 64]);
    assert_eq!(class_counts(&d), vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert_eq!(d.images().unwrap().shape(), &[1797, 8, 8]);
    assert_eq!(d.image_size, Some((8, 8)));
    let px = d.x.to_vec::<f32>();
    assert!(px.iter().all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
    assert_eq!(&px[..8], &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    assert_eq!(d.feature_names[9], "pixel_1_1");
}

#[test]
fn embedded_sets_feed_a_loader() {
    let ds = digits().dataset().unwrap();
    let loader = DataLoader::new(&ds, 64).unwrap().shuffle(0);
    assert_eq!(loader.num_batches(), 29);
    let total: usize = loader.iter().unwrap().map(|b| b.unwrap().0.shape()[0]).sum();
    assert_eq!(total, 1797);
}
