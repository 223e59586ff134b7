//! The build-cost baseline of `benches/build-cost.sh`: a crate that depends on the HTTP stack
//! osvi-ext builds on and uses a little of each dependency, so that building it compiles the
//! same crates with the same features. It is not a client; nothing calls it.

/// One call of each dependency, so none is unused.
pub async fn fetch(client: &reqwest::Client, url: &str) -> reqwest::Result<serde_json::Value> {
    let started = chrono::Utc::now();
    let value = client
        .get(url)
        .query(&[("at", started.to_rfc3339())])
        .send()
        .await?;
    let body: serde_json::Value = value.json().await?;
    futures::future::ready(()).await;
    let _runtime: Option<tokio::runtime::Handle> = None;
    Ok(body)
}
