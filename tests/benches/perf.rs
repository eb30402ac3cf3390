//! Criterion benchmarks of the operations in the perf report (`zhengzhao_examples::perf`),
//! with their floors in the same run: `cargo bench -p zhengzhao-tests --bench perf`
//! (add `--features ring` to include the `ring` provider's verify operations).
//!
//! Compare each operation with its floor measured in this run (see the report's table for
//! which floor belongs to which operation); absolute times depend on the machine.

use std::cell::RefCell;
use std::hint::black_box;

use criterion::{criterion_main, BatchSize, Criterion};
use zhengzhao::session::Role;
use zhengzhao_examples::perf::Fixture;

fn operations(c: &mut Criterion) {
    let f = Fixture::new().expect("fixture");
    let mut g = c.benchmark_group("operations");
    g.bench_function("issue", |b| b.iter(|| black_box(f.issue().expect("issue"))));
    g.bench_function("present", |b| {
        b.iter(|| black_box(f.present().expect("present")))
    });
    for set in f.providers() {
        let x = &set.suffix;
        g.bench_function(format!("verify_cold{x}"), |b| {
            b.iter(|| black_box(f.verify_cold(set).expect("verify")))
        });
        g.bench_function(format!("verify_cached{x}"), |b| {
            b.iter(|| black_box(f.verify_cached(set).expect("verify")))
        });
        g.bench_function(format!("verify_annex_d{x}"), |b| {
            b.iter(|| black_box(f.verify_annex_d(set).expect("verify")))
        });
    }
    let message = f.session_message().to_vec();
    let mut holder = f.session_cipher(Role::Holder).expect("cipher");
    g.bench_function("session_encrypt", |b| {
        b.iter(|| black_box(holder.encrypt(&message).expect("encrypt")))
    });
    // Messages must be decrypted in counter order: the setup seals the next one (untimed).
    let sender = RefCell::new(f.session_cipher(Role::Holder).expect("cipher"));
    let mut reader = f.session_cipher(Role::Reader).expect("cipher");
    g.bench_function("session_decrypt", |b| {
        b.iter_batched(
            || sender.borrow_mut().encrypt(&message).expect("encrypt"),
            |sealed| black_box(reader.decrypt(&sealed).expect("decrypt")),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn floors(c: &mut Criterion) {
    let f = Fixture::new().expect("fixture");
    let mut g = c.benchmark_group("floor");
    for set in f.providers() {
        let x = &set.suffix;
        g.bench_function(format!("es256_verify{x}"), |b| {
            b.iter(|| assert!(black_box(f.floor_verify(set))))
        });
        g.bench_function(format!("es256_sign{x}"), |b| {
            b.iter(|| black_box(f.floor_sign(set).expect("sign")))
        });
        g.bench_function(format!("ecdh{x}"), |b| {
            b.iter(|| black_box(f.floor_ecdh(set).expect("ecdh")))
        });
    }
    g.bench_function("es256_sign_prebuilt_key", |b| {
        b.iter(|| black_box(f.sign_prebuilt()))
    });
    g.bench_function("aes256gcm_seal_4k", |b| {
        b.iter(|| black_box(f.floor_seal().expect("seal")))
    });
    g.bench_function("aes256gcm_open_4k", |b| {
        b.iter(|| black_box(f.floor_open().expect("open")))
    });
    g.finish();
}

mod group {
    // `criterion_group!` generates a `pub fn` without a doc comment.
    #![allow(missing_docs)]
    use super::{floors, operations};
    criterion::criterion_group!(benches, operations, floors);
}
use group::benches;
criterion_main!(benches);
