//! Encryption of HubSpot tokens at rest (AES-256-GCM) and hashing of admin
//! tokens and resume tokens (SHA-256).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 12;

/// Encrypts and decrypts short secrets with one key from the settings.
#[derive(Clone)]
pub struct TokenCipher {
    cipher: Aes256Gcm,
}

/// A key or ciphertext that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("encryption_key must be 32 bytes encoded as base64 (generate one with `openssl rand -base64 32`)")]
    InvalidKey,
    #[error("stored ciphertext is malformed or was encrypted with another key")]
    Undecryptable,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TokenCipher([redacted])")
    }
}

impl TokenCipher {
    /// Builds a cipher from a base64-encoded 32-byte key.
    pub fn from_base64_key(key: &SecretString) -> Result<Self, CryptoError> {
        let bytes = BASE64
            .decode(key.expose_secret().trim())
            .map_err(|_| CryptoError::InvalidKey)?;
        if bytes.len() != 32 {
            return Err(CryptoError::InvalidKey);
        }
        let key = Key::<Aes256Gcm>::from_slice(&bytes);
        Ok(Self { cipher: Aes256Gcm::new(key) })
    }

    /// Generates a random key, base64-encoded, for the demo and tests.
    pub fn generate_key() -> SecretString {
        let key = Aes256Gcm::generate_key(OsRng);
        SecretString::from(BASE64.encode(key))
    }

    /// Encrypts `plaintext` into base64 of nonce followed by ciphertext.
    pub fn encrypt(&self, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        BASE64.encode(out)
    }

    /// Decrypts what [`TokenCipher::encrypt`] produced.
    pub fn decrypt(&self, encoded: &str) -> Result<SecretString, CryptoError> {
        let bytes = BASE64.decode(encoded).map_err(|_| CryptoError::Undecryptable)?;
        if bytes.len() <= NONCE_LEN {
            return Err(CryptoError::Undecryptable);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| CryptoError::Undecryptable)?;
        let text = String::from_utf8(plaintext).map_err(|_| CryptoError::Undecryptable)?;
        Ok(SecretString::from(text))
    }
}

/// Hex SHA-256 of a token, the form in which admin and resume tokens are
/// stored and looked up.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random URL-safe token with 256 bits of entropy.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_then_decrypt_round_trips() {
        let cipher = TokenCipher::from_base64_key(&TokenCipher::generate_key()).unwrap();
        let sealed = cipher.encrypt("refresh-token-value");
        assert_ne!(sealed, "refresh-token-value");
        assert_eq!(cipher.decrypt(&sealed).unwrap().expose_secret(), "refresh-token-value");
    }

    #[test]
    fn decrypt_with_other_key_fails() {
        let first = TokenCipher::from_base64_key(&TokenCipher::generate_key()).unwrap();
        let second = TokenCipher::from_base64_key(&TokenCipher::generate_key()).unwrap();
        assert!(second.decrypt(&first.encrypt("x")).is_err());
    }

    #[test]
    fn short_key_is_rejected() {
        let key = SecretString::from(BASE64.encode([1u8; 16]));
        assert!(TokenCipher::from_base64_key(&key).is_err());
    }
}
