// swift-tools-version:5.9
//
// The zhengzhao Swift package (iOS 15+, macOS 12+). `Sources/Zhengzhao/zhengzhao.swift` and
// `zhengzhaoFFI.xcframework` are build outputs, not checked in: run
// `bindings/swift/build-xcframework.sh` on a Mac with Xcode first (add `--test-hooks` to run
// `swift test`, whose panic and timing tests call test-only exports).
//
// No Swift toolchain exists on the CI machines: there this manifest and the tests are only
// syntax-checked (.ci/bindings.sh). Swift is not run in CI.
import PackageDescription

let package = Package(
    name: "Zhengzhao",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Zhengzhao", targets: ["Zhengzhao"]),
    ],
    targets: [
        .binaryTarget(name: "zhengzhaoFFI", path: "zhengzhaoFFI.xcframework"),
        .target(name: "Zhengzhao", dependencies: ["zhengzhaoFFI"], path: "Sources/Zhengzhao", exclude: ["README.md"]),
        .testTarget(name: "ZhengzhaoTests", dependencies: ["Zhengzhao"], path: "Tests/ZhengzhaoTests"),
    ]
)
