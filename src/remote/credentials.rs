//! Credentials from the AWS CLI's own chain, as aws-config implements it (docs/remote.md#crates):
//! environment variables, the shared config and credentials files with profiles,
//! `source_profile`/`role_arn` (assume role, chained), SSO (the token cache `aws sso login`
//! writes), `credential_process`, web identity, the container endpoint and instance metadata
//! (IMDSv2). This module only loads, caches and explains them; it holds the secret, so its types
//! show none of it in `Debug`.

use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

use super::endpoint::{profile_set, Environment};
use super::error::{error_chain, RemoteError, Result};
use crate::model::sanitize;
use crate::sigv4::Credentials;

/// Credentials are renewed this long before they expire, so that none expires in flight.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

/// Usable credentials and what is known of them. `Debug` redacts the secret (`sigv4::Credentials`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub credentials: Credentials,
    /// The account, when the source says (SSO, assume role, a credential process).
    pub account: Option<String>,
    pub expires: Option<SystemTime>,
}

impl Identity {
    /// Whose rate limits a call counts against: the account, else the access key (one key is one
    /// account's).
    pub fn rate_key(&self) -> &str {
        self.account.as_deref().unwrap_or(&self.credentials.access_key_id)
    }

    fn is_fresh(&self, now: SystemTime) -> bool {
        self.expires.is_none_or(|t| t.duration_since(now).is_ok_and(|left| left > RENEW_BEFORE))
    }
}

enum Source {
    Chain(SharedCredentialsProvider),
    Fixed,
}

/// Where a client's credentials come from, with the last ones kept until shortly before they
/// expire.
pub struct CredentialSource {
    profile: String,
    source: Source,
    env: Environment,
    /// Whether the profile signs in with SSO (its own keys or its `sso_session`'s).
    sso: bool,
    cached: tokio::sync::Mutex<Option<Identity>>,
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match self.source {
            Source::Chain(_) => "the AWS credential chain",
            Source::Fixed => "fixed",
        };
        f.debug_struct("CredentialSource").field("profile", &self.profile).field("source", &source).finish()
    }
}

impl CredentialSource {
    /// The chain for `profile`, reading `env`. Nothing is fetched yet.
    pub async fn chain(profile: &str, region: &str, env: &Environment) -> CredentialSource {
        // aws-config's own HTTPS client (STS, SSO, the container endpoint) on rustls with ring, not
        // its default aws-lc build.
        let https =
            aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .env(env.to_aws())
            .profile_name(profile)
            .region(aws_types::region::Region::new(region.to_string()))
            .http_client(https)
            .load()
            .await;
        let source = match config.credentials_provider() {
            Some(p) => Source::Chain(p),
            // aws-config always builds a chain; without one, nothing can be found.
            None => Source::Chain(SharedCredentialsProvider::new(NoCredentials)),
        };
        let sso = profile_set(env, profile).await.ok().is_some_and(|set| {
            set.get_profile(profile).is_some_and(|p| p.get("sso_session").is_some() || p.get("sso_start_url").is_some())
        });
        CredentialSource { profile: profile.to_string(), source, env: env.clone(), sso, cached: Default::default() }
    }

    /// Always these credentials (a local `serve`, tests).
    pub fn fixed(credentials: Credentials) -> CredentialSource {
        let identity = Identity { credentials, account: None, expires: None };
        CredentialSource {
            profile: "(fixed credentials)".into(),
            source: Source::Fixed,
            env: Environment::default(),
            sso: false,
            cached: tokio::sync::Mutex::new(Some(identity)),
        }
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Credentials valid for a while yet: the kept ones, else fresh ones from the chain.
    pub async fn get(&self) -> Result<Identity> {
        let mut cached = self.cached.lock().await;
        if let Some(id) = cached.as_ref().filter(|id| id.is_fresh(SystemTime::now())) {
            return Ok(id.clone());
        }
        let Source::Chain(provider) = &self.source else {
            return cached.clone().ok_or_else(|| self.no_credentials());
        };
        let c = provider.provide_credentials().await.map_err(|e| self.explain(&e))?;
        let id = Identity {
            credentials: Credentials {
                access_key_id: c.access_key_id().to_string(),
                secret_access_key: c.secret_access_key().to_string(),
                session_token: c.session_token().map(str::to_string),
            },
            account: c.account_id().map(|a| a.as_str().to_string()),
            expires: c.expiry(),
        };
        *cached = Some(id.clone());
        Ok(id)
    }

    /// Forgets the kept credentials (the endpoint said they expired), so `get` fetches new ones.
    pub async fn invalidate(&self) {
        if let Source::Chain(_) = self.source {
            *self.cached.lock().await = None;
        }
    }

    fn no_credentials(&self) -> RemoteError {
        let config = self.env.get("AWS_CONFIG_FILE").unwrap_or_else(|| "~/.aws/config".into());
        let creds = self.env.get("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_else(|| "~/.aws/credentials".into());
        RemoteError::NoCredentials {
            profile: self.profile.clone(),
            tried: format!(
                "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), the profile in {config} and {creds} \
                 (keys, source_profile and role_arn, SSO, credential_process), web identity \
                 (AWS_WEB_IDENTITY_TOKEN_FILE), the container endpoint (ECS) and instance metadata (IMDSv2)"
            ),
        }
    }

    /// Says why no credentials came, in the user's terms: none anywhere, an SSO login to renew, or
    /// the chain's own reason.
    fn explain(&self, e: &CredentialsError) -> RemoteError {
        if let CredentialsError::CredentialsNotLoaded(_) = e {
            return self.no_credentials();
        }
        let reason = error_chain(e);
        let lower = reason.to_ascii_lowercase();
        if self.sso && (lower.contains("expired") || lower.contains("token")) {
            return RemoteError::SsoExpired { profile: self.profile.clone() };
        }
        RemoteError::Credentials { profile: self.profile.clone(), reason: sanitize::line(&reason).into_owned() }
    }
}

/// Stands in for a chain that could not be built: finds nothing.
#[derive(Debug)]
struct NoCredentials;

impl ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            "no credential chain",
        )))
    }
}

#[cfg(test)]
mod tests;
