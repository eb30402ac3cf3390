//! Chinese electronic licence (電子證照) profiles: identifiers with their check characters, licence document types and elements.
