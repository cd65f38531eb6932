//! Who is calling: the `--auth` file (access key -> secret, account, user name) and the SigV4 check
//! of each request against it. Without a file every caller is the default account.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use time::OffsetDateTime;

use crate::api::ApiError;
use crate::sigv4::{self, Authorization, SigError};
use crate::store::Caller;

/// One access key of the `--auth` file.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct KeyEntry {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
    #[serde(default)]
    pub user_name: Option<String>,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account_id", &self.account_id)
            .field("user_name", &self.user_name)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AuthFile {
    keys: Vec<KeyEntry>,
}

/// The access keys the server accepts, and the region a request must be signed for.
#[derive(Debug)]
pub struct AuthConfig {
    keys: HashMap<String, KeyEntry>,
    region: String,
}

impl AuthConfig {
    /// Reads `{"Keys": [{"AccessKeyId", "SecretAccessKey", "AccountId", "UserName"?}]}`.
    pub fn load(path: &Path) -> Result<AuthConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        AuthConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<AuthConfig, String> {
        let file: AuthFile = serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))?;
        let mut keys = HashMap::new();
        for k in file.keys {
            if k.account_id.len() != 12 || !k.account_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "key {}: AccountId {} is not a 12-digit account id",
                    k.access_key_id, k.account_id
                ));
            }
            if k.access_key_id.is_empty() || k.secret_access_key.is_empty() {
                return Err("every key needs a non-empty AccessKeyId and SecretAccessKey".into());
            }
            if keys.contains_key(&k.access_key_id) {
                return Err(format!("access key {} is listed twice", k.access_key_id));
            }
            keys.insert(k.access_key_id.clone(), k);
        }
        if keys.is_empty() {
            return Err("no Keys: list at least one access key".into());
        }
        Ok(AuthConfig { keys, region: super::DEFAULT_REGION.to_string() })
    }

    /// Accept only signatures scoped to `region` (serve's `--region`), as an AWS endpoint does.
    pub fn in_region(mut self, region: &str) -> AuthConfig {
        self.region = region.to_string();
        self
    }
}

fn error(code: &'static str, status: u16, message: impl Into<String>) -> ApiError {
    ApiError { code, status, message: message.into() }
}

fn sig_error(e: SigError) -> ApiError {
    match e {
        SigError::Missing => error("MissingAuthenticationTokenException", 403, e.to_string()),
        SigError::Incomplete(_) => error("IncompleteSignatureException", 400, e.to_string()),
        SigError::Scope(_) | SigError::Expired { .. } | SigError::Mismatch => {
            error("InvalidSignatureException", 403, e.to_string())
        }
    }
}

/// The one `Authorization` header of a request; two or more are refused, as AWS does, rather than
/// letting one of them count.
fn authorization_header(headers: &[(String, String)]) -> Result<Option<&str>, ApiError> {
    let mut found = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(sig_error(SigError::Incomplete(
            "Authorization header must appear once; the request has more than one.".into(),
        )));
    }
    Ok(first)
}

/// What can be checked from the headers alone: one well-formed Authorization header, a known key,
/// the date within the skew, the scope Security Hub in the server's region. Returns the key and
/// the parsed header; only the signature over the body is left to check.
fn check_signed_headers<'a>(
    auth: &'a AuthConfig,
    headers: &[(String, String)],
    now: OffsetDateTime,
) -> Result<(&'a KeyEntry, Authorization), ApiError> {
    let header = authorization_header(headers)?.ok_or_else(|| sig_error(SigError::Missing))?;
    let parsed = Authorization::parse(header).map_err(sig_error)?;
    let key = auth.keys.get(&parsed.access_key_id).ok_or_else(|| {
        error("UnrecognizedClientException", 403, "The security token included in the request is invalid.")
    })?;
    sigv4::check_headers(headers, &parsed, &auth.region, now).map_err(sig_error)?;
    Ok((key, parsed))
}

/// Refuses, before its body is read, a request that cannot be authenticated whatever its body
/// (see `check_signed_headers`). Without `--auth` every request passes.
pub fn check_before_body(
    auth: Option<&AuthConfig>,
    headers: &[(String, String)],
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    match auth {
        Some(auth) => check_signed_headers(auth, headers, now).map(|_| ()),
        None => Ok(()),
    }
}

/// The caller of a request, verified against `auth` when there is one. `default` is the caller
/// without `--auth`. Also returns the region the request was signed for, if any.
pub fn authenticate(
    auth: Option<&AuthConfig>,
    default: &Caller,
    req: &sigv4::Request<'_>,
    now: OffsetDateTime,
) -> Result<(Caller, Option<String>), ApiError> {
    let Some(auth) = auth else {
        // Unverified: only used to name the caller in history and the hub's region.
        let header = req.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("authorization")).map(|(_, v)| v.as_str());
        let parsed = header.and_then(|h| Authorization::parse(h).ok());
        let mut caller = default.clone();
        if let Some(a) = &parsed {
            caller.identity = a.access_key_id.clone();
        }
        return Ok((caller, parsed.map(|a| a.region)));
    };
    let (key, parsed) = check_signed_headers(auth, req.headers, now)?;
    sigv4::verify(req, &parsed, &key.secret_access_key, &auth.region, now).map_err(sig_error)?;
    let caller = Caller {
        account: Some(key.account_id.clone()),
        identity: key.user_name.clone().unwrap_or_else(|| key.access_key_id.clone()),
    };
    Ok((caller, Some(parsed.region)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::{Credentials, Request};

    const FILE: &str = r#"{"Keys": [
        {"AccessKeyId": "AKIDADMIN", "SecretAccessKey": "admin-secret", "AccountId": "111111111111", "UserName": "alice"},
        {"AccessKeyId": "AKIDMEMBER", "SecretAccessKey": "member-secret", "AccountId": "222222222222"}
    ]}"#;

    fn signed(key: &str, secret: &str, body: &[u8]) -> Vec<(String, String)> {
        let mut headers = vec![("host".to_string(), "127.0.0.1:4566".to_string())];
        let creds = Credentials { access_key_id: key.into(), secret_access_key: secret.into(), session_token: None };
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body };
        headers.extend(sigv4::sign(&req, &creds, "us-east-1", OffsetDateTime::now_utc()));
        headers
    }

    fn check(auth: &AuthConfig, headers: &[(String, String)], body: &[u8]) -> Result<Caller, ApiError> {
        let req = Request { method: "POST", path: "/findings", query: "", headers, body };
        authenticate(Some(auth), &Caller::unrestricted("x"), &req, OffsetDateTime::now_utc()).map(|(c, _)| c)
    }

    #[test]
    fn auth_maps_keys_to_accounts_and_rejects_like_aws() {
        let auth = AuthConfig::parse(FILE).unwrap();
        let caller = check(&auth, &signed("AKIDADMIN", "admin-secret", b"{}"), b"{}").unwrap();
        assert_eq!(caller, Caller { account: Some("111111111111".into()), identity: "alice".into() });
        let member = check(&auth, &signed("AKIDMEMBER", "member-secret", b"{}"), b"{}").unwrap();
        assert_eq!(member.identity, "AKIDMEMBER");
        let code = |r: Result<Caller, ApiError>| r.map(|_| ()).unwrap_err().code;
        assert_eq!(code(check(&auth, &signed("AKIDADMIN", "wrong", b"{}"), b"{}")), "InvalidSignatureException");
        assert_eq!(
            code(check(&auth, &signed("AKIDADMIN", "admin-secret", b"{}"), b"{ }")),
            "InvalidSignatureException"
        );
        assert_eq!(code(check(&auth, &signed("AKIDNOBODY", "x", b"{}"), b"{}")), "UnrecognizedClientException");
        assert_eq!(code(check(&auth, &[], b"{}")), "MissingAuthenticationTokenException");
        let garbled = vec![("authorization".to_string(), "AWS4-HMAC-SHA256 nonsense".to_string())];
        assert_eq!(code(check(&auth, &garbled, b"{}")), "IncompleteSignatureException");
    }

    #[test]
    fn auth_refuses_two_authorization_headers_and_another_region() {
        let auth = AuthConfig::parse(FILE).unwrap();
        let code = |r: Result<Caller, ApiError>| r.map(|_| ()).unwrap_err().code;
        let good = signed("AKIDADMIN", "admin-secret", b"{}");
        let mut doubled = good.clone();
        doubled.push(("Authorization".into(), "AWS4-HMAC-SHA256 nonsense".into()));
        assert_eq!(code(check(&auth, &doubled, b"{}")), "IncompleteSignatureException");
        let mut doubled = vec![("authorization".to_string(), "AWS4-HMAC-SHA256 nonsense".to_string())];
        doubled.extend(good.iter().cloned());
        assert_eq!(code(check(&auth, &doubled, b"{}")), "IncompleteSignatureException");
        // Signed for us-east-1, served for eu-west-1.
        let eu = AuthConfig::parse(FILE).unwrap().in_region("eu-west-1");
        assert_eq!(code(check(&eu, &good, b"{}")), "InvalidSignatureException");
        assert!(check(&auth, &good, b"{}").is_ok());
    }

    #[test]
    fn auth_file_errors_say_what() {
        assert!(AuthConfig::parse(r#"{"Keys": []}"#).unwrap_err().contains("no Keys"));
        let bad = r#"{"Keys": [{"AccessKeyId": "A", "SecretAccessKey": "s", "AccountId": "12"}]}"#;
        assert!(AuthConfig::parse(bad).unwrap_err().contains("12-digit"));
        assert!(AuthConfig::parse(r#"{"Keys": [{"AccessKeyId": "A"}]}"#).is_err());
    }
}
