#!/usr/bin/env bash
# Builds zhengzhaoFFI.xcframework (static libraries for iOS devices, the iOS simulator and macOS)
# and generates Sources/Zhengzhao/zhengzhao.swift for Package.swift. macOS with Xcode only.
#
#   bash bindings/swift/build-xcframework.sh [--test-hooks]
#
# --test-hooks builds the test-only exports the Swift tests use (never ship that build).
set -euo pipefail
cd "$(dirname "$0")/../.."
features=()
[ "${1:-}" = "--test-hooks" ] && features=(--features test-hooks)

ios=aarch64-apple-ios
sims=(aarch64-apple-ios-sim x86_64-apple-ios)
macs=(aarch64-apple-darwin x86_64-apple-darwin)
for t in "$ios" "${sims[@]}" "${macs[@]}"; do
    rustup target add "$t"
    cargo build --locked --release -p zhengzhao-bindings --target "$t" "${features[@]}"
done
cargo build --locked --release -p uniffi-bindgen

OUT=target/swift-package
rm -rf "$OUT"
mkdir -p "$OUT/headers"
# Library mode reads the uniffi metadata from the (unstripped) library.
target/release/uniffi-bindgen generate --no-format --language swift --out-dir "$OUT/generated" \
    --library "target/aarch64-apple-darwin/release/libzhengzhao_ffi.dylib"
cp "$OUT/generated/zhengzhaoFFI.h" "$OUT/headers/"
cp "$OUT/generated/zhengzhaoFFI.modulemap" "$OUT/headers/module.modulemap"
cp "$OUT/generated/zhengzhao.swift" bindings/swift/Sources/Zhengzhao/

lipo -create "target/${sims[0]}/release/libzhengzhao_ffi.a" "target/${sims[1]}/release/libzhengzhao_ffi.a" \
    -output "$OUT/sim.a"
lipo -create "target/${macs[0]}/release/libzhengzhao_ffi.a" "target/${macs[1]}/release/libzhengzhao_ffi.a" \
    -output "$OUT/macos.a"

rm -rf bindings/swift/zhengzhaoFFI.xcframework
xcodebuild -create-xcframework \
    -library "target/$ios/release/libzhengzhao_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/sim.a" -headers "$OUT/headers" \
    -library "$OUT/macos.a" -headers "$OUT/headers" \
    -output bindings/swift/zhengzhaoFFI.xcframework
echo "built bindings/swift/zhengzhaoFFI.xcframework; now: cd bindings/swift && swift test"
