//! Integration tests for the OSVI SDK workspace live in `tests/tests/`.
