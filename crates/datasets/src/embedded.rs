//! Small real datasets compiled into the crate, for instant examples and tests: [`iris`],
//! [`wine`], [`breast_cancer`], [`diabetes`] (regression) and [`digits`] (8x8 images).
//!
//! The files in `crates/datasets/data/` are copies of scikit-learn's `sklearn/datasets/data/`
//! (BSD-3-Clause, the scikit-learn developers), taken from Debian's `python3-sklearn`; the data
//! come from the UCI Machine Learning Repository (iris: Fisher 1936; wine: Forina et al.;
//! breast cancer: Wolberg, Street, Mangasarian 1995; digits: Alpaydin, Kaynak 1998) and from
//! Efron, Hastie, Johnstone, Tibshirani, "Least Angle Regression", 2004 (diabetes). See
//! `data/README.md` and `data/SHA256SUMS` there.
//!
//! Each call parses the embedded text (a few milliseconds at most). The embedded bytes are fixed
//! at compile time and checked by this crate's tests, so these functions return the data
//! directly rather than a `Result`.

use std::io::Read;

use kerosene_tensor::Tensor;

use crate::csv::{CsvOptions, parse_csv};
use crate::error::{DatasetError, Result};
use crate::tabular::TabularDataset;

const IRIS: &str = include_str!("../data/iris.csv");
const WINE: &str = include_str!("../data/wine_data.csv");
const BREAST_CANCER: &str = include_str!("../data/breast_cancer.csv");
const DIABETES_X: &[u8] = include_bytes!("../data/diabetes_data_raw.csv.gz");
const DIABETES_Y: &[u8] = include_bytes!("../data/diabetes_target.csv.gz");
const DIGITS: &[u8] = include_bytes!("../data/digits.csv.gz");

const IRIS_FEATURES: [&str; 4] = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"];

const WINE_FEATURES: [&str; 13] = [
    "alcohol",
    "malic_acid",
    "ash",
    "alcalinity_of_ash",
    "magnesium",
    "total_phenols",
    "flavanoids",
    "nonflavanoid_phenols",
    "proanthocyanins",
    "color_intensity",
    "hue",
    "od280/od315_of_diluted_wines",
    "proline",
];

const BREAST_CANCER_FEATURES: [&str; 30] = [
    "mean radius",
    "mean texture",
    "mean perimeter",
    "mean area",
    "mean smoothness",
    "mean compactness",
    "mean concavity",
    "mean concave points",
    "mean symmetry",
    "mean fractal dimension",
    "radius error",
    "texture error",
    "perimeter error",
    "area error",
    "smoothness error",
    "compactness error",
    "concavity error",
    "concave points error",
    "symmetry error",
    "fractal dimension error",
    "worst radius",
    "worst texture",
    "worst perimeter",
    "worst area",
    "worst smoothness",
    "worst compactness",
    "worst concavity",
    "worst concave points",
    "worst symmetry",
    "worst fractal dimension",
];

const DIABETES_FEATURES: [&str; 10] = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"];

fn embedded<T>(name: &str, r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        // Unreachable with the shipped files (the tests load every one of them).
        Err(e) => panic!("embedded dataset {name} is corrupt: {e}"),
    }
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn gunzip(name: &str, bytes: &[u8]) -> Result<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| DatasetError::invalid("embedded", format!("{name}: {e}")))?;
    Ok(text)
}

/// Parses scikit-learn's format: a first line `n_samples,n_features,class names...`, then rows
/// of features with the class index last.
fn sklearn_csv(name: &str, file: &str, text: &str, features: &[&str]) -> Result<TabularDataset> {
    let header = text.lines().next().unwrap_or_default();
    let fields: Vec<&str> = header.split(',').map(str::trim).collect();
    let (n, f) = match (fields.first().map(|s| s.parse::<usize>()), fields.get(1).map(|s| s.parse::<usize>())) {
        (Some(Ok(n)), Some(Ok(f))) => (n, f),
        _ => return Err(DatasetError::invalid("embedded", format!("{file}: bad header {header:?}"))),
    };
    let data = parse_csv(text, file, &CsvOptions::new().header(false).skip_rows(1))?;
    let y = data.y.unwrap_or_else(|| Tensor::zeros(&[0]));
    if data.x.shape() != [n, f] || features.len() != f {
        return Err(DatasetError::invalid(
            "embedded",
            format!("{file}: header says {n} x {f}, data is {:?}", data.x.shape()),
        ));
    }
    let class_names: Vec<String> = fields[2..].iter().map(|s| s.to_string()).collect();
    kerosene_tensor::indices_in_range("embedded", &y, class_names.len())?;
    Ok(TabularDataset {
        name: name.to_string(),
        x: data.x,
        y,
        feature_names: strings(features),
        class_names,
        image_size: None,
    })
}

/// Iris: 150 flowers x 4 measurements (cm), 3 species (setosa, versicolor, virginica), 50 each.
///
/// ```
/// let iris = kerosene_datasets::iris();
/// assert_eq!(iris.x.shape(), &[150, 4]);
/// assert_eq!(iris.class_names, ["setosa", "versicolor", "virginica"]);
/// assert_eq!(iris.feature_names[0], "sepal length (cm)");
/// ```
pub fn iris() -> TabularDataset {
    embedded("iris", sklearn_csv("iris", "iris.csv", IRIS, &IRIS_FEATURES))
}

/// Wine recognition: 178 wines x 13 chemical measurements, 3 cultivars (`class_0`..`class_2`).
pub fn wine() -> TabularDataset {
    embedded("wine", sklearn_csv("wine", "wine_data.csv", WINE, &WINE_FEATURES))
}

/// Breast Cancer Wisconsin (diagnostic): 569 tumours x 30 features, 2 classes
/// (0 = malignant, 1 = benign).
pub fn breast_cancer() -> TabularDataset {
    embedded("breast_cancer", sklearn_csv("breast_cancer", "breast_cancer.csv", BREAST_CANCER, &BREAST_CANCER_FEATURES))
}

/// Diabetes (regression): 442 patients x 10 raw baseline variables (age, sex, body mass index,
/// blood pressure, six blood serum measurements s1..s6; unscaled, unlike scikit-learn's default),
/// and `y` a measure of disease progression one year later (25..346).
///
/// ```
/// let d = kerosene_datasets::diabetes();
/// assert_eq!(d.x.shape(), &[442, 10]);
/// assert!(!d.is_classification());
/// ```
pub fn diabetes() -> TabularDataset {
    embedded("diabetes", load_diabetes())
}

fn load_diabetes() -> Result<TabularDataset> {
    let xs = gunzip("diabetes_data_raw.csv.gz", DIABETES_X)?;
    let ys = gunzip("diabetes_target.csv.gz", DIABETES_Y)?;
    let x = parse_csv(&xs, "diabetes_data_raw.csv", &CsvOptions::new().header(false).whitespace().no_target())?.x;
    let y = parse_csv(&ys, "diabetes_target.csv", &CsvOptions::new().header(false).whitespace().no_target())?.x;
    let n = x.shape()[0];
    if x.shape() != [442, 10] || y.shape() != [n, 1] {
        return Err(DatasetError::invalid("embedded", format!("diabetes: x {:?}, y {:?}", x.shape(), y.shape())));
    }
    Ok(TabularDataset {
        name: "diabetes".to_string(),
        x,
        y: y.reshape_to(&[n]),
        feature_names: strings(&DIABETES_FEATURES),
        class_names: Vec::new(),
        image_size: None,
    })
}

/// Handwritten digits, 8x8: 1797 images with pixel values 0..16 (as `f32`, not rescaled), 10
/// classes `"0"`..`"9"`; [`TabularDataset::images`] gives `[1797, 8, 8]`.
///
/// ```
/// let digits = kerosene_datasets::digits();
/// assert_eq!(digits.x.shape(), &[1797, 64]);
/// assert_eq!(digits.images().unwrap().shape(), &[1797, 8, 8]);
/// ```
pub fn digits() -> TabularDataset {
    embedded("digits", load_digits())
}

fn load_digits() -> Result<TabularDataset> {
    let text = gunzip("digits.csv.gz", DIGITS)?;
    let data = parse_csv(&text, "digits.csv", &CsvOptions::new().header(false))?;
    let y = data.y.unwrap_or_else(|| Tensor::zeros(&[0]));
    if data.x.shape() != [1797, 64] {
        return Err(DatasetError::invalid("embedded", format!("digits: x {:?}", data.x.shape())));
    }
    kerosene_tensor::indices_in_range("embedded", &y, 10)?;
    Ok(TabularDataset {
        name: "digits".to_string(),
        x: data.x,
        y,
        feature_names: (0..64).map(|i| format!("pixel_{}_{}", i / 8, i % 8)).collect(),
        class_names: (0..10).map(|d| d.to_string()).collect(),
        image_size: Some((8, 8)),
    })
}
