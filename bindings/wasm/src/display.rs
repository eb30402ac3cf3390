//! Display names of document types, from the core's built-in licence profiles, for pages that
//! show a licence card (`www/verifier.html`).

use wasm_bindgen::prelude::wasm_bindgen;
use zhengzhao::profiles::Profile;

/// The Chinese (simplified) and English names of `doc_type` as JSON text
/// `{"zh": …, "en": …}`, if a built-in profile (resident identity card, driving licence,
/// business licence) has that docType; otherwise `undefined`. ISO docTypes (the mDL) have no
/// profile in the core; pages name those themselves.
#[wasm_bindgen(js_name = docTypeNameRaw)]
pub fn doc_type_name(doc_type: &str) -> Option<String> {
    Profile::for_doc_type(doc_type)
        .map(|p| serde_json::json!({ "zh": p.name_zh(), "en": p.name_en() }).to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn built_in_profiles_have_names_and_others_none() {
        let dl = zhengzhao::profiles::Profile::driving_licence();
        let name = super::doc_type_name(dl.doc_type()).unwrap_or_default();
        assert_eq!(
            name,
            r#"{"en":"motor vehicle driving licence","zh":"机动车驾驶证"}"#
        );
        assert_eq!(super::doc_type_name("org.iso.18013.5.1.mDL"), None);
    }
}
