//! CSV: headers, delimiters, target selection, quoting, and error messages with line and column.

use crate::common;

use common::TempDir;
use kerosene_datasets::{CsvOptions, DatasetError, TargetColumn, parse_csv, read_csv};

const HOUSES: &str = "rooms,area,price,age\n3,70.5,200,10\n4,90,310.5,2\n\n2,40,120,35\n";

#[test]
fn header_and_default_last_target() {
    let d = parse_csv(HOUSES, "houses.csv", &CsvOptions::new()).unwrap();
    assert_eq!(d.x.shape(), &[3, 3]);
    assert_eq!(d.feature_names, ["rooms", "area", "price"]);
    assert_eq!(d.target_name.as_deref(), Some("age"));
    assert_eq!(d.y.unwrap().to_vec::<f32>(), vec![10.0, 2.0, 35.0]);
}

#[test]
fn target_by_name_and_by_index() {
    let by_name = parse_csv(HOUSES, "houses.csv", &CsvOptions::new().target_name("price")).unwrap();
    assert_eq!(by_name.feature_names, ["rooms", "area", "age"]);
    assert_eq!(by_name.y.as_ref().unwrap().to_vec::<f32>(), vec![200.0, 310.5, 120.0]);
    assert_eq!(by_name.x.to_vec::<f32>(), vec![3.0, 70.5, 10.0, 4.0, 90.0, 2.0, 2.0, 40.0, 35.0]);
    let by_index = parse_csv(HOUSES, "houses.csv", &CsvOptions::new().target_index(2)).unwrap();
    assert_eq!(by_index.x, by_name.x);
    assert_eq!(by_index.y, by_name.y);
    let first = parse_csv(HOUSES, "houses.csv", &CsvOptions::new().target(TargetColumn::Index(0))).unwrap();
    assert_eq!(first.target_name.as_deref(), Some("rooms"));
}

#[test]
fn no_target_no_header_other_delimiters() {
    let d = parse_csv("1;2\n3;4\n", "semi.csv", &CsvOptions::new().header(false).delimiter(';').no_target()).unwrap();
    assert_eq!(d.x.shape(), &[2, 2]);
    assert!(d.y.is_none());
    assert_eq!(d.feature_names, ["column_1", "column_2"]);
    let d = parse_csv("  1   2\t3\n4 5 6  \n", "ws.txt", &CsvOptions::new().header(false).whitespace()).unwrap();
    assert_eq!(d.x.to_vec::<f32>(), vec![1.0, 2.0, 4.0, 5.0]);
    assert_eq!(d.y.unwrap().to_vec::<f32>(), vec![3.0, 6.0]);
    let d = parse_csv("a\tb\n1\t-2e3\n", "tab.tsv", &CsvOptions::new().delimiter('\t')).unwrap();
    assert_eq!(d.y.unwrap().to_vec::<f32>(), vec![-2000.0]);
    // Windows line endings, a BOM, skipped rows.
    let d = parse_csv("\u{feff}junk line\r\nx,y\r\n1,2\r\n", "crlf.csv", &CsvOptions::new().skip_rows(1)).unwrap();
    assert_eq!(d.feature_names, ["x"]);
    assert_eq!(d.y.unwrap().to_vec::<f32>(), vec![2.0]);
}

#[test]
fn quoted_fields() {
    let text = "\"length, cm\",\"say \"\"hi\"\"\",label\n\"1.5\",2,0\n";
    let d = parse_csv(text, "q.csv", &CsvOptions::new()).unwrap();
    assert_eq!(d.feature_names, ["length, cm", "say \"hi\""]);
    assert_eq!(d.x.to_vec::<f32>(), vec![1.5, 2.0]);
    let err = parse_csv("a,b\n\"1,2\n", "q.csv", &CsvOptions::new()).unwrap_err();
    assert_eq!(err.to_string(), "q.csv: line 2: unterminated quoted field \"1,2\"");
}

#[test]
fn non_numeric_value_names_file_line_and_column() {
    let text = "rooms,area,price\n3,70,200\n4,ninety,310\n";
    let err = parse_csv(text, "houses.csv", &CsvOptions::new()).unwrap_err();
    assert!(matches!(err, DatasetError::Csv { line: 3, column: Some(2), .. }));
    assert_eq!(err.to_string(), "houses.csv: line 3, column 2 (\"area\"): cannot parse \"ninety\" as a number");
    let err = parse_csv("1,2\n3,x\n", "nohead.csv", &CsvOptions::new().header(false)).unwrap_err();
    assert_eq!(err.to_string(), "nohead.csv: line 2, column 2: cannot parse \"x\" as a number");
    let err = parse_csv("a,b\n1,\n", "empty.csv", &CsvOptions::new()).unwrap_err();
    assert_eq!(err.to_string(), "empty.csv: line 2, column 2 (\"b\"): empty value");
}

#[test]
fn ragged_rows_name_the_line() {
    let text = "a,b,c\n1,2,3\n4,5\n";
    let err = parse_csv(text, "ragged.csv", &CsvOptions::new()).unwrap_err();
    assert_eq!(err.to_string(), "ragged.csv: line 3: 2 fields, expected 3 (as in line 1)");
    let err = parse_csv("1,2\n\n3,4,5\n", "nohead.csv", &CsvOptions::new().header(false)).unwrap_err();
    assert_eq!(err.to_string(), "nohead.csv: line 3: 3 fields, expected 2 (as in line 1)");
}

#[test]
fn bad_target_choices_and_empty_input() {
    let err = parse_csv(HOUSES, "houses.csv", &CsvOptions::new().target_name("cost")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "parse_csv: houses.csv: no target column named \"cost\": the header has [\"rooms\", \"area\", \"price\", \"age\"]"
    );
    let err = parse_csv(HOUSES, "houses.csv", &CsvOptions::new().target_index(4)).unwrap_err();
    assert_eq!(err.to_string(), "parse_csv: houses.csv: target column 4 is out of range: there are 4 columns (0..4)");
    let err = parse_csv("1,2\n", "n.csv", &CsvOptions::new().header(false).target_name("a")).unwrap_err();
    assert!(err.to_string().contains("there is no header"), "{err}");
    assert_eq!(
        parse_csv("", "e.csv", &CsvOptions::new()).unwrap_err().to_string(),
        "parse_csv: e.csv: no header line (the text is empty)"
    );
    assert_eq!(
        parse_csv("a,b\n", "e.csv", &CsvOptions::new()).unwrap_err().to_string(),
        "parse_csv: e.csv: no data rows"
    );
}

#[test]
fn read_csv_names_the_file() {
    let dir = TempDir::new("csv");
    let p = dir.write("houses.csv", HOUSES.replace("310.5", "3l0").as_bytes());
    let err = read_csv(&p, &CsvOptions::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: line 3, column 3 (\"price\"): cannot parse \"3l0\" as a number", p.display())
    );
    let ok = dir.write("ok.csv", HOUSES.as_bytes());
    assert_eq!(read_csv(&ok, &CsvOptions::new()).unwrap().x.shape(), &[3, 3]);
    let missing = dir.join("missing.csv");
    let err = read_csv(&missing, &CsvOptions::new()).unwrap_err();
    assert!(matches!(err, DatasetError::Io { .. }));
    assert!(err.to_string().starts_with(&missing.display().to_string()));
}

#[test]
fn reads_the_shipped_iris_file() {
    // The real file: a scikit-learn header line (150,4,class names), then 150 rows.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/iris.csv");
    let d = read_csv(&path, &CsvOptions::new().header(false).skip_rows(1)).unwrap();
    assert_eq!(d.x.shape(), &[150, 4]);
    assert_eq!(d.x, kerosene_datasets::iris().x);
    assert_eq!(d.y.unwrap(), kerosene_datasets::iris().y);
}
