//! The conventions every route follows: problems, request ids, ETag/304, Cache-Control, gzip,
//! tenants, 404/405.

use std::io::Read as _;

use crate::helpers::spawn_app;

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    let res = app.get("/v2/nope").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["type"], "/problems/not-found");
    assert_eq!(p["status"], 404);
    assert_eq!(p["instance"], "/v2/nope");
    assert_eq!(p["request_id"], id.as_str());
}

#[tokio::test]
async fn wrong_methods_are_405_problems_with_allow() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(format!("{}/v2/curves", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .client
        .delete(format!("{}/v2/curves/abc/history", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
}

#[tokio::test]
async fn an_incoming_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = spawn_app().await;
    let res = app
        .get_with("/v2/curves?limit=1", &[("X-Request-Id", "abc-123")])
        .await;
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["meta"]["request_id"], "abc-123");
    let res = app
        .get_with("/v2/curves?limit=1", &[("X-Request-Id", "bad id!")])
        .await;
    assert_ne!(res.headers()["x-request-id"], "bad id!");
}

#[tokio::test]
async fn a_matching_if_none_match_gets_304_with_the_same_etag() {
    let app = spawn_app().await;
    let res = app.get("/v2/curves?iso=PJM&limit=3").await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
    assert_eq!(
        cache,
        "public, max-age=300, stale-while-revalidate=150, stale-if-error=900"
    );
    // The tag covers the data, not the meta with its request id.
    let again = app.get("/v2/curves?iso=PJM&limit=3").await;
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    for header in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"nope\", {etag}"),
        "*".to_owned(),
    ] {
        let res = app
            .get_with("/v2/curves?iso=PJM&limit=3", &[("If-None-Match", &header)])
            .await;
        assert_eq!(res.status(), 304, "{header}");
        assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(res.bytes().await.unwrap().len(), 0);
    }
    let res = app
        .get_with("/v2/curves?iso=PJM&limit=4", &[("If-None-Match", &etag)])
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn large_bodies_are_gzipped_when_accepted_and_small_ones_are_not() {
    let app = spawn_app().await;
    let res = app
        .get_with(
            "/v2/curves?iso=PJM&limit=50",
            &[("Accept-Encoding", "gzip")],
        )
        .await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert!(
        res.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Encoding")
    );
    let bytes = res.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 50);
    let res = app
        .get_with("/health", &[("Accept-Encoding", "gzip")])
        .await;
    assert!(res.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn tenants_are_normalised_and_validated() {
    let app = spawn_app().await;
    let res = app
        .get_with("/v2/curves?limit=1", &[("X-Tenant-ID", "  Acme ")])
        .await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["meta"]["tenant_id"], "acme");
    let (status, p) = app.get_json("/v2/curves?limit=1&tenant_id=-bad").await;
    assert_eq!(status, 400);
    assert_eq!(p["type"], "/problems/invalid-tenant");
    let res = app
        .get_with("/v2/curves?limit=1", &[("X-Aurum-Tenant", "a b")])
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn every_problem_type_is_documented_at_its_path() {
    let app = spawn_app().await;
    let res = app.get("/problems/invalid-cursor").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Invalid cursor"));
    assert_eq!(app.get("/problems/unknown-thing").await.status(), 404);
}

#[tokio::test]
async fn oversized_bodies_are_413_problems() {
    let app = spawn_app().await;
    let body = vec![b'x'; 2 * 1024 * 1024];
    let res = app
        .client
        .get(format!("{}/v2/curves", app.base))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["type"], "/problems/payload-too-large");
}

#[tokio::test]
async fn docs_are_served_at_docs() {
    let app = spawn_app().await;
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    let res = app.get("/docs/swagger-ui.css").await;
    assert_eq!(res.status(), 200);
}
