//! Feeds arbitrary bytes to `osvi_ext::webhooks::parse`, as a webhook receiver would: it must
//! give an event or `Error::InvalidWebhook`, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = osvi_ext::webhooks::parse(data);
});
