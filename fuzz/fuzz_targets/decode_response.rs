//! Feeds arbitrary bytes to the response decoding of every operation, with every status the
//! API documents: decoding must give `Ok` or a typed `Error`, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osvi_ext::private::{decode_response, operations};

const STATUSES: [u16; 11] = [200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 503];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = data.split_first() else {
        return;
    };
    let operations = operations();
    let operation = operations[usize::from(*selector) % operations.len()];
    let status = STATUSES[usize::from(*selector / 20) % STATUSES.len()];
    let _ = decode_response(operation, status, body);
});
