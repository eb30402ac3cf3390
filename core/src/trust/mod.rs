//! X.509 certificates, trust anchors and chain validation.
