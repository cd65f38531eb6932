//! How a remote call fails, said so that the user knows what to do next (log in, enable Security
//! Hub, fix the clock, pick another region), and sorted into the `BackendError` kinds the workbench
//! acts on. Messages name the profile, region, endpoint and operation, never a secret: the service's
//! own words are passed through `model::sanitize` and never carry the request's headers.

use crate::model::source::{BackendError, ErrorKind};

pub type Result<T> = std::result::Result<T, RemoteError>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    #[error(
        "no AWS credentials found for profile {profile}; tried {tried}. Set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, run `aws configure --profile {profile}`, or name another profile with \
         --profile or AWS_PROFILE"
    )]
    NoCredentials { profile: String, tried: String },
    #[error(
        "the SSO session of profile {profile} has expired: run `aws sso login --profile {profile}`, then try again"
    )]
    SsoExpired { profile: String },
    #[error("could not load the AWS credentials of profile {profile}: {reason}")]
    Credentials { profile: String, reason: String },
    #[error(
        "no AWS region for profile {profile}: pass --region, set AWS_REGION, or add `region = ...` to the \
         profile in the AWS config file"
    )]
    NoRegion { profile: String },
    /// A setting that cannot work (a malformed endpoint URL).
    #[error("{0}")]
    Config(String),
    #[error(
        "Security Hub is not enabled for this account in {region} ({operation} answered InvalidAccessException: \
         {message}); enable it in that region, or choose the region where it is with --region"
    )]
    NotEnabled { operation: &'static str, region: String, message: String },
    #[error("access denied: {operation} at {endpoint} as profile {profile} was refused ({code}: {message})")]
    AccessDenied { operation: &'static str, endpoint: String, profile: String, code: String, message: String },
    #[error(
        "{operation} at {endpoint} was refused because this computer's clock is {skew_seconds} s off the \
         endpoint's, more than the 15 minutes AWS allows in a signed request: set the system clock (NTP)"
    )]
    ClockSkew { operation: &'static str, endpoint: String, skew_seconds: i64 },
    #[error("cannot reach {endpoint} for {operation} after {attempts} attempts: {cause}")]
    Unreachable { operation: &'static str, endpoint: String, attempts: u32, cause: String },
    #[error("this endpoint ({endpoint}) does not implement {operation}")]
    NotImplemented { operation: &'static str, endpoint: String },
    #[error("{operation} at {endpoint} is still throttled after {attempts} attempts ({code})")]
    Throttled { operation: &'static str, endpoint: String, attempts: u32, code: String },
    #[error("{operation} at {endpoint} failed: HTTP {status} {code}: {message}")]
    Service { operation: &'static str, endpoint: String, status: u16, code: String, message: String },
    #[error("{operation}: the answer from {endpoint} is not what Security Hub sends: {message}")]
    BadResponse { operation: &'static str, endpoint: String, message: String },
}

impl RemoteError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            RemoteError::NoCredentials { .. }
            | RemoteError::SsoExpired { .. }
            | RemoteError::Credentials { .. }
            | RemoteError::NotEnabled { .. }
            | RemoteError::AccessDenied { .. }
            | RemoteError::ClockSkew { .. } => ErrorKind::AccessDenied,
            RemoteError::NoRegion { .. } | RemoteError::Config(_) => ErrorKind::Invalid,
            RemoteError::Unreachable { .. } => ErrorKind::Unavailable,
            RemoteError::Throttled { .. } => ErrorKind::Throttled,
            RemoteError::NotImplemented { .. } | RemoteError::BadResponse { .. } => ErrorKind::Other,
            RemoteError::Service { status, code, .. } => match (*status, code.as_str()) {
                (_, "ResourceNotFoundException") | (404, _) => ErrorKind::NotFound,
                (400, _) | (_, "InvalidInputException") => ErrorKind::Invalid,
                (429, _) => ErrorKind::Throttled,
                (500.., _) => ErrorKind::Unavailable,
                _ => ErrorKind::Other,
            },
        }
    }
}

impl From<RemoteError> for BackendError {
    fn from(e: RemoteError) -> BackendError {
        BackendError::new(e.kind(), e.to_string())
    }
}

/// An error and its causes, `a: b: c`: the libraries below put the useful part in the causes
/// (hyper's "client error (Connect)", aws-config's "an error occurred while loading credentials").
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_what_the_user_can_do() {
        let service = |status, code: &str| RemoteError::Service {
            operation: "GetFindings",
            endpoint: "e".into(),
            status,
            code: code.into(),
            message: "m".into(),
        };
        assert_eq!(service(400, "InvalidInputException").kind(), ErrorKind::Invalid);
        assert_eq!(service(503, "ServiceUnavailableException").kind(), ErrorKind::Unavailable);
        assert_eq!(RemoteError::SsoExpired { profile: "p".into() }.kind(), ErrorKind::AccessDenied);
        let m = BackendError::from(RemoteError::SsoExpired { profile: "audit".into() }).message;
        assert!(m.contains("aws sso login --profile audit"), "{m}");
        let m = RemoteError::NotImplemented { operation: "BatchUpdateFindings", endpoint: "http://x".into() };
        assert_eq!(m.to_string(), "this endpoint (http://x) does not implement BatchUpdateFindings");
    }
}
