use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN";

fn creds() -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: SECRET.into(),
        session_token: Some(TOKEN.into()),
    }
}

fn client(url: &str) -> Client {
    Client::with_credentials(url, "eu-west-1", creds(), ClientConfig::default()).unwrap()
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    let mut map = hyper::HeaderMap::new();
    for (n, v) in headers {
        map.insert(hyper::header::HeaderName::from_bytes(n.as_bytes()).unwrap(), v.parse().unwrap());
    }
    Response { status, headers: map, body: Bytes::from(body.to_string()) }
}

#[tokio::test]
async fn a_signed_request_verifies_and_shows_no_secret() {
    let c = client("https://securityhub.eu-west-1.amazonaws.com");
    let id = Identity { credentials: creds(), account: None, expires: None };
    let r = c.sign(Operation::BatchUpdateFindings, b"{}", &id);
    assert_eq!(
        (r.method, r.url.as_str()),
        ("PATCH", "https://securityhub.eu-west-1.amazonaws.com/findings/batchupdate")
    );
    let auth = r.headers.iter().find(|(n, _)| n == "authorization").unwrap().1.clone();
    let signature = auth.rsplit("Signature=").next().unwrap().to_string();
    // What the signer produced is what a verifier accepts (the user agent is not signed).
    let headers: Vec<(String, String)> = r.headers.clone();
    let req =
        sigv4::Request { method: r.method, path: "/findings/batchupdate", query: "", headers: &headers, body: &r.body };
    let parsed = sigv4::Authorization::parse(&auth).unwrap();
    assert_eq!(parsed.region, "eu-west-1");
    assert_eq!(sigv4::verify(&req, &parsed, SECRET, "eu-west-1", OffsetDateTime::now_utc()), Ok(()));
    let shown = format!("{r:?} {c:?}");
    for secret in [SECRET, TOKEN, signature.as_str()] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("AKIDEXAMPLE/"), "the scope is shown: {shown}");
}

#[test]
fn error_codes_are_read_as_rest_json_says() {
    let r = response(400, &[("x-amzn-errortype", "InvalidInputException:http://internal.amazon.com/coral/x")], "{}");
    let Failure::Answer { code, .. } = answer_failure(&r) else { panic!() };
    assert_eq!(code, "InvalidInputException");
    let r = response(400, &[], r#"{"__type": "aws.securityhub#LimitExceededException", "message": "slow"}"#);
    let Failure::Answer { code, message, .. } = answer_failure(&r) else { panic!() };
    assert_eq!((code.as_str(), message.as_str()), ("LimitExceededException", "slow"));
    let r = response(404, &[], "<html>not here</html>");
    let Failure::Answer { status, code, .. } = answer_failure(&r) else { panic!() };
    assert_eq!((status, code.as_str()), (404, ""));
}

#[tokio::test]
async fn failures_become_errors_a_user_can_act_on() {
    let c = client("http://127.0.0.1:9");
    let answer = |status, code: &str, message: &str| Failure::Answer {
        status,
        code: code.into(),
        message: message.into(),
        server_time: None,
    };
    let e = c.error(
        Operation::GetFindings,
        answer(401, "InvalidAccessException", "Account 1 is not subscribed to AWS Security Hub"),
        1,
    );
    assert!(matches!(e, RemoteError::NotEnabled { .. }), "{e:?}");
    assert!(e.to_string().contains("Security Hub is not enabled") && e.to_string().contains("eu-west-1"), "{e}");
    let e = c.error(Operation::BatchUpdateFindings, answer(404, "UnknownOperationException", ""), 1);
    assert_eq!(e.to_string(), "this endpoint (http://127.0.0.1:9) does not implement BatchUpdateFindings");
    let e = c.error(
        Operation::GetFindings,
        answer(403, "AccessDeniedException", "User: x is not authorized to perform: securityhub:GetFindings"),
        1,
    );
    assert!(matches!(e, RemoteError::AccessDenied { .. }) && e.to_string().contains("securityhub:GetFindings"), "{e}");
    let e = c.error(Operation::GetFindings, answer(429, "LimitExceededException", ""), 5);
    assert_eq!(e.kind(), crate::model::source::ErrorKind::Throttled);
    let e = c.error(
        Operation::GetFindings,
        answer(403, "InvalidSignatureException", "Signature expired: 20260101T000000Z is now earlier than ..."),
        1,
    );
    assert!(matches!(e, RemoteError::ClockSkew { .. }), "{e:?}");
    assert!(e.to_string().contains("clock"), "{e}");
    let e = c.error(Operation::GetFindings, Failure::Http(HttpError::Connect("connection refused".into())), 5);
    assert_eq!(e.kind(), crate::model::source::ErrorKind::Unavailable);
    assert!(
        e.to_string().contains("cannot reach http://127.0.0.1:9") && e.to_string().contains("connection refused"),
        "{e}"
    );
    // Finding text from the service cannot drive the terminal.
    let e = c.error(Operation::GetFindings, answer(400, "InvalidInputException", "bad \u{1b}[2J value"), 1);
    assert!(!e.to_string().contains('\u{1b}'), "{e:?}");
}

#[test]
fn http_dates_parse() {
    let t = parse_http_date("Sun, 06 Dec 2026 10:04:34 GMT").unwrap();
    assert_eq!(t.unix_timestamp(), 1_796_551_474);
    assert!(parse_http_date("yesterday").is_none());
}
