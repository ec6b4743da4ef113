//! Fact-level tests on the fixtures under `fixtures/javascript` and `fixtures/typescript`.
