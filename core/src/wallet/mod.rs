//! The holder's wallet: a crash-safe credential store, secure-area keys, batch credentials for unlinkability, and the disclosure log.
