//! Cryptography misuse: passwords hashed with fast digests or weak work factors, secrets drawn from predictable
//! random number generators.

mod csprng;
pub mod insecure_randomness;
pub mod weak_kdf_parameters;
pub mod weak_password_hash;
