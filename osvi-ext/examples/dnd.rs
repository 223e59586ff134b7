//! Do-not-disturb numbers: add one, find it in the list, remove it again.
//!
//! ```text
//! cargo run -p osvi-ext --example dnd
//! ```
//!
//! Against the simulator without `OSVI_API_TOKEN`; against OSVI it uses `OSVI_DND_NUMBER`
//! (default `9876500000`) and removes it at the end.

mod common;

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::run(async {
        let setup = common::setup().await?;
        let dnd = setup.client.dnd();
        let number = std::env::var("OSVI_DND_NUMBER").unwrap_or_else(|_| "9876500000".into());
        let entry = dnd
            .add(&setup.agent, &number)
            .reason("asked not to be called")
            .await?;
        println!("added {} to the DND list of {}", entry.phone, setup.agent);
        let mut listed = std::pin::pin!(dnd.list(&setup.agent).search(&number).stream());
        while let Some(entry) = listed.try_next().await? {
            println!("  listed: {}", entry.phone);
        }
        dnd.remove(&setup.agent, &entry.phone).await?;
        println!("removed it again");
        Ok(())
    })
    .await
}
