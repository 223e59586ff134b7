//! Calls: place one, wait for its result by polling, read its transcript, list recent calls.
//!
//! ```text
//! cargo run -p osvi-ext --example calls
//! ```
//!
//! Against the simulator without `OSVI_API_TOKEN`; against OSVI it places a real call only
//! with `OSVI_EXAMPLES_MAY_DIAL=1` (to `OSVI_CALL_TO`, default `IN:9876543210`).

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use osvi_ext::calls::CallType;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::run(async {
        let setup = common::setup().await?;
        let calls = setup.client.calls();
        if common::may_dial(&setup) {
            let to = std::env::var("OSVI_CALL_TO").unwrap_or_else(|_| "IN:9876543210".into());
            let (country, number) = to.split_once(':').ok_or("OSVI_CALL_TO is COUNTRY:NUMBER")?;
            let placed = calls
                .create(&setup.agent, number, country)
                .person_name("John Doe")
                .extract("confirmed", "Ask if they can come tomorrow at 10 AM.")
                .await?;
            println!("placed call {}; polling until it ends...", placed.call_id);
            let call = calls
                .wait(&placed.call_id)
                .poll_interval(Duration::from_millis(250), Duration::from_secs(5))
                .deadline(Duration::from_secs(900))
                .await?;
            let status = call.status.as_ref().map_or("unknown", |s| s.as_str());
            println!(
                "{status}: {}",
                call.summary.as_deref().unwrap_or("(no summary)")
            );
            for turn in calls.transcript(&call.call_id).await?.turns {
                let role = turn.role.unwrap_or_default();
                println!("  {role:>5}: {}", turn.content.unwrap_or_default());
            }
        } else {
            println!("(set OSVI_EXAMPLES_MAY_DIAL=1 to place a real call)");
        }
        let mut recent = std::pin::pin!(calls.list().call_type(CallType::Outbound).stream());
        let mut shown = 0;
        while let Some(call) = recent.try_next().await? {
            let status = call.status.as_ref().map_or("unknown", |s| s.as_str());
            println!("{} {status}", call.call_id);
            shown += 1;
            if shown == 10 {
                break;
            }
        }
        println!("{shown} outbound call(s) shown");
        Ok(())
    })
    .await
}
