//! Ctrl-C (SIGINT) and SIGTERM during a long write: once [`Interrupts::listen`] is called
//! the signals no longer end the process; the command counts them and decides: the first
//! lets the request in flight finish and stops there, the second abandons it.

use std::future::Future;

use tokio::sync::watch;

/// The interrupts received since [`Interrupts::listen`].
pub(crate) struct Interrupts {
    count: watch::Receiver<u32>,
}

impl Interrupts {
    /// Starts counting SIGINT and SIGTERM (SIGINT only where there is no SIGTERM).
    pub(crate) fn listen() -> Interrupts {
        let (sender, count) = watch::channel(0u32);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            for kind in [SignalKind::interrupt(), SignalKind::terminate()] {
                // Registered here, before any request is sent; a signal that cannot be
                // registered keeps its default action.
                let Ok(mut signals) = signal(kind) else {
                    continue;
                };
                let sender = sender.clone();
                tokio::spawn(async move {
                    while signals.recv().await.is_some() {
                        sender.send_modify(|n| *n += 1);
                    }
                });
            }
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                sender.send_modify(|n| *n += 1);
            }
        });
        Interrupts { count }
    }

    /// Resolves once `n` interrupts have arrived (never, if no signal could be registered).
    pub(crate) fn nth(&self, n: u32) -> impl Future<Output = ()> + Send + 'static {
        let mut count = self.count.clone();
        async move {
            if count.wait_for(|c| *c >= n).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
