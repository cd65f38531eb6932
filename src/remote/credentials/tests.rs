use std::collections::HashMap;

use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN";

/// An environment with nothing but `vars`, the AWS files in `home` (none written unless asked),
/// and no instance metadata to wait for.
fn env(home: &std::path::Path, vars: &[(&str, &str)]) -> Environment {
    let mut m: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    m.insert("HOME".into(), home.display().to_string());
    m.entry("AWS_CONFIG_FILE".into()).or_insert_with(|| home.join("config").display().to_string());
    m.entry("AWS_SHARED_CREDENTIALS_FILE".into()).or_insert_with(|| home.join("credentials").display().to_string());
    m.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
    Environment::from_map(m)
}

#[tokio::test]
async fn keys_from_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let e = env(
        home.path(),
        &[("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", SECRET), ("AWS_SESSION_TOKEN", TOKEN)],
    );
    let source = CredentialSource::chain("default", "us-east-1", &e).await;
    let id = source.get().await.unwrap();
    assert_eq!(id.credentials.access_key_id, "AKIDENV");
    assert_eq!(id.credentials.secret_access_key, SECRET);
    assert_eq!(id.credentials.session_token.as_deref(), Some(TOKEN));
    assert_eq!(id.rate_key(), "AKIDENV");
    for shown in [format!("{id:?}"), format!("{source:?}"), format!("{e:?}")] {
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
    }
}

#[tokio::test]
async fn keys_from_a_named_profile_in_the_files() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("credentials"),
        format!("[audit]\naws_access_key_id = AKIDFILE\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    std::fs::write(home.path().join("config"), "[profile audit]\nregion = eu-west-1\n").unwrap();
    let e = env(home.path(), &[]);
    let id = CredentialSource::chain("audit", "eu-west-1", &e).await.get().await.unwrap();
    assert_eq!(
        (id.credentials.access_key_id.as_str(), id.credentials.secret_access_key.as_str()),
        ("AKIDFILE", SECRET)
    );
}

#[tokio::test]
async fn no_credentials_names_the_profile_and_what_was_tried() {
    let home = tempfile::tempdir().unwrap();
    let e = env(home.path(), &[]);
    let err = CredentialSource::chain("default", "us-east-1", &e).await.get().await.unwrap_err();
    let m = err.to_string();
    assert!(matches!(err, RemoteError::NoCredentials { .. }), "{err:?}");
    assert!(m.contains("for profile default"), "{m}");
    for source in ["AWS_ACCESS_KEY_ID", "credentials", "SSO", "credential_process", "web identity", "ECS", "IMDSv2"] {
        assert!(m.contains(source), "{source} in {m}");
    }
}

#[tokio::test]
async fn an_expired_sso_login_says_to_log_in_again() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config"),
        "[profile sso-user]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Audit\nregion = eu-west-1\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    )
    .unwrap();
    // The token `aws sso login` cached, long expired (the cache is named by the session's SHA-1).
    let cache = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let name = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(b"corp"));
    std::fs::write(
        cache.join(format!("{name}.json")),
        r#"{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z", "region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"}"#,
    )
    .unwrap();
    let e = env(home.path(), &[]);
    let err = CredentialSource::chain("sso-user", "eu-west-1", &e).await.get().await.unwrap_err();
    assert!(err.to_string().contains("aws sso login --profile sso-user"), "{err}");
}

#[tokio::test]
async fn fixed_credentials_are_always_there() {
    let c = Credentials { access_key_id: "AKID".into(), secret_access_key: SECRET.into(), session_token: None };
    let s = CredentialSource::fixed(c.clone());
    assert_eq!(s.get().await.unwrap().credentials, c);
    s.invalidate().await;
    assert_eq!(s.get().await.unwrap().credentials, c);
    assert!(!format!("{s:?}").contains(SECRET));
}
