//! Who is calling: the `--auth` file (access key -> secret, account, user name) and the SigV4 check
//! of each request against it. Without a file every caller is the default account.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::error::Category;
use serde_json::Value;
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

    /// Errors say which entry and member are wrong (`Keys[1]: AccountId ...`) and never quote a
    /// value: the file holds secrets, and serde's own messages quote the offending token (a secret
    /// written as a number, an entry written as one string). The shape is checked on a parsed tree
    /// first, with this module's messages; the typed reading after it can then fail only on a
    /// member given twice, which the tree cannot show.
    pub fn parse(text: &str) -> Result<AuthConfig, String> {
        let tree: Value = serde_json::from_str(text).map_err(|e| match e.classify() {
            // serde_json's syntax messages name the expected token, never the text.
            Category::Syntax | Category::Eof | Category::Io => syntax(&e),
            Category::Data => format!("{}:{}: not valid JSON", e.line(), e.column()),
        })?;
        check_shape(&tree)?;
        let file: AuthFile = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            if message.starts_with("duplicate field") {
                // A member name of `KeyEntry` or `AuthFile`, never a value.
                syntax(&e)
            } else {
                format!("{}:{}: the file does not have the expected shape", e.line(), e.column())
            }
        })?;
        let mut keys: HashMap<String, (usize, KeyEntry)> = HashMap::new();
        for (i, k) in file.keys.into_iter().enumerate() {
            if k.account_id.len() != 12 || !k.account_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("Keys[{i}]: AccountId is not a 12-digit account id"));
            }
            if k.access_key_id.is_empty() || k.secret_access_key.is_empty() {
                return Err(format!("Keys[{i}]: every key needs a non-empty AccessKeyId and SecretAccessKey"));
            }
            if let Some((first, _)) = keys.get(&k.access_key_id) {
                return Err(format!("Keys[{i}]: AccessKeyId is listed twice (also Keys[{first}])"));
            }
            keys.insert(k.access_key_id.clone(), (i, k));
        }
        if keys.is_empty() {
            return Err("no Keys: list at least one access key".into());
        }
        Ok(AuthConfig {
            keys: keys.into_iter().map(|(id, (_, k))| (id, k)).collect(),
            region: super::DEFAULT_REGION.to_string(),
        })
    }

    /// Accept only signatures scoped to `region` (serve's `--region`), as an AWS endpoint does.
    pub fn in_region(mut self, region: &str) -> AuthConfig {
        self.region = region.to_string();
        self
    }
}

/// `line:column: message`, without serde_json's own " at line L column C".
fn syntax(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.rfind(" at line ").map_or(message.as_str(), |i| &message[..i]);
    format!("{}:{}: {message}", e.line(), e.column())
}

const MEMBERS: [&str; 4] = ["AccessKeyId", "SecretAccessKey", "AccountId", "UserName"];

/// An unknown member's name as an error shows it: a misspelt member ("SecretKey") is named, but a
/// name that is not a short plain word is not shown, since it may be a value in the wrong place
/// (a secret written as a member name).
fn quoted_name(name: &str) -> String {
    if name.len() <= 24 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        format!("\"{name}\"")
    } else {
        "(a name that is not a short plain word, not shown)".to_string()
    }
}

/// `{"Keys": [{"AccessKeyId", "SecretAccessKey", "AccountId": strings, "UserName"?: string or null}]}`,
/// checked member by member. Messages name places and members, never values.
fn check_shape(tree: &Value) -> Result<(), String> {
    let shape = "expected {\"Keys\": [{\"AccessKeyId\", \"SecretAccessKey\", \"AccountId\", \"UserName\"?}]}";
    let top = tree.as_object().ok_or_else(|| format!("the file is not a JSON object; {shape}"))?;
    if let Some(name) = top.keys().find(|k| *k != "Keys") {
        return Err(format!("unknown member {}; {shape}", quoted_name(name)));
    }
    let list = match top.get("Keys") {
        None => return Err("no Keys: list at least one access key".into()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(format!("Keys is not a list; {shape}")),
    };
    for (i, entry) in list.iter().enumerate() {
        let entry = entry.as_object().ok_or_else(|| {
            format!("Keys[{i}] is not an object {{\"AccessKeyId\", \"SecretAccessKey\", \"AccountId\", \"UserName\"?}}")
        })?;
        if let Some(name) = entry.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            return Err(format!("Keys[{i}]: unknown member {}; expected {}", quoted_name(name), MEMBERS.join(", ")));
        }
        for name in MEMBERS {
            match entry.get(name) {
                Some(Value::String(_)) => {}
                None | Some(Value::Null) if name == "UserName" => {}
                None => return Err(format!("Keys[{i}]: {name} is missing")),
                Some(_) => return Err(format!("Keys[{i}]: {name} must be a string")),
            }
        }
    }
    Ok(())
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

    // A malformed file says which entry and member are wrong, and never prints a secret: serde's
    // own messages quote the offending value, and an AccountId swapped with the secret was quoted.
    #[test]
    fn auth_file_errors_never_echo_a_secret() {
        const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY";
        let good = r#"{"AccessKeyId": "AKIDOK", "SecretAccessKey": "ok-secret", "AccountId": "111111111111"}"#;
        let cases = [
            (format!(r#"{{"Keys": [{good}, "AKIDX:{SECRET}"]}}"#), "Keys[1]"),
            (format!(r#"{{"Keys": "{SECRET}"}}"#), "Keys"),
            (
                format!(r#"{{"Keys": [{good}, {{"AccessKeyId": "B", "SecretAccessKey": ["{SECRET}"], "AccountId": "111111111111"}}]}}"#),
                "SecretAccessKey",
            ),
            (
                r#"{"Keys": [{"AccessKeyId": "B", "SecretAccessKey": 12345678901234567890, "AccountId": "111111111111"}]}"#
                    .to_string(),
                "SecretAccessKey",
            ),
            (
                format!(r#"{{"Keys": [{good}, {{"AccessKeyId": "B", "SecretAccessKey": "111111111111", "AccountId": "{SECRET}"}}]}}"#),
                "Keys[1]: AccountId",
            ),
            (
                format!(r#"{{"Keys": [{{"AccessKeyId": "B", "SecretAccessKey": "{SECRET}", "AccountId": "1", "Extra\u001b[2J": 1}}]}}"#),
                "Keys[0]",
            ),
            (format!(r#"{{"Keys": [{{"AccessKeyId": "B", "SecretAccessKey": "{SECRET}" "AccountId": "1"}}]}}"#), "1:"),
            (format!(r#"{{"{SECRET}": []}}"#), "Keys"),
            (format!(r#"{{"Keys": [{{"AccessKeyId": "B", "SecretAccessKey": {SECRET}}}]}}"#), "1:"),
        ];
        for (file, place) in &cases {
            let e = AuthConfig::parse(file).unwrap_err();
            assert!(!e.contains(SECRET) && !e.contains("12345678901234567890"), "{e}");
            assert!(!e.contains('\u{1b}'), "{e:?}");
            assert!(e.contains(place), "{e} should name {place}");
        }
        let twice = format!(r#"{{"Keys": [{good}, {good}]}}"#);
        assert!(AuthConfig::parse(&twice).unwrap_err().contains("Keys[1]: AccessKeyId"));
        let dup = r#"{"Keys": [{"AccessKeyId": "B", "SecretAccessKey": "s1", "SecretAccessKey": "s2", "AccountId": "111111111111"}]}"#;
        let e = AuthConfig::parse(dup).unwrap_err();
        assert!(e.contains("SecretAccessKey") && !e.contains("s1") && !e.contains("s2"), "{e}");
    }
}
