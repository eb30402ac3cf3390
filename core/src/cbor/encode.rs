//! Preferred-serialization encoder.

use super::Value;

/// Encodes `value` in preferred serialization (shortest heads; map order as given).
/// An [`Embedded`](super::Embedded) is written as the exact bytes it holds.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(&mut out, value);
    out
}

/// Appends the encoding of `value` to `out`.
pub fn encode_into(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Integer(i) => {
            if *i >= 0 {
                write_header(out, 0, u64::try_from(*i).unwrap_or(u64::MAX));
            } else {
                // -1 - n == i  =>  n == -1 - i; i >= -2^64 so n fits in u64.
                write_header(out, 1, u64::try_from(-1 - *i).unwrap_or(u64::MAX));
            }
        }
        Value::Bytes(b) => {
            write_header(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        Value::Text(s) => {
            write_header(out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(a) => {
            write_header(out, 4, a.len() as u64);
            for v in a {
                encode_into(out, v);
            }
        }
        Value::Map(m) => {
            write_header(out, 5, m.len() as u64);
            for (k, v) in m {
                encode_into(out, k);
                encode_into(out, v);
            }
        }
        Value::Tag(t, v) => {
            write_header(out, 6, *t);
            encode_into(out, v);
        }
        Value::Embedded(e) => out.extend_from_slice(e.tagged_bytes()),
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Float(f) => write_float(out, *f),
        Value::Simple(s) => {
            if *s < 24 {
                out.push(0xe0 | *s);
            } else {
                out.extend_from_slice(&[0xf8, *s]);
            }
        }
    }
}

/// Writes a head of major type `major` (0..=7) with argument `arg`, shortest form.
pub(crate) fn write_header(out: &mut Vec<u8>, major: u8, arg: u64) {
    let mt = major << 5;
    if arg < 24 {
        out.push(mt | arg as u8);
    } else if let Ok(a) = u8::try_from(arg) {
        out.extend_from_slice(&[mt | 24, a]);
    } else if let Ok(a) = u16::try_from(arg) {
        out.push(mt | 25);
        out.extend_from_slice(&a.to_be_bytes());
    } else if let Ok(a) = u32::try_from(arg) {
        out.push(mt | 26);
        out.extend_from_slice(&a.to_be_bytes());
    } else {
        out.push(mt | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

/// Writes a float in the shortest of half, single or double that keeps its value.
fn write_float(out: &mut Vec<u8>, f: f64) {
    let single = f as f32;
    if f64::from(single) == f || f.is_nan() {
        if let Some(h) = f32_to_f16_exact(single) {
            out.push(0xf9);
            out.extend_from_slice(&h.to_be_bytes());
        } else {
            out.push(0xfa);
            out.extend_from_slice(&single.to_bits().to_be_bytes());
        }
    } else {
        out.push(0xfb);
        out.extend_from_slice(&f.to_bits().to_be_bytes());
    }
}

/// The IEEE half-precision bits of `f`, if `f` is exactly representable as one.
fn f32_to_f16_exact(f: f32) -> Option<u16> {
    if f.is_nan() {
        return Some(0x7e00);
    }
    let bits = f.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return Some(sign | 0x7c00); // infinity (NaN handled above)
    }
    if exp == 0 && man == 0 {
        return Some(sign);
    }
    let e = exp - 127;
    if (-14..=15).contains(&e) {
        if man & 0x1fff != 0 {
            return None;
        }
        return Some(sign | (((e + 15) as u16) << 10) | (man >> 13) as u16);
    }
    if (-24..-14).contains(&e) {
        // subnormal half: value = m * 2^-24
        let full = man | 0x80_0000; // implicit bit, value = full * 2^(e-23)
        let shift = (-14 - e) + 13;
        if full & ((1u32 << shift) - 1) != 0 {
            return None;
        }
        return Some(sign | (full >> shift) as u16);
    }
    None
}
