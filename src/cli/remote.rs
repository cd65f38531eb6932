//! What the commands that work against a remote share: the remote flags (`RemoteArgs`, as the
//! workbench's) resolved as the aws CLI does into a client on a runtime of its own, and the files
//! of that (endpoint, account, region) under the cache directory: the outbox and the read cache.

use std::path::PathBuf;

use anyhow::{anyhow, Result};

use super::workbench::RemoteArgs;
use crate::remote::cache::{self, Cache};
use crate::remote::{Client, ClientConfig, Environment, RemoteOptions};

/// A connected remote (credentials loaded; no call made yet).
pub(super) struct Remote {
    pub runtime: tokio::runtime::Runtime,
    pub client: Client,
    /// The read cache file beside it.
    pub cache: PathBuf,
}

impl Remote {
    pub fn connect(args: &RemoteArgs) -> Result<Remote> {
        let opts = RemoteOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
            endpoint_url: args.endpoint_url.clone(),
        };
        let env = Environment::process();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| anyhow!("cannot start the remote client's runtime: {e}"))?;
        let client = runtime.block_on(Client::connect(&opts, &env, ClientConfig::default())).map_err(|e| anyhow!(e))?;
        let outbox = runtime.block_on(crate::remote::backend::outbox_path(&client, &env)).map_err(|e| anyhow!(e))?;
        let cache = cache::cache_path(&outbox);
        Ok(Remote { runtime, client, cache })
    }

    /// The endpoint and region, for messages.
    pub fn describe(&self) -> String {
        self.client.describe()
    }

    pub fn open_cache(&self) -> Result<Cache> {
        Cache::open(&self.cache).map_err(|e| anyhow!(e))
    }
}
