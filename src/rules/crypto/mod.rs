//! Cryptography misuse: passwords hashed with fast digests, secrets drawn from predictable
//! random number generators.

pub mod insecure_randomness;
pub mod weak_password_hash;
