//! Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for the values
//! Padrón signs.
//!
//! Signed user requests must serialise to exactly one byte string, so that
//! the agent, the server and an auditor years later compute the same bytes.
//! Padrón's payloads hold only objects, arrays, strings, integers, booleans
//! and null, so this is JCS restricted to those: object members sorted by
//! the UTF-16 code units of their names, no insignificant whitespace,
//! strings escaped as JCS prescribes (which is what `serde_json` writes),
//! integers in plain decimal. Floating-point numbers are refused rather than
//! canonicalised, because JCS's number formatting is where implementations
//! disagree and no payload needs one.

use serde::Serialize;
use serde_json::Value;

/// Why a value has no canonical JSON form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// Serde could not turn the value into JSON; its message.
    #[error("value cannot be represented as JSON: {0}")]
    Json(String),
    /// The value holds a floating-point number: refused, as JCS number formatting is where implementations disagree.
    #[error("floating-point numbers are not allowed in signed payloads")]
    Float,
}

/// The canonical bytes of `value`.
pub fn to_canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let value = serde_json::to_value(value).map_err(|e| CanonicalError::Json(e.to_string()))?;
    let mut out = Vec::new();
    write(&value, &mut out)?;
    Ok(out)
}

/// Whether `bytes` are already the canonical form of the JSON they hold.
pub fn is_canonical(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => {
            let mut out = Vec::new();
            write(&value, &mut out).is_ok() && out == bytes
        }
        Err(_) => false,
    }
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(CanonicalError::Float);
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out)?,
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out)?;
                out.push(b':');
                write(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    // serde_json escapes exactly `"`, `\` and the C0 controls (with the short
    // forms \b \f \n \r \t and lowercase \u00xx otherwise) and writes all
    // other characters as UTF-8: the JCS rules.
    let text = serde_json::to_string(s).map_err(|e| CanonicalError::Json(e.to_string()))?;
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_sorted_and_whitespace_removed() {
        let v = json!({"b": 1, "a": {"z": [true, null], "é": "x"}, "A": -7});
        let text = String::from_utf8(to_canonical_json(&v).unwrap()).unwrap();
        assert_eq!(text, r#"{"A":-7,"a":{"z":[true,null],"é":"x"},"b":1}"#);
        assert!(is_canonical(text.as_bytes()));
        assert!(!is_canonical(br#"{"b":1, "a":2}"#));
        assert!(!is_canonical(br#"{"b":1,"a":2}"#));
    }

    #[test]
    fn strings_are_escaped_as_rfc8785_says() {
        let v = json!({"s": "línea\n\t\"comillas\" \\ \u{1f} ñ €"});
        let text = String::from_utf8(to_canonical_json(&v).unwrap()).unwrap();
        assert_eq!(
            text,
            "{\"s\":\"línea\\n\\t\\\"comillas\\\" \\\\ \\u001f ñ €\"}"
        );
    }

    #[test]
    fn utf16_order_differs_from_byte_order_where_jcs_says() {
        // In UTF-16, U+1F600 (surrogate 0xD83D…) sorts before U+FB33; in
        // UTF-8 byte order (0xF0… vs 0xEF…) it would be the other way round.
        let v = json!({"\u{1F600}": 1, "\u{FB33}": 2});
        let text = String::from_utf8(to_canonical_json(&v).unwrap()).unwrap();
        assert_eq!(text, "{\"\u{1F600}\":1,\"\u{FB33}\":2}");
    }

    #[test]
    fn floats_are_refused() {
        assert_eq!(
            to_canonical_json(&json!({"x": 1.5})),
            Err(CanonicalError::Float)
        );
    }
}
