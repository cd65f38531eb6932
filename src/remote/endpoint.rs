//! Which endpoint, region and profile a remote session uses, resolved as the AWS CLI resolves them:
//! the flag first, then the environment (`AWS_ENDPOINT_URL_SECURITYHUB`, `AWS_ENDPOINT_URL`,
//! `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_PROFILE`), then the profile in the shared config file;
//! the endpoint defaults to Security Hub's regional one. The environment is passed in
//! (`Environment`), not read from the process behind the caller's back, so tests running in parallel
//! threads each give theirs.

use std::borrow::Cow;
use std::collections::HashMap;

use super::error::{RemoteError, Result};

/// What the user asked for on the command line; `None` falls back to the environment and the profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Which of Security Hub's finding APIs a remote session reads: V1 (GetFindings, ASFF), V2
/// (GetFindingsV2, OCSF) or both. With both, an API the endpoint does not implement (404,
/// UnknownOperation) or refuses (AccessDenied) is skipped and the user told once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Api {
    V1,
    V2,
    #[default]
    Both,
}

impl Api {
    pub fn v1(self) -> bool {
        self != Api::V2
    }

    pub fn v2(self) -> bool {
        self != Api::V1
    }
}

/// The environment variables the AWS configuration is read from: the process's, or a given map.
/// `Debug` shows the names of a map's variables, never their values (a map may hold
/// `AWS_SECRET_ACCESS_KEY`).
#[derive(Clone, Default)]
pub struct Environment {
    map: Option<HashMap<String, String>>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.map {
            None => f.write_str("Environment(process)"),
            Some(m) => {
                let mut names: Vec<&str> = m.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_tuple("Environment").field(&names).finish()
            }
        }
    }
}

impl Environment {
    /// The process's own environment.
    pub fn process() -> Environment {
        Environment { map: None }
    }

    /// Exactly these variables and no others (`HOME` among them, for `~/.aws` and the SSO cache).
    pub fn from_map(map: HashMap<String, String>) -> Environment {
        Environment { map: Some(map) }
    }

    /// Whether this is the process's own environment.
    pub fn is_process(&self) -> bool {
        self.map.is_none()
    }

    /// A variable's value; unset and empty are the same, as in the AWS CLI.
    pub fn get(&self, name: &str) -> Option<String> {
        let v = match &self.map {
            None => std::env::var(name).ok(),
            Some(m) => m.get(name).cloned(),
        };
        v.filter(|v| !v.trim().is_empty())
    }

    /// The same environment as aws-config reads it.
    pub(crate) fn to_aws(&self) -> aws_types::os_shim_internal::Env {
        match &self.map {
            None => aws_types::os_shim_internal::Env::real(),
            Some(m) => aws_types::os_shim_internal::Env::from(m.clone()),
        }
    }
}

/// The profile: `--profile`, else `AWS_PROFILE`, else `default`.
pub fn profile_name(opts: &RemoteOptions, env: &Environment) -> String {
    opts.profile.clone().or_else(|| env.get("AWS_PROFILE")).unwrap_or_else(|| "default".to_string())
}

/// A Security Hub endpoint, split as a request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// As given, without a trailing `/`: for messages.
    pub url: String,
    pub https: bool,
    /// `host` or `host:port` (the port only when it is not the scheme's default): the signed `Host`.
    pub authority: String,
    /// `scheme://host[:port]` as given: where requests go.
    pub origin: String,
    /// A path prefix the operations' paths go under ("" for none).
    pub base_path: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint> {
        let bad = |why: &str| RemoteError::Config(format!("endpoint URL {url:?} {why}"));
        let uri: hyper::Uri = url.parse().map_err(|_| bad("is not a URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("must start with https:// or http://")),
        };
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("must not carry a user name or password"));
        }
        if uri.query().is_some() {
            return Err(bad("must not have a query"));
        }
        let origin = format!("{}://{}", if https { "https" } else { "http" }, authority.as_str());
        let default_port = if https { 443 } else { 80 };
        let authority = match authority.port_u16() {
            Some(p) if p != default_port => format!("{}:{p}", authority.host()),
            _ => authority.host().to_string(),
        };
        let base_path = uri.path().trim_end_matches('/').to_string();
        Ok(Endpoint { url: url.trim_end_matches('/').to_string(), https, authority, origin, base_path })
    }

    /// Security Hub's own endpoint in `region`.
    pub fn regional(region: &str) -> Result<Endpoint> {
        Endpoint::parse(&format!("https://securityhub.{region}.amazonaws.com"))
    }
}

/// The endpoint: `--endpoint-url`, else `AWS_ENDPOINT_URL_SECURITYHUB`, else `AWS_ENDPOINT_URL`
/// (both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true, as in the SDKs), else the
/// region's.
pub fn endpoint(opts: &RemoteOptions, env: &Environment, region: &str) -> Result<Endpoint> {
    if let Some(url) = &opts.endpoint_url {
        return Endpoint::parse(url);
    }
    let ignore = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !ignore {
        for name in ["AWS_ENDPOINT_URL_SECURITYHUB", "AWS_ENDPOINT_URL"] {
            if let Some(url) = env.get(name) {
                return Endpoint::parse(&url).map_err(|e| RemoteError::Config(format!("{name}: {e}")));
            }
        }
    }
    Endpoint::regional(region)
}

/// The region: `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's
/// `region` in the shared config file. No guess beyond that: a wrong region shows another region's
/// findings, or none.
pub async fn region(opts: &RemoteOptions, env: &Environment, profile: &str) -> Result<String> {
    let given = opts.region.clone().or_else(|| env.get("AWS_REGION")).or_else(|| env.get("AWS_DEFAULT_REGION"));
    let region = match given {
        Some(r) => Some(r),
        None => profile_region(env, profile).await?,
    };
    let region = region.ok_or_else(|| RemoteError::NoRegion { profile: profile.to_string() })?;
    // The region becomes part of a host name and of the signing scope.
    if region.is_empty() || !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(RemoteError::Config(format!("region {region:?} is not a region name such as eu-west-1")));
    }
    Ok(region)
}

async fn profile_region(env: &Environment, profile: &str) -> Result<Option<String>> {
    let set = profile_set(env, profile).await?;
    Ok(set.get_profile(profile).and_then(|p| p.get("region")).map(str::to_string))
}

/// The shared config and credentials files as aws-config reads them, `profile` selected.
#[allow(deprecated)] // aws-config's own name for the file set it takes; the new name is in aws-runtime.
pub(crate) async fn profile_set(env: &Environment, profile: &str) -> Result<aws_config::profile::ProfileSet> {
    let files = aws_config::profile::profile_file::ProfileFiles::default();
    let fs = aws_types::os_shim_internal::Fs::real();
    aws_config::profile::load(&fs, &env.to_aws(), &files, Some(Cow::Owned(profile.to_string())))
        .await
        .map_err(|e| RemoteError::Config(format!("cannot read the AWS config files: {e}")))
}

#[cfg(test)]
mod tests;
