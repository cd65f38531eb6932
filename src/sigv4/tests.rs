//! SigV4 against AWS's published examples, the signer's own vectors, and what verification refuses.

use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn at(s: &str) -> OffsetDateTime {
    parse_amz_date(s).unwrap()
}

fn creds(key: &str, token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: key.into(),
        secret_access_key: SECRET.into(),
        session_token: token.map(str::to_string),
    }
}

const BODY_A: &str = r#"{"Filters":{"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}],"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}]},"MaxResults":50}"#;

fn vector_a_headers() -> Vec<(String, String)> {
    h(&[("Content-Type", "application/json"), ("Host", "securityhub.us-east-1.amazonaws.com")])
}

/// AWS's published signing-key example (General Reference, "Examples of how to derive a signing key").
#[test]
fn signing_key_matches_the_aws_documented_example() {
    let key = signing_key(SECRET, "20120215", "us-east-1", "iam");
    assert_eq!(hex::encode(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

/// The documented `post-vanilla` example: POST / to service "service", no body.
#[test]
fn post_vanilla_example_signature() {
    let headers = h(&[("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]);
    let req = Request { method: "POST", path: "/", query: "", headers: &headers, body: b"" };
    let signed = vec!["host".to_string(), "x-amz-date".to_string()];
    let cr = canonical_request(&req, &signed);
    let sts = string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", &cr);
    let sig = hex::encode(hmac(&signing_key(SECRET, "20150830", "us-east-1", "service"), sts.as_bytes()));
    assert_eq!(sig, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

#[test]
fn get_findings_vector_a() {
    let headers = vector_a_headers();
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
    assert_eq!(sha256_hex(BODY_A.as_bytes()), "a7a383474b5c0165e1d04b516f2bbf48df3c66d1467846d354d3bf3651396ebb");
    let added = sign(&req, &creds("AKIDEXAMPLE", None), "us-east-1", at("20250115T093000Z"));
    let auth = &added.iter().find(|(n, _)| n == "authorization").unwrap().1;
    assert_eq!(
        auth,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/securityhub/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date, \
         Signature=f65ed6e41cf0a4f7306c8097491ea785829da373468963a00861a9267a70d059"
    );
}

#[test]
fn batch_update_vector_b_with_session_token() {
    let body = r#"{"FindingIdentifiers":[{"Id":"arn:aws:securityhub:us-east-1:123456789012:security-control/S3.8/finding/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub"}],"Workflow":{"Status":"SUPPRESSED"},"Note":{"Text":"Accepted risk, see TICKET-42","UpdatedBy":"triage-tui"}}"#;
    let headers = h(&[("Content-Type", "application/json"), ("Host", "securityhub.eu-west-1.amazonaws.com")]);
    let req =
        Request { method: "PATCH", path: "/findings/batchupdate", query: "", headers: &headers, body: body.as_bytes() };
    let c = creds("ASIAEXAMPLE", Some("FQoGZXIvYXdzEXAMPLETOKEN"));
    let added = sign(&req, &c, "eu-west-1", at("20250115T093000Z"));
    let auth = Authorization::parse(&added.iter().find(|(n, _)| n == "authorization").unwrap().1).unwrap();
    assert_eq!(auth.signed_headers.join(";"), "content-type;host;x-amz-date;x-amz-security-token");
    assert_eq!(auth.signature, "ba76ae069648a197a97fb0c520d53bb9dd9c6c942f83d7970d9369e0c1f297f1");
}

/// A signed request with every header the signer added, as a server receives it.
fn signed_request(body: &str, when: &str) -> (Vec<(String, String)>, Authorization) {
    let mut headers = vector_a_headers();
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: body.as_bytes() };
    let added = sign(&req, &creds("AKIDEXAMPLE", None), "us-east-1", at(when));
    headers.extend(added);
    let auth = Authorization::parse(&header_value(&headers, "authorization").unwrap()).unwrap();
    (headers, auth)
}

#[test]
fn verify_accepts_what_sign_produced() {
    let (headers, auth) = signed_request(BODY_A, "20250115T093000Z");
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
    assert_eq!(verify(&req, &auth, SECRET, "us-east-1", at("20250115T094000Z")), Ok(()));
    assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
}

#[test]
fn verify_rejects_tampering_and_wrong_secret() {
    let (headers, auth) = signed_request(BODY_A, "20250115T093000Z");
    let now = at("20250115T093100Z");
    let ok = |method, path, query, headers: &Vec<(String, String)>, body: &str| {
        verify(&Request { method, path, query, headers, body: body.as_bytes() }, &auth, SECRET, "us-east-1", now)
    };
    assert_eq!(ok("POST", "/findings", "", &headers, &BODY_A.replace("50", "51")), Err(SigError::Mismatch));
    assert_eq!(ok("PATCH", "/findings", "", &headers, BODY_A), Err(SigError::Mismatch));
    assert_eq!(ok("POST", "/findings/import", "", &headers, BODY_A), Err(SigError::Mismatch));
    assert_eq!(ok("POST", "/findings", "a=b", &headers, BODY_A), Err(SigError::Mismatch));
    let mut other_host = headers.clone();
    other_host[1].1 = "evil.example.com".into();
    assert_eq!(ok("POST", "/findings", "", &other_host, BODY_A), Err(SigError::Mismatch));
    let mut other_date = headers.clone();
    other_date.iter_mut().find(|(n, _)| n == "x-amz-date").unwrap().1 = "20250115T093001Z".into();
    assert_eq!(ok("POST", "/findings", "", &other_date, BODY_A), Err(SigError::Mismatch));
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
    assert_eq!(verify(&req, &auth, "not-the-secret", "us-east-1", now), Err(SigError::Mismatch));
    // Headers that were not signed may change (proxies add some).
    let mut extra = headers.clone();
    extra.push(("User-Agent".into(), "something".into()));
    assert_eq!(ok("POST", "/findings", "", &extra, BODY_A), Ok(()));
}

#[test]
fn verify_rejects_requests_outside_the_clock_skew() {
    let (headers, auth) = signed_request(BODY_A, "20250115T093000Z");
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
    assert!(matches!(verify(&req, &auth, SECRET, "us-east-1", at("20250115T094600Z")), Err(SigError::Expired { .. })));
    assert!(matches!(verify(&req, &auth, SECRET, "us-east-1", at("20250115T091400Z")), Err(SigError::Expired { .. })));
    assert_eq!(verify(&req, &auth, SECRET, "us-east-1", at("20250115T094400Z")), Ok(()));
}

/// Signs BODY_A at 09:30 for `region` and `service`, as `sign` does for Security Hub.
fn scoped_request(region: &str, service: &str) -> (Vec<(String, String)>, Authorization) {
    let mut headers = vector_a_headers();
    headers.push(("x-amz-date".into(), "20250115T093000Z".into()));
    let signed = vec!["content-type".to_string(), "host".to_string(), "x-amz-date".to_string()];
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
    let scope = format!("20250115/{region}/{service}/aws4_request");
    let sts = string_to_sign("20250115T093000Z", &scope, &canonical_request(&req, &signed));
    let signature = hex::encode(hmac(&signing_key(SECRET, "20250115", region, service), sts.as_bytes()));
    let auth = Authorization {
        access_key_id: "AKIDEXAMPLE".into(),
        date: "20250115".into(),
        region: region.into(),
        service: service.into(),
        signed_headers: signed,
        signature,
    };
    (headers, auth)
}

#[test]
fn verify_refuses_another_service_or_region_than_the_servers() {
    let now = at("20250115T093100Z");
    let check = |region: &str, service: &str, server: &str| {
        let (headers, auth) = scoped_request(region, service);
        let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
        verify(&req, &auth, SECRET, server, now)
    };
    assert_eq!(check("us-east-1", SERVICE, "us-east-1"), Ok(()));
    assert_eq!(check("eu-west-1", SERVICE, "eu-west-1"), Ok(()));
    for (region, service, server) in [
        ("us-east-1", "s3", "us-east-1"),
        ("us-east-1", "iam", "us-east-1"),
        ("eu-west-1", SERVICE, "us-east-1"),
        ("xx-nowhere-9", SERVICE, "us-east-1"),
        ("us-east-1", SERVICE, "eu-west-1"),
    ] {
        let e = check(region, service, server).unwrap_err();
        assert!(matches!(&e, SigError::Scope(m) if m.contains("scoped")), "{region}/{service}: {e:?}");
    }
    // Refused from the headers alone, before any body is read.
    let (headers, auth) = scoped_request("us-east-1", "s3");
    assert!(matches!(check_headers(&headers, &auth, "us-east-1", now), Err(SigError::Scope(_))));
    let (headers, auth) = scoped_request("us-east-1", SERVICE);
    assert_eq!(check_headers(&headers, &auth, "us-east-1", now), Ok("20250115T093000Z".to_string()));
    assert!(matches!(
        check_headers(&headers, &auth, "us-east-1", at("20250115T100000Z")),
        Err(SigError::Expired { .. })
    ));
}

#[test]
fn verify_refuses_an_upper_case_or_malformed_signature() {
    let (headers, mut auth) = scoped_request("us-east-1", SERVICE);
    let req = Request { method: "POST", path: "/findings", query: "", headers: &headers, body: BODY_A.as_bytes() };
    let now = at("20250115T093100Z");
    assert_eq!(verify(&req, &auth, SECRET, "us-east-1", now), Ok(()));
    let good = auth.signature.clone();
    for bad in [good.to_ascii_uppercase(), format!("{good}00"), good[..62].to_string(), format!(" {good}")] {
        auth.signature = bad;
        assert_eq!(verify(&req, &auth, SECRET, "us-east-1", now), Err(SigError::Mismatch));
    }
}

#[test]
fn authorization_header_parse_errors() {
    assert!(matches!(Authorization::parse("Bearer x"), Err(SigError::Incomplete(_))));
    assert!(matches!(
        Authorization::parse("AWS4-HMAC-SHA256 Credential=AK/20250115/us-east-1/securityhub/aws4_request"),
        Err(SigError::Incomplete(_))
    ));
    assert!(matches!(
        Authorization::parse("AWS4-HMAC-SHA256 Credential=AK/2025/x, SignedHeaders=host, Signature=00"),
        Err(SigError::Incomplete(_))
    ));
    let a = Authorization::parse(
        "AWS4-HMAC-SHA256 Credential=AK/20250115/us-east-1/securityhub/aws4_request,SignedHeaders=host;x-amz-date,Signature=ab",
    )
    .unwrap();
    assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
    assert_eq!(a.region, "us-east-1");
}

#[test]
fn canonical_query_is_sorted_and_encoded() {
    assert_eq!(canonical_query("b=2&a=%7e x&a=1"), "a=1&a=~%20x&b=2");
    assert_eq!(canonical_uri("/automationrules/arn%3Aaws"), "/automationrules/arn%253Aaws");
}

#[test]
fn credentials_debug_hides_the_secret() {
    let text = format!("{:?}", creds("AKIDEXAMPLE", Some("TOKEN")));
    assert!(!text.contains(SECRET) && !text.contains("TOKEN"), "{text}");
}
