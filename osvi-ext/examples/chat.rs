//! A chat conversation: a session with an agent, a few messages, the session closed.
//!
//! ```text
//! cargo run -p osvi-ext --example chat
//! ```
//!
//! Against the simulator without `OSVI_API_TOKEN` (its agents answer with canned replies);
//! against OSVI with the agent in `OSVI_AGENT` (or the first active one) as customer
//! `+15551112222`.

mod common;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::run(async {
        let setup = common::setup().await?;
        let mut chat = setup
            .client
            .chat()
            .conversation(&setup.agent, "+15551112222");
        for line in ["Hi, I need help.", "What are your hours?"] {
            let reply = chat.send(line).await?;
            println!("customer: {line}");
            println!("agent:    {}", reply.reply.unwrap_or_default());
        }
        chat.close().await?;
        println!("(session closed)");
        Ok(())
    })
    .await
}
