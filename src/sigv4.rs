//! AWS Signature Version 4 for Security Hub's wire protocol: signing a request (the remote mode's
//! client side) and verifying one (`hubtriage serve`). Both sides build the canonical request with the
//! same code, so a request this module signs is one it accepts.
//!
//! Secrets never leave this module in an error or a `Debug` output.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime, PrimitiveDateTime};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Security Hub's signing name.
pub const SERVICE: &str = "securityhub";
/// How far a request's `X-Amz-Date` may be from the server's clock (AWS allows 15 minutes).
pub const MAX_SKEW: time::Duration = time::Duration::minutes(15);

const AMZ_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year][month][day]T[hour][minute][second]Z");

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why a request's signature was not accepted. Each maps to the error the AWS front end answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("Missing Authentication Token")]
    Missing,
    /// The Authorization header is not a well-formed SigV4 header.
    #[error("{0}")]
    Incomplete(String),
    #[error("Signature expired: {request} is now earlier than {earliest} or later than {latest}")]
    Expired { request: String, earliest: String, latest: String },
    /// Signed for another service or region than the server's (AWS checks the scope first).
    #[error("{0}")]
    Scope(String),
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
         Access Key and signing method. Consult the service documentation for details."
    )]
    Mismatch,
}

/// The parts of a request that are signed. `path` and `query` are as sent on the wire (already
/// percent-encoded); header names in any case.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The fields of a SigV4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    /// `yyyymmdd` of the credential scope.
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    pub fn parse(header: &str) -> Result<Authorization, SigError> {
        let rest = header
            .strip_prefix(ALGORITHM)
            .filter(|r| r.starts_with(' '))
            .ok_or_else(|| SigError::Incomplete(format!("Authorization header requires the {ALGORITHM} algorithm")))?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (k, v) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
            match k {
                "Credential" => credential = Some(v),
                "SignedHeaders" => signed = Some(v),
                "Signature" => signature = Some(v),
                _ => {}
            }
        }
        let missing = |what: &str| {
            SigError::Incomplete(format!(
                "Authorization header requires '{what}' parameter. Authorization header requires 'Credential', \
                 'Signature' and 'SignedHeaders' parameters."
            ))
        };
        let credential = credential.ok_or_else(|| missing("Credential"))?;
        let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
        let signature = signature.ok_or_else(|| missing("Signature"))?;
        let scope: Vec<&str> = credential.split('/').collect();
        let [key, date, region, service, terminator] = scope.as_slice() else {
            return Err(SigError::Incomplete(format!(
                "Credential should be scoped to a valid region and service: \
                 <access key>/<yyyymmdd>/<region>/<service>/aws4_request, got {} parts",
                scope.len()
            )));
        };
        if *terminator != "aws4_request" || key.is_empty() || date.len() != 8 {
            return Err(SigError::Incomplete(
                "Credential should be scoped with a valid terminator: 'aws4_request'".into(),
            ));
        }
        Ok(Authorization {
            access_key_id: (*key).to_string(),
            date: (*date).to_string(),
            region: (*region).to_string(),
            service: (*service).to_string(),
            signed_headers: signed.split(';').map(str::to_string).collect(),
            signature: signature.to_string(),
        })
    }

    pub fn to_header(&self) -> String {
        format!(
            "{ALGORITHM} Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
            self.access_key_id,
            self.date,
            self.region,
            self.service,
            self.signed_headers.join(";"),
            self.signature
        )
    }
}

/// `yyyymmddThhmmssZ`.
pub fn format_amz_date(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(AMZ_DATE).unwrap_or_default()
}

pub fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(s, AMZ_DATE).ok().map(PrimitiveDateTime::assume_utc)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// RFC 3986 encoding with AWS's unreserved set; `/` kept when `keep_slash`.
fn uri_encode(s: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The canonical URI of a non-S3 service: the path as sent, each segment encoded once more.
/// An empty path is `/`.
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    uri_encode(path.as_bytes(), true)
}

/// Query parameters decoded, re-encoded, and sorted by name then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), false), uri_encode(&percent_decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// A header value as signed: trimmed, inner runs of spaces collapsed; repeated headers joined by `,`.
fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(","))
    }
}

/// The canonical request over `signed` (lower-case, sorted) header names. A signed header absent
/// from the request is signed as empty, so the signature cannot match.
pub fn canonical_request(req: &Request<'_>, signed: &[String]) -> String {
    let mut out = format!("{}\n{}\n{}\n", req.method, canonical_uri(req.path), canonical_query(req.query));
    for name in signed {
        out.push_str(name);
        out.push(':');
        out.push_str(&header_value(req.headers, name).unwrap_or_default());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed.join(";"));
    out.push('\n');
    out.push_str(&sha256_hex(req.body));
    out
}

pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Signs `req` (whose headers must already include `host`) at time `at`; returns the headers to add:
/// `x-amz-date`, `x-amz-security-token` with temporary credentials, and `authorization`.
pub fn sign(req: &Request<'_>, creds: &Credentials, region: &str, at: OffsetDateTime) -> Vec<(String, String)> {
    let amz_date = format_amz_date(at);
    let date = amz_date[..8].to_string();
    let mut added = vec![("x-amz-date".to_string(), amz_date.clone())];
    if let Some(token) = &creds.session_token {
        added.push(("x-amz-security-token".to_string(), token.clone()));
    }
    let mut headers: Vec<(String, String)> = req.headers.to_vec();
    headers.retain(|(n, _)| !added.iter().any(|(a, _)| n.eq_ignore_ascii_case(a)));
    headers.extend(added.iter().cloned());
    let mut signed: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "authorization" && n != "user-agent" && n != "content-length")
        .collect();
    signed.sort();
    signed.dedup();
    let full = Request { headers: &headers, ..*req };
    let scope = format!("{date}/{region}/{SERVICE}/aws4_request");
    let sts = string_to_sign(&amz_date, &scope, &canonical_request(&full, &signed));
    let signature = hex::encode(hmac(&signing_key(&creds.secret_access_key, &date, region, SERVICE), sts.as_bytes()));
    let auth = Authorization {
        access_key_id: creds.access_key_id.clone(),
        date,
        region: region.to_string(),
        service: SERVICE.to_string(),
        signed_headers: signed,
        signature,
    };
    added.push(("authorization".to_string(), auth.to_header()));
    added
}

/// The request's `X-Amz-Date` (or `Date`) header.
fn request_time(headers: &[(String, String)]) -> Result<(String, OffsetDateTime), SigError> {
    if let Some(v) = header_value(headers, "x-amz-date") {
        let t = parse_amz_date(&v)
            .ok_or_else(|| SigError::Incomplete(format!("X-Amz-Date {v} is not in the yyyyMMdd'T'HHmmss'Z' format")))?;
        return Ok((v, t));
    }
    if let Some(v) = header_value(headers, "date") {
        let t = OffsetDateTime::parse(&v, &time::format_description::well_known::Rfc2822)
            .map_err(|_| SigError::Incomplete(format!("Date header {v} is not an HTTP date")))?;
        return Ok((format_amz_date(t), t));
    }
    Err(SigError::Incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into(),
    ))
}

/// Everything about a signed request that can be checked from its headers alone: the time against
/// `now`, the credential scope (Security Hub in `region`, the date of the request) and that `host`
/// is signed. A server runs this before reading the body, so a request that cannot be genuine is
/// refused without the server holding its body. Returns the request's `X-Amz-Date`.
pub fn check_headers(
    headers: &[(String, String)],
    auth: &Authorization,
    region: &str,
    now: OffsetDateTime,
) -> Result<String, SigError> {
    if auth.service != SERVICE {
        return Err(SigError::Scope(format!("Credential should be scoped to correct service: '{SERVICE}'. ")));
    }
    if auth.region != region {
        return Err(SigError::Scope(format!(
            "Credential should be scoped to a valid region, not '{}'. This endpoint answers for '{region}'.",
            auth.region
        )));
    }
    let (amz_date, at) = request_time(headers)?;
    if (at - now).abs() > MAX_SKEW {
        return Err(SigError::Expired {
            request: amz_date,
            earliest: format_amz_date(now - MAX_SKEW),
            latest: format_amz_date(now + MAX_SKEW),
        });
    }
    if !amz_date.starts_with(&auth.date) {
        return Err(SigError::Mismatch);
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(SigError::Incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.".into()));
    }
    Ok(amz_date)
}

/// Checks `req`'s signature made with `secret` for Security Hub in `region`, and its time against
/// `now` (all of `check_headers`, then the signature over the body). The caller has looked up
/// `secret` by `auth.access_key_id`.
pub fn verify(
    req: &Request<'_>,
    auth: &Authorization,
    secret: &str,
    region: &str,
    now: OffsetDateTime,
) -> Result<(), SigError> {
    let amz_date = check_headers(req.headers, auth, region, now)?;
    // AWS compares the signature as it writes it: 64 lower-case hex digits, nothing else matches.
    if auth.signature.len() != 64 || !auth.signature.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(SigError::Mismatch);
    }
    let scope = format!("{}/{}/{}/aws4_request", auth.date, auth.region, auth.service);
    let sts = string_to_sign(&amz_date, &scope, &canonical_request(req, &auth.signed_headers));
    let given = hex::decode(&auth.signature).map_err(|_| SigError::Mismatch)?;
    let key = signing_key(secret, &auth.date, &auth.region, &auth.service);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
    mac.update(sts.as_bytes());
    // Constant time, so a signature cannot be guessed byte by byte from response timings.
    mac.verify_slice(&given).map_err(|_| SigError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    fn at(s: &str) -> OffsetDateTime {
        parse_amz_date(s).unwrap()
    }

    fn creds(key: &str, token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: key.into(),
            secret_access_key: SECRET.into(),
            session_token: token.map(str::to_string),
        }
    }

    const BODY_A: &str = r#"{"Filters":{"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}],"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}]},"MaxResults":50}"#;

    fn vector_a_headers() -> Vec<(String, String)> {
        h(&[("Content-Type", "application/json"), ("Host", "securityhub.us-east-1.amazonaws.com")])
    }

    /// AWS's published signing-key example (General Reference, "Examples of how to derive a signing key").
    #[test]
    fn signing_key_matches_the_aws_documented_example() {
        let key = signing_key(SECRET, "20120215", "us-east-1", "iam");
        assert_eq!(hex::encode(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    /// The documented `post-vanilla` example: POST / to service "service", no body.
    #[test]
    fn post_vanilla_example_signature() {
        let headers = h(&[("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]);
        let req = Request { method: "POST", path: "/", query: "", headers: &headers, body: b"" };
        let signed = vec!["host".to_string(), "x-amz-date".to_string()];
        let cr = canonical_request(&req, &signed);
        let sts = string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", &cr);
        let sig = hex::encode(hmac(&signing_key(SECRET, "20150830", "us-east-1", "service"), sts.as_bytes()));
        assert_eq!(sig, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    }

    #[test]
    fn get_findings_vector_a() {
        let headers = vector_a_headers();
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        assert_eq!(sha256_hex(BODY_A.as_bytes()), "a7a383474b5c0165e1d04b516f2bbf48df3c66d1467846d354d3bf3651396ebb");
        let added = sign(&req, &creds("AKIDEXAMPLE", None), "us-east-1", at("20250115T093000Z"));
        let auth = &added.iter().find(|(n, _)| n == "authorization").unwrap().1;
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/securityhub/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=f65ed6e41cf0a4f7306c8097491ea785829da373468963a00861a9267a70d059"
        );
    }

    #[test]
    fn batch_update_vector_b_with_session_token() {
        let body = r#"{"FindingIdentifiers":[{"Id":"arn:aws:securityhub:us-east-1:123456789012:security-control/S3.8/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub"}],"Workflow":{"Status":"SUPPRESSED"},"Note":{"Text":"Accepted risk, see TICKET-42","UpdatedBy":"triage-tui"}}"#;
        let headers = h(&[("Content-Type", "application/json"), ("Host", "securityhub.eu-west-1.amazonaws.com")]);
        let req = Request {
            method: "PATCH",
            path: "/findings/batchupdate",
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        let c = creds("ASIAEXAMPLE", Some("FQoGZXIvYXdzEXAMPLETOKEN"));
        let added = sign(&req, &c, "eu-west-1", at("20250115T093000Z"));
        let auth = Authorization::parse(&added.iter().find(|(n, _)| n == "authorization").unwrap().1).unwrap();
        assert_eq!(auth.signed_headers.join(";"), "content-type;host;x-amz-date;x-amz-security-token");
        assert_eq!(auth.signature, "ba76ae069648a197a97fb0c520d53bb9dd9c6c942f83d7970d9369e0c1f297f1");
    }

    /// A signed request with every header the signer added, as a server receives it.
    fn signed_request(body: &str, when: &str) -> (Vec<(String, String)>, Authorization) {
        let mut headers = vector_a_headers();
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: body.as_bytes() };
        let added = sign(&req, &creds("AKIDEXAMPLE", None), "us-east-1", at(when));
        headers.extend(added);
        let auth = Authorization::parse(&header_value(&headers, "authorization").unwrap()).unwrap();
        (headers, auth)
    }

    #[test]
    fn verify_accepts_what_sign_produced() {
        let (headers, auth) = signed_request(BODY_A, "20250115T093000Z");
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        assert_eq!(verify(&req, &auth, SECRET, "us-east-1", at("20250115T094000Z")), Ok(()));
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
    }

    #[test]
    fn verify_rejects_tampering_and_wrong_secret() {
        let (headers, auth) = signed_request(BODY_A, "20250115T093000Z");
        let now = at("20250115T093100Z");
        let ok = |method, path, query, headers: &Vec<(String, String)>, body: &str| {
            verify(&Request { method, path, query, headers, body: body.as_bytes() }, &auth, SECRET, "us-east-1", now)
        };
        assert_eq!(ok("POST", "/findings", "", &headers, &BODY_A.replace("50", "51")), Err(SigError::Mismatch));
        assert_eq!(ok("PATCH", "/findings", "", &headers, BODY_A), Err(SigError::Mismatch));
        assert_eq!(ok("POST", "/findings/import", "", &headers, BODY_A), Err(SigError::Mismatch));
        assert_eq!(ok("POST", "/findings", "a=b", &headers, BODY_A), Err(SigError::Mismatch));
        let mut other_host = headers.clone();
        other_host[1].1 = "evil.example.com".into();
        assert_eq!(ok("POST", "/findings", "", &other_host, BODY_A), Err(SigError::Mismatch));
        let mut other_date = headers.clone();
        other_date.iter_mut().find(|(n, _)| n == "x-amz-date").unwrap().1 = "20250115T093001Z".into();
        assert_eq!(ok("POST", "/findings", "", &other_date, BODY_A), Err(SigError::Mismatch));
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        assert_eq!(verify(&req, &auth, "not-the-secret", "us-east-1", now), Err(SigError::Mismatch));
        // Headers that were not signed may change (proxies add some).
        let mut extra = headers.clone();
        extra.push(("User-Agent".into(), "something".into()));
        assert_eq!(ok("POST", "/findings", "", &extra, BODY_A), Ok(()));
    }

    #[test]
    fn verify_rejects_requests_outside_the_clock_skew() {
        let (headers, auth) = signed_request(BODY_A, "20250115T093000Z");
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        assert!(matches!(
            verify(&req, &auth, SECRET, "us-east-1", at("20250115T094600Z")),
            Err(SigError::Expired { .. })
        ));
        assert!(matches!(
            verify(&req, &auth, SECRET, "us-east-1", at("20250115T091400Z")),
            Err(SigError::Expired { .. })
        ));
        assert_eq!(verify(&req, &auth, SECRET, "us-east-1", at("20250115T094400Z")), Ok(()));
    }

    /// Signs BODY_A at 09:30 for `region` and `service`, as `sign` does for Security Hub.
    fn scoped_request(region: &str, service: &str) -> (Vec<(String, String)>, Authorization) {
        let mut headers = vector_a_headers();
        headers.push(("x-amz-date".into(), "20250115T093000Z".into()));
        let signed = vec!["content-type".to_string(), "host".to_string(), "x-amz-date".to_string()];
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        let scope = format!("20250115/{region}/{service}/aws4_request");
        let sts = string_to_sign("20250115T093000Z", &scope, &canonical_request(&req, &signed));
        let signature = hex::encode(hmac(&signing_key(SECRET, "20250115", region, service), sts.as_bytes()));
        let auth = Authorization {
            access_key_id: "AKIDEXAMPLE".into(),
            date: "20250115".into(),
            region: region.into(),
            service: service.into(),
            signed_headers: signed,
            signature,
        };
        (headers, auth)
    }

    #[test]
    fn verify_refuses_another_service_or_region_than_the_servers() {
        let now = at("20250115T093100Z");
        let check = |region: &str, service: &str, server: &str| {
            let (headers, auth) = scoped_request(region, service);
            let req =
                Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
            verify(&req, &auth, SECRET, server, now)
        };
        assert_eq!(check("us-east-1", SERVICE, "us-east-1"), Ok(()));
        assert_eq!(check("eu-west-1", SERVICE, "eu-west-1"), Ok(()));
        for (region, service, server) in [
            ("us-east-1", "s3", "us-east-1"),
            ("us-east-1", "iam", "us-east-1"),
            ("eu-west-1", SERVICE, "us-east-1"),
            ("xx-nowhere-9", SERVICE, "us-east-1"),
            ("us-east-1", SERVICE, "eu-west-1"),
        ] {
            let e = check(region, service, server).unwrap_err();
            assert!(matches!(&e, SigError::Scope(m) if m.contains("scoped")), "{region}/{service}: {e:?}");
        }
        // Refused from the headers alone, before any body is read.
        let (headers, auth) = scoped_request("us-east-1", "s3");
        assert!(matches!(check_headers(&headers, &auth, "us-east-1", now), Err(SigError::Scope(_))));
        let (headers, auth) = scoped_request("us-east-1", SERVICE);
        assert_eq!(check_headers(&headers, &auth, "us-east-1", now), Ok("20250115T093000Z".to_string()));
        assert!(matches!(
            check_headers(&headers, &auth, "us-east-1", at("20250115T100000Z")),
            Err(SigError::Expired { .. })
        ));
    }

    #[test]
    fn verify_refuses_an_upper_case_or_malformed_signature() {
        let (headers, mut auth) = scoped_request("us-east-1", SERVICE);
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        let now = at("20250115T093100Z");
        assert_eq!(verify(&req, &auth, SECRET, "us-east-1", now), Ok(()));
        let good = auth.signature.clone();
        for bad in [good.to_ascii_uppercase(), format!("{good}00"), good[..62].to_string(), format!(" {good}")] {
            auth.signature = bad;
            assert_eq!(verify(&req, &auth, SECRET, "us-east-1", now), Err(SigError::Mismatch));
        }
    }

    #[test]
    fn authorization_header_parse_errors() {
        assert!(matches!(Authorization::parse("Bearer x"), Err(SigError::Incomplete(_))));
        assert!(matches!(
            Authorization::parse("AWS4-HMAC-SHA256 Credential=AK/20250115/us-east-1/securityhub/aws4_request"),
            Err(SigError::Incomplete(_))
        ));
        assert!(matches!(
            Authorization::parse("AWS4-HMAC-SHA256 Credential=AK/2025/x, SignedHeaders=host, Signature=00"),
            Err(SigError::Incomplete(_))
        ));
        let a = Authorization::parse(
            "AWS4-HMAC-SHA256 Credential=AK/20250115/us-east-1/securityhub/aws4_request,SignedHeaders=host;x-amz-date,Signature=ab",
        )
        .unwrap();
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(a.region, "us-east-1");
    }

    #[test]
    fn canonical_query_is_sorted_and_encoded() {
        assert_eq!(canonical_query("b=2&a=%7e x&a=1"), "a=1&a=~%20x&b=2");
        assert_eq!(canonical_uri("/automationrules/arn%3Aaws"), "/automationrules/arn%253Aaws");
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let text = format!("{:?}", creds("AKIDEXAMPLE", Some("TOKEN")));
        assert!(!text.contains(SECRET) && !text.contains("TOKEN"), "{text}");
    }
}
