//! `GET /healthz` follows Redis.

use crate::helpers::{unique_prefix, TestApp, TestRedis};

#[tokio::test]
async fn healthz_is_200_with_redis_and_503_without() {
    let mut redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |_| {}).await;
    let client = app.client();
    assert_eq!(client.get("/healthz").await.status(), 200);

    redis.kill();
    assert_eq!(client.get("/healthz").await.status(), 503);
}
