//! Proximity presentation (ISO/IEC 18013-5 §9): device engagement, session keys and encryption, and the holder and reader state machines.
