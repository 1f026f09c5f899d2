//! The IDX reader: well-formed raw and gzip files, and every kind of damage, each with its message.

use crate::common;

use common::{TempDir, gzip, idx_bytes, images, labels};
use kerosene_datasets::{DatasetError, parse_idx, read_idx, read_idx_images, read_idx_labels};

fn err_of(r: kerosene_datasets::Result<kerosene_datasets::IdxArray>) -> String {
    match r {
        Ok(a) => panic!("expected an error, got dims {:?}", a.dims()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn reads_raw_and_gzip_images_and_labels() {
    let dir = TempDir::new("idx-ok");
    let img = images(3, 4, 5);
    let raw = dir.write("img", &img);
    let gz = dir.write("img.gz", &gzip(&img));
    for p in [&raw, &gz] {
        let a = read_idx_images(p).unwrap();
        assert_eq!(a.dims(), &[3, 4, 5]);
        assert_eq!(a.data().len(), 60);
        assert_eq!(a.data()[59], 59);
        assert_eq!(read_idx(p).unwrap(), a);
    }
    let lab = dir.write("lab.gz", &gzip(&labels(&[1, 2, 3])));
    let a = read_idx_labels(&lab).unwrap();
    assert_eq!(a.dims(), &[3]);
    assert_eq!(a.into_data(), vec![1, 2, 3]);
}

#[test]
fn zero_images_is_a_valid_empty_file() {
    let a = parse_idx(&idx_bytes(0x0803, &[0, 28, 28], &[]), "empty").unwrap();
    assert_eq!(a.dims(), &[0, 28, 28]);
    assert!(a.data().is_empty());
}

#[test]
fn bad_magic_is_rejected() {
    let dir = TempDir::new("idx-magic");
    let mut bytes = images(2, 2, 2);
    bytes[0] = 0x12;
    bytes[1] = 0x34;
    let p = dir.write("bad", &bytes);
    let msg = err_of(read_idx_images(&p));
    assert_eq!(
        msg,
        format!("{}: not an IDX file: bad magic number 0x12340803 (expected images (0x00000803))", p.display())
    );
    // A PNG is not an IDX file either.
    let p = dir.write("png", b"\x89PNG\r\n\x1a\n rest");
    assert!(err_of(read_idx(&p)).contains("not an IDX file: bad magic number 0x89504e47"));
}

#[test]
fn other_element_types_are_rejected() {
    // 0x0D = f32 elements.
    let bytes = idx_bytes(0x0D03, &[1, 1, 1], &[0, 0, 0, 0]);
    let msg = err_of(parse_idx(&bytes, "floats"));
    assert_eq!(
        msg,
        "floats: unsupported IDX element type 0x0d in magic number 0x00000d03: only unsigned bytes (0x08) are supported"
    );
}

#[test]
fn wrong_rank_is_rejected() {
    let dir = TempDir::new("idx-rank");
    let lab = dir.write("labels", &labels(&[1, 2]));
    let msg = err_of(read_idx_images(&lab));
    assert_eq!(
        msg,
        format!("{}: wrong IDX magic number 0x00000801 (rank 1): expected images (0x00000803)", lab.display())
    );
    let img = dir.write("images", &images(1, 2, 2));
    assert!(
        err_of(read_idx_labels(&img))
            .ends_with("wrong IDX magic number 0x00000803 (rank 3): expected labels (0x00000801)")
    );
    let rank2 = idx_bytes(0x0802, &[2, 2], &[0; 4]);
    assert_eq!(
        err_of(parse_idx(&rank2, "m")),
        "m: unsupported IDX rank 2 (magic 0x00000802): expected labels (0x00000801) or images (0x00000803)"
    );
}

#[test]
fn wrong_dims_are_rejected() {
    // Declares 2 images of 3x3 (18 bytes) but holds 2 of 2x2 (8 bytes).
    let bytes = idx_bytes(0x0803, &[2, 3, 3], &[7; 8]);
    assert_eq!(
        err_of(parse_idx(&bytes, "dims")),
        "dims: truncated IDX file: the header declares 2 images of 3x3 (18 bytes) but 8 bytes follow it"
    );
    let bytes = idx_bytes(0x0803, &[2, 0, 3], &[]);
    assert_eq!(err_of(parse_idx(&bytes, "dims")), "dims: empty images: dimensions [2, 0, 3]");
    // Too few bytes declared: trailing data is an error too.
    let bytes = idx_bytes(0x0801, &[2], &[1, 2, 3]);
    assert_eq!(
        err_of(parse_idx(&bytes, "lab")),
        "lab: the header declares 2 labels (2 bytes) but 3 bytes follow it (1 bytes of trailing data)"
    );
}

#[test]
fn truncated_payload_is_rejected_raw_and_gzip() {
    let dir = TempDir::new("idx-trunc");
    let full = images(10, 28, 28);
    let cut = &full[..full.len() - 100];
    let raw = dir.write("raw", cut);
    assert_eq!(
        err_of(read_idx_images(&raw)),
        format!(
            "{}: truncated IDX file: the header declares 10 images of 28x28 (7840 bytes) but 7740 bytes follow it",
            raw.display()
        )
    );
    // A complete gzip stream of a truncated payload.
    let gz = dir.write("gz", &gzip(cut));
    assert_eq!(
        err_of(read_idx_images(&gz)),
        format!(
            "{}: truncated IDX file: the header declares 10 images of 28x28 (7840 bytes) but the decompressed payload has 7740 bytes",
            gz.display()
        )
    );
}

#[test]
fn truncated_header_is_rejected() {
    assert_eq!(
        err_of(parse_idx(&[0, 0, 8], "short")),
        "short: truncated IDX header: the file ends after 3 bytes of the magic number"
    );
    assert_eq!(
        err_of(parse_idx(&[0, 0, 8, 3, 0, 0, 0, 1, 0, 0], "short")),
        "short: truncated IDX header: the file ends after 6 bytes of the dimensions"
    );
    assert_eq!(
        err_of(parse_idx(&[], "empty")),
        "empty: truncated IDX header: the file ends after 0 bytes of the magic number"
    );
}

#[test]
fn truncated_gzip_is_rejected() {
    let dir = TempDir::new("idx-gztrunc");
    // Incompressible-ish payload so the gzip stream is long enough to cut in the middle.
    let payload: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let gz = gzip(&idx_bytes(0x0803, &[25, 28, 28], &payload[..19_600]));
    for keep in [gz.len() / 2, gz.len() - 4, 12] {
        let p = dir.write("cut.gz", &gz[..keep]);
        let msg = err_of(read_idx_images(&p));
        assert!(msg.starts_with(&format!("{}: ", p.display())), "{msg}");
        assert!(
            msg.contains("corrupt or truncated gzip stream") || msg.contains("truncated IDX"),
            "cut at {keep}: {msg}"
        );
    }
}

#[test]
fn corrupted_gzip_is_rejected() {
    let dir = TempDir::new("idx-gzcorrupt");
    let payload: Vec<u8> = (0..7840u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    let mut gz = gzip(&idx_bytes(0x0803, &[10, 28, 28], &payload));
    let mid = gz.len() / 2;
    gz[mid] ^= 0x55;
    gz[mid + 1] ^= 0xAA;
    let p = dir.write("corrupt.gz", &gz);
    let msg = err_of(read_idx_images(&p));
    assert!(msg.starts_with(&format!("{}: ", p.display())), "{msg}");
    assert!(
        msg.contains("corrupt or truncated gzip stream")
            || msg.contains("truncated IDX")
            || msg.contains("more data follows"),
        "{msg}"
    );
    // A flipped CRC alone is caught too.
    let mut gz = gzip(&idx_bytes(0x0801, &[4], &[1, 2, 3, 4]));
    let n = gz.len();
    gz[n - 8] ^= 0xFF;
    let msg = err_of(parse_idx(&gz, "crc.gz"));
    assert!(msg.starts_with("crc.gz: corrupt or truncated gzip stream"), "{msg}");
}

#[test]
fn header_claiming_2_pow_31_images_fails_fast_without_allocating() {
    let dir = TempDir::new("idx-huge");
    let claim = idx_bytes(0x0803, &[1 << 31, 28, 28], &[0; 784]);
    let raw = dir.write("huge", &claim);
    let t = std::time::Instant::now();
    assert_eq!(
        err_of(read_idx_images(&raw)),
        format!(
            "{}: truncated IDX file: the header declares 2147483648 images of 28x28 (1683627180032 bytes) but 784 bytes follow it",
            raw.display()
        )
    );
    // Gzip: a small stream cannot hold 1.6 TB; rejected before decompressing.
    let gz = dir.write("huge.gz", &gzip(&claim));
    let msg = err_of(read_idx_images(&gz));
    assert!(
        msg.contains("the header declares 2147483648 images of 28x28 (1683627180032 bytes), more than a gzip file of"),
        "{msg}"
    );
    assert!(msg.ends_with("can hold (a corrupt header or a gzip bomb)"), "{msg}");
    assert!(t.elapsed().as_secs_f64() < 1.0);
}

#[test]
fn gzip_bomb_is_capped_at_the_declared_size() {
    // 32 MiB of zeros compress to ~32 KiB; the header declares 1 label, so reading stops after
    // two bytes of payload and reports trailing data instead of inflating everything.
    let mut bomb = idx_bytes(0x0801, &[1], &[]);
    bomb.extend(std::iter::repeat_n(0u8, 32 << 20));
    let gz = gzip(&bomb);
    let t = std::time::Instant::now();
    let msg = err_of(parse_idx(&gz, "bomb.gz"));
    assert_eq!(
        msg,
        "bomb.gz: the header declares 1 labels (1 bytes) but more data follows (trailing bytes after the payload)"
    );
    assert!(t.elapsed().as_secs_f64() < 1.0);
}

#[test]
fn overflowing_dims_are_rejected() {
    let bytes = idx_bytes(0x0803, &[u32::MAX, u32::MAX, u32::MAX], &[]);
    assert_eq!(
        err_of(parse_idx(&bytes, "ovf")),
        "ovf: the header declares 4294967295 images of 4294967295x4294967295 (more than 2^64 bytes), which overflows"
    );
}

#[test]
fn missing_file_names_the_path() {
    let dir = TempDir::new("idx-missing");
    let p = dir.join("nope.gz");
    let e = read_idx_images(&p).unwrap_err();
    assert!(matches!(e, DatasetError::Io { .. }));
    assert!(e.to_string().starts_with(&format!("{}: ", p.display())), "{e}");
}
