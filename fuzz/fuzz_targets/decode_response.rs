//! Feeds arbitrary bytes to the response decoding of every operation, under every status the
//! API documents (so the error bodies too): decoding must give `Ok` or a typed `Error`, never
//! panic or hang. The first two bytes select the operation and the status
//! (`osvi_ext::fuzzing::fuzz_case` makes such inputs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = osvi_ext::fuzzing::decode_fuzz_case(data);
});
