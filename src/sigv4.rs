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
mod tests;
