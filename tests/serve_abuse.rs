//! `hubtriage serve` under abuse, over real TCP: forged or mis-scoped signatures, unauthenticated
//! requests that announce a large body, connections that send nothing or stall, more connections
//! than the server takes. The binary runs on an OS-chosen loopback port with a temp store; requests
//! are written by hand (std `TcpStream`) so the test controls every byte and header, and signed with
//! the crate's own SigV4 functions.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Child;
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use hubtriage::sigv4;
use serde_json::Value;
use sha2::Sha256;
use time::OffsetDateTime;

const AUTH: &str = r#"{"Keys": [
    {"AccessKeyId": "AKIDADMIN", "SecretAccessKey": "admin/secret", "AccountId": "111111111111", "UserName": "alice"}
]}"#;

struct Server {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

impl Server {
    /// `hubtriage serve` on 127.0.0.1:0 with `extra` arguments; `auth` adds `--auth` with AUTH.
    fn start(auth: bool, extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.json");
        let mut args = Vec::new();
        if auth {
            std::fs::write(&path, AUTH).unwrap();
            args.extend(["--auth", path.to_str().unwrap()]);
        }
        args.extend_from_slice(extra);
        let (child, addr) =
            common::spawn_serve(&dir.path().join("s.db"), "127.0.0.1:0", &args, &dir.path().join("stderr.txt"));
        Server { child, addr, dir }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Sends one request (headers as given, plus Host and Content-Length) on a new connection and
    /// reads the answer.
    fn send(&self, method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Reply {
        let mut s = self.connect();
        s.write_all(&head(&self.addr, method, path, headers, body.len())).unwrap();
        s.write_all(body).unwrap();
        read_reply(&mut s).unwrap_or_else(|e| panic!("no answer: {e}"))
    }

    /// A request signed as an SDK signs it, for `region` and `service`.
    fn signed(&self, key: (&str, &str), region: &str, service: &str, body: &[u8]) -> Vec<(String, String)> {
        sign(&self.addr, key, "POST", "/findings", body, region, service, OffsetDateTime::now_utc())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.dir;
    }
}

fn head(host: &str, method: &str, path: &str, headers: &[(String, String)], len: usize) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len}\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// SigV4 headers (`content-type`, `x-amz-date`, `authorization`) for a request scoped to any region
/// and service, built from the crate's canonical request, so only the scope differs from `sigv4::sign`.
#[allow(clippy::too_many_arguments)]
fn sign(
    host: &str,
    (key, secret): (&str, &str),
    method: &str,
    path: &str,
    body: &[u8],
    region: &str,
    service: &str,
    at: OffsetDateTime,
) -> Vec<(String, String)> {
    let amz_date = sigv4::format_amz_date(at);
    let date = &amz_date[..8];
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("host".to_string(), host.to_string()),
        ("x-amz-date".to_string(), amz_date.clone()),
    ];
    let signed: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    let req = sigv4::Request { method, path, query: "", headers: &headers, body };
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let sts = sigv4::string_to_sign(&amz_date, &scope, &sigv4::canonical_request(&req, &signed));
    let signature = hex::encode(hmac(&sigv4::signing_key(secret, date, region, service), sts.as_bytes()));
    let auth = sigv4::Authorization {
        access_key_id: key.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed,
        signature,
    };
    vec![headers[0].clone(), headers[2].clone(), ("authorization".to_string(), auth.to_header())]
}

#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    json: Value,
}

impl Reply {
    /// Asserts an AWS-style error: status, `X-Amzn-ErrorType` and the body's `Code`.
    fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{self:?}");
        assert!(self.head.to_ascii_lowercase().contains(&format!("x-amzn-errortype: {}", code.to_ascii_lowercase())));
        assert_eq!(self.json["Code"], code, "{self:?}");
        self.json["Message"].as_str().unwrap().to_string()
    }
}

/// Reads one HTTP/1.1 answer (with a Content-Length) from `s`.
fn read_reply(s: &mut TcpStream) -> std::io::Result<Reply> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let split = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before an answer"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
        .unwrap_or(0);
    while buf.len() < split + len {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let json = serde_json::from_slice(&buf[split..]).unwrap_or(Value::Null);
    Ok(Reply { status, head, json })
}

/// Reads until the server closes the connection; how long that took.
fn wait_closed(s: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut chunk = [0u8; 4096];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("the connection is still open after {:?}: {e}", started.elapsed()),
        }
    }
}

const ADMIN: (&str, &str) = ("AKIDADMIN", "admin/secret");

#[test]
fn signatures_scoped_elsewhere_upper_case_or_doubled_are_refused() {
    let s = Server::start(true, &[]);
    let body = b"{}";
    assert_eq!(s.send("POST", "/findings", &s.signed(ADMIN, "us-east-1", "securityhub", body), body).status, 200);
    // Another service or region than the server's: AWS refuses the scope before the signature.
    for (region, service) in
        [("us-east-1", "s3"), ("us-east-1", "iam"), ("eu-west-1", "securityhub"), ("xx-nowhere-9", "securityhub")]
    {
        let m = s
            .send("POST", "/findings", &s.signed(ADMIN, region, service, body), body)
            .error(403, "InvalidSignatureException");
        assert!(m.contains("scoped"), "{region}/{service}: {m}");
    }
    // The signature is compared as AWS writes it, in lower-case hex.
    let mut upper = s.signed(ADMIN, "us-east-1", "securityhub", body);
    let auth = &mut upper[2].1;
    let at = auth.find("Signature=").unwrap() + "Signature=".len();
    *auth = format!("{}{}", &auth[..at], auth[at..].to_ascii_uppercase());
    s.send("POST", "/findings", &upper, body).error(403, "InvalidSignatureException");
    // Two Authorization headers, whichever comes first, are refused.
    let good = s.signed(ADMIN, "us-east-1", "securityhub", body);
    let other = ("authorization".to_string(), s.signed(ADMIN, "eu-west-1", "securityhub", body)[2].1.clone());
    let mut doubled = good.clone();
    doubled.push(other.clone());
    s.send("POST", "/findings", &doubled, body).error(400, "IncompleteSignatureException");
    let mut doubled = good[..2].to_vec();
    doubled.extend([other, good[2].clone()]);
    s.send("POST", "/findings", &doubled, body).error(400, "IncompleteSignatureException");

    // `--region` names the region the server answers for.
    let eu = Server::start(true, &["--region", "eu-west-1"]);
    assert_eq!(eu.send("POST", "/findings", &eu.signed(ADMIN, "eu-west-1", "securityhub", body), body).status, 200);
    eu.send("POST", "/findings", &eu.signed(ADMIN, "us-east-1", "securityhub", body), body)
        .error(403, "InvalidSignatureException");
}

#[test]
fn unauthenticated_requests_are_refused_before_their_body_is_read() {
    let s = Server::start(true, &[]);
    let old = OffsetDateTime::now_utc() - time::Duration::minutes(20);
    type Headers = Vec<(String, String)>;
    let cases: Vec<(&str, Headers, &str)> = vec![
        ("unsigned", vec![], "MissingAuthenticationTokenException"),
        ("unknown key", s.signed(("AKIDNOBODY", "x"), "us-east-1", "securityhub", b"{"), "UnrecognizedClientException"),
        ("other region", s.signed(ADMIN, "eu-west-1", "securityhub", b"{"), "InvalidSignatureException"),
        ("other service", s.signed(ADMIN, "us-east-1", "s3", b"{"), "InvalidSignatureException"),
        (
            "expired",
            sign(&s.addr, ADMIN, "POST", "/findings", b"{", "us-east-1", "securityhub", old),
            "InvalidSignatureException",
        ),
    ];
    for (what, headers, code) in cases {
        // 16 MB announced, one byte sent: the answer must not wait for the rest.
        let mut c = s.connect();
        c.write_all(&head(&s.addr, "POST", "/findings", &headers, 16_000_000)).unwrap();
        c.write_all(b"{").unwrap();
        let started = Instant::now();
        let reply = read_reply(&mut c).unwrap_or_else(|e| panic!("{what}: no answer before the body: {e}"));
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: {:?}", started.elapsed());
        reply.error(403, code);
    }
}

#[test]
fn silent_and_stalled_connections_are_closed() {
    let s = Server::start(false, &["--header-timeout", "1s", "--idle-timeout", "1s"]);
    // Connected, nothing sent.
    let mut silent = s.connect();
    let waited = wait_closed(&mut silent);
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    // Half a request head.
    let mut half = s.connect();
    half.write_all(b"POST /findings HTTP/1.1\r\nhost: x\r\n").unwrap();
    let waited = wait_closed(&mut half);
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    // A complete head, then the body stalls: answered (408) and closed.
    let mut stalled = s.connect();
    stalled.write_all(&head(&s.addr, "POST", "/findings", &[], 100)).unwrap();
    stalled.write_all(b"{\"Max").unwrap();
    let reply = read_reply(&mut stalled).unwrap();
    reply.error(408, "RequestTimeoutException");
    wait_closed(&mut stalled);
    // An idle keep-alive connection after an answer.
    let mut kept = s.connect();
    kept.write_all(&head(&s.addr, "POST", "/findings", &[], 2)).unwrap();
    kept.write_all(b"{}").unwrap();
    assert_eq!(read_reply(&mut kept).unwrap().status, 200);
    let waited = wait_closed(&mut kept);
    assert!(waited < Duration::from_secs(8), "{waited:?}");
}

#[test]
fn each_timeout_closes_a_silent_connection_alone() {
    // The header timeout alone: a head that never ends.
    let s = Server::start(false, &["--header-timeout", "1s", "--idle-timeout", "60s"]);
    let mut half = s.connect();
    half.write_all(b"POST /findings HTTP/1.1\r\nhost: x\r\n").unwrap();
    let waited = wait_closed(&mut half);
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    // The idle timeout alone: nothing sent at all.
    let s = Server::start(false, &["--header-timeout", "60s", "--idle-timeout", "1s"]);
    let mut silent = s.connect();
    let waited = wait_closed(&mut silent);
    assert!(waited < Duration::from_secs(8), "{waited:?}");
    // A request being answered is not idle: a 2 s injected latency outlasts the 1 s idle timeout.
    let s = Server::start(false, &["--idle-timeout", "1s", "--fault", "latency=2s"]);
    assert_eq!(s.send("POST", "/findings", &[], b"{}").status, 200);
}

#[test]
fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let s = Server::start(false, &["--max-connections", "2", "--header-timeout", "2s"]);
    let (_a, _b) = (s.connect(), s.connect());
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let reply = s.send("POST", "/findings", &[], b"{}");
    assert_eq!(reply.status, 200, "{reply:?}");
    // Answered only once the two silent connections were cut at their header timeout.
    assert!(started.elapsed() >= Duration::from_millis(1000), "{:?}", started.elapsed());
}
