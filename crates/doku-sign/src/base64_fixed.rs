//! Allocation-free base64 for fixed-size digests and MACs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::Error;

/// Encodes `N` bytes into a stack buffer; `M` must be at least `4 * ceil(N / 3)`.
pub(crate) fn encode<const N: usize, const M: usize>(bytes: &[u8; N]) -> ([u8; M], usize) {
    let mut out = [0u8; M];
    // The buffer is sized by the callers' constants; a short buffer is a programming error caught by tests.
    let written = STANDARD
        .encode_slice(bytes, &mut out)
        .expect("base64 buffer sized for the digest");
    (out, written)
}

/// Views encoded base64 bytes as `&str` (base64 output is always ASCII).
pub(crate) fn as_str(encoded: &[u8]) -> &str {
    core::str::from_utf8(encoded).expect("base64 output is ASCII")
}

/// Decodes standard padded base64 into exactly `N` bytes, without allocating.
pub(crate) fn decode_exact<const N: usize>(encoded: &str) -> Result<[u8; N], Error> {
    let expected_chars = N.div_ceil(3) * 4;
    if encoded.len() > expected_chars * 2 {
        return Err(Error::InvalidLength {
            expected: N,
            found: encoded.len() / 4 * 3,
        });
    }
    let mut buffer = [0u8; 192];
    let written = STANDARD
        .decode_slice(encoded.as_bytes(), &mut buffer)
        .map_err(|_| Error::InvalidBase64)?;
    if written != N {
        return Err(Error::InvalidLength {
            expected: N,
            found: written,
        });
    }
    let mut out = [0u8; N];
    out.copy_from_slice(&buffer[..N]);
    Ok(out)
}
