//! `hubtriage serve`: the store behind Security Hub's HTTP API, with its arguments and help.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{Global, Outcome};
use crate::serve::limits::FaultSpec;

pub(super) const SERVE_HELP: &str = "\
Operations: GetFindings (POST /findings), BatchImportFindings (POST /findings/import),
BatchUpdateFindings (PATCH /findings/batchupdate), GetFindingHistory (POST /findingHistory/get),
EnableSecurityHub / DescribeHub / DisableSecurityHub (POST / GET / DELETE /accounts).

Auth file (JSON):
  {\"Keys\": [{\"AccessKeyId\": \"AKIAADMIN\", \"SecretAccessKey\": \"...\", \"AccountId\": \"111111111111\",
             \"UserName\": \"alice\"}]}
Without --auth, requests are not verified and every caller is --account (default: administrator of
every account). With --auth, a request must be signed for service securityhub in --region (as an
AWS endpoint refuses a signature scoped to another service or region).

Fault SPEC: comma-separated items, each drawn independently per request (RATE a probability, default 1):
  latency=DURATION[@RATE]  delay the answer (200ms, 1s)
  error=500|503[@RATE]     answer InternalException (500) or ServiceUnavailableException (503)
  drop[@RATE]              close the connection without an answer
e.g. --fault latency=200ms@0.1,error=503@0.05,drop@0.01 --seed 42. Faults strike before the
operation runs: a failed call changed nothing.

Limits: a connection that sends no request head within --header-timeout, or nothing at all for
--idle-timeout, is closed; past --max-connections, new connections wait until one closes. With
--auth, a request is refused from its headers (no or unknown key, stale date, wrong scope) before
its body is read, and the bodies held at once are capped (503 ServiceUnavailableException, retried
by SDKs, when full).

Example:
  hubtriage serve &
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws securityhub get-findings \\
      --endpoint-url http://127.0.0.1:4566 --region us-east-1";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 lets the OS choose (the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:4566", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// Access keys (JSON): verify every request's SigV4 signature and map each key to an account.
    /// Required to listen on a non-loopback address.
    #[arg(long, value_name = "FILE")]
    pub auth: Option<PathBuf>,
    /// Emulate Security Hub's published rate limits (429 LimitExceededException).
    #[arg(long, value_enum, value_name = "MODE")]
    pub throttle: Option<ThrottleMode>,
    /// Inject faults, e.g. latency=200ms@0.1,error=503@0.05,drop@0.01 (see below).
    #[arg(long, value_name = "SPEC", value_parser = parse_fault)]
    pub fault: Option<FaultSpec>,
    /// Seed of the fault draws, for reproducible runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The region this endpoint answers for: with --auth, requests must be signed for it.
    #[arg(long, default_value = crate::serve::DEFAULT_REGION, value_name = "REGION")]
    pub region: String,
    /// Close a connection whose request head has not arrived this long after it could (a new
    /// connection, or one kept alive after an answer), e.g. 10s or 500ms.
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_timeout)]
    pub header_timeout: Duration,
    /// Close a connection that sends and receives nothing this long between requests; a request
    /// body that pauses this long is answered 408.
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = parse_timeout)]
    pub idle_timeout: Duration,
    /// Connections served at once; more wait until one closes (lowered to fit the open-file limit).
    #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ThrottleMode {
    /// BatchImportFindings/BatchUpdateFindings 10 TPS burst 30, GetFindings 3 TPS burst 6, per account
    Aws,
}

fn parse_fault(s: &str) -> Result<FaultSpec, String> {
    FaultSpec::parse(s)
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match crate::serve::limits::parse_duration(s)? {
        d if d.is_zero() => Err(format!("duration {s:?} must be more than 0")),
        d => Ok(d),
    }
}

pub(super) fn serve(g: &Global, args: ServeArgs) -> Result<Outcome> {
    let store = g.store_path()?;
    crate::serve::run(crate::serve::ServeOptions {
        listen: args.listen,
        store,
        auth: args.auth,
        throttle: args.throttle == Some(ThrottleMode::Aws),
        fault: args.fault.unwrap_or_default(),
        seed: args.seed,
        region: args.region,
        limits: crate::serve::conn::ConnLimits {
            header_timeout: args.header_timeout,
            idle_timeout: args.idle_timeout,
            max_connections: args.max_connections as usize,
        },
        default_caller: g.caller(),
    })?;
    Ok(Outcome::Ok)
}
