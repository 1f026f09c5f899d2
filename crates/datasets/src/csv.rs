//! Numeric CSV files for tabular data: a header row or not, any delimiter (or runs of
//! whitespace), a target column chosen by index or name.
//!
//! Every value must be a number (as Rust parses `f32`: `1`, `-2.5e3`, `nan`, `inf`); fields may
//! be wrapped in double quotes. Empty lines are skipped. A field that does not parse, or a row
//! with the wrong number of fields, is an error naming the file, the line and the column.

use std::path::Path;

use kerosene_tensor::Tensor;

use crate::error::{DatasetError, Result};

/// How fields are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// One character, e.g. `,` `;` or `\t`.
    Char(char),
    /// One or more spaces or tabs (and leading / trailing ones are ignored).
    Whitespace,
}

/// Which column holds the target `y`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetColumn {
    /// No target: every column is a feature.
    None,
    /// The last column (the default).
    Last,
    /// The column at this 0-based index.
    Index(usize),
    /// The column with this header name (needs a header).
    Name(String),
}

/// Options for [`read_csv`] and [`parse_csv`]; the default is a header row, commas and the
/// target in the last column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    header: bool,
    delimiter: Delimiter,
    target: TargetColumn,
    skip_rows: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { header: true, delimiter: Delimiter::Char(','), target: TargetColumn::Last, skip_rows: 0 }
    }
}

impl CsvOptions {
    /// The defaults: header, `,`, target last.
    pub fn new() -> Self {
        CsvOptions::default()
    }

    /// Whether the first (non-skipped, non-empty) line is a header of column names.
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// Fields separated by `c`.
    pub fn delimiter(mut self, c: char) -> Self {
        self.delimiter = Delimiter::Char(c);
        self
    }

    /// Fields separated by runs of spaces or tabs.
    pub fn whitespace(mut self) -> Self {
        self.delimiter = Delimiter::Whitespace;
        self
    }

    /// The target column.
    pub fn target(mut self, target: TargetColumn) -> Self {
        self.target = target;
        self
    }

    /// The target is the column at `index` (0-based).
    pub fn target_index(self, index: usize) -> Self {
        self.target(TargetColumn::Index(index))
    }

    /// The target is the column named `name` in the header.
    pub fn target_name(self, name: impl Into<String>) -> Self {
        self.target(TargetColumn::Name(name.into()))
    }

    /// No target column.
    pub fn no_target(self) -> Self {
        self.target(TargetColumn::None)
    }

    /// Skips the first `n` lines (before the header).
    pub fn skip_rows(mut self, n: usize) -> Self {
        self.skip_rows = n;
        self
    }
}

/// A parsed numeric table: features `x` `[n, f]` and the target `y` `[n]`, both `f32`.
#[derive(Clone, Debug)]
pub struct CsvData {
    /// The feature columns, `[n, f]`.
    pub x: Tensor,
    /// The target column, `[n]`, if one was chosen.
    pub y: Option<Tensor>,
    /// The names of the feature columns (from the header, else `column_1`, `column_2`, ...,
    /// numbered as in the file).
    pub feature_names: Vec<String>,
    /// The target column's name, if any.
    pub target_name: Option<String>,
}

/// Reads a numeric CSV file.
///
/// ```no_run
/// use kerosene_datasets::{CsvOptions, read_csv};
/// let data = read_csv("houses.csv", &CsvOptions::new().target_name("price"))?;
/// println!("{:?} features: {:?}", data.x.shape(), data.feature_names);
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub fn read_csv(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<CsvData> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| DatasetError::io(path, e))?;
    parse_csv(&text, &path.display().to_string(), opts)
}

/// Parses numeric CSV text; `source_name` (e.g. the file name) starts every error message.
///
/// ```
/// use kerosene_datasets::{CsvOptions, parse_csv};
///
/// let text = "a,b,label\n1,2,0\n3,4,1\n";
/// let data = parse_csv(text, "toy.csv", &CsvOptions::new())?;
/// assert_eq!(data.x.shape(), &[2, 2]);
/// assert_eq!(data.y.unwrap().to_vec::<f32>(), vec![0.0, 1.0]);
/// assert_eq!(data.feature_names, ["a", "b"]);
///
/// let err = parse_csv("a,b\n1,2\n3,x\n", "toy.csv", &CsvOptions::new()).unwrap_err();
/// assert_eq!(err.to_string(), "toy.csv: line 3, column 2 (\"b\"): cannot parse \"x\" as a number");
/// let err = parse_csv("a,b\n1,2\n3\n", "toy.csv", &CsvOptions::new()).unwrap_err();
/// assert_eq!(err.to_string(), "toy.csv: line 3: 1 field, expected 2 (as in line 1)");
/// # Ok::<(), kerosene_datasets::DatasetError>(())
/// ```
pub fn parse_csv(text: &str, source_name: &str, opts: &CsvOptions) -> Result<CsvData> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line: usize, column: Option<usize>, column_name: Option<&str>, message: String| DatasetError::Csv {
        source_name: source_name.to_string(),
        line,
        column,
        column_name: column_name.map(str::to_string),
        message,
    };

    let mut lines = text
        .lines()
        .enumerate()
        .skip(opts.skip_rows)
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty());

    let mut names: Option<Vec<String>> = None;
    let mut width_line = 0;
    if opts.header {
        let Some((no, line)) = lines.next() else {
            return Err(DatasetError::invalid(
                "parse_csv",
                format!("{source_name}: no header line (the text is empty)"),
            ));
        };
        names = Some(split_row(line, opts.delimiter).map_err(|m| err(no, None, None, m))?);
        width_line = no;
    }

    let mut values: Vec<f32> = Vec::new();
    let mut width = names.as_ref().map(Vec::len);
    let mut rows = 0usize;
    for (no, line) in lines {
        let fields = split_row(line, opts.delimiter).map_err(|m| err(no, None, None, m))?;
        let w = *width.get_or_insert_with(|| {
            width_line = no;
            fields.len()
        });
        if fields.len() != w {
            let plural = if fields.len() == 1 { "" } else { "s" };
            return Err(err(
                no,
                None,
                None,
                format!("{} field{plural}, expected {w} (as in line {width_line})", fields.len()),
            ));
        }
        for (c, f) in fields.iter().enumerate() {
            let f = f.trim();
            let name = names.as_ref().map(|n| n[c].as_str());
            if f.is_empty() {
                return Err(err(no, Some(c + 1), name, "empty value".to_string()));
            }
            let v: f32 =
                f.parse().map_err(|_| err(no, Some(c + 1), name, format!("cannot parse {f:?} as a number")))?;
            values.push(v);
        }
        rows += 1;
    }
    let (Some(width), true) = (width, rows > 0) else {
        return Err(DatasetError::invalid("parse_csv", format!("{source_name}: no data rows")));
    };
    let names = names.unwrap_or_else(|| (1..=width).map(|i| format!("column_{i}")).collect());

    let target = match &opts.target {
        TargetColumn::None => None,
        TargetColumn::Last => Some(width - 1),
        TargetColumn::Index(i) if *i < width => Some(*i),
        TargetColumn::Index(i) => {
            return Err(DatasetError::invalid(
                "parse_csv",
                format!("{source_name}: target column {i} is out of range: there are {width} columns (0..{width})"),
            ));
        }
        TargetColumn::Name(n) => match names.iter().position(|h| h == n) {
            Some(i) if opts.header => Some(i),
            _ => {
                let have = if opts.header { format!("the header has {names:?}") } else { "there is no header".into() };
                return Err(DatasetError::invalid(
                    "parse_csv",
                    format!("{source_name}: no target column named {n:?}: {have}"),
                ));
            }
        },
    };

    let Some(t) = target else {
        return Ok(CsvData {
            x: Tensor::try_from_vec(values, &[rows, width])?,
            y: None,
            feature_names: names,
            target_name: None,
        });
    };
    let f = width - 1;
    let mut x = Vec::with_capacity(rows * f);
    let mut y = Vec::with_capacity(rows);
    for row in values.chunks_exact(width) {
        x.extend_from_slice(&row[..t]);
        x.extend_from_slice(&row[t + 1..]);
        y.push(row[t]);
    }
    let mut feature_names = names;
    let target_name = feature_names.remove(t);
    Ok(CsvData {
        x: Tensor::try_from_vec(x, &[rows, f])?,
        y: Some(Tensor::try_from_vec(y, &[rows])?),
        feature_names,
        target_name: Some(target_name),
    })
}

/// Splits one line into fields; double-quoted fields may hold the delimiter and `""` for `"`.
fn split_row(line: &str, delimiter: Delimiter) -> std::result::Result<Vec<String>, String> {
    let d = match delimiter {
        Delimiter::Whitespace => return Ok(line.split_whitespace().map(str::to_string).collect()),
        Delimiter::Char(d) => d,
    };
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == d {
            fields.push(std::mem::take(&mut field));
            at_start = true;
            continue;
        } else if c == '"' && at_start && field.trim().is_empty() {
            field.clear();
            quoted = true;
        } else {
            field.push(c);
        }
        at_start = false;
    }
    if quoted {
        return Err(format!("unterminated quoted field {:?}", field));
    }
    fields.push(field);
    Ok(fields)
}
