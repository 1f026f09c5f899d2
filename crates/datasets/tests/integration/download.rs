//! The download path against a tiny HTTP server on 127.0.0.1 (no other network): files are
//! verified by SHA-256 and land in the cache atomically; a corrupt file is refused and leaves
//! nothing behind.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::{TempDir, require_fashion};
use kerosene_datasets::{LoadOptions, fashion_mnist_with};

/// Serves `files` (name -> bytes) over HTTP/1.1 on a free loopback port for `max_requests`
/// requests, then stops. Returns the base URL.
fn serve(files: Vec<(String, Vec<u8>)>, max_requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_string();
            match files.iter().find(|(n, _)| *n == path) {
                Some((_, body)) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/x-gzip\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body);
                }
                None => {
                    let _ =
                        stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                }
            }
        }
    });
    url
}

fn fashion_files() -> Vec<(String, Vec<u8>)> {
    let dir = require_fashion();
    [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
    .collect()
}

fn options(tmp: &TempDir, url: String) -> LoadOptions {
    LoadOptions::default()
        .data_root(None)
        .system_root(None)
        .cache_root(Some(tmp.join("cache")))
        .mirrors(vec![url])
        .timeout(Duration::from_secs(10))
        .progress(false)
}

fn cache_listing(tmp: &TempDir) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(tmp.join("cache/fashion-mnist"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn downloads_verifies_and_caches() {
    let tmp = TempDir::new("dl-ok");
    // Debian's gzip files differ from the mirror's in their gzip header only, so they are
    // accepted through the content checksum.
    let url = serve(fashion_files(), 4);
    let ds = fashion_mnist_with(&options(&tmp, url)).unwrap();
    assert_eq!(ds.x_train().shape(), &[60000, 784]);
    assert_eq!(ds.source(), Some(tmp.join("cache/fashion-mnist").as_path()));
    assert_eq!(
        cache_listing(&tmp),
        [
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz"
        ]
    );
    // The second load finds the cache: no server needed.
    let again = fashion_mnist_with(&options(&tmp, "http://127.0.0.1:9/".into())).unwrap();
    assert_eq!(again.y_test(), ds.y_test());
}

#[test]
fn a_corrupt_download_is_refused_and_leaves_nothing() {
    let tmp = TempDir::new("dl-bad");
    let mut files = fashion_files();
    // Corrupt the labels: valid gzip, wrong content.
    let labels = files.iter_mut().find(|(n, _)| n == "train-labels-idx1-ubyte.gz").unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&labels.1[..]), &mut raw).unwrap();
    raw[100] = (raw[100] + 1) % 10;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&raw).unwrap();
    labels.1 = enc.finish().unwrap();
    let url = serve(files, 4);
    let msg = fashion_mnist_with(&options(&tmp, url.clone())).unwrap_err().to_string();
    assert!(msg.contains(&format!("download of {url}train-labels-idx1-ubyte.gz failed")), "{msg}");
    assert!(msg.contains("checksum mismatch"), "{msg}");
    assert!(msg.contains("sudo apt-get install dataset-fashion-mnist"), "{msg}");
    // Only the verified file before it stays; no temporary file is left.
    assert_eq!(cache_listing(&tmp), ["train-images-idx3-ubyte.gz"]);
}

#[test]
fn a_missing_file_on_the_mirror_is_an_http_error() {
    let tmp = TempDir::new("dl-404");
    let url = serve(Vec::new(), 1);
    let msg = fashion_mnist_with(&options(&tmp, url)).unwrap_err().to_string();
    assert!(msg.contains("404"), "{msg}");
}
