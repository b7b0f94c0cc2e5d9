//! TEMPORARY STUB (helper will replace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format { OpenPgp, Ssh, X509 }
#[derive(Debug, Clone)]
pub struct SignConfig { pub format: Format, pub key: Option<String>, pub program: Option<String> }
#[derive(Debug, thiserror::Error)]
pub enum SignError { #[error("stub")] Stub }
pub fn sign(_cfg: &SignConfig, _payload: &[u8]) -> Result<String, SignError> { Err(SignError::Stub) }
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict { Good { principal: String }, Bad(String) }
pub fn verify(_a: Option<&std::path::Path>, _email: &str, _payload: &[u8], _signature: &str) -> Verdict { Verdict::Bad("stub".into()) }
