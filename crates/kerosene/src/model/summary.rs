//! `summary()`: Keras' table of layers, output shapes and parameter counts.

use kerosene_nn::Module;

use super::sequential::Sequential;

fn shape_str(s: Option<&[usize]>) -> String {
    match s {
        None => "?".into(),
        Some(s) => {
            let dims: Vec<String> =
                std::iter::once("None".to_string()).chain(s.iter().map(|d| d.to_string())).collect();
            if s.is_empty() { "(None)".into() } else { format!("({})", dims.join(", ")) }
        }
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(n: usize) -> String {
    let b = (n * 4) as f64;
    if b < 1024.0 {
        format!("{b:.2} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.2} KB", b / 1024.0)
    } else {
        format!("{:.2} MB", b / (1024.0 * 1024.0))
    }
}

impl Sequential {
    /// The Keras-style summary table: each layer's name and type, output shape (`None` is the
    /// batch axis) and parameter count, then the totals, trainable and not. Builds the model
    /// first if the first layer declares its input shape.
    ///
    /// ```
    /// use kerosene::prelude::*;
    /// let mut model = Sequential::new()
    ///     .add(Dense::new(64).activation(Activation::Relu).input_shape(&[784]))
    ///     .add(Dense::new(10).activation(Activation::Softmax));
    /// let s = model.summary();
    /// assert!(s.contains("dense (Dense)") && s.contains("(None, 64)") && s.contains("50,240"));
    /// assert!(s.contains("Total params: 50,890"));
    /// ```
    pub fn summary(&mut self) -> String {
        let _ = self.build_from_declared();
        let (w0, w1, w2) = (33usize, 24usize, 15usize);
        let mut rows = Vec::new();
        let mut shape = self.input_shape.clone();
        let (mut trainable, mut frozen) = (0usize, 0usize);
        for l in &self.layers {
            shape = shape.and_then(|s| l.output_shape(&s).ok());
            let p: usize = l.parameters().iter().map(|v| v.len()).sum();
            let b: usize = l.named_buffers().iter().map(|(_, v)| v.len()).sum();
            trainable += p;
            frozen += b;
            let count = if l.is_built() { thousands(p + b) } else { "0 (unbuilt)".into() };
            rows.push((format!("{} ({})", l.name(), l.kind()), shape_str(shape.as_deref()), count));
        }
        let line = |l: char, m: char, r: char, f: char| {
            format!(
                "{l}{}{m}{}{m}{}{r}\n",
                f.to_string().repeat(w0 + 2),
                f.to_string().repeat(w1 + 2),
                f.to_string().repeat(w2 + 2)
            )
        };
        let mut s = format!("Model: \"{}\"\n", self.name);
        s += &line('┏', '┳', '┓', '━');
        s += &format!("┃ {:<w0$} ┃ {:<w1$} ┃ {:>w2$} ┃\n", "Layer (type)", "Output Shape", "Param #");
        s += &line('┡', '╇', '┩', '━');
        for (i, (a, b, c)) in rows.iter().enumerate() {
            s += &format!("│ {a:<w0$} │ {b:<w1$} │ {c:>w2$} │\n");
            if i + 1 < rows.len() {
                s += &line('├', '┼', '┤', '─');
            }
        }
        s += &line('└', '┴', '┘', '─');
        let total = trainable + frozen;
        s += &format!(" Total params: {} ({})\n", thousands(total), bytes(total));
        s += &format!(" Trainable params: {} ({})\n", thousands(trainable), bytes(trainable));
        s += &format!(" Non-trainable params: {} ({})\n", thousands(frozen), bytes(frozen));
        s
    }

    /// Prints [`Sequential::summary`] to stdout.
    pub fn print_summary(&mut self) {
        print!("{}", self.summary());
    }
}
