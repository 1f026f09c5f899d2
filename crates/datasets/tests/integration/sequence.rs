//! Sequence tasks: the addition task, reversal, the character vocabulary and teacher forcing.

use std::collections::HashSet;

use kerosene_datasets::{AdditionTask, CharVocab, END, PAD, ReversalTask, START, SeqPairs};

fn operands(q: &str) -> (u64, u64) {
    let (a, b) = q.trim().split_once('+').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[test]
fn addition_questions_are_padded_and_correct() {
    let task = AdditionTask::new(3).unwrap();
    assert_eq!((task.question_len(), task.answer_len()), (7, 4));
    assert_eq!(task.format(535, 61), ("535+61 ".into(), "596 ".into()));
    assert_eq!(task.format(999, 999), ("999+999".into(), "1998".into()));
    assert_eq!(task.format(0, 0), ("0+0    ".into(), "0   ".into()));
    let pairs = task.generate(2000, 1).unwrap();
    assert_eq!(pairs.len(), 2000);
    for (q, a) in pairs.inputs.iter().zip(&pairs.targets) {
        assert_eq!(q.len(), 7);
        assert_eq!(a.len(), 4);
        let (x, y) = operands(q);
        assert!(x < 1000 && y < 1000);
        assert_eq!(a.trim().parse::<u64>().unwrap(), x + y);
    }
    // Keras' distribution: short operands are common.
    assert!(pairs.inputs.iter().any(|q| operands(q).0 < 10));
}

#[test]
fn addition_is_seeded_and_unique() {
    let task = AdditionTask::new(2).unwrap();
    let a = task.generate(500, 7).unwrap();
    assert_eq!(a, task.generate(500, 7).unwrap());
    assert_ne!(a, task.generate(500, 8).unwrap());
    let unordered: HashSet<(u64, u64)> = a
        .inputs
        .iter()
        .map(|q| {
            let (x, y) = operands(q);
            (x.min(y), x.max(y))
        })
        .collect();
    assert_eq!(unordered.len(), 500);
}

#[test]
fn addition_held_out_set_is_disjoint_even_up_to_commutation() {
    let task = AdditionTask::new(3).unwrap();
    let (train, test) = task.train_test(20_000, 2_000, 42).unwrap();
    assert_eq!((train.len(), test.len()), (20_000, 2_000));
    let key = |q: &String| {
        let (x, y) = operands(q);
        (x.min(y), x.max(y))
    };
    let seen: HashSet<_> = train.inputs.iter().map(key).collect();
    assert!(test.inputs.iter().all(|q| !seen.contains(&key(q))));
    assert!(task.train_test(10, 0, 1).is_err());
}

#[test]
fn addition_with_few_possible_questions() {
    let task = AdditionTask::new(1).unwrap();
    assert_eq!(task.num_questions(), 55);
    let all = task.generate(55, 3).unwrap();
    let keys: HashSet<(u64, u64)> = all
        .inputs
        .iter()
        .map(|q| {
            let (x, y) = operands(q);
            (x.min(y), x.max(y))
        })
        .collect();
    assert_eq!(keys.len(), 55);
    assert_eq!(
        task.generate(56, 3).unwrap_err().to_string(),
        "AdditionTask: asked for 56 distinct questions, but 1 digits give only 55"
    );
    assert!(AdditionTask::new(0).is_err());
    assert!(AdditionTask::new(10).is_err());
}

#[test]
fn reversed_questions() {
    let task = AdditionTask::new(3).unwrap().reverse_question(true);
    assert_eq!(task.format(535, 61).0, " 16+535");
    let pairs = task.generate(10, 0).unwrap();
    for (q, a) in pairs.inputs.iter().zip(&pairs.targets) {
        let fwd: String = q.chars().rev().collect();
        let (x, y) = operands(&fwd);
        assert_eq!(a.trim().parse::<u64>().unwrap(), x + y);
    }
}

#[test]
fn teacher_forcing_tensors_for_addition() {
    let task = AdditionTask::new(3).unwrap();
    let vocab = task.vocab();
    let pairs = SeqPairs {
        inputs: vec!["535+61 ".into()],
        targets: vec!["596 ".into()],
        input_len: task.question_len(),
        target_len: task.answer_len(),
    };
    let t = pairs.to_tensors(&vocab).unwrap();
    let id = |c: char| vocab.id(c).unwrap() as f32;
    assert_eq!(t.encoder_input.to_vec::<f32>(), "535+61 ".chars().map(id).collect::<Vec<_>>());
    assert_eq!(t.decoder_input.to_vec::<f32>(), vec![START as f32, id('5'), id('9'), id('6'), id(' ')]);
    assert_eq!(t.decoder_target.to_vec::<f32>(), vec![id('5'), id('9'), id('6'), id(' '), END as f32]);
    // Decoding the target recovers the answer.
    assert_eq!(vocab.decode_batch(&t.decoder_target).unwrap(), vec!["596 "]);
    assert_eq!(vocab.decode_batch(&t.decoder_input).unwrap(), vec!["596 "]);
}

#[test]
fn reversal_task_pads_shorter_sequences() {
    let task = ReversalTask::new("abc", 2, 5).unwrap();
    let pairs = task.generate(200, 9).unwrap();
    assert_eq!(pairs, task.generate(200, 9).unwrap());
    let lens: HashSet<usize> = pairs.inputs.iter().map(String::len).collect();
    assert_eq!(lens, (2..=5).collect());
    let vocab = task.vocab();
    let t = pairs.to_tensors(&vocab).unwrap();
    assert_eq!(t.encoder_input.shape(), &[200, 5]);
    assert_eq!(t.decoder_input.shape(), &[200, 6]);
    let i = pairs.inputs.iter().position(|s| s.len() == 2).unwrap();
    let tgt = t.decoder_target.to_vec::<f32>();
    let row = &tgt[i * 6..i * 6 + 6];
    assert_eq!(row[2], END as f32);
    assert_eq!(&row[3..], &[PAD as f32; 3]);
    let inp = t.decoder_input.to_vec::<f32>();
    assert_eq!(inp[i * 6], START as f32);
    assert_eq!(&inp[i * 6 + 3..i * 6 + 6], &[PAD as f32; 3]);
    assert_eq!(vocab.decode_batch(&t.decoder_target).unwrap(), pairs.targets);
    assert_eq!(vocab.decode_batch(&t.encoder_input).unwrap(), pairs.inputs);
    assert!(ReversalTask::new("abc", 0, 3).is_err());
    assert!(ReversalTask::new("aa", 1, 3).is_err());
    assert!(ReversalTask::new("", 1, 3).is_err());
}

#[test]
fn vocab_round_trip_and_errors() {
    let vocab = CharVocab::new("abc ").unwrap();
    assert_eq!(vocab.len(), 7);
    assert_eq!(vocab.decode(&vocab.encode("cab a").unwrap()).unwrap(), "cab a");
    assert_eq!(vocab.encode_padded("ab", 4).unwrap(), vec![3, 4, PAD, PAD]);
    assert_eq!(
        vocab.encode_padded("abcab", 4).unwrap_err().to_string(),
        "CharVocab: \"abcab\" has 5 characters, more than the length 4"
    );
    assert_eq!(vocab.decode(&[START, 3, PAD, 4, END, 5]).unwrap(), "ab");
    assert_eq!(
        vocab.decode(&[9]).unwrap_err().to_string(),
        "CharVocab: token id 9 is out of range for a vocabulary of 7"
    );
    assert_eq!(
        CharVocab::new("abca").unwrap_err().to_string(),
        "CharVocab: character 'a' appears twice in the alphabet (again at position 3)"
    );
    let from = CharVocab::from_texts(["hello", "world"]);
    assert_eq!(from.chars(), &['d', 'e', 'h', 'l', 'o', 'r', 'w']);
    assert_eq!(from.char_of(3), Some('d'));
    assert_eq!(from.char_of(END), None);
    // decode_batch checks the ids are whole numbers in range.
    let bad = kerosene_tensor::Tensor::from_vec(vec![3.5f32], &[1, 1]);
    assert!(vocab.decode_batch(&bad).is_err());
    let bad = kerosene_tensor::Tensor::from_vec(vec![3.0f32], &[1]);
    assert!(vocab.decode_batch(&bad).unwrap_err().to_string().contains("expects [N, T] ids"));
}

#[test]
fn seq_pairs_new_checks_lengths() {
    assert_eq!(SeqPairs::new(vec!["a".into()], vec![]).unwrap_err().to_string(), "SeqPairs: 1 inputs but 0 targets");
    let p = SeqPairs::new(vec!["ab".into(), "abcd".into()], vec!["x".into(), "xyz".into()]).unwrap();
    assert_eq!((p.input_len, p.target_len), (4, 3));
    assert_eq!(p.vocab().len(), 3 + 7);
}
