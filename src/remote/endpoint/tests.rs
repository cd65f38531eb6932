use std::collections::HashMap;

use super::*;

fn env(vars: &[(&str, &str)]) -> Environment {
    Environment::from_map(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>())
}

#[test]
fn endpoint_flag_then_service_variable_then_global_then_regional() {
    let none = RemoteOptions::default();
    let flag = RemoteOptions { endpoint_url: Some("http://127.0.0.1:4566/".into()), ..Default::default() };
    let both = env(&[("AWS_ENDPOINT_URL_SECURITYHUB", "http://sh:81"), ("AWS_ENDPOINT_URL", "http://all:82")]);
    assert_eq!(endpoint(&flag, &both, "eu-west-1").unwrap().authority, "127.0.0.1:4566");
    assert_eq!(endpoint(&none, &both, "eu-west-1").unwrap().authority, "sh:81");
    assert_eq!(endpoint(&none, &env(&[("AWS_ENDPOINT_URL", "http://all:82")]), "x").unwrap().authority, "all:82");
    let e = endpoint(&none, &env(&[]), "eu-west-1").unwrap();
    assert_eq!(
        (e.url.as_str(), e.authority.as_str(), e.https),
        ("https://securityhub.eu-west-1.amazonaws.com", "securityhub.eu-west-1.amazonaws.com", true)
    );
    let ignore = env(&[("AWS_ENDPOINT_URL", "http://all:82"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
    assert_eq!(endpoint(&none, &ignore, "us-east-1").unwrap().authority, "securityhub.us-east-1.amazonaws.com");
}

#[test]
fn endpoint_urls_are_checked() {
    assert_eq!(Endpoint::parse("https://h:443/base/").unwrap().authority, "h");
    assert_eq!(Endpoint::parse("https://h:443/base/").unwrap().base_path, "/base");
    for bad in ["ftp://h", "h:80", "http://user:pw@h", "http://h/?a=b"] {
        assert!(matches!(Endpoint::parse(bad), Err(RemoteError::Config(_))), "{bad}");
    }
}

#[test]
fn profile_flag_then_variable_then_default() {
    let e = env(&[("AWS_PROFILE", "audit")]);
    assert_eq!(profile_name(&RemoteOptions { profile: Some("x".into()), ..Default::default() }, &e), "x");
    assert_eq!(profile_name(&RemoteOptions::default(), &e), "audit");
    assert_eq!(profile_name(&RemoteOptions::default(), &env(&[])), "default");
}

#[tokio::test]
async fn region_flag_then_variables_then_profile() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[default]\nregion = ap-south-1\n[profile audit]\nregion = eu-central-1\n").unwrap();
    let home = dir.path().to_str().unwrap();
    let config = config.to_str().unwrap();
    let files = [("HOME", home), ("AWS_CONFIG_FILE", config)];
    let with = |extra: &[(&'static str, &'static str)]| env(&[files.as_slice(), extra].concat());
    let flag = RemoteOptions { region: Some("us-west-2".into()), ..Default::default() };
    let none = RemoteOptions::default();
    let both = with(&[("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-2")]);
    assert_eq!(region(&flag, &both, "default").await.unwrap(), "us-west-2");
    assert_eq!(region(&none, &both, "default").await.unwrap(), "eu-west-1");
    assert_eq!(region(&none, &with(&[("AWS_DEFAULT_REGION", "eu-west-2")]), "default").await.unwrap(), "eu-west-2");
    assert_eq!(region(&none, &with(&[]), "default").await.unwrap(), "ap-south-1");
    assert_eq!(region(&none, &with(&[]), "audit").await.unwrap(), "eu-central-1");
    let err = region(&none, &with(&[]), "nothing").await.unwrap_err();
    assert!(err.to_string().contains("no AWS region for profile nothing"), "{err}");
    let bad = RemoteOptions { region: Some("eu/west".into()), ..Default::default() };
    assert!(matches!(region(&bad, &with(&[]), "default").await, Err(RemoteError::Config(_))));
}

#[test]
fn environment_debug_shows_names_not_values() {
    let e = env(&[("AWS_SECRET_ACCESS_KEY", "s3cr3t-value"), ("AWS_SESSION_TOKEN", "t0ken-value")]);
    let shown = format!("{e:?}");
    assert!(shown.contains("AWS_SECRET_ACCESS_KEY"), "{shown}");
    assert!(!shown.contains("s3cr3t") && !shown.contains("t0ken"), "{shown}");
}
